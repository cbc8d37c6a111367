//! Endpoint and device tokens: long random secrets, shown once, stored only as SHA-256 hashes.
//!
//! A token is 32 bytes from the operating system's CSPRNG written as 64 lowercase hex
//! characters. Hex is deliberate: its alphabet (`0-9a-f`) cannot spell any of the words
//! Safaricom rejects in callback URLs ("mpesa", "safaricom", "sql", "query", "exe", "cmd"), so a
//! token in a path never trips the filter.

use sha2::{Digest, Sha256};

/// Bytes of randomness in a token (256 bits).
const TOKEN_BYTES: usize = 32;

/// The operating system could not supply randomness.
#[derive(Debug, thiserror::Error)]
#[error("the system random number generator failed")]
pub struct RandomnessUnavailable;

/// A secret token as handed to its holder. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl Token {
    /// A fresh random token.
    pub fn generate() -> Result<Self, RandomnessUnavailable> {
        let mut bytes = [0u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes).map_err(|_| RandomnessUnavailable)?;
        Ok(Self(hex::encode(bytes)))
    }

    /// The token's text, to show its holder once (never to log).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The hash under which the token is stored.
    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

/// SHA-256 of a token's text, lowercase hex: what the database keeps and looks up by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHash(String);

impl TokenHash {
    /// The hash of whatever a caller presented (a path segment or a bearer token).
    pub fn of(presented: &str) -> Self {
        Self(hex::encode(Sha256::digest(presented.as_bytes())))
    }

    /// The hash as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_hex_and_distinct() {
        let a = Token::generate().unwrap();
        let b = Token::generate().unwrap();
        assert_eq!(a.expose().len(), 64);
        assert!(a.expose().chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_ne!(a.hash(), b.hash());
        assert_eq!(a.hash(), TokenHash::of(a.expose()));
        assert!(!format!("{a:?}").contains(a.expose()));
    }
}
