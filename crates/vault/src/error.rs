//! [`VaultError`]: what went wrong with a secret, in words a manager can act on.
//!
//! No variant carries a secret value, and the keyring's own errors are translated rather than
//! wrapped wholesale: `keyring::Error::BadEncoding` holds the stored bytes, which are dropped.

/// A failure to read, store or delete a secret. The message never contains the secret.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The shop id cannot be part of a keyring account.
    #[error("shop id {shop_id:?} cannot be used for secrets: {reason}")]
    InvalidShopId {
        /// The rejected shop id.
        shop_id: String,
        /// Why, in words.
        reason: &'static str,
    },

    /// The text does not name a secret Malipo knows.
    #[error("{name:?} is not the name of a secret Malipo stores")]
    UnknownSecretName {
        /// The text that was given.
        name: String,
    },

    /// A secret that must be present is not stored.
    #[error("no {name} is saved for shop {shop_id}; enter it in Settings")]
    Missing {
        /// The shop whose secret is missing.
        shop_id: String,
        /// The dotted name of the missing secret.
        name: &'static str,
    },

    /// The keyring is running but refuses access, usually because it is locked.
    #[error("the system keyring is locked; unlock it (log in to the desktop) and try again")]
    Locked {
        /// The platform's reason; it never contains the secret.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// The keyring could not be reached at all.
    #[error(
        "the system keyring is not running or cannot be reached; start the desktop's keyring \
         (or log in again) and try again"
    )]
    Unreachable {
        /// The platform's reason; it never contains the secret.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// What is stored is not UTF-8 text, so it cannot be one of Malipo's secrets.
    #[error(
        "the secret stored as {account} in the system keyring is not valid text; save it again"
    )]
    NotText {
        /// The keyring account.
        account: String,
    },

    /// More than one keyring entry matches the account.
    #[error(
        "several entries named {account} are in the system keyring; remove the extras with the \
         system's password manager"
    )]
    Ambiguous {
        /// The keyring account.
        account: String,
    },

    /// The keyring refused the entry's attributes (length or form).
    #[error("the system keyring refused the entry {account}: {reason}")]
    Rejected {
        /// The keyring account.
        account: String,
        /// The keyring's reason, naming an attribute, never the secret.
        reason: String,
    },

    /// The keyring failed in a way this version of Malipo does not recognise.
    #[error("the system keyring failed unexpectedly while handling {account}")]
    Unexpected {
        /// The keyring account.
        account: String,
    },
}
