//! `malipo-engine` — The till's payment orchestration: starts charges, consumes provider events from the inbox, matches and posts them through the store's one posting function, resolves pending attempts, refunds, receipts.
//!
//! Skeleton: this crate is laid out by the foundation and filled in by its own issue.
