//! One transaction's detail: its row, the sale/invoice it settles, the provider references,
//! the raw provider event, the audit trail and its refunds with what is still refundable.

use malipo_core::{Money, PaymentMethod, Provider};
use malipo_store::{LedgerStatus, Store};

use super::transactions::{AuditLineView, Reference, TxDetail};
use super::{target_view, ManagerError, RefundView};
use crate::engine::Engine;

/// A refund as the contract shows it.
pub(crate) fn refund_view(
    store: &Store,
    refund: &malipo_store::Refund,
) -> Result<RefundView, ManagerError> {
    let payment = store.payment_get(refund.payment_id)?;
    let (manager, requested_ms) = store.refund_requested(refund.id)?;
    let target = match refund.target {
        Some(t) => Some(target_view(store, t)?),
        None => None,
    };
    let state = match refund.status.as_str() {
        "completed" => "completed",
        "failed" => "failed",
        _ => "pending",
    };
    Ok(RefundView {
        refund_id: refund.id,
        payment_id: refund.payment_id,
        method: super::method_code(payment.method).into(),
        amount: refund.amount,
        state: state.into(),
        reason: refund.reason.clone(),
        provider_ref: refund.provider_ref.clone(),
        requested_ms,
        manager,
        target,
    })
}

fn raw_text(body: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(json) => serde_json::to_string_pretty(&json)
            .unwrap_or_else(|_| String::from_utf8_lossy(body).into_owned()),
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    }
}

impl Engine {
    /// The detail of a payment (or of the payment an attempt confirmed).
    pub fn transaction_detail(
        &self,
        payment_id: Option<i64>,
        attempt_id: Option<i64>,
        till_id: &str,
    ) -> Result<TxDetail, ManagerError> {
        let store = self.store()?;
        let payment_id = match (payment_id, attempt_id) {
            (Some(p), None) => p,
            (None, Some(a)) => store
                .payment_of_attempt(a)?
                .ok_or_else(|| ManagerError::NotFound(format!("payment of attempt {a}")))?,
            _ => {
                return Err(ManagerError::Invalid(
                    "give exactly one of payment_id and attempt_id".into(),
                ))
            }
        };
        let found = store
            .payment_found(payment_id)?
            .ok_or_else(|| ManagerError::NotFound(format!("payment {payment_id}")))?;
        let row = super::transactions::row_of(&store, &found, till_id)?;
        let p = &found.payment;
        let target = match found.target {
            Some(t) => Some(target_view(&store, t)?),
            None => None,
        };
        let mut references = Vec::new();
        let mut push = |label: &str, value: Option<&String>| {
            if let Some(v) = value.filter(|v| !v.is_empty()) {
                references.push(Reference {
                    label: label.into(),
                    value: v.clone(),
                });
            }
        };
        let receipt_label = match p.provider {
            Provider::Mpesa => "M-Pesa receipt",
            Provider::Paystack => "Paystack reference",
            Provider::Clickpesa => "ClickPesa id",
            Provider::Cash => "Cash id",
        };
        push(receipt_label, p.provider_txn_id.as_ref());
        if let Some(a) = p.attempt_id {
            let attempt = store.attempt_get(a)?;
            let label = match attempt.method {
                PaymentMethod::MpesaStk => "CheckoutRequestID",
                PaymentMethod::BillPay => "Control number",
                _ => "Provider reference",
            };
            push(label, attempt.provider_ref.as_ref());
        }
        push("Account reference", p.account_reference.as_ref());
        push("Payer", p.payer_ref.as_ref());
        let raw_event = match p.inbox_id {
            Some(id) => store.inbox_body(id)?.map(|b| raw_text(&b)),
            None => None,
        };

        let mut audit = vec![AuditLineView {
            at_ms: p.posted_at.0,
            actor: crate::ENGINE_ACTOR.into(),
            action: "posted".into(),
            detail: format!("{} received by {}", p.amount, receipt_label),
        }];
        for a in store.allocations_for(p.id)? {
            let number = target_view(&store, a.target)?.number;
            audit.push(AuditLineView {
                at_ms: a.created_at.0,
                actor: a.actor.clone(),
                action: "allocated".into(),
                detail: format!("{} allocated to {number} ({})", a.amount, a.matched_by),
            });
        }
        let mut refunds = Vec::new();
        let mut live = 0i64;
        for r in store.refunds_for_payment(p.id)? {
            let view = refund_view(&store, &r)?;
            if view.state != "failed" {
                live = live.saturating_add(r.amount.minor);
            }
            for e in store.audit_list(Some(("refund", &r.id.to_string())), 50)? {
                audit.push(AuditLineView {
                    at_ms: e.at.0,
                    actor: e.actor,
                    action: e.action,
                    detail: e.after.unwrap_or_default(),
                });
            }
            refunds.push(view);
        }
        if let Some(u) = store.unmatched_for_payment(p.id)? {
            for e in store.audit_list(Some(("unmatched_receipt", &u.id.to_string())), 50)? {
                audit.push(AuditLineView {
                    at_ms: e.at.0,
                    actor: e.actor,
                    action: e.action,
                    detail: e.after.unwrap_or_default(),
                });
            }
        }
        audit.sort_by_key(|a| a.at_ms);
        let refundable_provider = matches!(p.provider, Provider::Mpesa | Provider::Paystack);
        let refundable = if refundable_provider && found.ledger != LedgerStatus::Unmatched {
            p.amount.minor.saturating_sub(live).max(0)
        } else {
            0
        };
        Ok(TxDetail {
            row,
            target,
            references,
            raw_event,
            audit,
            refunds,
            refundable: Money::from_minor(refundable, p.amount.currency),
            partial_refund: p.provider == Provider::Paystack,
        })
    }
}
