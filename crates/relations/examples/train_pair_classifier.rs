//! Trains the relation pair classifier on weakly labelled news.
//!
//! ```text
//! python3 scripts/relations/prep_lee.py --out /tmp/relprep/lee_background.jsonl
//! cargo run -p lede-relations --release --example train_pair_classifier -- \
//!     /tmp/relprep/lee_background.jsonl ~/.cache/lede/models/all-MiniLM-L6-v2 \
//!     models/relations/minilm
//! cargo run -p lede-relations --example train_pair_classifier -- --show-hits CORPUS
//! ```
//!
//! Training options (before the paths): `--layers N` runs the first N encoder layers (early
//! exit), `--context W` encodes each sentence's candidate mentions with W words on either side
//! instead of the whole sentence, `--precision int8` computes the features with the encoder's
//! linear layers in int8; all three are recorded in `pair-classifier.json` and used at
//! inference.

use std::path::PathBuf;

use lede_relations::model::train::{
    heldout, load_prepared_corpus, train, weak_labels, TrainConfig, WeakSource,
};
use lede_relations::Schema;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let schema = Schema::news()?;
    if args.first().map(String::as_str) == Some("--show-hits") {
        let corpus = PathBuf::from(args.get(1).ok_or("corpus path")?);
        let docs = load_prepared_corpus(&corpus)?;
        let cfg = TrainConfig::new(corpus, PathBuf::new(), PathBuf::new());
        let ex = weak_labels(&schema, &docs, &cfg);
        for e in ex.iter().filter(|e| e.source != WeakSource::None) {
            let doc = &docs[e.doc];
            let c = &e.candidate;
            let label = e
                .label
                .and_then(|l| schema.labels().get(l))
                .map_or("?", |l| l.name());
            println!(
                "{:?}\t{}\t{}\t{}\t{}",
                e.source,
                doc.entities[c.head].name,
                label,
                doc.entities[c.tail].name,
                doc.sentences[c.sentence].text
            );
        }
        return Ok(());
    }
    if args.first().map(String::as_str) == Some("--show-model") {
        // Relations the classifier adds (no cue) on the held-out articles.
        let (Some(corpus), Some(model), Some(encoder)) = (args.get(1), args.get(2), args.get(3))
        else {
            return Err("usage: --show-model CORPUS MODEL_DIR ENCODER_DIR".into());
        };
        let docs = load_prepared_corpus(std::path::Path::new(corpus))?;
        let ex = lede_relations::NewsRelationExtractor::offline(model, encoder)?;
        let cfg = TrainConfig::new(PathBuf::new(), PathBuf::new(), PathBuf::new());
        for doc in docs
            .iter()
            .filter(|d| heldout(&d.document.id, cfg.heldout_every))
        {
            for r in ex.extract_detailed(doc)? {
                if r.source == lede_relations::Source::Model {
                    let x = &r.relation;
                    println!(
                        "{:.2}\t{}\t{}\t{}\t{}",
                        x.score, x.head_name, x.label, x.tail_name, x.evidence.text
                    );
                }
            }
        }
        return Ok(());
    }
    let mut layers = None;
    let mut context = None;
    let mut precision = lede_models::fast::Precision::Fp32;
    let mut rest = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--layers" => layers = Some(it.next().ok_or("--layers N")?.parse::<usize>()?),
            "--context" => context = Some(it.next().ok_or("--context W")?.parse::<usize>()?),
            "--precision" => precision = it.next().ok_or("--precision int8|fp32")?.parse()?,
            _ => rest.push(a.clone()),
        }
    }
    let [corpus, encoder, out] = rest.as_slice() else {
        return Err(
            "usage: train_pair_classifier [--layers N] [--context W] [--precision int8|fp32] \
             CORPUS ENCODER_DIR OUT_DIR"
                .into(),
        );
    };
    tch::set_num_threads(2);
    let mut cfg = TrainConfig::new(corpus.into(), encoder.into(), out.into());
    cfg.encoder_layers = layers;
    cfg.context_words = context;
    cfg.encoder_precision = precision;
    let report = train(&schema, &cfg)?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
