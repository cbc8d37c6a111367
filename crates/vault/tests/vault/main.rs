//! Behaviour tests of `malipo-vault`, one module per source module.
//!
//! The keyring tests talk to the real OS keyring. Headless, give them a private D-Bus session
//! with an unlocked gnome-keyring (`scripts/with-keyring.sh cargo test -p malipo-vault`);
//! with `MALIPO_KEYRING_TESTS=required` they fail when no keyring answers instead of
//! skipping with a notice.

mod keyring_vault;
mod memory;
mod sensitive;

use malipo_vault::{SecretKey, SecretName};

/// A shop id no other test run uses, so runs in parallel (or leftovers of a crashed run)
/// never see each other's secrets.
fn unique_shop_id(label: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    // RandomState is seeded randomly per process: a cheap source of uniqueness without a
    // dependency.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write(label.as_bytes());
    format!(
        "test-{label}-{}-{:016x}",
        std::process::id(),
        hasher.finish()
    )
}

fn key(shop_id: &str, name: SecretName) -> SecretKey {
    SecretKey::new(shop_id, name).expect("test shop ids are valid")
}
