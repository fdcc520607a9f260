//! NLI zero-shot backend: each candidate pair's sentence is the premise and the schema's
//! verbalizations, filled with the pair's names ("Alexandr Lukashenko pardoned Ales
//! Bialiatski."), are the hypotheses; a bart-large-mnli style model
//! (rust-bert's `ZeroShotClassificationModel`) scores entailment. The best label above the
//! threshold wins for each pair.
//!
//! Files (a local directory): `config.json` with `model_type` (`bart`, `roberta`, `bert`,
//! `deberta`, ...), `model.safetensors` (or `rust_model.ot`), and the tokenizer files rust-bert
//! reads for that type (`vocab.json` + `merges.txt`, or `vocab.txt`).

use std::collections::HashMap;
use std::path::Path;

use lede_core::{AnnotatedDocument, Evidence, Relation};
use rust_bert::pipelines::common::{ModelResource, ModelType};
use rust_bert::pipelines::zero_shot_classification::{
    ZeroShotClassificationConfig, ZeroShotClassificationModel,
};
use rust_bert::resources::LocalResource;

use crate::candidates::{from_context, CandidateOptions};
use crate::context::DocContext;
use crate::error::check_weights;
use crate::schema::Schema;
use crate::{RelationError, Result};

/// Fills a verbalization with names.
///
/// ```
/// assert_eq!(
///     lede_relations::nli::hypothesis("{head} pardoned {tail}.", "Lukashenko", "Babariko"),
///     "Lukashenko pardoned Babariko."
/// );
/// ```
pub fn hypothesis(template: &str, head: &str, tail: &str) -> String {
    template.replace("{head}", head).replace("{tail}", tail)
}

/// The NLI zero-shot relation extractor.
pub struct NliExtractor {
    model: ZeroShotClassificationModel,
    schema: Schema,
    threshold: f32,
    max_len: usize,
    name: String,
}

lede_core::assert_send!(NliExtractor);

fn model_type(config: &Path) -> Result<ModelType> {
    let text = std::fs::read_to_string(config).map_err(|source| RelationError::Io {
        path: config.to_path_buf(),
        source,
    })?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|source| RelationError::Json {
            what: config.display().to_string(),
            source,
        })?;
    let mt = v.get("model_type").and_then(|m| m.as_str()).unwrap_or("");
    lede_models::Architecture::from_model_type(mt)
        .map(|a| a.rust_bert_type())
        .ok_or_else(|| {
            RelationError::InvalidData(format!(
                "{}: unsupported model_type {mt:?}",
                config.display()
            ))
        })
}

/// `max_position_embeddings` of a config, when it has one. BART-style models (offset 2
/// learned positions) get two fewer.
fn max_positions(config: &Path) -> Option<usize> {
    let text = std::fs::read_to_string(config).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let n = v.get("max_position_embeddings")?.as_u64()? as usize;
    Some(n.saturating_sub(2))
}

impl NliExtractor {
    /// Loads an NLI model from a directory, on the CPU.
    ///
    /// # Errors
    /// [`RelationError::MissingFile`], [`RelationError::InvalidData`] for an unknown
    /// `model_type`, [`RelationError::Load`] naming the weights file when it is corrupt or
    /// rust-bert cannot load the model.
    pub fn from_dir(dir: &Path, schema: Schema) -> Result<Self> {
        let config = dir.join("config.json");
        if !config.is_file() {
            return Err(RelationError::MissingFile { path: config });
        }
        let weights_path = ["model.safetensors", "rust_model.ot"]
            .iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file())
            .ok_or_else(|| RelationError::MissingFile {
                path: dir.join("model.safetensors"),
            })?;
        let mt = model_type(&config)?;
        let positions = max_positions(&config);
        let (vocab, merges) = if dir.join("vocab.json").is_file() {
            let merges = dir.join("merges.txt");
            if !merges.is_file() {
                return Err(RelationError::MissingFile { path: merges });
            }
            (dir.join("vocab.json"), Some(merges))
        } else if dir.join("vocab.txt").is_file() {
            (dir.join("vocab.txt"), None)
        } else {
            return Err(RelationError::MissingFile {
                path: dir.join("vocab.json"),
            });
        };
        let local = |p: std::path::PathBuf| LocalResource { local_path: p };
        let mut cfg = ZeroShotClassificationConfig::new(
            mt,
            ModelResource::Torch(Box::new(local(weights_path.clone()))),
            local(config),
            local(vocab),
            merges.map(local),
            false,
            None,
            None,
        );
        cfg.device = tch::Device::Cpu;
        check_weights(&weights_path)?;
        let model = ZeroShotClassificationModel::new(cfg)
            .map_err(|e| RelationError::load(&weights_path, e))?;
        Ok(NliExtractor {
            model,
            schema,
            threshold: 0.8,
            // Premise and hypothesis are truncated to what the model can take.
            max_len: positions.map_or(256, |p| p.clamp(8, 256)),
            name: dir.display().to_string(),
        })
    }

    /// Minimum entailment probability (default 0.8).
    pub fn threshold(mut self, t: f32) -> Self {
        self.threshold = t;
        self
    }

    /// Relations of a document.
    ///
    /// # Errors
    /// Model failures ([`RelationError::RustBert`]).
    pub fn extract_relations(&self, doc: &AnnotatedDocument) -> Result<Vec<Relation>> {
        let ctx = DocContext::build(doc, &self.schema);
        let cands = from_context(&self.schema, &ctx, CandidateOptions::default());
        let mut best: HashMap<(usize, usize, usize), Relation> = HashMap::new();
        for c in &cands {
            let (Some(s), Some(he), Some(te)) = (
                doc.sentences.get(c.sentence),
                doc.entities.get(c.head),
                doc.entities.get(c.tail),
            ) else {
                continue;
            };
            let head_text = doc
                .text()
                .get(c.head_span.0..c.head_span.1)
                .unwrap_or(&he.name);
            let tail_text = doc
                .text()
                .get(c.tail_span.0..c.tail_span.1)
                .unwrap_or(&te.name);
            let mut hyps: Vec<(usize, String)> = Vec::new();
            for &li in &c.labels {
                let Some(label) = self.schema.labels().get(li) else {
                    continue;
                };
                if let Some(v) = label.spec.verbalizations.first() {
                    hyps.push((li, hypothesis(v, head_text, tail_text)));
                }
            }
            if hyps.is_empty() {
                continue;
            }
            let labels: Vec<&str> = hyps.iter().map(|(_, h)| h.as_str()).collect();
            let template: Box<dyn Fn(&str) -> String> = Box::new(|h: &str| h.to_string());
            // rust-bert panics inside libtorch on some inputs; that is an error here.
            let scored = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.model.predict_multilabel(
                    [s.text.as_str()],
                    labels.as_slice(),
                    Some(template),
                    self.max_len,
                )
            }))
            .map_err(|_| {
                RelationError::InvalidData(format!(
                    "the NLI model {} failed on sentence {}",
                    self.name, c.sentence
                ))
            })??;
            let Some(row) = scored.first() else { continue };
            let top = row
                .iter()
                .filter_map(|l| hyps.get(l.id as usize).map(|(li, _)| (*li, l.score as f32)))
                .max_by(|a, b| a.1.total_cmp(&b.1));
            let Some((li, p)) = top else { continue };
            if p < self.threshold {
                continue;
            }
            let Some(label) = self.schema.labels().get(li) else {
                continue;
            };
            let key = if label.spec.symmetric {
                (li, c.head.min(c.tail), c.head.max(c.tail))
            } else {
                (li, c.head, c.tail)
            };
            let rel = Relation {
                head: he.id.clone(),
                tail: te.id.clone(),
                head_name: he.name.clone(),
                tail_name: te.name.clone(),
                label: label.name().to_string(),
                score: p.clamp(0.0, 1.0),
                evidence: Evidence {
                    span: s.span,
                    text: s.text.clone(),
                },
            };
            match best.get(&key) {
                Some(r) if r.score >= rel.score => {}
                _ => {
                    best.insert(key, rel);
                }
            }
        }
        let mut out: Vec<Relation> = best.into_values().collect();
        out.sort_by(|a, b| {
            a.evidence
                .span
                .start
                .cmp(&b.evidence.span.start)
                .then(b.score.total_cmp(&a.score))
                .then(a.label.cmp(&b.label))
        });
        Ok(out)
    }
}

impl lede_core::RelationExtractor for NliExtractor {
    fn name(&self) -> String {
        format!("lede-relations/nli:{}", self.name)
    }

    fn extract(&self, doc: &AnnotatedDocument) -> lede_core::Result<Vec<Relation>> {
        Ok(self.extract_relations(doc)?)
    }
}
