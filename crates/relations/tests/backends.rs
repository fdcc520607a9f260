//! The model backends through their real loading code, on tiny random models
//! (lede-models' `testing` feature): the MiniLM pair classifier, NLI zero-shot and the REBEL
//! generator. Outputs of random weights are meaningless; these tests check loading, shapes,
//! errors and that what comes out is well-formed.

use std::collections::BTreeMap;
use std::path::Path;

use lede_core::{
    AnnotatedDocument, Document, Embeddings, Entity, Mention, OffsetMap, RelationExtractor,
    Sentence, TokenVectors,
};
use lede_models::fast::Precision;
use lede_models::testing::{Head, TinyModel};
use lede_relations::model::{
    feature_dim, Encoding, HeadMeta, PairClassifier, HEAD_META, HEAD_WEIGHTS, NONE_LABEL,
};
use lede_relations::nli::NliExtractor;
use lede_relations::rebel::{parse_rebel, BartTripletGenerator, TripletGenerator};
use lede_relations::{NewsRelationExtractor, RelationError, Schema};
use lede_test_support::error_chain;

fn doc() -> AnnotatedDocument {
    let text = "John met the president in Minsk. Maria said the government freed John.";
    let map = OffsetMap::new(text);
    let ent = |id: &str, label: &str, name: &str| {
        let mentions = text
            .match_indices(name)
            .map(|(a, _)| Mention {
                text: name.into(),
                label: label.into(),
                score: 1.0,
                span: map.span(a, a + name.len()).unwrap(),
            })
            .collect();
        Entity {
            id: id.into(),
            name: name.into(),
            label: label.into(),
            mentions,
        }
    };
    let mut d = AnnotatedDocument::new(Document::new("tiny", text));
    d.sentences = [(0, 32), (33, text.len())]
        .into_iter()
        .map(|(a, b)| Sentence {
            span: map.span(a, b).unwrap(),
            text: text[a..b].into(),
        })
        .collect();
    d.entities = vec![
        ent("E1", "PERSON", "John"),
        ent("E2", "GPE", "Minsk"),
        ent("E3", "PERSON", "Maria"),
    ];
    d
}

fn write_head(dir: &Path, encoder_dim: usize, labels: &[&str], thresholds: &[(&str, f32)]) {
    let input = feature_dim(encoder_dim);
    let hidden = 8usize;
    let mut names = vec![NONE_LABEL.to_string()];
    names.extend(labels.iter().map(|s| s.to_string()));
    tch::manual_seed(3);
    let t = |shape: &[i64]| tch::Tensor::randn(shape, (tch::Kind::Float, tch::Device::Cpu));
    let tensors = vec![
        ("l1.weight".to_string(), t(&[hidden as i64, input as i64])),
        ("l1.bias".to_string(), t(&[hidden as i64])),
        (
            "l2.weight".to_string(),
            t(&[names.len() as i64, hidden as i64]),
        ),
        ("l2.bias".to_string(), t(&[names.len() as i64])),
    ];
    tch::Tensor::write_safetensors(&tensors, dir.join(HEAD_WEIGHTS)).unwrap();
    let meta = HeadMeta {
        version: 1,
        encoder: "tiny".into(),
        encoder_dim,
        input_dim: input,
        hidden_units: hidden,
        labels: names,
        temperature: 1.0,
        thresholds: thresholds
            .iter()
            .map(|(l, t)| (l.to_string(), *t))
            .collect::<BTreeMap<_, _>>(),
        encoder_layers: None,
        context_words: None,
        tokenization: Some(lede_tokenize::TOKENIZATION.into()),
        encoder_precision: None,
        token_vectors: None,
        extra_features: Vec::new(),
        decides: false,
        weights_sha256: lede_models::weights::sha256_file(&dir.join(HEAD_WEIGHTS)).unwrap(),
        training: serde_json::Value::Null,
    };
    std::fs::write(dir.join(HEAD_META), serde_json::to_string(&meta).unwrap()).unwrap();
}

#[test]
fn pair_classifier_loads_over_a_tiny_encoder() {
    let enc = tempfile::tempdir().unwrap();
    TinyModel::bert(Head::Base).write(enc.path()).unwrap();
    let head = tempfile::tempdir().unwrap();
    write_head(
        head.path(),
        32,
        &["met_with", "located_in", "released"],
        &[("met_with", 0.0), ("released", 0.0)],
    );
    let c = PairClassifier::load(head.path()).unwrap();
    let probs = c.probabilities(&ndarray::Array2::zeros((2, feature_dim(32))));
    assert_eq!(probs.dim(), (2, 4));
    for row in probs.rows() {
        assert!((row.sum() - 1.0).abs() < 1e-5);
    }

    let ex = NewsRelationExtractor::builder()
        .model_dir(head.path())
        .encoder_dir(enc.path())
        .build()
        .unwrap();
    assert!(ex.has_model());
    assert_eq!(ex.name(), "lede-relations/cues+minilm-pair");
    let d = doc();
    let rels = ex.extract(&d).unwrap();
    // Threshold 0 for met_with / released: every candidate pair of those types comes out;
    // located_in has no threshold, so the classifier alone never reports it.
    assert!(rels.iter().any(|r| r.label == "met_with"), "{rels:?}");
    assert!(rels.iter().all(|r| r.label != "located_in"), "{rels:?}");
    for r in &rels {
        assert!((0.0..=1.0).contains(&r.score));
        assert_eq!(
            r.evidence.span.slice(d.text()),
            Some(r.evidence.text.as_str())
        );
    }
    // met_with is symmetric: one relation per unordered pair, although the classifier scored
    // both directions.
    let met: Vec<_> = rels.iter().filter(|r| r.label == "met_with").collect();
    let mut pairs: Vec<(String, String)> = met
        .iter()
        .map(|r| {
            let (a, b) = (r.head.clone(), r.tail.clone());
            if a < b {
                (a, b)
            } else {
                (b, a)
            }
        })
        .collect();
    pairs.sort();
    pairs.dedup();
    assert_eq!(pairs.len(), met.len(), "{met:?}");
    assert!(
        ex.candidates(&d).len() > met.len(),
        "both directions were candidates"
    );
}

/// A tiny encoder and a random classifier that reports every met_with candidate.
fn tiny_met_with_classifier() -> (tempfile::TempDir, tempfile::TempDir) {
    let enc = tempfile::tempdir().unwrap();
    TinyModel::bert(Head::Base).write(enc.path()).unwrap();
    let head = tempfile::tempdir().unwrap();
    write_head(head.path(), 32, &["met_with"], &[("met_with", 0.0)]);
    (enc, head)
}

#[test]
fn pair_classifier_refuses_other_tokenizations() {
    let (enc, head) = tiny_met_with_classifier();
    let build = || {
        NewsRelationExtractor::builder()
            .model_dir(head.path())
            .encoder_dir(enc.path())
            .build()
    };
    // A document segmented by other rules (a custom segmenter records no id) is refused by
    // the classifier; with the default rules it is scored.
    let ex = build().unwrap();
    let mut d = doc();
    let custom = lede_tokenize::Segmenter::new(Default::default(), Default::default());
    d.tokens = lede_core::WordTokenizer::tokenize(&custom, d.text());
    d.tokenization = custom.id().map(str::to_string);
    let err = ex.extract_relations(&d).unwrap_err();
    assert!(
        matches!(err, RelationError::Tokenization { model: false, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(lede_tokenize::TOKENIZATION),
        "{err}"
    );
    assert!(ex.extract_relations(&doc()).is_ok());
    // A classifier file without the id (trained before it existed) or with another id.
    let meta_path = head.path().join(HEAD_META);
    let mut meta = PairClassifier::load(head.path()).unwrap().meta;
    for found in [None, Some("lede-tokenize/0".to_string())] {
        meta.tokenization = found.clone();
        std::fs::write(&meta_path, serde_json::to_string(&meta).unwrap()).unwrap();
        let err = build().unwrap_err();
        let chain = error_chain(&err);
        assert!(chain.contains("retrain"), "{chain}");
        assert!(chain.contains(HEAD_META), "{chain}");
        if let Some(f) = found {
            assert!(chain.contains(&f), "{chain}");
        }
    }
}

#[test]
fn pair_classifier_uses_its_recorded_encoder_settings() {
    let (enc, head) = tiny_met_with_classifier();
    // Files written before the settings existed: all layers, whole sentences.
    let meta_path = head.path().join(HEAD_META);
    let old: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
    assert!(old.get("encoder_layers").is_none());
    let c = PairClassifier::load(head.path()).unwrap();
    assert_eq!(c.meta.encoding(), Encoding::default());
    let extract = || {
        NewsRelationExtractor::builder()
            .model_dir(head.path())
            .encoder_dir(enc.path())
            .build()
            .unwrap()
            .extract(&doc())
            .unwrap()
    };
    let full = extract();
    // An early exit after one of the tiny model's two layers, a one-word window, int8.
    let mut meta = c.meta.clone();
    meta.encoder_layers = Some(1);
    meta.context_words = Some(1);
    meta.encoder_precision = Some(Precision::Int8);
    std::fs::write(&meta_path, serde_json::to_string(&meta).unwrap()).unwrap();
    let c = PairClassifier::load(head.path()).unwrap();
    assert_eq!(
        c.meta.encoding(),
        Encoding {
            layers: Some(1),
            context_words: Some(1),
            precision: Precision::Int8,
        }
    );
    let cut = extract();
    assert!(!cut.is_empty());
    // Threshold 0: the same relations come out (the direction a symmetric met_with is reported
    // in follows the scores); the scores (other features) differ.
    let key = |r: &lede_core::Relation| {
        let (a, b) = (r.head.clone(), r.tail.clone());
        if a <= b {
            (r.label.clone(), a, b)
        } else {
            (r.label.clone(), b, a)
        }
    };
    let mut a: Vec<_> = full.iter().map(key).collect();
    let mut b: Vec<_> = cut.iter().map(key).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    assert!(full.iter().zip(&cut).any(|(x, y)| x.score != y.score));
    // More layers than the encoder has is an error, not a panic.
    meta.encoder_layers = Some(7);
    std::fs::write(&meta_path, serde_json::to_string(&meta).unwrap()).unwrap();
    assert!(NewsRelationExtractor::builder()
        .model_dir(head.path())
        .encoder_dir(enc.path())
        .build()
        .is_err());
}

#[test]
fn pair_classifier_errors_are_clear() {
    let head = tempfile::tempdir().unwrap();
    assert!(matches!(
        PairClassifier::load(head.path()),
        Err(RelationError::MissingFile { .. })
    ));
    write_head(head.path(), 16, &["met_with"], &[]);
    assert!(PairClassifier::load(head.path()).is_ok());
    // Trained for 16-wide states, loaded over a 32-wide encoder.
    let enc = tempfile::tempdir().unwrap();
    TinyModel::bert(Head::Base).write(enc.path()).unwrap();
    let err = NewsRelationExtractor::builder()
        .model_dir(head.path())
        .encoder_dir(enc.path())
        .build()
        .unwrap_err();
    assert!(matches!(err, RelationError::InvalidData(_)), "{err}");
    // A model dir without an encoder dir.
    assert!(NewsRelationExtractor::builder()
        .model_dir(head.path())
        .build()
        .is_err());
    // Corrupt metadata.
    std::fs::write(head.path().join(HEAD_META), "{").unwrap();
    assert!(matches!(
        PairClassifier::load(head.path()),
        Err(RelationError::Json { .. })
    ));
}

/// A tiny random BART with `head`, written to a temporary directory.
fn tiny_bart(head: Head) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    TinyModel::bart(head).write(dir.path()).unwrap();
    dir
}

/// Whether `load` reports a missing file for an empty directory.
fn missing_file_in_empty_dir<T>(load: impl FnOnce(&Path) -> Result<T, RelationError>) -> bool {
    let empty = tempfile::tempdir().unwrap();
    matches!(load(empty.path()), Err(RelationError::MissingFile { .. }))
}

#[test]
fn nli_backend_runs_a_tiny_bart() {
    let dir = tiny_bart(Head::SequenceClassification);
    let ex = NliExtractor::from_dir(dir.path(), Schema::news().unwrap())
        .unwrap()
        .threshold(0.0);
    let d = doc();
    let rels = ex.extract(&d).unwrap();
    assert!(!rels.is_empty());
    let schema = Schema::news().unwrap();
    for r in &rels {
        let label = schema.label(&r.label).unwrap();
        let head = d.entities.iter().find(|e| e.id == r.head).unwrap();
        let tail = d.entities.iter().find(|e| e.id == r.tail).unwrap();
        assert!(label.head_accepts(&head.label) && label.tail_accepts(&tail.label));
        assert_eq!(
            r.evidence.span.slice(d.text()),
            Some(r.evidence.text.as_str())
        );
    }
    let strict = NliExtractor::from_dir(dir.path(), Schema::news().unwrap())
        .unwrap()
        .threshold(1.01);
    assert!(strict.extract(&d).unwrap().is_empty());
    assert!(missing_file_in_empty_dir(|dir| NliExtractor::from_dir(
        dir,
        Schema::news().unwrap()
    )));
}

#[test]
fn rebel_backend_runs_a_tiny_bart() {
    let dir = tiny_bart(Head::ConditionalGeneration);
    let g = BartTripletGenerator::from_dir(dir.path(), 8).unwrap();
    let out = g.generate(&["John met the president in Minsk."]).unwrap();
    assert_eq!(out.len(), 1);
    assert!((0.0..=1.0).contains(&out[0].1));
    // Random weights write no markers worth reading; parsing must simply not fail.
    let _ = parse_rebel(&out[0].0);
    let ex = lede_relations::rebel::RebelExtractor::new(g, Schema::news().unwrap());
    let rels = ex.extract(&doc()).unwrap();
    assert!(rels.iter().all(|r| r.head != r.tail));
    assert!(missing_file_in_empty_dir(|dir| {
        BartTripletGenerator::from_dir(dir, 8)
    }));
}

/// Cuts a file to half its length (a truncated download).
fn truncate(path: &Path) {
    let bytes = std::fs::read(path).unwrap();
    std::fs::write(path, &bytes[..bytes.len() / 2]).unwrap();
}

#[test]
fn model_file_errors_name_the_file() {
    // Pair classifier: a corrupt weights file, then one with a tensor of the wrong shape.
    let head = tempfile::tempdir().unwrap();
    write_head(head.path(), 16, &["met_with"], &[]);
    let weights = head.path().join(HEAD_WEIGHTS);
    truncate(&weights);
    // The recorded digest catches it first.
    let err = PairClassifier::load(head.path()).unwrap_err();
    assert!(matches!(err, RelationError::InvalidData(_)), "{err:?}");
    let msg = error_chain(&err);
    assert!(msg.contains(&weights.display().to_string()), "{msg}");
    assert!(msg.contains("changed or damaged"), "{msg}");
    // With the digest of the damaged file recorded, the loader's own checks still refuse it:
    // the shapes the metadata claims no longer fit in the file.
    record_digest(head.path());
    let err = PairClassifier::load(head.path()).unwrap_err();
    assert!(matches!(err, RelationError::InvalidData(_)), "{err:?}");
    assert!(error_chain(&err).contains("do not fit"), "{err:?}");
    let msg = error_chain(&err);
    assert!(msg.contains(&weights.display().to_string()), "{msg}");
    write_head(head.path(), 8, &["met_with"], &[]);
    let meta = std::fs::read_to_string(head.path().join(HEAD_META)).unwrap();
    write_head(head.path(), 16, &["met_with"], &[]);
    // Metadata for an 8-wide encoder over weights for a 16-wide one.
    std::fs::write(head.path().join(HEAD_META), meta).unwrap();
    record_digest(head.path());
    let msg = error_chain(&PairClassifier::load(head.path()).unwrap_err());
    assert!(msg.contains(&weights.display().to_string()), "{msg}");
    assert!(msg.contains("l1.weight"), "{msg}");

    // NLI and REBEL: truncated weights are refused before rust-bert reads them.
    let nli = tiny_bart(Head::SequenceClassification);
    let nli_weights = nli.path().join("model.safetensors");
    truncate(&nli_weights);
    let err = NliExtractor::from_dir(nli.path(), Schema::news().unwrap())
        .err()
        .expect("truncated weights");
    let msg = error_chain(&err);
    assert!(msg.contains(&nli_weights.display().to_string()), "{msg}");

    let rebel = tiny_bart(Head::ConditionalGeneration);
    let tj = rebel.path().join("tokenizer.json");
    std::fs::write(&tj, "{ not a tokenizer").unwrap();
    let msg = error_chain(
        &BartTripletGenerator::from_dir(rebel.path(), 8)
            .err()
            .expect("corrupt file"),
    );
    assert!(msg.contains(&tj.display().to_string()), "{msg}");
    let rebel_weights = rebel.path().join("model.safetensors");
    truncate(&rebel_weights);
    let msg = error_chain(
        &BartTripletGenerator::from_dir(rebel.path(), 8)
            .err()
            .expect("corrupt file"),
    );
    assert!(msg.contains(&rebel_weights.display().to_string()), "{msg}");
}

/// Records the weights file's current SHA-256 in a head's metadata, as a trainer would.
fn record_digest(dir: &Path) {
    let meta_path = dir.join(HEAD_META);
    let mut meta: HeadMeta =
        serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
    meta.weights_sha256 = lede_models::weights::sha256_file(&dir.join(HEAD_WEIGHTS)).unwrap();
    std::fs::write(&meta_path, serde_json::to_string(&meta).unwrap()).unwrap();
}

#[test]
fn a_classifier_without_a_digest_or_with_nan_weights_is_refused() {
    let head = tempfile::tempdir().unwrap();
    write_head(head.path(), 16, &["met_with"], &[]);
    assert!(PairClassifier::load(head.path()).is_ok());
    let meta_path = head.path().join(HEAD_META);
    let mut meta: HeadMeta =
        serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
    meta.weights_sha256 = String::new();
    std::fs::write(&meta_path, serde_json::to_string(&meta).unwrap()).unwrap();
    let msg = error_chain(&PairClassifier::load(head.path()).unwrap_err());
    assert!(msg.contains("weights_sha256"), "{msg}");
    assert!(msg.contains(HEAD_META), "{msg}");

    // NaN in a bias, with its digest recorded: refused by the value check.
    let weights = head.path().join(HEAD_WEIGHTS);
    let mut tensors = tch::Tensor::read_safetensors(&weights).unwrap();
    for (name, t) in &mut tensors {
        if name == "l2.bias" {
            *t = t.fill(f64::NAN);
        }
    }
    tch::Tensor::write_safetensors(&tensors, &weights).unwrap();
    record_digest(head.path());
    let msg = error_chain(&PairClassifier::load(head.path()).unwrap_err());
    assert!(msg.contains("NaN"), "{msg}");
    assert!(msg.contains(&weights.display().to_string()), "{msg}");
}

/// Sets `token_vectors` in a head's metadata: a classifier over a recognizer's token vectors.
fn read_vectors_from(dir: &Path, source: &str) {
    let meta_path = dir.join(HEAD_META);
    let mut meta: HeadMeta =
        serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
    meta.token_vectors = Some(source.into());
    std::fs::write(&meta_path, serde_json::to_string(&meta).unwrap()).unwrap();
}

#[test]
fn a_classifier_over_token_vectors_needs_no_encoder_and_falls_back_without_them() {
    let labels = ["met_with", "released"];
    let main = tempfile::tempdir().unwrap();
    write_head(main.path(), 32, &labels, &[("met_with", 0.0)]);
    read_vectors_from(main.path(), "tiny-ner/layer1");

    // No encoder needed; the pipeline is told which vectors to compute.
    let ex = NewsRelationExtractor::builder()
        .model_dir(main.path())
        .build()
        .unwrap();
    assert_eq!(ex.name(), "lede-relations/cues+ner-vectors-pair");
    assert_eq!(ex.reads_token_vectors().as_deref(), Some("tiny-ner/layer1"));

    // A document without vectors is refused, and the error names the source.
    let plain = doc();
    let err = ex.extract_relations(&plain).unwrap_err();
    assert!(
        matches!(&err, RelationError::TokenVectors { expected, found: None, .. } if expected == "tiny-ner/layer1"),
        "{err:?}"
    );
    assert!(err.to_string().contains("tiny-ner/layer1"), "{err}");

    // With vectors from that source, the classifier scores from them.
    let mut with = lede_tokenize::Segmenter::default()
        .segmented(&plain)
        .into_owned();
    let n = with.tokens.len();
    with.token_vectors = Some(TokenVectors {
        source: "tiny-ner/layer1".into(),
        vectors: Embeddings {
            dim: 32,
            values: (0..n * 32).map(|i| (i % 7) as f32 / 7.0).collect(),
        },
    });
    let rels = ex.extract_relations(&with).unwrap();
    assert!(rels.iter().any(|r| r.label == "met_with"), "{rels:?}");

    // Vectors of the wrong width are an error, not a panic.
    let mut narrow = with.clone();
    narrow.token_vectors = Some(TokenVectors {
        source: "tiny-ner/layer1".into(),
        vectors: Embeddings {
            dim: 8,
            values: vec![0.5; n * 8],
        },
    });
    assert!(ex.extract_relations(&narrow).is_err());

    // With a fallback, documents without matching vectors are scored by it (over its own
    // encoder), others still by the main classifier.
    let enc = tempfile::tempdir().unwrap();
    TinyModel::bert(Head::Base).write(enc.path()).unwrap();
    let fallback = tempfile::tempdir().unwrap();
    write_head(fallback.path(), 32, &labels, &[("met_with", 0.0)]);
    let ex = NewsRelationExtractor::builder()
        .model_dir(main.path())
        .encoder_dir(enc.path())
        .fallback_model_dir(fallback.path())
        .build()
        .unwrap();
    let mut other = with.clone();
    if let Some(v) = other.token_vectors.as_mut() {
        v.source = "another-ner/layer1".into();
    }
    for d in [&plain, &other, &with] {
        let rels = ex.extract_relations(d).unwrap();
        assert!(rels.iter().any(|r| r.label == "met_with"), "{rels:?}");
    }
}

#[test]
fn the_classifier_directory_is_the_one_reading_the_recognizers_vectors() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path();
    write_head(dir, 32, &["met_with"], &[("met_with", 0.5)]);
    read_vectors_from(dir, "ner/int8/layer1");
    for (sub, source) in [("fp32", Some("ner/fp32/layer1")), ("minilm", None)] {
        let d = dir.join(sub);
        std::fs::create_dir(&d).unwrap();
        write_head(&d, 32, &["met_with"], &[("met_with", 0.5)]);
        if let Some(s) = source {
            read_vectors_from(&d, s);
        }
    }
    let pick = |source: Option<&str>| lede_relations::classifier_dir_for(dir, source);
    assert_eq!(pick(Some("ner/int8/layer1")), dir);
    assert_eq!(pick(Some("ner/fp32/layer1")), dir.join("fp32"));
    // No classifier reads these: the main one (and its fallback) serve.
    assert_eq!(pick(Some("other/layer1")), dir);
    assert_eq!(pick(None), dir);
}
