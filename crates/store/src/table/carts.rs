//! `carts`: the cart being rung up, saved on every change so that a crash or a restart never
//! loses it, plus carts put on hold to be recalled later.

use malipo_core::{Cart, Timestamp};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::error::{corrupt, Result, StoreError};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE carts (
    id         INTEGER PRIMARY KEY,
    till       TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('open', 'held', 'closed')),
    label      TEXT,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX carts_till_status ON carts (till, status);
";

/// Where a saved cart stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CartStatus {
    /// The cart on screen.
    Open,
    /// Put aside to serve the next customer; recalled later.
    Held,
    /// Became a sale, or was cleared.
    Closed,
}

impl CartStatus {
    pub(crate) const fn code(self) -> &'static str {
        match self {
            CartStatus::Open => "open",
            CartStatus::Held => "held",
            CartStatus::Closed => "closed",
        }
    }
    fn from_code(s: &str) -> Option<CartStatus> {
        [CartStatus::Open, CartStatus::Held, CartStatus::Closed]
            .into_iter()
            .find(|c| c.code() == s)
    }
}

/// A cart as saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredCart {
    pub id: i64,
    pub till: String,
    pub status: CartStatus,
    pub label: Option<String>,
    pub cart: Cart,
    pub updated_at: Timestamp,
}

/// Saves a cart: a new row when `id` is `None`, else replaces the body of that cart.
pub(crate) fn save(
    conn: &Connection,
    id: Option<i64>,
    till: &str,
    cart: &Cart,
    now: Timestamp,
) -> Result<i64> {
    let body = serde_json::to_string(cart).map_err(|e| corrupt("cart", e))?;
    match id {
        None => Ok(conn
            .prepare_cached(
                "INSERT INTO carts (till, status, body, created_at, updated_at) VALUES (?1, 'open', ?2, ?3, ?3) RETURNING id",
            )?
            .query_row(params![till, body, now.0], |r| r.get(0))?),
        Some(id) => {
            let n = conn.prepare_cached("UPDATE carts SET body = ?2, updated_at = ?3 WHERE id = ?1 AND status != 'closed'")?
                .execute(params![id, body, now.0])?;
            if n == 0 {
                return Err(StoreError::NotFound { what: "open cart", id: id.to_string() });
            }
            Ok(id)
        }
    }
}

pub(crate) fn set_status(
    conn: &Connection,
    id: i64,
    status: CartStatus,
    label: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    let n = conn
        .prepare_cached("UPDATE carts SET status = ?2, label = COALESCE(?3, label), updated_at = ?4 WHERE id = ?1")?
        .execute(params![id, status.code(), label, now.0])?;
    if n == 0 {
        return Err(StoreError::NotFound {
            what: "cart",
            id: id.to_string(),
        });
    }
    Ok(())
}

fn from_row(
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<(i64, String, String, Option<String>, String, i64)> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn finish(parts: (i64, String, String, Option<String>, String, i64)) -> Result<StoredCart> {
    let (id, till, status, label, body, updated) = parts;
    Ok(StoredCart {
        id,
        till,
        status: CartStatus::from_code(&status).ok_or_else(|| corrupt("cart status", &status))?,
        label,
        cart: serde_json::from_str(&body).map_err(|e| corrupt("cart", e))?,
        updated_at: Timestamp(updated),
    })
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<StoredCart>> {
    conn.prepare_cached(
        "SELECT id, till, status, label, body, updated_at FROM carts WHERE id = ?1",
    )?
    .query_row([id], from_row)
    .optional()?
    .map(finish)
    .transpose()
}

/// The till's open and held carts, the most recently touched first.
pub(crate) fn list_active(conn: &Connection, till: &str) -> Result<Vec<StoredCart>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, till, status, label, body, updated_at FROM carts
         WHERE till = ?1 AND status != 'closed' ORDER BY updated_at DESC, id DESC",
    )?;
    let rows = stmt.query_map([till], from_row)?;
    rows.map(|r| finish(r?)).collect()
}
