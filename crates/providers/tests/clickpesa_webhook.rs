//! ClickPesa webhooks, checksums, amounts and control-number formats: the reference's
//! checksum values, tampering refused, checksums found at the top level or inside `data`;
//! the documented payloads typed (and the older `eventType` shape), unknown events kept;
//! exact TZS amounts; the offline control number as an opt-in setting; no parser panics.
#![allow(clippy::unwrap_used)]

use malipo_core::{Currency, Money};
use malipo_providers::clickpesa::amount::{
    parse_major, to_whole_shillings, wire_major, AmountError,
};
use malipo_providers::clickpesa::control::check_reference;
use malipo_providers::clickpesa::response;
use malipo_providers::clickpesa::{
    canonical_json, checksum, offline_control_number, parse_event, verify_checksum,
    BillPaySettings, ChecksumError, ChecksumLocation, PaymentStatus, WebhookEvent,
};
use malipo_vault::Sensitive;
use proptest::prelude::*;
use serde_json::{json, Value};

const RECEIVED: &[u8] = include_bytes!("fixtures/clickpesa/payment_received.json");

fn key() -> Sensitive<String> {
    Sensitive::new("secret-key".to_owned())
}

fn tzs(minor: i64) -> Money {
    Money::from_minor(minor, Currency::Tzs)
}

#[test]
fn checksums_match_the_reference_values() {
    let docs = json!({"amount": 100, "currency": "USD", "reference": "TX123",
        "exchange": {"fromCurrency": "TZS", "toCurrency": "TZS", "rate": "1", "amount": "1000"},
        "customer": {"name": "John Doe", "email": "john@example.com", "phone": "+255123456789"}});
    assert_eq!(
        canonical_json(&docs),
        r#"{"amount":100,"currency":"USD","customer":{"email":"john@example.com","name":"John Doe","phone":"+255123456789"},"exchange":{"amount":"1000","fromCurrency":"TZS","rate":"1","toCurrency":"TZS"},"reference":"TX123"}"#
    );
    assert_eq!(
        checksum(&docs, "canonical", &key()),
        "d777a80827f17cf7882f9ac5efa68416ec680e2d1ab72ad415228d00e4ac4957"
    );
    let small = json!({"amount": 100, "currency": "USD", "reference": "TX123"});
    assert_eq!(
        checksum(&small, "canonical", &key()),
        "17c51f37dad20682e08cd556446c7f8e99840f4040b6719712f41f7549287f33"
    );
    assert_eq!(
        checksum(&small, "legacy", &key()),
        "85b65bf2670dcdcb8ebb8d19939e4fd59b02d5218741be2eaf9f575273b101d1"
    );
    let received: Value = serde_json::from_slice(RECEIVED).unwrap();
    assert_eq!(
        checksum(&received, "canonical", &key()),
        "8123ec10456bc1f6eb27871b82a5b5e4e3d4baafc36f8bef6d6cbac4539c5031"
    );
}

fn with_checksum(mut payload: Value, at_top: bool) -> Vec<u8> {
    let sum = checksum(&payload, "canonical", &key());
    if at_top {
        payload["checksum"] = json!(sum);
        payload["checksumMethod"] = json!("canonical");
    } else {
        payload["data"]["checksum"] = json!(sum);
    }
    serde_json::to_vec_pretty(&payload).unwrap()
}

#[test]
fn a_checksummed_webhook_verifies_and_tampering_fails() {
    let payload: Value = serde_json::from_slice(RECEIVED).unwrap();
    let top = with_checksum(payload.clone(), true);
    assert_eq!(
        verify_checksum(&top, &key()),
        Ok(ChecksumLocation::TopLevel)
    );
    let inside = with_checksum(payload.clone(), false);
    assert_eq!(
        verify_checksum(&inside, &key()),
        Ok(ChecksumLocation::InData)
    );
    let tampered = String::from_utf8(top.clone())
        .unwrap()
        .replace("\"10000\"", "\"90000\"");
    assert_eq!(
        verify_checksum(tampered.as_bytes(), &key()),
        Err(ChecksumError::Mismatch)
    );
    let other = Sensitive::new("another-key".to_owned());
    assert_eq!(verify_checksum(&top, &other), Err(ChecksumError::Mismatch));
    assert_eq!(
        verify_checksum(RECEIVED, &key()),
        Err(ChecksumError::Missing)
    );
    let legacy = json!({"event": "E", "checksumMethod": "legacy",
        "checksum": checksum(&json!({"event": "E"}), "legacy", &key())});
    assert_eq!(
        verify_checksum(legacy.to_string().as_bytes(), &key()),
        Ok(ChecksumLocation::TopLevel)
    );
}

#[test]
fn payment_received_is_typed_with_an_exact_amount() {
    let WebhookEvent::PaymentReceived(payment) = parse_event(RECEIVED).unwrap() else {
        panic!("PAYMENT RECEIVED must be typed");
    };
    assert_eq!(payment.id, "ORD123456LCP7890");
    assert_eq!(payment.order_reference, "ORD123456");
    assert_eq!(payment.status, PaymentStatus::Success);
    assert!(payment.status.is_paid());
    assert_eq!(
        payment.collected,
        tzs(1_000_000),
        "\"10000\" is TZS 10,000.00"
    );
    assert_eq!(payment.payer_phone.as_deref(), Some("255700000000"));
}

#[test]
fn payment_failed_is_typed_in_both_shapes() {
    for body in [
        include_bytes!("fixtures/clickpesa/payment_failed.json").as_slice(),
        include_bytes!("fixtures/clickpesa/payment_failed_older.json").as_slice(),
    ] {
        let WebhookEvent::PaymentFailed(failed) = parse_event(body).unwrap() else {
            panic!("PAYMENT FAILED must be typed");
        };
        assert_eq!(failed.message.as_deref(), Some("Insufficient balance"));
        assert!(!failed.order_reference.is_empty());
    }
}

#[test]
fn unknown_events_are_kept_with_their_bytes() {
    let body = include_bytes!("fixtures/clickpesa/deposit_received.json");
    match parse_event(body).unwrap() {
        WebhookEvent::Unknown { event, raw } => {
            assert_eq!(event, "DEPOSIT RECEIVED");
            assert_eq!(raw, body.to_vec());
        }
        other => panic!("expected Unknown, got {other:?}"),
    }
}

#[test]
fn amounts_are_exact_major_units() {
    assert_eq!(parse_major("10000", Currency::Tzs), Ok(tzs(1_000_000)));
    assert_eq!(parse_major("10000.5", Currency::Tzs), Ok(tzs(1_000_050)));
    assert_eq!(parse_major("0.01", Currency::Tzs), Ok(tzs(1)));
    assert_eq!(wire_major(&json!(90900), Currency::Tzs), Ok(tzs(9_090_000)));
    assert_eq!(wire_major(&json!("0"), Currency::Tzs), Ok(tzs(0)));
    assert_eq!(
        parse_major("5", Currency::Ugx),
        Ok(Money::from_minor(5, Currency::Ugx))
    );
    for bad in ["", ".5", "5.", "1.234", "-1", "1e3", "1,000", " ", "１２"] {
        assert!(parse_major(bad, Currency::Tzs).is_err(), "{bad:?}");
    }
    assert!(
        parse_major("5.5", Currency::Ugx).is_err(),
        "UGX has no decimals"
    );
    assert_eq!(to_whole_shillings(tzs(9_090_000)), Ok(90_900));
    assert!(matches!(
        to_whole_shillings(tzs(9_090_050)),
        Err(AmountError::FractionalShillings(_))
    ));
    for currency in Currency::ALL {
        let result = to_whole_shillings(Money::from_minor(100, currency));
        if currency == Currency::Tzs {
            assert_eq!(result, Ok(1));
        } else {
            assert_eq!(
                result,
                Err(AmountError::UnsupportedCurrency(currency.code().into()))
            );
        }
    }
    assert!(parse_major("99999999999999999999", Currency::Tzs).is_err());
}

#[test]
fn offline_control_numbers_are_an_opt_in_setting() {
    let mut shop = BillPaySettings {
        billpay_namba: "1122".into(),
        offline_numbers_enabled: false,
    };
    assert!(
        offline_control_number(&shop, "231256").is_err(),
        "off unless the shop turns it on"
    );
    shop.offline_numbers_enabled = true;
    assert_eq!(
        offline_control_number(&shop, "231256").unwrap(),
        "1122231256"
    );
    assert!(
        offline_control_number(&shop, "INV-7").is_err(),
        "digits only for USSD payers"
    );
    assert!(offline_control_number(&shop, "").is_err());
    assert!(
        offline_control_number(&shop, "1234567890123456789").is_err(),
        "20 chars at most"
    );
    shop.billpay_namba = "112".into();
    assert!(offline_control_number(&shop, "231256").is_err());
    assert!(check_reference("INV2026A7").is_ok());
    for bad in ["INV-7", "INV_7", "", "A B"] {
        assert!(check_reference(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn redelivered_payments_share_a_dedupe_key() {
    let key = parse_event(RECEIVED).unwrap().dedupe_key();
    assert_eq!(key.as_deref(), Some("PAYMENT RECEIVED:ORD123456LCP7890"));
    let deposit = include_bytes!("fixtures/clickpesa/deposit_received.json");
    assert_eq!(parse_event(deposit).unwrap().dedupe_key(), None);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parsers_never_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_event(&bytes);
        let _ = verify_checksum(&bytes, &key());
        for status in [200, 401, 404, 409, 500] {
            if let Ok(value) = response::checked(status, &bytes) {
                let _ = response::parse_token(&value);
                let _ = response::parse_control_number(&value);
                let _ = response::parse_bulk(&value);
                let _ = response::parse_payments(&value);
            }
        }
    }

    #[test]
    fn parsers_never_panic_on_json_shaped_input(
        event in prop_oneof![Just("PAYMENT RECEIVED".to_owned()), Just("PAYMENT FAILED".to_owned()), "[A-Z ]{0,16}"],
        amount in prop_oneof![Just("\"10\"".to_owned()), Just("10.5".to_owned()), Just("null".to_owned()),
            Just("\"-1\"".to_owned()), Just("1e400".to_owned()), Just("[]".to_owned()), "\"[0-9.]{0,24}\""],
        checksum_at in prop_oneof![Just(""), Just(r#""checksum":"00","#), Just(r#""checksum":5,"#)],
    ) {
        let body = format!(
            r#"{{{checksum_at}"event":"{event}","data":{{"id":"1","orderReference":"R","collectedAmount":{amount},"collectedCurrency":"TZS"}}}}"#
        );
        let _ = parse_event(body.as_bytes());
        let _ = verify_checksum(body.as_bytes(), &key());
    }

    #[test]
    fn whole_shillings_round_trip(shillings in 0_i64..=92_233_720_368_547_758) {
        let money = Money::from_major(shillings, Currency::Tzs).unwrap();
        prop_assert_eq!(to_whole_shillings(money), Ok(shillings));
        prop_assert_eq!(parse_major(&shillings.to_string(), Currency::Tzs), Ok(money));
    }
}
