//! The store's behaviour tests: one binary, one module per concern, named as behaviours.

// Tests unwrap: a panic is a failed test with its location.
#![allow(clippy::unwrap_used)]

mod carts;
mod concurrency;
mod crash;
mod dashboard;
mod ledger_props;
mod manager_rollup;
mod migrations;
mod posting;
mod stk_twins;
mod users_audit;

use malipo_core::{
    Cart, Catalogue, Currency, Customer, InvoiceDraft, Item, Money, PaymentMethod, PaymentMode,
    SaleDraft, TaxClass, Timestamp, VatBreakdown,
};
use malipo_store::{Confirmation, NewSale, OpenOptions, Store};

pub const T0: Timestamp = Timestamp(1_764_000_000_000);

pub fn kes(minor: i64) -> Money {
    Money::from_minor(minor, Currency::Kes)
}

/// A store on a real file in a fresh temporary directory (kept alive by the returned guard).
pub fn file_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with(&dir.path().join("till.db"), OpenOptions::default()).unwrap();
    (dir, store)
}

pub fn catalogue() -> Catalogue {
    let item = |sku: &str, p: i64| Item {
        sku: sku.into(),
        barcode: None,
        name: sku.into(),
        price: kes(p),
        tax_class: TaxClass::Standard,
    };
    Catalogue::new(
        Currency::Kes,
        vec![
            item("ONE", 100),
            item("SUGAR", 25_000),
            item("BREAD", 6_500),
        ],
    )
    .unwrap()
}

/// An open sale of `total_minor` (made of `total_minor` × the 1.00 item).
pub fn sale(store: &mut Store, total_minor: i64) -> malipo_store::SaleRow {
    sale_by(store, total_minor, "aisha")
}

/// [`sale`] rung up by `cashier`.
pub fn sale_by(store: &mut Store, total_minor: i64, cashier: &str) -> malipo_store::SaleRow {
    let mut cart = Cart::new(Currency::Kes);
    cart.add(&catalogue(), "ONE", total_minor / 100).unwrap();
    let draft = SaleDraft::from_cart(&cart).unwrap();
    store
        .sale_create(
            &NewSale {
                till_prefix: "T1",
                cashier,
                draft: &draft,
                cart_id: None,
            },
            T0,
        )
        .unwrap()
}

/// An issued invoice of `total_minor` in `mode`; returns (id, number).
pub fn invoice(store: &mut Store, total_minor: i64, mode: PaymentMode) -> (i64, String) {
    let draft = InvoiceDraft {
        customer: Customer {
            name: "Shule ya Upendo".into(),
            phone: None,
            email: None,
        },
        currency: Currency::Kes,
        lines: vec![],
        total: kes(total_minor),
        vat: VatBreakdown::from_gross(Currency::Kes, [(TaxClass::Exempt, kes(total_minor))])
            .unwrap(),
        due_date: "2026-12-31".into(),
        payment_mode: mode,
    };
    let id = store.invoice_create_draft(&draft, T0).unwrap();
    let number = store.invoice_issue(id, "manager", T0).unwrap();
    (id, number)
}

/// A confirmation with a receipt number and nothing else.
pub fn conf(method: PaymentMethod, txn: &str, minor: i64) -> Confirmation {
    Confirmation {
        method,
        provider_txn_id: Some(txn.into()),
        attempt_ref: None,
        account_reference: None,
        amount: kes(minor),
        payer_phone: None,
        payer_name: None,
        payer_ref: None,
        inbox_id: None,
        received_at: T0,
    }
}
