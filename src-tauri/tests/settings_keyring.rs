//! Secrets typed into Settings land in the OS keyring and nowhere else (acceptance 5 of the
//! register issue): the manager saves Daraja and Paystack keys through the shell's backend
//! with the real keyring (the Secret Service) as its vault; the keyring holds them, the
//! till's SQLite file and its WAL do not, and the settings view never carries them — only
//! "set" flags. Without a keyring the test says so and returns, unless
//! `MALIPO_KEYRING_TESTS=required` (as `make test` sets it), when it fails.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use malipo_app::backend::{Backend, TRAINING_SHOP_ID};
use malipo_app::dto::{DarajaInputDto, PaystackInputDto};
use malipo_app::till::{now, Till};
use malipo_vault::{KeyringVault, SecretKey, SecretName, SecretVault};

const CONSUMER_SECRET: &str = "typed-consumer-secret-7Qx9";
const PASSKEY: &str = "typed-passkey-bfb279f9aa9bdbcf158e";
const PAYSTACK_SECRET: &str = "sk_test_typed_in_settings_44c1";

fn keyring() -> Option<KeyringVault> {
    let vault = KeyringVault::new();
    match vault.probe() {
        Ok(()) => Some(vault),
        Err(e) if std::env::var("MALIPO_KEYRING_TESTS").is_ok_and(|v| v == "required") => {
            panic!("MALIPO_KEYRING_TESTS=required but the OS keyring is unusable: {e}")
        }
        Err(e) => {
            eprintln!("notice: keyring unavailable ({e}); run under scripts/with-keyring.sh");
            None
        }
    }
}

fn file_contains(path: &std::path::Path, needle: &str) -> bool {
    std::fs::read(path)
        .map(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
        .unwrap_or(false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_typed_into_settings_land_in_the_keyring_and_nowhere_else() {
    let Some(keyring) = keyring() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let till = Till::open(dir.path(), now()).unwrap();
    let mut backend = Backend::start(till, dir.path()).await.unwrap();
    let keyring: Arc<dyn SecretVault> = Arc::new(keyring);
    backend.vault = keyring.clone();
    backend.manager_unlock("1234").unwrap();

    backend
        .settings_save_daraja(DarajaInputDto {
            environment: "sandbox".into(),
            shortcode: "174379".into(),
            till_number: String::new(),
            initiator: "testapi".into(),
            consumer_key: Some("typed-consumer-key".into()),
            consumer_secret: Some(CONSUMER_SECRET.into()),
            passkey: Some(PASSKEY.into()),
            initiator_password: None,
            certificate_pem: None,
        })
        .unwrap();
    backend
        .settings_save_paystack(PaystackInputDto {
            public_key: "pk_test_typed".into(),
            secret_key: Some(PAYSTACK_SECRET.into()),
        })
        .unwrap();

    let key = |name| SecretKey::new(TRAINING_SHOP_ID, name).unwrap();
    let stored = |name| keyring.get(&key(name)).unwrap().map(|s| s.expose().clone());
    let in_keyring = (
        stored(SecretName::DarajaConsumerSecret),
        stored(SecretName::DarajaPasskey),
        stored(SecretName::PaystackSecretKey),
    );
    let view = serde_json::to_string(&backend.settings_get().unwrap()).unwrap();
    for name in [
        SecretName::DarajaConsumerKey,
        SecretName::DarajaConsumerSecret,
        SecretName::DarajaPasskey,
        SecretName::PaystackSecretKey,
    ] {
        let _ = keyring.delete(&key(name)); // leave the developer's keyring as it was
    }
    assert_eq!(in_keyring.0.as_deref(), Some(CONSUMER_SECRET));
    assert_eq!(in_keyring.1.as_deref(), Some(PASSKEY));
    assert_eq!(in_keyring.2.as_deref(), Some(PAYSTACK_SECRET));

    for secret in [CONSUMER_SECRET, PASSKEY, PAYSTACK_SECRET] {
        assert!(
            !view.contains(secret),
            "the settings view never carries a secret"
        );
        for file in ["malipo.db", "malipo.db-wal"] {
            assert!(
                !file_contains(&dir.path().join(file), secret),
                "{file} holds a typed secret"
            );
        }
    }
    assert!(view.contains("\"consumer_secret_set\":true"), "{view}");
}
