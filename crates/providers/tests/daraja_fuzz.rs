//! Property tests over arbitrary bytes for every Daraja parser: none panics, and every error
//! keeps what it was given. Bounded (case counts below) so CI runs them on every build; the
//! structured strategy mutates real sample bodies so the search reaches deep into the parsers.
#![allow(clippy::unwrap_used)]

use malipo_providers::daraja::response::{
    parse_async_ack, parse_qr, parse_register_ack, parse_stk_push_ack, parse_stk_query, parse_token,
};
use malipo_providers::daraja::{
    parse_c2b_confirmation, parse_c2b_validation, parse_queue_timeout, parse_result,
    parse_stk_callback,
};
use proptest::prelude::*;

fn all_parsers(bytes: &[u8]) {
    let _ = parse_stk_callback(bytes);
    let _ = parse_c2b_confirmation(bytes);
    let _ = parse_c2b_validation(bytes);
    let _ = parse_result(bytes);
    let _ = parse_queue_timeout(bytes);
    for status in [200, 400, 500] {
        let _ = parse_stk_push_ack(status, bytes);
        let _ = parse_stk_query(status, bytes);
        let _ = parse_register_ack(status, bytes);
        let _ = parse_qr(status, bytes);
        let _ = parse_async_ack(status, bytes);
        let _ = parse_token(status, bytes);
    }
}

const SAMPLES: &[&str] = &[
    r#"{"Body":{"stkCallback":{"MerchantRequestID":"m","CheckoutRequestID":"c","ResultCode":0,"ResultDesc":"ok","CallbackMetadata":{"Item":[{"Name":"Amount","Value":1.00},{"Name":"MpesaReceiptNumber","Value":"NLJ7RT61SV"},{"Name":"Balance"},{"Name":"TransactionDate","Value":20191219102115},{"Name":"PhoneNumber","Value":254708374149}]}}}}"#,
    r#"{"TransactionType":"Pay Bill","TransID":"RKL51ZDR4F","TransTime":"20231121121325","TransAmount":"5.00","BusinessShortCode":"600966","BillRefNumber":"x","MSISDN":"2547 ***** 126"}"#,
    r#"{"Result":{"ResultType":0,"ResultCode":"R000002","ResultDesc":"x","OriginatorConversationID":"o","ConversationID":"c","ResultParameters":{"ResultParameter":[{"Key":"Amount","Value":"1.00"}]}}}"#,
    r#"{"requestId":"r","errorCode":"500.001.1001","errorMessage":"The transaction is being processed"}"#,
    r#"{"ResponseCode":"0","MerchantRequestID":"m","CheckoutRequestID":"c","ResultCode":"4999","QRCode":"iVBORw0KGgo=","access_token":"t","expires_in":"3599"}"#,
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        all_parsers(&bytes);
    }

    #[test]
    fn mutated_samples_never_panic(
        sample in 0..SAMPLES.len(),
        cut in 0usize..400,
        flips in proptest::collection::vec((0usize..400, any::<u8>()), 0..6),
    ) {
        let mut bytes = SAMPLES[sample].as_bytes().to_vec();
        for (at, byte) in flips {
            if let Some(slot) = bytes.get_mut(at) {
                *slot = byte;
            }
        }
        bytes.truncate(cut.max(1));
        all_parsers(&bytes);
    }

    #[test]
    fn arbitrary_json_values_in_known_fields_never_panic(
        code in prop_oneof![Just("0".to_string()), "[A-Z0-9_.]{0,12}", Just("null".to_string())],
        amount in prop_oneof![Just("1.00".to_string()), Just("\"5.00\"".to_string()), "-?[0-9]{0,20}(\\.[0-9]{0,4})?", Just("{}".to_string())],
    ) {
        let body = format!(
            r#"{{"Body":{{"stkCallback":{{"MerchantRequestID":"m","CheckoutRequestID":"c","ResultCode":"{code}","CallbackMetadata":{{"Item":[{{"Name":"Amount","Value":{amount}}},{{"Name":"MpesaReceiptNumber","Value":"X"}}]}}}}}}}}"#
        );
        all_parsers(body.as_bytes());
        let c2b = format!(r#"{{"TransID":"X","TransAmount":{amount},"BusinessShortCode":"1","MSISDN":"{code}"}}"#);
        all_parsers(c2b.as_bytes());
    }
}
