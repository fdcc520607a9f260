//! The LEAD-k baseline.

use lede_core::{AnnotatedDocument, Sentence, SentenceSplitter, Summarizer, Summary};

use super::config::SummaryLength;
use super::prepare;
use super::ranking::summary_of;
use crate::error::Result;
use lede_tokenize::NewsSentenceSplitter;

/// The LEAD-k baseline: the first story sentences of the document, up to the same
/// [`SummaryLength`] the extractive summarizer uses. Headlines, bylines, datelines and
/// sign-offs are skipped (and datelines cut) exactly as in [`ExtractiveSummarizer`](crate::ExtractiveSummarizer), so the
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

lede_core::debug_fields!(LeadSummarizer { length });

impl LeadSummarizer {
    /// LEAD at `length`, splitting with lede-tokenize's [`NewsSentenceSplitter`] when a
    /// document has no sentences.
    ///
    /// # Errors
    /// [`SummarizeError::InvalidConfig`](crate::SummarizeError::InvalidConfig) for a bad length.
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
    /// [`SummarizeError::InvalidConfig`](crate::SummarizeError::InvalidConfig) for a bad length.
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
