//! `malipo-training` — the training/sandbox rig: the whole backend of a till on loopback, with
//! no credentials. [`Rig::start`] runs, in-process on `127.0.0.1`:
//!
//! - the Daraja, Paystack, ClickPesa and SMS simulators (`malipo-sim`), each on port 0;
//! - a Daraja *front door* ([`front`]) the till talks to instead of the Daraja simulator
//!   directly, so the trainee can answer an STK prompt after it reached the phone;
//! - the relay (`malipo-relay`) over `data_dir/relay.sqlite`, with one training shop and one
//!   till registered once and remembered ([`identity`]), C2B URLs registered on the Daraja
//!   simulator and the Paystack/ClickPesa webhooks pointed at it.
//!
//! It hands out what the engine and the sync client need ([`TrainingEndpoints`],
//! [`SandboxCredentials`], the device token) and a [`Customer`] for the "customer phone"
//! window and for tests. [`Rig::shutdown`] stops everything; dropping a rig stops it too,
//! without waiting.
//!
//! How to make a change here: nothing in this crate moves money or decides anything about
//! it; it plays the outside world. New customer actions go in [`customer`] and get a test in
//! `tests/` that reads the resulting callback back through the relay and the sync client.

pub mod customer;
mod error;
pub mod front;
pub mod identity;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use malipo_relay::{AppState, EventKind, RelayConfig, SqliteStore};
use malipo_sim::clickpesa::{ClickPesaSim, ClickPesaSimConfig};
use malipo_sim::daraja::{CustomerAction, CustomerScript, DarajaSim, SimConfig};
use malipo_sim::paystack::{PaystackSim, PaystackSimConfig, WebhookScript};
use malipo_sim::sms::{SmsSim, SmsSimConfig};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use customer::{CardOutcome, Customer, StkAnswer, CARD_DECLINED, CARD_SUCCEEDS};
pub use error::TrainingError;
pub use front::{QrSeen, StkPrompt};

/// The relay's database file inside the data directory.
pub const RELAY_DB_FILE: &str = "relay.sqlite";

/// Sandbox credentials the simulators accept. They are public test values (the same as the
/// `malipo-sim` binary prints), not secrets; in training they still go through the vault
/// like real ones, so the engine has one code path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxCredentials {
    pub daraja_consumer_key: String,
    pub daraja_consumer_secret: String,
    /// The paybill (Daraja sandbox's 174379) and its STK passkey.
    pub daraja_shortcode: String,
    pub daraja_passkey: String,
    /// The store number whose Buy Goods till is [`SandboxCredentials::daraja_till_number`].
    pub daraja_store_number: String,
    pub daraja_store_passkey: String,
    pub daraja_till_number: String,
    pub daraja_initiator_name: String,
    pub daraja_initiator_password: String,
    pub paystack_secret_key: String,
    /// The simulator does not check public keys; this is what the popup is given.
    pub paystack_public_key: String,
    pub clickpesa_client_id: String,
    pub clickpesa_api_key: String,
    pub sms_username: String,
    pub sms_api_key: String,
}

impl Default for SandboxCredentials {
    fn default() -> Self {
        let daraja = SimConfig::default();
        let paybill = daraja.shortcodes.first();
        let store = daraja.shortcodes.get(1);
        let initiator = daraja.initiators.first();
        let sms = SmsSimConfig::default();
        SandboxCredentials {
            daraja_consumer_key: daraja.consumer_key.clone(),
            daraja_consumer_secret: daraja.consumer_secret.clone(),
            daraja_shortcode: paybill.map(|s| s.shortcode.clone()).unwrap_or_default(),
            daraja_passkey: paybill.map(|s| s.passkey.clone()).unwrap_or_default(),
            daraja_store_number: store.map(|s| s.shortcode.clone()).unwrap_or_default(),
            daraja_store_passkey: store.map(|s| s.passkey.clone()).unwrap_or_default(),
            daraja_till_number: store
                .and_then(|s| s.tills.first().cloned())
                .unwrap_or_default(),
            daraja_initiator_name: initiator.map(|i| i.name.clone()).unwrap_or_default(),
            daraja_initiator_password: initiator.map(|i| i.password.clone()).unwrap_or_default(),
            paystack_secret_key: "sk_test_malipo_sim".into(),
            paystack_public_key: "pk_test_malipo_sim".into(),
            clickpesa_client_id: "IDmalipoSim".into(),
            clickpesa_api_key: "sim-clickpesa-api-key".into(),
            sms_username: sms.username,
            sms_api_key: sms.api_key,
        }
    }
}

/// Where everything listens, and the relay URL a provider posts each kind of event to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingEndpoints {
    /// The Daraja front door (give this to the engine as the Daraja base URL).
    pub daraja_url: String,
    /// The Daraja simulator itself (its control API; the engine never needs it).
    pub daraja_sim_url: String,
    pub paystack_url: String,
    pub clickpesa_url: String,
    pub sms_url: String,
    /// The relay's base URL (the sync client's `relay_url`).
    pub relay_url: String,
    /// One URL per [`EventKind`], in [`EventKind::ALL`] order.
    pub callback_urls: Vec<(EventKind, String)>,
}

impl TrainingEndpoints {
    /// The relay URL for `kind`.
    pub fn callback_url(&self, kind: EventKind) -> String {
        self.callback_urls
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, url)| url.clone())
            .unwrap_or_default()
    }
}

/// The running rig.
pub struct Rig {
    endpoints: TrainingEndpoints,
    credentials: SandboxCredentials,
    device_token: String,
    shop_id: i64,
    customer: Customer,
    daraja: DarajaSim,
    paystack: PaystackSim,
    clickpesa: ClickPesaSim,
    sms: SmsSim,
    http: reqwest::Client,
    stop: watch::Sender<bool>,
    servers: Vec<JoinHandle<std::io::Result<()>>>,
}

impl std::fmt::Debug for Rig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rig")
            .field("endpoints", &self.endpoints)
            .field("shop_id", &self.shop_id)
            .finish_non_exhaustive()
    }
}

async fn bind(port: u16) -> Result<TcpListener, TrainingError> {
    TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .await
        .map_err(TrainingError::Listen)
}

fn url_of(listener: &TcpListener) -> Result<String, TrainingError> {
    let addr = listener.local_addr().map_err(TrainingError::Listen)?;
    Ok(format!("http://{addr}"))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl Rig {
    /// Starts the simulators and the relay on loopback (inside a tokio runtime). The relay's
    /// database and the training shop's identity live in `data_dir`; a second start on the
    /// same directory reuses the tokens and keeps every relayed event.
    pub async fn start(data_dir: &Path) -> Result<Rig, TrainingError> {
        std::fs::create_dir_all(data_dir).map_err(|source| TrainingError::DataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let credentials = SandboxCredentials::default();
        let (stop, _) = watch::channel(false);
        let mut servers = Vec::new();
        let stopped = |stop: &watch::Sender<bool>| {
            let mut rx = stop.subscribe();
            async move {
                let _ = rx.wait_for(|s| *s).await;
            }
        };

        // The relay first: the simulators need its URLs.
        let relay_store = Arc::new(SqliteStore::open(&data_dir.join(RELAY_DB_FILE))?);
        let remembered = identity::load(data_dir)?;
        let relay_listener = match remembered.as_ref().map(|i| i.relay_port) {
            Some(port) if port != 0 => match bind(port).await {
                Ok(listener) => listener,
                Err(_) => bind(0).await?,
            },
            _ => bind(0).await?,
        };
        let relay_url = url_of(&relay_listener)?;
        let (mut ident, _created) = identity::settle(
            relay_store.as_ref(),
            remembered.clone(),
            &relay_url,
            now_ms(),
        )?;
        ident.relay_port = relay_listener
            .local_addr()
            .map_err(TrainingError::Listen)?
            .port();
        if remembered.as_ref() != Some(&ident) {
            identity::save(data_dir, &ident)?;
        }
        let callback_urls: Vec<(EventKind, String)> = EventKind::ALL
            .into_iter()
            .map(|k| {
                (
                    k,
                    format!("{relay_url}/h/{}/{}", ident.endpoint_token, k.as_str()),
                )
            })
            .collect();
        let state = AppState::new(
            relay_store,
            malipo_relay::system_clock(),
            RelayConfig::default(),
        );
        servers.push(tokio::spawn(malipo_relay::run(
            relay_listener,
            state,
            stopped(&stop),
        )));
        let callback = |kind| {
            callback_urls
                .iter()
                .find(|(k, _)| *k == kind)
                .map(|(_, url)| url.clone())
        };

        // Daraja: the simulator, with customers that never answer by themselves (the trainee
        // answers through `Customer`), behind the front door.
        let daraja = DarajaSim::new(SimConfig {
            default_script: CustomerScript {
                action: CustomerAction::NeverAnswer,
                delay_ms: 0,
                duplicate: false,
            },
            ..SimConfig::default()
        });
        let listener = bind(0).await?;
        let daraja_sim_url = url_of(&listener)?;
        servers.push(tokio::spawn(malipo_sim::daraja::run(
            listener,
            daraja.clone(),
            stopped(&stop),
        )));
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?;
        let seen = front::Prompts::default();
        let listener = bind(0).await?;
        let daraja_url = url_of(&listener)?;
        let front_router = front::router(daraja_sim_url.clone(), http.clone(), seen.clone());
        let front_stop = stopped(&stop);
        servers.push(tokio::spawn(async move {
            axum::serve(listener, front_router)
                .with_graceful_shutdown(front_stop)
                .await
        }));

        // Paystack, ClickPesa and SMS, their webhooks into the relay.
        let paystack = PaystackSim::new(PaystackSimConfig {
            secret_key: credentials.paystack_secret_key.clone(),
            webhooks: WebhookScript {
                url: callback(EventKind::Paystack),
                ..WebhookScript::default()
            },
        });
        let listener = bind(0).await?;
        let paystack_url = url_of(&listener)?;
        servers.push(tokio::spawn(malipo_sim::paystack::run(
            listener,
            paystack.clone(),
            stopped(&stop),
        )));
        let clickpesa = ClickPesaSim::new(ClickPesaSimConfig {
            client_id: credentials.clickpesa_client_id.clone(),
            api_key: credentials.clickpesa_api_key.clone(),
            checksum_key: None,
            webhook_url: callback(EventKind::ClickPesa),
        });
        let listener = bind(0).await?;
        let clickpesa_url = url_of(&listener)?;
        servers.push(tokio::spawn(malipo_sim::clickpesa::run(
            listener,
            clickpesa.clone(),
            stopped(&stop),
        )));
        let sms = SmsSim::new(SmsSimConfig::default());
        let listener = bind(0).await?;
        let sms_url = url_of(&listener)?;
        servers.push(tokio::spawn(malipo_sim::sms::run(
            listener,
            sms.clone(),
            stopped(&stop),
        )));

        let endpoints = TrainingEndpoints {
            daraja_url,
            daraja_sim_url,
            paystack_url: paystack_url.clone(),
            clickpesa_url,
            sms_url,
            relay_url,
            callback_urls: callback_urls.clone(),
        };
        let customer = Customer {
            daraja: daraja.clone(),
            seen,
            paystack_url,
            paybill: credentials.daraja_shortcode.clone(),
            till_number: credentials.daraja_till_number.clone(),
            http: http.clone(),
            receipts: Arc::new(AtomicU64::new(1)),
        };
        let rig = Rig {
            endpoints,
            credentials,
            device_token: ident.device_token.clone(),
            shop_id: ident.shop_id,
            customer,
            daraja,
            paystack,
            clickpesa,
            sms,
            http,
            stop,
            servers,
        };
        rig.register_c2b().await?;
        tracing::info!(relay = %rig.endpoints.relay_url, "training rig started");
        Ok(rig)
    }

    /// Registers the relay's C2B URLs for the paybill and the till on the Daraja simulator,
    /// as a manager's "Register payment URLs" does against Daraja.
    /// Done at every start; a manager's "Register payment URLs" in training does it again.
    pub async fn register_c2b(&self) -> Result<(), TrainingError> {
        let http = &self.http;
        let c = &self.credentials;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            c.daraja_consumer_key, c.daraja_consumer_secret
        ));
        let token: serde_json::Value = http
            .get(format!(
                "{}/oauth/v1/generate?grant_type=client_credentials",
                self.endpoints.daraja_sim_url
            ))
            .header("authorization", format!("Basic {basic}"))
            .send()
            .await?
            .json()
            .await?;
        let token = token["access_token"]
            .as_str()
            .ok_or_else(|| TrainingError::Refused("no Daraja access token".into()))?;
        for shortcode in [&c.daraja_shortcode, &c.daraja_till_number] {
            let answer = http
                .post(format!(
                    "{}/mpesa/c2b/v2/registerurl",
                    self.endpoints.daraja_sim_url
                ))
                .bearer_auth(token)
                .json(&serde_json::json!({
                    "ShortCode": shortcode,
                    "ResponseType": "Completed",
                    "ConfirmationURL": self.endpoints.callback_url(EventKind::C2bConfirm),
                    "ValidationURL": self.endpoints.callback_url(EventKind::C2bValidate),
                }))
                .send()
                .await?;
            if !answer.status().is_success() {
                let text = answer.text().await.unwrap_or_default();
                return Err(TrainingError::Refused(format!(
                    "C2B registration of {shortcode}: {text}"
                )));
            }
        }
        Ok(())
    }

    /// Where everything listens.
    pub fn endpoints(&self) -> &TrainingEndpoints {
        &self.endpoints
    }

    /// The sandbox credentials the simulators accept.
    pub fn credentials(&self) -> &SandboxCredentials {
        &self.credentials
    }

    /// The training till's relay device token (sandbox only; see [`identity`]).
    pub fn device_token(&self) -> &str {
        &self.device_token
    }

    /// The training shop's id on the relay.
    pub fn shop_id(&self) -> i64 {
        self.shop_id
    }

    /// The customer's phone and card.
    pub fn customer(&self) -> Customer {
        self.customer.clone()
    }

    /// The Daraja simulator (its log and scripts, for tests).
    pub fn daraja(&self) -> &DarajaSim {
        &self.daraja
    }

    /// The Paystack simulator.
    pub fn paystack(&self) -> &PaystackSim {
        &self.paystack
    }

    /// The ClickPesa simulator.
    pub fn clickpesa(&self) -> &ClickPesaSim {
        &self.clickpesa
    }

    /// The SMS simulator (the messages it received).
    pub fn sms(&self) -> &SmsSim {
        &self.sms
    }

    /// Stops every server and waits (a few seconds at most) for them to finish.
    pub async fn shutdown(mut self) {
        self.stop.send_replace(true);
        for server in std::mem::take(&mut self.servers) {
            let abort = server.abort_handle();
            match tokio::time::timeout(Duration::from_secs(5), server).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(error))) => tracing::warn!(%error, "a training server stopped badly"),
                Ok(Err(_)) => {}
                Err(_) => {
                    tracing::warn!("a training server did not stop in time; aborted");
                    abort.abort();
                }
            }
        }
        tracing::info!("training rig stopped");
    }
}

impl Drop for Rig {
    /// Signals every server to stop and aborts them; never waits.
    fn drop(&mut self) {
        self.stop.send_replace(true);
        for server in &self.servers {
            server.abort();
        }
    }
}
