//! [`KeyringVault`]: secrets in the operating system's keyring through the `keyring` crate.
//!
//! On Linux that is the Secret Service over D-Bus (gnome-keyring, KWallet), on macOS the
//! Keychain, on Windows the Credential Manager. The workspace enables `keyring`'s real
//! backends: without them it silently falls back to an in-memory mock, which must never ship.
//!
//! Each call opens its own `keyring::Entry`: entries are cheap, and holding none means a
//! keyring that restarts (or is unlocked later) is picked up on the next call.

use std::sync::atomic::{AtomicU64, Ordering};

use keyring::Entry;

use crate::{SecretKey, SecretVault, Sensitive, VaultError, KEYRING_SERVICE};

/// The prefix of the accounts [`KeyringVault::probe`] writes and removes. They have no `/`,
/// so they can never be a `"<shop>/<name>"` account.
const PROBE_ACCOUNT_PREFIX: &str = "malipo-probe";

/// What a probe stores; not a secret.
const PROBE_VALUE: &str = "malipo keyring probe";

/// Numbers the probes of this process, so probes running at once never share an entry.
static PROBE_COUNT: AtomicU64 = AtomicU64::new(0);

/// The OS keyring as a [`SecretVault`].
#[derive(Debug, Default, Clone, Copy)]
pub struct KeyringVault {
    _private: (),
}

impl KeyringVault {
    /// The OS keyring. Nothing is contacted until the first call.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the keyring can hold secrets right now: `Ok(())`, or the error that says why
    /// not (no D-Bus session, no Secret Service, locked).
    ///
    /// A lookup alone is not enough: a locked Secret Service still answers searches, then
    /// refuses to store. So the probe writes, reads back and removes one throw-away entry
    /// (service `malipo`, account `malipo-probe-…`). On a desktop whose keyring is locked,
    /// that may show the system's unlock prompt and wait for it.
    pub fn probe(&self) -> Result<(), VaultError> {
        let account = format!(
            "{PROBE_ACCOUNT_PREFIX}-{}-{}",
            std::process::id(),
            PROBE_COUNT.fetch_add(1, Ordering::Relaxed)
        );
        let entry =
            Entry::new(KEYRING_SERVICE, &account).map_err(|err| from_keyring(err, &account))?;
        entry
            .set_password(PROBE_VALUE)
            .map_err(|err| from_keyring(err, &account))?;
        let read = entry.get_password();
        let removed = entry.delete_credential();
        match read {
            Ok(value) if value == PROBE_VALUE => {}
            Ok(_) => return Err(VaultError::Unexpected { account }),
            Err(err) => return Err(from_keyring(err, &account)),
        }
        match removed {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(from_keyring(err, &account)),
        }
    }

    fn entry(key: &SecretKey) -> Result<(Entry, String), VaultError> {
        let account = key.account();
        let entry =
            Entry::new(key.service(), &account).map_err(|err| from_keyring(err, &account))?;
        Ok((entry, account))
    }
}

impl SecretVault for KeyringVault {
    fn get(&self, key: &SecretKey) -> Result<Option<Sensitive<String>>, VaultError> {
        let (entry, account) = Self::entry(key)?;
        tracing::debug!(%account, "reading the keyring entry (the value is never logged)");
        match entry.get_password() {
            Ok(secret) => Ok(Some(Sensitive::new(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(from_keyring(err, &account)),
        }
    }

    fn set(&self, key: &SecretKey, value: &Sensitive<String>) -> Result<(), VaultError> {
        let (entry, account) = Self::entry(key)?;
        tracing::debug!(%account, "writing the keyring entry (the value is never logged)");
        entry
            .set_password(value.expose())
            .map_err(|err| from_keyring(err, &account))
    }

    fn delete(&self, key: &SecretKey) -> Result<(), VaultError> {
        let (entry, account) = Self::entry(key)?;
        tracing::debug!(%account, "deleting the keyring entry");
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(from_keyring(err, &account)),
        }
    }
}

/// Translates a keyring error into plain words, dropping anything that could hold the secret.
fn from_keyring(err: keyring::Error, account: &str) -> VaultError {
    let account = account.to_owned();
    match err {
        keyring::Error::NoStorageAccess(source) => VaultError::Locked { source },
        keyring::Error::PlatformFailure(source) if reports_locked(source.as_ref()) => {
            VaultError::Locked { source }
        }
        keyring::Error::PlatformFailure(source) => VaultError::Unreachable { source },
        // The bytes are whatever is stored under the account: possibly a secret. Drop them.
        keyring::Error::BadEncoding(_) => VaultError::NotText { account },
        keyring::Error::Ambiguous(_) => VaultError::Ambiguous { account },
        keyring::Error::TooLong(attribute, limit) => VaultError::Rejected {
            account,
            reason: format!("{attribute} is longer than {limit} characters"),
        },
        keyring::Error::Invalid(attribute, reason) => VaultError::Rejected {
            account,
            reason: format!("{attribute} {reason}"),
        },
        // `NoEntry` is handled by every caller before it gets here; `keyring::Error` is
        // non-exhaustive, so future variants land here too, without their details.
        _ => VaultError::Unexpected { account },
    }
}

/// Whether a platform failure is the Secret Service saying "locked": `keyring` passes the
/// D-Bus error `org.freedesktop.Secret.Error.IsLocked` (e.g. creating an item in a locked
/// collection) through as a generic platform failure. The D-Bus error name is part of the
/// Secret Service specification, so matching on it is stable.
fn reports_locked(source: &(dyn std::error::Error + Send + Sync + 'static)) -> bool {
    format!("{source:?}").contains("org.freedesktop.Secret.Error.IsLocked")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919";

    #[test]
    fn undecodable_bytes_never_reach_the_message() {
        let err = from_keyring(
            keyring::Error::BadEncoding(SECRET.as_bytes().to_vec()),
            "duka-1/daraja.passkey",
        );
        let shown = format!("{err} {err:?}");
        assert!(
            !shown.contains(SECRET) && !shown.contains("98, 102, 98"),
            "the stored bytes may be a secret and must be dropped: {shown}"
        );
        assert!(shown.contains("duka-1/daraja.passkey"), "{shown}");
    }

    #[test]
    fn locked_and_unreachable_keyrings_are_told_apart() {
        let locked = from_keyring(
            keyring::Error::NoStorageAccess("locked".into()),
            "duka-1/daraja.passkey",
        );
        assert!(
            locked.to_string().contains("locked"),
            "a locked keyring needs unlocking: {locked}"
        );
        let down = from_keyring(
            keyring::Error::PlatformFailure("no bus".into()),
            "duka-1/daraja.passkey",
        );
        assert!(
            down.to_string().contains("not running"),
            "a missing keyring needs starting: {down}"
        );
    }

    /// Stands in for `dbus::Error`, whose `Debug` carries the D-Bus error name.
    #[derive(Debug)]
    struct DbusLike {
        _name: &'static str,
    }

    impl std::fmt::Display for DbusLike {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("Cannot create an item in a locked collection")
        }
    }

    impl std::error::Error for DbusLike {}

    #[test]
    fn a_secret_service_is_locked_error_reads_as_locked() {
        let err = from_keyring(
            keyring::Error::PlatformFailure(Box::new(DbusLike {
                _name: "org.freedesktop.Secret.Error.IsLocked",
            })),
            "duka-1/daraja.passkey",
        );
        assert!(
            matches!(err, VaultError::Locked { .. }),
            "a locked collection must not be reported as a keyring that is not running: {err:?}"
        );
    }
}
