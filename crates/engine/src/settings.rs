//! Provider settings, split by sensitivity: identifiers a manager may read back (environment,
//! shortcode, till number, initiator name) go to the store's `settings`; keys, passkeys and
//! passwords go only to the [`SecretVault`] (the OS keyring). A settings screen asks
//! [`secret_states`] whether a secret is set, never for its value.

use malipo_core::Timestamp;
use malipo_store::Store;
use malipo_vault::{SecretKey, SecretName, SecretVault, Sensitive};

use crate::error::EngineError;

/// A shop's Daraja configuration as a manager enters it.
#[derive(Debug)]
pub struct DarajaSettings {
    /// `sandbox` or `production`.
    pub environment: String,
    pub shortcode: String,
    /// Party B for Buy Goods, when the shop collects on a till.
    pub till_number: Option<String>,
    pub initiator_name: Option<String>,
    pub consumer_key: Sensitive<String>,
    pub consumer_secret: Sensitive<String>,
    pub passkey: Sensitive<String>,
    pub initiator_password: Option<Sensitive<String>>,
}

/// Whether a secret is stored, for the settings screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretState {
    pub name: SecretName,
    pub is_set: bool,
}

/// Saves Daraja settings: identifiers to the store (audited), secrets to the vault.
pub fn save_daraja(
    store: &mut Store,
    vault: &dyn SecretVault,
    shop_id: &str,
    s: &DarajaSettings,
    actor: &str,
    now: Timestamp,
) -> Result<(), EngineError> {
    if !matches!(s.environment.as_str(), "sandbox" | "production") {
        return Err(EngineError::Invalid(
            "the environment is either sandbox or production".into(),
        ));
    }
    if s.shortcode.trim().is_empty() || !s.shortcode.trim().bytes().all(|b| b.is_ascii_digit()) {
        return Err(EngineError::Invalid(
            "the shortcode is the shop's Paybill or store number, digits only".into(),
        ));
    }
    let secrets = [
        (SecretName::DarajaConsumerKey, Some(&s.consumer_key)),
        (SecretName::DarajaConsumerSecret, Some(&s.consumer_secret)),
        (SecretName::DarajaPasskey, Some(&s.passkey)),
        (
            SecretName::DarajaInitiatorPassword,
            s.initiator_password.as_ref(),
        ),
    ];
    for (name, value) in secrets {
        if let Some(value) = value {
            vault.set(&SecretKey::new(shop_id, name)?, value)?;
        }
    }
    store.setting_set("daraja.environment", &s.environment, actor, now)?;
    store.setting_set("daraja.shortcode", s.shortcode.trim(), actor, now)?;
    store.setting_set(
        "daraja.till_number",
        s.till_number.as_deref().unwrap_or(""),
        actor,
        now,
    )?;
    store.setting_set(
        "daraja.initiator_name",
        s.initiator_name.as_deref().unwrap_or(""),
        actor,
        now,
    )?;
    tracing::info!(shop_id, "Daraja settings saved");
    Ok(())
}

/// Saves the Paystack secret key (to the vault only) and the walk-in email placeholder.
pub fn save_paystack(
    store: &mut Store,
    vault: &dyn SecretVault,
    shop_id: &str,
    secret_key: &Sensitive<String>,
    placeholder_email: &str,
    actor: &str,
    now: Timestamp,
) -> Result<(), EngineError> {
    let key = secret_key.expose();
    if !(key.starts_with("sk_test_") || key.starts_with("sk_live_")) {
        return Err(EngineError::Invalid(
            "a Paystack secret key starts with sk_test_ or sk_live_".into(),
        ));
    }
    vault.set(
        &SecretKey::new(shop_id, SecretName::PaystackSecretKey)?,
        secret_key,
    )?;
    let mode = if key.starts_with("sk_live_") {
        "live"
    } else {
        "test"
    };
    store.setting_set("paystack.mode", mode, actor, now)?;
    store.setting_set("paystack.placeholder_email", placeholder_email, actor, now)?;
    Ok(())
}

/// Which of a shop's secrets are stored.
pub fn secret_states(
    vault: &dyn SecretVault,
    shop_id: &str,
) -> Result<Vec<SecretState>, EngineError> {
    SecretName::ALL
        .into_iter()
        .map(|name| {
            Ok(SecretState {
                name,
                is_set: vault.get(&SecretKey::new(shop_id, name)?)?.is_some(),
            })
        })
        .collect()
}
