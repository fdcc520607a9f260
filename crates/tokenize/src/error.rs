//! The error type of lede-tokenize.

use std::path::PathBuf;

/// Errors of lede-tokenize.
///
/// Sentence splitting and word tokenization never fail on any input; errors come from
/// configuration (builders) and from the subword encoder.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A word given to a builder (abbreviation, sentence starter) is empty or contains
    /// whitespace.
    #[error("invalid {what} {word:?}: it must be non-empty and contain no whitespace")]
    InvalidWord {
        /// What the word was meant to be.
        what: &'static str,
        /// The word.
        word: String,
    },
    /// A file could not be read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The Hugging Face `tokenizers` crate failed (loading a `tokenizer.json` or a vocabulary,
    /// or encoding).
    #[error("tokenizer error while {context}")]
    Tokenizer {
        /// What we were doing.
        context: String,
        /// The `tokenizers` error.
        #[source]
        source: tokenizers::Error,
    },
    /// The subword encoder was built without a source (`tokenizer.json`, `vocab.txt` or a
    /// `tokenizers::Tokenizer`).
    #[error("no tokenizer source was given to the builder")]
    MissingSource,
    /// A token the encoder needs is not in the vocabulary.
    #[error("the vocabulary has no {role} token {token:?}")]
    MissingToken {
        /// Its role (`unknown`, `classifier`, `separator`).
        role: &'static str,
        /// The token.
        token: String,
    },
    /// Word tokens passed to the encoder do not slice the text.
    #[error("word token {index} ({start}..{end}) does not slice a text of {len} bytes")]
    InvalidWordSpan {
        /// Index of the offending token.
        index: usize,
        /// Its byte start.
        start: usize,
        /// Its byte end.
        end: usize,
        /// Length of the text.
        len: usize,
    },
    /// A window configuration that cannot hold any text.
    #[error(
        "windows of at most {max_len} subwords with stride {stride} cannot work: the model adds \
         {special} special tokens, so max_len must exceed {special} and stride must be smaller \
         than max_len - {special}"
    )]
    InvalidWindow {
        /// The requested maximum length.
        max_len: usize,
        /// The requested stride.
        stride: usize,
        /// Special tokens added per sequence.
        special: usize,
    },
    /// The tokenizer's post-processor did something the encoder cannot align (it must only
    /// add special tokens around the text's subwords).
    #[error("cannot align the post-processed encoding: {0}")]
    Alignment(String),
    /// An error of lede-core (span construction).
    #[error(transparent)]
    Core(#[from] lede_core::Error),
}

impl Error {
    pub(crate) fn tokenizer(context: impl Into<String>, source: tokenizers::Error) -> Self {
        Error::Tokenizer {
            context: context.into(),
            source,
        }
    }
}

/// `Result` with lede-tokenize's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<Error> for lede_core::Error {
    fn from(err: Error) -> Self {
        lede_core::Error::task("tokenize", err)
    }
}
