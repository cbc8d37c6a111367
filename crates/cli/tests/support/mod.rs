//! Shared by the `malipo-cli` tests: run the real binary on a temporary database file, set up
//! the sales and attempts a flow would have raised (through `malipo_store::Store`, as the engine
//! does), and read the fixtures.
// Each test file uses a different part of this module.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use malipo_core::{
    Cart, Catalogue, Currency, Money, PaymentMethod, Phone, SaleDraft, TargetRef, Timestamp,
};
use malipo_store::{AttemptRow, NewAttempt, NewSale, SaleRow, Store};
use serde_json::Value;

/// The Paystack secret the tests sign with (a test key, not a real one).
pub const TEST_SECRET: &str = "sk_test_malipo_cli_example";

/// A finished run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout as the one JSON document it must be.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON document ({e}):\n{}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }

    /// Asserts success and returns the JSON.
    pub fn ok(&self) -> Value {
        assert_eq!(self.code, 0, "expected success; stderr: {}", self.stderr);
        assert!(self.stderr.is_empty(), "stderr: {}", self.stderr);
        self.json()
    }
}

/// A fresh temporary directory with the till database's path in it.
pub fn temp_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("till.db");
    (dir, db)
}

/// Runs `malipo-cli --db DB ARGS…` with no Paystack secret in its environment.
pub fn cli(db: &Path, args: &[&str]) -> Run {
    cli_env(db, args, None)
}

/// Runs `malipo-cli --db DB ARGS…`, with `MALIPO_PAYSTACK_SECRET` set to `secret` if given.
pub fn cli_env(db: &Path, args: &[&str], secret: Option<&str>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_malipo-cli"));
    cmd.arg("--db").arg(db).args(args);
    cmd.env_remove("MALIPO_PAYSTACK_SECRET");
    if let Some(s) = secret {
        cmd.env("MALIPO_PAYSTACK_SECRET", s);
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// A fixture file's path.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// `import --provider P --kind K --body FIXTURE [--header H]…`.
pub fn import(db: &Path, provider: &str, kind: &str, body: &Path, headers: &[&str]) -> Run {
    import_env(db, provider, kind, body, headers, None)
}

pub fn import_env(
    db: &Path,
    provider: &str,
    kind: &str,
    body: &Path,
    headers: &[&str],
    secret: Option<&str>,
) -> Run {
    let body = body.to_str().unwrap();
    let mut args = vec![
        "import",
        "--provider",
        provider,
        "--kind",
        kind,
        "--body",
        body,
    ];
    for h in headers {
        args.push("--header");
        args.push(h);
    }
    cli_env(db, &args, secret)
}

/// Opens (creating) the database the way the app does.
pub fn store(db: &Path) -> Store {
    Store::open(db).unwrap()
}

/// An open sale of one item costing `minor` KES cents on till `T1`.
pub fn sale(store: &mut Store, minor: i64) -> SaleRow {
    let catalogue = Catalogue::from_json(&format!(
        r#"{{"currency":"KES","items":[{{"sku":"X","barcode":null,"name":"Thing","price":{{"minor":{minor},"currency":"KES"}},"tax_class":"standard"}}]}}"#
    ))
    .unwrap();
    let mut cart = Cart::new(Currency::Kes);
    cart.add(&catalogue, "X", 1).unwrap();
    let draft = SaleDraft::from_cart(&cart).unwrap();
    store
        .sale_create(
            &NewSale {
                till_prefix: "T1",
                cashier: "wanjiku",
                draft: &draft,
                cart_id: None,
            },
            Timestamp(1),
        )
        .unwrap()
}

/// The STK push the till raised for `sale`, with the CheckoutRequestID Daraja answered.
pub fn stk_attempt(store: &mut Store, sale: &SaleRow, checkout: &str) -> AttemptRow {
    let attempt = store
        .attempt_create(
            &NewAttempt {
                method: PaymentMethod::MpesaStk,
                target: TargetRef::Sale(sale.id),
                amount: sale.total,
                phone: Some(Phone::parse("0708374149").unwrap()),
                account_reference: Some(sale.number.clone()),
                provider_ref: None,
            },
            Timestamp(2),
        )
        .unwrap();
    store
        .attempt_set_provider_ref(attempt.id, checkout, Timestamp(3))
        .unwrap();
    store.attempt_get(attempt.id).unwrap()
}

/// The card payment the till started for `sale`, with its Paystack reference.
pub fn card_attempt(store: &mut Store, sale: &SaleRow, reference: &str) -> AttemptRow {
    store
        .attempt_create(
            &NewAttempt {
                method: PaymentMethod::CardInline,
                target: TargetRef::Sale(sale.id),
                amount: sale.total,
                phone: None,
                account_reference: Some(sale.number.clone()),
                provider_ref: Some(reference.to_owned()),
            },
            Timestamp(2),
        )
        .unwrap()
}

/// KES cents.
pub fn kes(minor: i64) -> Money {
    Money::from_minor(minor, Currency::Kes)
}

/// The ledger as the CLI lists it.
pub fn payments(db: &Path) -> Vec<Value> {
    let v = cli(db, &["payments"]).ok();
    v["payments"].as_array().unwrap().clone()
}

/// `check` passes.
pub fn assert_check_ok(db: &Path) {
    let v = cli(db, &["check"]).ok();
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["problems"], serde_json::json!([]));
}
