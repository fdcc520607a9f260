//! The seed article through the cue-only extractor, scored against the hand annotation in
//! `models/relations/gold/seed.jsonl`, with two stand-ins for NER: reference entities written
//! by hand (`seed-entities.json`) and spaCy `en_core_web_sm` entities
//! (`seed-spacy-entities.jsonl`, from `scripts/relations/prep_lee.py --text`). The full
//! pipeline (with lede-ner) is measured by the facade's `lede eval relations`.

use std::path::PathBuf;

use lede_core::{Analysis, AnnotatedDocument, Document, Entity, SentenceSplitter};
use lede_relations::model::train::load_prepared_corpus;
use lede_relations::{
    entities_from_forms, evaluate, read_gold, EntitySpec, NewsRelationExtractor, RelationScores,
};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seed_text() -> String {
    std::fs::read_to_string(repo().join("seeds/belarus-pardons-efe.txt")).unwrap()
}

fn seed_doc(entities: Vec<Entity>) -> AnnotatedDocument {
    let text = seed_text();
    let splitter = lede_tokenize::NewsSentenceSplitter::builder()
        .build()
        .unwrap();
    let mut doc = AnnotatedDocument::new(Document::new("belarus-pardons-efe", text.clone()));
    doc.sentences = splitter.split(&text);
    doc.entities = entities;
    doc
}

fn score(doc: &AnnotatedDocument) -> RelationScores {
    let extractor = NewsRelationExtractor::builder().build().unwrap();
    let detailed = extractor.extract_detailed(doc).unwrap();
    for r in &detailed {
        let rel = &r.relation;
        assert_eq!(
            rel.evidence.span.slice(doc.text()),
            Some(rel.evidence.text.as_str())
        );
        assert!(doc.entities.iter().any(|e| e.id == rel.head));
        println!(
            "{:.2} {} {} {} [{:?}] <- {:?}",
            rel.score, rel.head_name, rel.label, rel.tail_name, r.source, r.cue
        );
    }
    let mut analysis = Analysis::empty(&doc.document);
    analysis.entities = doc.entities.clone();
    analysis.sentences = doc.sentences.clone();
    analysis.relations = detailed.into_iter().map(|r| r.relation).collect();
    let gold = read_gold(repo().join("models/relations/gold/seed.jsonl")).unwrap();
    let scores = evaluate(&gold, &[analysis], extractor.schema());
    println!("{}", scores.report());
    scores
}

#[test]
fn seed_article_with_reference_entities() {
    let specs: Vec<EntitySpec> = serde_json::from_str(
        &std::fs::read_to_string(repo().join("models/relations/gold/seed-entities.json")).unwrap(),
    )
    .unwrap();
    let doc = seed_doc(entities_from_forms(&seed_text(), &specs).unwrap());
    let s = score(&doc);
    assert!(s.labelled.precision() >= 0.6, "{}", s.report());
    assert!(s.labelled.recall() >= 0.5, "{}", s.report());
}

#[test]
fn seed_article_with_spacy_entities() {
    let prepared =
        load_prepared_corpus(&repo().join("models/relations/gold/seed-spacy-entities.jsonl"))
            .unwrap();
    let first = prepared.into_iter().next().unwrap();
    assert_eq!(first.document.text, seed_text());
    let doc = seed_doc(first.entities);
    let s = score(&doc);
    assert!(s.labelled.precision() >= 0.6, "{}", s.report());
    assert!(s.labelled.recall() >= 0.5, "{}", s.report());
}

/// The shipped classifier over the packaged MiniLM, when MiniLM is on this machine (skips with a
/// notice otherwise).
#[test]
fn default_offline_extractor_on_the_seed() {
    // Skipped without the models, a failure in CI (`lede_test_support`).
    if lede_test_support::minilm_dir(&["config.json", "model.safetensors"]).is_none() {
        return;
    }
    // The classifier over its own MiniLM pass (the main one reads NER's token vectors, which
    // the facade's tests cover).
    let Some(model_dir) = lede_test_support::project_model(
        "relations",
        &[
            lede_relations::model::HEAD_WEIGHTS,
            lede_relations::model::HEAD_META,
        ],
    )
    .map(|d| d.join(lede_relations::FALLBACK_DIR)) else {
        return;
    };
    let extractor = NewsRelationExtractor::builder()
        .model_dir(model_dir)
        .encoder_model("minilm")
        .build()
        .unwrap();
    assert!(extractor.has_model());
    let specs: Vec<EntitySpec> = serde_json::from_str(
        &std::fs::read_to_string(repo().join("models/relations/gold/seed-entities.json")).unwrap(),
    )
    .unwrap();
    let doc = seed_doc(entities_from_forms(&seed_text(), &specs).unwrap());
    let rels = extractor.extract_relations(&doc).unwrap();
    let mut analysis = Analysis::empty(&doc.document);
    analysis.entities = doc.entities.clone();
    analysis.relations = rels;
    let gold = read_gold(repo().join("models/relations/gold/seed.jsonl")).unwrap();
    let s = evaluate(&gold, &[analysis], extractor.schema());
    println!("{}", s.report());
    assert!(s.labelled.precision() >= 0.6, "{}", s.report());
    assert!(s.labelled.recall() >= 0.5, "{}", s.report());
}
