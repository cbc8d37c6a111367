//! The ClickPesa client against the ClickPesa simulator over real HTTP on loopback: the
//! token cached for its hour, refused credentials, order and customer control numbers (fixed
//! or flexible, exact / partial / partial-and-over), bulk creation with per-item failures,
//! details, the payment query, customers paying exact, partial and over amounts, and the
//! checksummed webhooks that announce them. (No key or token in logs: `clickpesa_secrets.rs`, its own binary so no other test's thread
//! registers the log call sites first.)
#![allow(clippy::unwrap_used)]

#[path = "support/clickpesa_rig.rs"]
mod clickpesa_rig;
use clickpesa_rig::*;

use malipo_core::Money;
use malipo_providers::clickpesa::{
    parse_event, verify_checksum, BillPayMode, ChecksumLocation, ClickPesaClient, ClickPesaError,
    ControlNumberRequest, ControlNumberUpdate, CustomerDetails, WebhookEvent,
};
use malipo_vault::Sensitive;
use serde_json::json;

#[tokio::test]
async fn the_token_is_reused_for_its_hour_and_refreshed_when_refused() {
    let rig = rig().await;
    rig.client.test_connection(T0).await.unwrap();
    for i in 0..3 {
        let req = order(&format!("INV{i}"), Some(1_000), BillPayMode::Exact);
        rig.client
            .create_control_number(&req, T0.plus_ms(i * 60_000))
            .await
            .unwrap();
    }
    assert_eq!(
        rig.sim.tokens_issued(),
        1,
        "one token serves the hour (100 calls a day)"
    );
    rig.client
        .billpay_details("INV0", T0.plus_ms(56 * 60_000))
        .await
        .unwrap();
    assert_eq!(rig.sim.tokens_issued(), 2, "renewed after 55 minutes");
    rig.sim.revoke_tokens();
    rig.client
        .billpay_details("INV1", T0.plus_ms(57 * 60_000))
        .await
        .unwrap();
    assert_eq!(
        rig.sim.tokens_issued(),
        3,
        "a refused token is replaced once"
    );
}

#[tokio::test]
async fn refused_credentials_say_what_is_wrong() {
    let rig = rig().await;
    let bad_key = ClickPesaClient::new(
        format!("{}/third-parties", rig.base),
        "IDsim123",
        Sensitive::new("nope".into()),
    )
    .unwrap();
    assert_eq!(
        bad_key.test_connection(T0).await,
        Err(ClickPesaError::Credentials(
            "Invalid or Expired API-Key".into()
        ))
    );
    let bad_id = ClickPesaClient::new(
        format!("{}/third-parties", rig.base),
        "other",
        Sensitive::new(API_KEY.into()),
    )
    .unwrap();
    assert_eq!(
        bad_id.test_connection(T0).await,
        Err(ClickPesaError::Credentials("Invalid client details".into()))
    );
}

#[tokio::test]
async fn an_exact_order_number_takes_only_its_amount_then_closes() {
    let rig = rig().await;
    let created = rig
        .client
        .create_control_number(&order("4455001", Some(90_900), BillPayMode::Exact), T0)
        .await
        .unwrap();
    assert_eq!(
        created.number, "4455001",
        "our reference becomes the number"
    );
    assert_eq!(created.amount, Some(tzs(90_900)));
    assert_eq!(created.payment_mode.as_deref(), Some("EXACT"));
    let (accepted, answer) = rig.pay("4455001", 90_000).await;
    assert!(!accepted, "EXACT refuses a short payment: {answer}");
    let (accepted, _) = rig.pay("4455001", 90_900).await;
    assert!(accepted);
    let hooks = rig.webhooks(1).await;
    assert_eq!(
        verify_checksum(&hooks[0], &Sensitive::new(CHECKSUM_KEY.into())),
        Ok(ChecksumLocation::TopLevel)
    );
    let WebhookEvent::PaymentReceived(payment) = parse_event(&hooks[0]).unwrap() else {
        panic!("PAYMENT RECEIVED expected");
    };
    assert_eq!(payment.order_reference, "4455001");
    assert_eq!(payment.collected, tzs(90_900));
    let (again, _) = rig.pay("4455001", 90_900).await;
    assert!(!again, "an order number is one-time");
    let details = rig.client.billpay_details("4455001", T0).await.unwrap();
    assert_eq!(details.status.as_deref(), Some("INACTIVE"));
    let reopened = rig
        .client
        .update_control_number(
            "4455001",
            &ControlNumberUpdate {
                active: Some(true),
                amount: Some(tzs(1_000)),
                ..Default::default()
            },
            T0,
        )
        .await
        .unwrap();
    assert_eq!(
        (reopened.status.as_deref(), reopened.amount),
        (Some("ACTIVE"), Some(tzs(1_000)))
    );
    let void = ControlNumberUpdate {
        active: Some(false),
        ..Default::default()
    };
    rig.client
        .update_control_number("4455001", &void, T0)
        .await
        .unwrap();
    assert!(
        !rig.pay("4455001", 1_000).await.0,
        "a voided number refuses payments"
    );
    let active = ControlNumberUpdate {
        active: Some(true),
        ..Default::default()
    };
    rig.client
        .update_control_number("4455001", &active, T0)
        .await
        .unwrap();
    assert!(
        rig.pay("4455001", 1_000).await.0,
        "an edited invoice re-uses its number"
    );
    let empty = rig
        .client
        .update_control_number("4455001", &ControlNumberUpdate::default(), T0)
        .await;
    assert!(matches!(empty, Err(ClickPesaError::InvalidRequest(_))));
    let again = rig
        .client
        .create_control_number(&order("4455001", Some(1), BillPayMode::Exact), T0)
        .await;
    assert!(
        matches!(again, Err(ClickPesaError::Conflict(_))),
        "{again:?}"
    );
}

#[tokio::test]
async fn partial_and_over_payments_follow_the_mode() {
    let rig = rig().await;
    // Partial-and-over order number: a partial payment is recorded, and closes it.
    rig.client
        .create_control_number(
            &order("7001", Some(50_000), BillPayMode::AllowPartialAndOver),
            T0,
        )
        .await
        .unwrap();
    assert!(rig.pay("7001", 20_000).await.0);
    assert!(
        !rig.pay("7001", 30_000).await.0,
        "one-time even after a partial payment"
    );
    // Over payment on a partial-and-over number.
    rig.client
        .create_control_number(
            &order("7002", Some(50_000), BillPayMode::AllowPartialAndOver),
            T0,
        )
        .await
        .unwrap();
    assert!(rig.pay("7002", 60_000).await.0, "over payment accepted");
    // Partial only: capped at the amount.
    rig.client
        .create_control_number(&order("7003", Some(50_000), BillPayMode::AllowPartial), T0)
        .await
        .unwrap();
    assert!(
        !rig.pay("7003", 50_001).await.0,
        "the cap refuses an over payment"
    );
    assert!(rig.pay("7003", 49_999).await.0);
    // A reusable customer number with a flexible amount takes many payments.
    let customer = ControlNumberRequest {
        reference: Some("255712000111".into()),
        amount: None,
        mode: BillPayMode::AllowPartialAndOver,
        description: Some("Account of Mama Asha".into()),
        customer: Some(CustomerDetails {
            name: "Mama Asha".into(),
            email: None,
            phone: Some("255712000111".into()),
        }),
    };
    let number = rig
        .client
        .create_control_number(&customer, T0)
        .await
        .unwrap();
    assert_eq!(number.customer_name.as_deref(), Some("Mama Asha"));
    assert!(rig.pay("255712000111", 1_500).await.0);
    assert!(rig.pay("255712000111", 2_500).await.0);
    let payments = rig.client.query_payments("255712000111", T0).await.unwrap();
    let amounts: Vec<Money> = payments.iter().map(|p| p.collected).collect();
    assert_eq!(amounts, vec![tzs(1_500), tzs(2_500)]);
    assert!(payments.iter().all(|p| p.status.is_paid()));
    let hooks = rig.webhooks(5).await;
    let collected: Vec<(String, Money)> = hooks
        .iter()
        .filter_map(|b| match parse_event(b).unwrap() {
            WebhookEvent::PaymentReceived(p) => Some((p.order_reference, p.collected)),
            _ => None,
        })
        .collect();
    assert!(
        collected.contains(&("7001".into(), tzs(20_000))),
        "the partial amount is what the webhook reports"
    );
    assert!(
        collected.contains(&("7002".into(), tzs(60_000))),
        "and the over amount"
    );
    let missing = rig.client.query_payments("7999", T0).await;
    assert!(matches!(missing, Err(ClickPesaError::NotFound(_))));
}

#[tokio::test]
async fn bulk_creation_reports_each_failed_item() {
    let rig = rig().await;
    rig.client
        .create_control_number(&order("ORD002", None, BillPayMode::Exact), T0)
        .await
        .unwrap();
    let items = vec![
        ControlNumberRequest {
            reference: None,
            ..order("x", Some(25_000), BillPayMode::Exact)
        },
        order("ORD002", Some(50_000), BillPayMode::Exact),
        order("ORD003", Some(10_000), BillPayMode::AllowPartial),
    ];
    let bulk = rig.client.bulk_create(&items, T0).await.unwrap();
    assert_eq!((bulk.created, bulk.failed), (2, 1));
    assert_eq!(bulk.errors.len(), 1);
    assert_eq!(bulk.errors[0].0, 1, "the reused reference is item 1");
    assert!(bulk.numbers.contains(&"ORD003".to_owned()));
    let mixed = vec![
        order("A1", None, BillPayMode::Exact),
        ControlNumberRequest {
            customer: Some(CustomerDetails {
                name: "X".into(),
                email: Some("x@example.com".into()),
                phone: None,
            }),
            ..order("A2", None, BillPayMode::Exact)
        },
    ];
    assert!(matches!(
        rig.client.bulk_create(&mixed, T0).await,
        Err(ClickPesaError::InvalidRequest(_))
    ));
    assert!(matches!(
        rig.client.bulk_create(&[], T0).await,
        Err(ClickPesaError::InvalidRequest(_))
    ));
}

#[tokio::test]
async fn a_failed_payment_is_announced_as_payment_failed() {
    let rig = rig().await;
    rig.client
        .create_control_number(&order("8001", Some(5_000), BillPayMode::Exact), T0)
        .await
        .unwrap();
    reqwest::Client::new()
        .post(format!("{}/_sim/pay", rig.base))
        .json(&json!({"billPayNumber": "8001", "amount": "5000", "fail": "Insufficient balance"}))
        .send()
        .await
        .unwrap();
    let hooks = rig.webhooks(1).await;
    let WebhookEvent::PaymentFailed(failed) = parse_event(&hooks[0]).unwrap() else {
        panic!("PAYMENT FAILED expected");
    };
    assert_eq!(failed.order_reference, "8001");
    assert_eq!(failed.message.as_deref(), Some("Insufficient balance"));
    assert!(
        rig.pay("8001", 5_000).await.0,
        "a failed payment does not close the number"
    );
}
