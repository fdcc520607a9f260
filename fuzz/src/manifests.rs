//! Target `schema_toml`: the relation schema ([`Schema::from_toml_str`], cue patterns
//! included) and the model-set manifest ([`ModelSet::from_toml_str`]) on arbitrary text.
//!
//! Invariants: no panic, an error for bad input; an accepted schema keeps what it promises
//! (unique non-empty label names found by [`Schema::label_index`], a head type, exactly one
//! of `tail` / `tail_value`, thresholds and cue scores in `[0, 1]`), and its cue patterns run
//! on a fixed article giving relations with known labels, entities of the article and
//! evidence that slices the text; an accepted manifest has a name, and every model spec in
//! it parses, and parses back from [`ModelSpec::to_spec_string`] to itself.

use std::path::Path;
use std::sync::OnceLock;

use lede_core::{AnnotatedDocument, Document, Entity, Mention, OffsetMap, RelationExtractor};
use lede_models::{ModelSet, ModelSpec, Task};
use lede_relations::{NewsRelationExtractor, Schema, VALUE_TAIL_ID};
use lede_tokenize::Segmenter;

const ARTICLE: &str = "Minsk (EFE).- Belarusian President Alexander Lukashenko pardoned 52 \
    prisoners on Tuesday, including Ales Bialiatski, 62, the founder of the rights group \
    Viasna. He was held in Minsk, the capital of Belarus, and met with US envoy John Coale. \
    Russia's foreign minister Sergei Lavrov, 74, was sentenced to 11 years by a court in Kyiv.";

/// The article, segmented, with its entities.
fn article() -> &'static AnnotatedDocument {
    static DOC: OnceLock<AnnotatedDocument> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = Segmenter::default().annotate(Document::new("article", ARTICLE));
        let map = OffsetMap::new(ARTICLE);
        let entities = [
            ("Minsk", "GPE"),
            ("Belarusian", "NORP"),
            ("Alexander Lukashenko", "PERSON"),
            ("Ales Bialiatski", "PERSON"),
            ("Viasna", "ORG"),
            ("Belarus", "GPE"),
            ("US", "GPE"),
            ("John Coale", "PERSON"),
            ("Russia", "GPE"),
            ("Sergei Lavrov", "PERSON"),
            ("Kyiv", "GPE"),
        ];
        doc.entities = entities
            .iter()
            .enumerate()
            .map(|(i, (name, label))| {
                let mut mentions = Vec::new();
                let mut from = 0;
                while let Some(at) = ARTICLE[from..].find(name) {
                    let start = from + at;
                    from = start + name.len();
                    let word_end = ARTICLE[from..]
                        .chars()
                        .next()
                        .is_none_or(|c| !c.is_alphanumeric());
                    if word_end {
                        mentions.push(Mention {
                            text: (*name).to_string(),
                            label: (*label).to_string(),
                            score: 0.9,
                            span: map.span(start, from).expect("mention span"),
                        });
                    }
                }
                Entity {
                    id: format!("E{}", i + 1),
                    name: (*name).to_string(),
                    label: (*label).to_string(),
                    mentions,
                }
            })
            .collect();
        doc
    })
}

/// Checks an accepted schema, and runs its cues on the article.
fn check_schema(schema: Schema) {
    let mut names = std::collections::HashSet::new();
    for (i, label) in schema.labels().iter().enumerate() {
        let name = label.name();
        assert!(!name.trim().is_empty(), "label with an empty name");
        assert!(names.insert(name.to_string()), "label {name:?} twice");
        assert_eq!(
            schema.label_index(name),
            Some(i),
            "label {name:?} not found"
        );
        assert!(
            !label.spec.head.is_empty(),
            "label {name:?} has no head type"
        );
        assert!(
            label.spec.tail.is_empty() != label.spec.tail_value.is_none(),
            "label {name:?} needs exactly one of tail and tail_value"
        );
        assert!(
            (0.0..=1.0).contains(&label.spec.threshold),
            "label {name:?}: threshold {}",
            label.spec.threshold
        );
        for cue in &label.cues {
            assert!((0.0..=1.0).contains(&cue.score), "cue score {}", cue.score);
        }
        assert_eq!(schema.is_symmetric(name), label.spec.symmetric);
        let _ = label.head_accepts("PERSON");
        let _ = label.tail_accepts("GPE");
        let _ = label.tail_text_ok("the Belarusian capital, 11 years");
    }
    for relation in ["founded by", "FOUNDED BY", "member of", ""] {
        if let Some((label, _)) = schema.rebel_mapping(relation) {
            assert!(
                schema.label(label).is_some(),
                "rebel maps to unknown {label}"
            );
        }
    }
    let _ = schema.demonym_targets("Belarusian");

    let labels: Vec<String> = schema
        .labels()
        .iter()
        .map(|l| l.name().to_string())
        .collect();
    let extractor = NewsRelationExtractor::builder()
        .schema(schema)
        .build()
        .expect("a cue-only extractor over an accepted schema");
    let doc = article();
    let relations = extractor.extract(doc).expect("cue extraction");
    for r in relations {
        assert!(labels.contains(&r.label), "unknown label {:?}", r.label);
        let is_entity = |id: &str| doc.entities.iter().any(|e| e.id == id);
        assert!(is_entity(&r.head), "head {:?} is no entity", r.head);
        assert!(
            is_entity(&r.tail) || (r.tail == VALUE_TAIL_ID && !r.tail_name.is_empty()),
            "tail {:?} ({:?}) is neither an entity nor a value",
            r.tail,
            r.tail_name
        );
        assert!(
            r.score.is_finite() && (0.0..=1.0).contains(&r.score),
            "score {}",
            r.score
        );
        assert_eq!(
            r.evidence.span.slice(ARTICLE),
            Some(r.evidence.text.as_str()),
            "evidence does not slice the article"
        );
    }
}

/// Checks an accepted model set.
fn check_model_set(set: &ModelSet) {
    assert!(!set.name.trim().is_empty(), "model set without a name");
    for task in Task::ALL {
        let Some(entry) = set.task(task) else {
            continue;
        };
        let _ = entry.option_str("encoder");
        let spec = entry
            .spec()
            .unwrap_or_else(|e| panic!("[{}] spec accepted, then refused: {e}", task.key()));
        if let Some(spec) = spec {
            let again = spec.to_spec_string();
            assert_eq!(
                ModelSpec::parse(&again).ok().as_ref(),
                Some(&spec),
                "spec {:?} does not parse back from {again:?}",
                entry.model
            );
        }
    }
    let _ = set.clone().with_defaults(&ModelSet::default_set());
}

/// Checks both parsers on `text`.
pub fn check(text: &str) {
    match Schema::from_toml_str(text) {
        Ok(schema) => check_schema(schema),
        Err(e) => {
            let _ = e.to_string();
        }
    }
    match ModelSet::from_toml_str(text, Path::new("fuzz.toml")) {
        Ok(set) => check_model_set(&set),
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

/// The fuzz entry point: the bytes as (lossy) UTF-8.
pub fn check_bytes(data: &[u8]) {
    check(&String::from_utf8_lossy(data));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_files_and_fixed_inputs() {
        check(lede_relations::NEWS_SCHEMA_TOML);
        check(lede_models::OFFLINE_MANIFEST);
        check(lede_models::STANDARD_MANIFEST);
        assert!(Schema::from_toml_str(lede_relations::NEWS_SCHEMA_TOML).is_ok());
        for text in [
            "",
            "name = ",
            "label = 3",
            "[[label]]\nname = \"x\"\nhead = [\"PERSON\"]\ntail = [\"GPE\"]\n\
             cues = [{ pattern = \"{head} ( visited | saw ) {tail}\", score = 0.9 }]",
            "[[label]]\nname = \"x\"\nhead = [\"PERSON\"]\ntail = [\"GPE\"]\n\
             cues = [{ pattern = \"{head} ( ( ( _{0,99} \", score = 0.9 }]",
            "[[label]]\nname = \"x\"\nhead = [\"PERSON\"]\ntail_value = \"age\"\n\
             cues = [{ pattern = \"{head} , {tail:bare} ,\", score = 1.0 }]",
            "name = \"x\"\n[ner]\nmodel = \"hf:org/name\"\n",
            "name = \"x\"\n[ner]\nmodel = \"~/models/x\"\n[encoder]\nmodel = \"a//b\"\n",
            "name = \"x\"\n[summary]\nmodel = \"all-MiniLM-L6-v2\"\nnum_beams = 4\n",
        ] {
            check(text);
        }
        check_bytes(b"name = \"\xff\"\n");
    }
}
