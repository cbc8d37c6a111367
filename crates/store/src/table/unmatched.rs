//! `unmatched_receipts`: confirmed money with no home yet, and why. One row per payment that
//! has (or had) money left over; the open amount is derived (payment − allocations − refunds
//! taken from the unmatched part), and `placed_at` is set once it reaches zero. Never deleted.

use malipo_core::{Money, Timestamp, UnmatchedReason};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::error::{corrupt, Result, StoreError};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE unmatched_receipts (
    id         INTEGER PRIMARY KEY,
    payment_id INTEGER NOT NULL UNIQUE REFERENCES payments (id),
    reason     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    placed_at  INTEGER
);
CREATE INDEX unmatched_open ON unmatched_receipts (placed_at, id);
CREATE TRIGGER unmatched_no_delete BEFORE DELETE ON unmatched_receipts
BEGIN SELECT RAISE(ABORT, 'unmatched receipts are never deleted'); END;
";

/// Money waiting to be placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnmatchedReceipt {
    pub id: i64,
    pub payment_id: i64,
    pub reason: UnmatchedReason,
    /// What is still unplaced.
    pub open_amount: Money,
    pub created_at: Timestamp,
    pub placed_at: Option<Timestamp>,
}

/// Records (or re-opens with a new reason) the unmatched part of a payment.
pub(crate) fn upsert(
    conn: &Connection,
    payment_id: i64,
    reason: UnmatchedReason,
    now: Timestamp,
) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO unmatched_receipts (payment_id, reason, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(payment_id) DO UPDATE SET reason = excluded.reason, placed_at = NULL RETURNING id",
        )?
        .query_row(params![payment_id, reason.code(), now.0], |r| r.get(0))?)
}

pub(crate) fn mark_placed(conn: &Connection, id: i64, now: Timestamp) -> Result<()> {
    conn.prepare_cached("UPDATE unmatched_receipts SET placed_at = ?2 WHERE id = ?1")?
        .execute(params![id, now.0])?;
    Ok(())
}

/// The open amount of payment `payment_id`: amount − allocations − refunds with no target.
pub(crate) fn open_amount_minor(conn: &Connection, payment_id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT p.amount_minor
               - (SELECT COALESCE(SUM(amount_minor), 0) FROM allocations WHERE payment_id = p.id)
               - (SELECT COALESCE(SUM(amount_minor), 0) FROM refunds
                  WHERE payment_id = p.id AND target_kind IS NULL AND status != 'failed')
             FROM payments p WHERE p.id = ?1",
        )?
        .query_row([payment_id], |r| r.get(0))?)
}

const SELECT: &str = "SELECT u.id, u.payment_id, u.reason, p.currency, u.created_at, u.placed_at FROM unmatched_receipts u
    JOIN payments p ON p.id = u.payment_id";

fn finish(
    conn: &Connection,
    row: (i64, i64, String, String, i64, Option<i64>),
) -> Result<UnmatchedReceipt> {
    let (id, payment_id, reason, cur, created, placed) = row;
    Ok(UnmatchedReceipt {
        id,
        payment_id,
        reason: UnmatchedReason::from_code(&reason)
            .ok_or_else(|| corrupt("unmatched reason", &reason))?,
        open_amount: Money::from_minor(
            open_amount_minor(conn, payment_id)?,
            cur.parse().map_err(|e| corrupt("payment currency", e))?,
        ),
        created_at: Timestamp(created),
        placed_at: placed.map(Timestamp),
    })
}

type Raw = (i64, i64, String, String, i64, Option<i64>);
fn raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<UnmatchedReceipt> {
    let row = conn
        .prepare_cached(&format!("{SELECT} WHERE u.id = ?1"))?
        .query_row([id], raw)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "unmatched receipt",
            id: id.to_string(),
        })?;
    finish(conn, row)
}

pub(crate) fn for_payment(conn: &Connection, payment_id: i64) -> Result<Option<UnmatchedReceipt>> {
    let row = conn
        .prepare_cached(&format!("{SELECT} WHERE u.payment_id = ?1"))?
        .query_row([payment_id], raw)
        .optional()?;
    row.map(|r| finish(conn, r)).transpose()
}

/// Receipts still waiting, oldest first.
pub(crate) fn list_open(conn: &Connection, limit: i64) -> Result<Vec<UnmatchedReceipt>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE u.placed_at IS NULL ORDER BY u.id LIMIT ?1"
    ))?;
    let rows: Vec<Raw> = stmt
        .query_map([limit], raw)?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter().map(|r| finish(conn, r)).collect()
}
