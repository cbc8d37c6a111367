//! `malipo-relay` — The public webhook relay (`malipo-relay`): receives provider callbacks, stores them byte-for-byte per shop, streams them to the shop's till.
//!
//! Skeleton: this crate is laid out by the foundation and filled in by its own issue.
