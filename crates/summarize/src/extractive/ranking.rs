//! The scored sentences of a document and the MMR selection over them.

use lede_core::{Sentence, Summary};
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use super::config::{ScoringWeights, SummaryLength};
use super::features::starts_with_pronoun;
use crate::graph::{min_max, mmr_select};
use crate::text::SentenceKind;

/// The features of one story sentence, each in `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct SentenceFeatures {
    /// Lead-bias prior in the story, `1 / (1 + p)^decay`.
    pub position: f32,
    /// 1 for the first story sentence after a subheading (a section lead), else 0.
    pub section_lead: f32,
    /// PageRank centrality, scaled by the largest.
    pub centrality: f32,
    /// Closeness to the centroid, min-max scaled.
    pub centroid: f32,
    /// Share of the heading words the sentence contains.
    pub heading: f32,
    /// Main-entity coverage, scaled by the largest.
    pub entities: f32,
    /// Entity mentions per word, scaled by the largest.
    pub entity_density: f32,
    /// Share of the sentence inside quotation marks.
    pub quote: f32,
    /// 1 when the sentence has an attribution cue.
    pub attribution: f32,
    /// Shortness.
    pub short: f32,
    /// Length, `min(words, 40) / 40`.
    pub length: f32,
}

impl SentenceFeatures {
    /// The features in the order of the first eleven names of
    /// [`crate::learned::INPUT_FEATURES`].
    pub fn values(&self) -> [f32; 11] {
        [
            self.position,
            self.section_lead,
            self.centrality,
            self.centroid,
            self.heading,
            self.entities,
            self.entity_density,
            self.quote,
            self.attribution,
            self.short,
            self.length,
        ]
    }

    pub(super) fn score(&self, w: &ScoringWeights) -> f32 {
        w.position * self.position.max(w.section_lead * self.section_lead)
            + w.centrality * self.centrality
            + w.centroid * self.centroid
            + w.heading * self.heading
            + w.entities * self.entities
            + w.entity_density * self.entity_density
            + w.quote * self.quote
            + w.attribution * self.attribution
            + w.short * self.short
            + w.length * self.length
    }
}

/// Where the sentence vectors of a ranking came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmbeddingSource {
    /// `AnnotatedDocument::sentence_embeddings`, computed earlier by the facade.
    Document,
    /// The summarizer's own encoder.
    Encoder,
    /// The lexical TF-IDF fallback ([`crate::lexical`]).
    Lexical,
}

/// One sentence of a ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedSentence {
    /// Index in the document's sentence list.
    pub index: usize,
    /// The story text of the sentence (without a leading dateline or glued sign-off).
    pub sentence: Sentence,
    /// What the sentence is.
    pub kind: SentenceKind,
    /// Whether it may be picked (story text, or anything when the document has no story
    /// text at all).
    pub eligible: bool,
    /// Its features (all zero when not eligible).
    pub features: SentenceFeatures,
    /// Its score (negative infinity when not eligible).
    pub score: f32,
}

/// The scored sentences of a document, in document order.
#[derive(Debug, Clone)]
pub struct Ranking {
    /// All sentences.
    pub sentences: Vec<RankedSentence>,
    /// Where the vectors came from.
    pub embeddings: EmbeddingSource,
    /// Whether the scores are a trained [`SentenceScorer`](crate::learned::SentenceScorer)'s
    /// (else the hand-set [`ScoringWeights`]).
    pub trained: bool,
    /// Indices (into `sentences`) of the eligible ones.
    pub(super) eligible: Vec<usize>,
    /// Redundancy between eligible sentences ([`crate::graph::excess_similarity`] of their
    /// cosine similarities).
    pub(super) redundancy: Array2<f32>,
    /// The trained scorer's inputs of the eligible sentences, one row each in `eligible` order.
    pub(super) inputs: Array2<f32>,
}

impl Ranking {
    /// The eligible sentences, in document order.
    pub fn eligible(&self) -> Vec<&RankedSentence> {
        self.eligible
            .iter()
            .filter_map(|&i| self.sentences.get(i))
            .collect()
    }

    /// The trained scorer's inputs ([`crate::learned::INPUT_FEATURES`], then the sentence
    /// vector), one row per [eligible](Self::eligible) sentence.
    pub fn inputs(&self) -> ndarray::ArrayView2<'_, f32> {
        self.inputs.view()
    }

    /// Picks sentences for a summary of `length` with MMR (trade-off `lambda`), returned in
    /// document order.
    pub fn select(&self, length: SummaryLength, lambda: f32) -> Vec<&RankedSentence> {
        let items: Vec<&RankedSentence> = self
            .eligible
            .iter()
            .filter_map(|&i| self.sentences.get(i))
            .collect();
        if items.is_empty() {
            return Vec::new();
        }
        let raw: Array1<f32> = items.iter().map(|s| s.score).collect();
        let relevance = min_max(raw.view());
        let limit = length.sentence_limit(items.len());
        let words: Vec<usize> = items
            .iter()
            .map(|s| crate::text::word_count(&s.sentence.text))
            .collect();
        let budget = length.word_budget();
        let fits_budget = |chosen: &[usize], i: usize| match budget {
            None => true,
            Some(b) => {
                chosen.is_empty()
                    || chosen.iter().map(|&j| words[j]).sum::<usize>()
                        + words.get(i).copied().unwrap_or(0)
                        <= b
            }
        };
        // A sentence that starts with a pronoun pointing back, or inside a quotation opened
        // by the sentence before, reads badly without the sentence before it: it is picked
        // only after that one, or when no other sentence fits.
        let dangling: Vec<bool> = items
            .iter()
            .map(|s| starts_with_pronoun(&s.sentence.text) || s.features.quote >= 0.99)
            .collect();
        let resolved = |chosen: &[usize], i: usize| {
            !dangling.get(i).copied().unwrap_or(false) || (i > 0 && chosen.contains(&(i - 1)))
        };
        let picked = mmr_select(
            relevance.view(),
            self.redundancy.view(),
            lambda,
            limit,
            |chosen, i| {
                fits_budget(chosen, i)
                    && (resolved(chosen, i)
                        || !(0..items.len()).any(|j| {
                            j != i
                                && !chosen.contains(&j)
                                && fits_budget(chosen, j)
                                && resolved(chosen, j)
                        }))
            },
        );
        let mut out: Vec<&RankedSentence> = picked
            .into_iter()
            .filter_map(|k| items.get(k).copied())
            .collect();
        out.sort_by_key(|s| s.index);
        out
    }
}

/// Builds a [`Summary`] from chosen sentences.
pub(super) fn summary_of(sentences: Vec<Sentence>, method: &str) -> Summary {
    let text = sentences
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    Summary {
        text,
        sentences,
        method: method.to_string(),
    }
}
