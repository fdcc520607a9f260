//! Scores the offline NER model (and other systems' saved predictions) against gold, with
//! `lede_ner::eval`.
//!
//! ```text
//! cargo run --release -p lede-ner --example eval_ner -- \
//!     --model models/lede-ner-minilm --base ~/.cache/lede/models/all-MiniLM-L6-v2 \
//!     --gold models/lede-ner-minilm/eval/gold-lee-background.jsonl \
//!     --docs ~/.cache/lede/ner-data/docs \
//!     --also spacy_md=$HOME/.cache/lede/ner-data/spacy_md.gold.jsonl \
//!     --dev ~/.cache/lede/ner-data/dev.jsonl
//! ```
//!
//! `--precision int8|fp32` picks the encoder's linear layers (default int8, `lede_ner::offline::DEFAULT_PRECISION`, as the CLI).
//!
//! Gold and `--also` files are JSONL `{"doc": id, "entities": [{"start","end","label"}]}` with
//! char offsets. Coarse scores (PER/ORG/LOC/MISC, exact and partial) come from
//! [`lede_ner::eval::evaluate`]. `--dev` adds the agreement with the two spaCy teachers on the
//! dev split: coarse (`eval::agreement`) and exact spans with fine OntoNotes labels, all types
//! the model emits (dates and amounts too).
mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

use lede_ner::eval::{
    agreement, evaluate, load_gold, read_predicted, Counts, LabeledSpan, PredDoc, Prf,
};
use lede_ner::offline::{read_examples, OfflineNer};

/// Exact-span P/R/F1 over fine labels.
fn fine_f1(reference: &[PredDoc], predicted: &[PredDoc], types: &[String]) -> Prf {
    let mut counts = Counts::default();
    for (r, p) in reference.iter().zip(predicted) {
        let keep = |s: &&LabeledSpan| types.contains(&s.label);
        let r: BTreeSet<&LabeledSpan> = r.entities.iter().filter(keep).collect();
        let p: BTreeSet<&LabeledSpan> = p.entities.iter().filter(keep).collect();
        counts += Counts::from_totals(r.len(), p.len(), r.intersection(&p).count());
    }
    counts.prf()
}

/// One row of the agreement table: fine exact P/R/F1, then coarse exact and partial F1.
fn agreement_row(name: &str, reference: &[PredDoc], predicted: &[PredDoc], types: &[String]) {
    let Prf {
        precision: p,
        recall: r,
        f1: f,
    } = fine_f1(reference, predicted, types);
    let c = agreement(reference, predicted);
    println!(
        "| {name} | {p:.3} | {r:.3} | {f:.3} | {:.3} | {:.3} |",
        c.exact.f1(),
        c.partial.f1()
    );
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args = common::command_line()?;
    let (mut gold, mut docs, mut dev) = (None, None, None);
    let mut also: Vec<(String, PathBuf)> = Vec::new();
    let mut precision = lede_ner::offline::DEFAULT_PRECISION;
    for (flag, v) in args.rest {
        match flag.as_str() {
            "--gold" => gold = Some(PathBuf::from(v)),
            "--docs" => docs = Some(PathBuf::from(v)),
            "--dev" => dev = Some(PathBuf::from(v)),
            "--precision" => precision = v.parse()?,
            "--also" => {
                let (name, path) = v.split_once('=').ok_or("--also NAME=FILE")?;
                also.push((name.to_string(), PathBuf::from(path)));
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let ner = OfflineNer::builder(&args.model, &args.base)
        .include_values(true)
        .precision(precision)
        .build()?;
    if let (Some(gold_path), Some(docs)) = (gold, docs) {
        let gold = load_gold(&gold_path)?;
        let mut predicted = Vec::new();
        for g in &gold {
            let path = docs.join(format!("{}.txt", g.doc));
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            g.check_text(&text)?;
            predicted.push(PredDoc::from_mentions(g.doc.clone(), &ner.mentions(&text)?));
        }
        println!(
            "## lede-ner-minilm on {} ({} documents)\n",
            gold_path.display(),
            gold.len()
        );
        println!("{}", evaluate(&gold, &predicted));
        for (name, path) in &also {
            let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let pred = read_predicted(std::io::BufReader::new(file))?;
            println!("## {name} on the same gold\n");
            println!("{}", evaluate(&gold, &pred));
        }
    }
    if let Some(dev) = dev {
        let examples = read_examples(&dev)?;
        let raw = std::fs::read_to_string(&dev)?;
        let (mut md, mut sm, mut agreed, mut ours) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (ex, line) in examples
            .iter()
            .zip(raw.lines().filter(|l| !l.trim().is_empty()))
        {
            // The teachers' spans sit beside the fields `Example` reads.
            let v: serde_json::Value = serde_json::from_str(line)?;
            let spans = |key: &str| -> Result<Vec<LabeledSpan>, serde_json::Error> {
                serde_json::from_value(v.get(key).cloned().unwrap_or_default())
            };
            let doc = ex.id.clone();
            md.push(PredDoc {
                doc: doc.clone(),
                entities: spans("teacher_md")?,
            });
            sm.push(PredDoc {
                doc: doc.clone(),
                entities: spans("teacher_sm")?,
            });
            agreed.push(PredDoc {
                doc: doc.clone(),
                entities: spans("entities")?,
            });
            ours.push(PredDoc::from_mentions(doc, &ner.mentions(&ex.text)?));
        }
        let types = ner.entity_types().to_vec();
        println!(
            "## dev split ({} documents): agreement with the teachers\n",
            examples.len()
        );
        println!("| reference | fine exact P | fine exact R | fine exact F1 | coarse exact F1 | coarse partial F1 |");
        println!("|---|---:|---:|---:|---:|---:|");
        for (name, reference) in [
            ("spaCy md", &md),
            ("spaCy sm", &sm),
            ("agreed silver (md = sm)", &agreed),
        ] {
            agreement_row(name, reference, &ours, &types);
        }
        agreement_row("(spaCy sm against md)", &md, &sm, &types);
        println!(
            "\nCoarse agreement with spaCy md, per type:\n\n{}",
            agreement(&md, &ours)
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    common::exit_code(run())
}
