//! The missed-confirmation sweep: a C2B receipt the till should have heard about (the
//! customer shows the M-Pesa SMS; a confirmation was lost) is looked up with Daraja's
//! transaction status query. The answer comes back asynchronously to the relay's result URL;
//! a completed payment is posted like any confirmation — usually to unmatched receipts, where
//! the cashier places it — and a receipt already in the ledger is never asked about.
//!
//! [`Engine::sweep_missed`] does this by itself (from `Engine::run`, every `sweep_every`):
//! a C2B *validation* names a receipt the till is about to be told of; when no confirmation
//! of it has reached the ledger `missed_after` later, its status is asked once. The sweep's
//! place (the last validation looked at) is kept in memory: after a restart it looks again at
//! the last day's validations, and asking twice is harmless (the answer posts idempotently).

use malipo_core::{PaymentMethod, Provider, Timestamp};
use malipo_providers::daraja::{parse_c2b_validation, AsyncResult, C2bPayment, StatusQueryRequest};
use malipo_store::{Confirmation, InboxEvent};

use crate::engine::Engine;
use crate::error::EngineError;
use crate::ingest::{c2b_confirmation, Processed};

/// What a receipt check did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiptCheck {
    /// Already in the ledger.
    Known { payment_id: i64 },
    /// Asked M-Pesa; the answer will post it if it completed.
    Asked,
}

/// A transaction status query in flight: the receipt asked about, and the C2B validation
/// that named it when the sweep asked.
#[derive(Debug, Clone)]
pub(crate) struct Asked {
    pub receipt: String,
    pub validation: Option<C2bPayment>,
}

/// How far back the sweep looks: a confirmation missed for longer is the manager's to chase
/// (Incoming payments, or the receipt typed in by hand).
const SWEEP_HORIZON_MS: i64 = 24 * 3600 * 1000;

impl Engine {
    /// Asks M-Pesa about every validated C2B payment whose confirmation is `missed_after`
    /// late; returns how many it asked about. A query that cannot be sent stops the sweep
    /// where it is, to go on from there next time.
    pub async fn sweep_missed(&self) -> Result<usize, EngineError> {
        let config = &self.inner.config;
        if self.inner.daraja.is_none() || config.result_url.is_none() {
            return Ok(0);
        }
        let now = self.now();
        let missed_ms = i64::try_from(config.missed_after.as_millis()).unwrap_or(i64::MAX);
        let window = (
            Timestamp(now.0.saturating_sub(SWEEP_HORIZON_MS)),
            Timestamp(now.0.saturating_sub(missed_ms)),
        );
        let mut asked = 0;
        loop {
            let mark = self.sweep_mark();
            let batch =
                self.store()?
                    .inbox_of_kind_after("daraja", "c2b-validate", mark, window, 50)?;
            let Some(last) = batch.last().map(|e| e.id) else {
                return Ok(asked);
            };
            for event in &batch {
                if let Some(validation) = self.missed_validation(event)? {
                    let receipt = validation.trans_id.clone();
                    if let ReceiptCheck::Asked = self.ask_status(&receipt, Some(validation)).await?
                    {
                        tracing::info!(%receipt, "C2B confirmation missed: asked M-Pesa for its status");
                        asked += 1;
                    }
                }
                self.set_sweep_mark(event.id);
            }
            if batch.len() < 50 || self.sweep_mark() < last {
                return Ok(asked);
            }
        }
    }

    /// A validation whose receipt the ledger has not heard of (its `trans_id` upper-cased).
    fn missed_validation(&self, event: &InboxEvent) -> Result<Option<C2bPayment>, EngineError> {
        // An unreadable validation names nothing to ask about (it is kept in the inbox).
        let Ok(mut validation) = parse_c2b_validation(&event.body) else {
            return Ok(None);
        };
        validation.trans_id = validation.trans_id.trim().to_ascii_uppercase();
        if validation.trans_id.is_empty() {
            return Ok(None);
        }
        let known = self
            .store()?
            .payment_by_txn(Provider::Mpesa, &validation.trans_id)?;
        Ok(known.is_none().then_some(validation))
    }

    fn sweep_mark(&self) -> i64 {
        self.inner.sweep_mark.lock().map(|m| *m).unwrap_or(i64::MAX)
    }

    fn set_sweep_mark(&self, id: i64) {
        if let Ok(mut m) = self.inner.sweep_mark.lock() {
            *m = (*m).max(id);
        }
    }

    /// Looks up an M-Pesa receipt number the till has no record of.
    pub async fn check_receipt(&self, receipt: &str) -> Result<ReceiptCheck, EngineError> {
        self.ask_status(receipt, None).await
    }

    /// Asks M-Pesa about `receipt`; the validation that named it, when there is one, says
    /// whose money it is (account reference, payer) when the answer comes back.
    async fn ask_status(
        &self,
        receipt: &str,
        validation: Option<C2bPayment>,
    ) -> Result<ReceiptCheck, EngineError> {
        let receipt = receipt.trim().to_ascii_uppercase();
        if receipt.len() < 8 || !receipt.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(EngineError::Invalid(
                "an M-Pesa receipt number is letters and digits, like TKP5ZZ81AB".into(),
            ));
        }
        if let Some(p) = self.store()?.payment_by_txn(Provider::Mpesa, &receipt)? {
            return Ok(ReceiptCheck::Known { payment_id: p.id });
        }
        let client = self
            .inner
            .daraja
            .as_ref()
            .ok_or(EngineError::NotConfigured("M-Pesa"))?;
        let config = &self.inner.config;
        let (Some(result_url), Some(timeout_url)) = (&config.result_url, &config.timeout_url)
        else {
            return Err(EngineError::NotConfigured("the relay (result URLs)"));
        };
        let ack = client
            .transaction_status(&StatusQueryRequest {
                transaction_id: receipt.clone(),
                result_url: result_url.clone(),
                timeout_url: timeout_url.clone(),
                remarks: "Missed confirmation".into(),
                occasion: None,
            })
            .await
            .map_err(|e| EngineError::Provider(format!("M-Pesa could not be asked: {e}")))?;
        if let Ok(mut asked) = self.inner.status_queries.lock() {
            asked.insert(
                ack.originator_conversation_id,
                Asked {
                    receipt,
                    validation,
                },
            );
        }
        Ok(ReceiptCheck::Asked)
    }

    /// A transaction status result for a receipt this till asked about, if it is one.
    pub(crate) fn status_result(
        &self,
        result: &AsyncResult,
        inbox_id: i64,
        received: Timestamp,
        now: Timestamp,
    ) -> Result<Option<Processed>, EngineError> {
        let asked = self.inner.status_queries.lock().ok().and_then(|mut q| {
            q.remove(&result.originator_conversation_id)
                .or_else(|| q.remove(&result.conversation_id))
        });
        let Some(Asked {
            receipt,
            validation,
        }) = asked
        else {
            return Ok(None);
        };
        if !result.result_code.is_success() {
            return Ok(Some(Processed::Applied(
                "M-Pesa has no completed payment with that receipt",
            )));
        }
        if result.parameter("TransactionStatus") != Some("Completed") {
            return Ok(Some(Processed::Applied(
                "the receipt exists but the payment is not completed",
            )));
        }
        let Some(amount) = result.amount() else {
            return Err(EngineError::Invalid(
                "the status result carries no amount".into(),
            ));
        };
        let receipt = result.parameter("ReceiptNo").unwrap_or(&receipt).to_owned();
        let confirmation = match validation {
            // The validation told whose money it is: post it as the confirmation would have,
            // for the amount M-Pesa says was paid.
            Some(v) => Confirmation {
                provider_txn_id: Some(receipt),
                amount,
                ..c2b_confirmation(&v, Some(inbox_id), received)
            },
            None => {
                // "2547… - NAME": the payer's number and name as M-Pesa shows them.
                let debit = result.parameter("DebitPartyName").unwrap_or("");
                let (number, name) = debit.split_once(" - ").unwrap_or(("", debit));
                let phone = malipo_core::Phone::parse(number.trim()).ok();
                Confirmation {
                    method: PaymentMethod::MpesaPaybill,
                    provider_txn_id: Some(receipt),
                    attempt_ref: None,
                    account_reference: None,
                    amount,
                    payer_ref: phone.as_ref().map(|p| p.masked()),
                    payer_phone: phone,
                    payer_name: Some(name.trim().to_owned()).filter(|n| !n.is_empty()),
                    inbox_id: Some(inbox_id),
                    received_at: received,
                }
            }
        };
        let outcome = self.store()?.post_payment(&confirmation, now)?;
        Ok(Some(Processed::Posted(outcome)))
    }
}
