//! `payment_conflicts`: confirmations that reuse a known transaction id with different facts
//! (amount, currency, payer, receipt). Kept and flagged for a manager; never posted over the
//! first payment.

use malipo_core::{Money, Timestamp};
use rusqlite::{params, Connection};

use crate::error::Result;

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE payment_conflicts (
    id                  INTEGER PRIMARY KEY,
    existing_payment_id INTEGER NOT NULL REFERENCES payments (id),
    field               TEXT NOT NULL,
    provider_txn_id     TEXT,
    amount_minor        INTEGER NOT NULL,
    currency            TEXT NOT NULL,
    payer_phone         TEXT,
    inbox_id            INTEGER REFERENCES provider_inbox (id),
    created_at          INTEGER NOT NULL,
    resolved_at         INTEGER
);
";

#[allow(clippy::too_many_arguments)]
pub(crate) fn insert(
    conn: &Connection,
    existing: i64,
    field: &str,
    txn: Option<&str>,
    amount: Money,
    payer_phone: Option<&str>,
    inbox_id: Option<i64>,
    now: Timestamp,
) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO payment_conflicts (existing_payment_id, field, provider_txn_id, amount_minor, currency, payer_phone, inbox_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
        )?
        .query_row(params![existing, field, txn, amount.minor, amount.currency.code(), payer_phone, inbox_id, now.0], |r| r.get(0))?)
}

/// Number of conflicts not yet resolved.
pub(crate) fn open_count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM payment_conflicts WHERE resolved_at IS NULL",
        [],
        |r| r.get(0),
    )?)
}
