//! # lede-summarize
//!
//! Summarization for [lede](https://github.com/lede-nlp/lede): an offline extractive summarizer
//! for news, the LEAD-k baseline, abstractive summarization with rust-bert models, and a
//! ROUGE scorer with an evaluation API.
//!
//! * [`ExtractiveSummarizer`]: ranks the story sentences of a document by a weighted mix of a
//!   news lead-bias prior, section leads, PageRank centrality in the sentence-embedding
//!   similarity graph, closeness to the document centroid, entity coverage and density,
//!   headings, quotes, attribution and length ([`ScoringWeights`]), then picks them with MMR.
//!   The default weights were tuned on news with hand-written reference summaries
//!   (`docs/EVALUATION.md`): on that data a slowly decaying lead prior, quote and
//!   shortness penalties and MMR did best, and centrality got no weight. It reuses the sentence vectors an
//!   earlier stage stored in [`lede_core::AnnotatedDocument::sentence_embeddings`] (in lede,
//!   the offline NER model's pooled encoder states), encodes with any
//!   [`lede_core::SentenceEncoder`] (lede-models' MiniLM) otherwise, and falls back to
//!   lexical TF-IDF vectors ([`lexical`]) with no model at all. Headlines, bylines, datelines
//!   and sign-offs ([`SentenceKind`]) are never picked unless nothing else exists.
//! * [`learned`]: a sentence scorer trained on reference summaries (ROUGE-oracle labels,
//!   logistic regression over the features and the sentence vectors); the extractive summarizer
//!   uses it in place of the weights for documents whose vectors come from its source.
//! * [`LeadSummarizer`]: the first k story sentences.
//! * [`rouge`]: ROUGE-1/2/L/Lsum as Google's `rouge-score` computes them, with the original
//!   [`porter`] stemmer.
//! * [`AbstractiveSummarizer`]: BART / DistilBART / T5 / Pegasus through rust-bert's
//!   `SummarizationModel`, from a local Hugging Face directory or (feature `remote`) a hub
//!   id, with map-reduce chunking on sentence boundaries for long articles.
//! * [`eval`]: reference files (JSON Lines), [`eval::evaluate_summaries`] running any
//!   [`lede_core::Summarizer`] next to LEAD-3, and the ROUGE table.
//!
//! ```
//! use lede_core::{AnnotatedDocument, Document, Summarizer};
//! use lede_summarize::{ExtractiveSummarizer, LeadSummarizer, SummaryLength};
//! use lede_summarize::rouge::{RougeScorer, Stemming};
//!
//! let text = "WASHINGTON (AP) — The Senate passed the budget bill on Friday after a week of talks. \
//!             Senators said the vote was close. The bill now goes to the House. \
//!             It was sunny in the capital.";
//! let doc = AnnotatedDocument::new(Document::new("story", text));
//! let summarizer = ExtractiveSummarizer::builder().length(SummaryLength::Sentences(2)).build()?;
//! let summary = summarizer.summarize(&doc)?;
//! assert!(summary.text.starts_with("The Senate passed the budget bill"));
//! assert!(!summary.text.contains("(AP)"));
//!
//! let lead = LeadSummarizer::new(SummaryLength::Sentences(2))?.summarize(&doc)?;
//! let scores = RougeScorer::new(Stemming::Porter).score("The Senate passed the budget.", &summary.text);
//! assert!(scores.rouge1.recall > 0.9);
//! # let _ = lead;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

/// The `&'static Regex` of a pattern constant, compiled on first use at this place. The
/// patterns are constants the tests run, so they always compile.
macro_rules! static_regex {
    ($pattern:ident) => {{
        static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        RE.get_or_init(|| {
            regex::Regex::new($pattern)
                .unwrap_or_else(|e| unreachable!("{} regex: {e}", stringify!($pattern)))
        })
    }};
}

mod abstractive;
mod error;
pub mod eval;
mod extractive;
pub mod graph;
pub mod learned;
pub mod lexical;
pub mod porter;
pub mod rouge;
mod text;

pub use abstractive::{
    chunk_texts, AbstractiveSummarizer, AbstractiveSummarizerBuilder, Chunk, GenerationSettings,
    T5_DEFAULT_INPUT_TOKENS,
};
pub use error::{Result, SummarizeError};
pub use eval::{
    evaluate_summaries, paired_bootstrap, EvalOptions, PairedInterval, RefSummary, RougeReport,
};
pub use extractive::{
    EmbeddingSource, ExtractiveSummarizer, ExtractiveSummarizerBuilder, LeadSummarizer,
    RankedSentence, Ranking, ScoringWeights, SentenceFeatures, SummaryLength, MAX_CANDIDATES,
};
pub use text::{classify_all, word_count, SentenceKind, StorySentence};

// Summarizers are moved into worker threads: prove they are `Send`.
lede_core::assert_send!(ExtractiveSummarizer, LeadSummarizer, AbstractiveSummarizer);
