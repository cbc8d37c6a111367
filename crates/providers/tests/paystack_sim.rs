//! The Paystack client against the Paystack simulator over real HTTP on loopback: initialize
//! (popup access code and hosted link), the checkout page and popup script, test cards that
//! succeed, are declined or need a retry, verify, full and partial refunds and their status,
//! "Test connection", and signed webhooks (with scripted duplicates) verified by the client.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::HeaderMap;
use malipo_core::{Currency, Money};
use malipo_providers::paystack::{
    parse_event, verify_signature, Channel, ConnectionCheck, InitializeRequest, KeyMode,
    PaystackClient, PaystackError, RefundRequest, RefundStatus, TransactionStatus, WebhookEvent,
};
use malipo_sim::paystack::{self as sim, PaystackSim, PaystackSimConfig, WebhookScript};
use malipo_vault::Sensitive;
use serde_json::{json, Value};
use tokio::net::TcpListener;

const SECRET: &str = "sk_test_sim_0123456789abcdef";

type Received = Arc<Mutex<Vec<(Option<String>, Vec<u8>)>>>;

/// A running simulator, a webhook receiver it posts to, and a client for it.
struct Rig {
    base: String,
    sim: PaystackSim,
    received: Received,
    client: PaystackClient,
}

async fn serve(router: axum::Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

/// A webhook receiver that records the signature header and raw body of every POST.
async fn serve_sink(sink: Received) -> String {
    let hook = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let sink = sink.clone();
            async move {
                let signature = headers
                    .get("x-paystack-signature")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                sink.lock().unwrap().push((signature, body.to_vec()));
                "ok"
            }
        }),
    );
    serve(hook).await
}

async fn rig_with(secret: &str, duplicates: u32) -> Rig {
    let received: Received = Arc::default();
    let hook_base = serve_sink(received.clone()).await;
    let sim = PaystackSim::new(PaystackSimConfig {
        secret_key: secret.to_owned(),
        webhooks: WebhookScript {
            url: Some(format!("{hook_base}/hook")),
            duplicates,
            delay_ms: 0,
            retries: 0,
        },
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = sim.clone();
    tokio::spawn(async move { sim::run(listener, served, std::future::pending()).await });
    let client = PaystackClient::new(base.clone(), Sensitive::new(secret.to_owned())).unwrap();
    Rig {
        base,
        sim,
        received,
        client,
    }
}

async fn rig() -> Rig {
    rig_with(SECRET, 0).await
}

fn kes(minor: i64) -> Money {
    Money::from_minor(minor, Currency::Kes)
}

fn sale(reference: &str, amount: Money) -> InitializeRequest {
    InitializeRequest {
        reference: reference.into(),
        amount,
        email: "pos-duka1@shop.example".into(),
        target_number: "T1-000123".into(),
        channels: vec![Channel::Card, Channel::MobileMoney],
        callback_url: None,
        label: Some("Walk-in customer".into()),
    }
}

impl Rig {
    /// The customer types `card` (and `pin`) on the checkout of `access_code`.
    async fn pay(&self, access_code: &str, card: &str, pin: Option<&str>) -> Value {
        reqwest::Client::new()
            .post(format!("{}/checkout/{access_code}/pay", self.base))
            .json(&json!({"card": card, "pin": pin}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Waits (up to 5 s) until `n` webhooks have arrived, then returns them.
    async fn webhooks(&self, n: usize) -> Vec<(Option<String>, Vec<u8>)> {
        for _ in 0..500 {
            let got = self.received.lock().unwrap().clone();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "expected {n} webhooks, got {:?}",
            self.received.lock().unwrap().len()
        );
    }
}

#[tokio::test]
async fn initialize_gives_popup_access_code_and_a_hosted_link_that_opens() {
    let rig = rig().await;
    let init = rig
        .client
        .initialize(&sale("MLP-T1-000123-1", kes(150_000)))
        .await
        .unwrap();
    assert_eq!(init.reference, "MLP-T1-000123-1");
    assert!(!init.access_code.is_empty());
    assert!(init.authorization_url.ends_with(&init.access_code));
    let page = reqwest::get(&init.authorization_url).await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("KES 1500.00"),
        "the hosted page shows the amount: {html}"
    );
    let script = reqwest::get(format!("{}/v2/inline.js", rig.base))
        .await
        .unwrap();
    let js = script.text().await.unwrap();
    assert!(js.contains("PaystackPop") && js.contains("resumeTransaction"));
    assert!(js.contains("onSuccess") && js.contains("onCancel"));
    let txn = rig.client.verify("MLP-T1-000123-1").await.unwrap();
    assert_eq!(
        txn.status,
        TransactionStatus::Abandoned,
        "unpaid is abandoned"
    );
    assert_eq!(txn.target_number().as_deref(), Some("T1-000123"));
}

#[tokio::test]
async fn a_paid_card_verifies_and_its_signed_webhook_verifies_and_parses() {
    let rig = rig().await;
    let init = rig
        .client
        .initialize(&sale("MLP-T1-000124-1", kes(150_000)))
        .await
        .unwrap();
    let paid = rig
        .pay(&init.access_code, "4084 0840 8408 4081", None)
        .await;
    assert_eq!(paid["outcome"], "success");
    let txn = rig.client.verify("MLP-T1-000124-1").await.unwrap();
    assert!(txn.is_paid(kes(150_000)), "{txn:?}");
    assert!(
        !txn.is_paid(kes(150_001)),
        "a different amount is not this sale paid"
    );
    assert_eq!(txn.domain.as_deref(), Some("test"));
    let card = txn.card.unwrap();
    assert_eq!(card.last4.as_deref(), Some("4081"));
    let hooks = rig.webhooks(1).await;
    let (signature, body) = &hooks[0];
    let secret = Sensitive::new(SECRET.to_owned());
    verify_signature(body, signature.as_deref(), &secret).unwrap();
    match parse_event(body).unwrap() {
        WebhookEvent::ChargeSuccess(t) => {
            assert_eq!(t.reference, "MLP-T1-000124-1");
            assert_eq!(t.amount().unwrap(), kes(150_000));
            assert_eq!(t.target_number().as_deref(), Some("T1-000123"));
        }
        other => panic!("expected charge.success, got {other:?}"),
    }
}

#[tokio::test]
async fn a_declined_card_verifies_failed_and_sends_no_webhook() {
    let rig = rig().await;
    let init = rig
        .client
        .initialize(&sale("MLP-T1-000125-1", kes(99_00)))
        .await
        .unwrap();
    let out = rig.pay(&init.access_code, "4084080000005408", None).await;
    assert_eq!(out["outcome"], "declined");
    let txn = rig.client.verify("MLP-T1-000125-1").await.unwrap();
    assert_eq!(txn.status, TransactionStatus::Failed);
    assert_eq!(txn.gateway_response.as_deref(), Some("Declined"));
    assert!(!txn.is_paid(kes(99_00)));
    let funds = rig
        .client
        .initialize(&sale("MLP-T1-000125-2", kes(99_00)))
        .await
        .unwrap();
    let out = rig.pay(&funds.access_code, "4084080000670037", None).await;
    assert_eq!(out["message"], "Insufficient Funds");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        rig.received.lock().unwrap().is_empty(),
        "Paystack only sends charge.success"
    );
}

#[tokio::test]
async fn a_card_that_needs_its_pin_asks_for_a_retry_then_succeeds() {
    let rig = rig().await;
    let init = rig
        .client
        .initialize(&sale("MLP-T1-000126-1", kes(2_000)))
        .await
        .unwrap();
    let first = rig
        .pay(&init.access_code, "5078 5078 5078 5078 12", None)
        .await;
    assert_eq!(first["outcome"], "retry");
    let txn = rig.client.verify("MLP-T1-000126-1").await.unwrap();
    assert_eq!(
        txn.status,
        TransactionStatus::Ongoing,
        "mid-flow while the PIN is awaited"
    );
    let wrong = rig
        .pay(&init.access_code, "507850785078507812", Some("0000"))
        .await;
    assert_eq!(wrong["outcome"], "retry");
    let right = rig
        .pay(&init.access_code, "507850785078507812", Some("1111"))
        .await;
    assert_eq!(right["outcome"], "success");
    assert!(rig
        .client
        .verify("MLP-T1-000126-1")
        .await
        .unwrap()
        .is_paid(kes(2_000)));
}

#[tokio::test]
async fn a_reused_reference_is_reported_as_a_duplicate_not_a_second_charge() {
    let rig = rig().await;
    rig.client
        .initialize(&sale("MLP-T1-000127-1", kes(100)))
        .await
        .unwrap();
    let again = rig
        .client
        .initialize(&sale("MLP-T1-000127-1", kes(100)))
        .await;
    assert_eq!(
        again,
        Err(PaystackError::DuplicateReference("MLP-T1-000127-1".into()))
    );
}

#[tokio::test]
async fn partial_then_final_refunds_reverse_the_transaction_and_report_their_status() {
    let rig = rig().await;
    let init = rig
        .client
        .initialize(&sale("MLP-T1-000128-1", kes(150_000)))
        .await
        .unwrap();
    rig.pay(&init.access_code, "4084084084084081", None).await;
    let partial = RefundRequest {
        transaction: "MLP-T1-000128-1".into(),
        amount: Some(kes(50_000)),
        customer_note: Some("one item returned".into()),
        merchant_note: None,
    };
    let refund = rig.client.refund(&partial).await.unwrap();
    assert_eq!(
        refund.status,
        RefundStatus::Pending,
        "Paystack queues refunds"
    );
    assert_eq!(refund.amount().unwrap(), kes(50_000));
    assert_eq!(
        refund.transaction_reference.as_deref(),
        Some("MLP-T1-000128-1")
    );
    let status = rig.client.refund_status(refund.id).await.unwrap();
    assert_eq!(status.status, RefundStatus::Processed);
    let txn = rig.client.verify("MLP-T1-000128-1").await.unwrap();
    assert_eq!(
        txn.status,
        TransactionStatus::Success,
        "a partial refund leaves it paid"
    );
    let too_much = RefundRequest {
        amount: Some(kes(100_001)),
        ..partial.clone()
    };
    assert!(matches!(
        rig.client.refund(&too_much).await,
        Err(PaystackError::Api { .. })
    ));
    let rest = RefundRequest {
        amount: None,
        ..partial
    };
    let last = rig.client.refund(&rest).await.unwrap();
    assert_eq!(
        last.amount().unwrap(),
        kes(100_000),
        "a full refund takes what is left"
    );
    let txn = rig.client.verify("MLP-T1-000128-1").await.unwrap();
    assert_eq!(txn.status, TransactionStatus::Reversed);
    let made = rig.client.list_refunds("MLP-T1-000128-1").await.unwrap();
    let amounts: Vec<Money> = made.iter().map(|r| r.amount().unwrap()).collect();
    assert_eq!(
        amounts,
        vec![kes(50_000), kes(100_000)],
        "both refunds are on record"
    );
    assert!(rig
        .client
        .list_refunds("MLP-T1-000999-1")
        .await
        .unwrap()
        .is_empty());
    // charge.success + (refund.pending, refund.processed) × 2
    let hooks = rig.webhooks(5).await;
    let events: Vec<WebhookEvent> = hooks.iter().map(|(_, b)| parse_event(b).unwrap()).collect();
    let refunds: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            WebhookEvent::Refund(r) => Some((r.status.clone(), r.amount_subunits)),
            _ => None,
        })
        .collect();
    assert_eq!(
        refunds,
        vec![
            (RefundStatus::Pending, 50_000),
            (RefundStatus::Processed, 50_000),
            (RefundStatus::Pending, 100_000),
            (RefundStatus::Processed, 100_000),
        ]
    );
}

#[tokio::test]
async fn refunds_of_the_special_cards_fail_or_need_attention() {
    let rig = rig().await;
    for (reference, card, expected) in [
        ("MLP-T1-000129-1", "4084080000671803", RefundStatus::Failed),
        (
            "MLP-T1-000129-2",
            "4084080000671902",
            RefundStatus::NeedsAttention,
        ),
    ] {
        let init = rig
            .client
            .initialize(&sale(reference, kes(5_000)))
            .await
            .unwrap();
        rig.pay(&init.access_code, card, None).await;
        let refund = RefundRequest {
            transaction: reference.into(),
            amount: None,
            customer_note: None,
            merchant_note: Some("test".into()),
        };
        let queued = rig.client.refund(&refund).await.unwrap();
        assert_eq!(
            rig.client.refund_status(queued.id).await.unwrap().status,
            expected
        );
    }
}

#[tokio::test]
async fn test_connection_says_whether_the_key_works_and_its_mode() {
    let rig = rig().await;
    let check = rig.client.test_connection().await.unwrap();
    assert_eq!(
        check,
        ConnectionCheck::Valid {
            mode: KeyMode::Test,
            payment_session_timeout_s: Some(30)
        }
    );
    assert!(check.message().contains("TEST"));
    let wrong =
        PaystackClient::new(rig.base.clone(), Sensitive::new("sk_test_wrong".into())).unwrap();
    let check = wrong.test_connection().await.unwrap();
    assert!(matches!(
        check,
        ConnectionCheck::Invalid {
            mode: Some(KeyMode::Test),
            ..
        }
    ));
    assert!(matches!(
        wrong.verify("X1").await,
        Err(PaystackError::InvalidKey)
    ));
    let public =
        PaystackClient::new(rig.base.clone(), Sensitive::new("pk_test_abc".into())).unwrap();
    let check = public.test_connection().await.unwrap();
    assert!(
        check.message().contains("public key"),
        "{}",
        check.message()
    );
    let live = rig_with("sk_live_sim_key_1", 0).await;
    let check = live.client.test_connection().await.unwrap();
    assert!(matches!(
        check,
        ConnectionCheck::Valid {
            mode: KeyMode::Live,
            ..
        }
    ));
    assert!(check.message().contains("LIVE"));
}

#[tokio::test]
async fn scripted_duplicates_deliver_identical_signed_copies() {
    let rig = rig_with(SECRET, 2).await;
    let init = rig
        .client
        .initialize(&sale("MLP-T1-000130-1", kes(700)))
        .await
        .unwrap();
    rig.pay(&init.access_code, "4084084084084081", None).await;
    let hooks = rig.webhooks(3).await;
    assert_eq!(hooks.len(), 3);
    assert!(
        hooks.iter().all(|h| h == &hooks[0]),
        "duplicates are byte-identical"
    );
    let url = format!("{}/hook", serve_sink(rig.received.clone()).await);
    rig.sim.set_webhooks(WebhookScript {
        url: Some(url),
        duplicates: 1,
        delay_ms: 150,
        retries: 0,
    });
    let started = std::time::Instant::now();
    let init = rig
        .client
        .initialize(&sale("MLP-T1-000130-2", kes(700)))
        .await
        .unwrap();
    rig.pay(&init.access_code, "4084084084084081", None).await;
    let hooks = rig.webhooks(5).await;
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "each copy waits the delay"
    );
    assert_eq!(hooks[3], hooks[4]);
    // The simulator logs a delivery after the sink has answered it: wait for the log too.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while rig.sim.deliveries().len() < 5 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(rig.sim.deliveries().len(), 5);
    assert!(rig.sim.deliveries().iter().all(|d| d.status == Some(200)));
}

#[tokio::test]
async fn currencies_paystack_does_not_take_are_refused_before_any_call() {
    let rig = rig().await;
    let tzs = sale("MLP-T1-000131-1", Money::from_minor(100_000, Currency::Tzs));
    assert!(matches!(
        rig.client.initialize(&tzs).await,
        Err(PaystackError::Amount(_))
    ));
    let bad = sale("MLP_T1_000131", kes(100));
    assert!(matches!(
        rig.client.initialize(&bad).await,
        Err(PaystackError::InvalidRequest(_))
    ));
    let usd = sale("MLP-T1-000131-2", Money::from_minor(1_999, Currency::Usd));
    rig.client.initialize(&usd).await.unwrap();
    let txn = rig.client.verify("MLP-T1-000131-2").await.unwrap();
    assert_eq!(txn.amount_subunits, 1_999);
    assert_eq!(
        txn.amount().unwrap(),
        Money::from_minor(1_999, Currency::Usd)
    );
}
