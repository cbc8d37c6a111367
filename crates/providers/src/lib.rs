//! `malipo-providers` — Daraja (M-Pesa), Paystack and ClickPesa: request builders, response and callback parsers, signature checks, HTTP clients. No database.
//!
//! Skeleton: this crate is laid out by the foundation and filled in by its own issue.
