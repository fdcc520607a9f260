//! Reference summaries and their documents prepared as `lede analyze` prepares them (NER's
//! pass gives the sentence vectors), shared by `lede train summary` and `lede eval summary`.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use lede::core::{AnnotatedDocument, Sentence, Summarizer};
use lede::summarize::eval::{load_docs, load_refs};
use lede::summarize::{EmbeddingSource, ExtractiveSummarizer, RefSummary, SummaryLength};
use lede::{Analyzer, Summary};

/// References of one file and their annotated documents.
pub(crate) struct RefSet {
    /// The references, in file order.
    pub refs: Vec<RefSummary>,
    /// The documents they name, annotated.
    pub docs: Vec<AnnotatedDocument>,
}

/// Loads `refs` and the documents they name from `docs`, and annotates each with `analyzer`
/// (progress on stderr).
pub(crate) fn load(refs: &Path, docs: &Path, analyzer: &Analyzer) -> Result<RefSet> {
    let refs = load_refs(refs).with_context(|| format!("cannot load {}", refs.display()))?;
    if refs.is_empty() {
        bail!("no reference summaries in the file");
    }
    let plain = load_docs(docs, &refs)?;
    let mut out = Vec::with_capacity(plain.len());
    let total = plain.len();
    for (i, d) in plain.into_iter().enumerate() {
        let id = d.id.clone();
        out.push(
            analyzer
                .annotate(d)
                .with_context(|| format!("document {id:?}"))?,
        );
        if (i + 1) % 25 == 0 || i + 1 == total {
            tracing::info!("annotated {}/{total} documents", i + 1);
        }
    }
    Ok(RefSet { refs, docs: out })
}

/// The first reference of each document.
pub(crate) fn first_refs(refs: &[RefSummary]) -> HashMap<&str, &str> {
    let mut out = HashMap::new();
    for r in refs {
        out.entry(r.doc.as_str()).or_insert(r.summary.as_str());
    }
    out
}

/// The candidate sentences of a document (the story sentences the summarizer may pick), its
/// trained-scorer inputs, and the oracle's picks among them.
pub(crate) struct Candidates {
    /// The sentences, in document order.
    pub sentences: Vec<Sentence>,
    /// One row of scorer inputs per sentence.
    pub inputs: ndarray::Array2<f32>,
    /// Indices of the ROUGE oracle's sentences (at most the summary length).
    pub oracle: Vec<usize>,
}

/// The candidates of `doc` under the hand-set summarizer `hand`, with the oracle's picks for
/// `reference`. Fails when the document has no sentence vectors of its own (NER did not run).
pub(crate) fn candidates(
    hand: &ExtractiveSummarizer,
    doc: &AnnotatedDocument,
    reference: &str,
    max: usize,
) -> Result<Candidates> {
    let ranking = hand.rank(doc)?;
    if ranking.embeddings != EmbeddingSource::Document {
        bail!(
            "document {:?} has no sentence vectors from the NER pass",
            doc.document.id
        );
    }
    let sentences: Vec<Sentence> = ranking
        .eligible()
        .into_iter()
        .map(|s| s.sentence.clone())
        .collect();
    let texts: Vec<&str> = sentences.iter().map(|s| s.text.as_str()).collect();
    let oracle = lede::summarize::learned::oracle(&texts, reference, max);
    Ok(Candidates {
        sentences,
        inputs: ranking.inputs().to_owned(),
        oracle,
    })
}

/// A "summarizer" that returns fixed summaries by document id (the oracle's, a second
/// writer's), so that they are scored exactly as the systems are.
pub(crate) struct Fixed {
    pub name: String,
    pub summaries: HashMap<String, Summary>,
}

impl Summarizer for Fixed {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn summarize(&self, doc: &AnnotatedDocument) -> lede::core::Result<Summary> {
        self.summaries
            .get(&doc.document.id)
            .cloned()
            .ok_or_else(|| {
                lede::core::Error::InvalidInput(format!(
                    "no {} summary for document {:?}",
                    self.name, doc.document.id
                ))
            })
    }
}

/// The hand-set extractive summarizer at `n` sentences.
pub(crate) fn hand_summarizer(length: SummaryLength) -> Result<ExtractiveSummarizer> {
    Ok(ExtractiveSummarizer::builder().length(length).build()?)
}
