//! The network: MiniLM (rust-bert `BertModel`) with word-shape embeddings added to the input
//! embeddings and a linear tag head; loading the base, overlaying stored weights, saving them.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use lede_models::fast::{BertShape, FastBert, Precision};
use rust_bert::bert::{BertConfig, BertEmbeddings, BertModel};
use tch::{nn, nn::Module, Device, Kind, Tensor};

use super::config::{ModelConfig, WEIGHTS_FILE};
use super::error::{OfflineError, Result};

/// Prefix of the variables that belong to the NER model, not to the base.
pub(crate) const OWN_PREFIX: &str = "ner.";
const DELTA_PREFIX: &str = "delta.";
const VALUE_PREFIX: &str = "value.";

/// Optimizer group of the base encoder's variables.
pub(crate) const GROUP_ENCODER: usize = 0;
/// Optimizer group of the NER model's own variables (shape embeddings, head).
pub(crate) const GROUP_HEAD: usize = 1;

pub(crate) struct NerNet {
    pub(crate) vs: nn::VarStore,
    bert: BertModel<BertEmbeddings>,
    word_embeddings: Tensor,
    shapes: nn::Embedding,
    head: nn::Linear,
    dropout: f64,
    /// The inference pass, once [`NerNet::prepare_inference`] has built it; training and
    /// evaluation during training use rust-bert's.
    fast: Option<FastBert>,
}

// Proves the network (and so the recognizer holding it) can move to a worker thread.
const _: fn() = || {
    fn send<T: Send>() {}
    send::<NerNet>();
};

/// Reads the base's `config.json` without rust-bert's panicking `Config::from_file`.
pub(crate) fn read_bert_config(base_dir: &Path) -> Result<BertConfig> {
    let path = base_dir.join("config.json");
    let text = std::fs::read_to_string(&path).map_err(|e| OfflineError::io(&path, e))?;
    serde_json::from_str(&text).map_err(|source| OfflineError::Json { path, source })
}

/// SHA-256 of a file, lowercase hex ([`lede_models::weights::sha256_file`]).
pub fn sha256_file(path: &Path) -> Result<String> {
    lede_models::weights::sha256_file(path).map_err(|e| OfflineError::io(path, e))
}

impl NerNet {
    /// A network with random head and zero shape embeddings, base variables uninitialised
    /// (call [`NerNet::load_base`]).
    pub(crate) fn new(config: &BertConfig, n_tags: i64, shape_vocab: i64) -> Result<NerNet> {
        let vs = nn::VarStore::new(Device::Cpu);
        let root = vs.root();
        let bert = BertModel::<BertEmbeddings>::new_with_optional_pooler(
            root.set_group(GROUP_ENCODER),
            config,
            false,
        );
        let own = root.set_group(GROUP_HEAD) / "ner";
        let shapes = nn::embedding(
            &own / "shape_embeddings",
            shape_vocab,
            config.hidden_size,
            nn::EmbeddingConfig {
                ws_init: nn::Init::Const(0.0),
                ..Default::default()
            },
        );
        let head = nn::linear(
            &own / "classifier",
            config.hidden_size,
            n_tags,
            Default::default(),
        );
        let word_embeddings = vs
            .variables()
            .remove("embeddings.word_embeddings.weight")
            .ok_or_else(|| {
                OfflineError::Config("rust-bert BertModel has no embeddings.word_embeddings".into())
            })?;
        Ok(NerNet {
            vs,
            bert,
            word_embeddings,
            shapes,
            head,
            dropout: config.hidden_dropout_prob,
            fast: None,
        })
    }

    /// Loads the base weights; every base variable must be in the file, with its shape.
    pub(crate) fn load_base(&mut self, weights: &Path) -> Result<()> {
        let missing = self.vs.load_partial(weights).map_err(|e| {
            OfflineError::bad_model(weights, format!("does not fit a BERT of this config: {e}"))
        })?;
        let missing: Vec<_> = missing
            .into_iter()
            .filter(|m| !m.starts_with(OWN_PREFIX))
            .collect();
        if !missing.is_empty() {
            return Err(OfflineError::bad_model(
                weights,
                format!("missing tensors: {}", missing.join(", ")),
            ));
        }
        Ok(())
    }

    /// Names of the variables that training changes: the embedding LayerNorm, the encoder
    /// layers in `layers`, and the model's own.
    pub(crate) fn trained_names(&self, layers: &[i64]) -> Vec<String> {
        let mut names: Vec<String> = self
            .vs
            .variables()
            .into_keys()
            .filter(|n| {
                n.starts_with(OWN_PREFIX)
                    || n.starts_with("embeddings.LayerNorm.")
                    || layers
                        .iter()
                        .any(|l| n.starts_with(&format!("encoder.layer.{l}.")))
            })
            .collect();
        names.sort();
        names
    }

    /// Turns gradients off for every variable not in `names`.
    pub(crate) fn freeze_except(&self, names: &[String]) {
        for (name, var) in self.vs.variables() {
            let train = names.iter().any(|n| n == &name);
            let _ = var.set_requires_grad(train);
        }
    }

    /// Copies of the current values of `names` (the base, before training).
    pub(crate) fn snapshot(&self, names: &[String]) -> BTreeMap<String, Tensor> {
        let vars = self.vs.variables();
        names
            .iter()
            .filter(|n| !n.starts_with(OWN_PREFIX))
            .filter_map(|n| vars.get(n).map(|t| (n.clone(), t.detach().copy())))
            .collect()
    }

    /// Writes `dir/weights.safetensors`: half-precision deltas from `base` for base variables,
    /// full values for the model's own.
    pub(crate) fn save(
        &self,
        dir: &Path,
        names: &[String],
        base: &BTreeMap<String, Tensor>,
    ) -> Result<u64> {
        let vars = self.vs.variables();
        let mut out: Vec<(String, Tensor)> = Vec::new();
        tch::no_grad(|| -> Result<()> {
            for name in names {
                let var = vars
                    .get(name)
                    .ok_or_else(|| OfflineError::Config(format!("no variable {name} to save")))?;
                if name.starts_with(OWN_PREFIX) {
                    out.push((format!("{VALUE_PREFIX}{name}"), var.detach().copy()));
                } else {
                    let b = base
                        .get(name)
                        .ok_or_else(|| OfflineError::Config(format!("no base value for {name}")))?;
                    let delta = (var.detach() - b).to_kind(Kind::Half);
                    out.push((format!("{DELTA_PREFIX}{name}"), delta));
                }
            }
            Ok(())
        })?;
        let path = dir.join(WEIGHTS_FILE);
        Tensor::write_safetensors(&out, &path)?;
        let size = std::fs::metadata(&path)
            .map_err(|e| OfflineError::io(&path, e))?
            .len();
        Ok(size)
    }

    /// Adds the stored deltas to the base and sets the model's own variables.
    pub(crate) fn overlay(&mut self, dir: &Path, config: &ModelConfig) -> Result<()> {
        self.overlay_layers(dir, config, false)
    }

    /// As [`overlay`](Self::overlay), for a network that keeps fewer encoder layers than the
    /// stored model: deltas of the layers it does not keep are passed over (training a
    /// smaller model from a larger one, `TrainConfig::init_dir`).
    pub(crate) fn overlay_kept(&mut self, dir: &Path, config: &ModelConfig) -> Result<()> {
        self.overlay_layers(dir, config, true)
    }

    fn overlay_layers(&mut self, dir: &Path, config: &ModelConfig, kept_only: bool) -> Result<()> {
        let path = dir.join(WEIGHTS_FILE);
        if !path.exists() {
            return Err(OfflineError::io(
                &path,
                std::io::Error::new(std::io::ErrorKind::NotFound, "weights file missing"),
            ));
        }
        let sha = sha256_file(&path)?;
        if sha != config.weights_sha256 {
            return Err(OfflineError::bad_model(
                &path,
                format!(
                    "SHA-256 {sha} is not the {} its config.json records: the file was changed \
                     or damaged",
                    config.weights_sha256
                ),
            ));
        }
        let stored = Tensor::read_safetensors(&path)
            .map_err(|e| OfflineError::bad_model(&path, format!("unreadable: {e}")))?;
        let vars: HashMap<String, Tensor> = self.vs.variables();
        let mut seen_own = 0usize;
        tch::no_grad(|| -> Result<()> {
            for (name, t) in &stored {
                let (target, is_delta) = if let Some(n) = name.strip_prefix(DELTA_PREFIX) {
                    (n, true)
                } else if let Some(n) = name.strip_prefix(VALUE_PREFIX) {
                    (n, false)
                } else {
                    return Err(OfflineError::bad_model(
                        &path,
                        format!("unknown tensor {name}"),
                    ));
                };
                if kept_only && !vars.contains_key(target) && target.starts_with("encoder.layer.") {
                    continue;
                }
                let mut var = vars.get(target).map(|v| v.shallow_clone()).ok_or_else(|| {
                    OfflineError::bad_model(&path, format!("tensor {name} matches no variable"))
                })?;
                if var.size() != t.size() {
                    return Err(OfflineError::bad_model(
                        &path,
                        format!(
                            "tensor {name} has shape {:?}, expected {:?}",
                            t.size(),
                            var.size()
                        ),
                    ));
                }
                let t = t.to_kind(Kind::Float);
                if !bool::try_from(t.isfinite().all()).unwrap_or(false) {
                    return Err(OfflineError::bad_model(
                        &path,
                        format!("tensor {name} holds NaN or infinite values"),
                    ));
                }
                if is_delta {
                    let _ = var.f_add_(&t)?;
                } else {
                    var.f_copy_(&t)?;
                    seen_own += 1;
                }
            }
            Ok(())
        })?;
        let own_vars = vars.keys().filter(|k| k.starts_with(OWN_PREFIX)).count();
        if seen_own != own_vars {
            return Err(OfflineError::bad_model(
                &path,
                format!("has {seen_own} of the model's {own_vars} own tensors"),
            ));
        }
        Ok(())
    }

    /// Runs inference (`train == false`) with the encoder's linear layers in `precision`:
    /// through lede-models' [`FastBert`] over the current weights (call after
    /// [`NerNet::overlay`]), in fp32 or int8.
    pub(crate) fn prepare_inference(
        &mut self,
        config: &BertConfig,
        precision: Precision,
    ) -> Result<()> {
        // lede-models' pass in both precisions (in fp32 it matches rust-bert's, used in
        // training, to 1e-4): it can keep an inner layer's states for token vectors.
        let shape = BertShape::of(config).map_err(|e| OfflineError::Encoder(Box::new(e)))?;
        let fast = FastBert::from_variables(&self.vs.variables(), "", shape, precision)
            .map_err(|e| OfflineError::Encoder(Box::new(e)))?;
        self.fast = Some(fast);
        Ok(())
    }

    /// The precision inference runs in.
    pub(crate) fn precision(&self) -> Precision {
        self.fast
            .as_ref()
            .map_or(Precision::Fp32, FastBert::precision)
    }

    /// Tag logits `[batch, seq, tags]`.
    pub(crate) fn forward(
        &self,
        ids: &Tensor,
        shapes: &Tensor,
        mask: &Tensor,
        train: bool,
    ) -> Result<Tensor> {
        Ok(self.forward_with_states(ids, shapes, mask, train, None)?.0)
    }

    /// Tag logits `[batch, seq, tags]`, the encoder's last hidden states
    /// `[batch, seq, hidden]` and, with `keep = Some(k)` and the int8 inference pass, the states
    /// after its first `k` layers (`None` otherwise).
    pub(crate) fn forward_with_states(
        &self,
        ids: &Tensor,
        shapes: &Tensor,
        mask: &Tensor,
        train: bool,
        keep: Option<usize>,
    ) -> Result<(Tensor, Tensor, Option<Tensor>)> {
        let emb = ids.f_embedding_like(&self.word_embeddings)? + self.shapes.forward(shapes);
        let (hidden, kept) = match (&self.fast, train) {
            (Some(fast), false) => fast
                .forward_embeds_keeping(&emb, mask, keep)
                .map_err(|e| OfflineError::Encoder(Box::new(e)))?,
            _ => (
                self.bert
                    .forward_t(None, Some(mask), None, None, Some(&emb), None, None, train)?
                    .hidden_state,
                None,
            ),
        };
        let h = hidden.dropout(self.dropout, train);
        let logits = self.head.forward(&h);
        Ok((logits, hidden, kept))
    }
}

/// `Tensor::embedding` with the argument order of a lookup.
trait EmbeddingLike {
    fn f_embedding_like(&self, weight: &Tensor) -> Result<Tensor, tch::TchError>;
}

impl EmbeddingLike for Tensor {
    fn f_embedding_like(&self, weight: &Tensor) -> Result<Tensor, tch::TchError> {
        Tensor::f_embedding(weight, self, 0, false, false)
    }
}
