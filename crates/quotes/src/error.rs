//! The error type of lede-quotes.

use std::path::PathBuf;

/// Errors of lede-quotes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QuoteError {
    /// A gold file could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A gold record is malformed.
    #[error("{path}:{line}: {reason}")]
    Gold {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A span does not fit the document's text.
    #[error(transparent)]
    Span(#[from] lede_core::Error),
}

/// `Result` with [`QuoteError`].
pub type Result<T, E = QuoteError> = std::result::Result<T, E>;
