//! `MemoryVault` behaves like a keyring: get, set, replace, delete, delete-missing.

use malipo_vault::{MemoryVault, SecretName, SecretVault, Sensitive, VaultError};

use super::key;

#[test]
fn round_trip_set_get_overwrite_delete() {
    let vault = MemoryVault::new();
    let passkey = key("duka-1", SecretName::DarajaPasskey);

    assert!(
        vault.get(&passkey).unwrap().is_none(),
        "an empty vault holds nothing"
    );
    vault
        .set(&passkey, &Sensitive::new("first".to_owned()))
        .unwrap();
    assert_eq!(vault.get(&passkey).unwrap().unwrap().expose(), "first");

    vault
        .set(&passkey, &Sensitive::new("second".to_owned()))
        .unwrap();
    assert_eq!(
        vault.get(&passkey).unwrap().unwrap().expose(),
        "second",
        "set replaces the stored secret"
    );
    assert_eq!(vault.len(), 1, "replacing does not add an entry");

    vault.delete(&passkey).unwrap();
    assert!(vault.get(&passkey).unwrap().is_none(), "delete removes it");
    vault
        .delete(&passkey)
        .expect("deleting a missing secret succeeds");
}

#[test]
fn shops_and_names_do_not_share_secrets() {
    let vault = MemoryVault::new();
    vault
        .set(
            &key("duka-1", SecretName::PaystackSecretKey),
            &Sensitive::new("sk_a".to_owned()),
        )
        .unwrap();
    assert!(vault
        .get(&key("duka-2", SecretName::PaystackSecretKey))
        .unwrap()
        .is_none());
    assert!(vault
        .get(&key("duka-1", SecretName::ClickpesaApiKey))
        .unwrap()
        .is_none());
}

#[test]
fn require_names_the_missing_secret() {
    let vault = MemoryVault::new();
    let err = vault
        .require(&key("duka-3", SecretName::DarajaInitiatorPassword))
        .expect_err("nothing is stored");
    assert!(
        matches!(err, VaultError::Missing { ref shop_id, name: "daraja.initiator_password" } if shop_id == "duka-3"),
        "{err:?}"
    );
}

#[test]
fn works_behind_a_trait_object_and_debug_hides_values() {
    let vault: std::sync::Arc<dyn SecretVault> = std::sync::Arc::new(MemoryVault::new());
    let relay = key("duka-4", SecretName::RelayDeviceToken);
    vault
        .set(&relay, &Sensitive::new("device-token-xyz".to_owned()))
        .unwrap();
    assert_eq!(vault.require(&relay).unwrap().expose(), "device-token-xyz");

    let concrete = MemoryVault::new();
    concrete
        .set(&relay, &Sensitive::new("device-token-xyz".to_owned()))
        .unwrap();
    let shown = format!("{concrete:?}");
    assert!(!shown.contains("device-token-xyz"), "{shown}");
}

#[test]
fn keys_map_to_the_keyring_service_and_account() {
    let passkey = key("duka-42", SecretName::DarajaPasskey);
    assert_eq!(passkey.service(), "malipo");
    assert_eq!(passkey.account(), "duka-42/daraja.passkey");
    assert_eq!(passkey.to_string(), "duka-42/daraja.passkey");
}

#[test]
fn shop_ids_that_would_confuse_the_account_are_rejected() {
    for bad in ["", "a/b", "duka 1", "dükà", &"x".repeat(65)] {
        let err = malipo_vault::SecretKey::new(bad, SecretName::PaystackSecretKey)
            .expect_err("invalid shop id");
        assert!(
            matches!(err, VaultError::InvalidShopId { .. }),
            "{bad:?}: {err:?}"
        );
    }
}
