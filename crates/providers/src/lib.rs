//! `malipo-providers` — Daraja (M-Pesa), Paystack and ClickPesa: request builders, response
//! and callback parsers, signature checks, and the HTTP clients that send what the builders
//! build. No database, no clock of its own (time is passed in), no secret outside
//! `Sensitive<String>`.
//!
//! Layout: one module per provider (`daraja`, `paystack`, `clickpesa`), each split into pure
//! request building, pure parsing of responses and callbacks (never panics; unknown input is a
//! typed error or a typed "unknown" event, never lost), result-code meanings with exhaustive
//! matches, and a thin async client.
//!
//! How to make a change here: a wire field is named exactly as the provider names it (see
//! `../shared/reference/`); conversions between wire amounts and `Money` happen once, at this
//! boundary, and say what they do with cents.

/// Safaricom M-Pesa (Daraja): STK push and query, C2B, Dynamic QR, reversal, status.
pub mod daraja;

/// Paystack: cards and mobile money on the shop's own account; webhook verification.
pub mod paystack;

/// ClickPesa BillPay (Tanzania): control numbers, payment queries, webhooks and checksums.
pub mod clickpesa;

mod http_request;
