//! The pure request builders: exact field names and values Daraja expects, the limits applied,
//! and refusals before anything is sent.
#![allow(clippy::unwrap_used)]

use base64::Engine as _;
use malipo_core::{Currency, Money, Timestamp};
use malipo_providers::daraja::request::{self, StkPushRequest};
use malipo_providers::daraja::{
    C2bVersion, DarajaConfig, Environment, QrRequest, ReceiverIdentifierType, RequestError,
    ReversalRequest,
};
use malipo_vault::Sensitive;

const PASSKEY: &str = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919";
/// 2021-06-28 06:24:08 UTC = 09:24:08 in Nairobi.
const AT: Timestamp = Timestamp(1_624_861_448_000);

fn config() -> DarajaConfig {
    DarajaConfig::new(
        Environment::Production,
        Sensitive::new("key".to_string()),
        Sensitive::new("secret".to_string()),
        "174379",
        Sensitive::new(PASSKEY.to_string()),
    )
}

fn push() -> StkPushRequest {
    StkPushRequest {
        phone: "+254 708 374 149".to_string(),
        amount: Money::from_major(1, Currency::Kes).unwrap(),
        account_reference: "INV-00123/2026 (shop)".to_string(),
        description: "Sale at Mama Mboga's shop".to_string(),
        callback_url: "https://relay.example/h/tok/stk?t=1".to_string(),
    }
}

#[test]
fn paybill_stk_push_has_darajas_exact_fields() {
    let built = request::stk_push(&config(), &push(), AT).unwrap();
    assert_eq!(built.path, "/mpesa/stkpush/v1/processrequest");
    let b = &built.body;
    assert_eq!(b["Timestamp"], "20210628092408", "Nairobi time, UTC+3");
    let expected =
        base64::engine::general_purpose::STANDARD.encode(format!("174379{PASSKEY}20210628092408"));
    assert_eq!(
        b["Password"], expected,
        "base64(shortcode + passkey + the same timestamp)"
    );
    assert_eq!(b["TransactionType"], "CustomerPayBillOnline");
    assert_eq!(b["PartyB"], "174379");
    assert_eq!(b["PartyA"], "254708374149");
    assert_eq!(b["PhoneNumber"], "254708374149");
    assert_eq!(b["Amount"], 1, "whole shillings as a number");
    assert_eq!(
        b["AccountReference"], "INV-00123202",
        "special characters dropped, cut to 12"
    );
    assert_eq!(
        b["TransactionDesc"], "Sale at Mama",
        "cut to 13 and trimmed"
    );
    assert!(
        !format!("{built:?}").contains(PASSKEY)
            && !format!("{built:?}").contains(&*expected.clone()),
        "Debug hides the body"
    );
}

#[test]
fn till_stk_push_uses_buy_goods_with_the_till_as_party_b() {
    let mut till = config();
    till.shortcode = "600100".to_string();
    till.till_number = Some("600200".to_string());
    let b = request::stk_push(&till, &push(), AT).unwrap().body;
    assert_eq!(b["TransactionType"], "CustomerBuyGoodsOnline");
    assert_eq!(
        b["BusinessShortCode"], "600100",
        "the store number signs the password"
    );
    assert_eq!(b["PartyB"], "600200");
    let qr = request::dynamic_qr(
        &till,
        &QrRequest {
            merchant_name: "Shop".into(),
            ref_no: "T1-9".into(),
            amount: Money::from_major(5, Currency::Kes).unwrap(),
            size_px: 300,
        },
    )
    .unwrap()
    .body;
    assert_eq!(
        (
            qr["TrxCode"].as_str(),
            qr["CPI"].as_str(),
            qr["Size"].as_str()
        ),
        (Some("BG"), Some("600200"), Some("300"))
    );
}

/// What a refused request's error must look like.
type Expect = fn(&RequestError) -> bool;

#[test]
fn refusals_before_any_request() {
    let cases: Vec<(StkPushRequest, Expect)> = vec![
        (
            StkPushRequest {
                amount: Money::from_minor(150, Currency::Kes),
                ..push()
            },
            |e| matches!(e, RequestError::AmountHasCents { .. }),
        ),
        (
            StkPushRequest {
                amount: Money::from_major(1, Currency::Usd).unwrap(),
                ..push()
            },
            |e| matches!(e, RequestError::NotShillings { .. }),
        ),
        (
            StkPushRequest {
                amount: Money::from_major(250_001, Currency::Kes).unwrap(),
                ..push()
            },
            |e| matches!(e, RequestError::AmountTooLarge { .. }),
        ),
        (
            StkPushRequest {
                phone: "+255 712 345 678".into(),
                ..push()
            },
            |e| matches!(e, RequestError::Phone(_)),
        ),
        (
            StkPushRequest {
                callback_url: "http://relay.example/stk".into(),
                ..push()
            },
            |e| matches!(e, RequestError::BadUrl { .. }),
        ),
        (
            StkPushRequest {
                callback_url: "https://relay.example/ stk".into(),
                ..push()
            },
            |e| matches!(e, RequestError::BadUrl { .. }),
        ),
        (
            StkPushRequest {
                callback_url: "http://127.0.0.1:8080/stk".into(),
                ..push()
            },
            |e| matches!(e, RequestError::BadUrl { .. }),
        ),
    ];
    for (bad, expected) in cases {
        let error = request::stk_push(&config(), &bad, AT).unwrap_err();
        assert!(expected(&error), "{error:?}");
        assert!(!error.to_string().is_empty());
    }
    let mut no_passkey = config();
    no_passkey.passkey = Sensitive::new(String::new());
    assert_eq!(
        request::stk_push(&no_passkey, &push(), AT).unwrap_err(),
        RequestError::MissingPasskey
    );
    let mut bad_code = config();
    bad_code.shortcode = "17A379".into();
    assert_eq!(
        request::stk_push(&bad_code, &push(), AT).unwrap_err(),
        RequestError::BadShortcode
    );
}

#[test]
fn c2b_urls_avoid_the_words_safaricom_rejects() {
    let c = config();
    for word in [
        "MPESA",
        "M-Pesa",
        "safaricom",
        "exec",
        "cmd",
        "Sql",
        "query",
    ] {
        let url = format!("https://relay.example/h/{word}/c2b");
        let e = request::c2b_register(&c, &url, "https://relay.example/h/t/validate", true)
            .unwrap_err();
        assert!(matches!(e, RequestError::ForbiddenWord { .. }), "{word}");
    }
    let ok = request::c2b_register(
        &c,
        "https://relay.example/h/t/c2b-confirm",
        "https://relay.example/h/t/c2b-validate",
        false,
    )
    .unwrap();
    assert_eq!(ok.path, "/mpesa/c2b/v2/registerurl");
    assert_eq!(ok.body["ResponseType"], "Cancelled");
    let mut v1 = config();
    v1.c2b_version = C2bVersion::V1;
    assert_eq!(
        request::c2b_register(&v1, "https://a.example/c", "https://a.example/v", true)
            .unwrap()
            .path,
        "/mpesa/c2b/v1/registerurl"
    );
}

#[test]
fn reversal_uses_the_misspelt_key_and_the_configured_identifier_type() {
    let mut c = config();
    c.initiator_name = Some("apiop37".into());
    let reversal = ReversalRequest {
        transaction_id: "pdu91hivit".into(),
        amount: Money::from_major(200, Currency::Kes).unwrap(),
        result_url: "https://relay.example/h/t/reversal-result".into(),
        timeout_url: "https://relay.example/h/t/timeout".into(),
        remarks: "Payment reversal".into(),
        occasion: Some("Refund".into()),
    };
    let credential = Sensitive::new("CREDENTIAL".to_string());
    let b = request::reversal(&c, &credential, &reversal).unwrap().body;
    assert_eq!(b["RecieverIdentifierType"], "11");
    assert!(b.get("ReceiverIdentifierType").is_none());
    assert_eq!(b["CommandID"], "TransactionReversal");
    assert_eq!(b["TransactionID"], "PDU91HIVIT");
    assert_eq!(b["Amount"], "200");
    assert_eq!(b["ReceiverParty"], "174379");
    c.receiver_identifier_type = ReceiverIdentifierType::Legacy4;
    assert_eq!(
        request::reversal(&c, &credential, &reversal).unwrap().body["RecieverIdentifierType"],
        "4"
    );
    let short = ReversalRequest {
        remarks: "x".into(),
        ..reversal.clone()
    };
    assert!(matches!(
        request::reversal(&c, &credential, &short),
        Err(RequestError::FieldLength { .. })
    ));
    c.initiator_name = None;
    assert_eq!(
        request::reversal(&c, &credential, &reversal).unwrap_err(),
        RequestError::MissingInitiator
    );
}
