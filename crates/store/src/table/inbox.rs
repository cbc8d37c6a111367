//! `provider_inbox`: every provider event exactly as received (headers and raw body bytes),
//! with the outcome of processing it. Nothing is dropped: an event that fails to parse stays
//! here with its error, to be shown and retried.

use malipo_core::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::error::Result;

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE provider_inbox (
    id           INTEGER PRIMARY KEY,
    provider     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    relay_seq    INTEGER UNIQUE,
    headers      TEXT NOT NULL,
    body         BLOB NOT NULL,
    received_at  INTEGER NOT NULL,
    outcome      TEXT NOT NULL DEFAULT 'pending',
    detail       TEXT,
    processed_at INTEGER
);
CREATE INDEX provider_inbox_outcome ON provider_inbox (outcome, id);
";

/// An event to store.
#[derive(Debug, Clone)]
pub struct NewInboxEvent<'a> {
    pub provider: &'a str,
    /// What the relay called it: `stk`, `c2b-confirm`, `paystack`, …
    pub kind: &'a str,
    /// The relay's per-shop sequence number; `None` for events imported by hand.
    pub relay_seq: Option<i64>,
    /// JSON object of the headers that matter (e.g. `x-paystack-signature`).
    pub headers_json: &'a str,
    pub body: &'a [u8],
    pub received_at: Timestamp,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InboxEvent {
    pub id: i64,
    pub provider: String,
    pub kind: String,
    pub relay_seq: Option<i64>,
    pub headers_json: String,
    pub body: Vec<u8>,
    pub received_at: Timestamp,
    pub outcome: String,
    pub detail: Option<String>,
}

/// Stores an event; a relay sequence number seen before is not stored twice. Returns the
/// event's id and whether it was new.
pub(crate) fn insert(conn: &Connection, e: &NewInboxEvent<'_>) -> Result<(i64, bool)> {
    if let Some(seq) = e.relay_seq {
        let existing: Option<i64> = conn
            .prepare_cached("SELECT id FROM provider_inbox WHERE relay_seq = ?1")?
            .query_row([seq], |r| r.get(0))
            .optional()?;
        if let Some(id) = existing {
            return Ok((id, false));
        }
    }
    let id = conn
        .prepare_cached(
            "INSERT INTO provider_inbox (provider, kind, relay_seq, headers, body, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
        )?
        .query_row(
            params![
                e.provider,
                e.kind,
                e.relay_seq,
                e.headers_json,
                e.body,
                e.received_at.0
            ],
            |r| r.get(0),
        )?;
    Ok((id, true))
}

pub(crate) fn set_outcome(
    conn: &Connection,
    id: i64,
    outcome: &str,
    detail: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE provider_inbox SET outcome = ?2, detail = ?3, processed_at = ?4 WHERE id = ?1",
    )?
    .execute(params![id, outcome, detail, now.0])?;
    Ok(())
}

pub(crate) fn list(
    conn: &Connection,
    outcome: Option<&str>,
    limit: i64,
) -> Result<Vec<InboxEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, provider, kind, relay_seq, headers, body, received_at, outcome, detail FROM provider_inbox
         WHERE (?1 IS NULL OR outcome = ?1) ORDER BY id LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![outcome, limit], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Events of one provider and kind with an id above `after`, received in `[from, to)`,
/// oldest first, at most `limit` (the missed-confirmation sweep's look at validations).
pub(crate) fn of_kind_after(
    conn: &Connection,
    provider: &str,
    kind: &str,
    after: i64,
    (from, to): (Timestamp, Timestamp),
    limit: i64,
) -> Result<Vec<InboxEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, provider, kind, relay_seq, headers, body, received_at, outcome, detail FROM provider_inbox
         WHERE provider = ?1 AND kind = ?2 AND id > ?3 AND received_at >= ?4 AND received_at < ?5
         ORDER BY id LIMIT ?6",
    )?;
    let rows = stmt.query_map(
        params![provider, kind, after, from.0, to.0, limit],
        from_row,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An inbox row in the column order every query here selects.
fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<InboxEvent> {
    Ok(InboxEvent {
        id: r.get(0)?,
        provider: r.get(1)?,
        kind: r.get(2)?,
        relay_seq: r.get(3)?,
        headers_json: r.get(4)?,
        body: r.get(5)?,
        received_at: Timestamp(r.get(6)?),
        outcome: r.get(7)?,
        detail: r.get(8)?,
    })
}
