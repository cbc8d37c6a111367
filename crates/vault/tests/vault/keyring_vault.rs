//! `KeyringVault` against the real OS keyring (the Secret Service on Linux).
//!
//! Each test first probes the keyring. When none answers, the test prints a notice and
//! returns, unless `MALIPO_KEYRING_TESTS=required`, when it fails: CI and `make test` set it,
//! so a broken keyring setup cannot pass silently. Every run uses its own shop id and removes
//! what it stored, even when an assertion fails.

use std::sync::mpsc;
use std::time::Duration;

use malipo_vault::{KeyringVault, SecretKey, SecretName, SecretVault, Sensitive};

use super::{key, unique_shop_id};

/// How long a probe may take before the keyring counts as unreachable.
const PROBE_TIMEOUT_MS: u64 = 20_000;

/// The keyring, or `None` after a notice when none answers and it is not required.
fn keyring_or_skip(test: &str) -> Option<KeyringVault> {
    let required = std::env::var("MALIPO_KEYRING_TESTS").is_ok_and(|v| v == "required");
    let vault = KeyringVault::new();
    // The probe runs on its own thread so that a keyring that hangs cannot hang the test.
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(vault.probe().map_err(|err| with_causes(&err)));
    });
    let outcome = receiver
        .recv_timeout(Duration::from_millis(PROBE_TIMEOUT_MS))
        .unwrap_or_else(|_| Err(format!("no answer within {PROBE_TIMEOUT_MS} ms")));
    match outcome {
        Ok(()) => Some(vault),
        Err(reason) if required => panic!(
            "MALIPO_KEYRING_TESTS=required, but the OS keyring cannot hold secrets here: {reason}. \
             Run the tests inside a D-Bus session with an unlocked keyring: \
             scripts/with-keyring.sh cargo test -p malipo-vault"
        ),
        Err(reason) => {
            eprintln!(
                "notice: {test}: skipped, the OS keyring cannot hold secrets here ({reason}). To run it \
                 headless: scripts/with-keyring.sh cargo test -p malipo-vault \
                 (MALIPO_KEYRING_TESTS=required turns this skip into a failure)."
            );
            None
        }
    }
}

/// The error's message followed by its causes, for a notice that says what to fix.
fn with_causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(inner) = cause {
        text.push_str(&format!("; caused by: {inner}"));
        cause = inner.source();
    }
    text
}

/// Deletes the listed secrets when dropped, so a failing test leaves the keyring clean.
struct Cleanup<'a> {
    vault: &'a KeyringVault,
    keys: Vec<SecretKey>,
}

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        for key in &self.keys {
            if let Err(err) = self.vault.delete(key) {
                eprintln!("could not remove test keyring entry {key}: {err}");
            }
        }
    }
}

#[test]
fn round_trip_set_get_overwrite_delete() {
    let Some(vault) = keyring_or_skip("round_trip_set_get_overwrite_delete") else {
        return;
    };
    let passkey = key(&unique_shop_id("roundtrip"), SecretName::DarajaPasskey);
    let _cleanup = Cleanup {
        vault: &vault,
        keys: vec![passkey.clone()],
    };

    assert!(
        vault.get(&passkey).unwrap().is_none(),
        "a fresh shop id has no secret"
    );
    vault
        .set(&passkey, &Sensitive::new("first-passkey".to_owned()))
        .unwrap();
    assert_eq!(
        vault.get(&passkey).unwrap().unwrap().expose(),
        "first-passkey"
    );

    vault
        .set(&passkey, &Sensitive::new("second-passkey".to_owned()))
        .unwrap();
    assert_eq!(
        vault.get(&passkey).unwrap().unwrap().expose(),
        "second-passkey",
        "set replaces the stored secret rather than adding a second entry"
    );

    vault.delete(&passkey).unwrap();
    assert!(
        vault.get(&passkey).unwrap().is_none(),
        "delete removes the secret"
    );
    vault
        .delete(&passkey)
        .expect("deleting a missing secret succeeds");
}

#[test]
fn shops_and_names_are_kept_apart_and_text_survives_intact() {
    let Some(vault) = keyring_or_skip("shops_and_names_are_kept_apart_and_text_survives_intact")
    else {
        return;
    };
    let shop_a = unique_shop_id("apart-a");
    let shop_b = unique_shop_id("apart-b");
    let a_secret = key(&shop_a, SecretName::PaystackSecretKey);
    let b_secret = key(&shop_b, SecretName::PaystackSecretKey);
    let a_api = key(&shop_a, SecretName::ClickpesaApiKey);
    let _cleanup = Cleanup {
        vault: &vault,
        keys: vec![a_secret.clone(), b_secret.clone(), a_api.clone()],
    };

    let unusual = "sk_test_ü€🔑 with spaces\tand\nnewline";
    vault
        .set(&a_secret, &Sensitive::new(unusual.to_owned()))
        .unwrap();
    vault
        .set(&b_secret, &Sensitive::new("sk_test_b".to_owned()))
        .unwrap();

    assert_eq!(vault.get(&a_secret).unwrap().unwrap().expose(), unusual);
    assert_eq!(vault.get(&b_secret).unwrap().unwrap().expose(), "sk_test_b");
    assert!(
        vault.get(&a_api).unwrap().is_none(),
        "another secret name of the same shop is a different entry"
    );
    let err = vault.require(&a_api).expect_err("nothing stored");
    assert!(
        err.to_string().contains("clickpesa.api_key"),
        "the error names the missing secret: {err}"
    );
}

/// The system's own tools see the entry under service `malipo`, account `<shop>/<name>`:
/// the mapping is what a manager finds in the password manager, not an internal detail.
#[cfg(target_os = "linux")]
#[test]
fn the_entry_is_visible_to_secret_tool_under_service_and_account() {
    let Some(vault) =
        keyring_or_skip("the_entry_is_visible_to_secret_tool_under_service_and_account")
    else {
        return;
    };
    let passkey = key(&unique_shop_id("secret-tool"), SecretName::DarajaPasskey);
    let _cleanup = Cleanup {
        vault: &vault,
        keys: vec![passkey.clone()],
    };
    vault
        .set(&passkey, &Sensitive::new("seen-by-secret-tool".to_owned()))
        .unwrap();

    let lookup = std::process::Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            "malipo",
            "username",
            &passkey.account(),
        ])
        .output();
    let output = match lookup {
        Ok(output) => output,
        Err(err) if std::env::var("MALIPO_KEYRING_TESTS").is_ok_and(|v| v == "required") => {
            panic!("MALIPO_KEYRING_TESTS=required, but secret-tool (libsecret-tools) cannot run: {err}")
        }
        Err(err) => {
            eprintln!("notice: the keyring cross-check tool is missing here: {err}");
            return;
        }
    };
    assert!(
        output.status.success(),
        "secret-tool lookup failed: {output:?}"
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "seen-by-secret-tool"
    );
}
