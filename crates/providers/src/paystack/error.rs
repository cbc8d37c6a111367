//! The error a Paystack call can end in. Messages never carry the secret key: the key only
//! ever travels in a sensitive `Authorization` header, never in a URL, body or message.

use super::amount::AmountError;

/// What went wrong talking to Paystack, one variant per outcome the caller acts on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaystackError {
    /// Paystack answered 401 `Invalid key`: the secret key is wrong, revoked or for another
    /// integration.
    #[error("Paystack refused the secret key (Invalid key): check it in Settings")]
    InvalidKey,
    /// The key does not look like a Paystack secret key (`sk_test_…` / `sk_live_…`).
    #[error("this is not a Paystack secret key: {0}")]
    MalformedKey(&'static str),
    /// `duplicate_reference`: a transaction with this reference exists; verify it instead of
    /// creating another.
    #[error("Paystack already has a transaction with reference {0}; verify it instead")]
    DuplicateReference(String),
    /// HTTP 429 `rate_limited`.
    #[error("Paystack's rate limit was reached; wait a minute and try again")]
    RateLimited,
    /// Paystack answered `status: false` (or a non-2xx status) with a message.
    #[error("Paystack refused the request ({http_status}): {message}")]
    Api {
        http_status: u16,
        message: String,
        code: Option<String>,
    },
    /// The request could not be built (bad reference, non-positive amount…).
    #[error("invalid Paystack request: {0}")]
    InvalidRequest(String),
    /// An amount could not be converted.
    #[error(transparent)]
    Amount(#[from] AmountError),
    /// The network failed before Paystack answered.
    #[error("could not reach Paystack: {0}")]
    Transport(String),
    /// Paystack answered something this client cannot read.
    #[error("unexpected answer from Paystack: {0}")]
    Unreadable(String),
}
