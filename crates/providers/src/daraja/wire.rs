//! Tolerant readers for Daraja's loosely typed JSON: codes and amounts that arrive as numbers
//! or strings, items that lack a value. Private to the Daraja module; callers get typed data.

use malipo_core::Money;
use serde_json::Value;

use super::amount::parse_decimal_kes;
use super::error::ParseError;

/// Bodies larger than this are refused before parsing: every Daraja payload is a few KiB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Parses a body into JSON, refusing huge or non-JSON input with the raw text kept.
pub fn json_body(body: &[u8]) -> Result<Value, ParseError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ParseError::TooLarge {
            len: body.len(),
            prefix: String::from_utf8_lossy(&body[..1024]).into_owned(),
        });
    }
    serde_json::from_slice(body).map_err(|e| ParseError::NotJson {
        detail: e.to_string(),
        raw: raw_text(body),
    })
}

/// The body as text for error reports.
pub fn raw_text(body: &[u8]) -> String {
    String::from_utf8_lossy(body).into_owned()
}

/// A scalar as text: strings trimmed, numbers as written by serde. `None` for null, objects,
/// arrays and booleans.
pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Null | Value::Bool(_) | Value::Array(_) | Value::Object(_) => None,
    }
}

/// An amount given as a JSON number or a decimal string.
pub fn amount(value: &Value) -> Option<Money> {
    scalar_text(value).and_then(|t| parse_decimal_kes(&t))
}

/// Looks up a required field and reads it as text.
pub fn required_text(
    object: &Value,
    field: &'static str,
    raw: &[u8],
) -> Result<String, ParseError> {
    let value = object.get(field).ok_or_else(|| ParseError::Missing {
        field,
        raw: raw_text(raw),
    })?;
    scalar_text(value).ok_or_else(|| ParseError::WrongType {
        field,
        raw: raw_text(raw),
    })
}

/// An optional text field: missing, null or a non-scalar read as `None`.
pub fn optional_text(object: &Value, field: &str) -> Option<String> {
    object.get(field).and_then(scalar_text)
}

/// True when a success code is all zeros (`"0"`, `0`, `"00000000"`): Daraja's register answers
/// disagree between `"0"` and `"00000000"` (reference §3.1), so both are success.
pub fn is_all_zero(code: &str) -> bool {
    !code.is_empty() && code.bytes().all(|b| b == b'0')
}
