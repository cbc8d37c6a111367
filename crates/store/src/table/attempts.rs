//! `payment_attempts`: every charge the till raised (STK push, QR, card, control number),
//! written before the provider is called, with its state machine checked on every change.

use malipo_core::{
    check_transition, normalise_reference, AttemptState, Money, PaymentMethod, Phone, TargetRef,
    Timestamp, TransitionKind,
};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

use crate::error::{corrupt, Result, StoreError};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE payment_attempts (
    id                INTEGER PRIMARY KEY,
    method            TEXT NOT NULL,
    provider          TEXT NOT NULL,
    target_kind       TEXT NOT NULL CHECK (target_kind IN ('sale', 'invoice')),
    target_id         INTEGER NOT NULL,
    amount_minor      INTEGER NOT NULL CHECK (amount_minor > 0),
    currency          TEXT NOT NULL,
    phone             TEXT,
    account_reference TEXT,
    reference_norm    TEXT,
    provider_ref      TEXT,
    state             TEXT NOT NULL,
    late              INTEGER NOT NULL DEFAULT 0,
    reason            TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    UNIQUE (provider, provider_ref)
);
CREATE INDEX payment_attempts_target ON payment_attempts (target_kind, target_id);
CREATE INDEX payment_attempts_pending ON payment_attempts (state, created_at) WHERE state = 'pending';
";

/// Migration 5: the manager's transactions list reads attempts newest first within a date
/// range (and counts them), which needs them in time order.
pub(crate) const SCHEMA_V5: &str = "
CREATE INDEX payment_attempts_created ON payment_attempts (created_at, id);
";

/// Migration 7: `paid` says whether a payment confirmed the attempt, kept by triggers on
/// `payments`. The manager's list shows every attempt that brought no money (pending, failed,
/// cancelled, timed out, expired); finding them by looking each attempt's payment up cost a
/// year's search 50 ms, and the partial index holds only those attempts, with every column
/// their totals and text conditions read (a year's text search read each row: 20 ms → 11 ms).
pub(crate) const SCHEMA_V7: &str = "
ALTER TABLE payment_attempts ADD COLUMN paid INTEGER NOT NULL DEFAULT 0;
UPDATE payment_attempts SET paid = 1
 WHERE id IN (SELECT attempt_id FROM payments WHERE attempt_id IS NOT NULL);
CREATE TRIGGER payment_attempts_paid AFTER INSERT ON payments WHEN NEW.attempt_id IS NOT NULL
BEGIN UPDATE payment_attempts SET paid = 1 WHERE id = NEW.attempt_id; END;
CREATE TRIGGER payment_attempts_paid_later AFTER UPDATE OF attempt_id ON payments
WHEN NEW.attempt_id IS NOT NULL
BEGIN UPDATE payment_attempts SET paid = 1 WHERE id = NEW.attempt_id; END;
CREATE INDEX payment_attempts_moneyless
    ON payment_attempts (created_at, id, state, method, provider, amount_minor, provider_ref,
                         account_reference, phone) WHERE paid = 0;
";

/// `Store::check`'s invariant for `paid`.
pub(crate) const INVARIANTS: &[(&str, &str)] = &[(
    "an attempt's paid mark disagrees with its payment",
    "SELECT COUNT(*) FROM payment_attempts a
     WHERE a.paid != EXISTS (SELECT 1 FROM payments p WHERE p.attempt_id = a.id)",
)];

/// What the till is about to ask a provider for.
#[derive(Debug, Clone)]
pub struct NewAttempt {
    pub method: PaymentMethod,
    pub target: TargetRef,
    pub amount: Money,
    pub phone: Option<Phone>,
    /// The account reference sent with it (the sale or invoice number).
    pub account_reference: Option<String>,
    /// Known up front for our own references (Paystack); else set after the provider answers.
    pub provider_ref: Option<String>,
}

/// A stored attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttemptRow {
    pub id: i64,
    pub method: PaymentMethod,
    pub target: TargetRef,
    pub amount: Money,
    pub phone: Option<String>,
    pub account_reference: Option<String>,
    pub provider_ref: Option<String>,
    pub state: AttemptState,
    /// Succeeded after the till had given up on it.
    pub late: bool,
    pub reason: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

pub(crate) fn create(conn: &Connection, new: &NewAttempt, now: Timestamp) -> Result<AttemptRow> {
    if !new.amount.is_positive() {
        return Err(StoreError::Refused(
            "a payment request must be for more than zero".into(),
        ));
    }
    let id: i64 = conn
        .prepare_cached(
            "INSERT INTO payment_attempts (method, provider, target_kind, target_id, amount_minor, currency, phone,
               account_reference, reference_norm, provider_ref, state, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'pending', ?11, ?11) RETURNING id",
        )?
        .query_row(
            params![
                new.method.code(),
                new.method.provider().code(),
                new.target.kind(),
                new.target.id(),
                new.amount.minor,
                new.amount.currency.code(),
                new.phone.as_ref().map(|p| p.as_str().to_string()),
                new.account_reference,
                new.account_reference.as_deref().map(normalise_reference),
                new.provider_ref,
                now.0
            ],
            |r| r.get(0),
        )?;
    get(conn, id)
}

const COLUMNS: &str =
    "id, method, target_kind, target_id, amount_minor, currency, phone, account_reference,
    provider_ref, state, late, reason, created_at, updated_at";

type RawAttempt = (
    i64,
    String,
    String,
    i64,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    bool,
    Option<String>,
    i64,
    i64,
);

fn raw(r: &Row<'_>) -> rusqlite::Result<RawAttempt> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
        r.get(13)?,
    ))
}

fn finish(a: RawAttempt) -> Result<AttemptRow> {
    let (
        id,
        method,
        kind,
        tid,
        minor,
        cur,
        phone,
        account_reference,
        provider_ref,
        state,
        late,
        reason,
        c,
        u,
    ) = a;
    Ok(AttemptRow {
        id,
        method: PaymentMethod::from_code(&method)
            .ok_or_else(|| corrupt("attempt method", &method))?,
        target: TargetRef::from_parts(&kind, tid)
            .ok_or_else(|| corrupt("attempt target", &kind))?,
        amount: Money::from_minor(
            minor,
            cur.parse().map_err(|e| corrupt("attempt currency", e))?,
        ),
        phone,
        account_reference,
        provider_ref,
        state: AttemptState::from_code(&state).ok_or_else(|| corrupt("attempt state", &state))?,
        late,
        reason,
        created_at: Timestamp(c),
        updated_at: Timestamp(u),
    })
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<AttemptRow> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM payment_attempts WHERE id = ?1"
    ))?
    .query_row([id], raw)
    .optional()?
    .map(finish)
    .transpose()?
    .ok_or_else(|| StoreError::NotFound {
        what: "payment attempt",
        id: id.to_string(),
    })
}

/// The attempt a provider reference names (CheckoutRequestID, Paystack reference, QR ref).
pub(crate) fn by_provider_ref(
    conn: &Connection,
    provider: &str,
    provider_ref: &str,
) -> Result<Option<AttemptRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM payment_attempts WHERE provider = ?1 AND provider_ref = ?2"
    ))?
    .query_row(params![provider, provider_ref], raw)
    .optional()?
    .map(finish)
    .transpose()
}

/// Attempts still pending, oldest first (the resolver's work list).
pub(crate) fn pending(conn: &Connection, created_before: Timestamp) -> Result<Vec<AttemptRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM payment_attempts WHERE state = 'pending' AND created_at < ?1 ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map([created_before.0], raw)?;
    rows.map(|r| finish(r?)).collect()
}

pub(crate) fn set_provider_ref(
    conn: &Connection,
    id: i64,
    provider_ref: &str,
    now: Timestamp,
) -> Result<()> {
    let n = conn
        .prepare_cached("UPDATE payment_attempts SET provider_ref = ?2, updated_at = ?3 WHERE id = ?1 AND provider_ref IS NULL")?
        .execute(params![id, provider_ref, now.0])?;
    if n == 0 {
        return Err(StoreError::Refused(
            "the attempt already has a provider reference".into(),
        ));
    }
    Ok(())
}

/// Moves an attempt to `to`, checked by the state machine; the reason is kept for failures.
pub(crate) fn transition(
    conn: &Connection,
    id: i64,
    to: AttemptState,
    reason: Option<&str>,
    now: Timestamp,
) -> Result<TransitionKind> {
    let current = get(conn, id)?;
    let kind =
        check_transition(current.state, to).map_err(|e| StoreError::Refused(e.to_string()))?;
    match kind {
        TransitionKind::Unchanged => {}
        TransitionKind::Changed | TransitionKind::LateSuccess => {
            conn.prepare_cached(
                "UPDATE payment_attempts SET state = ?2, late = ?3, reason = COALESCE(?4, reason), updated_at = ?5 WHERE id = ?1",
            )?
            .execute(params![id, to.code(), kind == TransitionKind::LateSuccess, reason, now.0])?;
        }
    }
    Ok(kind)
}
