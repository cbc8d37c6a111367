//! ClickPesa BillPay (Tanzania): control numbers customers pay from any wallet or bank.
//!
//! ClickPesa has no sandbox: every call is live, so `malipo-sim`'s ClickPesa simulator is the
//! only place these flows run before a shop goes live. Split by concern, sans-IO first:
//! - [`amount`]: exact conversions between `Money` and ClickPesa's major-unit amounts
//!   (whole shillings on the way out; numbers or strings, up to two decimals, on the way in);
//! - [`control`]: reference rules and the offline (legacy) control-number format,
//!   `[BillPay-Namba][order reference]`, computed with no network when the shop enables it;
//! - [`request`]: pure builders (token, order/customer control numbers, bulk, details,
//!   update/void, payment query);
//! - [`response`]: pure parsers of the answers;
//! - [`webhook`]: `PAYMENT RECEIVED` / `PAYMENT FAILED` parsing (others kept as `Unknown`)
//!   and the HMAC-SHA256 payload checksum (canonical and legacy methods);
//! - [`client`]: the async client, caching the token for its hour (a new account has only
//!   100 calls a day, token calls included).
//!
//! Wire facts are from `../shared/reference/clickpesa.md`; field names are ClickPesa's.

pub mod amount;
pub mod client;
pub mod control;
mod error;
pub mod request;
pub mod response;
pub mod webhook;

pub use client::ClickPesaClient;
pub use control::{offline_control_number, BillPaySettings};
pub use error::ClickPesaError;
pub use request::{
    BillPayMode, ControlNumberRequest, ControlNumberUpdate, CustomerDetails, DEFAULT_BASE_URL,
};
pub use response::{BulkCreated, ControlNumber, Payment, PaymentStatus};
pub use webhook::{
    canonical_json, checksum, parse_event, verify_checksum, ChecksumError, ChecksumLocation,
    PaymentFailed, PaymentReceived, WebhookEvent, WebhookParseError,
};
