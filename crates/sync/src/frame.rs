//! The relay's event frame and what the till stores of it.
//!
//! The relay (`crates/relay/src/stream.rs`) sends each event as one SSE message whose data is
//! `{"seq", "kind", "received_ms", "source", "headers": [[name, value]…], "body": base64}`.
//! The type is declared again here rather than imported so the till does not link the relay
//! server; `crates/sync/tests` run the real relay, so a disagreement fails there.

use base64::Engine as _;
use malipo_core::Timestamp;
use malipo_store::NewInboxEvent;
use serde::{Deserialize, Serialize};

/// One event as the relay streams it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    pub seq: u64,
    pub kind: String,
    pub received_ms: i64,
    pub source: String,
    pub headers: Vec<(String, String)>,
    /// The raw body, standard base64.
    pub body: String,
}

/// A frame the till could not read. The stream is broken (the relay never sends these), so
/// the client reconnects rather than skipping an event.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("the relay sent an event frame that is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the relay sent an event whose body is not valid base64: {0}")]
    Base64(#[from] base64::DecodeError),
    #[error("the relay sent sequence number {0}, which the till cannot store")]
    Sequence(u64),
}

/// A frame decoded into what the inbox stores: the body's exact bytes, the headers as a JSON
/// object (the relay's source address under `x-relay-source`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub seq: i64,
    pub provider: &'static str,
    pub kind: String,
    pub headers_json: String,
    pub body: Vec<u8>,
    pub received_at: Timestamp,
}

impl Decoded {
    /// The inbox row for this event.
    pub fn as_inbox(&self) -> NewInboxEvent<'_> {
        NewInboxEvent {
            provider: self.provider,
            kind: &self.kind,
            relay_seq: Some(self.seq),
            headers_json: &self.headers_json,
            body: &self.body,
            received_at: self.received_at,
        }
    }
}

/// The provider a relay event kind belongs to. An unknown kind is still stored (as
/// `unknown`), to be shown and retried once the till understands it.
pub fn provider_of(kind: &str) -> &'static str {
    match kind {
        "stk" | "c2b-confirm" | "c2b-validate" | "reversal-result" | "timeout" => "daraja",
        "paystack" => "paystack",
        "clickpesa" => "clickpesa",
        _ => "unknown",
    }
}

/// Reads one SSE data payload.
pub fn decode(data: &str) -> Result<Decoded, FrameError> {
    let frame: Frame = serde_json::from_str(data)?;
    let body = base64::engine::general_purpose::STANDARD.decode(frame.body.as_bytes())?;
    let seq = i64::try_from(frame.seq).map_err(|_| FrameError::Sequence(frame.seq))?;
    let mut headers = serde_json::Map::new();
    for (name, value) in &frame.headers {
        headers.insert(
            name.to_ascii_lowercase(),
            serde_json::Value::String(value.clone()),
        );
    }
    headers.insert(
        "x-relay-source".to_owned(),
        serde_json::Value::String(frame.source.clone()),
    );
    Ok(Decoded {
        seq,
        provider: provider_of(&frame.kind),
        kind: frame.kind,
        headers_json: serde_json::Value::Object(headers).to_string(),
        body,
        received_at: Timestamp(frame.received_ms),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_decodes_to_its_exact_bytes_and_headers() {
        let body = b"{\"a\": 1.50 ,\n \"b\":\"\xc3\xa9\"}";
        let data = serde_json::json!({
            "seq": 42, "kind": "paystack", "received_ms": 1_700_000_000_000_i64,
            "source": "52.31.139.75",
            "headers": [["X-Paystack-Signature", "abc"]],
            "body": base64::engine::general_purpose::STANDARD.encode(body),
        })
        .to_string();
        let d = decode(&data).unwrap();
        assert_eq!(d.body, body);
        assert_eq!(d.seq, 42);
        assert_eq!(d.provider, "paystack");
        let headers: serde_json::Value = serde_json::from_str(&d.headers_json).unwrap();
        assert_eq!(headers["x-paystack-signature"], "abc");
        assert_eq!(headers["x-relay-source"], "52.31.139.75");
    }

    #[test]
    fn broken_frames_are_errors_not_panics() {
        assert!(matches!(decode("{"), Err(FrameError::Json(_))));
        let bad = r#"{"seq":1,"kind":"stk","received_ms":0,"source":"","headers":[],"body":"!!"}"#;
        assert!(matches!(decode(bad), Err(FrameError::Base64(_))));
        let big = format!(
            r#"{{"seq":{},"kind":"stk","received_ms":0,"source":"","headers":[],"body":""}}"#,
            u64::MAX
        );
        assert!(matches!(decode(&big), Err(FrameError::Sequence(_))));
    }

    #[test]
    fn every_relay_kind_names_its_provider() {
        for kind in [
            "stk",
            "c2b-confirm",
            "c2b-validate",
            "reversal-result",
            "timeout",
        ] {
            assert_eq!(provider_of(kind), "daraja");
        }
        assert_eq!(provider_of("paystack"), "paystack");
        assert_eq!(provider_of("clickpesa"), "clickpesa");
        assert_eq!(provider_of("x"), "unknown");
    }
}
