//! The `malipo-relay` program as an operator uses it: `shop-create` prints the endpoint token
//! once with every callback URL, `till-create` prints a device token, and `serve` answers a
//! provider at a printed URL on the address it is given; killed with SIGKILL mid-load and
//! restarted on the same address, every event it had answered 200 for reaches the till's inbox
//! through the real sync client — once, in order.
#![allow(clippy::unwrap_used)]

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_malipo-relay");

fn relay(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The value after `label` on its line of `text`.
fn after<'a>(text: &'a str, label: &str) -> &'a str {
    let line = text.lines().find(|l| l.contains(label)).unwrap();
    line.rsplit(' ').next().unwrap()
}

#[tokio::test]
async fn shop_create_prints_the_urls_and_serve_answers_at_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relay.sqlite");
    let db = db.to_str().unwrap();
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");

    let (ok, shop, _) = relay(&[
        "shop-create",
        "--db",
        db,
        "--name",
        "Duka",
        "--public-url",
        &base,
    ]);
    assert!(ok);
    let endpoint = after(&shop, "endpoint token");
    assert_eq!(endpoint.len(), 64);
    let stk_url = after(&shop, "STK push CallBackURL");
    assert_eq!(stk_url, format!("{base}/h/{endpoint}/stk"));
    for kind in [
        "c2b-confirm",
        "c2b-validate",
        "reversal-result",
        "timeout",
        "paystack",
        "clickpesa",
    ] {
        assert!(
            shop.contains(&format!("{base}/h/{endpoint}/{kind}\n")),
            "{kind}: {shop}"
        );
    }

    let (ok, till, _) = relay(&["till-create", "--db", db, "--shop", "1", "--name", "till 1"]);
    assert!(ok);
    assert_eq!(after(&till, "device token").len(), 64);

    let (ok, _, err) = relay(&["till-create", "--db", db, "--shop", "7", "--name", "x"]);
    assert!(!ok);
    assert!(err.contains("no such shop"), "{err}");
    let (ok, _, err) = relay(&[
        "shop-create",
        "--db",
        db,
        "--name",
        "x",
        "--public-url",
        "https://mpesa.example",
    ]);
    assert!(!ok);
    assert!(err.contains("mpesa"), "{err}");

    // Settings from a config file; the body limit shows it was read.
    let config = dir.path().join("relay.json");
    let settings =
        serde_json::json!({"db": db, "listen": format!("127.0.0.1:{port}"), "body-limit": 4096});
    std::fs::write(&config, settings.to_string()).unwrap();
    let mut server = Command::new(BIN)
        .args(["serve", "--config", config.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let mut answer = None;
    for _ in 0..100 {
        if let Ok(res) = http.post(stk_url).body("{}").send().await {
            answer = Some((res.status().as_u16(), res.text().await.unwrap()));
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let too_big = http.post(stk_url).body(vec![b'x'; 4097]).send().await;
    server.kill().unwrap();
    let output = server.wait_with_output().unwrap();
    assert_eq!(too_big.unwrap().status().as_u16(), 413);
    assert_eq!(
        answer,
        Some((
            200,
            r#"{"ResultCode":0,"ResultDesc":"Accepted"}"#.to_owned()
        ))
    );
    let log = String::from_utf8(output.stderr).unwrap();
    assert!(log.contains("event stored"), "{log}");
    assert!(log.contains("route=/h/{endpoint_token}/{kind}"), "{log}");
    assert!(!log.contains(endpoint), "the log never shows a token");
}

fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap().port()
}

/// Starts `serve` on `port` and waits until it answers.
async fn serve(db: &str, port: u16) -> Child {
    let child = Command::new(BIN)
        .args([
            "serve",
            "--db",
            db,
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..200 {
        if reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
            .await
            .is_ok()
        {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let mut child = child;
    child.kill().unwrap();
    child.wait().unwrap();
    panic!("relay did not start");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_answered_before_a_sigkill_reaches_the_tills_inbox_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relay.sqlite");
    let db = db.to_str().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let (_, shop, _) = relay(&[
        "shop-create",
        "--db",
        db,
        "--name",
        "Duka",
        "--public-url",
        &base,
    ]);
    let stk_url = after(&shop, "STK push CallBackURL").to_owned();
    let (_, till, _) = relay(&["till-create", "--db", db, "--shop", "1", "--name", "till"]);
    let device = after(&till, "device token").to_owned();

    // The till is online through it all, with its real sync client and inbox.
    let inbox = Arc::new(Mutex::new(
        malipo_store::Store::open(&dir.path().join("till.sqlite")).unwrap(),
    ));
    let mut config =
        malipo_sync::SyncConfig::new(base.clone(), malipo_vault::Sensitive::new(device));
    config.backoff_initial = Duration::from_millis(50);
    config.backoff_max = Duration::from_millis(300);
    let sync = Arc::new(malipo_sync::SyncClient::new(config).unwrap());
    let syncing = {
        let (sync, inbox) = (sync.clone(), inbox.clone());
        tokio::spawn(async move { sync.run(inbox, std::future::pending()).await })
    };

    let mut server = serve(db, port).await;
    let answered: Arc<Mutex<Vec<String>>> = Arc::default();
    let senders: Vec<_> = (0..16)
        .map(|s| {
            let (url, answered) = (stk_url.clone(), answered.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                for i in 0.. {
                    let id = format!("{s}-{i}");
                    match http.post(&url).body(id.clone()).send().await {
                        Ok(res) if res.status().as_u16() == 200 => {
                            answered.lock().unwrap().push(id)
                        }
                        _ => break,
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(400)).await;
    server.kill().unwrap(); // SIGKILL: no shutdown, no flush beyond what was committed.
    server.wait().unwrap();
    for s in senders {
        s.await.unwrap();
    }
    let answered = answered.lock().unwrap().clone();
    assert!(
        answered.len() > 50,
        "the load ran ({} answered)",
        answered.len()
    );

    let mut server = serve(db, port).await; // same address: the till reconnects by itself
    let stored = {
        use malipo_relay::{EventStore, ShopId, SqliteStore};
        SqliteStore::open(std::path::Path::new(db))
            .unwrap()
            .last_seq(ShopId(1))
            .unwrap()
    };
    let mut status = sync.status();
    let caught_up = status.wait_for(|s| s.last_acked_seq == Some(stored as i64));
    tokio::time::timeout(Duration::from_secs(60), caught_up)
        .await
        .unwrap()
        .unwrap();
    syncing.abort();
    server.kill().unwrap();
    server.wait().unwrap();

    let rows = inbox.lock().unwrap().inbox_list(None, i64::MAX).unwrap();
    let seqs: Vec<i64> = rows.iter().map(|r| r.relay_seq.unwrap()).collect();
    assert_eq!(
        seqs,
        (1..=stored as i64).collect::<Vec<_>>(),
        "gapless, in order, once"
    );
    let delivered: Vec<String> = rows
        .into_iter()
        .map(|r| String::from_utf8(r.body).unwrap())
        .collect();
    let missing: Vec<&String> = answered
        .iter()
        .filter(|id| !delivered.contains(id))
        .collect();
    assert!(missing.is_empty(), "answered 200 but lost: {missing:?}");
    let mut unique = delivered.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), delivered.len(), "nothing stored twice");
}
