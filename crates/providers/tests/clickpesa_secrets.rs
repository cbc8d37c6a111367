//! No ClickPesa API key, checksum key or token appears in logs or errors: a full flow
//! (token, control number, a paying customer, a checksummed webhook checked with the wrong key,
//! payment query, a conflict, refused credentials) runs under a TRACE-level subscriber writing
//! to a buffer. Its own test binary, so that no other test's thread registers the log call
//! sites before the subscriber is in place.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use malipo_core::{Currency, Money, Timestamp};
use malipo_providers::clickpesa::{
    verify_checksum, BillPayMode, ClickPesaClient, ControlNumberRequest,
};
use malipo_sim::clickpesa::{self as sim, ClickPesaSim, ClickPesaSimConfig};
use malipo_vault::Sensitive;
use serde_json::{json, Value};
use tokio::net::TcpListener;

const API_KEY: &str = "API_KEY_SECRET_do_not_leak_77";
const CHECKSUM_KEY: &str = "CHECKSUM_KEY_SECRET_88";
const T0: Timestamp = Timestamp(1_790_000_000_000);

type Received = Arc<Mutex<Vec<Vec<u8>>>>;

struct Rig {
    base: String,
    received: Received,
    client: ClickPesaClient,
}

async fn serve(router: axum::Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

async fn rig() -> Rig {
    let received: Received = Arc::default();
    let sink = received.clone();
    let hook = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: Bytes| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push(body.to_vec());
                "ok"
            }
        }),
    );
    let hook_base = serve(hook).await;
    let sim = ClickPesaSim::new(ClickPesaSimConfig {
        client_id: "IDsim123".into(),
        api_key: API_KEY.into(),
        checksum_key: Some(CHECKSUM_KEY.into()),
        webhook_url: Some(format!("{hook_base}/hook")),
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(sim::run(listener, sim.clone(), std::future::pending()));
    let client = ClickPesaClient::new(
        format!("{base}/third-parties"),
        "IDsim123",
        Sensitive::new(API_KEY.to_owned()),
    )
    .unwrap();
    Rig {
        base,
        received,
        client,
    }
}

fn tzs(shillings: i64) -> Money {
    Money::from_major(shillings, Currency::Tzs).unwrap()
}

fn order(reference: &str, amount: Option<i64>, mode: BillPayMode) -> ControlNumberRequest {
    ControlNumberRequest {
        reference: Some(reference.into()),
        amount: amount.map(tzs),
        mode,
        description: Some(format!("Invoice {reference}")),
        customer: None,
    }
}

impl Rig {
    /// The customer pays `amount` shillings to `number`: `(accepted, reason)`.
    async fn pay(&self, number: &str, amount: i64) -> (bool, Value) {
        let answer: Value = reqwest::Client::new()
            .post(format!("{}/_sim/pay", self.base))
            .json(&json!({"billPayNumber": number, "amount": amount}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (answer["accepted"] == true, answer)
    }

    async fn webhooks(&self, n: usize) -> Vec<Vec<u8>> {
        for _ in 0..500 {
            let got = self.received.lock().unwrap().clone();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("expected {n} webhooks");
    }
}

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn no_key_or_token_appears_in_logs_or_errors() {
    let logs = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(logs.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let rig = rig().await;
    let mut seen = Vec::new();
    rig.client.test_connection(T0).await.unwrap();
    rig.client
        .create_control_number(&order("9001", Some(1_000), BillPayMode::Exact), T0)
        .await
        .unwrap();
    rig.pay("9001", 1_000).await;
    let hooks = rig.webhooks(1).await;
    let wrong = verify_checksum(&hooks[0], &Sensitive::new("wrong".into())).unwrap_err();
    seen.push(format!("{wrong} {wrong:?}"));
    seen.push(format!(
        "{:?}",
        rig.client.query_payments("9001", T0).await.unwrap()
    ));
    let dup = rig
        .client
        .create_control_number(&order("9001", Some(1), BillPayMode::Exact), T0)
        .await
        .unwrap_err();
    seen.push(format!("{dup} {dup:?}"));
    let bad = ClickPesaClient::new(
        format!("{}/third-parties", rig.base),
        "IDsim123",
        Sensitive::new(format!("{API_KEY}x")),
    )
    .unwrap();
    let refused = bad.test_connection(T0).await.unwrap_err();
    seen.push(format!("{refused} {refused:?} {bad:?} {:?}", rig.client));
    tracing::info!("capture finished");
    let captured = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        captured.contains("clickpesa answered"),
        "the client's logs were captured"
    );
    for text in seen.iter().chain([&captured]) {
        assert!(!text.contains("SECRET"), "a key leaked: {text}");
        assert!(!text.contains("Bearer eyJ"), "a token leaked: {text}");
    }
}
