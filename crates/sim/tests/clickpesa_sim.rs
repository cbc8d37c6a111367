//! The ClickPesa simulator on the wire, without the client: token errors in ClickPesa's
//! words, the token used as issued (a doubled `Bearer` is refused), control numbers, and
//! webhooks whose top-level checksum matches the reference's computed value for its sample.
#![allow(clippy::unwrap_used)]

use malipo_sim::clickpesa::{self as sim, checksum, ClickPesaSim, ClickPesaSimConfig};
use serde_json::{json, Value};
use tokio::net::TcpListener;

async fn start(webhook_url: Option<String>) -> (String, ClickPesaSim) {
    let sim = ClickPesaSim::new(ClickPesaSimConfig {
        client_id: "ID1".into(),
        api_key: "key1".into(),
        checksum_key: Some("secret-key".into()),
        webhook_url,
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(sim::run(listener, sim.clone(), std::future::pending()));
    (base, sim)
}

async fn token(base: &str, id: &str, key: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{base}/third-parties/generate-token"))
        .header("client-id", id)
        .header("api-key", key)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[test]
fn the_checksum_matches_the_reference_value() {
    let sample = json!({"event": "PAYMENT RECEIVED", "data": {
        "id": "ORD123456LCP7890", "status": "SUCCESS", "paymentReference": "abc123def456ghi789",
        "orderReference": "ORD123456", "collectedAmount": "10000", "collectedCurrency": "TZS",
        "message": "success", "channel": "CRDB DIRECT DEBIT MANDATE",
        "updatedAt": "2024-04-10T18:22:56.153Z", "createdAt": "2024-04-10T18:22:16.949Z",
        "customer": {"customerName": "John Doe", "customerEmail": "john@example.com",
            "customerPhoneNumber": "255700000000"}}});
    assert_eq!(
        checksum(&sample, "secret-key"),
        "8123ec10456bc1f6eb27871b82a5b5e4e3d4baafc36f8bef6d6cbac4539c5031"
    );
}

#[tokio::test]
async fn tokens_are_refused_in_clickpesas_words_and_used_as_issued() {
    let (base, sim) = start(None).await;
    assert_eq!(
        token(&base, "ID2", "key1").await,
        (403, json!({"message": "Invalid client details"}))
    );
    assert_eq!(
        token(&base, "ID1", "bad").await,
        (403, json!({"message": "Invalid or Expired API-Key"}))
    );
    let (status, body) = token(&base, "ID1", "key1").await;
    assert_eq!(status, 200);
    let issued = body["token"].as_str().unwrap().to_owned();
    assert!(issued.starts_with("Bearer "));
    let create = |auth: String| {
        let base = base.clone();
        async move {
            reqwest::Client::new()
                .post(format!("{base}/third-parties/billpay/create-order-control-number"))
                .header("authorization", auth)
                .json(&json!({"billAmount": 90900, "billPaymentMode": "EXACT", "billReference": "CUSTOMJH121"}))
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        create(format!("Bearer {issued}")).await.status().as_u16(),
        401,
        "double Bearer"
    );
    let created: Value = create(issued.clone()).await.json().await.unwrap();
    assert_eq!(created["billPayNumber"], "CUSTOMJH121");
    assert_eq!(created["billAmount"], 90900);
    let again = create(issued.clone()).await;
    assert_eq!(again.status().as_u16(), 409);
    assert_eq!(
        again.json::<Value>().await.unwrap(),
        json!({"message": "Bill reference already used: Use a different reference"})
    );
    assert_eq!(sim.tokens_issued(), 1);
}

#[tokio::test]
async fn a_payment_fires_a_checksummed_payment_received() {
    let (base, sim) = start(None).await;
    let (_, body) = token(&base, "ID1", "key1").await;
    let auth = body["token"].as_str().unwrap().to_owned();
    reqwest::Client::new()
        .post(format!(
            "{base}/third-parties/billpay/create-order-control-number"
        ))
        .header("authorization", &auth)
        .json(&json!({"billReference": "1122231256"}))
        .send()
        .await
        .unwrap();
    let paid: Value = reqwest::Client::new()
        .post(format!("{base}/_sim/pay"))
        .json(&json!({"billPayNumber": "1122231256", "amount": "2500"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(paid["accepted"], true);
    let delivered = sim.deliveries();
    assert_eq!(delivered.len(), 1);
    let mut event: Value = serde_json::from_slice(&delivered[0].body).unwrap();
    assert_eq!(event["event"], "PAYMENT RECEIVED");
    assert_eq!(
        event["data"]["collectedAmount"], "2500",
        "amounts are strings in major units"
    );
    assert_eq!(event["checksumMethod"], "canonical");
    let sent = event["checksum"].as_str().unwrap().to_owned();
    let map = event.as_object_mut().unwrap();
    map.remove("checksum");
    map.remove("checksumMethod");
    assert_eq!(sent, checksum(&event, "secret-key"));
    let unknown: Value = reqwest::Client::new()
        .post(format!("{base}/_sim/pay"))
        .json(&json!({"billPayNumber": "000", "amount": 1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(unknown["accepted"], false);
    let hook = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", hook.local_addr().unwrap());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::body::Bytes| {
            let tx = tx.clone();
            async move {
                tx.send(body.to_vec()).unwrap();
                ""
            }
        }),
    );
    tokio::spawn(async move { axum::serve(hook, app).await });
    reqwest::Client::new()
        .post(format!("{base}/_sim/webhooks"))
        .json(&json!({ "url": url }))
        .send()
        .await
        .unwrap();
    reqwest::Client::new()
        .post(format!(
            "{base}/third-parties/billpay/create-order-control-number"
        ))
        .header("authorization", &auth)
        .json(&json!({"billReference": "1122231257"}))
        .send()
        .await
        .unwrap();
    let closed: Value = reqwest::Client::new()
        .post(format!("{base}/_sim/pay"))
        .json(&json!({"billPayNumber": "1122231256", "amount": 1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(closed["accepted"], false, "a paid order number is closed");
    reqwest::Client::new()
        .post(format!("{base}/_sim/pay"))
        .json(&json!({"billPayNumber": "1122231257", "amount": 1}))
        .send()
        .await
        .unwrap();
    let posted = tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv())
        .await
        .unwrap()
        .unwrap();
    let event: Value = serde_json::from_slice(&posted).unwrap();
    assert_eq!(event["event"], "PAYMENT RECEIVED");
    assert_eq!(
        event["data"]["orderReference"], "1122231257",
        "only the accepted payment is announced"
    );
}
