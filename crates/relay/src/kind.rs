//! The kinds of provider event the relay receives, their URL path segments and the answer each
//! provider expects.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Words Safaricom rejects anywhere in a C2B callback URL (checked case-insensitively).
pub const FORBIDDEN_URL_WORDS: [&str; 6] = ["mpesa", "safaricom", "sql", "query", "exe", "cmd"];

/// One kind of provider event; the last path segment of `POST /h/{endpoint_token}/{kind}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// Daraja STK push result (`CallBackURL`).
    Stk,
    /// Daraja C2B confirmation (`ConfirmationURL`).
    C2bConfirm,
    /// Daraja C2B validation (`ValidationURL`).
    C2bValidate,
    /// Daraja reversal / transaction-status result (`ResultURL`).
    ReversalResult,
    /// Daraja queue timeout (`QueueTimeOutURL`).
    Timeout,
    /// Paystack webhook.
    Paystack,
    /// ClickPesa webhook.
    ClickPesa,
}

impl EventKind {
    /// Every kind, in the order callback URLs are listed.
    pub const ALL: [EventKind; 7] = [
        EventKind::Stk,
        EventKind::C2bConfirm,
        EventKind::C2bValidate,
        EventKind::ReversalResult,
        EventKind::Timeout,
        EventKind::Paystack,
        EventKind::ClickPesa,
    ];

    /// The path segment (and the name stored with the event).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Stk => "stk",
            EventKind::C2bConfirm => "c2b-confirm",
            EventKind::C2bValidate => "c2b-validate",
            EventKind::ReversalResult => "reversal-result",
            EventKind::Timeout => "timeout",
            EventKind::Paystack => "paystack",
            EventKind::ClickPesa => "clickpesa",
        }
    }

    /// The kind named by a path segment.
    pub fn parse(segment: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == segment)
    }

    /// Where the operator pastes this kind's URL.
    pub fn purpose(self) -> &'static str {
        match self {
            EventKind::Stk => "Daraja STK push CallBackURL",
            EventKind::C2bConfirm => "Daraja C2B ConfirmationURL",
            EventKind::C2bValidate => "Daraja C2B ValidationURL",
            EventKind::ReversalResult => "Daraja reversal / transaction status ResultURL",
            EventKind::Timeout => "Daraja QueueTimeOutURL",
            EventKind::Paystack => "Paystack webhook URL",
            EventKind::ClickPesa => "ClickPesa webhook URL",
        }
    }

    /// The answer the provider expects once the event is stored.
    ///
    /// Daraja kinds get `{"ResultCode":0,"ResultDesc":"Accepted"}`. C2B validation is accepted
    /// too: the relay cannot know the till's open references within Safaricom's time limit, so
    /// Malipo reconciles after the confirmation. Paystack and ClickPesa want a bare 200.
    pub fn accepted(self) -> Response {
        const DARAJA_ACCEPTED: &str = r#"{"ResultCode":0,"ResultDesc":"Accepted"}"#;
        match self {
            EventKind::Stk
            | EventKind::C2bConfirm
            | EventKind::C2bValidate
            | EventKind::ReversalResult
            | EventKind::Timeout => (
                StatusCode::OK,
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                DARAJA_ACCEPTED,
            )
                .into_response(),
            EventKind::Paystack | EventKind::ClickPesa => StatusCode::OK.into_response(),
        }
    }
}

/// The first forbidden word `url` contains, if any.
pub fn forbidden_word(url: &str) -> Option<&'static str> {
    let lower = url.to_ascii_lowercase();
    FORBIDDEN_URL_WORDS.into_iter().find(|w| lower.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_and_avoids_the_forbidden_words() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
            assert_eq!(forbidden_word(&format!("/h/x/{}", kind.as_str())), None);
        }
        assert_eq!(EventKind::parse("mpesa"), None);
        assert_eq!(forbidden_word("https://x.example/MPesa/cb"), Some("mpesa"));
    }
}
