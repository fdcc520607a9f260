//! The error type shared by the task traits.

/// Errors of lede-core and of the task traits it defines.
///
/// Task crates have their own error enums; they cross a trait boundary as
/// [`Error::Task`], which keeps the original error as its `source`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A byte range that is reversed, out of bounds or not on char boundaries.
    #[error("span {start}..{end} does not fit a text of length {len} on char boundaries")]
    InvalidSpan {
        /// Start of the offending range.
        start: usize,
        /// End of the offending range.
        end: usize,
        /// Length of the text it was checked against.
        len: usize,
    },
    /// A document with no text worth analysing (empty or whitespace only).
    #[error("document {id:?} is empty")]
    EmptyDocument {
        /// The document's id.
        id: String,
    },
    /// A document larger than the configured limit.
    #[error("document {id:?} has {bytes} bytes, more than the limit of {limit}")]
    DocumentTooLarge {
        /// The document's id.
        id: String,
        /// Its size in bytes.
        bytes: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// A document with more words than the configured limit: the models' time and memory
    /// grow with the words, so a limit bounds both.
    #[error(
        "document {id:?} has {words} words (punctuation included), more than the limit of \
         {limit}"
    )]
    TooManyWords {
        /// The document's id.
        id: String,
        /// Its words, as its tokenization counts them.
        words: usize,
        /// The limit.
        limit: usize,
    },
    /// Input that breaks a documented precondition.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A task (NER, relations, summarization, ...) failed; `source` says why.
    #[error("{task} failed")]
    Task {
        /// The task's name.
        task: &'static str,
        /// The task crate's own error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
}

impl Error {
    /// Wraps a task crate's error.
    pub fn task<E>(task: &'static str, source: E) -> Self
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        Error::Task {
            task,
            source: Box::new(source),
        }
    }
}

/// `Result` with lede-core's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
