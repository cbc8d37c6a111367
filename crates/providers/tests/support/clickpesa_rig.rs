//! A ClickPesa simulator on loopback with a webhook sink and a client pointed at it: the rig
//! the ClickPesa test binaries share. Each binary uses a part of it.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use malipo_core::{Currency, Money, Timestamp};
use malipo_providers::clickpesa::{BillPayMode, ClickPesaClient, ControlNumberRequest};
use malipo_sim::clickpesa::{self as sim, ClickPesaSim, ClickPesaSimConfig};
use malipo_vault::Sensitive;
use serde_json::{json, Value};
use tokio::net::TcpListener;

pub const API_KEY: &str = "API_KEY_SECRET_do_not_leak_77";
pub const CHECKSUM_KEY: &str = "CHECKSUM_KEY_SECRET_88";
pub const T0: Timestamp = Timestamp(1_790_000_000_000);

pub type Received = Arc<Mutex<Vec<Vec<u8>>>>;

pub struct Rig {
    pub base: String,
    pub sim: ClickPesaSim,
    pub received: Received,
    pub client: ClickPesaClient,
}

pub async fn serve(router: axum::Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

pub async fn rig() -> Rig {
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
        sim,
        received,
        client,
    }
}

pub fn tzs(shillings: i64) -> Money {
    Money::from_major(shillings, Currency::Tzs).unwrap()
}

pub fn order(reference: &str, amount: Option<i64>, mode: BillPayMode) -> ControlNumberRequest {
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
    pub async fn pay(&self, number: &str, amount: i64) -> (bool, Value) {
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

    pub async fn webhooks(&self, n: usize) -> Vec<Vec<u8>> {
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
