//! Time as data: a UTC instant in milliseconds, passed in by the caller, never read here.

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch, UTC. The clock lives at the edges (the shell, the
/// engine); the domain only compares and offsets instants it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Milliseconds since the epoch.
    pub const fn millis(self) -> i64 {
        self.0
    }

    /// This instant plus `ms` milliseconds (saturating).
    pub const fn plus_ms(self, ms: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(ms))
    }

    /// This instant minus `ms` milliseconds (saturating).
    pub const fn minus_ms(self, ms: i64) -> Timestamp {
        Timestamp(self.0.saturating_sub(ms))
    }
}
