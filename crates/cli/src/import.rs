//! `import` and `retry`: a provider event from a file, stored exactly as the relay would have
//! delivered it (raw bytes, headers as a JSON object with lowercase names, no relay sequence
//! number), then processed by the engine — the way to recover a confirmation a shop copied from
//! the provider's portal; and re-processing a problem event after a fix.

use std::path::Path;
use std::sync::{Arc, Mutex};

use malipo_core::{Currency, Timestamp};
use malipo_engine::{system_clock, Engine, EngineConfig, PaystackSetup, Processed};
use malipo_store::{InboxEvent, NewInboxEvent, PostOutcome, Store};
use malipo_vault::Sensitive;
use serde::Serialize;

use crate::args::ImportArgs;
use crate::error::CliError;
use crate::views::{PaymentView, Viewer};

/// Where the Paystack secret (also the webhook signing key) comes from. Never argv: command
/// lines are visible to every user of the machine and kept in shell history.
pub const PAYSTACK_SECRET_ENV: &str = "MALIPO_PAYSTACK_SECRET";
/// Optional: the Paystack API base URL (only needed to build the engine's client).
pub const PAYSTACK_URL_ENV: &str = "MALIPO_PAYSTACK_URL";
/// Optional: the shop's Paystack public key.
pub const PAYSTACK_PUBLIC_ENV: &str = "MALIPO_PAYSTACK_PUBLIC_KEY";

/// The relay's event kinds, each with the provider it belongs to (as `malipo-sync` maps them).
const KINDS: &[(&str, &str)] = &[
    ("stk", "daraja"),
    ("c2b-confirm", "daraja"),
    ("c2b-validate", "daraja"),
    ("reversal-result", "daraja"),
    ("timeout", "daraja"),
    ("paystack", "paystack"),
    ("clickpesa", "clickpesa"),
];

/// What processing did, as printed.
#[derive(Debug, Serialize)]
pub struct Report {
    pub inbox_id: i64,
    /// posted, duplicate, unmatched, conflict, applied, ignored or error.
    pub outcome: &'static str,
    pub detail: String,
    /// The ledger row the event posted or repeated, when money was involved.
    pub payment: Option<PaymentView>,
}

impl Report {
    /// True when the event was kept as a problem (it did not reach the ledger).
    pub fn is_problem(&self) -> bool {
        self.outcome == "error"
    }
}

/// Checks the provider/kind pair and the headers before anything is stored.
fn validate(args: &ImportArgs) -> Result<String, CliError> {
    let Some((_, owner)) = KINDS.iter().find(|(k, _)| *k == args.kind) else {
        let known: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
        return Err(CliError::Usage(format!(
            "unknown event kind {:?}; the relay's kinds are {}",
            args.kind,
            known.join(", ")
        )));
    };
    if !KINDS.iter().any(|(_, p)| *p == args.provider) {
        return Err(CliError::Usage(format!(
            "unknown provider {:?}; use daraja, paystack or clickpesa",
            args.provider
        )));
    }
    if *owner != args.provider {
        return Err(CliError::Usage(format!(
            "{} events come from {owner}, not {}",
            args.kind, args.provider
        )));
    }
    headers_json(&args.headers)
}

/// `Name: value` lines as the JSON object the relay path stores: lowercase names, string values.
fn headers_json(headers: &[String]) -> Result<String, CliError> {
    let mut map = serde_json::Map::new();
    for h in headers {
        let Some((name, value)) = h.split_once(':') else {
            return Err(CliError::Usage(format!(
                "a header is 'Name: value'; {h:?} has no colon"
            )));
        };
        let name = name.trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(CliError::Usage(format!("{h:?} has no usable header name")));
        }
        map.insert(
            name.to_ascii_lowercase(),
            serde_json::Value::String(value.trim().to_owned()),
        );
    }
    Ok(serde_json::Value::Object(map).to_string())
}

/// `--currency`, KES when not given.
fn currency(given: Option<&str>) -> Result<Currency, CliError> {
    match given {
        Some(c) => c
            .parse::<Currency>()
            .map_err(|e| CliError::Usage(e.to_string())),
        None => Ok(Currency::Kes),
    }
}

/// The engine over `store`, with Paystack when the secret is in the environment.
fn engine(store: Store, currency: Currency) -> Result<Engine, CliError> {
    let mut config = EngineConfig::new("malipo-cli", currency);
    if let Some(secret) = std::env::var_os(PAYSTACK_SECRET_ENV) {
        let secret = secret
            .into_string()
            .map_err(|_| CliError::Invalid(format!("{PAYSTACK_SECRET_ENV} is not valid text")))?;
        config.paystack = Some(PaystackSetup {
            base_url: std::env::var(PAYSTACK_URL_ENV)
                .unwrap_or_else(|_| "https://api.paystack.co".to_owned()),
            secret_key: Sensitive::new(secret),
            public_key: std::env::var(PAYSTACK_PUBLIC_ENV).unwrap_or_default(),
        });
    }
    Ok(Engine::new(Arc::new(Mutex::new(store)), config)?)
}

/// `import`: store the file's bytes as an inbox event, then process it.
pub fn import(db: &Path, args: &ImportArgs) -> Result<Report, CliError> {
    let headers_json = validate(args)?;
    let currency = currency(args.currency.as_deref())?;
    let body = std::fs::read(&args.body).map_err(|source| CliError::Read {
        path: args.body.clone(),
        source,
    })?;
    // The engine first (its own connection): if it cannot be built, nothing is stored.
    let engine = engine(Store::open(db)?, currency)?;
    let mut store = Store::open(db)?;
    let received_at: Timestamp = system_clock();
    let (id, _) = store.inbox_insert(&NewInboxEvent {
        provider: &args.provider,
        kind: &args.kind,
        relay_seq: None,
        headers_json: &headers_json,
        body: &body,
        received_at,
    })?;
    let event = InboxEvent {
        id,
        provider: args.provider.clone(),
        kind: args.kind.clone(),
        relay_seq: None,
        headers_json,
        body,
        received_at,
        outcome: "pending".to_owned(),
        detail: None,
    };
    drop(store);
    finish(db, &engine, &event)
}

/// `retry`: put a problem event back and process it again.
pub fn retry(db: &Path, inbox_id: i64, given: Option<&str>) -> Result<Report, CliError> {
    let currency = currency(given)?;
    let store = Store::open(db)?;
    // The store lists by outcome: look among the problems first, then everywhere.
    let mut event = None;
    for outcome in [Some("error"), Some("pending"), None] {
        event = store
            .inbox_list(outcome, i64::MAX)?
            .into_iter()
            .find(|e| e.id == inbox_id);
        if event.is_some() {
            break;
        }
    }
    let event =
        event.ok_or_else(|| CliError::Invalid(format!("there is no inbox event {inbox_id}")))?;
    if !matches!(event.outcome.as_str(), "error" | "pending") {
        return Err(CliError::Invalid(format!(
            "inbox event {inbox_id} is {} ({}), not a problem; there is nothing to retry",
            event.outcome,
            event.detail.as_deref().unwrap_or("no detail")
        )));
    }
    let engine = engine(store, currency)?;
    engine.retry_inbox(inbox_id)?;
    finish(db, &engine, &event)
}

fn finish(db: &Path, engine: &Engine, event: &InboxEvent) -> Result<Report, CliError> {
    let processed = engine.process_event(event)?;
    // The engine holds its store; read the result on a connection of our own.
    let store = Store::open(db)?;
    let mut viewer = Viewer::new(&store)?;
    let (outcome, detail, payment_id) = match &processed {
        Processed::Posted(o) => {
            let (code, detail) = match o {
                PostOutcome::Posted { .. } => ("posted", "posted to the ledger".to_owned()),
                PostOutcome::Unmatched { receipt, .. } => (
                    "unmatched",
                    format!(
                        "posted; waiting as unmatched receipt {} ({})",
                        receipt.id,
                        receipt.reason.code()
                    ),
                ),
                PostOutcome::Duplicate { existing, enriched } => (
                    "duplicate",
                    format!(
                        "already in the ledger as payment {existing}{}",
                        if *enriched { "; its receipt number was filled in" } else { "" }
                    ),
                ),
                PostOutcome::Conflict { existing, field } => (
                    "conflict",
                    format!(
                        "repeats payment {existing} with a different {}; kept for review, not posted",
                        field.code()
                    ),
                ),
            };
            (code, detail, Some(o.payment_id()))
        }
        Processed::Applied(what) => ("applied", (*what).to_owned(), None),
        Processed::Ignored(why) => ("ignored", (*why).to_owned(), None),
        Processed::Problem(detail) => ("error", problem_hint(detail), None),
    };
    let payment = payment_id
        .map(|id| store.payment_get(id).map_err(CliError::from))
        .transpose()?
        .map(|p| viewer.payment(&p))
        .transpose()?;
    Ok(Report {
        inbox_id: event.id,
        outcome,
        detail,
        payment,
    })
}

/// The engine's reason, with what support can do about a missing Paystack secret.
fn problem_hint(detail: &str) -> String {
    if detail.contains("Paystack is not set up") {
        format!("{detail} (set {PAYSTACK_SECRET_ENV} to the shop's Paystack secret key and retry)")
    } else {
        detail.to_owned()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn headers_become_a_lowercase_json_object() {
        let json =
            headers_json(&["X-Paystack-Signature:  abc ".into(), "A-B: c: d".into()]).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["x-paystack-signature"], "abc");
        assert_eq!(v["a-b"], "c: d");
        assert!(headers_json(&["no colon".into()]).is_err());
        assert!(headers_json(&[": value".into()]).is_err());
    }
}
