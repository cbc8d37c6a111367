//! `settings`: the shop's non-secret settings as key/value text. Secrets never come here: they
//! live in the OS keyring (`malipo-vault`).

use malipo_core::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::Result;

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE settings (
    key        TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
";

pub(crate) fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

pub(crate) fn set(
    conn: &Connection,
    key: &str,
    value: &str,
    now: Timestamp,
) -> Result<Option<String>> {
    let before = get(conn, key)?;
    conn.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        params![key, value, now.0],
    )?;
    Ok(before)
}
