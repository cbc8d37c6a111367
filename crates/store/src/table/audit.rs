//! `audit_log`: who did what, when, with the row before and after. Append-only: triggers
//! refuse every UPDATE and DELETE, so not even a bug in this crate can rewrite history.

use malipo_core::Timestamp;
use rusqlite::{params, Connection};
use serde::Serialize;

use crate::error::Result;

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before    TEXT,
    after     TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
";

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// JSON of the state before, when there was one.
    pub before: Option<String>,
    /// JSON of the state after, when there is one.
    pub after: Option<String>,
}

/// What to write: the store's own modules call this inside their transactions.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AuditLine<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

pub(crate) fn append(conn: &Connection, line: AuditLine<'_>, at: Timestamp) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, before, after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        at.0,
        line.actor,
        line.action,
        line.entity,
        line.entity_id,
        line.before,
        line.after
    ])?;
    Ok(())
}

pub(crate) fn list_for(
    conn: &Connection,
    entity: Option<(&str, &str)>,
    limit: i64,
) -> Result<Vec<AuditEntry>> {
    let (e, id) = entity.unwrap_or(("", ""));
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, actor, action, entity, entity_id, before, after FROM audit_log
         WHERE (?1 = '' OR (entity = ?1 AND entity_id = ?2)) ORDER BY id DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![e, id, limit], |r| {
        Ok(AuditEntry {
            id: r.get(0)?,
            at: Timestamp(r.get(1)?),
            actor: r.get(2)?,
            action: r.get(3)?,
            entity: r.get(4)?,
            entity_id: r.get(5)?,
            before: r.get(6)?,
            after: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
