//! The SMS simulator's memory: the application's credentials, every message received (sent or
//! refused), and the scripted failures still to come.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

/// One simulated Africa's Talking application.
#[derive(Debug, Clone)]
pub struct SmsSimConfig {
    /// The application's username (`sandbox` in Africa's Talking's sandbox).
    pub username: String,
    /// The `apiKey` header the simulator expects.
    pub api_key: String,
}

impl Default for SmsSimConfig {
    fn default() -> Self {
        SmsSimConfig {
            username: "sandbox".into(),
            api_key: "sim-at-api-key".into(),
        }
    }
}

/// One recipient of one request, as the simulator answered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimSms {
    /// `ATXid_…` when sent, `None` when refused (as Africa's Talking writes it).
    pub message_id: String,
    pub username: String,
    pub to: String,
    pub from: Option<String>,
    pub message: String,
    pub status_code: i64,
    pub status: String,
}

/// A failure to play on coming requests.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureScript {
    /// Only for this number (`+254…`); any number when `None`.
    #[serde(default)]
    pub number: Option<String>,
    /// Answer the whole request with this HTTP status (e.g. 500) and a text body.
    #[serde(default)]
    pub http_status: Option<u16>,
    /// Otherwise refuse the recipient with this `statusCode` (e.g. 403) …
    #[serde(default)]
    pub status_code: Option<i64>,
    /// … and this `status` (e.g. `InvalidPhoneNumber`).
    #[serde(default)]
    pub status: Option<String>,
    /// How many requests it applies to; `None` for every one from now on.
    #[serde(default)]
    pub times: Option<u32>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub config: SmsSimConfig,
    pub messages: Vec<SimSms>,
    pub failures: VecDeque<FailureScript>,
    pub next: u64,
}

impl Inner {
    /// The first scripted failure that applies to `number`, used up by one request.
    pub fn take_failure(&mut self, number: &str) -> Option<FailureScript> {
        let idx = self
            .failures
            .iter()
            .position(|f| f.number.as_deref().is_none_or(|n| n == number))?;
        let script = self.failures.get(idx).cloned()?;
        match script.times {
            Some(1) => {
                self.failures.remove(idx);
            }
            Some(n) => {
                if let Some(f) = self.failures.get_mut(idx) {
                    f.times = Some(n.saturating_sub(1));
                }
            }
            None => {}
        }
        Some(script)
    }

    pub fn next_id(&mut self) -> String {
        self.next += 1;
        format!("ATXid_sim{:012x}", self.next)
    }
}

/// Shared state of the SMS simulator; clone it freely.
#[derive(Debug, Clone)]
pub struct SmsSim {
    pub(crate) inner: Arc<Mutex<Inner>>,
}

impl SmsSim {
    /// An application with no messages yet.
    pub fn new(config: SmsSimConfig) -> SmsSim {
        SmsSim {
            inner: Arc::new(Mutex::new(Inner {
                config,
                messages: Vec::new(),
                failures: VecDeque::new(),
                next: 0x5eed,
            })),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Every recipient of every request so far, in order (refused ones too).
    pub fn messages(&self) -> Vec<SimSms> {
        self.lock().messages.clone()
    }

    /// The messages that were sent (statusCode 101).
    pub fn sent(&self) -> Vec<SimSms> {
        self.lock()
            .messages
            .iter()
            .filter(|m| m.status_code == 101)
            .cloned()
            .collect()
    }

    /// Plays `script` on coming requests (after any scripted earlier).
    pub fn script_failure(&self, script: FailureScript) {
        self.lock().failures.push_back(script);
    }

    /// Forgets the messages and the scripted failures.
    pub fn reset(&self) {
        let mut inner = self.lock();
        inner.messages.clear();
        inner.failures.clear();
    }
}
