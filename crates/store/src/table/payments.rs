//! `payments`: the payments ledger — one row per confirmed amount of money, whatever the
//! method. `UNIQUE (provider, provider_txn_id)` makes posting idempotent; an attempt confirms at
//! most one payment (`UNIQUE attempt_id`). Rows are only ever inserted, except two documented
//! updates: filling in the receipt number of a payment first confirmed without one (STK query),
//! and the status after a refund or reversal completes.
//!
//! `payment_rollup` keeps counts and sums per hour and per day × method × provider × status ×
//! currency, maintained by triggers in the same transaction, so dashboard totals over a year of
//! payments read a few thousand rows instead of a million.

use malipo_core::{Money, PaymentMethod, Provider, Timestamp};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

use crate::error::{corrupt, Result};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE payments (
    id                INTEGER PRIMARY KEY,
    method            TEXT NOT NULL,
    provider          TEXT NOT NULL,
    provider_txn_id   TEXT,
    attempt_id        INTEGER UNIQUE REFERENCES payment_attempts (id),
    amount_minor      INTEGER NOT NULL CHECK (amount_minor > 0),
    currency          TEXT NOT NULL,
    payer_phone       TEXT,
    payer_name        TEXT,
    payer_ref         TEXT,
    account_reference TEXT,
    status            TEXT NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'reversed', 'refunded')),
    inbox_id          INTEGER REFERENCES provider_inbox (id),
    received_at       INTEGER NOT NULL,
    posted_at         INTEGER NOT NULL,
    UNIQUE (provider, provider_txn_id)
);
CREATE INDEX payments_received ON payments (received_at, id);
CREATE INDEX payments_method_received ON payments (method, received_at);

CREATE TABLE payment_rollup (
    level        TEXT NOT NULL CHECK (level IN ('hour', 'day')),
    bucket       INTEGER NOT NULL,
    method       TEXT NOT NULL,
    provider     TEXT NOT NULL,
    status       TEXT NOT NULL,
    currency     TEXT NOT NULL,
    count        INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL,
    PRIMARY KEY (level, bucket, method, provider, status, currency)
) WITHOUT ROWID;

CREATE TRIGGER payments_rollup_insert AFTER INSERT ON payments
BEGIN
    INSERT INTO payment_rollup (level, bucket, method, provider, status, currency, count, amount_minor)
    VALUES ('hour', NEW.received_at / 3600000, NEW.method, NEW.provider, NEW.status, NEW.currency, 1, NEW.amount_minor),
           ('day', NEW.received_at / 86400000, NEW.method, NEW.provider, NEW.status, NEW.currency, 1, NEW.amount_minor)
    ON CONFLICT DO UPDATE SET count = count + 1, amount_minor = amount_minor + excluded.amount_minor;
END;
CREATE TRIGGER payments_rollup_status AFTER UPDATE OF status ON payments WHEN OLD.status != NEW.status
BEGIN
    UPDATE payment_rollup SET count = count - 1, amount_minor = amount_minor - OLD.amount_minor
    WHERE ((level = 'hour' AND bucket = OLD.received_at / 3600000) OR (level = 'day' AND bucket = OLD.received_at / 86400000))
      AND method = OLD.method AND provider = OLD.provider AND status = OLD.status AND currency = OLD.currency;
    INSERT INTO payment_rollup (level, bucket, method, provider, status, currency, count, amount_minor)
    VALUES ('hour', NEW.received_at / 3600000, NEW.method, NEW.provider, NEW.status, NEW.currency, 1, NEW.amount_minor),
           ('day', NEW.received_at / 86400000, NEW.method, NEW.provider, NEW.status, NEW.currency, 1, NEW.amount_minor)
    ON CONFLICT DO UPDATE SET count = count + 1, amount_minor = amount_minor + excluded.amount_minor;
END;
CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments
BEGIN SELECT RAISE(ABORT, 'payments are never deleted; record a refund or reversal'); END;
CREATE TRIGGER payments_fixed_facts BEFORE UPDATE OF amount_minor, currency, method, provider, received_at ON payments
BEGIN SELECT RAISE(ABORT, 'a payment''s amount, method and time never change'); END;
";

/// Where a payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Received,
    /// Reversed in full through M-Pesa.
    Reversed,
    /// Refunded in full (card).
    Refunded,
}

impl PaymentStatus {
    /// Every status.
    pub const ALL: [PaymentStatus; 3] = [
        PaymentStatus::Received,
        PaymentStatus::Reversed,
        PaymentStatus::Refunded,
    ];

    /// Database code.
    pub const fn code(self) -> &'static str {
        match self {
            PaymentStatus::Received => "received",
            PaymentStatus::Reversed => "reversed",
            PaymentStatus::Refunded => "refunded",
        }
    }

    /// Reads [`PaymentStatus::code`] back.
    pub fn from_code(s: &str) -> Option<PaymentStatus> {
        PaymentStatus::ALL.into_iter().find(|p| p.code() == s)
    }
}

/// A ledger row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payment {
    pub id: i64,
    pub method: PaymentMethod,
    pub provider: Provider,
    /// M-Pesa receipt, Paystack reference, ClickPesa id, local cash id; `None` until known.
    pub provider_txn_id: Option<String>,
    pub attempt_id: Option<i64>,
    pub amount: Money,
    pub payer_phone: Option<String>,
    pub payer_name: Option<String>,
    /// The payer as the provider showed them (masked or hashed MSISDN, card last 4).
    pub payer_ref: Option<String>,
    pub account_reference: Option<String>,
    pub status: PaymentStatus,
    pub inbox_id: Option<i64>,
    pub received_at: Timestamp,
    pub posted_at: Timestamp,
}

pub(crate) const COLUMNS: &str =
    "id, method, provider, provider_txn_id, attempt_id, amount_minor, currency, payer_phone,
    payer_name, payer_ref, account_reference, status, inbox_id, received_at, posted_at";

/// Reads a row selected with [`COLUMNS`].
pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<Result<Payment>> {
    let method: String = r.get(1)?;
    let provider: String = r.get(2)?;
    let currency: String = r.get(6)?;
    let status: String = r.get(11)?;
    let build = || -> Result<Payment> {
        Ok(Payment {
            id: r.get(0)?,
            method: PaymentMethod::from_code(&method)
                .ok_or_else(|| corrupt("payment method", &method))?,
            provider: Provider::from_code(&provider)
                .ok_or_else(|| corrupt("payment provider", &provider))?,
            provider_txn_id: r.get(3)?,
            attempt_id: r.get(4)?,
            amount: Money::from_minor(
                r.get(5)?,
                currency
                    .parse()
                    .map_err(|e| corrupt("payment currency", e))?,
            ),
            payer_phone: r.get(7)?,
            payer_name: r.get(8)?,
            payer_ref: r.get(9)?,
            account_reference: r.get(10)?,
            status: PaymentStatus::from_code(&status)
                .ok_or_else(|| corrupt("payment status", &status))?,
            inbox_id: r.get(12)?,
            received_at: Timestamp(r.get(13)?),
            posted_at: Timestamp(r.get(14)?),
        })
    };
    Ok(build())
}

fn one(conn: &Connection, sql_where: &str, p: impl rusqlite::Params) -> Result<Option<Payment>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM payments WHERE {sql_where}"))?
        .query_row(p, from_row)
        .optional()?
        .transpose()
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<Payment>> {
    one(conn, "id = ?1", [id])
}

pub(crate) fn by_txn(conn: &Connection, provider: Provider, txn: &str) -> Result<Option<Payment>> {
    one(
        conn,
        "provider = ?1 AND provider_txn_id = ?2",
        params![provider.code(), txn],
    )
}

pub(crate) fn by_attempt(conn: &Connection, attempt_id: i64) -> Result<Option<Payment>> {
    one(conn, "attempt_id = ?1", [attempt_id])
}

/// A receipt-less M-Pesa payment (confirmed by STK query) that a C2B confirmation with a
/// receipt number may be the same money as: same amount and currency, its attempt's account
/// reference normalising to `reference_norm`, received within the last day.
pub(crate) fn receiptless_stk_twin(
    conn: &Connection,
    amount: Money,
    reference_norm: &str,
    since: Timestamp,
) -> Result<Option<Payment>> {
    one(
        conn,
        "provider = 'mpesa' AND provider_txn_id IS NULL AND amount_minor = ?1 AND currency = ?2 AND received_at >= ?4
         AND attempt_id IN (SELECT id FROM payment_attempts WHERE reference_norm = ?3) ORDER BY id LIMIT 1",
        params![amount.minor, amount.currency.code(), reference_norm, since.0],
    )
}

/// A C2B payment (receipt known, no attempt) of `amount` whose account reference normalises
/// to `reference_norm`, received since `since`: the same money as an STK attempt for that
/// reference that a status query (which gives no receipt) now reports paid.
pub(crate) fn c2b_twin_of_stk(
    conn: &Connection,
    amount: Money,
    reference_norm: &str,
    since: Timestamp,
) -> Result<Option<Payment>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM payments WHERE provider = 'mpesa' AND attempt_id IS NULL
         AND provider_txn_id IS NOT NULL AND account_reference IS NOT NULL
         AND amount_minor = ?1 AND currency = ?2 AND received_at >= ?3 ORDER BY id"
    ))?;
    let rows = stmt.query_map(
        params![amount.minor, amount.currency.code(), since.0],
        from_row,
    )?;
    for row in rows {
        let p = row??;
        let same = p
            .account_reference
            .as_deref()
            .map(malipo_core::normalise_reference)
            .is_some_and(|r| r == reference_norm);
        if same {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

/// The new ledger row's facts.
#[derive(Debug, Clone)]
pub(crate) struct NewPayment<'a> {
    pub method: PaymentMethod,
    pub txn: Option<&'a str>,
    pub attempt_id: Option<i64>,
    pub amount: Money,
    pub payer_phone: Option<&'a str>,
    pub payer_name: Option<&'a str>,
    pub payer_ref: Option<&'a str>,
    pub account_reference: Option<&'a str>,
    pub inbox_id: Option<i64>,
    pub received_at: Timestamp,
}

pub(crate) fn insert(conn: &Connection, p: &NewPayment<'_>, now: Timestamp) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO payments (method, provider, provider_txn_id, attempt_id, amount_minor, currency, payer_phone,
               payer_name, payer_ref, account_reference, inbox_id, received_at, posted_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) RETURNING id",
        )?
        .query_row(
            params![
                p.method.code(),
                p.method.provider().code(),
                p.txn,
                p.attempt_id,
                p.amount.minor,
                p.amount.currency.code(),
                p.payer_phone,
                p.payer_name,
                p.payer_ref,
                p.account_reference,
                p.inbox_id,
                p.received_at.0,
                now.0
            ],
            |r| r.get(0),
        )?)
}

/// Fills in the receipt number of a payment confirmed without one. Also links the attempt
/// when the payment did not know it yet.
pub(crate) fn enrich(
    conn: &Connection,
    id: i64,
    txn: Option<&str>,
    attempt_id: Option<i64>,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE payments SET provider_txn_id = COALESCE(provider_txn_id, ?2), attempt_id = COALESCE(attempt_id, ?3) WHERE id = ?1",
    )?
    .execute(params![id, txn, attempt_id])?;
    Ok(())
}

pub(crate) fn set_status(conn: &Connection, id: i64, status: PaymentStatus) -> Result<()> {
    conn.prepare_cached("UPDATE payments SET status = ?2 WHERE id = ?1")?
        .execute(params![id, status.code()])?;
    Ok(())
}
