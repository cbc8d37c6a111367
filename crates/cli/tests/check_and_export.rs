//! `malipo-cli check` passes on databases the flows built and fails (exit 2, the broken
//! invariants on stdout and stderr) on ones corrupted by hand; `export-csv` writes a header and
//! one row per payment that parse back with exact amounts.
#![allow(clippy::unwrap_used)]

mod support;

use malipo_core::{AttemptState, Timestamp};
use malipo_vault::Sensitive;
use support::*;

/// A database with an STK payment on a sale, two unmatched C2B receipts, a Paybill payment on
/// a sale and a card payment on a sale: every outcome the imports produce.
fn busy_till() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, db) = temp_db();
    {
        let mut s = store(&db);
        let stk_sale = sale(&mut s, 100);
        stk_attempt(&mut s, &stk_sale, "ws_CO_191220191020363925");
        let paybill_sale = sale(&mut s, 500);
        assert_eq!(paybill_sale.number, "T1-000002");
        let card_sale = sale(&mut s, 150_000);
        card_attempt(&mut s, &card_sale, "MLP-T1-000001-1");
    }
    for (kind, name) in [
        ("stk", "stk_callback_success.json"),
        ("c2b-confirm", "c2b_v2_masked.json"),
        ("c2b-confirm", "c2b_v1_hashed.json"),
    ] {
        import(&db, "daraja", kind, &fixture(name), &[]).ok();
    }
    // The Paybill sample typed as sale T1-000002 this time.
    let paybill = std::fs::read_to_string(fixture("c2b_v2_paybill_sale.json"))
        .unwrap()
        .replace("t1 000001", "t1 000002");
    let file = dir.path().join("paybill.json");
    std::fs::write(&file, paybill).unwrap();
    assert_eq!(
        import(&db, "daraja", "c2b-confirm", &file, &[]).ok()["outcome"],
        "posted"
    );
    let card = fixture("paystack_charge_success.json");
    let sig = malipo_providers::paystack::sign(
        &std::fs::read(&card).unwrap(),
        &Sensitive::new(TEST_SECRET.to_owned()),
    );
    let header = format!("x-paystack-signature: {sig}");
    let v = import_env(
        &db,
        "paystack",
        "paystack",
        &card,
        &[&header],
        Some(TEST_SECRET),
    )
    .ok();
    assert_eq!(v["outcome"], "posted");
    (dir, db)
}

#[test]
fn check_passes_on_a_database_the_flows_built() {
    let (_dir, db) = busy_till();
    assert_check_ok(&db);
    assert_eq!(cli(&db, &["payments"]).ok()["count"], 5);
}

#[test]
fn check_fails_on_a_succeeded_attempt_without_its_payment() {
    let (_dir, db) = busy_till();
    {
        // The store lets anyone move an attempt; only posting should make it succeed.
        let mut s = store(&db);
        let sale = sale(&mut s, 700);
        let a = stk_attempt(&mut s, &sale, "ws_CO_forged");
        s.attempt_transition(a.id, AttemptState::Succeeded, None, Timestamp(9))
            .unwrap();
    }
    let out = cli(&db, &["check"]);
    assert_eq!(out.code, 2, "stderr: {}", out.stderr);
    let v = out.json();
    assert_eq!(v["ok"], false);
    let problems = v["problems"].as_array().unwrap();
    assert!(
        problems.iter().any(|p| p
            .as_str()
            .unwrap()
            .contains("succeeded attempt without its payment")),
        "{v}"
    );
    assert!(out.stderr.contains("broken invariant"), "{}", out.stderr);
}

#[test]
fn check_fails_on_a_ledger_edited_by_hand() {
    let (_dir, db) = busy_till();
    let conn = rusqlite::Connection::open(&db).unwrap();
    // Payments' amounts are guarded by triggers, so the hand edits go around them: an unmatched
    // receipt marked placed although nothing placed it (the money disappears from the
    // incoming list), and an extra allocation that gives the card payment's money twice.
    let hidden = conn
        .execute(
            "UPDATE unmatched_receipts SET placed_at = 1 WHERE payment_id =
               (SELECT id FROM payments WHERE provider_txn_id = 'RKL51ZDR4F')",
            [],
        )
        .unwrap();
    assert_eq!(hidden, 1);
    conn.execute(
        "INSERT INTO allocations (payment_id, target_kind, target_id, amount_minor, matched_by, actor, created_at)
         SELECT payment_id, target_kind, target_id, amount_minor, 'clerk', 'mallory', 9 FROM allocations
         WHERE payment_id = (SELECT id FROM payments WHERE provider_txn_id = 'MLP-T1-000001-1')",
        [],
    )
    .unwrap();
    drop(conn);
    let out = cli(&db, &["check"]);
    assert_eq!(out.code, 2, "stderr: {}", out.stderr);
    let problems = out.json()["problems"].clone();
    let text = problems.to_string();
    assert!(text.contains("allocations exceed its amount"), "{text}");
    assert!(
        text.contains("money neither allocated nor waiting"),
        "{text}"
    );
}

/// A small RFC 4180 reader: quoted cells with doubled quotes, one record per line.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut cell) = (Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut cell)),
            (false, '\n') => {
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => cell.push(c),
        }
    }
    assert!(
        cell.is_empty() && record.is_empty(),
        "the CSV must end with a newline"
    );
    records
}

#[test]
fn export_csv_rows_parse_back_with_exact_amounts() {
    let (_dir, db) = busy_till();
    let out = cli(&db, &["export-csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let records = parse_csv(&out.stdout);
    let header = &records[0];
    assert_eq!(
        header.join(","),
        "payment_id,time_utc,method,provider,receipt,amount_minor,amount,currency,payer,payer_name,account_reference,sale_invoice,allocated_minor,unmatched_minor,status"
    );
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows = &records[1..];
    assert_eq!(rows.len(), 5);
    for r in rows {
        assert_eq!(r.len(), header.len(), "{r:?}");
        let minor: i64 = r[col("amount_minor")].parse().unwrap();
        // The decimal string is the same number, exactly.
        let (whole, cents) = r[col("amount")].split_once('.').unwrap();
        assert_eq!(cents.len(), 2);
        assert_eq!(
            whole.parse::<i64>().unwrap() * 100 + cents.parse::<i64>().unwrap(),
            minor
        );
        assert_eq!(r[col("currency")], "KES");
        let placed: i64 = r[col("allocated_minor")].parse().unwrap();
        let open: i64 = r[col("unmatched_minor")].parse().unwrap();
        assert_eq!(placed + open, minor, "{r:?}");
        assert!(r[col("time_utc")].ends_with('Z'));
        assert_eq!(r[col("status")], "received");
    }
    let by_receipt = |receipt: &str| rows.iter().find(|r| r[col("receipt")] == receipt).unwrap();
    let stk = by_receipt("NLJ7RT61SV");
    assert_eq!(
        (
            stk[col("method")].as_str(),
            stk[col("amount_minor")].as_str(),
            stk[col("amount")].as_str()
        ),
        ("mpesa_stk", "100", "1.00")
    );
    assert_eq!(stk[col("sale_invoice")], "T1-000001");
    assert_eq!(stk[col("payer")], "0708***149");
    assert_eq!(stk[col("time_utc")], "2019-12-19T07:21:15.000Z");
    let card = by_receipt("MLP-T1-000001-1");
    assert_eq!(card[col("amount")], "1500.00");
    assert_eq!(card[col("sale_invoice")], "T1-000003");
    let waiting = by_receipt("RKL51ZDR4F");
    assert_eq!(waiting[col("sale_invoice")], "");
    assert_eq!(waiting[col("unmatched_minor")], "500");
    assert_eq!(waiting[col("account_reference")], "Sample Transaction");
    assert_eq!(by_receipt("RKL51ZDR5G")[col("sale_invoice")], "T1-000002");
    // No full phone number anywhere in the export.
    assert!(!out.stdout.contains("254708374149"));
    // Oldest first.
    let times: Vec<&str> = rows.iter().map(|r| r[col("time_utc")].as_str()).collect();
    let mut sorted = times.clone();
    sorted.sort_unstable();
    assert_eq!(times, sorted);
    let total: i64 = rows
        .iter()
        .map(|r| r[col("amount_minor")].parse::<i64>().unwrap())
        .sum();
    assert_eq!(total, 100 + 500 + 100 + 500 + 150_000);
}

#[test]
fn export_and_payments_honour_the_time_range() {
    let (_dir, db) = busy_till();
    // 2019-12-19T00:00Z .. 2019-12-20T00:00Z holds only the STK payment.
    let (from, to) = ("1576713600000", "1576800000000");
    let v = cli(&db, &["payments", "--from", from, "--to", to]).ok();
    assert_eq!(v["count"], 1);
    assert_eq!(v["payments"][0]["receipt"], "NLJ7RT61SV");
    let csv = cli(&db, &["export-csv", "--from", from, "--to", to]);
    assert_eq!(parse_csv(&csv.stdout).len(), 2);
    let limited = cli(&db, &["payments", "--limit", "2"]).ok();
    assert_eq!(
        (limited["count"].as_i64(), limited["shown"].as_i64()),
        (Some(5), Some(2))
    );
}

#[test]
fn audit_shows_who_attached_an_unmatched_receipt_and_filters_by_entity() {
    let (_dir, db) = busy_till();
    let waiting = cli(&db, &["unmatched"]).ok()["unmatched"].clone();
    let receipt = waiting[0]["id"].as_i64().unwrap();
    let amount = waiting[0]["open"]["minor"].as_i64().unwrap();
    {
        let mut s = store(&db);
        let target = sale(&mut s, amount);
        s.attach_unmatched(
            receipt,
            malipo_core::TargetRef::Sale(target.id),
            "Manager",
            Timestamp(1_733_000_000_000),
        )
        .unwrap();
    }
    let id = receipt.to_string();
    let v = cli(
        &db,
        &["audit", "--entity", "unmatched_receipt", "--id", &id],
    )
    .ok();
    let lines = v["audit"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{v}");
    assert_eq!(lines[0]["action"], "attach_unmatched");
    assert_eq!(lines[0]["actor"], "Manager");
    assert_eq!(lines[0]["at"], "2024-11-30T20:53:20.000Z");
    // The states are JSON, not JSON inside a string.
    assert!(lines[0]["after"].is_object(), "{v}");

    // Unfiltered: newest first, the attach among the flows' own lines; --limit caps it.
    let all = cli(&db, &["audit"]).ok()["audit"].clone();
    let all = all.as_array().unwrap();
    assert!(all.len() > 1, "{all:?}");
    assert!(all
        .windows(2)
        .all(|w| w[0]["id"].as_i64() > w[1]["id"].as_i64()));
    assert_eq!(
        cli(&db, &["audit", "--limit", "1"]).ok()["audit"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let bad = cli(&db, &["audit", "--entity", "sale"]);
    assert_eq!(bad.code, 1, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("--entity and --id together"),
        "{}",
        bad.stderr
    );
}
