//! The `PaystackPop` stand-in run by a real browser engine (headless Chromium, as the setup
//! script installs it): a page on another origin, like the till's webview, loads the
//! simulator's `/v2/inline.js`, calls `new PaystackPop().resumeTransaction(accessCode, …)`,
//! and the scripted customer pays (or cancels) inside the popup; the page's `onSuccess` /
//! `onCancel` report back over HTTP. Proves the popup interface works end to end, not only
//! that a script is served.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use axum::extract::Query;
use axum::response::Html;
use malipo_sim::paystack::{
    self as sim, CustomerScript, PaystackSim, PaystackSimConfig, WebhookScript,
};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const KEY: &str = "sk_test_popup_key";
const CHROMIUM: &str = "/usr/bin/chromium";

async fn bind() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    (listener, base)
}

/// Starts the simulator, initializes a transaction and scripts its customer; returns the
/// simulator's base URL and the access code.
async fn checkout(reference: &str, script: CustomerScript) -> (String, String) {
    let sim = PaystackSim::new(PaystackSimConfig {
        secret_key: KEY.into(),
        webhooks: WebhookScript::default(),
    });
    let (listener, base) = bind().await;
    tokio::spawn(sim::run(listener, sim.clone(), std::future::pending()));
    let init: Value = reqwest::Client::new()
        .post(format!("{base}/transaction/initialize"))
        .bearer_auth(KEY)
        .json(&json!({"email": "pos@shop.example", "amount": 150000, "currency": "KES", "reference": reference}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = init["data"]["access_code"].as_str().unwrap().to_owned();
    sim.script_customer(&code, script);
    (base, code)
}

/// Serves the register's page (another origin), opens it in headless Chromium and returns
/// the first outcome the page reports (`success:<reference>` or `cancel`).
async fn run_register(sim_base: &str, code: &str) -> String {
    let page = format!(
        r#"<!doctype html><html><body><script src="{sim_base}/v2/inline.js"></script>
<script>
const report = (what) => fetch('/report?what=' + encodeURIComponent(what));
new PaystackPop().resumeTransaction({code:?}, {{
  onLoad: () => report('load'),
  onSuccess: (t) => report('success:' + t.reference),
  onCancel: () => report('cancel'),
  onError: (e) => report('error:' + e.message),
}});
</script></body></html>"#
    );
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let app = axum::Router::new()
        .route("/", axum::routing::get(move || async move { Html(page) }))
        .route(
            "/report",
            axum::routing::get(
                move |Query(q): Query<std::collections::HashMap<String, String>>| {
                    let tx = tx.clone();
                    async move {
                        tx.send(q.get("what").cloned().unwrap_or_default()).unwrap();
                        ""
                    }
                },
            ),
        );
    let (listener, register) = bind().await;
    tokio::spawn(async move { axum::serve(listener, app).await });
    assert!(
        std::path::Path::new(CHROMIUM).exists(),
        "this test needs Debian's chromium (scripts/setup.sh installs it)"
    );
    let profile =
        std::env::temp_dir().join(format!("malipo-popup-{}-{}", std::process::id(), code));
    let mut browser = std::process::Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .args(["--disable-background-networking", "--disable-dev-shm-usage"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("{register}/"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut outcome = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while let Ok(Some(what)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        if what != "load" {
            outcome = what;
            break;
        }
    }
    browser.kill().unwrap();
    browser.wait().unwrap();
    let _ = std::fs::remove_dir_all(profile);
    outcome
}

#[tokio::test]
async fn the_popup_pays_and_calls_on_success_with_the_reference() {
    let script = CustomerScript {
        card: Some("4084084084084081".into()),
        pin: None,
        cancel: false,
    };
    let (base, code) = checkout("MLP-POPUP-1", script).await;
    assert_eq!(run_register(&base, &code).await, "success:MLP-POPUP-1");
    let verified: Value = reqwest::Client::new()
        .get(format!("{base}/transaction/verify/MLP-POPUP-1"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(verified["data"]["status"], "success");
}

#[tokio::test]
async fn closing_the_popup_calls_on_cancel() {
    let script = CustomerScript {
        card: None,
        pin: None,
        cancel: true,
    };
    let (base, code) = checkout("MLP-POPUP-2", script).await;
    assert_eq!(run_register(&base, &code).await, "cancel");
}
