//! [`SecretKey`]: which secret of which shop, and where it lives in the OS keyring.
//!
//! A key is a shop id plus a [`SecretName`]. In the keyring every Malipo secret sits under
//! the service [`KEYRING_SERVICE`] (`"malipo"`) with the account `"<shop id>/<secret name>"`,
//! e.g. `"duka-42/daraja.passkey"`, so the system's password manager lists them readably and
//! one till can hold the secrets of several shops.

use std::fmt;
use std::str::FromStr;

use crate::VaultError;

/// The keyring service under which every Malipo secret is stored.
pub const KEYRING_SERVICE: &str = "malipo";

/// The longest shop id accepted, in bytes; keyrings limit attribute lengths.
const SHOP_ID_LEN_MAX: usize = 64;

/// The secrets a shop can hold. Each has a stable dotted name, used as the second half of the
/// keyring account, so renaming a variant is fine but changing its name loses stored secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecretName {
    /// Daraja (M-Pesa) app consumer key, half of the OAuth client credentials.
    DarajaConsumerKey,
    /// Daraja (M-Pesa) app consumer secret, the other half.
    DarajaConsumerSecret,
    /// Daraja Lipa Na M-Pesa Online passkey, hashed into every STK push password.
    DarajaPasskey,
    /// Daraja initiator password, encrypted into the security credential for reversals.
    DarajaInitiatorPassword,
    /// Paystack secret key (`sk_live_…` / `sk_test_…`), also the webhook HMAC key.
    PaystackSecretKey,
    /// ClickPesa client id, sent with the API key to obtain a token.
    ClickpesaClientId,
    /// ClickPesa API key.
    ClickpesaApiKey,
    /// ClickPesa checksum key, for signing requests and checking webhooks.
    ClickpesaChecksumKey,
    /// The device token with which this till authenticates to the relay.
    RelayDeviceToken,
}

impl SecretName {
    /// Every secret name, in declaration order.
    pub const ALL: [SecretName; 9] = [
        SecretName::DarajaConsumerKey,
        SecretName::DarajaConsumerSecret,
        SecretName::DarajaPasskey,
        SecretName::DarajaInitiatorPassword,
        SecretName::PaystackSecretKey,
        SecretName::ClickpesaClientId,
        SecretName::ClickpesaApiKey,
        SecretName::ClickpesaChecksumKey,
        SecretName::RelayDeviceToken,
    ];

    /// The stable dotted name, e.g. `"daraja.passkey"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretName::DarajaConsumerKey => "daraja.consumer_key",
            SecretName::DarajaConsumerSecret => "daraja.consumer_secret",
            SecretName::DarajaPasskey => "daraja.passkey",
            SecretName::DarajaInitiatorPassword => "daraja.initiator_password",
            SecretName::PaystackSecretKey => "paystack.secret_key",
            SecretName::ClickpesaClientId => "clickpesa.client_id",
            SecretName::ClickpesaApiKey => "clickpesa.api_key",
            SecretName::ClickpesaChecksumKey => "clickpesa.checksum_key",
            SecretName::RelayDeviceToken => "relay.device_token",
        }
    }
}

impl fmt::Display for SecretName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SecretName {
    type Err = VaultError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        SecretName::ALL
            .into_iter()
            .find(|name| name.as_str() == text)
            .ok_or_else(|| VaultError::UnknownSecretName {
                name: text.to_owned(),
            })
    }
}

/// One secret of one shop: the shop id and the secret's name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecretKey {
    shop_id: String,
    name: SecretName,
}

impl SecretKey {
    /// A key for `name` of the shop `shop_id`.
    ///
    /// The shop id is 1 to 64 ASCII letters, digits, `-` or `_`: it becomes part of the
    /// keyring account, where a `/` would make `"<shop>/<name>"` ambiguous.
    pub fn new(shop_id: impl Into<String>, name: SecretName) -> Result<Self, VaultError> {
        let shop_id = shop_id.into();
        let reason = if shop_id.is_empty() {
            Some("it is empty")
        } else if shop_id.len() > SHOP_ID_LEN_MAX {
            Some("it is longer than 64 characters")
        } else if !shop_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            Some("only letters, digits, '-' and '_' are allowed")
        } else {
            None
        };
        match reason {
            Some(reason) => Err(VaultError::InvalidShopId { shop_id, reason }),
            None => Ok(Self { shop_id, name }),
        }
    }

    /// The shop this secret belongs to.
    pub fn shop_id(&self) -> &str {
        &self.shop_id
    }

    /// Which of the shop's secrets this is.
    pub fn name(&self) -> SecretName {
        self.name
    }

    /// The keyring service: always [`KEYRING_SERVICE`].
    pub fn service(&self) -> &'static str {
        KEYRING_SERVICE
    }

    /// The keyring account: `"<shop id>/<secret name>"`.
    pub fn account(&self) -> String {
        format!("{}/{}", self.shop_id, self.name)
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.shop_id, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back_from_its_dotted_form() {
        for name in SecretName::ALL {
            assert_eq!(
                name.as_str().parse::<SecretName>().ok(),
                Some(name),
                "the dotted name is what the keyring stores, so it must round-trip"
            );
        }
    }

    #[test]
    fn dotted_names_are_unique() {
        let mut names: Vec<&str> = SecretName::ALL.iter().map(|n| n.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(
            names.len(),
            SecretName::ALL.len(),
            "two secrets sharing a name would overwrite each other in the keyring"
        );
    }
}
