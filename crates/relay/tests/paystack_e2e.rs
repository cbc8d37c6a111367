//! A Paystack webhook from the simulator passes through the relay with its bytes untouched:
//! the till's own signature check (`malipo_providers::paystack::webhook::verify_signature`)
//! accepts the relayed body and header, and a re-serialised body would not pass it.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use malipo_providers::paystack::webhook::verify_signature;
use malipo_sim::paystack::{PaystackSim, PaystackSimConfig, WebhookScript};
use malipo_vault::Sensitive;
use serde_json::{json, Value};
use support::{body, Relay, TillStream};

const KEY: &str = "sk_test_relay_key";
const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_paystack_webhook_still_verifies_on_the_till() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay.sqlite")).await;
    let (endpoint, device) = relay.shop("Duka");

    let sim = PaystackSim::new(PaystackSimConfig {
        secret_key: KEY.into(),
        webhooks: WebhookScript {
            url: Some(format!("{}/h/{endpoint}/paystack", relay.base())),
            ..WebhookScript::default()
        },
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(malipo_sim::paystack::run(
        listener,
        sim.clone(),
        std::future::pending(),
    ));

    let http = reqwest::Client::new();
    let init: Value = http
        .post(format!("{base}/transaction/initialize"))
        .bearer_auth(KEY)
        .json(&json!({"email": "a@b.example", "amount": 150000, "reference": "MLP-1"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = init["data"]["access_code"].as_str().unwrap();
    let paid = http
        .post(format!("{base}/checkout/{code}/pay"))
        .bearer_auth(KEY)
        .json(&json!({"card": "4084084084084081"}))
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status().as_u16(), 200);

    let mut till = TillStream::open(&relay.base(), &device).await;
    let frame = till.next_within(WAIT).await.unwrap();
    assert_eq!(frame.kind, "paystack");
    let raw = body(&frame);
    let signature = frame
        .headers
        .iter()
        .find(|(name, _)| name == "x-paystack-signature")
        .map(|(_, value)| value.as_str());
    let secret = Sensitive::new(KEY.to_owned());
    assert!(verify_signature(&raw, signature, &secret).is_ok());

    // The simulator records its delivery once it has read the relay's answer, which may be
    // after the till already has the event.
    let mut sent = sim.deliveries();
    for _ in 0..500 {
        if !sent.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        sent = sim.deliveries();
    }
    assert_eq!(sent[0].body, raw, "the bytes the simulator signed");
    assert_eq!(
        sent[0].status,
        Some(200),
        "acknowledged, so Paystack does not retry"
    );

    // What a relay that re-serialised JSON would hand over no longer verifies.
    let reserialised =
        serde_json::to_vec_pretty(&serde_json::from_slice::<Value>(&raw).unwrap()).unwrap();
    assert!(verify_signature(&reserialised, signature, &secret).is_err());
}
