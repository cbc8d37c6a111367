//! The error a ClickPesa call can end in. Messages never carry the API key, the checksum key
//! or a token: those travel only in sensitive headers.

use super::amount::AmountError;

/// What went wrong talking to ClickPesa, one variant per outcome the caller acts on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClickPesaError {
    /// 401/403 on `generate-token`: `Invalid client details`, `Invalid or Expired API-Key`,
    /// `Unauthorized API-Key` (ClickPesa's own words, which tell the manager what to fix).
    #[error("ClickPesa refused the credentials: {0}")]
    Credentials(String),
    /// 409: the reference is already used; query it instead of creating it again.
    #[error("ClickPesa says the reference is already used: {0}")]
    Conflict(String),
    /// 404: no such control number or payment.
    #[error("ClickPesa found nothing: {0}")]
    NotFound(String),
    /// Any other refusal, with ClickPesa's message.
    #[error("ClickPesa refused the request ({http_status}): {message}")]
    Api { http_status: u16, message: String },
    /// The request could not be built (bad reference, wrong currency…).
    #[error("invalid ClickPesa request: {0}")]
    InvalidRequest(String),
    #[error(transparent)]
    Amount(#[from] AmountError),
    /// The network failed before ClickPesa answered.
    #[error("could not reach ClickPesa: {0}")]
    Transport(String),
    /// ClickPesa answered something this client cannot read.
    #[error("unexpected answer from ClickPesa: {0}")]
    Unreadable(String),
}
