//! Target `config_json`: the offline NER model's `config.json` ([`ModelConfig::read`]) and
//! the relation pair classifier's metadata ([`HeadMeta::read`], [`PairClassifier::load`]
//! beside a small valid weights file), on arbitrary bytes.
//!
//! Invariants: no panic, an error for bad input; an accepted NER config satisfies what `read`
//! checks (format, entity types, layer numbers, window sizes, tokenization), computed here
//! without overflow; an accepted classifier has `none` first, an `input_dim` that is its
//! encoder width's feature width plus its extra features' (without overflow), known extra
//! features, this build's tokenization, and gives a probability row that sums to 1.

use std::path::Path;

use lede_ner::offline::{ModelConfig, CONFIG_FILE, FORMAT};
use lede_relations::model::{
    ExtraFeature, HeadMeta, PairClassifier, PairModel, HEAD_META, HEAD_WEIGHTS, NONE_LABEL,
};
use ndarray::Array2;

/// The safetensors file [`classifier_weights`] writes: an `l1` of 2 x 6 and an `l2` of 2 x 2,
/// the shapes of a classifier with `encoder_dim` 1, `hidden_units` 2 and 2 labels.
const CLASSIFIER_HEADER: &str = r#"{"l1.weight":{"dtype":"F32","shape":[2,6],"data_offsets":[0,48]},"l1.bias":{"dtype":"F32","shape":[2],"data_offsets":[48,56]},"l2.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[56,72]},"l2.bias":{"dtype":"F32","shape":[2],"data_offsets":[72,80]}}"#;

/// SHA-256 of [`classifier_weights`] (the seeds' `weights_sha256`; a test checks it).
pub const CLASSIFIER_SHA256: &str =
    "62cf48008355d66f198dd3946735be9e5e020f3fe56c26a807a6cd41b1c3f9bc";

/// The bytes of a small valid classifier weights file.
pub fn classifier_weights() -> Vec<u8> {
    let mut out = (CLASSIFIER_HEADER.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(CLASSIFIER_HEADER.as_bytes());
    for i in 0..20u8 {
        out.extend_from_slice(&(f32::from(i) * 0.125 - 1.0).to_le_bytes());
    }
    out
}

/// The metadata of [`classifier_weights`], with the fields of `patch` replaced.
pub fn meta_json(patch: serde_json::Value) -> String {
    let mut m = serde_json::json!({
        "version": 1,
        "encoder": "fuzz",
        "encoder_dim": 1,
        "input_dim": 6,
        "hidden_units": 2,
        "labels": ["none", "x"],
        "temperature": 1.0,
        "thresholds": {"x": 0.5},
        "tokenization": lede_tokenize::TOKENIZATION,
        "weights_sha256": CLASSIFIER_SHA256,
    });
    for (k, v) in patch.as_object().into_iter().flatten() {
        m[k] = v.clone();
    }
    m.to_string()
}

/// Checks [`ModelConfig::read`] on `dir`, whose `config.json` holds the fuzz input.
fn check_ner_config(dir: &Path) {
    let cfg = match ModelConfig::read(dir) {
        Ok(cfg) => cfg,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    assert_eq!(cfg.format, FORMAT);
    assert!(!cfg.entity_types.is_empty(), "no entity types");
    assert!(cfg.encoder_layers > 0, "no layers");
    for &l in &cfg.trained_layers {
        assert!(
            usize::try_from(l).is_ok_and(|l| l < cfg.encoder_layers),
            "trained layer {l} outside {} layers",
            cfg.encoder_layers
        );
    }
    assert!(
        (8..=512).contains(&cfg.max_len),
        "max_len {} accepted",
        cfg.max_len
    );
    assert!(
        cfg.stride.checked_add(2).is_some_and(|s| s < cfg.max_len),
        "stride {} leaves no room in windows of {}",
        cfg.stride,
        cfg.max_len
    );
    assert_eq!(cfg.tokenization, lede_tokenize::TOKENIZATION);
}

/// The feature width [`PairClassifier::load`] must have checked, or `None` on overflow.
fn expected_input_dim(meta: &HeadMeta) -> Option<usize> {
    let mut width = meta.encoder_dim.checked_mul(4)?.checked_add(2)?;
    for name in &meta.extra_features {
        let w = match ExtraFeature::parse(name)? {
            ExtraFeature::Context(_) => meta.encoder_dim.checked_mul(2)?,
            _ => 1,
        };
        width = width.checked_add(w)?;
    }
    Some(width)
}

/// Checks the classifier metadata in `dir` (its weights file is [`classifier_weights`]).
fn check_classifier(dir: &Path) {
    if let Ok(meta) = HeadMeta::read(dir) {
        let _ = meta.encoding();
        for name in &meta.extra_features {
            let _ = ExtraFeature::parse(name);
        }
    }
    let classifier = match PairClassifier::load(dir) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let meta = classifier.meta.clone();
    assert_eq!(meta.labels.first().map(String::as_str), Some(NONE_LABEL));
    assert_eq!(
        meta.tokenization.as_deref(),
        Some(lede_tokenize::TOKENIZATION)
    );
    assert_eq!(
        expected_input_dim(&meta),
        Some(meta.input_dim),
        "input_dim {} accepted for encoder_dim {} and extra features {:?}",
        meta.input_dim,
        meta.encoder_dim,
        meta.extra_features
    );
    let p = classifier.probabilities(&Array2::zeros((1, meta.input_dim)));
    assert_eq!(p.dim(), (1, meta.labels.len()));
    let sum: f32 = p.iter().sum();
    assert!(
        p.iter().all(|x| x.is_finite() && (0.0..=1.0).contains(x)) && (sum - 1.0).abs() < 1e-3,
        "probabilities {p:?} (temperature {})",
        meta.temperature
    );
    if meta.token_vectors.is_some() {
        PairModel::from_vectors(classifier).expect("a classifier on token vectors");
    }
}

/// Checks both readers on `bytes`.
pub fn check_bytes(data: &[u8]) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(CONFIG_FILE), data).expect("write config");
    check_ner_config(dir.path());
    let _ = lede_ner::is_offline_model(dir.path());
    std::fs::write(dir.path().join(HEAD_META), data).expect("write metadata");
    std::fs::write(dir.path().join(HEAD_WEIGHTS), classifier_weights()).expect("write weights");
    check_classifier(dir.path());
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_weights_digest_is_right() {
        use sha2::{Digest, Sha256};
        let digest: String = Sha256::digest(classifier_weights())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(digest, CLASSIFIER_SHA256);
    }

    #[test]
    fn a_valid_classifier_loads() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(HEAD_META), meta_json(json!({}))).unwrap();
        std::fs::write(dir.path().join(HEAD_WEIGHTS), classifier_weights()).unwrap();
        let c = PairClassifier::load(dir.path()).expect("the seed classifier loads");
        assert_eq!(c.meta.labels.len(), 2);
    }

    #[test]
    fn fixed_inputs() {
        let shipped = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../models/lede-ner-minilm/config.json"
        );
        if let Ok(text) = std::fs::read(shipped) {
            check_bytes(&text);
        }
        for text in [
            String::new(),
            "{}".into(),
            "[1,2]".into(),
            format!("{{\"format\":\"{FORMAT}\"}}"),
            meta_json(json!({})),
            meta_json(json!({"token_vectors": "enc/1"})),
            meta_json(json!({"extra_features": ["head:PERSON"], "input_dim": 7})),
            meta_json(json!({"extra_features": ["context:2"], "input_dim": 8})),
            meta_json(json!({"temperature": -1e38})),
            meta_json(json!({"labels": ["x", "none"]})),
            meta_json(json!({"hidden_units": 0})),
            meta_json(json!({"tokenization": null})),
            meta_json(json!({"weights_sha256": "00"})),
        ] {
            check_bytes(text.as_bytes());
        }
    }
}
