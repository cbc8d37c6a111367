//! The command line's errors: each is one sentence for stderr that says what went wrong and,
//! where it helps, what to do. None carries a secret (the store and engine errors do not).

use std::path::PathBuf;

use malipo_engine::EngineError;
use malipo_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The command line itself is wrong.
    #[error("{0} (malipo-cli --help lists the commands)")]
    Usage(String),
    /// A file named on the command line cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Listing commands never create a database: a typo in `--db` would look like an empty till.
    #[error("there is no database at {}; give the till's database file with --db PATH", .0.display())]
    NoDatabase(PathBuf),
    #[error("the till database: {0}")]
    Store(#[from] StoreError),
    #[error("the payment engine: {0}")]
    Engine(#[from] EngineError),
    /// An id or option value that names nothing.
    #[error("{0}")]
    Invalid(String),
    /// stdout could not be written (a closed pipe, a full disk).
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
    #[error("cannot produce the JSON output: {0}")]
    Json(#[from] serde_json::Error),
}
