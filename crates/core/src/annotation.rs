//! What the tasks produce: sentences, tokens, mentions, entities, relations, summaries,
//! quotations.

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

/// A stretch of the text: where it is and what it says (a quotation's cue or speaker mention).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Phrase {
    /// Where it is.
    #[serde(flatten)]
    pub span: Span,
    /// Its text.
    pub text: String,
}

/// Whether a quotation reproduces the speaker's words or reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteKind {
    /// Words inside quotation marks (`"We will win," he said.`).
    Direct,
    /// Reported speech after or before a verb of saying, without marks (`He said they would
    /// win.`).
    Indirect,
}

impl QuoteKind {
    /// `"direct"` or `"indirect"`, as in the JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            QuoteKind::Direct => "direct",
            QuoteKind::Indirect => "indirect",
        }
    }
}

/// A statement in the text and who made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    /// The quoted words: for a direct quote the text between the marks (the marks excluded),
    /// for an indirect one the reported clause (without "that" and the final full stop).
    #[serde(flatten)]
    pub span: Span,
    /// The quoted text.
    pub text: String,
    /// Direct or indirect.
    pub kind: QuoteKind,
    /// The verb of saying ("said", "told", "according to"), when the quote has one.
    pub cue: Option<Phrase>,
    /// The words of the attribution that name the speaker ("he", "the US envoy", "Mr Cole"),
    /// when the quote has an attribution of its own.
    pub speaker: Option<Phrase>,
    /// Id of the entity the speaker resolves to (through a pronoun, a role noun or an earlier
    /// quote when needed), when it resolves to one of the analysis's entities.
    pub speaker_entity: Option<String>,
    /// Canonical name of that entity.
    pub speaker_name: Option<String>,
    /// Confidence in `[0, 1]` that the speaker is right (the span and kind come from rules).
    pub score: f32,
}
