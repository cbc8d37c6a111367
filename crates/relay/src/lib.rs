//! `malipo-relay` — the public webhook relay: receives provider callbacks for tills that have
//! no public address, stores them byte-for-byte per shop, and streams them to the shop's till.
//!
//! Layout:
//! - [`app`] builds the whole HTTP surface from an [`AppState`]; [`run`] serves it on a listener
//!   until a shutdown future completes (the binary and the tests both start it this way).
//! - `ingest` — provider-facing `POST /h/{endpoint_token}/{kind}`: store first, then answer the
//!   provider as it expects ([`EventKind::accepted`]).
//! - `stream` — till-facing `GET /till/v1/events` (Server-Sent Events from the device's last
//!   acknowledged sequence) and `POST /till/v1/ack`.
//! - [`store`] — the [`EventStore`] trait; [`sqlite`] — its SQLite implementation.
//! - [`allow`] — optional per-provider source-address allowlists; [`limit`] — per-shop rate
//!   limit; [`metrics`] — counters for `GET /metrics` (and `GET /healthz`).
//! - [`token`] — random tokens, stored only as SHA-256 hashes; [`admin`] — registering shops
//!   and tills (used by the binary's subcommands).
//!
//! Rules: the relay never parses money out of an event, never re-serialises a body, never holds
//! a provider secret, and never logs a token. How to make a change here: new endpoints go in
//! [`app`] and are tested with `tower::ServiceExt::oneshot` (`tests/ingest.rs`); anything about
//! the live stream is tested over a real loopback socket (`tests/stream.rs`).

pub mod admin;
pub mod allow;
mod ingest;
pub mod kind;
pub mod limit;
pub mod metrics;
mod notify;
pub mod sqlite;
pub mod store;
mod stream;
pub mod token;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

pub use kind::EventKind;
pub use sqlite::SqliteStore;
pub use store::{Device, DeviceId, EventStore, NewEvent, ShopId, StoreError, StoredEvent};
pub use stream::{Ack, EventFrame};
pub use token::{Token, TokenHash};

/// Milliseconds since the Unix epoch, as the relay's clock reads them. Passed in so tests
/// control time.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The wall clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    })
}

/// Server settings.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// Largest provider body accepted, in bytes (larger ones get 413 and are not stored).
    pub body_limit: usize,
    /// Events read from the store per batch when streaming to a till.
    pub stream_batch: usize,
    /// Interval between keep-alive comments on an idle till stream.
    pub keep_alive: std::time::Duration,
    /// Per-provider source allowlists (none configured: any source).
    pub allow: allow::SourceAllowlists,
    /// How long an event every till of its shop has acknowledged is kept; `None` keeps
    /// everything. Unacknowledged events are never pruned.
    pub retention: Option<std::time::Duration>,
    /// How often [`run`] prunes (when `retention` is set).
    pub prune_every: std::time::Duration,
    /// Per-shop limit on provider requests (`None`: unlimited; see [`limit`]).
    pub rate_limit: Option<limit::RateLimit>,
    /// Longest a provider waits for its answer; past it, a 503 (it retries) instead of holding
    /// its connection while the disk is stuck.
    pub answer_within: std::time::Duration,
}

impl Default for RelayConfig {
    fn default() -> Self {
        Self {
            // Daraja and Paystack callbacks are a few KiB; 64 KiB leaves room without letting
            // a stranger fill the disk one request at a time.
            body_limit: 64 * 1024,
            stream_batch: 256,
            keep_alive: std::time::Duration::from_secs(15),
            allow: allow::SourceAllowlists::default(),
            retention: None,
            prune_every: std::time::Duration::from_secs(600),
            rate_limit: None,
            // Well inside the few seconds Safaricom waits on a C2B validation answer.
            answer_within: std::time::Duration::from_secs(4),
        }
    }
}

/// Everything the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub(crate) store: Arc<dyn EventStore>,
    pub(crate) clock: Clock,
    pub(crate) config: RelayConfig,
    pub(crate) notify: Arc<notify::Notifier>,
    pub(crate) limiter: Arc<limit::Limiter>,
    pub(crate) metrics: Arc<metrics::Metrics>,
    /// Becomes `true` when [`run`]'s shutdown begins, so open till streams end and the graceful
    /// shutdown is not held up by connections that never close on their own.
    pub(crate) closing: Arc<tokio::sync::watch::Sender<bool>>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// State over `store`, reading time from `clock`.
    pub fn new(store: Arc<dyn EventStore>, clock: Clock, config: RelayConfig) -> Self {
        Self {
            store,
            clock,
            config,
            notify: Arc::new(notify::Notifier::default()),
            limiter: Arc::new(limit::Limiter::default()),
            metrics: Arc::new(metrics::Metrics::default()),
            closing: Arc::new(tokio::sync::watch::channel(false).0),
        }
    }
}

/// The relay's routes. Serve with connect info (see [`run`]): the source address of each
/// provider request is stored with the event.
pub fn app(state: AppState) -> Router {
    let limit = state.config.body_limit;
    Router::new()
        .route("/h/{endpoint_token}/{kind}", post(ingest::receive))
        .route("/till/v1/events", get(stream::events))
        .route("/till/v1/ack", post(stream::ack))
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/metrics",
            get(
                |axum::extract::State(s): axum::extract::State<AppState>| async move {
                    s.metrics.render()
                },
            ),
        )
        .layer(DefaultBodyLimit::max(limit))
        // One span per request naming the route *template*: the path itself carries the
        // endpoint token, which must never reach a log.
        .layer(
            tower_http::trace::TraceLayer::new_for_http().make_span_with(
                |req: &axum::http::Request<axum::body::Body>| {
                    let route = req
                        .extensions()
                        .get::<axum::extract::MatchedPath>()
                        .map_or("unmatched", |p| p.as_str());
                    tracing::info_span!("request", method = %req.method(), route = %route)
                },
            ),
        )
        .with_state(state)
}

/// Serves the relay on `listener` until `shutdown` completes.
pub async fn run(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    tracing::info!(addr = ?listener.local_addr().ok(), "relay listening");
    let pruner = state
        .config
        .retention
        .map(|keep| tokio::spawn(prune_forever(state.clone(), keep)));
    let closing = state.closing.clone();
    let shutdown = async move {
        shutdown.await;
        tracing::info!("relay shutting down; closing till streams");
        closing.send_replace(true);
    };
    // Till frames are small writes pushed as events commit; without TCP_NODELAY, Nagle's
    // algorithm holds them for the peer's delayed ACK (up to 40 ms on Linux).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "cannot set TCP_NODELAY");
        }
    });
    let served = axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    if let Some(pruner) = pruner {
        pruner.abort();
    }
    served
}

/// Deletes acknowledged events older than `keep`, every `prune_every`.
async fn prune_forever(state: AppState, keep: std::time::Duration) {
    let keep_ms = i64::try_from(keep.as_millis()).unwrap_or(i64::MAX);
    let mut every = tokio::time::interval(state.config.prune_every);
    loop {
        every.tick().await;
        let before = (state.clock)().saturating_sub(keep_ms);
        let store = state.store.clone();
        match blocking(move || store.prune_acknowledged(before)).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(pruned = n, "acknowledged events pruned"),
            Err(e) => tracing::error!(error = %e, "pruning failed; will retry"),
        }
    }
}

/// Runs blocking store work off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Database(format!("store task failed: {e}")))?
}
