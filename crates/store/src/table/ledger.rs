//! `payment_ledger`: one row per payment with what the manager's screens ask of it — its
//! ledger status (received / refunded / unmatched), what completed refunds took back, the
//! cashier of the first sale it paid and the first sale or invoice it settles — kept by
//! triggers in the same transaction as the change that moves it. `ledger_rollup` counts and
//! sums those rows per hour and per shop day × method × provider × ledger status × cashier ×
//! currency.
//!
//! Without them, every search of the All Transactions screen computed each payment's status
//! with three look-ups, and a year of a million payments took seconds to filter by status or
//! cashier. With them, totals over any date range, method, provider, status and cashier read a
//! few thousand rollup rows, and the list walks an index in the order it shows.
//!
//! The view `payment_ledger_now` is the definition: it computes the row from the ledger's own
//! tables, the triggers copy it on every change that can move it, and `Store::check` holds the
//! copy equal to the view and the rollup equal to the copy.
//!
//! A *shop day* is a day of East Africa Time (UTC+3, no daylight saving: Kenya and Tanzania),
//! so a day bucket `d` covers `[d × 86,400,000 − 10,800,000, (d + 1) × 86,400,000 − 10,800,000)`.

/// The shop's offset from UTC, ms (East Africa Time).
pub(crate) const SHOP_OFFSET_MS: i64 = 10_800_000;

/// Recomputes the `payment_ledger` row of payment `$id` (an SQL expression) from the view.
macro_rules! refresh {
    ($id:literal) => {
        concat!(
            "UPDATE payment_ledger SET (ledger, refunded_minor, cashier, target_kind, target_id) =
               (SELECT ledger, refunded_minor, cashier, target_kind, target_id
                FROM payment_ledger_now WHERE payment_id = ",
            $id,
            ") WHERE payment_id = ",
            $id,
            ";"
        )
    };
}

/// One `VALUES` tuple of `ledger_rollup` for `payment_ledger` row `$row` (`NEW` or `OLD`) times
/// `$sign` at `$level`, its bucket `$open $row $close` (an SQL expression of the row).
#[rustfmt::skip]
macro_rules! tuple {
    ($level:literal, $open:literal, $close:literal, $row:literal, $sign:literal) => {
        concat!(
            "(", $level, ", ", $open, $row, $close, ", ", $row, ".method, ", $row, ".provider, ",
            $row, ".ledger, COALESCE(", $row, ".cashier, ''), ", $row, ".currency, ", $sign, ", ",
            $sign, " * ", $row, ".amount_minor, ", $sign, " * ", $row, ".refunded_minor, ",
            $sign, " * (", $row, ".refunded_minor > 0))"
        )
    };
}

/// Adds one `payment_ledger` row (`$row`: `NEW` or `OLD`) times `$sign` to both rollup levels
/// (a shop day starts at 21:00 UTC: `+ 10800000`).
#[rustfmt::skip]
macro_rules! roll {
    ($row:literal, $sign:literal) => {
        concat!(
            "INSERT INTO ledger_rollup (level, bucket, method, provider, ledger, cashier, currency,
                                        count, amount_minor, refunded_minor, refunded_count)
             VALUES ",
            tuple!("'hour'", "", ".received_at / 3600000", $row, $sign),
            ", ",
            tuple!("'day'", "(", ".received_at + 10800000) / 86400000", $row, $sign),
            " ON CONFLICT DO UPDATE SET count = count + excluded.count,
                amount_minor = amount_minor + excluded.amount_minor,
                refunded_minor = refunded_minor + excluded.refunded_minor,
                refunded_count = refunded_count + excluded.refunded_count;"
        )
    };
}

/// Migration 6. The backfill inserts every existing payment's row through the insert trigger,
/// so the rollup is built by the same code that keeps it.
pub(crate) const SCHEMA_V6: &str = concat!(
    "
CREATE VIEW payment_ledger_now AS
SELECT p.id AS payment_id, p.received_at AS received_at, p.method AS method,
       p.provider AS provider, p.currency AS currency, p.amount_minor AS amount_minor,
       CASE WHEN p.status != 'received' OR EXISTS (SELECT 1 FROM refunds r
                 WHERE r.payment_id = p.id AND r.status = 'completed') THEN 'refunded'
            WHEN EXISTS (SELECT 1 FROM unmatched_receipts u
                 WHERE u.payment_id = p.id AND u.placed_at IS NULL) THEN 'unmatched'
            ELSE 'received' END AS ledger,
       (SELECT COALESCE(SUM(r.amount_minor), 0) FROM refunds r
         WHERE r.payment_id = p.id AND r.status = 'completed') AS refunded_minor,
       (SELECT s.cashier FROM allocations a JOIN sales s ON a.target_kind = 'sale' AND s.id = a.target_id
         WHERE a.payment_id = p.id ORDER BY a.id LIMIT 1) AS cashier,
       (SELECT a.target_kind FROM allocations a WHERE a.payment_id = p.id ORDER BY a.id LIMIT 1) AS target_kind,
       (SELECT a.target_id FROM allocations a WHERE a.payment_id = p.id ORDER BY a.id LIMIT 1) AS target_id
FROM payments p;

CREATE TABLE payment_ledger (
    payment_id     INTEGER PRIMARY KEY REFERENCES payments (id),
    received_at    INTEGER NOT NULL,
    method         TEXT NOT NULL,
    provider       TEXT NOT NULL,
    currency       TEXT NOT NULL,
    amount_minor   INTEGER NOT NULL,
    ledger         TEXT NOT NULL CHECK (ledger IN ('received', 'refunded', 'unmatched')),
    refunded_minor INTEGER NOT NULL,
    cashier        TEXT,
    target_kind    TEXT,
    target_id      INTEGER
);
CREATE INDEX payment_ledger_time ON payment_ledger (received_at, payment_id);
CREATE INDEX payment_ledger_status ON payment_ledger (ledger, received_at, payment_id);
CREATE INDEX payment_ledger_cashier ON payment_ledger (cashier, received_at, payment_id);
CREATE INDEX payment_ledger_method ON payment_ledger (method, received_at, payment_id);

CREATE TABLE ledger_rollup (
    level          TEXT NOT NULL CHECK (level IN ('hour', 'day')),
    bucket         INTEGER NOT NULL,
    method         TEXT NOT NULL,
    provider       TEXT NOT NULL,
    ledger         TEXT NOT NULL,
    cashier        TEXT NOT NULL,
    currency       TEXT NOT NULL,
    count          INTEGER NOT NULL,
    amount_minor   INTEGER NOT NULL,
    refunded_minor INTEGER NOT NULL,
    refunded_count INTEGER NOT NULL,
    PRIMARY KEY (level, bucket, method, provider, ledger, cashier, currency)
) WITHOUT ROWID;

CREATE TRIGGER ledger_rollup_insert AFTER INSERT ON payment_ledger
BEGIN ",
    roll!("NEW", "1"),
    " END;
CREATE TRIGGER ledger_rollup_update AFTER UPDATE ON payment_ledger
WHEN OLD.ledger IS NOT NEW.ledger OR OLD.refunded_minor IS NOT NEW.refunded_minor
  OR OLD.cashier IS NOT NEW.cashier
BEGIN ",
    roll!("OLD", "-1"),
    roll!("NEW", "1"),
    " END;
CREATE TRIGGER payment_ledger_no_delete BEFORE DELETE ON payment_ledger
BEGIN SELECT RAISE(ABORT, 'the ledger view of a payment is never deleted'); END;

-- A new payment has no refund, receipt or allocation yet (they refer to it): its row is
-- known from the payment alone, without the view's look-ups.
CREATE TRIGGER payment_ledger_new AFTER INSERT ON payments
BEGIN
    INSERT INTO payment_ledger VALUES (NEW.id, NEW.received_at, NEW.method, NEW.provider,
        NEW.currency, NEW.amount_minor,
        CASE WHEN NEW.status = 'received' THEN 'received' ELSE 'refunded' END, 0, NULL, NULL, NULL);
END;
CREATE TRIGGER payment_ledger_status AFTER UPDATE OF status ON payments
BEGIN ",
    refresh!("NEW.id"),
    " END;
CREATE TRIGGER payment_ledger_refund_new AFTER INSERT ON refunds
BEGIN ",
    refresh!("NEW.payment_id"),
    " END;
CREATE TRIGGER payment_ledger_refund_moved AFTER UPDATE ON refunds
BEGIN ",
    refresh!("NEW.payment_id"),
    " END;
CREATE TRIGGER payment_ledger_unmatched_new AFTER INSERT ON unmatched_receipts
BEGIN ",
    refresh!("NEW.payment_id"),
    " END;
CREATE TRIGGER payment_ledger_unmatched_moved AFTER UPDATE ON unmatched_receipts
BEGIN ",
    refresh!("NEW.payment_id"),
    " END;
-- Allocations are append-only with rising ids: the first one names the target, the first to a
-- sale names the cashier, and later ones change neither.
CREATE TRIGGER payment_ledger_allocated AFTER INSERT ON allocations
BEGIN
    UPDATE payment_ledger SET
        cashier = COALESCE(cashier,
            (SELECT s.cashier FROM sales s WHERE NEW.target_kind = 'sale' AND s.id = NEW.target_id)),
        target_kind = COALESCE(target_kind, NEW.target_kind),
        target_id = COALESCE(target_id, NEW.target_id)
    WHERE payment_id = NEW.payment_id;
END;

INSERT INTO payment_ledger SELECT * FROM payment_ledger_now ORDER BY payment_id;
"
);

/// `Store::check`'s invariants for these tables: (what, query counting the rows that break it).
pub(crate) const INVARIANTS: &[(&str, &str)] = &[
    (
        "the manager's ledger copy disagrees with the payments, refunds and receipts",
        "SELECT COUNT(*) FROM (SELECT * FROM (SELECT * FROM payment_ledger_now EXCEPT SELECT * FROM payment_ledger)
           UNION ALL SELECT * FROM (SELECT * FROM payment_ledger EXCEPT SELECT * FROM payment_ledger_now))",
    ),
    (
        "the manager's rollup disagrees with the ledger copy",
        "SELECT COUNT(*) FROM (
           SELECT l.level, CASE l.level WHEN 'hour' THEN received_at / 3600000
                  ELSE (received_at + 10800000) / 86400000 END AS bucket,
                  method, provider, ledger, COALESCE(cashier, '') AS cashier, currency,
                  COUNT(*) AS n, SUM(amount_minor) AS s, SUM(refunded_minor) AS r, SUM(refunded_minor > 0) AS rn
           FROM payment_ledger, (SELECT 'hour' AS level UNION ALL SELECT 'day') l GROUP BY 1, 2, 3, 4, 5, 6, 7) p
         FULL OUTER JOIN (SELECT * FROM ledger_rollup WHERE count != 0) x
           ON x.level = p.level AND x.bucket = p.bucket AND x.method = p.method AND x.provider = p.provider
          AND x.ledger = p.ledger AND x.cashier = p.cashier AND x.currency = p.currency
         WHERE p.n IS NOT x.count OR p.s IS NOT x.amount_minor OR p.r IS NOT x.refunded_minor
            OR p.rn IS NOT x.refunded_count",
    ),
];
