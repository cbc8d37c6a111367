//! Counters for `GET /metrics` (Prometheus text format): what was stored, what was refused and
//! why, and how many till streams are open. No labels carry a shop or a token.

use std::sync::atomic::{AtomicU64, Ordering};

/// The relay's counters, shared by every handler.
#[derive(Debug, Default)]
pub struct Metrics {
    pub stored: AtomicU64,
    pub store_failed: AtomicU64,
    pub unknown_endpoint: AtomicU64,
    pub outside_allowlist: AtomicU64,
    pub rate_limited: AtomicU64,
    pub streams_open: AtomicU64,
    pub acks: AtomicU64,
}

/// Adds one to `counter`.
pub fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl Metrics {
    /// The exposition text.
    pub fn render(&self) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut out = String::new();
        out.push_str("# TYPE relay_events_stored_total counter\n");
        out.push_str(&format!(
            "relay_events_stored_total {}\n",
            get(&self.stored)
        ));
        out.push_str("# TYPE relay_events_refused_total counter\n");
        for (reason, c) in [
            ("store_failed", &self.store_failed),
            ("unknown_endpoint", &self.unknown_endpoint),
            ("outside_allowlist", &self.outside_allowlist),
            ("rate_limited", &self.rate_limited),
        ] {
            out.push_str(&format!(
                "relay_events_refused_total{{reason=\"{reason}\"}} {}\n",
                get(c)
            ));
        }
        out.push_str("# TYPE relay_till_streams_open gauge\n");
        out.push_str(&format!(
            "relay_till_streams_open {}\n",
            get(&self.streams_open)
        ));
        out.push_str("# TYPE relay_acks_total counter\n");
        out.push_str(&format!("relay_acks_total {}\n", get(&self.acks)));
        out
    }
}

/// Decrements the open-stream gauge when a till stream ends, however it ends.
#[derive(Debug)]
pub struct StreamGuard(pub std::sync::Arc<Metrics>);

impl StreamGuard {
    /// Counts a newly opened stream.
    pub fn open(metrics: std::sync::Arc<Metrics>) -> Self {
        bump(&metrics.streams_open);
        Self(metrics)
    }
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.0.streams_open.fetch_sub(1, Ordering::Relaxed);
    }
}
