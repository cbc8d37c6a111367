//! The settings screen: what it shows ([`SettingsView`] — identifiers and `*_set` flags,
//! never a secret's value) and the saves behind it. Secrets go to the vault only, through
//! `crate::settings` where it has a step for them; identifiers go to the store's settings.
//!
//! Secret fields of the inputs are write-only: `None` keeps the stored secret, a non-empty
//! value replaces it, an empty one is refused.

use malipo_core::Timestamp;
use malipo_store::Store;
use malipo_vault::{SecretKey, SecretName, SecretVault, Sensitive};
use serde::Serialize;

use super::{Register, RegisterError, UserView};
use crate::settings::{save_daraja, save_paystack, DarajaSettings};
use crate::REFUNDS_SETTING;

/// Shop details as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShopInput {
    pub name: String,
    pub address: String,
    pub kra_pin: String,
    pub phone: String,
    /// `en` or `sw`.
    pub receipt_language: String,
}

/// Daraja settings as entered (`environment` is `sandbox` or `live`).
#[derive(Debug)]
pub struct DarajaInput {
    pub environment: String,
    pub shortcode: String,
    pub till_number: String,
    pub initiator: String,
    pub consumer_key: Option<Sensitive<String>>,
    pub consumer_secret: Option<Sensitive<String>>,
    pub passkey: Option<Sensitive<String>>,
    pub initiator_password: Option<Sensitive<String>>,
    /// Safaricom's public certificate (PEM); not a secret, kept in the store.
    pub certificate_pem: Option<String>,
}

/// Paystack settings as entered.
#[derive(Debug)]
pub struct PaystackInput {
    pub public_key: String,
    pub secret_key: Option<Sensitive<String>>,
}

/// ClickPesa settings as entered.
#[derive(Debug)]
pub struct ClickPesaInput {
    pub client_id: String,
    pub api_key: Option<Sensitive<String>>,
    pub checksum_key: Option<Sensitive<String>>,
}

/// Relay settings as entered.
#[derive(Debug)]
pub struct RelayInput {
    pub url: String,
    pub device_token: Option<Sensitive<String>>,
}

/// Shop options as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptionsInput {
    pub refunds_enabled: bool,
    pub receipt_email: bool,
    pub receipt_sms: bool,
    /// `none`, `network`, `device` or `file`.
    pub printer_kind: String,
    pub printer_address: String,
    /// 58 or 80 (mm).
    pub printer_width: u16,
}

/// The shop part of [`SettingsView`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShopView {
    pub name: String,
    pub address: String,
    pub kra_pin: String,
    pub phone: String,
    pub currency: String,
    pub receipt_language: String,
}

/// The Daraja part of [`SettingsView`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DarajaView {
    pub environment: String,
    pub shortcode: String,
    pub till_number: String,
    pub initiator: String,
    pub consumer_key_set: bool,
    pub consumer_secret_set: bool,
    pub passkey_set: bool,
    pub initiator_password_set: bool,
    pub certificate_set: bool,
}

/// The Paystack part of [`SettingsView`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaystackView {
    pub public_key: String,
    pub secret_key_set: bool,
}

/// The ClickPesa part of [`SettingsView`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClickPesaView {
    pub client_id: String,
    pub api_key_set: bool,
    pub checksum_key_set: bool,
}

/// The relay part of [`SettingsView`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelayView {
    pub url: String,
    pub device_token_set: bool,
    pub callback_urls: Vec<String>,
}

/// Everything the settings screen shows. Never a secret's value: only `*_set` flags. Its
/// JSON (snake_case) is the `SettingsView` of docs/ipc.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingsView {
    pub shop: ShopView,
    pub daraja: DarajaView,
    pub paystack: PaystackView,
    pub clickpesa: ClickPesaView,
    pub relay: RelayView,
    pub options: OptionsView,
    pub users: Vec<UserView>,
}

/// The options part of [`SettingsView`].
pub type OptionsView = OptionsInput;

fn get(store: &Store, key: &str) -> Result<String, RegisterError> {
    Ok(store.setting_get(key)?.unwrap_or_default())
}

fn on(store: &Store, key: &str) -> Result<bool, RegisterError> {
    Ok(get(store, key)? == "on")
}

fn flag(value: bool) -> &'static str {
    if value {
        "on"
    } else {
        "off"
    }
}

/// A write-only secret field: `None` keeps, empty is refused.
fn given<'a>(
    field: &str,
    value: &'a Option<Sensitive<String>>,
) -> Result<Option<&'a Sensitive<String>>, RegisterError> {
    match value {
        Some(v) if v.expose().trim().is_empty() => Err(RegisterError::Invalid(format!(
            "{field} cannot be empty; leave it out to keep the stored one"
        ))),
        other => Ok(other.as_ref()),
    }
}

impl Register {
    fn key(&self, name: SecretName) -> Result<SecretKey, RegisterError> {
        Ok(SecretKey::new(&self.shop_id, name)?)
    }

    fn is_set(&self, vault: &dyn SecretVault, name: SecretName) -> Result<bool, RegisterError> {
        Ok(vault.get(&self.key(name)?)?.is_some())
    }

    /// The stored secret, or the new one when given; refused when neither exists.
    fn kept(
        &self,
        vault: &dyn SecretVault,
        name: SecretName,
        new: Option<&Sensitive<String>>,
        label: &str,
    ) -> Result<Sensitive<String>, RegisterError> {
        if let Some(new) = new {
            return Ok(Sensitive::new(new.expose().trim().to_owned()));
        }
        vault
            .get(&self.key(name)?)?
            .ok_or_else(|| RegisterError::Invalid(format!("enter the {label}")))
    }

    /// What the settings screen shows.
    pub fn settings(&self, vault: &dyn SecretVault) -> Result<SettingsView, RegisterError> {
        let store = self.store()?;
        let environment = match get(&store, "daraja.environment")?.as_str() {
            "production" => "live".to_owned(),
            _ => "sandbox".to_owned(),
        };
        let width = get(&store, "printer.width")?.parse().unwrap_or(80);
        let kind = match get(&store, "printer.kind")?.as_str() {
            "" => "none".to_owned(),
            other => other.to_owned(),
        };
        let language = match get(&store, "shop.receipt_language")?.as_str() {
            "" => "en".to_owned(),
            other => other.to_owned(),
        };
        Ok(SettingsView {
            shop: ShopView {
                name: get(&store, "shop.name")?,
                address: get(&store, "shop.address")?,
                kra_pin: get(&store, "shop.kra_pin")?,
                phone: get(&store, "shop.phone")?,
                currency: self.currency.code().to_owned(),
                receipt_language: language,
            },
            daraja: DarajaView {
                environment,
                shortcode: get(&store, "daraja.shortcode")?,
                till_number: get(&store, "daraja.till_number")?,
                initiator: get(&store, "daraja.initiator_name")?,
                consumer_key_set: self.is_set(vault, SecretName::DarajaConsumerKey)?,
                consumer_secret_set: self.is_set(vault, SecretName::DarajaConsumerSecret)?,
                passkey_set: self.is_set(vault, SecretName::DarajaPasskey)?,
                initiator_password_set: self.is_set(vault, SecretName::DarajaInitiatorPassword)?,
                certificate_set: !get(&store, "daraja.certificate_pem")?.is_empty(),
            },
            paystack: PaystackView {
                public_key: get(&store, "paystack.public_key")?,
                secret_key_set: self.is_set(vault, SecretName::PaystackSecretKey)?,
            },
            clickpesa: ClickPesaView {
                client_id: get(&store, "clickpesa.client_id")?,
                api_key_set: self.is_set(vault, SecretName::ClickpesaApiKey)?,
                checksum_key_set: self.is_set(vault, SecretName::ClickpesaChecksumKey)?,
            },
            relay: RelayView {
                url: get(&store, "relay.url")?,
                device_token_set: self.is_set(vault, SecretName::RelayDeviceToken)?,
                callback_urls: get(&store, "relay.callback_urls")?
                    .lines()
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
            },
            options: OptionsInput {
                refunds_enabled: on(&store, REFUNDS_SETTING)?,
                receipt_email: on(&store, "receipts.email")?,
                receipt_sms: on(&store, "receipts.sms")?,
                printer_kind: kind,
                printer_address: get(&store, "printer.address")?,
                printer_width: width,
            },
            users: Self::roster(&store)?,
        })
    }

    fn set_all(&self, pairs: &[(&str, &str)], actor: &str) -> Result<(), RegisterError> {
        let now: Timestamp = self.now();
        let mut store = self.store()?;
        for (key, value) in pairs {
            if store.setting_get(key)?.as_deref() != Some(*value) {
                store.setting_set(key, value, actor, now)?;
            }
        }
        Ok(())
    }

    /// Saves the shop's details.
    pub fn save_shop(&self, input: &ShopInput, actor: &str) -> Result<(), RegisterError> {
        if input.name.trim().is_empty() {
            return Err(RegisterError::Invalid("the shop needs a name".into()));
        }
        if !matches!(input.receipt_language.as_str(), "en" | "sw") {
            return Err(RegisterError::Invalid(
                "receipts are in English (en) or Kiswahili (sw)".into(),
            ));
        }
        self.set_all(
            &[
                ("shop.name", input.name.trim()),
                ("shop.address", input.address.trim()),
                ("shop.kra_pin", input.kra_pin.trim()),
                ("shop.phone", input.phone.trim()),
                ("shop.receipt_language", &input.receipt_language),
            ],
            actor,
        )
    }

    /// Saves Daraja settings (secrets to the vault, through `settings::save_daraja`).
    pub fn save_daraja(
        &self,
        vault: &dyn SecretVault,
        input: &DarajaInput,
        actor: &str,
    ) -> Result<(), RegisterError> {
        let environment = match input.environment.as_str() {
            "live" => "production",
            "sandbox" => "sandbox",
            _ => {
                return Err(RegisterError::Invalid(
                    "the environment is sandbox or live".into(),
                ))
            }
        };
        let settings = DarajaSettings {
            environment: environment.to_owned(),
            shortcode: input.shortcode.trim().to_owned(),
            till_number: Some(input.till_number.trim().to_owned()).filter(|t| !t.is_empty()),
            initiator_name: Some(input.initiator.trim().to_owned()).filter(|t| !t.is_empty()),
            consumer_key: self.kept(
                vault,
                SecretName::DarajaConsumerKey,
                given("the consumer key", &input.consumer_key)?,
                "consumer key",
            )?,
            consumer_secret: self.kept(
                vault,
                SecretName::DarajaConsumerSecret,
                given("the consumer secret", &input.consumer_secret)?,
                "consumer secret",
            )?,
            passkey: self.kept(
                vault,
                SecretName::DarajaPasskey,
                given("the passkey", &input.passkey)?,
                "passkey",
            )?,
            initiator_password: given("the initiator password", &input.initiator_password)?
                .map(|p| Sensitive::new(p.expose().trim().to_owned())),
        };
        let now = self.now();
        {
            let mut store = self.store()?;
            save_daraja(&mut store, vault, &self.shop_id, &settings, actor, now).map_err(|e| {
                match e {
                    crate::EngineError::Invalid(why) => RegisterError::Invalid(why),
                    other => other.into(),
                }
            })?;
        }
        if let Some(pem) = &input.certificate_pem {
            let pem = pem.trim();
            if !pem.starts_with("-----BEGIN CERTIFICATE-----") {
                return Err(RegisterError::Invalid(
                    "the certificate is the PEM file Safaricom gives (BEGIN CERTIFICATE)".into(),
                ));
            }
            self.set_all(&[("daraja.certificate_pem", pem)], actor)?;
        }
        Ok(())
    }

    /// Saves Paystack settings (the secret key to the vault only).
    pub fn save_paystack(
        &self,
        vault: &dyn SecretVault,
        input: &PaystackInput,
        actor: &str,
    ) -> Result<(), RegisterError> {
        let public = input.public_key.trim();
        if !(public.is_empty() || public.starts_with("pk_test_") || public.starts_with("pk_live_"))
        {
            return Err(RegisterError::Invalid(
                "a Paystack public key starts with pk_test_ or pk_live_".into(),
            ));
        }
        if let Some(secret) = given("the secret key", &input.secret_key)? {
            let secret = Sensitive::new(secret.expose().trim().to_owned());
            let placeholder = format!("{}@walk-in.malipo.co.ke", self.till.to_lowercase());
            let now = self.now();
            let mut store = self.store()?;
            save_paystack(
                &mut store,
                vault,
                &self.shop_id,
                &secret,
                &placeholder,
                actor,
                now,
            )
            .map_err(|e| match e {
                crate::EngineError::Invalid(why) => RegisterError::Invalid(why),
                other => other.into(),
            })?;
        }
        self.set_all(&[("paystack.public_key", public)], actor)
    }

    /// Saves ClickPesa settings (keys to the vault only).
    pub fn save_clickpesa(
        &self,
        vault: &dyn SecretVault,
        input: &ClickPesaInput,
        actor: &str,
    ) -> Result<(), RegisterError> {
        let client_id = input.client_id.trim();
        for (name, value) in [
            (
                SecretName::ClickpesaApiKey,
                given("the API key", &input.api_key)?,
            ),
            (
                SecretName::ClickpesaChecksumKey,
                given("the checksum key", &input.checksum_key)?,
            ),
        ] {
            if let Some(value) = value {
                vault.set(
                    &self.key(name)?,
                    &Sensitive::new(value.expose().trim().to_owned()),
                )?;
            }
        }
        if !client_id.is_empty() {
            vault.set(
                &self.key(SecretName::ClickpesaClientId)?,
                &Sensitive::new(client_id.to_owned()),
            )?;
        }
        self.set_all(&[("clickpesa.client_id", client_id)], actor)
    }

    /// Saves the relay's address and this till's device token (to the vault only).
    pub fn save_relay(
        &self,
        vault: &dyn SecretVault,
        input: &RelayInput,
        actor: &str,
    ) -> Result<(), RegisterError> {
        let url = input.url.trim().trim_end_matches('/');
        if !(url.starts_with("https://") || url.starts_with("http://127.0.0.1")) {
            return Err(RegisterError::Invalid(
                "the relay address starts with https://".into(),
            ));
        }
        if let Some(token) = given("the device token", &input.device_token)? {
            vault.set(
                &self.key(SecretName::RelayDeviceToken)?,
                &Sensitive::new(token.expose().trim().to_owned()),
            )?;
        }
        self.set_all(&[("relay.url", url)], actor)
    }

    /// Records the relay's address and the shop's callback URLs (the training rig's, or the
    /// ones `malipo-relay shop-create` printed), for the settings screen.
    pub fn note_relay(
        &self,
        url: &str,
        callback_urls: &[String],
        actor: &str,
    ) -> Result<(), RegisterError> {
        self.set_all(
            &[
                ("relay.url", url),
                ("relay.callback_urls", &callback_urls.join("\n")),
            ],
            actor,
        )
    }

    /// Saves the shop's options.
    pub fn save_options(&self, input: &OptionsInput, actor: &str) -> Result<(), RegisterError> {
        if !matches!(
            input.printer_kind.as_str(),
            "none" | "network" | "device" | "file"
        ) {
            return Err(RegisterError::Invalid(
                "the printer is none, network, device or file".into(),
            ));
        }
        if !matches!(input.printer_width, 58 | 80) {
            return Err(RegisterError::Invalid(
                "the paper is 58 or 80 mm wide".into(),
            ));
        }
        let width = input.printer_width.to_string();
        self.set_all(
            &[
                (REFUNDS_SETTING, flag(input.refunds_enabled)),
                ("receipts.email", flag(input.receipt_email)),
                ("receipts.sms", flag(input.receipt_sms)),
                ("printer.kind", &input.printer_kind),
                ("printer.address", input.printer_address.trim()),
                ("printer.width", &width),
            ],
            actor,
        )
    }
}
