//! The till's sync client against a real relay on loopback: events reach the inbox with
//! their bytes intact, in order, exactly once — through an offline backlog, a relay that goes
//! away and comes back, and a refused device token.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use malipo_relay::{EventKind, EventStore};
use malipo_sim::daraja::{DarajaSim, SimConfig};
use serde_json::{json, Value};
use support::{client, inbox, till_store, wait_for, Relay, WAIT};

const PASSKEY: &str = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919";
const TIMESTAMP: &str = "20261125101500";

/// Posts `n` distinct bodies to the relay from `senders` concurrent senders; returns them.
async fn post_many(url: &str, n: usize, senders: usize) -> Vec<String> {
    let tasks: Vec<_> = (0..senders)
        .map(|s| {
            let url = url.to_owned();
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                let mut sent = Vec::new();
                for i in (s..n).step_by(senders) {
                    let body = format!("{{\"event\":{i},\"note\":\"caf\u{e9} 1.50\"}}");
                    let res = http.post(&url).body(body.clone()).send().await.unwrap();
                    assert_eq!(res.status().as_u16(), 200);
                    sent.push(body);
                }
                sent
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_stk_callback_from_the_daraja_simulator_lands_in_the_inbox_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay.sqlite")).await;
    let till = till_store(&dir.path().join("till.sqlite"));
    let sync = Arc::new(client(&relay.base(), &relay.device_token));
    let mut status = sync.status();
    let running = {
        let (sync, till) = (sync.clone(), till.clone());
        tokio::spawn(async move { sync.run(till, std::future::pending()).await })
    };

    let sim = DarajaSim::new(SimConfig {
        check_timestamp_clock: false,
        ..SimConfig::default()
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(malipo_sim::daraja::run(
        listener,
        sim.clone(),
        std::future::pending(),
    ));
    let http = reqwest::Client::new();
    let token: Value = http
        .get(format!(
            "{base}/oauth/v1/generate?grant_type=client_credentials"
        ))
        .basic_auth("sim-consumer-key", Some("sim-consumer-secret"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let push = json!({
        "BusinessShortCode": 174379,
        "Password": base64::engine::general_purpose::STANDARD
            .encode(format!("174379{PASSKEY}{TIMESTAMP}")),
        "Timestamp": TIMESTAMP,
        "TransactionType": "CustomerPayBillOnline",
        "Amount": 1,
        "PartyA": "254708374149",
        "PartyB": "174379",
        "PhoneNumber": "254708374149",
        "CallBackURL": relay.url(EventKind::Stk),
        "AccountReference": "T1-000123",
        "TransactionDesc": "Sale 123"
    });
    let res = http
        .post(format!("{base}/mpesa/stkpush/v1/processrequest"))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .json(&push)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);

    let delivered = sim.wait_for_deliveries(1, WAIT).await;
    assert_eq!(
        delivered[0].status,
        Some(200),
        "the relay took the callback"
    );
    let s = wait_for(&mut status, |s| {
        s.stored == 1 && s.last_acked_seq == Some(1)
    })
    .await;
    assert!(s.online);
    let rows = inbox(&till);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].provider, "daraja");
    assert_eq!(rows[0].kind, "stk");
    assert_eq!(rows[0].relay_seq, Some(1));
    assert_eq!(
        rows[0].body,
        delivered[0].body.as_bytes(),
        "raw bytes identical"
    );
    assert_eq!(
        rows[0].outcome, "pending",
        "stored for the engine to process"
    );
    running.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_events_sent_while_offline_arrive_once_in_order() {
    const N: usize = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay.sqlite")).await;
    let mut sent = post_many(&relay.url(EventKind::C2bConfirm), N, 16).await;

    // The till comes online; the first connection dies partway (acks lag behind what is
    // stored), the second finishes: the redelivered events must be absorbed.
    let till = till_store(&dir.path().join("till.sqlite"));
    let first = Arc::new(client(&relay.base(), &relay.device_token));
    let mut status = first.status();
    let running = {
        let (sync, till) = (first.clone(), till.clone());
        tokio::spawn(async move { sync.run(till, std::future::pending()).await })
    };
    wait_for(&mut status, |s| s.stored >= 3_000).await;
    running.abort();
    let _ = running.await;
    let stored_by_first = inbox(&till).len() as u64;

    let second = Arc::new(client(&relay.base(), &relay.device_token));
    let mut status = second.status();
    let running = {
        let (sync, till) = (second.clone(), till.clone());
        tokio::spawn(async move { sync.run(till, std::future::pending()).await })
    };
    let done = wait_for(&mut status, |s| s.last_acked_seq == Some(N as i64)).await;
    running.abort();
    // The relay resends from its acknowledgement mark, which is never past what the first
    // client stored: the second client stores exactly the rest, and any repeat is absorbed.
    assert_eq!(
        done.stored,
        N as u64 - stored_by_first,
        "exactly the rest is new"
    );
    assert!(
        done.received >= done.stored,
        "repeats are received, not stored"
    );

    let rows = inbox(&till);
    assert_eq!(rows.len(), N, "every event, none twice");
    let seqs: Vec<i64> = rows.iter().map(|r| r.relay_seq.unwrap()).collect();
    assert_eq!(seqs, (1..=N as i64).collect::<Vec<_>>(), "in relay order");
    let mut got: Vec<String> = rows
        .iter()
        .map(|r| String::from_utf8(r.body.clone()).unwrap())
        .collect();
    got.sort();
    sent.sort();
    assert_eq!(got, sent, "the bodies exactly as posted");
    let relay_order: Vec<Vec<u8>> = relay
        .store
        .events_after(relay.shop.id, 0, N)
        .unwrap()
        .into_iter()
        .map(|e| e.event.body)
        .collect();
    let inbox_order: Vec<Vec<u8>> = rows.into_iter().map(|r| r.body).collect();
    assert_eq!(
        inbox_order, relay_order,
        "each sequence number carries its own body"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_link_goes_offline_when_the_relay_does_and_resumes_when_it_returns() {
    let dir = tempfile::tempdir().unwrap();
    let mut relay = Relay::start(&dir.path().join("relay.sqlite")).await;
    let till = till_store(&dir.path().join("till.sqlite"));
    let sync = Arc::new(client(&relay.base(), &relay.device_token));
    let mut status = sync.status();
    let running = {
        let (sync, till) = (sync.clone(), till.clone());
        tokio::spawn(async move { sync.run(till, std::future::pending()).await })
    };
    wait_for(&mut status, |s| s.online).await;
    post_many(&relay.url(EventKind::Paystack), 5, 1).await;
    wait_for(&mut status, |s| s.last_acked_seq == Some(5)).await;

    relay.stop().await;
    let down = wait_for(&mut status, |s| !s.online).await;
    assert!(
        down.offline_since.is_some(),
        "the status bar can say since when"
    );
    assert!(down.last_error.is_some());
    tokio::time::sleep(Duration::from_millis(300)).await; // a few failed reconnects

    relay.restart().await;
    post_many(&relay.url(EventKind::Paystack), 5, 1).await;
    let back = wait_for(&mut status, |s| s.online && s.last_acked_seq == Some(10)).await;
    assert_eq!(back.offline_since, None);
    assert_eq!(back.stored, 10);
    assert_eq!(inbox(&till).len(), 10);
    running.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_device_token_is_reported_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay.sqlite")).await;
    post_many(&relay.url(EventKind::Stk), 3, 1).await;
    let till = till_store(&dir.path().join("till.sqlite"));
    let sync = Arc::new(client(&relay.base(), "not-this-tills-token"));
    let mut status = sync.status();
    let running = {
        let (sync, till) = (sync.clone(), till.clone());
        tokio::spawn(async move { sync.run(till, std::future::pending()).await })
    };
    let s = wait_for(&mut status, |s| s.last_error.is_some()).await;
    running.abort();
    assert!(!s.online);
    let error = s.last_error.unwrap();
    assert!(error.contains("device token"), "{error}");
    assert!(
        !error.contains("not-this-tills-token"),
        "the token is never echoed"
    );
    assert!(inbox(&till).is_empty());
}
