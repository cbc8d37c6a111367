//! Receipt SMS through the Africa's Talking simulator over real HTTP on loopback: the
//! simulator receives exactly the rendered text from the configured username; a scripted
//! gateway failure is retried and delivered, a refused number is given up visibly; a bad API
//! key is a clear error; neither the key nor a whole phone number reaches a log.
#![allow(clippy::unwrap_used)]

// One log capture for every crate whose tests prove no secret is logged.
#[path = "../../providers/tests/support/log_capture.rs"]
mod log_capture;

use malipo_core::Timestamp;
use malipo_notify::{
    sms_receipt, NotifyError, Outbox, ReceiptRecipients, SendError, Senders, SmsConfig, SmsSender,
};
use malipo_print::samples::{receipt, SampleSale};
use malipo_print::Paper;
use malipo_sim::sms::{self as sim, FailureScript, SmsSim, SmsSimConfig};
use malipo_store::{OutboxStatus, Store};
use malipo_vault::Sensitive;

const KEY: &str = "atsk_9f2c7e-never-logged";
const T0: Timestamp = Timestamp(1_795_588_860_000);
const PHONE: &str = "+254712345678";

async fn start() -> (String, SmsSim) {
    let sim = SmsSim::new(SmsSimConfig {
        username: "dukalamama".into(),
        api_key: KEY.into(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(sim::run(listener, sim.clone(), std::future::pending()));
    (base, sim)
}

fn sender(base: &str, key: &str) -> SmsSender {
    let mut c = SmsConfig::new(base, "dukalamama", Sensitive::new(key.to_string()));
    c.sender_id = Some("DUKALAMAMA".into());
    SmsSender::new(c).unwrap()
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("till.db")).unwrap();
    (dir, store)
}

fn to_phone(phone: &str) -> ReceiptRecipients {
    ReceiptRecipients {
        email: None,
        phone: Some(phone.into()),
    }
}

#[tokio::test]
async fn the_simulator_receives_exactly_the_receipt_text() {
    let (logs, _guard) = log_capture::capture();
    let (base, sim) = start().await;
    let outbox = Outbox::new(Senders {
        email: None,
        sms: Some(sender(&base, KEY)),
    });
    let (_dir, mut store) = store();
    let r = receipt(SampleSale::MpesaStk);
    let ids = Outbox::enqueue_receipt(
        &mut store,
        &r,
        Paper::Mm58,
        &to_phone("254712345678"),
        Some(4),
        Some(9),
        T0,
    )
    .unwrap();
    let summary = outbox.run_due(&mut store, T0).await.unwrap();
    assert_eq!(summary.sent, 1, "{summary:?}");

    let got = sim.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].message, sms_receipt(&r));
    assert_eq!(
        got[0].message,
        "Duka la Mama: Sale T1-000123 Paid KES 565.00 MPESA TKP5ZZ81AB 25/11/2026 09:41. Asante kwa kununua!"
    );
    assert_eq!(got[0].to, PHONE, "sent in international form");
    assert_eq!(got[0].username, "dukalamama");
    assert_eq!(got[0].from.as_deref(), Some("DUKALAMAMA"));
    assert_eq!(got[0].status_code, 101);

    let row = store.outbox_get(ids[0]).unwrap();
    assert_eq!(row.status, OutboxStatus::Sent);
    assert_eq!(
        row.provider_ref.as_deref(),
        Some(got[0].message_id.as_str())
    );

    let text = logs.text();
    assert!(!text.contains(KEY), "the API key was logged:\n{text}");
    assert!(
        !text.contains("254712345678"),
        "a whole number was logged:\n{text}"
    );
    assert!(text.contains("+254712***678"), "{text}");
}

#[tokio::test]
async fn a_gateway_failure_is_retried_and_then_delivered_once() {
    // Every test of this binary captures, so no callsite is cached as unwatched.
    let (_logs, _guard) = log_capture::capture();
    let (base, sim) = start().await;
    sim.script_failure(FailureScript {
        number: None,
        http_status: Some(500),
        status_code: None,
        status: None,
        times: Some(1),
    });
    sim.script_failure(FailureScript {
        number: Some(PHONE.into()),
        http_status: None,
        status_code: Some(405),
        status: Some("InsufficientBalance".into()),
        times: Some(1),
    });
    let outbox = Outbox::new(Senders {
        email: None,
        sms: Some(sender(&base, KEY)),
    });
    let (_dir, mut store) = store();
    let ids = Outbox::enqueue_receipt(
        &mut store,
        &receipt(SampleSale::Split),
        Paper::Mm58,
        &to_phone(PHONE),
        None,
        Some(2),
        T0,
    )
    .unwrap();

    let first = outbox.run_due(&mut store, T0).await.unwrap();
    assert_eq!(first.retrying, 1);
    let row = store.outbox_get(ids[0]).unwrap();
    assert!(
        row.last_error.as_deref().unwrap().contains("HTTP 500"),
        "{row:?}"
    );
    let second = outbox
        .run_due(&mut store, row.next_attempt_at)
        .await
        .unwrap();
    assert_eq!(second.retrying, 1);
    let row = store.outbox_get(ids[0]).unwrap();
    assert!(
        row.last_error
            .as_deref()
            .unwrap()
            .contains("InsufficientBalance"),
        "{row:?}"
    );
    assert_eq!(row.attempts, 2);
    let third = outbox
        .run_due(&mut store, row.next_attempt_at)
        .await
        .unwrap();
    assert_eq!(third.sent, 1);
    assert_eq!(sim.sent().len(), 1, "delivered exactly once");
    let row = store.outbox_get(ids[0]).unwrap();
    assert_eq!((row.status, row.attempts), (OutboxStatus::Sent, 3));
}

#[tokio::test]
async fn a_refused_number_is_given_up_at_once_and_stays_visible() {
    // Every test of this binary captures, so no callsite is cached as unwatched.
    let (_logs, _guard) = log_capture::capture();
    let (base, sim) = start().await;
    sim.script_failure(FailureScript {
        number: Some("+254700000403".into()),
        http_status: None,
        status_code: Some(403),
        status: Some("InvalidPhoneNumber".into()),
        times: None,
    });
    let outbox = Outbox::new(Senders {
        email: None,
        sms: Some(sender(&base, KEY)),
    });
    let (_dir, mut store) = store();
    let ids = Outbox::enqueue_receipt(
        &mut store,
        &receipt(SampleSale::Cash),
        Paper::Mm58,
        &to_phone("+254700000403"),
        None,
        None,
        T0,
    )
    .unwrap();
    let summary = outbox.run_due(&mut store, T0).await.unwrap();
    assert_eq!(summary.failed_permanently, 1);
    let row = store.outbox_get(ids[0]).unwrap();
    assert_eq!(row.status, OutboxStatus::FailedPermanently);
    assert!(
        row.last_error
            .as_deref()
            .unwrap()
            .contains("InvalidPhoneNumber (403)"),
        "{row:?}"
    );
    assert_eq!(
        store.outbox_list(None, 10).unwrap()[0].status,
        OutboxStatus::FailedPermanently
    );
    assert!(sim.sent().is_empty());
}

#[tokio::test]
async fn a_bad_api_key_is_a_clear_error_that_never_shows_the_key() {
    let (logs, _guard) = log_capture::capture();
    let (base, sim) = start().await;
    let wrong = "atsk_wrong-key-also-secret";
    let err = sender(&base, wrong).send(PHONE, "hello").await.unwrap_err();
    assert!(matches!(err, SendError::Credentials { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("Africa's Talking refused the credentials"),
        "{message}"
    );
    assert!(message.contains("401"), "{message}");
    assert!(!message.contains(wrong) && !format!("{err:?}").contains(wrong));
    assert!(sim.messages().is_empty());
    let debug = format!("{:?}", sender(&base, KEY));
    assert!(!debug.contains(KEY), "{debug}");
    let text = logs.text();
    assert!(!text.contains(wrong) && !text.contains(KEY), "{text}");
}

#[tokio::test]
async fn an_unconfigured_channel_waits_and_an_unreachable_gateway_is_retried() {
    // Every test of this binary captures, so no callsite is cached as unwatched.
    let (_logs, _guard) = log_capture::capture();
    let (_dir, mut store) = store();
    let ids = Outbox::enqueue_receipt(
        &mut store,
        &receipt(SampleSale::Cash),
        Paper::Mm58,
        &to_phone(PHONE),
        None,
        None,
        T0,
    )
    .unwrap();
    let summary = Outbox::default().run_due(&mut store, T0).await.unwrap();
    assert_eq!(summary.retrying, 1);
    let row = store.outbox_get(ids[0]).unwrap();
    assert!(row
        .last_error
        .unwrap()
        .contains("SMS receipts are not set up"));

    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let down = sender(&format!("http://127.0.0.1:{port}"), KEY);
    let err = down.send(PHONE, "hello").await.unwrap_err();
    assert!(matches!(err, SendError::Unreachable { .. }), "{err:?}");
    assert!(err.is_retryable());

    let empty = SmsSender::new(SmsConfig::new(
        "http://127.0.0.1:1",
        "dukalamama",
        Sensitive::new(String::new()),
    ));
    assert!(matches!(empty, Err(NotifyError::Config(_))));
}

#[tokio::test]
async fn the_background_drain_sends_what_the_engine_queues_on_its_own_connection() {
    let (_logs, _guard) = log_capture::capture();
    let (base, sim) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("till.db");
    let mut engine_store = Store::open(&path).unwrap();
    let mut drain_store = Store::open(&path).unwrap();
    let outbox = Outbox::new(Senders {
        email: None,
        sms: Some(sender(&base, KEY)),
    });
    let wake = std::sync::Arc::new(tokio::sync::Notify::new());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let task = {
        let wake = wake.clone();
        tokio::spawn(async move {
            outbox
                .run_until(
                    &mut drain_store,
                    || T0,
                    std::time::Duration::from_secs(3600),
                    Some(&wake),
                    async {
                        let _ = stop_rx.await;
                    },
                )
                .await;
        })
    };
    let r = receipt(SampleSale::Card);
    let ids = Outbox::enqueue_receipt(
        &mut engine_store,
        &r,
        Paper::Mm58,
        &to_phone(PHONE),
        Some(11),
        Some(12),
        T0,
    )
    .unwrap();
    wake.notify_one();
    for _ in 0..200 {
        if engine_store.outbox_get(ids[0]).unwrap().status == OutboxStatus::Sent {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        engine_store.outbox_get(ids[0]).unwrap().status,
        OutboxStatus::Sent
    );
    assert_eq!(sim.sent().len(), 1);
    assert_eq!(sim.sent()[0].message, sms_receipt(&r));
    stop_tx.send(()).unwrap();
    task.await.unwrap();
}
