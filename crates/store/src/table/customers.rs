//! `customers`: the shop's customers (name, phone, email) for invoices and BillPay control
//! numbers; `invoice_customers`: which customer an invoice is for and its note (the invoice's
//! own row keeps the customer's name, phone and email as they were when it was written);
//! `control_numbers`: a customer's recurring bills, each an issued invoice whose BillPay
//! control number the customer pays (school fees, membership).

use malipo_core::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::error::{Result, StoreError};

pub(crate) const SCHEMA_V3: &str = "
CREATE TABLE customers (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    phone      TEXT,
    email      TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX customers_name ON customers (name COLLATE NOCASE);
CREATE INDEX customers_phone ON customers (phone);
CREATE TABLE invoice_customers (
    invoice_id  INTEGER PRIMARY KEY REFERENCES invoices (id),
    customer_id INTEGER REFERENCES customers (id),
    note        TEXT NOT NULL DEFAULT ''
);
";

pub(crate) const SCHEMA_V4: &str = "
CREATE TABLE control_numbers (
    invoice_id  INTEGER PRIMARY KEY REFERENCES invoices (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    description TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX control_numbers_customer ON control_numbers (customer_id, invoice_id);
";

/// A customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerRow {
    pub id: i64,
    pub name: String,
    /// Normalised `2547XXXXXXXX` when given.
    pub phone: Option<String>,
    pub email: Option<String>,
}

const SELECT: &str = "SELECT id, name, phone, email FROM customers";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CustomerRow> {
    Ok(CustomerRow {
        id: r.get(0)?,
        name: r.get(1)?,
        phone: r.get(2)?,
        email: r.get(3)?,
    })
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<CustomerRow> {
    conn.prepare_cached(&format!("{SELECT} WHERE id = ?1"))?
        .query_row([id], row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "customer",
            id: id.to_string(),
        })
}

pub(crate) fn insert(
    conn: &Connection,
    name: &str,
    phone: Option<&str>,
    email: Option<&str>,
    now: Timestamp,
) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO customers (name, phone, email, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?4) RETURNING id",
        )?
        .query_row(params![name, phone, email, now.0], |r| r.get(0))?)
}

pub(crate) fn update(
    conn: &Connection,
    id: i64,
    name: &str,
    phone: Option<&str>,
    email: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    get(conn, id)?;
    conn.prepare_cached(
        "UPDATE customers SET name = ?2, phone = ?3, email = ?4, updated_at = ?5 WHERE id = ?1",
    )?
    .execute(params![id, name, phone, email, now.0])?;
    Ok(())
}

/// Customers whose name contains `query` (or whose phone contains its digits), by name.
pub(crate) fn list(conn: &Connection, query: &str, limit: i64) -> Result<Vec<CustomerRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE name LIKE '%' || ?1 || '%' OR COALESCE(phone, '') LIKE '%' || ?1 || '%'
         OR COALESCE(email, '') LIKE '%' || ?1 || '%' ORDER BY name COLLATE NOCASE, id LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![query, limit], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A customer by phone, else by exact name (case-insensitive).
pub(crate) fn find(
    conn: &Connection,
    phone: Option<&str>,
    name: &str,
) -> Result<Option<CustomerRow>> {
    if let Some(phone) = phone {
        let found = conn
            .prepare_cached(&format!("{SELECT} WHERE phone = ?1 ORDER BY id LIMIT 1"))?
            .query_row([phone], row)
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(conn
        .prepare_cached(&format!(
            "{SELECT} WHERE name = ?1 COLLATE NOCASE ORDER BY id LIMIT 1"
        ))?
        .query_row([name], row)
        .optional()?)
}

pub(crate) fn set_invoice(
    conn: &Connection,
    invoice_id: i64,
    customer_id: Option<i64>,
    note: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO invoice_customers (invoice_id, customer_id, note) VALUES (?1, ?2, ?3)
         ON CONFLICT (invoice_id) DO UPDATE SET customer_id = excluded.customer_id, note = excluded.note",
    )?
    .execute(params![invoice_id, customer_id, note])?;
    Ok(())
}

pub(crate) fn of_invoice(conn: &Connection, invoice_id: i64) -> Result<(Option<i64>, String)> {
    Ok(conn
        .prepare_cached("SELECT customer_id, note FROM invoice_customers WHERE invoice_id = ?1")?
        .query_row([invoice_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((None, String::new())))
}

pub(crate) fn control_number_add(
    conn: &Connection,
    invoice_id: i64,
    customer_id: i64,
    description: &str,
    now: Timestamp,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO control_numbers (invoice_id, customer_id, description, created_at)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![invoice_id, customer_id, description, now.0])?;
    Ok(())
}

/// A customer's control-number invoices: (invoice id, description, created), oldest first.
pub(crate) fn control_numbers_of(
    conn: &Connection,
    customer_id: i64,
) -> Result<Vec<(i64, String, Timestamp)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT invoice_id, description, created_at FROM control_numbers
         WHERE customer_id = ?1 ORDER BY invoice_id",
    )?;
    let rows = stmt.query_map([customer_id], |r| {
        Ok((r.get(0)?, r.get(1)?, Timestamp(r.get(2)?)))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Whether an invoice is a customer's control-number bill.
pub(crate) fn is_control_number(conn: &Connection, invoice_id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM control_numbers WHERE invoice_id = ?1)")?
        .query_row([invoice_id], |r| r.get(0))?)
}
