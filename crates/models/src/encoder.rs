//! Transformer encoders (rust-bert's BERT, RoBERTa, XLM-RoBERTa, DistilBERT and ELECTRA base
//! models) built from a config and loaded through [`crate::weights::load`], with a forward
//! pass that returns errors instead of panicking.

use std::borrow::Borrow;
use std::path::Path;

use rust_bert::bert::{BertConfig, BertEmbedding, BertEmbeddings, BertModel};
use rust_bert::distilbert::{DistilBertConfig, DistilBertModel};
use rust_bert::electra::{ElectraConfig, ElectraModel};
use rust_bert::roberta::RobertaEmbeddings;
use serde_json::Value;
use tch::nn::{self, VarStore};
use tch::{Device, Kind, Tensor};

use crate::fast::{BertShape, FastBert, Precision};
use crate::files::{Architecture, ModelFiles};
use crate::weights::{self, LoadOptions, LoadReport};
use crate::{Error, Result};

enum Backbone {
    Bert(BertModel<BertEmbeddings>),
    Roberta(BertModel<RobertaEmbeddings>),
    DistilBert(DistilBertModel),
    Electra(ElectraModel),
}

/// A transformer encoder: token ids in, one hidden vector per token out.
///
/// Supports [`Architecture::ENCODERS`]. Its variables live under the architecture's usual
/// prefix ([`TransformerEncoder::prefix`]: `bert`, `roberta`, `distilbert`, `electra`), so a
/// task head built next to it at the root (`classifier.*`) has the names Hugging Face
/// checkpoints use; [`TransformerEncoder::aliases`] lets a bare base-model checkpoint (no
/// prefix, like all-MiniLM-L6-v2) load into the same variables.
pub struct TransformerEncoder {
    backbone: Backbone,
    /// BERT only: the shape lede-models' own forward pass needs.
    bert_shape: Option<BertShape>,
    /// The inference pass set by [`TransformerEncoder::set_precision`].
    fast: Option<FastBert>,
    architecture: Architecture,
    hidden_size: i64,
    vocab_size: i64,
    max_positions: usize,
    name: String,
}

lede_core::debug_fields!(TransformerEncoder {
    architecture,
    hidden_size,
    vocab_size,
    max_positions
});

/// Maps activation names rust-bert does not know to their equivalents.
fn normalise_activations(config: &mut Value) {
    for key in ["hidden_act", "activation", "activation_function"] {
        if let Some(v) = config.get_mut(key) {
            if let Some(s) = v.as_str() {
                let mapped = match s {
                    "gelu_python" | "gelu_10" => Some("gelu"),
                    "gelu_pytorch_tanh" | "gelu_fast" | "gelu_accurate" | "quick_gelu" => {
                        Some("gelu_new")
                    }
                    "silu" => Some("swish"),
                    "linear" => Some("identity"),
                    _ => None,
                };
                if let Some(m) = mapped {
                    *v = Value::String(m.to_string());
                }
            }
        }
    }
}

fn parse_config<T: serde::de::DeserializeOwned>(
    config: &Value,
    path: &Path,
    arch: Architecture,
) -> Result<T> {
    let mut c = config.clone();
    normalise_activations(&mut c);
    serde_json::from_value(c).map_err(|e| {
        Error::config(
            path,
            format!("does not describe a usable {arch} model: {e}"),
        )
    })
}

struct Dims {
    hidden: i64,
    heads: i64,
    layers: i64,
    intermediate: i64,
    vocab: i64,
    positions: i64,
    types: Option<i64>,
}

/// The [`Dims`] of a BERT-style config (`BertConfig`, `ElectraConfig`: the same field names
/// in different types).
macro_rules! bert_style_dims {
    ($c:expr) => {
        Dims {
            hidden: $c.hidden_size,
            heads: $c.num_attention_heads,
            layers: $c.num_hidden_layers,
            intermediate: $c.intermediate_size,
            vocab: $c.vocab_size,
            positions: $c.max_position_embeddings,
            types: Some($c.type_vocab_size),
        }
    };
}

/// The last hidden state of a BERT-style model (BERT or RoBERTa embeddings) for a padded
/// batch, without token types or positions (the model's defaults).
fn bert_hidden_state<E: BertEmbedding>(
    m: &BertModel<E>,
    input_ids: &Tensor,
    attention_mask: &Tensor,
    train: bool,
) -> std::result::Result<Tensor, rust_bert::RustBertError> {
    Ok(m.forward_t(
        Some(input_ids),
        Some(attention_mask),
        None,
        None,
        None,
        None,
        None,
        train,
    )?
    .hidden_state)
}

fn check_dims(d: &Dims, path: &Path, names: [&str; 6]) -> Result<()> {
    let checks = [
        (names[0], d.hidden, 1 << 16),
        (names[1], d.heads, 1 << 10),
        (names[2], d.layers, 1 << 10),
        (names[3], d.intermediate, 1 << 18),
        (names[4], d.vocab, 1 << 24),
        (names[5], d.positions, 1 << 20),
    ];
    for (name, v, max) in checks {
        if v < 1 || v > max {
            return Err(Error::config(
                path,
                format!("{name} = {v} is out of range (1..={max})"),
            ));
        }
    }
    if let Some(t) = d.types {
        if !(1..=1024).contains(&t) {
            return Err(Error::config(
                path,
                format!("type_vocab_size = {t} is out of range"),
            ));
        }
    }
    if d.hidden % d.heads != 0 {
        return Err(Error::config(
            path,
            format!(
                "{} = {} is not a multiple of {} = {}",
                names[0], d.hidden, names[1], d.heads
            ),
        ));
    }
    Ok(())
}

impl TransformerEncoder {
    /// The variable prefix of an architecture's base model in task checkpoints.
    pub fn prefix(arch: Architecture) -> Option<&'static str> {
        match arch {
            Architecture::Bert => Some("bert"),
            Architecture::Roberta | Architecture::XlmRoberta => Some("roberta"),
            Architecture::DistilBert => Some("distilbert"),
            Architecture::Electra => Some("electra"),
            _ => None,
        }
    }

    /// Prefix aliases for [`weights::load`]: the encoder's variables also match tensors
    /// without the prefix (a base-model checkpoint).
    pub fn aliases(arch: Architecture) -> Vec<(String, String)> {
        Self::prefix(arch)
            .map(|p| vec![(format!("{p}."), String::new())])
            .unwrap_or_default()
    }

    /// Builds an encoder (randomly initialised) under `root / prefix`, from a parsed
    /// `config.json` (`config_path` names it in errors). Checks the config's sizes first, so a
    /// bad config is an error rather than a panic in the tensor library.
    ///
    /// # Errors
    /// [`Error::UnknownArchitecture`] for a non-encoder architecture; [`Error::Config`] for
    /// missing fields or impossible sizes.
    pub fn new<'p, P: Borrow<nn::Path<'p>>>(
        root: P,
        arch: Architecture,
        config: &Value,
        config_path: &Path,
    ) -> Result<TransformerEncoder> {
        let root = root.borrow();
        let bert_names = [
            "hidden_size",
            "num_attention_heads",
            "num_hidden_layers",
            "intermediate_size",
            "vocab_size",
            "max_position_embeddings",
        ];
        let mut bert_shape = None;
        let (backbone, hidden, vocab, positions) = match arch {
            Architecture::Bert | Architecture::Roberta | Architecture::XlmRoberta => {
                let c: BertConfig = parse_config(config, config_path, arch)?;
                check_dims(&bert_style_dims!(c), config_path, bert_names)?;
                if arch == Architecture::Bert {
                    bert_shape = BertShape::of(&c).ok();
                }
                let (backbone, positions) = if arch == Architecture::Bert {
                    let m = BertModel::<BertEmbeddings>::new_with_optional_pooler(
                        root / "bert",
                        &c,
                        false,
                    );
                    (Backbone::Bert(m), c.max_position_embeddings)
                } else {
                    // RoBERTa positions start after the padding index (1): two fewer usable.
                    if c.max_position_embeddings < 3 {
                        return Err(Error::config(
                            config_path,
                            "max_position_embeddings must be at least 3 for RoBERTa",
                        ));
                    }
                    let m = BertModel::<RobertaEmbeddings>::new_with_optional_pooler(
                        root / "roberta",
                        &c,
                        false,
                    );
                    (Backbone::Roberta(m), c.max_position_embeddings - 2)
                };
                (backbone, c.hidden_size, c.vocab_size, positions)
            }
            Architecture::DistilBert => {
                let c: DistilBertConfig = parse_config(config, config_path, arch)?;
                check_dims(
                    &Dims {
                        hidden: c.dim,
                        heads: c.n_heads,
                        layers: c.n_layers,
                        intermediate: c.hidden_dim,
                        vocab: c.vocab_size,
                        positions: c.max_position_embeddings,
                        types: None,
                    },
                    config_path,
                    [
                        "dim",
                        "n_heads",
                        "n_layers",
                        "hidden_dim",
                        "vocab_size",
                        "max_position_embeddings",
                    ],
                )?;
                // rust-bert's DistilBertModel adds the `distilbert` prefix itself.
                let m = DistilBertModel::new(root, &c);
                (
                    Backbone::DistilBert(m),
                    c.dim,
                    c.vocab_size,
                    c.max_position_embeddings,
                )
            }
            Architecture::Electra => {
                let c: ElectraConfig = parse_config(config, config_path, arch)?;
                check_dims(&bert_style_dims!(c), config_path, bert_names)?;
                if !(1..=1 << 16).contains(&c.embedding_size) {
                    return Err(Error::config(
                        config_path,
                        format!("embedding_size = {} is out of range", c.embedding_size),
                    ));
                }
                let m = ElectraModel::new(root / "electra", &c);
                (
                    Backbone::Electra(m),
                    c.hidden_size,
                    c.vocab_size,
                    c.max_position_embeddings,
                )
            }
            other => {
                return Err(Error::UnknownArchitecture {
                    path: config_path.to_path_buf(),
                    model_type: other.model_type().to_string(),
                    supported: Architecture::list(&Architecture::ENCODERS),
                })
            }
        };
        Ok(TransformerEncoder {
            backbone,
            bert_shape,
            fast: None,
            architecture: arch,
            hidden_size: hidden,
            vocab_size: vocab,
            max_positions: positions as usize,
            name: config_path
                .parent()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        })
    }

    /// Width of the hidden vectors.
    pub fn hidden_size(&self) -> i64 {
        self.hidden_size
    }

    /// Vocabulary size (ids must be below it).
    pub fn vocab_size(&self) -> i64 {
        self.vocab_size
    }

    /// Longest input, special tokens included.
    pub fn max_positions(&self) -> usize {
        self.max_positions
    }

    /// The architecture.
    pub fn architecture(&self) -> Architecture {
        self.architecture
    }

    /// Runs inference (`forward` with `train == false`) through lede-models' own pass
    /// ([`crate::fast`]) with the linear layers in `precision`, over the variables of `vs`,
    /// the store the encoder was loaded into (call after loading the weights). BERT only;
    /// [`Precision::Fp32`] on another architecture keeps rust-bert's pass.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for int8 on an architecture other than BERT (or a BERT with an
    /// activation the pass lacks), or variables that do not fit.
    pub fn set_precision(&mut self, vs: &VarStore, precision: Precision) -> Result<()> {
        let Some(shape) = self.bert_shape else {
            if precision == Precision::Fp32 {
                self.fast = None;
                return Ok(());
            }
            return Err(Error::InvalidInput(format!(
                "{}: int8 inference is implemented for BERT encoders only, not {}",
                self.name, self.architecture
            )));
        };
        let prefix = Self::prefix(self.architecture).map_or(String::new(), |p| format!("{p}."));
        self.fast = Some(FastBert::from_variables(
            &vs.variables(),
            &prefix,
            shape,
            precision,
        )?);
        Ok(())
    }

    /// The precision of the inference pass ([`TransformerEncoder::set_precision`]).
    pub fn precision(&self) -> Precision {
        self.fast
            .as_ref()
            .map_or(Precision::Fp32, FastBert::precision)
    }

    /// The forward pass: `input_ids` and `attention_mask` of shape `[batch, seq]` (Int64),
    /// hidden states `[batch, seq, hidden]` out. `train` turns dropout on.
    ///
    /// Shapes and id ranges are checked first; a panic inside the tensor library is caught and
    /// returned as [`Error::Forward`].
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for bad shapes or ids; [`Error::RustBert`]; [`Error::Forward`].
    pub fn forward(
        &self,
        input_ids: &Tensor,
        attention_mask: &Tensor,
        train: bool,
    ) -> Result<Tensor> {
        let size = input_ids.size();
        if size.len() != 2 || attention_mask.size() != size {
            return Err(Error::InvalidInput(format!(
                "input ids of shape {size:?} and mask of shape {:?}; both must be [batch, seq]",
                attention_mask.size()
            )));
        }
        if size[1] as usize > self.max_positions {
            return Err(Error::InvalidInput(format!(
                "sequence of {} tokens is longer than the model's {} positions",
                size[1], self.max_positions
            )));
        }
        if size[0] == 0 || size[1] == 0 {
            return Ok(Tensor::zeros(
                [size[0], size[1], self.hidden_size],
                (Kind::Float, input_ids.device()),
            ));
        }
        let lo = input_ids
            .f_min()
            .and_then(|t| t.f_int64_value(&[]))
            .map_err(|e| Error::tch("reading input ids", e))?;
        let hi = input_ids
            .f_max()
            .and_then(|t| t.f_int64_value(&[]))
            .map_err(|e| Error::tch("reading input ids", e))?;
        if lo < 0 || hi >= self.vocab_size {
            return Err(Error::InvalidInput(format!(
                "token id {} is outside the model's vocabulary of {}",
                if lo < 0 { lo } else { hi },
                self.vocab_size
            )));
        }
        if let (Some(fast), false) = (&self.fast, train) {
            return fast.forward_ids(input_ids, attention_mask);
        }
        let run = || -> std::result::Result<Tensor, rust_bert::RustBertError> {
            Ok(match &self.backbone {
                Backbone::Bert(m) => bert_hidden_state(m, input_ids, attention_mask, train)?,
                Backbone::Roberta(m) => bert_hidden_state(m, input_ids, attention_mask, train)?,
                Backbone::DistilBert(m) => {
                    m.forward_t(Some(input_ids), Some(attention_mask), None, train)?
                        .hidden_state
                }
                Backbone::Electra(m) => {
                    m.forward_t(
                        Some(input_ids),
                        Some(attention_mask),
                        None,
                        None,
                        None,
                        train,
                    )?
                    .hidden_state
                }
            })
        };
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
            Ok(Ok(t)) => Ok(t),
            Ok(Err(e)) => Err(Error::RustBert {
                context: format!("forward pass of {}", self.name),
                source: e,
            }),
            Err(panic) => Err(Error::Forward {
                model: self.name.clone(),
                message: panic_message(&panic),
            }),
        }
    }

    /// Pads id sequences into `(input_ids, attention_mask)` tensors of shape
    /// `[batch, longest]` on `device`.
    pub fn batch_tensors(seqs: &[Vec<u32>], pad_id: u32, device: Device) -> (Tensor, Tensor) {
        let longest = seqs.iter().map(Vec::len).max().unwrap_or(0);
        let mut ids = Vec::with_capacity(seqs.len() * longest);
        let mut mask = Vec::with_capacity(seqs.len() * longest);
        for s in seqs {
            ids.extend(s.iter().map(|&i| i as i64));
            mask.extend(std::iter::repeat(1i64).take(s.len()));
            ids.extend(std::iter::repeat(pad_id as i64).take(longest - s.len()));
            mask.extend(std::iter::repeat(0i64).take(longest - s.len()));
        }
        let shape = [seqs.len() as i64, longest as i64];
        let ids = Tensor::from_slice(&ids).view(shape).to_device(device);
        let mask = Tensor::from_slice(&mask).view(shape).to_device(device);
        (ids, mask)
    }
}

pub(crate) fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else {
        "unknown panic".to_string()
    }
}

/// A loaded encoder with an optional task head: the variable store, the encoder, the head.
pub struct Loaded<H> {
    /// The variables (keep it alive as long as the model).
    pub vs: VarStore,
    /// The encoder.
    pub encoder: TransformerEncoder,
    /// The head built by the caller.
    pub head: H,
    /// What the loader did.
    pub report: LoadReport,
}

/// Builds an encoder for `files` plus a head (`make_head` gets the root path and the
/// encoder), then loads every weights file of `files` into them with shape checks.
///
/// `allow_missing` lists variable-name prefixes that may be absent from the files (a head
/// that will be trained). The variables are frozen when `freeze` is set (inference).
///
/// # Errors
/// Every error of [`TransformerEncoder::new`] and [`weights::load`], plus the head's.
pub fn load_encoder<H>(
    files: &ModelFiles,
    device: Device,
    make_head: impl FnOnce(&nn::Path, &TransformerEncoder) -> Result<H>,
    allow_missing: &[&str],
    freeze: bool,
) -> Result<Loaded<H>> {
    load_encoder_with(files, device, make_head, allow_missing, freeze, false)
}

/// [`load_encoder`], and with `skip_extra_layers` the files may hold more layers than the
/// config describes (they are left unused: an early exit, see
/// [`crate::SentenceEmbedderBuilder::layers`]).
///
/// # Errors
/// As [`load_encoder`].
pub fn load_encoder_with<H>(
    files: &ModelFiles,
    device: Device,
    make_head: impl FnOnce(&nn::Path, &TransformerEncoder) -> Result<H>,
    allow_missing: &[&str],
    freeze: bool,
    skip_extra_layers: bool,
) -> Result<Loaded<H>> {
    let mut vs = VarStore::new(device);
    let root = vs.root();
    let encoder =
        TransformerEncoder::new(&root, files.architecture, &files.config, &files.config_path)?;
    let head = make_head(&root, &encoder)?;
    let options = LoadOptions {
        aliases: TransformerEncoder::aliases(files.architecture),
        allow_missing: allow_missing.iter().map(|s| s.to_string()).collect(),
        skip_extra_layers,
    };
    let report = weights::load(&mut vs, &files.weights, &files.config_path, &options)?;
    if freeze {
        vs.freeze();
    }
    Ok(Loaded {
        vs,
        encoder,
        head,
        report,
    })
}
