//! The one library error type.
//!
//! Every variant carries the context a user needs to act on it: the file and
//! line of a bad record, the path of an unreadable file, the parameter that is
//! out of range. Per-article problems are not errors: they become
//! [`crate::model::Skipped`] records and the run goes on.

use std::path::PathBuf;

/// Errors returned by the newsdup library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned (`-` for standard input/output).
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// A record could not be used (only raised in strict mode; otherwise it is skipped).
    #[error("{origin}: {reason}")]
    BadRecord {
        /// Where the record came from (`file:line`).
        origin: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A parameter is out of its valid range.
    #[error("invalid parameter: {0}")]
    InvalidParams(String),
}

/// Result alias used across the library.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
