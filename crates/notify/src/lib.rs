//! `malipo-notify` — receipts to customers by email (SMTP) and SMS (Africa's Talking), through
//! a retrying outbox in the till's database.
//!
//! How the engine uses it (opt-in per shop):
//! 1. On a successful payment it renders the receipt ([`render::email_receipt`],
//!    [`render::sms_receipt`] — the same content as the printed one) and queues it with
//!    [`Outbox::enqueue_receipt`] (a store write; never a network call, so it cannot hold up
//!    or fail the sale).
//! 2. A background task ([`Outbox::run_until`], on its own store connection, woken when a
//!    receipt is queued) calls [`Outbox::run_due`]: due messages are sent,
//!    marked sent, or kept with their error and retried with backoff ([`RetryPolicy`]); after
//!    the last attempt a message is `failed_permanently` and stays listed (and can be re-queued
//!    with `Store::outbox_requeue`). Engines that share one `Store` behind a lock can use the
//!    three steps [`Outbox::claim`], [`Outbox::deliver`] (no store) and [`Outbox::record`] so
//!    the lock is never held over the network.
//!
//! Layout: [`email`] (`EmailSender` over lettre, rustls), [`sms`] (`SmsSender` for Africa's
//! Talking, with the wire facts it relies on), [`render`] (receipt → email and SMS text),
//! [`outbox`] (the drain and its retry policy), [`mask`] (recipients as they may be logged).
//!
//! Secrets: the SMTP password and the SMS API key are `malipo_vault::Sensitive<String>`s taken
//! from the vault; they are never logged, formatted into an error or written to the store.
//! Logs name recipients only masked.

pub mod email;
mod error;
pub mod mask;
pub mod outbox;
pub mod render;
pub mod sms;

pub use email::{EmailConfig, EmailSender, SmtpSecurity};
pub use error::{NotifyError, SendError};
pub use outbox::{run_due, Delivery, Outbox, ReceiptRecipients, RetryPolicy, RunSummary, Senders};
pub use render::{email_receipt, gsm7, sms_receipt, EmailReceipt};
pub use sms::{SmsAccepted, SmsConfig, SmsSender, AT_LIVE_BASE_URL, AT_SANDBOX_BASE_URL};
