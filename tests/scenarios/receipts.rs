//! Automatic receipts, opt-in per shop: when a sale is paid the engine queues its receipt
//! (the same content as the printed one) and its background loop sends it — by email to a
//! real SMTP server on loopback and by SMS to the Africa's Talking simulator. Turned off, it
//! sends nothing; a failure is retried and never touches the sale.

use std::sync::Arc;
use std::time::Duration;

use malipo_core::{SaleStatus, Timestamp};
use malipo_engine::{CustomerContact, RECEIPT_EMAIL_SETTING, RECEIPT_SMS_SETTING};
use malipo_notify::{
    EmailConfig, EmailSender, Outbox, Senders, SmsConfig, SmsSender, SmtpSecurity,
};
use malipo_sim::daraja::CustomerAction;
use malipo_sim::sms::{SmsSim, SmsSimConfig};
use malipo_sim::smtp::SmtpSink;
use malipo_vault::Sensitive;

use crate::kes;
use crate::rig::{Options, Rig};

async fn senders() -> (SmtpSink, SmsSim, Arc<Outbox>) {
    let sink = SmtpSink::start().await.unwrap();
    let sms = SmsSim::new(SmsSimConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sms_base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(malipo_sim::sms::run(
        listener,
        sms.clone(),
        std::future::pending(),
    ));
    let mut email = EmailConfig::new(
        "127.0.0.1",
        SmtpSecurity::Plain,
        "Duka la Mama <receipts@duka.test>",
    );
    email.port = sink.addr.port();
    let outbox = Outbox::new(Senders {
        email: Some(EmailSender::new(email).unwrap()),
        sms: Some(
            SmsSender::new(SmsConfig::new(
                &sms_base,
                "sandbox",
                Sensitive::new("sim-at-api-key".to_owned()),
            ))
            .unwrap(),
        ),
    });
    (sink, sms, Arc::new(outbox))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paid_sale_sends_its_receipt_by_email_and_sms_when_the_shop_turned_them_on() {
    let (sink, sms, outbox) = senders().await;
    let rig = Rig::start(Options {
        receipts: Some(outbox),
        ..Options::default()
    })
    .await;
    {
        let mut store = rig.store.lock().unwrap();
        store
            .setting_set(RECEIPT_EMAIL_SETTING, "on", "owner", Timestamp(5))
            .unwrap();
        store
            .setting_set(RECEIPT_SMS_SETTING, "on", "owner", Timestamp(5))
            .unwrap();
    }
    let sale = rig.sale(35_000);
    rig.engine.set_customer_contact(
        sale.id,
        CustomerContact {
            email: Some("wanjiru@example.test".into()),
            phone: None,
        },
    );
    rig.script(CustomerAction::Approve, 20, false);
    rig.stk(sale.id, 35_000).await;
    rig.until("paid", |s| {
        s.sale_get(sale.id).unwrap().status == SaleStatus::Completed
    })
    .await;

    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while sink.mails().is_empty() || sms.sent().is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "both receipts arrive"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mail = &sink.mails()[0];
    assert!(
        mail.to.iter().any(|r| r == "wanjiru@example.test"),
        "{mail:?}"
    );
    let body = mail.body();
    assert!(body.contains(&sale.number), "{body}");
    assert!(body.contains("350.00"), "the amount, as on paper: {body}");
    assert!(
        body.to_uppercase().contains("MPESA") || body.contains("M-PESA"),
        "{body}"
    );
    let text = &sms.sent()[0];
    assert_eq!(
        text.to, "+254708374149",
        "the phone that paid, international form"
    );
    assert!(text.message.contains(&sale.number), "{}", text.message);
    assert_eq!(sink.mails().len(), 1, "sent once");
    rig.check();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_settings_off_nothing_is_sent() {
    let (sink, sms, outbox) = senders().await;
    let rig = Rig::start(Options {
        receipts: Some(outbox),
        ..Options::default()
    })
    .await;
    let sale = rig.sale(5_000);
    rig.engine
        .pay_cash(sale.id, kes(5_000), kes(5_000), "wanjiku")
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1_500)).await; // a background round or more
    assert!(sink.mails().is_empty());
    assert!(sms.sent().is_empty());
    assert!(rig
        .store
        .lock()
        .unwrap()
        .outbox_list(None, 10)
        .unwrap()
        .is_empty());
    rig.check();
}
