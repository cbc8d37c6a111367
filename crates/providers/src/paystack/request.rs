//! Pure builders for Paystack requests: domain values in, `http::Request<Vec<u8>>` out.
//!
//! The secret key goes only into the `Authorization: Bearer …` header, marked sensitive so
//! that `Debug` of the request never shows it. Nothing here does IO or reads the clock.

use http::header::HeaderValue;
use http::{Method, Request};
use malipo_core::Money;
use malipo_vault::Sensitive;
use serde_json::{json, Map, Value};

use super::amount::{currency_code, to_subunits};
use super::error::PaystackError;

/// Paystack's API base URL; test and live alike (the key decides the mode).
pub const DEFAULT_BASE_URL: &str = "https://api.paystack.co";

/// Whether a secret key is a test or a live key, read from its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMode {
    /// `sk_test_…`: no real money moves.
    Test,
    /// `sk_live_…`: real money.
    Live,
}

impl KeyMode {
    /// The mode of a secret key, or why it is not one. Never echoes the key.
    pub fn of_secret_key(key: &Sensitive<String>) -> Result<KeyMode, PaystackError> {
        let key = key.expose();
        if key.starts_with("sk_test_") && key.len() > "sk_test_".len() {
            Ok(KeyMode::Test)
        } else if key.starts_with("sk_live_") && key.len() > "sk_live_".len() {
            Ok(KeyMode::Live)
        } else if key.starts_with("pk_") {
            Err(PaystackError::MalformedKey(
                "it is a public key (pk_…); paste the secret key (sk_…)",
            ))
        } else {
            Err(PaystackError::MalformedKey(
                "a secret key starts with sk_test_ or sk_live_",
            ))
        }
    }

    /// Paystack's `domain` value for this mode.
    pub const fn domain(self) -> &'static str {
        match self {
            KeyMode::Test => "test",
            KeyMode::Live => "live",
        }
    }
}

/// A checkout channel (`channels` on initialize).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Card,
    MobileMoney,
    BankTransfer,
    ApplePay,
}

impl Channel {
    /// Paystack's name for the channel.
    pub const fn wire(self) -> &'static str {
        match self {
            Channel::Card => "card",
            Channel::MobileMoney => "mobile_money",
            Channel::BankTransfer => "bank_transfer",
            Channel::ApplePay => "apple_pay",
        }
    }
}

/// The placeholder e-mail for a walk-in customer who gave none: Paystack requires an e-mail
/// and keys its customer record on it. One per shop (`pos-<shop>@<domain>`), so walk-in
/// sales do not pile onto a stranger's customer record; `domain` should be one the shop
/// controls, because Paystack e-mails receipts there. The shop code is reduced to lowercase
/// letters and digits.
pub fn walk_in_email(shop_code: &str, domain: &str) -> String {
    let shop: String = shop_code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let shop = if shop.is_empty() { "shop".into() } else { shop };
    format!("pos-{shop}@{}", domain.trim().trim_start_matches('@'))
}

/// `POST /transaction/initialize`: one card/mobile-money charge for a sale or invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitializeRequest {
    /// Our own reference, deterministic per payment attempt (`MLP-T1-000123-1`).
    pub reference: String,
    /// The amount to charge (KES or USD).
    pub amount: Money,
    /// The customer's e-mail, or [`walk_in_email`].
    pub email: String,
    /// The sale or invoice number, carried in `metadata` and shown on the dashboard.
    pub target_number: String,
    /// Restrict the checkout to these channels (empty: the integration's defaults).
    pub channels: Vec<Channel>,
    /// Where the hosted page sends the customer afterwards (invoices), if anywhere.
    pub callback_url: Option<String>,
    /// Shown on the checkout instead of the e-mail (useful when it is a placeholder).
    pub label: Option<String>,
}

/// `POST /refund`: a full (`amount: None`) or partial refund of a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    /// The transaction's reference (or id).
    pub transaction: String,
    /// The amount to refund; `None` refunds the whole transaction.
    pub amount: Option<Money>,
    pub customer_note: Option<String>,
    pub merchant_note: Option<String>,
}

/// Paystack allows only `-`, `.`, `=` and alphanumerics in a reference.
pub fn check_reference(reference: &str) -> Result<(), PaystackError> {
    let ok = !reference.is_empty()
        && reference.len() <= 100
        && reference
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '='));
    if ok {
        Ok(())
    } else {
        Err(PaystackError::InvalidRequest(format!(
            "reference {:?} may use only letters, digits, '-', '.' and '='",
            reference.chars().take(100).collect::<String>()
        )))
    }
}

/// Builds `POST /transaction/initialize`.
pub fn initialize(
    base_url: &str,
    secret: &Sensitive<String>,
    req: &InitializeRequest,
) -> Result<Request<Vec<u8>>, PaystackError> {
    check_reference(&req.reference)?;
    if !req.amount.is_positive() {
        return Err(PaystackError::InvalidRequest(
            "the amount must be above zero".into(),
        ));
    }
    if !req.email.contains('@') {
        return Err(PaystackError::InvalidRequest(
            "Paystack needs an e-mail address; use the shop's walk-in address".into(),
        ));
    }
    let mut body = Map::new();
    body.insert("email".into(), json!(req.email));
    body.insert("amount".into(), json!(to_subunits(req.amount)?));
    body.insert(
        "currency".into(),
        json!(currency_code(req.amount.currency)?),
    );
    body.insert("reference".into(), json!(req.reference));
    if !req.channels.is_empty() {
        let channels: Vec<&str> = req.channels.iter().map(|c| c.wire()).collect();
        body.insert("channels".into(), json!(channels));
    }
    if let Some(url) = &req.callback_url {
        body.insert("callback_url".into(), json!(url));
    }
    if let Some(label) = &req.label {
        body.insert("label".into(), json!(label));
    }
    body.insert(
        "metadata".into(),
        json!({
            "malipo_target": req.target_number,
            "custom_fields": [{
                "display_name": "Sale / invoice",
                "variable_name": "malipo_target",
                "value": req.target_number,
            }],
        }),
    );
    post(
        base_url,
        "/transaction/initialize",
        secret,
        &Value::Object(body),
    )
}

/// Builds `GET /transaction/verify/:reference`.
pub fn verify(
    base_url: &str,
    secret: &Sensitive<String>,
    reference: &str,
) -> Result<Request<Vec<u8>>, PaystackError> {
    check_reference(reference)?;
    get(
        base_url,
        &format!("/transaction/verify/{reference}"),
        secret,
    )
}

/// Builds `POST /refund`.
pub fn refund(
    base_url: &str,
    secret: &Sensitive<String>,
    req: &RefundRequest,
) -> Result<Request<Vec<u8>>, PaystackError> {
    check_reference(&req.transaction)?;
    let mut body = Map::new();
    body.insert("transaction".into(), json!(req.transaction));
    if let Some(amount) = req.amount {
        if !amount.is_positive() {
            return Err(PaystackError::InvalidRequest(
                "a refund amount must be above zero".into(),
            ));
        }
        body.insert("amount".into(), json!(to_subunits(amount)?));
        body.insert("currency".into(), json!(currency_code(amount.currency)?));
    }
    if let Some(note) = &req.customer_note {
        body.insert("customer_note".into(), json!(note));
    }
    if let Some(note) = &req.merchant_note {
        body.insert("merchant_note".into(), json!(note));
    }
    post(base_url, "/refund", secret, &Value::Object(body))
}

/// Builds `GET /refund/:id` (a refund's current status).
pub fn refund_status(
    base_url: &str,
    secret: &Sensitive<String>,
    refund_id: i64,
) -> Result<Request<Vec<u8>>, PaystackError> {
    get(base_url, &format!("/refund/{refund_id}"), secret)
}

/// Builds `GET /refund?transaction=…`: the refunds already made on a transaction (id or
/// reference). Paystack has no idempotency key for refunds (reference §11), so check this
/// before refunding again.
pub fn list_refunds(
    base_url: &str,
    secret: &Sensitive<String>,
    transaction: &str,
) -> Result<Request<Vec<u8>>, PaystackError> {
    check_reference(transaction)?;
    get(
        base_url,
        &format!("/refund?transaction={transaction}"),
        secret,
    )
}

/// Builds `GET /integration/payment_session_timeout`: the cheapest authenticated read, used
/// by "Test connection" (reference §8). Moves no money.
pub fn test_connection(
    base_url: &str,
    secret: &Sensitive<String>,
) -> Result<Request<Vec<u8>>, PaystackError> {
    get(base_url, "/integration/payment_session_timeout", secret)
}

fn bearer(secret: &Sensitive<String>) -> Result<HeaderValue, PaystackError> {
    crate::http_request::sensitive_header(&format!("Bearer {}", secret.expose())).ok_or(
        PaystackError::MalformedKey("the key contains characters a header cannot carry"),
    )
}

fn get(
    base_url: &str,
    path: &str,
    secret: &Sensitive<String>,
) -> Result<Request<Vec<u8>>, PaystackError> {
    crate::http_request::json_request(Method::GET, base_url, path, bearer(secret)?, None)
        .map_err(PaystackError::InvalidRequest)
}

fn post(
    base_url: &str,
    path: &str,
    secret: &Sensitive<String>,
    body: &Value,
) -> Result<Request<Vec<u8>>, PaystackError> {
    crate::http_request::json_request(Method::POST, base_url, path, bearer(secret)?, Some(body))
        .map_err(PaystackError::InvalidRequest)
}
