//! `allocations`: which part of a payment settles which sale or invoice. Append-only; a
//! balance is always derived from these rows and the refunds, never stored.

use malipo_core::{MatchedBy, Money, TargetRef, Timestamp};
use rusqlite::{params, Connection};
use serde::Serialize;

use crate::error::{corrupt, Result};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE allocations (
    id           INTEGER PRIMARY KEY,
    payment_id   INTEGER NOT NULL REFERENCES payments (id),
    target_kind  TEXT NOT NULL CHECK (target_kind IN ('sale', 'invoice')),
    target_id    INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    matched_by   TEXT NOT NULL,
    actor        TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX allocations_target ON allocations (target_kind, target_id);
CREATE INDEX allocations_payment ON allocations (payment_id);
CREATE TRIGGER allocations_append_only_u BEFORE UPDATE ON allocations
BEGIN SELECT RAISE(ABORT, 'allocations are append-only'); END;
CREATE TRIGGER allocations_append_only_d BEFORE DELETE ON allocations
BEGIN SELECT RAISE(ABORT, 'allocations are append-only'); END;
";

/// Part of a payment applied to a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allocation {
    pub id: i64,
    pub payment_id: i64,
    pub target: TargetRef,
    pub amount: Money,
    pub matched_by: String,
    pub actor: String,
    pub created_at: Timestamp,
}

pub(crate) fn insert(
    conn: &Connection,
    payment_id: i64,
    target: TargetRef,
    amount: Money,
    by: MatchedBy,
    actor: &str,
    now: Timestamp,
) -> Result<Allocation> {
    let id: i64 = conn
        .prepare_cached(
            "INSERT INTO allocations (payment_id, target_kind, target_id, amount_minor, matched_by, actor, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        )?
        .query_row(params![payment_id, target.kind(), target.id(), amount.minor, by.code(), actor, now.0], |r| r.get(0))?;
    Ok(Allocation {
        id,
        payment_id,
        target,
        amount,
        matched_by: by.code().to_string(),
        actor: actor.to_string(),
        created_at: now,
    })
}

/// Sum allocated to a target, in minor units.
pub(crate) fn sum_for_target(conn: &Connection, target: TargetRef) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT COALESCE(SUM(amount_minor), 0) FROM allocations WHERE target_kind = ?1 AND target_id = ?2")?
        .query_row(params![target.kind(), target.id()], |r| r.get(0))?)
}

/// Sum of one payment's allocations to one target.
pub(crate) fn sum_for_payment_target(
    conn: &Connection,
    payment_id: i64,
    target: TargetRef,
) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(SUM(amount_minor), 0) FROM allocations WHERE payment_id = ?1 AND target_kind = ?2 AND target_id = ?3",
        )?
        .query_row(params![payment_id, target.kind(), target.id()], |r| r.get(0))?)
}

pub(crate) fn for_payment(conn: &Connection, payment_id: i64) -> Result<Vec<Allocation>> {
    select(conn, "a.payment_id = ?1", params![payment_id])
}

/// What was placed on a sale or invoice, oldest first (a receipt's tenders).
pub(crate) fn for_target(conn: &Connection, target: TargetRef) -> Result<Vec<Allocation>> {
    select(
        conn,
        "a.target_kind = ?1 AND a.target_id = ?2",
        params![target.kind(), target.id()],
    )
}

fn select(conn: &Connection, filter: &str, p: impl rusqlite::Params) -> Result<Vec<Allocation>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT a.id, a.target_kind, a.target_id, a.amount_minor, p.currency, a.matched_by, a.actor, a.created_at, a.payment_id
         FROM allocations a JOIN payments p ON p.id = a.payment_id WHERE {filter} ORDER BY a.id"
    ))?;
    let rows = stmt.query_map(p, |r| {
        Ok((
            (
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
            ),
            (
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, i64>(8)?,
            ),
        ))
    })?;
    rows.map(|r| {
        let ((id, kind, tid, minor, cur), (by, actor, at, payment_id)) = r?;
        Ok(Allocation {
            id,
            payment_id,
            target: TargetRef::from_parts(&kind, tid)
                .ok_or_else(|| corrupt("allocation target", &kind))?,
            amount: Money::from_minor(
                minor,
                cur.parse().map_err(|e| corrupt("allocation currency", e))?,
            ),
            matched_by: by,
            actor,
            created_at: Timestamp(at),
        })
    })
    .collect()
}
