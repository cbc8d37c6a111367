//! End to end on loopback with the Daraja simulator: its STK callback and its C2B validation
//! and confirmation reach the relay at the URLs `shop-create` prints, each is answered as
//! Safaricom expects, and a till receives bytes identical to what the simulator sent.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use base64::Engine as _;
use malipo_relay::admin::{create_device, create_shop};
use malipo_relay::EventKind;
use malipo_sim::daraja::{DarajaSim, SimConfig};
use serde_json::{json, Value};
use support::{body, Relay, TillStream};

const WAIT: Duration = Duration::from_secs(10);
const PASSKEY: &str = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919";
const TIMESTAMP: &str = "20261125101500";

struct Daraja {
    sim: DarajaSim,
    base: String,
    token: String,
}

async fn daraja(config: SimConfig) -> Daraja {
    let sim = DarajaSim::new(config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = sim.clone();
    tokio::spawn(malipo_sim::daraja::run(
        listener,
        served,
        std::future::pending(),
    ));
    let token: Value = reqwest::Client::new()
        .get(format!(
            "{base}/oauth/v1/generate?grant_type=client_credentials"
        ))
        .basic_auth("sim-consumer-key", Some("sim-consumer-secret"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    Daraja { sim, base, token }
}

impl Daraja {
    async fn post(&self, path: &str, body: &Value) -> u16 {
        reqwest::Client::new()
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}

fn url_of(urls: &[(EventKind, String)], kind: EventKind) -> String {
    urls.iter().find(|(k, _)| *k == kind).unwrap().1.clone()
}

#[tokio::test]
async fn an_stk_callback_from_the_simulator_reaches_the_till_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay.sqlite")).await;
    let shop = create_shop(relay.store.as_ref(), "Duka", &relay.base(), 0).unwrap();
    let till = create_device(relay.store.as_ref(), shop.id, "till", 0).unwrap();
    let daraja = daraja(SimConfig {
        check_timestamp_clock: false,
        ..SimConfig::default()
    })
    .await;

    let push = json!({
        "BusinessShortCode": 174379,
        "Password": base64::engine::general_purpose::STANDARD
            .encode(format!("174379{PASSKEY}{TIMESTAMP}")),
        "Timestamp": TIMESTAMP,
        "TransactionType": "CustomerPayBillOnline",
        "Amount": 1,
        "PartyA": "254708374149",
        "PartyB": "174379",
        "PhoneNumber": "254708374149",
        "CallBackURL": url_of(&shop.callback_urls, EventKind::Stk),
        "AccountReference": "INV00123",
        "TransactionDesc": "Sale 123"
    });
    assert_eq!(
        daraja.post("/mpesa/stkpush/v1/processrequest", &push).await,
        200
    );

    let delivered = daraja.sim.wait_for_deliveries(1, WAIT).await;
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].kind, "stk");
    assert_eq!(
        delivered[0].status,
        Some(200),
        "the relay accepted the callback"
    );

    let mut stream = TillStream::open(&relay.base(), till.token.expose()).await;
    let frame = stream.next_within(WAIT).await.unwrap();
    assert_eq!(frame.kind, "stk");
    assert_eq!(
        body(&frame),
        delivered[0].body.as_bytes(),
        "raw bytes identical"
    );
}

#[tokio::test]
async fn c2b_urls_pass_the_simulators_keyword_filter_and_validation_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay.sqlite")).await;
    let shop = create_shop(relay.store.as_ref(), "Duka", &relay.base(), 0).unwrap();
    let till = create_device(relay.store.as_ref(), shop.id, "till", 0).unwrap();
    let daraja = daraja(SimConfig {
        external_validation: true,
        ..SimConfig::default()
    })
    .await;

    let register = json!({
        "ShortCode": "174379",
        "ResponseType": "Cancelled",
        "ConfirmationURL": url_of(&shop.callback_urls, EventKind::C2bConfirm),
        "ValidationURL": url_of(&shop.callback_urls, EventKind::C2bValidate),
    });
    assert_eq!(
        daraja.post("/mpesa/c2b/v2/registerurl", &register).await,
        200
    );
    // ResponseType "Cancelled": the payment is confirmed only because the relay's validation
    // answer was an acceptance Safaricom understands.
    let receipt = daraja.sim.pay("174379", "254708374149", 100, "INV-7");

    let mut stream = TillStream::open(&relay.base(), till.token.expose()).await;
    let validation = stream.next_within(WAIT).await.unwrap();
    assert_eq!(validation.kind, "c2b-validate");
    let confirmation = stream.next_within(WAIT).await.unwrap();
    assert_eq!(confirmation.kind, "c2b-confirm");
    let confirmed: Value = serde_json::from_slice(&body(&confirmation)).unwrap();
    assert_eq!(confirmed["TransID"], receipt.as_str());
    // The simulator records a delivery once it has read the relay's answer, which may be after
    // the till already has the event.
    let mut sent = None;
    for _ in 0..500 {
        sent = daraja
            .sim
            .deliveries()
            .into_iter()
            .find(|d| d.kind == "c2b_confirmation");
        if sent.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(body(&confirmation), sent.unwrap().body.as_bytes());
}
