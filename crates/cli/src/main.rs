//! `malipo-cli` — the support command line over the till's store and payment engine, for
//! support staff and scripts. No Tauri: it opens the same SQLite file the app uses.
//!
//! Each command prints one JSON document on stdout (`export-csv` prints CSV). Exit codes:
//! `0` done; `1` the command could not run (bad arguments, a missing file, a database error —
//! one sentence on stderr, nothing on stdout); `2` the command ran and found a problem (an
//! imported or retried event kept as `error`, a failed `check`) — the JSON on stdout and a
//! sentence on stderr.
//!
//! - `args.rs` — the command line; `commands.rs` — listing, CSV export and `check`;
//! - `import.rs` — `import` and `retry`: provider events stored as the relay would deliver
//!   them, then processed by `malipo_engine::Engine::process_event`;
//! - `views.rs` — the JSON shapes; `format.rs` — integer-only decimals, ISO times, masking, CSV.
//!
//! Secrets: the Paystack secret comes only from `MALIPO_PAYSTACK_SECRET`, held as a
//! `Sensitive` and never printed.

mod args;
mod commands;
mod error;
mod format;
mod import;
mod views;

use std::io::Write;
use std::process::ExitCode;

use commands::Output;
use error::CliError;

fn main() -> ExitCode {
    match run() {
        Ok(None) => ExitCode::SUCCESS,
        Ok(Some(problem)) => {
            eprintln!("malipo-cli: {problem}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("malipo-cli: {e}");
            ExitCode::from(1)
        }
    }
}

/// Runs the command line; `Some(sentence)` when the command found a problem.
fn run() -> Result<Option<String>, CliError> {
    let args = args::parse(std::env::args().skip(1))?;
    let done = commands::run(&args.db, &args.command)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match &done.output {
        Output::Json(text) => {
            out.write_all(text.as_bytes())?;
            out.write_all(b"\n")?;
        }
        Output::Text(text) => out.write_all(text.as_bytes())?,
    }
    out.flush()?;
    Ok(done.problem)
}
