//! Provider events from the inbox → the ledger. Each pending inbox row is parsed by its
//! provider's parser and becomes one of: a confirmation for `Store::post_payment` (which
//! records the row's outcome in the same transaction), an attempt's failure, a refund's
//! result, or `ignored`. An event that cannot be read or verified stays in the inbox with its
//! reason (`error`), is reported on the event channel, and can be retried — never dropped.

use malipo_core::{normalise_reference, PaymentMethod, Timestamp};
use malipo_providers::daraja::{
    parse_c2b_confirmation, parse_stk_callback, C2bPayment, Msisdn, Outcome,
};
use malipo_providers::paystack::{self, WebhookEvent};
use malipo_store::{Confirmation, InboxEvent, PostOutcome};

use crate::engine::{Engine, EngineEvent};
use crate::error::EngineError;
use crate::flows::card::card_confirmation;
use crate::flows::stk::stk_failure;

/// What processing one event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Processed {
    Posted(PostOutcome),
    /// Applied without money moving (a failed STK, a refund result).
    Applied(&'static str),
    Ignored(&'static str),
    /// Kept with its reason, to be shown and retried.
    Problem(String),
}

impl Engine {
    /// Processes every pending inbox event, oldest first; returns how many were handled.
    pub fn process_inbox(&self) -> Result<usize, EngineError> {
        let mut done = 0;
        loop {
            let batch = self.store()?.inbox_list(Some("pending"), 100)?;
            if batch.is_empty() {
                return Ok(done);
            }
            for event in batch {
                self.process_event(&event)?;
                done += 1;
            }
        }
    }

    /// Processes one stored event and records its outcome.
    pub fn process_event(&self, event: &InboxEvent) -> Result<Processed, EngineError> {
        let now = self.now();
        let processed = match self.interpret(event, now) {
            Ok(p) => p,
            Err(EngineError::Store(e)) => return Err(EngineError::Store(e)),
            Err(e) => Processed::Problem(e.to_string()),
        };
        match &processed {
            Processed::Posted(outcome) => self.after_post(outcome)?,
            Processed::Applied(what) => {
                self.store()?
                    .inbox_set_outcome(event.id, "applied", Some(what), now)?;
            }
            Processed::Ignored(why) => {
                self.store()?
                    .inbox_set_outcome(event.id, "ignored", Some(why), now)?;
            }
            Processed::Problem(detail) => {
                tracing::warn!(inbox = event.id, kind = %event.kind, detail = %detail, "inbox event kept as a problem");
                self.store()?
                    .inbox_set_outcome(event.id, "error", Some(detail), now)?;
                self.emit(EngineEvent::InboxProblem {
                    inbox_id: event.id,
                    detail: detail.clone(),
                });
            }
        }
        Ok(processed)
    }

    /// Puts a problem event back in the queue (after a fix, or a settings change).
    pub fn retry_inbox(&self, inbox_id: i64) -> Result<(), EngineError> {
        let now = self.now();
        self.store()?
            .inbox_set_outcome(inbox_id, "pending", None, now)?;
        self.inner.work.notify_one();
        Ok(())
    }

    fn interpret(&self, event: &InboxEvent, now: Timestamp) -> Result<Processed, EngineError> {
        match (event.provider.as_str(), event.kind.as_str()) {
            ("daraja", "stk") => self.stk_callback(event, now),
            ("daraja", "c2b-confirm") => self.c2b_confirmation(event, now),
            ("daraja", "c2b-validate") => Ok(Processed::Ignored(
                "validation: accepted by the relay; the confirmation posts",
            )),
            ("daraja", "reversal-result") => self.reversal_result(event, now),
            ("daraja", "timeout") => Ok(Processed::Ignored("Daraja queue timeout")),
            ("paystack", _) => self.paystack_event(event, now),
            ("clickpesa", _) => self.clickpesa_event(event, now),
            _ => Ok(Processed::Problem(format!(
                "this till does not understand {} events of kind {}",
                event.provider, event.kind
            ))),
        }
    }

    fn stk_callback(&self, event: &InboxEvent, now: Timestamp) -> Result<Processed, EngineError> {
        let callback = parse_stk_callback(&event.body)
            .map_err(|e| EngineError::Invalid(format!("unreadable STK callback: {e}")))?;
        if let (Outcome::Paid, Some(paid)) = (callback.outcome(), &callback.payment) {
            let confirmation = Confirmation {
                method: PaymentMethod::MpesaStk,
                provider_txn_id: Some(paid.receipt.clone()),
                attempt_ref: Some(callback.checkout_request_id.clone()),
                account_reference: None,
                amount: paid.amount,
                payer_phone: paid.phone.clone(),
                payer_name: None,
                payer_ref: paid.phone.as_ref().map(|p| p.masked()),
                inbox_id: Some(event.id),
                received_at: paid.transaction_time.unwrap_or(event.received_at),
            };
            let outcome = self.store()?.post_payment(&confirmation, now)?;
            if let Some(a) = self.attempt_for(&callback.checkout_request_id)? {
                self.emit_attempt(a);
            }
            return Ok(Processed::Posted(outcome));
        }
        let Some(attempt) = self.attempt_for(&callback.checkout_request_id)? else {
            return Ok(Processed::Ignored(
                "an STK result for an attempt this till did not raise",
            ));
        };
        let (state, message) = stk_failure(&callback.result_code);
        let reason = if message.is_empty() {
            callback.result_desc.clone()
        } else {
            message.to_owned()
        };
        let current = self.store()?.attempt_get(attempt)?;
        if current.state.is_terminal() {
            return Ok(Processed::Ignored("the attempt was already settled"));
        }
        self.store()?
            .attempt_transition(attempt, state, Some(&reason), now)?;
        self.emit_attempt(attempt);
        Ok(Processed::Applied("STK attempt closed"))
    }

    fn attempt_for(&self, checkout: &str) -> Result<Option<i64>, EngineError> {
        Ok(self
            .store()?
            .attempt_by_provider_ref(malipo_core::Provider::Mpesa, checkout)?
            .map(|a| a.id))
    }

    fn c2b_confirmation(
        &self,
        event: &InboxEvent,
        now: Timestamp,
    ) -> Result<Processed, EngineError> {
        let c2b = parse_c2b_confirmation(&event.body)
            .map_err(|e| EngineError::Invalid(format!("unreadable C2B confirmation: {e}")))?;
        let mut confirmation = c2b_confirmation(&c2b, Some(event.id), event.received_at);
        // An STK push to a paybill also reports its payment as a C2B confirmation, which may
        // arrive before the callback, and a Paybill Dynamic QR is paid as one: the money is the
        // waiting attempt's — same account reference, same amount — and the receipt should
        // say how the customer paid.
        if let Some(attempt) = self.attempt_paid_by(&confirmation, now)? {
            confirmation.method = attempt.method;
            confirmation.attempt_ref = attempt.provider_ref;
        }
        let outcome = self.store()?.post_payment(&confirmation, now)?;
        // Read the allocations first: settling takes the store lock again.
        let allocations = self.store()?.allocations_for(outcome.payment_id())?;
        for a in allocations {
            if let malipo_core::TargetRef::Sale(id) = a.target {
                if confirmation.attempt_ref.is_none() {
                    self.link_waiting_qr(&confirmation, id, now)?;
                }
                self.settle_waiting_attempts(id)?;
            }
        }
        Ok(Processed::Posted(outcome))
    }

    /// The pending STK or QR attempt a C2B confirmation pays, if exactly one matches it.
    fn attempt_paid_by(
        &self,
        c: &Confirmation,
        now: Timestamp,
    ) -> Result<Option<malipo_store::AttemptRow>, EngineError> {
        let Some(reference) = c.account_reference.as_deref().map(normalise_reference) else {
            return Ok(None);
        };
        let pending = self.store()?.attempts_pending(now.plus_ms(1))?;
        let mut matching = pending.into_iter().filter(|a| {
            matches!(a.method, PaymentMethod::MpesaStk | PaymentMethod::MpesaQr)
                && a.amount == c.amount
                && a.provider_ref.is_some()
                && a.account_reference.as_deref().map(normalise_reference)
                    == Some(reference.clone())
        });
        match (matching.next(), matching.next()) {
            (Some(one), None) => Ok(Some(one)),
            _ => Ok(None),
        }
    }

    /// A Till (Buy Goods) QR is paid without a reference, so its payment reaches the sale by
    /// the till match: the one waiting QR attempt of the sale for that amount is linked to the
    /// payment (posting the same confirmation again with the attempt's reference links it and
    /// settles the attempt), so no attempt is ever marked paid without its payment.
    fn link_waiting_qr(
        &self,
        c: &Confirmation,
        sale_id: i64,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let pending = self.store()?.attempts_pending(now.plus_ms(1))?;
        let mut matching = pending.into_iter().filter(|a| {
            a.method == PaymentMethod::MpesaQr
                && a.target == malipo_core::TargetRef::Sale(sale_id)
                && a.amount == c.amount
                && a.provider_ref.is_some()
        });
        if let (Some(qr), None) = (matching.next(), matching.next()) {
            let linked = Confirmation {
                attempt_ref: qr.provider_ref,
                inbox_id: None,
                ..c.clone()
            };
            self.store()?.post_payment(&linked, now)?;
            self.emit_attempt(qr.id);
        }
        Ok(())
    }

    fn paystack_event(&self, event: &InboxEvent, now: Timestamp) -> Result<Processed, EngineError> {
        let Some(setup) = self.inner.config.paystack.as_ref() else {
            return Ok(Processed::Problem(
                "a Paystack event arrived but Paystack is not set up on this till".into(),
            ));
        };
        let headers: serde_json::Value =
            serde_json::from_str(&event.headers_json).unwrap_or(serde_json::Value::Null);
        let signature = headers
            .get("x-paystack-signature")
            .and_then(serde_json::Value::as_str);
        if let Err(e) = paystack::verify_signature(&event.body, signature, &setup.secret_key) {
            return Ok(Processed::Problem(format!(
                "the Paystack signature does not verify ({e}); not posted"
            )));
        }
        let parsed = paystack::parse_event(&event.body)
            .map_err(|e| EngineError::Invalid(format!("unreadable Paystack event: {e}")))?;
        match parsed {
            WebhookEvent::ChargeSuccess(tx) => {
                let amount = tx
                    .amount()
                    .map_err(|e| EngineError::Invalid(format!("Paystack amount: {e}")))?;
                let attempt = self
                    .store()?
                    .attempt_by_provider_ref(malipo_core::Provider::Paystack, &tx.reference)?;
                let method = attempt
                    .as_ref()
                    .map_or(PaymentMethod::CardLink, |a| a.method);
                let outcome = self.store()?.post_payment(
                    &card_confirmation(&tx, method, amount, Some(event.id), event.received_at),
                    now,
                )?;
                if let Some(a) = attempt {
                    self.emit_attempt(a.id);
                }
                Ok(Processed::Posted(outcome))
            }
            WebhookEvent::Refund(refund) => self.paystack_refund_event(&refund, now),
            WebhookEvent::Unknown { .. } => {
                Ok(Processed::Ignored("a Paystack event Malipo does not use"))
            }
        }
    }
}

/// A C2B confirmation as a ledger confirmation: a Paybill payment when the customer typed an
/// account, a Till (Buy Goods) payment otherwise.
pub(crate) fn c2b_confirmation(
    c2b: &C2bPayment,
    inbox_id: Option<i64>,
    received: Timestamp,
) -> Confirmation {
    let reference = c2b.bill_ref_number.trim();
    let method = if reference.is_empty() {
        PaymentMethod::MpesaTill
    } else {
        PaymentMethod::MpesaPaybill
    };
    let name = [&c2b.first_name, &c2b.middle_name, &c2b.last_name]
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let (payer_phone, payer_ref) = match &c2b.msisdn {
        Msisdn::Plain(p) => (Some(p.clone()), Some(p.masked())),
        Msisdn::Hashed(h) => (None, Some(h.clone())),
        Msisdn::Masked(m) | Msisdn::Other(m) => (None, Some(m.clone()).filter(|m| !m.is_empty())),
    };
    Confirmation {
        method,
        provider_txn_id: Some(c2b.trans_id.clone()),
        attempt_ref: None,
        account_reference: Some(reference.to_owned()).filter(|r| !r.is_empty()),
        amount: c2b.amount,
        payer_phone,
        payer_name: Some(name).filter(|n| !n.is_empty()),
        payer_ref,
        inbox_id,
        received_at: c2b.trans_time.unwrap_or(received),
    }
}
