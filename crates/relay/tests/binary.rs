//! The `malipo-relay` program as an operator uses it: `shop-create` prints the endpoint token
//! once with every callback URL, `till-create` prints a device token, and `serve` answers a
//! provider at a printed URL on the address it is given.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Stdio};
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

    let mut server = Command::new(BIN)
        .args([
            "serve",
            "--db",
            db,
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
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
    server.kill().unwrap();
    let output = server.wait_with_output().unwrap();
    assert_eq!(
        answer,
        Some((
            200,
            r#"{"ResultCode":0,"ResultDesc":"Accepted"}"#.to_owned()
        ))
    );
    let log = String::from_utf8(output.stderr).unwrap();
    assert!(log.contains("event stored"), "{log}");
    assert!(!log.contains(endpoint), "the log never shows a token");
}
