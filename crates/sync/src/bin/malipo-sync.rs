//! `malipo-sync` — runs the till's relay client on its own, for support staff and tests:
//! streams a shop's events from a relay into a till database file and acknowledges them.
//!
//! ```text
//! MALIPO_DEVICE_TOKEN=… malipo-sync --relay https://relay.example --db till.sqlite
//! ```
//!
//! The device token is read from the environment, never from the command line (where any
//! user of the machine could read it in the process list). Status changes go to stderr.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use malipo_store::Store;
use malipo_sync::{SyncClient, SyncConfig};
use malipo_vault::Sensitive;

const USAGE: &str = "usage: MALIPO_DEVICE_TOKEN=<token> malipo-sync --relay <url> --db <till.sqlite> [--ack-every N]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("malipo-sync: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut relay = None;
    let mut db = None;
    let mut ack_every = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--relay" => relay = args.next(),
            "--db" => db = args.next().map(PathBuf::from),
            "--ack-every" => {
                let n = args.next().ok_or(USAGE)?;
                ack_every = Some(
                    n.parse::<u32>()
                        .map_err(|_| format!("--ack-every {n}: not a count"))?,
                );
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    let (Some(relay), Some(db)) = (relay, db) else {
        return Err(USAGE.to_owned());
    };
    let token = std::env::var("MALIPO_DEVICE_TOKEN")
        .map_err(|_| format!("MALIPO_DEVICE_TOKEN is not set\n{USAGE}"))?;
    let store = Store::open(&db).map_err(|e| format!("{}: {e}", db.display()))?;
    let mut config = SyncConfig::new(relay, Sensitive::new(token));
    if let Some(n) = ack_every {
        config.ack_every = n.max(1);
    }
    let client = SyncClient::new(config).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let mut status = client.status();
        tokio::spawn(async move {
            while status.changed().await.is_ok() {
                let s = status.borrow().clone();
                eprintln!(
                    "online={} stored={} last_stored_seq={:?} last_acked_seq={:?}{}",
                    s.online,
                    s.stored,
                    s.last_stored_seq,
                    s.last_acked_seq,
                    s.last_error
                        .map(|e| format!(" error={e}"))
                        .unwrap_or_default()
                );
            }
        });
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        client.run(Arc::new(Mutex::new(store)), shutdown).await;
    });
    Ok(())
}
