//! Refunds through the whole backend: a partial card refund completes on Paystack's
//! `refund.processed` webhook and an M-Pesa reversal on Daraja's result event, each arriving
//! through the relay; both re-open the sale's balance and the ledger shows them. Also the
//! invoice card link, paid in two parts, each posted by its webhook.

use malipo_core::{AttemptState, SaleStatus, Timestamp};
use malipo_engine::{RefundAsk, REFUNDS_SETTING};
use malipo_sim::daraja::CustomerAction;
use malipo_store::Role;

use crate::kes;
use crate::rig::{Options, Rig};

fn refunds_on(rig: &Rig) {
    let mut store = rig.store.lock().unwrap();
    store
        .setting_set(REFUNDS_SETTING, "on", "owner", Timestamp(5))
        .unwrap();
    store
        .user_create("amina", Role::Manager, "4321", "owner", Timestamp(5))
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_card_refund_completes_on_the_webhook_and_reopens_the_balance() {
    let rig = Rig::start(Options::default()).await;
    refunds_on(&rig);
    let sale = rig.sale(40_000);
    let card = rig
        .engine
        .card_start(sale.id, kes(40_000), None)
        .await
        .unwrap();
    rig.card_pays(&card.access_code).await;
    let attempt = rig.engine.card_finish(card.attempt.id).await.unwrap();
    assert_eq!(attempt.state, AttemptState::Succeeded);
    assert_eq!(
        rig.store.lock().unwrap().sale_get(sale.id).unwrap().status,
        SaleStatus::Completed
    );
    let payment = rig
        .store
        .lock()
        .unwrap()
        .payment_by_txn(malipo_core::Provider::Paystack, &card.reference)
        .unwrap()
        .unwrap();
    assert!(
        payment.payer_ref.unwrap().contains("4081"),
        "the card's last 4 on the payment"
    );

    let wrong = RefundAsk {
        payment_id: payment.id,
        amount: kes(15_000),
        receipt: &card.reference,
        manager: "amina",
        pin: "0000",
    };
    assert!(
        rig.engine.refund(&wrong).await.is_err(),
        "a wrong PIN is refused"
    );
    let refund = rig
        .engine
        .refund(&RefundAsk {
            pin: "4321",
            ..wrong
        })
        .await
        .unwrap();
    assert_eq!(refund.status, "requested");
    rig.until("the refund webhook completes it", |s| {
        s.refund_get(refund.id).unwrap().status == "completed"
    })
    .await;
    assert_eq!(
        rig.balance(sale.id),
        kes(15_000),
        "the refunded part is owed again"
    );
    rig.check();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_mpesa_reversal_completes_on_its_result_event_and_reopens_the_balance() {
    let rig = Rig::start(Options {
        no_c2b: true,
        ..Options::default()
    })
    .await;
    refunds_on(&rig);
    let sale = rig.sale(20_000);
    rig.script(CustomerAction::Approve, 20, false);
    rig.stk(sale.id, 20_000).await;
    rig.until("paid", |s| {
        s.sale_get(sale.id).unwrap().status == SaleStatus::Completed
    })
    .await;
    let payment = rig.ledger().remove(0);
    let receipt = payment.provider_txn_id.clone().unwrap();
    let refund = rig
        .engine
        .refund(&RefundAsk {
            payment_id: payment.id,
            amount: kes(20_000),
            receipt: &receipt.to_lowercase(),
            manager: "amina",
            pin: "4321",
        })
        .await
        .unwrap();
    assert_eq!(refund.status, "requested", "{refund:?}");
    rig.until("the reversal result completes it", |s| {
        s.refund_get(refund.id).unwrap().status == "completed"
    })
    .await;
    assert_eq!(rig.balance(sale.id), kes(20_000));
    rig.check();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invoice_card_link_is_paid_in_two_parts_and_each_webhook_posts_to_the_invoice() {
    use malipo_core::{
        Currency, Customer, InvoiceDraft, PaymentMode, TargetRef, TaxClass, VatBreakdown,
    };
    let rig = Rig::start(Options::default()).await;
    let invoice = {
        let mut store = rig.store.lock().unwrap();
        let draft = InvoiceDraft {
            customer: Customer {
                name: "Shule ya Upendo".into(),
                phone: None,
                email: Some("bursar@upendo.test".into()),
            },
            currency: Currency::Kes,
            lines: vec![],
            total: kes(100_000),
            vat: VatBreakdown::from_gross(Currency::Kes, [(TaxClass::Exempt, kes(100_000))])
                .unwrap(),
            due_date: "2026-12-31".into(),
            payment_mode: PaymentMode::AllowPartial,
        };
        let id = store.invoice_create_draft(&draft, Timestamp(5)).unwrap();
        store.invoice_issue(id, "amina", Timestamp(5)).unwrap();
        id
    };
    for part in [60_000, 40_000] {
        let link = rig
            .engine
            .card_link(invoice, kes(part), None)
            .await
            .unwrap();
        assert!(
            link.authorization_url.starts_with("http"),
            "a link to print or send"
        );
        rig.card_pays(&link.access_code).await;
        rig.until("the webhook posts the part", |s| {
            s.attempt_get(link.attempt.id).unwrap().state == AttemptState::Succeeded
        })
        .await;
    }
    let store = rig.store.lock().unwrap();
    let balance = store.balance(TargetRef::Invoice(invoice)).unwrap();
    assert_eq!(balance.balance, kes(0), "{balance:?}");
    assert!(store.check().unwrap().is_empty());
    drop(store);
    rig.check();
}
