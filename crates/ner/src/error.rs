//! The error type of lede-ner's transformer NER.

/// What can go wrong building or running a [`crate::TransformerNer`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Finding, validating, loading or running the model failed (the source names the file).
    #[error(transparent)]
    Model(#[from] lede_models::Error),

    /// A libtorch operation failed.
    #[error("{context}")]
    Tch {
        /// What was being done.
        context: String,
        /// libtorch's error.
        #[source]
        source: tch::TchError,
    },

    /// The model's label map cannot be used for NER.
    #[error("{path}: {message}")]
    Labels {
        /// The config file with the label map.
        path: std::path::PathBuf,
        /// What is wrong.
        message: String,
    },

    /// The offline model failed.
    #[error(transparent)]
    Offline(#[from] crate::offline::OfflineError),

    /// A setting or input that breaks a documented precondition.
    #[error("invalid input: {0}")]
    InvalidInput(String),

    /// A span that does not fit the text (a bug in offsets, reported rather than hidden).
    #[error(transparent)]
    Span(#[from] lede_core::Error),
}

impl Error {
    pub(crate) fn tch(context: impl Into<String>, source: tch::TchError) -> Self {
        Error::Tch {
            context: context.into(),
            source,
        }
    }
}

/// `Result` with lede-ner's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
