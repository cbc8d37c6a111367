//! The connection loop: open the relay's event stream, store each event in the inbox, then
//! acknowledge it; on any break, wait (exponential backoff with jitter) and reconnect.
//!
//! Delivery is at least once. An event is acknowledged only after the inbox holds it, so a
//! till killed between the two gets it again on reconnect, and the inbox's unique relay
//! sequence number absorbs the repeat: the outcome is exactly once.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::FutureExt as _;
use malipo_core::Timestamp;
use malipo_store::Store;
use malipo_vault::Sensitive;
use serde::Serialize;
use tokio::sync::{watch, Notify};

use crate::frame::{decode, Decoded};
use crate::sse::SseReader;

/// Where the till's events come from and how patiently to reconnect.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// The relay's base URL, e.g. `https://relay.example.co.ke`.
    pub relay_url: String,
    /// This till's device token, from the keyring.
    pub device_token: Sensitive<String>,
    /// First wait after a failure; doubles per failure up to `backoff_max`.
    pub backoff_initial: Duration,
    pub backoff_max: Duration,
    /// Acknowledge at least every this many events while a burst is streaming in…
    pub ack_every: u32,
    /// …and as soon as the stream has been quiet this long.
    pub ack_delay: Duration,
    /// A stream silent this long (no event, no keep-alive) is taken as dead.
    pub idle_timeout: Duration,
    pub connect_timeout: Duration,
}

impl SyncConfig {
    /// Defaults for a till: 0.5 s first retry, at most 30 s apart; the relay sends a
    /// keep-alive every 15 s, so 45 s of silence means the link is gone.
    pub fn new(relay_url: impl Into<String>, device_token: Sensitive<String>) -> Self {
        Self {
            relay_url: relay_url.into(),
            device_token,
            backoff_initial: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            ack_every: 256,
            ack_delay: Duration::from_millis(20),
            idle_timeout: Duration::from_secs(45),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// What the status bar shows about the relay link.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    /// The event stream is open.
    pub online: bool,
    /// When the link was last lost (or the client started without one).
    pub offline_since: Option<Timestamp>,
    /// Highest relay sequence number stored in the inbox by this client.
    pub last_stored_seq: Option<i64>,
    /// Highest sequence number the relay confirmed as acknowledged.
    pub last_acked_seq: Option<i64>,
    /// Events newly stored since the client started (repeats not counted).
    pub stored: u64,
    /// Event frames received since the client started, repeats included.
    pub received: u64,
    /// Why the last connection failed, in words a manager can act on.
    pub last_error: Option<String>,
}

/// Where events go. Implemented for the till's [`Store`]; tests may wrap it.
pub trait Inbox: Send + Sync + 'static {
    /// Durably stores one event; `Ok(false)` when its sequence number was stored before.
    fn store(&self, event: &Decoded) -> Result<bool, String>;

    /// Durably stores a burst of events, in order (one commit where the store allows it).
    fn store_all(&self, events: &[Decoded]) -> Result<Vec<bool>, String> {
        events.iter().map(|e| self.store(e)).collect()
    }
}

impl Inbox for Mutex<Store> {
    fn store(&self, event: &Decoded) -> Result<bool, String> {
        self.store_all(std::slice::from_ref(event))
            .map(|new| new.first().copied().unwrap_or(false))
    }

    /// One commit (one fsync) for the whole burst: a backlog drains at disk speed.
    fn store_all(&self, events: &[Decoded]) -> Result<Vec<bool>, String> {
        let rows: Vec<_> = events.iter().map(Decoded::as_inbox).collect();
        let mut store = self
            .lock()
            .map_err(|_| "the till database lock was poisoned".to_owned())?;
        store
            .inbox_insert_many(&rows)
            .map(|ids| ids.into_iter().map(|(_, new)| new).collect())
            .map_err(|e| e.to_string())
    }
}

/// Why one connection ended.
#[derive(Debug, thiserror::Error)]
enum LinkError {
    #[error("cannot reach the relay: {0}")]
    Http(#[from] reqwest::Error),
    #[error("the relay refused this till's device token (check Settings → Relay)")]
    Unauthorized,
    #[error("the relay answered {0}")]
    Status(u16),
    #[error("the relay stream went silent")]
    Idle,
    #[error("the relay closed the stream")]
    Closed,
    #[error("{0}")]
    Frame(#[from] crate::frame::FrameError),
    #[error("{0}")]
    Sse(#[from] crate::sse::SseError),
    #[error("could not store an event in the till database: {0}")]
    Inbox(String),
}

/// The till's relay client. Cheap to clone the status receiver from.
#[derive(Debug)]
pub struct SyncClient {
    config: SyncConfig,
    http: reqwest::Client,
    status: watch::Sender<SyncStatus>,
    stored: Arc<Notify>,
    clock: fn() -> Timestamp,
}

/// The wall clock as a [`Timestamp`].
pub fn system_clock() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    Timestamp(ms)
}

impl SyncClient {
    pub fn new(config: SyncConfig) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .tcp_nodelay(true)
            .build()?;
        let status = watch::Sender::new(SyncStatus {
            offline_since: Some(system_clock()),
            ..SyncStatus::default()
        });
        Ok(Self {
            config,
            http,
            status,
            stored: Arc::new(Notify::new()),
            clock: system_clock,
        })
    }

    /// Follows the link's state.
    pub fn status(&self) -> watch::Receiver<SyncStatus> {
        self.status.subscribe()
    }

    /// Woken each time new events are in the inbox (the engine processes them).
    pub fn stored_signal(&self) -> Arc<Notify> {
        self.stored.clone()
    }

    /// Runs until `shutdown` completes: connect, stream, store, acknowledge, reconnect.
    pub async fn run(&self, inbox: Arc<dyn Inbox>, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut failures: u32 = 0;
        loop {
            let connected = tokio::select! {
                result = self.connect_once(inbox.as_ref()) => result,
                () = &mut shutdown => return,
            };
            let (was_up, error) = connected;
            if was_up {
                failures = 0;
            }
            let now = (self.clock)();
            tracing::warn!(error = %error, "relay link down");
            self.status.send_modify(|s| {
                if s.online || s.offline_since.is_none() {
                    s.offline_since = Some(now);
                }
                s.online = false;
                s.last_error = Some(error.to_string());
            });
            let wait = backoff(
                &self.config,
                failures,
                matches!(error, LinkError::Unauthorized),
            );
            failures = failures.saturating_add(1);
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = &mut shutdown => return,
            }
        }
    }

    /// One connection, until it breaks. Returns whether the stream was open and why it ended.
    async fn connect_once(&self, inbox: &dyn Inbox) -> (bool, LinkError) {
        let url = format!(
            "{}/till/v1/events",
            self.config.relay_url.trim_end_matches('/')
        );
        let response = match self
            .http
            .get(url)
            .header(
                reqwest::header::AUTHORIZATION,
                format!("Bearer {}", self.config.device_token.expose()),
            )
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .send()
            .await
        {
            Ok(r) => r,
            Err(e) => return (false, LinkError::Http(e.without_url())),
        };
        match response.status().as_u16() {
            200 => {}
            401 | 403 => return (false, LinkError::Unauthorized),
            other => return (false, LinkError::Status(other)),
        }
        tracing::info!("relay link up");
        self.status.send_modify(|s| {
            s.online = true;
            s.offline_since = None;
            s.last_error = None;
        });
        (true, self.stream(response, inbox).await)
    }

    async fn stream(&self, mut response: reqwest::Response, inbox: &dyn Inbox) -> LinkError {
        let mut reader = SseReader::new();
        // Stored but not yet acknowledged: (highest sequence, how many).
        let mut unacked: Option<(i64, u32)> = None;
        loop {
            // Wait for bytes; when some events wait for their acknowledgement, wait only
            // briefly — a quiet moment is when to acknowledge.
            let wait = if unacked.is_some() {
                self.config.ack_delay
            } else {
                self.config.idle_timeout
            };
            let chunk = match tokio::time::timeout(wait, response.chunk()).await {
                Err(_) => match unacked.take() {
                    Some((seq, _)) => {
                        if let Err(e) = self.ack(seq).await {
                            return e;
                        }
                        continue;
                    }
                    None => return LinkError::Idle,
                },
                Ok(Err(e)) => return LinkError::Http(e.without_url()),
                Ok(Ok(None)) => return LinkError::Closed,
                Ok(Ok(Some(bytes))) => bytes,
            };
            reader.feed(&chunk);
            // Whatever else has already arrived joins this burst.
            while let Some(Ok(Some(more))) = response.chunk().now_or_never() {
                reader.feed(&more);
            }
            // Every complete event in the buffer: stored in one commit per `ack_every`.
            loop {
                let mut burst = Vec::new();
                while burst.len() < self.config.ack_every as usize {
                    let message = match reader.next_message() {
                        Ok(Some(m)) => m,
                        Ok(None) => break,
                        Err(e) => return e.into(),
                    };
                    if message.event != "event" {
                        continue;
                    }
                    match decode(&message.data) {
                        Ok(e) => burst.push(e),
                        Err(e) => return e.into(),
                    }
                }
                let Some(last) = burst.last().map(|e| e.seq) else {
                    break;
                };
                let new = match inbox.store_all(&burst) {
                    Ok(new) => new,
                    Err(e) => return LinkError::Inbox(e),
                };
                let fresh = new.iter().filter(|n| **n).count() as u64;
                self.status.send_modify(|s| {
                    s.last_stored_seq = Some(last);
                    s.received += burst.len() as u64;
                    s.stored += fresh;
                });
                if fresh > 0 {
                    self.stored.notify_one();
                }
                let count = unacked.map_or(0, |(_, n)| n) + burst.len() as u32;
                unacked = Some((last, count));
                if count >= self.config.ack_every {
                    unacked = None;
                    if let Err(e) = self.ack(last).await {
                        return e;
                    }
                }
            }
        }
    }

    async fn ack(&self, seq: i64) -> Result<(), LinkError> {
        let url = format!(
            "{}/till/v1/ack",
            self.config.relay_url.trim_end_matches('/')
        );
        let response = self
            .http
            .post(url)
            .header(
                reqwest::header::AUTHORIZATION,
                format!("Bearer {}", self.config.device_token.expose()),
            )
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(format!("{{\"seq\":{seq}}}"))
            .send()
            .await
            .map_err(|e| LinkError::Http(e.without_url()))?;
        match response.status().as_u16() {
            200 => {
                self.status.send_modify(|s| s.last_acked_seq = Some(seq));
                Ok(())
            }
            401 | 403 => Err(LinkError::Unauthorized),
            other => Err(LinkError::Status(other)),
        }
    }
}

/// How long to wait after `failures` consecutive failures: exponential from
/// `backoff_initial`, capped at `backoff_max`, with "equal jitter" (half fixed, half random)
/// so a shop's tills do not reconnect in lockstep after the relay restarts. A refused token
/// waits the maximum: retrying fast cannot fix it.
fn backoff(config: &SyncConfig, failures: u32, refused: bool) -> Duration {
    let cap = config.backoff_max;
    let base = if refused {
        cap
    } else {
        config
            .backoff_initial
            .saturating_mul(1u32 << failures.min(16))
            .min(cap)
    };
    let half = base / 2;
    let jitter_ms = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
    half + Duration::from_millis(fastrand::u64(0..=jitter_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let config = SyncConfig::new("http://x", Sensitive::new(String::new()));
        let first = backoff(&config, 0, false);
        assert!(first >= Duration::from_millis(250) && first <= Duration::from_millis(500));
        let third = backoff(&config, 2, false);
        assert!(third >= Duration::from_secs(1) && third <= Duration::from_secs(2));
        for failures in [10, 20, 1000] {
            let late = backoff(&config, failures, false);
            assert!(late >= Duration::from_secs(15) && late <= Duration::from_secs(30));
        }
        let refused = backoff(&config, 0, true);
        assert!(refused >= Duration::from_secs(15));
        let spread: std::collections::HashSet<_> =
            (0..50).map(|_| backoff(&config, 3, false)).collect();
        assert!(spread.len() > 1, "jitter varies the wait");
    }
}
