//! Paystack webhook verification and parsing: the published body/secret/signature triple
//! passes and every tampering fails (one byte changed, wrong secret, missing header,
//! re-serialised body); the reference's samples parse into typed events; unknown events are
//! kept with their bytes; and the parsers never panic on arbitrary input.
#![allow(clippy::unwrap_used)]

use malipo_core::{Currency, Money};
use malipo_providers::paystack::response;
use malipo_providers::paystack::{
    parse_event, sign, verify_signature, RefundStatus, SignatureError, TransactionStatus,
    WebhookEvent,
};
use malipo_vault::Sensitive;
use proptest::prelude::*;

/// The published vector (reference §6.1, from yabacon/paystack-php's test suite).
const PHP_SECRET: &str = "sk_test_inv4L1dinv4L1dinv4L1dinv4L1d";
const PHP_BODY: &[u8] = include_bytes!("fixtures/paystack/just_testing.json");
const PHP_SIGNATURE: &str = "0ef509bb72218531a7d0aa58d2b8dcd93f63f7a4d1f8e2e36eadd4f0a19455a92f2ca57a57bfe98dc25f91c47b1221343d61fdd5fd2b7c41b8466cbe5ebd4974";

/// The self-computed vector (reference §6.1, Python and openssl agree).
const OUR_SECRET: &str = "sk_test_malipo_example_key";
const OUR_BODY: &str = r#"{"event":"charge.success","data":{"reference":"MLP-0001","amount":150000,"currency":"KES","status":"success"}}"#;
const OUR_SIGNATURE: &str = "0f10cf1902db29a604e0728b140442749cefdaf19eecde81b20d171b611b1b10a67665761b3e172b67bafe2edcfca2d841bad1ffd026e6d2913a039ad2f0a3d0";

fn secret(key: &str) -> Sensitive<String> {
    Sensitive::new(key.to_owned())
}

#[test]
fn the_published_triple_verifies() {
    assert_eq!(
        PHP_BODY.len(),
        1010,
        "the fixture is the reference's exact 1010 bytes"
    );
    assert_eq!(
        verify_signature(PHP_BODY, Some(PHP_SIGNATURE), &secret(PHP_SECRET)),
        Ok(())
    );
    assert_eq!(sign(PHP_BODY, &secret(PHP_SECRET)), PHP_SIGNATURE);
    let body = OUR_BODY.as_bytes();
    assert_eq!(
        verify_signature(body, Some(OUR_SIGNATURE), &secret(OUR_SECRET)),
        Ok(())
    );
    let upper = PHP_SIGNATURE.to_ascii_uppercase();
    assert_eq!(
        verify_signature(PHP_BODY, Some(&upper), &secret(PHP_SECRET)),
        Ok(())
    );
}

#[test]
fn a_body_with_one_byte_changed_fails() {
    for index in [0, 17, PHP_BODY.len() / 2, PHP_BODY.len() - 1] {
        let mut body = PHP_BODY.to_vec();
        body[index] ^= 0x01;
        assert_eq!(
            verify_signature(&body, Some(PHP_SIGNATURE), &secret(PHP_SECRET)),
            Err(SignatureError::Mismatch),
            "byte {index} changed"
        );
    }
    let amount_changed = OUR_BODY.replace("150000", "150001");
    assert_eq!(
        verify_signature(
            amount_changed.as_bytes(),
            Some(OUR_SIGNATURE),
            &secret(OUR_SECRET)
        ),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn a_wrong_secret_fails() {
    assert_eq!(
        verify_signature(
            PHP_BODY,
            Some(PHP_SIGNATURE),
            &secret("sk_test_another_shop")
        ),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify_signature(
            PHP_BODY,
            Some(PHP_SIGNATURE),
            &secret("sk_live_inv4L1dinv4L1dinv4L1dinv4L1d")
        ),
        Err(SignatureError::Mismatch),
        "the live key of the same integration does not verify a test event"
    );
}

#[test]
fn a_missing_or_malformed_header_fails() {
    assert_eq!(
        verify_signature(PHP_BODY, None, &secret(PHP_SECRET)),
        Err(SignatureError::Missing)
    );
    for bad in [
        "",
        "not-hex",
        &PHP_SIGNATURE[..64],
        &format!("{PHP_SIGNATURE}00"),
    ] {
        assert_eq!(
            verify_signature(PHP_BODY, Some(bad), &secret(PHP_SECRET)),
            Err(SignatureError::Malformed),
            "{bad:?}"
        );
    }
}

#[test]
fn a_re_serialised_body_fails() {
    let parsed: serde_json::Value = serde_json::from_slice(PHP_BODY).unwrap();
    for reserialised in [
        serde_json::to_vec_pretty(&parsed).unwrap(),
        serde_json::to_vec(&parsed).unwrap(),
        [PHP_BODY, b"\n"].concat(),
    ] {
        assert_ne!(reserialised, PHP_BODY);
        assert_eq!(
            verify_signature(&reserialised, Some(PHP_SIGNATURE), &secret(PHP_SECRET)),
            Err(SignatureError::Mismatch),
            "only the raw bytes as received verify"
        );
    }
}

#[test]
fn charge_success_sample_parses_with_its_polymorphic_fields() {
    let body = include_bytes!("fixtures/paystack/charge_success.json");
    let WebhookEvent::ChargeSuccess(txn) = parse_event(body).unwrap() else {
        panic!("charge.success must be typed");
    };
    assert_eq!(txn.reference, "qTPrJoy9Bx");
    assert_eq!(txn.status, TransactionStatus::Success);
    assert_eq!(txn.amount_subunits, 10_000);
    assert_eq!(txn.currency_code, "NGN");
    assert!(
        txn.amount().is_err(),
        "NGN is not a Malipo currency: refused, not guessed"
    );
    assert_eq!(txn.metadata, serde_json::json!(0));
    assert_eq!(txn.target_number(), None);
    assert_eq!(txn.domain.as_deref(), Some("live"));
    assert_eq!(txn.card.unwrap().last4.as_deref(), Some("8877"));
    assert_eq!(txn.customer_email.as_deref(), Some("bojack@horseman.com"));
}

#[test]
fn refund_events_parse_with_string_or_number_amounts() {
    let processed = include_bytes!("fixtures/paystack/refund_processed.json");
    let WebhookEvent::Refund(refund) = parse_event(processed).unwrap() else {
        panic!("refund.processed must be typed");
    };
    assert_eq!(refund.status, RefundStatus::Processed);
    assert_eq!(refund.transaction_reference, "qTPrJoy9Bx");
    assert_eq!(refund.amount_subunits, 5_000, "\"5000\" as a string");
    let attention = include_bytes!("fixtures/paystack/refund_needs_attention.json");
    let WebhookEvent::Refund(refund) = parse_event(attention).unwrap() else {
        panic!("refund.needs-attention must be typed");
    };
    assert_eq!(refund.status, RefundStatus::NeedsAttention);
    assert_eq!(refund.amount_subunits, 20_000);
    assert_eq!(refund.id, Some(1234));
}

#[test]
fn unknown_events_are_kept_with_their_raw_bytes() {
    for body in [
        include_bytes!("fixtures/paystack/transfer_success.json").as_slice(),
        PHP_BODY,
    ] {
        match parse_event(body).unwrap() {
            WebhookEvent::Unknown { event, raw } => {
                assert!(event == "transfer.success" || event == "just.testing");
                assert_eq!(raw, body, "the event is kept byte for byte");
            }
            other => panic!("expected Unknown, got {other:?}"),
        }
    }
}

#[test]
fn our_own_vector_is_a_kes_sale() {
    let WebhookEvent::ChargeSuccess(txn) = parse_event(OUR_BODY.as_bytes()).unwrap() else {
        panic!("charge.success must be typed");
    };
    assert_eq!(
        txn.amount().unwrap(),
        Money::from_minor(150_000, Currency::Kes)
    );
}

#[test]
fn a_charge_with_fees_passed_on_matches_the_sale_on_requested_amount() {
    let body = br#"{"event":"charge.success","data":{"id":7,"domain":"test","status":"success","reference":"R1","amount":40333,"requested_amount":30050,"currency":"KES"}}"#;
    let WebhookEvent::ChargeSuccess(txn) = parse_event(body).unwrap() else {
        panic!("charge.success must be typed");
    };
    assert!(
        txn.is_paid(Money::from_minor(30_050, Currency::Kes)),
        "the sale asked for 300.50"
    );
    assert!(!txn.is_paid(Money::from_minor(40_333, Currency::Kes)));
    assert!(
        !txn.is_paid(Money::from_minor(30_050, Currency::Usd)),
        "currency must match too"
    );
    assert_eq!(txn.mode(), Some(malipo_providers::paystack::KeyMode::Test));
    assert_eq!(
        parse_event(body).unwrap().dedupe_key().as_deref(),
        Some("charge.success:7")
    );
}

#[test]
fn redelivered_events_share_a_dedupe_key() {
    let processed = include_bytes!("fixtures/paystack/refund_processed.json");
    let first = parse_event(processed).unwrap().dedupe_key();
    assert_eq!(first, parse_event(processed).unwrap().dedupe_key());
    let attention = include_bytes!("fixtures/paystack/refund_needs_attention.json");
    assert_ne!(first, parse_event(attention).unwrap().dedupe_key());
    assert_eq!(parse_event(PHP_BODY).unwrap().dedupe_key(), None);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parsing_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_event(&bytes);
        let _ = verify_signature(&bytes, Some(PHP_SIGNATURE), &secret(PHP_SECRET));
        for status in [200, 400, 401, 429, 500] {
            if let Ok(data) = response::envelope(status, &bytes) {
                let _ = response::parse_transaction(&data);
                let _ = response::parse_refund(&data);
                let _ = response::parse_initialized(&data);
            }
        }
    }

    #[test]
    fn parsing_json_shaped_input_never_panics(
        event in prop_oneof![
            Just("charge.success".to_owned()), Just("refund.processed".to_owned()),
            Just("refund.weird".to_owned()), "[a-z.]{0,12}"
        ],
        amount in prop_oneof![
            Just("1".to_owned()), Just("\"12\"".to_owned()), Just("-5".to_owned()),
            Just("1.5".to_owned()), Just("null".to_owned()), Just("\"x\"".to_owned()),
            Just("99999999999999999999".to_owned()), Just("{}".to_owned())
        ],
        metadata in prop_oneof![Just("0"), Just("\"\""), Just("null"), Just("{\"a\":1}"), Just("\"{\\\"malipo_target\\\":\\\"T1\\\"}\"")],
        with_status in any::<bool>(),
    ) {
        let status = if with_status { r#""status":"success","# } else { "" };
        let body = format!(
            r#"{{"event":"{event}","data":{{{status}"reference":"R1","transaction_reference":"R1","amount":{amount},"currency":"KES","metadata":{metadata}}}}}"#
        );
        let _ = parse_event(body.as_bytes());
        let envelope = format!(r#"{{"status":true,"message":"m","data":{body}}}"#);
        if let Ok(data) = response::envelope(200, envelope.as_bytes()) {
            let _ = response::parse_transaction(&data["data"]);
            let _ = response::parse_refund(&data["data"]);
        }
    }

    #[test]
    fn any_signed_body_verifies_and_any_flip_fails(
        bytes in proptest::collection::vec(any::<u8>(), 1..256),
        flip in any::<proptest::sample::Index>(),
    ) {
        let key = secret(OUR_SECRET);
        let signature = sign(&bytes, &key);
        prop_assert_eq!(verify_signature(&bytes, Some(&signature), &key), Ok(()));
        let mut changed = bytes.clone();
        let at = flip.index(changed.len());
        changed[at] ^= 0x80;
        prop_assert_eq!(verify_signature(&changed, Some(&signature), &key), Err(SignatureError::Mismatch));
    }
}
