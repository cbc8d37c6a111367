//! ClickPesa webhooks: `PAYMENT RECEIVED` and `PAYMENT FAILED` typed, anything else kept as
//! [`WebhookEvent::Unknown`] with its bytes; and the optional HMAC-SHA256 payload checksum.
//!
//! The checksum (reference §7): remove `checksum`/`checksumMethod`, sort object keys
//! recursively (arrays keep their order), serialise as compact JSON, HMAC-SHA256 with the
//! application's checksum key, lowercase hex. `checksumMethod: "legacy"` instead concatenates
//! the top-level values in key order. Where a webhook carries it is not confirmed, so the
//! verifier looks at the top level, then inside `data`, and says which matched. Numbers keep
//! their text as received; keys are sorted explicitly (never trusting map order).

use hmac::{Hmac, KeyInit, Mac};
use malipo_vault::Sensitive;
use serde_json::{Map, Value};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::response::{parse_payment, text, Payment};

/// A payment ClickPesa received (`PAYMENT RECEIVED`).
pub type PaymentReceived = Payment;

/// A payment that failed (`PAYMENT FAILED`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentFailed {
    pub id: Option<String>,
    pub order_reference: String,
    pub message: Option<String>,
    pub channel: Option<String>,
}

/// A ClickPesa webhook, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookEvent {
    /// Money arrived for `order_reference` (the control number). Dedupe on `id`.
    PaymentReceived(PaymentReceived),
    PaymentFailed(PaymentFailed),
    /// Any other event (payouts, deposits…): stored and ignored, never lost.
    Unknown {
        event: String,
        raw: Vec<u8>,
    },
}

impl WebhookEvent {
    /// The key that makes a redelivered event recognisable: `<event>:<data.id>` (reference §6:
    /// dedupe on `data.id` + `event`); `None` for unknown events or a failure without an id.
    pub fn dedupe_key(&self) -> Option<String> {
        match self {
            WebhookEvent::PaymentReceived(payment) => {
                Some(format!("PAYMENT RECEIVED:{}", payment.id))
            }
            WebhookEvent::PaymentFailed(failed) => {
                failed.id.as_ref().map(|id| format!("PAYMENT FAILED:{id}"))
            }
            WebhookEvent::Unknown { .. } => None,
        }
    }
}

/// Why a webhook body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookParseError {
    #[error("the webhook body is not a JSON object")]
    NotJson,
    #[error("the webhook has no `event` (or `eventType`) name")]
    NoEventName,
    #[error("the {event} webhook is missing or has an invalid field: {reason}")]
    BadField { event: String, reason: String },
}

/// Parses a webhook body. The event name is under `event` (older docs: `eventType`).
pub fn parse_event(raw_body: &[u8]) -> Result<WebhookEvent, WebhookParseError> {
    let value: Value = serde_json::from_slice(raw_body).map_err(|_| WebhookParseError::NotJson)?;
    if !value.is_object() {
        return Err(WebhookParseError::NotJson);
    }
    let event = text(&value, "event")
        .or_else(|| text(&value, "eventType"))
        .ok_or(WebhookParseError::NoEventName)?;
    let data = value.get("data").cloned().unwrap_or(Value::Null);
    let bad = |reason: String| WebhookParseError::BadField {
        event: event.clone(),
        reason,
    };
    match event.as_str() {
        "PAYMENT RECEIVED" => parse_payment(&data)
            .map(WebhookEvent::PaymentReceived)
            .map_err(|e| bad(e.to_string())),
        "PAYMENT FAILED" => Ok(WebhookEvent::PaymentFailed(PaymentFailed {
            id: text(&data, "id"),
            order_reference: text(&data, "orderReference")
                .ok_or_else(|| bad("orderReference".into()))?,
            message: text(&data, "message"),
            channel: text(&data, "channel"),
        })),
        _ => Ok(WebhookEvent::Unknown {
            event,
            raw: raw_body.to_vec(),
        }),
    }
}

/// Where a webhook's checksum was found and matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecksumLocation {
    /// `checksum` beside `event` and `data`, over the whole remaining object.
    TopLevel,
    /// `checksum` inside `data`, over the whole object without it.
    InData,
    /// `checksum` inside `data`, over `data` alone.
    DataOnly,
}

/// Why a checksum was refused. Says nothing about the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChecksumError {
    #[error("the webhook body is not a JSON object")]
    NotJson,
    /// Checksums are on for the shop, but the webhook has none.
    #[error("the webhook carries no checksum")]
    Missing,
    #[error("the webhook checksum does not match the shop's checksum key")]
    Mismatch,
}

/// Compact JSON with every object's keys sorted, recursively; arrays keep their order.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                if let Some(inner) = map.get(key) {
                    write_canonical(inner, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// The legacy string: top-level values in key order, concatenated with no separators.
fn legacy_string(map: &Map<String, Value>) -> String {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    keys.into_iter()
        .filter_map(|k| map.get(k))
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => canonical_json(other),
        })
        .collect()
}

/// The hex HMAC-SHA256 of `text` under `key`.
fn hmac_hex(text: &str, key: &Sensitive<String>) -> String {
    match Hmac::<Sha256>::new_from_slice(key.expose().as_bytes()) {
        Ok(mut mac) => {
            mac.update(text.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// The checksum of a payload (without `checksum`/`checksumMethod`) by `method`
/// (`"canonical"`, the default, or `"legacy"`).
pub fn checksum(payload: &Value, method: &str, key: &Sensitive<String>) -> String {
    let mut payload = payload.clone();
    if let Some(map) = payload.as_object_mut() {
        map.remove("checksum");
        map.remove("checksumMethod");
    }
    let text = match (method, &payload) {
        ("legacy", Value::Object(map)) => legacy_string(map),
        _ => canonical_json(&payload),
    };
    hmac_hex(&text, key)
}

fn matches(given: &str, expected: &str) -> bool {
    let given = given.trim().to_ascii_lowercase();
    given.len() == expected.len() && bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}

/// Verifies a webhook's checksum with the shop's checksum key, in constant time.
pub fn verify_checksum(
    raw_body: &[u8],
    key: &Sensitive<String>,
) -> Result<ChecksumLocation, ChecksumError> {
    let value: Value = serde_json::from_slice(raw_body).map_err(|_| ChecksumError::NotJson)?;
    let root = value.as_object().ok_or(ChecksumError::NotJson)?;
    let method_of = |m: &Map<String, Value>| {
        m.get("checksumMethod")
            .and_then(Value::as_str)
            .unwrap_or("canonical")
            .to_owned()
    };
    if let Some(given) = root.get("checksum").and_then(Value::as_str) {
        let expected = checksum(&value, &method_of(root), key);
        return if matches(given, &expected) {
            Ok(ChecksumLocation::TopLevel)
        } else {
            Err(ChecksumError::Mismatch)
        };
    }
    let data = root
        .get("data")
        .and_then(Value::as_object)
        .ok_or(ChecksumError::Missing)?;
    let given = data
        .get("checksum")
        .and_then(Value::as_str)
        .ok_or(ChecksumError::Missing)?;
    let method = method_of(data);
    let mut stripped = data.clone();
    stripped.remove("checksum");
    stripped.remove("checksumMethod");
    let mut whole = root.clone();
    whole.insert("data".into(), Value::Object(stripped.clone()));
    if matches(given, &checksum(&Value::Object(whole), &method, key)) {
        return Ok(ChecksumLocation::InData);
    }
    if matches(given, &checksum(&Value::Object(stripped), &method, key)) {
        return Ok(ChecksumLocation::DataOnly);
    }
    Err(ChecksumError::Mismatch)
}
