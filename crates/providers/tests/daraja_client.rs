//! The Daraja client against the Daraja simulator over real HTTP on loopback: tokens, STK push
//! with every scripted outcome, STK query, C2B registration (QR, reversal and status are in
//! `daraja_qr_reversal.rs`).
#![allow(clippy::unwrap_used)]

mod daraja_support;

use std::time::Duration;

use daraja_support::{client, now, paybill_config, start_receiver, start_sim, till_config};
use malipo_core::{Currency, Money, Phone};
use malipo_providers::daraja::request::DarajaRequest;
use malipo_providers::daraja::{
    hash_msisdn, parse_c2b_confirmation, parse_stk_callback, ApiErrorCode, DarajaClient,
    DarajaError, Msisdn, Outcome, PhoneMatch, RequestError, StkPushRequest, StkQueryAnswer,
    StkResultCode,
};
use malipo_sim::daraja::{CustomerAction, CustomerScript, DarajaSim, PendingStyle, SimConfig};
use malipo_vault::Sensitive;

fn kes(shillings: i64) -> Money {
    Money::from_major(shillings, Currency::Kes).unwrap()
}

fn push(phone: &str, shillings: i64, callback_url: String) -> StkPushRequest {
    StkPushRequest {
        phone: phone.to_string(),
        amount: kes(shillings),
        account_reference: "INV-00123".to_string(),
        description: "Sale T1-000123".to_string(),
        callback_url,
    }
}

fn oauth_calls(sim: &DarajaSim) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.path == "/oauth/v1/generate")
        .count()
}

/// A client without request timers, for tests on paused time: with the clock paused, tokio
/// jumps to the next timer whenever every task waits, and a 30 s request timeout would fire
/// while a loopback socket is still answering.
fn untimed_client(config: malipo_providers::daraja::DarajaConfig) -> DarajaClient {
    DarajaClient::with_http_client(config, reqwest::Client::new())
}

#[tokio::test(start_paused = true)]
async fn tokens_are_cached_fetched_once_under_concurrency_and_refreshed_after_expiry() {
    let (sim, base, _stop) = start_sim(SimConfig::default()).await;
    let client = std::sync::Arc::new(untimed_client(paybill_config(&base)));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let c = client.clone();
        tasks.spawn(async move { c.access_token().await.map(|t| t.expose().clone()) });
    }
    let mut tokens = Vec::new();
    while let Some(t) = tasks.join_next().await {
        tokens.push(t.unwrap().unwrap());
    }
    assert!(
        tokens.windows(2).all(|w| w[0] == w[1]),
        "everyone shares one token"
    );
    assert_eq!(oauth_calls(&sim), 1, "one fetch at a time, then the cache");
    tokio::time::advance(Duration::from_secs(3500)).await;
    client.access_token().await.unwrap();
    assert_eq!(
        oauth_calls(&sim),
        1,
        "cached while valid (3599 s token, 60 s margin)"
    );
    tokio::time::advance(Duration::from_secs(60)).await;
    client.access_token().await.unwrap();
    assert_eq!(oauth_calls(&sim), 2, "refreshed shortly before expiry");
}

#[tokio::test]
async fn a_rejected_token_is_replaced_and_the_request_retried_once() {
    let (sim, base, _stop) = start_sim(SimConfig::default()).await;
    let (_received, cb) = start_receiver().await;
    let client = client(paybill_config(&base));
    client.access_token().await.unwrap();
    sim.expire_token();
    let ack = client
        .stk_push(&push("0712000101", 10, format!("{cb}/stk")), now())
        .await
        .unwrap();
    assert!(ack.checkout_request_id.starts_with("ws_CO_"));
    assert_eq!(oauth_calls(&sim), 2, "the stale token was replaced once");
}

#[tokio::test]
async fn test_connection_names_the_wrong_credential() {
    let (_sim, base, _stop) = start_sim(SimConfig::default()).await;
    let good = client(paybill_config(&base)).test_connection(now()).await;
    assert!(good.is_ok(), "{good:?}");
    let mut config = paybill_config(&base);
    config.consumer_secret = Sensitive::new("wrong-secret".to_string());
    let bad = client(config).test_connection(now()).await;
    assert!(!bad.is_ok());
    let failed: Vec<_> = bad.checks.iter().filter(|c| !c.ok).collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].item, "Consumer key and secret");
    assert!(failed[0]
        .message
        .contains("consumer key or consumer secret"));
    let mut config = paybill_config(&base);
    config.passkey = Sensitive::new("not-the-passkey".to_string());
    let report = client(config).test_connection(now()).await;
    let failed: Vec<_> = report.checks.iter().filter(|c| !c.ok).collect();
    assert_eq!(failed.len(), 1, "{report:?}");
    assert_eq!(failed[0].item, "Shortcode and passkey");
    assert!(
        failed[0].message.contains("passkey"),
        "{}",
        failed[0].message
    );
    let mut config = paybill_config(&base);
    config.shortcode = "999999".to_string();
    let report = client(config).test_connection(now()).await;
    assert!(
        report
            .checks
            .iter()
            .any(|c| !c.ok && c.message.contains("does not know shortcode 999999")),
        "{report:?}"
    );
    let mut config = paybill_config(&base);
    config.passkey = Sensitive::new(String::new());
    let report = client(config).test_connection(now()).await;
    assert!(report
        .checks
        .iter()
        .any(|c| !c.ok && c.item == "Shortcode and passkey"));
}

#[tokio::test]
async fn stk_push_and_callback_for_every_scripted_outcome() {
    let (sim, base, _stop) = start_sim(SimConfig::default()).await;
    let (received, cb) = start_receiver().await;
    let client = client(paybill_config(&base));
    let cases = [
        (CustomerAction::Approve, StkResultCode::Success),
        (CustomerAction::Cancel, StkResultCode::Cancelled),
        (CustomerAction::WrongPin, StkResultCode::WrongPin),
        (
            CustomerAction::InsufficientFunds,
            StkResultCode::InsufficientBalance,
        ),
        (CustomerAction::Timeout, StkResultCode::Unreachable),
        (CustomerAction::Expire, StkResultCode::Expired),
    ];
    for (i, (action, expected)) in cases.into_iter().enumerate() {
        let phone = format!("07120002{i:02}");
        let normalised = Phone::parse(&phone).unwrap();
        sim.script(
            Some(normalised.as_str()),
            CustomerScript {
                action,
                delay_ms: 0,
                duplicate: false,
            },
        );
        let path = format!("/stk/{i}");
        let ack = client
            .stk_push(&push(&phone, 150, format!("{cb}{path}")), now())
            .await
            .unwrap();
        let bodies = received.wait_for(&path, 1).await;
        assert_eq!(bodies.len(), 1, "{action:?}: one callback");
        let callback = parse_stk_callback(&bodies[0]).unwrap();
        assert_eq!(callback.checkout_request_id, ack.checkout_request_id);
        assert_eq!(callback.result_code, expected, "{action:?}");
        if expected == StkResultCode::Success {
            let paid = callback.payment.unwrap();
            assert_eq!(paid.amount, kes(150));
            assert_eq!(paid.phone, Some(normalised));
            assert_eq!(paid.receipt.len(), 10);
        } else {
            assert!(callback.payment.is_none());
        }
        match client
            .stk_query(&ack.checkout_request_id, now())
            .await
            .unwrap()
        {
            StkQueryAnswer::Result { code, .. } => {
                assert_eq!(code, expected, "query after {action:?}")
            }
            other @ StkQueryAnswer::Processing { .. } => {
                panic!("query after {action:?}: {other:?}")
            }
        }
    }
}

#[tokio::test]
async fn a_customer_who_never_answers_is_pending_in_both_query_styles() {
    for style in [PendingStyle::Envelope, PendingStyle::Code4999] {
        let (sim, base, _stop) = start_sim(SimConfig {
            pending_style: style,
            ..SimConfig::default()
        })
        .await;
        let (received, cb) = start_receiver().await;
        let client = client(paybill_config(&base));
        sim.script(
            None,
            CustomerScript {
                action: CustomerAction::NeverAnswer,
                delay_ms: 0,
                duplicate: false,
            },
        );
        let ack = client
            .stk_push(&push("0712000301", 20, format!("{cb}/stk")), now())
            .await
            .unwrap();
        let answer = client
            .stk_query(&ack.checkout_request_id, now())
            .await
            .unwrap();
        let pending = match &answer {
            StkQueryAnswer::Processing { .. } => true,
            StkQueryAnswer::Result { code, .. } => code.outcome() == Outcome::Pending,
        };
        assert!(
            pending,
            "{style:?}: never failed while the customer has not acted: {answer:?}"
        );
        assert!(received.calls().is_empty(), "no callback");
        let again = client
            .stk_push(&push("0712000301", 20, format!("{cb}/stk")), now())
            .await;
        assert!(
            matches!(
                again,
                Err(DarajaError::Api {
                    code: ApiErrorCode::ServiceError,
                    ..
                })
            ),
            "a second push while the session is open is refused: {again:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_late_answer_is_pending_until_it_arrives_and_a_duplicate_arrives_twice() {
    let (sim, base, _stop) = start_sim(SimConfig::default()).await;
    let (received, cb) = start_receiver().await;
    let client = untimed_client(paybill_config(&base));
    sim.script(
        None,
        CustomerScript {
            action: CustomerAction::Approve,
            delay_ms: 45_000,
            duplicate: true,
        },
    );
    let ack = client
        .stk_push(&push("0712000401", 30, format!("{cb}/stk")), now())
        .await
        .unwrap();
    // Poll as the till does (every 8 s) while the customer takes 45 s to answer.
    let mut polls = 0;
    while received.to("/stk").is_empty() {
        let answer = client
            .stk_query(&ack.checkout_request_id, now())
            .await
            .unwrap();
        assert!(
            matches!(answer, StkQueryAnswer::Processing { .. }),
            "pending, never failed: {answer:?}"
        );
        polls += 1;
        tokio::time::sleep(Duration::from_secs(8)).await;
    }
    // The callback leaves at 45 s; the poll at 48 s may or may not see it first.
    assert!(
        (6..=7).contains(&polls),
        "45 s of waiting is 6 or 7 polls of 8 s: {polls}"
    );
    let bodies = received.wait_for("/stk", 2).await;
    assert_eq!(bodies.len(), 2, "the callback was sent twice");
    assert_eq!(bodies[0], bodies[1], "the duplicate is identical");
    assert_eq!(
        parse_stk_callback(&bodies[0]).unwrap().outcome(),
        Outcome::Paid
    );
    match client
        .stk_query(&ack.checkout_request_id, now())
        .await
        .unwrap()
    {
        StkQueryAnswer::Result { code, .. } => assert_eq!(code, StkResultCode::Success),
        other @ StkQueryAnswer::Processing { .. } => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_paybill_stk_payment_also_arrives_as_c2b_with_the_same_receipt() {
    let (_sim, base, _stop) = start_sim(SimConfig::default()).await;
    let (received, cb) = start_receiver().await;
    let mut config = paybill_config(&base);
    config.c2b_version = malipo_providers::daraja::C2bVersion::V1;
    let client = client(config);
    client
        .register_c2b_urls(
            &format!("{cb}/c2b/confirm"),
            &format!("{cb}/c2b/validate"),
            true,
        )
        .await
        .unwrap();
    client
        .stk_push(&push("0712000501", 75, format!("{cb}/stk")), now())
        .await
        .unwrap();
    let stk = parse_stk_callback(&received.wait_for("/stk", 1).await[0]).unwrap();
    let c2b = parse_c2b_confirmation(&received.wait_for("/c2b/confirm", 1).await[0]).unwrap();
    let paid = stk.payment.unwrap();
    assert_eq!(c2b.trans_id, paid.receipt, "TransID = MpesaReceiptNumber");
    assert_eq!(c2b.amount, paid.amount);
    assert_eq!(c2b.bill_ref_number, "INV-00123");
    let phone = Phone::parse("0712000501").unwrap();
    assert_eq!(
        c2b.msisdn,
        Msisdn::Hashed(hash_msisdn(&phone)),
        "v1 hashes the MSISDN"
    );
    assert_eq!(c2b.msisdn.matches(&phone), PhoneMatch::Exact);
}

#[tokio::test]
async fn till_pushes_use_buy_goods_and_a_wrong_till_is_refused_by_the_operator() {
    let (_sim, base, _stop) = start_sim(SimConfig::default()).await;
    let (received, cb) = start_receiver().await;
    let till = client(till_config(&base));
    till.stk_push(&push("0712000601", 40, format!("{cb}/ok")), now())
        .await
        .unwrap();
    assert_eq!(
        parse_stk_callback(&received.wait_for("/ok", 1).await[0])
            .unwrap()
            .result_code,
        StkResultCode::Success
    );
    let mut wrong = till_config(&base);
    wrong.till_number = Some("600999".to_string());
    client(wrong)
        .stk_push(&push("0712000602", 40, format!("{cb}/wrong")), now())
        .await
        .unwrap();
    let callback = parse_stk_callback(&received.wait_for("/wrong", 1).await[0]).unwrap();
    assert_eq!(
        callback.result_code,
        StkResultCode::OperatorDoesNotExist,
        "SFC_IC0003 as a string code"
    );
}

#[tokio::test]
async fn a_register_answer_of_eight_zeros_is_success_too() {
    let (_sim, base, _stop) = start_sim(SimConfig {
        register_success_code: "00000000".to_string(),
        ..SimConfig::default()
    })
    .await;
    let (_received, cb) = start_receiver().await;
    let ack = client(paybill_config(&base))
        .register_c2b_urls(
            &format!("{cb}/c2b/confirm"),
            &format!("{cb}/c2b/validate"),
            false,
        )
        .await
        .unwrap();
    assert_eq!(ack.response_code, "00000000");
    assert!(
        ack.originator_conversation_id.is_some(),
        "read from OriginatorCoversationID (sic)"
    );
}

#[tokio::test]
async fn c2b_registration_refuses_forbidden_words_on_both_sides() {
    let (sim, base, _stop) = start_sim(SimConfig::default()).await;
    let (received, cb) = start_receiver().await;
    let client = client(paybill_config(&base));
    let refused = client
        .register_c2b_urls(
            &format!("{cb}/mpesa/confirm"),
            &format!("{cb}/c2b/validate"),
            true,
        )
        .await;
    assert!(matches!(
        refused,
        Err(DarajaError::Request(RequestError::ForbiddenWord {
            word: "mpesa",
            ..
        }))
    ));
    // Sent anyway (bypassing the client's check), the simulator refuses it as Daraja does.
    let raw = DarajaRequest {
        path: "/mpesa/c2b/v2/registerurl",
        body: serde_json::json!({"ShortCode": "174379", "ResponseType": "Completed",
            "ConfirmationURL": format!("{cb}/c2b/QUERY"), "ValidationURL": format!("{cb}/c2b/validate")}),
    };
    let (status, body) = client.send(&raw).await.unwrap();
    let error = malipo_providers::daraja::response::parse_register_ack(status, &body).unwrap_err();
    assert!(
        matches!(
            error,
            DarajaError::Api {
                code: ApiErrorCode::InvalidField,
                ..
            }
        ),
        "{error:?}"
    );
    let ack = client
        .register_c2b_urls(
            &format!("{cb}/c2b/confirm"),
            &format!("{cb}/c2b/validate"),
            true,
        )
        .await
        .unwrap();
    assert_eq!(ack.response_code, "0");
    sim.pay("174379", "254712000701", 250, "inv 7");
    let c2b = parse_c2b_confirmation(&received.wait_for("/c2b/confirm", 1).await[0]).unwrap();
    assert_eq!(c2b.amount, kes(250));
    assert_eq!(c2b.bill_ref_number, "inv 7");
    assert_eq!(
        c2b.msisdn.matches(&Phone::parse("0712000701").unwrap()),
        PhoneMatch::Possible,
        "v2 masks"
    );
}

#[tokio::test]
async fn validation_refuses_before_sending() {
    let (sim, base, _stop) = start_sim(SimConfig::default()).await;
    let client = client(paybill_config(&base));
    let cases = [
        (
            push("0712000901", 10, "http://example.com/cb".into()),
            "plain http off loopback",
        ),
        (
            push("12345", 10, "http://127.0.0.1:9/cb".into()),
            "bad phone",
        ),
        (
            StkPushRequest {
                amount: Money::from_minor(1050, Currency::Kes),
                ..push("0712000901", 10, "http://127.0.0.1:9/cb".into())
            },
            "cents",
        ),
        (
            StkPushRequest {
                amount: kes(0),
                ..push("0712000901", 10, "http://127.0.0.1:9/cb".into())
            },
            "zero",
        ),
        (
            StkPushRequest {
                account_reference: "%%%".into(),
                ..push("0712000901", 10, "http://127.0.0.1:9/cb".into())
            },
            "empty reference",
        ),
    ];
    for (request, why) in cases {
        let result = client.stk_push(&request, now()).await;
        assert!(
            matches!(result, Err(DarajaError::Request(_))),
            "{why}: {result:?}"
        );
    }
    assert!(sim.requests().is_empty(), "nothing was sent");
    let mut sandbox = paybill_config(&base);
    sandbox.environment = malipo_providers::daraja::Environment::Sandbox;
    let refused = malipo_providers::daraja::request::stk_push(
        &sandbox,
        &push("0712000901", 10, "http://127.0.0.1:9/cb".into()),
        now(),
    );
    assert!(
        matches!(refused, Err(RequestError::BadUrl { .. })),
        "sandbox and production need https, even to loopback"
    );
}
