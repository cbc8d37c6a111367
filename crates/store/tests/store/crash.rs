//! Crash safety: a child process posting payments is killed (SIGKILL) at random points, 200
//! times; after each kill the database opens, every invariant holds, every posting the child
//! reported as committed is there, and every posting is wholly there or wholly absent.
//!
//! The child is this same test binary, re-run with `MALIPO_CRASH_CHILD` set and filtered to
//! [`child_entry`], which is only a child's entry point: without the variable it returns.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use malipo_core::{PaymentMethod, Provider, TargetRef};
use malipo_store::{PaymentFilter, PostOutcome, RefundKind, RefundRequest, Store};

use crate::{conf, sale, T0};

const KILLS: usize = 200;

#[test]
fn child_entry() {
    let Ok(path) = std::env::var("MALIPO_CRASH_CHILD") else {
        return;
    };
    let run: u64 = std::env::var("MALIPO_CRASH_RUN").unwrap().parse().unwrap();
    let mut store = Store::open(std::path::Path::new(&path)).unwrap();
    let mut rng = fastrand::Rng::with_seed(run);
    for i in 0.. {
        let total = rng.i64(1..50) * 100;
        let s = sale(&mut store, total);
        let txn = format!("K{run}-{i}");
        let mut c = conf(
            PaymentMethod::MpesaPaybill,
            &txn,
            total + rng.i64(0..2) * 100,
        );
        c.account_reference = Some(s.number.clone());
        let out = store.post_payment(&c, T0).unwrap();
        if rng.u8(0..4) == 0 {
            store.post_payment(&c, T0).unwrap();
        }
        if let PostOutcome::Posted { payment_id, .. } = out {
            if rng.u8(0..5) == 0 {
                let req = RefundRequest {
                    payment_id,
                    target: Some(TargetRef::Sale(s.id)),
                    amount: crate::kes(100),
                    kind: RefundKind::Refund,
                    actor: "boss",
                };
                let r = store.refund_request(&req, T0).unwrap();
                store.refund_complete(r.id, None, T0).unwrap();
            }
        }
        println!("committed {txn}");
    }
}

#[test]
fn killing_the_process_mid_posting_never_leaves_half_a_payment() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("till.db");
    drop(Store::open(&path).unwrap());
    let exe = std::env::current_exe().unwrap();
    let mut rng = fastrand::Rng::with_seed(7);
    let mut last_count = 0;
    for run in 0..KILLS {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "crash::child_entry",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("MALIPO_CRASH_CHILD", &path)
            .env("MALIPO_CRASH_RUN", run.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| l.strip_prefix("committed ").map(String::from))
                .collect::<Vec<_>>()
        });
        std::thread::sleep(Duration::from_millis(rng.u64(15..80)));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let committed = reader.join().unwrap();

        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.check().unwrap(),
            Vec::<String>::new(),
            "run {run}: invariants after SIGKILL"
        );
        for txn in &committed {
            assert!(
                payment_exists(&store, txn),
                "run {run}: {txn} was reported committed but is missing"
            );
        }
        let count = store.kpis(&PaymentFilter::default()).unwrap().count;
        assert!(
            count >= last_count,
            "run {run}: committed payments never disappear"
        );
        last_count = count;
    }
    assert!(last_count > 0, "the children got to post something");
}

fn payment_exists(store: &Store, txn: &str) -> bool {
    store
        .payment_by_txn(Provider::Mpesa, txn)
        .unwrap()
        .is_some()
}
