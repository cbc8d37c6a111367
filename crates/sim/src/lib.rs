//! `malipo-sim` — Faithful simulators of the Daraja, Paystack and ClickPesa HTTP APIs for tests and the training mode.
//!
//! Skeleton: this crate is laid out by the foundation and filled in by its own issue.
