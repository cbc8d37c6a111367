//! The simulated ClickPesa API (under `/third-parties`): `generate-token`, order and customer
//! control numbers (single and bulk), BillPay details and the payment query, with ClickPesa's
//! `{"message"}` errors and status codes (reference §2, §4, §5).

use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::state::{Bill, ClickPesaSim, Inner, TOKEN_LIFETIME};

pub(crate) fn message(status: StatusCode, text: &str) -> Response {
    (status, Json(json!({ "message": text }))).into_response()
}

/// Reads a major-unit amount sent as a number or a string; whole shillings only here.
pub(crate) fn shillings(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn text(body: &Value, name: &str) -> Option<String> {
    body.get(name).and_then(Value::as_str).map(str::to_owned)
}

/// `POST /generate-token` with `client-id` and `api-key` headers.
pub async fn generate_token(State(sim): State<ClickPesaSim>, headers: HeaderMap) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (Some(client_id), Some(api_key)) = (header("client-id"), header("api-key")) else {
        return message(StatusCode::UNAUTHORIZED, "Unauthorized");
    };
    let mut inner = sim.lock();
    if client_id != inner.config.client_id {
        return message(StatusCode::FORBIDDEN, "Invalid client details");
    }
    if api_key != inner.config.api_key {
        return message(StatusCode::FORBIDDEN, "Invalid or Expired API-Key");
    }
    let token: String = (0..48).map(|_| fastrand::alphanumeric()).collect();
    let token = format!("Bearer eyJ{token}");
    inner.tokens.insert(token.clone(), Instant::now());
    inner.tokens_issued += 1;
    Json(json!({ "success": true, "token": token })).into_response()
}

/// The token check: `Authorization` must be a token this simulator issued within the hour,
/// sent as issued (a doubled `Bearer Bearer …` is refused, as ClickPesa does).
fn refused(sim: &ClickPesaSim, headers: &HeaderMap) -> Option<Response> {
    let given = headers.get("authorization").and_then(|v| v.to_str().ok());
    let inner = sim.lock();
    let valid = given
        .and_then(|token| inner.tokens.get(token))
        .is_some_and(|issued| issued.elapsed() < TOKEN_LIFETIME);
    if valid {
        None
    } else {
        Some(message(StatusCode::UNAUTHORIZED, "Unauthorized"))
    }
}

fn bill_json(bill: &Bill) -> Value {
    json!({
        "billPayNumber": bill.number,
        "billDescription": bill.description,
        "billCustomerName": bill.customer_name,
        "billAmount": bill.amount,
        "billPaymentMode": bill.mode,
        "billStatus": if bill.active { "ACTIVE" } else { "INACTIVE" },
        "billMaxCollectionAmount": bill.max_collection,
        "billCollectedAmount": bill.collected,
    })
}

/// Validates and stores one control number; the reason on failure (409 for a used reference).
fn create_one(
    inner: &mut Inner,
    item: &Value,
    customer: bool,
) -> Result<Bill, (StatusCode, String)> {
    let bad = |text: &str| (StatusCode::BAD_REQUEST, text.to_owned());
    let reference = text(item, "billReference");
    if let Some(reference) = &reference {
        let ok = !reference.is_empty()
            && reference.len() <= 20
            && reference.bytes().all(|b| b.is_ascii_alphanumeric());
        if !ok {
            return Err(bad(
                "Invalid bill reference, should only contain alphanumeric characters",
            ));
        }
        if inner.bills.contains_key(reference) {
            return Err((
                StatusCode::CONFLICT,
                "Bill reference already used: Use a different reference".into(),
            ));
        }
    }
    let amount = match item.get("billAmount") {
        None | Some(Value::Null) => None,
        some => Some(
            shillings(some)
                .filter(|a| *a > 0)
                .ok_or_else(|| bad("Invalid billAmount"))?,
        ),
    };
    let mode =
        text(item, "billPaymentMode").unwrap_or_else(|| "ALLOW_PARTIAL_AND_OVER_PAYMENT".into());
    if mode != "EXACT" && mode != "ALLOW_PARTIAL_AND_OVER_PAYMENT" {
        return Err(bad("Invalid billPaymentMode"));
    }
    let max_collection = match item.get("billMaxCollectionAmount") {
        None | Some(Value::Null) => None,
        some => Some(shillings(some).ok_or_else(|| bad("Invalid billMaxCollectionAmount"))?),
    };
    if let (Some(max), Some(amount)) = (max_collection, amount) {
        if max < amount {
            return Err(bad(
                "billMaxCollectionAmount must be greater than or equal to billAmount",
            ));
        }
    }
    let customer_name = text(item, "customerName");
    if customer {
        if customer_name.as_deref().is_none_or(str::is_empty) {
            return Err(bad("customerName is required"));
        }
        if text(item, "customerEmail").is_none() && text(item, "customerPhone").is_none() {
            return Err(bad("customerEmail or customerPhone is required"));
        }
    } else if customer_name.is_some() || item.get("customerPhone").is_some() {
        return Err(bad("Order control numbers do not take customer details"));
    }
    let number = match reference {
        Some(reference) => reference,
        None => inner.next_number().to_string(),
    };
    let bill = Bill {
        number: number.clone(),
        description: text(item, "billDescription"),
        amount,
        mode,
        max_collection,
        customer_name,
        is_order: !customer,
        active: true,
        collected: 0,
    };
    inner.bills.insert(number, bill.clone());
    Ok(bill)
}

async fn create(sim: ClickPesaSim, headers: HeaderMap, body: &[u8], customer: bool) -> Response {
    if let Some(denied) = refused(&sim, &headers) {
        return denied;
    }
    let Ok(item) = serde_json::from_slice::<Value>(body) else {
        return message(StatusCode::BAD_REQUEST, "Invalid JSON body");
    };
    let created = create_one(&mut sim.lock(), &item, customer);
    match created {
        Ok(bill) => Json(bill_json(&bill)).into_response(),
        Err((status, text)) => message(status, &text),
    }
}

/// `POST /billpay/create-order-control-number`.
pub async fn create_order(
    State(sim): State<ClickPesaSim>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    create(sim, headers, &body, false).await
}

/// `POST /billpay/create-customer-control-number`.
pub async fn create_customer(
    State(sim): State<ClickPesaSim>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    create(sim, headers, &body, true).await
}

async fn bulk(sim: ClickPesaSim, headers: HeaderMap, body: &[u8], customer: bool) -> Response {
    if let Some(denied) = refused(&sim, &headers) {
        return denied;
    }
    let items = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("controlNumbers").and_then(Value::as_array).cloned());
    let Some(items) = items.filter(|i| !i.is_empty() && i.len() <= 50) else {
        return message(
            StatusCode::BAD_REQUEST,
            "controlNumbers must hold 1 to 50 items",
        );
    };
    let mut inner = sim.lock();
    let mut numbers = Vec::new();
    let mut errors = Vec::new();
    for (index, item) in items.iter().enumerate() {
        match create_one(&mut inner, item, customer) {
            Ok(bill) => numbers.push(bill.number),
            Err((_, reason)) => errors.push(json!({"index": index, "reason": reason})),
        }
    }
    let mut answer =
        json!({"billPayNumbers": numbers, "created": numbers.len(), "failed": errors.len()});
    if !errors.is_empty() {
        answer["errors"] = Value::Array(errors);
    }
    Json(answer).into_response()
}

/// `POST /billpay/bulk-create-order-control-numbers`.
pub async fn bulk_order(
    State(sim): State<ClickPesaSim>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    bulk(sim, headers, &body, false).await
}

/// `POST /billpay/bulk-create-customer-control-numbers`.
pub async fn bulk_customer(
    State(sim): State<ClickPesaSim>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    bulk(sim, headers, &body, true).await
}

/// `GET /billpay/{billPayNumber}`.
pub async fn details(
    State(sim): State<ClickPesaSim>,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> Response {
    if let Some(denied) = refused(&sim, &headers) {
        return denied;
    }
    match sim.lock().bills.get(&number) {
        Some(bill) => Json(bill_json(bill)).into_response(),
        None => message(StatusCode::NOT_FOUND, "BillPay Number does not exist"),
    }
}

/// `GET /payments/{orderReference}`: an array of every payment to the reference.
pub async fn payments(
    State(sim): State<ClickPesaSim>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    if let Some(denied) = refused(&sim, &headers) {
        return denied;
    }
    let inner = sim.lock();
    let found: Vec<Value> = inner
        .payments
        .iter()
        .filter(|p| p.order_reference == reference)
        .map(|p| {
            json!({
                "id": p.id, "status": p.status, "paymentReference": p.payment_reference,
                "paymentPhoneNumber": p.phone, "orderReference": p.order_reference,
                "collectedAmount": p.amount, "collectedCurrency": "TZS", "message": p.message,
                "updatedAt": p.created_at, "createdAt": p.created_at,
                "customer": {"customerName": null, "customerPhoneNumber": p.phone, "customerEmail": null},
                "clientId": inner.config.client_id,
            })
        })
        .collect();
    if found.is_empty() {
        return message(
            StatusCode::NOT_FOUND,
            &format!("Invalid or missing payment: {reference}"),
        );
    }
    Json(Value::Array(found)).into_response()
}

/// `PATCH /billpay/{billPayNumber}`: `billStatus`, `billAmount`, `billDescription`,
/// `billPaymentMode` (+ `billMaxCollectionAmount`), at least one.
pub async fn update(
    State(sim): State<ClickPesaSim>,
    headers: HeaderMap,
    Path(number): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if let Some(denied) = refused(&sim, &headers) {
        return denied;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return message(StatusCode::BAD_REQUEST, "Invalid JSON body");
    };
    let mut inner = sim.lock();
    let Some(bill) = inner.bills.get_mut(&number) else {
        return message(StatusCode::NOT_FOUND, "BillPay Number does not exist");
    };
    let mut changed = false;
    if let Some(status) = text(&body, "billStatus") {
        match status.as_str() {
            "ACTIVE" => bill.active = true,
            "INACTIVE" => bill.active = false,
            _ => return message(StatusCode::BAD_REQUEST, "Invalid billStatus"),
        }
        changed = true;
    }
    if body.get("billAmount").is_some() {
        match shillings(body.get("billAmount")).filter(|a| *a > 0) {
            Some(amount) => bill.amount = Some(amount),
            None => return message(StatusCode::BAD_REQUEST, "Invalid billAmount"),
        }
        changed = true;
    }
    if body.get("billMaxCollectionAmount").is_some() {
        bill.max_collection = shillings(body.get("billMaxCollectionAmount"));
        changed = true;
    }
    if let Some(description) = text(&body, "billDescription") {
        bill.description = Some(description);
        changed = true;
    }
    if let Some(mode) = text(&body, "billPaymentMode") {
        if mode != "EXACT" && mode != "ALLOW_PARTIAL_AND_OVER_PAYMENT" {
            return message(StatusCode::BAD_REQUEST, "Invalid billPaymentMode");
        }
        bill.mode = mode;
        changed = true;
    }
    if !changed {
        return message(
            StatusCode::BAD_REQUEST,
            "Provide at least one field to update",
        );
    }
    Json(json!({
        "billPayNumber": bill.number,
        "billStatus": if bill.active { "ACTIVE" } else { "INACTIVE" },
        "billAmount": bill.amount,
        "billDescription": bill.description,
        "billPaymentMode": bill.mode,
    }))
    .into_response()
}
