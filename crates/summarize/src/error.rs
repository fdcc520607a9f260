//! The error type of lede-summarize.

use std::path::PathBuf;

/// Errors of lede-summarize.
///
/// They cross the [`lede_core::Summarizer`] trait boundary as
/// [`lede_core::Error::Task`] (task `"summarization"`), which keeps this error as its source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SummarizeError {
    /// A builder was given a setting outside its range.
    #[error("invalid summarizer configuration: {0}")]
    InvalidConfig(String),
    /// The sentence encoder failed.
    #[error("sentence encoder failed")]
    Encoder(#[source] lede_core::Error),
    /// An error from lede-core (spans, documents).
    #[error(transparent)]
    Core(#[from] lede_core::Error),
    /// The encoder returned vectors that do not match the sentences.
    #[error("sentence encoder returned {rows} vectors of width {dim} for {sentences} sentences")]
    EmbeddingShape {
        /// Vectors returned.
        rows: usize,
        /// Their width.
        dim: usize,
        /// Sentences sent.
        sentences: usize,
    },
    /// No embeddings were available and the lexical fallback was switched off.
    #[error("no sentence embeddings: the document has none, no encoder is set and the lexical fallback is off")]
    NoEmbeddings,
    /// A file could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A line of a reference file is not a valid `{"doc": ..., "summary": ...}` object.
    #[error("{path}:{line}: invalid reference line")]
    RefLine {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// A reference names a document that was not provided.
    #[error("reference for document {id:?} has no matching document")]
    MissingDocument {
        /// The document id.
        id: String,
    },
    /// A summarizer failed during evaluation.
    #[error("summarizer {name:?} failed on document {doc:?}")]
    Summarizer {
        /// The summarizer's name.
        name: String,
        /// The document id.
        doc: String,
        /// The error.
        #[source]
        source: lede_core::Error,
    },
    /// lede-models could not resolve or validate the model.
    #[error("cannot resolve the model")]
    Models(#[source] Box<lede_models::Error>),
    /// A model directory lacks a file or is otherwise unusable.
    #[error("model directory {path}: {reason}")]
    ModelDir {
        /// The directory.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The model's `config.json` names an architecture this crate cannot summarize with.
    #[error("unsupported model type {0:?} (expected bart, t5 or pegasus)")]
    UnsupportedModel(String),
    /// A model's `config.json` could not be parsed.
    #[error("invalid model config {path}")]
    ModelConfig {
        /// The file.
        path: PathBuf,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// A model could not be loaded from its files; `path` names the file being loaded (the
    /// weights rust-bert reads, with the config and tokenizer files beside them) and `source`
    /// says why.
    #[error("cannot load model file {path}")]
    Load {
        /// The file being loaded.
        path: PathBuf,
        /// Why (a rust-bert, libtorch or tokenizer error).
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// A trained sentence scorer file is not usable.
    #[error("sentence scorer {path}: {reason}")]
    Scorer {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// rust-bert failed to load or run a model.
    #[error("rust-bert failed")]
    RustBert(#[from] rust_bert::RustBertError),
}

impl From<lede_models::Error> for SummarizeError {
    fn from(e: lede_models::Error) -> Self {
        SummarizeError::Models(Box::new(e))
    }
}

impl From<SummarizeError> for lede_core::Error {
    fn from(e: SummarizeError) -> Self {
        lede_core::Error::task("summarization", e)
    }
}

/// `Result` with [`SummarizeError`].
pub type Result<T, E = SummarizeError> = std::result::Result<T, E>;
