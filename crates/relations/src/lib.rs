//! # lede-relations
//!
//! Relation extraction for [lede](https://github.com/lede-nlp/lede): typed relations between the
//! entities of a news article, each with a calibrated score and the sentence that states it,
//! offline by default.
//!
//! * [`Schema`]: the labels as data (the crate's `schema/news.toml`, compiled in as
//!   [`NEWS_SCHEMA_TOML`]; a copy sits in the repository's `models/relations/`): argument types, symmetry, definitions, verbalizations, and the cue
//!   patterns news writing uses ("X, the capital of Y", "US President Donald Trump", "the
//!   White House envoy, John Cole", "the 63-year-old founder of", "sentenced to 11 years").
//!   Load any TOML file with [`Schema::from_path`] to add labels without recompiling.
//! * [`candidates`]: pairs of entity mentions in one sentence (or, [`candidates_with`], two
//!   adjacent ones) whose types fit a label;
//!   demonyms ("Belarusian") stand for their country when the article names it.
//! * [`NewsRelationExtractor`]: cue patterns plus, when loaded, the MiniLM pair classifier
//!   ([`model`]); relations are reported between entities (clusters), deduplicated, with the
//!   best-scored evidence. Literal tails (`age`, `sentenced_to`) have the tail id
//!   [`VALUE_TAIL_ID`] and the value in `tail_name`.
//! * [`evaluate`]: precision, recall and F1 against gold JSON Lines, labelled and unlabelled.
//! * [`rebel`] and [`nli`]: optional rust-bert backends (a REBEL-style triplet generator and
//!   NLI zero-shot over the schema's verbalizations) for users with bigger models.
//!
//! ## The default offline extractor
//!
//! ```no_run
//! use lede_relations::NewsRelationExtractor;
//! // Cue patterns + the pair classifier in models/relations/ (pair-classifier.safetensors,
//! // pair-classifier.json), over the packaged all-MiniLM-L6-v2 as lede-models resolves it:
//! let extractor = NewsRelationExtractor::builder()
//!     .schema_path("models/relations/news.toml") // optional: the same schema is compiled in
//!     .model_dir("models/relations")
//!     .encoder_model("minilm") // or .encoder_dir(path), or .encoder(an already built SentenceEmbedder)
//!     .build()?;
//! // The same in one call, with a MiniLM directory:
//! let same = NewsRelationExtractor::offline("models/relations", "/path/to/all-MiniLM-L6-v2")?;
//! // Cue patterns only (no files, no libtorch work):
//! let cues = NewsRelationExtractor::builder().build()?;
//! # Ok::<(), lede_relations::RelationError>(())
//! ```
//!
//! ```
//! use lede_core::{AnnotatedDocument, Document, Entity, Mention, OffsetMap, RelationExtractor, Sentence};
//! use lede_relations::NewsRelationExtractor;
//!
//! let text = "He spoke at the US Embassy in Vilnius, the capital of Lithuania.";
//! let map = OffsetMap::new(text);
//! let entity = |id: &str, label: &str, name: &str| {
//!     let start = text.find(name).unwrap();
//!     let span = map.span(start, start + name.len()).unwrap();
//!     Entity { id: id.into(), name: name.into(), label: label.into(),
//!              mentions: vec![Mention { text: name.into(), label: label.into(), score: 1.0, span }] }
//! };
//! let mut doc = AnnotatedDocument::new(Document::new("d1", text));
//! doc.sentences = vec![Sentence { span: map.span(0, text.len()).unwrap(), text: text.into() }];
//! doc.entities = vec![
//!     entity("E1", "FAC", "US Embassy"),
//!     entity("E2", "GPE", "Vilnius"),
//!     entity("E3", "GPE", "Lithuania"),
//! ];
//! let extractor = NewsRelationExtractor::builder().build().unwrap();
//! let relations = extractor.extract(&doc).unwrap();
//! assert!(relations.iter().any(|r| r.label == "capital_of" && r.head == "E2" && r.tail == "E3"));
//! assert!(relations.iter().any(|r| r.label == "located_in" && r.head == "E1" && r.tail == "E2"));
//! assert_eq!(relations[0].evidence.text, text);
//! ```
#![deny(missing_docs)]

mod candidates;
mod context;
mod error;
pub mod eval;
mod extractor;
pub mod model;
pub mod nli;
mod pattern;
pub mod rebel;
mod rules;
mod schema;
mod text;

pub use candidates::{
    candidates, candidates_with, Candidate, CandidateOptions, MAX_CANDIDATES, MAX_WORD_DISTANCE,
};
pub use error::{RelationError, Result};
pub use eval::{
    entities_from_forms, evaluate, parse_gold, read_gold, Counts, EntitySpec, GoldRelation,
    RelationScores,
};
pub use extractor::{
    classifier_dir_for, NewsRelationExtractor, RelationExtractorBuilder, ScoredRelation, Source,
    FALLBACK_DIR, VALUE_TAIL_ID,
};
pub use pattern::value_key;
pub use schema::{
    types_accept, Cue, CueSpec, Label, LabelSpec, RebelMapping, Schema, ValueKind, NEWS_SCHEMA_TOML,
};
pub use text::fold;
