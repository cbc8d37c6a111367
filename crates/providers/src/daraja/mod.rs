//! Safaricom M-Pesa (Daraja): request builders, response and callback parsers, result-code
//! meanings and the async client, for STK push, STK query, C2B, Dynamic QR, reversal and
//! transaction status.
//!
//! Layout (sans-IO first, the client last):
//! - [`config`]: a shop's Daraja configuration and the environment (sandbox, production, or the
//!   local simulator).
//! - [`time`]: Daraja timestamps, which are Nairobi local time (UTC+3, no DST).
//! - [`amount`]: the one conversion between `Money` and Daraja's whole shillings / decimal text.
//! - [`request`]: pure functions that validate input and build each request body.
//! - [`response`]: pure parsing of Daraja's synchronous answers and error envelope.
//! - [`callback`], [`c2b`], [`result`]: pure parsing of what Daraja POSTs to the shop.
//! - [`result_code`]: every documented code with the words a cashier sees.
//! - [`security`]: the SecurityCredential (RSA PKCS#1 v1.5 of the initiator password).
//! - [`client`]: the reqwest client: OAuth token cache, sending, retry on a stale token.
//!
//! Wire facts come from `../shared/reference/daraja.md`; where sources disagree the choice is
//! written beside the code that makes it. No secret is ever logged or put in an error.

pub mod amount;
pub mod c2b;
pub mod callback;
pub mod client;
pub mod config;
pub mod error;
pub mod request;
pub mod response;
pub mod result;
pub mod result_code;
pub mod security;
pub mod time;
mod wire;

pub use amount::{parse_decimal_kes, whole_shillings, MAX_STK_AMOUNT_KES};
pub use c2b::{
    c2b_ack_body, c2b_validation_accept, c2b_validation_reject, hash_msisdn,
    parse_c2b_confirmation, parse_c2b_validation, C2bPayment, C2bRejection, Msisdn, PhoneMatch,
};
pub use callback::{parse_stk_callback, StkCallback, StkPayment};
pub use client::{ConnectionCheck, ConnectionReport, DarajaClient};
pub use config::{C2bVersion, DarajaConfig, Environment, ReceiverIdentifierType};
pub use error::{DarajaError, ParseError, RequestError};
pub use request::{DarajaRequest, QrRequest, ReversalRequest, StatusQueryRequest, StkPushRequest};
pub use response::{AsyncAck, QrCode, RegisterAck, StkPushAck, StkQueryAnswer, Token};
pub use result::{parse_queue_timeout, parse_result, AsyncResult, QueueTimeout};
pub use result_code::{ApiErrorCode, AsyncResultCode, Outcome, StkResultCode};
pub use security::{CertificateKey, SecurityCredentialError};
