//! The till killed with SIGKILL while events stream in — often between storing an event and
//! acknowledging it — then started again: every event the relay holds ends up in the inbox
//! exactly once, in order. The till here is the real `malipo-sync` program on a real file.
#![allow(clippy::unwrap_used)]

mod support;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use malipo_relay::{EventKind, EventStore};
use malipo_store::Store;
use support::{Relay, WAIT};

const BIN: &str = env!("CARGO_BIN_EXE_malipo-sync");

fn start_till(relay: &Relay, db: &std::path::Path) -> Child {
    Command::new(BIN)
        .args(["--relay", &relay.base(), "--db", db.to_str().unwrap()])
        .args(["--ack-every", "64"])
        .env("MALIPO_DEVICE_TOKEN", &relay.device_token)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// (rows, highest relay sequence number) in the till's inbox.
fn inbox_state(db: &std::path::Path) -> (Vec<malipo_store::InboxEvent>, i64) {
    let store = Store::open(db).unwrap();
    let rows = store.inbox_list(None, i64::MAX).unwrap();
    let top = rows.iter().filter_map(|r| r.relay_seq).max().unwrap_or(0);
    (rows, top)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_till_killed_between_storing_and_acknowledging_loses_nothing_and_stores_nothing_twice() {
    const N: usize = 4_000;
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay.sqlite")).await;
    let db = dir.path().join("till.sqlite");
    drop(Store::open(&db).unwrap()); // created and migrated before the first kill

    let url = relay.url(EventKind::C2bConfirm);
    let load = tokio::spawn(async move {
        let http = reqwest::Client::new();
        for i in 0..N {
            let res = http
                .post(&url)
                .body(format!("{{\"n\":{i}}}"))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status().as_u16(), 200);
            if i % 200 == 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    });

    let mut stored_not_acked = 0;
    for round in 0..20u64 {
        let mut till = start_till(&relay, &db);
        tokio::time::sleep(Duration::from_millis(60 + (round * 37) % 200)).await;
        till.kill().unwrap(); // SIGKILL: no flush, no last ack
        till.wait().unwrap();
        let (_, top) = inbox_state(&db);
        let acked = relay.store.acknowledged(relay.device).unwrap();
        assert!(acked as i64 <= top, "never acknowledged before stored");
        if (acked as i64) < top {
            stored_not_acked += 1;
        }
    }
    load.await.unwrap();

    let mut till = start_till(&relay, &db);
    let deadline = tokio::time::Instant::now() + WAIT;
    while relay.store.acknowledged(relay.device).unwrap() < N as u64 {
        assert!(tokio::time::Instant::now() < deadline, "the till caught up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    till.kill().unwrap();
    till.wait().unwrap();

    assert!(
        stored_not_acked > 0,
        "some kill fell between storing and acknowledging (the case under test)"
    );
    let (rows, _) = inbox_state(&db);
    assert_eq!(rows.len(), N, "nothing lost, nothing stored twice");
    let seqs: Vec<i64> = rows.iter().map(|r| r.relay_seq.unwrap()).collect();
    assert_eq!(seqs, (1..=N as i64).collect::<Vec<_>>());
    let relay_bodies: Vec<Vec<u8>> = relay
        .store
        .events_after(relay.shop.id, 0, N)
        .unwrap()
        .into_iter()
        .map(|e| e.event.body)
        .collect();
    let till_bodies: Vec<Vec<u8>> = rows.into_iter().map(|r| r.body).collect();
    assert_eq!(till_bodies, relay_bodies);
}
