//! An inference-only BERT forward pass over the variables of a loaded model, with its linear
//! layers in fp32 or in int8.
//!
//! rust-bert's `BertModel` keeps its linear layers to itself, so their kernel cannot be
//! changed. [`FastBert`] reads the same variables (by their Hugging Face names) and runs the
//! same computation with three differences that matter for speed on a CPU:
//! - query, key and value are one matrix product (their weights concatenated);
//! - with [`Precision::Int8`], every linear layer of the encoder runs on FBGEMM's int8-weight
//!   kernel with dynamically quantized activations (the kernel of PyTorch's dynamic
//!   quantization on x86); embeddings, layer norms, attention scores and softmax stay fp32;
//! - no dropout, no gradients, no optional outputs.
//!
//! It is checked against rust-bert's forward pass in the tests (fp32: the same numbers up to
//! rounding; int8: close).

use std::collections::HashMap;

use tch::{Kind, Tensor};

use crate::{Error, Result};

/// How the encoder's linear layers compute.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// 32-bit floats, as trained.
    #[default]
    Fp32,
    /// Weights quantized to int8 (symmetric, one scale per matrix) once at load time,
    /// activations quantized per call (FBGEMM). Smaller and faster on x86 CPUs, slightly less
    /// exact.
    Int8,
}

impl Precision {
    /// `"fp32"` or `"int8"`.
    pub fn name(self) -> &'static str {
        match self {
            Precision::Fp32 => "fp32",
            Precision::Int8 => "int8",
        }
    }
}

impl std::str::FromStr for Precision {
    type Err = Error;
    fn from_str(s: &str) -> Result<Precision> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fp32" | "float32" => Ok(Precision::Fp32),
            "int8" => Ok(Precision::Int8),
            other => Err(Error::InvalidInput(format!(
                "unknown precision {other:?} (fp32 or int8)"
            ))),
        }
    }
}

/// The activation of a BERT feed-forward block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// The exact (erf) GELU, Hugging Face's `gelu`.
    Gelu,
    /// The tanh approximation of GELU (`gelu_new`, `gelu_pytorch_tanh`).
    GeluTanh,
    /// ReLU.
    Relu,
}

impl Activation {
    /// The activation a config's `hidden_act` names.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an activation this forward pass does not implement.
    pub fn from_name(name: &str) -> Result<Activation> {
        match name {
            "gelu" | "gelu_python" => Ok(Activation::Gelu),
            "gelu_new" | "gelu_pytorch_tanh" | "gelu_fast" | "gelu_accurate" => {
                Ok(Activation::GeluTanh)
            }
            "relu" => Ok(Activation::Relu),
            other => Err(Error::InvalidInput(format!(
                "activation {other:?} is not supported by the fast BERT forward pass"
            ))),
        }
    }

    fn apply(self, x: &Tensor) -> std::result::Result<Tensor, tch::TchError> {
        match self {
            Activation::Gelu => x.f_gelu("none"),
            Activation::GeluTanh => x.f_gelu("tanh"),
            Activation::Relu => x.f_relu(),
        }
    }
}

/// The shape of a BERT encoder.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BertShape {
    /// Attention heads per layer.
    pub heads: i64,
    /// Transformer layers to run (the first `layers` of the variables).
    pub layers: i64,
    /// The feed-forward activation.
    pub activation: Activation,
    /// The layer-norm epsilon (1e-12 for BERT).
    pub eps: f64,
}

impl BertShape {
    /// The shape of a rust-bert BERT config (layer-norm epsilon 1e-12, as rust-bert uses).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an activation this forward pass does not implement.
    pub fn of(config: &rust_bert::bert::BertConfig) -> Result<BertShape> {
        use rust_bert::Activation as A;
        let activation = match config.hidden_act {
            A::gelu => Activation::Gelu,
            A::gelu_new => Activation::GeluTanh,
            A::relu => Activation::Relu,
            ref other => {
                return Err(Error::InvalidInput(format!(
                    "activation {other:?} is not supported by the fast BERT forward pass"
                )))
            }
        };
        Ok(BertShape {
            heads: config.num_attention_heads,
            layers: config.num_hidden_layers,
            activation,
            eps: 1e-12,
        })
    }
}

/// A linear layer in fp32 or int8.
enum Linear {
    Fp32 {
        weight: Tensor,
        bias: Tensor,
    },
    Int8 {
        weight: Tensor,
        packed: Tensor,
        col_offsets: Tensor,
        /// `weight ≈ int8 * scale`.
        scale: f64,
        bias: Tensor,
    },
}

impl Linear {
    fn new(
        weight: Tensor,
        bias: Tensor,
        precision: Precision,
    ) -> std::result::Result<Linear, tch::TchError> {
        Ok(match precision {
            Precision::Fp32 => Linear::Fp32 { weight, bias },
            Precision::Int8 => {
                // Symmetric, one scale for the matrix. (One scale per output row was tried:
                // no better on the NER dev set and about 5 % slower; docs/PERFORMANCE.md.)
                let max = weight.f_abs()?.f_max()?.f_double_value(&[])?.max(1e-8);
                let scale = max / 127.0;
                let q = weight
                    .f_div_scalar(scale)?
                    .f_round()?
                    .f_clamp(-127.0, 127.0)?;
                // Per output row, the sum of its quantized weights (the weights' zero point
                // is 0).
                let col_offsets = q
                    .f_sum_dim_intlist(1, false, Kind::Float)?
                    .f_to_kind(Kind::Int)?;
                let q = q.f_to_kind(Kind::Int8)?;
                let packed = q.f_fbgemm_pack_quantized_matrix()?;
                Linear::Int8 {
                    weight: q,
                    packed,
                    col_offsets,
                    scale,
                    bias,
                }
            }
        })
    }

    /// `x @ weight^T + bias` over the last dimension of `x`.
    fn forward(&self, x: &Tensor) -> std::result::Result<Tensor, tch::TchError> {
        match self {
            Linear::Fp32 { weight, bias } => x.f_linear(weight, Some(bias)),
            Linear::Int8 {
                weight,
                packed,
                col_offsets,
                scale,
                bias,
            } => {
                let size = x.size();
                let rows: i64 = size.iter().rev().skip(1).product();
                let cols = size.last().copied().unwrap_or(0);
                let y = x
                    .f_reshape([rows, cols])?
                    .f_fbgemm_linear_int8_weight_fp32_activation(
                        weight,
                        packed,
                        col_offsets,
                        tch::Scalar::float(*scale),
                        tch::Scalar::int(0),
                        bias,
                    )?;
                let mut out = size;
                if let Some(last) = out.last_mut() {
                    *last = bias.size()[0];
                }
                y.f_reshape(out)
            }
        }
    }
}

/// One linear layer, `x @ weight^T + bias` over the last dimension of `x`, on the kernels of
/// [`FastBert`]'s layers: fp32, or int8 weights quantized and packed for FBGEMM once (at
/// [`PackedLinear::new`]) with activations quantized per call. For small networks over the
/// encoder's states that should run at the encoder's precision and speed.
///
/// ```
/// use lede_models::fast::{PackedLinear, Precision};
/// use tch::{Kind, Tensor};
///
/// let w = Tensor::from_slice(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0]).reshape([2, 3]);
/// let b = Tensor::from_slice(&[0.5f32, -0.5]);
/// let x = Tensor::from_slice(&[1.0f32, 0.0, -1.0]).reshape([1, 3]);
/// for precision in [Precision::Fp32, Precision::Int8] {
///     let y = PackedLinear::new(&w, &b, precision)?.forward(&x)?;
///     let y: Vec<f32> = Vec::try_from(y.reshape([-1]))?;
///     // 1 - 3 + 0.5 and 4 - 6 - 0.5, exactly in fp32, within int8's rounding otherwise.
///     assert!((y[0] + 1.5).abs() < 0.1 && (y[1] + 2.5).abs() < 0.1, "{y:?}");
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct PackedLinear {
    inner: Linear,
    precision: Precision,
}

impl std::fmt::Debug for PackedLinear {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shape = match &self.inner {
            Linear::Fp32 { weight, .. } | Linear::Int8 { weight, .. } => weight.size(),
        };
        f.debug_struct("PackedLinear")
            .field("shape", &shape)
            .field("precision", &self.precision)
            .finish()
    }
}

impl PackedLinear {
    /// A layer of `weight` (`[out, in]`) and `bias` (`[out]`), both fp32 (copied: the
    /// layer shares nothing with the caller's tensors).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for shapes that do not fit; [`Error::Tch`] when libtorch
    /// cannot quantize or pack the weights.
    pub fn new(weight: &Tensor, bias: &Tensor, precision: Precision) -> Result<PackedLinear> {
        let (w, b) = (weight.size(), bias.size());
        if w.len() != 2 || b.len() != 1 || w[0] != b[0] {
            return Err(Error::InvalidInput(format!(
                "a linear layer needs a [out, in] weight and an [out] bias, got {w:?} and {b:?}"
            )));
        }
        let copy = |t: &Tensor| {
            t.f_to_kind(Kind::Float)
                .and_then(|t| t.f_contiguous())
                .and_then(|t| t.f_detach_copy())
        };
        let quantize = |e| Error::tch("packing a linear layer", e);
        let inner = Linear::new(
            copy(weight).map_err(quantize)?,
            copy(bias).map_err(quantize)?,
            precision,
        )
        .map_err(quantize)?;
        Ok(PackedLinear { inner, precision })
    }

    /// `x @ weight^T + bias` (fp32 in and out).
    ///
    /// # Errors
    /// [`Error::Tch`] when `x`'s last dimension is not the layer's input width.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.inner
            .forward(x)
            .map_err(|e| Error::tch("a linear layer's forward pass", e))
    }

    /// The layer's precision.
    pub fn precision(&self) -> Precision {
        self.precision
    }
}

struct LayerNorm {
    weight: Tensor,
    bias: Tensor,
}

struct Layer {
    qkv: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

/// BERT's forward pass over a loaded model's variables; see the [module](self) docs.
pub struct FastBert {
    word_embeddings: Tensor,
    position_embeddings: Tensor,
    token_type_embeddings: Tensor,
    embeddings_norm: LayerNorm,
    layers: Vec<Layer>,
    shape: BertShape,
    hidden: i64,
    precision: Precision,
}

lede_core::debug_fields!(FastBert {
    shape,
    hidden,
    precision
});

impl FastBert {
    /// Builds the pass from a variable map (a `VarStore`'s `variables()`), with every name
    /// under `prefix` (`""`, or `"bert."` for a model with a head). The tensors are shared with
    /// the map in fp32; int8 weights are new tensors.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming a missing variable, or for a shape that does not fit
    /// (hidden size not a multiple of the heads).
    pub fn from_variables(
        vars: &HashMap<String, Tensor>,
        prefix: &str,
        shape: BertShape,
        precision: Precision,
    ) -> Result<FastBert> {
        let get = |name: &str| -> Result<Tensor> {
            let full = format!("{prefix}{name}");
            vars.get(&full)
                .map(|t| t.detach())
                .ok_or_else(|| Error::InvalidInput(format!("the model has no variable {full}")))
        };
        let norm = |name: &str| -> Result<LayerNorm> {
            Ok(LayerNorm {
                weight: get(&format!("{name}.weight"))?,
                bias: get(&format!("{name}.bias"))?,
            })
        };
        let quantize = |e| Error::tch("quantizing the encoder's weights", e);
        let linear = |name: &str| -> Result<Linear> {
            Linear::new(
                get(&format!("{name}.weight"))?,
                get(&format!("{name}.bias"))?,
                precision,
            )
            .map_err(quantize)
        };
        let word_embeddings = get("embeddings.word_embeddings.weight")?;
        let hidden = word_embeddings.size().get(1).copied().unwrap_or(0);
        if shape.heads < 1 || hidden % shape.heads != 0 {
            return Err(Error::InvalidInput(format!(
                "hidden size {hidden} is not a multiple of {} heads",
                shape.heads
            )));
        }
        let mut layers = Vec::new();
        for i in 0..shape.layers {
            let p = format!("encoder.layer.{i}");
            let part = |n: &str, what: &str| get(&format!("{p}.attention.self.{n}.{what}"));
            let qkv_weight = Tensor::f_cat(
                &[
                    part("query", "weight")?,
                    part("key", "weight")?,
                    part("value", "weight")?,
                ],
                0,
            )
            .map_err(quantize)?;
            let qkv_bias = Tensor::f_cat(
                &[
                    part("query", "bias")?,
                    part("key", "bias")?,
                    part("value", "bias")?,
                ],
                0,
            )
            .map_err(quantize)?;
            layers.push(Layer {
                qkv: Linear::new(qkv_weight, qkv_bias, precision).map_err(quantize)?,
                attention_out: linear(&format!("{p}.attention.output.dense"))?,
                attention_norm: norm(&format!("{p}.attention.output.LayerNorm"))?,
                intermediate: linear(&format!("{p}.intermediate.dense"))?,
                output: linear(&format!("{p}.output.dense"))?,
                output_norm: norm(&format!("{p}.output.LayerNorm"))?,
            });
        }
        Ok(FastBert {
            word_embeddings,
            position_embeddings: get("embeddings.position_embeddings.weight")?,
            token_type_embeddings: get("embeddings.token_type_embeddings.weight")?,
            embeddings_norm: norm("embeddings.LayerNorm")?,
            layers,
            shape,
            hidden,
            precision,
        })
    }

    /// The linear layers' precision.
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// The last hidden states `[batch, seq, hidden]` for token ids and an attention mask
    /// (`[batch, seq]`, 1 for real tokens), positions from 0 and token type 0.
    ///
    /// # Errors
    /// [`Error::Tch`] when libtorch refuses the input (wrong shapes or ids).
    pub fn forward_ids(&self, input_ids: &Tensor, attention_mask: &Tensor) -> Result<Tensor> {
        let embeds = Tensor::f_embedding(&self.word_embeddings, input_ids, -1, false, false)
            .map_err(|e| Error::tch("embedding lookup", e))?;
        self.forward_embeds(&embeds, attention_mask)
    }

    /// The last hidden states for input embeddings `[batch, seq, hidden]` given in place of
    /// the word embeddings (positions and token type 0 are added here, as in rust-bert).
    ///
    /// # Errors
    /// [`Error::Tch`] when libtorch refuses the input.
    pub fn forward_embeds(&self, embeds: &Tensor, attention_mask: &Tensor) -> Result<Tensor> {
        Ok(self.forward_embeds_keeping(embeds, attention_mask, None)?.0)
    }

    /// As [`Self::forward_embeds`], and with `keep = Some(k)` also the hidden states after the
    /// first `k` layers (`k` = 0: the embeddings; `None` when `k` exceeds the layers).
    ///
    /// # Errors
    /// As [`Self::forward_embeds`].
    pub fn forward_embeds_keeping(
        &self,
        embeds: &Tensor,
        attention_mask: &Tensor,
        keep: Option<usize>,
    ) -> Result<(Tensor, Option<Tensor>)> {
        let _guard = tch::no_grad_guard();
        let run = || -> std::result::Result<(Tensor, Option<Tensor>), tch::TchError> {
            let size = embeds.size();
            let (batch, seq) = (size[0], size[1]);
            let positions = Tensor::f_arange(seq, (Kind::Int64, embeds.device()))?;
            let pos = Tensor::f_embedding(&self.position_embeddings, &positions, -1, false, false)?;
            let token_type = self.token_type_embeddings.f_get(0)?;
            let x = embeds.f_add(&pos)?.f_add(&token_type)?;
            let mut x = self.norm(&x, &self.embeddings_norm)?;
            // 0 where attended, -10000 where masked, as rust-bert does.
            let additive = (attention_mask.f_to_kind(Kind::Float)?.f_neg()? + 1.0)
                .f_mul_scalar(-10000.0)?
                .f_view([batch, 1, 1, seq])?;
            let heads = self.shape.heads;
            let head_dim = self.hidden / heads;
            let scale = 1.0 / (head_dim as f64).sqrt();
            let mut kept = None;
            for (done, layer) in self.layers.iter().enumerate() {
                if keep == Some(done) {
                    kept = Some(x.shallow_clone());
                }
                let qkv = layer
                    .qkv
                    .forward(&x)?
                    .f_view([batch, seq, 3, heads, head_dim])?
                    .f_permute([2, 0, 3, 1, 4])?;
                let (q, k, v) = (qkv.f_get(0)?, qkv.f_get(1)?, qkv.f_get(2)?);
                let scores = q
                    .f_mul_scalar(scale)?
                    .f_matmul(&k.f_transpose(-1, -2)?)?
                    .f_add(&additive)?;
                let probs = scores.f_softmax(-1, Kind::Float)?;
                let context = probs
                    .f_matmul(&v)?
                    .f_transpose(1, 2)?
                    .f_contiguous()?
                    .f_view([batch, seq, self.hidden])?;
                let attended = layer.attention_out.forward(&context)?.f_add(&x)?;
                let attended = self.norm(&attended, &layer.attention_norm)?;
                let inner = self
                    .shape
                    .activation
                    .apply(&layer.intermediate.forward(&attended)?)?;
                let out = layer.output.forward(&inner)?.f_add(&attended)?;
                x = self.norm(&out, &layer.output_norm)?;
            }
            if keep == Some(self.layers.len()) {
                kept = Some(x.shallow_clone());
            }
            Ok((x, kept))
        };
        let size = embeds.size();
        if size.len() != 3 || size[2] != self.hidden || attention_mask.size() != size[..2] {
            return Err(Error::InvalidInput(format!(
                "embeddings of shape {size:?} and mask of shape {:?}; expected [batch, seq, {}] \
                 and [batch, seq]",
                attention_mask.size(),
                self.hidden
            )));
        }
        if size[1] > self.position_embeddings.size()[0] {
            return Err(Error::InvalidInput(format!(
                "sequence of {} tokens is longer than the model's {} positions",
                size[1],
                self.position_embeddings.size()[0]
            )));
        }
        run().map_err(|e| Error::tch("fast BERT forward pass", e))
    }

    fn norm(&self, x: &Tensor, n: &LayerNorm) -> std::result::Result<Tensor, tch::TchError> {
        x.f_layer_norm(
            [self.hidden],
            Some(&n.weight),
            Some(&n.bias),
            self.shape.eps,
            false,
        )
    }
}
