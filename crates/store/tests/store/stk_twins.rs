//! One M-Pesa payment, two notifications: an STK push confirmed by its callback, its status
//! query (no receipt) and the C2B confirmation of the same money, in every order → one
//! payment, the attempt linked, the receipt filled in.

use malipo_core::{AttemptState, MatchedBy, PaymentMethod, TargetRef};
use malipo_store::PostOutcome;

use crate::posting::{stk, stk_attempt};
use crate::{conf, file_store, kes, sale, T0};

#[test]
fn stk_confirmed_by_query_then_callback_is_one_payment() {
    let (_d, mut store) = file_store();
    let s = sale(&mut store, 56_500);
    let a = stk_attempt(
        &mut store,
        TargetRef::Sale(s.id),
        56_500,
        &s.number,
        "ws_CO_1",
    );
    // The STK query says success but gives no receipt number.
    let query = stk(None, "ws_CO_1", 56_500);
    let first = store.post_payment(&query, T0).unwrap();
    let PostOutcome::Posted {
        payment_id,
        allocations,
        ..
    } = &first
    else {
        panic!("{first:?}")
    };
    assert_eq!(allocations[0].matched_by, MatchedBy::Attempt.code());
    assert_eq!(store.attempt_get(a).unwrap().state, AttemptState::Succeeded);
    // The callback arrives with the receipt.
    let callback = stk(Some("TKP5ZZ81AB"), "ws_CO_1", 56_500);
    let second = store.post_payment(&callback, T0).unwrap();
    assert_eq!(
        second,
        PostOutcome::Duplicate {
            existing: *payment_id,
            enriched: true
        }
    );
    assert_eq!(
        store
            .payment_get(*payment_id)
            .unwrap()
            .provider_txn_id
            .as_deref(),
        Some("TKP5ZZ81AB")
    );
    // And the same receipt as a C2B confirmation (STK to a paybill) is the same money.
    let mut c2b = conf(PaymentMethod::MpesaPaybill, "TKP5ZZ81AB", 56_500);
    c2b.account_reference = Some(s.number.clone());
    assert!(matches!(
        store.post_payment(&c2b, T0).unwrap(),
        PostOutcome::Duplicate { .. }
    ));
    assert_eq!(
        store.balance(TargetRef::Sale(s.id)).unwrap().allocated,
        kes(56_500)
    );
    assert!(store.check().unwrap().is_empty());
}

#[test]
fn c2b_before_stk_callback_posts_once_and_completes_the_attempt() {
    let (_d, mut store) = file_store();
    let s = sale(&mut store, 10_000);
    let a = stk_attempt(
        &mut store,
        TargetRef::Sale(s.id),
        10_000,
        &s.number,
        "ws_CO_2",
    );
    let mut c2b = conf(PaymentMethod::MpesaPaybill, "TKR1", 10_000);
    c2b.account_reference = Some(s.number.clone());
    let first = store.post_payment(&c2b, T0).unwrap();
    let callback = stk(Some("TKR1"), "ws_CO_2", 10_000);
    assert_eq!(
        store.post_payment(&callback, T0).unwrap(),
        PostOutcome::Duplicate {
            existing: first.payment_id(),
            enriched: true
        }
    );
    assert_eq!(store.attempt_get(a).unwrap().state, AttemptState::Succeeded);
    assert_eq!(
        store.payment_get(first.payment_id()).unwrap().attempt_id,
        Some(a)
    );
    assert!(store.check().unwrap().is_empty());
}

#[test]
fn c2b_with_receipt_after_a_receiptless_stk_query_is_the_same_money() {
    let (_d, mut store) = file_store();
    let s = sale(&mut store, 20_000);
    stk_attempt(
        &mut store,
        TargetRef::Sale(s.id),
        20_000,
        &s.number,
        "ws_CO_3",
    );
    let query = stk(None, "ws_CO_3", 20_000);
    let first = store.post_payment(&query, T0).unwrap();
    let mut c2b = conf(PaymentMethod::MpesaPaybill, "TKZ9", 20_000);
    c2b.account_reference = Some(format!(" {} ", s.number.replace('-', " ")));
    assert_eq!(
        store.post_payment(&c2b, T0).unwrap(),
        PostOutcome::Duplicate {
            existing: first.payment_id(),
            enriched: true
        }
    );
    assert_eq!(
        store.balance(TargetRef::Sale(s.id)).unwrap().allocated,
        kes(20_000)
    );
}

#[test]
fn a_receiptless_stk_query_after_the_c2b_with_the_receipt_is_the_same_money() {
    // The callback was lost; the C2B confirmation (receipt + our account reference) came
    // first, then the query said "paid" without a receipt: one payment, the attempt linked.
    let (_d, mut store) = file_store();
    let s = sale(&mut store, 20_000);
    let a = stk_attempt(
        &mut store,
        TargetRef::Sale(s.id),
        20_000,
        &s.number,
        "ws_CO_4",
    );
    let mut c2b = conf(PaymentMethod::MpesaPaybill, "TKZ8", 20_000);
    c2b.account_reference = Some(s.number.to_lowercase());
    let first = store.post_payment(&c2b, T0).unwrap();
    let query = stk(None, "ws_CO_4", 20_000);
    assert_eq!(
        store.post_payment(&query, T0).unwrap(),
        PostOutcome::Duplicate {
            existing: first.payment_id(),
            enriched: true
        }
    );
    assert_eq!(store.attempt_get(a).unwrap().state, AttemptState::Succeeded);
    assert_eq!(
        store.balance(TargetRef::Sale(s.id)).unwrap().allocated,
        kes(20_000)
    );
    assert!(store.check().unwrap().is_empty());
}
