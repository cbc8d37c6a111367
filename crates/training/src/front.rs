//! The Daraja front door: a pass-through in front of the Daraja simulator that notes every
//! STK prompt it forwards (the request and the simulator's answer), so the training customer
//! can answer a prompt *after* it reached their phone.
//!
//! The simulator scripts a customer when the push arrives; a person at a training till
//! decides later. So the rig runs the simulator with "never answer" as its default customer
//! and, when the person taps approve/cancel/wrong PIN, plays the callback Daraja would send
//! (see `customer.rs`). Every other request passes through untouched, byte for byte.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;

/// Daraja's STK push path.
pub const STK_PUSH_PATH: &str = "/mpesa/stkpush/v1/processrequest";

/// Daraja's Dynamic QR path.
pub const QR_PATH: &str = "/mpesa/qrcode/v1/generate";

/// An STK prompt as it reached the customer's phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StkPrompt {
    pub checkout_request_id: String,
    pub merchant_request_id: String,
    /// `2547XXXXXXXX`, as the till sent it.
    pub phone: String,
    /// Whole shillings.
    pub amount: u64,
    /// The paybill, or the till number for Buy Goods.
    pub party_b: String,
    /// `CustomerPayBillOnline` (true) or `CustomerBuyGoodsOnline`.
    pub paybill: bool,
    pub account_reference: String,
    /// Where Daraja posts the result (the relay's `stk` URL).
    pub callback_url: String,
    /// Whether the customer has answered it.
    pub answered: bool,
}

/// A Dynamic QR the till generated (what the customer's camera would read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QrSeen {
    /// The simulator's `RequestID` for it.
    pub request_id: String,
    pub ref_no: String,
    /// Whole shillings.
    pub amount: u64,
}

/// What the front door has seen.
#[derive(Debug, Default)]
pub struct Seen {
    pub prompts: Vec<StkPrompt>,
    pub qrs: Vec<QrSeen>,
}

/// What the front door shares with the customer.
#[derive(Debug, Clone, Default)]
pub struct Prompts(Arc<Mutex<Seen>>);

impl Prompts {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Seen> {
        // Plain data: a panic elsewhere leaves it usable.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[derive(Debug, Clone)]
struct Front {
    upstream: String,
    http: reqwest::Client,
    prompts: Prompts,
}

/// The front door's routes: everything is forwarded to `upstream`.
pub fn router(upstream: String, http: reqwest::Client, prompts: Prompts) -> axum::Router {
    axum::Router::new().fallback(forward).with_state(Front {
        upstream,
        http,
        prompts,
    })
}

async fn forward(
    State(front): State<Front>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_owned();
    let Some(mut answer) = send(&front, &method, &path, &headers, body.clone()).await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let sent = body;
    if uri.path() == STK_PUSH_PATH && is_subscriber_lock(&answer) {
        // The simulator still holds the earlier prompt (its customer "never answers"); if the
        // person at the till already answered it, the phone is free: push again under an
        // alias number the simulator has not seen. The prompt keeps the real number.
        if let Some(aliased) = front.alias_if_answered(&sent) {
            if let Some(again) = send(&front, &method, &path, &headers, aliased).await {
                answer = again;
            }
        }
    }
    let (status, content_type, answer_body) = answer;
    if uri.path() == STK_PUSH_PATH && status.is_success() {
        if let Some(prompt) = prompt_of(&sent, &answer_body) {
            tracing::info!(
                checkout = %prompt.checkout_request_id,
                "training: an STK prompt reached the customer's phone"
            );
            front.prompts.lock().prompts.push(prompt);
        }
    }
    if uri.path() == QR_PATH && status.is_success() {
        if let Some(qr) = qr_of(&sent, &answer_body) {
            front.prompts.lock().qrs.push(qr);
        }
    }
    let mut response = Response::new(Body::from(answer_body));
    *response.status_mut() = status;
    if let Some(ct) = content_type {
        response
            .headers_mut()
            .insert(http::header::CONTENT_TYPE, ct);
    }
    response
}

type Answer = (StatusCode, Option<http::HeaderValue>, Bytes);

async fn send(
    front: &Front,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Option<Answer> {
    let mut request = front
        .http
        .request(method.clone(), format!("{}{path}", front.upstream))
        .body(body);
    for (name, value) in headers {
        if name != http::header::HOST && name != http::header::CONTENT_LENGTH {
            request = request.header(name, value);
        }
    }
    let answer = match request.send().await {
        Ok(answer) => answer,
        Err(error) => {
            tracing::warn!(%error, "training: the Daraja simulator cannot be reached");
            return None;
        }
    };
    let status = answer.status();
    let content_type = answer.headers().get(http::header::CONTENT_TYPE).cloned();
    let bytes = answer.bytes().await.ok()?;
    Some((status, content_type, bytes))
}

fn is_subscriber_lock(answer: &Answer) -> bool {
    answer.0 == StatusCode::INTERNAL_SERVER_ERROR
        && String::from_utf8_lossy(&answer.2).contains("Unable to lock subscriber")
}

impl Front {
    /// The push body with `PhoneNumber`/`PartyA` replaced by a fresh alias, when every earlier
    /// prompt to that phone was answered by the training customer.
    fn alias_if_answered(&self, body: &[u8]) -> Option<Bytes> {
        let mut json: serde_json::Value = serde_json::from_slice(body).ok()?;
        let phone = json.get("PhoneNumber")?.as_str()?.to_owned();
        let seen = self.prompts.lock();
        let prompts = &seen.prompts;
        let earlier = prompts.iter().filter(|p| p.phone == phone);
        if earlier.clone().any(|p| !p.answered) {
            return None;
        }
        let alias = format!("2547990{:05}", prompts.len() % 100_000);
        drop(seen);
        json["PhoneNumber"] = serde_json::Value::String(alias.clone());
        json["PartyA"] = serde_json::Value::String(alias);
        // The prompt itself is recorded from the original body, with the real number.
        serde_json::to_vec(&json).ok().map(Bytes::from)
    }
}

fn qr_of(request: &[u8], answer: &[u8]) -> Option<QrSeen> {
    let request: serde_json::Value = serde_json::from_slice(request).ok()?;
    let answer: serde_json::Value = serde_json::from_slice(answer).ok()?;
    let amount = match request.get("Amount")? {
        serde_json::Value::Number(n) => n.as_u64()?,
        serde_json::Value::String(s) => s.split('.').next()?.parse().ok()?,
        _ => return None,
    };
    Some(QrSeen {
        request_id: answer.get("RequestID")?.as_str()?.to_owned(),
        ref_no: request.get("RefNo")?.as_str()?.to_owned(),
        amount,
    })
}

fn prompt_of(request: &[u8], answer: &[u8]) -> Option<StkPrompt> {
    let request: serde_json::Value = serde_json::from_slice(request).ok()?;
    let answer: serde_json::Value = serde_json::from_slice(answer).ok()?;
    let text = |v: &serde_json::Value, k: &str| -> Option<String> {
        match v.get(k)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let amount = text(&request, "Amount")?;
    let amount = amount
        .split('.')
        .next()
        .and_then(|whole| whole.parse().ok())?;
    Some(StkPrompt {
        checkout_request_id: text(&answer, "CheckoutRequestID")?,
        merchant_request_id: text(&answer, "MerchantRequestID")?,
        phone: text(&request, "PhoneNumber")?,
        amount,
        party_b: text(&request, "PartyB")?,
        paybill: text(&request, "TransactionType").as_deref() == Some("CustomerPayBillOnline"),
        account_reference: text(&request, "AccountReference").unwrap_or_default(),
        callback_url: text(&request, "CallBackURL")?,
        answered: false,
    })
}
