//! Invoices and customers on the manager screens, on a real store file: a customer saved
//! (phone and email checked), a draft edited then issued, a partial then a final Paybill
//! payment against its number, void refused once paid, the invoice list by status.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use malipo_core::{Currency, Money, PaymentMethod, Phone, Timestamp};
use malipo_engine::manager::{CustomerInput, InvoiceDraftInput, InvoiceLineInput};
use malipo_engine::{Engine, EngineConfig};
use malipo_store::{Confirmation, Role, Store};

fn paybill(receipt: &str, reference: &str, minor: i64) -> Confirmation {
    Confirmation {
        method: PaymentMethod::MpesaPaybill,
        provider_txn_id: Some(receipt.into()),
        attempt_ref: None,
        account_reference: Some(reference.into()),
        amount: Money::from_minor(minor, Currency::Kes),
        payer_phone: Some(Phone::parse("0712345678").unwrap()),
        payer_name: Some("WANJIKU".into()),
        payer_ref: None,
        inbox_id: None,
        received_at: Timestamp(1_764_000_000_000),
    }
}

fn line(description: &str, qty: i64, unit: i64) -> InvoiceLineInput {
    InvoiceLineInput {
        description: description.into(),
        qty,
        unit_price_minor: unit,
    }
}

#[test]
fn an_invoice_is_drafted_issued_paid_in_two_parts_and_cannot_be_voided() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(&tmp.path().join("till.db")).unwrap();
    store
        .user_create("Mama", Role::Manager, "4321", "setup", Timestamp(1))
        .unwrap();
    let shared = Arc::new(Mutex::new(store));
    let e = Engine::new(shared.clone(), EngineConfig::new("Duka", Currency::Kes)).unwrap();

    // Customers.
    let input = |name: &str, phone: Option<&str>, email: Option<&str>| CustomerInput {
        customer_id: None,
        name: name.into(),
        phone: phone.map(Into::into),
        email: email.map(Into::into),
    };
    assert_eq!(
        e.customer_save(&input("", None, None), "Mama")
            .unwrap_err()
            .code(),
        "invalid_input"
    );
    assert_eq!(
        e.customer_save(&input("W", Some("12"), None), "Mama")
            .unwrap_err()
            .code(),
        "invalid_phone"
    );
    assert_eq!(
        e.customer_save(&input("W", None, Some("no-at")), "Mama")
            .unwrap_err()
            .code(),
        "invalid_input"
    );
    let c = e
        .customer_save(
            &input("Wanjiku Kamau", Some("0712 345 678"), Some("w@example.com")),
            "Mama",
        )
        .unwrap();
    assert_eq!(c.phone.as_deref(), Some("254712345678"));
    let renamed = e
        .customer_save(
            &CustomerInput {
                customer_id: Some(c.customer_id),
                ..input("Wanjiku K.", Some("0712345678"), None)
            },
            "Mama",
        )
        .unwrap();
    assert_eq!(renamed.customer_id, c.customer_id);
    assert_eq!(e.customers_list("wanj").unwrap().len(), 1);
    assert!(e.customers_list("otieno").unwrap().is_empty());
    assert_eq!(
        e.customer_detail(c.customer_id).unwrap().customer.name,
        "Wanjiku K."
    );

    // A draft: empty at first (cannot be issued), then filled in.
    let mut draft = InvoiceDraftInput {
        invoice_id: None,
        customer_id: None,
        due_date: None,
        mode: "partial".into(),
        lines: Vec::new(),
        note: String::new(),
    };
    let v = e.invoice_save_draft(&draft).unwrap();
    assert_eq!(v.status, "draft");
    assert!(v.number.is_none());
    assert_eq!(
        e.invoice_issue(v.invoice_id, "Mama").unwrap_err().code(),
        "invalid_input"
    );
    draft.invoice_id = Some(v.invoice_id);
    draft.customer_id = Some(c.customer_id);
    draft.due_date = Some("2026-12-31".into());
    draft.note = "Term 1".into();
    draft.lines = vec![line("Uniform", 2, 5_000), line("Books", 1, 10_000)];
    assert_eq!(
        e.invoice_save_draft(&InvoiceDraftInput {
            lines: vec![line("x", 0, 1)],
            ..draft.clone()
        })
        .unwrap_err()
        .code(),
        "invalid_input"
    );
    let v = e.invoice_save_draft(&draft).unwrap();
    assert_eq!(v.total.minor, 20_000);
    assert_eq!(v.lines.len(), 2);
    assert_eq!(v.customer.as_ref().unwrap().name, "Wanjiku K.");
    assert_eq!(v.note, "Term 1");

    let issued = e.invoice_issue(v.invoice_id, "Mama").unwrap();
    let number = issued.number.clone().unwrap();
    assert_eq!(issued.status, "issued");
    assert!(issued.issued_ms.is_some());
    assert_eq!(
        e.invoice_save_draft(&draft).unwrap_err().code(),
        "invoice_not_draft"
    );

    // A partial, then the final Paybill payment with the invoice number as the account.
    let (none, mark) = e.invoices_changed_after(None).unwrap();
    assert!(none.is_empty());
    shared
        .lock()
        .unwrap()
        .post_payment(&paybill("RKA1", &number, 5_000), Timestamp(2))
        .unwrap();
    let v = e.invoice_detail(v.invoice_id).unwrap();
    assert_eq!(v.status, "part_paid");
    // The shell's invoice-changed feed sees the allocation once.
    let (changed, mark) = e.invoices_changed_after(Some(mark)).unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].invoice_id, v.invoice_id);
    assert_eq!(changed[0].paid.minor, 5_000);
    assert!(e.invoices_changed_after(Some(mark)).unwrap().0.is_empty());
    assert_eq!((v.paid.minor, v.balance.minor), (5_000, 15_000));
    assert_eq!(e.customers_list("").unwrap()[0].balance.minor, 15_000);
    shared
        .lock()
        .unwrap()
        .post_payment(&paybill("RKA2", &number, 15_000), Timestamp(3))
        .unwrap();
    let v = e.invoice_detail(v.invoice_id).unwrap();
    assert_eq!(v.status, "paid");
    assert_eq!(v.balance.minor, 0);
    assert_eq!(v.payments.len(), 2);
    assert_eq!(v.payments[1].receipt.as_deref(), Some("RKA2"));

    // Void: the PIN first, and never once paid; an unpaid issued invoice voids.
    assert_eq!(
        e.invoice_void(v.invoice_id, "0000").unwrap_err().code(),
        "wrong_pin"
    );
    assert_eq!(
        e.invoice_void(v.invoice_id, "4321").unwrap_err().code(),
        "invoice_has_payments"
    );
    let other = e
        .invoice_save_draft(&InvoiceDraftInput {
            invoice_id: None,
            ..draft.clone()
        })
        .unwrap();
    e.invoice_issue(other.invoice_id, "Mama").unwrap();
    assert_eq!(
        e.invoice_void(other.invoice_id, "4321").unwrap().status,
        "void"
    );

    // The list by shown status and by number.
    assert_eq!(e.invoices_list(Some("paid"), "").unwrap().len(), 1);
    assert_eq!(e.invoices_list(Some("void"), "").unwrap().len(), 1);
    assert_eq!(e.invoices_list(None, "").unwrap().len(), 2);
    assert_eq!(
        e.invoices_list(None, &number).unwrap()[0].number.as_deref(),
        Some(number.as_str())
    );
    assert_eq!(e.invoice_detail(999).unwrap_err().code(), "not_found");
}
