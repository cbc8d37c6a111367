//! The Daraja client against the simulator for Dynamic QR (the PNG scans, the customer pays
//! it) and for reversal and transaction status, whose results arrive later at the result URL.
#![allow(clippy::unwrap_used)]

mod daraja_support;

use daraja_support::{
    client, client as client_for, now, paybill_config, start_receiver, start_sim, till_config,
};
use malipo_core::{Currency, Money};
use malipo_providers::daraja::{
    parse_c2b_confirmation, parse_queue_timeout, parse_result, parse_stk_callback, AsyncResultCode,
    DarajaClient, DarajaError, QrRequest, RequestError, ReversalRequest, StatusQueryRequest,
    StkPushRequest,
};
use malipo_sim::daraja::SimConfig;
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

fn decode_qr(png: &[u8]) -> String {
    let image = image::load_from_memory(png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().unwrap().1
}

#[tokio::test]
async fn dynamic_qr_is_a_real_png_qr_with_the_sale_in_it() {
    let (sim, base, _stop) = start_sim(SimConfig::default()).await;
    let qr = QrRequest {
        merchant_name: "Malipo Shop".to_string(),
        ref_no: "T1-000123".to_string(),
        amount: kes(150),
        size_px: 300,
    };
    let paybill = client(paybill_config(&base)).dynamic_qr(&qr).await.unwrap();
    assert_eq!(
        decode_qr(&paybill.png),
        "M-PESA QR|PB|174379|150|T1-000123|Malipo Shop"
    );
    let till = client(till_config(&base)).dynamic_qr(&qr).await.unwrap();
    assert_eq!(
        decode_qr(&till.png),
        "M-PESA QR|BG|600200|150|T1-000123|Malipo Shop"
    );

    // The customer scans the paybill QR and pays: a C2B confirmation carrying RefNo.
    let (received, cb) = start_receiver().await;
    let paybill_client = client(paybill_config(&base));
    paybill_client
        .register_c2b_urls(
            &format!("{cb}/c2b/confirm"),
            &format!("{cb}/c2b/validate"),
            true,
        )
        .await
        .unwrap();
    let request_id = paybill.request_id.clone().unwrap();
    let receipt = sim.pay_qr(&request_id, "254712000999").unwrap();
    let c2b = parse_c2b_confirmation(&received.wait_for("/c2b/confirm", 1).await[0]).unwrap();
    assert_eq!(c2b.trans_id, receipt);
    assert_eq!(c2b.bill_ref_number, "T1-000123");
    assert_eq!(c2b.amount, kes(150));

    let cents = client(paybill_config(&base))
        .dynamic_qr(&QrRequest {
            amount: Money::from_minor(15_050, Currency::Kes),
            ..qr
        })
        .await;
    assert!(matches!(
        cents,
        Err(DarajaError::Request(RequestError::AmountHasCents { .. }))
    ));
}

async fn paid_receipt(
    client: &DarajaClient,
    received: &daraja_support::Received,
    cb: &str,
    phone: &str,
) -> String {
    client
        .stk_push(&push(phone, 90, format!("{cb}/paid/{phone}")), now())
        .await
        .unwrap();
    let body = received.wait_for(&format!("/paid/{phone}"), 1).await;
    parse_stk_callback(&body[0])
        .unwrap()
        .payment
        .unwrap()
        .receipt
}

#[tokio::test]
async fn reversal_and_status_answer_now_and_post_their_results_later() {
    use base64::Engine as _;
    use rsa::pkcs8::EncodePrivateKey;
    let (private, pem) = daraja_support::test_certificate();
    // The simulator holds the certificate's private key, so it checks the password as
    // Safaricom does.
    let (sim, base, _stop) = start_sim(SimConfig {
        credential_key_pkcs8_der: Some(private.to_pkcs8_der().unwrap().as_bytes().to_vec()),
        ..SimConfig::default()
    })
    .await;
    let (received, cb) = start_receiver().await;
    let mut config = paybill_config(&base);
    config.initiator_name = Some("testapi".to_string());
    config.initiator_password = Some(Sensitive::new(
        daraja_support::INITIATOR_PASSWORD.to_string(),
    ));
    config.certificate = Some(pem);
    let client = client(config);
    let receipt = paid_receipt(&client, &received, &cb, "0712000801").await;

    let reversal = ReversalRequest {
        transaction_id: receipt.clone(),
        amount: kes(90),
        result_url: format!("{cb}/reversal/result"),
        timeout_url: format!("{cb}/reversal/timeout"),
        remarks: "Customer refund".to_string(),
        occasion: None,
    };
    let ack = client.reverse(&reversal).await.unwrap();
    let result = parse_result(&received.wait_for("/reversal/result", 1).await[0]).unwrap();
    assert!(result.result_code.is_success());
    assert_eq!(result.conversation_id, ack.conversation_id);
    assert_eq!(
        result.parameter("OriginalTransactionID"),
        Some(receipt.as_str())
    );
    client.reverse(&reversal).await.unwrap();
    let again = parse_result(&received.wait_for("/reversal/result", 2).await[1]).unwrap();
    assert_eq!(again.result_code, AsyncResultCode::AlreadyReversed);

    // What went on the wire decrypts, with the certificate's private key, to the password.
    let sent = sim
        .requests()
        .into_iter()
        .find(|r| r.path == "/mpesa/reversal/v1/request")
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&sent.body).unwrap();
    assert_eq!(
        body["RecieverIdentifierType"], "11",
        "the misspelt key Daraja requires"
    );
    let credential = base64::engine::general_purpose::STANDARD
        .decode(body["SecurityCredential"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        private.decrypt(rsa::Pkcs1v15Encrypt, &credential).unwrap(),
        daraja_support::INITIATOR_PASSWORD.as_bytes()
    );

    let status = StatusQueryRequest {
        transaction_id: receipt.clone(),
        result_url: format!("{cb}/status/result"),
        timeout_url: format!("{cb}/status/timeout"),
        remarks: "Check".to_string(),
        occasion: None,
    };
    client.transaction_status(&status).await.unwrap();
    let found = parse_result(&received.wait_for("/status/result", 1).await[0]).unwrap();
    assert_eq!(found.parameter("ReceiptNo"), Some(receipt.as_str()));
    assert_eq!(found.amount(), Some(kes(90)));
    client
        .transaction_status(&StatusQueryRequest {
            transaction_id: "ABCDE12345".to_string(),
            ..status.clone()
        })
        .await
        .unwrap();
    let missing = parse_result(&received.wait_for("/status/result", 2).await[1]).unwrap();
    assert_eq!(missing.result_code, AsyncResultCode::ReceiptNotFound);

    let mut wrong = paybill_config(&base);
    wrong.initiator_name = Some("testapi".to_string());
    wrong.initiator_password = Some(Sensitive::new("not-the-password".to_string()));
    wrong.certificate = client.config().certificate.clone();
    client_for(wrong)
        .transaction_status(&StatusQueryRequest {
            result_url: format!("{cb}/wrong/result"),
            ..status.clone()
        })
        .await
        .unwrap();
    let refused = parse_result(&received.wait_for("/wrong/result", 1).await[0]).unwrap();
    assert_eq!(
        refused.result_code,
        AsyncResultCode::InvalidInitiator,
        "a wrong initiator password is caught"
    );

    sim.set_queue_timeout(true);
    let ack = client.transaction_status(&status).await.unwrap();
    let notice = parse_queue_timeout(&received.wait_for("/status/timeout", 1).await[0]).unwrap();
    assert_eq!(
        notice.conversation_id.as_deref(),
        Some(ack.conversation_id.as_str())
    );
}
