//! Refunds and reversals. Off unless the shop turns them on (`refunds.enabled` = `on`): when
//! off the engine refuses every request, whoever asks. When on, a manager (by PIN) asks with
//! the payment's receipt number and the amount confirmed; a card refund goes to Paystack and
//! completes on its `refund.processed` webhook; an M-Pesa reversal goes to Daraja and
//! completes on its result event. Completion re-opens the sale's balance (the store derives
//! balances from allocations and completed refunds); a failure keeps its reason.

use malipo_core::{Money, Provider, Timestamp};
use malipo_providers::daraja::{parse_result, ReversalRequest};
use malipo_providers::paystack::{self, RefundEvent};
use malipo_store::{InboxEvent, Refund, RefundKind, RefundRequest, Role};

use crate::engine::{Engine, EngineEvent, REFUNDS_SETTING};
use crate::error::EngineError;
use crate::ingest::Processed;

/// A manager's refund request.
#[derive(Debug, Clone)]
pub struct RefundAsk<'a> {
    pub payment_id: i64,
    pub amount: Money,
    /// The receipt number as the manager read it back (must be the payment's).
    pub receipt: &'a str,
    pub manager: &'a str,
    pub pin: &'a str,
}

impl Engine {
    /// Whether this shop allows refunds.
    pub fn refunds_enabled(&self) -> Result<bool, EngineError> {
        Ok(self.store()?.setting_get(REFUNDS_SETTING)?.as_deref() == Some("on"))
    }

    /// Requests a refund or reversal; it completes when the provider's result arrives.
    pub async fn refund(&self, ask: &RefundAsk<'_>) -> Result<Refund, EngineError> {
        if !self.refunds_enabled()? {
            return Err(EngineError::RefundsDisabled);
        }
        let manager = self
            .store()?
            .user_verify_pin(ask.manager, ask.pin)?
            .filter(|u| u.role == Role::Manager && u.active)
            .ok_or_else(|| {
                EngineError::NotPermitted("a manager's name and PIN are needed".into())
            })?;
        let (payment, target) = {
            let store = self.store()?;
            let payment = store.payment_get(ask.payment_id)?;
            let target = store.allocations_for(payment.id)?.first().map(|a| a.target);
            (payment, target)
        };
        let receipt = payment.provider_txn_id.clone().unwrap_or_default();
        if receipt.is_empty() || !receipt.eq_ignore_ascii_case(ask.receipt.trim()) {
            return Err(EngineError::Invalid(
                "the receipt number does not match this payment".into(),
            ));
        }
        let kind = match payment.provider {
            Provider::Paystack => RefundKind::Refund,
            Provider::Mpesa => RefundKind::Reversal,
            Provider::Cash | Provider::Clickpesa => {
                return Err(EngineError::Invalid(
                    "this payment cannot be sent back through its provider from the till".into(),
                ))
            }
        };
        let now = self.now();
        let refund = self.store()?.refund_request(
            &RefundRequest {
                payment_id: payment.id,
                target,
                amount: ask.amount,
                kind,
                actor: &manager.name,
            },
            now,
        )?;
        let sent = match payment.provider {
            Provider::Paystack => self.send_card_refund(&receipt, ask.amount).await,
            _ => self.send_reversal(&receipt, ask.amount).await,
        };
        let now = self.now();
        match sent {
            Ok(provider_ref) => {
                self.store()?
                    .refund_set_provider_ref(refund.id, &provider_ref)?;
            }
            Err(reason) => {
                self.store()?.refund_fail(refund.id, &reason, now)?;
            }
        }
        self.refund_get(refund.id)
    }

    fn refund_get(&self, id: i64) -> Result<Refund, EngineError> {
        Ok(self.store()?.refund_get(id)?)
    }

    async fn send_card_refund(&self, reference: &str, amount: Money) -> Result<String, String> {
        let client = self
            .inner
            .paystack
            .as_ref()
            .ok_or_else(|| "Paystack is not set up on this till".to_owned())?;
        let refund = client
            .refund(&paystack::RefundRequest {
                transaction: reference.to_owned(),
                amount: Some(amount),
                customer_note: None,
                merchant_note: Some("Refund from the till".into()),
            })
            .await
            .map_err(|e| format!("Paystack refused the refund: {e}"))?;
        Ok(refund.id.to_string())
    }

    async fn send_reversal(&self, receipt: &str, amount: Money) -> Result<String, String> {
        let client = self
            .inner
            .daraja
            .as_ref()
            .ok_or_else(|| "M-Pesa is not set up on this till".to_owned())?;
        let config = &self.inner.config;
        let (Some(result_url), Some(timeout_url)) = (&config.result_url, &config.timeout_url)
        else {
            return Err("the relay's result URLs are not set".into());
        };
        let ack = client
            .reverse(&ReversalRequest {
                transaction_id: receipt.to_owned(),
                amount,
                result_url: result_url.clone(),
                timeout_url: timeout_url.clone(),
                remarks: "Reversal from the till".into(),
                occasion: None,
            })
            .await
            .map_err(|e| format!("M-Pesa refused the reversal: {e}"))?;
        Ok(ack.originator_conversation_id)
    }

    /// A `refund.*` webhook from Paystack.
    pub(crate) fn paystack_refund_event(
        &self,
        event: &RefundEvent,
        now: Timestamp,
    ) -> Result<Processed, EngineError> {
        let Some(payment) = self
            .store()?
            .payment_by_txn(Provider::Paystack, &event.transaction_reference)?
        else {
            return Ok(Processed::Ignored(
                "a refund for a payment this till does not hold",
            ));
        };
        let waiting = self.store()?.refunds_waiting(Some(payment.id), None)?;
        let Some(refund) = waiting.first() else {
            return Ok(Processed::Ignored("no refund of this payment is waiting"));
        };
        let provider_ref = event.id.map(|id| id.to_string());
        match event.status {
            paystack::RefundStatus::Processed => {
                self.store()?
                    .refund_complete(refund.id, provider_ref.as_deref(), now)?;
                self.refund_settled(refund)?;
                Ok(Processed::Applied("card refund completed"))
            }
            paystack::RefundStatus::Failed => {
                self.store()?
                    .refund_fail(refund.id, "Paystack reported the refund failed", now)?;
                Ok(Processed::Applied("card refund failed"))
            }
            _ => Ok(Processed::Ignored("card refund still in progress")),
        }
    }

    /// A Daraja reversal result.
    pub(crate) fn reversal_result(
        &self,
        event: &InboxEvent,
        now: Timestamp,
    ) -> Result<Processed, EngineError> {
        let result = parse_result(&event.body)
            .map_err(|e| EngineError::Invalid(format!("unreadable reversal result: {e}")))?;
        let waiting = {
            let store = self.store()?;
            let mut w = store.refunds_waiting(None, Some(&result.originator_conversation_id))?;
            if w.is_empty() {
                w = store.refunds_waiting(None, Some(&result.conversation_id))?;
            }
            w
        };
        let Some(refund) = waiting.first() else {
            // Not a reversal: perhaps the answer to a missed-confirmation lookup.
            if let Some(done) = self.status_result(&result, event.id, event.received_at, now)? {
                return Ok(done);
            }
            return Ok(Processed::Ignored(
                "a result for a request this till did not make",
            ));
        };
        if result.result_code.is_success() {
            self.store()?
                .refund_complete(refund.id, result.transaction_id.as_deref(), now)?;
            self.refund_settled(refund)?;
            Ok(Processed::Applied("M-Pesa reversal completed"))
        } else {
            let reason = format!("{} ({})", result.result_code.message(), result.result_desc);
            self.store()?.refund_fail(refund.id, &reason, now)?;
            Ok(Processed::Applied("M-Pesa reversal failed"))
        }
    }

    fn refund_settled(&self, refund: &Refund) -> Result<(), EngineError> {
        if let Some(malipo_core::TargetRef::Sale(id)) = refund.target {
            self.emit(EngineEvent::SaleChanged { sale_id: id });
        }
        Ok(())
    }
}
