//! `payment_text`: a trigram full-text index of what a manager types to find a payment — its
//! receipt or reference, the payer's name and phone, the account reference, and the numbers of
//! the sales and invoices it paid — kept by triggers. A search of three characters or more
//! reads only the payments whose text contains it; the manager's exact conditions (prefix of a
//! receipt, part of a name…) are then applied to those few. Without it, a receipt search read
//! every payment of the year with a look-up of its sales: seconds.
//!
//! The index stores no copy of the text (`content = ''`): `payment_text_now` computes it from
//! the payment and its allocations, and a change deletes and re-adds the row.

/// Re-adds payment `$id`'s text.
macro_rules! reindex {
    ($id:literal) => {
        concat!(
            "DELETE FROM payment_text WHERE rowid = ",
            $id,
            "; INSERT INTO payment_text (rowid, body) SELECT payment_id, body FROM payment_text_now WHERE payment_id = ",
            $id,
            ";"
        )
    };
}

/// Migration 8.
pub(crate) const SCHEMA_V8: &str = concat!(
    "
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

CREATE TRIGGER payment_text_new AFTER INSERT ON payments
BEGIN INSERT INTO payment_text (rowid, body) SELECT payment_id, body FROM payment_text_now WHERE payment_id = NEW.id; END;
CREATE TRIGGER payment_text_receipt AFTER UPDATE OF provider_txn_id ON payments
BEGIN ",
    reindex!("NEW.id"),
    " END;
CREATE TRIGGER payment_text_allocated AFTER INSERT ON allocations
BEGIN ",
    reindex!("NEW.payment_id"),
    " END;

INSERT INTO payment_text (rowid, body) SELECT payment_id, body FROM payment_text_now;
"
);

/// The FTS5 query finding bodies that contain `text` (a quoted trigram phrase), or `None` when
/// the index cannot narrow the search: under three characters, or a `_` (which the manager's
/// conditions take as any one character).
pub(crate) fn phrase(text: &str) -> Option<String> {
    (text.chars().count() >= 3 && !text.contains('_'))
        .then(|| format!("\"{}\"", text.replace('"', "\"\"")))
}
