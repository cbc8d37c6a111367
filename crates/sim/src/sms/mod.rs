//! The Africa's Talking SMS simulator: the bulk SMS endpoint as Africa's Talking speaks it,
//! with a record of every message and scripted failures so retries can be tested.
//!
//! Wire format (Africa's Talking "Send SMS" documentation): `POST /version1/messaging` with
//! headers `apiKey` and `Accept: application/json` and a form-encoded body `username`, `to`
//! (comma-separated international numbers), `message`, optional `from`. A wrong key or
//! username is an HTTP 401 with a plain-text body; a missing field a 400. Otherwise HTTP 201
//! and `{"SMSMessageData": {"Message": "Sent to 1/1 Total Cost: KES 0.8000", "Recipients":
//! [{"statusCode": 101, "number", "status": "Success", "cost", "messageId": "ATXid_…"}]}}`.
//! A number that is not `+` and 10–15 digits is refused with `403 InvalidPhoneNumber` (cost
//! `0`, messageId `None`). Cost: KES 0.80 per 160-character part.
//!
//! Control routes:
//! - `GET /_sim/messages`: every recipient of every request so far (`messageId`, `username`,
//!   `to`, `from`, `message`, `statusCode`, `status`), refused ones included;
//! - `POST /_sim/failures` with `{"number"?, "httpStatus"?, "statusCode"?, "status"?,
//!   "times"?}`: the next matching request(s) fail — the whole request with `httpStatus`
//!   (e.g. 500), or that recipient with `statusCode`/`status` (e.g. 403 `InvalidPhoneNumber`,
//!   405 `InsufficientBalance`); `times` absent = from now on;
//! - `POST /_sim/reset`: forget messages and scripts.
//!
//! Independent of `malipo-notify`'s wire types on purpose.

mod state;

use std::collections::HashMap;
use std::future::Future;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde_json::json;

pub use state::{FailureScript, SimSms, SmsSim, SmsSimConfig};

/// The simulator's routes over `sim`.
pub fn router(sim: SmsSim) -> Router {
    Router::new()
        .route("/version1/messaging", post(send))
        .route("/_sim/messages", get(messages))
        .route("/_sim/failures", post(script))
        .route("/_sim/reset", post(reset))
        .with_state(sim)
}

/// Serves the simulator on `listener` until `shutdown` completes.
pub async fn run(
    listener: tokio::net::TcpListener,
    sim: SmsSim,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(sim))
        .with_graceful_shutdown(shutdown)
        .await
}

fn text(status: StatusCode, body: &str) -> Response {
    (status, body.to_string()).into_response()
}

fn valid_number(n: &str) -> bool {
    n.strip_prefix('+').is_some_and(|digits| {
        (10..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit())
    })
}

/// The price of `parts` SMS parts, as Africa's Talking prints it (`KES 0.8000`): the
/// simulated account is billed in shillings, KES 0.80 a part whatever the network.
fn cost(parts: i64) -> String {
    let total = 8_000 * parts;
    format!("KES {}.{:04}", total / 10_000, total % 10_000)
}

async fn send(
    State(sim): State<SmsSim>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut inner = sim.lock();
    let key_ok = headers
        .get("apikey")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|k| k == inner.config.api_key);
    let username = form.get("username").cloned().unwrap_or_default();
    if !key_ok || username != inner.config.username {
        return text(
            StatusCode::UNAUTHORIZED,
            "The supplied authentication is invalid",
        );
    }
    let accepts_json = headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    if !accepts_json {
        return text(
            StatusCode::NOT_ACCEPTABLE,
            "this simulator answers JSON only: send Accept: application/json",
        );
    }
    let (Some(to), Some(message)) = (form.get("to"), form.get("message")) else {
        return text(
            StatusCode::BAD_REQUEST,
            "Request is missing required form field 'to' or 'message'",
        );
    };
    let from = form.get("from").cloned();
    let numbers: Vec<String> = to
        .split(',')
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    // Decide every recipient first: a scripted HTTP failure refuses the whole request.
    let mut scripted = Vec::with_capacity(numbers.len());
    for n in &numbers {
        let script = inner.take_failure(n);
        if let Some(code) = script.as_ref().and_then(|s| s.http_status) {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return text(status, "Internal Server Error");
        }
        scripted
            .push(script.and_then(|s| s.status_code.map(|c| (c, s.status.unwrap_or_default()))));
    }
    let parts = i64::try_from(message.chars().count().div_ceil(160).max(1)).unwrap_or(1);
    let mut recipients = Vec::new();
    let mut sent = 0;
    let mut total = 0;
    for (n, scripted) in numbers.iter().zip(scripted) {
        let (code, status) = match scripted {
            Some(refusal) => refusal,
            None if !valid_number(n) => (403, "InvalidPhoneNumber".to_string()),
            None => (101, "Success".to_string()),
        };
        let (id, price) = if code == 101 {
            sent += 1;
            total += parts;
            (inner.next_id(), cost(parts))
        } else {
            ("None".to_string(), "0".to_string())
        };
        inner.messages.push(SimSms {
            message_id: id.clone(),
            username: username.clone(),
            to: n.clone(),
            from: from.clone(),
            message: message.clone(),
            status_code: code,
            status: status.clone(),
        });
        recipients.push(json!({
            "statusCode": code, "number": n, "status": status, "cost": price, "messageId": id,
        }));
    }
    let summary = if numbers.is_empty() {
        "InvalidPhoneNumber".to_string()
    } else {
        format!(
            "Sent to {sent}/{} Total Cost: {}",
            numbers.len(),
            cost(total)
        )
    };
    (
        StatusCode::CREATED,
        Json(json!({"SMSMessageData": {"Message": summary, "Recipients": recipients}})),
    )
        .into_response()
}

async fn messages(State(sim): State<SmsSim>) -> Json<Vec<SimSms>> {
    Json(sim.messages())
}

async fn script(State(sim): State<SmsSim>, Json(script): Json<FailureScript>) -> StatusCode {
    sim.script_failure(script);
    StatusCode::NO_CONTENT
}

async fn reset(State(sim): State<SmsSim>) -> StatusCode {
    sim.reset();
    StatusCode::NO_CONTENT
}
