//! Scenario tests: the whole backend on loopback — the Daraja simulator, the relay, the
//! till's sync client, the engine, and the store on a real file — for each collection flow
//! and each scripted customer outcome, asserting the ledger, balances and audit log.
#![allow(clippy::unwrap_used)]

mod cards;
mod invoices;
mod receipts;
mod refunds;
mod restart;
mod rig;
mod stk_outcomes;
mod sweep;

use malipo_core::{AttemptState, Money, SaleStatus, TargetRef};
use malipo_engine::{EngineError, RefundAsk};
use malipo_sim::daraja::CustomerAction;
use rig::{ledger_of, Options, Rig};

pub(crate) fn kes(minor: i64) -> Money {
    Money::from_minor(minor, malipo_core::Currency::Kes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stk_approved_posts_once_and_completes_the_sale_even_when_the_callback_comes_twice_and_as_c2b(
) {
    let rig = Rig::start(Options::default()).await;
    let sale = rig.sale(50_000);
    rig.script(CustomerAction::Approve, 50, true);
    let attempt = rig.stk(sale.id, 50_000).await;
    assert_eq!(attempt.state, AttemptState::Pending);
    rig.until("the sale is paid", |s| {
        s.sale_get(sale.id).unwrap().status == SaleStatus::Completed
    })
    .await;
    rig.until("both callbacks and the C2B twin processed", |s| {
        let all = s.inbox_list(None, 10).unwrap();
        let kinds = |k: &str| all.iter().filter(|e| e.kind == k).count();
        s.inbox_list(Some("pending"), 10).unwrap().is_empty()
            && kinds("stk") == 2
            && kinds("c2b-confirm") == 1
    })
    .await;
    assert_eq!(
        rig.ledger().len(),
        1,
        "the repeated callback and the C2B confirmation of the same money posted nothing"
    );
    let paid = rig.ledger().remove(0);
    assert_eq!(
        paid.method,
        malipo_core::PaymentMethod::MpesaStk,
        "the receipt says how the customer paid, whichever notification came first"
    );
    assert_eq!(rig.balance(sale.id), kes(0));
    let (a, _) = rig.engine.attempt(attempt.id).unwrap();
    assert_eq!(a.state, AttemptState::Succeeded);
    let store = rig.store.lock().unwrap();
    assert!(store.check().unwrap().is_empty());
    let audit = store
        .audit_list(Some(("sale", &sale.id.to_string())), 10)
        .unwrap();
    assert!(!audit.is_empty(), "the sale's completion is audited");
    drop(store);
    rig.check();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_customer_refusal_closes_the_attempt_with_its_reason_and_posts_nothing() {
    let rig = Rig::start(Options::default()).await;
    for (action, state) in [
        (CustomerAction::Cancel, AttemptState::Cancelled),
        (CustomerAction::WrongPin, AttemptState::Failed),
        (CustomerAction::InsufficientFunds, AttemptState::Failed),
        (CustomerAction::Timeout, AttemptState::TimedOut),
    ] {
        let sale = rig.sale(10_000);
        rig.script(action, 50, false);
        let attempt = rig
            .engine
            .stk_start(sale.id, "254708374149", kes(10_000))
            .await
            .unwrap();
        rig.until("the attempt closes", |s| {
            s.attempt_get(attempt.id).unwrap().state != AttemptState::Pending
        })
        .await;
        let (a, _) = rig.engine.attempt(attempt.id).unwrap();
        assert_eq!(a.state, state, "{action:?}");
        assert!(
            a.reason.is_some_and(|r| !r.is_empty()),
            "{action:?} has a reason"
        );
        assert_eq!(rig.balance(sale.id), kes(10_000));
    }
    assert_eq!(rig.ledger().len(), 0);
    rig.check();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_callback_is_confirmed_by_the_query_fallback() {
    let rig = Rig::start(Options {
        lose_stk_callback: true,
        query_every_ms: Some(300),
        max_queries: Some(40),
        no_c2b: true,
        ..Options::default()
    })
    .await;
    let sale = rig.sale(25_000);
    rig.script(CustomerAction::Approve, 50, false);
    let attempt = rig.stk(sale.id, 25_000).await;
    rig.until("the query confirms", |s| {
        s.sale_get(sale.id).unwrap().status == SaleStatus::Completed
    })
    .await;
    let (a, _) = rig.engine.attempt(attempt.id).unwrap();
    assert_eq!(a.state, AttemptState::Succeeded);
    let store = rig.store.lock().unwrap();
    let rows = ledger_of(&store);
    assert_eq!(
        rows.len(),
        1,
        "{rows:#?}\n{:#?}",
        store
            .inbox_list(None, 10)
            .unwrap()
            .iter()
            .map(|e| (
                e.kind.clone(),
                String::from_utf8_lossy(&e.body).to_string(),
                e.outcome.clone(),
                e.detail.clone()
            ))
            .collect::<Vec<_>>()
    );
    drop(store);
    rig.check();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_after_stop_waiting_still_posts_and_one_after_a_void_goes_to_unmatched() {
    let rig = Rig::start(Options::default()).await;
    // Stop waiting, then the customer approves late: the sale (still open) is paid.
    let sale = rig.sale(30_000);
    rig.script(CustomerAction::Approve, 1_500, false);
    let attempt = rig.stk(sale.id, 30_000).await;
    rig.engine.stop_waiting(attempt.id).unwrap();
    let (_, stopped) = rig.engine.attempt(attempt.id).unwrap();
    assert!(stopped);
    rig.until("the late payment posts", |s| {
        s.sale_get(sale.id).unwrap().status == SaleStatus::Completed
    })
    .await;

    // The sale is voided before the late payment: it waits as an unmatched receipt.
    let voided = rig.sale(40_000);
    rig.script(CustomerAction::Approve, 1_500, false);
    rig.stk(voided.id, 40_000).await;
    rig.store
        .lock()
        .unwrap()
        .sale_set_status(
            voided.id,
            SaleStatus::Void,
            "manager",
            malipo_core::Timestamp(2),
        )
        .unwrap();
    rig.until("the late payment is unmatched", |s| {
        s.unmatched_open(10).unwrap().len() == 1
    })
    .await;
    let incoming = rig.engine.incoming().unwrap();
    assert_eq!(incoming[0].1.amount, kes(40_000));
    rig.check();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_till_payment_posts_to_the_one_waiting_sale_and_is_offered_when_two_wait() {
    let rig = Rig::start(Options::default()).await;
    let one = rig.sale(12_000);
    let wait = rig.engine.till_wait(one.id, kes(12_000)).unwrap();
    assert_eq!(wait.account_reference, one.number);
    rig.sim.pay("600200", "254708374149", 120, "");
    rig.until("posted to the waiting sale", |s| {
        s.sale_get(one.id).unwrap().status == SaleStatus::Completed
    })
    .await;

    let a = rig.sale(15_000);
    let b = rig.sale(15_000);
    rig.engine.till_wait(a.id, kes(15_000)).unwrap();
    rig.engine.till_wait(b.id, kes(15_000)).unwrap();
    rig.sim.pay("600200", "254708374149", 150, "");
    rig.until("offered for claiming", |s| {
        s.unmatched_open(10).unwrap().len() == 1
    })
    .await;
    assert_eq!(rig.balance(a.id), kes(15_000));
    assert_eq!(rig.balance(b.id), kes(15_000));
    let (receipt, _) = rig.engine.incoming().unwrap().remove(0);
    rig.engine.claim(receipt.id, b.id, "wanjiku").unwrap();
    let store = rig.store.lock().unwrap();
    assert_eq!(store.sale_get(b.id).unwrap().status, SaleStatus::Completed);
    assert_eq!(store.sale_get(a.id).unwrap().status, SaleStatus::Open);
    let audit = store.audit_list(None, 100).unwrap();
    assert!(
        audit.iter().any(|e| e.actor == "wanjiku"),
        "the claim is audited with the cashier"
    );
    drop(store);
    rig.check();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paybill_with_the_sale_number_and_split_cash_and_stk_close_the_sale() {
    let rig = Rig::start(Options::default()).await;
    let sale = rig.sale(100_000);
    let cash = rig
        .engine
        .pay_cash(sale.id, kes(40_000), kes(50_000), "wanjiku")
        .unwrap();
    assert_eq!(cash.change, kes(10_000));
    assert_eq!(rig.balance(sale.id), kes(60_000));
    rig.script(CustomerAction::Approve, 50, false);
    rig.stk(sale.id, 60_000).await;
    rig.until("split tender completes", |s| {
        s.sale_get(sale.id).unwrap().status == SaleStatus::Completed
    })
    .await;

    let paybill = rig.sale(7_000);
    rig.sim
        .pay("174379", "254708374149", 70, &paybill.number.to_lowercase());
    rig.until("paybill by reference", |s| {
        s.sale_get(paybill.id).unwrap().status == SaleStatus::Completed
    })
    .await;
    assert_eq!(rig.ledger().len(), 3);
    rig.check();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refunds_are_refused_while_the_setting_is_off() {
    let rig = Rig::start(Options::default()).await;
    let sale = rig.sale(5_000);
    let paid = rig
        .engine
        .pay_cash(sale.id, kes(5_000), kes(5_000), "wanjiku")
        .unwrap();
    let ask = RefundAsk {
        payment_id: paid.outcome.payment_id(),
        amount: kes(5_000),
        receipt: "anything",
        manager: "boss",
        pin: "1234",
    };
    let refused = rig.engine.refund(&ask).await.unwrap_err();
    assert!(
        matches!(refused, EngineError::RefundsDisabled),
        "{refused:?}"
    );
    assert_eq!(rig.balance(sale.id), kes(0), "nothing moved");
    let _ = TargetRef::Sale(sale.id);
    rig.check();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_billpay_control_number_is_paid_and_the_webhook_posts_it_once() {
    let rig = Rig::start(Options::default()).await;
    let sale = rig::sale_in_currency(
        &mut rig.store.lock().unwrap(),
        1_000_000,
        malipo_core::Currency::Tzs,
    );
    let tzs = |minor| Money::from_minor(minor, malipo_core::Currency::Tzs);
    let number = rig
        .engine
        .billpay_start(TargetRef::Sale(sale.id), tzs(1_000_000))
        .await
        .unwrap();
    assert_eq!(number.control_number, sale.number.replace('-', ""));
    let pay = |amount: i64| {
        let base = rig.clickpesa_base.clone();
        let number = number.control_number.clone();
        async move {
            reqwest::Client::new()
                .post(format!("{base}/_sim/pay"))
                .json(&serde_json::json!({"billPayNumber": number, "amount": amount, "phone": "255712345678"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_ne!(
        pay(4_000).await,
        200,
        "an exact-amount number refuses a part payment"
    );
    assert_eq!(pay(10_000).await, 200);
    rig.until("posted through the relay", |s| {
        s.sale_get(sale.id).unwrap().status == SaleStatus::Completed
    })
    .await;
    assert_eq!(rig.ledger().len(), 1);
    let store = rig.store.lock().unwrap();
    let p = ledger_of(&store).remove(0);
    assert_eq!(p.method, malipo_core::PaymentMethod::BillPay);
    assert_eq!(p.amount, tzs(1_000_000));
    assert!(store.check().unwrap().is_empty());
    drop(store);
    rig.check();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dynamic_qr_scanned_and_paid_posts_to_its_sale_and_settles_the_qr_attempt() {
    let rig = Rig::start(Options::default()).await;
    let sale = rig.sale(45_000);
    let shown = rig.engine.qr_start(sale.id, kes(45_000)).await.unwrap();
    assert!(shown.png.starts_with(b"\x89PNG"), "a PNG to show and print");
    let request = shown.attempt.provider_ref.clone().unwrap();
    assert!(rig.sim.pay_qr(&request, "254708374149").is_some());
    rig.until("the QR payment posts", |s| {
        s.sale_get(sale.id).unwrap().status == SaleStatus::Completed
    })
    .await;
    rig.until("the QR attempt is settled", |s| {
        s.attempt_get(shown.attempt.id).unwrap().state == AttemptState::Succeeded
    })
    .await;
    assert_eq!(rig.ledger().len(), 1);
    let paid = rig.ledger().remove(0);
    assert_eq!(
        paid.attempt_id,
        Some(shown.attempt.id),
        "the settled QR attempt is the payment's (never succeeded without its payment)"
    );
    assert_eq!(paid.method, malipo_core::PaymentMethod::MpesaQr);
    rig.check();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_popup_closed_without_paying_cancels_the_attempt_and_the_sale_stays_open() {
    let rig = Rig::start(Options::default()).await;
    let sale = rig.sale(12_500);
    let card = rig
        .engine
        .card_start(sale.id, kes(12_500), Some("wanjiru@example.test"))
        .await
        .unwrap();
    assert!(!card.access_code.is_empty());
    let cancelled = rig.engine.card_cancelled(card.attempt.id).unwrap();
    assert_eq!(cancelled.state, AttemptState::Cancelled);
    assert_eq!(rig.balance(sale.id), kes(12_500));
    assert_eq!(rig.ledger().len(), 0);
    rig.check();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_the_till_never_heard_of_is_found_by_the_status_query_and_claimed() {
    // No C2B URLs registered: the customer's Paybill payment never reaches the till.
    let rig = Rig::start(Options {
        no_c2b: true,
        ..Options::default()
    })
    .await;
    let sale = rig.sale(9_000);
    let receipt = rig.sim.pay("174379", "254708374149", 90, "wrong account");
    assert_eq!(rig.ledger().len(), 0);
    let asked = rig
        .engine
        .check_receipt(&receipt.to_lowercase())
        .await
        .unwrap();
    assert_eq!(asked, malipo_engine::ReceiptCheck::Asked);
    rig.until("the status result posts it as an incoming payment", |s| {
        s.unmatched_open(10).unwrap().len() == 1
    })
    .await;
    let (incoming, payment) = rig.engine.incoming().unwrap().remove(0);
    assert_eq!(payment.provider_txn_id.as_deref(), Some(receipt.as_str()));
    assert_eq!(payment.amount, kes(9_000));
    rig.engine.claim(incoming.id, sale.id, "wanjiku").unwrap();
    assert_eq!(rig.balance(sale.id), kes(0));
    let again = rig.engine.check_receipt(&receipt).await.unwrap();
    assert_eq!(
        again,
        malipo_engine::ReceiptCheck::Known {
            payment_id: payment.id
        },
        "never asked twice"
    );
    rig.check();
}
