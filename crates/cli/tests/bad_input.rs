//! Bad input to `malipo-cli`: a clear sentence on stderr and a non-zero exit, and nothing half
//! done — except a body that cannot be read as an event, whose raw bytes are still kept in the
//! inbox as an `error` row (nothing is silently dropped), ready to retry.
#![allow(clippy::unwrap_used)]

mod support;

use base64::Engine as _;
use serde_json::json;
use support::*;

#[test]
fn a_missing_body_file_stores_nothing() {
    let (dir, db) = temp_db();
    let missing = dir.path().join("not-there.json");
    let out = import(&db, "daraja", "stk", &missing, &[]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains("cannot read"), "{}", out.stderr);
    assert!(out.stderr.contains("not-there.json"), "{}", out.stderr);
    assert!(
        !db.exists(),
        "no database is created for an import that cannot start"
    );
}

#[test]
fn an_unknown_kind_or_provider_is_refused_before_storing() {
    let (_dir, db) = temp_db();
    store(&db);
    let body = fixture("stk_callback_success.json");
    for (provider, kind, says) in [
        ("daraja", "stk-callback", "unknown event kind"),
        ("mpesa", "stk", "unknown provider"),
        ("paystack", "stk", "come from daraja"),
    ] {
        let out = import(&db, provider, kind, &body, &[]);
        assert_eq!(out.code, 1, "{provider}/{kind}");
        assert!(out.stdout.is_empty());
        assert!(
            out.stderr.contains(says),
            "{provider}/{kind}: {}",
            out.stderr
        );
    }
    let bad_header = import(&db, "daraja", "stk", &body, &["no-colon"]);
    assert_eq!(bad_header.code, 1);
    assert!(
        bad_header.stderr.contains("Name: value"),
        "{}",
        bad_header.stderr
    );
    assert_eq!(cli(&db, &["inbox"]).ok()["events"], json!([]));
}

#[test]
fn a_malformed_body_is_kept_as_an_error_row_with_its_exact_bytes() {
    let (dir, db) = temp_db();
    let text = "{\"Body\": {\"stkCallback\": ";
    let file = dir.path().join("cut.json");
    std::fs::write(&file, text).unwrap();
    let out = import(&db, "daraja", "stk", &file, &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("unreadable STK callback"),
        "{}",
        out.stderr
    );
    let v = out.json();
    assert_eq!(v["outcome"], "error");

    // Not UTF-8 at all: kept too, shown as base64.
    let bytes = [0xff_u8, 0xfe, b'{', 0x00, 0x80];
    let binary = dir.path().join("binary.bin");
    std::fs::write(&binary, bytes).unwrap();
    let out = import(&db, "daraja", "c2b-confirm", &binary, &[]);
    assert_eq!(out.code, 2);

    let errors = cli(&db, &["inbox", "--outcome", "error"]).ok();
    let events = errors["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["id"], v["inbox_id"]);
    assert_eq!(events[0]["body_encoding"], "utf8");
    assert_eq!(events[0]["body"], text);
    assert_eq!(events[1]["body_encoding"], "base64");
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(events[1]["body"].as_str().unwrap())
        .unwrap();
    assert_eq!(decoded, bytes);
    assert!(payments(&db).is_empty());
    assert_check_ok(&db);
}

#[test]
fn listing_commands_never_create_a_database() {
    let (_dir, db) = temp_db();
    for cmd in [
        &["payments"][..],
        &["attempts"],
        &["unmatched"],
        &["inbox"],
        &["export-csv"],
        &["check"],
        &["retry", "--inbox", "1"],
    ] {
        let out = cli(&db, cmd);
        assert_eq!(out.code, 1, "{cmd:?}");
        assert!(
            out.stderr.contains("no database"),
            "{cmd:?}: {}",
            out.stderr
        );
        assert!(out.stdout.is_empty());
    }
    assert!(!db.exists());
}

#[test]
fn usage_mistakes_are_explained() {
    let (_dir, db) = temp_db();
    store(&db);
    for (args, says) in [
        (&["frobnicate"][..], "unknown command"),
        (&["payments", "--limit", "0"], "at least 1"),
        (&["payments", "--from", "5", "--to", "5"], "before --to"),
        (&["inbox", "--outcome", "lost"], "unknown outcome"),
        (
            &["attempts", "--outcome", "error"],
            "does not take --outcome",
        ),
        (&["retry", "--inbox", "99"], "no inbox event 99"),
        (&["import", "--kind", "stk"], "needs --provider"),
    ] {
        let out = cli(&db, args);
        assert_eq!(out.code, 1, "{args:?}");
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let help = cli(&db, &["--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("export-csv"));
}

#[test]
fn an_unknown_currency_is_refused() {
    let (_dir, db) = temp_db();
    store(&db);
    let body = fixture("c2b_v2_masked.json");
    let body = body.to_str().unwrap();
    let out = cli(
        &db,
        &[
            "import",
            "--provider",
            "daraja",
            "--kind",
            "c2b-confirm",
            "--body",
            body,
            "--currency",
            "XYZ",
        ],
    );
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("unknown currency"), "{}", out.stderr);
    assert_eq!(
        cli(&db, &["inbox"]).ok()["events"],
        json!([]),
        "nothing stored"
    );
}

#[test]
fn a_clickpesa_payment_is_posted_once_however_often_it_is_imported() {
    let (_dir, db) = temp_db();
    let body = fixture("clickpesa_payment_received.json");
    let out = import(&db, "clickpesa", "clickpesa", &body, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let again = import(&db, "clickpesa", "clickpesa", &body, &[]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let posted = payments(&db);
    assert_eq!(posted.len(), 1, "one payment: {posted:?}");
    assert_eq!(posted[0]["method"], "billpay", "{posted:?}");
    assert_check_ok(&db);
}
