//! Why the training rig could not start or a customer action could not be played.

/// Errors of the training rig. Messages are for the log and for the person practising.
#[derive(Debug, thiserror::Error)]
pub enum TrainingError {
    #[error("could not prepare the training data directory {path}: {source}")]
    DataDir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("could not listen on a loopback port: {0}")]
    Listen(std::io::Error),
    #[error("the training relay's database failed: {0}")]
    RelayStore(#[from] malipo_relay::StoreError),
    #[error("could not register the training shop on the relay: {0}")]
    RelayAdmin(#[from] malipo_relay::admin::AdminError),
    #[error("the training relay identity file {path} is unreadable: {detail}")]
    Identity {
        path: std::path::PathBuf,
        detail: String,
    },
    #[error("could not reach a simulator: {0}")]
    Http(#[from] reqwest::Error),
    #[error("the simulator refused: {0}")]
    Refused(String),
    #[error("there is no STK prompt waiting on the customer's phone")]
    NoPrompt,
    #[error("there is no Dynamic QR to scan")]
    NoQr,
    #[error("M-Pesa takes whole shillings: {0} has cents")]
    Cents(malipo_core::Money),
}
