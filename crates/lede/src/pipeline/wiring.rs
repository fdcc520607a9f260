//! Builds an [`Analyzer`] from an [`AnalyzerBuilder`]: resolves the model set and loads each
//! task's implementation.

use std::collections::BTreeMap;

use lede_tokenize::{NewsSentenceSplitter, RuleWordTokenizer};

use super::{Analyzer, AnalyzerBuilder, Tasks};
use crate::Result;

/// Default size limit of a document, in bytes.
pub(crate) const DEFAULT_MAX_BYTES: usize = 10 * 1024 * 1024;

pub(crate) fn build(b: &AnalyzerBuilder) -> Result<Analyzer> {
    let tasks = b.tasks.unwrap_or_default();
    let mut provenance = BTreeMap::new();
    provenance.insert("sentences".to_string(), "lede-tokenize news rules".to_string());
    Ok(Analyzer {
        splitter: Box::new(NewsSentenceSplitter::default()),
        tokenizer: Box::new(RuleWordTokenizer::default()),
        encoder: None,
        ner: None,
        clusterer: cluster,
        relations: None,
        summarizer: None,
        tasks: Tasks { ..tasks },
        max_bytes: b.max_bytes.unwrap_or(DEFAULT_MAX_BYTES),
        provenance,
    })
}

fn cluster(text: &str, mentions: &[lede_core::Mention]) -> Vec<lede_core::Entity> {
    lede_ner::cluster::cluster_mentions(text, mentions, &Default::default())
}
