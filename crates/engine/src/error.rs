//! The engine's errors: each says what the cashier or manager can do about it, and carries
//! no secret (provider errors are already redacted by `malipo-providers`).

use malipo_store::StoreError;
use malipo_vault::VaultError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// A settings value or argument that cannot be used as given.
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    InvalidPhone(String),
    #[error("{0}")]
    InvalidAmount(String),
    /// The tender's provider has no settings on this till.
    #[error("{0} is not set up on this till")]
    NotConfigured(&'static str),
    /// The provider could not be reached or refused the request; the sale is untouched.
    #[error("{0}")]
    Provider(String),
    #[error("{0}")]
    NotPermitted(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("refunds are turned off for this shop")]
    RefundsDisabled,
    #[error("the till database is unavailable")]
    Poisoned,
}

impl EngineError {
    /// The stable code the UI translates (docs/ipc.md).
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::Store(_) | EngineError::Vault(_) | EngineError::Poisoned => "store",
            EngineError::Invalid(_) | EngineError::NotFound(_) => "invalid_input",
            EngineError::InvalidPhone(_) => "invalid_phone",
            EngineError::InvalidAmount(_) => "invalid_amount",
            EngineError::NotConfigured(_) => "not_configured",
            EngineError::Provider(_) => "provider_unavailable",
            EngineError::NotPermitted(_) | EngineError::RefundsDisabled => "not_permitted",
        }
    }
}
