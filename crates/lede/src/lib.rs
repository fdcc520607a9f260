//! # lede
//!
//! Turns news articles into a structured, model-backed analysis: sentences, named entities
//! merged into one entry per real-world thing, relations between them with their evidence,
//! a summary, and quotations attributed to the entities that said them.
//!
//! This is the facade: it re-exports the task crates ([`core`], [`tokenize`], [`models`],
//! [`ner`], [`relations`], [`summarize`], [`quotes`]) so a project can depend on `lede` alone, and composes
//! them in an [`Analyzer`]. Work shared between tasks is done once per document and handed to
//! every task through a [`core::AnnotatedDocument`]: segmentation, and the sentence vectors
//! the offline NER model pools from its own encoder pass for the summary.
//!
//! ```
//! use lede::{Analyzer, Document};
//!
//! // Segmentation only: no models needed.
//! let analyzer = Analyzer::builder().tasks(lede::Tasks::none()).build().unwrap();
//! let doc = Document::new("d1", "Minsk (EFE).- Belarus freed 52 prisoners. They crossed into Lithuania.");
//! let analysis = analyzer.analyze(doc).unwrap();
//! assert_eq!(analysis.sentences.len(), 2);
//! ```
//!
//! For many documents, an [`AnalyzerPool`] runs one analyzer per worker thread on a rayon pool
//! (models are `Send` but not `Sync`) and returns results in input order.
#![deny(missing_docs)]

mod pipeline;
mod pool;

pub use lede_core as core;
pub use lede_models as models;
pub use lede_ner as ner;
pub use lede_quotes as quotes;
pub use lede_relations as relations;
pub use lede_summarize as summarize;
pub use lede_tokenize as tokenize;

pub use lede_core::{Analysis, Document, Entity, Mention, Relation, Span, Summary};
pub use lede_models::fast::Precision;
pub use pipeline::{
    Analyzer, AnalyzerBuilder, ModelChoice, RelationClassifier, Tasks, DEFAULT_MAX_WORDS,
};
pub use pool::{AnalyzerPool, AnalyzerPoolBuilder, StreamOptions, Streamed};

/// A boxed error with its own chain of causes.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Errors of the facade. Each keeps the error it comes from as its
/// [`source`](std::error::Error::source); [`error_chain`] formats the whole chain on one line.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A document that cannot be analysed (empty, too large, ...).
    #[error(transparent)]
    Document(#[from] lede_core::Error),
    /// A model could not be resolved or loaded, or the model configuration is inconsistent.
    #[error("model set-up failed: {what}")]
    Models {
        /// What was being set up (e.g. `NER model`), or what is wrong when there is no source.
        what: String,
        /// The task or model crate's error (a `lede_models::Error`, `lede_ner::Error`, ...),
        /// absent when the configuration itself is wrong.
        #[source]
        source: Option<BoxError>,
    },
    /// A task failed on a document.
    #[error("{task} failed")]
    Task {
        /// Which task (`ner`, `relations`, `summary`).
        task: &'static str,
        /// The task crate's error (`lede_ner::Error`, `lede_relations::Error`, ...).
        #[source]
        source: BoxError,
    },
    /// Analysing a document panicked (a bug); the worker that ran it rebuilds its models.
    #[error("internal error while analysing: {message}")]
    Panicked {
        /// The panic's message.
        message: String,
    },
    /// An [`AnalyzerPool`]'s worker threads could not be started.
    #[error("cannot start worker threads")]
    Threads(#[source] rayon::ThreadPoolBuildError),
}

impl Error {
    /// A model set-up error caused by `source`.
    pub(crate) fn models<E>(what: impl Into<String>, source: E) -> Error
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        Error::Models {
            what: what.into(),
            source: Some(Box::new(source)),
        }
    }

    /// A model configuration error without an underlying cause.
    pub(crate) fn model_config(what: impl Into<String>) -> Error {
        Error::Models {
            what: what.into(),
            source: None,
        }
    }
}

/// `Result` with the facade's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Formats an error with its chain of causes on one line (`a: b: c`).
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let m = c.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        cur = c.source();
    }
    s
}
