//! The collection flows a cashier starts: cash, M-Pesa (STK push, Dynamic QR, Paybill/Till),
//! card (Paystack popup), and placing an incoming payment on the sale.
//!
//! Every flow writes its attempt before calling a provider, and every confirmation — the
//! till's own for cash, the provider's for the rest — reaches the ledger through
//! `Store::post_payment`; [`Engine::after_post`] then completes the sale when it is paid.

pub(crate) mod billpay;
pub(crate) mod card;
pub(crate) mod stk;
pub(crate) mod sweep;

use malipo_core::{
    cash_change, AttemptState, Money, PaymentMethod, SaleStatus, TargetRef, Timestamp,
};
use malipo_store::{Confirmation, NewAttempt, PostOutcome, SaleRow, UnmatchedReceipt};

use crate::engine::{Engine, EngineEvent};
use crate::error::EngineError;

pub use billpay::BillPayNumber;
pub use card::CardStart;
pub use sweep::ReceiptCheck;

/// The result of a cash tender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CashPaid {
    pub change: Money,
    pub outcome: PostOutcome,
}

/// What the cashier tells a customer who will pay the shop's Paybill or Till.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TillWait {
    pub paybill: Option<String>,
    pub till_number: Option<String>,
    pub account_reference: String,
    pub amount: Money,
    pub window_ends: Timestamp,
}

/// A Dynamic QR for a sale.
#[derive(Debug, Clone)]
pub struct QrShown {
    pub attempt: malipo_store::AttemptRow,
    pub png: Vec<u8>,
}

impl Engine {
    /// The open sale `sale_id` and what is left to pay, refusing `amount` beyond it.
    pub(crate) fn open_sale_for(
        &self,
        sale_id: i64,
        amount: Money,
    ) -> Result<(SaleRow, Money), EngineError> {
        let store = self.store()?;
        let sale = store.sale_get(sale_id)?;
        if sale.status != SaleStatus::Open {
            return Err(EngineError::Invalid(format!(
                "sale {} is no longer open",
                sale.number
            )));
        }
        let balance = store.balance(TargetRef::Sale(sale_id))?.balance;
        if amount.currency != balance.currency {
            return Err(EngineError::InvalidAmount(format!(
                "this sale is in {}",
                balance.currency
            )));
        }
        if !amount.is_positive() {
            return Err(EngineError::InvalidAmount(
                "the amount must be more than zero".into(),
            ));
        }
        if amount.minor > balance.minor {
            return Err(EngineError::InvalidAmount(format!(
                "only {balance} is left to pay on this sale"
            )));
        }
        Ok((sale, balance))
    }

    /// Takes `amount` in cash against the sale; `tendered` is what the customer handed over.
    pub fn pay_cash(
        &self,
        sale_id: i64,
        amount: Money,
        tendered: Money,
        actor: &str,
    ) -> Result<CashPaid, EngineError> {
        let (sale, _) = self.open_sale_for(sale_id, amount)?;
        let change = cash_change(amount, tendered).map_err(|e| {
            EngineError::InvalidAmount(format!("the customer handed over too little: {e}"))
        })?;
        let now = self.now();
        let outcome = {
            let mut store = self.store()?;
            let attempt = store.attempt_create(
                &NewAttempt {
                    method: PaymentMethod::Cash,
                    target: TargetRef::Sale(sale_id),
                    amount,
                    phone: None,
                    account_reference: Some(sale.number.clone()),
                    provider_ref: None,
                },
                now,
            )?;
            let local_id = format!("CASH-{}-{}", sale.number, attempt.id);
            store.attempt_set_provider_ref(attempt.id, &local_id, now)?;
            store.post_payment(
                &Confirmation {
                    method: PaymentMethod::Cash,
                    provider_txn_id: Some(local_id.clone()),
                    attempt_ref: Some(local_id),
                    account_reference: Some(sale.number.clone()),
                    amount,
                    payer_phone: None,
                    payer_name: None,
                    payer_ref: Some(format!("cashier {actor}")),
                    inbox_id: None,
                    received_at: now,
                },
                now,
            )?
        };
        self.after_post(&outcome)?;
        Ok(CashPaid { change, outcome })
    }

    /// The sale waits for the customer to pay the shop's Paybill (account = the sale number)
    /// or Till (matched on the amount within the window).
    pub fn till_wait(&self, sale_id: i64, amount: Money) -> Result<TillWait, EngineError> {
        let (sale, _) = self.open_sale_for(sale_id, amount)?;
        let now = self.now();
        self.store()?
            .sale_wait_for_till(sale_id, Some(amount), now)?;
        let daraja = self.inner.config.daraja.as_ref();
        let window = i64::try_from(self.inner.config.till_window.as_millis()).unwrap_or(i64::MAX);
        Ok(TillWait {
            paybill: daraja.map(|d| d.shortcode.clone()),
            till_number: daraja.and_then(|d| d.till_number.clone()),
            account_reference: sale.number,
            amount,
            window_ends: now.plus_ms(window),
        })
    }

    /// Shows a Dynamic QR for `amount` with the sale number as the reference; the customer's
    /// C2B confirmation then posts to the sale by that reference.
    pub async fn qr_start(&self, sale_id: i64, amount: Money) -> Result<QrShown, EngineError> {
        let daraja = self
            .inner
            .daraja
            .as_ref()
            .ok_or(EngineError::NotConfigured("M-Pesa"))?;
        let (sale, _) = self.open_sale_for(sale_id, amount)?;
        malipo_providers::daraja::whole_shillings(amount)
            .map_err(|e| EngineError::InvalidAmount(e.to_string()))?;
        let now = self.now();
        let attempt = self.store()?.attempt_create(
            &NewAttempt {
                method: PaymentMethod::MpesaQr,
                target: TargetRef::Sale(sale_id),
                amount,
                phone: None,
                account_reference: Some(sale.number.clone()),
                provider_ref: None,
            },
            now,
        )?;
        let qr = daraja
            .dynamic_qr(&malipo_providers::daraja::QrRequest {
                merchant_name: self.inner.config.shop_name.clone(),
                ref_no: sale.number.clone(),
                amount,
                size_px: 300,
            })
            .await;
        let qr = match qr {
            Ok(qr) => qr,
            Err(e) => {
                return Err(self
                    .provider_refused(attempt.id, format!("the QR code could not be made: {e}")));
            }
        };
        if let Some(request_id) = qr.request_id.as_deref() {
            self.store()?
                .attempt_set_provider_ref(attempt.id, request_id, now)?;
        }
        // Waiting for a till payment too: a QR for a till number carries no reference.
        self.store()?
            .sale_wait_for_till(sale_id, Some(amount), now)?;
        let attempt = self.store()?.attempt_get(attempt.id)?;
        self.emit_attempt(attempt.id);
        Ok(QrShown {
            attempt,
            png: qr.png,
        })
    }

    /// Payments nobody has placed yet, newest last: the register's "incoming payments".
    pub fn incoming(&self) -> Result<Vec<(UnmatchedReceipt, malipo_store::Payment)>, EngineError> {
        let store = self.store()?;
        let open = store.unmatched_open(200)?;
        open.into_iter()
            .map(|u| {
                let p = store.payment_get(u.payment_id)?;
                Ok((u, p))
            })
            .collect()
    }

    /// Places an incoming payment on a sale (the same allocation step as automatic posting,
    /// audited with the cashier's name).
    pub fn claim(
        &self,
        unmatched_id: i64,
        sale_id: i64,
        actor: &str,
    ) -> Result<PostOutcome, EngineError> {
        let now = self.now();
        let outcome =
            self.store()?
                .attach_unmatched(unmatched_id, TargetRef::Sale(sale_id), actor, now)?;
        self.settle_waiting_attempts(sale_id)?;
        self.after_post(&outcome)?;
        self.emit(EngineEvent::IncomingChanged);
        Ok(outcome)
    }

    /// Once a sale is paid, its QR/Till attempts still shown as waiting are done.
    pub(crate) fn settle_waiting_attempts(&self, sale_id: i64) -> Result<(), EngineError> {
        let now = self.now();
        let mut done = Vec::new();
        {
            let mut store = self.store()?;
            let balance = store.balance(TargetRef::Sale(sale_id))?.balance;
            if balance.minor > 0 {
                return Ok(());
            }
            for a in store.attempts_pending(now.plus_ms(1))? {
                let waiting_kind = matches!(
                    a.method,
                    PaymentMethod::MpesaQr | PaymentMethod::MpesaTill | PaymentMethod::MpesaPaybill
                );
                if a.target == TargetRef::Sale(sale_id) && waiting_kind {
                    store.attempt_transition(a.id, AttemptState::Succeeded, None, now)?;
                    done.push(a.id);
                }
            }
        }
        for id in done {
            self.emit_attempt(id);
        }
        Ok(())
    }
}
