//! Migrations run on open; a database from a newer Malipo is refused with a clear error.

use malipo_store::{Store, StoreError, SCHEMA_VERSION};

#[test]
fn an_empty_or_older_file_is_brought_up_to_date_and_reopening_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        // A database as an older (pre-schema) build left it: a file with user_version 0.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA user_version = 0; CREATE TABLE legacy_note (x TEXT); INSERT INTO legacy_note VALUES ('kept');").unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    store
        .setting_set("shop.name", "Duka la Mama", "setup", crate::T0)
        .unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.setting_get("shop.name").unwrap().as_deref(),
        Some("Duka la Mama")
    );
    let conn = rusqlite::Connection::open(&path).unwrap();
    let note: String = conn
        .query_row("SELECT x FROM legacy_note", [], |r| r.get(0))
        .unwrap();
    assert_eq!(note, "kept", "upgrading never drops what was there");
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    drop(Store::open(&path).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(&format!("PRAGMA user_version = {}", SCHEMA_VERSION + 1))
        .unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::NewerSchema { found, supported } if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION)
    );
    assert!(err.to_string().contains("newer version of Malipo"), "{err}");
}

#[test]
fn foreign_keys_are_enforced() {
    let (_d, mut store) = crate::file_store();
    let mut c = crate::conf(malipo_core::PaymentMethod::Cash, "CASH-1", 100);
    c.inbox_id = Some(12345);
    assert!(
        store.post_payment(&c, crate::T0).is_err(),
        "a payment cannot name a missing inbox event"
    );
    assert!(
        store.check().unwrap().is_empty(),
        "and nothing of it was kept"
    );
}

/// Migrations 6 to 8 build the manager's ledger copy, its rollup, the attempts' paid mark and
/// the text index from what a till already has: received, unmatched, attached, refunded and
/// reversed money all land in their status, and are found by their text.
#[test]
fn the_manager_ledger_is_built_from_an_older_databases_payments() {
    use malipo_core::{PaymentMethod, TargetRef};
    use malipo_store::{ChartSpan, PaymentSearch, RefundKind, RefundRequest};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v5.db");
    {
        let mut store = Store::open(&path).unwrap();
        let s = crate::sale_by(&mut store, 5_000, "juma");
        let mut paid = crate::conf(PaymentMethod::MpesaPaybill, "QA1", 5_000);
        paid.account_reference = Some(s.number.clone());
        let paid = store.post_payment(&paid, crate::T0).unwrap().payment_id();
        let mut stray = crate::conf(PaymentMethod::MpesaPaybill, "QA2", 700);
        stray.account_reference = Some("NOPE".into());
        store.post_payment(&stray, crate::T0).unwrap();
        let mut later = crate::conf(PaymentMethod::MpesaTill, "QA3", 900);
        later.account_reference = Some("NOPE".into());
        store.post_payment(&later, crate::T0).unwrap();
        let open = store.unmatched_open(10).unwrap();
        let placed = open.iter().find(|u| u.open_amount.minor == 900).unwrap();
        let s2 = crate::sale_by(&mut store, 900, "aisha");
        store
            .attach_unmatched(placed.id, TargetRef::Sale(s2.id), "clerk", crate::T0)
            .unwrap();
        let r = store
            .refund_request(
                &RefundRequest {
                    payment_id: paid,
                    target: Some(TargetRef::Sale(s.id)),
                    amount: crate::kes(5_000),
                    kind: RefundKind::Reversal,
                    actor: "boss",
                },
                crate::T0,
            )
            .unwrap();
        store.refund_complete(r.id, None, crate::T0).unwrap();
        // An STK charge that was paid, and one still waiting.
        let s3 = crate::sale_by(&mut store, 300, "aisha");
        crate::posting::stk_attempt(
            &mut store,
            TargetRef::Sale(s3.id),
            300,
            &s3.number,
            "ws_CO_1",
        );
        store
            .post_payment(&crate::posting::stk(Some("QA4"), "ws_CO_1", 300), crate::T0)
            .unwrap();
        let s4 = crate::sale_by(&mut store, 400, "aisha");
        crate::posting::stk_attempt(
            &mut store,
            TargetRef::Sale(s4.id),
            400,
            &s4.number,
            "ws_CO_2",
        );
    }
    {
        // Back to version 5 (no migrations 6 to 8): what a till on the previous release has.
        let conn = rusqlite::Connection::open(&path).unwrap();
        let objects: Vec<(String, String)> = conn
            .prepare(
                "SELECT type, name FROM sqlite_schema WHERE type IN ('trigger', 'view', 'table')
                 AND (name LIKE 'payment_ledger%' OR name LIKE 'ledger_rollup%'
                      OR name LIKE 'payment_text%')",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(objects.len() >= 10, "{objects:?}");
        for (kind, name) in objects.iter().filter(|(k, _)| k != "table") {
            conn.execute_batch(&format!("DROP {} {name}", kind.to_uppercase()))
                .unwrap();
        }
        conn.execute_batch(
            "DROP TABLE payment_ledger; DROP TABLE ledger_rollup; DROP TABLE payment_text; DROP TABLE payment_text_queue;
             DROP TRIGGER payment_attempts_paid; DROP TRIGGER payment_attempts_paid_later;
             DROP INDEX payment_attempts_moneyless; ALTER TABLE payment_attempts DROP COLUMN paid;
             PRAGMA user_version = 5",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.check().unwrap(), Vec::<String>::new());
    let all = PaymentSearch::default();
    let totals = store.payments_search_totals(&all).unwrap();
    assert_eq!(totals, store.payments_search_totals_scan(&all).unwrap());
    let seen: Vec<(&str, i64, i64)> = totals
        .iter()
        .map(|t| (t.ledger.code(), t.count, t.amount_minor))
        .collect();
    // By method code (mpesa_paybill, mpesa_stk, mpesa_till), then status.
    assert_eq!(
        seen,
        vec![
            ("refunded", 1, 5_000),
            ("unmatched", 1, 700),
            ("received", 1, 300),
            ("received", 1, 900)
        ]
    );
    let waiting = malipo_store::AttemptSearch {
        pending: true,
        failed: true,
        ..Default::default()
    };
    assert_eq!(
        store.attempts_search_totals(&waiting).unwrap(),
        (1, 400, 0, 0),
        "the paid charge is shown as its payment, the waiting one as waiting"
    );
    assert_eq!(
        store.payments_search_chart(&all, ChartSpan::Day).unwrap(),
        store
            .payments_search_chart_scan(&all, ChartSpan::Day)
            .unwrap()
    );
    let page = store.payments_search(&all, 10, None).unwrap();
    assert_eq!(page, store.payments_search_scan(&all, 10, None).unwrap());
    for (text, found) in [("qa3", 1), ("T1-", 3), ("nothing like it", 0)] {
        let search = PaymentSearch {
            text: Some(text.into()),
            ..PaymentSearch::default()
        };
        let page = store.payments_search(&search, 10, None).unwrap();
        assert_eq!(page.len(), found, "{text}: the text index was built");
        assert_eq!(page, store.payments_search_scan(&search, 10, None).unwrap());
    }
    let cashiers: Vec<Option<&str>> = page.iter().map(|f| f.cashier.as_deref()).collect();
    assert_eq!(
        cashiers,
        vec![Some("aisha"), Some("aisha"), None, Some("juma")]
    );
}
