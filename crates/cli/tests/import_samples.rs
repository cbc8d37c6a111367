//! Acceptance item 8: `malipo-cli import` takes each sample event from the references into a
//! fresh database, and the ledger it then lists as JSON is what the flows would have produced —
//! posted to the right sale, receipt numbers and amounts in minor units, one payment per
//! receipt however often the same file is imported, a failed STK closing its attempt, and a
//! Paystack event with a bad signature kept as an `error` inbox row, not posted.
#![allow(clippy::unwrap_used)]

mod support;

use malipo_core::{AttemptState, SaleStatus};
use malipo_vault::Sensitive;
use serde_json::json;
use support::*;

const CHECKOUT: &str = "ws_CO_191220191020363925";

#[test]
fn stk_success_callback_posts_to_its_sale_once() {
    let (_dir, db) = temp_db();
    let (sale, attempt) = {
        let mut s = store(&db);
        let sale = sale(&mut s, 100);
        let attempt = stk_attempt(&mut s, &sale, CHECKOUT);
        (sale, attempt)
    };
    let body = fixture("stk_callback_success.json");

    let first = import(&db, "daraja", "stk", &body, &[]).ok();
    assert_eq!(first["outcome"], "posted", "{first}");
    let p = &first["payment"];
    assert_eq!(p["receipt"], "NLJ7RT61SV");
    assert_eq!(p["method"], "mpesa_stk");
    assert_eq!(
        p["amount"],
        json!({"minor": 100, "currency": "KES", "decimal": "1.00"})
    );
    assert_eq!(p["payer"], "0708***149");
    assert_eq!(p["attempt_id"], attempt.id);
    // The callback's TransactionDate 20191219102115 is Nairobi time (UTC+3).
    assert_eq!(p["received_at"], "2019-12-19T07:21:15.000Z");
    assert_eq!(
        p["allocations"][0]["target"]["number"],
        sale.number.as_str()
    );
    assert_eq!(p["allocations"][0]["amount"]["minor"], 100);
    assert_eq!(p["unmatched"], json!(null));

    let again = import(&db, "daraja", "stk", &body, &[]).ok();
    assert_eq!(again["outcome"], "duplicate", "{again}");
    assert_eq!(again["payment"]["id"], p["id"]);

    let ledger = payments(&db);
    assert_eq!(ledger.len(), 1, "one payment per receipt: {ledger:?}");
    assert_eq!(ledger[0]["receipt"], "NLJ7RT61SV");

    let attempts = cli(&db, &["attempts"]).ok();
    assert_eq!(attempts["attempts"][0]["state"], "succeeded");
    assert_eq!(
        cli(&db, &["attempts", "--pending"]).ok()["attempts"],
        json!([])
    );
    let s = store(&db);
    assert_eq!(s.sale_get(sale.id).unwrap().status, SaleStatus::Completed);

    // Both copies are kept exactly as imported, with the relay path's header shape.
    let inbox = cli(&db, &["inbox"]).ok();
    let events = inbox["events"].as_array().unwrap();
    let outcomes: Vec<&str> = events
        .iter()
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["posted", "duplicate"]);
    let raw = std::fs::read_to_string(&body).unwrap();
    for e in events {
        assert_eq!(e["body_encoding"], "utf8");
        assert_eq!(e["body"], raw.as_str());
        assert_eq!(e["headers"], json!({}));
        assert_eq!(e["relay_seq"], json!(null));
        assert_eq!(
            (e["provider"].as_str(), e["kind"].as_str()),
            (Some("daraja"), Some("stk"))
        );
    }
    assert_check_ok(&db);
}

#[test]
fn stk_failure_callback_closes_the_attempt_and_posts_nothing() {
    let (_dir, db) = temp_db();
    let sale = {
        let mut s = store(&db);
        let sale = sale(&mut s, 100);
        stk_attempt(&mut s, &sale, CHECKOUT);
        sale
    };
    let out = import(
        &db,
        "daraja",
        "stk",
        &fixture("stk_callback_cancelled.json"),
        &[],
    )
    .ok();
    assert_eq!(out["outcome"], "applied", "{out}");
    assert_eq!(out["payment"], json!(null));

    let attempts = cli(&db, &["attempts"]).ok();
    let a = &attempts["attempts"][0];
    assert_eq!(a["state"], AttemptState::Cancelled.code());
    assert_eq!(a["provider_ref"], CHECKOUT);
    assert!(a["reason"].as_str().is_some_and(|r| !r.is_empty()), "{a}");
    assert!(payments(&db).is_empty());
    assert_eq!(
        store(&db).sale_get(sale.id).unwrap().status,
        SaleStatus::Open
    );

    // The same failure again changes nothing.
    let again = import(
        &db,
        "daraja",
        "stk",
        &fixture("stk_callback_cancelled.json"),
        &[],
    )
    .ok();
    assert_eq!(again["outcome"], "ignored", "{again}");
    assert_check_ok(&db);
}

#[test]
fn c2b_confirmations_with_masked_and_hashed_msisdn_wait_as_unmatched() {
    let (_dir, db) = temp_db();
    let masked = import(
        &db,
        "daraja",
        "c2b-confirm",
        &fixture("c2b_v2_masked.json"),
        &[],
    )
    .ok();
    assert_eq!(masked["outcome"], "unmatched", "{masked}");
    let p = &masked["payment"];
    assert_eq!(p["receipt"], "RKL51ZDR4F");
    assert_eq!(p["method"], "mpesa_paybill");
    assert_eq!(p["amount"]["minor"], 500);
    // The parser keeps the masked MSISDN without its spaces.
    assert_eq!(p["payer"], "2547*****126");
    assert_eq!(p["payer_name"], "NICHOLAS");
    assert_eq!(p["account_reference"], "Sample Transaction");
    assert_eq!(p["allocations"], json!([]));
    assert_eq!(p["unmatched"]["reason"], "unknown_reference");
    assert_eq!(p["unmatched"]["open"]["minor"], 500);

    let hashed = import(
        &db,
        "daraja",
        "c2b-confirm",
        &fixture("c2b_v1_hashed.json"),
        &[],
    )
    .ok();
    assert_eq!(hashed["outcome"], "unmatched", "{hashed}");
    let p = &hashed["payment"];
    assert_eq!(p["receipt"], "TK60708BHZ");
    assert_eq!(p["amount"]["minor"], 100);
    assert_eq!(
        p["payer"],
        "94c392c311d522da950619227b3361752a42042db7e1e699b26e628305c68a88"
    );
    assert_eq!(p["payer_name"], "NICHOLAS JOHN SONGOK");
    assert_eq!(p["account_reference"], "UM001");

    // Imported twice each: still one payment per receipt.
    for name in ["c2b_v2_masked.json", "c2b_v1_hashed.json"] {
        let again = import(&db, "daraja", "c2b-confirm", &fixture(name), &[]).ok();
        assert_eq!(again["outcome"], "duplicate", "{name}: {again}");
    }
    let ledger = payments(&db);
    let mut receipts: Vec<&str> = ledger
        .iter()
        .map(|p| p["receipt"].as_str().unwrap())
        .collect();
    receipts.sort_unstable();
    assert_eq!(receipts, ["RKL51ZDR4F", "TK60708BHZ"]);

    let waiting = cli(&db, &["unmatched"]).ok();
    let waiting = waiting["unmatched"].as_array().unwrap();
    assert_eq!(waiting.len(), 2);
    let open: i64 = waiting
        .iter()
        .map(|u| u["open"]["minor"].as_i64().unwrap())
        .sum();
    assert_eq!(open, 600);
    assert_check_ok(&db);
}

#[test]
fn c2b_paybill_with_the_sale_number_posts_to_that_sale() {
    let (_dir, db) = temp_db();
    let sale = {
        let mut s = store(&db);
        sale(&mut s, 500)
    };
    assert_eq!(sale.number, "T1-000001");
    let out = import(
        &db,
        "daraja",
        "c2b-confirm",
        &fixture("c2b_v2_paybill_sale.json"),
        &[],
    )
    .ok();
    assert_eq!(out["outcome"], "posted", "{out}");
    let a = &out["payment"]["allocations"][0];
    assert_eq!(
        a["target"],
        json!({"kind": "sale", "id": sale.id, "number": "T1-000001"})
    );
    assert_eq!(a["matched_by"], "account_reference");
    assert_eq!(a["amount"]["minor"], 500);
    assert_eq!(
        store(&db).sale_get(sale.id).unwrap().status,
        SaleStatus::Completed
    );
    assert_check_ok(&db);
}

fn sign(body: &[u8], secret: &str) -> String {
    malipo_providers::paystack::sign(body, &Sensitive::new(secret.to_owned()))
}

#[test]
fn paystack_charge_success_with_a_valid_signature_posts_to_its_sale() {
    let (_dir, db) = temp_db();
    let sale = {
        let mut s = store(&db);
        let sale = sale(&mut s, 150_000);
        card_attempt(&mut s, &sale, "MLP-T1-000001-1");
        sale
    };
    let body = fixture("paystack_charge_success.json");
    let header = format!(
        "X-Paystack-Signature: {}",
        sign(&std::fs::read(&body).unwrap(), TEST_SECRET)
    );
    let out = import_env(
        &db,
        "paystack",
        "paystack",
        &body,
        &[&header],
        Some(TEST_SECRET),
    );
    let v = out.ok();
    assert_eq!(v["outcome"], "posted", "{v}");
    let p = &v["payment"];
    assert_eq!(p["receipt"], "MLP-T1-000001-1");
    assert_eq!(p["method"], "card_inline");
    assert_eq!(
        p["amount"],
        json!({"minor": 150_000, "currency": "KES", "decimal": "1500.00"})
    );
    assert_eq!(p["payer"], "MASTERCARD •••• 8877");
    assert_eq!(
        p["allocations"][0]["target"]["number"],
        sale.number.as_str()
    );
    assert!(!out.stdout.contains(TEST_SECRET), "the secret was printed");

    let again = import_env(
        &db,
        "paystack",
        "paystack",
        &body,
        &[&header],
        Some(TEST_SECRET),
    )
    .ok();
    assert_eq!(again["outcome"], "duplicate");
    assert_eq!(payments(&db).len(), 1);
    // The header is stored lowercased, as the relay path stores it.
    let inbox = cli(&db, &["inbox"]).ok();
    let sig = header.split_once(": ").unwrap().1;
    assert_eq!(
        inbox["events"][0]["headers"],
        json!({"x-paystack-signature": sig})
    );
    assert_check_ok(&db);
}

#[test]
fn paystack_reference_vector_verifies_byte_for_byte() {
    // paystack.md §6.1, the self-computed vector: these exact 110 bytes under this key.
    let body = br#"{"event":"charge.success","data":{"reference":"MLP-0001","amount":150000,"currency":"KES","status":"success"}}"#;
    let key = "sk_test_malipo_example_key";
    let signature = "0f10cf1902db29a604e0728b140442749cefdaf19eecde81b20d171b611b1b10a67665761b3e172b67bafe2edcfca2d841bad1ffd026e6d2913a039ad2f0a3d0";
    assert_eq!(body.len(), 110);
    let (dir, db) = temp_db();
    let file = dir.path().join("vector.json");
    std::fs::write(&file, body).unwrap();
    let header = format!("x-paystack-signature: {signature}");
    let v = import_env(&db, "paystack", "paystack", &file, &[&header], Some(key)).ok();
    // No attempt and no target in its metadata: real money, waiting to be placed.
    assert_eq!(v["outcome"], "unmatched", "{v}");
    assert_eq!(v["payment"]["receipt"], "MLP-0001");
    assert_eq!(v["payment"]["amount"]["minor"], 150_000);
    assert_check_ok(&db);
}

#[test]
fn paystack_bad_signature_is_kept_as_an_error_and_not_posted() {
    let (_dir, db) = temp_db();
    let sale = {
        let mut s = store(&db);
        let sale = sale(&mut s, 150_000);
        card_attempt(&mut s, &sale, "MLP-T1-000001-1");
        sale
    };
    let body = fixture("paystack_charge_success.json");
    let forged = format!(
        "X-Paystack-Signature: {}",
        sign(&std::fs::read(&body).unwrap(), "sk_test_someone_else")
    );
    let out = import_env(
        &db,
        "paystack",
        "paystack",
        &body,
        &[&forged],
        Some(TEST_SECRET),
    );
    assert_eq!(out.code, 2, "stderr: {}", out.stderr);
    assert!(out.stderr.contains("signature"), "{}", out.stderr);
    assert!(!out.stderr.contains(TEST_SECRET) && !out.stdout.contains(TEST_SECRET));
    let v = out.json();
    assert_eq!(v["outcome"], "error");
    assert_eq!(v["payment"], json!(null));
    assert!(payments(&db).is_empty());

    let errors = cli(&db, &["inbox", "--outcome", "error"]).ok();
    let events = errors["events"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["id"], v["inbox_id"]);
    assert_eq!(
        events[0]["body"],
        std::fs::read_to_string(&body).unwrap().as_str()
    );
    assert!(events[0]["detail"].as_str().unwrap().contains("signature"));

    // Retrying does not make a forged signature good.
    let id = v["inbox_id"].to_string();
    let retried = cli_env(&db, &["retry", "--inbox", &id], Some(TEST_SECRET));
    assert_eq!(retried.code, 2, "{}", retried.stderr);
    assert!(payments(&db).is_empty());
    assert_eq!(
        store(&db).sale_get(sale.id).unwrap().status,
        SaleStatus::Open
    );
    assert_check_ok(&db);
}

#[test]
fn a_paystack_event_without_the_secret_waits_and_retry_posts_it() {
    let (_dir, db) = temp_db();
    {
        let mut s = store(&db);
        let sale = sale(&mut s, 150_000);
        card_attempt(&mut s, &sale, "MLP-T1-000001-1");
    }
    let body = fixture("paystack_charge_success.json");
    let header = format!(
        "X-Paystack-Signature: {}",
        sign(&std::fs::read(&body).unwrap(), TEST_SECRET)
    );
    let out = import(&db, "paystack", "paystack", &body, &[&header]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("MALIPO_PAYSTACK_SECRET"),
        "{}",
        out.stderr
    );
    let id = out.json()["inbox_id"].to_string();

    let retried = cli_env(&db, &["retry", "--inbox", &id], Some(TEST_SECRET)).ok();
    assert_eq!(retried["outcome"], "posted", "{retried}");
    assert_eq!(payments(&db).len(), 1);
    // A posted event is not a problem: nothing to retry.
    let again = cli_env(&db, &["retry", "--inbox", &id], Some(TEST_SECRET));
    assert_eq!(again.code, 1);
    assert!(
        again.stderr.contains("nothing to retry"),
        "{}",
        again.stderr
    );
    assert_check_ok(&db);
}
