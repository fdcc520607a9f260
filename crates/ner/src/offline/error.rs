//! Errors of the offline model.

use std::path::PathBuf;

/// What went wrong loading, training or running the offline model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OfflineError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A JSON file (model config, base config, training data) is malformed.
    #[error("{path}: invalid JSON: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's complaint.
        #[source]
        source: serde_json::Error,
    },
    /// A model file is present but does not fit: wrong format version, missing tensors,
    /// wrong shapes, or a base model other than the one the model was trained on.
    #[error("{path}: {reason}")]
    BadModel {
        /// The offending file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Training data that cannot be used (no documents, offsets off the text).
    #[error("{path}: {reason}")]
    BadData {
        /// The data file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// An invalid setting.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The WordPiece tokenizer failed to load or to encode.
    #[error("tokenizer: {0}")]
    Tokenizer(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A document segmented by other rules than the model was trained on.
    #[error(
        "the document's tokens come from {}, the model was trained on {:?}: segment it with \
         lede_tokenize::Segmenter::default()",
        found.as_deref().map_or("unknown rules".to_string(), |f| format!("{f:?}")),
        lede_tokenize::TOKENIZATION
    )]
    Tokenization {
        /// The document's tokenization id.
        found: Option<String>,
    },
    /// libtorch failed.
    #[error("libtorch: {0}")]
    Tch(#[from] tch::TchError),
    /// rust-bert failed.
    #[error("rust-bert: {0}")]
    RustBert(#[from] rust_bert::RustBertError),
    /// lede-models' fast encoder pass could not be built or run.
    #[error("encoder: {0}")]
    Encoder(#[source] Box<lede_models::Error>),
    /// A span could not be made from model output.
    #[error("span: {0}")]
    Span(#[from] lede_core::Error),
}

/// `Result` with [`OfflineError`].
pub type Result<T, E = OfflineError> = std::result::Result<T, E>;

impl OfflineError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        OfflineError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn bad_model(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        OfflineError::BadModel {
            path: path.into(),
            reason: reason.into(),
        }
    }
}
