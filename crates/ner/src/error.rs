//! The error type of lede-ner: every failure of the crate converts into [`Error`].

/// What can go wrong in lede-ner: building or running a [`crate::TransformerNer`] or the
/// offline model, or reading gold annotations for evaluation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Finding, validating, loading or running the model failed (the source names the file).
    #[error(transparent)]
    Model(#[from] lede_models::Error),

    /// Subword encoding failed (a word token that does not fit the text, a tokenizer
    /// failure, a window setting that leaves no room for text).
    #[error(transparent)]
    Subwords(#[from] lede_tokenize::Error),

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

    /// A gold or prediction file for evaluation could not be read.
    #[error(transparent)]
    Gold(#[from] crate::eval::GoldError),

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gold_errors_convert_into_the_crate_error() {
        let gold = crate::eval::GoldError::Open {
            path: "gold.jsonl".into(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "missing"),
        };
        let e: Error = gold.into();
        assert!(matches!(e, Error::Gold(_)));
        assert!(e.to_string().contains("gold.jsonl"));
    }
}
