//! BillPay (ClickPesa): a control number for a sale or an invoice — the target's own number
//! without its dashes (`T1000123`, `INV000045`), so a payment matches its target by account
//! reference the same way a Paybill payment does. ClickPesa closes an *order* number after
//! its first payment, even a partial one; so an invoice that may be paid in parts gets a
//! *customer* number (reusable) in its customer's name when the invoice has the customer's
//! e-mail or phone, and partial and over payments follow the invoice's payment mode; so does a
//! customer's recurring bill (Manager → Customers), whatever its mode. A sale, a one-off exact
//! invoice, or an invoice with no way to reach its customer gets an order number.
//! The `PAYMENT RECEIVED` webhook posts; a `PAYMENT FAILED` one closes nothing (the number
//! stays payable) and is kept as applied.

use malipo_core::{normalise_reference, Money, PaymentMethod, PaymentMode, Phone, TargetRef};
use malipo_providers::clickpesa::{
    webhook::{parse_event, verify_checksum, WebhookEvent},
    BillPayMode, ControlNumberRequest, CustomerDetails,
};
use malipo_store::{AttemptRow, Confirmation, InboxEvent, NewAttempt};

use crate::engine::Engine;
use crate::error::EngineError;
use crate::ingest::Processed;

/// A control number to give the customer.
#[derive(Debug, Clone)]
pub struct BillPayNumber {
    pub attempt: AttemptRow,
    pub control_number: String,
    pub amount: Money,
}

/// The customer details a reusable (customer) control number needs: a name, and an e-mail or
/// a phone ClickPesa accepts (12 digits with the country code). `None`: not enough to make one.
fn reusable_for(customer: &malipo_core::Customer) -> Option<CustomerDetails> {
    let name = customer.name.trim();
    let email = customer
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| e.contains('@'))
        .map(str::to_owned);
    let phone = customer
        .phone
        .as_ref()
        .map(|p| p.as_str().to_owned())
        .filter(|p| p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()));
    (!name.is_empty() && (email.is_some() || phone.is_some())).then(|| CustomerDetails {
        name: name.to_owned(),
        email,
        phone,
    })
}

impl Engine {
    /// Creates the control number for a sale or an invoice (`amount`: what is to be paid).
    pub async fn billpay_start(
        &self,
        target: TargetRef,
        amount: Money,
    ) -> Result<BillPayNumber, EngineError> {
        let client = self
            .inner
            .clickpesa
            .as_ref()
            .ok_or(EngineError::NotConfigured("BillPay (ClickPesa)"))?;
        let (number, mode, customer) = {
            let store = self.store()?;
            match target {
                TargetRef::Sale(id) => (store.sale_get(id)?.number, PaymentMode::Exact, None),
                TargetRef::Invoice(id) => {
                    let invoice = store.invoice_get(id)?;
                    let number = invoice.number.ok_or_else(|| {
                        EngineError::Invalid("issue the invoice before asking for payment".into())
                    })?;
                    let mode = invoice.draft.payment_mode;
                    let reusable =
                        mode != PaymentMode::Exact || store.invoice_is_control_number(id)?;
                    let customer = reusable
                        .then(|| reusable_for(&invoice.draft.customer))
                        .flatten();
                    (number, mode, customer)
                }
            }
        };
        let control_number = normalise_reference(&number);
        let now = self.now();
        let attempt = self.store()?.attempt_create(
            &NewAttempt {
                method: PaymentMethod::BillPay,
                target,
                amount,
                phone: None,
                account_reference: Some(control_number.clone()),
                provider_ref: Some(control_number.clone()),
            },
            now,
        )?;
        let request = ControlNumberRequest {
            reference: Some(control_number.clone()),
            amount: Some(amount),
            mode: match mode {
                PaymentMode::Exact => BillPayMode::Exact,
                PaymentMode::AllowPartial => BillPayMode::AllowPartial,
                PaymentMode::AllowPartialAndOver => BillPayMode::AllowPartialAndOver,
            },
            description: Some(format!("{} {}", self.inner.config.shop_name, number)),
            customer,
        };
        if let Err(e) = client.create_control_number(&request, now).await {
            return Err(self.provider_refused(
                attempt.id,
                format!("the control number could not be created: {e}"),
            ));
        }
        self.emit_attempt(attempt.id);
        Ok(BillPayNumber {
            attempt: self.store()?.attempt_get(attempt.id)?,
            control_number,
            amount,
        })
    }

    /// A ClickPesa webhook from the inbox.
    pub(crate) fn clickpesa_event(
        &self,
        event: &InboxEvent,
        now: malipo_core::Timestamp,
    ) -> Result<Processed, EngineError> {
        if let Some(key) = self
            .inner
            .config
            .clickpesa
            .as_ref()
            .and_then(|c| c.checksum_key.as_ref())
        {
            if let Err(e) = verify_checksum(&event.body, key) {
                return Ok(Processed::Problem(format!(
                    "the ClickPesa checksum does not verify ({e}); not posted"
                )));
            }
        }
        let parsed = parse_event(&event.body)
            .map_err(|e| EngineError::Invalid(format!("unreadable ClickPesa event: {e}")))?;
        match parsed {
            WebhookEvent::PaymentReceived(p) if p.status.is_paid() => {
                let outcome = self.store()?.post_payment(
                    &Confirmation {
                        method: PaymentMethod::BillPay,
                        provider_txn_id: Some(p.id.clone()),
                        attempt_ref: None,
                        account_reference: Some(p.order_reference.clone()),
                        amount: p.collected,
                        payer_phone: p
                            .payer_phone
                            .as_deref()
                            .and_then(|ph| Phone::parse(ph).ok()),
                        payer_name: None,
                        payer_ref: p
                            .payer_phone
                            .as_deref()
                            .and_then(|ph| Phone::parse(ph).ok())
                            .map(|ph| ph.masked()),
                        inbox_id: Some(event.id),
                        received_at: event.received_at,
                    },
                    now,
                )?;
                Ok(Processed::Posted(outcome))
            }
            WebhookEvent::PaymentReceived(_) => Ok(Processed::Ignored(
                "a BillPay payment not yet successful; its final event will post",
            )),
            WebhookEvent::PaymentFailed(_) => Ok(Processed::Applied(
                "a BillPay payment failed; the control number stays payable",
            )),
            WebhookEvent::Unknown { .. } => {
                Ok(Processed::Ignored("a ClickPesa event Malipo does not use"))
            }
        }
    }
}
