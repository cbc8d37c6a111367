//! Malipo's tenant secrets: where the shop's provider credentials live, and the type that
//! keeps them out of logs, crash output, JSON and SQLite.
//!
//! Every consumer secret, passkey, initiator password and API key is a
//! [`Sensitive<String>`] from the moment it leaves the OS keyring until it is written into an
//! HTTP header. `Sensitive` prints as `<redacted>` and refuses to serialise, so a secret
//! cannot reach a log line, a Tauri event or a database row by accident; reading it takes an
//! explicit [`Sensitive::expose`].
//!
//! # Layout
//!
//! - `sensitive.rs` — [`Sensitive<T>`] and the [`Wipe`] trait that zeroes a secret on drop.
//! - `key.rs` — [`SecretKey`] (shop id + [`SecretName`]) and its keyring service/account.
//! - `error.rs` — [`VaultError`], whose messages never contain a secret.
//! - `keyring_vault.rs` — [`KeyringVault`], the OS keyring (Secret Service on Linux,
//!   Keychain on macOS, Credential Manager on Windows) and its [`KeyringVault::probe`].
//! - `memory.rs` — [`MemoryVault`], a map behind a mutex, for tests and training mode.
//!
//! Everything that needs a secret takes a `&dyn SecretVault` (or an `Arc` of one), so tests
//! pass a [`MemoryVault`] and the till passes a [`KeyringVault`].
//!
//! # How to make a change here
//!
//! - A new provider secret is a new [`SecretName`] variant plus its dotted name in
//!   `SecretName::as_str` and `SecretName::ALL`; the round-trip test in `key.rs` keeps the
//!   two in step.
//! - A new error must say what the cashier or manager can do about it, in plain words, and
//!   must never format a secret: error values are logged and shown.
//! - Never add `Serialize` output, `Debug` output or a `Deref` to [`Sensitive`]: the only way
//!   to a secret's text is `expose()`, so every use is visible in review.

mod error;
mod key;
mod keyring_vault;
mod memory;
mod sensitive;

pub use error::VaultError;
pub use key::{SecretKey, SecretName, KEYRING_SERVICE};
pub use keyring_vault::KeyringVault;
pub use memory::MemoryVault;
pub use sensitive::{Sensitive, Wipe};

/// A store of tenant secrets, keyed by shop and secret name.
///
/// Implementations are shared between the UI thread and background tasks, hence
/// `Send + Sync`; every method takes `&self`.
pub trait SecretVault: Send + Sync {
    /// The secret stored under `key`, or `None` when none is stored.
    fn get(&self, key: &SecretKey) -> Result<Option<Sensitive<String>>, VaultError>;

    /// Stores `value` under `key`, replacing any secret already there.
    fn set(&self, key: &SecretKey, value: &Sensitive<String>) -> Result<(), VaultError>;

    /// Removes the secret under `key`. Removing a secret that is not there succeeds.
    fn delete(&self, key: &SecretKey) -> Result<(), VaultError>;

    /// The secret stored under `key`, or [`VaultError::Missing`] when none is stored: for
    /// callers that cannot go on without it (a charge needs the passkey).
    fn require(&self, key: &SecretKey) -> Result<Sensitive<String>, VaultError> {
        self.get(key)?.ok_or_else(|| VaultError::Missing {
            shop_id: key.shop_id().to_owned(),
            name: key.name().as_str(),
        })
    }
}
