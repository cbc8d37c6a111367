//! The training rig end to end: it starts twice on one data directory (same tokens, relayed
//! events kept), and every customer action makes a simulator post the expected callback into
//! the relay, read back by the till's sync client into a real store inbox.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use malipo_core::{Currency, Money, Phone};
use malipo_relay::EventKind;
use malipo_store::{InboxEvent, Store};
use malipo_sync::{SyncClient, SyncConfig};
use malipo_training::{Rig, StkAnswer, CARD_DECLINED, CARD_SUCCEEDS};
use malipo_vault::Sensitive;
use tokio::sync::watch;

const WAIT: Duration = Duration::from_secs(30);

/// The till's side: a store on a real file and its sync client, running until dropped.
struct Till {
    store: Arc<Mutex<Store>>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Till {
    fn start(rig: &Rig, db: &std::path::Path) -> Till {
        let store = Arc::new(Mutex::new(Store::open(db).unwrap()));
        let mut config = SyncConfig::new(
            rig.endpoints().relay_url.clone(),
            Sensitive::new(rig.device_token().to_owned()),
        );
        config.backoff_initial = Duration::from_millis(50);
        config.backoff_max = Duration::from_millis(400);
        let client = SyncClient::new(config).unwrap();
        let (stop, mut stopped) = watch::channel(false);
        let inbox: Arc<dyn malipo_sync::Inbox> = store.clone();
        let task = tokio::spawn(async move {
            client
                .run(inbox, async move {
                    let _ = stopped.wait_for(|s| *s).await;
                })
                .await;
        });
        Till { store, stop, task }
    }

    fn inbox(&self) -> Vec<InboxEvent> {
        self.store
            .lock()
            .unwrap()
            .inbox_list(None, i64::MAX)
            .unwrap()
    }

    /// Waits until the inbox holds at least `n` events.
    async fn wait_for(&self, n: usize) -> Vec<InboxEvent> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let events = self.inbox();
            if events.len() >= n || tokio::time::Instant::now() > deadline {
                return events;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn stop(self) {
        self.stop.send_replace(true);
        self.task.await.unwrap();
    }
}

fn kes(shillings: i64) -> Money {
    Money::from_minor(shillings * 100, Currency::Kes)
}

fn phone() -> Phone {
    Phone::parse("0712345678").unwrap()
}

fn body(event: &InboxEvent) -> serde_json::Value {
    serde_json::from_slice(&event.body).unwrap()
}

/// What the engine does to raise an STK push: OAuth, then the push, through the front door.
async fn stk_push(rig: &Rig, phone: &str, amount: u64, reference: &str) -> String {
    let http = reqwest::Client::new();
    let c = rig.credentials();
    let base = &rig.endpoints().daraja_url;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        c.daraja_consumer_key, c.daraja_consumer_secret
    ));
    let token: serde_json::Value = http
        .get(format!(
            "{base}/oauth/v1/generate?grant_type=client_credentials"
        ))
        .header("authorization", format!("Basic {basic}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let offset = time::UtcOffset::from_hms(3, 0, 0).unwrap();
    let t = time::OffsetDateTime::now_utc().to_offset(offset);
    let stamp = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    let password = base64::engine::general_purpose::STANDARD
        .encode(format!("{}{}{stamp}", c.daraja_shortcode, c.daraja_passkey));
    let answer: serde_json::Value = http
        .post(format!("{base}/mpesa/stkpush/v1/processrequest"))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .json(&serde_json::json!({
            "BusinessShortCode": c.daraja_shortcode,
            "Password": password,
            "Timestamp": stamp,
            "TransactionType": "CustomerPayBillOnline",
            "Amount": amount,
            "PartyA": phone,
            "PartyB": c.daraja_shortcode,
            "PhoneNumber": phone,
            "CallBackURL": rig.endpoints().callback_url(EventKind::Stk),
            "AccountReference": reference,
            "TransactionDesc": "Sale",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["CheckoutRequestID"]
        .as_str()
        .unwrap_or_else(|| panic!("push refused: {answer}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starting_twice_reuses_the_tokens_and_keeps_the_relayed_events() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("training");
    let rig = Rig::start(&data).await.unwrap();
    let token = rig.device_token().to_owned();
    let shop = rig.shop_id();
    let till = Till::start(&rig, &tmp.path().join("till.db"));
    rig.customer()
        .pay_paybill("T1-000001", &phone(), kes(100))
        .unwrap();
    let first = till.wait_for(1).await;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].kind, "c2b-confirm");
    assert_eq!(first[0].relay_seq, Some(1));
    till.stop().await;
    rig.shutdown().await;

    let rig = Rig::start(&data).await.unwrap();
    assert_eq!(rig.device_token(), token, "the device token is reused");
    assert_eq!(rig.shop_id(), shop, "the shop is not registered again");
    let till = Till::start(&rig, &tmp.path().join("till.db"));
    rig.customer().pay_till(&phone(), kes(50)).unwrap();
    let events = till.wait_for(2).await;
    assert_eq!(events.len(), 2, "{events:?}");
    // The relay kept its log: the new event follows the old one, nothing is sent twice.
    assert_eq!(events[1].relay_seq, Some(2));
    assert_eq!(body(&events[1])["TransactionType"], "Buy Goods");
    assert_eq!(
        body(&events[1])["BusinessShortCode"],
        rig.credentials().daraja_till_number.as_str()
    );
    till.stop().await;
    // Dropping (instead of shutdown) must not hang.
    drop(rig);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stk_answers_post_the_callbacks_daraja_would_send() {
    let tmp = tempfile::tempdir().unwrap();
    let rig = Rig::start(&tmp.path().join("training")).await.unwrap();
    let till = Till::start(&rig, &tmp.path().join("till.db"));
    let customer = rig.customer();

    let approved = stk_push(&rig, "254712345678", 565, "T1-000007").await;
    assert_eq!(customer.stk_prompts().len(), 1);
    assert_eq!(customer.stk_prompts()[0].checkout_request_id, approved);
    let receipt = customer
        .answer_stk(Some(&approved), StkAnswer::Approve)
        .await
        .unwrap()
        .unwrap();
    assert!(customer.stk_prompts().is_empty());
    // The STK result and, for a paybill, the C2B confirmation with the same receipt.
    let events = till.wait_for(2).await;
    let stk = events.iter().find(|e| e.kind == "stk").unwrap();
    let callback = &body(stk)["Body"]["stkCallback"];
    assert_eq!(callback["CheckoutRequestID"], approved.as_str());
    assert_eq!(callback["ResultCode"], 0);
    let items = callback["CallbackMetadata"]["Item"].as_array().unwrap();
    assert!(items.iter().any(|i| i["Value"] == receipt.as_str()));
    assert!(items
        .iter()
        .any(|i| i["Name"] == "Amount" && i["Value"] == 565.0));
    let c2b = events.iter().find(|e| e.kind == "c2b-confirm").unwrap();
    assert_eq!(body(c2b)["TransID"], receipt.as_str());
    assert_eq!(body(c2b)["BillRefNumber"], "T1-000007");

    // The same phone again at once: the simulator still holds the first prompt, the front
    // door frees it because the customer answered.
    let cancelled = stk_push(&rig, "254712345678", 565, "T1-000007").await;
    customer.answer_stk(None, StkAnswer::Cancel).await.unwrap();
    let wrong = stk_push(&rig, "254712345678", 100, "T1-000008").await;
    customer
        .answer_stk(Some(&wrong), StkAnswer::WrongPin)
        .await
        .unwrap();
    let silent = stk_push(&rig, "254712345678", 100, "T1-000008").await;
    customer
        .answer_stk(Some(&silent), StkAnswer::NoAnswer)
        .await
        .unwrap();
    let events = till.wait_for(5).await;
    let code_of = |checkout: &str| {
        events
            .iter()
            .filter(|e| e.kind == "stk")
            .map(body)
            .find(|b| b["Body"]["stkCallback"]["CheckoutRequestID"] == checkout)
            .map(|b| b["Body"]["stkCallback"]["ResultCode"].clone())
            .unwrap()
    };
    assert_eq!(code_of(&cancelled), 1032);
    assert_eq!(code_of(&wrong), 2001);
    assert_eq!(code_of(&silent), 1037);
    assert!(matches!(
        customer.answer_stk(None, StkAnswer::Approve).await,
        Err(malipo_training::TrainingError::NoPrompt)
    ));
    till.stop().await;
    rig.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qr_scan_and_cards_reach_the_relay() {
    let tmp = tempfile::tempdir().unwrap();
    let rig = Rig::start(&tmp.path().join("training")).await.unwrap();
    let till = Till::start(&rig, &tmp.path().join("till.db"));
    let customer = rig.customer();
    let http = reqwest::Client::new();
    let c = rig.credentials();

    // The till generates a Dynamic QR through the front door; the customer scans it.
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        c.daraja_consumer_key, c.daraja_consumer_secret
    ));
    let base = &rig.endpoints().daraja_url;
    let token: serde_json::Value = http
        .get(format!(
            "{base}/oauth/v1/generate?grant_type=client_credentials"
        ))
        .header("authorization", format!("Basic {basic}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let qr: serde_json::Value = http
        .post(format!("{base}/mpesa/qrcode/v1/generate"))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .json(&serde_json::json!({
            "MerchantName": "Duka", "RefNo": "T1-000009", "Amount": 250,
            "TrxCode": "PB", "CPI": c.daraja_shortcode, "Size": "300",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(qr["QRCode"].as_str().is_some(), "{qr}");
    let receipt = customer.scan_qr(&phone(), Some("T1-000009")).unwrap();
    let events = till.wait_for(1).await;
    let c2b = body(&events[0]);
    assert_eq!(c2b["TransID"], receipt.as_str());
    assert_eq!(c2b["BillRefNumber"], "T1-000009");
    assert_eq!(c2b["TransAmount"], "250.00");

    // Cards: initialize with the sandbox secret key, then the customer pays or is declined.
    let mut codes = Vec::new();
    for reference in ["card-ok-1", "card-no-1"] {
        let init: serde_json::Value = http
            .post(format!(
                "{}/transaction/initialize",
                rig.endpoints().paystack_url
            ))
            .bearer_auth(&c.paystack_secret_key)
            .json(&serde_json::json!({
                "email": "walk-in@example.com", "amount": 56500, "currency": "KES",
                "reference": reference,
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        codes.push(init["data"]["access_code"].as_str().unwrap().to_owned());
    }
    let paid = customer.card_pay(&codes[0], CARD_SUCCEEDS).await.unwrap();
    assert_eq!(paid.outcome, "success");
    let declined = customer.card_pay(&codes[1], CARD_DECLINED).await.unwrap();
    assert_eq!(declined.outcome, "declined");
    let events = till.wait_for(2).await;
    let card = events.iter().find(|e| e.kind == "paystack").unwrap();
    assert_eq!(body(card)["event"], "charge.success");
    assert_eq!(body(card)["data"]["reference"], "card-ok-1");
    assert!(card.headers_json.contains("x-paystack-signature"));
    // A decline sends no webhook.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        till.inbox().iter().filter(|e| e.kind == "paystack").count(),
        1
    );
    till.stop().await;
    rig.shutdown().await;
}
