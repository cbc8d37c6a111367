//! `malipo-engine` — the till's payment orchestration: starts charges, consumes provider
//! events from the inbox, matches and posts them through the store's one posting function
//! (`Store::post_payment`), resolves pending attempts, runs refunds.
//!
//! - `engine.rs` — [`Engine`] (store + provider clients + event channel), [`EngineConfig`],
//!   [`EngineEvent`], the background loop [`Engine::run`], sale completion after a posting.
//! - `flows/` — what a cashier starts: cash, STK push (`stk.rs`, also the resolver's
//!   queries), Dynamic QR, Paybill/Till waits and claims (`mod.rs`), card (`card.rs`),
//!   BillPay control numbers (`billpay.rs`), the missed-confirmation sweep (`sweep.rs`).
//! - `ingest.rs` — inbox events (from the relay via `malipo-sync`, or imported by hand) →
//!   confirmations, attempt failures, refund results; problems are kept and retriable.
//! - `refunds.rs` — the refunds gate and card refunds / M-Pesa reversals.
//! - `receipts.rs` — the sale's receipt from the ledger; automatic email/SMS receipts through
//!   the notify outbox (queued on completion, sent by the background loop).
//! - `settings.rs` — a shop's provider settings split between the store and the keyring.
//!
//! How to make a change here: the engine never writes SQL (that is `malipo-store`) and never
//! builds HTTP requests (that is `malipo-providers`); it decides what happens next.

mod engine;
mod error;
pub mod flows;
pub mod ingest;
pub mod manager;
pub mod receipts;
pub mod refunds;
pub mod register;
pub mod settings;

pub use engine::{
    system_clock, ClickPesaSetup, Engine, EngineConfig, EngineEvent, PaystackSetup, SharedStore,
    ENGINE_ACTOR, REFUNDS_SETTING,
};
pub use error::EngineError;
pub use flows::{BillPayNumber, CardStart, CashPaid, QrShown, ReceiptCheck, TillWait};
pub use ingest::Processed;
pub use receipts::{
    CustomerContact, RECEIPT_EMAIL_SETTING, RECEIPT_LANGUAGE_SETTING, RECEIPT_SMS_SETTING,
};
pub use refunds::RefundAsk;
pub use settings::{DarajaSettings, SecretState};
