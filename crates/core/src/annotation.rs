//! What the tasks produce: sentences, tokens, mentions, entities, relations, summaries.

use serde::{Deserialize, Serialize};

use crate::{CoarseLabel, Span};

/// A sentence of the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sentence {
    /// Where it is; the span excludes surrounding whitespace.
    #[serde(flatten)]
    pub span: Span,
    /// Its text (equal to `span.slice(document.text)`).
    pub text: String,
}

/// What kind of word token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// Letters, possibly with inner hyphens or apostrophes ("al-Qaida", "don't").
    Word,
    /// Digits, possibly with inner separators ("10,000", "3.5").
    Number,
    /// Punctuation.
    Punct,
    /// Anything else (symbols, emoji).
    Symbol,
}

/// A word token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Token {
    /// Where it is.
    #[serde(flatten)]
    pub span: Span,
    /// Its text.
    pub text: String,
    /// Its kind.
    pub kind: TokenKind,
}

/// One occurrence of a named entity in the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    /// The mention's text.
    pub text: String,
    /// Its type as the recognizer labels it (OntoNotes-style `PERSON`, `GPE`, ... or CoNLL).
    pub label: String,
    /// The recognizer's confidence in `[0, 1]`.
    pub score: f32,
    /// Where it is.
    #[serde(flatten)]
    pub span: Span,
}

impl Mention {
    /// The CoNLL type of this mention's label, if it is a CoNLL entity at all.
    pub fn coarse_label(&self) -> Option<CoarseLabel> {
        CoarseLabel::from_label(&self.label)
    }
}

/// A real-world thing: a cluster of mentions that refer to it, with a canonical name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Identifier within one analysis (`E1`, `E2`, ...), used by relations.
    pub id: String,
    /// Canonical name: the fullest form among the mentions.
    pub name: String,
    /// The type decided by the mentions (score-weighted vote).
    pub label: String,
    /// The mentions, in text order.
    pub mentions: Vec<Mention>,
}

impl Entity {
    /// The CoNLL type of the entity's label.
    pub fn coarse_label(&self) -> Option<CoarseLabel> {
        CoarseLabel::from_label(&self.label)
    }
}

/// The text that supports a relation: usually one sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Where it is.
    #[serde(flatten)]
    pub span: Span,
    /// Its text.
    pub text: String,
}

/// A typed relation between two entities of the same analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relation {
    /// Id of the head entity.
    pub head: String,
    /// Id of the tail entity.
    pub tail: String,
    /// Canonical name of the head entity (for readers; `head` is the key).
    pub head_name: String,
    /// Canonical name of the tail entity.
    pub tail_name: String,
    /// The relation label from the schema (`pardoned`, `capital_of`, ...).
    pub label: String,
    /// Calibrated confidence in `[0, 1]`.
    pub score: f32,
    /// The text that states the relation.
    pub evidence: Evidence,
}

/// A summary of the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The summary text.
    pub text: String,
    /// For an extractive summary, the chosen sentences in document order; empty for an
    /// abstractive one.
    pub sentences: Vec<Sentence>,
    /// How it was made (`extractive`, `abstractive`, `lead`).
    pub method: String,
}
