//! The crate's errors. Messages name the service and what to check, never a secret.

use malipo_store::StoreError;

/// Why one message could not be sent. [`SendError::is_retryable`] decides whether the outbox
/// tries again later or gives up at once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The server could not be reached or did not answer in time.
    #[error("could not reach {service}: {detail}")]
    Unreachable {
        service: &'static str,
        detail: String,
    },
    /// The server refused the username, password or API key.
    #[error("{service} refused the credentials ({detail}); check the username and key in the receipt settings")]
    Credentials {
        service: &'static str,
        detail: String,
    },
    /// The recipient cannot receive this message (invalid address or number, blacklisted…).
    #[error("{service} refused the recipient: {detail}")]
    Recipient {
        service: &'static str,
        detail: String,
    },
    /// The server refused the message for another reason.
    #[error("{service} refused the message: {detail}")]
    Rejected {
        service: &'static str,
        detail: String,
        retryable: bool,
    },
    /// The server answered something this version cannot read.
    #[error("{service} gave an answer Malipo cannot read: {detail}")]
    BadAnswer {
        service: &'static str,
        detail: String,
    },
    /// No sender is configured for the message's channel.
    #[error("{channel} receipts are not set up on this till")]
    NotConfigured { channel: &'static str },
}

impl SendError {
    /// Whether trying again later may succeed. Credentials are retried (a manager may fix
    /// them before the attempts run out); a refused recipient is not.
    pub fn is_retryable(&self) -> bool {
        match self {
            SendError::Unreachable { .. }
            | SendError::Credentials { .. }
            | SendError::BadAnswer { .. }
            | SendError::NotConfigured { .. } => true,
            SendError::Recipient { .. } => false,
            SendError::Rejected { retryable, .. } => *retryable,
        }
    }
}

/// Errors of setting up senders or running the outbox.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The receipt settings cannot work (bad address, plain SMTP with a password off
    /// loopback…).
    #[error("the receipt settings cannot be used: {0}")]
    Config(String),
    /// Sending failed (returned by the senders called directly).
    #[error(transparent)]
    Send(#[from] SendError),
    /// The till's database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
