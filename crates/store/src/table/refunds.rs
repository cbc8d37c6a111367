//! `refunds`: money going back to a customer — a card refund (full or partial) or an M-Pesa
//! reversal — as new rows against the payment, never edits of it. A refund taken from money
//! allocated to a sale or invoice re-opens that target's balance once it completes.

use malipo_core::{Money, TargetRef, Timestamp};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::error::{corrupt, Result, StoreError};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE refunds (
    id           INTEGER PRIMARY KEY,
    payment_id   INTEGER NOT NULL REFERENCES payments (id),
    target_kind  TEXT CHECK (target_kind IN ('sale', 'invoice')),
    target_id    INTEGER,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    kind         TEXT NOT NULL CHECK (kind IN ('refund', 'reversal')),
    status       TEXT NOT NULL CHECK (status IN ('requested', 'completed', 'failed')),
    provider_ref TEXT,
    reason       TEXT,
    actor        TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    completed_at INTEGER
);
CREATE INDEX refunds_payment ON refunds (payment_id);
CREATE INDEX refunds_target ON refunds (target_kind, target_id);
CREATE INDEX refunds_completed ON refunds (completed_at) WHERE status = 'completed';
";

/// Card refund or M-Pesa reversal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundKind {
    Refund,
    Reversal,
}

impl RefundKind {
    pub(crate) const fn code(self) -> &'static str {
        match self {
            RefundKind::Refund => "refund",
            RefundKind::Reversal => "reversal",
        }
    }
}

/// A refund row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refund {
    pub id: i64,
    pub payment_id: i64,
    /// The sale or invoice whose balance it re-opens; `None` when taken from unmatched money.
    pub target: Option<TargetRef>,
    pub amount: Money,
    pub kind: String,
    pub status: String,
    pub provider_ref: Option<String>,
    pub reason: Option<String>,
}

pub(crate) fn insert(
    conn: &Connection,
    payment_id: i64,
    target: Option<TargetRef>,
    amount: Money,
    kind: RefundKind,
    actor: &str,
    now: Timestamp,
) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO refunds (payment_id, target_kind, target_id, amount_minor, kind, status, actor, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'requested', ?6, ?7) RETURNING id",
        )?
        .query_row(
            params![payment_id, target.map(|t| t.kind()), target.map(|t| t.id()), amount.minor, kind.code(), actor, now.0],
            |r| r.get(0),
        )?)
}

type RawRefund = (
    i64,
    Option<String>,
    Option<i64>,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Refund> {
    let row: Option<RawRefund> = conn
        .prepare_cached(
            "SELECT r.payment_id, r.target_kind, r.target_id, r.amount_minor, p.currency, r.kind, r.status, r.provider_ref, r.reason
             FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE r.id = ?1",
        )?
        .query_row([id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?))
        })
        .optional()?;
    let (payment_id, kind_t, tid, minor, cur, kind, status, provider_ref, reason) = row
        .ok_or_else(|| StoreError::NotFound {
            what: "refund",
            id: id.to_string(),
        })?;
    let target = match (kind_t, tid) {
        (Some(k), Some(t)) => {
            Some(TargetRef::from_parts(&k, t).ok_or_else(|| corrupt("refund target", &k))?)
        }
        _ => None,
    };
    Ok(Refund {
        id,
        payment_id,
        target,
        amount: Money::from_minor(
            minor,
            cur.parse().map_err(|e| corrupt("refund currency", e))?,
        ),
        kind,
        status,
        provider_ref,
        reason,
    })
}

pub(crate) fn finish(
    conn: &Connection,
    id: i64,
    status: &str,
    provider_ref: Option<&str>,
    reason: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    let n = conn
        .prepare_cached(
            "UPDATE refunds SET status = ?2, provider_ref = COALESCE(?3, provider_ref), reason = COALESCE(?4, reason),
             completed_at = ?5 WHERE id = ?1 AND status = 'requested'",
        )?
        .execute(params![id, status, provider_ref, reason, now.0])?;
    if n == 0 {
        return Err(StoreError::Refused(
            "the refund is not waiting for a result".into(),
        ));
    }
    Ok(())
}

/// Refunds of a payment not failed (requested or completed), optionally for one target.
pub(crate) fn sum_live_for_payment(
    conn: &Connection,
    payment_id: i64,
    target: Option<Option<TargetRef>>,
) -> Result<i64> {
    let (filter, kind, id) = match target {
        None => (0, None, None),
        Some(None) => (1, None, None),
        Some(Some(t)) => (2, Some(t.kind()), Some(t.id())),
    };
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(SUM(amount_minor), 0) FROM refunds WHERE payment_id = ?1 AND status != 'failed'
             AND (?2 = 0 OR (?2 = 1 AND target_kind IS NULL) OR (?2 = 2 AND target_kind = ?3 AND target_id = ?4))",
        )?
        .query_row(params![payment_id, filter, kind, id], |r| r.get(0))?)
}

/// Completed refunds that re-open a target, in minor units.
pub(crate) fn sum_completed_for_target(conn: &Connection, target: TargetRef) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(SUM(amount_minor), 0) FROM refunds WHERE target_kind = ?1 AND target_id = ?2 AND status = 'completed'",
        )?
        .query_row(params![target.kind(), target.id()], |r| r.get(0))?)
}

/// Records the provider's reference of a refund still waiting for its result (a reversal's
/// conversation id, a Paystack refund id), so the result event finds it.
pub(crate) fn set_provider_ref(conn: &Connection, id: i64, provider_ref: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE refunds SET provider_ref = ?2 WHERE id = ?1 AND status = 'requested'",
    )?
    .execute(params![id, provider_ref])?;
    Ok(())
}

/// Refunds waiting for a result: those of `payment_id`, or the one known as `provider_ref`.
pub(crate) fn waiting(
    conn: &Connection,
    payment_id: Option<i64>,
    provider_ref: Option<&str>,
) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM refunds WHERE status = 'requested'
         AND (?1 IS NULL OR payment_id = ?1) AND (?2 IS NULL OR provider_ref = ?2) ORDER BY id",
    )?;
    let ids = stmt.query_map(params![payment_id, provider_ref], |r| r.get(0))?;
    Ok(ids.collect::<rusqlite::Result<_>>()?)
}
