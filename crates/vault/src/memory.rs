//! [`MemoryVault`]: secrets in a map behind a mutex, for tests and training mode.
//!
//! It behaves like the keyring (replace on set, deleting a missing secret succeeds) but keeps
//! nothing after the process ends.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::{SecretKey, SecretVault, Sensitive, VaultError};

/// An in-memory [`SecretVault`].
#[derive(Default)]
pub struct MemoryVault {
    secrets: Mutex<HashMap<SecretKey, Sensitive<String>>>,
}

impl MemoryVault {
    /// An empty vault.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many secrets are stored.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no secret is stored.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<SecretKey, Sensitive<String>>> {
        // A panic while holding the lock cannot leave the map half-updated (every operation
        // is a single insert, remove or clone), so a poisoned lock is still safe to use.
        self.secrets.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for MemoryVault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryVault")
            .field("secrets", &self.len())
            .finish()
    }
}

impl SecretVault for MemoryVault {
    fn get(&self, key: &SecretKey) -> Result<Option<Sensitive<String>>, VaultError> {
        Ok(self.lock().get(key).cloned())
    }

    fn set(&self, key: &SecretKey, value: &Sensitive<String>) -> Result<(), VaultError> {
        self.lock().insert(key.clone(), value.clone());
        Ok(())
    }

    fn delete(&self, key: &SecretKey) -> Result<(), VaultError> {
        self.lock().remove(key);
        Ok(())
    }
}
