//! Unmatched receipts: the open list (searchable), the open sales and invoices money can be
//! attached to, and attaching — through the store's `attach_unmatched` (the same allocation
//! step as any posting, audited) with the manager's PIN checked again.

use malipo_core::{matching::UnmatchedReason, Money, TargetRef};
use malipo_store::Store;
use serde::Serialize;

use super::{
    mask_phone, method_code, provider_code, search_text, target_view, verify_manager, ManagerError,
    TargetView,
};
use crate::engine::{Engine, EngineEvent};

/// How many open receipts the list reads at most.
const LIST_LIMIT: i64 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnmatchedView {
    pub unmatched_id: i64,
    pub payment_id: i64,
    pub method: String,
    pub provider: String,
    pub amount: Money,
    pub receipt: Option<String>,
    pub payer_name: Option<String>,
    pub payer_masked: Option<String>,
    pub account_reference: Option<String>,
    pub received_ms: i64,
    pub reason: String,
    pub reason_detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenTarget {
    pub kind: String,
    pub id: i64,
    pub number: String,
    pub customer: Option<String>,
    pub total: Money,
    pub balance: Money,
    pub accepts_over: bool,
    pub created_ms: i64,
}

/// What attaching did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attached {
    pub target: TargetView,
    pub remainder: Money,
}

fn reason(r: UnmatchedReason, reference: Option<&str>) -> (&'static str, Option<String>) {
    match r {
        UnmatchedReason::NoReference => ("unknown_reference", None),
        UnmatchedReason::UnknownReference => (
            "unknown_reference",
            reference.map(|r| format!("Account {r} does not exist")),
        ),
        UnmatchedReason::AmountMismatch => ("amount_mismatch", None),
        UnmatchedReason::TargetClosed => ("late_after_void", None),
        UnmatchedReason::NoTillCandidate | UnmatchedReason::SeveralTillCandidates => {
            ("ambiguous_till", None)
        }
        UnmatchedReason::OverPayment | UnmatchedReason::AlreadyPaid => ("overpayment", None),
        UnmatchedReason::AmbiguousReference => (
            "other",
            reference.map(|r| format!("Account {r} fits more than one sale or invoice")),
        ),
    }
}

fn view(store: &Store, u: &malipo_store::UnmatchedReceipt) -> Result<UnmatchedView, ManagerError> {
    let p = store.payment_get(u.payment_id)?;
    let (code, detail) = reason(u.reason, p.account_reference.as_deref());
    Ok(UnmatchedView {
        unmatched_id: u.id,
        payment_id: p.id,
        method: method_code(p.method).into(),
        provider: provider_code(p.provider).into(),
        amount: u.open_amount,
        receipt: p.provider_txn_id.clone(),
        payer_name: p.payer_name.clone(),
        payer_masked: p.payer_phone.as_deref().map(mask_phone),
        account_reference: p.account_reference.clone(),
        received_ms: p.received_at.0,
        reason: code.into(),
        reason_detail: detail,
    })
}

fn matches(v: &UnmatchedView, phone: Option<&str>, text: &str) -> bool {
    let lower = text.to_lowercase();
    let prefix = |s: &Option<String>| {
        s.as_deref()
            .is_some_and(|s| s.to_lowercase().starts_with(&lower))
    };
    prefix(&v.receipt)
        || prefix(&v.account_reference)
        || v.payer_name
            .as_deref()
            .is_some_and(|n| n.to_lowercase().contains(&lower))
        || phone.is_some_and(|p| p.contains(text))
}

impl Engine {
    /// Open unmatched receipts, newest first, matching `query` ("" = all).
    pub fn unmatched_list(&self, query: &str) -> Result<Vec<UnmatchedView>, ManagerError> {
        let store = self.store()?;
        let text = search_text(query);
        let mut out = Vec::new();
        for u in store.unmatched_open(LIST_LIMIT)? {
            let v = view(&store, &u)?;
            let phone = store.payment_get(u.payment_id)?.payer_phone;
            if text.is_empty() || matches(&v, phone.as_deref(), &text) {
                out.push(v);
            }
        }
        out.sort_by_key(|v| std::cmp::Reverse((v.received_ms, v.unmatched_id)));
        Ok(out)
    }

    /// Open sales and issued invoices matching `query`, at most 20, best match first (an
    /// exact number first, then newest).
    pub fn open_targets(&self, query: &str) -> Result<Vec<OpenTarget>, ManagerError> {
        let store = self.store()?;
        let q = query.trim();
        let mut out = Vec::new();
        for t in store.open_targets(q, 20)? {
            let b = store.balance(t)?;
            if !b.accepts_money {
                continue;
            }
            let over = b.mode == malipo_core::PaymentMode::AllowPartialAndOver;
            if b.balance.minor <= 0 && !over {
                continue;
            }
            let v = target_view(&store, t)?;
            let (customer, created_ms) = match t {
                TargetRef::Sale(id) => (None, store.sale_get(id)?.created_at.0),
                TargetRef::Invoice(id) => {
                    let i = store.invoice_get(id)?;
                    (Some(i.draft.customer.name.clone()), i.created_at.0)
                }
            };
            out.push(OpenTarget {
                kind: v.kind,
                id: v.id,
                number: v.number,
                customer,
                total: v.total,
                balance: v.balance,
                accepts_over: over,
                created_ms,
            });
        }
        out.sort_by_key(|o| {
            (
                !o.number.eq_ignore_ascii_case(q),
                std::cmp::Reverse(o.created_ms),
            )
        });
        Ok(out)
    }

    /// Attaches an unmatched receipt to a sale or invoice, as the manager whose PIN this is.
    pub fn unmatched_attach(
        &self,
        unmatched_id: i64,
        target: TargetRef,
        pin: &str,
    ) -> Result<Attached, ManagerError> {
        let now = self.now();
        let outcome = {
            let mut store = self.store()?;
            let manager = verify_manager(&store, pin)?;
            let u = store.unmatched_get(unmatched_id)?;
            if u.placed_at.is_some() {
                return Err(ManagerError::NotFound(format!(
                    "open unmatched receipt {unmatched_id}"
                )));
            }
            let b = store.balance(target)?;
            let over = b.mode == malipo_core::PaymentMode::AllowPartialAndOver;
            if !b.accepts_money || (b.balance.minor <= 0 && !over) {
                return Err(ManagerError::TargetClosed);
            }
            store.attach_unmatched(unmatched_id, target, &manager, now)?
        };
        if let TargetRef::Sale(id) = target {
            self.settle_waiting_attempts(id)?;
        }
        self.after_post(&outcome)?;
        self.emit(EngineEvent::IncomingChanged);
        let store = self.store()?;
        let u = store.unmatched_get(unmatched_id)?;
        let remainder = if u.placed_at.is_some() {
            Money::from_minor(0, u.open_amount.currency)
        } else {
            u.open_amount
        };
        Ok(Attached {
            target: target_view(&store, target)?,
            remainder,
        })
    }
}
