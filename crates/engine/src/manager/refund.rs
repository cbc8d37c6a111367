//! Refund requests from the manager screens: the contract's error codes in front of the
//! engine's [`Engine::refund`] (gate, PIN, receipt, amount), then the refund as the contract
//! shows it.

use malipo_core::{Money, Provider};

use super::detail::refund_view;
use super::{ManagerError, RefundView};
use crate::engine::Engine;
use crate::error::EngineError;
use crate::refunds::RefundAsk;

impl Engine {
    /// Requests a refund/reversal of `amount_minor` of a payment; `receipt` is the payment's
    /// receipt as the manager retyped it.
    pub async fn refund_request(
        &self,
        payment_id: i64,
        amount_minor: i64,
        receipt: &str,
        manager: &str,
        pin: &str,
    ) -> Result<RefundView, ManagerError> {
        if !self.refunds_enabled()? {
            return Err(ManagerError::RefundsDisabled);
        }
        let (payment, refundable) = {
            let store = self.store()?;
            if store
                .user_verify_pin(manager, pin)?
                .filter(|u| u.role == malipo_store::Role::Manager && u.active)
                .is_none()
            {
                return Err(ManagerError::WrongPin);
            }
            let payment = store.payment_get(payment_id)?;
            let live: i64 = store
                .refunds_for_payment(payment_id)?
                .iter()
                .filter(|r| r.status != "failed")
                .map(|r| r.amount.minor)
                .sum();
            let refundable = payment.amount.minor.saturating_sub(live);
            (payment, refundable)
        };
        if !matches!(payment.provider, Provider::Mpesa | Provider::Paystack) {
            return Err(ManagerError::NotRefundable);
        }
        let txn = payment.provider_txn_id.clone().unwrap_or_default();
        if txn.is_empty() || !txn.eq_ignore_ascii_case(receipt.trim()) {
            return Err(ManagerError::ReceiptMismatch);
        }
        if amount_minor <= 0 || amount_minor > refundable {
            return Err(ManagerError::InvalidAmount(format!(
                "the amount must be between 1 and {refundable} minor units"
            )));
        }
        if payment.provider != Provider::Paystack && amount_minor != payment.amount.minor {
            return Err(ManagerError::InvalidAmount(
                "only card payments can be refunded in part".into(),
            ));
        }
        let refund = self
            .refund(&RefundAsk {
                payment_id,
                amount: Money::from_minor(amount_minor, payment.amount.currency),
                receipt,
                manager,
                pin,
            })
            .await
            .map_err(|e| match e {
                EngineError::RefundsDisabled => ManagerError::RefundsDisabled,
                EngineError::NotPermitted(_) => ManagerError::WrongPin,
                other => ManagerError::Engine(other),
            })?;
        let store = self.store()?;
        refund_view(&store, &refund)
    }

    /// Refunds whose provider result arrived after `mark` (`None`: from now on), and the new
    /// mark: the shell sends each as `refund-changed`.
    pub fn refunds_finished_after(
        &self,
        mark: Option<(i64, i64)>,
    ) -> Result<(Vec<RefundView>, (i64, i64)), ManagerError> {
        let Some(mut mark) = mark else {
            return Ok((Vec::new(), (self.now().0, i64::MAX)));
        };
        let store = self.store()?;
        let mut out = Vec::new();
        for (at, refund) in store.refunds_finished_after(mark)? {
            mark = (at, refund.id);
            out.push(refund_view(&store, &refund)?);
        }
        Ok((out, mark))
    }
}
