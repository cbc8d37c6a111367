//! The Paystack simulator's memory: transactions, refunds, the webhook script and the log
//! of deliveries, with the rules that move them (pay, refund). No HTTP here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{json, Value};

use super::cards::{self, CardBehaviour};

/// How the simulator delivers webhooks: where, how many copies, after what delay.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookScript {
    /// Where to POST events; `None` keeps them in the outbox only.
    pub url: Option<String>,
    /// Extra copies of every event (Paystack retries, so duplicates are normal).
    pub duplicates: u32,
    /// Wait before each delivery, in milliseconds.
    pub delay_ms: u64,
    /// Attempts after a delivery the receiver did not acknowledge with a 2xx (or could not
    /// take), as Paystack retries; each waits `delay_ms` first.
    pub retries: u32,
}

/// Configuration of one simulated Paystack integration.
#[derive(Debug, Clone)]
pub struct PaystackSimConfig {
    /// The secret key the API accepts and webhooks are signed with (`sk_test_…`).
    pub secret_key: String,
    pub webhooks: WebhookScript,
}

/// One webhook the simulator sent (or tried to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub event: String,
    /// The exact bytes posted.
    pub body: Vec<u8>,
    /// The `x-paystack-signature` sent with them.
    pub signature: String,
    /// The receiver's HTTP status, or `None` if it could not be reached.
    pub status: Option<u16>,
}

/// A simulated transaction.
#[derive(Debug, Clone)]
pub struct Txn {
    pub id: i64,
    pub reference: String,
    pub access_code: String,
    pub amount: i64,
    pub currency: String,
    pub email: String,
    pub label: Option<String>,
    pub callback_url: Option<String>,
    pub metadata: Value,
    /// `abandoned` until paid; then `success`, `failed`, `ongoing` or `reversed`.
    pub status: String,
    pub gateway_response: Option<String>,
    pub card: Option<String>,
    pub paid_at: Option<String>,
    pub created_at: String,
    /// Amount refunded and not failed, in subunits.
    pub refunded: i64,
}

/// A simulated refund.
#[derive(Debug, Clone)]
pub struct SimRefund {
    pub id: i64,
    pub reference: String,
    pub amount: i64,
    pub status: String,
    pub customer_note: Option<String>,
    pub merchant_note: Option<String>,
    pub created_at: String,
}

/// What the customer does, unattended, when the checkout page for an access code opens (the
/// popup and hosted page then run end to end in a headless browser or the training mode).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CustomerScript {
    /// Pay with this card…
    #[serde(default)]
    pub card: Option<String>,
    /// …and this PIN, if the card asks for one.
    #[serde(default)]
    pub pin: Option<String>,
    /// Close the checkout instead of paying.
    #[serde(default)]
    pub cancel: bool,
}

/// What a payment attempt on the checkout did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayOutcome {
    Success { id: i64, reference: String },
    Retry { message: String },
    Declined { message: String },
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub config: PaystackSimConfig,
    pub txns: HashMap<String, Txn>,
    pub by_access_code: HashMap<String, String>,
    pub refunds: HashMap<i64, SimRefund>,
    pub next_id: i64,
    pub deliveries: Vec<Delivery>,
    /// What the scripted customer does when a checkout opens, by access code.
    pub scripts: HashMap<String, CustomerScript>,
    /// Serialises deliveries so events arrive in the order they happened.
    pub queue: Arc<tokio::sync::Mutex<()>>,
}

/// Shared state of the Paystack simulator; clone it freely.
#[derive(Debug, Clone)]
pub struct PaystackSim {
    pub(crate) inner: Arc<Mutex<Inner>>,
}

/// Now, as Paystack prints times (`2024-08-22T09:15:02.000Z`).
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

impl PaystackSim {
    /// A fresh integration with no transactions.
    pub fn new(config: PaystackSimConfig) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner {
                config,
                txns: HashMap::new(),
                by_access_code: HashMap::new(),
                refunds: HashMap::new(),
                next_id: 4_099_260_516,
                deliveries: Vec::new(),
                scripts: HashMap::new(),
                queue: Arc::new(tokio::sync::Mutex::new(())),
            })),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind; keep serving.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Changes where and how webhooks are delivered from now on.
    pub fn set_webhooks(&self, script: WebhookScript) {
        self.lock().config.webhooks = script;
    }

    /// Every webhook sent so far, in order.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.lock().deliveries.clone()
    }

    /// A transaction by reference (for tests and the control API).
    pub fn transaction(&self, reference: &str) -> Option<Txn> {
        self.lock().txns.get(reference).cloned()
    }

    /// Scripts what the customer does when the checkout of `access_code` opens.
    pub fn script_customer(&self, access_code: &str, script: CustomerScript) {
        self.lock().scripts.insert(access_code.to_owned(), script);
    }

    /// The reference behind an access code.
    pub fn reference_for(&self, access_code: &str) -> Option<String> {
        self.lock().by_access_code.get(access_code).cloned()
    }
}

impl Inner {
    pub fn next_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn domain(&self) -> &'static str {
        if self.config.secret_key.starts_with("sk_live_") {
            "live"
        } else {
            "test"
        }
    }

    /// The customer tries `card` (with `pin`) on the checkout of `reference`.
    pub fn pay(&mut self, reference: &str, card: &str, pin: Option<&str>) -> Option<PayOutcome> {
        let txn = self.txns.get_mut(reference)?;
        if txn.status == "success" || txn.status == "reversed" {
            return Some(PayOutcome::Declined {
                message: "Transaction has already been completed".into(),
            });
        }
        match cards::behaviour(card) {
            CardBehaviour::Succeeds
            | CardBehaviour::RefundFails
            | CardBehaviour::RefundNeedsAttention => {}
            CardBehaviour::NeedsPin(expected) => match pin {
                Some(given) if given == expected => {}
                Some(_) => {
                    txn.status = "ongoing".into();
                    txn.gateway_response = Some("Incorrect PIN".into());
                    return Some(PayOutcome::Retry {
                        message: "Incorrect PIN. Try again".into(),
                    });
                }
                None => {
                    txn.status = "ongoing".into();
                    txn.gateway_response = Some("Please enter your PIN".into());
                    return Some(PayOutcome::Retry {
                        message: "Please enter your card PIN to continue".into(),
                    });
                }
            },
            CardBehaviour::Declined(message) => {
                txn.status = "failed".into();
                txn.gateway_response = Some(message.into());
                txn.card = Some(card.into());
                return Some(PayOutcome::Declined {
                    message: message.into(),
                });
            }
        }
        txn.status = "success".into();
        txn.gateway_response = Some("Successful".into());
        txn.card = Some(card.into());
        txn.paid_at = Some(now_iso());
        Some(PayOutcome::Success {
            id: txn.id,
            reference: txn.reference.clone(),
        })
    }

    /// The `authorization` object of a paid transaction.
    fn authorization(txn: &Txn) -> Value {
        let Some(card) = &txn.card else {
            return json!({});
        };
        let (bin, last4) = cards::bin_last4(card);
        let brand = if bin.starts_with('4') {
            "visa"
        } else {
            "mastercard"
        };
        json!({
            "authorization_code": format!("AUTH_{}", txn.id),
            "bin": bin, "last4": last4, "exp_month": "12", "exp_year": "2030",
            "channel": "card", "card_type": format!("{brand} DEBIT"), "bank": "TEST BANK",
            "country_code": "KE", "brand": brand, "reusable": true,
            "signature": format!("SIG_{}", txn.id), "account_name": null
        })
    }

    /// A transaction as verify and `charge.success` print it.
    pub fn txn_json(&self, txn: &Txn) -> Value {
        json!({
            "id": txn.id, "domain": self.domain(), "status": txn.status,
            "reference": txn.reference, "receipt_number": null,
            "amount": txn.amount, "requested_amount": txn.amount,
            "message": null, "gateway_response": txn.gateway_response,
            "paid_at": txn.paid_at, "paidAt": txn.paid_at,
            "created_at": txn.created_at, "createdAt": txn.created_at,
            "transaction_date": txn.created_at,
            "channel": "card", "currency": txn.currency, "ip_address": "127.0.0.1",
            "metadata": txn.metadata, "log": null,
            "fees": if txn.paid_at.is_some() { json!(txn.amount * 29 / 1000) } else { Value::Null },
            "authorization": Self::authorization(txn),
            "customer": {
                "id": 68324, "first_name": null, "last_name": null, "email": txn.email,
                "customer_code": format!("CUS_{}", txn.id), "phone": null, "metadata": null,
                "risk_action": "default", "international_format_phone": null
            },
            "plan": null, "split": {}, "order_id": null
        })
    }

    /// A refund as `POST /refund` and `GET /refund/:id` print it.
    pub fn refund_json(&self, refund: &SimRefund) -> Value {
        let txn = self.txns.get(&refund.reference);
        json!({
            "transaction": txn.map(|t| json!({
                "id": t.id, "domain": self.domain(), "reference": t.reference,
                "amount": t.amount, "paid_at": t.paid_at, "channel": "card",
                "currency": t.currency, "authorization": {}, "customer": {},
                "metadata": t.metadata
            })),
            "integration": 463433, "deducted_amount": 0, "channel": null,
            "merchant_note": refund.merchant_note, "customer_note": refund.customer_note,
            "status": refund.status, "refunded_by": "sim@malipo.test",
            "expected_at": refund.created_at,
            "currency": txn.map(|t| t.currency.clone()), "domain": self.domain(),
            "amount": refund.amount, "fully_deducted": false, "id": refund.id,
            "createdAt": refund.created_at, "updatedAt": refund.created_at
        })
    }

    /// The `data` of a `refund.*` event.
    pub fn refund_event_data(&self, refund: &SimRefund) -> Value {
        let txn = self.txns.get(&refund.reference);
        json!({
            "status": refund.status, "transaction_reference": refund.reference,
            "refund_reference": format!("RFD{}", refund.id),
            "amount": refund.amount, "currency": txn.map(|t| t.currency.clone()),
            "processor": "card", "id": refund.id,
            "customer": {"first_name": null, "last_name": null, "email": txn.map(|t| t.email.clone())},
            "integration": 463433, "domain": self.domain(),
            "customer_note": refund.customer_note, "merchant_note": refund.merchant_note
        })
    }

    /// The final status a refund of this transaction reaches, by the card that paid it.
    pub fn refund_outcome(&self, reference: &str) -> &'static str {
        let card = self.txns.get(reference).and_then(|t| t.card.clone());
        match card.as_deref().map(cards::behaviour) {
            Some(CardBehaviour::RefundFails) => "failed",
            Some(CardBehaviour::RefundNeedsAttention) => "needs-attention",
            _ => "processed",
        }
    }
}
