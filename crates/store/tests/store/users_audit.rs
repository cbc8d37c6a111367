//! PINs are hashed; the audit log is append-only; settings changes are audited.

use malipo_store::Role;

use crate::{file_store, T0};

#[test]
fn pins_are_hashed_and_verified() {
    let (dir, mut store) = file_store();
    store
        .user_create("Aisha", Role::Cashier, "482913", "setup", T0)
        .unwrap();
    store
        .user_create("Boss", Role::Manager, "771100", "setup", T0)
        .unwrap();
    assert_eq!(
        store
            .user_verify_pin("aisha", "482913")
            .unwrap()
            .map(|u| u.role),
        Some(Role::Cashier)
    );
    assert!(store.user_verify_pin("Aisha", "000000").unwrap().is_none());
    assert!(store.user_verify_pin("nobody", "482913").unwrap().is_none());
    assert!(
        store
            .user_create("AISHA", Role::Cashier, "1234", "setup", T0)
            .is_err(),
        "names are unique"
    );
    assert!(store
        .user_create("Juma", Role::Cashier, "12a4", "setup", T0)
        .is_err());
    assert!(store
        .user_create("Juma", Role::Cashier, "12", "setup", T0)
        .is_err());
    drop(store);
    let mut bytes = std::fs::read(dir.path().join("till.db")).unwrap();
    if let Ok(wal) = std::fs::read(dir.path().join("till.db-wal")) {
        bytes.extend(wal);
    }
    let hay = String::from_utf8_lossy(&bytes);
    assert!(
        !hay.contains("482913") && !hay.contains("771100"),
        "a PIN never reaches the file"
    );
}

#[test]
fn the_audit_log_cannot_be_rewritten() {
    let (dir, mut store) = file_store();
    store
        .setting_set("refunds.enabled", "false", "setup", T0)
        .unwrap();
    store
        .setting_set("refunds.enabled", "true", "boss", T0.plus_ms(1))
        .unwrap();
    let log = store
        .audit_list(Some(("setting", "refunds.enabled")), 10)
        .unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(
        (
            log[0].actor.as_str(),
            log[0].before.as_deref(),
            log[0].after.as_deref()
        ),
        ("boss", Some("false"), Some("true"))
    );
    drop(store);
    let conn = rusqlite::Connection::open(dir.path().join("till.db")).unwrap();
    let err = conn
        .execute("UPDATE audit_log SET actor = 'someone else'", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    assert!(conn.execute("DELETE FROM audit_log", []).is_err());
}

#[test]
fn payments_and_allocations_cannot_be_deleted_or_rewritten() {
    let (dir, mut store) = file_store();
    let s = crate::sale(&mut store, 100);
    let mut c = crate::conf(malipo_core::PaymentMethod::Cash, "CASH-T1-1", 100);
    c.account_reference = Some(s.number.clone());
    store.post_payment(&c, T0).unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(dir.path().join("till.db")).unwrap();
    assert!(conn.execute("DELETE FROM payments", []).is_err());
    assert!(conn
        .execute("UPDATE payments SET amount_minor = 1", [])
        .is_err());
    assert!(conn.execute("DELETE FROM allocations", []).is_err());
    assert!(conn
        .execute("UPDATE allocations SET amount_minor = 1", [])
        .is_err());
}
