//! Receipt emails through a real SMTP server on loopback (the test's sink): the sink receives
//! the printed receipt's text with the right envelope and subject; a sink that is down makes
//! the outbox keep the error and retry later, sending exactly once; the password never
//! reaches a log, an error or the store.
#![allow(clippy::unwrap_used)]

// One log capture for every crate whose tests prove no secret is logged.
#[path = "../../providers/tests/support/log_capture.rs"]
mod log_capture;

use malipo_core::Timestamp;
use malipo_notify::{
    EmailConfig, EmailSender, NotifyError, Outbox, ReceiptRecipients, SendError, Senders,
    SmtpSecurity,
};
use malipo_print::samples::{receipt, SampleSale};
use malipo_print::Paper;
use malipo_sim::smtp::SmtpSink;
use malipo_store::{OutboxStatus, Store};
use malipo_vault::Sensitive;

const PASSWORD: &str = "Sm7p-pa55word-never-logged";
const T0: Timestamp = Timestamp(1_795_588_860_000);

fn config(port: u16, login: bool) -> EmailConfig {
    let mut c = EmailConfig::new(
        "127.0.0.1",
        SmtpSecurity::Plain,
        "Duka la Mama <receipts@dukalamama.test>",
    );
    c.port = port;
    c.timeout = std::time::Duration::from_secs(5);
    if login {
        c.username = Some("receipts@dukalamama.test".into());
        c.password = Some(Sensitive::new(PASSWORD.to_string()));
    }
    c
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("till.db")).unwrap();
    (dir, store)
}

fn to_email(address: &str) -> ReceiptRecipients {
    ReceiptRecipients {
        email: Some(address.into()),
        phone: None,
    }
}

#[tokio::test]
async fn the_sink_receives_the_receipt_with_its_sale_amount_and_method() {
    let (logs, _guard) = log_capture::capture();
    let login = ("receipts@dukalamama.test".to_string(), PASSWORD.to_string());
    let sink = SmtpSink::start_on("127.0.0.1:0".parse().unwrap(), Some(login.clone()))
        .await
        .unwrap();
    let sender = EmailSender::new(config(sink.addr.port(), true)).unwrap();
    let outbox = Outbox::new(Senders {
        email: Some(sender.clone()),
        sms: None,
    });
    let (_dir, mut store) = store();
    let r = receipt(SampleSale::MpesaStk);
    let to = to_email("wanjiru@example.test");
    let ids =
        Outbox::enqueue_receipt(&mut store, &r, Paper::Mm58, &to, Some(7), Some(3), T0).unwrap();
    assert_eq!(ids.len(), 1);

    let summary = outbox.run_due(&mut store, T0).await.unwrap();
    assert_eq!(summary.sent, 1, "{summary:?}");

    let mails = sink.mails();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.from, "receipts@dukalamama.test");
    assert_eq!(mail.to, vec!["wanjiru@example.test".to_string()]);
    assert_eq!(mail.login.as_ref(), Some(&login), "logged in as configured");
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("Receipt T1-000123 from Duka la Mama")
    );
    assert!(mail
        .header("Content-Type")
        .unwrap()
        .starts_with("text/plain"));
    let body = mail.body();
    let printed = malipo_print::receipt_text(&r, Paper::Mm58);
    for line in printed.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            body.contains(line.trim_end()),
            "{line:?} missing from\n{body}"
        );
    }
    for fact in ["T1-000123", "565.00", "MPESA", "TKP5ZZ81AB"] {
        assert!(body.contains(fact), "{fact} missing from\n{body}");
    }

    let row = store.outbox_get(ids[0]).unwrap();
    assert_eq!(row.status, OutboxStatus::Sent);
    assert_eq!(row.attempts, 1);
    assert!(row.provider_ref.unwrap().contains("SINK1"));
    assert_eq!(row.sent_at, Some(T0));

    let text = logs.text();
    assert!(!text.contains(PASSWORD), "the password was logged:\n{text}");
    assert!(!text.contains("wanjiru@example.test"), "{text}");
    assert!(text.contains("w***@example.test"), "{text}");
    assert!(!format!("{sender:?}").contains(PASSWORD));
}

#[tokio::test]
async fn a_sink_that_is_down_is_retried_later_and_the_mail_arrives_once() {
    // Every test of this binary captures, so no callsite is cached as unwatched.
    let (_logs, _guard) = log_capture::capture();
    // A port nobody listens on (yet).
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let outbox = Outbox::new(Senders {
        email: Some(EmailSender::new(config(port, false)).unwrap()),
        sms: None,
    });
    let (_dir, mut store) = store();
    let r = receipt(SampleSale::Card);
    let ids = Outbox::enqueue_receipt(
        &mut store,
        &r,
        Paper::Mm80,
        &to_email("juma@example.test"),
        Some(1),
        Some(1),
        T0,
    )
    .unwrap();
    // The engine may queue the same payment's receipt twice (a repeated confirmation): once.
    let again = Outbox::enqueue_receipt(
        &mut store,
        &r,
        Paper::Mm80,
        &to_email("juma@example.test"),
        Some(1),
        Some(1),
        T0,
    )
    .unwrap();
    assert_eq!(ids, again);

    let summary = outbox.run_due(&mut store, T0).await.unwrap();
    assert_eq!((summary.sent, summary.retrying), (0, 1));
    let row = store.outbox_get(ids[0]).unwrap();
    assert_eq!(row.status, OutboxStatus::Pending);
    assert_eq!(row.attempts, 1);
    assert!(
        row.last_error
            .as_deref()
            .unwrap()
            .contains("could not reach the mail server"),
        "{:?}",
        row.last_error
    );
    assert_eq!(
        row.next_attempt_at,
        T0.plus_ms(30_000),
        "first retry after 30 s"
    );

    // The server comes up; before the retry time nothing is sent, after it exactly once.
    let sink = SmtpSink::start_on(format!("127.0.0.1:{port}").parse().unwrap(), None)
        .await
        .unwrap();
    let early = outbox
        .run_due(&mut store, T0.plus_ms(10_000))
        .await
        .unwrap();
    assert_eq!(early.sent + early.retrying, 0);
    assert!(sink.mails().is_empty());
    let later = outbox
        .run_due(&mut store, T0.plus_ms(31_000))
        .await
        .unwrap();
    assert_eq!(later.sent, 1);
    let last = outbox
        .run_due(&mut store, T0.plus_ms(3_600_000))
        .await
        .unwrap();
    assert_eq!(last.sent + last.retrying, 0);
    let mails = sink.mails();
    assert_eq!(mails.len(), 1, "sent exactly once");
    assert!(mails[0].body().contains("CARD"), "{}", mails[0].body());
    let row = store.outbox_get(ids[0]).unwrap();
    assert_eq!((row.status, row.attempts), (OutboxStatus::Sent, 2));
    assert_eq!(row.last_error, None);
}

#[tokio::test]
async fn retries_back_off_and_then_give_up_visibly() {
    // Every test of this binary captures, so no callsite is cached as unwatched.
    let (_logs, _guard) = log_capture::capture();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut outbox = Outbox::new(Senders {
        email: Some(EmailSender::new(config(port, false)).unwrap()),
        sms: None,
    });
    outbox.policy.max_attempts = 3;
    let (_dir, mut store) = store();
    let ids = Outbox::enqueue_receipt(
        &mut store,
        &receipt(SampleSale::Cash),
        Paper::Mm58,
        &to_email("amina@example.test"),
        None,
        None,
        T0,
    )
    .unwrap();
    let mut now = T0;
    let mut waits = Vec::new();
    for _ in 0..3 {
        outbox.run_due(&mut store, now).await.unwrap();
        let row = store.outbox_get(ids[0]).unwrap();
        waits.push(row.next_attempt_at.0 - now.0);
        now = row.next_attempt_at;
    }
    assert_eq!(&waits[..2], &[30_000, 120_000], "30 s, then 2 min");
    let row = store.outbox_get(ids[0]).unwrap();
    assert_eq!(row.status, OutboxStatus::FailedPermanently);
    assert_eq!(row.attempts, 3);
    assert!(row.last_error.is_some());
    let failed = store
        .outbox_list(Some(OutboxStatus::FailedPermanently), 10)
        .unwrap();
    assert_eq!(failed.len(), 1, "still visible");
    // A manager's retry puts it back in the queue.
    store.outbox_requeue(ids[0], now).unwrap();
    assert_eq!(store.outbox_due(now, 10).unwrap().len(), 1);
}

#[tokio::test]
async fn a_refused_password_is_a_clear_error_without_the_password() {
    let (logs, _guard) = log_capture::capture();
    let sink = SmtpSink::start_on(
        "127.0.0.1:0".parse().unwrap(),
        Some(("receipts@dukalamama.test".into(), "another-password".into())),
    )
    .await
    .unwrap();
    let sender = EmailSender::new(config(sink.addr.port(), true)).unwrap();
    let err = sender
        .send("wanjiru@example.test", "Receipt", "body")
        .await
        .unwrap_err();
    assert!(matches!(err, SendError::Credentials { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert!(err.to_string().contains("refused the credentials"), "{err}");
    assert!(!err.to_string().contains(PASSWORD));
    assert!(!format!("{err:?}").contains(PASSWORD));
    assert!(sink.mails().is_empty());
    // A refused recipient is not retried.
    let sink2 = SmtpSink::start().await.unwrap();
    let open = EmailSender::new(config(sink2.addr.port(), false)).unwrap();
    let err = open
        .send("bounce@example.test", "Receipt", "body")
        .await
        .unwrap_err();
    assert!(matches!(err, SendError::Recipient { .. }), "{err:?}");
    assert!(!err.is_retryable());
    let text = logs.text();
    assert!(!text.contains(PASSWORD), "{text}");
}

#[test]
fn a_password_is_never_sent_in_the_clear_off_loopback() {
    // Every test of this binary captures, so no callsite is cached as unwatched.
    let (_logs, _guard) = log_capture::capture();
    let mut c = config(25, true);
    c.host = "mail.example.test".into();
    let err = EmailSender::new(c).unwrap_err();
    assert!(matches!(err, NotifyError::Config(_)), "{err:?}");
    assert!(!err.to_string().contains(PASSWORD));
    let mut c = config(25, true);
    c.from = "not an address".into();
    assert!(matches!(
        EmailSender::new(c).unwrap_err(),
        NotifyError::Config(_)
    ));
    // TLS and STARTTLS senders build for a real server name (no connection is made).
    for security in [SmtpSecurity::Tls, SmtpSecurity::StartTls] {
        let mut c = config(465, true);
        c.host = "smtp.example.test".into();
        c.security = security;
        let sender = EmailSender::new(c).unwrap();
        assert!(!format!("{sender:?}").contains(PASSWORD));
    }
}
