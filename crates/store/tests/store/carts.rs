//! Carts survive a restart; sale and invoice numbers are gap-free.

use malipo_core::{Cart, Currency, PaymentMode, SaleDraft};
use malipo_store::{CartStatus, NewSale, Store};

use crate::{catalogue, invoice, sale, T0};

#[test]
fn a_cart_survives_closing_and_reopening_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("till.db");
    let cat = catalogue();
    let mut cart = Cart::new(Currency::Kes);
    cart.add(&cat, "SUGAR", 2).unwrap();
    let id = {
        let mut store = Store::open(&path).unwrap();
        let id = store.cart_save(None, "T1", &cart, T0).unwrap();
        cart.add(&cat, "BREAD", 1).unwrap();
        store
            .cart_save(Some(id), "T1", &cart, T0.plus_ms(1))
            .unwrap();
        id
        // dropped without any shutdown step, as in a crash
    };
    let store = Store::open(&path).unwrap();
    let active = store.carts_active("T1").unwrap();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].id, id);
    assert_eq!(active[0].cart, cart, "every line and quantity comes back");
    assert!(store.carts_active("T2").unwrap().is_empty());
}

#[test]
fn held_carts_are_recalled_and_a_sale_closes_its_cart() {
    let (_d, mut store) = crate::file_store();
    let cat = catalogue();
    let mut c1 = Cart::new(Currency::Kes);
    c1.add(&cat, "SUGAR", 1).unwrap();
    let id1 = store.cart_save(None, "T1", &c1, T0).unwrap();
    store
        .cart_set_status(id1, CartStatus::Held, Some("Mama Njeri"), T0)
        .unwrap();
    let mut c2 = Cart::new(Currency::Kes);
    c2.add(&cat, "BREAD", 1).unwrap();
    let id2 = store.cart_save(None, "T1", &c2, T0.plus_ms(5)).unwrap();
    let active = store.carts_active("T1").unwrap();
    assert_eq!(
        active.iter().map(|c| (c.id, c.status)).collect::<Vec<_>>(),
        vec![(id2, CartStatus::Open), (id1, CartStatus::Held)]
    );
    let draft = SaleDraft::from_cart(&c2).unwrap();
    store
        .sale_create(
            &NewSale {
                till_prefix: "T1",
                cashier: "aisha",
                draft: &draft,
                cart_id: Some(id2),
            },
            T0,
        )
        .unwrap();
    assert_eq!(
        store.cart_get(id2).unwrap().unwrap().status,
        CartStatus::Closed
    );
    assert_eq!(store.carts_active("T1").unwrap().len(), 1);
    assert!(
        store.cart_save(Some(id2), "T1", &c2, T0).is_err(),
        "a closed cart is not written again"
    );
}

#[test]
fn sale_numbers_are_gap_free_per_till_and_invoices_share_one_sequence() {
    let (_d, mut store) = crate::file_store();
    let numbers: Vec<String> = (0..3).map(|_| sale(&mut store, 100).number).collect();
    assert_eq!(numbers, ["T1-000001", "T1-000002", "T1-000003"]);
    let mut cart = Cart::new(Currency::Kes);
    cart.add(&catalogue(), "ONE", 1).unwrap();
    let draft = SaleDraft::from_cart(&cart).unwrap();
    let t2 = store
        .sale_create(
            &NewSale {
                till_prefix: "T2",
                cashier: "juma",
                draft: &draft,
                cart_id: None,
            },
            T0,
        )
        .unwrap();
    assert_eq!(t2.number, "T2-000001");
    // A failed creation (its cart does not exist) rolls back and gives its number back.
    let bad = NewSale {
        till_prefix: "T1",
        cashier: "aisha",
        draft: &draft,
        cart_id: Some(999),
    };
    assert!(store.sale_create(&bad, T0).is_err());
    assert_eq!(
        sale(&mut store, 100).number,
        "T1-000004",
        "no gap after a rolled-back sale"
    );
    assert_eq!(invoice(&mut store, 100, PaymentMode::Exact).1, "INV-000001");
    assert_eq!(invoice(&mut store, 100, PaymentMode::Exact).1, "INV-000002");
}
