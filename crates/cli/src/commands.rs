//! The commands: each reads the store (or drives the engine) and returns what to print, and
//! whether the command found a problem (a failed `check`, an event kept as `error`).

use std::path::Path;

use malipo_core::Timestamp;
use malipo_store::{PaymentFilter, Store};
use serde::Serialize;

use crate::args::Command;
use crate::error::CliError;
use crate::format::{csv_cell, decimal, iso_utc, payer};
use crate::import;
use crate::views::{self, Viewer};

/// What a command produced, ready to print: pretty JSON (fields in their declared order) or
/// text.
#[derive(Debug)]
pub enum Output {
    Json(String),
    Text(String),
}

/// A command's result: its output, and the sentence for stderr when it found a problem.
#[derive(Debug)]
pub struct Done {
    pub output: Output,
    pub problem: Option<String>,
}

impl Done {
    fn json(value: impl Serialize) -> Result<Done, CliError> {
        Ok(Done {
            output: Output::Json(serde_json::to_string_pretty(&value)?),
            problem: None,
        })
    }
}

/// The inbox outcomes there are.
const OUTCOMES: &[&str] = &[
    "pending",
    "error",
    "posted",
    "duplicate",
    "unmatched",
    "conflict",
    "applied",
    "ignored",
];

/// The CSV columns of `export-csv`.
pub const CSV_HEADER: &str = "payment_id,time_utc,method,provider,receipt,amount_minor,amount,currency,payer,payer_name,account_reference,sale_invoice,allocated_minor,unmatched_minor,status";

/// Opens an existing database; only `import` may create one.
fn open_existing(db: &Path) -> Result<Store, CliError> {
    if !db.is_file() {
        return Err(CliError::NoDatabase(db.to_path_buf()));
    }
    Ok(Store::open(db)?)
}

fn positive(limit: Option<i64>, default: i64) -> Result<i64, CliError> {
    match limit {
        Some(n) if n < 1 => Err(CliError::Usage(format!(
            "--limit must be at least 1, not {n}"
        ))),
        Some(n) => Ok(n),
        None => Ok(default),
    }
}

fn filter(from: Option<i64>, to: Option<i64>) -> Result<PaymentFilter, CliError> {
    if let (Some(f), Some(t)) = (from, to) {
        if f >= t {
            return Err(CliError::Usage(format!(
                "--from ({f}) must be before --to ({t}); both are milliseconds since 1970 UTC"
            )));
        }
    }
    Ok(PaymentFilter {
        from: from.map(Timestamp),
        to: to.map(Timestamp),
        ..PaymentFilter::default()
    })
}

/// Runs one command against the database at `db`.
pub fn run(db: &Path, command: &Command) -> Result<Done, CliError> {
    match command {
        Command::Payments { from, to, limit } => {
            let store = open_existing(db)?;
            let filter = filter(*from, *to)?;
            let limit = positive(*limit, 100)?;
            let rows = views::payments(&store, &filter, Some(limit))?;
            let mut viewer = Viewer::new(&store)?;
            let payments = rows
                .iter()
                .map(|p| viewer.payment(p))
                .collect::<Result<Vec<_>, _>>()?;
            #[derive(Serialize)]
            struct Ledger<T> {
                /// Payments the filter selects (all pages).
                count: i64,
                shown: usize,
                payments: Vec<T>,
            }
            Done::json(Ledger {
                count: store.kpis(&filter)?.count,
                shown: payments.len(),
                payments,
            })
        }
        Command::Attempts { pending } => {
            let store = open_existing(db)?;
            let rows = if *pending {
                store.attempts_pending(Timestamp(i64::MAX))?
            } else {
                views::all_attempts(&store)?
            };
            let mut viewer = Viewer::new(&store)?;
            let attempts = rows
                .iter()
                .map(|a| viewer.attempt(a))
                .collect::<Result<Vec<_>, _>>()?;
            Done::json(serde_json::json!({ "attempts": attempts }))
        }
        Command::Unmatched { limit } => {
            let store = open_existing(db)?;
            let rows = store.unmatched_open(positive(*limit, 1_000)?)?;
            let mut viewer = Viewer::new(&store)?;
            let unmatched = rows
                .iter()
                .map(|u| viewer.unmatched(u))
                .collect::<Result<Vec<_>, _>>()?;
            Done::json(serde_json::json!({ "unmatched": unmatched }))
        }
        Command::Inbox { outcome, limit } => {
            if let Some(o) = outcome {
                if !OUTCOMES.contains(&o.as_str()) {
                    return Err(CliError::Usage(format!(
                        "unknown outcome {o:?}; use one of {}",
                        OUTCOMES.join(", ")
                    )));
                }
            }
            let store = open_existing(db)?;
            let rows = store.inbox_list(outcome.as_deref(), positive(*limit, 1_000)?)?;
            let events: Vec<_> = rows.iter().map(views::inbox).collect();
            Done::json(serde_json::json!({ "events": events }))
        }
        Command::Audit { entity, limit } => {
            let store = open_existing(db)?;
            let rows = store.audit_list(
                entity.as_ref().map(|(e, id)| (e.as_str(), id.as_str())),
                positive(*limit, 1_000)?,
            )?;
            let entries: Vec<_> = rows.iter().map(views::audit).collect();
            Done::json(serde_json::json!({ "audit": entries }))
        }
        Command::ExportCsv { from, to } => {
            let store = open_existing(db)?;
            Ok(Done {
                output: Output::Text(export_csv(&store, &filter(*from, *to)?)?),
                problem: None,
            })
        }
        Command::Import(args) => report(import::import(db, args)?),
        Command::Retry { inbox_id, currency } => {
            open_existing(db)?;
            report(import::retry(db, *inbox_id, currency.as_deref())?)
        }
        Command::Check => {
            let store = open_existing(db)?;
            let problems = store.check()?;
            let problem = (!problems.is_empty()).then(|| {
                format!(
                    "the ledger check found {} broken invariant(s): {}",
                    problems.len(),
                    problems.join("; ")
                )
            });
            let mut done = Done::json(serde_json::json!({
                "ok": problems.is_empty(),
                "problems": problems,
            }))?;
            done.problem = problem;
            Ok(done)
        }
        Command::Help => Ok(Done {
            output: Output::Text(format!("{}\n", crate::args::USAGE)),
            problem: None,
        }),
    }
}

fn report(report: import::Report) -> Result<Done, CliError> {
    let problem = report.is_problem().then(|| {
        format!(
            "inbox event {} was kept as an error and not posted: {}",
            report.inbox_id, report.detail
        )
    });
    let mut done = Done::json(&report)?;
    done.problem = problem;
    Ok(done)
}

/// Every payment in the range as CSV, oldest first.
fn export_csv(store: &Store, filter: &PaymentFilter) -> Result<String, CliError> {
    let mut rows = views::payments(store, filter, None)?;
    rows.reverse();
    let mut viewer = Viewer::new(store)?;
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for p in &rows {
        let view = viewer.payment(p)?;
        let allocated: i64 = view.allocations.iter().map(|a| a.amount.minor).sum();
        let targets: Vec<String> = view
            .allocations
            .iter()
            .map(|a| {
                a.target
                    .number
                    .clone()
                    .unwrap_or_else(|| format!("{} {}", a.target.kind, a.target.id))
            })
            .collect();
        let cells = [
            p.id.to_string(),
            iso_utc(p.received_at.0),
            p.method.code().to_owned(),
            p.provider.code().to_owned(),
            p.provider_txn_id.clone().unwrap_or_default(),
            p.amount.minor.to_string(),
            decimal(p.amount),
            p.amount.currency.code().to_owned(),
            payer(p.payer_ref.as_deref(), p.payer_phone.as_deref()).unwrap_or_default(),
            p.payer_name.clone().unwrap_or_default(),
            p.account_reference.clone().unwrap_or_default(),
            targets.join(";"),
            allocated.to_string(),
            view.unmatched
                .as_ref()
                .map_or(0, |u| u.open.minor)
                .to_string(),
            p.status.code().to_owned(),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    Ok(out)
}
