//! No secret appears in any log line or error message: the logs of a full STK flow (and of
//! C2B, reversal and status, and of refused credentials) are captured at TRACE level, every
//! crate included, and searched for every secret and every value derived from one.
#![allow(clippy::unwrap_used)]

mod daraja_support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use daraja_support::{now, start_receiver, start_sim};
use malipo_core::{Currency, Money};
use malipo_providers::daraja::{
    parse_stk_callback, DarajaClient, DarajaConfig, Environment, ReversalRequest,
    StatusQueryRequest, StkPushRequest,
};
use malipo_sim::daraja::{SimConfig, SimShortcode};
use malipo_vault::Sensitive;

const KEY: &str = "ck-LOGTEST-7f3a9c";
const SECRET: &str = "cs-LOGTEST-91b2d4";
const PASSKEY: &str = "pk-LOGTEST-5521e0";
const PASSWORD: &str = "ip-LOGTEST-8e77!*!";

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn config(base: &str, secret: &str, pem: Vec<u8>) -> DarajaConfig {
    let mut config = DarajaConfig::new(
        Environment::Simulator {
            base_url: url::Url::parse(base).unwrap(),
        },
        Sensitive::new(KEY.to_string()),
        Sensitive::new(secret.to_string()),
        "174379",
        Sensitive::new(PASSKEY.to_string()),
    );
    config.initiator_name = Some("testapi".to_string());
    config.initiator_password = Some(Sensitive::new(PASSWORD.to_string()));
    config.certificate = Some(pem);
    config
}

#[tokio::test]
async fn no_secret_reaches_a_log_line_or_an_error() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let (sim, base, _stop) = start_sim(SimConfig {
        consumer_key: KEY.to_string(),
        consumer_secret: SECRET.to_string(),
        shortcodes: vec![SimShortcode {
            shortcode: "174379".into(),
            passkey: PASSKEY.into(),
            tills: vec![],
        }],
        ..SimConfig::default()
    })
    .await;
    let (received, cb) = start_receiver().await;
    let (_, pem) = daraja_support::test_certificate();
    let client = DarajaClient::new(config(&base, SECRET, pem.clone())).unwrap();
    let mut errors: Vec<String> = Vec::new();

    assert!(client.test_connection(now()).await.is_ok());
    client
        .register_c2b_urls(
            &format!("{cb}/c2b/confirm"),
            &format!("{cb}/c2b/validate"),
            true,
        )
        .await
        .unwrap();
    let push = StkPushRequest {
        phone: "0712 345 678".into(),
        amount: Money::from_major(100, Currency::Kes).unwrap(),
        account_reference: "INV7".into(),
        description: "Sale".into(),
        callback_url: format!("{cb}/stk"),
    };
    let ack = client.stk_push(&push, now()).await.unwrap();
    let callback = parse_stk_callback(&received.wait_for("/stk", 1).await[0]).unwrap();
    let receipt = callback.payment.unwrap().receipt;
    client
        .stk_query(&ack.checkout_request_id, now())
        .await
        .unwrap();
    received.wait_for("/c2b/confirm", 1).await;
    let reversal = ReversalRequest {
        transaction_id: receipt.clone(),
        amount: Money::from_major(100, Currency::Kes).unwrap(),
        result_url: format!("{cb}/r"),
        timeout_url: format!("{cb}/t"),
        remarks: "refund".into(),
        occasion: None,
    };
    client.reverse(&reversal).await.unwrap();
    client
        .transaction_status(&StatusQueryRequest {
            transaction_id: receipt,
            result_url: format!("{cb}/s"),
            timeout_url: format!("{cb}/t"),
            remarks: "check".into(),
            occasion: None,
        })
        .await
        .unwrap();
    received.wait_for("/r", 1).await;
    received.wait_for("/s", 1).await;

    // Failures: a wrong secret, a wrong passkey, a stale token.
    let wrong = DarajaClient::new(config(&base, "cs-WRONG", pem.clone())).unwrap();
    let e = wrong.access_token().await.unwrap_err();
    errors.push(format!("{e} {e:?}"));
    errors.push(format!("{:?}", wrong.test_connection(now()).await));
    let mut bad_passkey = config(&base, SECRET, pem.clone());
    bad_passkey.passkey = Sensitive::new(format!("{PASSKEY}-x"));
    let e = DarajaClient::new(bad_passkey)
        .unwrap()
        .stk_push(&push, now())
        .await
        .unwrap_err();
    errors.push(format!("{e} {e:?}"));
    sim.expire_token();
    client
        .stk_query(&ack.checkout_request_id, now())
        .await
        .unwrap();
    errors.push(format!("{client:?}"));
    errors.push(format!("{:?}", config(&base, SECRET, pem)));

    // Everything secret, and everything derived from a secret that would unlock it.
    let b64 = base64::engine::general_purpose::STANDARD;
    let requests = sim.requests();
    let mut forbidden: Vec<String> = vec![
        SECRET.into(),
        PASSKEY.into(),
        PASSWORD.into(),
        KEY.into(),
        b64.encode(format!("{KEY}:{SECRET}")),
    ];
    for request in &requests {
        if let Ok(body) = serde_json::from_str::<serde_json::Value>(&request.body) {
            for field in ["Password", "SecurityCredential"] {
                if let Some(value) = body[field].as_str() {
                    forbidden.push(value.to_string());
                }
            }
        }
    }
    let token = client.access_token().await.unwrap();
    forbidden.push(token.expose().clone());
    assert!(
        forbidden.len() > 8,
        "the flow produced passwords and credentials to look for"
    );

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("STK push accepted"),
        "the flow was logged at all"
    );
    for secret in &forbidden {
        assert!(
            !logs.contains(secret.as_str()),
            "a log line contains a secret ({} chars)",
            secret.len()
        );
        for error in &errors {
            assert!(
                !error.contains(secret.as_str()),
                "an error message contains a secret: {error}"
            );
        }
    }
}
