//! What several engine test binaries share.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Mutex;

use malipo_core::Timestamp;
use malipo_store::{InboxEvent, NewInboxEvent, Store};

/// Stores a provider event in the till's inbox, as the sync client would, and returns it as the
/// engine reads it.
pub fn received(
    store: &Mutex<Store>,
    (provider, kind): (&str, &str),
    headers_json: &str,
    body: &str,
    at: Timestamp,
) -> InboxEvent {
    let mut s = store.lock().unwrap();
    let (id, _) = s
        .inbox_insert(&NewInboxEvent {
            provider,
            kind,
            relay_seq: None,
            headers_json,
            body: body.as_bytes(),
            received_at: at,
        })
        .unwrap();
    s.inbox_list(None, 1000)
        .unwrap()
        .into_iter()
        .find(|e| e.id == id)
        .unwrap()
}
