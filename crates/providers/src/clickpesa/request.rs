//! Pure builders for ClickPesa requests: domain values in, `http::Request<Vec<u8>>` out.
//! The API key and the token travel only in headers marked sensitive; the token is sent
//! as ClickPesa returned it (it already starts with `Bearer `).

use http::header::HeaderValue;
use http::{Method, Request};
use malipo_core::Money;
use malipo_vault::Sensitive;
use serde_json::{json, Map, Value};

use super::amount::to_whole_shillings;
use super::control::check_reference;
use super::error::ClickPesaError;

/// ClickPesa's API base URL (production; there is no sandbox).
pub const DEFAULT_BASE_URL: &str = "https://api.clickpesa.com/third-parties";

/// The most control numbers one bulk call may create.
pub const BULK_MAX: usize = 50;

/// How a control number treats amounts other than `billAmount`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillPayMode {
    /// Only the exact amount is accepted (`EXACT`).
    Exact,
    /// Less is accepted, more is not: `ALLOW_PARTIAL_AND_OVER_PAYMENT` capped by
    /// `billMaxCollectionAmount` = the amount.
    AllowPartial,
    /// Less or more is accepted (`ALLOW_PARTIAL_AND_OVER_PAYMENT`, ClickPesa's default).
    AllowPartialAndOver,
}

/// The payer of a customer control number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerDetails {
    pub name: String,
    pub email: Option<String>,
    /// Country code, no `+`: `255712345678`.
    pub phone: Option<String>,
}

/// One control number to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlNumberRequest {
    /// Our reference; becomes the number itself (`billPayNumber`). `None`: ClickPesa picks.
    pub reference: Option<String>,
    /// Fixed amount (TZS, whole shillings), or `None` for a flexible amount.
    pub amount: Option<Money>,
    pub mode: BillPayMode,
    pub description: Option<String>,
    /// `Some` for a customer control number (reusable), `None` for an order number.
    pub customer: Option<CustomerDetails>,
}

/// The JSON body of one control number (single create or a bulk item).
pub fn control_number_body(req: &ControlNumberRequest) -> Result<Value, ClickPesaError> {
    let mut body = Map::new();
    if let Some(reference) = &req.reference {
        check_reference(reference)?;
        body.insert("billReference".into(), json!(reference));
    }
    if let Some(description) = &req.description {
        let short: String = description.chars().take(500).collect();
        body.insert("billDescription".into(), json!(short));
    }
    if let Some(amount) = req.amount {
        let shillings = to_whole_shillings(amount)?;
        if shillings <= 0 {
            return Err(ClickPesaError::InvalidRequest(
                "a control number's amount must be above zero".into(),
            ));
        }
        body.insert("billAmount".into(), json!(shillings));
        let mode = match req.mode {
            BillPayMode::Exact => "EXACT",
            BillPayMode::AllowPartial | BillPayMode::AllowPartialAndOver => {
                "ALLOW_PARTIAL_AND_OVER_PAYMENT"
            }
        };
        body.insert("billPaymentMode".into(), json!(mode));
        if req.mode == BillPayMode::AllowPartial {
            body.insert("billMaxCollectionAmount".into(), json!(shillings));
        }
    }
    if let Some(customer) = &req.customer {
        if customer.name.trim().is_empty() {
            return Err(ClickPesaError::InvalidRequest(
                "a customer control number needs the customer's name".into(),
            ));
        }
        if customer.email.is_none() && customer.phone.is_none() {
            return Err(ClickPesaError::InvalidRequest(
                "a customer control number needs an e-mail or a phone number".into(),
            ));
        }
        body.insert("customerName".into(), json!(customer.name));
        if let Some(email) = &customer.email {
            body.insert("customerEmail".into(), json!(email));
        }
        if let Some(phone) = &customer.phone {
            let ok = phone.len() == 12 && phone.bytes().all(|b| b.is_ascii_digit());
            if !ok {
                return Err(ClickPesaError::InvalidRequest(
                    "the phone is 12 digits with the country code and no +, e.g. 255712345678"
                        .into(),
                ));
            }
            body.insert("customerPhone".into(), json!(phone));
        }
    }
    Ok(Value::Object(body))
}

/// `POST /generate-token` with `client-id` and `api-key` headers.
pub fn generate_token(
    base_url: &str,
    client_id: &str,
    api_key: &Sensitive<String>,
) -> Result<Request<Vec<u8>>, ClickPesaError> {
    let key = crate::http_request::sensitive_header(api_key.expose()).ok_or_else(|| {
        ClickPesaError::InvalidRequest("the API key has characters a header cannot carry".into())
    })?;
    Request::builder()
        .method(Method::POST)
        .uri(crate::http_request::url(base_url, "/generate-token"))
        .header("client-id", client_id)
        .header("api-key", key)
        .body(Vec::new())
        .map_err(|e| ClickPesaError::InvalidRequest(e.to_string()))
}

/// `POST /billpay/create-order-control-number` or `…/create-customer-control-number`.
pub fn create_control_number(
    base_url: &str,
    token: &Sensitive<String>,
    req: &ControlNumberRequest,
) -> Result<Request<Vec<u8>>, ClickPesaError> {
    let path = if req.customer.is_some() {
        "/billpay/create-customer-control-number"
    } else {
        "/billpay/create-order-control-number"
    };
    post(base_url, path, token, &control_number_body(req)?)
}

/// `POST /billpay/bulk-create-order-control-numbers` or `…-customer-…` (1–50 items, all of
/// one kind).
pub fn bulk_create(
    base_url: &str,
    token: &Sensitive<String>,
    items: &[ControlNumberRequest],
) -> Result<Request<Vec<u8>>, ClickPesaError> {
    if items.is_empty() || items.len() > BULK_MAX {
        return Err(ClickPesaError::InvalidRequest(format!(
            "a bulk call creates 1 to {BULK_MAX} control numbers"
        )));
    }
    let customers = items.iter().filter(|i| i.customer.is_some()).count();
    let path = match customers {
        0 => "/billpay/bulk-create-order-control-numbers",
        n if n == items.len() => "/billpay/bulk-create-customer-control-numbers",
        _ => {
            return Err(ClickPesaError::InvalidRequest(
                "a bulk call creates either order or customer numbers, not both".into(),
            ))
        }
    };
    let bodies: Result<Vec<Value>, ClickPesaError> =
        items.iter().map(control_number_body).collect();
    post(base_url, path, token, &json!({ "controlNumbers": bodies? }))
}

/// A partial update of a control number (`PATCH /billpay/{billPayNumber}`): re-use a number
/// when an invoice is edited, or void it (`active: Some(false)`: the payer's wallet then
/// refuses payments to it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ControlNumberUpdate {
    pub active: Option<bool>,
    pub amount: Option<Money>,
    pub description: Option<String>,
    pub mode: Option<BillPayMode>,
}

/// `PATCH /billpay/{billPayNumber}` with at least one field.
pub fn update_control_number(
    base_url: &str,
    token: &Sensitive<String>,
    number: &str,
    update: &ControlNumberUpdate,
) -> Result<Request<Vec<u8>>, ClickPesaError> {
    check_reference(number)?;
    let mut body = Map::new();
    if let Some(active) = update.active {
        body.insert(
            "billStatus".into(),
            json!(if active { "ACTIVE" } else { "INACTIVE" }),
        );
    }
    if let Some(amount) = update.amount {
        let shillings = to_whole_shillings(amount)?;
        if shillings <= 0 {
            return Err(ClickPesaError::InvalidRequest(
                "a control number's amount must be above zero".into(),
            ));
        }
        body.insert("billAmount".into(), json!(shillings));
        if update.mode == Some(BillPayMode::AllowPartial) {
            body.insert("billMaxCollectionAmount".into(), json!(shillings));
        }
    }
    if let Some(description) = &update.description {
        let short: String = description.chars().take(500).collect();
        body.insert("billDescription".into(), json!(short));
    }
    if let Some(mode) = update.mode {
        let wire = match mode {
            BillPayMode::Exact => "EXACT",
            BillPayMode::AllowPartial | BillPayMode::AllowPartialAndOver => {
                "ALLOW_PARTIAL_AND_OVER_PAYMENT"
            }
        };
        body.insert("billPaymentMode".into(), json!(wire));
    }
    if body.is_empty() {
        return Err(ClickPesaError::InvalidRequest(
            "an update changes at least one of status, amount, description or mode".into(),
        ));
    }
    crate::http_request::json_request(
        Method::PATCH,
        base_url,
        &format!("/billpay/{number}"),
        authorization(token)?,
        Some(&Value::Object(body)),
    )
    .map_err(ClickPesaError::InvalidRequest)
}

/// `GET /billpay/{billPayNumber}`.
pub fn billpay_details(
    base_url: &str,
    token: &Sensitive<String>,
    number: &str,
) -> Result<Request<Vec<u8>>, ClickPesaError> {
    check_reference(number)?;
    get(base_url, &format!("/billpay/{number}"), token)
}

/// `GET /payments/{orderReference}`: every payment to a reference (for BillPay, the number).
pub fn query_payments(
    base_url: &str,
    token: &Sensitive<String>,
    order_reference: &str,
) -> Result<Request<Vec<u8>>, ClickPesaError> {
    check_reference(order_reference)?;
    get(base_url, &format!("/payments/{order_reference}"), token)
}

fn authorization(token: &Sensitive<String>) -> Result<HeaderValue, ClickPesaError> {
    crate::http_request::sensitive_header(token.expose()).ok_or_else(|| {
        ClickPesaError::Unreadable("the token has characters a header cannot carry".into())
    })
}

fn get(
    base_url: &str,
    path: &str,
    token: &Sensitive<String>,
) -> Result<Request<Vec<u8>>, ClickPesaError> {
    crate::http_request::json_request(Method::GET, base_url, path, authorization(token)?, None)
        .map_err(ClickPesaError::InvalidRequest)
}

fn post(
    base_url: &str,
    path: &str,
    token: &Sensitive<String>,
    body: &Value,
) -> Result<Request<Vec<u8>>, ClickPesaError> {
    crate::http_request::json_request(
        Method::POST,
        base_url,
        path,
        authorization(token)?,
        Some(body),
    )
    .map_err(ClickPesaError::InvalidRequest)
}
