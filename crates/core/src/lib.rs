//! # lede-core
//!
//! The common document type of [lede](https://github.com/lede-nlp/lede): the small, stable crate
//! every lede crate (and any project that wants lede's data model) depends on. It has no
//! model runtime: only `serde` and `thiserror`.
//!
//! * [`Document`]: the input.
//! * [`Span`]: byte **and** char offsets into the original text; [`OffsetMap`] converts
//!   between them cheaply.
//! * [`Sentence`], [`Token`], [`Mention`], [`Entity`], [`Relation`], [`Summary`], [`Quote`]: what the
//!   tasks produce, gathered in an [`Analysis`], whose JSON form is the public output contract
//!   (`schema_version` [`SCHEMA_VERSION`]).
//! * [`SentenceSplitter`], [`WordTokenizer`], [`EntityRecognizer`], [`RelationExtractor`],
//!   [`Summarizer`], [`SentenceEncoder`]: one trait per stage, over an
//!   [`AnnotatedDocument`] that carries what earlier stages computed.
//! * [`CoarseLabel`]: the mapping from OntoNotes-style labels to CoNLL's PER/ORG/LOC/MISC.
//!
//! ```
//! use lede_core::{Analysis, Document, Mention, OffsetMap};
//!
//! let doc = Document::new("d1", "Ales Bialiatski was freed in Minsk.");
//! let offsets = OffsetMap::new(&doc.text);
//! let span = offsets.span(29, 34).unwrap();
//! assert_eq!(span.slice(&doc.text), Some("Minsk"));
//! let mention = Mention { text: "Minsk".into(), label: "GPE".into(), score: 0.98, span };
//! let json = serde_json::to_value(&mention).unwrap();
//! assert_eq!(json["char_start"], 29);
//! let analysis = Analysis::empty(&doc);
//! assert_eq!(analysis.schema_version, lede_core::SCHEMA_VERSION);
//! ```
#![deny(missing_docs)]

mod analysis;
mod annotation;
mod document;
mod error;
mod labels;
mod macros;
pub mod metrics;
mod span;
mod traits;

pub use analysis::{
    Analysis, AnnotatedDocument, DocumentInfo, Embeddings, TokenVectors, WordPieces, SCHEMA_VERSION,
};
pub use annotation::{
    Entity, Evidence, Mention, Phrase, Quote, QuoteKind, Relation, Sentence, Summary, Token,
    TokenKind,
};
pub use document::Document;
pub use error::{Error, Result};
pub use labels::CoarseLabel;
pub use span::{OffsetMap, Span};
pub use traits::{
    tokens_in, EntityRecognizer, QuoteExtractor, Recognition, RelationExtractor, SentenceEncoder,
    SentenceSplitter, Summarizer, WordTokenizer,
};
