//! The till's side of the relay, measured: `cargo bench -p malipo-sync`.
//!
//! A relay over a real SQLite file and a till whose sync client stores every event in a real
//! till database (WAL, `synchronous=FULL`) before acknowledging it. Reported:
//! - end-to-end latency from the start of a provider's POST to the event being durable in the
//!   till's inbox (p50/p99), one sender at a time, 16 concurrent senders as fast as they can
//!   (saturation: the latency is mostly queueing), and 16 held to 1,400 events/s (the rate a
//!   store-nothing relay reaches with 16 senders on these machines, for comparison);
//! - the rate at which a till that was offline drains a backlog (events/s into the inbox).
//!
//! `SYNC_BENCH_EVENTS` sets the events per run (default 2,000; the backlog is 5× that).
#![allow(clippy::unwrap_used, clippy::float_arithmetic)] // rates for people to read

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use malipo_relay::EventKind;
use malipo_store::Store;
use malipo_sync::{Decoded, Inbox};
use support::{client, till_store, Relay};

/// The till's store, noting when each event became durable. It stores bursts exactly as the
/// app's inbox does (one commit per burst): timing only `store` would fall back to the
/// trait's one-commit-per-event default and measure a path the till never takes.
struct TimedInbox {
    store: Arc<Mutex<Store>>,
    stored_at: Mutex<HashMap<String, Instant>>,
}

impl Inbox for TimedInbox {
    fn store(&self, event: &Decoded) -> Result<bool, String> {
        self.store_all(std::slice::from_ref(event))
            .map(|new| new.first().copied().unwrap_or(false))
    }

    fn store_all(&self, events: &[Decoded]) -> Result<Vec<bool>, String> {
        let new = self.store.as_ref().store_all(events)?;
        let now = Instant::now();
        let mut stored_at = self.stored_at.lock().unwrap();
        for event in events {
            stored_at.insert(String::from_utf8_lossy(&event.body).into_owned(), now);
        }
        Ok(new)
    }
}

fn events() -> usize {
    std::env::var("SYNC_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        for senders in [1usize, 16] {
            latency(events(), senders, None).await;
        }
        // The same 16 senders held to 1,400 events/s, the rate a store-nothing relay (smee)
        // reaches with 16 senders here: latency at the reference's load, not at saturation.
        latency(events(), 16, Some(1_400)).await;
        backlog(events() * 5).await;
    });
}

/// `n` events from `senders` concurrent senders, each as fast as it can or, with `rate`,
/// all together at most `rate` events per second.
async fn latency(n: usize, senders: usize, rate: Option<u32>) {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay.sqlite")).await;
    let inbox = Arc::new(TimedInbox {
        store: till_store(&dir.path().join("till.sqlite")),
        stored_at: Mutex::new(HashMap::new()),
    });
    let sync = Arc::new(client(&relay.base(), &relay.device_token));
    let mut status = sync.status();
    {
        let (sync, inbox) = (sync.clone(), inbox.clone());
        tokio::spawn(async move { sync.run(inbox, std::future::pending()).await });
    }
    status.wait_for(|s| s.online).await.unwrap();
    let url = relay.url(EventKind::C2bConfirm);
    let sent_at: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let started = Instant::now();
    let tasks: Vec<_> = (0..senders)
        .map(|s| {
            let (url, sent_at) = (url.clone(), sent_at.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                // Each sender's share of the rate, as one tick per event.
                let mut tick = rate.map(|r| {
                    let every = Duration::from_secs(senders as u64) / r.max(1);
                    tokio::time::interval(every)
                });
                for i in (s..n).step_by(senders) {
                    if let Some(tick) = tick.as_mut() {
                        tick.tick().await;
                    }
                    let id = format!("{{\"event\":{i}}}");
                    sent_at.lock().unwrap().insert(id.clone(), Instant::now());
                    let res = http.post(&url).body(id).send().await.unwrap();
                    assert_eq!(res.status().as_u16(), 200);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    status.wait_for(|s| s.stored as usize >= n).await.unwrap();
    let elapsed = started.elapsed();
    let sent = sent_at.lock().unwrap();
    let stored = inbox.stored_at.lock().unwrap();
    let mut lat: Vec<Duration> = sent
        .iter()
        .map(|(id, at)| stored[id].duration_since(*at))
        .collect();
    lat.sort();
    let pct = |p: usize| lat[(lat.len() * p / 100).min(lat.len() - 1)];
    let paced = rate.map_or(String::new(), |r| format!(" paced at {r}/s"));
    println!(
        "POST → till inbox, {senders:>2} sender(s){paced}, {n} events: {:.0} events/s end to end, p50 {:?}, p99 {:?}",
        n as f64 / elapsed.as_secs_f64(),
        pct(50),
        pct(99)
    );
}

async fn backlog(n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay.sqlite")).await;
    let url = relay.url(EventKind::C2bConfirm);
    let tasks: Vec<_> = (0..16)
        .map(|s| {
            let url = url.clone();
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                for i in (s..n).step_by(16) {
                    let res = http
                        .post(&url)
                        .body(format!("{{\"event\":{i}}}"))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(res.status().as_u16(), 200);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let store = till_store(&dir.path().join("till.sqlite"));
    let sync = Arc::new(client(&relay.base(), &relay.device_token));
    let mut status = sync.status();
    let started = Instant::now();
    {
        let sync = sync.clone();
        tokio::spawn(async move { sync.run(store, std::future::pending()).await });
    }
    status
        .wait_for(|s| s.last_acked_seq == Some(n as i64))
        .await
        .unwrap();
    let elapsed = started.elapsed();
    println!(
        "offline backlog of {n} events drained into the till inbox (durable, acknowledged): {:.0} events/s ({elapsed:?})",
        n as f64 / elapsed.as_secs_f64()
    );
}
