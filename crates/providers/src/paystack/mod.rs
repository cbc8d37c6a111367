//! Paystack (cards, and mobile money through Paystack) on the shop's own account.
//!
//! Split by concern, sans-IO first:
//! - [`amount`]: exact conversions between `Money` and Paystack's integer subunits;
//! - [`request`]: pure builders from domain values to `http::Request`s (initialize, verify,
//!   refund, refund status, test connection), the secret key only in a sensitive header;
//! - [`response`]: pure parsers of the `{status, message, data}` envelope into typed results;
//! - [`webhook`]: HMAC-SHA512 verification of the **raw** body against `x-paystack-signature`
//!   and typed parsing of `charge.success` and `refund.*` (anything else is kept as
//!   [`WebhookEvent::Unknown`] with its bytes);
//! - [`client`]: the thin async client that sends what the builders build.
//!
//! Wire facts are from `../shared/reference/paystack.md`; field names are Paystack's.

pub mod amount;
pub mod client;
mod error;
pub mod request;
pub mod response;
pub mod webhook;

pub use amount::{from_subunits, to_subunits, AmountError};
pub use client::PaystackClient;
pub use error::PaystackError;
pub use request::{
    walk_in_email, Channel, InitializeRequest, KeyMode, RefundRequest, DEFAULT_BASE_URL,
};
pub use response::{
    CardSummary, ConnectionCheck, Initialized, Refund, RefundStatus, Transaction, TransactionStatus,
};
pub use webhook::{
    parse_event, sign, verify_signature, RefundEvent, SignatureError, WebhookEvent,
    WebhookParseError, SIGNATURE_HEADER,
};
