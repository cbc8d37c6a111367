//! Paystack webhooks: signature verification over the raw body, then typed parsing.
//!
//! `x-paystack-signature` is the lowercase hex HMAC-SHA512 of the **exact raw request body**,
//! keyed with the shop's secret key (reference §6). Verification therefore takes the bytes as
//! received, never JSON that was parsed and re-serialised, and compares in constant time.
//! Parsing happens only after verification; `charge.success` and `refund.*` are typed and any
//! other event is kept as [`WebhookEvent::Unknown`] with its raw bytes, never an error.

use hmac::{Hmac, KeyInit, Mac};
use malipo_vault::Sensitive;
use serde_json::Value;
use sha2::Sha512;
use subtle::ConstantTimeEq;

use super::amount::wire_subunits;
use super::response::{parse_transaction, RefundStatus, Transaction};

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "x-paystack-signature";

/// SHA-512 output length in bytes.
const SIGNATURE_BYTES: usize = 64;

/// Why a webhook's signature was refused. Says nothing about the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `x-paystack-signature` header.
    #[error("the webhook has no x-paystack-signature header")]
    Missing,
    /// The header is not 128 hex digits.
    #[error("the x-paystack-signature header is not a hex HMAC-SHA512")]
    Malformed,
    /// The signature does not match this body under this shop's key.
    #[error("the webhook signature does not match the shop's secret key")]
    Mismatch,
}

/// The hex HMAC-SHA512 of `raw_body` under `secret` (what Paystack sends; also used by tests
/// and the relay's tooling).
pub fn sign(raw_body: &[u8], secret: &Sensitive<String>) -> String {
    hex::encode(mac(raw_body, secret))
}

fn mac(raw_body: &[u8], secret: &Sensitive<String>) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail; an empty MAC would only ever
    // mismatch, never match.
    match Hmac::<Sha512>::new_from_slice(secret.expose().as_bytes()) {
        Ok(mut mac) => {
            mac.update(raw_body);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// Verifies `signature` (the header's value, if present) over the raw body bytes, in
/// constant time.
pub fn verify_signature(
    raw_body: &[u8],
    signature: Option<&str>,
    secret: &Sensitive<String>,
) -> Result<(), SignatureError> {
    let signature = signature.ok_or(SignatureError::Missing)?.trim();
    let given = hex::decode(signature).map_err(|_| SignatureError::Malformed)?;
    if given.len() != SIGNATURE_BYTES {
        return Err(SignatureError::Malformed);
    }
    let expected = mac(raw_body, secret);
    if bool::from(expected.ct_eq(&given)) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The signature header's value from a header map, if present and text.
pub fn signature_header(headers: &http::HeaderMap) -> Option<&str> {
    headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok())
}

/// A `refund.*` event (reference §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundEvent {
    /// From the event name (`refund.processed` → `Processed`), else `data.status`.
    pub status: RefundStatus,
    /// The refunded transaction's reference: match the sale on this.
    pub transaction_reference: String,
    pub refund_reference: Option<String>,
    /// `amount`, in subunits (sent as a number or a string).
    pub amount_subunits: i64,
    pub currency_code: String,
    pub id: Option<i64>,
    pub domain: Option<String>,
}

/// A verified webhook, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookEvent {
    /// `charge.success`: a sale paid (re-verify before posting if in doubt).
    ChargeSuccess(Transaction),
    /// `refund.pending|processing|processed|failed|needs-attention`.
    Refund(RefundEvent),
    /// Any other event: stored and ignored, never lost.
    Unknown { event: String, raw: Vec<u8> },
}

impl WebhookEvent {
    /// The key that makes a redelivered event recognisable (Paystack sends no event id and
    /// retries, reference §6): `charge.success:<id or reference>`,
    /// `refund.<status>:<transaction reference>:<refund id or reference>`; `None` for unknown
    /// events (dedupe those on their raw bytes).
    pub fn dedupe_key(&self) -> Option<String> {
        match self {
            WebhookEvent::ChargeSuccess(txn) => Some(format!(
                "charge.success:{}",
                txn.id
                    .map_or_else(|| txn.reference.clone(), |id| id.to_string())
            )),
            WebhookEvent::Refund(refund) => {
                let which = refund
                    .id
                    .map(|id| id.to_string())
                    .or_else(|| refund.refund_reference.clone())
                    .unwrap_or_default();
                Some(format!(
                    "refund.{:?}:{}:{which}",
                    refund.status, refund.transaction_reference
                ))
            }
            WebhookEvent::Unknown { .. } => None,
        }
    }
}

/// Why a webhook body could not be read. The caller still holds the raw bytes (the relay and
/// the inbox store them before parsing).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookParseError {
    #[error("the webhook body is not a JSON object")]
    NotJson,
    #[error("the webhook has no `event` name")]
    NoEventName,
    #[error("the {event} webhook is missing or has an invalid `{field}`")]
    BadField { event: String, field: &'static str },
}

/// Parses a webhook body (call after [`verify_signature`]).
pub fn parse_event(raw_body: &[u8]) -> Result<WebhookEvent, WebhookParseError> {
    let value: Value = serde_json::from_slice(raw_body).map_err(|_| WebhookParseError::NotJson)?;
    if !value.is_object() {
        return Err(WebhookParseError::NotJson);
    }
    let event = value
        .get("event")
        .and_then(Value::as_str)
        .ok_or(WebhookParseError::NoEventName)?
        .to_owned();
    let data = value.get("data").cloned().unwrap_or(Value::Null);
    let bad = |field: &'static str| WebhookParseError::BadField {
        event: event.clone(),
        field,
    };
    if event == "charge.success" {
        let transaction = parse_transaction(&data).map_err(|_| bad("data"))?;
        return Ok(WebhookEvent::ChargeSuccess(transaction));
    }
    if let Some(suffix) = event.strip_prefix("refund.") {
        let text = |name: &str| data.get(name).and_then(Value::as_str).map(str::to_owned);
        let status = match RefundStatus::from_wire(suffix) {
            RefundStatus::Other(_) => RefundStatus::from_wire(&text("status").unwrap_or_default()),
            known => known,
        };
        let amount = data.get("amount").ok_or_else(|| bad("amount"))?;
        return Ok(WebhookEvent::Refund(RefundEvent {
            status,
            transaction_reference: text("transaction_reference")
                .ok_or_else(|| bad("transaction_reference"))?,
            refund_reference: text("refund_reference"),
            amount_subunits: wire_subunits(amount).map_err(|_| bad("amount"))?,
            currency_code: text("currency").ok_or_else(|| bad("currency"))?,
            id: data.get("id").and_then(|v| wire_subunits(v).ok()),
            domain: text("domain"),
        }));
    }
    Ok(WebhookEvent::Unknown {
        event,
        raw: raw_body.to_vec(),
    })
}
