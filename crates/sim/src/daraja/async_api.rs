//! Reversal and transaction status: validated and acknowledged at once, the result POSTed
//! later to `ResultURL` (or, when scripted, a notice to `QueueTimeOutURL`).

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use serde_json::{json, Value};

use super::state::DarajaSim;
use super::wire::{daraja_time, envelope, invalid, is_url, nairobi_now, text};

fn id(sim: &DarajaSim) -> String {
    format!("{}-4170-a0e5-8345632bad44", 7071 + sim.next_id())
}

// The refusal is the HTTP answer itself, built once per request and returned at once;
// boxing it would buy nothing.
#[allow(clippy::result_large_err)]
fn check_bearer(
    sim: &DarajaSim,
    headers: &HeaderMap,
    code: &str,
    status: StatusCode,
) -> Result<(), Response> {
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    // Decide under the lock, then release it: building the refusal takes the lock again.
    let ok = {
        let inner = sim.lock();
        matches!((&inner.token, bearer), (Some((t, exp)), Some(b)) if t == b && tokio::time::Instant::now() < *exp)
    };
    if ok {
        Ok(())
    } else {
        Err(envelope(status, &id(sim), code, "Invalid Access Token"))
    }
}

/// The shared checks: JSON, initiator, SecurityCredential shape, receipt, URLs, remarks.
struct Common {
    initiator_known: bool,
    transaction_id: String,
    result_url: String,
    timeout_url: String,
}

// The refusal is the HTTP answer itself, built once per request and returned at once;
// boxing it would buy nothing.
#[allow(clippy::result_large_err)]
fn common(
    sim: &DarajaSim,
    body: &[u8],
    command: &str,
    request_id: &str,
) -> Result<(Value, Common), Response> {
    let json: Value = serde_json::from_slice(body)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| {
            envelope(
                StatusCode::BAD_REQUEST,
                request_id,
                "400.002.05",
                "Invalid Request Payload",
            )
        })?;
    let initiator = text(&json, "Initiator").unwrap_or_default();
    if initiator.is_empty() {
        return Err(invalid(request_id, "Initiator"));
    }
    // The password cannot be checked without Safaricom's private key: check the shape of an
    // RSA ciphertext (base64 of 128–512 bytes).
    let credential = text(&json, "SecurityCredential").unwrap_or_default();
    let decoded = base64::engine::general_purpose::STANDARD.decode(credential.as_bytes());
    if !matches!(decoded, Ok(bytes) if (128..=512).contains(&bytes.len())) {
        return Err(invalid(request_id, "SecurityCredential"));
    }
    if text(&json, "CommandID").as_deref() != Some(command) {
        return Err(invalid(request_id, "CommandID"));
    }
    let transaction_id = text(&json, "TransactionID").unwrap_or_default();
    if transaction_id.len() != 10 || !transaction_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(invalid(request_id, "TransactionID"));
    }
    let result_url = text(&json, "ResultURL").unwrap_or_default();
    if !is_url(&result_url) {
        return Err(invalid(request_id, "ResultURL"));
    }
    let timeout_url = text(&json, "QueueTimeOutURL").unwrap_or_default();
    if !is_url(&timeout_url) {
        return Err(invalid(request_id, "QueueTimeOutURL"));
    }
    let initiator_known = initiator_accepted(sim, &initiator, &credential);
    Ok((
        json,
        Common {
            initiator_known,
            transaction_id,
            result_url,
            timeout_url,
        },
    ))
}

/// The initiator exists and, when the simulator holds the certificate's private key, the
/// credential decrypts to its password.
fn initiator_accepted(sim: &DarajaSim, name: &str, credential: &str) -> bool {
    let Some(initiator) = sim.config.initiators.iter().find(|i| i.name == name) else {
        return false;
    };
    let Some(der) = &sim.config.credential_key_pkcs8_der else {
        return true;
    };
    use rsa::pkcs8::DecodePrivateKey;
    let Ok(key) = rsa::PrivateKey::from_pkcs8_der(der) else {
        tracing::warn!("daraja simulator: the configured credential key cannot be read");
        return false;
    };
    base64::engine::general_purpose::STANDARD
        .decode(credential.as_bytes())
        .ok()
        .and_then(|bytes| key.decrypt(rsa::Pkcs1v15Encrypt, &bytes).ok())
        .is_some_and(|plain| plain == initiator.password.as_bytes())
}

fn ack(originator: &str, conversation: &str) -> Response {
    Json(json!({
        "OriginatorConversationID": originator,
        "ConversationID": conversation,
        "ResponseCode": "0",
        "ResponseDescription": "Accept the service request successfully.",
    }))
    .into_response()
}

fn post_result(sim: &DarajaSim, common: &Common, result: Value) {
    let delay = Duration::from_millis(sim.config.async_result_delay_ms);
    if sim.lock().queue_timeout {
        let notice = json!({"Result": {
            "ResultType": 1,
            "ResultCode": "SIM_QUEUE_TIMEOUT",
            "ResultDesc": "The request timed out in the queue (simulated).",
            "OriginatorConversationID": result["Result"]["OriginatorConversationID"],
            "ConversationID": result["Result"]["ConversationID"],
        }});
        sim.deliver_later(
            "queue_timeout",
            common.timeout_url.clone(),
            notice.to_string(),
            delay,
        );
    } else {
        sim.deliver_later(
            "result",
            common.result_url.clone(),
            result.to_string(),
            delay,
        );
    }
}

/// `POST /mpesa/reversal/v1/request`.
pub async fn reversal(State(sim): State<DarajaSim>, headers: HeaderMap, body: Bytes) -> Response {
    sim.record("POST", "/mpesa/reversal/v1/request", &body);
    if let Err(r) = check_bearer(&sim, &headers, "404.001.03", StatusCode::NOT_FOUND) {
        return r;
    }
    let request_id = id(&sim);
    let (json, common) = match common(&sim, &body, "TransactionReversal", &request_id) {
        Ok(ok) => ok,
        Err(r) => return r,
    };
    // Daraja requires the misspelt key; the correct spelling is refused (reference §5.1).
    match text(&json, "RecieverIdentifierType").as_deref() {
        Some("11" | "4") => {}
        _ => return invalid(&request_id, "RecieverIdentifierType"),
    }
    let remarks = text(&json, "Remarks").unwrap_or_default();
    if !(2..=100).contains(&remarks.chars().count()) {
        return invalid(&request_id, "Remarks");
    }
    let originator = request_id.clone();
    let conversation = format!(
        "AG_{}_{:020x}",
        daraja_time(nairobi_now()).get(..8).unwrap_or(""),
        sim.next_id()
    );
    let receipt = sim.lock().receipts.get(&common.transaction_id).cloned();
    let (code, desc, params): (Value, &str, Option<Value>) = match receipt {
        _ if !common.initiator_known => {
            (json!(2001), "The initiator information is invalid.", None)
        }
        None => (
            json!("R000002"),
            "The OriginalTransactionID is invalid.",
            None,
        ),
        Some(r) if r.reversed => (
            json!("R000001"),
            "The transaction has already been reversed.",
            None,
        ),
        Some(r) => {
            if let Some(stored) = sim.lock().receipts.get_mut(&common.transaction_id) {
                stored.reversed = true;
            }
            let params = json!({"ResultParameter": [
                {"Key": "DebitAccountBalance", "Value": "Utility Account|KES|7722179.62|7722179.62|0.00|0.00"},
                {"Key": "Amount", "Value": r.amount},
                {"Key": "TransCompletedTime", "Value": daraja_time(nairobi_now()).parse::<u64>().unwrap_or(0)},
                {"Key": "OriginalTransactionID", "Value": common.transaction_id},
                {"Key": "Charge", "Value": 0},
                {"Key": "CreditPartyPublicName", "Value": format!("{} - SIM CUSTOMER", r.phone)},
                {"Key": "DebitPartyPublicName", "Value": format!("{} - Malipo Simulator", r.shortcode)},
            ]});
            (
                json!(0),
                "The service request is processed successfully.",
                Some(params),
            )
        }
    };
    let transaction_id = if params.is_some() {
        super::customer::new_receipt(&sim)
    } else {
        "SKE0000000".to_string()
    };
    let mut result = json!({"Result": {
        "ResultType": 0, "ResultCode": code, "ResultDesc": desc,
        "OriginatorConversationID": originator, "ConversationID": conversation,
        "TransactionID": transaction_id,
        "ReferenceData": {"ReferenceItem": {"Key": "QueueTimeoutURL", "Value": common.timeout_url}},
    }});
    if let Some(params) = params {
        result["Result"]["ResultParameters"] = params;
    }
    post_result(&sim, &common, result);
    ack(&originator, &conversation)
}

/// `POST /mpesa/transactionstatus/v1/query`.
pub async fn status(State(sim): State<DarajaSim>, headers: HeaderMap, body: Bytes) -> Response {
    sim.record("POST", "/mpesa/transactionstatus/v1/query", &body);
    if let Err(r) = check_bearer(&sim, &headers, "400.003.01", StatusCode::BAD_REQUEST) {
        return r;
    }
    let request_id = id(&sim);
    let (json, common) = match common(&sim, &body, "TransactionStatusQuery", &request_id) {
        Ok(ok) => ok,
        Err(r) => return r,
    };
    if !matches!(
        text(&json, "IdentifierType").as_deref(),
        Some("1" | "2" | "4")
    ) {
        return invalid(&request_id, "IdentifierType");
    }
    if text(&json, "PartyA").is_none_or(|p| p.is_empty()) {
        return invalid(&request_id, "PartyA");
    }
    let originator = request_id.clone();
    let conversation = format!(
        "AG_{}_{:020x}",
        daraja_time(nairobi_now()).get(..8).unwrap_or(""),
        sim.next_id()
    );
    let receipt = sim.lock().receipts.get(&common.transaction_id).cloned();
    let (code, desc, params): (Value, &str, Option<Value>) = match receipt {
        _ if !common.initiator_known => {
            (json!(2001), "The initiator information is invalid.", None)
        }
        None => (
            json!(2032),
            "The transaction receipt number does not exist.",
            None,
        ),
        Some(r) => {
            let status = if r.reversed { "Reversed" } else { "Completed" };
            let params = json!({"ResultParameter": [
                {"Key": "DebitPartyName", "Value": format!("{} - SIM CUSTOMER", r.phone)},
                {"Key": "CreditPartyName", "Value": format!("{} - Malipo Simulator", r.shortcode)},
                {"Key": "OriginatorConversationID", "Value": originator},
                {"Key": "InitiatedTime", "Value": r.time},
                {"Key": "DebitAccountType", "Value": "Utility Account"},
                {"Key": "TransactionReason"},
                {"Key": "ReasonType", "Value": "Pay Merchant"},
                {"Key": "TransactionStatus", "Value": status},
                {"Key": "FinalisedTime", "Value": r.time},
                {"Key": "Amount", "Value": r.amount.to_string()},
                {"Key": "ConversationID", "Value": conversation},
                {"Key": "ReceiptNo", "Value": common.transaction_id},
            ]});
            (
                json!(0),
                "The service request is processed successfully.",
                Some(params),
            )
        }
    };
    let mut result = json!({"Result": {
        "ConversationID": conversation, "OriginatorConversationID": originator,
        "ResultCode": code, "ResultDesc": desc, "ResultType": 0,
        "TransactionID": common.transaction_id,
        "ReferenceData": {"ReferenceItem": {"Key": "Occasion"}},
    }});
    if let Some(params) = params {
        result["Result"]["ResultParameters"] = params;
    }
    post_result(&sim, &common, result);
    ack(&originator, &conversation)
}
