//! `number_sequences`: gap-free counters for sale numbers (one per till prefix) and invoice
//! numbers. A number is taken inside the transaction that creates the sale or invoice, so a
//! rolled-back creation gives the number back: no gaps, no repeats.

use rusqlite::Connection;

use crate::error::Result;

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE number_sequences (
    name TEXT PRIMARY KEY NOT NULL,
    last INTEGER NOT NULL
);
";

/// Takes the next number of sequence `name` (1, 2, 3…). Call inside a write transaction.
pub(crate) fn next(conn: &Connection, name: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO number_sequences (name, last) VALUES (?1, 1)
             ON CONFLICT(name) DO UPDATE SET last = last + 1 RETURNING last",
        )?
        .query_row([name], |r| r.get(0))?)
}
