//! No ClickPesa API key, checksum key or token appears in logs or errors: a full flow
//! (token, control number, a paying customer, a checksummed webhook checked with the wrong key,
//! payment query, a conflict, refused credentials) runs under a TRACE-level subscriber writing
//! to a buffer. Its own test binary, so that no other test's thread registers the log call
//! sites before the subscriber is in place.
#![allow(clippy::unwrap_used)]

#[path = "support/clickpesa_rig.rs"]
mod clickpesa_rig;
use clickpesa_rig::*;
#[path = "support/log_capture.rs"]
mod log_capture;

use malipo_providers::clickpesa::{verify_checksum, BillPayMode, ClickPesaClient};
use malipo_vault::Sensitive;

#[tokio::test]
async fn no_key_or_token_appears_in_logs_or_errors() {
    let (logs, _guard) = log_capture::capture();
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
    let captured = logs.text();
    assert!(
        captured.contains("clickpesa answered"),
        "the client's logs were captured"
    );
    for text in seen.iter().chain([&captured]) {
        assert!(!text.contains("SECRET"), "a key leaked: {text}");
        assert!(!text.contains("Bearer eyJ"), "a token leaked: {text}");
    }
}
