//! Daraja errors: refusals before a request is sent ([`RequestError`]), unreadable bodies
//! ([`ParseError`], which keeps the raw body), and everything the client can meet
//! ([`DarajaError`], which keeps Daraja's own code and message).
//!
//! No variant ever holds a secret: credentials are `Sensitive` and never formatted, and the
//! request bodies that carry derived secrets (`Password`, `SecurityCredential`) are never put
//! in an error.

use malipo_core::{Currency, Money, PhoneError};

use super::result_code::ApiErrorCode;

/// Why a request was refused before it left the till. Messages are for the cashier or the
/// manager setting the shop up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("customer phone: {0}")]
    Phone(#[from] PhoneError),
    #[error("M-Pesa takes Kenyan shillings; this amount is in {currency}")]
    NotShillings { currency: Currency },
    #[error("the amount must be more than zero")]
    AmountNotPositive,
    #[error("M-Pesa takes whole shillings; {amount} has cents — round the amount first")]
    AmountHasCents { amount: Money },
    #[error("{amount} is over M-Pesa's limit of KES 250,000 per transaction")]
    AmountTooLarge { amount: Money },
    #[error("the {which} URL {url:?} is not valid: {reason}")]
    BadUrl {
        which: &'static str,
        url: String,
        reason: &'static str,
    },
    #[error("Safaricom refuses C2B URLs containing {word:?}; the {which} URL {url:?} does")]
    ForbiddenWord {
        which: &'static str,
        url: String,
        word: &'static str,
    },
    #[error("the M-Pesa shortcode is missing or not a number (5 to 7 digits)")]
    BadShortcode,
    #[error("the M-Pesa passkey is missing; copy it from the Daraja portal")]
    MissingPasskey,
    #[error("the till number is not a number")]
    BadTillNumber,
    #[error("the account reference is empty; M-Pesa needs a letter or digit")]
    EmptyAccountReference,
    #[error("{field} is required")]
    MissingField { field: &'static str },
    #[error("{field} must be between {min} and {max} characters")]
    FieldLength {
        field: &'static str,
        min: usize,
        max: usize,
    },
    #[error("{0:?} is not an M-Pesa receipt number (10 letters and digits)")]
    BadReceipt(String),
    #[error("reversals and status checks need the initiator name and password in settings")]
    MissingInitiator,
    #[error("reversals and status checks need Safaricom's certificate in settings")]
    MissingCertificate,
}

/// A body Malipo could not read. Every variant keeps the raw body (a prefix for huge ones) so
/// nothing Daraja sent is lost; `Display` stays short.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the body is {len} bytes, too large for a Daraja message")]
    TooLarge { len: usize, prefix: String },
    #[error("the body is not JSON: {detail}")]
    NotJson { detail: String, raw: String },
    #[error("the body has no {field}")]
    Missing { field: &'static str, raw: String },
    #[error("{field} has the wrong type")]
    WrongType { field: &'static str, raw: String },
    #[error("{field} is not a valid value")]
    Invalid { field: &'static str, raw: String },
}

impl ParseError {
    /// The raw body (or its first KiB when it was too large).
    pub fn raw(&self) -> &str {
        match self {
            ParseError::TooLarge { prefix, .. } => prefix,
            ParseError::NotJson { raw, .. }
            | ParseError::Missing { raw, .. }
            | ParseError::WrongType { raw, .. }
            | ParseError::Invalid { raw, .. } => raw,
        }
    }
}

/// Everything a Daraja call can end in, other than success.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DarajaError {
    /// Refused before sending.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// Daraja answered with its error envelope (or a non-zero `ResponseCode`); its code and
    /// message are kept verbatim.
    #[error("M-Pesa refused the request ({code_text}): {message}")]
    Api {
        code: ApiErrorCode,
        code_text: String,
        message: String,
        http_status: u16,
    },
    /// The consumer key/secret were refused at OAuth.
    #[error("M-Pesa refused the consumer key or secret ({code_text}): {message}")]
    Unauthorized {
        code_text: String,
        message: String,
        http_status: u16,
    },
    /// The network failed (DNS, TLS, connection, timeout).
    #[error("could not reach M-Pesa: {0}")]
    Transport(String),
    /// Daraja answered something Malipo cannot read.
    #[error("M-Pesa answered something Malipo cannot read (HTTP {http_status}): {error}")]
    Unreadable { http_status: u16, error: ParseError },
    /// The SecurityCredential could not be computed.
    #[error(transparent)]
    Credential(#[from] super::security::SecurityCredentialError),
}
