//! Property test of the ledger over random sequences of postings, duplicates, attaches,
//! refunds and voids, checked against a model kept by the test itself.

use std::collections::HashMap;

use malipo_core::{PaymentMethod, PaymentMode, SaleStatus, TargetRef};
use malipo_store::{Confirmation, PostOutcome, RefundKind, RefundRequest, Store};
use proptest::prelude::*;

use crate::{conf, invoice, kes, sale, T0};

#[derive(Debug, Clone)]
enum Op {
    NewSale(i64),
    NewInvoice(i64, u8),
    /// Pay `amount` with receipt `txn` to target `target` (an index into the targets made so
    /// far; out of range means an unknown reference, `None` means no reference).
    Pay {
        txn: u8,
        amount: i64,
        target: Option<u8>,
        till: bool,
    },
    /// Deliver an earlier confirmation again.
    Dup(u8),
    Attach {
        receipt: u8,
        target: u8,
    },
    Refund {
        payment: u8,
        from_target: bool,
        percent: u8,
        complete: bool,
    },
    Void(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (1i64..40).prop_map(|u| Op::NewSale(u * 100)),
        ((1i64..40), 0u8..3).prop_map(|(u, m)| Op::NewInvoice(u * 100, m)),
        (
            0u8..12,
            1i64..50,
            proptest::option::of(0u8..8),
            any::<bool>()
        )
            .prop_map(|(txn, u, target, till)| Op::Pay {
                txn,
                amount: u * 100,
                target,
                till
            }),
        (0u8..12).prop_map(Op::Dup),
        (0u8..8, 0u8..8).prop_map(|(receipt, target)| Op::Attach { receipt, target }),
        (0u8..12, any::<bool>(), 1u8..=100, any::<bool>()).prop_map(
            |(payment, from_target, percent, complete)| Op::Refund {
                payment,
                from_target,
                percent,
                complete
            }
        ),
        (0u8..8).prop_map(Op::Void),
    ]
}

#[derive(Default)]
struct Model {
    targets: Vec<(TargetRef, String, i64)>,
    /// The payment mode of each target (sales take partial payments, never over-payments).
    modes: HashMap<TargetRef, PaymentMode>,
    confirmations: Vec<Confirmation>,
    /// txn → the confirmation first sent with it (a receipt is never reused with other facts).
    by_txn: HashMap<String, usize>,
    payments: Vec<i64>,
    /// Completed refunds per target, and refunds taken from unmatched money per payment.
    refunded_target: HashMap<TargetRef, i64>,
    refunded_unmatched: HashMap<i64, i64>,
}

fn apply(store: &mut Store, m: &mut Model, op: &Op) {
    match op {
        Op::NewSale(total) => {
            let s = sale(store, *total);
            m.modes
                .insert(TargetRef::Sale(s.id), PaymentMode::AllowPartial);
            m.targets.push((TargetRef::Sale(s.id), s.number, *total));
        }
        Op::NewInvoice(total, mode) => {
            let mode = [
                PaymentMode::Exact,
                PaymentMode::AllowPartial,
                PaymentMode::AllowPartialAndOver,
            ][*mode as usize];
            let (id, number) = invoice(store, *total, mode);
            m.modes.insert(TargetRef::Invoice(id), mode);
            m.targets.push((TargetRef::Invoice(id), number, *total));
        }
        Op::Pay {
            txn,
            amount,
            target,
            till,
        } => {
            let txn = format!("TX{txn}");
            if let Some(&idx) = m.by_txn.get(&txn) {
                let c = m.confirmations[idx].clone();
                let out = store.post_payment(&c, T0).unwrap();
                assert!(
                    matches!(out, PostOutcome::Duplicate { .. }),
                    "a known receipt posts once: {out:?}"
                );
                return;
            }
            let method = if *till {
                PaymentMethod::MpesaTill
            } else {
                PaymentMethod::MpesaPaybill
            };
            let mut c = conf(method, &txn, *amount);
            c.account_reference = target.map(|t| {
                m.targets
                    .get(t as usize)
                    .map_or_else(|| format!("NOPE{t}"), |(_, n, _)| n.to_lowercase())
            });
            let out = store.post_payment(&c, T0).unwrap();
            assert!(
                matches!(
                    out,
                    PostOutcome::Posted { .. } | PostOutcome::Unmatched { .. }
                ),
                "{out:?}"
            );
            m.by_txn.insert(txn, m.confirmations.len());
            m.confirmations.push(c);
            m.payments.push(out.payment_id());
        }
        Op::Dup(i) => {
            if let Some(c) = m.confirmations.get(*i as usize).cloned() {
                let out = store.post_payment(&c, T0).unwrap();
                assert!(matches!(out, PostOutcome::Duplicate { .. }), "{out:?}");
            }
        }
        Op::Attach { receipt, target } => {
            let open = store.unmatched_open(100).unwrap();
            if let (Some(r), Some((t, _, _))) =
                (open.get(*receipt as usize), m.targets.get(*target as usize))
            {
                // Refusals (void target, exact mismatch, already paid) are fine; they must change nothing.
                let _ = store.attach_unmatched(r.id, *t, "clerk", T0);
            }
        }
        Op::Refund {
            payment,
            from_target,
            percent,
            complete,
        } => {
            let Some(&pid) = m.payments.get(*payment as usize) else {
                return;
            };
            let allocs = store.allocations_for(pid).unwrap();
            let target = if *from_target {
                allocs.first().map(|a| a.target)
            } else {
                None
            };
            let amount = store.payment_get(pid).unwrap().amount.minor * i64::from(*percent) / 100;
            if amount == 0 {
                return;
            }
            let req = RefundRequest {
                payment_id: pid,
                target,
                amount: kes(amount),
                kind: RefundKind::Refund,
                actor: "boss",
            };
            let Ok(r) = store.refund_request(&req, T0) else {
                return;
            };
            if *complete {
                store.refund_complete(r.id, None, T0).unwrap();
                match target {
                    Some(t) => *m.refunded_target.entry(t).or_default() += amount,
                    None => *m.refunded_unmatched.entry(pid).or_default() += amount,
                }
            } else {
                store.refund_fail(r.id, "declined", T0).unwrap();
            }
        }
        Op::Void(i) => {
            if let Some((TargetRef::Sale(id), _, _)) = m.targets.get(*i as usize) {
                let _ = store.sale_set_status(*id, SaleStatus::Void, "boss", T0);
            }
        }
    }
}

fn check_model(store: &Store, m: &Model) {
    assert_eq!(store.check().unwrap(), Vec::<String>::new());
    let mut allocated_to: HashMap<TargetRef, i64> = HashMap::new();
    let open: HashMap<i64, i64> = store
        .unmatched_open(10_000)
        .unwrap()
        .into_iter()
        .map(|u| (u.payment_id, u.open_amount.minor))
        .collect();
    assert_eq!(
        m.payments.len(),
        m.by_txn.len(),
        "one payment per distinct receipt"
    );
    for &pid in &m.payments {
        let p = store.payment_get(pid).unwrap();
        let allocated: i64 = store
            .allocations_for(pid)
            .unwrap()
            .iter()
            .map(|a| a.amount.minor)
            .sum();
        for a in store.allocations_for(pid).unwrap() {
            *allocated_to.entry(a.target).or_default() += a.amount.minor;
        }
        assert!(
            allocated <= p.amount.minor,
            "allocations never exceed the payment"
        );
        let waiting = open.get(&pid).copied().unwrap_or(0);
        let refunded = m.refunded_unmatched.get(&pid).copied().unwrap_or(0);
        assert_eq!(
            allocated + waiting + refunded,
            p.amount.minor,
            "every shilling is allocated or unmatched"
        );
    }
    for (t, _, total) in &m.targets {
        let b = store.balance(*t).unwrap();
        let expected = total - allocated_to.get(t).copied().unwrap_or(0)
            + m.refunded_target.get(t).copied().unwrap_or(0);
        assert_eq!(
            b.balance.minor, expected,
            "balance = total − allocations + refunds for {t:?}"
        );
        let refunded = m.refunded_target.get(t).copied().unwrap_or(0);
        match m.modes[t] {
            PaymentMode::AllowPartialAndOver => {}
            PaymentMode::AllowPartial => {
                assert!(b.balance.minor >= 0, "{t:?} takes no over-payment")
            }
            PaymentMode::Exact => {
                assert!(b.balance.minor >= 0, "{t:?} takes no over-payment");
                if refunded == 0 {
                    assert!(
                        b.allocated.minor == 0 || b.allocated.minor == *total,
                        "{t:?} takes only the exact balance"
                    );
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]
    #[test]
    fn ledger_invariants_hold_over_random_histories(ops in proptest::collection::vec(op(), 1..40)) {
        let mut store = Store::open_in_memory().unwrap();
        let mut m = Model::default();
        for op in &ops {
            apply(&mut store, &mut m, op);
            check_model(&store, &m);
        }
    }
}
