//! The control API: script the customer, pay from a phone, scan a QR, force queue timeouts,
//! expire the token, read the log. Tests in-process may call the [`DarajaSim`] methods instead.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::customer::pay_from_phone;
use super::state::{CustomerScript, DarajaSim};

#[derive(Deserialize)]
pub struct CustomerBody {
    phone: Option<String>,
    #[serde(flatten)]
    script: CustomerScript,
}

/// `POST /simulator/customer`.
pub async fn customer(State(sim): State<DarajaSim>, Json(body): Json<CustomerBody>) -> Response {
    sim.script(body.phone.as_deref(), body.script);
    Json(json!({"scripted": true})).into_response()
}

#[derive(Deserialize)]
pub struct PayBody {
    shortcode: String,
    phone: String,
    amount: u64,
    #[serde(default)]
    bill_ref: String,
}

/// `POST /simulator/pay`: the customer pays the Paybill/Till from their phone.
pub async fn pay(State(sim): State<DarajaSim>, Json(body): Json<PayBody>) -> Response {
    let receipt = sim.pay(&body.shortcode, &body.phone, body.amount, &body.bill_ref);
    Json(json!({"TransID": receipt})).into_response()
}

#[derive(Deserialize)]
pub struct PayQrBody {
    request_id: String,
    phone: String,
}

/// `POST /simulator/pay-qr`: the customer scans a QR the simulator generated and pays it.
pub async fn pay_qr(State(sim): State<DarajaSim>, Json(body): Json<PayQrBody>) -> Response {
    match sim.pay_qr(&body.request_id, &body.phone) {
        Some(receipt) => Json(json!({"TransID": receipt})).into_response(),
        None => (StatusCode::NOT_FOUND, "no such QR").into_response(),
    }
}

#[derive(Deserialize)]
pub struct AsyncBody {
    queue_timeout: bool,
}

/// `POST /simulator/async`.
pub async fn async_mode(State(sim): State<DarajaSim>, Json(body): Json<AsyncBody>) -> Response {
    sim.set_queue_timeout(body.queue_timeout);
    Json(json!({"queue_timeout": body.queue_timeout})).into_response()
}

/// `POST /simulator/expire-token`.
pub async fn expire_token(State(sim): State<DarajaSim>) -> Response {
    sim.expire_token();
    Json(json!({"expired": true})).into_response()
}

/// `GET /simulator/log`.
pub async fn log(State(sim): State<DarajaSim>) -> Response {
    Json(json!({"requests": sim.requests(), "deliveries": sim.deliveries()})).into_response()
}

impl DarajaSim {
    /// The customer pays `shortcode` (paybill or till) from their phone: the receipt, and a C2B
    /// confirmation to the registered URL if there is one.
    pub fn pay(&self, shortcode: &str, phone: &str, amount: u64, bill_ref: &str) -> String {
        pay_from_phone(self, shortcode, phone, amount, bill_ref)
    }

    /// The customer scans a generated QR (by `RequestID`) and pays it.
    pub fn pay_qr(&self, request_id: &str, phone: &str) -> Option<String> {
        let qr = self.lock().qrs.get(request_id).cloned()?;
        let bill_ref = match qr.trx_code.as_str() {
            "PB" => qr.ref_no.clone(),
            _ => String::new(),
        };
        Some(pay_from_phone(self, &qr.cpi, phone, qr.amount, &bill_ref))
    }
}
