//! # lede
//!
//! Turns news articles into a structured, model-backed analysis: sentences, named entities
//! merged into one entry per real-world thing, relations between them with their evidence,
//! and a summary.
//!
//! This is the facade: it re-exports the task crates ([`core`], [`tokenize`], [`models`],
//! [`ner`], [`relations`], [`summarize`]) so a project can depend on `lede` alone, and composes
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
#![deny(missing_docs)]

pub mod batch;
pub mod html;
pub mod input;
pub mod output;
mod pipeline;

pub use lede_core as core;
pub use lede_models as models;
pub use lede_ner as ner;
pub use lede_relations as relations;
pub use lede_summarize as summarize;
pub use lede_tokenize as tokenize;

pub use lede_core::{Analysis, Document, Entity, Mention, Relation, Span, Summary};
pub use pipeline::{Analyzer, AnalyzerBuilder, ModelChoice, Tasks};

/// Errors of the facade.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A document that cannot be analysed (empty, too large, ...).
    #[error(transparent)]
    Document(#[from] lede_core::Error),
    /// A model could not be resolved or loaded.
    #[error("model set-up failed: {0}")]
    Models(String),
    /// A task failed on a document.
    #[error("{task}: {message}")]
    Task {
        /// Which task.
        task: &'static str,
        /// Why, with the causes.
        message: String,
    },
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
