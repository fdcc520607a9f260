//! Trains the relation pair classifier over the offline NER model's token vectors, so that the
//! pipeline's relations need no encoder pass of their own (one pass per document: NER's).
//!
//! ```text
//! cargo run --release -p lede --example train_relations_on_ner -- \
//!     /tmp/relprep/lee_background.jsonl models/lede-ner-minilm \
//!     ~/.cache/lede/models/all-MiniLM-L6-v2 models/relations [--precision int8|fp32]
//! ```
//!
//! The corpus is `scripts/relations/prep_lee.py`'s (see `models/relations/README.md`); the
//! weak labels, split and threshold fitting are `lede_relations::model::train`'s. The token
//! vectors come from the NER model at the precision given (default: the CLI's, `lede_ner::offline::DEFAULT_PRECISION`);
//! the classifier records their source and reads only vectors from that source.

use std::path::PathBuf;

use anyhow::{bail, Context};
use lede_core::AnnotatedDocument;
use lede_ner::offline::OfflineNer;
use lede_relations::model::train::{train_with_vectors, TrainConfig};
use lede_relations::{RelationError, Schema};

fn main() -> anyhow::Result<()> {
    let mut precision = lede_ner::offline::DEFAULT_PRECISION;
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--precision" {
            precision = args.next().context("--precision needs a value")?.parse()?;
        } else {
            paths.push(PathBuf::from(a));
        }
    }
    let [corpus, ner_dir, base_dir, out] = paths.as_slice() else {
        bail!("usage: CORPUS NER_MODEL_DIR MINILM_DIR OUT_DIR [--precision int8|fp32]");
    };
    let ner = OfflineNer::builder(ner_dir, base_dir)
        .precision(precision)
        .build()
        .with_context(|| format!("loading the NER model {}", ner_dir.display()))?;
    std::fs::create_dir_all(out)?;
    let cfg = TrainConfig::new(corpus.clone(), PathBuf::new(), out.clone());
    let mut vectors = |doc: &AnnotatedDocument| {
        ner.mentions_and_vectors(doc, false)
            .map_err(|e| RelationError::Vectors(Box::new(e)))?
            .token_vectors
            .ok_or_else(|| RelationError::InvalidData("the recognizer gave no vectors".into()))
    };
    let report = train_with_vectors(&Schema::news()?, &cfg, &mut vectors)?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
