//! What the commands print: the store's rows as flat JSON objects for support staff and
//! scripts. Amounts are integer minor units (`*_minor`) with the currency and a decimal string
//! made with integer arithmetic; times are milliseconds and ISO-8601 UTC; payers are masked;
//! sales and invoices are named by their numbers as well as their ids.

use std::collections::HashMap;

use base64::Engine as _;
use malipo_core::{Money, TargetRef};
use malipo_store::{
    Allocation, AttemptRow, AuditEntry, InboxEvent, Payment, PaymentFilter, Store, StoreError,
    UnmatchedReceipt,
};
use serde::Serialize;

use crate::error::CliError;
use crate::format::{decimal, iso_utc, payer};

/// An amount three ways.
#[derive(Debug, Clone, Serialize)]
pub struct Amount {
    pub minor: i64,
    pub currency: &'static str,
    pub decimal: String,
}

impl From<Money> for Amount {
    fn from(m: Money) -> Self {
        Amount {
            minor: m.minor,
            currency: m.currency.code(),
            decimal: decimal(m),
        }
    }
}

/// A sale or invoice, with its number when it has one.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub kind: &'static str,
    pub id: i64,
    pub number: Option<String>,
}

/// One allocation of a payment.
#[derive(Debug, Clone, Serialize)]
pub struct AllocationView {
    pub id: i64,
    pub target: Target,
    pub amount: Amount,
    pub matched_by: String,
    pub actor: String,
    pub created_at: String,
}

/// The open, unplaced part of a payment.
#[derive(Debug, Clone, Serialize)]
pub struct UnmatchedPart {
    pub receipt_id: i64,
    pub reason: &'static str,
    pub open: Amount,
}

/// One ledger row with where its money went.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentView {
    pub id: i64,
    pub method: &'static str,
    pub provider: &'static str,
    /// M-Pesa receipt, Paystack reference…; `null` until the provider gives one.
    pub receipt: Option<String>,
    pub amount: Amount,
    pub status: &'static str,
    pub payer: Option<String>,
    pub payer_name: Option<String>,
    pub account_reference: Option<String>,
    pub attempt_id: Option<i64>,
    pub inbox_id: Option<i64>,
    pub received_at_ms: i64,
    pub received_at: String,
    pub posted_at: String,
    pub allocations: Vec<AllocationView>,
    /// `null` when every shilling is placed (or refunded).
    pub unmatched: Option<UnmatchedPart>,
}

/// A payment attempt.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptView {
    pub id: i64,
    pub method: &'static str,
    pub target: Target,
    pub amount: Amount,
    pub phone: Option<String>,
    pub account_reference: Option<String>,
    pub provider_ref: Option<String>,
    pub state: &'static str,
    pub late: bool,
    pub reason: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// An unmatched receipt with its payment's facts.
#[derive(Debug, Clone, Serialize)]
pub struct UnmatchedView {
    pub id: i64,
    pub reason: &'static str,
    pub open: Amount,
    pub created_at: String,
    pub payment: PaymentView,
}

/// An inbox event; the body as text when it is UTF-8, else base64.
#[derive(Debug, Clone, Serialize)]
pub struct InboxView {
    pub id: i64,
    pub provider: String,
    pub kind: String,
    pub relay_seq: Option<i64>,
    pub received_at: String,
    pub outcome: String,
    pub detail: Option<String>,
    pub headers: serde_json::Value,
    pub body_encoding: &'static str,
    pub body: String,
}

/// Reads rows into views, remembering sale/invoice numbers and open unmatched parts.
#[derive(Debug)]
pub struct Viewer<'s> {
    store: &'s Store,
    numbers: HashMap<TargetRef, Option<String>>,
    open: HashMap<i64, UnmatchedReceipt>,
}

impl<'s> Viewer<'s> {
    pub fn new(store: &'s Store) -> Result<Self, CliError> {
        let open = store
            .unmatched_open(i64::MAX)?
            .into_iter()
            .map(|u| (u.payment_id, u))
            .collect();
        Ok(Viewer {
            store,
            numbers: HashMap::new(),
            open,
        })
    }

    pub fn target(&mut self, target: TargetRef) -> Result<Target, CliError> {
        let number = match self.numbers.get(&target) {
            Some(n) => n.clone(),
            None => {
                let n = match target {
                    TargetRef::Sale(id) => Some(self.store.sale_get(id)?.number),
                    TargetRef::Invoice(id) => self.store.invoice_get(id)?.number,
                };
                self.numbers.insert(target, n.clone());
                n
            }
        };
        Ok(Target {
            kind: target.kind(),
            id: target.id(),
            number,
        })
    }

    fn allocation(&mut self, a: &Allocation) -> Result<AllocationView, CliError> {
        Ok(AllocationView {
            id: a.id,
            target: self.target(a.target)?,
            amount: a.amount.into(),
            matched_by: a.matched_by.clone(),
            actor: a.actor.clone(),
            created_at: iso_utc(a.created_at.0),
        })
    }

    pub fn payment(&mut self, p: &Payment) -> Result<PaymentView, CliError> {
        let allocations = self
            .store
            .allocations_for(p.id)?
            .iter()
            .map(|a| self.allocation(a))
            .collect::<Result<Vec<_>, _>>()?;
        let unmatched = self.open.get(&p.id).map(|u| UnmatchedPart {
            receipt_id: u.id,
            reason: u.reason.code(),
            open: u.open_amount.into(),
        });
        Ok(PaymentView {
            id: p.id,
            method: p.method.code(),
            provider: p.provider.code(),
            receipt: p.provider_txn_id.clone(),
            amount: p.amount.into(),
            status: p.status.code(),
            payer: payer(p.payer_ref.as_deref(), p.payer_phone.as_deref()),
            payer_name: p.payer_name.clone(),
            account_reference: p.account_reference.clone(),
            attempt_id: p.attempt_id,
            inbox_id: p.inbox_id,
            received_at_ms: p.received_at.0,
            received_at: iso_utc(p.received_at.0),
            posted_at: iso_utc(p.posted_at.0),
            allocations,
            unmatched,
        })
    }

    pub fn attempt(&mut self, a: &AttemptRow) -> Result<AttemptView, CliError> {
        Ok(AttemptView {
            id: a.id,
            method: a.method.code(),
            target: self.target(a.target)?,
            amount: a.amount.into(),
            phone: payer(None, a.phone.as_deref()),
            account_reference: a.account_reference.clone(),
            provider_ref: a.provider_ref.clone(),
            state: a.state.code(),
            late: a.late,
            reason: a.reason.clone(),
            created_at: iso_utc(a.created_at.0),
            updated_at: iso_utc(a.updated_at.0),
        })
    }

    pub fn unmatched(&mut self, u: &UnmatchedReceipt) -> Result<UnmatchedView, CliError> {
        let payment = self.store.payment_get(u.payment_id)?;
        Ok(UnmatchedView {
            id: u.id,
            reason: u.reason.code(),
            open: u.open_amount.into(),
            created_at: iso_utc(u.created_at.0),
            payment: self.payment(&payment)?,
        })
    }
}

/// An inbox row as printed.
pub fn inbox(e: &InboxEvent) -> InboxView {
    let headers = serde_json::from_str(&e.headers_json)
        .unwrap_or_else(|_| serde_json::Value::String(e.headers_json.clone()));
    let (body_encoding, body) = match std::str::from_utf8(&e.body) {
        Ok(text) => ("utf8", text.to_owned()),
        Err(_) => (
            "base64",
            base64::engine::general_purpose::STANDARD.encode(&e.body),
        ),
    };
    InboxView {
        id: e.id,
        provider: e.provider.clone(),
        kind: e.kind.clone(),
        relay_seq: e.relay_seq,
        received_at: iso_utc(e.received_at.0),
        outcome: e.outcome.clone(),
        detail: e.detail.clone(),
        headers,
        body_encoding,
        body,
    }
}

/// An audit line as printed: its time in UTC, and the before/after states as JSON (kept as
/// text when a line holds something that is not JSON).
#[derive(Debug, Serialize)]
pub struct AuditView {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub fn audit(e: &AuditEntry) -> AuditView {
    let json = |s: &Option<String>| {
        s.as_ref().map(|t| {
            serde_json::from_str(t).unwrap_or_else(|_| serde_json::Value::String(t.clone()))
        })
    };
    AuditView {
        id: e.id,
        at: iso_utc(e.at.0),
        actor: e.actor.clone(),
        action: e.action.clone(),
        entity: e.entity.clone(),
        entity_id: e.entity_id.clone(),
        before: json(&e.before),
        after: json(&e.after),
    }
}

/// Every payment the filter selects, newest first, up to `limit` (all when `None`), paging
/// through the store's keyset cursor.
pub fn payments(
    store: &Store,
    filter: &PaymentFilter,
    limit: Option<i64>,
) -> Result<Vec<Payment>, StoreError> {
    let mut rows = Vec::new();
    let mut cursor = None;
    loop {
        let want = limit.map_or(1_000, |l| (l - rows.len() as i64).clamp(0, 1_000));
        if want == 0 {
            return Ok(rows);
        }
        let page = store.payments_page(filter, want, cursor)?;
        rows.extend(page.rows);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(rows),
        }
    }
}

/// Every attempt, oldest first. The store lists only pending attempts, so this reads them by id
/// (attempts are never deleted and ids are handed out in order); a run of missing ids ends it.
pub fn all_attempts(store: &Store) -> Result<Vec<AttemptRow>, StoreError> {
    const GAP: i64 = 64;
    let mut found = Vec::new();
    let (mut id, mut missing) = (1_i64, 0_i64);
    while missing < GAP {
        match store.attempt_get(id) {
            Ok(a) => {
                found.push(a);
                missing = 0;
            }
            Err(StoreError::NotFound { .. }) => missing += 1,
            Err(e) => return Err(e),
        }
        id += 1;
    }
    Ok(found)
}
