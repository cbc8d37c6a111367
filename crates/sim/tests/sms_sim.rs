//! The Africa's Talking SMS simulator on the wire, without the client: the form-encoded
//! request with `apiKey` and `Accept: application/json`, the `SMSMessageData` answer with
//! per-recipient status codes and costs as text, authentication and missing-field refusals,
//! and the control routes that read messages and script failures.
#![allow(clippy::unwrap_used)]

use malipo_sim::sms::{self as sim, SmsSim, SmsSimConfig};
use serde_json::{json, Value};
use tokio::net::TcpListener;

async fn start() -> (String, SmsSim) {
    let sim = SmsSim::new(SmsSimConfig::default());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(sim::run(listener, sim.clone(), std::future::pending()));
    (base, sim)
}

async fn send(base: &str, key: &str, form: &[(&str, &str)]) -> (u16, String) {
    let r = reqwest::Client::new()
        .post(format!("{base}/version1/messaging"))
        .header("apiKey", key)
        .header("Accept", "application/json")
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn a_message_is_answered_as_africas_talking_answers_and_recorded() {
    let (base, sim) = start().await;
    let (status, body) = send(
        &base,
        "sim-at-api-key",
        &[
            ("username", "sandbox"),
            ("to", "+254711000001,+255712000002, 0712"),
            ("message", "Asante! Sale T1-000001"),
            ("from", "DUKA"),
        ],
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    let data = &v["SMSMessageData"];
    assert_eq!(data["Message"], "Sent to 2/3 Total Cost: KES 1.6000");
    let r = data["Recipients"].as_array().unwrap();
    assert_eq!(r.len(), 3);
    assert_eq!(r[0]["statusCode"], 101);
    assert_eq!(r[0]["status"], "Success");
    assert_eq!(r[0]["number"], "+254711000001");
    assert_eq!(r[0]["cost"], "KES 0.8000", "cost is text, never a number");
    assert!(r[0]["messageId"].as_str().unwrap().starts_with("ATXid_"));
    assert_eq!(r[1]["number"], "+255712000002");
    assert_eq!(r[2]["statusCode"], 403);
    assert_eq!(r[2]["status"], "InvalidPhoneNumber");
    assert_eq!(r[2]["messageId"], "None");

    let listed: Value = reqwest::get(format!("{base}/_sim/messages"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 3);
    assert_eq!(listed[0]["message"], "Asante! Sale T1-000001");
    assert_eq!(listed[0]["from"], "DUKA");
    assert_eq!(listed[0]["username"], "sandbox");
    assert_eq!(sim.sent().len(), 2);

    // A long text is billed per 160-character part.
    let long = "x".repeat(161);
    let (_, body) = send(
        &base,
        "sim-at-api-key",
        &[
            ("username", "sandbox"),
            ("to", "+254711000001"),
            ("message", &long),
        ],
    )
    .await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["SMSMessageData"]["Recipients"][0]["cost"], "KES 1.6000");
}

#[tokio::test]
async fn a_wrong_key_or_username_or_a_missing_field_is_refused() {
    let (base, sim) = start().await;
    let form = [
        ("username", "sandbox"),
        ("to", "+254711000001"),
        ("message", "hi"),
    ];
    let (status, body) = send(&base, "wrong", &form).await;
    assert_eq!(
        (status, body.as_str()),
        (401, "The supplied authentication is invalid")
    );
    let (status, _) = send(
        &base,
        "sim-at-api-key",
        &[
            ("username", "someone"),
            ("to", "+254711000001"),
            ("message", "hi"),
        ],
    )
    .await;
    assert_eq!(status, 401);
    let (status, body) = send(
        &base,
        "sim-at-api-key",
        &[("username", "sandbox"), ("message", "hi")],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("'to'"), "{body}");
    let no_accept = reqwest::Client::new()
        .post(format!("{base}/version1/messaging"))
        .header("apiKey", "sim-at-api-key")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(no_accept.status().as_u16(), 406);
    assert!(sim.messages().is_empty(), "nothing refused is recorded");
}

#[tokio::test]
async fn scripted_failures_play_once_or_for_one_number_and_reset_clears() {
    let (base, sim) = start().await;
    let client = reqwest::Client::new();
    let script = |body: Value| {
        let client = client.clone();
        let url = format!("{base}/_sim/failures");
        async move {
            client
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(script(json!({"httpStatus": 500, "times": 1})).await, 204);
    assert_eq!(
        script(
            json!({"number": "+254700000405", "statusCode": 405, "status": "InsufficientBalance"})
        )
        .await,
        204
    );
    let form = [
        ("username", "sandbox"),
        ("to", "+254711000001"),
        ("message", "hi"),
    ];
    let (status, _) = send(&base, "sim-at-api-key", &form).await;
    assert_eq!(status, 500);
    let (status, _) = send(&base, "sim-at-api-key", &form).await;
    assert_eq!(status, 201, "the HTTP failure played once");
    for _ in 0..2 {
        let (_, body) = send(
            &base,
            "sim-at-api-key",
            &[
                ("username", "sandbox"),
                ("to", "+254700000405"),
                ("message", "hi"),
            ],
        )
        .await;
        let v: Value = serde_json::from_str(&body).unwrap();
        let r = &v["SMSMessageData"]["Recipients"][0];
        assert_eq!(
            (r["statusCode"].as_i64(), r["status"].as_str()),
            (Some(405), Some("InsufficientBalance"))
        );
    }
    let reset = client
        .post(format!("{base}/_sim/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status().as_u16(), 204);
    assert!(sim.messages().is_empty());
    let (_, body) = send(
        &base,
        "sim-at-api-key",
        &[
            ("username", "sandbox"),
            ("to", "+254700000405"),
            ("message", "hi"),
        ],
    )
    .await;
    assert!(body.contains("\"statusCode\":101"), "{body}");
}
