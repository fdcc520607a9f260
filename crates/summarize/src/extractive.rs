//! The extractive summarizer and the LEAD-k baseline.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use lede_core::{
    AnnotatedDocument, Sentence, SentenceEncoder, SentenceSplitter, Summarizer, Summary,
};
use ndarray::{Array1, Array2};
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::error::{Result, SummarizeError};
use crate::graph::{
    centroid_similarity, cosine_matrix, excess_similarity, min_max, mmr_select, normalize_rows,
    pagerank,
};
use crate::lexical::{content_terms, is_stopword, tfidf_embeddings};
use crate::text::{classify_all, SentenceKind, StorySentence};
use lede_tokenize::NewsSentenceSplitter;

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
    /// [`SummarizeError::InvalidConfig`] for zero counts or a ratio outside `(0, 1]`.
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
    fn sentence_limit(&self, available: usize) -> usize {
        match *self {
            SummaryLength::Sentences(n) => n.min(available),
            SummaryLength::Words(_) => available,
            SummaryLength::Ratio(r) => {
                ((r * available as f32).round() as usize).clamp(1, available.max(1))
            }
        }
    }

    fn word_budget(&self) -> Option<usize> {
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
    /// [`SummarizeError::InvalidConfig`].
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
    fn score(&self, w: &ScoringWeights) -> f32 {
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
    /// Indices (into `sentences`) of the eligible ones.
    eligible: Vec<usize>,
    /// Redundancy between eligible sentences ([`crate::graph::excess_similarity`] of their
    /// cosine similarities).
    redundancy: Array2<f32>,
}

impl Ranking {
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
        let picked = mmr_select(
            relevance.view(),
            self.redundancy.view(),
            lambda,
            limit,
            |chosen, i| match budget {
                None => true,
                Some(b) => {
                    chosen.is_empty()
                        || chosen.iter().map(|&j| words[j]).sum::<usize>() + words[i] <= b
                }
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
fn summary_of(sentences: Vec<Sentence>, method: &str) -> Summary {
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

/// The offline extractive summarizer.
///
/// For each document it:
/// 1. takes the document's sentences (or splits the text with its splitter when there are
///    none) and sets aside headlines, bylines, datelines and sign-offs
///    ([`SentenceKind`]); a dateline at the start of a sentence and a sign-off glued to its
///    end are cut from the sentence's span. Those lines are only used when the document has
///    no story sentence at all;
/// 2. gets one vector per sentence: the facade's `sentence_embeddings` when they match the
///    sentences (no second encoding), else its own [`SentenceEncoder`] (e.g. lede-models'
///    MiniLM), else the documented lexical TF-IDF fallback ([`crate::lexical`]);
/// 3. scores every story sentence with [`ScoringWeights`] over [`SentenceFeatures`]: a
///    news lead-bias prior, section leads, PageRank centrality in the cosine similarity
///    graph, closeness to the centroid, heading overlap, main-entity coverage and density,
///    quotes, attribution and shortness;
/// 4. picks sentences with maximal marginal relevance (MMR) up to the [`SummaryLength`] and
///    returns them in document order, as spans of the original text.
///
/// ```
/// use lede_core::{AnnotatedDocument, Document, Summarizer};
/// use lede_summarize::{ExtractiveSummarizer, SummaryLength};
///
/// let text = "Headline of the story\nThe government lifted sanctions on potash exports on Monday. \
///             Officials said the decision followed talks. \"It is a good step,\" the envoy said. \
///             The weather was mild.";
/// let summarizer = ExtractiveSummarizer::builder()
///     .length(SummaryLength::Sentences(2))
///     .build()?;
/// let summary = summarizer.summarize(&AnnotatedDocument::new(Document::new("d", text)))?;
/// assert_eq!(summary.sentences.len(), 2);
/// assert!(summary.text.starts_with("The government lifted sanctions"));
/// for s in &summary.sentences {
///     assert_eq!(s.span.slice(text), Some(s.text.as_str()));
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ExtractiveSummarizer {
    length: SummaryLength,
    weights: ScoringWeights,
    encoder: Option<Box<dyn SentenceEncoder>>,
    splitter: Box<dyn SentenceSplitter>,
    lexical_fallback: bool,
}

impl std::fmt::Debug for ExtractiveSummarizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExtractiveSummarizer")
            .field("length", &self.length)
            .field("weights", &self.weights)
            .field("encoder", &self.encoder.as_ref().map(|e| e.dim()))
            .field("lexical_fallback", &self.lexical_fallback)
            .finish()
    }
}

/// Builder of [`ExtractiveSummarizer`].
pub struct ExtractiveSummarizerBuilder {
    length: SummaryLength,
    weights: ScoringWeights,
    encoder: Option<Box<dyn SentenceEncoder>>,
    splitter: Option<Box<dyn SentenceSplitter>>,
    lexical_fallback: bool,
}

impl Default for ExtractiveSummarizerBuilder {
    fn default() -> Self {
        ExtractiveSummarizerBuilder {
            length: SummaryLength::default(),
            weights: ScoringWeights::default(),
            encoder: None,
            splitter: None,
            lexical_fallback: true,
        }
    }
}

impl ExtractiveSummarizerBuilder {
    /// Summary length (default: 3 sentences).
    pub fn length(mut self, length: SummaryLength) -> Self {
        self.length = length;
        self
    }

    /// Scoring weights (default: the tuned ones).
    pub fn weights(mut self, weights: ScoringWeights) -> Self {
        self.weights = weights;
        self
    }

    /// A sentence encoder for documents that arrive without `sentence_embeddings`.
    pub fn encoder(mut self, encoder: impl SentenceEncoder + 'static) -> Self {
        self.encoder = Some(Box::new(encoder));
        self
    }

    /// Same as [`Self::encoder`] for an already boxed encoder.
    pub fn boxed_encoder(mut self, encoder: Box<dyn SentenceEncoder>) -> Self {
        self.encoder = Some(encoder);
        self
    }

    /// The splitter for documents that arrive without sentences (default:
    /// lede-tokenize's [`NewsSentenceSplitter`]).
    pub fn splitter(mut self, splitter: impl SentenceSplitter + 'static) -> Self {
        self.splitter = Some(Box::new(splitter));
        self
    }

    /// Whether to fall back to lexical TF-IDF vectors when there are neither document
    /// embeddings nor an encoder (default: true). When false, such documents fail with
    /// [`SummarizeError::NoEmbeddings`].
    pub fn lexical_fallback(mut self, on: bool) -> Self {
        self.lexical_fallback = on;
        self
    }

    /// Builds the summarizer.
    ///
    /// # Errors
    /// [`SummarizeError::InvalidConfig`] for a bad length or weights.
    pub fn build(self) -> Result<ExtractiveSummarizer> {
        self.length.validate()?;
        self.weights.validate()?;
        Ok(ExtractiveSummarizer {
            length: self.length,
            weights: self.weights,
            encoder: self.encoder,
            splitter: self.splitter.unwrap_or_else(|| Box::new(NewsSentenceSplitter::default())),
            lexical_fallback: self.lexical_fallback,
        })
    }
}

/// At most this many story sentences, the first ones, are candidates for a summary (about
/// 25,000 words of news; the similarity graph over them takes 4 MB). Longer texts are
/// summarised from their beginning, which is where news puts what matters.
pub const MAX_CANDIDATES: usize = 1000;

/// The sentences of a document, either its own or freshly split, with their classification.
struct Prepared {
    sentences: Vec<Sentence>,
    own: bool,
    story: Vec<StorySentence>,
    eligible: Vec<usize>,
}

fn prepare(doc: &AnnotatedDocument, splitter: &dyn SentenceSplitter) -> Prepared {
    let (sentences, own) = if doc.sentences.is_empty() {
        (splitter.split(doc.text()), true)
    } else {
        (doc.sentences.clone(), false)
    };
    let story = classify_all(doc.text(), &sentences);
    let mut eligible: Vec<usize> = story
        .iter()
        .filter(|s| s.kind.is_content() && s.words > 0)
        .map(|s| s.index)
        .collect();
    if eligible.is_empty() {
        // Nothing but headlines and credits: use what there is.
        eligible = story
            .iter()
            .filter(|s| s.words > 0)
            .map(|s| s.index)
            .collect();
    }
    // Bounded work and memory for huge texts: the similarity graph is quadratic.
    eligible.truncate(MAX_CANDIDATES);
    Prepared {
        sentences,
        own,
        story,
        eligible,
    }
}

impl ExtractiveSummarizer {
    /// A builder with the defaults: 3 sentences, tuned weights, no encoder, lexical fallback.
    pub fn builder() -> ExtractiveSummarizerBuilder {
        ExtractiveSummarizerBuilder::default()
    }

    /// The configured length.
    pub fn length(&self) -> SummaryLength {
        self.length
    }

    /// The scoring weights.
    pub fn weights(&self) -> &ScoringWeights {
        &self.weights
    }

    /// Scores every sentence of `doc`.
    ///
    /// # Errors
    /// Encoder failures, or [`SummarizeError::NoEmbeddings`] when no vectors can be had.
    pub fn rank(&self, doc: &AnnotatedDocument) -> Result<Ranking> {
        let prepared = prepare(doc, self.splitter.as_ref());
        let (vectors, source) = self.vectors(doc, &prepared)?;
        Ok(rank_prepared(
            doc,
            &prepared,
            &vectors,
            source,
            &self.weights,
        ))
    }

    /// Summarizes `doc` at a length other than the configured one.
    ///
    /// # Errors
    /// As [`Self::rank`], and [`SummarizeError::InvalidConfig`] for a bad length.
    pub fn summarize_with_length(
        &self,
        doc: &AnnotatedDocument,
        length: SummaryLength,
    ) -> Result<Summary> {
        length.validate()?;
        let ranking = self.rank(doc)?;
        let chosen = ranking
            .select(length, self.weights.mmr_lambda)
            .into_iter()
            .map(|s| s.sentence.clone())
            .collect();
        Ok(summary_of(chosen, "extractive"))
    }

    /// One vector per eligible sentence of `prepared` (rows in `prepared.eligible` order).
    fn vectors(
        &self,
        doc: &AnnotatedDocument,
        prepared: &Prepared,
    ) -> Result<(Array2<f32>, EmbeddingSource)> {
        let n = prepared.sentences.len();
        let m = prepared.eligible.len();
        if !prepared.own {
            if let Some(e) = &doc.sentence_embeddings {
                if e.dim > 0 && e.rows() == n && e.values.len() == n * e.dim {
                    // Only the eligible rows are copied.
                    let mut a = Array2::<f32>::zeros((m, e.dim));
                    for (mut out, &i) in a.outer_iter_mut().zip(&prepared.eligible) {
                        if let Some(row) = e.row(i) {
                            out.iter_mut().zip(row).for_each(|(o, x)| *o = *x);
                        }
                    }
                    return Ok((a, EmbeddingSource::Document));
                }
                tracing::warn!(
                    rows = e.rows(),
                    sentences = n,
                    "document embeddings do not match its sentences; not using them"
                );
            }
        }
        let texts: Vec<&str> = prepared
            .eligible
            .iter()
            .filter_map(|&i| prepared.story.get(i).map(|s| s.content.text.as_str()))
            .collect();
        if let Some(encoder) = &self.encoder {
            if texts.is_empty() {
                return Ok((
                    Array2::zeros((0, encoder.dim().max(1))),
                    EmbeddingSource::Encoder,
                ));
            }
            let rows = encoder.encode(&texts).map_err(SummarizeError::Encoder)?;
            let dim = rows.first().map_or(0, Vec::len);
            if rows.len() != m || dim == 0 || rows.iter().any(|r| r.len() != dim) {
                return Err(SummarizeError::EmbeddingShape {
                    rows: rows.len(),
                    dim,
                    sentences: m,
                });
            }
            let flat: Vec<f32> = rows.into_iter().flatten().collect();
            let a = Array2::from_shape_vec((m, dim), flat).map_err(|_| {
                SummarizeError::EmbeddingShape {
                    rows: m,
                    dim,
                    sentences: m,
                }
            })?;
            return Ok((a, EmbeddingSource::Encoder));
        }
        if self.lexical_fallback {
            return Ok((tfidf_embeddings(&texts), EmbeddingSource::Lexical));
        }
        Err(SummarizeError::NoEmbeddings)
    }
}

fn attribution_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)\b(?:said|says|say|told|tells|according to|announced|stated|added|reported|confirmed|warned|stressed|argued|declared)\b",
        )
        .unwrap_or_else(|e| unreachable!("attribution regex: {e}"))
    })
}

/// Share of each sentence's characters that lie inside quotation marks.
///
/// Curly quotes and guillemets open and close. A straight double quote opens when it follows
/// whitespace, an opening bracket or the start of the text, and closes otherwise; so a quote
/// that runs over several sentences or paragraphs ("...guide us. \"Every one of us...") stays
/// open, and a stray closing quote cannot flip the rest of the text into a quotation. A line
/// break closes any open quote.
fn quote_shares(text: &str, sentences: &[Sentence]) -> Vec<f32> {
    // Per byte offset: whether the char there is inside quotes.
    let mut inside = vec![false; text.len()];
    let mut open = false;
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        let closing = matches!(c, '”' | '»')
            || (c == '"' && open && prev.is_some_and(|p| !p.is_whitespace()));
        match c {
            '“' | '«' => open = true,
            '"' if !closing => {
                open = prev.map_or(true, |p| {
                    p.is_whitespace() || matches!(p, '(' | '[' | '—' | '–')
                }) || open;
            }
            '\n' => open = false,
            _ => {}
        }
        if open || closing {
            for b in inside.iter_mut().skip(i).take(c.len_utf8()) {
                *b = true;
            }
        }
        if closing {
            open = false;
        }
        prev = Some(c);
    }
    sentences
        .iter()
        .map(|s| {
            let Some(slice) = inside.get(s.span.start..s.span.end) else {
                return 0.0;
            };
            let (mut total, mut quoted) = (0usize, 0usize);
            if let Some(t) = text.get(s.span.start..s.span.end) {
                for (i, c) in t.char_indices() {
                    if c.is_alphanumeric() {
                        total += 1;
                        if slice.get(i).copied().unwrap_or(false) {
                            quoted += 1;
                        }
                    }
                }
            }
            if total == 0 {
                0.0
            } else {
                quoted as f32 / total as f32
            }
        })
        .collect()
}

/// Entity mentions per sentence: `(distinct entity keys, mention count)`. Uses
/// `doc.entities` when present, else capitalised words (not sentence-initial, not function
/// words) as a stand-in.
fn entity_mentions(doc: &AnnotatedDocument, sentences: &[Sentence]) -> Vec<(Vec<String>, usize)> {
    if !doc.entities.is_empty() {
        return sentences
            .iter()
            .map(|s| {
                let mut keys = Vec::new();
                let mut count = 0;
                for e in &doc.entities {
                    let n = e
                        .mentions
                        .iter()
                        .filter(|m| s.span.overlaps(&m.span))
                        .count();
                    if n > 0 {
                        keys.push(e.id.clone());
                        count += n;
                    }
                }
                (keys, count)
            })
            .collect();
    }
    sentences
        .iter()
        .map(|s| {
            let mut keys = Vec::new();
            let mut count = 0;
            let words: Vec<&str> = s
                .text
                .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '-'))
                .filter(|w| !w.is_empty())
                .collect();
            for (i, w) in words.iter().enumerate() {
                let first_upper = w.chars().next().is_some_and(char::is_uppercase);
                if i == 0 || !first_upper || w.chars().count() < 2 {
                    continue;
                }
                let key = w.trim_end_matches(['\'', '’', 's']).to_lowercase();
                let key = if key.is_empty() {
                    w.to_lowercase()
                } else {
                    key
                };
                if is_stopword(&key) {
                    continue;
                }
                count += 1;
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
            (keys, count)
        })
        .collect()
}

/// Scales non-negative values by their maximum (all zeros when the maximum is 0).
fn by_max(v: &[f32]) -> Vec<f32> {
    let m = v.iter().copied().fold(0.0f32, f32::max);
    if m > 0.0 {
        v.iter().map(|x| x / m).collect()
    } else {
        vec![0.0; v.len()]
    }
}

fn rank_prepared(
    doc: &AnnotatedDocument,
    prepared: &Prepared,
    vectors: &Array2<f32>,
    source: EmbeddingSource,
    w: &ScoringWeights,
) -> Ranking {
    let story = &prepared.story;
    let eligible = &prepared.eligible;
    let contents: Vec<Sentence> = story.iter().map(|s| s.content.clone()).collect();

    // Vectors and similarities of the eligible sentences.
    let sub = if vectors.nrows() == eligible.len() {
        vectors.clone()
    } else {
        tfidf_embeddings(
            &eligible
                .iter()
                .filter_map(|&i| contents.get(i).map(|s| s.text.as_str()))
                .collect::<Vec<_>>(),
        )
    };
    let sub = normalize_rows(sub.view());
    let similarity = cosine_matrix(sub.view());
    let pr = pagerank(similarity.view(), w.pagerank_damping, None);
    let pr_max = pr.iter().copied().fold(0.0f32, f32::max);
    let centrality: Vec<f32> = pr
        .iter()
        .map(|v| if pr_max > 0.0 { v / pr_max } else { 0.0 })
        .collect();
    let centroid = min_max(centroid_similarity(sub.view()).view());

    // Heading words: headline lines of the text and the document title.
    let mut heading_terms: HashSet<String> = story
        .iter()
        .filter(|s| s.kind == SentenceKind::Headline)
        .flat_map(|s| content_terms(&s.content.text))
        .collect();
    if let Some(title) = &doc.document.title {
        heading_terms.extend(content_terms(title));
    }

    // Entities.
    let mentions = entity_mentions(doc, &contents);
    let mut salience: HashMap<&str, usize> = HashMap::new();
    for &i in eligible {
        if let Some((keys, _)) = mentions.get(i) {
            for k in keys {
                *salience.entry(k.as_str()).or_insert(0) += 1;
            }
        }
    }
    let coverage: Vec<f32> = eligible
        .iter()
        .map(|&i| {
            mentions.get(i).map_or(0.0, |(keys, _)| {
                keys.iter()
                    .map(|k| {
                        salience
                            .get(k.as_str())
                            .copied()
                            .unwrap_or(0)
                            .saturating_sub(1) as f32
                    })
                    .sum()
            })
        })
        .collect();
    let density: Vec<f32> = eligible
        .iter()
        .map(|&i| {
            let words = story.get(i).map_or(0, |s| s.words).max(1);
            mentions
                .get(i)
                .map_or(0.0, |(_, c)| *c as f32 / words as f32)
        })
        .collect();
    let coverage = by_max(&coverage);
    let density = by_max(&density);
    let quotes = quote_shares(doc.text(), &contents);

    let mut ranked: Vec<RankedSentence> = story
        .iter()
        .map(|s| RankedSentence {
            index: s.index,
            sentence: s.content.clone(),
            kind: s.kind,
            eligible: false,
            features: SentenceFeatures::default(),
            score: f32::NEG_INFINITY,
        })
        .collect();
    // Rank of each eligible sentence within its section: sections start at a subheading
    // (a headline line after the story has begun); none in the first section.
    let mut section_positions: Vec<Option<usize>> = Vec::with_capacity(eligible.len());
    let mut in_section: Option<usize> = None;
    let mut last = None;
    for &i in eligible {
        let begun = last.is_some();
        let heading_between = story
            .get(last.map_or(0, |l: usize| l + 1)..i)
            .unwrap_or_default()
            .iter()
            .any(|s| s.kind == SentenceKind::Headline);
        in_section = match in_section {
            _ if begun && heading_between => Some(0),
            Some(q) => Some(q + 1),
            None => None,
        };
        section_positions.push(in_section);
        last = Some(i);
    }
    for (p, &i) in eligible.iter().enumerate() {
        let Some(s) = story.get(i) else { continue };
        let terms: HashSet<String> = content_terms(&s.content.text).into_iter().collect();
        let heading = if heading_terms.is_empty() {
            0.0
        } else {
            heading_terms.intersection(&terms).count() as f32 / heading_terms.len() as f32
        };
        let section = section_positions.get(p).copied().flatten();
        let features = SentenceFeatures {
            position: 1.0 / (1.0 + p as f32).powf(w.position_decay),
            section_lead: if section == Some(0) { 1.0 } else { 0.0 },
            centrality: centrality.get(p).copied().unwrap_or(0.0),
            centroid: centroid.get(p).copied().unwrap_or(0.0),
            heading,
            entities: coverage.get(p).copied().unwrap_or(0.0),
            entity_density: density.get(p).copied().unwrap_or(0.0),
            quote: quotes.get(i).copied().unwrap_or(0.0),
            attribution: if attribution_re().is_match(&s.content.text) {
                1.0
            } else {
                0.0
            },
            short: if s.words < 8 {
                (8 - s.words) as f32 / 8.0
            } else {
                0.0
            },
            length: s.words.min(40) as f32 / 40.0,
        };
        if let Some(r) = ranked.get_mut(i) {
            r.eligible = true;
            r.features = features;
            r.score = features.score(w);
        }
    }
    Ranking {
        sentences: ranked,
        embeddings: source,
        eligible: eligible.clone(),
        redundancy: excess_similarity(similarity.view()),
    }
}

impl Summarizer for ExtractiveSummarizer {
    fn name(&self) -> String {
        "extractive".to_string()
    }

    fn summarize(&self, doc: &AnnotatedDocument) -> lede_core::Result<Summary> {
        Ok(self.summarize_with_length(doc, self.length)?)
    }
}

/// The LEAD-k baseline: the first story sentences of the document, up to the same
/// [`SummaryLength`] the extractive summarizer uses. Headlines, bylines, datelines and
/// sign-offs are skipped (and datelines cut) exactly as in [`ExtractiveSummarizer`], so the
/// two compare sentence choice alone.
///
/// ```
/// use lede_core::{AnnotatedDocument, Document, Summarizer};
/// use lede_summarize::{LeadSummarizer, SummaryLength};
/// let lead = LeadSummarizer::new(SummaryLength::Sentences(2))?;
/// let doc = AnnotatedDocument::new(Document::new("d", "Title\nOne is here. Two is here. Three."));
/// assert_eq!(lead.summarize(&doc)?.text, "One is here. Two is here.");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct LeadSummarizer {
    length: SummaryLength,
    splitter: Box<dyn SentenceSplitter>,
}

impl std::fmt::Debug for LeadSummarizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeadSummarizer")
            .field("length", &self.length)
            .finish()
    }
}

impl LeadSummarizer {
    /// LEAD at `length`, splitting with lede-tokenize's [`NewsSentenceSplitter`] when a document has no sentences.
    ///
    /// # Errors
    /// [`SummarizeError::InvalidConfig`] for a bad length.
    pub fn new(length: SummaryLength) -> Result<LeadSummarizer> {
        length.validate()?;
        Ok(LeadSummarizer {
            length,
            splitter: Box::new(NewsSentenceSplitter::default()),
        })
    }

    /// Uses `splitter` for documents without sentences.
    pub fn with_splitter(mut self, splitter: impl SentenceSplitter + 'static) -> Self {
        self.splitter = Box::new(splitter);
        self
    }

    /// The configured length.
    pub fn length(&self) -> SummaryLength {
        self.length
    }

    /// The lead of `doc` at `length`.
    ///
    /// # Errors
    /// [`SummarizeError::InvalidConfig`] for a bad length.
    pub fn lead(&self, doc: &AnnotatedDocument, length: SummaryLength) -> Result<Summary> {
        length.validate()?;
        let prepared = prepare(doc, self.splitter.as_ref());
        let limit = length.sentence_limit(prepared.eligible.len());
        let mut chosen: Vec<Sentence> = Vec::new();
        let mut words = 0;
        for &i in &prepared.eligible {
            let Some(s) = prepared.story.get(i) else {
                continue;
            };
            if chosen.len() >= limit {
                break;
            }
            if let Some(budget) = length.word_budget() {
                if !chosen.is_empty() && words + s.words > budget {
                    break;
                }
            }
            words += s.words;
            chosen.push(s.content.clone());
        }
        Ok(summary_of(chosen, "lead"))
    }
}

impl Summarizer for LeadSummarizer {
    fn name(&self) -> String {
        match self.length {
            SummaryLength::Sentences(n) => format!("lead-{n}"),
            SummaryLength::Words(n) => format!("lead-{n}w"),
            SummaryLength::Ratio(r) => format!("lead-{r}"),
        }
    }

    fn summarize(&self, doc: &AnnotatedDocument) -> lede_core::Result<Summary> {
        Ok(self.lead(doc, self.length)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lede_core::{Document, Embeddings, Entity, Mention, OffsetMap};

    fn doc(text: &str) -> AnnotatedDocument {
        AnnotatedDocument::new(Document::new("t", text))
    }

    /// A deterministic fake encoder: hashed bag of lowercase words, L2-normalised.
    struct HashEncoder {
        calls: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    }

    impl SentenceEncoder for HashEncoder {
        fn dim(&self) -> usize {
            64
        }
        fn encode(&self, texts: &[&str]) -> lede_core::Result<Vec<Vec<f32>>> {
            self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(texts
                .iter()
                .map(|t| {
                    let mut v = vec![0.0f32; 64];
                    for w in crate::lexical::content_terms(t) {
                        let h = w
                            .bytes()
                            .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
                        v[(h % 64) as usize] += 1.0;
                    }
                    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
                    v.iter().map(|x| x / n).collect()
                })
                .collect())
        }
    }

    const STORY: &str = "Belarus frees Nobel laureate\nBy Jane Doe\nMoscow (EFE).- The Belarusian leader pardoned over a hundred prisoners on Saturday, including Nobel laureate Ales Bialiatski. In exchange, the United States lifted sanctions against Belarus. The talks lasted two days in Minsk. It rained in Minsk on Friday.\nWithdrawal of sanctions\nHours earlier, the White House announced the lifting of sanctions on Belarusian potash exports. \"We are lifting them right now,\" the envoy said.\nmos/dgp";

    #[test]
    fn never_picks_boilerplate_and_strips_datelines() {
        let s = ExtractiveSummarizer::builder()
            .length(SummaryLength::Sentences(6))
            .build()
            .unwrap();
        let summary = s.summarize(&doc(STORY)).unwrap();
        assert!(!summary.text.contains("Belarus frees Nobel laureate"));
        assert!(!summary.text.contains("Jane Doe"));
        assert!(!summary.text.contains("(EFE)"));
        assert!(!summary.text.contains("mos/dgp"));
        assert!(!summary.text.contains("Withdrawal of sanctions\n"));
        assert!(summary.text.starts_with("The Belarusian leader pardoned"));
        for sent in &summary.sentences {
            assert_eq!(sent.span.slice(STORY), Some(sent.text.as_str()));
            let m = OffsetMap::new(STORY);
            assert_eq!(m.span(sent.span.start, sent.span.end).unwrap(), sent.span);
        }
        let indices: Vec<usize> = summary.sentences.iter().map(|s| s.span.start).collect();
        let mut sorted = indices.clone();
        sorted.sort_unstable();
        assert_eq!(indices, sorted, "document order");
    }

    #[test]
    fn falls_back_to_boilerplate_when_nothing_else_exists() {
        let s = ExtractiveSummarizer::builder().build().unwrap();
        let summary = s.summarize(&doc("Just a headline\nBy Jane Doe")).unwrap();
        assert!(!summary.sentences.is_empty());
        let empty = s.summarize(&doc("   ")).unwrap();
        assert!(empty.sentences.is_empty() && empty.text.is_empty());
    }

    #[test]
    fn lengths_by_sentences_words_and_ratio() {
        let s = ExtractiveSummarizer::builder().build().unwrap();
        let d = doc(STORY);
        for n in 1..=4 {
            let out = s
                .summarize_with_length(&d, SummaryLength::Sentences(n))
                .unwrap();
            assert_eq!(out.sentences.len(), n);
        }
        let out = s
            .summarize_with_length(&d, SummaryLength::Words(30))
            .unwrap();
        let words: usize = out
            .sentences
            .iter()
            .map(|x| crate::text::word_count(&x.text))
            .sum();
        assert!(words <= 30 || out.sentences.len() == 1, "{words} words");
        let out = s
            .summarize_with_length(&d, SummaryLength::Ratio(0.5))
            .unwrap();
        assert_eq!(out.sentences.len(), 3, "half of 6 story sentences");
        assert!(s
            .summarize_with_length(&d, SummaryLength::Ratio(1.5))
            .is_err());
        assert!(ExtractiveSummarizer::builder()
            .length(SummaryLength::Sentences(0))
            .build()
            .is_err());
    }

    #[test]
    fn reuses_document_embeddings_and_never_encodes_twice() {
        let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let enc = HashEncoder {
            calls: calls.clone(),
        };
        let mut d = doc(STORY);
        d.sentences = NewsSentenceSplitter::default().split(STORY);
        let texts: Vec<&str> = d.sentences.iter().map(|s| s.text.as_str()).collect();
        let rows = enc.encode(&texts).unwrap();
        d.sentence_embeddings = Some(Embeddings {
            dim: 64,
            values: rows.into_iter().flatten().collect(),
        });
        calls.store(0, std::sync::atomic::Ordering::SeqCst);
        let s = ExtractiveSummarizer::builder()
            .encoder(enc)
            .build()
            .unwrap();
        let ranking = s.rank(&d).unwrap();
        assert_eq!(ranking.embeddings, EmbeddingSource::Document);
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 0);
        // Without document embeddings the encoder runs once.
        d.sentence_embeddings = None;
        let ranking = s.rank(&d).unwrap();
        assert_eq!(ranking.embeddings, EmbeddingSource::Encoder);
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
        // Mismatched embeddings are not used.
        d.sentence_embeddings = Some(Embeddings {
            dim: 64,
            values: vec![0.0; 64],
        });
        assert_eq!(s.rank(&d).unwrap().embeddings, EmbeddingSource::Encoder);
    }

    #[test]
    fn lexical_fallback_can_be_switched_off() {
        let s = ExtractiveSummarizer::builder()
            .lexical_fallback(false)
            .build()
            .unwrap();
        let err = s.summarize(&doc(STORY)).unwrap_err();
        assert!(matches!(err, lede_core::Error::Task { .. }));
        let s = ExtractiveSummarizer::builder().build().unwrap();
        assert_eq!(
            s.rank(&doc(STORY)).unwrap().embeddings,
            EmbeddingSource::Lexical
        );
    }

    #[test]
    fn bad_encoder_output_is_an_error() {
        struct Short;
        impl SentenceEncoder for Short {
            fn dim(&self) -> usize {
                4
            }
            fn encode(&self, _texts: &[&str]) -> lede_core::Result<Vec<Vec<f32>>> {
                Ok(vec![vec![1.0; 4]])
            }
        }
        let s = ExtractiveSummarizer::builder()
            .encoder(Short)
            .build()
            .unwrap();
        let err = s.rank(&doc(STORY)).unwrap_err();
        assert!(matches!(err, SummarizeError::EmbeddingShape { .. }));
    }

    #[test]
    fn mmr_avoids_duplicate_sentences() {
        let text = "Officials lifted the potash sanctions on Monday. Officials lifted the potash sanctions on Monday again. Prisoners were freed in Minsk after talks. The weather was mild.";
        let w = ScoringWeights {
            position: 0.0,
            mmr_lambda: 0.5,
            ..ScoringWeights::default()
        };
        let s = ExtractiveSummarizer::builder()
            .length(SummaryLength::Sentences(2))
            .weights(w)
            .build()
            .unwrap();
        let out = s.summarize(&doc(text)).unwrap();
        let dupes = out
            .sentences
            .iter()
            .filter(|x| x.text.starts_with("Officials lifted"))
            .count();
        assert_eq!(dupes, 1, "{:?}", out.text);
    }

    #[test]
    fn features_reflect_the_text() {
        let s = ExtractiveSummarizer::builder().build().unwrap();
        let ranking = s.rank(&doc(STORY)).unwrap();
        let by_text = |p: &str| {
            ranking
                .sentences
                .iter()
                .find(|r| r.sentence.text.starts_with(p))
                .unwrap_or_else(|| panic!("no sentence {p}"))
        };
        let first = by_text("The Belarusian leader");
        assert!(first.eligible && first.features.position == 1.0);
        let quote = by_text("\"We are lifting");
        assert!(quote.features.quote > 0.5 && quote.features.attribution == 1.0);
        let section = by_text("Hours earlier");
        assert_eq!(section.features.section_lead, 1.0);
        let after = by_text("\"We are lifting");
        assert_eq!(
            after.features.section_lead, 0.0,
            "only the section's first sentence"
        );
        assert_eq!(
            first.features.section_lead, 0.0,
            "the first section has no section prior"
        );
        assert!(section.features.heading > 0.0);
        let headline = by_text("Belarus frees");
        assert!(!headline.eligible && headline.kind == SentenceKind::Headline);
        assert!(first.features.position > by_text("In exchange").features.position);
    }

    #[test]
    fn quotes_over_several_sentences_and_stray_quotes() {
        let text = "\"Our faith must guide us. \"Every one of us needs hope.\" The King also spoke on Monday. Australia has a fine record,\" he said. The minister left early.";
        let sentences = NewsSentenceSplitter::default().split(text);
        let q = quote_shares(text, &sentences);
        assert_eq!(sentences.len(), 5, "{sentences:?}");
        assert!(q[0] > 0.9 && q[1] > 0.9, "{q:?}");
        assert_eq!(q[2], 0.0, "{q:?}");
        assert!(q[3] < 0.1, "a stray closing quote opens nothing: {q:?}");
        assert_eq!(q[4], 0.0, "{q:?}");
        let curly = "“We are lifting them,” Cole said. Prices fell.";
        let s = NewsSentenceSplitter::default().split(curly);
        let q = quote_shares(curly, &s);
        assert!(q[0] > 0.5 && q[1] == 0.0, "{q:?}");
    }

    #[test]
    fn document_entities_drive_the_entity_features() {
        let text = "Rain fell across the region today. Ales Bialiatski met Ales Bialiatski's lawyer. Bialiatski was freed.";
        let m = OffsetMap::new(text);
        let mut d = doc(text);
        let mentions: Vec<Mention> = text
            .match_indices("Bialiatski")
            .map(|(i, t)| Mention {
                text: t.into(),
                label: "PERSON".into(),
                score: 1.0,
                span: m.span(i, i + t.len()).unwrap(),
            })
            .collect();
        d.entities = vec![Entity {
            id: "E1".into(),
            name: "Ales Bialiatski".into(),
            label: "PERSON".into(),
            mentions,
        }];
        let s = ExtractiveSummarizer::builder().build().unwrap();
        let r = s.rank(&d).unwrap();
        assert_eq!(r.sentences[0].features.entities, 0.0);
        assert_eq!(r.sentences[1].features.entities, 1.0);
        assert_eq!(
            r.sentences[1].features.entity_density, 1.0,
            "two mentions in six words"
        );
    }

    #[test]
    fn lead_baseline() {
        let lead = LeadSummarizer::new(SummaryLength::Sentences(2)).unwrap();
        let out = lead.summarize(&doc(STORY)).unwrap();
        assert_eq!(out.sentences.len(), 2);
        assert!(out.text.starts_with("The Belarusian leader pardoned"));
        assert!(out.text.contains("In exchange"));
        assert_eq!(lead.name(), "lead-2");
        let words = lead.lead(&doc(STORY), SummaryLength::Words(5)).unwrap();
        assert_eq!(
            words.sentences.len(),
            1,
            "first sentence even if longer than the budget"
        );
        assert!(LeadSummarizer::new(SummaryLength::Words(0)).is_err());
    }

    #[test]
    fn default_weights_match_the_recorded_tuning() {
        let recorded: ScoringWeights = serde_json::from_str(include_str!(
            "../../../models/summarize/extractive-weights.json"
        ))
        .unwrap();
        assert_eq!(recorded, ScoringWeights::default());
        assert!(recorded.validate().is_ok());
        let bad = ScoringWeights {
            mmr_lambda: 1.5,
            ..ScoringWeights::default()
        };
        assert!(bad.validate().is_err());
        let nan = ScoringWeights {
            quote: f32::NAN,
            ..ScoringWeights::default()
        };
        assert!(ExtractiveSummarizer::builder()
            .weights(nan)
            .build()
            .is_err());
    }

    #[test]
    fn huge_texts_are_summarised_from_their_first_candidates() {
        let text: String = (0..MAX_CANDIDATES + 300)
            .map(|i| {
                format!(
                    "Officials in town {i} reported {} new cases on Monday. ",
                    i % 7
                )
            })
            .collect();
        let s = ExtractiveSummarizer::builder().build().unwrap();
        let d = doc(&text);
        let ranking = s.rank(&d).unwrap();
        let eligible = ranking.sentences.iter().filter(|r| r.eligible).count();
        assert_eq!(eligible, MAX_CANDIDATES);
        let summary = s.summarize(&d).unwrap();
        assert_eq!(summary.sentences.len(), 3);
        let limit = ranking.sentences[MAX_CANDIDATES].sentence.span.start;
        assert!(summary.sentences.iter().all(|x| x.span.end <= limit));
    }

    #[test]
    fn summarizer_is_send() {
        fn is_send<T: Send>() {}
        is_send::<ExtractiveSummarizer>();
        is_send::<LeadSummarizer>();
    }
}
