//! `check`: recomputes what the ledger promises and reports every broken promise. Used by the
//! property and crash tests, and by `malipo-cli check`.

use rusqlite::Connection;

use crate::error::Result;

/// Each invariant as a query counting the rows that break it, with the words for a report.
const INVARIANTS: &[(&str, &str)] = &[
    (
        "a payment's allocations exceed its amount",
        "SELECT COUNT(*) FROM payments p
         WHERE (SELECT COALESCE(SUM(amount_minor), 0) FROM allocations WHERE payment_id = p.id) > p.amount_minor",
    ),
    (
        "a payment's allocations and refunds exceed its amount",
        "SELECT COUNT(*) FROM payments p
         WHERE (SELECT COALESCE(SUM(amount_minor), 0) FROM allocations WHERE payment_id = p.id)
             + (SELECT COALESCE(SUM(amount_minor), 0) FROM refunds WHERE payment_id = p.id AND target_kind IS NULL AND status != 'failed')
             > p.amount_minor",
    ),
    (
        "money neither allocated nor waiting as an unmatched receipt",
        "SELECT COUNT(*) FROM payments p
         WHERE p.amount_minor
             - (SELECT COALESCE(SUM(amount_minor), 0) FROM allocations WHERE payment_id = p.id)
             - (SELECT COALESCE(SUM(amount_minor), 0) FROM refunds WHERE payment_id = p.id AND target_kind IS NULL AND status != 'failed') > 0
           AND NOT EXISTS (SELECT 1 FROM unmatched_receipts u WHERE u.payment_id = p.id AND u.placed_at IS NULL)",
    ),
    (
        "an unmatched receipt marked open with nothing left in it",
        "SELECT COUNT(*) FROM unmatched_receipts u JOIN payments p ON p.id = u.payment_id
         WHERE u.placed_at IS NULL AND p.amount_minor
             - (SELECT COALESCE(SUM(amount_minor), 0) FROM allocations WHERE payment_id = p.id)
             - (SELECT COALESCE(SUM(amount_minor), 0) FROM refunds WHERE payment_id = p.id AND target_kind IS NULL AND status != 'failed') <= 0",
    ),
    (
        "refunds from a sale or invoice exceed what the payment gave it",
        "SELECT COUNT(*) FROM (SELECT r.payment_id, r.target_kind, r.target_id, SUM(r.amount_minor) AS refunded
           FROM refunds r WHERE r.target_kind IS NOT NULL AND r.status != 'failed'
           GROUP BY r.payment_id, r.target_kind, r.target_id) x
         WHERE x.refunded > (SELECT COALESCE(SUM(a.amount_minor), 0) FROM allocations a
           WHERE a.payment_id = x.payment_id AND a.target_kind = x.target_kind AND a.target_id = x.target_id)",
    ),
    (
        "an allocation in another currency than its target",
        "SELECT COUNT(*) FROM allocations a JOIN payments p ON p.id = a.payment_id
         LEFT JOIN sales s ON a.target_kind = 'sale' AND s.id = a.target_id
         LEFT JOIN invoices i ON a.target_kind = 'invoice' AND i.id = a.target_id
         WHERE COALESCE(s.currency, i.currency) IS NULL OR COALESCE(s.currency, i.currency) != p.currency",
    ),
    (
        "the dashboard rollup disagrees with the payments",
        "SELECT COUNT(*) FROM (
           SELECT l.level, CASE l.level WHEN 'hour' THEN received_at / 3600000 ELSE received_at / 86400000 END AS bucket,
                  method, provider, status, currency, COUNT(*) AS n, SUM(amount_minor) AS s
           FROM payments, (SELECT 'hour' AS level UNION ALL SELECT 'day') l GROUP BY 1, 2, 3, 4, 5, 6) p
         FULL OUTER JOIN (SELECT * FROM payment_rollup WHERE count != 0) r
           ON r.level = p.level AND r.bucket = p.bucket AND r.method = p.method AND r.provider = p.provider
          AND r.status = p.status AND r.currency = p.currency
         WHERE p.n IS NOT r.count OR p.s IS NOT r.amount_minor",
    ),
    (
        "a succeeded attempt without its payment",
        "SELECT COUNT(*) FROM payment_attempts a WHERE a.state = 'succeeded'
         AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.attempt_id = a.id)",
    ),
];

/// Every invariant the ledger breaks, as "description: N rows"; empty when all hold.
pub(crate) fn check(conn: &Connection) -> Result<Vec<String>> {
    let mut broken = Vec::new();
    for (what, sql) in INVARIANTS
        .iter()
        .chain(crate::table::ledger::INVARIANTS)
        .chain(crate::table::attempts::INVARIANTS)
    {
        let n: i64 = conn.query_row(sql, [], |r| r.get(0))?;
        if n != 0 {
            broken.push(format!("{what}: {n} rows"));
        }
    }
    let fk: i64 = conn.query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
        r.get(0)
    })?;
    if fk != 0 {
        broken.push(format!("rows referring to missing rows: {fk}"));
    }
    Ok(broken)
}
