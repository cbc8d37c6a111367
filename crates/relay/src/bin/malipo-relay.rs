//! The `malipo-relay` program: parses arguments, sets up logging, and hands over to the
//! library (`serve`, `shop-create`, `till-create`).
//!
//! Settings come from flags, else the environment, else a JSON config file (`--config` /
//! `MALIPO_RELAY_CONFIG`, an object keyed by the flag names: `{"listen": "0.0.0.0:8480",
//! "retention-days": 30}`): `--db` / `MALIPO_RELAY_DB` (default
//! `relay.sqlite`), `--listen` / `MALIPO_RELAY_LISTEN` (default `127.0.0.1:8480`),
//! `--public-url` / `MALIPO_RELAY_PUBLIC_URL` (the base providers reach the relay at),
//! `--allow-daraja` / `MALIPO_RELAY_ALLOW_DARAJA` (and `-paystack`, `-clickpesa`): comma-separated
//! source blocks each provider's callbacks must come from; `--retention-days` /
//! `MALIPO_RELAY_RETENTION_DAYS` (acknowledged events older than that are pruned; default keep);
//! `--rate-limit` / `MALIPO_RELAY_RATE_LIMIT` as `PER_SECOND/BURST` per shop (default none).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use malipo_relay::admin::{
    create_device, create_shop, device_report, rotate_device_token, rotate_shop_endpoint,
    shop_report,
};
use malipo_relay::allow::{Cidr, SourceAllowlists};
use malipo_relay::limit::RateLimit;
use malipo_relay::{run, system_clock, AppState, DeviceId, RelayConfig, ShopId, SqliteStore};

const USAGE: &str = "usage:
  malipo-relay serve [--config FILE] [--db PATH] [--listen ADDR] [--body-limit BYTES]
                     [--allow-daraja CIDRS] [--allow-paystack CIDRS] [--allow-clickpesa CIDRS]
                     [--retention-days DAYS] [--rate-limit PER_SECOND/BURST]
  malipo-relay shop-create --name NAME --public-url URL [--db PATH]
  malipo-relay till-create --shop ID --name NAME [--db PATH]
  malipo-relay shop-rotate --shop ID --public-url URL [--db PATH]
  malipo-relay till-rotate --device ID [--db PATH]";

/// `--flag value` pairs after the subcommand; then the environment; then the config file.
struct Args {
    flags: Vec<(String, String)>,
    file: serde_json::Map<String, serde_json::Value>,
}

impl Args {
    fn parse(rest: &[String]) -> Result<Self, String> {
        let mut pairs = Vec::new();
        let mut it = rest.iter();
        while let Some(flag) = it.next() {
            let name = flag
                .strip_prefix("--")
                .ok_or_else(|| format!("unexpected argument {flag:?}"))?;
            let value = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
            pairs.push((name.to_owned(), value.clone()));
        }
        let mut args = Self {
            flags: pairs,
            file: serde_json::Map::new(),
        };
        if let Some(path) = args.get("config", Some("MALIPO_RELAY_CONFIG")) {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read the config file {path}: {e}"))?;
            args.file = serde_json::from_str(&text)
                .map_err(|e| format!("the config file {path} is not a JSON object: {e}"))?;
        }
        Ok(args)
    }

    fn get(&self, name: &str, env: Option<&str>) -> Option<String> {
        self.flags
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .or_else(|| env.and_then(|e| std::env::var(e).ok()))
            .or_else(|| match self.file.get(name)? {
                serde_json::Value::String(s) => Some(s.clone()),
                other => Some(other.to_string()),
            })
    }

    fn required(&self, name: &str, env: Option<&str>) -> Result<String, String> {
        self.get(name, env)
            .ok_or_else(|| format!("--{name} is required"))
    }

    fn db(&self) -> PathBuf {
        PathBuf::from(
            self.get("db", Some("MALIPO_RELAY_DB"))
                .unwrap_or_else(|| "relay.sqlite".into()),
        )
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // Colour codes only on a terminal, not in log files or a service journal.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&argv) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("malipo-relay: {message}\n{USAGE}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(argv: &[String]) -> Result<(), String> {
    let (command, rest) = argv.split_first().ok_or("a subcommand is required")?;
    let args = Args::parse(rest)?;
    let now = system_clock();
    match command.as_str() {
        "serve" => serve(&args),
        "shop-create" => {
            let store = SqliteStore::open(&args.db()).map_err(|e| e.to_string())?;
            let name = args.required("name", None)?;
            let base = args.required("public-url", Some("MALIPO_RELAY_PUBLIC_URL"))?;
            let shop = create_shop(&store, &name, &base, now()).map_err(|e| e.to_string())?;
            print!("{}", shop_report(&shop));
            Ok(())
        }
        "till-create" => {
            let store = SqliteStore::open(&args.db()).map_err(|e| e.to_string())?;
            let shop = args.required("shop", None)?;
            let shop = ShopId(
                shop.parse()
                    .map_err(|_| format!("--shop {shop:?} is not a shop id"))?,
            );
            let name = args.required("name", None)?;
            let device = create_device(&store, shop, &name, now()).map_err(|e| e.to_string())?;
            print!("{}", device_report(&device));
            Ok(())
        }
        "shop-rotate" => {
            let store = SqliteStore::open(&args.db()).map_err(|e| e.to_string())?;
            let shop = ShopId(number(&args.required("shop", None)?, "--shop")?);
            let base = args.required("public-url", Some("MALIPO_RELAY_PUBLIC_URL"))?;
            let shop = rotate_shop_endpoint(&store, shop, &base).map_err(|e| e.to_string())?;
            print!("{}", shop_report(&shop));
            Ok(())
        }
        "till-rotate" => {
            let store = SqliteStore::open(&args.db()).map_err(|e| e.to_string())?;
            let device = DeviceId(number(&args.required("device", None)?, "--device")?);
            let device = rotate_device_token(&store, device).map_err(|e| e.to_string())?;
            print!("{}", device_report(&device));
            Ok(())
        }
        other => Err(format!("unknown subcommand {other:?}")),
    }
}

fn number(value: &str, flag: &str) -> Result<i64, String> {
    value
        .parse()
        .map_err(|_| format!("{flag} {value:?} is not a number"))
}

fn serve(args: &Args) -> Result<(), String> {
    let store = SqliteStore::open(&args.db()).map_err(|e| e.to_string())?;
    let listen = args
        .get("listen", Some("MALIPO_RELAY_LISTEN"))
        .unwrap_or_else(|| "127.0.0.1:8480".into());
    let mut config = RelayConfig::default();
    if let Some(limit) = args.get("body-limit", Some("MALIPO_RELAY_BODY_LIMIT")) {
        config.body_limit = limit
            .parse()
            .map_err(|_| format!("--body-limit {limit:?} is not a number"))?;
    }
    let allow = |flag: &str, env: &str| -> Result<Option<Vec<Cidr>>, String> {
        args.get(flag, Some(env))
            .map(|list| Cidr::parse_list(&list).map_err(|e| format!("--{flag}: {e}")))
            .transpose()
    };
    config.allow = SourceAllowlists {
        daraja: allow("allow-daraja", "MALIPO_RELAY_ALLOW_DARAJA")?,
        paystack: allow("allow-paystack", "MALIPO_RELAY_ALLOW_PAYSTACK")?,
        clickpesa: allow("allow-clickpesa", "MALIPO_RELAY_ALLOW_CLICKPESA")?,
    };
    if let Some(limit) = args.get("rate-limit", Some("MALIPO_RELAY_RATE_LIMIT")) {
        let bad = || format!("--rate-limit {limit:?} is not PER_SECOND/BURST");
        let (per_second, burst) = limit.split_once('/').ok_or_else(bad)?;
        config.rate_limit = Some(RateLimit {
            per_second: per_second.parse().map_err(|_| bad())?,
            burst: burst.parse().map_err(|_| bad())?,
        });
    }
    if let Some(days) = args.get("retention-days", Some("MALIPO_RELAY_RETENTION_DAYS")) {
        let days: u64 = days
            .parse()
            .map_err(|_| format!("--retention-days {days:?} is not a number"))?;
        config.retention = Some(std::time::Duration::from_secs(days.saturating_mul(86_400)));
    }
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&listen)
            .await
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        let state = AppState::new(Arc::new(store), system_clock(), config);
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        run(listener, state, shutdown)
            .await
            .map_err(|e| e.to_string())
    })
}
