//! Per-shop rate limit on provider-facing requests: a token bucket per shop, refilled from the
//! relay's clock.
//!
//! It protects the disk and the till from a leaked endpoint URL being replayed in bulk. It is
//! keyed by shop (after the token lookup), so a flood of random tokens cannot grow it. Off by
//! default: Daraja does not retry an STK callback it got a 429 for, so a limit must be set well
//! above any real shop's payment rate.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::store::ShopId;

/// Sustained rate and burst allowed per shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub per_second: u32,
    pub burst: u32,
}

/// Thousandths of a request, so refill needs no fractions.
const MILLI: u64 = 1000;

#[derive(Debug)]
struct Bucket {
    milli_tokens: u64,
    at_ms: i64,
}

/// The buckets of every shop seen.
#[derive(Debug, Default)]
pub struct Limiter {
    buckets: Mutex<HashMap<ShopId, Bucket>>,
}

impl Limiter {
    /// Takes one request from `shop`'s bucket at `now_ms`; `false` when it is empty.
    pub fn admit(&self, limit: RateLimit, shop: ShopId, now_ms: i64) -> bool {
        let Ok(mut buckets) = self.buckets.lock() else {
            // Failing open: refusing every provider because of a poisoned map loses payments.
            return true;
        };
        let cap = u64::from(limit.burst).saturating_mul(MILLI);
        let bucket = buckets.entry(shop).or_insert(Bucket {
            milli_tokens: cap,
            at_ms: now_ms,
        });
        let elapsed = u64::try_from(now_ms.saturating_sub(bucket.at_ms)).unwrap_or(0);
        let refill = elapsed.saturating_mul(u64::from(limit.per_second));
        bucket.milli_tokens = bucket.milli_tokens.saturating_add(refill).min(cap);
        bucket.at_ms = bucket.at_ms.max(now_ms);
        if bucket.milli_tokens >= MILLI {
            bucket.milli_tokens -= MILLI;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_sustained_rate() {
        let limiter = Limiter::default();
        let limit = RateLimit {
            per_second: 2,
            burst: 3,
        };
        let (a, b) = (ShopId(1), ShopId(2));
        assert!((0..3).all(|_| limiter.admit(limit, a, 0)));
        assert!(!limiter.admit(limit, a, 0));
        assert!(limiter.admit(limit, b, 0), "shops have their own buckets");
        assert!(!limiter.admit(limit, a, 499));
        assert!(limiter.admit(limit, a, 500), "2/s refills one every 500 ms");
        assert!(
            !limiter.admit(limit, a, 100),
            "a clock going back refills nothing"
        );
        assert!((0..3).all(|_| limiter.admit(limit, a, 60_000)));
        assert!(
            !limiter.admit(limit, a, 60_000),
            "never more than the burst"
        );
    }
}
