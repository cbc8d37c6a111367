//! The till stream over a real loopback socket: events arrive in order with their bytes
//! intact, live events wake an open stream, unacknowledged events come again on reconnect,
//! the relay keeps everything across a restart, and one shop's till never sees another's.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use support::{ack, body, Relay, TillStream};

const WAIT: Duration = Duration::from_secs(10);
const QUIET: Duration = Duration::from_millis(300);

/// Bodies a re-encoder would damage: odd spacing, non-UTF-8 bytes, a NUL.
fn bodies() -> Vec<Vec<u8>> {
    vec![
        br#"{"Body":{"stkCallback":{"ResultCode":0,  "Amount":1.00}}}"#.to_vec(),
        vec![0xff, 0x00, 0xfe, b'{', b'}'],
        b"{\n  \"pretty\": true\n}\n".to_vec(),
    ]
}

#[tokio::test]
async fn events_stream_in_order_bytes_intact_and_unacked_ones_are_redelivered() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay.sqlite")).await;
    let (endpoint, device) = relay.shop("Duka");

    // Posted while no till is connected.
    for b in bodies() {
        let (status, answer) = relay.post(&endpoint, "stk", &b).await;
        assert_eq!(status, 200);
        assert_eq!(answer, br#"{"ResultCode":0,"ResultDesc":"Accepted"}"#);
    }

    let mut till = TillStream::open(&relay.base(), &device).await;
    for (i, expected) in bodies().iter().enumerate() {
        let frame = till.next_within(WAIT).await.unwrap();
        assert_eq!(frame.seq, i as u64 + 1);
        assert_eq!(frame.kind, "stk");
        assert_eq!(&body(&frame), expected);
        assert!(frame.source.starts_with("127.0.0.1:"));
        assert!(frame
            .headers
            .contains(&("content-type".into(), "application/json".into())));
    }
    assert_eq!(ack(&relay.base(), &device, 2).await, 2);

    // A live event wakes the open stream.
    relay.post(&endpoint, "paystack", b"live").await;
    let frame = till.next_within(WAIT).await.unwrap();
    assert_eq!((frame.seq, body(&frame)), (4, b"live".to_vec()));
    drop(till);

    // Reconnecting resumes after the last acknowledgement: 3 and 4 come again.
    let mut till = TillStream::open(&relay.base(), &device).await;
    assert_eq!(till.next_within(WAIT).await.unwrap().seq, 3);
    assert_eq!(till.next_within(WAIT).await.unwrap().seq, 4);
    assert!(till.next_within(QUIET).await.is_none());
    assert_eq!(ack(&relay.base(), &device, 4).await, 4);
    assert_eq!(
        ack(&relay.base(), &device, 1).await,
        4,
        "acks never move back"
    );
    drop(till);

    let mut till = TillStream::open(&relay.base(), &device).await;
    assert!(
        till.next_within(QUIET).await.is_none(),
        "acknowledged events are not resent"
    );
    relay.post(&endpoint, "clickpesa", b"fifth").await;
    assert_eq!(till.next_within(WAIT).await.unwrap().seq, 5);
}

#[tokio::test]
async fn a_till_never_sees_another_shops_events() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay.sqlite")).await;
    let (endpoint_a, device_a) = relay.shop("A");
    let (endpoint_b, device_b) = relay.shop("B");
    relay.post(&endpoint_a, "stk", b"for A 1").await;
    relay.post(&endpoint_a, "stk", b"for A 2").await;
    relay.post(&endpoint_b, "stk", b"for B").await;

    let mut till_b = TillStream::open(&relay.base(), &device_b).await;
    let frame = till_b.next_within(WAIT).await.unwrap();
    assert_eq!((frame.seq, body(&frame)), (1, b"for B".to_vec()));
    assert!(till_b.next_within(QUIET).await.is_none());
    // B acknowledging beyond its own log cannot skip anything of A's, nor its own future.
    assert_eq!(ack(&relay.base(), &device_b, 99).await, 1);

    let mut till_a = TillStream::open(&relay.base(), &device_a).await;
    assert_eq!(body(&till_a.next_within(WAIT).await.unwrap()), b"for A 1");
    assert_eq!(body(&till_a.next_within(WAIT).await.unwrap()), b"for A 2");

    let metrics = reqwest::get(format!("{}/metrics", relay.base()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("relay_till_streams_open 2\n"), "{metrics}");

    // A's endpoint token is not a device token.
    let res = reqwest::Client::new()
        .get(format!("{}/till/v1/events", relay.base()))
        .bearer_auth(&endpoint_a)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
}

#[tokio::test]
async fn answered_events_survive_a_relay_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relay.sqlite");
    let (endpoint, device) = {
        let relay = Relay::start(&db).await;
        let tokens = relay.shop("Duka");
        for i in 0..20u32 {
            let (status, _) = relay.post(&tokens.0, "c2b-confirm", &i.to_be_bytes()).await;
            assert_eq!(status, 200);
        }
        tokens
    };
    let relay = Relay::start(&db).await;
    let mut till = TillStream::open(&relay.base(), &device).await;
    for i in 0..20u32 {
        let frame = till.next_within(WAIT).await.unwrap();
        assert_eq!(
            (frame.seq, body(&frame)),
            (u64::from(i) + 1, i.to_be_bytes().to_vec())
        );
    }
    let (status, _) = relay.post(&endpoint, "timeout", b"after restart").await;
    assert_eq!(status, 200);
    assert_eq!(till.next_within(WAIT).await.unwrap().seq, 21);
}

#[tokio::test]
async fn with_retention_acknowledged_events_are_pruned_and_unacknowledged_ones_kept() {
    use malipo_relay::{EventStore, RelayConfig, ShopId};
    let dir = tempfile::tempdir().unwrap();
    let config = RelayConfig {
        retention: Some(Duration::ZERO),
        prune_every: Duration::from_millis(20),
        ..RelayConfig::default()
    };
    let relay = Relay::start_with(&dir.path().join("relay.sqlite"), config).await;
    let (endpoint, device) = relay.shop("Duka");
    for b in [b"one", b"two"] {
        relay.post(&endpoint, "stk", b).await;
    }
    // Let the pruner run a few times: nothing is acknowledged, so nothing goes.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(relay.store.events_after(ShopId(1), 0, 10).unwrap().len(), 2);

    ack(&relay.base(), &device, 1).await;
    let mut left = Vec::new();
    for _ in 0..250 {
        left = relay.store.events_after(ShopId(1), 0, 10).unwrap();
        if left.len() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(left.iter().map(|e| e.seq).collect::<Vec<_>>(), [2]);
    let mut till = TillStream::open(&relay.base(), &device).await;
    assert_eq!(body(&till.next_within(WAIT).await.unwrap()), b"two");
}

#[tokio::test]
async fn shutdown_ends_open_till_streams_instead_of_waiting_for_them() {
    use malipo_relay::admin::{create_device, create_shop};
    use malipo_relay::{run, system_clock, AppState, RelayConfig, SqliteStore};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("relay.sqlite")).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let shop = create_shop(store.as_ref(), "Duka", &base, 0).unwrap();
    let device = create_device(store.as_ref(), shop.id, "till", 0).unwrap();
    let state = AppState::new(store, system_clock(), RelayConfig::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(run(listener, state, async move {
        let _ = stopped.await;
    }));

    let mut till = TillStream::open(&base, device.token.expose()).await;
    assert!(till.next_within(QUIET).await.is_none());
    stop.send(()).unwrap();
    let finished = tokio::time::timeout(WAIT, server).await;
    assert!(matches!(finished, Ok(Ok(Ok(())))), "{finished:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_events_posted_while_the_till_is_away_all_arrive_in_order_once() {
    const EVENTS: usize = 10_000;
    const SENDERS: usize = 16;
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay.sqlite")).await;
    let (endpoint, device) = relay.shop("Duka");
    let url = format!("{}/h/{endpoint}/c2b-confirm", relay.base());
    let senders: Vec<_> = (0..SENDERS)
        .map(|s| {
            let url = url.clone();
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                for i in (s..EVENTS).step_by(SENDERS) {
                    let res = http.post(&url).body(i.to_string()).send().await.unwrap();
                    assert_eq!(res.status().as_u16(), 200);
                }
            })
        })
        .collect();
    for s in senders {
        s.await.unwrap();
    }

    let mut till = TillStream::open(&relay.base(), &device).await;
    let mut seen = vec![false; EVENTS];
    let mut last_per_sender = [None::<usize>; SENDERS];
    for seq in 1..=EVENTS as u64 {
        let frame = till.next_within(WAIT).await.unwrap();
        assert_eq!(frame.seq, seq);
        let i: usize = String::from_utf8(body(&frame)).unwrap().parse().unwrap();
        assert!(!seen[i], "event {i} twice");
        seen[i] = true;
        let sender = i % SENDERS;
        assert!(
            last_per_sender[sender] < Some(i),
            "a sender's events keep their order"
        );
        last_per_sender[sender] = Some(i);
    }
    assert!(seen.iter().all(|s| *s));
    assert!(till.next_within(QUIET).await.is_none());
}
