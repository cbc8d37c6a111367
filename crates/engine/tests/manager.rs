//! The manager views on a real store file: the transactions page (filters, free text,
//! cashier, ledger status, keyset paging, KPIs, chart), a payment's detail, unmatched receipts
//! attached with the manager's PIN, refunds refused with the contract's codes, X then Z
//! reports, and the CSV export of 100,000 payments streamed page by page.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use malipo_core::{
    Cart, Catalogue, Currency, Money, PaymentMethod, Phone, SaleDraft, TargetRef, Timestamp,
};
use malipo_engine::manager::{TxFilter, EXPORT_PAGE};
use malipo_engine::{Engine, EngineConfig};
use malipo_store::{Confirmation, Durability, NewAttempt, NewSale, OpenOptions, Role, Store};

const T0: i64 = 1_764_000_000_000;

fn sale(store: &mut Store, minor: i64, cashier: &str) -> malipo_store::SaleRow {
    let catalogue = Catalogue::from_json(&format!(
        r#"{{"currency":"KES","items":[{{"sku":"X","barcode":null,"name":"Thing","price":{{"minor":{minor},"currency":"KES"}},"tax_class":"standard"}}]}}"#
    ))
    .unwrap();
    let mut cart = Cart::new(Currency::Kes);
    cart.add(&catalogue, "X", 1).unwrap();
    let draft = SaleDraft::from_cart(&cart).unwrap();
    store
        .sale_create(
            &NewSale {
                till_prefix: "T1",
                cashier,
                draft: &draft,
                cart_id: None,
            },
            Timestamp(T0),
        )
        .unwrap()
}

fn paybill(receipt: &str, reference: &str, minor: i64, at: i64) -> Confirmation {
    Confirmation {
        method: PaymentMethod::MpesaPaybill,
        provider_txn_id: Some(receipt.into()),
        attempt_ref: None,
        account_reference: Some(reference.into()),
        amount: Money::from_minor(minor, Currency::Kes),
        payer_phone: Some(Phone::parse("0712345678").unwrap()),
        payer_name: Some("WANJIKU KAMAU".into()),
        payer_ref: None,
        inbox_id: None,
        received_at: Timestamp(at),
    }
}

fn engine(store: Store) -> (Engine, Arc<Mutex<Store>>) {
    let shared = Arc::new(Mutex::new(store));
    let e = Engine::new(shared.clone(), EngineConfig::new("Duka", Currency::Kes)).unwrap();
    (e, shared)
}

fn filter() -> TxFilter {
    TxFilter::default()
}

#[tokio::test]
async fn a_manager_reviews_attaches_refunds_and_closes_the_day() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(&tmp.path().join("till.db")).unwrap();
    store
        .user_create("Mama", Role::Manager, "4321", "setup", Timestamp(T0))
        .unwrap();
    let s1 = sale(&mut store, 50_000, "wanjiku");
    let s2 = sale(&mut store, 30_000, "otieno");
    store
        .post_payment(
            &paybill("RKT1AAA111", &s1.number, 50_000, T0 + 1_000),
            Timestamp(T0 + 1_000),
        )
        .unwrap();
    store
        .post_payment(
            &paybill("RKT2BBB222", "NOPE-9", 20_000, T0 + 2_000),
            Timestamp(T0 + 2_000),
        )
        .unwrap();
    // An STK push that is still waiting on s2 (the customer has not answered).
    store
        .attempt_create(
            &NewAttempt {
                method: PaymentMethod::MpesaStk,
                target: TargetRef::Sale(s2.id),
                amount: Money::from_minor(30_000, Currency::Kes),
                phone: Some(Phone::parse("0712345678").unwrap()),
                account_reference: Some(s2.number.clone()),
                provider_ref: Some("ws_CO_TEST_1".into()),
            },
            Timestamp(T0 + 500),
        )
        .unwrap();
    let (e, shared) = engine(store);

    // Everything: two rows, newest first, KPIs over both.
    let page = e.transactions_page(&filter(), None, 50, "T1").unwrap();
    assert_eq!(page.rows.len(), 3);
    assert_eq!(
        page.rows[2].row_id,
        format!("a{}", page.rows[2].attempt_id.unwrap())
    );
    assert_eq!(page.rows[2].status, "pending");
    assert_eq!(page.rows[2].target.as_ref().unwrap().number, s2.number);
    assert_eq!(page.rows[2].cashier.as_deref(), Some("otieno"));
    assert_eq!(
        (page.kpis.pending_count, page.kpis.pending.minor),
        (1, 30_000)
    );
    assert_eq!(page.rows[0].receipt.as_deref(), Some("RKT2BBB222"));
    assert_eq!(page.rows[0].status, "unmatched");
    assert_eq!(page.rows[1].status, "received");
    assert_eq!(page.rows[1].target.as_ref().unwrap().number, s1.number);
    assert_eq!(page.rows[1].cashier.as_deref(), Some("wanjiku"));
    assert_eq!(page.rows[1].payer_masked.as_deref(), Some("0712***678"));
    assert_eq!(page.kpis.received.minor, 50_000);
    assert_eq!(page.kpis.received_count, 1);
    assert_eq!(page.kpis.unmatched.minor, 20_000);
    assert_eq!(page.kpis.by_method[0].method, "mpesa_paybill");
    assert_eq!(page.chart.len(), 1);
    assert_eq!(page.chart[0].amount.minor, 50_000);
    assert!(page.next.is_none());

    // Keyset paging one row at a time.
    let p1 = e.transactions_page(&filter(), None, 1, "T1").unwrap();
    let p2 = e
        .transactions_page(&filter(), p1.next.as_deref(), 1, "T1")
        .unwrap();
    assert_eq!(p2.rows[0].row_id, page.rows[1].row_id);
    let p3 = e
        .transactions_page(&filter(), p2.next.as_deref(), 1, "T1")
        .unwrap();
    assert_eq!(p3.rows[0].row_id, page.rows[2].row_id);
    // Two at a time: the attempt follows the payments across the page boundary.
    let q1 = e.transactions_page(&filter(), None, 2, "T1").unwrap();
    let q2 = e
        .transactions_page(&filter(), q1.next.as_deref(), 2, "T1")
        .unwrap();
    assert_eq!(q2.rows.len(), 1);
    assert!(q2.next.is_none());
    assert_eq!(q2.rows[0].status, "pending");
    assert_eq!(p2.kpis, p1.kpis);
    assert_eq!(
        e.transactions_page(&filter(), None, 0, "T1")
            .unwrap_err()
            .code(),
        "invalid_input"
    );

    // Free text: receipt prefix, sale number prefix, name substring, phone as typed locally.
    let find = |text: &str| {
        let f = TxFilter {
            text: Some(text.into()),
            ..filter()
        };
        e.transactions_page(&f, None, 50, "T1").unwrap().rows.len()
    };
    assert_eq!(find("rkt1"), 1);
    assert_eq!(find(&s1.number), 1);
    assert_eq!(find(&s1.number[..5]), 2);
    assert_eq!(find("kamau"), 2);
    assert_eq!(find("0712345678"), 3);
    assert_eq!(find("ws_CO_TEST"), 1);
    assert_eq!(find("nothing-like-it"), 0);
    let by = |f: TxFilter| e.transactions_page(&f, None, 50, "T1").unwrap().rows.len();
    assert_eq!(
        by(TxFilter {
            cashier: Some("wanjiku".into()),
            ..filter()
        }),
        1
    );
    assert_eq!(
        by(TxFilter {
            statuses: vec!["unmatched".into()],
            ..filter()
        }),
        1
    );
    assert_eq!(
        by(TxFilter {
            statuses: vec!["pending".into()],
            ..filter()
        }),
        1
    );
    assert_eq!(
        by(TxFilter {
            methods: vec!["card".into()],
            ..filter()
        }),
        0
    );
    assert_eq!(
        by(TxFilter {
            providers: vec!["daraja".into()],
            ..filter()
        }),
        3
    );
    assert_eq!(
        by(TxFilter {
            from_ms: Some(T0 + 1_500),
            ..filter()
        }),
        1
    );

    // Detail of the allocated payment.
    let d = e
        .transaction_detail(page.rows[1].payment_id, None, "T1")
        .unwrap();
    assert_eq!(d.target.as_ref().unwrap().status, "paid");
    assert!(d
        .references
        .iter()
        .any(|r| r.label == "M-Pesa receipt" && r.value == "RKT1AAA111"));
    assert!(d.audit.iter().any(|a| a.action == "allocated"));
    assert_eq!(d.refundable.minor, 50_000);
    assert!(!d.partial_refund);
    assert_eq!(
        e.transaction_detail(Some(999), None, "T1")
            .unwrap_err()
            .code(),
        "not_found"
    );

    // Unmatched: listed, searchable, attached with the manager's PIN only.
    let list = e.unmatched_list("").unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].reason, "unknown_reference");
    assert_eq!(e.unmatched_list("RKT2").unwrap().len(), 1);
    assert!(e.unmatched_list("RKT1").unwrap().is_empty());
    let targets = e.open_targets(&s2.number).unwrap();
    assert_eq!(targets[0].id, s2.id);
    assert!(e.open_targets("").unwrap().iter().all(|t| t.id != s1.id));
    let u = list[0].unmatched_id;
    assert_eq!(
        e.unmatched_attach(u, TargetRef::Sale(s2.id), "0000")
            .unwrap_err()
            .code(),
        "wrong_pin"
    );
    assert_eq!(
        e.unmatched_attach(u, TargetRef::Sale(s1.id), "4321")
            .unwrap_err()
            .code(),
        "target_closed"
    );
    let done = e
        .unmatched_attach(u, TargetRef::Sale(s2.id), "4321")
        .unwrap();
    assert_eq!(done.target.balance.minor, 10_000);
    assert_eq!(done.remainder.minor, 0);
    assert!(e.unmatched_list("").unwrap().is_empty());
    let after = e
        .transaction_detail(Some(list[0].payment_id), None, "T1")
        .unwrap();
    assert!(after.audit.iter().any(|a| a.actor == "Mama"));

    // Refunds: off → refunds_disabled; on → the receipt must match; a reversal with no M-Pesa
    // set up is kept as failed with its reason.
    let paid_id = page.rows[1].payment_id.unwrap();
    let refund = |receipt: &'static str, minor: i64, pin: &'static str| {
        let e = e.clone();
        async move { e.refund_request(paid_id, minor, receipt, "Mama", pin).await }
    };
    assert_eq!(
        refund("RKT1AAA111", 50_000, "4321")
            .await
            .unwrap_err()
            .code(),
        "refunds_disabled"
    );
    shared
        .lock()
        .unwrap()
        .setting_set("refunds.enabled", "on", "Mama", Timestamp(T0))
        .unwrap();
    assert_eq!(
        refund("RKT1AAA111", 50_000, "1").await.unwrap_err().code(),
        "wrong_pin"
    );
    assert_eq!(
        refund("WRONG", 50_000, "4321").await.unwrap_err().code(),
        "receipt_mismatch"
    );
    assert_eq!(
        refund("RKT1AAA111", 10_000, "4321")
            .await
            .unwrap_err()
            .code(),
        "invalid_amount"
    );
    let r = refund("RKT1AAA111", 50_000, "4321").await.unwrap();
    assert_eq!(r.state, "failed");
    assert_eq!(r.manager, "Mama");
    // The shell's refund-changed feed: from now on nothing, from the start the failed one.
    let (none, _) = e.refunds_finished_after(None).unwrap();
    assert!(none.is_empty());
    let (finished, mark) = e.refunds_finished_after(Some((0, 0))).unwrap();
    assert_eq!(finished.len(), 1);
    assert_eq!(finished[0].state, "failed");
    assert!(e.refunds_finished_after(Some(mark)).unwrap().0.is_empty());

    // X, then Z (PIN), then the next X starts at the close.
    let x = e.report_x().unwrap();
    assert_eq!(x.kind, "x");
    assert_eq!(x.total.minor, 70_000);
    assert_eq!(x.by_cashier.len(), 2);
    assert_eq!(x.unmatched_count, 0);
    assert_eq!(e.report_z(0, "9").unwrap_err().code(), "wrong_pin");
    let z = e.report_z(0, "4321").unwrap();
    assert_eq!(z.z_number, Some(1));
    assert_eq!(z.cash_difference.unwrap().minor, 0);
    let x2 = e.report_x().unwrap();
    assert_eq!(x2.from_ms, z.to_ms);
    assert_eq!(x2.total.minor, 0);
    assert_eq!(e.report_z_get(None).unwrap(), z);
}

#[test]
fn a_hundred_thousand_payments_export_page_by_page() {
    let tmp = tempfile::tempdir().unwrap();
    let options = OpenOptions {
        durability: Durability::Normal,
        ..OpenOptions::default()
    };
    let mut store = Store::open_with(&tmp.path().join("till.db"), options).unwrap();
    let total = 100_000;
    for batch in 0..(total / 5_000) {
        let list: Vec<Confirmation> = (0..5_000)
            .map(|i| {
                let n = batch * 5_000 + i;
                paybill(&format!("R{n:09}"), "NOBODY", 100 + n, T0 + n * 1_000)
            })
            .collect();
        store.post_payments(&list, Timestamp(T0)).unwrap();
    }
    let (e, _) = engine(store);
    let path = tmp.path().join("exports").join("all.csv");
    let done = e.transactions_export_csv(&filter(), &path, "T1").unwrap();
    assert_eq!(done.rows, total as u64);
    assert!(done.pages >= total as u64 / EXPORT_PAGE as u64);
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), total as usize + 1);
    assert!(lines[0].starts_with("date,time,row_id,method"));
    // Newest first; amounts as decimal text.
    assert!(lines[1].contains("R000099999"));
    assert!(lines[1].contains(",1000.99,0.00,KES,"));
}
