//! The simulator's state: its configuration, the scripted customers, the pushes, receipts and
//! registrations it knows, and the log of what it received and delivered.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

/// Sandbox's STK passkey for shortcode 174379 (reference §6.1).
pub const SANDBOX_PASSKEY: &str =
    "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919";

/// A shortcode the simulator knows: a paybill (no tills) or a store number with its tills.
#[derive(Debug, Clone)]
pub struct SimShortcode {
    pub shortcode: String,
    pub passkey: String,
    /// Till numbers that may be `PartyB` with this store number.
    pub tills: Vec<String>,
}

/// An API operator (initiator) and the password it must encrypt.
#[derive(Debug, Clone)]
pub struct SimInitiator {
    pub name: String,
    pub password: String,
}

/// How the STK query answers while the customer has not acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PendingStyle {
    /// HTTP 500 `{"errorCode": "500.001.1001", "errorMessage": "The transaction is being processed"}`.
    #[default]
    Envelope,
    /// HTTP 200 `{"ResultCode": "4999", "ResultDesc": "The transaction is still under processing"}`.
    Code4999,
}

/// The simulator's configuration.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub consumer_key: String,
    pub consumer_secret: String,
    pub shortcodes: Vec<SimShortcode>,
    /// Known API operators for reversal and status.
    pub initiators: Vec<SimInitiator>,
    /// The RSA private key (PKCS#8 DER) of the certificate the till encrypts with. With it the
    /// simulator decrypts each SecurityCredential and checks the initiator's password, as
    /// Safaricom does (a wrong one gets result 2001); without it only the shape of the
    /// credential is checked (base64 of 128–512 bytes).
    pub credential_key_pkcs8_der: Option<Vec<u8>>,
    pub token_lifetime_s: u64,
    /// What an unscripted customer does.
    pub default_script: CustomerScript,
    /// Refuse STK timestamps more than 30 minutes from Nairobi time now (catches UTC clocks).
    pub check_timestamp_clock: bool,
    pub pending_style: PendingStyle,
    /// `ResponseCode` of a successful C2B registration (`"0"` per docs; `"00000000"` seen).
    pub register_success_code: String,
    /// Delay before a reversal/status result is posted.
    pub async_result_delay_ms: u64,
    /// Safaricom's "External Validation" on the shortcodes: each C2B payment is first POSTed
    /// to the validation URL, and confirmed only if it answers `ResultCode` `0` (or, when it
    /// cannot be reached, per the registered `ResponseType`).
    pub external_validation: bool,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            consumer_key: "sim-consumer-key".to_string(),
            consumer_secret: "sim-consumer-secret".to_string(),
            shortcodes: vec![
                SimShortcode {
                    shortcode: "174379".to_string(),
                    passkey: SANDBOX_PASSKEY.to_string(),
                    tills: Vec::new(),
                },
                SimShortcode {
                    shortcode: "600100".to_string(),
                    passkey: "sim-store-passkey-600100".to_string(),
                    tills: vec!["600200".to_string()],
                },
            ],
            initiators: vec![SimInitiator {
                name: "testapi".to_string(),
                password: "Safaricom999!*!".to_string(),
            }],
            credential_key_pkcs8_der: None,
            token_lifetime_s: 3599,
            default_script: CustomerScript::default(),
            check_timestamp_clock: true,
            pending_style: PendingStyle::Envelope,
            register_success_code: "0".to_string(),
            async_result_delay_ms: 50,
            external_validation: false,
        }
    }
}

/// What the customer does with an STK prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerAction {
    /// Enters the PIN: paid (0).
    #[default]
    Approve,
    /// Presses cancel (1032).
    Cancel,
    /// Wrong PIN (2001).
    WrongPin,
    /// Not enough money (1).
    InsufficientFunds,
    /// Phone unreachable / prompt unanswered (1037).
    Timeout,
    /// The request expired (1019).
    Expire,
    /// No callback ever; the query keeps saying "being processed".
    NeverAnswer,
}

impl CustomerAction {
    /// The result code and description Daraja sends for it.
    pub fn result(self) -> Option<(&'static str, &'static str)> {
        match self {
            CustomerAction::Approve => {
                Some(("0", "The service request is processed successfully."))
            }
            CustomerAction::Cancel => Some(("1032", "Request cancelled by user")),
            CustomerAction::WrongPin => Some(("2001", "The initiator information is invalid.")),
            CustomerAction::InsufficientFunds => {
                Some(("1", "The balance is insufficient for the transaction."))
            }
            CustomerAction::Timeout => Some(("1037", "DS timeout user cannot be reached")),
            CustomerAction::Expire => Some(("1019", "Transaction has expired")),
            CustomerAction::NeverAnswer => None,
        }
    }
}

/// A scripted customer for one STK push.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CustomerScript {
    pub action: CustomerAction,
    /// How long the customer takes before the callback is sent.
    #[serde(default)]
    pub delay_ms: u64,
    /// Send the callback twice (as practitioners report Daraja sometimes does).
    #[serde(default)]
    pub duplicate: bool,
}

/// One request the simulator received.
#[derive(Debug, Clone, Serialize)]
pub struct ReceivedRequest {
    pub method: String,
    pub path: String,
    pub body: String,
}

/// One callback the simulator POSTed.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    /// `stk`, `c2b_confirmation`, `result`, `queue_timeout`.
    pub kind: String,
    pub url: String,
    pub body: String,
    /// The receiver's HTTP status, or `None` when the POST failed.
    pub status: Option<u16>,
}

#[derive(Debug, Clone)]
pub(crate) enum PushState {
    Pending,
    Done { code: String, desc: String },
}

#[derive(Debug, Clone)]
pub(crate) struct Push {
    pub merchant_request_id: String,
    pub shortcode: String,
    pub party_b: String,
    pub paybill: bool,
    pub phone: String,
    pub amount: u64,
    pub account_reference: String,
    pub callback_url: String,
    pub state: PushState,
    pub started: tokio::time::Instant,
}

#[derive(Debug, Clone)]
pub(crate) struct Registration {
    pub confirmation_url: String,
    pub validation_url: String,
    /// `ResponseType` `Completed`: confirm when validation is unreachable.
    pub complete_on_failure: bool,
    /// 1 or 2: v1 hashes the MSISDN, v2 masks it.
    pub version: u8,
}

#[derive(Debug, Clone)]
pub(crate) struct Receipt {
    pub amount: u64,
    pub phone: String,
    pub shortcode: String,
    pub time: String,
    pub reversed: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Qr {
    pub trx_code: String,
    pub cpi: String,
    pub amount: u64,
    pub ref_no: String,
}

#[derive(Debug, Default)]
pub(crate) struct Inner {
    pub token: Option<(String, tokio::time::Instant)>,
    pub counter: u64,
    pub phone_scripts: HashMap<String, VecDeque<CustomerScript>>,
    pub any_scripts: VecDeque<CustomerScript>,
    pub pushes: HashMap<String, Push>,
    pub registrations: HashMap<String, Registration>,
    pub receipts: HashMap<String, Receipt>,
    pub qrs: HashMap<String, Qr>,
    pub queue_timeout: bool,
    pub requests: Vec<ReceivedRequest>,
    pub deliveries: Vec<Delivery>,
}

/// A handle on a running simulator: cheap to clone, shared by the server and the test.
#[derive(Debug, Clone)]
pub struct DarajaSim {
    pub(crate) config: Arc<SimConfig>,
    pub(crate) inner: Arc<Mutex<Inner>>,
    pub(crate) http: reqwest::Client,
    pub(crate) delivered: Arc<Notify>,
}

impl DarajaSim {
    /// A simulator with `config`.
    pub fn new(config: SimConfig) -> DarajaSim {
        DarajaSim {
            config: Arc::new(config),
            inner: Arc::new(Mutex::new(Inner::default())),
            http: reqwest::Client::new(),
            delivered: Arc::new(Notify::new()),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind; keep serving.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn next_id(&self) -> u64 {
        let mut inner = self.lock();
        inner.counter += 1;
        inner.counter
    }

    pub(crate) fn passkey(&self, shortcode: &str) -> Option<&SimShortcode> {
        self.config
            .shortcodes
            .iter()
            .find(|s| s.shortcode == shortcode)
    }

    /// Scripts the next STK push to `phone` (or to anyone, when `None`).
    pub fn script(&self, phone: Option<&str>, script: CustomerScript) {
        let mut inner = self.lock();
        match phone {
            Some(p) => inner
                .phone_scripts
                .entry(p.to_string())
                .or_default()
                .push_back(script),
            None => inner.any_scripts.push_back(script),
        }
    }

    pub(crate) fn take_script(&self, phone: &str) -> CustomerScript {
        let mut inner = self.lock();
        if let Some(script) = inner
            .phone_scripts
            .get_mut(phone)
            .and_then(VecDeque::pop_front)
        {
            return script;
        }
        inner
            .any_scripts
            .pop_front()
            .unwrap_or(self.config.default_script)
    }

    /// Makes the current access token invalid (as a new token elsewhere would).
    pub fn expire_token(&self) {
        self.lock().token = None;
    }

    /// Reversal and status results go to the queue-timeout URL instead, while `on`.
    pub fn set_queue_timeout(&self, on: bool) {
        self.lock().queue_timeout = on;
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        self.lock().requests.clone()
    }

    /// Every callback delivered so far.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.lock().deliveries.clone()
    }

    /// Waits until at least `n` callbacks have been delivered, or `timeout` passes.
    pub async fn wait_for_deliveries(&self, n: usize, timeout: Duration) -> Vec<Delivery> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.delivered.notified();
            let now = self.deliveries();
            if now.len() >= n {
                return now;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.deliveries();
            }
        }
    }

    pub(crate) fn record(&self, method: &str, path: &str, body: &[u8]) {
        self.lock().requests.push(ReceivedRequest {
            method: method.to_string(),
            path: path.to_string(),
            body: String::from_utf8_lossy(body).into_owned(),
        });
    }

    /// POSTs `body` to `url` after `delay`, and records the delivery.
    pub(crate) fn deliver_later(
        &self,
        kind: &'static str,
        url: String,
        body: String,
        delay: Duration,
    ) {
        let sim = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            sim.deliver(kind, url, body).await;
        });
    }

    pub(crate) async fn deliver(&self, kind: &str, url: String, body: String) {
        self.deliver_for_answer(kind, url, body).await;
    }

    /// POSTs `body` to `url`, records the delivery, and returns the receiver's JSON answer.
    pub(crate) async fn deliver_for_answer(
        &self,
        kind: &str,
        url: String,
        body: String,
    ) -> Option<serde_json::Value> {
        let response = self
            .http
            .post(&url)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .ok();
        let status = response.as_ref().map(|r| r.status().as_u16());
        let answer = match response {
            Some(r) => r.json::<serde_json::Value>().await.ok(),
            None => None,
        };
        tracing::info!(kind, url, ?status, "daraja simulator delivered a callback");
        self.lock().deliveries.push(Delivery {
            kind: kind.to_string(),
            url,
            body,
            status,
        });
        self.delivered.notify_waiters();
        answer
    }
}
