//! The error type of lede-relations.

use std::path::PathBuf;

/// Errors of lede-relations.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RelationError {
    /// A schema file could not be read.
    #[error("cannot read relation schema {path}")]
    ReadSchema {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A schema is not valid TOML of the expected shape.
    #[error("invalid relation schema")]
    ParseSchema(#[from] toml::de::Error),
    /// A schema is well-formed TOML but inconsistent (unknown macro, bad cue pattern, ...).
    #[error("invalid relation schema: {0}")]
    Schema(String),
    /// A cue pattern does not parse.
    #[error("label {label:?}: cue pattern {pattern:?}: {reason}")]
    Pattern {
        /// The label whose cue it is.
        label: String,
        /// The pattern text.
        pattern: String,
        /// What is wrong.
        reason: String,
    },
    /// A file (model weights, gold data, corpus) could not be read or written.
    #[error("I/O error on {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A JSON document (gold line, model metadata) does not parse.
    #[error("invalid JSON in {what}")]
    Json {
        /// What was being read (a file and line).
        what: String,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// A gold line or model file is well-formed but unusable.
    #[error("invalid data: {0}")]
    InvalidData(String),
    /// libtorch failed.
    #[error("libtorch error")]
    Torch(#[from] tch::TchError),
    /// rust-bert failed (loading or running an optional backend).
    #[error("rust-bert error")]
    RustBert(#[from] rust_bert::RustBertError),
    /// The tokenizer failed to load or to encode.
    #[error("tokenizer error")]
    Tokenizer(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
    /// The MiniLM encoder (lede-models) failed to load or run.
    #[error("encoder error")]
    Encoder(#[source] Box<lede_models::Error>),
    /// The pair classifier reads the recognizer's token vectors
    /// ([`crate::model::HeadMeta::token_vectors`]) and the document has none from its source.
    #[error(
        "document {document:?}: the relation classifier reads token vectors from {expected:?}, the document has {}; run the recognizer it was trained with (lede-ner's offline model) with token vectors, or retrain the classifier",
        found.as_deref().map_or_else(|| "none".to_string(), |f| format!("{f:?}"))
    )]
    TokenVectors {
        /// The document's id.
        document: String,
        /// The source the classifier was trained on.
        expected: String,
        /// The source of the document's vectors, if any.
        found: Option<String>,
    },
    /// Computing a document's token vectors for training failed.
    #[error("computing token vectors failed")]
    Vectors(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
    /// A required model file is missing.
    #[error("model file {path} is missing")]
    MissingFile {
        /// The expected path.
        path: PathBuf,
    },
    /// A model file (weights, tokenizer, a rust-bert model directory) could not be loaded;
    /// `path` names it and `source` says why (a lede-models, libtorch, rust-bert or tokenizers
    /// error).
    #[error("cannot load model file {path}")]
    Load {
        /// The file being loaded.
        path: PathBuf,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// A classifier, or a document given to it, was segmented by other sentence and word
    /// rules than this build's [`lede_tokenize::TOKENIZATION`].
    #[error(
        "{what} was segmented with tokenization {found}, the relation classifier needs {expected}{hint}",
        found = found.as_deref().unwrap_or("(none recorded)"),
        expected = lede_tokenize::TOKENIZATION,
        hint = if *.model { ": retrain it (models/relations/README.md)" } else { "" }
    )]
    Tokenization {
        /// The model file or document.
        what: String,
        /// The id it records.
        found: Option<String>,
        /// Whether `what` is the classifier (else a document).
        model: bool,
    },
    /// A span could not be built (a bug in offsets, or input that changed).
    #[error("offset error")]
    Offsets(#[from] lede_core::Error),
}

/// `Result` with [`RelationError`].
pub type Result<T, E = RelationError> = std::result::Result<T, E>;

impl RelationError {
    /// A [`RelationError::Load`] of `path`.
    pub(crate) fn load<E>(path: &std::path::Path, source: E) -> Self
    where
        E: Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    {
        RelationError::Load {
            path: path.to_path_buf(),
            source: source.into(),
        }
    }
}

/// Checks a weights file before a loader that does not check it (rust-bert) reads it: its
/// format from its first bytes and, for safetensors, an intact header and a data section as
/// long as the header says (lede-models' checks).
pub(crate) fn check_weights(path: &std::path::Path) -> Result<()> {
    use lede_models::weights::{detect_format, SafeTensorsHeader};
    let check = || -> lede_models::Result<()> {
        if detect_format(path)? == lede_models::WeightsFormat::SafeTensors {
            SafeTensorsHeader::read(path)?;
        }
        Ok(())
    };
    check().map_err(|e| RelationError::load(path, e))
}

impl From<RelationError> for lede_core::Error {
    fn from(e: RelationError) -> Self {
        lede_core::Error::task("relations", e)
    }
}
