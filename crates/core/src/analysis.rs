//! The result of analysing one document, and the per-document state tasks share.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Document, Entity, Relation, Sentence, Summary, Token};

/// Version of the JSON shape of [`Analysis`]; bumped on any incompatible change.
pub const SCHEMA_VERSION: &str = "1.0";

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
