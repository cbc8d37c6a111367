//! Card by Paystack: initialize (the popup resumes with the access code; an invoice prints the
//! authorization URL), then on the popup's success verify by reference and post. The
//! `charge.success` webhook that follows carries the same reference — the same payment.

use malipo_core::{AttemptState, Money, PaymentMethod, TargetRef};
use malipo_providers::paystack::{
    walk_in_email, InitializeRequest, Transaction, TransactionStatus,
};
use malipo_store::{AttemptRow, Confirmation, NewAttempt};

use crate::engine::Engine;
use crate::error::EngineError;

/// What the register needs to open the card popup.
#[derive(Debug, Clone)]
pub struct CardStart {
    pub attempt: AttemptRow,
    pub access_code: String,
    pub authorization_url: String,
    pub reference: String,
    pub public_key: String,
}

/// The card as a receipt shows it: `VISA •••• 4081`.
pub(crate) fn card_label(tx: &Transaction) -> Option<String> {
    let card = tx.card.as_ref()?;
    let brand = card.brand.as_deref().unwrap_or("card").to_uppercase();
    Some(match card.last4.as_deref() {
        Some(last4) => format!("{brand} •••• {last4}"),
        None => brand,
    })
}

/// A verified Paystack transaction as a confirmation.
pub(crate) fn card_confirmation(
    tx: &Transaction,
    method: PaymentMethod,
    amount: Money,
    inbox_id: Option<i64>,
    now: malipo_core::Timestamp,
) -> Confirmation {
    Confirmation {
        method,
        provider_txn_id: Some(tx.reference.clone()),
        attempt_ref: Some(tx.reference.clone()),
        account_reference: tx.target_number(),
        amount,
        payer_phone: None,
        payer_name: None,
        payer_ref: card_label(tx),
        inbox_id,
        received_at: now,
    }
}

impl Engine {
    /// Starts a card payment of `amount` on the sale (the register's inline popup).
    pub async fn card_start(
        &self,
        sale_id: i64,
        amount: Money,
        email: Option<&str>,
    ) -> Result<CardStart, EngineError> {
        let (sale, _) = self.open_sale_for(sale_id, amount)?;
        self.card_initialize(
            PaymentMethod::CardInline,
            TargetRef::Sale(sale_id),
            &sale.number,
            &sale.till,
            amount,
            email,
        )
        .await
    }

    /// A hosted card payment link for an issued invoice (`authorization_url`, to print or
    /// send); the `charge.success` webhook posts it to the invoice.
    pub async fn card_link(
        &self,
        invoice_id: i64,
        amount: Money,
        email: Option<&str>,
    ) -> Result<CardStart, EngineError> {
        let invoice = self.store()?.invoice_get(invoice_id)?;
        let number = invoice.number.ok_or_else(|| {
            EngineError::Invalid("issue the invoice before asking for payment".into())
        })?;
        if !amount.is_positive() || amount.currency != invoice.total.currency {
            return Err(EngineError::InvalidAmount(format!(
                "the link must ask for a positive amount in {}",
                invoice.total.currency
            )));
        }
        self.card_initialize(
            PaymentMethod::CardLink,
            TargetRef::Invoice(invoice_id),
            &number,
            "INV",
            amount,
            email.or(invoice.draft.customer.email.as_deref()),
        )
        .await
    }

    async fn card_initialize(
        &self,
        method: PaymentMethod,
        target: TargetRef,
        number: &str,
        shop_code: &str,
        amount: Money,
        email: Option<&str>,
    ) -> Result<CardStart, EngineError> {
        let paystack = self
            .inner
            .paystack
            .as_ref()
            .ok_or(EngineError::NotConfigured("Card payments (Paystack)"))?;
        let setup = self
            .inner
            .config
            .paystack
            .as_ref()
            .ok_or(EngineError::NotConfigured("Card payments (Paystack)"))?;
        let now = self.now();
        let attempt = self.store()?.attempt_create(
            &NewAttempt {
                method,
                target,
                amount,
                phone: None,
                account_reference: Some(number.to_owned()),
                provider_ref: None,
            },
            now,
        )?;
        let reference = format!("MLP-{number}-{}", attempt.id);
        self.store()?
            .attempt_set_provider_ref(attempt.id, &reference, now)?;
        let email = email
            .filter(|e| e.contains('@'))
            .map(str::to_owned)
            .unwrap_or_else(|| walk_in_email(shop_code, "malipo.co.ke"));
        let request = InitializeRequest {
            reference: reference.clone(),
            amount,
            email,
            target_number: number.to_owned(),
            channels: Vec::new(),
            callback_url: None,
            label: Some(format!("{} {number}", self.inner.config.shop_name)),
        };
        match paystack.initialize(&request).await {
            Ok(init) => {
                let attempt = self.store()?.attempt_get(attempt.id)?;
                self.emit_attempt(attempt.id);
                Ok(CardStart {
                    attempt,
                    access_code: init.access_code,
                    authorization_url: init.authorization_url,
                    reference,
                    public_key: setup.public_key.clone(),
                })
            }
            Err(e) => Err(self.provider_refused(
                attempt.id,
                format!("the card payment could not be started: {e}"),
            )),
        }
    }

    /// The popup said success: verify with Paystack (a popup's word is not proof) and post.
    pub async fn card_finish(&self, attempt_id: i64) -> Result<AttemptRow, EngineError> {
        let paystack = self
            .inner
            .paystack
            .as_ref()
            .ok_or(EngineError::NotConfigured("Card payments (Paystack)"))?;
        let attempt = self.store()?.attempt_get(attempt_id)?;
        let reference = attempt
            .provider_ref
            .clone()
            .ok_or_else(|| EngineError::Invalid("this card payment was never started".into()))?;
        let tx = paystack.verify(&reference).await.map_err(|e| {
            EngineError::Provider(format!("the card payment could not be checked: {e}"))
        })?;
        let now = self.now();
        if tx.is_paid(attempt.amount) {
            let method = attempt.method;
            let posted = self.store()?.post_payment(
                &card_confirmation(&tx, method, attempt.amount, None, now),
                now,
            )?;
            self.after_post(&posted)?;
        } else if tx.status != TransactionStatus::Success {
            let reason = tx
                .gateway_response
                .clone()
                .unwrap_or_else(|| "the card was not charged".to_owned());
            self.store()?.attempt_transition(
                attempt_id,
                AttemptState::Failed,
                Some(&reason),
                now,
            )?;
        } else {
            return Err(EngineError::Provider(
                "Paystack charged a different amount than the sale asked for; a manager must check it".into(),
            ));
        }
        self.emit_attempt(attempt_id);
        Ok(self.store()?.attempt_get(attempt_id)?)
    }

    /// The customer closed the popup without paying.
    pub fn card_cancelled(&self, attempt_id: i64) -> Result<AttemptRow, EngineError> {
        let attempt = self.store()?.attempt_get(attempt_id)?;
        if attempt.state == AttemptState::Pending {
            self.close_attempt(
                attempt_id,
                AttemptState::Cancelled,
                "the customer closed the card window",
            )?;
        }
        Ok(self.store()?.attempt_get(attempt_id)?)
    }
}
