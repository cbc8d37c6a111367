//! `invoices`: drafts, issued invoices with a gap-free number (the Paybill account reference a
//! customer types), their payment mode, and voids.

use malipo_core::{
    invoice_number, normalise_reference, InvoiceDraft, InvoiceStatus, Money, Timestamp,
};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::error::{corrupt, Result, StoreError};
use crate::table::sequences;

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE invoices (
    id             INTEGER PRIMARY KEY,
    number         TEXT UNIQUE,
    number_norm    TEXT,
    customer_name  TEXT NOT NULL,
    customer_phone TEXT,
    customer_email TEXT,
    currency       TEXT NOT NULL,
    total_minor    INTEGER NOT NULL CHECK (total_minor >= 0),
    due_date       TEXT NOT NULL,
    payment_mode   TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('draft', 'issued', 'void')),
    body           TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    CHECK ((status = 'draft') = (number IS NULL))
);
CREATE INDEX invoices_number_norm ON invoices (number_norm);
";

/// A stored invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceRow {
    pub id: i64,
    /// `None` while a draft.
    pub number: Option<String>,
    pub status: InvoiceStatus,
    pub total: Money,
    pub draft: InvoiceDraft,
    pub created_at: Timestamp,
}

pub(crate) fn create_draft(conn: &Connection, draft: &InvoiceDraft, now: Timestamp) -> Result<i64> {
    let body = serde_json::to_string(draft).map_err(|e| corrupt("invoice", e))?;
    Ok(conn
        .prepare_cached(
            "INSERT INTO invoices (customer_name, customer_phone, customer_email, currency, total_minor, due_date,
               payment_mode, status, body, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'draft', ?8, ?9, ?9) RETURNING id",
        )?
        .query_row(
            params![
                draft.customer.name,
                draft.customer.phone.as_ref().map(|p| p.as_str().to_string()),
                draft.customer.email,
                draft.currency.code(),
                draft.total.minor,
                draft.due_date,
                draft.payment_mode.code(),
                body,
                now.0
            ],
            |r| r.get(0),
        )?)
}

pub(crate) fn issue(conn: &Connection, id: i64, now: Timestamp) -> Result<String> {
    let inv = get(conn, id)?;
    if inv.status != InvoiceStatus::Draft {
        return Err(StoreError::Refused(format!(
            "the invoice is already {}",
            inv.status.code()
        )));
    }
    let number = invoice_number(sequences::next(conn, "invoice")?);
    conn.prepare_cached(
        "UPDATE invoices SET number = ?2, number_norm = ?3, status = 'issued', updated_at = ?4 WHERE id = ?1",
    )?
    .execute(params![id, number, normalise_reference(&number), now.0])?;
    Ok(number)
}

pub(crate) fn void(conn: &Connection, id: i64, now: Timestamp) -> Result<InvoiceStatus> {
    let inv = get(conn, id)?;
    if inv.status == InvoiceStatus::Void {
        return Err(StoreError::Refused("the invoice is already void".into()));
    }
    conn.prepare_cached("UPDATE invoices SET status = 'void', updated_at = ?2 WHERE id = ?1")?
        .execute(params![id, now.0])?;
    Ok(inv.status)
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<InvoiceRow> {
    let row: Option<(Option<String>, String, String, i64)> = conn
        .prepare_cached("SELECT number, status, body, created_at FROM invoices WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let (number, status, body, created) = row.ok_or_else(|| StoreError::NotFound {
        what: "invoice",
        id: id.to_string(),
    })?;
    let draft: InvoiceDraft = serde_json::from_str(&body).map_err(|e| corrupt("invoice", e))?;
    Ok(InvoiceRow {
        id,
        number,
        status: InvoiceStatus::from_code(&status)
            .ok_or_else(|| corrupt("invoice status", &status))?,
        total: draft.total,
        draft,
        created_at: Timestamp(created),
    })
}
