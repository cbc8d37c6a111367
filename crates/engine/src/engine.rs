//! The [`Engine`]: one per till, shared by the shell's commands and its background task.
//!
//! It holds the store (behind a mutex: SQLite calls are short and never cross an `.await`),
//! the provider clients built from the shop's settings, and a broadcast channel of
//! [`EngineEvent`]s the shell forwards to the window.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use malipo_core::{Currency, Money, SaleStatus, TargetRef, Timestamp};
use malipo_providers::daraja::{DarajaClient, DarajaConfig};
use malipo_providers::paystack::PaystackClient;
use malipo_store::{AttemptRow, PostOutcome, Store};
use malipo_vault::Sensitive;
use serde::Serialize;
use tokio::sync::{broadcast, Notify};

use crate::error::EngineError;

/// The till's database as the engine, the sync client and the shell share it.
pub type SharedStore = Arc<Mutex<Store>>;

/// Who the engine is in the audit log.
pub const ENGINE_ACTOR: &str = "engine";

/// The store setting that turns refunds on (`on`); anything else is off.
pub const REFUNDS_SETTING: &str = "refunds.enabled";

/// Paystack for this shop: where to reach it and the secret key (also the webhook key).
#[derive(Debug, Clone)]
pub struct PaystackSetup {
    pub base_url: String,
    pub secret_key: Sensitive<String>,
    pub public_key: String,
}

/// ClickPesa (BillPay) for this shop.
#[derive(Debug, Clone)]
pub struct ClickPesaSetup {
    pub base_url: String,
    pub client_id: String,
    pub api_key: Sensitive<String>,
    /// The application's checksum key, when the shop turned checksums on.
    pub checksum_key: Option<Sensitive<String>>,
}

/// What the engine needs to know about the shop and its providers.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub shop_name: String,
    pub currency: Currency,
    pub daraja: Option<DarajaConfig>,
    /// The relay URL Daraja posts STK results to.
    pub stk_callback_url: Option<String>,
    /// The relay URL reversal results go to (and the queue-timeout URL).
    pub result_url: Option<String>,
    pub timeout_url: Option<String>,
    pub paystack: Option<PaystackSetup>,
    pub clickpesa: Option<ClickPesaSetup>,
    /// Seed 003: query every 8 s, 12 times (96 s), while waiting for an STK confirmation.
    pub stk_query_every: Duration,
    pub stk_max_queries: u32,
    /// Past the window, the resolver asks again with backoff this many times.
    pub resolver_retries: u32,
    /// How long a sale waits for a Till payment of its amount (also what posting matches a
    /// Till confirmation against: the engine sets the store's posting rules from it).
    pub till_window: Duration,
    /// How often the missed-confirmation sweep looks for C2B validations whose confirmation
    /// never came.
    pub sweep_every: Duration,
    /// How long after its validation a C2B confirmation counts as missed.
    pub missed_after: Duration,
    /// The receipt senders (email/SMS); `None`: receipts queue and wait to be sent.
    pub receipts: Option<Arc<malipo_notify::Outbox>>,
}

impl EngineConfig {
    /// Defaults for a shop with no providers configured yet.
    pub fn new(shop_name: impl Into<String>, currency: Currency) -> Self {
        Self {
            shop_name: shop_name.into(),
            currency,
            daraja: None,
            stk_callback_url: None,
            result_url: None,
            timeout_url: None,
            paystack: None,
            clickpesa: None,
            stk_query_every: Duration::from_secs(8),
            stk_max_queries: 12,
            resolver_retries: 5,
            till_window: Duration::from_secs(10 * 60),
            sweep_every: Duration::from_secs(30),
            missed_after: Duration::from_secs(2 * 60),
            receipts: None,
        }
    }

    /// How long the till waits for an STK confirmation before it says "no response".
    pub fn stk_window(&self) -> Duration {
        self.stk_query_every.saturating_mul(self.stk_max_queries)
    }
}

/// What the window needs to hear about, as it happens.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EngineEvent {
    /// An attempt moved (or the till stopped waiting for it).
    AttemptChanged { attempt: AttemptRow, stopped: bool },
    /// Money was placed on a sale, or its status changed.
    SaleChanged { sale_id: i64 },
    /// A sale was just paid in full (sent once per sale): time to print its receipt.
    SaleCompleted { sale_id: i64 },
    /// The unmatched receipts (incoming payments) changed.
    IncomingChanged,
    /// An inbox event could not be processed; it is kept and can be retried.
    InboxProblem { inbox_id: i64, detail: String },
    /// A confirmation reached the ledger: a new payment (`posted`, `unmatched`), or a repeat
    /// of one already there (`duplicate`, `conflict`), with the payment it is about.
    PaymentPosted { payment_id: i64, outcome: String },
}

/// The STK waiting schedule of one attempt (in memory; rebuilt from the attempt after a restart).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wait {
    pub queries: u32,
    pub next_at: Timestamp,
    pub stopped: bool,
}

pub(crate) struct Inner {
    pub store: SharedStore,
    pub config: EngineConfig,
    pub daraja: Option<DarajaClient>,
    pub paystack: Option<PaystackClient>,
    pub clickpesa: Option<malipo_providers::clickpesa::ClickPesaClient>,
    pub events: broadcast::Sender<EngineEvent>,
    pub clock: fn() -> Timestamp,
    pub waits: Mutex<HashMap<i64, Wait>>,
    pub contacts: Mutex<HashMap<i64, crate::receipts::CustomerContact>>,
    /// Transaction status queries in flight: originator conversation id → receipt.
    pub status_queries: Mutex<HashMap<String, crate::flows::sweep::Asked>>,
    /// The last C2B validation the missed-confirmation sweep looked at (inbox id).
    pub sweep_mark: Mutex<i64>,
    pub work: Notify,
}

/// The till's payment engine. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("shop", &self.inner.config.shop_name)
            .finish_non_exhaustive()
    }
}

/// The wall clock.
pub fn system_clock() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    Timestamp(ms)
}

impl Engine {
    /// An engine over `store` with the providers `config` names.
    pub fn new(store: SharedStore, config: EngineConfig) -> Result<Engine, EngineError> {
        Self::with_clock(store, config, system_clock)
    }

    /// As [`Engine::new`], reading time from `clock` (tests).
    pub fn with_clock(
        store: SharedStore,
        config: EngineConfig,
        clock: fn() -> Timestamp,
    ) -> Result<Engine, EngineError> {
        let daraja = match &config.daraja {
            Some(c) => Some(
                DarajaClient::new(c.clone()).map_err(|e| EngineError::Provider(e.to_string()))?,
            ),
            None => None,
        };
        let paystack = match &config.paystack {
            Some(p) => Some(
                PaystackClient::new(p.base_url.clone(), p.secret_key.clone())
                    .map_err(|e| EngineError::Provider(e.to_string()))?,
            ),
            None => None,
        };
        let clickpesa = match &config.clickpesa {
            Some(c) => Some(
                malipo_providers::clickpesa::ClickPesaClient::new(
                    c.base_url.clone(),
                    c.client_id.clone(),
                    c.api_key.clone(),
                )
                .map_err(|e| EngineError::Provider(e.to_string()))?,
            ),
            None => None,
        };
        // Posting matches Till payments within the shop's window, not the store's default.
        {
            let mut store = store.lock().map_err(|_| EngineError::Poisoned)?;
            let mut rules = store.posting_rules();
            rules.till_window_ms =
                i64::try_from(config.till_window.as_millis()).unwrap_or(i64::MAX);
            store.set_posting_rules(rules);
        }
        let (events, _) = broadcast::channel(1024);
        Ok(Engine {
            inner: Arc::new(Inner {
                store,
                config,
                daraja,
                paystack,
                clickpesa,
                events,
                clock,
                waits: Mutex::new(HashMap::new()),
                contacts: Mutex::new(HashMap::new()),
                status_queries: Mutex::new(HashMap::new()),
                sweep_mark: Mutex::new(0),
                work: Notify::new(),
            }),
        })
    }

    /// Follows what happens (attempts, sales, incoming payments).
    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.inner.events.subscribe()
    }

    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    pub(crate) fn now(&self) -> Timestamp {
        (self.inner.clock)()
    }

    pub(crate) fn store(&self) -> Result<MutexGuard<'_, Store>, EngineError> {
        self.inner.store.lock().map_err(|_| EngineError::Poisoned)
    }

    pub(crate) fn emit(&self, event: EngineEvent) {
        // No receiver (no window yet) is fine: the store holds the truth.
        let _ = self.inner.events.send(event);
    }

    pub(crate) fn emit_attempt(&self, id: i64) {
        let stopped = self.is_stopped(id);
        if let Ok(attempt) = self.store().and_then(|s| Ok(s.attempt_get(id)?)) {
            self.emit(EngineEvent::AttemptChanged { attempt, stopped });
        }
    }

    /// Moves an attempt to `state` with its reason and tells the window.
    pub(crate) fn close_attempt(
        &self,
        attempt_id: i64,
        state: malipo_core::AttemptState,
        reason: &str,
    ) -> Result<(), EngineError> {
        let now = self.now();
        self.store()?
            .attempt_transition(attempt_id, state, Some(reason), now)?;
        self.emit_attempt(attempt_id);
        Ok(())
    }

    /// The provider refused or could not be reached when the attempt was raised: the attempt
    /// fails with `reason`, which is also the cashier's error.
    pub(crate) fn provider_refused(&self, attempt_id: i64, reason: String) -> EngineError {
        match self.close_attempt(attempt_id, malipo_core::AttemptState::Failed, &reason) {
            Ok(()) => EngineError::Provider(reason),
            Err(e) => e,
        }
    }

    /// Whether the cashier pressed "Stop waiting" on this attempt. Reads only the engine's
    /// own wait list, never the store, so it may be asked while the store is locked (as
    /// `Register::sale_cancel` does).
    pub fn is_stopped(&self, attempt_id: i64) -> bool {
        self.inner
            .waits
            .lock()
            .map(|w| w.get(&attempt_id).is_some_and(|w| w.stopped))
            .unwrap_or(false)
    }

    /// An attempt and whether the till stopped waiting for it.
    pub fn attempt(&self, id: i64) -> Result<(AttemptRow, bool), EngineError> {
        let row = self.store()?.attempt_get(id)?;
        Ok((row, self.is_stopped(id)))
    }

    /// After money moved: completes a sale whose balance reached zero and tells the window.
    pub(crate) fn after_post(&self, outcome: &PostOutcome) -> Result<(), EngineError> {
        let payment_id = outcome.payment_id();
        self.emit(EngineEvent::PaymentPosted {
            payment_id,
            outcome: outcome.code().to_owned(),
        });
        let targets: Vec<TargetRef> = {
            let store = self.store()?;
            store
                .allocations_for(payment_id)?
                .into_iter()
                .map(|a| a.target)
                .collect()
        };
        for target in targets {
            if let TargetRef::Sale(id) = target {
                if self.complete_if_paid(id)? {
                    self.emit(EngineEvent::SaleCompleted { sale_id: id });
                    // A receipt that cannot be queued never undoes or blocks the sale.
                    if let Err(e) = self.queue_receipts(id) {
                        tracing::warn!(sale = id, error = %e, "receipt not queued");
                    }
                    self.inner.work.notify_one();
                }
                self.emit(EngineEvent::SaleChanged { sale_id: id });
            }
        }
        if matches!(outcome, PostOutcome::Unmatched { .. }) {
            self.emit(EngineEvent::IncomingChanged);
        }
        Ok(())
    }

    /// Closes an open sale once nothing is left to pay.
    pub(crate) fn complete_if_paid(&self, sale_id: i64) -> Result<bool, EngineError> {
        let now = self.now();
        let mut store = self.store()?;
        let sale = store.sale_get(sale_id)?;
        if sale.status != SaleStatus::Open {
            return Ok(false);
        }
        let balance = store.balance(TargetRef::Sale(sale_id))?;
        if balance.balance.minor > 0 {
            return Ok(false);
        }
        store.sale_set_status(sale_id, SaleStatus::Completed, ENGINE_ACTOR, now)?;
        tracing::info!(sale = %sale.number, "sale paid in full");
        Ok(true)
    }

    /// What is still to pay on a sale.
    pub fn sale_balance(&self, sale_id: i64) -> Result<Money, EngineError> {
        Ok(self.store()?.balance(TargetRef::Sale(sale_id))?.balance)
    }

    /// Runs the background work until `shutdown`: processes new inbox events as the sync
    /// client signals them, every second resolves STK attempts that are due a query, and
    /// every `sweep_every` asks M-Pesa about validated C2B payments whose confirmation never
    /// came.
    pub async fn run(&self, inbox_signal: Arc<Notify>, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut next_sweep = tokio::time::Instant::now();
        loop {
            if let Err(e) = self.process_inbox() {
                tracing::error!(error = %e, "inbox processing failed; will retry");
            }
            self.resolve_due().await;
            if tokio::time::Instant::now() >= next_sweep {
                if let Err(e) = self.sweep_missed().await {
                    tracing::warn!(error = %e, "missed-confirmation sweep stopped; will retry");
                }
                next_sweep = tokio::time::Instant::now() + self.inner.config.sweep_every;
            }
            if let Err(e) = self.send_due_receipts().await {
                tracing::warn!(error = %e, "receipts not sent this round; will retry");
            }
            tokio::select! {
                () = inbox_signal.notified() => {}
                () = self.inner.work.notified() => {}
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
                () = &mut shutdown => return,
            }
        }
    }
}
