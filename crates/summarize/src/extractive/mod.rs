//! The extractive summarizer and the LEAD-k baseline.

use lede_core::{
    AnnotatedDocument, Sentence, SentenceEncoder, SentenceSplitter, Summarizer, Summary,
};
use ndarray::Array2;

use crate::error::{Result, SummarizeError};
use crate::learned::SentenceScorer;
use crate::lexical::tfidf_embeddings;
use crate::text::{classify_all, StorySentence};
use lede_tokenize::NewsSentenceSplitter;

mod config;
mod features;
mod lead;
mod ranking;
#[cfg(test)]
mod tests;

pub use config::{ScoringWeights, SummaryLength};
use features::rank_prepared;
pub use lead::LeadSummarizer;
use ranking::summary_of;
pub use ranking::{EmbeddingSource, RankedSentence, Ranking, SentenceFeatures};

/// The offline extractive summarizer.
///
/// For each document it:
/// 1. takes the document's sentences (or splits the text with its splitter when there are
///    none) and sets aside headlines, bylines, datelines and sign-offs
///    ([`SentenceKind`](crate::SentenceKind)); a dateline at the start of a sentence and a sign-off glued to its
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
    scorer: Option<SentenceScorer>,
    document_vectors: Option<String>,
}

impl std::fmt::Debug for ExtractiveSummarizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExtractiveSummarizer")
            .field("length", &self.length)
            .field("weights", &self.weights)
            .field("encoder", &self.encoder.as_ref().map(|e| e.dim()))
            .field("lexical_fallback", &self.lexical_fallback)
            .field("scorer", &self.scorer.as_ref().map(|s| s.vectors.as_str()))
            .field("document_vectors", &self.document_vectors)
            .finish()
    }
}

/// Builder of [`ExtractiveSummarizer`](crate::ExtractiveSummarizer).
pub struct ExtractiveSummarizerBuilder {
    length: SummaryLength,
    weights: ScoringWeights,
    encoder: Option<Box<dyn SentenceEncoder>>,
    splitter: Option<Box<dyn SentenceSplitter>>,
    lexical_fallback: bool,
    scorer: Option<SentenceScorer>,
    document_vectors: Option<String>,
}

impl Default for ExtractiveSummarizerBuilder {
    fn default() -> Self {
        ExtractiveSummarizerBuilder {
            length: SummaryLength::default(),
            weights: ScoringWeights::default(),
            encoder: None,
            splitter: None,
            lexical_fallback: true,
            scorer: None,
            document_vectors: None,
        }
    }
}

impl ExtractiveSummarizerBuilder {
    lede_core::setters! {
        /// Summary length (default: 3 sentences).
        pub fn length(length: SummaryLength) => length = length;
        /// Scoring weights (default: the tuned ones).
        pub fn weights(weights: ScoringWeights) => weights = weights;
        /// A sentence encoder for documents that arrive without `sentence_embeddings`.
        pub fn encoder(encoder: impl SentenceEncoder + 'static) =>
            encoder = Some(Box::new(encoder));
        /// Same as [`Self::encoder`] for an already boxed encoder.
        pub fn boxed_encoder(encoder: Box<dyn SentenceEncoder>) => encoder = Some(encoder);
        /// The splitter for documents that arrive without sentences (default:
        /// lede-tokenize's [`NewsSentenceSplitter`]).
        pub fn splitter(splitter: impl SentenceSplitter + 'static) =>
            splitter = Some(Box::new(splitter));
        /// Whether to fall back to lexical TF-IDF vectors when there are neither document
        /// embeddings nor an encoder (default: true). When false, such documents fail with
        /// [`SummarizeError::NoEmbeddings`].
        pub fn lexical_fallback(on: bool) => lexical_fallback = on;
        /// A trained sentence scorer ([`crate::learned`]). It scores the documents whose
        /// `sentence_embeddings` come from the scorer's vector source (see
        /// [`Self::document_vectors`]); others are scored with the weights.
        pub fn scorer(scorer: SentenceScorer) => scorer = Some(scorer);
        /// The source of the `sentence_embeddings` the documents arrive with (in lede, the
        /// recognizer's `sentence_vectors_source`). Default: none, so a scorer is not used.
        pub fn document_vectors(source: impl Into<String>) =>
            document_vectors = Some(source.into());
    }

    /// Builds the summarizer.
    ///
    /// # Errors
    /// [`SummarizeError::InvalidConfig`](crate::SummarizeError::InvalidConfig) for a bad length or weights.
    pub fn build(self) -> Result<ExtractiveSummarizer> {
        self.length.validate()?;
        self.weights.validate()?;
        Ok(ExtractiveSummarizer {
            length: self.length,
            weights: self.weights,
            encoder: self.encoder,
            splitter: self
                .splitter
                .unwrap_or_else(|| Box::new(NewsSentenceSplitter::default())),
            lexical_fallback: self.lexical_fallback,
            scorer: self.scorer,
            document_vectors: self.document_vectors,
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
        let mut ranking = rank_prepared(doc, &prepared, &vectors, source, &self.weights);
        if let Some(scorer) = self.applicable_scorer(&ranking) {
            let scores = scorer.scores(ranking.inputs.view())?;
            for (&i, score) in ranking.eligible.iter().zip(scores) {
                if let Some(r) = ranking.sentences.get_mut(i) {
                    r.score = score;
                }
            }
            ranking.trained = true;
        }
        Ok(ranking)
    }

    /// The trained scorer, when there is one and `ranking`'s vectors are the document's own
    /// from the scorer's source.
    fn applicable_scorer(&self, ranking: &Ranking) -> Option<&SentenceScorer> {
        let scorer = self.scorer.as_ref()?;
        (ranking.embeddings == EmbeddingSource::Document
            && self.document_vectors.as_deref() == Some(scorer.vectors.as_str())
            && ranking.inputs.ncols() == scorer.inputs())
        .then_some(scorer)
    }

    /// The trained scorer, if one was given.
    pub fn scorer(&self) -> Option<&SentenceScorer> {
        self.scorer.as_ref()
    }

    /// Summarizes `doc` at a length other than the configured one.
    ///
    /// # Errors
    /// As [`Self::rank`], and [`SummarizeError::InvalidConfig`](crate::SummarizeError::InvalidConfig) for a bad length.
    pub fn summarize_with_length(
        &self,
        doc: &AnnotatedDocument,
        length: SummaryLength,
    ) -> Result<Summary> {
        length.validate()?;
        let ranking = self.rank(doc)?;
        let lambda = match (&self.scorer, ranking.trained) {
            (Some(scorer), true) => scorer.mmr_lambda,
            _ => self.weights.mmr_lambda,
        };
        let chosen = ranking
            .select(length, lambda)
            .into_iter()
            .map(|s| s.sentence.clone())
            .collect();
        let method = if ranking.trained {
            "extractive (trained scorer)"
        } else {
            "extractive"
        };
        Ok(summary_of(chosen, method))
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

impl Summarizer for ExtractiveSummarizer {
    fn name(&self) -> String {
        "extractive".to_string()
    }

    fn summarize(&self, doc: &AnnotatedDocument) -> lede_core::Result<Summary> {
        Ok(self.summarize_with_length(doc, self.length)?)
    }
}
