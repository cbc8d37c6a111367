//! The ClickPesa simulator's memory: issued tokens, control numbers, payments, the webhook
//! log, and the rule that decides whether a customer's payment to a number is accepted.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a token is valid (ClickPesa: one hour).
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// Configuration of one simulated merchant application.
#[derive(Debug, Clone)]
pub struct ClickPesaSimConfig {
    pub client_id: String,
    pub api_key: String,
    /// When set, webhooks carry a top-level `checksum` (canonical method) with this key.
    pub checksum_key: Option<String>,
    /// Where `PAYMENT RECEIVED` / `PAYMENT FAILED` are posted; `None` keeps them in the log.
    pub webhook_url: Option<String>,
}

/// One webhook sent (or recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub event: String,
    pub body: Vec<u8>,
    pub status: Option<u16>,
}

/// A control number.
#[derive(Debug, Clone)]
pub struct Bill {
    pub number: String,
    pub description: Option<String>,
    /// Whole shillings, when fixed.
    pub amount: Option<i64>,
    pub mode: String,
    pub max_collection: Option<i64>,
    pub customer_name: Option<String>,
    /// Order numbers close after the first payment; customer numbers are reusable.
    pub is_order: bool,
    pub active: bool,
    pub collected: i64,
}

/// A payment received (or failed) on a number.
#[derive(Debug, Clone)]
pub struct SimPayment {
    pub id: String,
    pub status: String,
    pub payment_reference: String,
    pub order_reference: String,
    /// Whole shillings.
    pub amount: i64,
    pub phone: String,
    pub message: String,
    pub created_at: String,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub config: ClickPesaSimConfig,
    pub tokens: HashMap<String, Instant>,
    pub tokens_issued: u32,
    pub bills: HashMap<String, Bill>,
    pub payments: Vec<SimPayment>,
    pub next: u64,
    pub deliveries: Vec<Delivery>,
}

/// Shared state of the ClickPesa simulator; clone it freely.
#[derive(Debug, Clone)]
pub struct ClickPesaSim {
    pub(crate) inner: Arc<Mutex<Inner>>,
}

impl ClickPesaSim {
    /// A merchant with no numbers yet.
    pub fn new(config: ClickPesaSimConfig) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner {
                config,
                tokens: HashMap::new(),
                tokens_issued: 0,
                bills: HashMap::new(),
                payments: Vec::new(),
                next: 55_042_914_871_931,
                deliveries: Vec::new(),
            })),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How many tokens were issued (each costs one of a new account's 100 daily calls).
    pub fn tokens_issued(&self) -> u32 {
        self.lock().tokens_issued
    }

    /// Every webhook so far, in order.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.lock().deliveries.clone()
    }

    /// Revokes every token (as changing the checksum setting does).
    pub fn revoke_tokens(&self) {
        self.lock().tokens.clear();
    }

    /// Where webhooks go from now on.
    pub fn set_webhook_url(&self, url: Option<String>) {
        self.lock().config.webhook_url = url;
    }
}

impl Inner {
    pub fn next_number(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    /// Whether a payment of `amount` shillings to `number` is accepted; the reason if not.
    pub fn check_payment(&self, number: &str, amount: i64) -> Result<(), String> {
        let bill = self
            .bills
            .get(number)
            .ok_or_else(|| "BillPay Number does not exist".to_owned())?;
        if amount <= 0 {
            return Err("Invalid amount".into());
        }
        if !bill.active {
            return Err("BillPay Number is not active".into());
        }
        if let Some(expected) = bill.amount {
            if bill.mode == "EXACT" && amount != expected {
                return Err(format!("Amount must be exactly {expected}"));
            }
        }
        if let Some(max) = bill.max_collection {
            if bill.collected + amount > max {
                return Err(format!(
                    "Amount exceeds the remaining collectable {}",
                    max - bill.collected
                ));
            }
        }
        Ok(())
    }
}

/// Now, as ClickPesa prints times (`2024-04-10T18:22:16.949Z`).
pub fn now_iso() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.millisecond()
    )
}
