//! The Daraja simulator on the wire, with raw JSON (no `malipo-providers` types): it refuses
//! what Daraja refuses, with Daraja's codes, scripts customers through its control API, and
//! starts as its own binary.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use base64::Engine as _;
use malipo_sim::daraja::{DarajaSim, SimConfig};
use serde_json::{json, Value};

const PASSKEY: &str = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

struct Running {
    sim: DarajaSim,
    base: String,
    http: reqwest::Client,
    token: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start() -> Running {
    let sim = DarajaSim::new(SimConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = sim.clone();
    tokio::spawn(async move {
        malipo_sim::daraja::run(listener, served, async move {
            let _ = stopped.await;
        })
        .await
    });
    let http = reqwest::Client::new();
    let token: Value = http
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
    let token = token["access_token"].as_str().unwrap().to_string();
    Running {
        sim,
        base,
        http,
        token,
        _stop: stop,
    }
}

impl Running {
    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

fn nairobi_timestamp(offset_hours: i8) -> String {
    let offset = time::UtcOffset::from_hms(offset_hours, 0, 0).unwrap();
    let t = time::OffsetDateTime::now_utc().to_offset(offset);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn stk_body(timestamp: &str, passkey: &str) -> Value {
    json!({
        "BusinessShortCode": 174379,
        "Password": B64.encode(format!("174379{passkey}{timestamp}")),
        "Timestamp": timestamp,
        "TransactionType": "CustomerPayBillOnline",
        "Amount": 1,
        "PartyA": "254708374149",
        "PartyB": "174379",
        "PhoneNumber": "254708374149",
        "CallBackURL": "http://127.0.0.1:9/cb",
        "AccountReference": "INV00123",
        "TransactionDesc": "Sale 123"
    })
}

#[tokio::test]
async fn oauth_refuses_wrong_keys_and_grant_types() {
    let run = start().await;
    let wrong = run
        .http
        .get(format!(
            "{}/oauth/v1/generate?grant_type=client_credentials",
            run.base
        ))
        .basic_auth("sim-consumer-key", Some("nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 400);
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["errorCode"], "400.008.01");
    let grant = run
        .http
        .get(format!(
            "{}/oauth/v1/generate?grant_type=password",
            run.base
        ))
        .basic_auth("sim-consumer-key", Some("sim-consumer-secret"))
        .send()
        .await
        .unwrap();
    let body: Value = grant.json().await.unwrap();
    assert_eq!(body["errorCode"], "400.008.02");
}

#[tokio::test]
async fn stk_push_is_validated_as_daraja_validates_it() {
    let run = start().await;
    let ts = nairobi_timestamp(3);
    let (status, ok) = run
        .post("/mpesa/stkpush/v1/processrequest", &stk_body(&ts, PASSKEY))
        .await;
    assert_eq!(status, 200, "{ok}");
    assert_eq!(ok["ResponseCode"], "0");
    assert!(ok["CheckoutRequestID"]
        .as_str()
        .unwrap()
        .starts_with("ws_CO_"));

    let wrong_passkey = stk_body(&ts, "not-the-passkey");
    let (status, body) = run
        .post("/mpesa/stkpush/v1/processrequest", &wrong_passkey)
        .await;
    assert_eq!(
        (status, body["errorCode"].as_str()),
        (500, Some("500.001.1001"))
    );
    assert_eq!(body["errorMessage"], "Wrong credentials");

    let utc = nairobi_timestamp(0);
    let (_, body) = run
        .post("/mpesa/stkpush/v1/processrequest", &stk_body(&utc, PASSKEY))
        .await;
    assert_eq!(
        body["errorMessage"], "Bad Request - Invalid Timestamp",
        "a UTC timestamp is 3 h off"
    );

    let cases: [(&str, Value, &str); 6] = [
        ("Amount", json!(1.5), "Bad Request - Invalid Amount"),
        (
            "AccountReference",
            json!("THIRTEEN-CHAR"),
            "Bad Request - Invalid AccountReference",
        ),
        (
            "AccountReference",
            Value::Null,
            "Bad Request - Invalid Remarks",
        ),
        (
            "TransactionDesc",
            json!("fourteen chars"),
            "Bad Request - Invalid TransactionDesc",
        ),
        (
            "PhoneNumber",
            json!("0708374149"),
            "Bad Request - Invalid PhoneNumber",
        ),
        (
            "CallBackURL",
            json!("http://127.0.0.1:9/ cb"),
            "Bad Request - Invalid CallBackURL",
        ),
    ];
    for (field, value, message) in cases {
        let mut body = stk_body(&ts, PASSKEY);
        body[field] = value;
        // A fresh phone per case, so no open session refuses the push first.
        body["PartyA"] = json!("254708374150");
        if field != "PhoneNumber" {
            body["PhoneNumber"] = json!("254708374150");
        }
        let (status, answer) = run.post("/mpesa/stkpush/v1/processrequest", &body).await;
        assert_eq!(status, 400, "{field}");
        assert_eq!(answer["errorCode"], "400.002.02", "{field}");
        assert_eq!(answer["errorMessage"], message, "{field}");
    }

    let text = run
        .http
        .post(format!("{}/mpesa/stkpush/v1/processrequest", run.base))
        .bearer_auth(&run.token)
        .header("content-type", "text/plain")
        .body(stk_body(&ts, PASSKEY).to_string())
        .send()
        .await
        .unwrap();
    let body: Value = text.json().await.unwrap();
    assert_eq!(
        body["errorMessage"], "Bad Request - Invalid BusinessShortCode",
        "Daraja's answer to a wrong Content-Type"
    );

    let stale = run
        .http
        .post(format!("{}/mpesa/stkpush/v1/processrequest", run.base))
        .bearer_auth("stale")
        .json(&stk_body(&ts, PASSKEY))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status().as_u16(), 404);
    let body: Value = stale.json().await.unwrap();
    assert_eq!(body["errorCode"], "404.001.03");
}

#[tokio::test]
async fn the_control_api_scripts_the_customer_and_the_log_records_everything() {
    let run = start().await;
    let receiver = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let callback = format!("http://{}/cb", receiver.local_addr().unwrap());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let app = axum::Router::new().route(
        "/cb",
        axum::routing::post(move |body: String| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(body);
                "{}"
            }
        }),
    );
    tokio::spawn(async move { axum::serve(receiver, app).await });

    let scripted = run
        .http
        .post(format!("{}/simulator/customer", run.base))
        .json(&json!({"phone": "254708374149", "action": "wrong_pin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(scripted.status().as_u16(), 200);
    let mut body = stk_body(&nairobi_timestamp(3), PASSKEY);
    body["CallBackURL"] = json!(callback);
    let (_, ack) = run.post("/mpesa/stkpush/v1/processrequest", &body).await;
    let delivered: Value = serde_json::from_str(
        &tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    let cb = &delivered["Body"]["stkCallback"];
    assert_eq!(cb["ResultCode"], 2001, "a number, as in Daraja's callbacks");
    assert_eq!(cb["CheckoutRequestID"], ack["CheckoutRequestID"]);
    assert!(
        cb.get("CallbackMetadata").is_none(),
        "failures carry no metadata"
    );

    let log: Value = run
        .http
        .get(format!("{}/simulator/log", run.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths: Vec<&str> = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["/oauth/v1/generate", "/mpesa/stkpush/v1/processrequest"]
    );
    assert_eq!(log["deliveries"][0]["kind"], "stk");
    assert_eq!(run.sim.deliveries().len(), 1);
}

#[tokio::test]
async fn reversal_needs_the_misspelt_receiver_key_and_a_credential_shaped_like_rsa() {
    let run = start().await;
    let credential = B64.encode([7u8; 256]);
    let mut body = json!({
        "Initiator": "testapi", "SecurityCredential": credential, "CommandID": "TransactionReversal",
        "TransactionID": "PDU91HIVIT", "Amount": "200", "ReceiverParty": "174379",
        "ReceiverIdentifierType": "11", "ResultURL": "http://127.0.0.1:9/r",
        "QueueTimeOutURL": "http://127.0.0.1:9/t", "Remarks": "Payment reversal"
    });
    let (status, answer) = run.post("/mpesa/reversal/v1/request", &body).await;
    assert_eq!(status, 400);
    assert_eq!(
        answer["errorMessage"],
        "Bad Request - Invalid RecieverIdentifierType"
    );
    body["RecieverIdentifierType"] = json!("4");
    let (status, answer) = run.post("/mpesa/reversal/v1/request", &body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["ResponseCode"], "0");
    assert!(answer["ConversationID"]
        .as_str()
        .unwrap()
        .starts_with("AG_"));
    body["SecurityCredential"] = json!("Safaricom999!*!");
    let (_, answer) = run.post("/mpesa/reversal/v1/request", &body).await;
    assert_eq!(
        answer["errorMessage"], "Bad Request - Invalid SecurityCredential",
        "a plain password is refused"
    );
}

#[tokio::test]
async fn qr_generate_returns_a_png_that_scans() {
    let run = start().await;
    let (status, answer) = run
        .post(
            "/mpesa/qrcode/v1/generate",
            &json!({"MerchantName": "TEST SUPERMARKET", "RefNo": "Invoice Test", "Amount": 1,
                    "TrxCode": "BG", "CPI": "373132", "Size": "300"}),
        )
        .await;
    assert_eq!(status, 200);
    let encoded = answer["QRCode"].as_str().unwrap();
    assert!(encoded.starts_with("iVBORw0KGgo"), "a base64 PNG");
    let png = B64.decode(encoded).unwrap();
    let image = image::load_from_memory(&png).unwrap().to_luma8();
    assert!(image.width() >= 300);
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    let (_, content) = grids[0].decode().unwrap();
    assert_eq!(
        content,
        "M-PESA QR|BG|373132|1|Invoice Test|TEST SUPERMARKET"
    );
}

#[tokio::test]
async fn the_binary_serves_the_simulator_on_the_port_it_is_given() {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_malipo-sim"))
        .args(["--daraja-port", &port.to_string()])
        // The other simulators on free ports, so a simulator already running here does not
        // make this test fail on a busy default port.
        .args(["--paystack-port", "0", "--clickpesa-port", "0"])
        .stderr(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/oauth/v1/generate?grant_type=client_credentials");
    let mut answered = None;
    for _ in 0..100 {
        if let Ok(response) = reqwest::Client::new()
            .get(&url)
            .basic_auth("sim-consumer-key", Some("sim-consumer-secret"))
            .send()
            .await
        {
            answered = Some(response.json::<Value>().await.unwrap());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let token = answered.expect("the binary answered OAuth");
    assert!(token["access_token"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_malipo-sim"))
        .arg("--no-such-flag")
        .output()
        .unwrap();
    assert_eq!(
        bad.status.code(),
        Some(2),
        "unknown flags print the usage and exit 2"
    );
}

#[tokio::test]
async fn external_validation_can_reject_a_payment_and_names_the_third_party_id() {
    let sim = DarajaSim::new(SimConfig {
        external_validation: true,
        ..SimConfig::default()
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = sim.clone();
    tokio::spawn(
        async move { malipo_sim::daraja::run(listener, served, std::future::pending()).await },
    );
    let http = reqwest::Client::new();
    let token: Value = http
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

    let receiver = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let shop = format!("http://{}", receiver.local_addr().unwrap());
    let (tx, mut confirmed) = tokio::sync::mpsc::unbounded_channel::<Value>();
    let app = axum::Router::new()
        .route(
            "/c2b/validate",
            axum::routing::post(|axum::Json(body): axum::Json<Value>| async move {
                if body["BillRefNumber"] == "BAD" {
                    axum::Json(json!({"ResultCode": "C2B00012", "ResultDesc": "Rejected"}))
                } else {
                    axum::Json(json!({"ResultCode": "0", "ResultDesc": "Accepted", "ThirdPartyTransID": "S-17"}))
                }
            }),
        )
        .route(
            "/c2b/confirm",
            axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
                let tx = tx.clone();
                async move {
                    let _ = tx.send(body);
                    axum::Json(json!({"ResultCode": 0, "ResultDesc": "Success"}))
                }
            }),
        );
    tokio::spawn(async move { axum::serve(receiver, app).await });

    let registered = http
        .post(format!("{base}/mpesa/c2b/v1/registerurl"))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .json(&json!({"ShortCode": "174379", "ResponseType": "Cancelled",
            "ConfirmationURL": format!("{shop}/c2b/confirm"), "ValidationURL": format!("{shop}/c2b/validate")}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status().as_u16(), 200);
    sim.pay("174379", "254708374149", 100, "BAD");
    let good = sim.pay("174379", "254708374149", 100, "INV-7");
    let first = tokio::time::timeout(Duration::from_secs(10), confirmed.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        first["TransID"],
        good.as_str(),
        "only the validated payment is confirmed"
    );
    assert_eq!(
        first["ThirdPartyTransID"], "S-17",
        "the validation's id is echoed"
    );
    assert_eq!(
        first["MSISDN"].as_str().unwrap().len(),
        64,
        "v1 sends the SHA-256 of the MSISDN"
    );
    let kinds: Vec<String> = sim
        .wait_for_deliveries(3, Duration::from_secs(10))
        .await
        .into_iter()
        .map(|d| d.kind)
        .collect();
    assert_eq!(kinds.iter().filter(|k| *k == "c2b_validation").count(), 2);
    assert_eq!(kinds.iter().filter(|k| *k == "c2b_confirmation").count(), 1);
}

#[tokio::test]
async fn control_endpoints_answer_over_http() {
    let run = start().await;
    let control = |path: &str, body: Value| {
        run.http
            .post(format!("{}/simulator/{path}", run.base))
            .json(&body)
            .send()
    };
    let paid: Value = control(
        "pay",
        json!({"shortcode": "600200", "phone": "254708374149", "amount": 40}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(
        paid["TransID"].as_str().unwrap().len(),
        10,
        "a receipt, even with no URL registered"
    );
    let missing = control(
        "pay-qr",
        json!({"request_id": "nope", "phone": "254708374149"}),
    )
    .await
    .unwrap();
    assert_eq!(missing.status().as_u16(), 404);
    let mode: Value = control("async", json!({"queue_timeout": true}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mode["queue_timeout"], true);
    control("expire-token", json!({})).await.unwrap();
    let (status, body) = run.post("/mpesa/stkpushquery/v1/query", &json!({})).await;
    assert_eq!(
        (status, body["errorCode"].as_str()),
        (404, Some("404.001.03")),
        "the old token no longer works"
    );
}
