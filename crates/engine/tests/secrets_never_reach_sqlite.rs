//! Nothing secret is ever written to SQLite: provider settings are saved with real secrets,
//! payments are posted, and the database file (and its WAL) is scanned for every secret.
//! Runs against the in-memory vault always, and against the OS keyring when one is reachable
//! (required when `MALIPO_KEYRING_TESTS=required`, as `make test` sets it).

// Tests unwrap: a panic is a failed test with its location.
#![allow(clippy::unwrap_used)]

use malipo_core::{Currency, Money, PaymentMethod, Timestamp};
use malipo_engine::settings::{save_daraja, save_paystack, secret_states, DarajaSettings};
use malipo_store::{Confirmation, Store};
use malipo_vault::{KeyringVault, MemoryVault, SecretKey, SecretName, SecretVault, Sensitive};

const T0: Timestamp = Timestamp(1_764_000_000_000);

fn run(vault: &dyn SecretVault, tag: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("till.db");
    let mut store = Store::open(&path).unwrap();
    let shop = format!("shop-{tag}-{}", std::process::id());
    let secrets = [
        format!("ck-{tag}-Zq8vN3mKp1"),
        format!("cs-{tag}-Rt5wQ9xLa2"),
        format!("pk-{tag}-bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"),
        format!("ip-{tag}-Safaricom999!"),
        format!("sk_test_{tag}0123456789abcdef"),
    ];
    let settings = DarajaSettings {
        environment: "sandbox".into(),
        shortcode: "174379".into(),
        till_number: Some("5551234".into()),
        initiator_name: Some("testapi".into()),
        consumer_key: Sensitive::new(secrets[0].clone()),
        consumer_secret: Sensitive::new(secrets[1].clone()),
        passkey: Sensitive::new(secrets[2].clone()),
        initiator_password: Some(Sensitive::new(secrets[3].clone())),
    };
    assert!(
        !format!("{settings:?}").contains(&secrets[1]),
        "Debug of settings hides secrets"
    );
    save_daraja(&mut store, vault, &shop, &settings, "boss", T0).unwrap();
    save_paystack(
        &mut store,
        vault,
        &shop,
        &Sensitive::new(secrets[4].clone()),
        "walkin@duka.example",
        "boss",
        T0,
    )
    .unwrap();
    let conf = Confirmation {
        method: PaymentMethod::MpesaPaybill,
        provider_txn_id: Some("TKP5ZZ81AB".into()),
        attempt_ref: None,
        account_reference: Some("T1-000001".into()),
        amount: Money::from_minor(56_500, Currency::Kes),
        payer_phone: None,
        payer_name: Some("JOHN".into()),
        payer_ref: None,
        inbox_id: None,
        received_at: T0,
    };
    store.post_payment(&conf, T0).unwrap();
    assert_eq!(
        store.setting_get("daraja.shortcode").unwrap().as_deref(),
        Some("174379")
    );
    assert_eq!(
        store.setting_get("paystack.mode").unwrap().as_deref(),
        Some("test")
    );

    // The secrets are in the vault…
    let got = vault
        .get(&SecretKey::new(&shop, SecretName::DarajaPasskey).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(got.expose(), &secrets[2]);
    let states = secret_states(vault, &shop).unwrap();
    assert!(
        states
            .iter()
            .find(|s| s.name == SecretName::PaystackSecretKey)
            .unwrap()
            .is_set
    );
    assert!(
        !states
            .iter()
            .find(|s| s.name == SecretName::RelayDeviceToken)
            .unwrap()
            .is_set
    );

    // …and nowhere in the database file or its write-ahead log.
    drop(store);
    let mut bytes = Vec::new();
    for f in std::fs::read_dir(dir.path()).unwrap() {
        bytes.extend(std::fs::read(f.unwrap().path()).unwrap());
    }
    assert!(
        bytes.windows(6).any(|w| w == b"174379"),
        "the scan sees what the file does hold"
    );
    for s in &secrets {
        assert!(
            !bytes.windows(s.len()).any(|w| w == s.as_bytes()),
            "a secret reached SQLite: {}…",
            &s[..6]
        );
    }
    for name in SecretName::ALL {
        vault.delete(&SecretKey::new(&shop, name).unwrap()).unwrap();
    }
}

#[test]
fn secrets_go_to_the_vault_and_never_to_sqlite_memory_vault() {
    run(&MemoryVault::new(), "mem");
}

#[test]
fn secrets_go_to_the_os_keyring_and_never_to_sqlite() {
    let vault = KeyringVault::new();
    if let Err(e) = vault.probe() {
        assert_ne!(
            std::env::var("MALIPO_KEYRING_TESTS").as_deref(),
            Ok("required"),
            "the OS keyring is required for this run but unreachable: {e}"
        );
        eprintln!("skipping the OS keyring variant: no Secret Service here ({e}); `make test` provides one");
        return;
    }
    run(&vault, "os");
}

#[test]
fn settings_refuse_bad_input_with_words_a_manager_understands() {
    let mut store = Store::open_in_memory().unwrap();
    let vault = MemoryVault::new();
    let err = save_paystack(
        &mut store,
        &vault,
        "s",
        &Sensitive::new("pk_test_x".to_string()),
        "e",
        "boss",
        T0,
    )
    .unwrap_err();
    assert!(err.to_string().contains("sk_test_"), "{err}");
    assert!(vault.is_empty(), "nothing stored after a refusal");
}
