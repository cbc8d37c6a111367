//! The till's backend as the window sees it, without Tauri types: the store ([`Till`]), the
//! register, the payment engine, the vault, and — in training mode — the sandbox rig
//! (simulators + relay on loopback) with the sync client feeding the inbox. [`Backend::start`]
//! wires them; [`Backend::forward`] turns what happens into the contract's events.
//!
//! Training (the default, and for now the only mode `Till` runs) needs no credentials: the
//! rig's sandbox values go into an in-memory vault, so nothing is written to the OS keyring.

use std::path::Path;
use std::sync::Arc;

use malipo_core::Currency;
use malipo_engine::register::{DarajaInput, PaystackInput, Register, RegisterError, ShopInput};
use malipo_engine::{Engine, EngineConfig, EngineEvent, PaystackSetup};
use malipo_providers::daraja::{DarajaConfig, Environment};
use malipo_relay::EventKind;
use malipo_sync::{SyncClient, SyncConfig, SyncStatus};
use malipo_training::Rig;
use malipo_vault::{MemoryVault, SecretKey, SecretName, SecretVault, Sensitive};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::convert;
use crate::till::{StartupError, Till};

/// This till's id: the prefix of its sale numbers.
pub const TILL_ID: &str = "T1";

/// The vault's shop id in training mode.
pub const TRAINING_SHOP_ID: &str = "training";

/// The training shop's name until a manager changes it.
pub const TRAINING_SHOP_NAME: &str = "Duka la Mafunzo";

/// Who startup is in the audit log.
const STARTUP_ACTOR: &str = "training";

/// Where events go: the event name and its JSON payload (Tauri's `emit` in the app).
pub type Emit = Arc<dyn Fn(&str, serde_json::Value) + Send + Sync>;

/// The running backend.
pub struct Backend {
    pub till: Till,
    pub register: Arc<Register>,
    pub engine: Engine,
    pub vault: Arc<dyn SecretVault>,
    pub rig: Option<Rig>,
    pub sync_status: watch::Receiver<SyncStatus>,
    pub shop_name: String,
    pub currency: Currency,
    pub(crate) emit: Option<Emit>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend")
            .field("till", &self.till)
            .field("training", &self.rig.is_some())
            .finish_non_exhaustive()
    }
}

fn register_error(e: RegisterError) -> StartupError {
    StartupError::Backend(e.to_string())
}

fn secret(value: &str) -> Sensitive<String> {
    Sensitive::new(value.to_owned())
}

impl Backend {
    /// Starts the training backend over `till`: the rig under `data_dir/training`, the vault
    /// with the sandbox credentials, the training users, the engine and the sync client.
    pub async fn start(till: Till, data_dir: &Path) -> Result<Backend, StartupError> {
        let rig = Rig::start(&data_dir.join("training"))
            .await
            .map_err(|e| StartupError::Backend(e.to_string()))?;
        let creds = rig.credentials().clone();
        let endpoints = rig.endpoints().clone();

        let vault: Arc<dyn SecretVault> = Arc::new(MemoryVault::new());
        for (name, value) in [
            (SecretName::DarajaConsumerKey, &creds.daraja_consumer_key),
            (
                SecretName::DarajaConsumerSecret,
                &creds.daraja_consumer_secret,
            ),
            (SecretName::DarajaPasskey, &creds.daraja_passkey),
            (
                SecretName::DarajaInitiatorPassword,
                &creds.daraja_initiator_password,
            ),
            (SecretName::PaystackSecretKey, &creds.paystack_secret_key),
            (SecretName::ClickpesaClientId, &creds.clickpesa_client_id),
            (SecretName::ClickpesaApiKey, &creds.clickpesa_api_key),
        ] {
            let key = SecretKey::new(TRAINING_SHOP_ID, name)
                .map_err(|e| StartupError::Backend(e.to_string()))?;
            vault
                .set(&key, &secret(value))
                .map_err(|e| StartupError::Backend(e.to_string()))?;
        }
        let key = SecretKey::new(TRAINING_SHOP_ID, SecretName::RelayDeviceToken)
            .map_err(|e| StartupError::Backend(e.to_string()))?;
        vault
            .set(&key, &secret(rig.device_token()))
            .map_err(|e| StartupError::Backend(e.to_string()))?;

        let currency = Currency::Kes;
        let register = Arc::new(Register::new(
            till.shared(),
            TILL_ID,
            TRAINING_SHOP_ID,
            currency,
        ));
        register.seed_training_users().map_err(register_error)?;
        let settings = register.settings(vault.as_ref()).map_err(register_error)?;
        if settings.shop.name.is_empty() {
            register
                .save_shop(
                    &ShopInput {
                        name: TRAINING_SHOP_NAME.into(),
                        address: "Moi Avenue, Nairobi".into(),
                        kra_pin: "P051234567X".into(),
                        phone: "0712 345 678".into(),
                        receipt_language: "en".into(),
                    },
                    STARTUP_ACTOR,
                )
                .map_err(register_error)?;
        }
        register
            .save_daraja(
                vault.as_ref(),
                &DarajaInput {
                    environment: "sandbox".into(),
                    shortcode: creds.daraja_shortcode.clone(),
                    till_number: creds.daraja_till_number.clone(),
                    initiator: creds.daraja_initiator_name.clone(),
                    consumer_key: None,
                    consumer_secret: None,
                    passkey: None,
                    initiator_password: None,
                    certificate_pem: None,
                },
                STARTUP_ACTOR,
            )
            .map_err(register_error)?;
        register
            .save_paystack(
                vault.as_ref(),
                &PaystackInput {
                    public_key: creds.paystack_public_key.clone(),
                    secret_key: None,
                },
                STARTUP_ACTOR,
            )
            .map_err(register_error)?;
        let urls: Vec<String> = endpoints
            .callback_urls
            .iter()
            .map(|(_, u)| u.clone())
            .collect();
        register
            .note_relay(&endpoints.relay_url, &urls, STARTUP_ACTOR)
            .map_err(register_error)?;
        let shop_name = register
            .settings(vault.as_ref())
            .map_err(register_error)?
            .shop
            .name;

        let mut config = EngineConfig::new(shop_name.clone(), currency);
        let base_url = url::Url::parse(&endpoints.daraja_url)
            .map_err(|e| StartupError::Backend(e.to_string()))?;
        let mut daraja = DarajaConfig::new(
            Environment::Simulator { base_url },
            secret(&creds.daraja_consumer_key),
            secret(&creds.daraja_consumer_secret),
            creds.daraja_shortcode.clone(),
            secret(&creds.daraja_passkey),
        );
        daraja.initiator_name = Some(creds.daraja_initiator_name.clone());
        daraja.initiator_password = Some(secret(&creds.daraja_initiator_password));
        config.daraja = Some(daraja);
        config.stk_callback_url = Some(endpoints.callback_url(EventKind::Stk));
        config.result_url = Some(endpoints.callback_url(EventKind::ReversalResult));
        config.timeout_url = Some(endpoints.callback_url(EventKind::Timeout));
        config.paystack = Some(PaystackSetup {
            base_url: endpoints.paystack_url.clone(),
            secret_key: secret(&creds.paystack_secret_key),
            public_key: creds.paystack_public_key.clone(),
        });
        let engine =
            Engine::new(till.shared(), config).map_err(|e| StartupError::Backend(e.to_string()))?;

        let sync = SyncClient::new(SyncConfig::new(
            endpoints.relay_url.clone(),
            secret(rig.device_token()),
        ))
        .map_err(|e| StartupError::Backend(e.to_string()))?;
        let sync_status = sync.status();
        let signal = sync.stored_signal();
        let (stop, _) = watch::channel(false);
        let stopped = |stop: &watch::Sender<bool>| {
            let mut rx = stop.subscribe();
            async move {
                let _ = rx.wait_for(|s| *s).await;
            }
        };
        let inbox: Arc<dyn malipo_sync::Inbox> = till.shared();
        let mut tasks = Vec::new();
        let sync_stop = stopped(&stop);
        tasks.push(tokio::spawn(async move {
            sync.run(inbox, sync_stop).await;
        }));
        let runner = engine.clone();
        let engine_stop = stopped(&stop);
        tasks.push(tokio::spawn(async move {
            runner.run(signal, engine_stop).await;
        }));
        tracing::info!(relay = %endpoints.relay_url, "training backend started");
        Ok(Backend {
            till,
            register,
            engine,
            vault,
            rig: Some(rig),
            sync_status,
            shop_name,
            currency,
            emit: None,
            stop,
            tasks,
        })
    }

    /// Whether this is the training sandbox.
    pub fn training(&self) -> bool {
        self.rig.is_some()
    }

    /// Sends the contract's events through `emit` as things happen: engine events become
    /// `attempt-changed` / `sale-changed` / `incoming-changed`, the relay link's state
    /// `status-changed`.
    pub fn forward(&mut self, emit: Emit) {
        self.emit = Some(emit.clone());
        self.tasks
            .push(crate::manager::spawn_events(&self.engine, emit.clone()));
        let mut events = self.engine.subscribe();
        let engine = self.engine.clone();
        let register = self.register.clone();
        let out = emit.clone();
        let till = self.till.shared();
        let data_dir = self
            .till
            .db_path()
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        self.tasks.push(tokio::spawn(async move {
            loop {
                let event = match events.recv().await {
                    Ok(event) => event,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "the window missed engine events");
                        continue;
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                };
                if let EngineEvent::SaleCompleted { sale_id } = event {
                    // The receipt prints once, when the sale is paid; a printer that is off
                    // never blocks the register (the cashier can reprint).
                    let (engine, till, dir) = (engine.clone(), till.clone(), data_dir.clone());
                    tokio::task::spawn_blocking(move || {
                        if let Err(e) = crate::printing::print_sale(&engine, &till, &dir, sale_id) {
                            tracing::warn!(sale_id, error = %e.message, "receipt not printed");
                        }
                    });
                    continue;
                }
                forward_one(&engine, &register, &out, event);
            }
        }));
        let mut status = self.sync_status.clone();
        let register = self.register.clone();
        let training = self.training();
        let till = self.till.shared();
        self.tasks.push(tokio::spawn(async move {
            while status.changed().await.is_ok() {
                let relay = convert::relay_status(&status.borrow_and_update());
                let user = register.current_user().ok().flatten();
                let printer = till
                    .lock()
                    .ok()
                    .and_then(|s| s.setting_get("printer.kind").ok().flatten())
                    .unwrap_or_default();
                let view =
                    convert::status(relay, &printer, user.as_ref().map(convert::user), training);
                if let Ok(json) = serde_json::to_value(view) {
                    emit("status-changed", json);
                }
            }
        }));
    }
}

fn forward_one(engine: &Engine, register: &Register, emit: &Emit, event: EngineEvent) {
    let sent = match event {
        EngineEvent::AttemptChanged { attempt, stopped } => {
            serde_json::to_value(convert::attempt(&attempt, stopped, engine.config()))
                .map(|json| ("attempt-changed", json))
        }
        EngineEvent::SaleChanged { sale_id } => match register.sale(sale_id) {
            Ok(sale) => serde_json::to_value(convert::sale(&sale)).map(|j| ("sale-changed", j)),
            Err(error) => {
                tracing::warn!(%error, sale_id, "cannot show a changed sale");
                return;
            }
        },
        EngineEvent::IncomingChanged => match incoming_list(engine) {
            Ok(list) => serde_json::to_value(list).map(|j| ("incoming-changed", j)),
            Err(error) => {
                tracing::warn!(%error, "cannot list incoming payments");
                return;
            }
        },
        // The manager's list hears of both (manager.rs); the register follows sales.
        EngineEvent::SaleCompleted { .. } | EngineEvent::PaymentPosted { .. } => return,
        EngineEvent::InboxProblem { inbox_id, detail } => {
            tracing::warn!(inbox_id, %detail, "an inbox event could not be processed; kept");
            return;
        }
    };
    match sent {
        Ok((name, json)) => emit(name, json),
        Err(error) => tracing::error!(%error, "an event could not be serialised"),
    }
}

/// Unclaimed incoming payments, newest first.
pub fn incoming_list(
    engine: &Engine,
) -> Result<Vec<crate::dto::IncomingPaymentDto>, malipo_engine::EngineError> {
    let mut list: Vec<_> = engine
        .incoming()?
        .iter()
        .map(|(u, p)| convert::incoming(u, p))
        .collect();
    list.sort_by_key(|i| std::cmp::Reverse((i.received_ms, i.unmatched_id)));
    Ok(list)
}

impl Drop for Backend {
    /// Stops the background tasks (the rig stops itself when dropped); never waits.
    fn drop(&mut self) {
        self.stop.send_replace(true);
        for task in &self.tasks {
            task.abort();
        }
    }
}
