//! Exactly once, whatever the order: each provider's confirmation (STK callback, C2B, Paystack
//! `charge.success`, ClickPesa `PAYMENT RECEIVED` for a BillPay control number) delivered three
//! times, in a random order relative to the STK status query's answer and the card verify,
//! across 1,000 seeded runs → one payment per sale; an STK payment that also arrives as a C2B
//! confirmation → one payment.
//! Events go through the engine's ingest exactly as the relay's would (inbox row, then
//! `process_event`); the query answer goes through the resolver's own step.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::{Arc, Mutex};

use malipo_core::{
    AttemptState, Cart, Catalogue, Currency, Money, PaymentMethod, Phone, SaleDraft, SaleStatus,
    TargetRef, Timestamp,
};
use malipo_engine::{ClickPesaSetup, Engine, EngineConfig, PaystackSetup};
use malipo_providers::daraja::{StkQueryAnswer, StkResultCode};
use malipo_store::{Confirmation, NewAttempt, NewSale, PaymentFilter, Store};
use malipo_vault::Sensitive;

const SECRET: &str = "sk_test_duplicates_0123456789";
const CHECKSUM_KEY: &str = "duplicates-checksum-key";

fn sale(store: &mut Store, minor: i64) -> malipo_store::SaleRow {
    sale_in(store, minor, Currency::Kes)
}

fn sale_in(store: &mut Store, minor: i64, currency: Currency) -> malipo_store::SaleRow {
    let code = currency.code();
    let catalogue = Catalogue::from_json(&format!(
        r#"{{"currency":"{code}","items":[{{"sku":"X","barcode":null,"name":"Thing","price":{{"minor":{minor},"currency":"{code}"}},"tax_class":"standard"}}]}}"#
    ))
    .unwrap();
    let mut cart = Cart::new(currency);
    cart.add(&catalogue, "X", 1).unwrap();
    let draft = SaleDraft::from_cart(&cart).unwrap();
    store
        .sale_create(
            &NewSale {
                till_prefix: "T1",
                cashier: "wanjiku",
                draft: &draft,
                cart_id: None,
            },
            Timestamp(1),
        )
        .unwrap()
}

fn attempt(store: &mut Store, method: PaymentMethod, sale: &malipo_store::SaleRow, r: &str) -> i64 {
    let a = store
        .attempt_create(
            &NewAttempt {
                method,
                target: TargetRef::Sale(sale.id),
                amount: sale.total,
                phone: Some(Phone::parse("0708374149").unwrap()),
                account_reference: Some(sale.number.clone()),
                provider_ref: None,
            },
            Timestamp(2),
        )
        .unwrap();
    store
        .attempt_set_provider_ref(a.id, r, Timestamp(2))
        .unwrap();
    a.id
}

fn stk_callback(checkout: &str, receipt: &str) -> String {
    format!(
        r#"{{"Body":{{"stkCallback":{{"MerchantRequestID":"29115-1","CheckoutRequestID":"{checkout}","ResultCode":0,"ResultDesc":"The service request is processed successfully.","CallbackMetadata":{{"Item":[{{"Name":"Amount","Value":100.00}},{{"Name":"MpesaReceiptNumber","Value":"{receipt}"}},{{"Name":"Balance"}},{{"Name":"TransactionDate","Value":20261125102115}},{{"Name":"PhoneNumber","Value":254708374149}}]}}}}}}}}"#
    )
}

fn c2b(receipt: &str, reference: &str, amount: &str) -> String {
    format!(
        r#"{{"TransactionType":"Pay Bill","TransID":"{receipt}","TransTime":"20261125102116","TransAmount":"{amount}","BusinessShortCode":"174379","BillRefNumber":"{reference}","InvoiceNumber":"","OrgAccountBalance":"25.00","ThirdPartyTransID":"","MSISDN":"2547 ***** 149","FirstName":"WANJIKU","MiddleName":"","LastName":""}}"#
    )
}

fn charge_success(reference: &str, target: &str) -> String {
    format!(
        r#"{{"event":"charge.success","data":{{"id":302961,"domain":"test","status":"success","reference":"{reference}","amount":40000,"gateway_response":"Approved","paid_at":"2026-11-25T07:21:16.000Z","channel":"card","currency":"KES","metadata":{{"malipo_target":"{target}"}},"customer":{{"email":"pos-t1@malipo.co.ke"}},"authorization":{{"last4":"4081","brand":"visa","bank":"TEST BANK"}}}}}}"#
    )
}

/// A ClickPesa `PAYMENT RECEIVED` webhook as ClickPesa sends it (reference §6), with the
/// payload checksum of §7 (canonical JSON without `checksum`/`checksumMethod`, HMAC-SHA256).
fn payment_received(id: &str, control_number: &str, shillings: &str) -> String {
    let mut payload = serde_json::json!({
        "event": "PAYMENT RECEIVED",
        "data": {
            "id": id,
            "status": "SUCCESS",
            "paymentReference": "PR7f3a9c21",
            "orderReference": control_number,
            "collectedAmount": shillings,
            "collectedCurrency": "TZS",
            "message": "success",
            "channel": "M-PESA",
            "updatedAt": "2026-11-25T07:21:56.153Z",
            "createdAt": "2026-11-25T07:21:16.949Z",
            "customer": {
                "customerName": "Juma Mwinyi",
                "customerEmail": null,
                "customerPhoneNumber": "255712345678"
            }
        }
    });
    let sum = malipo_providers::clickpesa::webhook::checksum(
        &payload,
        "canonical",
        &Sensitive::new(CHECKSUM_KEY.to_owned()),
    );
    let map = payload.as_object_mut().unwrap();
    map.insert("checksum".into(), sum.into());
    map.insert("checksumMethod".into(), "canonical".into());
    payload.to_string()
}

/// One thing that can happen, in any order.
#[derive(Debug, Clone)]
enum Step {
    Event {
        provider: &'static str,
        kind: &'static str,
        headers: String,
        body: String,
    },
    QueryPaid(i64),
    CardVerified(Confirmation),
}

fn run(seed: u64) {
    let store = Arc::new(Mutex::new(Store::open_in_memory().unwrap()));
    let mut config = EngineConfig::new("Duka", Currency::Kes);
    config.paystack = Some(PaystackSetup {
        base_url: "http://127.0.0.1:9".into(),
        secret_key: Sensitive::new(SECRET.to_owned()),
        public_key: "pk_test_x".into(),
    });
    config.clickpesa = Some(ClickPesaSetup {
        base_url: "http://127.0.0.1:9".into(),
        client_id: "duplicates".into(),
        api_key: Sensitive::new("duplicates-api-key".to_owned()),
        checksum_key: Some(Sensitive::new(CHECKSUM_KEY.to_owned())),
    });
    let engine = Engine::new(store.clone(), config).unwrap();
    let (billpay_sale, control_number) = {
        let mut s = store.lock().unwrap();
        let sale = sale_in(&mut s, 300_000, Currency::Tzs);
        // As `billpay_start` raises it: the sale's number without its dashes.
        let control_number = malipo_core::normalise_reference(&sale.number);
        s.attempt_create(
            &NewAttempt {
                method: PaymentMethod::BillPay,
                target: TargetRef::Sale(sale.id),
                amount: sale.total,
                phone: None,
                account_reference: Some(control_number.clone()),
                provider_ref: Some(control_number.clone()),
            },
            Timestamp(2),
        )
        .unwrap();
        (sale, control_number)
    };
    let received = payment_received(&format!("{control_number}LCP4471"), &control_number, "3000");
    let (stk_sale, paybill_sale, card_sale, stk_attempt, card_ref) = {
        let mut s = store.lock().unwrap();
        let stk_sale = sale(&mut s, 10_000);
        let paybill_sale = sale(&mut s, 25_000);
        let card_sale = sale(&mut s, 40_000);
        let stk_attempt = attempt(&mut s, PaymentMethod::MpesaStk, &stk_sale, "ws_CO_1");
        let card_ref = format!("MLP-{}-1", card_sale.number);
        attempt(&mut s, PaymentMethod::CardInline, &card_sale, &card_ref);
        (stk_sale, paybill_sale, card_sale, stk_attempt, card_ref)
    };
    let charge = charge_success(&card_ref, &card_sale.number);
    let signature =
        malipo_providers::paystack::sign(charge.as_bytes(), &Sensitive::new(SECRET.to_owned()));
    let mut steps = Vec::new();
    for _ in 0..3 {
        steps.push(Step::Event {
            provider: "daraja",
            kind: "stk",
            headers: "{}".into(),
            body: stk_callback("ws_CO_1", "TKA1STK001"),
        });
        steps.push(Step::Event {
            provider: "daraja",
            kind: "c2b-confirm",
            headers: "{}".into(),
            body: c2b("TKA1STK001", &stk_sale.number, "100.00"),
        });
        steps.push(Step::Event {
            provider: "daraja",
            kind: "c2b-confirm",
            headers: "{}".into(),
            body: c2b("TKB2PAY002", &paybill_sale.number.to_lowercase(), "250.00"),
        });
        steps.push(Step::Event {
            provider: "paystack",
            kind: "paystack",
            headers: serde_json::json!({"x-paystack-signature": signature}).to_string(),
            body: charge.clone(),
        });
        steps.push(Step::Event {
            provider: "clickpesa",
            kind: "clickpesa",
            headers: serde_json::json!({"content-type": "application/json"}).to_string(),
            body: received.clone(),
        });
    }
    steps.push(Step::QueryPaid(stk_attempt));
    steps.push(Step::CardVerified(Confirmation {
        method: PaymentMethod::CardInline,
        provider_txn_id: Some(card_ref.clone()),
        attempt_ref: Some(card_ref.clone()),
        account_reference: Some(card_sale.number.clone()),
        amount: card_sale.total,
        payer_phone: None,
        payer_name: None,
        payer_ref: Some("VISA •••• 4081".into()),
        inbox_id: None,
        received_at: Timestamp(3),
    }));
    fastrand::Rng::with_seed(seed).shuffle(&mut steps);

    for step in steps {
        match step {
            Step::Event {
                provider,
                kind,
                headers,
                body,
            } => {
                let event =
                    support::received(&store, (provider, kind), &headers, &body, Timestamp(3));
                engine.process_event(&event).unwrap();
            }
            Step::QueryPaid(a) => {
                let answer = StkQueryAnswer::Result {
                    code: StkResultCode::Success,
                    code_text: "0".into(),
                    description: "The service request is processed successfully.".into(),
                    merchant_request_id: None,
                    checkout_request_id: Some("ws_CO_1".into()),
                };
                engine.apply_stk_query_answer(a, &answer).unwrap();
            }
            Step::CardVerified(c) => {
                store
                    .lock()
                    .unwrap()
                    .post_payment(&c, Timestamp(3))
                    .unwrap();
            }
        }
    }

    let s = store.lock().unwrap();
    let payments = s
        .payments_page(&PaymentFilter::default(), 100, None)
        .unwrap()
        .rows;
    assert_eq!(payments.len(), 4, "seed {seed}: {payments:#?}");
    for sale in [&stk_sale, &paybill_sale, &card_sale, &billpay_sale] {
        let b = s.balance(TargetRef::Sale(sale.id)).unwrap();
        assert_eq!(
            b.balance,
            Money::zero(sale.total.currency),
            "seed {seed}: {}",
            sale.number
        );
    }
    let billpay = payments
        .iter()
        .find(|p| p.method == PaymentMethod::BillPay)
        .unwrap();
    assert_eq!(
        billpay.provider_txn_id.as_deref(),
        Some(format!("{control_number}LCP4471").as_str()),
        "seed {seed}"
    );
    assert_eq!(billpay.amount, billpay_sale.total, "seed {seed}");
    let clickpesa: Vec<String> = s
        .inbox_list(None, 100)
        .unwrap()
        .into_iter()
        .filter(|e| e.provider == "clickpesa")
        .map(|e| e.outcome)
        .collect();
    assert_eq!(
        (
            clickpesa.iter().filter(|o| *o == "posted").count(),
            clickpesa.iter().filter(|o| *o == "duplicate").count()
        ),
        (1, 2),
        "seed {seed}: the first copy posts, the others are duplicates: {clickpesa:?}"
    );
    assert_eq!(
        s.attempt_get(stk_attempt).unwrap().state,
        AttemptState::Succeeded,
        "seed {seed}"
    );
    let stk = payments.iter().find(|p| p.amount.minor == 10_000).unwrap();
    assert_eq!(
        stk.provider_txn_id.as_deref(),
        Some("TKA1STK001"),
        "seed {seed}: the receipt is filled in"
    );
    assert_eq!(stk.attempt_id, Some(stk_attempt), "seed {seed}");
    assert!(s.unmatched_open(10).unwrap().is_empty(), "seed {seed}");
    assert!(s.check().unwrap().is_empty(), "seed {seed}");
    assert_eq!(
        s.sale_get(stk_sale.id).unwrap().status,
        SaleStatus::Completed,
        "seed {seed}: the engine closed the paid sale"
    );
}

#[test]
fn every_confirmation_three_times_in_any_order_posts_once_across_a_thousand_runs() {
    for seed in 0..1_000 {
        run(seed);
    }
}

#[test]
fn the_c2b_twin_arriving_first_is_recorded_as_the_stk_payment_it_is() {
    // Seeds where the C2B confirmation of the STK money is processed before the callback
    // and the query: the payment still says STK and is linked to the attempt.
    for seed in 0..200 {
        run(seed);
    }
    let store = Arc::new(Mutex::new(Store::open_in_memory().unwrap()));
    let engine = Engine::new(store.clone(), EngineConfig::new("Duka", Currency::Kes)).unwrap();
    let (sale, attempt_id) = {
        let mut s = store.lock().unwrap();
        let sale = sale(&mut s, 10_000);
        let a = attempt(&mut s, PaymentMethod::MpesaStk, &sale, "ws_CO_9");
        (sale, a)
    };
    let body = c2b("TKA9TWIN01", &sale.number, "100.00");
    let event = support::received(&store, ("daraja", "c2b-confirm"), "{}", &body, Timestamp(3));
    engine.process_event(&event).unwrap();
    let s = store.lock().unwrap();
    let p = s
        .payment_by_txn(malipo_core::Provider::Mpesa, "TKA9TWIN01")
        .unwrap()
        .unwrap();
    assert_eq!(p.method, PaymentMethod::MpesaStk);
    assert_eq!(p.attempt_id, Some(attempt_id));
    assert_eq!(
        s.attempt_get(attempt_id).unwrap().state,
        AttemptState::Succeeded
    );
}
