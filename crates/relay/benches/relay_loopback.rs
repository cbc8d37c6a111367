//! Durable ingest rate and end-to-end latency of the relay on loopback: `cargo bench -p
//! malipo-relay`.
//!
//! A relay over a real SQLite file (WAL, `synchronous=FULL`, group commit) and one connected
//! till stream; events are POSTed as a provider would, first by one sender at a time, then by
//! 16 concurrent senders. Reported: events/s answered 200 (each only after its commit), and the
//! latency from the start of the POST to the event's arrival on the till stream (p50/p99).
//! `RELAY_BENCH_EVENTS` sets the events per run (default 2,000).
#![allow(clippy::unwrap_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::{body, Relay, TillStream};

const BODY_PAD: usize = 600;

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let events: usize = std::env::var("RELAY_BENCH_EVENTS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2_000);
        for senders in [1usize, 16] {
            bench(events, senders).await;
        }
    });
}

async fn bench(events: usize, senders: usize) {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay.sqlite")).await;
    let (endpoint, device) = relay.shop("Bench");
    let sent_at: Arc<Mutex<HashMap<usize, Instant>>> = Arc::default();

    let mut till = TillStream::open(&relay.base(), &device).await;
    let reader = tokio::spawn(async move {
        let mut arrived = Vec::with_capacity(events);
        while arrived.len() < events {
            let frame = till.next_within(Duration::from_secs(60)).await.unwrap();
            let raw = body(&frame);
            let id: usize = std::str::from_utf8(&raw[..12])
                .unwrap()
                .trim()
                .parse()
                .unwrap();
            arrived.push((id, Instant::now()));
        }
        arrived
    });

    let client = reqwest::Client::new();
    let url = format!("{}/h/{endpoint}/stk", relay.base());
    let started = Instant::now();
    let tasks: Vec<_> = (0..senders)
        .map(|s| {
            let (client, url, sent_at) = (client.clone(), url.clone(), sent_at.clone());
            tokio::spawn(async move {
                for id in (s..events).step_by(senders) {
                    let mut payload = format!("{id:>12}").into_bytes();
                    payload.resize(BODY_PAD, b' ');
                    sent_at.lock().unwrap().insert(id, Instant::now());
                    let res = client.post(&url).body(payload).send().await.unwrap();
                    assert_eq!(res.status().as_u16(), 200);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let ingest = started.elapsed();
    let arrived = reader.await.unwrap();

    let sent_at = sent_at.lock().unwrap();
    let mut latencies: Vec<Duration> = arrived
        .iter()
        .map(|(id, at)| at.duration_since(sent_at[id]))
        .collect();
    latencies.sort();
    let pct = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)];
    let rate = u128::try_from(events).unwrap() * 1_000_000 / ingest.as_micros().max(1);
    println!(
        "relay loopback, {senders:>2} sender(s), {events} events: {rate} durable events/s; \
         POST→till latency p50 {:.1?} p99 {:.1?}",
        pct(50),
        pct(99)
    );
}
