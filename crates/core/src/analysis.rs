//! The result of analysing one document, and the per-document state tasks share.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Document, Entity, Quote, Relation, Sentence, Summary, Token};

/// Version of the JSON shape of [`Analysis`]; bumped on any incompatible change.
pub const SCHEMA_VERSION: &str = "1.1";

/// Metadata about the analysed document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentInfo {
    /// The document's id.
    pub id: String,
    /// Its title, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its source, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Its date, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Length of the text in bytes.
    pub bytes: usize,
    /// Length of the text in Unicode scalars.
    pub chars: usize,
    /// The full text, when asked for (`lede analyze --include-text`, and always for the HTML
    /// report). Every span of the analysis slices it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl From<&Document> for DocumentInfo {
    fn from(doc: &Document) -> Self {
        DocumentInfo {
            id: doc.id.clone(),
            title: doc.title.clone(),
            source: doc.source.clone(),
            date: doc.date.clone(),
            bytes: doc.text.len(),
            chars: doc.text.chars().count(),
            text: None,
        }
    }
}

/// The analysis of one document; its JSON form is lede's public output contract
/// (documented in `docs/OUTPUT.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// [`SCHEMA_VERSION`] of the producer.
    pub schema_version: String,
    /// The document analysed.
    pub document: DocumentInfo,
    /// Which model or method produced each part (`ner`, `relations`, `summary`, ...).
    #[serde(default)]
    pub models: BTreeMap<String, String>,
    /// Sentences in text order.
    pub sentences: Vec<Sentence>,
    /// Word tokens; empty unless requested.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tokens: Vec<Token>,
    /// Entities, each a cluster of mentions, ordered by first mention.
    pub entities: Vec<Entity>,
    /// Relations between entities.
    pub relations: Vec<Relation>,
    /// The summary, when one was asked for.
    pub summary: Option<Summary>,
    /// Quotations with their speakers, in text order (schema 1.1; empty when the quotes task
    /// did not run).
    #[serde(default)]
    pub quotes: Vec<Quote>,
}

impl Analysis {
    /// An analysis with nothing but document metadata.
    pub fn empty(doc: &Document) -> Self {
        Analysis {
            schema_version: SCHEMA_VERSION.to_string(),
            document: DocumentInfo::from(doc),
            models: BTreeMap::new(),
            sentences: Vec::new(),
            tokens: Vec::new(),
            entities: Vec::new(),
            relations: Vec::new(),
            summary: None,
            quotes: Vec::new(),
        }
    }
}

/// Dense sentence embeddings, one row per sentence, row-major.
///
/// lede-core does not depend on ndarray; task crates view `values` as an
/// `ArrayView2<f32>` of shape `(rows, dim)`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Embeddings {
    /// Width of each row.
    pub dim: usize,
    /// `rows * dim` values.
    pub values: Vec<f32>,
}

impl Embeddings {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.values.len().checked_div(self.dim).unwrap_or(0)
    }

    /// Row `i`, if it exists.
    pub fn row(&self, i: usize) -> Option<&[f32]> {
        let start = i.checked_mul(self.dim)?;
        self.values.get(start..start + self.dim)
    }
}

/// A document with the annotations computed so far. The facade fills it stage by stage and
/// hands it to each task, so work shared between tasks (segmentation, sentence embeddings)
/// is done once per document.
#[derive(Debug, Clone, Default)]
pub struct AnnotatedDocument {
    /// The document.
    pub document: Document,
    /// Its sentences.
    pub sentences: Vec<Sentence>,
    /// Its word tokens.
    pub tokens: Vec<Token>,
    /// Entities found so far.
    pub entities: Vec<Entity>,
    /// Sentence embeddings, one row per entry of `sentences`, when an encoder ran.
    pub sentence_embeddings: Option<Embeddings>,
    /// Which rules produced `tokens` (and, when the facade segmented the document,
    /// `sentences`): `lede_tokenize::TOKENIZATION` for lede-tokenize's defaults, `None` when
    /// unknown. Models trained on word tokens compare it with the tokenization they were
    /// trained with and refuse another.
    pub tokenization: Option<String>,
    /// The subword pieces of every entry of `tokens`, computed once per document for the
    /// tasks that share one subword vocabulary; `None` when no task asked for them.
    pub pieces: Option<WordPieces>,
    /// One contextual vector per entry of `tokens`, from the recognizer's encoder pass, when a
    /// later task (the relation classifier) reads them; `None` otherwise.
    pub token_vectors: Option<TokenVectors>,
}

/// Contextual vectors of a document's word tokens, one row per entry of
/// [`AnnotatedDocument::tokens`] (for example the mean of an encoder layer's states over the
/// token's subword pieces), tagged with the encoder and layer that made them. A model trained on one encoder's
/// vectors compares [`TokenVectors::source`] with its own and refuses others.
///
/// ```
/// use lede_core::{Embeddings, TokenVectors};
/// let v = TokenVectors {
///     source: "enc/1".into(),
///     vectors: Embeddings { dim: 2, values: vec![1.0, 0.0, 0.0, 1.0] },
/// };
/// assert_eq!(v.mean(&[0, 1]), Some(vec![0.5, 0.5]));
/// assert_eq!(v.mean(&[]), None);
/// assert_eq!(v.mean(&[2]), None);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TokenVectors {
    /// Identifies the encoder (model, weights and precision) that computed the vectors.
    pub source: String,
    /// The vectors, one row per token.
    pub vectors: Embeddings,
}

impl TokenVectors {
    /// The mean of the rows `tokens`; `None` when the list is empty or a row is missing.
    pub fn mean(&self, tokens: &[usize]) -> Option<Vec<f32>> {
        if tokens.is_empty() {
            return None;
        }
        let mut acc = vec![0.0f32; self.vectors.dim];
        for &t in tokens {
            let row = self.vectors.row(t)?;
            acc.iter_mut().zip(row).for_each(|(a, x)| *a += x);
        }
        let n = tokens.len() as f32;
        acc.iter_mut().for_each(|a| *a /= n);
        Some(acc)
    }
}

/// The subword pieces of a document's word tokens under one vocabulary: the pieces of token
/// `i` are `ids[offsets[i]..offsets[i + 1]]` (no special tokens). Made by
/// `lede_tokenize::SubwordEncoder::word_pieces`; a task checks [`WordPieces::vocab`] against
/// its own encoder's before it reads them.
///
/// ```
/// use lede_core::WordPieces;
/// let pieces = WordPieces::new("v1", vec![101, 7, 8, 9], vec![0, 1, 3, 4]).unwrap();
/// assert_eq!(pieces.words(), 3);
/// assert_eq!(pieces.of(1), &[7, 8]);
/// assert_eq!(pieces.of(7), &[] as &[u32]);
/// assert!(WordPieces::new("v1", vec![1], vec![0, 2]).is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WordPieces {
    vocab: String,
    ids: Vec<u32>,
    offsets: Vec<usize>,
}

impl WordPieces {
    /// Pieces from flat ids and per-word offsets (`offsets.len()` is the number of words
    /// plus one, non-decreasing from 0 to `ids.len()`); `None` when the offsets do not fit.
    pub fn new(vocab: impl Into<String>, ids: Vec<u32>, offsets: Vec<usize>) -> Option<Self> {
        let fits = offsets.first() == Some(&0)
            && offsets.last() == Some(&ids.len())
            && offsets.windows(2).all(|w| w[0] <= w[1]);
        fits.then(|| WordPieces {
            vocab: vocab.into(),
            ids,
            offsets,
        })
    }

    /// Identifies the vocabulary and rules that made the pieces.
    pub fn vocab(&self) -> &str {
        &self.vocab
    }

    /// Number of word tokens covered.
    pub fn words(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// The pieces of word token `i` (empty for a word the vocabulary drops, or past the end).
    pub fn of(&self, i: usize) -> &[u32] {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => self.ids.get(a..b).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Every piece id, word after word.
    pub fn ids(&self) -> &[u32] {
        &self.ids
    }
}

impl AnnotatedDocument {
    /// Wraps a document with no annotations.
    pub fn new(document: Document) -> Self {
        AnnotatedDocument {
            document,
            ..Default::default()
        }
    }

    /// The document's text.
    pub fn text(&self) -> &str {
        &self.document.text
    }
}

impl Default for Document {
    fn default() -> Self {
        Document::new("", "")
    }
}
