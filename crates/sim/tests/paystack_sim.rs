//! The Paystack simulator on the wire, without the client: Paystack's envelope and error
//! shapes, the bearer-key check, the hosted page and popup script, webhooks whose
//! `x-paystack-signature` is the HMAC-SHA512 of the exact bytes posted (checked against the
//! reference's published vector), and the `malipo-sim` binary serving all three simulators.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use malipo_sim::paystack::{self as sim, signature, PaystackSim, PaystackSimConfig, WebhookScript};
use serde_json::{json, Value};
use tokio::net::TcpListener;

const KEY: &str = "sk_test_wire_key";

async fn start() -> (String, PaystackSim) {
    let sim = PaystackSim::new(PaystackSimConfig {
        secret_key: KEY.into(),
        webhooks: WebhookScript::default(),
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(sim::run(listener, sim.clone(), std::future::pending()));
    (base, sim)
}

async fn post(url: &str, key: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(url)
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[test]
fn the_signature_is_paystacks_hmac_sha512() {
    let body = br#"{"event":"charge.success","data":{"reference":"MLP-0001","amount":150000,"currency":"KES","status":"success"}}"#;
    assert_eq!(
        signature(body, "sk_test_malipo_example_key"),
        "0f10cf1902db29a604e0728b140442749cefdaf19eecde81b20d171b611b1b10a67665761b3e172b67bafe2edcfca2d841bad1ffd026e6d2913a039ad2f0a3d0"
    );
}

#[tokio::test]
async fn envelopes_and_errors_have_paystacks_shape() {
    let (base, _) = start().await;
    let (status, body) = post(
        &format!("{base}/transaction/initialize"),
        "sk_test_other",
        json!({}),
    )
    .await;
    assert_eq!(
        (status, body),
        (401, json!({"status": false, "message": "Invalid key"}))
    );
    let (status, body) = post(
        &format!("{base}/transaction/initialize"),
        KEY,
        json!({"amount": "20000"}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["message"], "Email Address is required");
    assert_eq!(body["code"], "missing_params");
    let init =
        json!({"email": "a@b.example", "amount": "20000", "reference": "R-1", "currency": "KES"});
    let (status, body) = post(&format!("{base}/transaction/initialize"), KEY, init.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], true);
    assert_eq!(body["message"], "Authorization URL created");
    assert_eq!(body["data"]["reference"], "R-1");
    let (status, body) = post(&format!("{base}/transaction/initialize"), KEY, init).await;
    assert_eq!(
        (status, body["code"].clone()),
        (400, json!("duplicate_reference"))
    );
    let ugx = json!({"email": "a@b.example", "amount": 100, "currency": "UGX"});
    let (_, body) = post(&format!("{base}/transaction/initialize"), KEY, ugx).await;
    assert_eq!(body["message"], "Currency not supported by merchant");
    let verify = reqwest::Client::new()
        .get(format!("{base}/transaction/verify/NOPE"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(verify.status().as_u16(), 400);
}

#[tokio::test]
async fn webhooks_are_signed_over_the_exact_bytes_posted_with_scripted_delay() {
    let (base, sim) = start().await;
    let hook = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/hook", hook.local_addr().unwrap());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let tx = tx.clone();
                async move {
                    let sig = headers["x-paystack-signature"].to_str().unwrap().to_owned();
                    tx.send((sig, body.to_vec(), std::time::Instant::now()))
                        .unwrap();
                    ""
                }
            },
        ),
    );
    tokio::spawn(async move { axum::serve(hook, app).await });
    sim.set_webhooks(WebhookScript {
        url: Some(hook_url),
        duplicates: 1,
        delay_ms: 100,
        retries: 0,
    });
    let init = json!({"email": "a@b.example", "amount": 5000, "reference": "R-2"});
    let (_, body) = post(&format!("{base}/transaction/initialize"), KEY, init).await;
    let code = body["data"]["access_code"].as_str().unwrap().to_owned();
    let page = reqwest::get(format!("{base}/checkout/{code}"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<form") && page.contains("4084084084084081"));
    let paid_at = std::time::Instant::now();
    let (_, paid) = post(
        &format!("{base}/checkout/{code}/pay"),
        KEY,
        json!({"card": "4084084084084081"}),
    )
    .await;
    assert_eq!(paid["outcome"], "success");
    let (sig1, body1, at1) = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .unwrap()
        .unwrap();
    let (sig2, body2, at2) = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sig1, signature(&body1, KEY));
    assert_eq!(
        (sig1, body1.clone()),
        (sig2, body2),
        "the duplicate is identical"
    );
    assert!(at1.duration_since(paid_at) >= Duration::from_millis(100));
    assert!(at2.duration_since(at1) >= Duration::from_millis(100));
    let event: Value = serde_json::from_slice(&body1).unwrap();
    assert_eq!(event["event"], "charge.success");
    assert_eq!(event["data"]["amount"], 5000);
    assert_eq!(event["data"]["status"], "success");
    let js = reqwest::get(format!("{base}/v2/inline.js")).await.unwrap();
    assert!(js.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/javascript"));
}

#[tokio::test]
async fn an_unacknowledged_webhook_is_retried_like_paystack_does() {
    let (base, sim) = start().await;
    let hook = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/hook", hook.local_addr().unwrap());
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let seen = calls.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let seen = seen.clone();
            async move {
                // The first attempt fails, as a receiver that is down would.
                if seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    axum::http::StatusCode::OK
                }
            }
        }),
    );
    tokio::spawn(async move { axum::serve(hook, app).await });
    sim.set_webhooks(WebhookScript {
        url: Some(hook_url),
        duplicates: 0,
        delay_ms: 10,
        retries: 3,
    });
    let init = json!({"email": "a@b.example", "amount": 5000, "reference": "R-3"});
    let (_, body) = post(&format!("{base}/transaction/initialize"), KEY, init).await;
    let code = body["data"]["access_code"].as_str().unwrap().to_owned();
    post(
        &format!("{base}/checkout/{code}/pay"),
        KEY,
        json!({"card": "4084084084084081"}),
    )
    .await;
    for _ in 0..300 {
        if sim.deliveries().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let statuses: Vec<Option<u16>> = sim.deliveries().iter().map(|d| d.status).collect();
    assert_eq!(
        statuses,
        vec![Some(500), Some(200)],
        "retried until acknowledged, then stops"
    );
}

#[tokio::test]
async fn the_binary_serves_paystack_and_clickpesa_on_the_ports_it_is_given() {
    let free = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let (daraja, paystack, clickpesa) = (free(), free(), free());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_malipo-sim"))
        .args(["--daraja-port", &daraja.to_string()])
        .args(["--paystack-port", &paystack.to_string()])
        .args(["--clickpesa-port", &clickpesa.to_string()])
        .stderr(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut answers = None;
    for _ in 0..100 {
        let timeout = reqwest::Client::new()
            .get(format!(
                "http://127.0.0.1:{paystack}/integration/payment_session_timeout"
            ))
            .bearer_auth("sk_test_malipo_sim")
            .send()
            .await;
        let token = reqwest::Client::new()
            .post(format!(
                "http://127.0.0.1:{clickpesa}/third-parties/generate-token"
            ))
            .header("client-id", "IDmalipoSim")
            .header("api-key", "sim-clickpesa-api-key")
            .send()
            .await;
        if let (Ok(a), Ok(b)) = (timeout, token) {
            answers = Some((a.status().as_u16(), b.json::<Value>().await.unwrap()));
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let (paystack_status, token) = answers.unwrap();
    assert_eq!(paystack_status, 200);
    assert_eq!(token["success"], true);
}
