//! The store's error type: one variant per thing a caller can act on.

use malipo_core::MoneyError;

/// Errors of the till's database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite itself failed (disk full, locked past the busy timeout, corrupt file…).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The file was written by a newer Malipo; opening it could lose data.
    #[error(
        "this database was created by a newer version of Malipo (schema {found}, this version knows up to {supported}); update Malipo on this till"
    )]
    NewerSchema { found: i64, supported: i64 },
    /// A stored document (cart, sale lines) could not be read back.
    #[error("stored {what} is unreadable: {detail}")]
    Corrupt { what: &'static str, detail: String },
    /// Money arithmetic failed (mixed currencies, overflow).
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// The row asked for does not exist.
    #[error("{what} {id} was not found")]
    NotFound { what: &'static str, id: String },
    /// The operation is not allowed in the row's current state.
    #[error("{0}")]
    Refused(String),
    /// Hashing a PIN failed.
    #[error("could not hash the PIN")]
    PinHash,
    /// The operating system refused to give random bytes.
    #[error("no randomness available from the operating system")]
    Random,
}

/// Shorthand for the store's results.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

pub(crate) fn corrupt(what: &'static str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        what,
        detail: e.to_string(),
    }
}
