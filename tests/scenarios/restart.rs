//! Restart: the till process is killed (SIGKILL) while an STK attempt is pending; started
//! again, its engine finds the attempt, resumes querying, and the payment posts.
//!
//! The till is this same test binary re-run with `MALIPO_RESTART_CHILD` set and filtered to
//! [`restart_child`], which does nothing in a normal run. The STK callback is lost (its URL
//! answers nothing), so only the resumed queries can confirm the payment.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use malipo_core::{AttemptState, Currency, SaleStatus};
use malipo_engine::{Engine, EngineConfig};
use malipo_providers::daraja::{DarajaConfig, Environment};
use malipo_sim::daraja::{CustomerAction, CustomerScript, DarajaSim, SimConfig};
use malipo_store::Store;
use malipo_vault::Sensitive;

use crate::kes;

fn engine_for(db: &str, sim_base: &str) -> (Arc<Mutex<Store>>, Engine) {
    let store = Arc::new(Mutex::new(Store::open(std::path::Path::new(db)).unwrap()));
    let daraja = DarajaConfig::new(
        Environment::Simulator {
            base_url: sim_base.parse().unwrap(),
        },
        Sensitive::new("sim-consumer-key".to_owned()),
        Sensitive::new("sim-consumer-secret".to_owned()),
        "174379",
        Sensitive::new(SimConfig::default().shortcodes[0].passkey.clone()),
    );
    let mut config = EngineConfig::new("Duka", Currency::Kes);
    config.daraja = Some(daraja);
    config.stk_callback_url = Some("http://127.0.0.1:9/lost".to_owned());
    config.stk_query_every = Duration::from_millis(500);
    let engine = Engine::new(store.clone(), config).unwrap();
    (store, engine)
}

/// The till process: `start` rings up a sale, pushes STK, says the attempt id, and waits
/// (never querying: the parent kills it first); `resume` runs the engine's background loop.
#[test]
fn restart_child() {
    let Ok(mode) = std::env::var("MALIPO_RESTART_CHILD") else {
        return;
    };
    let db = std::env::var("MALIPO_RESTART_DB").unwrap();
    let sim = std::env::var("MALIPO_RESTART_SIM").unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (store, engine) = engine_for(&db, &sim);
        if mode == "start" {
            let sale = crate::rig::sale_in(&mut store.lock().unwrap(), 30_000);
            let attempt = engine
                .stk_start(sale.id, "0708374149", kes(30_000))
                .await
                .unwrap();
            println!("attempt {} sale {}", attempt.id, sale.id);
            std::future::pending::<()>().await;
        } else {
            engine
                .run(Arc::new(tokio::sync::Notify::new()), std::future::pending())
                .await;
        }
    });
}

fn till(mode: &str, db: &str, sim: &str) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "restart::restart_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("MALIPO_RESTART_CHILD", mode)
        .env("MALIPO_RESTART_DB", db)
        .env("MALIPO_RESTART_SIM", sim)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_till_killed_while_stk_is_pending_resumes_querying_after_restart_and_posts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("till.sqlite");
    let db = db.to_str().unwrap().to_owned();
    let sim = DarajaSim::new(SimConfig {
        check_timestamp_clock: false,
        ..SimConfig::default()
    });
    sim.script(
        None,
        CustomerScript {
            action: CustomerAction::Approve,
            delay_ms: 300,
            duplicate: false,
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim_base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(malipo_sim::daraja::run(
        listener,
        sim.clone(),
        std::future::pending(),
    ));

    let mut first = till("start", &db, &sim_base);
    let line = tokio::task::spawn_blocking({
        let stdout = first.stdout.take().unwrap();
        move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                // libtest may print "test … ... " on the same line first.
                .find_map(|l| l.find("attempt ").map(|at| l[at..].to_owned()))
                .unwrap()
        }
    })
    .await
    .unwrap();
    first.kill().unwrap(); // SIGKILL while the attempt is pending
    first.wait().unwrap();
    let parts: Vec<i64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    let (attempt, sale) = (parts[0], parts[1]);
    {
        let store = Store::open(std::path::Path::new(&db)).unwrap();
        assert_eq!(
            store.attempt_get(attempt).unwrap().state,
            AttemptState::Pending
        );
        assert_eq!(store.sale_get(sale).unwrap().status, SaleStatus::Open);
    }

    let mut second = till("resume", &db, &sim_base);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let done = {
            let store = Store::open(std::path::Path::new(&db)).unwrap();
            store.sale_get(sale).unwrap().status == SaleStatus::Completed
        };
        if done {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the resumed till posted the payment"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    second.kill().unwrap();
    second.wait().unwrap();
    let store = Store::open(std::path::Path::new(&db)).unwrap();
    assert_eq!(
        store.attempt_get(attempt).unwrap().state,
        AttemptState::Succeeded
    );
    assert!(store.check().unwrap().is_empty());
}
