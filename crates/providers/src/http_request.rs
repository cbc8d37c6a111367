//! The request-building steps every provider shares: joining a base URL and a path, an
//! `Authorization` header marked sensitive (so `http` never prints it), and a JSON request.
//! Each provider wraps these with its own error type and authorization scheme.

use http::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use http::{Method, Request};
use serde_json::Value;

/// `base_url` + `path`, without a doubled slash.
pub(crate) fn url(base_url: &str, path: &str) -> String {
    format!("{}{path}", base_url.trim_end_matches('/'))
}

/// An `Authorization` value marked sensitive; `None` when it has characters a header cannot
/// carry (the caller says which credential, never its value).
pub(crate) fn sensitive_header(value: &str) -> Option<HeaderValue> {
    let mut header = HeaderValue::from_str(value).ok()?;
    header.set_sensitive(true);
    Some(header)
}

/// A request to `base_url` + `path` with `authorization`, and a JSON body when given. The error
/// is a description to wrap in the provider's own error.
pub(crate) fn json_request(
    method: Method,
    base_url: &str,
    path: &str,
    authorization: HeaderValue,
    body: Option<&Value>,
) -> Result<Request<Vec<u8>>, String> {
    let builder = Request::builder()
        .method(method)
        .uri(url(base_url, path))
        .header(AUTHORIZATION, authorization);
    match body {
        None => builder.body(Vec::new()),
        Some(body) => {
            let bytes = serde_json::to_vec(body).map_err(|e| e.to_string())?;
            builder.header(CONTENT_TYPE, "application/json").body(bytes)
        }
    }
    .map_err(|e| e.to_string())
}
