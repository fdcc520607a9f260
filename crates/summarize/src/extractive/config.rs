//! What a summary should be: its length and the scoring weights.

use serde::{Deserialize, Serialize};

use crate::error::{Result, SummarizeError};

/// How long a summary is.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SummaryLength {
    /// At most this many sentences.
    Sentences(usize),
    /// At most this many words (the first sentence is always taken, even if longer).
    Words(usize),
    /// This fraction of the story's sentences, rounded to the nearest count, at least one.
    Ratio(f32),
}

impl Default for SummaryLength {
    /// Three sentences.
    fn default() -> Self {
        SummaryLength::Sentences(3)
    }
}

impl SummaryLength {
    /// Checks the value is usable.
    ///
    /// # Errors
    /// [`SummarizeError::InvalidConfig`](crate::SummarizeError::InvalidConfig) for zero counts or a ratio outside `(0, 1]`.
    pub fn validate(&self) -> Result<()> {
        match *self {
            SummaryLength::Sentences(0) | SummaryLength::Words(0) => Err(
                SummarizeError::InvalidConfig("summary length must be at least 1".into()),
            ),
            SummaryLength::Ratio(r) if !(r > 0.0 && r <= 1.0) => Err(
                SummarizeError::InvalidConfig(format!("summary ratio must be in (0, 1], got {r}")),
            ),
            _ => Ok(()),
        }
    }

    /// The largest number of sentences out of `available`.
    pub(super) fn sentence_limit(&self, available: usize) -> usize {
        match *self {
            SummaryLength::Sentences(n) => n.min(available),
            SummaryLength::Words(_) => available,
            SummaryLength::Ratio(r) => {
                ((r * available as f32).round() as usize).clamp(1, available.max(1))
            }
        }
    }

    pub(super) fn word_budget(&self) -> Option<usize> {
        match *self {
            SummaryLength::Words(w) => Some(w),
            _ => None,
        }
    }
}

/// Weights of the sentence features in the extractive score, and the selection settings.
///
/// Every feature is scaled to `[0, 1]` within the document; a sentence's score is the
/// weighted sum, and negative weights penalise. The defaults were tuned on the development
/// references in `models/summarize/dev` (see `docs/EVALUATION.md` and
/// `models/summarize/extractive-weights.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoringWeights {
    /// Weight of the lead-bias prior: `1 / (1 + p)^position_decay`, `p` the sentence's rank
    /// among the story sentences (0 for the first); for the first sentence after a
    /// subheading, the larger of that and `section_lead`.
    pub position: f32,
    /// Decay exponent of the position prior.
    pub position_decay: f32,
    /// Where a story has subheadings, the first sentence of each section is that section's
    /// lead: its prior is at least this fraction of the story lead's (0 turns it off). Not
    /// tuned (the development corpus has no subheadings): 1 treats a section lead like the
    /// story lead.
    pub section_lead: f32,
    /// Weight of PageRank centrality in the sentence similarity graph.
    pub centrality: f32,
    /// Weight of the cosine similarity to the document centroid (min-max scaled).
    pub centroid: f32,
    /// Weight of the overlap with the title and subheadings.
    pub heading: f32,
    /// Weight of the coverage of the document's main entities (by mention count); with no
    /// entities in the document, capitalised names stand in for them.
    pub entities: f32,
    /// Weight of entity density (entity mentions per word).
    pub entity_density: f32,
    /// Weight of the share of the sentence inside quotation marks.
    pub quote: f32,
    /// Weight of an attribution cue ("said", "according to").
    pub attribution: f32,
    /// Weight of shortness (`(8 - words) / 8` for sentences under eight words).
    pub short: f32,
    /// Weight of length (`min(words, 40) / 40`).
    pub length: f32,
    /// Damping of the PageRank walk.
    pub pagerank_damping: f32,
    /// MMR trade-off: 1 ranks by score alone, lower values penalise sentences that are
    /// unusually similar to the ones already picked ([`crate::graph::excess_similarity`]).
    pub mmr_lambda: f32,
}

impl Default for ScoringWeights {
    /// The weights tuned with MiniLM embeddings on the tuning half of the development
    /// references (`models/summarize/extractive-weights.json` records them; see
    /// `docs/EVALUATION.md`). On that news, the grid search put no weight on
    /// centrality, centroid closeness, entity coverage or length: a slowly decaying lead
    /// prior, the quote and shortness penalties, and MMR against unusually similar sentences
    /// did best. `section_lead`, `heading`, `short` and `pagerank_damping` were not in the
    /// grid.
    fn default() -> Self {
        ScoringWeights {
            position: 0.5,
            position_decay: 0.5,
            section_lead: 1.0,
            centrality: 0.0,
            centroid: 0.0,
            heading: 0.2,
            entities: 0.0,
            entity_density: 0.0,
            quote: -0.5,
            attribution: 0.0,
            short: -0.3,
            length: 0.0,
            pagerank_damping: 0.85,
            mmr_lambda: 0.6,
        }
    }
}

impl ScoringWeights {
    /// Checks that all values are finite and in range.
    ///
    /// # Errors
    /// [`SummarizeError::InvalidConfig`](crate::SummarizeError::InvalidConfig).
    pub fn validate(&self) -> Result<()> {
        let all = [
            self.position,
            self.position_decay,
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
            self.pagerank_damping,
            self.mmr_lambda,
        ];
        if all.iter().any(|v| !v.is_finite()) {
            return Err(SummarizeError::InvalidConfig(
                "weights must be finite".into(),
            ));
        }
        if self.position_decay < 0.0 {
            return Err(SummarizeError::InvalidConfig(
                "position_decay must be >= 0".into(),
            ));
        }
        if !(0.0..1.0).contains(&self.pagerank_damping) {
            return Err(SummarizeError::InvalidConfig(
                "pagerank_damping must be in [0, 1)".into(),
            ));
        }
        if !(0.0..=1.0).contains(&self.mmr_lambda) {
            return Err(SummarizeError::InvalidConfig(
                "mmr_lambda must be in [0, 1]".into(),
            ));
        }
        Ok(())
    }
}
