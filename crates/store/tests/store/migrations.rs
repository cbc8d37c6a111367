//! Migrations run on open; a database from a newer Malipo is refused with a clear error.

use malipo_store::{Store, StoreError, SCHEMA_VERSION};

#[test]
fn an_empty_or_older_file_is_brought_up_to_date_and_reopening_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        // A database as an older (pre-schema) build left it: a file with user_version 0.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA user_version = 0; CREATE TABLE legacy_note (x TEXT); INSERT INTO legacy_note VALUES ('kept');").unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    store
        .setting_set("shop.name", "Duka la Mama", "setup", crate::T0)
        .unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.setting_get("shop.name").unwrap().as_deref(),
        Some("Duka la Mama")
    );
    let conn = rusqlite::Connection::open(&path).unwrap();
    let note: String = conn
        .query_row("SELECT x FROM legacy_note", [], |r| r.get(0))
        .unwrap();
    assert_eq!(note, "kept", "upgrading never drops what was there");
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    drop(Store::open(&path).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(&format!("PRAGMA user_version = {}", SCHEMA_VERSION + 1))
        .unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::NewerSchema { found, supported } if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION)
    );
    assert!(err.to_string().contains("newer version of Malipo"), "{err}");
}

#[test]
fn foreign_keys_are_enforced() {
    let (_d, mut store) = crate::file_store();
    let mut c = crate::conf(malipo_core::PaymentMethod::Cash, "CASH-1", 100);
    c.inbox_id = Some(12345);
    assert!(
        store.post_payment(&c, crate::T0).is_err(),
        "a payment cannot name a missing inbox event"
    );
    assert!(
        store.check().unwrap().is_empty(),
        "and nothing of it was kept"
    );
}
