//! `malipo-engine` — the till's payment orchestration: starts charges, consumes provider
//! events from the inbox, matches and posts them through the store's one posting function
//! (`Store::post_payment`), resolves pending attempts, runs refunds and receipts.
//!
//! The foundation lays out only [`settings`]: how a shop's provider configuration is split
//! between the database (what may be seen) and the OS keyring (what must not). The flows come
//! with the payment-engine issue.
//!
//! How to make a change here: the engine never writes SQL (that is `malipo-store`) and never
//! builds HTTP requests (that is `malipo-providers`); it decides what happens next.

pub mod settings;

pub use settings::{DarajaSettings, EngineError, SecretState};
