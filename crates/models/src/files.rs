//! A resolved, validated set of model files: config, weights, tokenizer, label map.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::weights::{self, WeightsFormat};
use crate::{Error, Result};

/// A model architecture, from `config.json`'s `model_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Architecture {
    /// BERT (`bert`), including MiniLM and other BERT-shaped checkpoints.
    Bert,
    /// DistilBERT (`distilbert`).
    DistilBert,
    /// RoBERTa (`roberta`, also `camembert`).
    Roberta,
    /// XLM-RoBERTa (`xlm-roberta`).
    XlmRoberta,
    /// ELECTRA (`electra`).
    Electra,
    /// ALBERT (`albert`).
    Albert,
    /// DeBERTa (`deberta`).
    Deberta,
    /// DeBERTa v2/v3 (`deberta-v2`).
    DebertaV2,
    /// MobileBERT (`mobilebert`).
    MobileBert,
    /// BART and DistilBART (`bart`).
    Bart,
    /// mBART (`mbart`).
    MBart,
    /// T5 (`t5`).
    T5,
    /// LongT5 (`longt5`).
    LongT5,
    /// Pegasus (`pegasus`).
    Pegasus,
    /// Marian (`marian`).
    Marian,
}

impl Architecture {
    /// Every architecture lede recognises.
    pub const ALL: [Architecture; 15] = [
        Architecture::Bert,
        Architecture::DistilBert,
        Architecture::Roberta,
        Architecture::XlmRoberta,
        Architecture::Electra,
        Architecture::Albert,
        Architecture::Deberta,
        Architecture::DebertaV2,
        Architecture::MobileBert,
        Architecture::Bart,
        Architecture::MBart,
        Architecture::T5,
        Architecture::LongT5,
        Architecture::Pegasus,
        Architecture::Marian,
    ];

    /// The encoder architectures [`crate::TransformerEncoder`] can run (and so token
    /// classification and sentence embeddings).
    pub const ENCODERS: [Architecture; 5] = [
        Architecture::Bert,
        Architecture::DistilBert,
        Architecture::Roberta,
        Architecture::XlmRoberta,
        Architecture::Electra,
    ];

    /// Parses a `model_type` value (case-insensitive; `_` and `-` are interchangeable).
    pub fn from_model_type(model_type: &str) -> Option<Architecture> {
        let t = model_type.trim().to_ascii_lowercase().replace('_', "-");
        Some(match t.as_str() {
            "bert" => Architecture::Bert,
            "distilbert" => Architecture::DistilBert,
            "roberta" | "camembert" => Architecture::Roberta,
            "xlm-roberta" => Architecture::XlmRoberta,
            "electra" => Architecture::Electra,
            "albert" => Architecture::Albert,
            "deberta" => Architecture::Deberta,
            "deberta-v2" => Architecture::DebertaV2,
            "mobilebert" => Architecture::MobileBert,
            "bart" => Architecture::Bart,
            "mbart" => Architecture::MBart,
            "t5" => Architecture::T5,
            "longt5" => Architecture::LongT5,
            "pegasus" => Architecture::Pegasus,
            "marian" => Architecture::Marian,
            _ => return None,
        })
    }

    /// The canonical `model_type` string.
    pub fn model_type(&self) -> &'static str {
        match self {
            Architecture::Bert => "bert",
            Architecture::DistilBert => "distilbert",
            Architecture::Roberta => "roberta",
            Architecture::XlmRoberta => "xlm-roberta",
            Architecture::Electra => "electra",
            Architecture::Albert => "albert",
            Architecture::Deberta => "deberta",
            Architecture::DebertaV2 => "deberta-v2",
            Architecture::MobileBert => "mobilebert",
            Architecture::Bart => "bart",
            Architecture::MBart => "mbart",
            Architecture::T5 => "t5",
            Architecture::LongT5 => "longt5",
            Architecture::Pegasus => "pegasus",
            Architecture::Marian => "marian",
        }
    }

    /// rust-bert's name for the architecture, for its pipelines.
    pub fn rust_bert_type(&self) -> rust_bert::pipelines::common::ModelType {
        use rust_bert::pipelines::common::ModelType;
        match self {
            Architecture::Bert => ModelType::Bert,
            Architecture::DistilBert => ModelType::DistilBert,
            Architecture::Roberta => ModelType::Roberta,
            Architecture::XlmRoberta => ModelType::XLMRoberta,
            Architecture::Electra => ModelType::Electra,
            Architecture::Albert => ModelType::Albert,
            Architecture::Deberta => ModelType::Deberta,
            Architecture::DebertaV2 => ModelType::DebertaV2,
            Architecture::MobileBert => ModelType::MobileBert,
            Architecture::Bart => ModelType::Bart,
            Architecture::MBart => ModelType::MBart,
            Architecture::T5 => ModelType::T5,
            Architecture::LongT5 => ModelType::LongT5,
            Architecture::Pegasus => ModelType::Pegasus,
            Architecture::Marian => ModelType::Marian,
        }
    }

    /// Whether [`crate::TransformerEncoder`] can run it.
    pub fn is_encoder(&self) -> bool {
        Self::ENCODERS.contains(self)
    }

    /// Comma-separated `model_type`s of a list, for error messages.
    pub fn list(archs: &[Architecture]) -> String {
        archs
            .iter()
            .map(|a| a.model_type())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl std::fmt::Display for Architecture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.model_type())
    }
}

/// The labels of a classification head, by id (from `config.json`'s `id2label`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelMap {
    labels: Vec<String>,
}

impl LabelMap {
    /// A label map from labels in id order.
    ///
    /// # Errors
    /// A message when the list is empty, has an empty label or a duplicate.
    pub fn new(labels: Vec<String>) -> std::result::Result<LabelMap, String> {
        if labels.is_empty() {
            return Err("id2label is empty".into());
        }
        let mut seen = HashSet::new();
        for l in &labels {
            if l.trim().is_empty() {
                return Err("id2label has an empty label".into());
            }
            if !seen.insert(l.as_str()) {
                return Err(format!("id2label has the label {l:?} twice"));
            }
        }
        Ok(LabelMap { labels })
    }

    /// Reads `id2label` from a parsed config. `Ok(None)` when the config has none.
    ///
    /// # Errors
    /// [`Error::Labels`] when `id2label` exists but is not a map from the ids `0..n` to
    /// distinct, non-empty strings.
    pub fn from_config(config: &Value, path: &Path) -> Result<Option<LabelMap>> {
        let bad = |message: String| Error::Labels {
            path: path.to_path_buf(),
            message,
        };
        let Some(map) = config.get("id2label") else {
            return Ok(None);
        };
        let map = map
            .as_object()
            .ok_or_else(|| bad("id2label is not a JSON object".into()))?;
        let mut by_id = BTreeMap::new();
        for (k, v) in map {
            let id: usize = k
                .trim()
                .parse()
                .map_err(|_| bad(format!("id2label key {k:?} is not a number")))?;
            let label = v
                .as_str()
                .ok_or_else(|| bad(format!("id2label[{k}] is not a string")))?;
            if by_id.insert(id, label.to_string()).is_some() {
                return Err(bad(format!("id2label has id {id} twice")));
            }
        }
        for (expected, id) in by_id.keys().enumerate() {
            if *id != expected {
                return Err(bad(format!(
                    "id2label ids must be 0..{} without gaps; id {expected} is missing",
                    by_id.len()
                )));
            }
        }
        let labels = by_id.into_values().collect();
        LabelMap::new(labels).map(Some).map_err(bad)
    }

    /// Number of labels.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Always false: a label map has at least one label.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The label of an id.
    pub fn get(&self, id: usize) -> Option<&str> {
        self.labels.get(id).map(String::as_str)
    }

    /// The id of a label.
    pub fn id_of(&self, label: &str) -> Option<usize> {
        self.labels.iter().position(|l| l == label)
    }

    /// Labels in id order.
    pub fn as_slice(&self) -> &[String] {
        &self.labels
    }

    /// Whether all labels are Hugging Face's placeholders (`LABEL_0`, `LABEL_1`, ...), as in
    /// the config of a model that was never fine-tuned for classification.
    pub fn is_generic(&self) -> bool {
        self.labels
            .iter()
            .enumerate()
            .all(|(i, l)| *l == format!("LABEL_{i}"))
    }
}

/// The tokenizer files of a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenizerFiles {
    /// A Hugging Face `tokenizer.json` (any model).
    Json(PathBuf),
    /// A WordPiece `vocab.txt` (BERT, DistilBERT, ELECTRA).
    WordPiece {
        /// `vocab.txt`.
        vocab: PathBuf,
    },
    /// A byte-level BPE `vocab.json` + `merges.txt` (RoBERTa, BART, GPT-2).
    Bpe {
        /// `vocab.json`.
        vocab: PathBuf,
        /// `merges.txt`.
        merges: PathBuf,
    },
    /// A SentencePiece model (`sentencepiece.bpe.model`, `spiece.model`, ...).
    SentencePiece(PathBuf),
}

impl TokenizerFiles {
    /// Finds tokenizer files in `dir`, preferring `tokenizer.json`.
    pub fn find(dir: &Path) -> Option<TokenizerFiles> {
        let file = |name: &str| {
            let p = dir.join(name);
            p.is_file().then_some(p)
        };
        if let Some(p) = file("tokenizer.json") {
            return Some(TokenizerFiles::Json(p));
        }
        if let Some(vocab) = file("vocab.txt") {
            return Some(TokenizerFiles::WordPiece { vocab });
        }
        if let (Some(vocab), Some(merges)) = (file("vocab.json"), file("merges.txt")) {
            return Some(TokenizerFiles::Bpe { vocab, merges });
        }
        for name in [
            "sentencepiece.bpe.model",
            "spiece.model",
            "source.spm",
            "sentencepiece.model",
        ] {
            if let Some(p) = file(name) {
                return Some(TokenizerFiles::SentencePiece(p));
            }
        }
        None
    }

    /// The main file (for messages).
    pub fn path(&self) -> &Path {
        match self {
            TokenizerFiles::Json(p) | TokenizerFiles::SentencePiece(p) => p,
            TokenizerFiles::WordPiece { vocab } | TokenizerFiles::Bpe { vocab, .. } => vocab,
        }
    }
}

/// How token vectors become one sentence vector (sentence-transformers' `1_Pooling`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pooling {
    /// Mean over the tokens the attention mask keeps.
    #[default]
    Mean,
    /// The first token's vector.
    Cls,
    /// Element-wise maximum over the kept tokens.
    Max,
}

/// One weights file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightsFile {
    /// Its path.
    pub path: PathBuf,
    /// Its format, from its content.
    pub format: WeightsFormat,
}

/// Settings from `tokenizer_config.json` that lede uses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TokenizerConfig {
    /// `do_lower_case`.
    pub do_lower_case: Option<bool>,
    /// `strip_accents`.
    pub strip_accents: Option<bool>,
    /// `model_max_length`, when it is a sensible number.
    pub model_max_length: Option<usize>,
    /// `add_prefix_space` (byte-level BPE).
    pub add_prefix_space: Option<bool>,
}

/// A resolved, validated model: everything needed to build it, and nothing loaded yet.
///
/// Made by [`crate::ModelSpec::resolve`] or [`ModelFiles::from_dir`]. Validation checks that
/// the files exist, that `config.json` parses and names a known architecture, that `id2label`
/// (if present) is a proper map, and that each safetensors file has an intact header and is
/// as long as the header says. Tensor shapes are checked against the config when the model
/// is built ([`crate::weights::load`]).
#[derive(Debug, Clone)]
pub struct ModelFiles {
    /// A display name (the spec that named it).
    pub name: String,
    /// The model's directory.
    pub dir: PathBuf,
    /// `config.json`.
    pub config_path: PathBuf,
    /// Its parsed content.
    pub config: Value,
    /// The architecture from `model_type`.
    pub architecture: Architecture,
    /// Weights files, loaded in order (later files override earlier ones). A plain Hugging
    /// Face directory has one; a project model with a `base` has the base's first.
    pub weights: Vec<WeightsFile>,
    /// The tokenizer.
    pub tokenizer: TokenizerFiles,
    /// `tokenizer_config.json` settings, when present.
    pub tokenizer_config: TokenizerConfig,
    /// The label map, when `config.json` has `id2label`.
    pub labels: Option<LabelMap>,
    /// Sentence-transformers pooling (`1_Pooling/config.json`), when present.
    pub pooling: Option<Pooling>,
    /// Sentence-transformers `max_seq_length` (`sentence_bert_config.json`), when present.
    pub max_seq_length: Option<usize>,
    /// The project model manifest (`lede-model.toml`), when present.
    pub manifest: Option<toml::Table>,
    /// The resolved base model, when the manifest names one.
    pub base: Option<Box<ModelFiles>>,
}

/// Name of a project model's manifest file.
pub const PROJECT_MANIFEST: &str = "lede-model.toml";

impl ModelFiles {
    /// Validates the model in `dir`, named `name` in messages.
    ///
    /// The directory holds `config.json`, weights (`model.safetensors` or rust-bert's
    /// `rust_model.ot`) and a tokenizer (`tokenizer.json`, `vocab.txt`,
    /// `vocab.json` + `merges.txt`, or a SentencePiece model). A project model may instead
    /// have a `lede-model.toml` whose `base` names another model (resolved with `resolve_base`);
    /// files it lacks come from the base, and its `weights` (a file or list of files) are
    /// loaded after the base's.
    ///
    /// # Errors
    /// [`Error::MissingFile`], [`Error::Json`], [`Error::Config`],
    /// [`Error::UnknownArchitecture`], [`Error::Labels`], [`Error::Weights`],
    /// [`Error::Manifest`] naming the file and the problem.
    pub fn from_dir_with(
        dir: &Path,
        name: &str,
        resolve_base: &mut dyn FnMut(&str) -> Result<ModelFiles>,
    ) -> Result<ModelFiles> {
        if !dir.is_dir() {
            return Err(Error::MissingFile {
                dir: dir.to_path_buf(),
                what: "is not a directory".into(),
            });
        }
        let manifest_path = dir.join(PROJECT_MANIFEST);
        let manifest = if manifest_path.is_file() {
            let text = std::fs::read_to_string(&manifest_path)
                .map_err(|e| Error::io(&manifest_path, e))?;
            let table: toml::Table = text.parse().map_err(|e| Error::ManifestToml {
                path: manifest_path.clone(),
                source: e,
            })?;
            Some(table)
        } else {
            None
        };
        let base = match manifest.as_ref().and_then(|m| m.get("base")) {
            Some(toml::Value::String(b)) => Some(Box::new(resolve_base(b)?)),
            Some(_) => {
                return Err(Error::Manifest {
                    path: manifest_path,
                    message: "`base` must be a string (a model spec)".into(),
                })
            }
            None => None,
        };

        // config.json: the model's own, else the base's.
        let own_config = dir.join("config.json");
        let (config_path, config) = if own_config.is_file() {
            let config = read_json(&own_config)?;
            (own_config, config)
        } else if let Some(b) = &base {
            (b.config_path.clone(), b.config.clone())
        } else {
            return Err(Error::MissingFile {
                dir: dir.to_path_buf(),
                what: "no config.json (every model directory needs one)".into(),
            });
        };
        if !config.is_object() {
            return Err(Error::config(&config_path, "is not a JSON object"));
        }
        let model_type = config
            .get("model_type")
            .and_then(Value::as_str)
            .ok_or_else(|| match config.get("format").and_then(Value::as_str) {
                Some(format) => Error::config(
                    &config_path,
                    format!(
                        "describes a lede model of format {format:?}, not a Hugging Face \
                         model; load it with the loader of that format \
                         (lede_ner::load_recognizer picks it for NER)"
                    ),
                ),
                None => Error::config(&config_path, "has no \"model_type\" string"),
            })?;
        let architecture = Architecture::from_model_type(model_type).ok_or_else(|| {
            Error::UnknownArchitecture {
                path: config_path.clone(),
                model_type: model_type.to_string(),
                supported: Architecture::list(&Architecture::ALL),
            }
        })?;
        if let Some(b) = &base {
            if b.architecture != architecture {
                return Err(Error::ConfigMismatch {
                    path: config_path.clone(),
                    config: b.config_path.clone(),
                    message: format!(
                        "the model is a {architecture} but its base {} is a {}",
                        b.name, b.architecture
                    ),
                });
            }
        }
        let labels = LabelMap::from_config(&config, &config_path)?;

        // Weights: the manifest's list, else the standard file names; a base's come first.
        let mut weights = base.as_ref().map(|b| b.weights.clone()).unwrap_or_default();
        let listed = manifest_weights(manifest.as_ref(), &manifest_path, dir)?;
        if let Some(listed) = listed {
            for path in listed {
                if !path.is_file() {
                    return Err(Error::MissingFile {
                        dir: dir.to_path_buf(),
                        what: format!(
                            "{PROJECT_MANIFEST} lists weights {} which does not exist",
                            path.display()
                        ),
                    });
                }
                weights.push(validate_weights(path)?);
            }
        } else if let Some(path) = find_weights(dir)? {
            weights.push(validate_weights(path)?);
        } else if base.is_none() {
            return Err(Error::MissingFile {
                dir: dir.to_path_buf(),
                what: "no weights (looked for model.safetensors and rust_model.ot)".into(),
            });
        }

        let tokenizer = match TokenizerFiles::find(dir) {
            Some(t) => t,
            None => match &base {
                Some(b) => b.tokenizer.clone(),
                None => {
                    return Err(Error::MissingFile {
                        dir: dir.to_path_buf(),
                        what: "no tokenizer (looked for tokenizer.json, vocab.txt, \
                               vocab.json + merges.txt, sentencepiece.bpe.model, spiece.model)"
                            .into(),
                    })
                }
            },
        };
        let tokenizer_config = match dir.join("tokenizer_config.json") {
            p if p.is_file() => parse_tokenizer_config(&read_json(&p)?),
            _ => base
                .as_ref()
                .map(|b| b.tokenizer_config.clone())
                .unwrap_or_default(),
        };
        let pooling = match dir.join("1_Pooling").join("config.json") {
            p if p.is_file() => Some(parse_pooling(&read_json(&p)?, &p)?),
            _ => base.as_ref().and_then(|b| b.pooling),
        };
        let max_seq_length = match dir.join("sentence_bert_config.json") {
            p if p.is_file() => read_json(&p)?
                .get("max_seq_length")
                .and_then(Value::as_u64)
                .map(|n| n as usize),
            _ => base.as_ref().and_then(|b| b.max_seq_length),
        };

        Ok(ModelFiles {
            name: name.to_string(),
            dir: dir.to_path_buf(),
            config_path,
            config,
            architecture,
            weights,
            tokenizer,
            tokenizer_config,
            labels,
            pooling,
            max_seq_length,
            manifest,
            base,
        })
    }

    /// [`ModelFiles::from_dir_with`] for a directory whose manifest (if any) names no base.
    ///
    /// # Errors
    /// As [`ModelFiles::from_dir_with`]; a manifest with a `base` is an error here (use
    /// [`crate::ModelSpec::resolve`], which resolves bases).
    pub fn from_dir(dir: &Path) -> Result<ModelFiles> {
        let name = dir.display().to_string();
        let manifest = dir.join(PROJECT_MANIFEST);
        Self::from_dir_with(dir, &name, &mut |b| {
            Err(Error::Manifest {
                path: manifest.clone(),
                message: format!(
                    "names base {b:?}; resolve it through ModelSpec::resolve to load bases"
                ),
            })
        })
    }

    /// The label map, required.
    ///
    /// # Errors
    /// [`Error::Labels`] when `config.json` has no `id2label`.
    pub fn require_labels(&self) -> Result<&LabelMap> {
        self.labels.as_ref().ok_or_else(|| Error::Labels {
            path: self.config_path.clone(),
            message: "has no id2label map; a classification model needs one".into(),
        })
    }

    /// The model's own weights file: the last one loaded (for messages).
    pub fn primary_weights(&self) -> Option<&Path> {
        self.weights.last().map(|w| w.path.as_path())
    }

    /// An integer field of `config.json`.
    pub fn config_i64(&self, key: &str) -> Option<i64> {
        self.config.get(key).and_then(Value::as_i64)
    }
}

fn manifest_weights(
    manifest: Option<&toml::Table>,
    manifest_path: &Path,
    dir: &Path,
) -> Result<Option<Vec<PathBuf>>> {
    let Some(value) = manifest.and_then(|m| m.get("weights")) else {
        return Ok(None);
    };
    let bad = || Error::Manifest {
        path: manifest_path.to_path_buf(),
        message: "`weights` must be a file name or a list of file names".into(),
    };
    let names: Vec<&str> = match value {
        toml::Value::String(s) => vec![s.as_str()],
        toml::Value::Array(a) => a
            .iter()
            .map(|v| v.as_str().ok_or_else(bad))
            .collect::<Result<_>>()?,
        _ => return Err(bad()),
    };
    Ok(Some(names.into_iter().map(|n| dir.join(n)).collect()))
}

fn find_weights(dir: &Path) -> Result<Option<PathBuf>> {
    for name in ["model.safetensors", "rust_model.ot"] {
        let p = dir.join(name);
        if p.is_file() {
            return Ok(Some(p));
        }
    }
    for name in [
        "pytorch_model.bin",
        "model.safetensors.index.json",
        "tf_model.h5",
    ] {
        let p = dir.join(name);
        if p.is_file() {
            return Err(Error::weights(
                p,
                "lede reads model.safetensors (one file) or rust-bert's rust_model.ot; \
                 convert this checkpoint to a single model.safetensors \
                 (e.g. with transformers' save_pretrained(safe_serialization=True))",
            ));
        }
    }
    Ok(None)
}

fn validate_weights(path: PathBuf) -> Result<WeightsFile> {
    let format = weights::detect_format(&path)?;
    if format == WeightsFormat::SafeTensors {
        weights::SafeTensorsHeader::read(&path)?;
    }
    Ok(WeightsFile { path, format })
}

pub(crate) fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::Json {
        path: path.to_path_buf(),
        source: e,
    })
}

fn parse_tokenizer_config(v: &Value) -> TokenizerConfig {
    TokenizerConfig {
        do_lower_case: v.get("do_lower_case").and_then(Value::as_bool),
        strip_accents: v.get("strip_accents").and_then(Value::as_bool),
        model_max_length: v
            .get("model_max_length")
            .and_then(Value::as_f64)
            .filter(|n| *n >= 1.0 && *n <= 1e6)
            .map(|n| n as usize),
        add_prefix_space: v.get("add_prefix_space").and_then(Value::as_bool),
    }
}

fn parse_pooling(v: &Value, path: &Path) -> Result<Pooling> {
    let on = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
    if on("pooling_mode_mean_tokens") {
        Ok(Pooling::Mean)
    } else if on("pooling_mode_cls_token") {
        Ok(Pooling::Cls)
    } else if on("pooling_mode_max_tokens") {
        Ok(Pooling::Max)
    } else {
        Err(Error::config(
            path,
            "names no pooling mode lede supports (mean, cls or max tokens)",
        ))
    }
}
