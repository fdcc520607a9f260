//! `config.json` of an offline model directory.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::{OfflineError, Result};

/// Format tag written into every model config; a loader refuses others.
pub const FORMAT: &str = "lede-ner-minilm/2";

/// File name of the model config inside a model directory.
pub const CONFIG_FILE: &str = "config.json";

/// File name of the stored weights inside a model directory.
pub const WEIGHTS_FILE: &str = "weights.safetensors";

/// How the stored tensors are kept ([`ModelConfig::storage`]): fine-tuned minus base in
/// half precision for base tensors, full values for the model's own.
pub const STORAGE: &str = "delta-f16";

/// The base model an offline model was trained on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseModel {
    /// Its usual name (`sentence-transformers/all-MiniLM-L6-v2`).
    pub id: String,
    /// File name of its weights inside the base directory.
    pub weights: String,
    /// SHA-256 of that file, lowercase hex: a different base is refused.
    pub sha256: String,
}

/// Everything needed to rebuild the network and run it, beside the weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    /// [`FORMAT`].
    pub format: String,
    /// The base model.
    pub base: BaseModel,
    /// Entity types, in tag order (`O`, `B-t0`, `I-t0`, `B-t1`, ...).
    pub entity_types: Vec<String>,
    /// How many of the base's encoder layers the model runs: its first `encoder_layers`
    /// (a model trained on fewer layers than its base is faster; the rest are never loaded).
    pub encoder_layers: usize,
    /// Encoder layers whose weights the model stores (fine-tuned); the others are the base's.
    pub trained_layers: Vec<i64>,
    /// Input features beside the WordPiece ids (`word_shape`).
    pub features: Vec<String>,
    /// Number of shape ids.
    pub shape_vocab: i64,
    /// The tokenization the model's words came from ([`lede_tokenize::TOKENIZATION`] of the
    /// build that trained it). Configs without it predate lede-tokenize's words and are
    /// refused.
    #[serde(default)]
    pub tokenization: String,
    /// Longest window in WordPiece tokens, `[CLS]` and `[SEP]` included.
    pub max_len: usize,
    /// Most pieces two consecutive windows share ([`lede_tokenize::word_windows`]).
    pub stride: usize,
    /// How the stored tensors are kept: `delta-f16` (fine-tuned minus base, half precision)
    /// for base tensors, full values for the model's own.
    pub storage: String,
    /// SHA-256 of [`WEIGHTS_FILE`], lowercase hex, written by the trainer and verified at
    /// every load: a weights file changed in any byte is refused. Configs without it (or
    /// with a malformed one) are refused.
    #[serde(default)]
    pub weights_sha256: String,
    /// Facts about the training run (data, epochs, seed, scores), for the model card.
    #[serde(default)]
    pub training: serde_json::Value,
}

impl ModelConfig {
    /// Reads and checks `dir/config.json`.
    ///
    /// # Errors
    /// [`OfflineError::Io`], [`OfflineError::Json`], or [`OfflineError::BadModel`] when the
    /// format is not [`FORMAT`] or the config is inconsistent.
    pub fn read(dir: &Path) -> Result<ModelConfig> {
        let path = dir.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| OfflineError::io(&path, e))?;
        let json = |source| OfflineError::Json {
            path: path.clone(),
            source,
        };
        // The format first: an older config lacks fields this one requires.
        let value: serde_json::Value = serde_json::from_str(&text).map_err(json)?;
        let format = value.get("format").and_then(|f| f.as_str()).unwrap_or("");
        if format != FORMAT {
            return Err(OfflineError::bad_model(
                &path,
                format!(
                    "format {format:?}, expected {FORMAT:?} (retrain the model with `lede train ner`)"
                ),
            ));
        }
        let cfg: ModelConfig = serde_json::from_value(value).map_err(json)?;
        if cfg.entity_types.is_empty() {
            return Err(OfflineError::bad_model(&path, "no entity types"));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = cfg.entity_types.iter().find(|t| !seen.insert(t.as_str())) {
            return Err(OfflineError::bad_model(
                &path,
                format!("entity type {dup:?} is listed twice (every type has its own tags)"),
            ));
        }
        if let Some(bad) = cfg
            .entity_types
            .iter()
            .find(|t| t.is_empty() || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        {
            return Err(OfflineError::bad_model(
                &path,
                format!("entity type {bad:?} is not a name of ASCII letters, digits and _"),
            ));
        }
        if !lede_models::weights::is_sha256_hex(&cfg.weights_sha256) {
            return Err(OfflineError::bad_model(
                &path,
                format!(
                    "weights_sha256 {:?} is not a SHA-256 in lowercase hex: the config must \
                     record the digest of {WEIGHTS_FILE} (retrain with `lede train ner`, or \
                     record the output of `sha256sum {WEIGHTS_FILE}` for a file you trust)",
                    cfg.weights_sha256
                ),
            ));
        }
        if cfg.storage != STORAGE {
            return Err(OfflineError::bad_model(
                &path,
                format!("storage {:?}, expected {STORAGE:?}", cfg.storage),
            ));
        }
        if cfg.shape_vocab < 1 {
            return Err(OfflineError::bad_model(
                &path,
                format!("shape_vocab {} is not positive", cfg.shape_vocab),
            ));
        }
        if cfg.encoder_layers == 0 {
            return Err(OfflineError::bad_model(&path, "encoder_layers is 0"));
        }
        if cfg
            .trained_layers
            .iter()
            .any(|&l| l < 0 || l as usize >= cfg.encoder_layers)
        {
            return Err(OfflineError::bad_model(
                &path,
                format!(
                    "trained_layers {:?} outside the {} layers the model runs",
                    cfg.trained_layers, cfg.encoder_layers
                ),
            ));
        }
        if cfg.stride.saturating_add(2) >= cfg.max_len {
            return Err(OfflineError::bad_model(
                &path,
                format!(
                    "stride {} leaves no room in windows of {}",
                    cfg.stride, cfg.max_len
                ),
            ));
        }
        if cfg.max_len < 8 || cfg.max_len > 512 {
            return Err(OfflineError::bad_model(
                &path,
                format!("max_len {} outside 8..=512", cfg.max_len),
            ));
        }
        if cfg.tokenization != lede_tokenize::TOKENIZATION {
            let had = if cfg.tokenization.is_empty() {
                "lede-ner's own word splitting (before lede-tokenize)".to_string()
            } else {
                format!("tokenization {:?}", cfg.tokenization)
            };
            return Err(OfflineError::bad_model(
                &path,
                format!(
                    "the model was trained on {had}, this build tokenizes with {:?}; retrain it \
                     with `lede train ner`",
                    lede_tokenize::TOKENIZATION
                ),
            ));
        }
        Ok(cfg)
    }

    /// Writes `dir/config.json`.
    ///
    /// # Errors
    /// [`OfflineError::Io`] when the file cannot be written.
    pub fn write(&self, dir: &Path) -> Result<()> {
        let path = dir.join(CONFIG_FILE);
        let text = serde_json::to_string_pretty(self).map_err(|source| OfflineError::Json {
            path: path.clone(),
            source,
        })?;
        std::fs::write(&path, text + "\n").map_err(|e| OfflineError::io(&path, e))
    }
}
