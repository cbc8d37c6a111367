//! [`Sensitive<T>`]: a secret that prints as `<redacted>`, refuses to serialise, and is zeroed
//! when dropped.
//!
//! Modelled on GitButler's `but-secret::Sensitive` and Hyperswitch's `masking::Secret`. The
//! wrapper guards against accidents (a `{:?}` of a config struct, a DTO serialised to the UI,
//! a row written to SQLite), not against an attacker who can read the process's memory.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The text that stands in for a secret wherever it would otherwise be printed.
const REDACTED: &str = "<redacted>";

/// A secret value. `Debug` and `Display` print `<redacted>`; `Serialize` fails; the value is
/// reachable only through [`Sensitive::expose`].
///
/// `Deserialize` is allowed, so a settings form can send a new secret from the UI to the
/// backend; nothing can send it back.
pub struct Sensitive<T: Wipe>(T);

impl<T: Wipe> Sensitive<T> {
    /// Wraps a secret.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret itself. Call it only where the secret leaves the process (an HTTP header,
    /// the keyring) or is compared; never to log or display it.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T: Wipe> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T: Wipe + Clone> Clone for Sensitive<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T: Wipe> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T: Wipe> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T: Wipe> Serialize for Sensitive<T> {
    fn serialize<S: Serializer>(&self, _serializer: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom(
            "refusing to serialise a secret (Sensitive<T>): send or store it explicitly via expose()",
        ))
    }
}

impl<'de, T: Wipe + Deserialize<'de>> Deserialize<'de> for Sensitive<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Self)
    }
}

impl<T: Wipe> Drop for Sensitive<T> {
    fn drop(&mut self) {
        self.0.wipe();
    }
}

/// A value that can overwrite its own memory before it is freed.
///
/// Best effort, without `unsafe`: the bytes of the final buffer are zeroed, including spare
/// capacity, but copies made earlier (a `String` that grew and moved, the keyring's own
/// buffers, an `expose().clone()`) are not reachable from here.
pub trait Wipe {
    /// Overwrites the value's memory with zeros and leaves it empty.
    fn wipe(&mut self);
}

impl Wipe for String {
    fn wipe(&mut self) {
        let mut bytes = std::mem::take(self).into_bytes();
        bytes.wipe();
    }
}

impl Wipe for Vec<u8> {
    fn wipe(&mut self) {
        zero_in_place(self);
        self.clear();
    }
}

/// Writes zeros over a buffer's bytes and its spare capacity, keeping its length.
fn zero_in_place(bytes: &mut Vec<u8>) {
    bytes.iter_mut().for_each(|byte| *byte = 0);
    bytes.spare_capacity_mut().iter_mut().for_each(|byte| {
        byte.write(0);
    });
    // Keep the optimiser from treating the zeroing as dead stores before the free.
    std::hint::black_box(bytes.as_slice());
    std::sync::atomic::compiler_fence(std::sync::atomic::Ordering::SeqCst);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeroing_overwrites_every_byte() {
        let mut bytes = Vec::with_capacity(64);
        bytes.extend_from_slice(b"daraja-passkey-bfb279f9aa9bdbcf158e97dd71a467cd");
        zero_in_place(&mut bytes);
        assert!(
            bytes.iter().all(|byte| *byte == 0),
            "every byte of the secret must be overwritten"
        );
    }

    #[test]
    fn wiping_leaves_strings_and_buffers_empty() {
        let mut text = String::from("daraja-passkey");
        text.wipe();
        assert!(text.is_empty(), "a wiped string is left empty");
        let mut bytes = b"sk_test_123".to_vec();
        bytes.wipe();
        assert!(bytes.is_empty(), "a wiped buffer is left empty");
    }
}
