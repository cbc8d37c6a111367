//! Store benchmarks: durable posting throughput on a file database, and the dashboard query
//! with KPI totals over 1,000,000 payments. Run with `cargo bench -p malipo-store`.
//!
//! The million-payment database is built once with a bulk SQL insert (the rollup triggers
//! maintain the KPI table as they do for real postings) and cached under
//! `target/malipo-bench/`; delete it to rebuild.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use malipo_core::{
    Cart, Catalogue, Currency, Item, Money, PaymentMethod, SaleDraft, TaxClass, Timestamp,
};
use malipo_store::{Confirmation, Durability, NewSale, OpenOptions, PaymentFilter, Store};

const T0: i64 = 1_735_689_600_000; // 2025-01-01
const DAY: i64 = 86_400_000;
const PAYMENTS: i64 = 1_000_000;

fn sale_draft() -> SaleDraft {
    let item = Item {
        sku: "X".into(),
        barcode: None,
        name: "X".into(),
        price: Money::from_minor(50_000, Currency::Kes),
        tax_class: TaxClass::Standard,
    };
    let cat = Catalogue::new(Currency::Kes, vec![item]).expect("catalogue");
    let mut cart = Cart::new(Currency::Kes);
    cart.add(&cat, "X", 1).expect("add");
    SaleDraft::from_cart(&cart).expect("draft")
}

fn bench_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/malipo-bench");
    std::fs::create_dir_all(&dir).expect("bench dir");
    dir
}

fn posting(c: &mut Criterion) {
    let mut group = c.benchmark_group("post_payment");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(8));
    for (name, durability) in [
        ("file_sync_full", Durability::Full),
        ("file_sync_normal", Durability::Normal),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open_with(
            &dir.path().join("post.db"),
            OpenOptions {
                durability,
                ..OpenOptions::default()
            },
        )
        .expect("open");
        let draft = sale_draft();
        let mut n = 0u64;
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let sales: Vec<String> = (0..iters)
                    .map(|_| {
                        store
                            .sale_create(
                                &NewSale {
                                    till_prefix: "T1",
                                    cashier: "b",
                                    draft: &draft,
                                    cart_id: None,
                                },
                                Timestamp(T0),
                            )
                            .expect("sale")
                            .number
                    })
                    .collect();
                let start = Instant::now();
                for number in sales {
                    n += 1;
                    let conf = Confirmation {
                        method: PaymentMethod::MpesaPaybill,
                        provider_txn_id: Some(format!("B{n:010}")),
                        attempt_ref: None,
                        account_reference: Some(number),
                        amount: Money::from_minor(50_000, Currency::Kes),
                        payer_phone: None,
                        payer_name: Some("JOHN DOE".into()),
                        payer_ref: Some("2547 ***** 126".into()),
                        inbox_id: None,
                        received_at: Timestamp(T0),
                    };
                    store.post_payment(&conf, Timestamp(T0)).expect("post");
                }
                start.elapsed()
            })
        });
    }
    group.throughput(Throughput::Elements(100));
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("batch.db")).expect("open");
    let mut n = 0u64;
    group.bench_function("file_sync_full_batch_of_100", |b| {
        b.iter(|| {
            let batch: Vec<Confirmation> = (0..100)
                .map(|_| {
                    n += 1;
                    Confirmation {
                        method: PaymentMethod::MpesaTill,
                        provider_txn_id: Some(format!("Q{n:010}")),
                        attempt_ref: None,
                        account_reference: None,
                        amount: Money::from_minor(50_000, Currency::Kes),
                        payer_phone: None,
                        payer_name: None,
                        payer_ref: None,
                        inbox_id: None,
                        received_at: Timestamp(T0),
                    }
                })
                .collect();
            store.post_payments(&batch, Timestamp(T0)).expect("batch")
        })
    });
    group.finish();
}

/// A file with a million payments over a year, 8 methods, ~2 % reversed.
fn million_payments() -> PathBuf {
    let path = bench_dir().join("dashboard-1m-v2.db");
    if let Ok(store) = Store::open(&path) {
        if store
            .kpis(&PaymentFilter::default())
            .map(|k| k.count)
            .unwrap_or(0)
            == PAYMENTS
        {
            return path;
        }
    }
    let _ = std::fs::remove_file(&path);
    drop(
        Store::open_with(
            &path,
            OpenOptions {
                durability: Durability::Normal,
                ..OpenOptions::default()
            },
        )
        .expect("create"),
    );
    let conn = rusqlite::Connection::open(&path).expect("open raw");
    let methods = PaymentMethod::ALL
        .iter()
        .map(|m| format!("('{}','{}')", m.code(), m.provider().code()))
        .collect::<Vec<_>>()
        .join(",");
    conn.execute_batch(&format!(
        "PRAGMA synchronous = OFF;
         BEGIN;
         CREATE TEMP TABLE m (i INTEGER PRIMARY KEY, method TEXT, provider TEXT);
         INSERT INTO m (method, provider) VALUES {methods};
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {PAYMENTS})
         INSERT INTO payments (method, provider, provider_txn_id, amount_minor, currency, payer_ref, status, received_at, posted_at)
         SELECT m.method, m.provider, 'BX' || n.i, 100 * (1 + (n.i * 7919) % 5000), 'KES', '2547 ***** 126',
                CASE WHEN n.i % 50 = 0 THEN 'reversed' ELSE 'received' END,
                {T0} + (n.i * 31536) % (365 * {DAY}), {T0}
         FROM n JOIN m ON m.i = 1 + (n.i % 8);
         COMMIT;
         ANALYZE;"
    ))
    .expect("bulk insert");
    path
}

fn dashboard(c: &mut Criterion) {
    let path = million_payments();
    let store = Store::open(&path).expect("open");
    let mut group = c.benchmark_group("dashboard_1m");
    group.measurement_time(Duration::from_secs(8));
    let year = PaymentFilter::default();
    group.bench_function("year_first_page_with_kpis", |b| {
        b.iter(|| store.payments_page(&year, 50, None).expect("page"))
    });
    let month = PaymentFilter {
        from: Some(Timestamp(T0 + 120 * DAY + 1_234_567)),
        to: Some(Timestamp(T0 + 151 * DAY + 7_654_321)),
        methods: vec![PaymentMethod::MpesaPaybill, PaymentMethod::MpesaStk],
        ..PaymentFilter::default()
    };
    group.bench_function("month_two_methods_unaligned_with_kpis", |b| {
        b.iter(|| store.payments_page(&month, 50, None).expect("page"))
    });
    let day = PaymentFilter {
        from: Some(Timestamp(T0 + 200 * DAY)),
        to: Some(Timestamp(T0 + 201 * DAY)),
        ..PaymentFilter::default()
    };
    group.bench_function("one_day_with_kpis", |b| {
        b.iter(|| store.payments_page(&day, 50, None).expect("page"))
    });
    group.finish();
}

criterion_group!(benches, posting, dashboard);
criterion_main!(benches);
