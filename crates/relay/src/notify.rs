//! Wakes a shop's open till streams when one of its events commits.
//!
//! One `watch` channel per shop carrying the last committed sequence. A stream subscribes
//! *before* reading the store, so an event committed between its read and its wait still wakes
//! it.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::watch;

use crate::store::ShopId;

/// Per-shop commit signals.
#[derive(Debug, Default)]
pub struct Notifier {
    shops: Mutex<HashMap<ShopId, watch::Sender<u64>>>,
}

impl Notifier {
    /// A receiver that changes whenever `shop` commits an event.
    pub fn subscribe(&self, shop: ShopId) -> watch::Receiver<u64> {
        match self.shops.lock() {
            Ok(mut shops) => shops
                .entry(shop)
                .or_insert_with(|| watch::channel(0).0)
                .subscribe(),
            // A poisoned map only means another thread panicked mid-insert; a detached
            // receiver still works (the stream falls back to its keep-alive re-reads).
            Err(_) => watch::channel(0).1,
        }
    }

    /// Signals that `shop` committed event `seq`.
    pub fn committed(&self, shop: ShopId, seq: u64) {
        if let Ok(shops) = self.shops.lock() {
            if let Some(tx) = shops.get(&shop) {
                tx.send_replace(seq);
            }
        }
    }
}
