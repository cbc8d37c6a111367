//! Daraja parsers against the sample bodies of the reference (fixtures) and malformed variants:
//! every sample reads as the reference says, and bad input is a typed error, never a panic.
#![allow(clippy::unwrap_used)]

use malipo_core::{Currency, Money, Phone};
use malipo_providers::daraja::response::{
    parse_async_ack, parse_qr, parse_register_ack, parse_stk_push_ack, parse_stk_query, parse_token,
};
use malipo_providers::daraja::time::parse_daraja_time;
use malipo_providers::daraja::{
    hash_msisdn, parse_c2b_confirmation, parse_queue_timeout, parse_result, parse_stk_callback,
    ApiErrorCode, AsyncResultCode, DarajaError, Msisdn, Outcome, ParseError, PhoneMatch,
    StkQueryAnswer, StkResultCode,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/daraja/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

fn kes(minor: i64) -> Money {
    Money::from_minor(minor, Currency::Kes)
}

#[test]
fn stk_success_callback_reads_items_by_name_despite_the_valueless_balance() {
    let cb = parse_stk_callback(&fixture("stk_callback_success.json")).unwrap();
    assert_eq!(cb.result_code, StkResultCode::Success);
    assert_eq!(cb.outcome(), Outcome::Paid);
    assert_eq!(cb.checkout_request_id, "ws_CO_191220191020363925");
    let paid = cb.payment.expect("a success carries the payment");
    assert_eq!(paid.amount, kes(100), "Amount 1.00 is KES 1.00 exactly");
    assert_eq!(paid.receipt, "NLJ7RT61SV");
    assert_eq!(paid.phone, Some(Phone::parse("254708374149").unwrap()));
    assert_eq!(paid.transaction_time, parse_daraja_time("20191219102115"));
    assert!(paid.transaction_time.is_some());
}

#[test]
fn stk_failure_callbacks_carry_their_meaning_and_no_payment() {
    for (file, code) in [
        ("stk_callback_cancelled.json", StkResultCode::Cancelled),
        ("stk_callback_cancelled_2017.json", StkResultCode::Cancelled),
        ("stk_callback_expired.json", StkResultCode::Expired),
        (
            "stk_callback_sfc_ic0003.json",
            StkResultCode::OperatorDoesNotExist,
        ),
    ] {
        let cb = parse_stk_callback(&fixture(file)).unwrap();
        assert_eq!(cb.result_code, code, "{file}");
        assert_eq!(cb.outcome(), Outcome::Failed, "{file} is a final failure");
        assert!(cb.payment.is_none(), "{file}: failures have no metadata");
        assert!(!cb.result_code.cashier_message().is_empty());
    }
}

#[test]
fn stk_callback_accepts_string_codes_amounts_and_a_balance_with_a_value() {
    let cb = parse_stk_callback(&fixture("stk_callback_tolerant.json")).unwrap();
    assert_eq!(
        cb.result_code,
        StkResultCode::Success,
        "\"0\" as a string is success"
    );
    let paid = cb.payment.unwrap();
    assert_eq!(paid.amount, kes(50_000), "\"500\" is KES 500.00");
    assert_eq!(paid.receipt, "NLJ7RT61SV");
}

#[test]
fn every_documented_stk_code_has_a_meaning() {
    let table = [
        ("0", Outcome::Paid),
        ("1", Outcome::Failed),
        ("2", Outcome::Failed),
        ("3", Outcome::Failed),
        ("4", Outcome::Failed),
        ("8", Outcome::Failed),
        ("17", Outcome::Failed),
        ("26", Outcome::Failed),
        ("1001", Outcome::Failed),
        ("1019", Outcome::Failed),
        ("1025", Outcome::Failed),
        ("1032", Outcome::Failed),
        ("1037", Outcome::Failed),
        ("1101", Outcome::Failed),
        ("2001", Outcome::Failed),
        ("2028", Outcome::Failed),
        ("4999", Outcome::Pending),
        ("8006", Outcome::Failed),
        ("9999", Outcome::Failed),
        ("SFC_IC0003", Outcome::Failed),
    ];
    for (code, outcome) in table {
        let parsed = StkResultCode::from_code(code);
        assert!(
            !matches!(parsed, StkResultCode::Unknown(_)),
            "{code} is documented and must be known"
        );
        assert_eq!(parsed.outcome(), outcome, "{code}");
    }
    assert_eq!(
        StkResultCode::from_code("7777"),
        StkResultCode::Unknown("7777".into())
    );
    assert_eq!(
        StkResultCode::from_code("1032").cashier_message(),
        "The customer cancelled the M-Pesa prompt."
    );
}

#[test]
fn stk_query_pending_shapes_are_pending_never_failed() {
    let envelope = parse_stk_query(500, &fixture("stk_query_pending_envelope.json")).unwrap();
    assert!(
        matches!(envelope, StkQueryAnswer::Processing { ref code_text, .. } if code_text == "500.001.1001")
    );
    match parse_stk_query(200, &fixture("stk_query_4999.json")).unwrap() {
        StkQueryAnswer::Result { code, .. } => assert_eq!(code.outcome(), Outcome::Pending),
        other @ StkQueryAnswer::Processing { .. } => {
            panic!("4999 must be read as a result code, got {other:?}")
        }
    }
}

#[test]
fn stk_query_final_answers_carry_their_code() {
    for (file, code) in [
        ("stk_query_final.json", StkResultCode::Success),
        ("stk_query_cancelled_2017.json", StkResultCode::Cancelled),
        ("stk_query_1037.json", StkResultCode::Unreachable),
    ] {
        match parse_stk_query(200, &fixture(file)).unwrap() {
            StkQueryAnswer::Result { code: got, .. } => assert_eq!(got, code, "{file}"),
            other @ StkQueryAnswer::Processing { .. } => panic!("{file}: {other:?}"),
        }
    }
}

#[test]
fn the_error_envelope_keeps_darajas_code_and_message() {
    let err = parse_stk_push_ack(400, &fixture("error_envelope.json")).unwrap_err();
    match err {
        DarajaError::Api {
            code,
            code_text,
            message,
            http_status,
        } => {
            assert_eq!(code, ApiErrorCode::InvalidField);
            assert_eq!(code_text, "400.002.02");
            assert_eq!(message, "Bad Request - Invalid BusinessShortCode");
            assert_eq!(http_status, 400);
        }
        other => panic!("expected the API error, got {other:?}"),
    }
}

#[test]
fn sync_acknowledgements_parse() {
    let ack = parse_stk_push_ack(200, &fixture("stk_ack.json")).unwrap();
    assert_eq!(ack.checkout_request_id, "ws_CO_1007202409152617172396192");
    for file in ["register_ack.json", "register_ack_v2_zeros.json"] {
        let reg = parse_register_ack(200, &fixture(file)).unwrap();
        assert_eq!(
            reg.originator_conversation_id.as_deref(),
            Some("7619-37765134-1"),
            "{file}: the misspelt OriginatorCoversationID is read"
        );
    }
    let qr = parse_qr(200, &fixture("qr_response.json")).unwrap();
    assert!(qr.png.starts_with(b"\x89PNG"), "QRCode is a base64 PNG");
    let ack = parse_async_ack(200, &fixture("async_ack.json")).unwrap();
    assert_eq!(ack.conversation_id, "AG_20210706_20106e9209f64bebd05b");
    for file in ["token.json", "token_string_expiry.json"] {
        let token = parse_token(200, &fixture(file)).unwrap();
        assert_eq!(token.expires_in_s, 3599, "{file}: number or string");
        assert!(
            !format!("{token:?}").contains("c9SQ"),
            "the token never prints"
        );
    }
}

#[test]
fn c2b_v2_masked_confirmation() {
    let c2b = parse_c2b_confirmation(&fixture("c2b_v2_masked.json")).unwrap();
    assert_eq!(c2b.trans_id, "RKL51ZDR4F");
    assert_eq!(c2b.amount, kes(500), "\"5.00\" is KES 5.00");
    assert_eq!(c2b.org_account_balance, Some(kes(2500)));
    assert_eq!(c2b.trans_time, parse_daraja_time("20231121121325"));
    assert_eq!(c2b.msisdn, Msisdn::Masked("2547*****126".into()));
    let maybe = Phone::parse("0712 345 126").unwrap();
    let other = Phone::parse("0712 345 127").unwrap();
    assert_eq!(c2b.msisdn.matches(&maybe), PhoneMatch::Possible);
    assert_eq!(c2b.msisdn.matches(&other), PhoneMatch::No);
}

#[test]
fn c2b_v1_hashed_msisdn_matches_the_typed_phone() {
    let c2b = parse_c2b_confirmation(&fixture("c2b_v1_hashed.json")).unwrap();
    assert_eq!(c2b.amount, kes(100));
    assert_eq!(c2b.org_account_balance, Some(kes(4_188_026_480)));
    let typed = Phone::parse("0705 912 645").unwrap();
    assert_eq!(
        hash_msisdn(&typed),
        "94c392c311d522da950619227b3361752a42042db7e1e699b26e628305c68a88"
    );
    assert_eq!(
        c2b.msisdn.matches(&typed),
        PhoneMatch::Exact,
        "the cashier's typed phone matches the hash"
    );
    assert_eq!(
        c2b.msisdn.matches(&Phone::parse("0705912646").unwrap()),
        PhoneMatch::No
    );
    let doc = parse_c2b_confirmation(&fixture("c2b_v1_masked_doc.json")).unwrap();
    assert_eq!(doc.org_account_balance, None, "a blank balance is none");
    assert_eq!(
        doc.msisdn.matches(&Phone::parse("0708374149").unwrap()),
        PhoneMatch::Possible
    );
}

#[test]
fn reversal_and_status_results() {
    let ok = parse_result(&fixture("reversal_result_success.json")).unwrap();
    assert!(ok.result_code.is_success());
    assert_eq!(ok.transaction_id.as_deref(), Some("SKE52PAWR9"));
    assert_eq!(ok.parameter("OriginalTransactionID"), Some("SKC82PACB8"));
    assert_eq!(ok.amount(), Some(kes(100)));
    assert!(ok.time("TransCompletedTime").is_some());
    let bad = parse_result(&fixture("reversal_result_r000002.json")).unwrap();
    assert_eq!(bad.result_code, AsyncResultCode::InvalidOriginalTransaction);
    let role = parse_result(&fixture("reversal_result_string_21.json")).unwrap();
    assert_eq!(role.result_code, AsyncResultCode::InitiatorNotAllowed);
    assert_eq!(
        role.amount(),
        Some(kes(10_000)),
        "a single ResultParameter object is read"
    );
    let status = parse_result(&fixture("status_result.json")).unwrap();
    assert_eq!(status.parameter("ReceiptNo"), Some("MBN31H462N"));
    assert_eq!(status.parameter("TransactionStatus"), Some("Completed"));
    assert_eq!(
        status.parameter("TransactionReason"),
        None,
        "a valueless key"
    );
    assert_eq!(status.amount(), Some(kes(30_000)));
}

#[test]
fn queue_timeout_accepts_the_result_envelope_and_a_bare_object() {
    let wrapped = br#"{"Result":{"ResultType":1,"ResultCode":"SVC0403","ResultDesc":"timed out","OriginatorConversationID":"a-1","ConversationID":"AG_1"}}"#;
    let t = parse_queue_timeout(wrapped).unwrap();
    assert_eq!(t.conversation_id.as_deref(), Some("AG_1"));
    let bare = br#"{"OriginatorConversationID":"a-1"}"#;
    assert_eq!(
        parse_queue_timeout(bare)
            .unwrap()
            .originator_conversation_id
            .as_deref(),
        Some("a-1")
    );
    assert!(matches!(
        parse_queue_timeout(b"{}"),
        Err(ParseError::Missing { .. })
    ));
}

#[test]
fn malformed_bodies_are_typed_errors_that_keep_the_raw_body() {
    let cases: &[&[u8]] = &[
        b"",
        b"{",
        b"null",
        b"[]",
        b"{\"Body\":{}}",
        b"{\"Body\":{\"stkCallback\":[]}}",
        b"{\"Body\":{\"stkCallback\":{\"ResultCode\":0}}}",
        b"{\"Body\":{\"stkCallback\":{\"MerchantRequestID\":\"m\",\"CheckoutRequestID\":\"c\",\"ResultCode\":0}}}",
        b"{\"Body\":{\"stkCallback\":{\"MerchantRequestID\":\"m\",\"CheckoutRequestID\":\"c\",\"ResultCode\":{}}}}",
        b"{\"Body\":{\"stkCallback\":{\"MerchantRequestID\":\"m\",\"CheckoutRequestID\":\"c\",\"ResultCode\":0,\"CallbackMetadata\":{\"Item\":[{\"Name\":\"Amount\",\"Value\":\"1.005\"},{\"Name\":\"MpesaReceiptNumber\",\"Value\":\"X\"}]}}}}",
        b"{\"Body\":{\"stkCallback\":{\"MerchantRequestID\":\"m\",\"CheckoutRequestID\":\"c\",\"ResultCode\":0,\"CallbackMetadata\":{\"Item\":[{\"Name\":\"Amount\",\"Value\":-5}]}}}}",
    ];
    for body in cases {
        let err = parse_stk_callback(body).unwrap_err();
        assert_eq!(
            err.raw(),
            String::from_utf8_lossy(body),
            "the raw body is kept"
        );
    }
    let truncated = &fixture("stk_callback_success.json")[..120];
    assert!(matches!(
        parse_stk_callback(truncated),
        Err(ParseError::NotJson { .. })
    ));
    let c2b_cases: &[&[u8]] = &[
        b"{}",
        b"{\"TransID\":\"X\"}",
        b"{\"TransID\":\"X\",\"TransAmount\":\"five\",\"BusinessShortCode\":\"1\"}",
        b"{\"TransID\":\"X\",\"TransAmount\":true,\"BusinessShortCode\":\"1\"}",
        b"{\"TransID\":\"X\",\"TransAmount\":\"5.00\"}",
        b"\"Pay Bill\"",
    ];
    for body in c2b_cases {
        assert!(
            parse_c2b_confirmation(body).is_err(),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
    for body in [
        &b"{}"[..],
        b"{\"Result\":1}",
        b"{\"Result\":{\"ResultCode\":0}}",
    ] {
        assert!(parse_result(body).is_err());
    }
}

#[test]
fn huge_bodies_are_refused_before_parsing() {
    let mut huge = b"{\"Body\":{\"stkCallback\":{\"ResultDesc\":\"".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 2 * 1024 * 1024));
    huge.extend_from_slice(b"\"}}}");
    let err = parse_stk_callback(&huge).unwrap_err();
    assert!(matches!(err, ParseError::TooLarge { len, .. } if len == huge.len()));
    assert!(parse_c2b_confirmation(&huge).is_err());
    assert!(parse_result(&huge).is_err());
    let deep = "[".repeat(100_000);
    assert!(
        parse_stk_callback(deep.as_bytes()).is_err(),
        "deep nesting is an error, not a stack overflow"
    );
}

#[test]
fn c2b_validation_answers_use_darajas_codes() {
    use malipo_providers::daraja::{c2b_validation_accept, c2b_validation_reject, C2bRejection};
    let accept: serde_json::Value =
        serde_json::from_str(&c2b_validation_accept(Some("S-17"))).unwrap();
    assert_eq!(accept["ResultCode"], "0");
    assert_eq!(accept["ThirdPartyTransID"], "S-17");
    let reject: serde_json::Value =
        serde_json::from_str(&c2b_validation_reject(C2bRejection::InvalidAccountNumber)).unwrap();
    assert_eq!(reject["ResultCode"], "C2B00012");
    assert_eq!(reject["ResultDesc"], "Rejected");
}
