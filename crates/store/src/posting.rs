//! The one way money enters the books: [`post`] (behind `Store::post_payment`), and the clerk's
//! way of placing waiting money, [`attach`], which goes through the same allocation step.
//!
//! # Outcomes of posting a confirmation
//!
//! - [`PostOutcome::Posted`] — a new ledger row; some or all of it was allocated to the sale or
//!   invoice it settles. Any remainder (over-payment) waits as an unmatched receipt, named in
//!   `unmatched`.
//! - [`PostOutcome::Unmatched`] — a new ledger row that matched nothing (or whose target could
//!   take none of it); all of it waits as an unmatched receipt, with the reason.
//! - [`PostOutcome::Duplicate`] — this money is already in the ledger: the same (provider,
//!   transaction id), the same attempt, or — for M-Pesa — the receipt-less STK payment that a
//!   C2B confirmation with the receipt number completes. Nothing new is posted; a receipt number
//!   the ledger lacked is filled in (`enriched`). Callers treat it as success.
//! - [`PostOutcome::Conflict`] — a known transaction id or attempt with a different amount,
//!   currency, payer or receipt number. Nothing is posted over the first payment; the
//!   confirmation is kept in `payment_conflicts` for a manager.
//!
//! Every call runs in one `BEGIN IMMEDIATE` transaction: it is wholly applied or not at all,
//! and concurrent callers are serialised, so the same confirmation from four threads posts once.

use malipo_core::{
    decide, normalise_reference, plan_allocation, AttemptState, Candidate, MatchDecision,
    MatchFacts, MatchedBy, Money, PaymentMethod, PaymentMode, Phone, Provider, TargetRef,
    Timestamp, UnmatchedReason,
};
use rusqlite::Connection;
use serde::Serialize;

pub(crate) use crate::balance::balance;
pub use crate::balance::TargetBalance;
use crate::error::{Result, StoreError};
use crate::table::allocations::{self, Allocation};
use crate::table::payments::{self, NewPayment, Payment};
use crate::table::unmatched::{self, UnmatchedReceipt};
use crate::table::{attempts, audit, conflicts, inbox, sales};

/// A provider's (or the cash drawer's) word that money arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    pub method: PaymentMethod,
    /// M-Pesa receipt number, Paystack reference, ClickPesa transaction id, local cash id.
    /// `None` when the provider has not given one yet (an STK query answer).
    pub provider_txn_id: Option<String>,
    /// The provider's reference of the attempt the till raised (CheckoutRequestID, QR RefNo,
    /// Paystack reference), when the confirmation names one.
    pub attempt_ref: Option<String>,
    /// The account reference the customer typed (Paybill BillRefNumber) or we sent.
    pub account_reference: Option<String>,
    pub amount: Money,
    pub payer_phone: Option<Phone>,
    pub payer_name: Option<String>,
    /// The payer as the provider shows them: masked or hashed MSISDN, card brand and last 4.
    pub payer_ref: Option<String>,
    /// The inbox event it was parsed from; its outcome is recorded in the same transaction.
    pub inbox_id: Option<i64>,
    /// When the provider says the money moved.
    pub received_at: Timestamp,
}

/// Which fact of a repeated confirmation disagrees with the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictField {
    Amount,
    Currency,
    Payer,
    TransactionId,
}

impl ConflictField {
    /// Database code.
    pub const fn code(self) -> &'static str {
        match self {
            ConflictField::Amount => "amount",
            ConflictField::Currency => "currency",
            ConflictField::Payer => "payer",
            ConflictField::TransactionId => "transaction_id",
        }
    }
}

/// What posting did (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PostOutcome {
    Posted {
        payment_id: i64,
        allocations: Vec<Allocation>,
        unmatched: Option<UnmatchedReceipt>,
    },
    Unmatched {
        payment_id: i64,
        receipt: UnmatchedReceipt,
    },
    Duplicate {
        existing: i64,
        enriched: bool,
    },
    Conflict {
        existing: i64,
        field: ConflictField,
    },
}

impl PostOutcome {
    /// The ledger row this outcome is about.
    pub fn payment_id(&self) -> i64 {
        match self {
            PostOutcome::Posted { payment_id, .. } | PostOutcome::Unmatched { payment_id, .. } => {
                *payment_id
            }
            PostOutcome::Duplicate { existing, .. } | PostOutcome::Conflict { existing, .. } => {
                *existing
            }
        }
    }

    /// `posted`, `unmatched`, `duplicate` or `conflict` (the inbox outcome it records).
    pub fn code(&self) -> &'static str {
        match self {
            PostOutcome::Posted { .. } => "posted",
            PostOutcome::Unmatched { .. } => "unmatched",
            PostOutcome::Duplicate { .. } => "duplicate",
            PostOutcome::Conflict { .. } => "conflict",
        }
    }
}

/// Rules the posting path needs from the shop's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostingRules {
    /// How far apart a Till payment and the sale waiting for it may be.
    pub till_window_ms: i64,
    /// How long a receipt-less STK payment may wait for its C2B twin.
    pub twin_window_ms: i64,
}

impl Default for PostingRules {
    fn default() -> Self {
        PostingRules {
            till_window_ms: 10 * 60 * 1000,
            twin_window_ms: 24 * 3600 * 1000,
        }
    }
}

/// Posts a confirmation. Call inside an IMMEDIATE transaction (the store does).
pub(crate) fn post(
    conn: &Connection,
    rules: PostingRules,
    c: &Confirmation,
    now: Timestamp,
) -> Result<PostOutcome> {
    if !c.amount.is_positive() {
        return Err(StoreError::Refused(
            "a confirmed payment must be for more than zero".into(),
        ));
    }
    let txn = c
        .provider_txn_id
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let attempt_ref = c
        .attempt_ref
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if txn.is_none() && attempt_ref.is_none() {
        return Err(StoreError::Refused(
            "a confirmation needs a transaction id or an attempt reference".into(),
        ));
    }
    let provider = c.method.provider();
    let attempt = match attempt_ref {
        Some(r) => attempts::by_provider_ref(conn, provider.code(), r)?,
        None => None,
    };
    let outcome =
        if let Some(existing) = find_existing(conn, rules, c, provider, txn, attempt.as_ref())? {
            repeat(conn, &existing, c, txn, attempt.as_ref(), now)?
        } else {
            post_new(conn, rules, c, txn, attempt.as_ref(), now)?
        };
    if let Some(inbox_id) = c.inbox_id {
        inbox::set_outcome(
            conn,
            inbox_id,
            outcome.code(),
            Some(&format!("payment {}", outcome.payment_id())),
            now,
        )?;
    }
    Ok(outcome)
}

/// The ledger row this confirmation repeats, if any.
fn find_existing(
    conn: &Connection,
    rules: PostingRules,
    c: &Confirmation,
    provider: Provider,
    txn: Option<&str>,
    attempt: Option<&attempts::AttemptRow>,
) -> Result<Option<Payment>> {
    if let Some(t) = txn {
        if let Some(p) = payments::by_txn(conn, provider, t)? {
            return Ok(Some(p));
        }
    }
    if let Some(a) = attempt {
        if let Some(p) = payments::by_attempt(conn, a.id)? {
            return Ok(Some(p));
        }
    }
    // An STK payment to a paybill first confirmed by query (no receipt) and now arriving as a
    // C2B confirmation with the receipt number and our account reference.
    if provider == Provider::Mpesa && attempt.is_none() && txn.is_some() {
        if let Some(reference) = c
            .account_reference
            .as_deref()
            .map(normalise_reference)
            .filter(|r| !r.is_empty())
        {
            let since = c.received_at.minus_ms(rules.twin_window_ms);
            return payments::receiptless_stk_twin(conn, c.amount, &reference, since);
        }
    }
    // The other order: the C2B confirmation (receipt, our account reference) came first, and
    // now a status query reports the STK attempt paid without a receipt.
    if let Some(a) = attempt {
        if provider == Provider::Mpesa && txn.is_none() && a.method == PaymentMethod::MpesaStk {
            if let Some(reference) = a
                .account_reference
                .as_deref()
                .map(normalise_reference)
                .filter(|r| !r.is_empty())
            {
                let since = c.received_at.minus_ms(rules.twin_window_ms);
                return payments::c2b_twin_of_stk(conn, c.amount, &reference, since);
            }
        }
    }
    Ok(None)
}

fn repeat(
    conn: &Connection,
    existing: &Payment,
    c: &Confirmation,
    txn: Option<&str>,
    attempt: Option<&attempts::AttemptRow>,
    now: Timestamp,
) -> Result<PostOutcome> {
    let field = if existing.amount.currency != c.amount.currency {
        Some(ConflictField::Currency)
    } else if existing.amount != c.amount {
        Some(ConflictField::Amount)
    } else if matches!((&existing.provider_txn_id, txn), (Some(a), Some(b)) if a != b) {
        Some(ConflictField::TransactionId)
    } else if matches!((&existing.payer_phone, &c.payer_phone), (Some(a), Some(b)) if a != b.as_str())
    {
        Some(ConflictField::Payer)
    } else {
        None
    };
    if let Some(field) = field {
        conflicts::insert(
            conn,
            existing.id,
            field.code(),
            txn,
            c.amount,
            c.payer_phone.as_ref().map(Phone::as_str),
            c.inbox_id,
            now,
        )?;
        tracing::warn!(
            payment = existing.id,
            field = field.code(),
            "conflicting confirmation kept for review"
        );
        return Ok(PostOutcome::Conflict {
            existing: existing.id,
            field,
        });
    }
    let link_attempt = match attempt {
        Some(a) if existing.attempt_id.is_none() && payments::by_attempt(conn, a.id)?.is_none() => {
            Some(a.id)
        }
        _ => None,
    };
    let fill_txn = if existing.provider_txn_id.is_none() {
        txn
    } else {
        None
    };
    let enriched = fill_txn.is_some() || link_attempt.is_some();
    if enriched {
        payments::enrich(conn, existing.id, fill_txn, link_attempt)?;
    }
    if let Some(a) = attempt {
        if existing.attempt_id == Some(a.id) || link_attempt == Some(a.id) {
            attempts::transition(conn, a.id, AttemptState::Succeeded, None, now)?;
        }
    }
    Ok(PostOutcome::Duplicate {
        existing: existing.id,
        enriched,
    })
}

fn post_new(
    conn: &Connection,
    rules: PostingRules,
    c: &Confirmation,
    txn: Option<&str>,
    attempt: Option<&attempts::AttemptRow>,
    now: Timestamp,
) -> Result<PostOutcome> {
    let payment_id = payments::insert(
        conn,
        &NewPayment {
            method: c.method,
            txn,
            attempt_id: attempt.map(|a| a.id),
            amount: c.amount,
            payer_phone: c.payer_phone.as_ref().map(Phone::as_str),
            payer_name: c.payer_name.as_deref(),
            payer_ref: c.payer_ref.as_deref(),
            account_reference: c.account_reference.as_deref(),
            inbox_id: c.inbox_id,
            received_at: c.received_at,
        },
        now,
    )?;
    if let Some(a) = attempt {
        attempts::transition(conn, a.id, AttemptState::Succeeded, None, now)?;
    }
    let attempt_target = match attempt {
        Some(a) => Some(Candidate {
            target: a.target,
            accepts_money: balance(conn, a.target)?.accepts_money,
        }),
        None => None,
    };
    let reference = c
        .account_reference
        .as_deref()
        .map(normalise_reference)
        .unwrap_or_default();
    let reference_hits = if attempt_target.is_none() && !reference.is_empty() {
        reference_candidates(conn, &reference)?
    } else {
        Vec::new()
    };
    let till_candidates: Vec<TargetRef> =
        if attempt_target.is_none() && c.method == PaymentMethod::MpesaTill {
            sales::till_candidates(conn, c.amount, c.received_at, rules.till_window_ms)?
                .into_iter()
                .map(TargetRef::Sale)
                .collect()
        } else {
            Vec::new()
        };
    let decision = decide(&MatchFacts {
        method: c.method,
        attempt_target,
        has_reference: !reference.is_empty(),
        reference_hits: &reference_hits,
        till_candidates: &till_candidates,
    });
    let (target, by) = match decision {
        MatchDecision::Target { target, by } => (target, by),
        MatchDecision::Unmatched { reason } => {
            let id = unmatched::upsert(conn, payment_id, reason, now)?;
            return Ok(PostOutcome::Unmatched {
                payment_id,
                receipt: unmatched::get(conn, id)?,
            });
        }
    };
    if by == MatchedBy::TillAmount {
        sales::set_till_wait(conn, target.id(), None, now)?;
    }
    let applied = apply(conn, payment_id, c.amount, target, by, "system", now)?;
    let receipt = match applied.remainder_reason {
        Some(reason) => Some(unmatched::get(
            conn,
            unmatched::upsert(conn, payment_id, reason, now)?,
        )?),
        None => None,
    };
    Ok(match (applied.allocation, receipt) {
        (Some(a), unmatched) => PostOutcome::Posted {
            payment_id,
            allocations: vec![a],
            unmatched,
        },
        (None, Some(receipt)) => PostOutcome::Unmatched {
            payment_id,
            receipt,
        },
        (None, None) => return Err(StoreError::Refused("nothing to allocate".into())),
    })
}

fn reference_candidates(conn: &Connection, reference: &str) -> Result<Vec<Candidate>> {
    let mut stmt = conn.prepare_cached(
        "SELECT 'sale', id, status != 'void' FROM sales WHERE number_norm = ?1
         UNION ALL SELECT 'invoice', id, status = 'issued' FROM invoices WHERE number_norm = ?1",
    )?;
    let rows = stmt.query_map([reference], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, bool>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (kind, id, accepts_money) = row?;
        if let Some(target) = TargetRef::from_parts(&kind, id) {
            out.push(Candidate {
                target,
                accepts_money,
            });
        }
    }
    Ok(out)
}

struct Applied {
    allocation: Option<Allocation>,
    remainder_reason: Option<UnmatchedReason>,
}

/// Allocates up to `amount` of a payment to `target` by the target's payment mode.
fn apply(
    conn: &Connection,
    payment_id: i64,
    amount: Money,
    target: TargetRef,
    by: MatchedBy,
    actor: &str,
    now: Timestamp,
) -> Result<Applied> {
    let b = balance(conn, target)?;
    let plan = plan_allocation(amount, b.balance, b.mode)?;
    let allocation = if plan.allocate.is_positive() {
        Some(allocations::insert(
            conn,
            payment_id,
            target,
            plan.allocate,
            by,
            actor,
            now,
        )?)
    } else {
        None
    };
    Ok(Applied {
        allocation,
        remainder_reason: plan.remainder_reason,
    })
}

/// Places (part of) an unmatched receipt on a sale or invoice, through the same allocation
/// step as posting, audited. What the target cannot take stays in the receipt.
pub(crate) fn attach(
    conn: &Connection,
    receipt_id: i64,
    target: TargetRef,
    actor: &str,
    now: Timestamp,
) -> Result<PostOutcome> {
    let receipt = unmatched::get(conn, receipt_id)?;
    if receipt.placed_at.is_some() || !receipt.open_amount.is_positive() {
        return Err(StoreError::Refused(
            "this money has already been placed".into(),
        ));
    }
    let b = balance(conn, target)?;
    if !b.accepts_money {
        return Err(StoreError::Refused(
            "that sale or invoice is cancelled or not issued; choose another".into(),
        ));
    }
    if b.mode == PaymentMode::Exact && b.balance != receipt.open_amount {
        return Err(StoreError::Refused(format!(
            "this invoice takes only the exact balance of {}, and the receipt is {}",
            b.balance, receipt.open_amount
        )));
    }
    let applied = apply(
        conn,
        receipt.payment_id,
        receipt.open_amount,
        target,
        MatchedBy::Clerk,
        actor,
        now,
    )?;
    let Some(allocation) = applied.allocation else {
        return Err(StoreError::Refused(
            "that sale or invoice is already paid".into(),
        ));
    };
    let left = unmatched::open_amount_minor(conn, receipt.payment_id)?;
    if left == 0 {
        unmatched::mark_placed(conn, receipt_id, now)?;
    } else if let Some(reason) = applied.remainder_reason {
        unmatched::upsert(conn, receipt.payment_id, reason, now)?;
    }
    let before = serde_json::json!({ "open_minor": receipt.open_amount.minor, "reason": receipt.reason.code() }).to_string();
    let after = serde_json::json!({
        "target": { "kind": target.kind(), "id": target.id() },
        "allocated_minor": allocation.amount.minor,
        "open_minor": left,
    })
    .to_string();
    audit::append(
        conn,
        audit::AuditLine {
            actor,
            action: "attach_unmatched",
            entity: "unmatched_receipt",
            entity_id: &receipt_id.to_string(),
            before: Some(&before),
            after: Some(&after),
        },
        now,
    )?;
    let still_open = if left > 0 {
        Some(unmatched::get(conn, receipt_id)?)
    } else {
        None
    };
    Ok(PostOutcome::Posted {
        payment_id: receipt.payment_id,
        allocations: vec![allocation],
        unmatched: still_open,
    })
}

/// Convenience for readers: a payment's ledger row.
pub(crate) fn payment(conn: &Connection, id: i64) -> Result<Payment> {
    payments::get(conn, id)?.ok_or_else(|| StoreError::NotFound {
        what: "payment",
        id: id.to_string(),
    })
}
