//! `malipo-sync` — the till's side of the relay: it opens the shop's event stream with the
//! till's device token, stores every event byte-for-byte in the inbox
//! (`Store::inbox_insert`), then acknowledges it, and reconnects with backoff and jitter when
//! the link drops. The engine processes what lands in the inbox; this crate never parses a
//! provider's payload.
//!
//! - `sse.rs` — an incremental Server-Sent Events reader (sans IO).
//! - `frame.rs` — the relay's event frame and the inbox row made of it.
//! - `client.rs` — [`SyncClient`]: the connect/store/ack loop and its [`SyncStatus`]
//!   (online, offline since, last stored and acknowledged sequence).

mod client;
pub mod frame;
pub mod sse;

pub use client::{system_clock, Inbox, SyncClient, SyncConfig, SyncStatus};
pub use frame::{decode, provider_of, Decoded, Frame, FrameError};
