//! The same confirmation posted from four threads at once, a thousand times over, on a real
//! database file, yields exactly one payment each time.

use std::sync::{Arc, Barrier};

use malipo_core::PaymentMethod;
use malipo_store::{PaymentFilter, PostOutcome, Store};

use crate::{conf, T0};

const THREADS: usize = 4;
const ROUNDS: usize = 1_000;

#[test]
fn the_same_confirmation_from_four_threads_posts_once_every_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("till.db");
    drop(Store::open(&path).unwrap());
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let path = path.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                let mut posted = Vec::with_capacity(ROUNDS);
                for round in 0..ROUNDS {
                    let c = conf(
                        PaymentMethod::MpesaPaybill,
                        &format!("RACE{round:05}"),
                        1_000 + round as i64,
                    );
                    barrier.wait();
                    let out = store.post_payment(&c, T0).unwrap();
                    posted.push(match out {
                        PostOutcome::Posted { .. } | PostOutcome::Unmatched { .. } => 1,
                        PostOutcome::Duplicate { .. } => 0,
                        PostOutcome::Conflict { .. } => {
                            panic!("identical confirmations never conflict")
                        }
                    });
                }
                posted
            })
        })
        .collect();
    let results: Vec<Vec<u32>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    for round in 0..ROUNDS {
        let new: u32 = results.iter().map(|r| r[round]).sum();
        assert_eq!(
            new, 1,
            "round {round}: exactly one thread posts, the others see a duplicate"
        );
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.kpis(&PaymentFilter::default()).unwrap().count,
        ROUNDS as i64
    );
    assert!(store.check().unwrap().is_empty());
}
