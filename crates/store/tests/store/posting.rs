//! `post_payment` and `attach_unmatched`: each documented outcome (the STK/C2B double
//! confirmations are in `stk_twins.rs`).

use malipo_core::{
    AttemptState, MatchedBy, PaymentMethod, PaymentMode, Phone, SaleStatus, TargetRef,
    TargetStatus, UnmatchedReason,
};
use malipo_store::{
    Confirmation, ConflictField, NewAttempt, NewInboxEvent, PostOutcome, RefundKind, RefundRequest,
    Store,
};

use crate::{conf, file_store, invoice, kes, sale, T0};

pub(crate) fn stk_attempt(
    store: &mut Store,
    target: TargetRef,
    minor: i64,
    reference: &str,
    checkout: &str,
) -> i64 {
    let a = store
        .attempt_create(
            &NewAttempt {
                method: PaymentMethod::MpesaStk,
                target,
                amount: kes(minor),
                phone: Some(Phone::parse("0712345678").unwrap()),
                account_reference: Some(reference.into()),
                provider_ref: None,
            },
            T0,
        )
        .unwrap();
    store.attempt_set_provider_ref(a.id, checkout, T0).unwrap();
    a.id
}

/// An STK confirmation naming its attempt: from the callback (with the receipt) or from a
/// status query (`receipt` `None`: the query gives none).
pub(crate) fn stk(receipt: Option<&str>, checkout: &str, minor: i64) -> Confirmation {
    let mut c = conf(PaymentMethod::MpesaStk, receipt.unwrap_or(""), minor);
    c.provider_txn_id = receipt.map(str::to_string);
    c.attempt_ref = Some(checkout.into());
    c
}

#[test]
fn duplicate_receipt_posts_once() {
    let (_d, mut store) = file_store();
    let s = sale(&mut store, 50_000);
    let mut c = conf(PaymentMethod::MpesaPaybill, "TKP5ZZ81AB", 50_000);
    c.account_reference = Some(s.number.to_lowercase());
    let first = store.post_payment(&c, T0).unwrap();
    assert!(matches!(first, PostOutcome::Posted { .. }), "{first:?}");
    let second = store.post_payment(&c, T0).unwrap();
    assert_eq!(
        second,
        PostOutcome::Duplicate {
            existing: first.payment_id(),
            enriched: false
        }
    );
    let b = store.balance(TargetRef::Sale(s.id)).unwrap();
    assert_eq!(
        b.allocated,
        kes(50_000),
        "a repeated callback must not allocate twice"
    );
    assert_eq!(b.status, TargetStatus::Paid);
    assert!(store.check().unwrap().is_empty());
}

#[test]
fn same_receipt_different_amount_is_a_conflict_not_a_second_posting() {
    let (_d, mut store) = file_store();
    let first = store
        .post_payment(&conf(PaymentMethod::MpesaPaybill, "QK12AB", 50_000), T0)
        .unwrap();
    let other = store
        .post_payment(&conf(PaymentMethod::MpesaPaybill, "QK12AB", 40_000), T0)
        .unwrap();
    assert_eq!(
        other,
        PostOutcome::Conflict {
            existing: first.payment_id(),
            field: ConflictField::Amount
        }
    );
    let mut payer = conf(PaymentMethod::MpesaPaybill, "QK12AC", 100);
    payer.payer_phone = Some(Phone::parse("0712345678").unwrap());
    store.post_payment(&payer, T0).unwrap();
    payer.payer_phone = Some(Phone::parse("0799999999").unwrap());
    assert!(matches!(
        store.post_payment(&payer, T0).unwrap(),
        PostOutcome::Conflict {
            field: ConflictField::Payer,
            ..
        }
    ));
    assert_eq!(
        store.conflicts_open().unwrap(),
        2,
        "conflicts are kept for a manager"
    );
    assert_eq!(
        store.payment_get(first.payment_id()).unwrap().amount,
        kes(50_000),
        "the first stands"
    );
}

#[test]
fn paybill_reference_is_matched_however_the_customer_typed_it() {
    let (_d, mut store) = file_store();
    let (inv, number) = invoice(&mut store, 100_000, PaymentMode::AllowPartial);
    let mut c = conf(PaymentMethod::MpesaPaybill, "R1", 40_000);
    c.account_reference = Some(number.to_lowercase().replace('-', " "));
    let out = store.post_payment(&c, T0).unwrap();
    let PostOutcome::Posted {
        allocations,
        unmatched,
        ..
    } = out
    else {
        panic!("{out:?}")
    };
    assert_eq!(allocations[0].target, TargetRef::Invoice(inv));
    assert!(unmatched.is_none());
    let b = store.balance(TargetRef::Invoice(inv)).unwrap();
    assert_eq!(
        (b.balance, b.status),
        (kes(60_000), TargetStatus::PartiallyPaid)
    );
    // An over-payment fills the balance and the rest waits as unmatched.
    let mut c = conf(PaymentMethod::MpesaPaybill, "R2", 70_000);
    c.account_reference = Some(number.clone());
    let PostOutcome::Posted {
        allocations,
        unmatched: Some(rest),
        ..
    } = store.post_payment(&c, T0).unwrap()
    else {
        panic!("expected a remainder")
    };
    assert_eq!(allocations[0].amount, kes(60_000));
    assert_eq!(
        (rest.open_amount, rest.reason),
        (kes(10_000), UnmatchedReason::OverPayment)
    );
    assert_eq!(
        store.balance(TargetRef::Invoice(inv)).unwrap().status,
        TargetStatus::Paid
    );
    assert!(store.check().unwrap().is_empty());
}

#[test]
fn invoice_payment_modes_decide_partial_and_over_payments() {
    let (_d, mut store) = file_store();
    let (exact, n_exact) = invoice(&mut store, 50_000, PaymentMode::Exact);
    let (over, n_over) = invoice(&mut store, 50_000, PaymentMode::AllowPartialAndOver);
    let pay = |store: &mut Store, txn: &str, n: &str, minor| {
        let mut c = conf(PaymentMethod::MpesaPaybill, txn, minor);
        c.account_reference = Some(n.to_string());
        store.post_payment(&c, T0).unwrap()
    };
    let out = pay(&mut store, "E1", &n_exact, 20_000);
    let PostOutcome::Unmatched { receipt, .. } = out else {
        panic!("{out:?}")
    };
    assert_eq!(receipt.reason, UnmatchedReason::AmountMismatch);
    assert!(matches!(
        pay(&mut store, "E2", &n_exact, 50_000),
        PostOutcome::Posted {
            unmatched: None,
            ..
        }
    ));
    assert_eq!(
        store.balance(TargetRef::Invoice(exact)).unwrap().status,
        TargetStatus::Paid
    );
    pay(&mut store, "O1", &n_over, 80_000);
    let b = store.balance(TargetRef::Invoice(over)).unwrap();
    assert_eq!(
        (b.balance, b.status),
        (kes(-30_000), TargetStatus::OverPaid)
    );
    let PostOutcome::Unmatched { receipt, .. } = pay(&mut store, "E3", &n_exact, 50_000) else {
        panic!()
    };
    assert_eq!(receipt.reason, UnmatchedReason::AlreadyPaid);
}

#[test]
fn till_payment_matches_the_one_waiting_sale_and_else_waits_to_be_claimed() {
    let (_d, mut store) = file_store();
    let one = sale(&mut store, 30_000);
    store
        .sale_wait_for_till(one.id, Some(kes(30_000)), T0)
        .unwrap();
    let out = store
        .post_payment(
            &conf(PaymentMethod::MpesaTill, "TILL1", 30_000),
            T0.plus_ms(60_000),
        )
        .unwrap();
    let PostOutcome::Posted { allocations, .. } = out else {
        panic!("{out:?}")
    };
    assert_eq!(allocations[0].target, TargetRef::Sale(one.id));
    assert_eq!(allocations[0].matched_by, MatchedBy::TillAmount.code());

    let a = sale(&mut store, 12_000);
    let b = sale(&mut store, 12_000);
    store
        .sale_wait_for_till(a.id, Some(kes(12_000)), T0)
        .unwrap();
    store
        .sale_wait_for_till(b.id, Some(kes(12_000)), T0)
        .unwrap();
    let out = store
        .post_payment(&conf(PaymentMethod::MpesaTill, "TILL2", 12_000), T0)
        .unwrap();
    let PostOutcome::Unmatched { receipt, .. } = out else {
        panic!("{out:?}")
    };
    assert_eq!(receipt.reason, UnmatchedReason::SeveralTillCandidates);
    // The cashier claims it for sale b: the same posting, audited.
    let claimed = store
        .attach_unmatched(receipt.id, TargetRef::Sale(b.id), "aisha", T0)
        .unwrap();
    assert!(matches!(
        claimed,
        PostOutcome::Posted {
            unmatched: None,
            ..
        }
    ));
    assert_eq!(
        store.balance(TargetRef::Sale(b.id)).unwrap().status,
        TargetStatus::Paid
    );
    assert!(store.unmatched_get(receipt.id).unwrap().placed_at.is_some());
    let audit = store
        .audit_list(Some(("unmatched_receipt", &receipt.id.to_string())), 10)
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].actor.as_str(), audit[0].action.as_str()),
        ("aisha", "attach_unmatched")
    );
    // Nothing waits for a till payment outside the window.
    let mut later = conf(PaymentMethod::MpesaTill, "TILL3", 12_000);
    later.received_at = T0.plus_ms(3_600_000);
    let out = store.post_payment(&later, later.received_at).unwrap();
    assert!(
        matches!(out, PostOutcome::Unmatched { receipt, .. } if receipt.reason == UnmatchedReason::NoTillCandidate)
    );
    assert!(store.check().unwrap().is_empty());
}

#[test]
fn late_payment_for_a_voided_sale_waits_as_unmatched() {
    let (_d, mut store) = file_store();
    let s = sale(&mut store, 10_000);
    let a = stk_attempt(
        &mut store,
        TargetRef::Sale(s.id),
        10_000,
        &s.number,
        "ws_CO_9",
    );
    store
        .attempt_transition(a, AttemptState::TimedOut, Some("stopped waiting"), T0)
        .unwrap();
    store
        .sale_set_status(s.id, SaleStatus::Void, "aisha", T0)
        .unwrap();
    let late = stk(Some("LATE1"), "ws_CO_9", 10_000);
    let out = store.post_payment(&late, T0).unwrap();
    let PostOutcome::Unmatched { receipt, .. } = out else {
        panic!("{out:?}")
    };
    assert_eq!(receipt.reason, UnmatchedReason::TargetClosed);
    let attempt = store.attempt_get(a).unwrap();
    assert_eq!(
        (attempt.state, attempt.late),
        (AttemptState::Succeeded, true),
        "a late success is representable"
    );
    // A clerk places it on a new sale.
    let s2 = sale(&mut store, 10_000);
    store
        .attach_unmatched(receipt.id, TargetRef::Sale(s2.id), "manager", T0)
        .unwrap();
    assert_eq!(
        store.balance(TargetRef::Sale(s2.id)).unwrap().status,
        TargetStatus::Paid
    );
    assert!(
        store
            .attach_unmatched(receipt.id, TargetRef::Sale(s2.id), "manager", T0)
            .is_err(),
        "placed once"
    );
}

#[test]
fn illegal_attempt_transitions_are_refused() {
    let (_d, mut store) = file_store();
    let s = sale(&mut store, 100);
    let a = stk_attempt(&mut store, TargetRef::Sale(s.id), 100, &s.number, "ws_CO_x");
    store
        .attempt_transition(a, AttemptState::Cancelled, Some("1032"), T0)
        .unwrap();
    let err = store
        .attempt_transition(a, AttemptState::Failed, None, T0)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a payment attempt cannot go from cancelled to failed"
    );
    assert_eq!(
        store.attempt_get(a).unwrap().state,
        AttemptState::Cancelled,
        "not overwritten"
    );
}

#[test]
fn unknown_reference_waits_with_its_reason_and_the_inbox_records_the_outcome() {
    let (_d, mut store) = file_store();
    let (inbox_id, new) = store
        .inbox_insert(&NewInboxEvent {
            provider: "mpesa",
            kind: "c2b-confirm",
            relay_seq: Some(7),
            headers_json: "{}",
            body: br#"{"TransID":"X1"}"#,
            received_at: T0,
        })
        .unwrap();
    assert!(new);
    let (again, new) = store
        .inbox_insert(&NewInboxEvent {
            provider: "mpesa",
            kind: "c2b-confirm",
            relay_seq: Some(7),
            headers_json: "{}",
            body: b"",
            received_at: T0,
        })
        .unwrap();
    assert_eq!(
        (again, new),
        (inbox_id, false),
        "a redelivered relay event is stored once"
    );
    let mut c = conf(PaymentMethod::MpesaPaybill, "X1", 5_000);
    c.account_reference = Some("NO-SUCH-1".into());
    c.inbox_id = Some(inbox_id);
    let out = store.post_payment(&c, T0).unwrap();
    assert!(
        matches!(out, PostOutcome::Unmatched { ref receipt, .. } if receipt.reason == UnmatchedReason::UnknownReference)
    );
    let events = store.inbox_list(None, 10).unwrap();
    assert_eq!(events[0].outcome, "unmatched");
    assert_eq!(
        events[0].body,
        br#"{"TransID":"X1"}"#.to_vec(),
        "raw bytes kept as received"
    );
    assert_eq!(store.unmatched_open(10).unwrap().len(), 1);
}

#[test]
fn refunds_reopen_the_balance_and_cannot_exceed_what_was_paid() {
    let (_d, mut store) = file_store();
    let s = sale(&mut store, 40_000);
    let mut c = conf(PaymentMethod::CardInline, "PSK_1", 40_000);
    c.account_reference = Some(s.number.clone());
    let pid = store.post_payment(&c, T0).unwrap().payment_id();
    let target = Some(TargetRef::Sale(s.id));
    let too_much = RefundRequest {
        payment_id: pid,
        target,
        amount: kes(40_001),
        kind: RefundKind::Refund,
        actor: "boss",
    };
    assert!(store.refund_request(&too_much, T0).is_err());
    let part = RefundRequest {
        payment_id: pid,
        target,
        amount: kes(15_000),
        kind: RefundKind::Refund,
        actor: "boss",
    };
    let r = store.refund_request(&part, T0).unwrap();
    assert_eq!(
        store.balance(TargetRef::Sale(s.id)).unwrap().status,
        TargetStatus::Paid,
        "not until it completes"
    );
    store.refund_complete(r.id, Some("RF_1"), T0).unwrap();
    let b = store.balance(TargetRef::Sale(s.id)).unwrap();
    assert_eq!(
        (b.balance, b.refunded, b.status),
        (kes(15_000), kes(15_000), TargetStatus::Refunded)
    );
    let rest = RefundRequest {
        payment_id: pid,
        target,
        amount: kes(25_001),
        kind: RefundKind::Refund,
        actor: "boss",
    };
    assert!(store.refund_request(&rest, T0).is_err());
    let rest = RefundRequest {
        amount: kes(25_000),
        ..rest
    };
    let r2 = store.refund_request(&rest, T0).unwrap();
    store
        .refund_fail(r2.id, "insufficient balance", T0)
        .unwrap();
    let r3 = store.refund_request(&rest, T0).unwrap();
    store.refund_complete(r3.id, None, T0).unwrap();
    assert_eq!(
        store.payment_get(pid).unwrap().status,
        malipo_store::PaymentStatus::Refunded
    );
    assert_eq!(
        store
            .audit_list(Some(("refund", &r2.id.to_string())), 10)
            .unwrap()
            .len(),
        2
    );
    assert!(store.check().unwrap().is_empty());
}

#[test]
fn a_batch_posts_each_confirmation_as_alone_and_a_refused_one_changes_nothing() {
    let (_d, mut store) = file_store();
    let s = sale(&mut store, 30_000);
    let mut good = conf(PaymentMethod::MpesaPaybill, "B1", 30_000);
    good.account_reference = Some(s.number.clone());
    let mut bad = conf(PaymentMethod::MpesaPaybill, "B2", 500);
    bad.inbox_id = Some(999_999); // names an event that does not exist: refused by a foreign key
    let extra = conf(PaymentMethod::MpesaPaybill, "B3", 700);
    let outcomes = store
        .post_payments(&[good.clone(), bad, extra, good], T0)
        .unwrap();
    assert!(matches!(outcomes[0], Ok(PostOutcome::Posted { .. })));
    assert!(outcomes[1].is_err());
    assert!(matches!(outcomes[2], Ok(PostOutcome::Unmatched { .. })));
    assert!(
        matches!(outcomes[3], Ok(PostOutcome::Duplicate { .. })),
        "duplicates inside one batch post once"
    );
    assert!(store
        .payment_by_txn(malipo_core::Provider::Mpesa, "B2")
        .unwrap()
        .is_none());
    assert_eq!(
        store.balance(TargetRef::Sale(s.id)).unwrap().status,
        TargetStatus::Paid
    );
    assert!(store.check().unwrap().is_empty());
}
