//! `users`: cashiers and managers with an Argon2id-hashed PIN. The PIN itself is never stored.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use malipo_core::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::error::{Result, StoreError};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role       TEXT NOT NULL CHECK (role IN ('cashier', 'manager')),
    pin_hash   TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);
";

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Cashier,
    Manager,
}

impl Role {
    /// Database code.
    pub const fn code(self) -> &'static str {
        match self {
            Role::Cashier => "cashier",
            Role::Manager => "manager",
        }
    }
}

/// A user, without the PIN hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub active: bool,
}

fn check_pin(pin: &str) -> Result<()> {
    if !(4..=8).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(StoreError::Refused("a PIN is 4 to 8 digits".into()));
    }
    Ok(())
}

fn hash_pin(pin: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| StoreError::Random)?;
    let salt = SaltString::encode_b64(&salt).map_err(|_| StoreError::PinHash)?;
    Ok(Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map_err(|_| StoreError::PinHash)?
        .to_string())
}

pub(crate) fn create(
    conn: &Connection,
    name: &str,
    role: Role,
    pin: &str,
    now: Timestamp,
) -> Result<User> {
    check_pin(pin)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::Refused("a user needs a name".into()));
    }
    let hash = hash_pin(pin)?;
    let id = conn
        .prepare_cached("INSERT INTO users (name, role, pin_hash, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id")?
        .query_row(params![name, role.code(), hash, now.0], |r| r.get(0))
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                StoreError::Refused(format!("there is already a user called {name}"))
            }
            other => other.into(),
        })?;
    Ok(User {
        id,
        name: name.to_string(),
        role,
        active: true,
    })
}

/// The active user with this name whose PIN matches, or `None` (wrong name or wrong PIN look
/// the same to the caller, on purpose).
pub(crate) fn verify(conn: &Connection, name: &str, pin: &str) -> Result<Option<User>> {
    let row: Option<(i64, String, String, String)> = conn
        .prepare_cached(
            "SELECT id, name, role, pin_hash FROM users WHERE name = ?1 AND active = 1",
        )?
        .query_row([name.trim()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let Some((id, name, role, hash)) = row else {
        return Ok(None);
    };
    let parsed = PasswordHash::new(&hash).map_err(|_| StoreError::PinHash)?;
    if Argon2::default()
        .verify_password(pin.as_bytes(), &parsed)
        .is_err()
    {
        return Ok(None);
    }
    let role = if role == "manager" {
        Role::Manager
    } else {
        Role::Cashier
    };
    Ok(Some(User {
        id,
        name,
        role,
        active: true,
    }))
}
