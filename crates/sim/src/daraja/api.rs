//! Daraja's endpoints as the simulator serves them, with Daraja's validation and error codes.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use serde_json::{json, Value};

use super::customer::{answer_push, draw_qr};
use super::state::{DarajaSim, Push, PushState, Qr};
use super::wire::{
    daraja_time, envelope, invalid, is_digits, is_msisdn, is_url, nairobi_now, parse_daraja_time,
    text, whole_number, C2B_FORBIDDEN,
};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn request_id(sim: &DarajaSim) -> String {
    format!("{}-{}-1", 16_000 + sim.next_id(), 27_456_357)
}

/// Which "Invalid Access Token" code an API answers (reference §1).
#[derive(Clone, Copy)]
enum TokenCode {
    /// STK, reversal: `404.001.03`.
    NotFound,
    /// C2B, status: `400.003.01`.
    BadRequest,
}

/// Checks the bearer token and that the body is JSON sent as JSON.
// The refusal is the HTTP answer itself, built once per request and returned at once;
// boxing it would buy nothing.
#[allow(clippy::result_large_err)]
fn authorised_json(
    sim: &DarajaSim,
    headers: &HeaderMap,
    body: &[u8],
    token_code: TokenCode,
) -> Result<Value, Response> {
    let id = request_id(sim);
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let valid = {
        let inner = sim.lock();
        match (&inner.token, bearer) {
            (Some((token, expires)), Some(given)) => {
                token == given && tokio::time::Instant::now() < *expires
            }
            (Some(_), None) | (None, Some(_)) | (None, None) => false,
        }
    };
    if !valid {
        return Err(match token_code {
            TokenCode::NotFound => envelope(
                StatusCode::NOT_FOUND,
                &id,
                "404.001.03",
                "Invalid Access Token",
            ),
            TokenCode::BadRequest => envelope(
                StatusCode::BAD_REQUEST,
                &id,
                "400.003.01",
                "Invalid Access Token",
            ),
        });
    }
    let json_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json_type {
        // What Daraja really answers for a wrong Content-Type (reference §0).
        return Err(invalid(&id, "BusinessShortCode"));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(v) if v.is_object() => Ok(v),
        Ok(_) | Err(_) => Err(envelope(
            StatusCode::BAD_REQUEST,
            &id,
            "400.002.05",
            "Invalid Request Payload",
        )),
    }
}

#[derive(serde::Deserialize)]
pub struct OauthQuery {
    grant_type: Option<String>,
}

/// `GET /oauth/v1/generate?grant_type=client_credentials` with HTTP Basic.
pub async fn oauth(
    State(sim): State<DarajaSim>,
    headers: HeaderMap,
    Query(query): Query<OauthQuery>,
) -> Response {
    sim.record("GET", "/oauth/v1/generate", b"");
    let id = request_id(&sim);
    if query.grant_type.as_deref() != Some("client_credentials") {
        return envelope(
            StatusCode::BAD_REQUEST,
            &id,
            "400.008.02",
            "Invalid grant type passed",
        );
    }
    let expected = B64.encode(format!(
        "{}:{}",
        sim.config.consumer_key, sim.config.consumer_secret
    ));
    let given = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "));
    if given != Some(expected.as_str()) {
        return envelope(
            StatusCode::BAD_REQUEST,
            &id,
            "400.008.01",
            "Invalid Authentication passed",
        );
    }
    let token: String = format!("simtok{:016x}{:08}", rand_like(&sim), sim.next_id());
    let lifetime = Duration::from_secs(sim.config.token_lifetime_s);
    // A new token invalidates the previous one, as at Daraja.
    sim.lock().token = Some((token.clone(), tokio::time::Instant::now() + lifetime));
    Json(json!({"access_token": token, "expires_in": sim.config.token_lifetime_s})).into_response()
}

fn rand_like(sim: &DarajaSim) -> u64 {
    let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    (nanos as u64) ^ sim.next_id().rotate_left(32)
}

/// Checks `BusinessShortCode`, `Timestamp` and `Password`; returns the shortcode.
// The refusal is the HTTP answer itself, built once per request and returned at once;
// boxing it would buy nothing.
#[allow(clippy::result_large_err)]
fn check_password(sim: &DarajaSim, body: &Value, id: &str) -> Result<String, Response> {
    let shortcode = text(body, "BusinessShortCode")
        .filter(|s| is_digits(s, 5, 7))
        .ok_or_else(|| invalid(id, "BusinessShortCode"))?;
    let timestamp = text(body, "Timestamp").unwrap_or_default();
    let when = parse_daraja_time(&timestamp).ok_or_else(|| invalid(id, "Timestamp"))?;
    if sim.config.check_timestamp_clock
        && (when - nairobi_now()).abs() > time::Duration::minutes(30)
    {
        return Err(invalid(id, "Timestamp"));
    }
    let known = sim.passkey(&shortcode).ok_or_else(|| {
        envelope(
            StatusCode::INTERNAL_SERVER_ERROR,
            id,
            "500.001.1001",
            "Merchant does not exist",
        )
    })?;
    let expected = B64.encode(format!("{shortcode}{}{timestamp}", known.passkey));
    if text(body, "Password").as_deref() != Some(expected.as_str()) {
        return Err(envelope(
            StatusCode::INTERNAL_SERVER_ERROR,
            id,
            "500.001.1001",
            "Wrong credentials",
        ));
    }
    Ok(shortcode)
}

/// `POST /mpesa/stkpush/v1/processrequest`.
pub async fn stk_push(State(sim): State<DarajaSim>, headers: HeaderMap, body: Bytes) -> Response {
    sim.record("POST", "/mpesa/stkpush/v1/processrequest", &body);
    let json = match authorised_json(&sim, &headers, &body, TokenCode::NotFound) {
        Ok(json) => json,
        Err(response) => return response,
    };
    let id = request_id(&sim);
    let shortcode = match check_password(&sim, &json, &id) {
        Ok(s) => s,
        Err(response) => return response,
    };
    let paybill = match text(&json, "TransactionType").as_deref() {
        Some("CustomerPayBillOnline") => true,
        Some("CustomerBuyGoodsOnline") => false,
        _ => return invalid(&id, "TransactionType"),
    };
    let Some(amount) = whole_number(&json, "Amount").filter(|a| *a >= 1) else {
        return invalid(&id, "Amount");
    };
    let party_a = text(&json, "PartyA").unwrap_or_default();
    if !is_msisdn(&party_a) {
        return invalid(&id, "PartyA");
    }
    let phone = text(&json, "PhoneNumber").unwrap_or_default();
    if !is_msisdn(&phone) {
        return invalid(&id, "PhoneNumber");
    }
    let party_b = text(&json, "PartyB").unwrap_or_default();
    if !is_digits(&party_b, 5, 10) {
        return invalid(&id, "PartyB");
    }
    let callback_url = text(&json, "CallBackURL").unwrap_or_default();
    if !is_url(&callback_url) {
        return invalid(&id, "CallBackURL");
    }
    let account_reference = match json.get("AccountReference") {
        Some(Value::String(s)) if !s.is_empty() && s.chars().count() <= 12 => s.clone(),
        // A null reference is reported as "Invalid Remarks" (reference §2.1).
        None | Some(Value::Null) => return invalid(&id, "Remarks"),
        Some(_) => return invalid(&id, "AccountReference"),
    };
    match json.get("TransactionDesc") {
        Some(Value::String(s)) if !s.is_empty() && s.chars().count() <= 13 => {}
        _ => return invalid(&id, "TransactionDesc"),
    }
    let n = sim.next_id();
    let checkout = format!("ws_CO_{}{:08}", daraja_time(nairobi_now()), n);
    let merchant = format!("{}-{}-1", 29_115 + n, 34_620_561 + n);
    {
        let mut inner = sim.lock();
        let busy = inner.pushes.values().any(|p| {
            p.phone == phone
                && matches!(p.state, PushState::Pending)
                && p.started.elapsed() < Duration::from_secs(60)
        });
        if busy {
            drop(inner);
            return envelope(
                StatusCode::INTERNAL_SERVER_ERROR,
                &id,
                "500.001.1001",
                "Unable to lock subscriber, a transaction is already in process for the current subscriber",
            );
        }
        inner.pushes.insert(
            checkout.clone(),
            Push {
                merchant_request_id: merchant.clone(),
                shortcode: shortcode.clone(),
                party_b,
                paybill,
                phone: phone.clone(),
                amount,
                account_reference,
                callback_url,
                state: PushState::Pending,
                started: tokio::time::Instant::now(),
            },
        );
    }
    let script = sim.take_script(&phone);
    answer_push(&sim, checkout.clone(), script);
    Json(json!({
        "MerchantRequestID": merchant,
        "CheckoutRequestID": checkout,
        "ResponseCode": "0",
        "ResponseDescription": "Success. Request accepted for processing",
        "CustomerMessage": "Success. Request accepted for processing",
    }))
    .into_response()
}

/// `POST /mpesa/stkpushquery/v1/query`.
pub async fn stk_query(State(sim): State<DarajaSim>, headers: HeaderMap, body: Bytes) -> Response {
    sim.record("POST", "/mpesa/stkpushquery/v1/query", &body);
    let json = match authorised_json(&sim, &headers, &body, TokenCode::NotFound) {
        Ok(json) => json,
        Err(response) => return response,
    };
    let id = request_id(&sim);
    if let Err(response) = check_password(&sim, &json, &id) {
        return response;
    }
    let checkout = text(&json, "CheckoutRequestID").unwrap_or_default();
    let push = sim.lock().pushes.get(&checkout).cloned();
    let Some(push) = push else {
        return invalid(&id, "CheckoutRequestID");
    };
    match push.state {
        PushState::Pending => match sim.config.pending_style {
            super::state::PendingStyle::Envelope => envelope(
                StatusCode::INTERNAL_SERVER_ERROR,
                &checkout,
                "500.001.1001",
                "The transaction is being processed",
            ),
            super::state::PendingStyle::Code4999 => Json(json!({
                "ResponseCode": "0",
                "ResponseDescription": "The service request has been accepted successsfully",
                "MerchantRequestID": push.merchant_request_id,
                "CheckoutRequestID": checkout,
                "ResultCode": "4999",
                "ResultDesc": "The transaction is still under processing",
            }))
            .into_response(),
        },
        PushState::Done { code, desc } => Json(json!({
            "ResponseCode": "0",
            "ResponseDescription": "The service request has been accepted successsfully",
            "MerchantRequestID": push.merchant_request_id,
            "CheckoutRequestID": checkout,
            "ResultCode": code,
            "ResultDesc": desc,
        }))
        .into_response(),
    }
}

pub async fn register_v1(s: State<DarajaSim>, h: HeaderMap, b: Bytes) -> Response {
    register(s, h, b, 1).await
}

pub async fn register_v2(s: State<DarajaSim>, h: HeaderMap, b: Bytes) -> Response {
    register(s, h, b, 2).await
}

async fn register(
    State(sim): State<DarajaSim>,
    headers: HeaderMap,
    body: Bytes,
    version: u8,
) -> Response {
    sim.record("POST", &format!("/mpesa/c2b/v{version}/registerurl"), &body);
    let json = match authorised_json(&sim, &headers, &body, TokenCode::BadRequest) {
        Ok(json) => json,
        Err(response) => return response,
    };
    let id = request_id(&sim);
    let shortcode = text(&json, "ShortCode").unwrap_or_default();
    let known = sim
        .config
        .shortcodes
        .iter()
        .any(|s| s.shortcode == shortcode || s.tills.contains(&shortcode));
    if !known {
        return invalid(&id, "ShortCode");
    }
    let complete_on_failure = match text(&json, "ResponseType").as_deref() {
        Some("Completed") => true,
        Some("Cancelled") => false,
        _ => return invalid(&id, "ResponseType"),
    };
    let mut urls = Vec::new();
    for field in ["ConfirmationURL", "ValidationURL"] {
        let url = text(&json, field).unwrap_or_default();
        let lower = url.to_ascii_lowercase();
        if !is_url(&url) || C2B_FORBIDDEN.iter().any(|w| lower.contains(w)) {
            return invalid(&id, field);
        }
        urls.push(url);
    }
    let validation_url = urls.pop().unwrap_or_default();
    let confirmation_url = urls.pop().unwrap_or_default();
    sim.lock().registrations.insert(
        shortcode,
        super::state::Registration {
            confirmation_url,
            validation_url,
            complete_on_failure,
            version,
        },
    );
    Json(json!({
        "OriginatorCoversationID": format!("{}-37765134-1", 7619 + sim.next_id()),
        "ResponseCode": sim.config.register_success_code,
        "ResponseDescription": "success",
    }))
    .into_response()
}

/// `POST /mpesa/qrcode/v1/generate`.
pub async fn qr(State(sim): State<DarajaSim>, headers: HeaderMap, body: Bytes) -> Response {
    sim.record("POST", "/mpesa/qrcode/v1/generate", &body);
    let json = match authorised_json(&sim, &headers, &body, TokenCode::NotFound) {
        Ok(json) => json,
        Err(response) => return response,
    };
    let id = request_id(&sim);
    let merchant = text(&json, "MerchantName").unwrap_or_default();
    if merchant.trim().is_empty() {
        return invalid(&id, "MerchantName");
    }
    let ref_no = text(&json, "RefNo").unwrap_or_default();
    if ref_no.is_empty() {
        return invalid(&id, "RefNo");
    }
    let Some(amount) = whole_number(&json, "Amount").filter(|a| *a >= 1) else {
        return invalid(&id, "Amount");
    };
    let trx_code = text(&json, "TrxCode").unwrap_or_default();
    if !matches!(trx_code.as_str(), "BG" | "WA" | "PB" | "SM" | "SB") {
        return invalid(&id, "TrxCode");
    }
    let cpi = text(&json, "CPI").unwrap_or_default();
    if !is_digits(&cpi, 5, 12) {
        return invalid(&id, "CPI");
    }
    let size = text(&json, "Size")
        .and_then(|s| s.parse::<u32>().ok())
        .filter(|s| (100..=1000).contains(s));
    let Some(size) = size else {
        return invalid(&id, "Size");
    };
    let content = format!("M-PESA QR|{trx_code}|{cpi}|{amount}|{ref_no}|{merchant}");
    let Some(png) = draw_qr(&content, size) else {
        return envelope(
            StatusCode::INTERNAL_SERVER_ERROR,
            &id,
            "500.003.1001",
            "Internal Server Error",
        );
    };
    let request_id = format!("{}-27456357-1", 16_738 + sim.next_id());
    sim.lock().qrs.insert(
        request_id.clone(),
        Qr {
            trx_code,
            cpi,
            amount,
            ref_no,
        },
    );
    Json(json!({
        "ResponseCode": format!("AG_{}_{:020x}", daraja_time(nairobi_now()).get(..8).unwrap_or(""), sim.next_id()),
        "RequestID": request_id,
        "ResponseDescription": "QR Code Successfully Generated.",
        "QRCode": B64.encode(png),
    }))
    .into_response()
}

pub use super::async_api::{reversal, status};
