//! The register over a real store file: the cart survives a restart, hold/recall, discounts
//! and VAT, checkout is idempotent and freezes the cart, a cash payment shows on the sale,
//! cancel and new sale; login, manager unlock; settings keep secrets in the vault only.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::{Arc, Mutex};

use malipo_core::{Catalogue, Currency, Money, PaymentMethod, SaleStatus, Timestamp};
use malipo_engine::register::{
    DarajaInput, OptionsInput, PaystackInput, Register, RegisterError, RelayInput,
};
use malipo_engine::{Engine, EngineConfig};
use malipo_store::{Role, Store};
use malipo_vault::{MemoryVault, SecretKey, SecretName, SecretVault, Sensitive};

const CATALOGUE: &str = include_str!("../../../assets/catalogue.json");

fn clock() -> Timestamp {
    Timestamp(1_764_000_000_000)
}

fn kes(minor: i64) -> Money {
    Money::from_minor(minor, Currency::Kes)
}

fn open(path: &Path) -> (Arc<Mutex<Store>>, Register) {
    let mut store = Store::open(path).unwrap();
    if store.catalogue_list().unwrap().is_empty() {
        store
            .catalogue_replace(&Catalogue::from_json(CATALOGUE).unwrap(), clock())
            .unwrap();
    }
    let store = Arc::new(Mutex::new(store));
    let register = Register::with_clock(store.clone(), "T1", "duka", Currency::Kes, clock);
    (store, register)
}

#[test]
fn the_cart_is_rung_up_by_sku_or_barcode_and_survives_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("till.db");
    let (_, register) = open(&db);
    let empty = register.cart().unwrap();
    assert!(empty.lines.is_empty() && !empty.frozen);

    register.cart_add("SUG-2KG", 1).unwrap();
    let view = register.cart_add("6161101660012", 1).unwrap(); // the same sugar, by barcode
    assert_eq!(view.lines.len(), 1);
    assert_eq!(view.lines[0].qty, 2);
    let view = register.cart_add("BRD-400", 1).unwrap();
    assert_eq!(view.total, kes(56_500));
    let sugar = view.lines[0].line_id;
    let bread = view.lines[1].line_id;
    assert_ne!(sugar, bread);
    assert!(matches!(
        register.cart_add("NOPE", 1),
        Err(RegisterError::UnknownItem(_))
    ));
    assert_eq!(
        register.cart_add("NOPE", 1).unwrap_err().code(),
        "unknown_item"
    );

    // VAT: sugar is standard rated (16 % inside 500.00), bread exempt; net + vat = gross.
    let vat = &view.vat.lines;
    let standard = vat
        .iter()
        .find(|l| l.class == malipo_core::TaxClass::Standard)
        .unwrap();
    assert_eq!(standard.gross, kes(50_000));
    assert_eq!(standard.vat, kes(6_897));
    assert_eq!(
        standard.net.minor + standard.vat.minor,
        standard.gross.minor
    );

    // Discounts: a line discount, then a cart discount spread over the lines.
    let view = register.cart_discount(Some(bread), kes(500)).unwrap();
    assert_eq!(view.total, kes(56_000));
    assert_eq!(view.lines[1].discount, kes(500));
    let view = register.cart_discount(None, kes(1_000)).unwrap();
    assert_eq!(view.total, kes(55_000));
    assert_eq!(view.discount, kes(1_500));
    let shares: i64 = view.lines.iter().map(|l| l.discount.minor).sum();
    assert_eq!(shares, 1_500);
    assert_eq!(
        register
            .cart_discount(None, kes(10_000_000))
            .unwrap_err()
            .code(),
        "invalid_amount"
    );
    let view = register.cart_discount(None, kes(0)).unwrap();
    assert_eq!(view.total, kes(56_000));
    drop(register);

    // A restart (a new store connection, a new register) finds the same cart.
    let (_, register) = open(&db);
    let again = register.cart().unwrap();
    assert_eq!(again.total, kes(56_000));
    assert_eq!(again.lines.len(), 2);
    assert_eq!(again.lines[0].line_id, sugar, "line ids are stable");

    // Quantity 0 removes the line; the other keeps its id.
    let view = register.cart_set_qty(sugar, 0).unwrap();
    assert_eq!(view.lines.len(), 1);
    assert_eq!(view.lines[0].line_id, bread);
    let view = register.cart_set_qty(bread, 3).unwrap();
    assert_eq!(view.lines[0].qty, 3);
    let view = register.cart_clear().unwrap();
    assert!(view.lines.is_empty());
}

#[test]
fn carts_are_held_and_recalled() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, register) = open(&tmp.path().join("till.db"));
    register.cart_add("SUG-2KG", 1).unwrap();
    let view = register.cart_hold("Mama Njeri").unwrap();
    assert!(view.lines.is_empty());
    assert_eq!(view.held.len(), 1);
    assert_eq!(view.held[0].label, "Mama Njeri");
    assert_eq!(view.held[0].total, kes(25_000));
    let first = view.held[0].cart_id;
    assert!(register.cart_hold("").is_err(), "an empty cart is not held");

    // Recalling with a non-empty cart holds that one, labelled with the time.
    register.cart_add("BRD-400", 2).unwrap();
    let view = register.cart_recall(first).unwrap();
    assert_eq!(view.cart_id, first);
    assert_eq!(view.total, kes(25_000));
    assert_eq!(view.held.len(), 1);
    assert!(view.held[0].label.starts_with("Held "));
    assert_eq!(view.held[0].total, kes(13_000));
    // The recalled cart is the current one after a restart too.
    assert_eq!(register.cart().unwrap().cart_id, first);
}

#[test]
fn checkout_freezes_the_cart_and_cash_pays_the_sale() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("till.db");
    let (store, register) = open(&db);
    assert!(register.checkout("Aisha").is_err(), "an empty cart");
    register.cart_add("SUG-2KG", 2).unwrap();
    register.cart_add("BRD-400", 1).unwrap();
    let sale = register.checkout("Aisha").unwrap();
    assert_eq!(sale.number, "T1-000001");
    assert_eq!(sale.total, kes(56_500));
    assert_eq!(sale.balance, kes(56_500));
    assert_eq!(sale.status, SaleStatus::Open);
    assert_eq!(register.checkout("Aisha").unwrap().sale_id, sale.sale_id);
    let cart = register.cart().unwrap();
    assert!(cart.frozen);
    assert_eq!(cart.total, kes(56_500));
    assert_eq!(
        register.cart_add("SUG-2KG", 1).unwrap_err().code(),
        "sale_open"
    );
    assert_eq!(register.sale_new().unwrap_err().code(), "sale_open");

    // Cancel gives the cart back; checking out again makes the next number.
    let cart = register
        .sale_cancel(sale.sale_id, "Aisha", |_| false)
        .unwrap();
    assert!(!cart.frozen);
    assert_eq!(cart.total, kes(56_500));
    assert_eq!(
        store.lock().unwrap().sale_get(sale.sale_id).unwrap().status,
        SaleStatus::Void
    );
    register.cart_add("MLK-500", 1).unwrap();
    let sale = register.checkout("Aisha").unwrap();
    assert_eq!(sale.number, "T1-000002");
    assert_eq!(sale.total, kes(62_500));
    drop(register);

    // After a restart the register resumes at the open sale.
    let (store, register) = open(&db);
    let current = register.sale_current().unwrap().unwrap();
    assert_eq!(current.sale_id, sale.sale_id);

    // Part cash, then the rest: the sale is paid and shows both tenders.
    let engine = Engine::new(store.clone(), EngineConfig::new("Duka", Currency::Kes)).unwrap();
    engine
        .pay_cash(sale.sale_id, kes(20_000), kes(20_000), "Aisha")
        .unwrap();
    let part = register.sale(sale.sale_id).unwrap();
    assert_eq!(part.paid, kes(20_000));
    assert_eq!(part.balance, kes(42_500));
    assert_eq!(
        register
            .sale_cancel(sale.sale_id, "Aisha", |_| true)
            .unwrap_err()
            .code(),
        "sale_has_payments"
    );
    engine
        .pay_cash(sale.sale_id, kes(42_500), kes(50_000), "Aisha")
        .unwrap();
    let paid = register.sale(sale.sale_id).unwrap();
    assert_eq!(paid.status, SaleStatus::Completed);
    assert_eq!(paid.balance, kes(0));
    assert_eq!(paid.paid, kes(62_500));
    assert_eq!(paid.tenders.len(), 2);
    assert!(paid.tenders.iter().all(|t| t.method == PaymentMethod::Cash));
    let amounts: i64 = paid.tenders.iter().map(|t| t.amount.minor).sum();
    assert_eq!(amounts, 62_500);

    let fresh = register.sale_new().unwrap();
    assert!(!fresh.frozen && fresh.lines.is_empty());
    assert!(register.sale_current().unwrap().is_none());
}

#[test]
fn a_sale_with_a_live_stk_prompt_is_voided_only_after_the_cashier_stops_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let (store, register) = open(&dir.path().join("t.db"));
    register.cart_add("SUG-2KG", 1).unwrap();
    let sale = register.checkout("Aisha").unwrap();
    let attempt = store
        .lock()
        .unwrap()
        .attempt_create(
            &malipo_store::NewAttempt {
                method: PaymentMethod::MpesaStk,
                target: malipo_core::TargetRef::Sale(sale.sale_id),
                amount: sale.total,
                phone: Some(malipo_core::Phone::parse("0712345678").unwrap()),
                account_reference: Some(sale.number.clone()),
                provider_ref: Some("ws_CO_live".into()),
            },
            clock(),
        )
        .unwrap();
    let engine = Engine::new(store.clone(), EngineConfig::new("Duka", Currency::Kes)).unwrap();
    let stopped = |id: i64| engine.is_stopped(id);

    // The till still waits on the customer's phone: the sale cannot be voided under it.
    let err = register
        .sale_cancel(sale.sale_id, "Aisha", stopped)
        .unwrap_err();
    assert_eq!(err.code(), "sale_has_payments");
    assert_eq!(
        store.lock().unwrap().sale_get(sale.sale_id).unwrap().status,
        SaleStatus::Open
    );

    // "Stop waiting": now the cashier may void it and have the cart back; the prompt itself
    // stays pending (a late payment would wait as an unmatched receipt).
    engine.stop_waiting(attempt.id).unwrap();
    let cart = register
        .sale_cancel(sale.sale_id, "Aisha", stopped)
        .unwrap();
    assert!(!cart.frozen);
    let s = store.lock().unwrap();
    assert_eq!(s.sale_get(sale.sale_id).unwrap().status, SaleStatus::Void);
    assert_eq!(
        s.attempt_get(attempt.id).unwrap().state,
        malipo_core::AttemptState::Pending
    );
}

#[test]
fn login_and_manager_unlock() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, register) = open(&tmp.path().join("till.db"));
    register.seed_training_users().unwrap();
    register.seed_training_users().unwrap(); // once only
    assert_eq!(register.users().unwrap().len(), 2);
    assert_eq!(register.require_user().unwrap_err().code(), "not_permitted");
    assert_eq!(
        register.login("Cashier", "9999").unwrap_err().code(),
        "wrong_pin"
    );
    let cashier = register.login("cashier", "0000").unwrap();
    assert_eq!(cashier.role, Role::Cashier);
    assert_eq!(register.require_user().unwrap(), "Cashier");
    assert_eq!(
        register.require_manager().unwrap_err().code(),
        "not_permitted"
    );
    assert_eq!(
        register.manager_unlock("0000").unwrap_err().code(),
        "not_permitted"
    );
    assert_eq!(
        register.manager_unlock("4321").unwrap_err().code(),
        "wrong_pin"
    );
    let manager = register.manager_unlock("1234").unwrap();
    assert_eq!(manager.name, "Manager");
    assert_eq!(register.require_manager().unwrap(), "Manager");
    register.manager_lock().unwrap();
    assert!(register.require_manager().is_err());

    // A manager adds a cashier who speaks Kiswahili.
    register.manager_unlock("1234").unwrap();
    register
        .user_save("Baraka", Role::Cashier, Some("2468"), "sw", "Manager")
        .unwrap();
    register.logout().unwrap();
    let baraka = register.login("Baraka", "2468").unwrap();
    assert_eq!(baraka.language, "sw");
    assert!(
        register.require_manager().is_err(),
        "logout ends the unlock"
    );
}

#[test]
fn settings_keep_secrets_in_the_vault_and_show_only_flags() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, register) = open(&tmp.path().join("till.db"));
    let vault = MemoryVault::default();
    let before = register.settings(&vault).unwrap();
    assert!(!before.daraja.consumer_key_set);
    assert_eq!(before.options.printer_kind, "none");

    let secret = "super-secret-consumer-key-XYZ";
    let first_time = DarajaInput {
        environment: "sandbox".into(),
        shortcode: "174379".into(),
        till_number: String::new(),
        initiator: "testapi".into(),
        consumer_key: Some(Sensitive::new(secret.into())),
        consumer_secret: None,
        passkey: None,
        initiator_password: None,
        certificate_pem: None,
    };
    // The first save needs every required secret.
    assert_eq!(
        register
            .save_daraja(&vault, &first_time, "Manager")
            .unwrap_err()
            .code(),
        "invalid_input"
    );
    let complete = DarajaInput {
        consumer_secret: Some(Sensitive::new("consumer-secret-ABC".into())),
        passkey: Some(Sensitive::new("passkey-DEF".into())),
        ..first_time
    };
    register.save_daraja(&vault, &complete, "Manager").unwrap();
    // Later saves keep what is not given; an empty secret is refused.
    let keep = DarajaInput {
        environment: "live".into(),
        shortcode: "174379".into(),
        till_number: "600200".into(),
        initiator: "testapi".into(),
        consumer_key: None,
        consumer_secret: None,
        passkey: Some(Sensitive::new(String::new())),
        initiator_password: None,
        certificate_pem: None,
    };
    assert_eq!(
        register
            .save_daraja(&vault, &keep, "Manager")
            .unwrap_err()
            .code(),
        "invalid_input"
    );
    let keep = DarajaInput {
        passkey: None,
        ..keep
    };
    register.save_daraja(&vault, &keep, "Manager").unwrap();
    register
        .save_paystack(
            &vault,
            &PaystackInput {
                public_key: "pk_test_abc".into(),
                secret_key: Some(Sensitive::new("sk_test_paystack_secret_123".into())),
            },
            "Manager",
        )
        .unwrap();
    register
        .save_relay(
            &vault,
            &RelayInput {
                url: "https://relay.example.com/".into(),
                device_token: Some(Sensitive::new("device-token-456".into())),
            },
            "Manager",
        )
        .unwrap();
    register
        .save_options(
            &OptionsInput {
                refunds_enabled: true,
                receipt_email: false,
                receipt_sms: true,
                printer_kind: "network".into(),
                printer_address: "192.168.1.50:9100".into(),
                printer_width: 58,
            },
            "Manager",
        )
        .unwrap();

    let key = |name| SecretKey::new("duka", name).unwrap();
    assert_eq!(
        vault
            .get(&key(SecretName::DarajaConsumerKey))
            .unwrap()
            .unwrap()
            .expose(),
        secret
    );
    let view = register.settings(&vault).unwrap();
    assert_eq!(view.daraja.environment, "live");
    assert_eq!(view.daraja.till_number, "600200");
    assert!(view.daraja.consumer_key_set && view.daraja.passkey_set);
    assert!(!view.daraja.initiator_password_set);
    assert!(view.paystack.secret_key_set);
    assert_eq!(view.paystack.public_key, "pk_test_abc");
    assert_eq!(view.relay.url, "https://relay.example.com");
    assert!(view.relay.device_token_set);
    assert!(view.options.refunds_enabled && view.options.receipt_sms);
    assert_eq!(view.options.printer_width, 58);

    // No secret anywhere in what the screen gets, nor in the database file's settings.
    let shown = format!("{view:?}{}", serde_json::to_string(&view).unwrap());
    for s in [
        secret,
        "consumer-secret-ABC",
        "passkey-DEF",
        "sk_test_paystack_secret_123",
        "device-token-456",
    ] {
        assert!(!shown.contains(s), "{s} shown");
        let store = store.lock().unwrap();
        for entry in store.audit_list(None, 1_000).unwrap() {
            assert!(!format!("{entry:?}").contains(s), "{s} in the audit log");
        }
    }
}
