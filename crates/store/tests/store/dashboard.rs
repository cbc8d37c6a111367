//! The transactions query: pages walk every matching row once, newest first, and the KPI
//! totals (rollup + edges) equal a brute-force sum for any filter, aligned to hours or not.

use std::collections::HashMap;

use malipo_core::{PaymentMethod, Provider, Timestamp};
use malipo_store::{
    Durability, OpenOptions, Payment, PaymentFilter, PaymentStatus, RefundKind, RefundRequest,
    Store,
};

use crate::{conf, T0};

const HOUR: i64 = 3_600_000;

fn populated() -> (tempfile::TempDir, Store, Vec<Payment>) {
    let dir = tempfile::tempdir().unwrap();
    let options = OpenOptions {
        durability: Durability::Normal,
        ..OpenOptions::default()
    };
    let mut store = Store::open_with(&dir.path().join("till.db"), options).unwrap();
    let mut rng = fastrand::Rng::with_seed(42);
    let methods = [
        PaymentMethod::Cash,
        PaymentMethod::MpesaPaybill,
        PaymentMethod::MpesaTill,
        PaymentMethod::CardLink,
    ];
    for i in 0..1_500 {
        let mut c = conf(
            methods[rng.usize(..methods.len())],
            &format!("D{i}"),
            rng.i64(1..10_000) * 100,
        );
        c.received_at = Timestamp(T0.0 + rng.i64(0..72 * HOUR));
        let pid = store.post_payment(&c, T0).unwrap().payment_id();
        if rng.u8(0..10) == 0 {
            let amount = store.payment_get(pid).unwrap().amount;
            let r = store
                .refund_request(
                    &RefundRequest {
                        payment_id: pid,
                        target: None,
                        amount,
                        kind: RefundKind::Reversal,
                        actor: "boss",
                    },
                    T0,
                )
                .unwrap();
            store.refund_complete(r.id, None, T0).unwrap();
        }
    }
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .payments_page(&PaymentFilter::default(), 97, cursor)
            .unwrap();
        all.extend(page.rows);
        match page.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    (dir, store, all)
}

#[test]
fn pages_walk_every_row_once_newest_first() {
    let (_d, store, all) = populated();
    assert_eq!(all.len(), 1_500);
    assert!(all
        .windows(2)
        .all(|w| (w[0].received_at, w[0].id) > (w[1].received_at, w[1].id)));
    let mut ids: Vec<i64> = all.iter().map(|p| p.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 1_500);
    assert!(
        store.check().unwrap().is_empty(),
        "rollup agrees with payments"
    );
    assert!(all.iter().any(|p| p.status == PaymentStatus::Reversed));
}

#[test]
fn kpis_equal_a_brute_force_sum_for_any_filter() {
    let (_d, store, all) = populated();
    let mut rng = fastrand::Rng::with_seed(9);
    for round in 0..60 {
        let a = T0.0 - HOUR + rng.i64(0..75 * HOUR);
        let b = a + rng.i64(0..60 * HOUR);
        let aligned = round % 3 == 0;
        let (from, to) = if aligned {
            (a / HOUR * HOUR, b / HOUR * HOUR)
        } else {
            (a, b)
        };
        let mut filter = PaymentFilter {
            from: Some(Timestamp(from)),
            to: Some(Timestamp(to)),
            ..PaymentFilter::default()
        };
        if rng.bool() {
            filter.methods = vec![PaymentMethod::MpesaTill, PaymentMethod::Cash];
        }
        if rng.bool() {
            filter.statuses = vec![PaymentStatus::Received];
        }
        if rng.u8(0..4) == 0 {
            filter.providers = vec![Provider::Mpesa];
        }
        let want: Vec<&Payment> = all
            .iter()
            .filter(|p| p.received_at.0 >= from && p.received_at.0 < to)
            .filter(|p| filter.methods.is_empty() || filter.methods.contains(&p.method))
            .filter(|p| filter.statuses.is_empty() || filter.statuses.contains(&p.status))
            .filter(|p| filter.providers.is_empty() || filter.providers.contains(&p.provider))
            .collect();
        let kpis = store.kpis(&filter).unwrap();
        assert_eq!(kpis.count, want.len() as i64, "round {round}: count");
        let mut by_method: HashMap<PaymentMethod, i64> = HashMap::new();
        for p in &want {
            *by_method.entry(p.method).or_default() += p.amount.minor;
        }
        for (method, sum) in by_method {
            assert_eq!(
                kpis.total(malipo_core::Currency::Kes, |g| g.method == method)
                    .minor,
                sum,
                "round {round}: {method:?}"
            );
        }
        let page = store.payments_page(&filter, 1_000, None).unwrap();
        assert_eq!(
            page.rows.len(),
            want.len().min(1_000),
            "round {round}: the rows shown match the totals"
        );
    }
}
