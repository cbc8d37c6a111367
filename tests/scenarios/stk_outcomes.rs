//! STK outcomes the first scenarios left out: a prompt that expires and one never answered
//! (the till gives up with "no response"), a second push on the same sale after the first was
//! cancelled or abandoned — including both ending up paid — and the resolver past its window:
//! while Daraja cannot be reached it keeps asking with backoff and still resolves the payment,
//! and when Daraja says "still processing" for the whole window the attempt times out and the
//! late payment's C2B confirmation still posts it, once.

use malipo_core::{AttemptState, PaymentMethod, SaleStatus, TargetRef, UnmatchedReason};
use malipo_providers::daraja::StkResultCode;
use malipo_sim::daraja::CustomerAction;
use malipo_store::Store;

use crate::kes;
use crate::rig::{eventually, ledger_of, Options, Rig};

/// Every inbox event processed, with `stk` STK callbacks and `c2b` C2B confirmations among them.
fn inbox_settled(store: &Store, stk: usize, c2b: usize) -> bool {
    let all = store.inbox_list(None, 100).unwrap();
    let kinds = |k: &str| all.iter().filter(|e| e.kind == k).count();
    store.inbox_list(Some("pending"), 10).unwrap().is_empty()
        && kinds("stk") == stk
        && kinds("c2b-confirm") == c2b
}

/// The STK status queries Daraja received for `checkout`.
fn queries_for(rig: &Rig, checkout: &str) -> usize {
    rig.sim
        .requests()
        .iter()
        .filter(|r| r.path == "/mpesa/stkpushquery/v1/query" && r.body.contains(checkout))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_prompt_times_the_attempt_out_with_its_reason_and_posts_nothing() {
    let rig = Rig::start(Options::default()).await;
    let sale = rig.sale(10_000);
    rig.script(CustomerAction::Expire, 50, false);
    let attempt = rig.stk(sale.id, 10_000).await;
    rig.until("the expiry callback is processed", |s| {
        inbox_settled(s, 1, 0) && s.attempt_get(attempt.id).unwrap().state != AttemptState::Pending
    })
    .await;
    let (a, _) = rig.engine.attempt(attempt.id).unwrap();
    assert_eq!(a.state, AttemptState::TimedOut, "1019 is a timeout: {a:?}");
    assert_eq!(
        a.reason.as_deref(),
        Some(StkResultCode::Expired.cashier_message()),
        "the cashier is told the prompt expired"
    );
    assert!(!a.late);
    let store = rig.store.lock().unwrap();
    assert!(ledger_of(&store).is_empty(), "nothing posts");
    assert!(store.unmatched_open(10).unwrap().is_empty());
    assert_eq!(store.sale_get(sale.id).unwrap().status, SaleStatus::Open);
    drop(store);
    assert_eq!(
        rig.balance(sale.id),
        kes(10_000),
        "the balance is unchanged"
    );
    rig.check();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prompt_never_answered_gives_up_with_no_response_after_the_window_and_posts_nothing() {
    let rig = Rig::start(Options {
        query_every_ms: Some(100),
        max_queries: Some(3),
        ..Options::default()
    })
    .await;
    let sale = rig.sale(20_000);
    rig.script(CustomerAction::NeverAnswer, 0, false);
    let attempt = rig.stk(sale.id, 20_000).await;
    let checkout = attempt.provider_ref.clone().unwrap();
    rig.until("the till gives up", |s| {
        s.attempt_get(attempt.id).unwrap().state != AttemptState::Pending
    })
    .await;
    let (a, _) = rig.engine.attempt(attempt.id).unwrap();
    assert_eq!(a.state, AttemptState::TimedOut, "{a:?}");
    assert_eq!(
        a.reason.as_deref(),
        Some("no response from the customer's phone")
    );
    assert_eq!(
        queries_for(&rig, &checkout),
        3,
        "asked exactly the window's number of times (Daraja said 'being processed' each time)"
    );
    assert!(
        rig.sim.deliveries().iter().all(|d| d.kind != "stk"),
        "the phone never answered"
    );
    {
        let store = rig.store.lock().unwrap();
        assert!(ledger_of(&store).is_empty(), "nothing posts");
        assert!(store.inbox_list(None, 10).unwrap().is_empty());
        assert_eq!(store.sale_get(sale.id).unwrap().status, SaleStatus::Open);
    }
    assert_eq!(rig.balance(sale.id), kes(20_000));
    // Closed attempts are not queried again.
    let after = queries_for(&rig, &checkout);
    rig.engine.resolve_due().await;
    assert_eq!(queries_for(&rig, &checkout), after);
    rig.check();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_push_after_the_customer_cancelled_is_a_new_attempt_and_pays_the_sale_once() {
    let rig = Rig::start(Options::default()).await;
    let sale = rig.sale(30_000);
    rig.script(CustomerAction::Cancel, 50, false);
    let first = rig.stk(sale.id, 30_000).await;
    rig.until("the first push is cancelled", |s| {
        s.attempt_get(first.id).unwrap().state == AttemptState::Cancelled
    })
    .await;
    assert_eq!(rig.balance(sale.id), kes(30_000));

    rig.script(CustomerAction::Approve, 50, false);
    let second = rig.stk(sale.id, 30_000).await;
    assert_ne!(second.id, first.id, "a re-push is a new attempt");
    assert_ne!(second.provider_ref, first.provider_ref);
    rig.until("the second push pays the sale", |s| {
        s.sale_get(sale.id).unwrap().status == SaleStatus::Completed
    })
    .await;
    rig.until("both callbacks and the C2B twin are processed", |s| {
        inbox_settled(s, 2, 1)
    })
    .await;
    let store = rig.store.lock().unwrap();
    let rows = ledger_of(&store);
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(rows[0].attempt_id, Some(second.id));
    assert_eq!(rows[0].amount, kes(30_000));
    let allocations = store
        .allocations_for_target(TargetRef::Sale(sale.id))
        .unwrap();
    assert_eq!(allocations.len(), 1);
    assert_eq!(allocations[0].amount, kes(30_000));
    assert_eq!(allocations[0].payment_id, rows[0].id);
    assert!(store.unmatched_open(10).unwrap().is_empty());
    assert_eq!(
        store.attempt_get(first.id).unwrap().state,
        AttemptState::Cancelled,
        "the cancelled push stays cancelled"
    );
    assert_eq!(
        store.attempt_get(second.id).unwrap().state,
        AttemptState::Succeeded
    );
    drop(store);
    assert_eq!(rig.balance(sale.id), kes(0));
    rig.check();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_both_pushes_are_paid_the_sale_takes_one_and_the_extra_waits_as_already_paid() {
    let rig = Rig::start(Options::default()).await;
    let sale = rig.sale(40_000);
    // The customer answers the first prompt late (and Daraja sends that callback twice).
    rig.script(CustomerAction::Approve, 2_500, true);
    let first = rig.stk(sale.id, 40_000).await;
    rig.engine.stop_waiting(first.id).unwrap();
    let (_, stopped) = rig.engine.attempt(first.id).unwrap();
    assert!(stopped, "the cashier stopped waiting on the first prompt");
    // Daraja refuses a second prompt to a phone that has one open ("Unable to lock
    // subscriber"): the customer has it sent to another phone, and pays there too.
    rig.script(CustomerAction::Approve, 50, false);
    let second = rig
        .engine
        .stk_start(sale.id, "0712345678", kes(40_000))
        .await
        .unwrap();
    assert_ne!(second.id, first.id);
    rig.until("both pushes are settled and every event processed", |s| {
        s.attempt_get(first.id).unwrap().state == AttemptState::Succeeded
            && s.attempt_get(second.id).unwrap().state == AttemptState::Succeeded
            && inbox_settled(s, 3, 2)
    })
    .await;

    let store = rig.store.lock().unwrap();
    let rows = ledger_of(&store);
    assert_eq!(
        rows.len(),
        2,
        "two customers' payments, each once: {rows:#?}"
    );
    for attempt in [first.id, second.id] {
        let of_attempt: Vec<_> = rows
            .iter()
            .filter(|p| p.attempt_id == Some(attempt))
            .collect();
        assert_eq!(
            of_attempt.len(),
            1,
            "attempt {attempt} posts once: {rows:#?}"
        );
        assert_eq!(of_attempt[0].amount, kes(40_000));
        assert_eq!(of_attempt[0].method, PaymentMethod::MpesaStk);
        assert!(
            of_attempt[0].provider_txn_id.is_some(),
            "the receipt number is known"
        );
    }
    assert_ne!(rows[0].provider_txn_id, rows[1].provider_txn_id);
    let allocations = store
        .allocations_for_target(TargetRef::Sale(sale.id))
        .unwrap();
    assert_eq!(
        allocations.len(),
        1,
        "the sale is paid once: {allocations:#?}"
    );
    assert_eq!(allocations[0].amount, kes(40_000));
    let extra = store.unmatched_open(10).unwrap();
    assert_eq!(extra.len(), 1, "{extra:#?}");
    assert_eq!(extra[0].reason, UnmatchedReason::AlreadyPaid);
    assert_eq!(extra[0].open_amount, kes(40_000));
    assert_ne!(
        extra[0].payment_id, allocations[0].payment_id,
        "the extra money is the other payment, never allocated as well"
    );
    assert!(store
        .allocations_for(extra[0].payment_id)
        .unwrap()
        .is_empty());
    assert_eq!(
        store.sale_get(sale.id).unwrap().status,
        SaleStatus::Completed
    );
    drop(store);
    assert_eq!(rig.balance(sale.id), kes(0), "not over-paid, not negative");
    rig.check();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_window_with_daraja_unreachable_the_resolver_keeps_asking_and_posts_when_it_answers(
) {
    let rig = Rig::start(Options {
        lose_stk_callback: true,
        no_c2b: true,
        query_every_ms: Some(200),
        max_queries: Some(2),
        resolver_retries: Some(6),
        daraja_link: true,
        ..Options::default()
    })
    .await;
    let link = rig.daraja_link.clone().unwrap();
    let sale = rig.sale(15_000);
    rig.script(CustomerAction::Approve, 300, false);
    let attempt = rig.stk(sale.id, 15_000).await;
    link.set_up(false); // the till's internet goes; the customer pays; the callback is lost
    eventually(
        "the customer paid and the resolver tried Daraja past its window",
        || link.refused().len() >= 4 && rig.sim.deliveries().iter().any(|d| d.kind == "stk"),
    )
    .await;
    // At least three queries failed and the window was two: the attempt is still open.
    let (a, _) = rig.engine.attempt(attempt.id).unwrap();
    assert_eq!(
        a.state,
        AttemptState::Pending,
        "past the window an unreachable Daraja is asked again, not given up on: {a:?}"
    );
    assert!(rig.ledger().is_empty());

    link.set_up(true);
    rig.until("a backoff query confirms the payment", |s| {
        s.sale_get(sale.id).unwrap().status == SaleStatus::Completed
    })
    .await;
    let (a, _) = rig.engine.attempt(attempt.id).unwrap();
    assert_eq!(a.state, AttemptState::Succeeded);
    assert!(!a.late, "it was never given up on");
    let store = rig.store.lock().unwrap();
    let rows = ledger_of(&store);
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(rows[0].attempt_id, Some(attempt.id));
    assert_eq!(rows[0].amount, kes(15_000));
    drop(store);
    assert_eq!(rig.balance(sale.id), kes(0));
    rig.check();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_daraja_unreachable_for_good_the_resolver_gives_up_after_its_retries_and_says_why() {
    let rig = Rig::start(Options {
        lose_stk_callback: true,
        no_c2b: true,
        query_every_ms: Some(100),
        max_queries: Some(2),
        resolver_retries: Some(2),
        daraja_link: true,
        ..Options::default()
    })
    .await;
    let link = rig.daraja_link.clone().unwrap();
    let sale = rig.sale(5_000);
    rig.script(CustomerAction::NeverAnswer, 0, false);
    let attempt = rig.stk(sale.id, 5_000).await;
    link.set_up(false);
    rig.until("the resolver gives up", |s| {
        s.attempt_get(attempt.id).unwrap().state != AttemptState::Pending
    })
    .await;
    let (a, _) = rig.engine.attempt(attempt.id).unwrap();
    assert_eq!(a.state, AttemptState::TimedOut);
    let reason = a.reason.unwrap_or_default();
    assert!(
        reason.starts_with("no confirmation could be obtained"),
        "the reason says Daraja could not be asked: {reason}"
    );
    assert!(
        link.refused().len() >= 3,
        "asked past the window before giving up: {} refused",
        link.refused().len()
    );
    assert_eq!(rig.balance(sale.id), kes(5_000));
    rig.check();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn still_processing_for_the_whole_window_times_out_and_the_late_c2b_still_pays_the_sale_once()
{
    let rig = Rig::start(Options {
        lose_stk_callback: true,
        query_every_ms: Some(100),
        max_queries: Some(2),
        ..Options::default()
    })
    .await;
    let sale = rig.sale(25_000);
    // The customer answers long after the till's window (its callback is lost); the C2B
    // confirmation of the same money still reaches the till.
    rig.script(CustomerAction::Approve, 8_000, false);
    let attempt = rig.stk(sale.id, 25_000).await;
    rig.until("the window ends with no response", |s| {
        s.attempt_get(attempt.id).unwrap().state == AttemptState::TimedOut
    })
    .await;
    let (a, _) = rig.engine.attempt(attempt.id).unwrap();
    assert_eq!(
        a.reason.as_deref(),
        Some("no response from the customer's phone"),
        "Daraja said 'being processed' to every query of the window"
    );
    assert_eq!(rig.balance(sale.id), kes(25_000));
    rig.until("the late C2B confirmation posts", |s| {
        s.sale_get(sale.id).unwrap().status == SaleStatus::Completed && inbox_settled(s, 0, 1)
    })
    .await;
    let store = rig.store.lock().unwrap();
    let rows = ledger_of(&store);
    assert_eq!(rows.len(), 1, "{rows:#?}");
    // The money reaches the sale by its account reference. It is not claimed as the closed
    // attempt's (a customer told "no response" may well have paid the Paybill by hand, and a
    // late STK callback would then conflict with it instead of posting).
    assert_eq!(rows[0].method, PaymentMethod::MpesaPaybill);
    assert_eq!(rows[0].attempt_id, None);
    let allocations = store
        .allocations_for_target(TargetRef::Sale(sale.id))
        .unwrap();
    assert_eq!(allocations.len(), 1);
    assert_eq!(allocations[0].payment_id, rows[0].id);
    assert_eq!(allocations[0].amount, kes(25_000));
    assert!(store.unmatched_open(10).unwrap().is_empty());
    assert_eq!(
        store.attempt_get(attempt.id).unwrap().state,
        AttemptState::TimedOut
    );
    drop(store);
    assert_eq!(rig.balance(sale.id), kes(0));
    rig.check();
}
