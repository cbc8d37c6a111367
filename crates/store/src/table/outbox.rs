//! `receipt_outbox`: receipts waiting to be emailed or texted to customers, with their
//! delivery attempts. Rows survive restarts and stay visible: `pending` until a sender takes
//! them, `sent` once the provider accepted them, `failed_permanently` after the last attempt
//! (kept with its error, and re-queueable by hand). Only the recipient and the message text
//! live here: the SMTP password and the SMS API key stay in the vault.
//!
//! A sender claims due rows ([`crate::Store::outbox_claim`]) by moving their
//! `next_attempt_at` past a lease, so two drainers never send the same row at once; a drainer
//! that dies mid-send leaves the row to be retried when the lease runs out.

use malipo_core::Timestamp;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

use crate::error::{Result, StoreError};

pub(crate) const SCHEMA_V2: &str = "
CREATE TABLE receipt_outbox (
    id              INTEGER PRIMARY KEY,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient       TEXT NOT NULL,
    subject         TEXT,
    body            TEXT NOT NULL,
    sale_id         INTEGER,
    payment_id      INTEGER,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'failed_permanently')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    provider_ref    TEXT
);
CREATE INDEX receipt_outbox_due ON receipt_outbox (status, next_attempt_at);
CREATE UNIQUE INDEX receipt_outbox_once ON receipt_outbox (payment_id, channel, recipient)
    WHERE payment_id IS NOT NULL;
";

/// How a receipt travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxChannel {
    Email,
    Sms,
}

impl OutboxChannel {
    /// Database code.
    pub const fn code(self) -> &'static str {
        match self {
            OutboxChannel::Email => "email",
            OutboxChannel::Sms => "sms",
        }
    }

    fn from_code(code: &str) -> Result<OutboxChannel> {
        match code {
            "email" => Ok(OutboxChannel::Email),
            "sms" => Ok(OutboxChannel::Sms),
            other => Err(crate::error::corrupt("outbox channel", other)),
        }
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    /// Waiting for its first or next attempt.
    Pending,
    /// The mail server or SMS gateway accepted it.
    Sent,
    /// Every attempt failed (or the failure cannot be retried); kept with its last error.
    FailedPermanently,
}

impl OutboxStatus {
    /// Database code.
    pub const fn code(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::FailedPermanently => "failed_permanently",
        }
    }

    fn from_code(code: &str) -> Result<OutboxStatus> {
        match code {
            "pending" => Ok(OutboxStatus::Pending),
            "sent" => Ok(OutboxStatus::Sent),
            "failed_permanently" => Ok(OutboxStatus::FailedPermanently),
            other => Err(crate::error::corrupt("outbox status", other)),
        }
    }
}

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewOutboxMessage<'a> {
    pub channel: OutboxChannel,
    /// An email address or a phone number in international form (`+254712345678`).
    pub recipient: &'a str,
    /// Email subject; `None` for SMS.
    pub subject: Option<&'a str>,
    pub body: &'a str,
    pub sale_id: Option<i64>,
    /// The payment the receipt is for: one receipt per (payment, channel, recipient).
    pub payment_id: Option<i64>,
}

/// A queued, sent or failed message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxMessage {
    pub id: i64,
    pub channel: OutboxChannel,
    pub recipient: String,
    pub subject: Option<String>,
    pub body: String,
    pub sale_id: Option<i64>,
    pub payment_id: Option<i64>,
    pub status: OutboxStatus,
    /// Attempts made so far (successful or not).
    pub attempts: i64,
    pub last_error: Option<String>,
    pub next_attempt_at: Timestamp,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    /// The provider's id for the delivery (SMS message id, SMTP queue answer).
    pub provider_ref: Option<String>,
}

const COLUMNS: &str =
    "id, channel, recipient, subject, body, sale_id, payment_id, status, attempts,
    last_error, next_attempt_at, created_at, sent_at, provider_ref";

fn read(r: &Row<'_>) -> rusqlite::Result<(OutboxMessage, String, String)> {
    let channel: String = r.get(1)?;
    let status: String = r.get(7)?;
    Ok((
        OutboxMessage {
            id: r.get(0)?,
            channel: OutboxChannel::Email,
            recipient: r.get(2)?,
            subject: r.get(3)?,
            body: r.get(4)?,
            sale_id: r.get(5)?,
            payment_id: r.get(6)?,
            status: OutboxStatus::Pending,
            attempts: r.get(8)?,
            last_error: r.get(9)?,
            next_attempt_at: Timestamp(r.get(10)?),
            created_at: Timestamp(r.get(11)?),
            sent_at: r.get::<_, Option<i64>>(12)?.map(Timestamp),
            provider_ref: r.get(13)?,
        },
        channel,
        status,
    ))
}

fn finish(raw: (OutboxMessage, String, String)) -> Result<OutboxMessage> {
    let (mut m, channel, status) = raw;
    m.channel = OutboxChannel::from_code(&channel)?;
    m.status = OutboxStatus::from_code(&status)?;
    Ok(m)
}

fn query(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<Vec<OutboxMessage>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let raw = stmt
        .query_map(args, read)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    raw.into_iter().map(finish).collect()
}

/// Queues a message, due at once. A receipt already queued for the same payment, channel and
/// recipient is not queued twice. Returns (id, new?).
pub(crate) fn enqueue(
    conn: &Connection,
    m: &NewOutboxMessage<'_>,
    now: Timestamp,
) -> Result<(i64, bool)> {
    if let Some(payment_id) = m.payment_id {
        let existing: Option<i64> = conn
            .prepare_cached(
                "SELECT id FROM receipt_outbox
                 WHERE payment_id = ?1 AND channel = ?2 AND recipient = ?3",
            )?
            .query_row(params![payment_id, m.channel.code(), m.recipient], |r| {
                r.get(0)
            })
            .optional()?;
        if let Some(id) = existing {
            return Ok((id, false));
        }
    }
    let id = conn
        .prepare_cached(
            "INSERT INTO receipt_outbox
               (channel, recipient, subject, body, sale_id, payment_id, next_attempt_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id",
        )?
        .query_row(
            params![
                m.channel.code(),
                m.recipient,
                m.subject,
                m.body,
                m.sale_id,
                m.payment_id,
                now.0
            ],
            |r| r.get(0),
        )?;
    Ok((id, true))
}

/// Pending messages due at `now`, oldest due first.
pub(crate) fn due(conn: &Connection, now: Timestamp, limit: i64) -> Result<Vec<OutboxMessage>> {
    query(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM receipt_outbox
             WHERE status = 'pending' AND next_attempt_at <= ?1
             ORDER BY next_attempt_at, id LIMIT ?2"
        ),
        params![now.0, limit],
    )
}

/// Takes the due messages for sending: their next attempt moves to `lease_until`, so no other
/// drainer takes them meanwhile. Returns them as they were before the claim.
pub(crate) fn claim(
    conn: &Connection,
    now: Timestamp,
    lease_until: Timestamp,
    limit: i64,
) -> Result<Vec<OutboxMessage>> {
    let rows = due(conn, now, limit)?;
    let mut stmt = conn.prepare_cached(
        "UPDATE receipt_outbox SET next_attempt_at = ?2 WHERE id = ?1 AND status = 'pending'",
    )?;
    for m in &rows {
        stmt.execute(params![m.id, lease_until.0])?;
    }
    Ok(rows)
}

fn changed(n: usize, id: i64) -> Result<()> {
    if n == 0 {
        return Err(StoreError::NotFound {
            what: "pending outbox message",
            id: id.to_string(),
        });
    }
    Ok(())
}

pub(crate) fn mark_sent(
    conn: &Connection,
    id: i64,
    provider_ref: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    let n = conn
        .prepare_cached(
            "UPDATE receipt_outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?2,
                 provider_ref = ?3, last_error = NULL
             WHERE id = ?1 AND status = 'pending'",
        )?
        .execute(params![id, now.0, provider_ref])?;
    changed(n, id)
}

pub(crate) fn mark_failed(
    conn: &Connection,
    id: i64,
    error: &str,
    next_attempt_at: Option<Timestamp>,
) -> Result<()> {
    let n = match next_attempt_at {
        Some(at) => conn
            .prepare_cached(
                "UPDATE receipt_outbox SET attempts = attempts + 1, last_error = ?2,
                     next_attempt_at = ?3
                 WHERE id = ?1 AND status = 'pending'",
            )?
            .execute(params![id, error, at.0])?,
        None => conn
            .prepare_cached(
                "UPDATE receipt_outbox SET attempts = attempts + 1, last_error = ?2,
                     status = 'failed_permanently'
                 WHERE id = ?1 AND status = 'pending'",
            )?
            .execute(params![id, error])?,
    };
    changed(n, id)
}

pub(crate) fn requeue(conn: &Connection, id: i64, now: Timestamp) -> Result<()> {
    let n = conn
        .prepare_cached(
            "UPDATE receipt_outbox SET status = 'pending', next_attempt_at = ?2
             WHERE id = ?1 AND status = 'failed_permanently'",
        )?
        .execute(params![id, now.0])?;
    if n == 0 {
        return Err(StoreError::Refused(format!(
            "outbox message {id} is not a failed message that can be sent again"
        )));
    }
    Ok(())
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<OutboxMessage> {
    query(
        conn,
        &format!("SELECT {COLUMNS} FROM receipt_outbox WHERE id = ?1"),
        params![id],
    )?
    .pop()
    .ok_or(StoreError::NotFound {
        what: "outbox message",
        id: id.to_string(),
    })
}

pub(crate) fn list(
    conn: &Connection,
    status: Option<OutboxStatus>,
    limit: i64,
) -> Result<Vec<OutboxMessage>> {
    query(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM receipt_outbox
             WHERE (?1 IS NULL OR status = ?1) ORDER BY id DESC LIMIT ?2"
        ),
        params![status.map(OutboxStatus::code), limit],
    )
}

impl crate::Store {
    /// Queues a receipt to email or text (due now). The same payment, channel and recipient
    /// are queued once; returns (id, new?).
    pub fn outbox_enqueue(
        &mut self,
        message: &NewOutboxMessage<'_>,
        now: Timestamp,
    ) -> Result<(i64, bool)> {
        self.write(|tx| enqueue(tx, message, now))
    }

    /// Pending messages due at `now`, oldest due first (read only).
    pub fn outbox_due(&self, now: Timestamp, limit: i64) -> Result<Vec<OutboxMessage>> {
        due(&self.conn, now, limit)
    }

    /// Claims up to `limit` due messages for sending until `lease_until` (see the module
    /// docs), in one transaction.
    pub fn outbox_claim(
        &mut self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>> {
        self.write(|tx| claim(tx, now, lease_until, limit))
    }

    /// The provider accepted a pending message.
    pub fn outbox_mark_sent(
        &mut self,
        id: i64,
        provider_ref: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        self.write(|tx| mark_sent(tx, id, provider_ref, now))
    }

    /// An attempt failed with `error` (never a secret): retried at `next_attempt_at`, or,
    /// when `None`, given up (`failed_permanently`, still listed).
    pub fn outbox_mark_failed(
        &mut self,
        id: i64,
        error: &str,
        next_attempt_at: Option<Timestamp>,
    ) -> Result<()> {
        self.write(|tx| mark_failed(tx, id, error, next_attempt_at))
    }

    /// Sends a permanently failed message again (a manager's "retry"), due at `now`.
    pub fn outbox_requeue(&mut self, id: i64, now: Timestamp) -> Result<()> {
        self.write(|tx| requeue(tx, id, now))
    }

    /// One message.
    pub fn outbox_get(&self, id: i64) -> Result<OutboxMessage> {
        get(&self.conn, id)
    }

    /// Messages, optionally of one status, newest first.
    pub fn outbox_list(
        &self,
        status: Option<OutboxStatus>,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>> {
        list(&self.conn, status, limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    const T0: Timestamp = Timestamp(1_795_588_860_000);

    fn sms<'a>(to: &'a str, payment: Option<i64>) -> NewOutboxMessage<'a> {
        NewOutboxMessage {
            channel: OutboxChannel::Sms,
            recipient: to,
            subject: None,
            body: "Duka la Mama: Sale T1-000001 Paid KES 100.00 CASH",
            sale_id: Some(1),
            payment_id: payment,
        }
    }

    #[test]
    fn a_payment_s_receipt_is_queued_once_per_channel_and_recipient() {
        let mut store = Store::open_in_memory().unwrap();
        let (a, new_a) = store
            .outbox_enqueue(&sms("+254712345678", Some(5)), T0)
            .unwrap();
        let (b, new_b) = store
            .outbox_enqueue(&sms("+254712345678", Some(5)), T0)
            .unwrap();
        assert!(new_a && !new_b);
        assert_eq!(a, b);
        let (c, _) = store
            .outbox_enqueue(&sms("+254712345679", Some(5)), T0)
            .unwrap();
        let (d, _) = store
            .outbox_enqueue(&sms("+254712345678", None), T0)
            .unwrap();
        let (e, _) = store
            .outbox_enqueue(&sms("+254712345678", None), T0)
            .unwrap();
        assert_eq!(store.outbox_list(None, 10).unwrap().len(), 4);
        assert!(c != a && d != e, "without a payment nothing is merged");
        let m = store.outbox_get(a).unwrap();
        assert_eq!(
            (m.status, m.attempts, m.next_attempt_at, m.created_at),
            (OutboxStatus::Pending, 0, T0, T0)
        );
    }

    #[test]
    fn a_claim_leases_rows_and_outcomes_are_recorded() {
        let mut store = Store::open_in_memory().unwrap();
        let (a, _) = store
            .outbox_enqueue(&sms("+254700000001", Some(1)), T0)
            .unwrap();
        let (b, _) = store
            .outbox_enqueue(&sms("+254700000002", Some(2)), T0.plus_ms(5))
            .unwrap();
        assert_eq!(
            store.outbox_due(T0, 10).unwrap().len(),
            1,
            "b is not due yet"
        );
        let claimed = store
            .outbox_claim(T0.plus_ms(10), T0.plus_ms(60_000), 10)
            .unwrap();
        assert_eq!(claimed.iter().map(|m| m.id).collect::<Vec<_>>(), vec![a, b]);
        assert!(
            store
                .outbox_claim(T0.plus_ms(20), T0.plus_ms(90_000), 10)
                .unwrap()
                .is_empty(),
            "a second drainer gets nothing while the lease runs"
        );
        store
            .outbox_mark_sent(a, Some("ATXid_1"), T0.plus_ms(30))
            .unwrap();
        store
            .outbox_mark_failed(b, "HTTP 500", Some(T0.plus_ms(30_000)))
            .unwrap();
        let a_row = store.outbox_get(a).unwrap();
        assert_eq!((a_row.status, a_row.attempts), (OutboxStatus::Sent, 1));
        assert_eq!(a_row.provider_ref.as_deref(), Some("ATXid_1"));
        assert!(
            store.outbox_mark_sent(a, None, T0).is_err(),
            "only a pending row"
        );
        let b_row = store.outbox_get(b).unwrap();
        assert_eq!(b_row.next_attempt_at, T0.plus_ms(30_000));
        assert_eq!(b_row.last_error.as_deref(), Some("HTTP 500"));
        store
            .outbox_mark_failed(b, "InvalidPhoneNumber", None)
            .unwrap();
        let b_row = store.outbox_get(b).unwrap();
        assert_eq!(
            (b_row.status, b_row.attempts),
            (OutboxStatus::FailedPermanently, 2)
        );
        assert!(
            store.outbox_requeue(a, T0).is_err(),
            "a sent row is not re-sent"
        );
        store.outbox_requeue(b, T0.plus_ms(40)).unwrap();
        assert_eq!(store.outbox_due(T0.plus_ms(40), 10).unwrap()[0].id, b);
        let listed = store.outbox_list(Some(OutboxStatus::Sent), 10).unwrap();
        assert_eq!(listed.len(), 1);
        assert!(matches!(
            store.outbox_get(999),
            Err(StoreError::NotFound { .. })
        ));
    }
}
