//! The manager's pages, totals and chart answered from `payment_ledger` and its rollup equal
//! the same computed row by row from the ledger's own tables, over random histories of
//! postings (several methods and cashiers, hours and days apart), unmatched money and
//! attaches, partial and full refunds and reversals, and for random date ranges (whole shop
//! days, whole hours, unaligned edges) with method, provider, status, cashier and text
//! filters; and `Store::check` finds the copy and the rollup true after every history.

use malipo_core::{PaymentMethod, Provider, TargetRef, Timestamp};
use malipo_store::{
    ChartSpan, LedgerStatus, PaymentFilter, PaymentSearch, RefundKind, RefundRequest, Store,
};
use proptest::prelude::*;

use crate::{conf, kes, sale, sale_by, T0};

const CASHIERS: [&str; 2] = ["aisha", "juma"];

const HOUR: i64 = 3_600_000;

#[derive(Debug, Clone)]
enum Op {
    /// A payment `minutes` after T0 by method index, to a new sale (or to nothing).
    Pay {
        minutes: u32,
        method: u8,
        amount: u16,
        to_sale: bool,
        cashier: u8,
    },
    /// Refund `percent` of payment index (100 = in full); reversal when `reverse`.
    Refund {
        payment: u8,
        percent: u8,
        reverse: bool,
    },
    /// Attach the oldest open unmatched receipt to a new sale of its amount.
    Attach,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u32..(3 * 24 * 60), 0u8..8, 1u16..5000, any::<bool>(), 0u8..2).prop_map(
            |(minutes, method, amount, to_sale, cashier)| Op::Pay { minutes, method, amount, to_sale, cashier }
        ),
        2 => (any::<u8>(), 1u8..=100, any::<bool>())
            .prop_map(|(payment, percent, reverse)| Op::Refund { payment, percent, reverse }),
        1 => Just(Op::Attach),
    ]
}

const METHODS: [PaymentMethod; 8] = PaymentMethod::ALL;

fn apply(store: &mut Store, payments: &mut Vec<i64>, n: usize, op: &Op) {
    match op {
        Op::Pay {
            minutes,
            method,
            amount,
            to_sale,
            cashier,
        } => {
            let minor = i64::from(*amount) * 100;
            let mut c = conf(METHODS[*method as usize], &format!("RX{n}"), minor);
            c.received_at = Timestamp(T0.0 + i64::from(*minutes) * 60_000 + 17);
            if *to_sale {
                let by = CASHIERS[usize::from(*cashier) % CASHIERS.len()];
                c.account_reference = Some(sale_by(store, minor, by).number);
            } else {
                c.account_reference = Some(format!("NOPE{n}"));
            }
            payments.push(store.post_payment(&c, T0).unwrap().payment_id());
        }
        Op::Refund {
            payment,
            percent,
            reverse,
        } => {
            if payments.is_empty() {
                return;
            }
            let pid = payments[*payment as usize % payments.len()];
            let p = store.payment_get(pid).unwrap();
            let amount = p.amount.minor * i64::from(*percent) / 100;
            if amount == 0 {
                return;
            }
            let target = store
                .allocations_for(pid)
                .unwrap()
                .first()
                .map(|a| a.target);
            let req = RefundRequest {
                payment_id: pid,
                target,
                amount: kes(amount),
                kind: if *reverse {
                    RefundKind::Reversal
                } else {
                    RefundKind::Refund
                },
                actor: "boss",
            };
            if let Ok(r) = store.refund_request(&req, T0) {
                store.refund_complete(r.id, None, T0).unwrap();
            }
        }
        Op::Attach => {
            let open = store.unmatched_open(1).unwrap();
            if let Some(r) = open.first() {
                let amount = store.payment_get(r.payment_id).unwrap().amount.minor;
                let s = sale(store, amount);
                let _ = store.attach_unmatched(r.id, TargetRef::Sale(s.id), "clerk", T0);
            }
        }
    }
}

fn searches() -> impl Strategy<Value = PaymentSearch> {
    let bound = prop_oneof![
        Just(None),
        (0i64..(4 * 24)).prop_map(|h| Some(T0.0 + h * HOUR)),
        (0i64..(4 * 24 * 60)).prop_map(|m| Some(T0.0 + m * 60_000 + 5)),
    ];
    let ledger = prop_oneof![
        Just(LedgerStatus::Received),
        Just(LedgerStatus::Refunded),
        Just(LedgerStatus::Unmatched)
    ];
    let text = prop_oneof![
        4 => Just(None),
        1 => (0u8..60).prop_map(|n| Some(format!("RX{n}"))),
        1 => Just(Some("T1-".to_owned())),
    ];
    (
        (bound.clone(), bound),
        proptest::collection::vec(0u8..8, 0..3),
        proptest::option::of(any::<bool>()),
        proptest::collection::vec(ledger, 0..3),
        proptest::option::of(0usize..3),
        text,
    )
        .prop_map(
            |((from, to), methods, provider, ledger, cashier, text)| PaymentSearch {
                filter: PaymentFilter {
                    from: from.map(Timestamp),
                    to: to.map(Timestamp),
                    methods: methods.into_iter().map(|m| METHODS[m as usize]).collect(),
                    providers: provider
                        .map(|mpesa| {
                            if mpesa {
                                Provider::Mpesa
                            } else {
                                Provider::Paystack
                            }
                        })
                        .into_iter()
                        .collect(),
                    statuses: Vec::new(),
                },
                ledger,
                // A third name no sale has: the search finds nothing, and says so.
                cashier: cashier.map(|c| ["aisha", "juma", "nobody"][c].to_owned()),
                text,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn ledger_pages_totals_and_chart_equal_reading_every_payment(
        ops in proptest::collection::vec(op(), 1..60),
        asks in proptest::collection::vec(searches(), 1..6),
    ) {
        let mut store = Store::open_in_memory().unwrap();
        let mut payments = Vec::new();
        for (n, op) in ops.iter().enumerate() {
            apply(&mut store, &mut payments, n, op);
        }
        prop_assert_eq!(store.check().unwrap(), Vec::<String>::new());
        for search in asks.iter().chain([&PaymentSearch::default()]) {
            prop_assert_eq!(
                store.payments_search_totals(search).unwrap(),
                store.payments_search_totals_scan(search).unwrap(),
                "totals for {:?}", search
            );
            for span in [ChartSpan::Hour, ChartSpan::Day] {
                prop_assert_eq!(
                    store.payments_search_chart(search, span).unwrap(),
                    store.payments_search_chart_scan(search, span).unwrap(),
                    "{:?} chart for {:?}", span, search
                );
            }
            let fast = store.payments_search(search, 7, None).unwrap();
            prop_assert_eq!(&fast, &store.payments_search_scan(search, 7, None).unwrap());
            if let Some(last) = fast.last() {
                let after = Some(malipo_store::Cursor {
                    received_at: last.payment.received_at,
                    id: last.payment.id,
                });
                prop_assert_eq!(
                    store.payments_search(search, 7, after).unwrap(),
                    store.payments_search_scan(search, 7, after).unwrap()
                );
            }
        }
    }
}

/// The text index's answer is reused only while nothing was written: a payment posted since,
/// by this connection or another on the same file, is found by the same search.
#[test]
fn a_text_search_sees_payments_posted_since_it_last_ran() {
    let (dir, mut store) = crate::file_store();
    let search = PaymentSearch {
        text: Some("QX77".into()),
        ..PaymentSearch::default()
    };
    let found = |store: &Store| store.payments_search(&search, 10, None).unwrap().len();
    store
        .post_payment(&conf(PaymentMethod::MpesaPaybill, "QX770001", 100), T0)
        .unwrap();
    assert_eq!(found(&store), 1);
    assert_eq!(found(&store), 1, "asked again, nothing new");
    store
        .post_payment(&conf(PaymentMethod::MpesaPaybill, "QX770002", 100), T0)
        .unwrap();
    assert_eq!(found(&store), 2, "posted on this connection since");
    let mut other = Store::open(&dir.path().join("till.db")).unwrap();
    other
        .post_payment(&conf(PaymentMethod::MpesaPaybill, "QX770003", 100), T0)
        .unwrap();
    assert_eq!(found(&store), 3, "posted by another connection since");
    let totals = store.payments_search_totals(&search).unwrap();
    assert_eq!(totals.iter().map(|t| t.count).sum::<i64>(), 3);
}
