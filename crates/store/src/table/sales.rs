//! `sales`: sales with their gap-free number, frozen lines and status; a sale may wait for a
//! Till (Buy Goods) payment of a given amount, which the posting path matches by amount.

use malipo_core::{normalise_reference, sale_number, Money, SaleDraft, SaleStatus, Timestamp};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::error::{corrupt, Result, StoreError};
use crate::table::sequences;

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE sales (
    id               INTEGER PRIMARY KEY,
    number           TEXT NOT NULL UNIQUE,
    number_norm      TEXT NOT NULL,
    till             TEXT NOT NULL,
    cashier          TEXT NOT NULL,
    currency         TEXT NOT NULL,
    total_minor      INTEGER NOT NULL CHECK (total_minor >= 0),
    status           TEXT NOT NULL CHECK (status IN ('open', 'completed', 'void')),
    body             TEXT NOT NULL,
    cart_id          INTEGER REFERENCES carts (id),
    till_wait_minor  INTEGER,
    till_wait_since  INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX sales_number_norm ON sales (number_norm);
CREATE INDEX sales_till_wait ON sales (till_wait_minor, till_wait_since) WHERE till_wait_minor IS NOT NULL;
CREATE INDEX sales_created ON sales (created_at);
";

/// A stored sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SaleRow {
    pub id: i64,
    pub number: String,
    pub till: String,
    pub cashier: String,
    pub status: SaleStatus,
    pub total: Money,
    pub draft: SaleDraft,
    pub created_at: Timestamp,
}

/// What creates a sale.
#[derive(Debug, Clone)]
pub struct NewSale<'a> {
    /// The till's prefix: numbers are `T1-000001`, `T1-000002`, … per prefix.
    pub till_prefix: &'a str,
    pub cashier: &'a str,
    pub draft: &'a SaleDraft,
    /// The cart it came from; closed in the same transaction.
    pub cart_id: Option<i64>,
}

pub(crate) fn create(conn: &Connection, new: &NewSale<'_>, now: Timestamp) -> Result<SaleRow> {
    let n = sequences::next(conn, &format!("sale:{}", new.till_prefix))?;
    let number = sale_number(new.till_prefix, n);
    let body = serde_json::to_string(new.draft).map_err(|e| corrupt("sale", e))?;
    let id: i64 = conn
        .prepare_cached(
            "INSERT INTO sales (number, number_norm, till, cashier, currency, total_minor, status, body, cart_id, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7, ?8, ?9, ?9) RETURNING id",
        )?
        .query_row(
            params![
                number,
                normalise_reference(&number),
                new.till_prefix,
                new.cashier,
                new.draft.currency.code(),
                new.draft.total.minor,
                body,
                new.cart_id,
                now.0
            ],
            |r| r.get(0),
        )?;
    if let Some(cart) = new.cart_id {
        crate::table::carts::set_status(
            conn,
            cart,
            crate::table::carts::CartStatus::Closed,
            None,
            now,
        )?;
    }
    Ok(SaleRow {
        id,
        number,
        till: new.till_prefix.to_string(),
        cashier: new.cashier.to_string(),
        status: SaleStatus::Open,
        total: new.draft.total,
        draft: new.draft.clone(),
        created_at: now,
    })
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<SaleRow> {
    let row: Option<(String, String, String, String, String, i64)> = conn
        .prepare_cached(
            "SELECT number, till, cashier, status, body, created_at FROM sales WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .optional()?;
    let (number, till, cashier, status, body, created) =
        row.ok_or_else(|| StoreError::NotFound {
            what: "sale",
            id: id.to_string(),
        })?;
    let draft: SaleDraft = serde_json::from_str(&body).map_err(|e| corrupt("sale", e))?;
    Ok(SaleRow {
        id,
        number,
        till,
        cashier,
        status: SaleStatus::from_code(&status).ok_or_else(|| corrupt("sale status", &status))?,
        total: draft.total,
        draft,
        created_at: Timestamp(created),
    })
}

pub(crate) fn set_status(
    conn: &Connection,
    id: i64,
    status: SaleStatus,
    now: Timestamp,
) -> Result<SaleStatus> {
    let before: String = conn
        .prepare_cached("SELECT status FROM sales WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "sale",
            id: id.to_string(),
        })?;
    let before = SaleStatus::from_code(&before).ok_or_else(|| corrupt("sale status", &before))?;
    if before != SaleStatus::Open && before != status {
        return Err(StoreError::Refused(format!(
            "the sale is already {}",
            before.code()
        )));
    }
    conn.prepare_cached(
        "UPDATE sales SET status = ?2, till_wait_minor = NULL, till_wait_since = NULL, updated_at = ?3 WHERE id = ?1",
    )?
    .execute(params![id, status.code(), now.0])?;
    Ok(before)
}

/// Marks an open sale as waiting for a Till payment of `amount` from `now` (or clears it).
pub(crate) fn set_till_wait(
    conn: &Connection,
    id: i64,
    amount: Option<Money>,
    now: Timestamp,
) -> Result<()> {
    let n = conn
        .prepare_cached(
            "UPDATE sales SET till_wait_minor = ?2, till_wait_since = CASE WHEN ?2 IS NULL THEN NULL ELSE ?3 END,
             updated_at = ?3 WHERE id = ?1 AND status = 'open'",
        )?
        .execute(params![id, amount.map(|m| m.minor), now.0])?;
    if n == 0 {
        return Err(StoreError::Refused(
            "only an open sale can wait for a till payment".into(),
        ));
    }
    Ok(())
}

/// Open sales waiting for a till payment of exactly `amount` since within `window_ms` of `at`.
pub(crate) fn till_candidates(
    conn: &Connection,
    amount: Money,
    at: Timestamp,
    window_ms: i64,
) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM sales WHERE till_wait_minor = ?1 AND currency = ?2 AND status = 'open'
         AND till_wait_since BETWEEN ?3 AND ?4 ORDER BY id",
    )?;
    let rows = stmt.query_map(
        params![
            amount.minor,
            amount.currency.code(),
            at.0 - window_ms,
            at.0 + window_ms
        ],
        |r| r.get(0),
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
