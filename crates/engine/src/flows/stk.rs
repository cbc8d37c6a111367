//! STK push (seed 003): raise the attempt, push, then wait for the callback the relay brings;
//! underneath, query every 8 s for up to 96 s. "Stop waiting" stops only the waiting: the
//! attempt stays open to a late confirmation, which still posts exactly once.
//!
//! The same schedule is the resolver: after a restart, or when queries failed, attempts still
//! pending are asked again with backoff, a bounded number of times, then closed as timed out.
//! A callback that arrives after that still posts to the attempt (a late success). A C2B
//! confirmation of the same money that arrives after the close posts by its account reference
//! (as Paybill, not linked to the closed attempt). When Daraja answers "still processing" for the whole
//! window, the attempt closes at the window's end; only an unreachable Daraja earns the
//! backoff queries.

use malipo_core::{AttemptState, Money, PaymentMethod, Phone, TargetRef, Timestamp};
use malipo_providers::daraja::{
    whole_shillings, Outcome, StkPushRequest, StkQueryAnswer, StkResultCode,
};
use malipo_store::{AttemptRow, Confirmation, NewAttempt};

use crate::engine::{Engine, Wait};
use crate::error::EngineError;

/// Why an STK attempt ended, as the attempt row records it.
pub(crate) fn stk_failure(code: &StkResultCode) -> (AttemptState, &'static str) {
    match code {
        StkResultCode::Cancelled => (AttemptState::Cancelled, code.cashier_message()),
        StkResultCode::Unreachable | StkResultCode::Expired => {
            (AttemptState::TimedOut, code.cashier_message())
        }
        other => (AttemptState::Failed, other.cashier_message()),
    }
}

impl Engine {
    /// Sends an STK push for `amount` of the sale to `phone` (as the cashier typed it).
    pub async fn stk_start(
        &self,
        sale_id: i64,
        phone: &str,
        amount: Money,
    ) -> Result<AttemptRow, EngineError> {
        let daraja = self
            .inner
            .daraja
            .as_ref()
            .ok_or(EngineError::NotConfigured("M-Pesa"))?;
        let callback_url = self
            .inner
            .config
            .stk_callback_url
            .clone()
            .ok_or(EngineError::NotConfigured("the relay (STK callback URL)"))?;
        let phone = Phone::parse(phone).map_err(|e| EngineError::InvalidPhone(e.to_string()))?;
        whole_shillings(amount).map_err(|e| EngineError::InvalidAmount(e.to_string()))?;
        let (sale, _) = self.open_sale_for(sale_id, amount)?;
        let now = self.now();
        let attempt = self.store()?.attempt_create(
            &NewAttempt {
                method: PaymentMethod::MpesaStk,
                target: TargetRef::Sale(sale_id),
                amount,
                phone: Some(phone.clone()),
                account_reference: Some(sale.number.clone()),
                provider_ref: None,
            },
            now,
        )?;
        let push = StkPushRequest {
            phone: phone.as_str().to_owned(),
            amount,
            account_reference: sale.number.clone(),
            description: format!("Sale {}", sale.number),
            callback_url,
        };
        match daraja.stk_push(&push, now).await {
            Ok(ack) => {
                let now = self.now();
                self.store()?.attempt_set_provider_ref(
                    attempt.id,
                    &ack.checkout_request_id,
                    now,
                )?;
                self.schedule(attempt.id, now.plus_ms(self.query_every_ms()), 0);
                tracing::info!(attempt = attempt.id, sale = %sale.number, "STK push sent");
            }
            Err(e) => {
                return Err(
                    self.provider_refused(attempt.id, format!("the push could not be sent: {e}"))
                );
            }
        }
        let row = self.store()?.attempt_get(attempt.id)?;
        self.emit_attempt(row.id);
        Ok(row)
    }

    /// The cashier stops waiting: the register goes back to the tenders. The attempt stays
    /// open — the resolver keeps asking and a late callback still posts.
    pub fn stop_waiting(&self, attempt_id: i64) -> Result<AttemptRow, EngineError> {
        if let Ok(mut waits) = self.inner.waits.lock() {
            let next_at = self.now().plus_ms(self.query_every_ms());
            waits
                .entry(attempt_id)
                .or_insert(Wait {
                    queries: 0,
                    next_at,
                    stopped: false,
                })
                .stopped = true;
        }
        self.emit_attempt(attempt_id);
        Ok(self.store()?.attempt_get(attempt_id)?)
    }

    fn query_every_ms(&self) -> i64 {
        i64::try_from(self.inner.config.stk_query_every.as_millis()).unwrap_or(i64::MAX)
    }

    fn schedule(&self, attempt_id: i64, next_at: Timestamp, queries: u32) {
        if let Ok(mut waits) = self.inner.waits.lock() {
            let stopped = waits.get(&attempt_id).is_some_and(|w| w.stopped);
            waits.insert(
                attempt_id,
                Wait {
                    queries,
                    next_at,
                    stopped,
                },
            );
        }
    }

    /// Queries every pending STK attempt that is due; closes those past every retry.
    pub async fn resolve_due(&self) {
        let now = self.now();
        let pending = match self.store().and_then(|s| Ok(s.attempts_pending(now)?)) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "resolver could not list pending attempts");
                return;
            }
        };
        for attempt in pending {
            if attempt.method != PaymentMethod::MpesaStk || attempt.provider_ref.is_none() {
                continue;
            }
            let wait = self
                .inner
                .waits
                .lock()
                .ok()
                .and_then(|w| w.get(&attempt.id).copied());
            let wait = match wait {
                Some(w) => w,
                None => {
                    // First sight since a restart: ask now, counting the queries the window
                    // has already used up.
                    let elapsed = now.0.saturating_sub(attempt.created_at.0);
                    let used =
                        u32::try_from(elapsed / self.query_every_ms().max(1)).unwrap_or(u32::MAX);
                    Wait {
                        queries: used.min(self.inner.config.stk_max_queries),
                        next_at: now,
                        stopped: false,
                    }
                }
            };
            if wait.next_at > now {
                continue;
            }
            if let Err(e) = self.query_once(&attempt, wait).await {
                tracing::warn!(attempt = attempt.id, error = %e, "STK query failed");
            }
        }
    }

    /// Applies an STK query's answer to the attempt (sans IO: the resolver's queries and the
    /// tests both come through here). Paid posts a receipt-less payment (the callback or the
    /// C2B confirmation fills the receipt in later, as the same money); a final failure
    /// closes the attempt with its reason. Returns whether the answer was final.
    pub fn apply_stk_query_answer(
        &self,
        attempt_id: i64,
        answer: &StkQueryAnswer,
    ) -> Result<bool, EngineError> {
        let attempt = self.store()?.attempt_get(attempt_id)?;
        let Some(checkout) = attempt.provider_ref.clone() else {
            return Ok(false);
        };
        let now = self.now();
        match (answer.outcome(), answer) {
            (Outcome::Paid, _) => {
                let posted = self.store()?.post_payment(
                    &Confirmation {
                        method: PaymentMethod::MpesaStk,
                        provider_txn_id: None,
                        attempt_ref: Some(checkout),
                        account_reference: attempt.account_reference.clone(),
                        amount: attempt.amount,
                        payer_phone: attempt.phone.as_deref().and_then(|p| Phone::parse(p).ok()),
                        payer_name: None,
                        payer_ref: None,
                        inbox_id: None,
                        received_at: now,
                    },
                    now,
                )?;
                self.after_post(&posted)?;
                self.emit_attempt(attempt_id);
                Ok(true)
            }
            (
                Outcome::Failed,
                StkQueryAnswer::Result {
                    code, description, ..
                },
            ) => {
                if attempt.state.is_terminal() {
                    return Ok(true);
                }
                let (state, message) = stk_failure(code);
                let reason = if message.is_empty() {
                    description.as_str()
                } else {
                    message
                };
                self.store()?
                    .attempt_transition(attempt_id, state, Some(reason), now)?;
                self.emit_attempt(attempt_id);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn query_once(&self, attempt: &AttemptRow, wait: Wait) -> Result<(), EngineError> {
        let Some(daraja) = self.inner.daraja.as_ref() else {
            return Ok(());
        };
        let Some(checkout) = attempt.provider_ref.as_deref() else {
            return Ok(());
        };
        let max = self.inner.config.stk_max_queries;
        let retries = self.inner.config.resolver_retries;
        let queries = wait.queries.saturating_add(1);
        let answer = daraja.stk_query(checkout, self.now()).await;
        let now = self.now();
        let settled = match &answer {
            Ok(a) => self.apply_stk_query_answer(attempt.id, a)?,
            Err(_) => false,
        };
        if !settled {
            let every = self.query_every_ms();
            let unreachable_provider = answer.is_err();
            if queries < max {
                self.schedule(attempt.id, now.plus_ms(every), queries);
            } else if unreachable_provider && queries < max.saturating_add(retries) {
                // Past the window without an answer from Daraja: ask again with backoff
                // (16 s, 32 s, 64 s, …) before giving up.
                let extra = queries - max + 1;
                let backoff = every.saturating_mul(1_i64 << extra.min(10));
                self.schedule(attempt.id, now.plus_ms(backoff), queries);
            } else {
                let reason = match &answer {
                    Err(e) => format!("no confirmation could be obtained: {e}"),
                    Ok(_) => "no response from the customer's phone".to_owned(),
                };
                self.close_attempt(attempt.id, AttemptState::TimedOut, &reason)?;
            }
        }
        Ok(())
    }
}
