//! The Paystack secret key never appears in logs or errors: a full flow (test connection,
//! initialize, pay, verify, refund, refund status, a refused key, a webhook checked with the
//! wrong key) runs under a TRACE-level subscriber writing to a buffer, and neither the
//! buffer nor any error, `Debug` of the client or of a built request contains the key.
#![allow(clippy::unwrap_used)]

#[path = "support/log_capture.rs"]
mod log_capture;

use malipo_core::{Currency, Money};
use malipo_providers::paystack::{
    request, sign, verify_signature, InitializeRequest, PaystackClient, RefundRequest,
};
use malipo_sim::paystack::{self as sim, PaystackSim, PaystackSimConfig, WebhookScript};
use malipo_vault::Sensitive;
use tokio::net::TcpListener;

const SECRET: &str = "sk_test_SECRETVALUE_do_not_leak_42";

#[tokio::test]
async fn the_secret_key_never_reaches_logs_or_errors() {
    let (logs, _guard) = log_capture::capture();
    tracing::info!("capture started");

    let sim = PaystackSim::new(PaystackSimConfig {
        secret_key: SECRET.into(),
        webhooks: WebhookScript::default(),
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(sim::run(listener, sim.clone(), std::future::pending()));
    let secret = Sensitive::new(SECRET.to_owned());
    let client = PaystackClient::new(base.clone(), secret.clone()).unwrap();
    let mut seen = Vec::new();

    seen.push(format!("{:?}", client.test_connection().await.unwrap()));
    let req = InitializeRequest {
        reference: "MLP-T1-000200-1".into(),
        amount: Money::from_minor(250_000, Currency::Kes),
        email: "pos-duka@shop.example".into(),
        target_number: "T1-000200".into(),
        channels: vec![],
        callback_url: None,
        label: None,
    };
    let init = client.initialize(&req).await.unwrap();
    reqwest::Client::new()
        .post(format!("{base}/checkout/{}/pay", init.access_code))
        .json(&serde_json::json!({"card": "4084084084084081"}))
        .send()
        .await
        .unwrap();
    seen.push(format!(
        "{:?}",
        client.verify("MLP-T1-000200-1").await.unwrap()
    ));
    let refund = client
        .refund(&RefundRequest {
            transaction: "MLP-T1-000200-1".into(),
            amount: None,
            customer_note: None,
            merchant_note: None,
        })
        .await
        .unwrap();
    seen.push(format!(
        "{:?}",
        client.refund_status(refund.id).await.unwrap()
    ));
    let duplicate = client.initialize(&req).await.unwrap_err();
    seen.push(format!("{duplicate} {duplicate:?}"));

    let wrong_key = format!("{SECRET}x");
    let wrong = PaystackClient::new(base.clone(), Sensitive::new(wrong_key)).unwrap();
    let refused = wrong.verify("MLP-T1-000200-1").await.unwrap_err();
    seen.push(format!("{refused} {refused:?} {wrong:?}"));
    let unreachable = PaystackClient::new("http://127.0.0.1:9", secret.clone()).unwrap();
    let offline = unreachable.verify("MLP-T1-000200-1").await.unwrap_err();
    seen.push(format!("{offline} {offline:?}"));

    let body = br#"{"event":"charge.success","data":{}}"#;
    let bad = verify_signature(
        body,
        Some(&sign(body, &Sensitive::new("sk_test_other".into()))),
        &secret,
    )
    .unwrap_err();
    seen.push(format!("{bad} {bad:?}"));
    seen.push(format!("{client:?}"));
    seen.push(format!(
        "{:?}",
        request::verify(&base, &secret, "R1").unwrap()
    ));
    tracing::info!("capture finished");

    let captured = logs.text();
    assert!(
        captured.contains("capture finished"),
        "the subscriber captured the flow"
    );
    assert!(
        captured.contains("paystack answered"),
        "the client's own logs were captured"
    );
    assert!(
        !captured.contains("SECRETVALUE"),
        "the key leaked into the logs:\n{captured}"
    );
    for text in &seen {
        assert!(!text.contains("SECRETVALUE"), "the key leaked: {text}");
    }
}
