//! The receipt outbox: queue receipts in the store, drain what is due, retry with backoff.
//!
//! Queueing is a store write only, so it never blocks or fails a sale on the network. The
//! drain claims due rows under a lease (another drainer skips them; a drainer that dies leaves
//! them to be retried when the lease ends), sends each, and records the outcome: `sent`, a
//! retry at `now + delay(attempt)`, or `failed_permanently` when the error cannot be retried
//! or the attempts are used up. Delivery is at least once: a crash between the provider's
//! acceptance and the `sent` mark sends that message again. [`Outbox::run_until`] is the
//! background loop, on its own store connection.

use malipo_core::Timestamp;
use malipo_print::{Paper, Receipt};
use malipo_store::{NewOutboxMessage, OutboxChannel, OutboxMessage, Store};

use crate::email::EmailSender;
use crate::error::{NotifyError, SendError};
use crate::mask;
use crate::render::{email_receipt, sms_receipt};
use crate::sms::SmsSender;

/// When to try again and when to give up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Delay after the 1st, 2nd, … failure, in milliseconds; the last repeats.
    pub delays_ms: Vec<i64>,
    /// Attempts before a message is `failed_permanently`.
    pub max_attempts: i64,
    /// How long a claimed message is reserved for the drainer that took it.
    pub lease_ms: i64,
    /// Messages taken per run.
    pub batch: i64,
}

impl Default for RetryPolicy {
    /// 30 s, 2 min, 10 min, 1 h, then every 3 h; give up after 8 attempts (about 13 hours).
    fn default() -> Self {
        RetryPolicy {
            delays_ms: vec![30_000, 120_000, 600_000, 3_600_000, 10_800_000],
            max_attempts: 8,
            lease_ms: 300_000,
            batch: 50,
        }
    }
}

impl RetryPolicy {
    /// The wait after the `failures`-th failure (1-based).
    pub fn delay_ms(&self, failures: i64) -> i64 {
        let idx = usize::try_from(failures.saturating_sub(1)).unwrap_or(0);
        self.delays_ms
            .get(idx)
            .or(self.delays_ms.last())
            .copied()
            .unwrap_or(60_000)
    }
}

/// The configured senders; a channel left `None` is not set up (its messages wait and are
/// retried, so setting it up later still delivers them).
#[derive(Debug, Clone, Default)]
pub struct Senders {
    pub email: Option<EmailSender>,
    pub sms: Option<SmsSender>,
}

/// Where a customer wants the receipt.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiptRecipients {
    pub email: Option<String>,
    /// International form (`+254712345678` or `254712345678`).
    pub phone: Option<String>,
}

/// The result of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Accepted; the provider's reference (SMS message id, SMTP answer).
    Sent {
        provider_ref: String,
    },
    Failed(SendError),
}

/// What one drain did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunSummary {
    pub sent: usize,
    /// Failed this time, retried later.
    pub retrying: usize,
    /// Given up this time (still listed, with the error).
    pub failed_permanently: usize,
}

/// The outbox: senders plus the retry policy.
#[derive(Debug, Clone, Default)]
pub struct Outbox {
    pub senders: Senders,
    pub policy: RetryPolicy,
}

impl Outbox {
    /// An outbox with the default retry policy.
    pub fn new(senders: Senders) -> Outbox {
        Outbox {
            senders,
            policy: RetryPolicy::default(),
        }
    }

    /// Queues the receipt for `r` to each of `to`'s addresses (email laid out for `paper`).
    /// Queued once per payment, channel and recipient. Returns the outbox ids.
    pub fn enqueue_receipt(
        store: &mut Store,
        r: &Receipt,
        paper: Paper,
        to: &ReceiptRecipients,
        sale_id: Option<i64>,
        payment_id: Option<i64>,
        now: Timestamp,
    ) -> Result<Vec<i64>, NotifyError> {
        let mut ids = Vec::new();
        if let Some(address) = to.email.as_deref().filter(|a| !a.trim().is_empty()) {
            let mail = email_receipt(r, paper);
            let (id, _) = store.outbox_enqueue(
                &NewOutboxMessage {
                    channel: OutboxChannel::Email,
                    recipient: address.trim(),
                    subject: Some(&mail.subject),
                    body: &mail.body,
                    sale_id,
                    payment_id,
                },
                now,
            )?;
            ids.push(id);
        }
        if let Some(phone) = to.phone.as_deref().filter(|p| !p.trim().is_empty()) {
            let text = sms_receipt(r);
            let (id, _) = store.outbox_enqueue(
                &NewOutboxMessage {
                    channel: OutboxChannel::Sms,
                    recipient: phone.trim(),
                    subject: None,
                    body: &text,
                    sale_id,
                    payment_id,
                },
                now,
            )?;
            ids.push(id);
        }
        Ok(ids)
    }

    /// Step 1: claims the due messages (a short store write).
    pub fn claim(
        &self,
        store: &mut Store,
        now: Timestamp,
    ) -> Result<Vec<OutboxMessage>, NotifyError> {
        Ok(store.outbox_claim(now, now.plus_ms(self.policy.lease_ms), self.policy.batch)?)
    }

    /// Step 2: sends one message (network only, no store).
    pub async fn deliver(&self, m: &OutboxMessage) -> Delivery {
        let result = match m.channel {
            OutboxChannel::Email => match &self.senders.email {
                Some(sender) => {
                    let subject = m.subject.as_deref().unwrap_or("Receipt");
                    sender.send(&m.recipient, subject, &m.body).await
                }
                None => Err(SendError::NotConfigured { channel: "email" }),
            },
            OutboxChannel::Sms => match &self.senders.sms {
                Some(sender) => sender
                    .send(&m.recipient, &m.body)
                    .await
                    .map(|ok| ok.message_id),
                None => Err(SendError::NotConfigured { channel: "SMS" }),
            },
        };
        match result {
            Ok(provider_ref) => Delivery::Sent { provider_ref },
            Err(e) => Delivery::Failed(e),
        }
    }

    /// Step 3: records a delivery's outcome (a short store write) and adds it to `summary`.
    pub fn record(
        &self,
        store: &mut Store,
        m: &OutboxMessage,
        delivery: &Delivery,
        now: Timestamp,
        summary: &mut RunSummary,
    ) -> Result<(), NotifyError> {
        match delivery {
            Delivery::Sent { provider_ref } => {
                store.outbox_mark_sent(m.id, Some(provider_ref), now)?;
                summary.sent += 1;
            }
            Delivery::Failed(e) => {
                let failures = m.attempts.saturating_add(1);
                let give_up = !e.is_retryable() || failures >= self.policy.max_attempts;
                let next = (!give_up).then(|| now.plus_ms(self.policy.delay_ms(failures)));
                store.outbox_mark_failed(m.id, &e.to_string(), next)?;
                tracing::warn!(
                    id = m.id,
                    channel = m.channel.code(),
                    to = %mask::recipient(&m.recipient),
                    attempt = failures,
                    retry_at = next.map(|t| t.0),
                    error = %e,
                    "receipt not delivered"
                );
                if give_up {
                    summary.failed_permanently += 1;
                } else {
                    summary.retrying += 1;
                }
            }
        }
        Ok(())
    }

    /// Sends everything due at `now`: claim, deliver, record. Only store failures are errors;
    /// a failed delivery is recorded on its row.
    pub async fn run_due(
        &self,
        store: &mut Store,
        now: Timestamp,
    ) -> Result<RunSummary, NotifyError> {
        let mut summary = RunSummary::default();
        for m in self.claim(store, now)? {
            let delivery = self.deliver(&m).await;
            self.record(store, &m, &delivery, now, &mut summary)?;
        }
        Ok(summary)
    }
}

impl Outbox {
    /// The engine's background task: drains at once, then whenever `wake` is notified (the
    /// engine just queued a receipt) or `every` has passed, until `shutdown` completes. A send
    /// in flight when `shutdown` fires is finished and recorded. `store` is this task's own
    /// connection to the till's database file; `clock` gives the time.
    pub async fn run_until(
        &self,
        store: &mut Store,
        clock: impl Fn() -> Timestamp,
        every: std::time::Duration,
        wake: Option<&tokio::sync::Notify>,
        shutdown: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(shutdown);
        loop {
            match self.run_due(store, clock()).await {
                Ok(s) if s != RunSummary::default() => tracing::info!(
                    sent = s.sent,
                    retrying = s.retrying,
                    failed_permanently = s.failed_permanently,
                    "receipt outbox drained"
                ),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "the receipt outbox could not run"),
            }
            let woken = async {
                match wake {
                    Some(n) => n.notified().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(every) => {}
                () = woken => {}
            }
        }
    }
}

/// [`Outbox::run_due`] for callers holding the senders alone, with the default policy.
pub async fn run_due(
    store: &mut Store,
    senders: &Senders,
    now: Timestamp,
) -> Result<RunSummary, NotifyError> {
    Outbox::new(senders.clone()).run_due(store, now).await
}
