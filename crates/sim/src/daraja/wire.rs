//! The simulator's own reading and writing of Daraja's wire format: the error envelope, loose
//! numbers, Nairobi time, identifiers.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// Daraja's error envelope.
pub fn envelope(status: StatusCode, request_id: &str, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({
            "requestId": request_id,
            "errorCode": code,
            "errorMessage": message,
        })),
    )
        .into_response()
}

/// `400.002.02 Bad Request - Invalid <field>`.
pub fn invalid(request_id: &str, field: &str) -> Response {
    envelope(
        StatusCode::BAD_REQUEST,
        request_id,
        "400.002.02",
        &format!("Bad Request - Invalid {field}"),
    )
}

/// A field as text when it is a string or a number (Daraja accepts both for numeric fields).
pub fn text(body: &Value, field: &str) -> Option<String> {
    match body.get(field)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Null | Value::Bool(_) | Value::Array(_) | Value::Object(_) => None,
    }
}

/// A whole positive number given as a JSON integer or a string of digits. Decimals are refused
/// ("Bad Request - Invalid Amount").
pub fn whole_number(body: &Value, field: &str) -> Option<u64> {
    let t = text(body, field)?;
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

pub fn is_digits(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// A Kenyan MSISDN as Daraja wants it: 12 digits, `2547…` or `2541…`.
pub fn is_msisdn(s: &str) -> bool {
    is_digits(s, 12, 12) && (s.starts_with("2547") || s.starts_with("2541"))
}

/// Nairobi local time now (UTC+3, no DST).
pub fn nairobi_now() -> time::OffsetDateTime {
    let offset = time::UtcOffset::from_hms(3, 0, 0).unwrap_or(time::UtcOffset::UTC);
    time::OffsetDateTime::now_utc().to_offset(offset)
}

/// `YYYYMMDDHHmmss`.
pub fn daraja_time(t: time::OffsetDateTime) -> String {
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Reads `YYYYMMDDHHmmss` as Nairobi time.
pub fn parse_daraja_time(s: &str) -> Option<time::OffsetDateTime> {
    if !is_digits(s, 14, 14) {
        return None;
    }
    let n = |a: usize, b: usize| s.get(a..b)?.parse::<u16>().ok();
    let month = time::Month::try_from(u8::try_from(n(4, 6)?).ok()?).ok()?;
    let date =
        time::Date::from_calendar_date(i32::from(n(0, 4)?), month, u8::try_from(n(6, 8)?).ok()?)
            .ok()?;
    let clock = time::Time::from_hms(
        u8::try_from(n(8, 10)?).ok()?,
        u8::try_from(n(10, 12)?).ok()?,
        u8::try_from(n(12, 14)?).ok()?,
    )
    .ok()?;
    let offset = time::UtcOffset::from_hms(3, 0, 0).ok()?;
    Some(time::PrimitiveDateTime::new(date, clock).assume_offset(offset))
}

/// True for a URL Daraja would POST to: http(s) with a host and no spaces.
pub fn is_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    matches!(rest, Some(r) if !r.is_empty() && !r.starts_with('/'))
        && !s.contains(char::is_whitespace)
}

/// Words Safaricom's C2B register refuses in URLs, any case (the simulator's own list).
pub const C2B_FORBIDDEN: &[&str] = &[
    "m-pesa",
    "mpesa",
    "safaricom",
    "exe",
    "exec",
    "cmd",
    "sql",
    "query",
];
