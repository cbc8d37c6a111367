//! The shell's backend in training mode, end to end without a window: the rig, the sync
//! client and the engine on loopback; a cashier rings up sales and takes cash, M-Pesa STK
//! (the training customer approves on their "phone") and card; the ledger says paid.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use malipo_app::backend::Backend;
use malipo_app::till::{now, Till};
use malipo_core::{SaleStatus, TargetRef};

type Events = Arc<Mutex<Vec<(String, serde_json::Value)>>>;

async fn start(dir: &std::path::Path) -> (Backend, Events) {
    malipo_app::init_tracing();
    let till = Till::open(dir, now()).unwrap();
    let mut backend = Backend::start(till, dir).await.unwrap();
    let events: Events = Arc::default();
    let seen = events.clone();
    backend.forward(Arc::new(move |name: &str, payload| {
        seen.lock().unwrap().push((name.to_owned(), payload));
    }));
    (backend, events)
}

/// Waits until `done` holds, or fails after 30 s.
async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cashier_takes_cash_stk_and_card_in_training() {
    let tmp = tempfile::tempdir().unwrap();
    let (backend, events) = start(tmp.path()).await;
    let info = backend.app_info().unwrap();
    assert!(info.training);
    assert_eq!(info.currency, "KES");
    assert_eq!(info.paybill.as_deref(), Some("174379"));
    assert!(info.user.is_none());

    // Nobody logged in: the cart refuses; a wrong PIN is refused.
    assert_eq!(
        backend.cart_add("SUG-2KG", 1).unwrap_err().code,
        "not_permitted"
    );
    assert_eq!(
        backend.login("Cashier", "1111").unwrap_err().code,
        "wrong_pin"
    );
    backend.login("Cashier", "0000").unwrap();
    assert_eq!(backend.settings_get().unwrap_err().code, "not_permitted");

    // Cash with change.
    backend.cart_add("SUG-2KG", 2).unwrap();
    let cart = backend.cart_add("6161102340018", 1).unwrap();
    assert_eq!(cart.total.minor, 56_500);
    let sale = backend.checkout().unwrap();
    assert_eq!(sale.status, "open");
    assert!(backend.cart_get().unwrap().frozen);
    let paid = backend.pay_cash(sale.sale_id, 56_500, 100_000).unwrap();
    assert_eq!(paid.change.minor, 43_500);
    assert_eq!(paid.sale.status, "paid");
    assert_eq!(paid.sale.tenders[0].method, "cash");
    backend.sale_new().unwrap();

    // M-Pesa STK: the customer approves on the training phone; the callback comes back
    // through the relay and the sync client, and the engine posts it.
    backend.cart_add("MLK-500", 1).unwrap();
    let sale = backend.checkout().unwrap();
    assert_eq!(
        backend
            .stk_start(sale.sale_id, "0712 345 abc", 6_000)
            .await
            .unwrap_err()
            .code,
        "invalid_phone"
    );
    let attempt = backend
        .stk_start(sale.sale_id, "0712345678", 6_000)
        .await
        .unwrap();
    assert_eq!(attempt.state, "pending");
    assert!(attempt.deadline_ms > attempt.started_ms);
    assert_eq!(
        backend.attempts_pending().unwrap()[0].attempt_id,
        attempt.attempt_id
    );
    backend
        .training_customer("approve", Some(attempt.attempt_id), None, None, None)
        .await
        .unwrap();
    let store = backend.till.shared();
    eventually("the STK sale is paid", || {
        store.lock().unwrap().sale_get(sale.sale_id).unwrap().status == SaleStatus::Completed
    })
    .await;
    let balance = store
        .lock()
        .unwrap()
        .balance(TargetRef::Sale(sale.sale_id))
        .unwrap();
    assert_eq!(balance.allocated.minor, 6_000);
    let view = backend.sale_current().unwrap().unwrap();
    assert_eq!(view.status, "paid");
    assert_eq!(
        view.tenders.len(),
        1,
        "the STK result and its C2B twin post once"
    );
    assert!(view.tenders[0].detail.starts_with("Receipt "));
    eventually("the window heard about it", || {
        let events = events.lock().unwrap();
        events
            .iter()
            .any(|(n, p)| n == "sale-changed" && p["status"] == "paid")
            && events
                .iter()
                .any(|(n, p)| n == "attempt-changed" && p["state"] == "confirmed")
    })
    .await;
    backend.sale_new().unwrap();

    // Card: the simulator's checkout is paid, the popup says success, the backend verifies.
    backend.cart_add("SUG-2KG", 1).unwrap();
    let sale = backend.checkout().unwrap();
    let card = backend
        .card_start(sale.sale_id, 25_000, None)
        .await
        .unwrap();
    assert_eq!(card.popup, "simulator");
    assert!(card
        .simulator_url
        .as_deref()
        .unwrap()
        .starts_with("http://127.0.0.1:"));
    let customer = backend.rig.as_ref().unwrap().customer();
    let outcome = customer
        .card_pay(&card.access_code, malipo_training::CARD_SUCCEEDS)
        .await
        .unwrap();
    assert_eq!(outcome.outcome, "success");
    let done = backend
        .card_finish(card.attempt.attempt_id, &card.reference)
        .await
        .unwrap();
    assert_eq!(done.state, "confirmed");
    let view = backend.sale_current().unwrap().unwrap();
    assert_eq!(view.status, "paid");
    assert!(
        view.tenders[0].detail.contains("4081"),
        "{:?}",
        view.tenders
    );

    // The manager sees settings with flags only.
    backend.manager_unlock("1234").unwrap();
    let settings = serde_json::to_string(&backend.settings_get().unwrap()).unwrap();
    assert!(settings.contains("\"consumer_key_set\":true"));
    let creds = backend.rig.as_ref().unwrap().credentials().clone();
    for secret in [
        creds.daraja_consumer_secret.as_str(),
        creds.daraja_passkey.as_str(),
        creds.paystack_secret_key.as_str(),
        backend.rig.as_ref().unwrap().device_token(),
    ] {
        assert!(!settings.contains(secret));
    }
    let answer = backend.settings_register_c2b().await.unwrap();
    assert!(answer.ok, "{answer:?}");
    assert!(answer.message.contains("/c2b-confirm"));
    let relay = backend.settings_test_connection("relay").await.unwrap();
    assert!(relay.ok, "{relay:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_till_payment_waits_in_incoming_and_is_claimed() {
    let tmp = tempfile::tempdir().unwrap();
    let (backend, _events) = start(tmp.path()).await;
    backend.login("Cashier", "0000").unwrap();
    backend.cart_add("BRD-400", 1).unwrap();
    let sale = backend.checkout().unwrap();
    // A customer pays the till an amount no sale waits for: it becomes an incoming payment.
    backend
        .training_customer("pay_till", None, Some("0722000111"), Some(9_900), None)
        .await
        .unwrap();
    eventually("the payment is incoming", || {
        !backend.incoming_list().unwrap().is_empty()
    })
    .await;
    let incoming = backend.incoming_list().unwrap();
    assert_eq!(incoming[0].amount.minor, 9_900);
    assert_eq!(incoming[0].method, "mpesa_till");
    let claimed = backend
        .incoming_claim(incoming[0].unmatched_id, sale.sale_id)
        .unwrap();
    assert_eq!(claimed.paid.minor, 6_500);
    assert!(backend
        .incoming_list()
        .unwrap()
        .iter()
        .all(|i| i.amount.minor != 9_900));
}
