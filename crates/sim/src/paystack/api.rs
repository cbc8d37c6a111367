//! The simulated Paystack API: `POST /transaction/initialize`, `GET /transaction/verify/:ref`,
//! `POST /refund`, `GET /refund/:id`, `GET /integration/payment_session_timeout`, with
//! Paystack's envelope, error shapes and bearer-key check (reference §2–§4, §8, §11).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::state::{now_iso, PaystackSim, SimRefund, Txn};

/// `{status: true, message, data}` with 200.
fn ok(message: &str, data: Value) -> Response {
    (
        StatusCode::OK,
        Json(json!({"status": true, "message": message, "data": data})),
    )
        .into_response()
}

/// Paystack's error shape.
fn fail(status: StatusCode, message: &str, kind: &str, code: &str, next: &str) -> Response {
    let body = json!({
        "status": false, "message": message, "meta": {"nextStep": next},
        "type": kind, "code": code
    });
    (status, Json(body)).into_response()
}

fn invalid(message: &str, code: &str) -> Response {
    fail(
        StatusCode::BAD_REQUEST,
        message,
        "validation_error",
        code,
        "Fix the request and try again",
    )
}

/// The bearer key check: the 401 `Invalid key` answer, unless it is the integration's key.
fn refused(sim: &PaystackSim, headers: &HeaderMap) -> Option<Response> {
    let expected = format!("Bearer {}", sim.lock().config.secret_key);
    let given = headers.get("authorization").and_then(|v| v.to_str().ok());
    if given == Some(expected.as_str()) {
        None
    } else {
        Some(
            (
                StatusCode::UNAUTHORIZED,
                Json(json!({"status": false, "message": "Invalid key"})),
            )
                .into_response(),
        )
    }
}

/// Reads an amount sent as an integer or a string of digits.
fn amount_of(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()
        }
        _ => None,
    }
}

fn text_of(body: &Value, name: &str) -> Option<String> {
    body.get(name).and_then(Value::as_str).map(str::to_owned)
}

/// The scheme and host the caller used, for `authorization_url`.
fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

fn random_code(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| char::from(ALPHABET[fastrand::usize(..ALPHABET.len())]))
        .collect()
}

/// `POST /transaction/initialize`.
pub async fn initialize(
    State(sim): State<PaystackSim>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Some(denied) = refused(&sim, &headers) {
        return denied;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return invalid("Invalid JSON body", "invalid_params");
    };
    let Some(email) = text_of(&body, "email").filter(|e| e.contains('@')) else {
        return invalid("Email Address is required", "missing_params");
    };
    let Some(amount) = amount_of(body.get("amount")).filter(|a| *a > 0) else {
        return invalid("Invalid Amount Sent", "invalid_params");
    };
    let currency = text_of(&body, "currency").unwrap_or_else(|| "KES".into());
    if currency != "KES" && currency != "USD" {
        return invalid("Currency not supported by merchant", "unsupported_currency");
    }
    let reference = text_of(&body, "reference").unwrap_or_else(|| random_code(10));
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '=');
    if reference.is_empty() || !reference.chars().all(allowed) {
        return invalid(
            "Invalid transaction reference. Only -, ., = and alphanumeric characters allowed",
            "invalid_params",
        );
    }
    let metadata = match body.get("metadata") {
        Some(Value::String(s)) => serde_json::from_str(s).unwrap_or(Value::String(s.clone())),
        Some(other) => other.clone(),
        None => Value::String(String::new()),
    };
    let access_code = random_code(15);
    let mut inner = sim.lock();
    if inner.txns.contains_key(&reference) {
        return fail(
            StatusCode::BAD_REQUEST,
            "Duplicate Transaction Reference",
            "validation_error",
            "duplicate_reference",
            "Try and create the Transaction or Charge with a new reference",
        );
    }
    let id = inner.next_id();
    inner
        .by_access_code
        .insert(access_code.clone(), reference.clone());
    inner.txns.insert(
        reference.clone(),
        Txn {
            id,
            reference: reference.clone(),
            access_code: access_code.clone(),
            amount,
            currency,
            email,
            label: text_of(&body, "label"),
            callback_url: text_of(&body, "callback_url"),
            metadata,
            status: "abandoned".into(),
            gateway_response: None,
            card: None,
            paid_at: None,
            created_at: now_iso(),
            refunded: 0,
        },
    );
    drop(inner);
    tracing::debug!(%reference, "paystack sim initialized a transaction");
    ok(
        "Authorization URL created",
        json!({
            "authorization_url": format!("{}/checkout/{access_code}", origin(&headers)),
            "access_code": access_code,
            "reference": reference,
        }),
    )
}

/// `GET /transaction/verify/:reference`.
pub async fn verify(
    State(sim): State<PaystackSim>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    if let Some(denied) = refused(&sim, &headers) {
        return denied;
    }
    let inner = sim.lock();
    match inner.txns.get(&reference) {
        Some(txn) => ok("Verification successful", inner.txn_json(txn)),
        None => invalid("Transaction reference not found", "transaction_not_found"),
    }
}

/// `POST /refund`: queues a refund, answers `pending`, then moves it to its final status and
/// emits `refund.pending` and the final `refund.*` event.
pub async fn refund(
    State(sim): State<PaystackSim>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Some(denied) = refused(&sim, &headers) {
        return denied;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return invalid("Invalid JSON body", "invalid_params");
    };
    let Some(transaction) = text_of(&body, "transaction").or_else(|| {
        body.get("transaction")
            .and_then(Value::as_i64)
            .map(|i| i.to_string())
    }) else {
        return invalid("Transaction reference or id is required", "missing_params");
    };
    let mut inner = sim.lock();
    let reference = if inner.txns.contains_key(&transaction) {
        transaction
    } else {
        match inner
            .txns
            .values()
            .find(|t| t.id.to_string() == transaction)
        {
            Some(t) => t.reference.clone(),
            None => return invalid("Transaction not found", "transaction_not_found"),
        }
    };
    let Some(txn) = inner.txns.get(&reference).cloned() else {
        return invalid("Transaction not found", "transaction_not_found");
    };
    if txn.status != "success" {
        return invalid(
            "Cannot refund a transaction that is not successful",
            "invalid_params",
        );
    }
    let refundable = txn.amount - txn.refunded;
    let amount = match body.get("amount") {
        None | Some(Value::Null) => refundable,
        some => match amount_of(some) {
            Some(a) if a > 0 => a,
            _ => return invalid("Invalid Amount Sent", "invalid_params"),
        },
    };
    if amount > refundable {
        return invalid(
            "Refund amount cannot be more than the refundable amount",
            "invalid_params",
        );
    }
    if let Some(currency) = text_of(&body, "currency") {
        if currency != txn.currency {
            return invalid("Currency does not match the transaction", "invalid_params");
        }
    }
    let id = inner.next_id();
    let mut refund = SimRefund {
        id,
        reference: reference.clone(),
        amount,
        status: "pending".into(),
        customer_note: text_of(&body, "customer_note"),
        merchant_note: text_of(&body, "merchant_note"),
        created_at: now_iso(),
    };
    let answer = inner.refund_json(&refund);
    let pending = inner.refund_event_data(&refund);
    let outcome = inner.refund_outcome(&reference);
    refund.status = outcome.into();
    if outcome != "failed" {
        if let Some(t) = inner.txns.get_mut(&reference) {
            t.refunded += amount;
            if t.refunded >= t.amount && outcome == "processed" {
                t.status = "reversed".into();
            }
        }
    }
    let last = inner.refund_event_data(&refund);
    inner.refunds.insert(id, refund);
    drop(inner);
    sim.emit("refund.pending", pending);
    sim.emit(&format!("refund.{outcome}"), last);
    ok("Refund has been queued for processing", answer)
}

/// `GET /refund/:id`.
pub async fn refund_status(
    State(sim): State<PaystackSim>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(denied) = refused(&sim, &headers) {
        return denied;
    }
    let inner = sim.lock();
    let found = id.parse::<i64>().ok().and_then(|id| inner.refunds.get(&id));
    match found {
        Some(refund) => ok("Refund retrieved", inner.refund_json(refund)),
        None => fail(
            StatusCode::NOT_FOUND,
            "Refund not found",
            "api_error",
            "not_found",
            "Check the id",
        ),
    }
}

/// `GET /integration/payment_session_timeout`: "Test connection".
pub async fn session_timeout(State(sim): State<PaystackSim>, headers: HeaderMap) -> Response {
    if let Some(denied) = refused(&sim, &headers) {
        return denied;
    }
    ok(
        "Payment session timeout retrieved",
        json!({"payment_session_timeout": 30}),
    )
}

/// `GET /refund?transaction=…`: refunds of a transaction (by id or reference), oldest first.
pub async fn list_refunds(
    State(sim): State<PaystackSim>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    if let Some(denied) = refused(&sim, &headers) {
        return denied;
    }
    let inner = sim.lock();
    let wanted = query.get("transaction");
    let reference = wanted.and_then(|t| {
        inner
            .txns
            .values()
            .find(|txn| &txn.reference == t || &txn.id.to_string() == t)
            .map(|txn| txn.reference.clone())
    });
    let mut refunds: Vec<&SimRefund> = inner
        .refunds
        .values()
        .filter(|r| wanted.is_none() || Some(&r.reference) == reference.as_ref())
        .collect();
    refunds.sort_by_key(|r| r.id);
    let data: Vec<Value> = refunds.into_iter().map(|r| inner.refund_json(r)).collect();
    let total = data.len();
    let body = json!({
        "status": true, "message": "Refunds retrieved", "data": data,
        "meta": {"total": total, "skipped": 0, "perPage": 50, "page": 1, "pageCount": 1}
    });
    (StatusCode::OK, Json(body)).into_response()
}
