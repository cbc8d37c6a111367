//! `payment_text`: a trigram full-text index of what a manager types to find a payment — its
//! receipt or reference, the payer's name and phone, the account reference, and the numbers of
//! the sales and invoices it paid — kept by triggers. A search of three characters or more
//! reads only the payments whose text contains it; the manager's exact conditions (prefix of a
//! receipt, part of a name…) are then applied to those few. Without it, a receipt search read
//! every payment of the year with a look-up of its sales: seconds.
//!
//! The index stores no copy of the text (`content = ''`): `payment_text_now` computes it from
//! the payment and its allocations, and a change deletes and re-adds the row.

use rusqlite::Connection;

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

/// The FTS5 query finding bodies that contain `text` (a quoted trigram phrase), or `None` when
/// the index cannot narrow the search: under three characters, or a `_` (which the manager's
/// conditions take as any one character).
pub(crate) fn phrase(text: &str) -> Option<String> {
    (text.chars().count() >= 3 && !text.contains('_'))
        .then(|| format!("\"{}\"", text.replace('"', "\"\"")))
}
