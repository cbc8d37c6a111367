//! The shop's Till window decides matching: a Till (Buy Goods) confirmation posts to the one
//! sale waiting for its amount only when it arrives within `EngineConfig::till_window` of the
//! wait; later, it waits as an incoming payment for the cashier to claim.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use malipo_core::{Cart, Catalogue, Currency, Money, SaleDraft, Timestamp};
use malipo_engine::{Engine, EngineConfig};
use malipo_store::{NewSale, PostOutcome, Store};

/// 2026-11-25 07:20:00 UTC, 10:20:00 in Nairobi (M-Pesa's `TransTime` is Nairobi time).
const WAIT_AT: i64 = 1_795_591_200_000;
static NOW: AtomicI64 = AtomicI64::new(WAIT_AT);

fn clock() -> Timestamp {
    Timestamp(NOW.load(Ordering::SeqCst))
}

/// A Till payment made `late_by_s` seconds (under an hour) after 10:20:00 Nairobi time.
fn till_payment(receipt: &str, late_by_s: u64) -> String {
    let (m, s) = (20 + late_by_s / 60, late_by_s % 60);
    assert!(m < 60, "keep the test inside the hour");
    format!(
        r#"{{"TransactionType":"Buy Goods","TransID":"{receipt}","TransTime":"2026112510{m:02}{s:02}","TransAmount":"250.00","BusinessShortCode":"600200","BillRefNumber":"","InvoiceNumber":"","OrgAccountBalance":"25.00","ThirdPartyTransID":"","MSISDN":"2547 ***** 149","FirstName":"AMINA","MiddleName":"","LastName":""}}"#
    )
}

/// A sale of KES 250 waiting for a Till payment since `WAIT_AT`, under an engine whose Till
/// window is `window`; then a Till payment of that amount received `late_by` after the wait.
fn till_payment_after(window: Duration, late_by: Duration, receipt: &str) -> PostOutcome {
    let store = Arc::new(Mutex::new(Store::open_in_memory().unwrap()));
    let mut config = EngineConfig::new("Duka", Currency::Kes);
    config.till_window = window;
    let engine = Engine::with_clock(store.clone(), config, clock).unwrap();
    let sale = {
        let catalogue = Catalogue::from_json(
            r#"{"currency":"KES","items":[{"sku":"X","barcode":null,"name":"Thing","price":{"minor":25000,"currency":"KES"},"tax_class":"standard"}]}"#,
        )
        .unwrap();
        let mut cart = Cart::new(Currency::Kes);
        cart.add(&catalogue, "X", 1).unwrap();
        let draft = SaleDraft::from_cart(&cart).unwrap();
        store
            .lock()
            .unwrap()
            .sale_create(
                &NewSale {
                    till_prefix: "T1",
                    cashier: "wanjiku",
                    draft: &draft,
                    cart_id: None,
                },
                Timestamp(WAIT_AT - 1_000),
            )
            .unwrap()
    };
    engine
        .till_wait(sale.id, Money::from_minor(25_000, Currency::Kes))
        .unwrap();
    let received = WAIT_AT + i64::try_from(late_by.as_millis()).unwrap();
    let body = till_payment(receipt, late_by.as_secs());
    let event = support::received(
        &store,
        ("daraja", "c2b-confirm"),
        "{}",
        &body,
        Timestamp(received),
    );
    match engine.process_event(&event).unwrap() {
        malipo_engine::Processed::Posted(outcome) => outcome,
        other => panic!("the Till payment was not posted: {other:?}"),
    }
}

#[test]
fn a_till_payment_inside_the_shops_window_posts_to_the_waiting_sale() {
    let outcome = till_payment_after(
        Duration::from_secs(2 * 60),
        Duration::from_secs(90),
        "TKW1NSIDE1",
    );
    assert!(matches!(outcome, PostOutcome::Posted { .. }), "{outcome:?}");
}

#[test]
fn a_till_payment_past_the_shops_window_waits_to_be_claimed_even_inside_the_default() {
    // Five minutes is inside the default ten-minute window, but this shop set two minutes.
    let outcome = till_payment_after(
        Duration::from_secs(2 * 60),
        Duration::from_secs(5 * 60),
        "TKW2LATE01",
    );
    assert!(
        matches!(outcome, PostOutcome::Unmatched { .. }),
        "the shop's window, not the store's default, decides: {outcome:?}"
    );
    // And a shop with a longer window than the default still matches late payments.
    let outcome = till_payment_after(
        Duration::from_secs(30 * 60),
        Duration::from_secs(20 * 60),
        "TKW3LONG01",
    );
    assert!(matches!(outcome, PostOutcome::Posted { .. }), "{outcome:?}");
}
