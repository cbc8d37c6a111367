//! Refunds and reversals as ledger operations: request (checked against what can still go
//! back), then complete or fail when the provider answers. Each step is audited. Whether
//! refunds are enabled at all is the engine's gate; the store checks the amounts.

use malipo_core::{Money, TargetRef, Timestamp};
use rusqlite::Connection;

use crate::error::{Result, StoreError};
use crate::posting::payment;
use crate::table::payments::{self, PaymentStatus};
use crate::table::refunds::{self, Refund, RefundKind};
use crate::table::{allocations, audit, unmatched};

/// A manager's request to send money back.
#[derive(Debug, Clone)]
pub struct RefundRequest<'a> {
    pub payment_id: i64,
    /// The sale or invoice whose allocation it comes from; `None` for unmatched money.
    pub target: Option<TargetRef>,
    pub amount: Money,
    pub kind: RefundKind,
    pub actor: &'a str,
}

pub(crate) fn request(conn: &Connection, r: &RefundRequest<'_>, now: Timestamp) -> Result<Refund> {
    let p = payment(conn, r.payment_id)?;
    if p.status != PaymentStatus::Received {
        return Err(StoreError::Refused(format!(
            "this payment was already {}",
            p.status.code()
        )));
    }
    if r.amount.currency != p.amount.currency || !r.amount.is_positive() {
        return Err(StoreError::Refused(format!(
            "a refund must be a positive amount in {}",
            p.amount.currency
        )));
    }
    let available = match r.target {
        Some(t) => {
            allocations::sum_for_payment_target(conn, p.id, t)?
                - refunds::sum_live_for_payment(conn, p.id, Some(Some(t)))?
        }
        None => unmatched::open_amount_minor(conn, p.id)?,
    };
    if r.amount.minor > available {
        return Err(StoreError::Refused(format!(
            "at most {} of this payment can be refunded from there",
            Money::from_minor(available.max(0), p.amount.currency)
        )));
    }
    let id = refunds::insert(conn, p.id, r.target, r.amount, r.kind, r.actor, now)?;
    let after = serde_json::json!({ "payment_id": p.id, "amount_minor": r.amount.minor, "status": "requested" }).to_string();
    audit::append(
        conn,
        audit::AuditLine {
            actor: r.actor,
            action: "refund_requested",
            entity: "refund",
            entity_id: &id.to_string(),
            before: None,
            after: Some(&after),
        },
        now,
    )?;
    refunds::get(conn, id)
}

pub(crate) fn complete(
    conn: &Connection,
    id: i64,
    provider_ref: Option<&str>,
    now: Timestamp,
) -> Result<Refund> {
    refunds::finish(conn, id, "completed", provider_ref, None, now)?;
    let r = refunds::get(conn, id)?;
    let p = payment(conn, r.payment_id)?;
    let completed: i64 = conn.query_row(
        "SELECT COALESCE(SUM(amount_minor), 0) FROM refunds WHERE payment_id = ?1 AND status = 'completed'",
        [p.id],
        |row| row.get(0),
    )?;
    if completed == p.amount.minor {
        let status = if r.kind == "reversal" {
            PaymentStatus::Reversed
        } else {
            PaymentStatus::Refunded
        };
        payments::set_status(conn, p.id, status)?;
    }
    if r.target.is_none() && unmatched::open_amount_minor(conn, p.id)? == 0 {
        if let Some(u) = unmatched::for_payment(conn, p.id)? {
            unmatched::mark_placed(conn, u.id, now)?;
        }
    }
    audit_status(conn, id, "refund_completed", "system", now)?;
    Ok(r)
}

pub(crate) fn fail(conn: &Connection, id: i64, reason: &str, now: Timestamp) -> Result<Refund> {
    refunds::finish(conn, id, "failed", None, Some(reason), now)?;
    audit_status(conn, id, "refund_failed", "system", now)?;
    refunds::get(conn, id)
}

fn audit_status(
    conn: &Connection,
    id: i64,
    action: &str,
    actor: &str,
    now: Timestamp,
) -> Result<()> {
    let r = refunds::get(conn, id)?;
    let after = serde_json::json!({ "status": r.status, "provider_ref": r.provider_ref, "reason": r.reason }).to_string();
    audit::append(
        conn,
        audit::AuditLine {
            actor,
            action,
            entity: "refund",
            entity_id: &id.to_string(),
            before: Some("{\"status\":\"requested\"}"),
            after: Some(&after),
        },
        now,
    )
}
