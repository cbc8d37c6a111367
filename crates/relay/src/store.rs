//! The storage boundary: [`EventStore`] is everything the relay asks of its database.
//!
//! SQLite ([`crate::sqlite::SqliteStore`]) is the embedded default. The trait is synchronous on
//! purpose — implementations do blocking IO and the server calls them on the blocking pool — and
//! `append` returns only once the event is durable, because the provider is answered right
//! after it.

use crate::token::TokenHash;

/// A shop's id in the relay (not a secret; tokens are the secrets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ShopId(pub i64);

/// A till device's id in the relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeviceId(pub i64);

/// A till device as found by its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Device {
    pub id: DeviceId,
    pub shop: ShopId,
}

/// An event as received, before it has a sequence number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// The path segment it arrived on (`stk`, `paystack`, …).
    pub kind: String,
    /// Milliseconds since the Unix epoch when the relay received it.
    pub received_ms: i64,
    /// The peer address the request came from.
    pub source: String,
    /// The headers that matter (content type, signatures), name lowercase, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The body exactly as received.
    pub body: Vec<u8>,
}

/// An event as stored: the received event plus its per-shop sequence number (1, 2, 3, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub seq: u64,
    pub event: NewEvent,
}

/// A storage failure. The message never contains a token.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed (disk, corruption, lock).
    #[error("relay database error: {0}")]
    Database(String),
    /// A shop or device that should exist does not.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// A token hash collided with an existing one (practically impossible with random tokens).
    #[error("token already registered")]
    DuplicateToken,
}

/// What the relay stores: shops, their till devices, and each shop's ordered event log.
pub trait EventStore: Send + Sync + 'static {
    /// Registers a shop reached at the endpoint token hashing to `endpoint`.
    fn create_shop(
        &self,
        name: &str,
        endpoint: &TokenHash,
        now_ms: i64,
    ) -> Result<ShopId, StoreError>;

    /// Registers a till device of `shop` authenticated by the token hashing to `token`.
    fn create_device(
        &self,
        shop: ShopId,
        name: &str,
        token: &TokenHash,
        now_ms: i64,
    ) -> Result<DeviceId, StoreError>;

    /// The shop whose endpoint token hashes to `endpoint`.
    fn shop_by_endpoint(&self, endpoint: &TokenHash) -> Result<Option<ShopId>, StoreError>;

    /// The device whose token hashes to `token`.
    fn device_by_token(&self, token: &TokenHash) -> Result<Option<Device>, StoreError>;

    /// Appends `event` to `shop`'s log and returns its sequence number, once it is durable.
    fn append(&self, shop: ShopId, event: &NewEvent) -> Result<u64, StoreError>;

    /// Up to `limit` of `shop`'s events with sequence numbers above `after`, in order.
    fn events_after(
        &self,
        shop: ShopId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, StoreError>;

    /// Records that `device` holds every event up to `seq` (cumulative; never moves back, never
    /// beyond the shop's last event). Returns the device's acknowledged sequence afterwards.
    fn acknowledge(&self, device: DeviceId, seq: u64) -> Result<u64, StoreError>;

    /// The last sequence number `device` acknowledged (0 before any).
    fn acknowledged(&self, device: DeviceId) -> Result<u64, StoreError>;

    /// Replaces `shop`'s endpoint token: the old URL stops working at once, the shop's log and
    /// its tills' acknowledgements are untouched.
    fn rotate_endpoint(&self, shop: ShopId, endpoint: &TokenHash) -> Result<(), StoreError>;

    /// Replaces `device`'s token, keeping its acknowledgement mark; returns the device.
    fn rotate_device(&self, device: DeviceId, token: &TokenHash) -> Result<Device, StoreError>;

    /// Deletes events received before `before_ms` that every till of their shop has
    /// acknowledged (a shop without tills keeps everything). Returns how many went.
    fn prune_acknowledged(&self, before_ms: i64) -> Result<u64, StoreError>;

    /// The last sequence number assigned in `shop` (0 before any event).
    fn last_seq(&self, shop: ShopId) -> Result<u64, StoreError>;
}
