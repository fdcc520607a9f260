//! Scores the relation extractor on a document with reference entities given by their surface
//! forms (standing in for NER), against gold relations, and times it.
//!
//! ```text
//! cargo run -p lede-relations --example eval_seed -- \
//!     seeds/belarus-pardons-efe.txt models/relations/gold/seed-entities.json \
//!     models/relations/gold/seed.jsonl [MODEL_DIR ENCODER_DIR]
//! ```
//! With MODEL_DIR and ENCODER_DIR it also runs cues + the pair classifier. `LEDE_EVAL_RUNS=N`
//! times N runs instead of 5. ENTITIES may also be
//! a `.jsonl` record from `scripts/relations/prep_lee.py --text` (spaCy entities).

use std::time::Instant;

use lede_core::{Analysis, AnnotatedDocument, Document, SentenceSplitter};
use lede_relations::model::train::load_prepared_corpus;
use lede_relations::{
    entities_from_forms, evaluate, read_gold, EntitySpec, NewsRelationExtractor, Source,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(text_path), Some(ents_path), Some(gold_path)) =
        (args.first(), args.get(1), args.get(2))
    else {
        return Err(
            "usage: eval_seed TEXT ENTITIES.json GOLD.jsonl [MODEL_DIR ENCODER_DIR]".into(),
        );
    };
    let text = std::fs::read_to_string(text_path)?;
    let gold = read_gold(gold_path)?;
    let doc_id = gold.first().map(|g| g.doc.clone()).unwrap_or_default();
    let splitter = lede_tokenize::NewsSentenceSplitter::builder().build()?;
    let mut doc = AnnotatedDocument::new(Document::new(doc_id, text.clone()));
    doc.sentences = splitter.split(&text);
    doc.entities = if ents_path.ends_with(".jsonl") {
        // Entities from a prepared record (scripts/relations/prep_lee.py --text), e.g. spaCy's.
        let prepared = load_prepared_corpus(std::path::Path::new(ents_path))?;
        let first = prepared.into_iter().next().ok_or("empty entity file")?;
        if first.document.text != text {
            return Err("the entity file was made from another text".into());
        }
        first.entities
    } else {
        let specs: Vec<EntitySpec> = serde_json::from_str(&std::fs::read_to_string(ents_path)?)?;
        entities_from_forms(&text, &specs)?
    };
    tch::set_num_threads(1);
    // Timed runs per extractor (min and median are printed); more runs steady the minimum on a
    // busy machine.
    let runs_n: usize = std::env::var("LEDE_EVAL_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .max(1);
    let mut runs = vec![("cues", NewsRelationExtractor::builder().build()?)];
    if let (Some(m), Some(e)) = (args.get(3), args.get(4)) {
        let t = Instant::now();
        let ex = NewsRelationExtractor::offline(m, e)?;
        println!("loaded cues+model in {:.2?}", t.elapsed());
        runs.push(("cues+model", ex));
    }
    if let Some(e) = args.get(4) {
        // Reference cost: one MiniLM pass over every sentence, what a MiniLM-sized token
        // classifier (NER) spends on the same article.
        let embedder = lede_models::SentenceEmbedder::builder()
            .model(std::path::Path::new(e))
            .build()?;
        let texts: Vec<&str> = doc.sentences.iter().map(|s| s.text.as_str()).collect();
        embedder.token_states(&texts)?;
        let mut times = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            embedder.token_states(&texts)?;
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "reference: MiniLM over all {} sentences: min {:.2?}, median {:.2?} (5 runs)",
            texts.len(),
            times[0],
            times[2]
        );
    }
    for (name, ex) in &runs {
        // Warm-up, then the timed run.
        ex.extract_detailed(&doc)?;
        let mut times = Vec::new();
        for _ in 0..runs_n {
            let t = Instant::now();
            ex.extract_detailed(&doc)?;
            times.push(t.elapsed());
        }
        times.sort();
        let rels = ex.extract_detailed(&doc)?;
        println!(
            "== {name}: {} relations; min {:.2?}, median {:.2?} ({runs_n} runs)",
            rels.len(),
            times[0],
            times[runs_n / 2]
        );
        let verbose = std::env::var_os("LEDE_EVAL_VERBOSE").is_some();
        for r in &rels {
            if r.source != Source::Cue || verbose {
                let x = &r.relation;
                println!(
                    "   {:?} {:.2} {} {} {}",
                    r.source, x.score, x.head_name, x.label, x.tail_name
                );
            }
        }
        let mut a = Analysis::empty(&doc.document);
        a.entities = doc.entities.clone();
        a.relations = rels.into_iter().map(|r| r.relation).collect();
        let scores = evaluate(&gold, &[a], ex.schema());
        print!("{}", scores.report());
    }
    Ok(())
}
