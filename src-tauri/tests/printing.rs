//! A paid sale's receipt prints by itself, once: with no printer set up (training) the
//! ESC/POS bytes go to `printer/receipts.escpos` in the data directory with a text copy, and
//! `receipt_print` reprints on demand.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use malipo_app::backend::Backend;
use malipo_app::till::{now, Till};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paid_sale_prints_its_receipt_once_and_reprints_on_demand() {
    let tmp = tempfile::tempdir().unwrap();
    let till = Till::open(tmp.path(), now()).unwrap();
    let mut backend = Backend::start(till, tmp.path()).await.unwrap();
    backend.forward(Arc::new(|_: &str, _| {}));
    backend.login("Cashier", "0000").unwrap();
    backend.cart_add("SUG-2KG", 1).unwrap();
    let sale = backend.checkout().unwrap();
    backend.pay_cash(sale.sale_id, 25_000, 30_000).unwrap();

    let text = tmp.path().join("printer").join("receipts.txt");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(&text).is_ok_and(|t| t.contains(&sale.number)) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the receipt printed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let escpos = std::fs::read(tmp.path().join("printer").join("receipts.escpos")).unwrap();
    assert_eq!(
        &escpos[..2],
        b"\x1b@",
        "ESC @ starts a job a printer accepts"
    );
    let printed = std::fs::read_to_string(&text).unwrap();
    assert!(printed.contains("250.00"), "{printed}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let once = std::fs::read_to_string(&text)
        .unwrap()
        .matches(&sale.number)
        .count();

    backend.receipt_print(sale.sale_id).unwrap();
    let twice = std::fs::read_to_string(&text)
        .unwrap()
        .matches(&sale.number)
        .count();
    assert_eq!(twice, once * 2, "a reprint adds the same receipt again");
}
