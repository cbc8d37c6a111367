//! Synthetic ledgers for benchmarks (feature `synthetic`): a year of a busy shop written
//! straight into a fresh database with a few bulk statements, so a million-payment file takes
//! seconds to build instead of an hour of real postings.
//!
//! The shape follows what a till records: every payment settles its own sale (allocation by
//! account reference, cashier one of four), except 1 in 100 that waits as an unmatched
//! receipt; 1 in 50 is reversed; 1 in 100 has a completed partial refund; and 1 in 20 sales
//! also has a failed STK attempt before it was paid (the last few are still pending). Rollup
//! triggers keep the KPI table as they do for real postings. The sales share one line-item
//! body (the benchmarks never read it for totals), so `Store::check` is not expected to pass
//! on these files: they measure queries, not the ledger rules.

use std::path::Path;

use malipo_core::{Cart, Catalogue, Currency, Item, Money, PaymentMethod, SaleDraft, TaxClass};
use rusqlite::Connection;

use crate::error::{corrupt, Result};
use crate::{Durability, OpenOptions, Store};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct SyntheticYear {
    /// How many payments (and so, about, how many sales).
    pub payments: i64,
    /// The first instant of the year, epoch ms.
    pub start_ms: i64,
}

/// One millisecond-epoch day.
pub const DAY_MS: i64 = 86_400_000;

/// Builds `spec` into a new database at `path` (an existing file is replaced).
pub fn build(path: &Path, spec: SyntheticYear) -> Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(&p);
    }
    drop(Store::open_with(
        path,
        OpenOptions {
            durability: Durability::Normal,
            ..OpenOptions::default()
        },
    )?);
    let body = serde_json::to_string(&template_sale()?).map_err(|e| corrupt("sale", e))?;
    let conn = Connection::open(path)?;
    let methods = PaymentMethod::ALL
        .iter()
        .map(|m| format!("('{}','{}')", m.code(), m.provider().code()))
        .collect::<Vec<_>>()
        .join(",");
    let n = spec.payments;
    let t0 = spec.start_ms;
    let year = 365 * DAY_MS;
    let step = year / n.max(1);
    // Payment i is received at t0 + i * step (spread evenly, so every day has its share).
    // A bulk batch cannot bind parameters: the one text value (the sale body, our own JSON)
    // is inlined as a quoted SQL literal.
    let body = format!("'{}'", body.replace('\'', "''"));
    conn.execute_batch(&batch_sql(&methods, &body, n, t0, step))?;
    Ok(())
}

/// The statements that write the year.
fn batch_sql(methods: &str, body: &str, n: i64, t0: i64, step: i64) -> String {
    format!(
        "PRAGMA synchronous = OFF;
         BEGIN;
         CREATE TEMP TABLE m (i INTEGER PRIMARY KEY, method TEXT, provider TEXT);
         INSERT INTO m (method, provider) VALUES {methods};
         CREATE TEMP TABLE n (i INTEGER PRIMARY KEY, at INTEGER, amount INTEGER);
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {n})
         INSERT INTO n (i, at, amount)
         SELECT i, {t0} + i * {step}, 100 * (1 + (i * 7919) % 5000) FROM k;
         INSERT INTO sales (id, number, number_norm, till, cashier, currency, total_minor, status, body, created_at, updated_at)
         SELECT i, 'T1-' || printf('%07d', i), 'T1' || printf('%07d', i), 'T1', 'cashier' || (i % 4), 'KES',
                amount, 'completed', {body}, at - 90000, at
         FROM n WHERE i % 100 != 7;
         INSERT INTO payment_attempts (method, provider, target_kind, target_id, amount_minor, currency, phone,
                account_reference, reference_norm, provider_ref, state, reason, created_at, updated_at)
         SELECT 'mpesa_stk', 'mpesa', 'sale', i, amount, 'KES', '2547' || printf('%08d', i % 100000000),
                'T1-' || printf('%07d', i), 'T1' || printf('%07d', i), 'ws_CO_' || i,
                CASE WHEN i > {n} - 200 THEN 'pending' ELSE 'failed' END,
                CASE WHEN i > {n} - 200 THEN NULL ELSE 'The customer cancelled the prompt' END,
                at - 60000, at - 30000
         FROM n WHERE i % 20 = 3;
         INSERT INTO payments (id, method, provider, provider_txn_id, amount_minor, currency, payer_phone,
                payer_name, payer_ref, account_reference, status, received_at, posted_at)
         SELECT n.i, m.method, m.provider, 'SX' || printf('%08d', n.i), n.amount, 'KES',
                '2547' || printf('%08d', (n.i * 31) % 100000000), 'Customer ' || (n.i % 997), '2547 ***** 126',
                'T1-' || printf('%07d', n.i),
                CASE WHEN n.i % 50 = 0 THEN 'reversed' ELSE 'received' END, n.at, n.at
         FROM n JOIN m ON m.i = 1 + (n.i % 8);
         INSERT INTO allocations (payment_id, target_kind, target_id, amount_minor, matched_by, actor, created_at)
         SELECT i, 'sale', i, amount, 'account_reference', 'engine', at FROM n WHERE i % 100 != 7;
         INSERT INTO unmatched_receipts (payment_id, reason, created_at)
         SELECT i, 'unknown_reference', at FROM n WHERE i % 100 = 7;
         INSERT INTO refunds (payment_id, target_kind, target_id, amount_minor, kind, status, provider_ref,
                actor, created_at, completed_at)
         SELECT i, 'sale', i, amount / 2, 'refund', 'completed', 'RF' || i, 'manager', at + 3600000, at + 3600000
         FROM n WHERE i % 100 = 13;
         COMMIT;
         ANALYZE;"
    )
}

/// One sale body: a single standard-rated line.
fn template_sale() -> Result<SaleDraft> {
    let item = Item {
        sku: "X".into(),
        barcode: None,
        name: "Thing".into(),
        price: Money::from_minor(50_000, Currency::Kes),
        tax_class: TaxClass::Standard,
    };
    let cat = Catalogue::new(Currency::Kes, vec![item]).map_err(|e| corrupt("catalogue", e))?;
    let mut cart = Cart::new(Currency::Kes);
    cart.add(&cat, "X", 1).map_err(|e| corrupt("cart", e))?;
    SaleDraft::from_cart(&cart).map_err(|e| corrupt("sale", e))
}
