//! `payment_text`: a trigram full-text index of what a manager types to find a payment — its
//! receipt or reference, the payer's name and phone, the account reference, and the numbers of
//! the sales and invoices it paid — kept by triggers. A search of three characters or more
//! reads only the payments whose text contains it; the manager's exact conditions (prefix of a
//! receipt, part of a name…) are then applied to those few. Without it, a receipt search read
//! every payment of the year with a look-up of its sales: seconds.
//!
//! The index stores no copy of the text (`content = ''`): `payment_text_now` computes it from
//! the payment and its allocations, and a change deletes and re-adds the row.

use rusqlite::{params_from_iter, types::Value, Connection};

use crate::error::Result;

/// Migration 8. Posting only queues the payment (`payment_text_queue`); the index catches up
/// in one batch before the next text search ([`catch_up`]). Indexing in the posting itself
/// cost each posting ~170 µs (a new index segment per transaction, and the text written twice:
/// at the payment and again at its allocation); a batch costs ~25 µs a payment.
pub(crate) const SCHEMA_V8: &str = "
CREATE VIRTUAL TABLE payment_text USING fts5 (
    body, tokenize = 'trigram', content = '', contentless_delete = 1
);
CREATE VIEW payment_text_now AS
SELECT p.id AS payment_id,
       concat_ws(' ', p.provider_txn_id, p.payer_name, p.payer_phone, p.account_reference,
         (SELECT group_concat(COALESCE(s.number, i.number), ' ') FROM allocations a
            LEFT JOIN sales s ON a.target_kind = 'sale' AND s.id = a.target_id
            LEFT JOIN invoices i ON a.target_kind = 'invoice' AND i.id = a.target_id
           WHERE a.payment_id = p.id)) AS body
FROM payments p;
CREATE TABLE payment_text_queue (payment_id INTEGER PRIMARY KEY);

CREATE TRIGGER payment_text_new AFTER INSERT ON payments
BEGIN INSERT OR IGNORE INTO payment_text_queue VALUES (NEW.id); END;
CREATE TRIGGER payment_text_receipt AFTER UPDATE OF provider_txn_id ON payments
BEGIN INSERT OR IGNORE INTO payment_text_queue VALUES (NEW.id); END;
CREATE TRIGGER payment_text_allocated AFTER INSERT ON allocations
BEGIN INSERT OR IGNORE INTO payment_text_queue VALUES (NEW.payment_id); END;

INSERT INTO payment_text (rowid, body) SELECT payment_id, body FROM payment_text_now;
";

/// Indexes the queued payments' text anew (in a savepoint: alone, or inside the caller's
/// transaction). Nothing to do costs one look-up.
pub(crate) fn catch_up(conn: &Connection) -> Result<()> {
    let queued: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM payment_text_queue)")?
        .query_row([], |r| r.get(0))?;
    if !queued {
        return Ok(());
    }
    conn.execute_batch("SAVEPOINT payment_text")?;
    let done = conn.execute_batch(
        "DELETE FROM payment_text WHERE rowid IN (SELECT payment_id FROM payment_text_queue);
         INSERT INTO payment_text (rowid, body)
           SELECT v.payment_id, v.body FROM payment_text_queue q
           CROSS JOIN payment_text_now v ON v.payment_id = q.payment_id;
         DELETE FROM payment_text_queue;
         RELEASE payment_text;",
    );
    if let Err(e) = done {
        // Leave nothing half done: the queue stays for the next search.
        let _ = conn.execute_batch("ROLLBACK TO payment_text; RELEASE payment_text;");
        return Err(e.into());
    }
    Ok(())
}

/// Puts the payments whose text matches `text` in `temp.text_hits` (after bringing the index up
/// to date): the index's candidates that meet `exact` (SQL conditions on `payments p` after a
/// `WHERE`, bound to `exact_values`, a function of `text` alone); `false` when the index cannot
/// narrow `text` (see [`matching`]).
///
/// A page of the manager's list asks three times with the same text (rows, totals, chart), and
/// the index query is the costly part: its answer is kept with the text it answers and the
/// database's state — `PRAGMA data_version` (another connection's commit) and this
/// connection's `total_changes()` (any write of its own) — and reused while both stand.
pub(crate) fn hits(
    conn: &Connection,
    text: &str,
    exact: &str,
    exact_values: Vec<Value>,
) -> Result<bool> {
    catch_up(conn)?;
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS text_hits (id INTEGER PRIMARY KEY);
         CREATE TEMP TABLE IF NOT EXISTS text_hits_of (text TEXT NOT NULL, version INTEGER NOT NULL,
                                                       changes INTEGER NOT NULL);",
    )?;
    let state = |conn: &Connection| -> Result<(i64, i64)> {
        let version: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        let changes: i64 = conn
            .prepare_cached("SELECT total_changes()")?
            .query_row([], |r| r.get(0))?;
        Ok((version, changes))
    };
    let (version, changes) = state(conn)?;
    let kept: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM temp.text_hits_of
                            WHERE text = ?1 AND version = ?2 AND changes = ?3)",
        )?
        .query_row(rusqlite::params![text, version, changes], |r| r.get(0))?;
    if kept {
        return Ok(true);
    }
    let Some(m) = matching(conn, text)? else {
        return Ok(false);
    };
    conn.execute_batch("DELETE FROM temp.text_hits; DELETE FROM temp.text_hits_of;")?;
    let mut values = vec![Value::Text(m)];
    values.extend(exact_values);
    conn.prepare_cached(&format!(
        "INSERT INTO temp.text_hits
         SELECT p.id FROM (SELECT rowid AS id FROM payment_text WHERE payment_text MATCH ?) t
         CROSS JOIN payments p ON p.id = t.id WHERE 1{exact}"
    ))?
    .execute(params_from_iter(values))?;
    conn.prepare_cached("INSERT INTO temp.text_hits_of VALUES (?1, 0, 0)")?
        .execute([text])?;
    // The state after these writes, and after the one that records it (one more change).
    let (version, changes) = state(conn)?;
    conn.prepare_cached("UPDATE temp.text_hits_of SET version = ?1, changes = ?2")?
        .execute([version, changes.saturating_add(1)])?;
    Ok(true)
}

/// How many of the newest payments a trigram is counted in, to tell rare from common.
const SAMPLE: i64 = 4_000;

/// The FTS5 query whose matches include every payment whose text contains `text` (any case),
/// or `None` when the index cannot narrow it: under three characters, or a `_` (which the
/// manager's conditions take as any one character).
///
/// A phrase query of the whole text reads the list of every trigram in it, and trigrams such
/// as a receipt's prefix or `254` of a phone are in nearly every payment: 20–50 ms over a
/// year. So each distinct trigram is first counted among the newest [`SAMPLE`] payments (a
/// fraction of a millisecond each), and the query is the AND of the three rarest (1–2 ms);
/// only when even the rarest is in half the sample is it the phrase. Either way the exact
/// conditions are applied to the matches.
pub(crate) fn matching(conn: &Connection, text: &str) -> Result<Option<String>> {
    let folded: Vec<char> = text.to_lowercase().chars().collect();
    if folded.len() < 3 || text.contains('_') {
        return Ok(None);
    }
    let quote = |t: &str| format!("\"{}\"", t.replace('"', "\"\""));
    let mut grams: Vec<String> = folded.windows(3).map(|w| w.iter().collect()).collect();
    grams.sort();
    grams.dedup();
    let newest: i64 = conn
        .prepare_cached(
            "SELECT COALESCE((SELECT rowid FROM payment_text ORDER BY rowid DESC LIMIT 1), 0)",
        )?
        .query_row([], |r| r.get(0))?;
    let after = newest.saturating_sub(SAMPLE);
    let mut counted = Vec::with_capacity(grams.len());
    let mut stmt = conn.prepare_cached(
        "SELECT COUNT(*) FROM payment_text WHERE payment_text MATCH ?1 AND rowid > ?2",
    )?;
    for g in grams {
        let n: i64 = stmt.query_row(rusqlite::params![quote(&g), after], |r| r.get(0))?;
        counted.push((n, g));
    }
    counted.sort();
    let sampled = newest - after;
    Ok(Some(match counted.first() {
        Some((n, _)) if n.saturating_mul(2) < sampled => counted
            .iter()
            .take(3)
            .map(|(_, g)| quote(g))
            .collect::<Vec<_>>()
            .join(" AND "),
        _ => quote(text),
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn index(bodies: &[&str]) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE VIRTUAL TABLE payment_text USING fts5 (
                 body, tokenize = 'trigram', content = '', contentless_delete = 1)",
        )
        .unwrap();
        for b in bodies {
            conn.execute("INSERT INTO payment_text (body) VALUES (?1)", [b])
                .unwrap();
        }
        conn
    }

    #[test]
    fn the_rarest_trigrams_narrow_a_search_and_a_common_text_is_a_phrase() {
        let mut bodies = vec!["SX00000001 Customer 1"; 2_000];
        bodies.push("SX00612345 Customer 421");
        let conn = index(&bodies);
        // "sx0", "x00" and "cus…" are in every body: the query is the rare trigrams only.
        let m = matching(&conn, "SX00612345").unwrap().unwrap();
        assert!(!m.contains("sx0") && !m.contains("x00"), "{m}");
        assert_eq!(m.matches(" AND ").count(), 2, "{m}");
        let found: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM payment_text WHERE payment_text MATCH ?1",
                [&m],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(found, 1);
        // Every trigram common: the whole text as one phrase.
        assert_eq!(
            matching(&conn, "Custom").unwrap().as_deref(),
            Some("\"Custom\"")
        );
        assert_eq!(
            matching(&conn, "ab").unwrap(),
            None,
            "under three characters"
        );
        assert_eq!(
            matching(&conn, "SX_0").unwrap(),
            None,
            "a _ is any character"
        );
    }
}
