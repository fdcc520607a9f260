//! The [`Analyzer`]: runs the configured tasks over one document.

use std::collections::BTreeMap;
use std::path::PathBuf;

use lede_core::{
    Analysis, AnnotatedDocument, Document, Entity, EntityRecognizer, Mention, QuoteExtractor,
    RelationExtractor, Summarizer,
};
use lede_tokenize::Segmenter;

use crate::{Error, Precision, Result};

/// Which tasks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tasks {
    /// Named entities (and their clustering into entities).
    pub ner: bool,
    /// Relations between entities (needs `ner`).
    pub relations: bool,
    /// A summary.
    pub summary: bool,
    /// Quotations and their speakers (speakers resolve to entities when `ner` runs).
    pub quotes: bool,
    /// Include word tokens in the output.
    pub tokens: bool,
    /// Include the document's text in `analysis.document.text`.
    pub text: bool,
}

impl Tasks {
    /// Every task (tokens excluded from the output).
    pub fn all() -> Self {
        Tasks {
            ner: true,
            relations: true,
            summary: true,
            quotes: true,
            tokens: false,
            text: false,
        }
    }

    /// Segmentation only.
    pub fn none() -> Self {
        Tasks {
            ner: false,
            relations: false,
            summary: false,
            quotes: false,
            tokens: false,
            text: false,
        }
    }
}

impl Default for Tasks {
    fn default() -> Self {
        Tasks::all()
    }
}

/// Where the models come from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ModelChoice {
    /// The offline model set (`models/offline.toml`): files that reach a machine without a
    /// model hub.
    #[default]
    Offline,
    /// The standard set (`models/standard.toml`): rust-bert's usual pretrained models by hub id
    /// (needs the `remote` feature and network access).
    Standard,
    /// A manifest file, or a model directory used for NER.
    Path(PathBuf),
}

impl std::str::FromStr for ModelChoice {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Ok(match s {
            "offline" => ModelChoice::Offline,
            "standard" => ModelChoice::Standard,
            other => ModelChoice::Path(PathBuf::from(other)),
        })
    }
}

/// Turns mentions into entities.
pub type Clusterer = fn(&str, &[Mention]) -> Vec<Entity>;

/// The default of [`AnalyzerBuilder::max_words`]: 100,000 words, about 20 times the longest
/// news article and 60 pages of a book. At this limit a worker's memory peaks at about 2 GB
/// on the worst input measured (docs/RELIABILITY.md).
pub const DEFAULT_MAX_WORDS: usize = 100_000;

/// Configures and builds an [`Analyzer`]. Cheap to clone: batch workers each build their own
/// analyzer (models are `Send`, not `Sync`).
#[derive(Debug, Clone, Default)]
pub struct AnalyzerBuilder {
    pub(crate) tasks: Option<Tasks>,
    pub(crate) models: ModelChoice,
    pub(crate) offline: bool,
    pub(crate) max_bytes: Option<usize>,
    pub(crate) max_words: Option<usize>,
    pub(crate) summary_sentences: Option<usize>,
    pub(crate) summary_words: Option<usize>,
    pub(crate) summary_hand_weights: bool,
    pub(crate) threads: Option<usize>,
    pub(crate) precision: Option<Precision>,
    pub(crate) relation_classifier: Option<RelationClassifier>,
    pub(crate) always_token_vectors: bool,
}

/// Which pair classifier the offline relation extractor uses (see
/// [`AnalyzerBuilder::relation_classifier`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelationClassifier {
    /// The model set's (`models/relations/`, the default).
    Default,
    /// No classifier: the schema's cue patterns alone.
    CuesOnly,
    /// The classifier in this directory (`pair-classifier.safetensors` and `.json`).
    Dir(std::path::PathBuf),
}

impl AnalyzerBuilder {
    lede_core::setters! {
        /// Which tasks run (default: all).
        pub fn tasks(tasks: Tasks) => tasks = Some(tasks);
        /// Which models (default: [`ModelChoice::Offline`]).
        pub fn models(models: ModelChoice) => models = models;
        /// Never download anything, even with the `remote` feature.
        pub fn offline(offline: bool) => offline = offline;
        /// Reject documents larger than this many bytes (default 10 MiB).
        pub fn max_bytes(max_bytes: usize) => max_bytes = Some(max_bytes);
        /// Reject documents with more words (lede-tokenize's tokens, punctuation included)
        /// than this when a model task runs (default [`DEFAULT_MAX_WORDS`]): the models' time
        /// and memory grow with the words, so the limit bounds a worker's memory
        /// (docs/RELIABILITY.md has the figures).
        pub fn max_words(max_words: usize) => max_words = Some(max_words);
        /// Sentences in the summary (default 3).
        pub fn summary_sentences(n: usize) => summary_sentences = Some(n);
        /// A word budget for the extractive summary instead of a sentence count: sentences
        /// are added while the total stays within `n` words (the first one always).
        pub fn summary_words(n: usize) => summary_words = Some(n);
        /// Score summary sentences with the hand-set weights even when the trained sentence
        /// scorer (`models/summarize/sentence-scorer.json`) applies (default false).
        pub fn summary_hand_weights(on: bool) => summary_hand_weights = on;
        /// The relation extractor's pair classifier (default: the model set's); evaluation
        /// and training use it to compare classifiers on the same documents.
        pub fn relation_classifier(choice: RelationClassifier) =>
            relation_classifier = Some(choice);
        /// Compute the recognizer's token vectors whenever it offers them, even when no
        /// relation classifier reads them (training a classifier on them does).
        pub fn always_token_vectors(on: bool) => always_token_vectors = on;
        /// libtorch intra-op threads for this analyzer (default: decided by lede-models from
        /// the core count and the number of workers).
        pub fn threads(n: usize) => threads = Some(n);
        /// Precision of the offline NER encoder's linear layers (default int8,
        /// `lede_ner::offline::DEFAULT_PRECISION`: about 1.5x faster than fp32 for NER at
        /// nearly the same F1; the relation classifier reads the vectors of either, from
        /// `models/relations/` or `models/relations/fp32/`, and runs its first layer at the
        /// same precision; docs/PERFORMANCE.md has the speed and quality of each).
        pub fn precision(precision: Precision) => precision = Some(precision);
    }

    /// Resolves and loads the models.
    ///
    /// # Errors
    /// [`Error::Models`] naming the file and what is wrong when a model cannot be loaded.
    pub fn build(&self) -> Result<Analyzer> {
        crate::pipeline::wiring::build(self)
    }
}

/// Runs segmentation and the configured tasks over documents. `Send`; one per worker thread.
pub struct Analyzer {
    pub(crate) segmenter: Segmenter,
    pub(crate) ner: Option<Box<dyn EntityRecognizer>>,
    pub(crate) clusterer: Clusterer,
    pub(crate) relations: Option<Box<dyn RelationExtractor>>,
    pub(crate) summarizer: Option<Box<dyn Summarizer>>,
    pub(crate) quotes: Option<Box<dyn QuoteExtractor>>,
    pub(crate) tasks: Tasks,
    pub(crate) max_bytes: usize,
    pub(crate) max_words: usize,
    pub(crate) provenance: BTreeMap<String, String>,
    /// Whether the relation extractor reads the token vectors the recognizer gives (decided
    /// once, when the models are loaded).
    pub(crate) token_vectors: bool,
}

lede_core::assert_send!(Analyzer);

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("tasks", &self.tasks)
            .field("models", &self.provenance)
            .finish()
    }
}

impl Analyzer {
    /// A builder with the defaults: every task, offline models.
    pub fn builder() -> AnalyzerBuilder {
        AnalyzerBuilder::default()
    }

    /// Which model or method each task uses.
    pub fn provenance(&self) -> &BTreeMap<String, String> {
        &self.provenance
    }

    /// Runs the shared stages and NER over one document: sentences, tokens, entities and, when
    /// the summary runs and the recognizer offers them, sentence vectors from NER's encoder.
    /// The result is what relation extractors and summarizers take; evaluation commands use
    /// it to run a single task as the full pipeline would.
    ///
    /// # Errors
    /// [`Error::Document`] for an empty or oversized document, [`Error::Task`] when a model
    /// fails on it.
    pub fn annotate(&self, document: Document) -> Result<AnnotatedDocument> {
        document.validate_with_limit(self.max_bytes)?;
        let mut doc = self.segmenter.annotate(document);
        let models_run = self.tasks.ner || self.tasks.relations || self.tasks.summary;
        if models_run && doc.tokens.len() > self.max_words {
            return Err(Error::Document(lede_core::Error::TooManyWords {
                id: doc.document.id.clone(),
                words: doc.tokens.len(),
                limit: self.max_words,
            }));
        }

        if self.tasks.ner {
            if let Some(ner) = &self.ner {
                // Word pieces once per document, on the document, for every task that reads
                // the recognizer's vocabulary.
                doc.pieces = ner.word_pieces(&doc).map_err(|e| task_error("ner", e))?;
                // The summary reuses NER's encoder states as sentence vectors, and the relation
                // classifier its token vectors, when the recognizer offers them: one encoder
                // pass per document.
                let tokens = self.tasks.relations && self.token_vectors;
                let mentions = if self.tasks.summary || tokens {
                    let r = ner
                        .recognize_with_vectors(&doc, self.tasks.summary, tokens)
                        .map_err(|e| task_error("ner", e))?;
                    // The summarizer checks that they fit the sentences.
                    doc.sentence_embeddings = r.sentence_vectors;
                    doc.token_vectors = r.token_vectors;
                    r.mentions
                } else {
                    ner.recognize(&doc).map_err(|e| task_error("ner", e))?
                };
                doc.entities = (self.clusterer)(doc.text(), &mentions);
            }
        }
        Ok(doc)
    }

    /// The source of the token vectors the recognizer gives in its pass (see
    /// `EntityRecognizer::token_vectors_source`), when NER runs and gives them.
    pub fn token_vectors_source(&self) -> Option<String> {
        self.ner.as_ref().and_then(|n| n.token_vectors_source())
    }

    /// The summarizer in use, if the summary task is configured.
    pub fn summarizer(&self) -> Option<&dyn Summarizer> {
        self.summarizer.as_deref()
    }

    /// The source of the sentence vectors the recognizer pools in its pass (see
    /// `EntityRecognizer::sentence_vectors_source`), when NER runs and gives them.
    pub fn sentence_vectors_source(&self) -> Option<String> {
        self.ner.as_ref().and_then(|n| n.sentence_vectors_source())
    }

    /// The relation extractor in use, if the relations task is configured.
    pub fn relation_extractor(&self) -> Option<&dyn RelationExtractor> {
        self.relations.as_deref()
    }

    /// Analyses one document.
    ///
    /// # Errors
    /// [`Error::Document`] for an empty or oversized document, [`Error::Task`] when a model
    /// fails on it.
    pub fn analyze(&self, document: Document) -> Result<Analysis> {
        let mut doc = self.annotate(document)?;
        let mut analysis = Analysis::empty(&doc.document);
        analysis.models = self.provenance.clone();
        if self.tasks.relations {
            if let Some(rel) = &self.relations {
                analysis.relations = rel.extract(&doc).map_err(|e| task_error("relations", e))?;
            }
        }
        if self.tasks.summary {
            if let Some(sum) = &self.summarizer {
                analysis.summary = Some(sum.summarize(&doc).map_err(|e| task_error("summary", e))?);
            }
        }
        if self.tasks.quotes {
            if let Some(q) = &self.quotes {
                analysis.quotes = q
                    .extract_quotes(&doc)
                    .map_err(|e| task_error("quotes", e))?;
            }
        }

        analysis.sentences = std::mem::take(&mut doc.sentences);
        analysis.entities = std::mem::take(&mut doc.entities);
        if self.tasks.tokens {
            analysis.tokens = std::mem::take(&mut doc.tokens);
        }
        if self.tasks.text {
            analysis.document.text = Some(std::mem::take(&mut doc.document.text));
        }
        Ok(analysis)
    }
}

fn task_error(task: &'static str, e: lede_core::Error) -> Error {
    // `lede_core::Error::Task` says "<task> failed"; keep its source, the task crate's error.
    match e {
        lede_core::Error::Task { source, .. } => Error::Task { task, source },
        other => Error::Task {
            task,
            source: Box::new(other),
        },
    }
}

pub(crate) mod wiring;
