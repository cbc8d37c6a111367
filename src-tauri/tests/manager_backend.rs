//! The manager views through the shell's backend in training mode, without a window: a
//! Paybill payment with a wrong account lands in unmatched receipts, the manager finds it in
//! the transactions list, attaches it to its sale with the PIN, exports the list to CSV,
//! and runs an X report, a Z report and their PDFs; refunds are refused while turned off.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use malipo_app::backend::Backend;
use malipo_app::manager::TargetArg;
use malipo_app::till::{now, Till};
use malipo_engine::manager::TxFilter;

type Events = Arc<Mutex<Vec<(String, serde_json::Value)>>>;

async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_places_stray_money_exports_and_closes_the_day() {
    malipo_app::init_tracing();
    let tmp = tempfile::tempdir().unwrap();
    let till = Till::open(tmp.path(), now()).unwrap();
    let mut backend = Backend::start(till, tmp.path()).await.unwrap();
    let events: Events = Arc::default();
    let seen = events.clone();
    backend.forward(Arc::new(move |name: &str, payload| {
        seen.lock().unwrap().push((name.to_owned(), payload));
    }));

    backend.login("Cashier", "0000").unwrap();
    backend.cart_add("SUG-2KG", 1).unwrap();
    let sale = backend.checkout().unwrap();
    let total = sale.total.minor;
    // A cashier may not open the manager views.
    let all = TxFilter::default();
    assert_eq!(
        backend.transactions_page(&all, None, 50).unwrap_err().code,
        "not_permitted"
    );

    // The customer pays the Paybill with an account that names nothing.
    backend
        .training_customer("pay_paybill", None, None, Some(total), Some("NOPE-1"))
        .await
        .unwrap();
    eventually("the payment is unmatched", || {
        backend.incoming_list().map(|l| l.len()).unwrap_or(0) == 1
    })
    .await;
    eventually("transactions-changed", || {
        events
            .lock()
            .unwrap()
            .iter()
            .any(|(n, p)| n == "transactions-changed" && p.is_null())
    })
    .await;

    backend.manager_unlock("1234").unwrap();
    let page = backend.transactions_page(&all, None, 50).unwrap();
    assert_eq!(page.rows.len(), 1);
    assert_eq!(page.rows[0].status, "unmatched");
    assert_eq!(page.kpis.unmatched.minor, total);
    let json = serde_json::to_value(&page).unwrap();
    assert_eq!(json["rows"][0]["amount"]["currency"], "KES");
    assert!(json["next"].is_null());

    let list = backend.unmatched_list("").unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].account_reference.as_deref(), Some("NOPE-1"));
    let targets = backend.open_targets(&sale.number).unwrap();
    assert_eq!(targets[0].id, sale.sale_id);
    let target = TargetArg {
        kind: "sale".into(),
        id: sale.sale_id,
    };
    assert_eq!(
        backend
            .unmatched_attach(list[0].unmatched_id, &target, "9999")
            .unwrap_err()
            .code,
        "wrong_pin"
    );
    let done = backend
        .unmatched_attach(list[0].unmatched_id, &target, "1234")
        .unwrap();
    assert_eq!(done.target.balance.minor, 0);
    assert!(backend.unmatched_list("").unwrap().is_empty());
    let detail = backend
        .transaction_detail(page.rows[0].payment_id, None)
        .unwrap();
    assert_eq!(detail.row.status, "received");
    assert!(detail.raw_event.is_some());
    assert!(detail.audit.iter().any(|a| a.actor == "Manager"));

    // Export: the file holds exactly the rows shown.
    let export = backend.transactions_export_csv(&all).unwrap();
    assert_eq!(export.rows, 1);
    assert!(export.path.contains("exports"));
    let csv = std::fs::read_to_string(&export.path).unwrap();
    assert_eq!(csv.lines().count(), 2);
    assert!(csv.contains(&sale.number));

    // Refunds are off in a new shop.
    let receipt = page.rows[0].receipt.clone().unwrap();
    assert_eq!(
        backend
            .refund_request(
                page.rows[0].payment_id.unwrap(),
                total,
                &receipt,
                "Manager",
                "1234"
            )
            .await
            .unwrap_err()
            .code,
        "refunds_disabled"
    );

    // X, Z, then PDFs of both; printing says the printer is offline.
    let x = backend.report_x().unwrap();
    assert_eq!(x.total.minor, total);
    assert_eq!(backend.report_z(0, "0000").unwrap_err().code, "wrong_pin");
    let z = backend.report_z(total, "1234").unwrap();
    assert_eq!(z.z_number, Some(1));
    assert_eq!(z.cash_difference.unwrap().minor, total);
    assert_eq!(backend.report_x().unwrap().total.minor, 0);
    for (kind, n) in [("x", None), ("z", Some(1)), ("z", None)] {
        let pdf = backend.report_pdf(kind, n).unwrap();
        assert!(pdf.path.contains("reports"));
        assert!(std::fs::read(&pdf.path).unwrap().starts_with(b"%PDF"));
    }
    assert_eq!(
        backend.report_pdf("z", Some(7)).unwrap_err().code,
        "not_found"
    );
    assert_eq!(
        backend.report_print("x", None).unwrap_err().code,
        "printer_offline"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_issues_an_invoice_and_asks_for_a_card_link() {
    use base64::Engine as _;
    use malipo_engine::manager::{
        ControlNumberItem, CustomerInput, ImportRow, InvoiceDraftInput, InvoiceLineInput,
    };

    malipo_app::init_tracing();
    let tmp = tempfile::tempdir().unwrap();
    let till = Till::open(tmp.path(), now()).unwrap();
    let backend = Backend::start(till, tmp.path()).await.unwrap();
    backend.login("Manager", "1234").unwrap();
    let customer = backend
        .customer_save(&CustomerInput {
            customer_id: None,
            name: "Shule ya Msingi".into(),
            phone: Some("0712345678".into()),
            email: Some("bursar@example.com".into()),
        })
        .unwrap();
    let draft = backend
        .invoice_save_draft(&InvoiceDraftInput {
            invoice_id: None,
            customer_id: Some(customer.customer_id),
            due_date: Some("2026-12-31".into()),
            mode: "partial".into(),
            lines: vec![InvoiceLineInput {
                description: "Fees".into(),
                qty: 1,
                unit_price_minor: 150_000,
            }],
            note: String::new(),
        })
        .unwrap();
    let issued = backend.invoice_issue(draft.invoice_id).unwrap();
    assert_eq!(issued.status, "issued");
    assert_eq!(issued.paybill.as_deref(), Some("174379"));
    let json = serde_json::to_value(&issued).unwrap();
    assert_eq!(json["total"]["minor"], 150_000);
    assert!(json["control_number"].is_null());

    let link = backend
        .invoice_card_link(draft.invoice_id, 50_000, None)
        .await
        .unwrap();
    assert!(link.url.starts_with("http"));
    assert!(!link.reference.is_empty());
    let png = base64::engine::general_purpose::STANDARD
        .decode(&link.qr_png_base64)
        .unwrap();
    assert!(png.starts_with(&[0x89, b'P', b'N', b'G']));
    // BillPay is not set up in training (and ClickPesa takes TZS, the training shop KES):
    // refused before anything is created.
    assert_eq!(
        backend
            .invoice_billpay(draft.invoice_id)
            .await
            .unwrap_err()
            .code,
        "not_configured"
    );
    let item = ControlNumberItem {
        description: "School fees Term 1".into(),
        amount_minor: 1_500_000,
        mode: "partial".into(),
    };
    assert_eq!(
        backend
            .control_numbers_create(customer.customer_id, &[item])
            .await
            .unwrap_err()
            .code,
        "not_configured"
    );
    let row = |line: i64, name: &str, phone: Option<&str>, amount: i64| ImportRow {
        line,
        name: name.into(),
        phone: phone.map(Into::into),
        email: None,
        description: "Membership 2027".into(),
        amount_minor: amount,
        mode: String::new(),
    };
    // Each row on its own: a bad phone or amount says so, the others say BillPay is missing.
    let result = backend
        .control_numbers_import(&[
            row(2, "Shule ya Msingi", Some("0712345678"), 100_000),
            row(3, "Otieno", Some("0799"), 100_000),
            row(4, "Akinyi", None, 0),
        ])
        .await
        .unwrap();
    assert_eq!((result.created, result.customers_created), (0, 0));
    let codes: Vec<&str> = result
        .rows
        .iter()
        .map(|r| r.error.as_ref().unwrap().code.as_str())
        .collect();
    assert_eq!(codes, ["not_configured", "invalid_phone", "invalid_amount"]);
    assert!(backend
        .customer_detail(customer.customer_id)
        .unwrap()
        .control_numbers
        .is_empty());
    // The invoice's PDF, with the Paybill instructions.
    let pdf = backend.invoice_pdf(draft.invoice_id).unwrap();
    assert!(pdf.path.contains("exports"));
    assert!(std::fs::read(&pdf.path).unwrap().starts_with(b"%PDF"));
    let unissued = backend
        .invoice_save_draft(&InvoiceDraftInput {
            invoice_id: None,
            customer_id: None,
            due_date: None,
            mode: "exact".into(),
            lines: Vec::new(),
            note: String::new(),
        })
        .unwrap();
    assert_eq!(
        backend.invoice_pdf(unissued.invoice_id).unwrap_err().code,
        "invalid_input"
    );

    let shule = &backend.customers_list("shule").unwrap()[0];
    assert_eq!(shule.control_numbers, 0);
    assert_eq!(shule.balance.minor, 150_000);
    assert_eq!(backend.customers_list("").unwrap().len(), 1);
}
