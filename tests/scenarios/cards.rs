//! The inline card popup end to end: `card_start`, the customer pays on Paystack's checkout,
//! `card_finish` verifies and posts — then Paystack's `charge.success` webhook arrives three
//! times (it retries) through the relay and each copy is recognised as the same payment.

use malipo_core::{AttemptState, PaymentMethod, Provider, SaleStatus, TargetRef};
use malipo_relay::EventKind;
use malipo_sim::paystack::WebhookScript;

use crate::kes;
use crate::rig::{eventually, ledger_of, Options, Rig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_paid_inline_posts_once_and_every_copy_of_its_webhook_is_a_duplicate() {
    let rig = Rig::start(Options::default()).await;
    rig.paystack.set_webhooks(WebhookScript {
        url: Some(rig.url(EventKind::Paystack)),
        duplicates: 2,
        delay_ms: 500,
        retries: 0,
    });
    let sale = rig.sale(27_500);
    let card = rig
        .engine
        .card_start(sale.id, kes(27_500), Some("wanjiru@example.test"))
        .await
        .unwrap();
    assert_eq!(card.attempt.state, AttemptState::Pending);
    rig.card_pays(&card.access_code).await;
    let finished = rig.engine.card_finish(card.attempt.id).await.unwrap();
    assert_eq!(finished.state, AttemptState::Succeeded);
    assert_eq!(
        rig.store.lock().unwrap().sale_get(sale.id).unwrap().status,
        SaleStatus::Completed
    );

    rig.until("the three webhook copies are processed", |s| {
        let events = s.inbox_list(None, 100).unwrap();
        events.iter().filter(|e| e.kind == "paystack").count() == 3
            && s.inbox_list(Some("pending"), 10).unwrap().is_empty()
    })
    .await;
    eventually("the relay acknowledged all three copies", || {
        rig.paystack
            .deliveries()
            .iter()
            .filter(|d| d.event == "charge.success" && d.status == Some(200))
            .count()
            == 3
    })
    .await;
    let store = rig.store.lock().unwrap();
    let rows = ledger_of(&store);
    assert_eq!(rows.len(), 1, "one payment: {rows:#?}");
    let payment = store
        .payment_by_txn(Provider::Paystack, &card.reference)
        .unwrap()
        .unwrap();
    assert_eq!(payment.id, rows[0].id);
    assert_eq!(payment.method, PaymentMethod::CardInline);
    assert_eq!(payment.amount, kes(27_500));
    assert_eq!(payment.attempt_id, Some(card.attempt.id));
    let outcomes: Vec<(i64, String)> = store
        .inbox_list(None, 100)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "paystack")
        .map(|e| (e.id, e.outcome))
        .collect();
    match payment.inbox_id {
        // Verified first (the usual order): every copy of the webhook is the same money.
        None => assert!(
            outcomes.iter().all(|(_, o)| o == "duplicate"),
            "{outcomes:?}"
        ),
        // A webhook overtook the verify on a slow machine: it posted, the rest are duplicates.
        Some(first) => {
            assert!(
                outcomes
                    .iter()
                    .all(|(id, o)| (*id == first) == (o == "posted")),
                "{outcomes:?}"
            );
        }
    }
    let allocations = store
        .allocations_for_target(TargetRef::Sale(sale.id))
        .unwrap();
    assert_eq!(allocations.len(), 1);
    assert_eq!(allocations[0].amount, kes(27_500));
    assert!(store.unmatched_open(10).unwrap().is_empty());
    assert_eq!(store.conflicts_open().unwrap(), 0, "no copy disagreed");
    assert_eq!(
        store.attempt_get(card.attempt.id).unwrap().state,
        AttemptState::Succeeded
    );
    drop(store);
    assert_eq!(rig.balance(sale.id), kes(0));
    rig.check();
}
