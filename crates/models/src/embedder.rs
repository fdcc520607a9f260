//! The shared sentence encoder: a transformer encoder + pooling + L2 normalisation, as
//! sentence-transformers' all-MiniLM-L6-v2 does it.

use ndarray::Array2;
use tch::{Device, Kind, Tensor};

use crate::encoder::{load_encoder_with, TransformerEncoder};
use crate::files::{ModelFiles, Pooling};
use crate::spec::{ModelSpec, ResolveOptions};
use crate::tokenizer::{Piece, SubwordTokenizer};
use crate::{Error, Result};

/// Token-level hidden states of one text.
#[derive(Debug, Clone)]
pub struct TokenStates {
    /// The text's pieces (special tokens excluded), with byte offsets into the text; only
    /// those that fit the model's length are kept.
    pub pieces: Vec<Piece>,
    /// One row per piece: the encoder's last hidden state.
    pub hidden: Array2<f32>,
}

/// Which model a builder loads.
#[derive(Debug, Clone)]
pub enum ModelSource {
    /// A spec string, parsed and resolved at `build()`.
    Name(String),
    /// A parsed spec, resolved at `build()`.
    Spec(ModelSpec),
    /// Already resolved files.
    Files(Box<ModelFiles>),
}

impl From<&str> for ModelSource {
    fn from(s: &str) -> Self {
        ModelSource::Name(s.to_string())
    }
}
impl From<String> for ModelSource {
    fn from(s: String) -> Self {
        ModelSource::Name(s)
    }
}
impl From<ModelSpec> for ModelSource {
    fn from(s: ModelSpec) -> Self {
        ModelSource::Spec(s)
    }
}
impl From<ModelFiles> for ModelSource {
    fn from(f: ModelFiles) -> Self {
        ModelSource::Files(Box::new(f))
    }
}
impl From<&std::path::Path> for ModelSource {
    fn from(p: &std::path::Path) -> Self {
        ModelSource::Spec(ModelSpec::Dir(p.to_path_buf()))
    }
}

impl ModelSource {
    /// Resolves to validated files.
    ///
    /// # Errors
    /// As [`ModelSpec::parse`] and [`ModelSpec::resolve`].
    pub fn resolve(self, options: &ResolveOptions) -> Result<ModelFiles> {
        match self {
            ModelSource::Name(s) => ModelSpec::parse(&s)?.resolve(options),
            ModelSource::Spec(s) => s.resolve(options),
            ModelSource::Files(f) => Ok(*f),
        }
    }
}

/// Sentence embeddings from a transformer encoder (by default the packaged all-MiniLM-L6-v2):
/// texts are tokenized, truncated at the model's `max_seq_length`, run in batches, pooled as
/// the model's `1_Pooling/config.json` says (mean over the attention mask for MiniLM) and
/// L2-normalised.
///
/// ```no_run
/// use lede_models::SentenceEmbedder;
/// let embedder = SentenceEmbedder::builder().model("minilm").build()?;
/// let vectors = embedder.embed(&["The cat sits on the mat", "A cat is sitting on a mat"])?;
/// let cosine: f32 = vectors.row(0).dot(&vectors.row(1));
/// assert!(cosine > 0.5);
/// # Ok::<(), lede_models::Error>(())
/// ```
pub struct SentenceEmbedder {
    _vs: tch::nn::VarStore,
    encoder: TransformerEncoder,
    tokenizer: SubwordTokenizer,
    pooling: Pooling,
    max_len: usize,
    batch_size: usize,
    device: Device,
    name: String,
}

lede_core::debug_fields!(SentenceEmbedder {
    name,
    encoder,
    pooling,
    max_len
});

/// Builder of a [`SentenceEmbedder`].
#[derive(Debug, Clone)]
pub struct SentenceEmbedderBuilder {
    model: ModelSource,
    options: ResolveOptions,
    device: Device,
    batch_size: usize,
    max_len: Option<usize>,
    layers: Option<usize>,
}

impl Default for SentenceEmbedderBuilder {
    fn default() -> Self {
        SentenceEmbedderBuilder {
            model: ModelSource::Spec(ModelSpec::MiniLm),
            options: ResolveOptions::default(),
            device: Device::Cpu,
            batch_size: 32,
            max_len: None,
            layers: None,
        }
    }
}

impl SentenceEmbedderBuilder {
    /// The model (default: `minilm`).
    pub fn model(mut self, model: impl Into<ModelSource>) -> Self {
        self.model = model.into();
        self
    }

    /// Where and how to resolve the model.
    pub fn resolve_options(mut self, options: ResolveOptions) -> Self {
        self.options = options;
        self
    }

    /// The device (default CPU).
    pub fn device(mut self, device: Device) -> Self {
        self.device = device;
        self
    }

    /// Texts per forward pass (default 32).
    pub fn batch_size(mut self, n: usize) -> Self {
        self.batch_size = n.max(1);
        self
    }

    /// Longest input in tokens, special tokens included (default: the model's
    /// `max_seq_length`, else its position limit).
    pub fn max_len(mut self, n: usize) -> Self {
        self.max_len = Some(n);
        self
    }

    /// Runs only the first `n` transformer layers (an early exit: about `n / layers` of the
    /// full cost; the states of the last layer run are pooled). Default: all of them. The
    /// weights of the later layers are read and left unused.
    pub fn layers(mut self, n: usize) -> Self {
        self.layers = Some(n);
        self
    }

    /// Resolves, validates and loads the model.
    ///
    /// # Errors
    /// Resolution, validation and loading errors of lede-models, naming the file at fault;
    /// [`Error::Config`] for `layers(0)` or more layers than the model has.
    pub fn build(self) -> Result<SentenceEmbedder> {
        let mut files = self.model.resolve(&self.options)?;
        if let Some(n) = self.layers {
            set_layers(&mut files, n)?;
        }
        let tokenizer = SubwordTokenizer::from_files(&files)?;
        let loaded = load_encoder_with(
            &files,
            self.device,
            |_, _| Ok(()),
            &[],
            true,
            self.layers.is_some(),
        )?;
        check_vocab(&tokenizer, &loaded.encoder, &files)?;
        let limit = loaded.encoder.max_positions();
        let max_len = self
            .max_len
            .or(files.max_seq_length)
            .or(files.tokenizer_config.model_max_length)
            .unwrap_or(limit)
            .min(limit);
        if max_len <= tokenizer.num_special() {
            return Err(Error::config(
                &files.config_path,
                format!("a maximum length of {max_len} leaves no room for text"),
            ));
        }
        Ok(SentenceEmbedder {
            _vs: loaded.vs,
            encoder: loaded.encoder,
            tokenizer,
            pooling: files.pooling.unwrap_or_default(),
            max_len,
            batch_size: self.batch_size,
            device: self.device,
            name: files.name.clone(),
        })
    }
}

/// Rewrites the loaded config so that the encoder is built with its first `n` layers.
fn set_layers(files: &mut crate::files::ModelFiles, n: usize) -> Result<()> {
    let key = ["num_hidden_layers", "n_layers"]
        .into_iter()
        .find(|k| files.config.get(k).is_some_and(serde_json::Value::is_u64));
    let Some(key) = key else {
        return Err(Error::config(
            &files.config_path,
            "no layer count (num_hidden_layers or n_layers) to cut",
        ));
    };
    let have = files
        .config
        .get(key)
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    if n == 0 || n as u64 > have {
        return Err(Error::config(
            &files.config_path,
            format!("cannot run {n} layers of a model with {have}"),
        ));
    }
    if let Some(v) = files.config.get_mut(key) {
        *v = serde_json::Value::from(n as u64);
    }
    Ok(())
}

pub(crate) fn check_vocab(
    tokenizer: &SubwordTokenizer,
    encoder: &TransformerEncoder,
    files: &ModelFiles,
) -> Result<()> {
    if i64::from(tokenizer.max_id()) >= encoder.vocab_size() {
        return Err(Error::ConfigMismatch {
            path: tokenizer.path().to_path_buf(),
            config: files.config_path.clone(),
            message: format!(
                "the tokenizer has ids up to {} but vocab_size is {}",
                tokenizer.max_id(),
                encoder.vocab_size()
            ),
        });
    }
    Ok(())
}

fn tensor_to_vec(t: &Tensor, what: &str) -> Result<Vec<f32>> {
    let flat = t
        .f_to_kind(Kind::Float)
        .and_then(|t| t.f_to_device(Device::Cpu))
        .and_then(|t| t.f_contiguous())
        .and_then(|t| t.f_view([-1]))
        .map_err(|e| Error::tch(format!("reading {what}"), e))?;
    Vec::<f32>::try_from(&flat).map_err(|e| Error::tch(format!("reading {what}"), e))
}

impl SentenceEmbedder {
    /// A builder (default model `minilm`).
    pub fn builder() -> SentenceEmbedderBuilder {
        SentenceEmbedderBuilder::default()
    }

    /// The model's name (its spec).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Width of the vectors.
    pub fn dim(&self) -> usize {
        self.encoder.hidden_size() as usize
    }

    /// Longest input in tokens, special tokens included.
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &SubwordTokenizer {
        &self.tokenizer
    }

    /// The encoder.
    pub fn encoder(&self) -> &TransformerEncoder {
        &self.encoder
    }

    /// The pooling in use.
    pub fn pooling(&self) -> Pooling {
        self.pooling
    }

    fn pieces(&self, text: &str) -> Result<Vec<Piece>> {
        let mut p = self.tokenizer.encode(text)?;
        p.truncate(self.max_len - self.tokenizer.num_special());
        Ok(p)
    }

    /// Runs batches of texts; calls `each(index, pieces, hidden [seq, dim] incl. specials,
    /// len)` for every text.
    fn run(
        &self,
        texts: &[&str],
        mut each: impl FnMut(usize, Vec<Piece>, &Tensor, usize) -> Result<()>,
    ) -> Result<()> {
        let pieces: Vec<Vec<Piece>> = texts
            .iter()
            .map(|t| self.pieces(t))
            .collect::<Result<_>>()?;
        // Longest first, so that each batch pads little.
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(pieces[i].len()));
        let mut pieces: Vec<Option<Vec<Piece>>> = pieces.into_iter().map(Some).collect();
        for chunk in order.chunks(self.batch_size) {
            let seqs: Vec<Vec<u32>> = chunk
                .iter()
                .map(|&i| {
                    let ids: Vec<u32> = pieces[i]
                        .as_ref()
                        .map(|p| p.iter().map(|x| x.id).collect())
                        .unwrap_or_default();
                    self.tokenizer.wrap(&ids)
                })
                .collect();
            let (ids, mask) =
                TransformerEncoder::batch_tensors(&seqs, self.tokenizer.pad_id(), self.device);
            let hidden = tch::no_grad(|| self.encoder.forward(&ids, &mask, false))?;
            for (row, &i) in chunk.iter().enumerate() {
                let h = hidden
                    .f_get(row as i64)
                    .map_err(|e| Error::tch("selecting a batch row", e))?;
                let p = pieces[i].take().unwrap_or_default();
                each(i, p, &h, seqs[row].len())?;
            }
        }
        Ok(())
    }

    /// One L2-normalised vector per text, as rows of a `[texts, dim]` array.
    ///
    /// # Errors
    /// Tokenizer and model errors.
    pub fn embed(&self, texts: &[&str]) -> Result<Array2<f32>> {
        let dim = self.dim();
        let mut out = Array2::<f32>::zeros((texts.len(), dim));
        self.run(texts, |i, _, h, len| {
            let pooled = h
                .f_narrow(0, 0, len as i64)
                .and_then(|h| match self.pooling {
                    Pooling::Mean => h.f_mean_dim(0, false, Kind::Float),
                    Pooling::Cls => h.f_get(0),
                    Pooling::Max => h.f_amax(0, false),
                })
                .and_then(|p| {
                    let norm = p.f_norm()?.f_clamp_min(1e-12)?;
                    p.f_div(&norm)
                })
                .map_err(|e| Error::tch("pooling", e))?;
            let v = tensor_to_vec(&pooled, "an embedding")?;
            if v.len() != dim {
                return Err(Error::InvalidInput(format!(
                    "embedding of width {} instead of {dim}",
                    v.len()
                )));
            }
            out.row_mut(i).iter_mut().zip(v).for_each(|(o, x)| *o = x);
            Ok(())
        })?;
        Ok(out)
    }

    /// Token-level hidden states of each text (special tokens dropped), truncated at
    /// [`SentenceEmbedder::max_len`].
    ///
    /// # Errors
    /// Tokenizer and model errors.
    pub fn token_states(&self, texts: &[&str]) -> Result<Vec<TokenStates>> {
        let dim = self.dim();
        let mut out: Vec<Option<TokenStates>> = (0..texts.len()).map(|_| None).collect();
        let skip = self.tokenizer.num_prefix() as i64;
        self.run(texts, |i, pieces, h, _| {
            let n = pieces.len();
            let rows = h
                .f_narrow(0, skip, n as i64)
                .map_err(|e| Error::tch("selecting token states", e))?;
            let v = tensor_to_vec(&rows, "hidden states")?;
            let hidden = Array2::from_shape_vec((n, dim), v)
                .map_err(|e| Error::InvalidInput(format!("hidden states: {e}")))?;
            if let Some(slot) = out.get_mut(i) {
                *slot = Some(TokenStates { pieces, hidden });
            }
            Ok(())
        })?;
        Ok(out
            .into_iter()
            .map(|o| {
                o.unwrap_or_else(|| TokenStates {
                    pieces: Vec::new(),
                    hidden: Array2::zeros((0, dim)),
                })
            })
            .collect())
    }
}

impl lede_core::SentenceEncoder for SentenceEmbedder {
    fn dim(&self) -> usize {
        SentenceEmbedder::dim(self)
    }

    fn encode(&self, texts: &[&str]) -> lede_core::Result<Vec<Vec<f32>>> {
        let a = self
            .embed(texts)
            .map_err(|e| lede_core::Error::task("sentence encoder", e))?;
        Ok(a.outer_iter().map(|r| r.to_vec()).collect())
    }
}
