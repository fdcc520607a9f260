//! The shared sentence encoder: a transformer encoder + pooling + L2 normalisation, as
//! sentence-transformers' all-MiniLM-L6-v2 does it.

use ndarray::Array2;
use tch::{Device, Kind, Tensor};

use crate::encoder::{load_encoder_with, TransformerEncoder};
use crate::fast::Precision;
use crate::files::{ModelFiles, Pooling};
use crate::spec::{ModelSpec, ResolveOptions};
use crate::subwords::{max_id, subword_encoder};
use crate::{Error, Result};
use lede_tokenize::{Subword, SubwordEncoder, SubwordSequence};

/// Token-level hidden states of one text.
#[derive(Debug, Clone)]
pub struct TokenStates {
    /// The text's subwords (special tokens excluded), each with its word token and its span
    /// (byte and char offsets) in the text; only those that fit the model's length are kept.
    pub subwords: Vec<Subword>,
    /// One row per subword: the encoder's last hidden state.
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
    subwords: SubwordEncoder,
    tokenizer_path: std::path::PathBuf,
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
    precision: Precision,
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
            precision: Precision::Fp32,
        }
    }
}

impl SentenceEmbedderBuilder {
    lede_core::setters! {
        /// The model (default: `minilm`).
        pub fn model(model: impl Into<ModelSource>) => model = model.into();
        /// Where and how to resolve the model.
        pub fn resolve_options(options: ResolveOptions) => options = options;
        /// The device (default CPU).
        pub fn device(device: Device) => device = device;
        /// Texts per forward pass (default 32).
        pub fn batch_size(n: usize) => batch_size = n.max(1);
        /// Longest input in tokens, special tokens included (default: the model's
        /// `max_seq_length`, else its position limit).
        pub fn max_len(n: usize) => max_len = Some(n);
        /// Runs only the first `n` transformer layers (an early exit: about `n / layers` of the
        /// full cost; the states of the last layer run are pooled). Default: all of them. The
        /// weights of the later layers are read and left unused.
        pub fn layers(n: usize) => layers = Some(n);
        /// The encoder's linear layers in fp32 (the default) or int8 (BERT models only; see
        /// [`crate::fast`]).
        pub fn precision(precision: Precision) => precision = precision;
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
        let subwords = subword_encoder(&files)?;
        let mut loaded = load_encoder_with(
            &files,
            self.device,
            |_, _| Ok(()),
            &[],
            true,
            self.layers.is_some(),
        )?;
        // fp32 keeps rust-bert's pass (lede-models' own is no faster in fp32 here).
        if self.precision != Precision::Fp32 {
            loaded.encoder.set_precision(&loaded.vs, self.precision)?;
        }
        check_vocab(&subwords, &loaded.encoder, &files)?;
        let limit = loaded.encoder.max_positions();
        let max_len = self
            .max_len
            .or(files.max_seq_length)
            .or(files.tokenizer_config.model_max_length)
            .unwrap_or(limit)
            .min(limit);
        if max_len <= subwords.special_tokens() {
            return Err(Error::config(
                &files.config_path,
                format!("a maximum length of {max_len} leaves no room for text"),
            ));
        }
        Ok(SentenceEmbedder {
            _vs: loaded.vs,
            encoder: loaded.encoder,
            subwords,
            tokenizer_path: files.tokenizer.path().to_path_buf(),
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

/// Checks that every id the subword encoder can produce has an embedding.
///
/// # Errors
/// [`Error::ConfigMismatch`] naming the tokenizer file and `config.json`.
pub fn check_vocab(
    subwords: &SubwordEncoder,
    encoder: &TransformerEncoder,
    files: &ModelFiles,
) -> Result<()> {
    let max = max_id(subwords);
    if i64::from(max) >= encoder.vocab_size() {
        return Err(Error::ConfigMismatch {
            path: files.tokenizer.path().to_path_buf(),
            config: files.config_path.clone(),
            message: format!(
                "the tokenizer has ids up to {max} but vocab_size is {}",
                encoder.vocab_size()
            ),
        });
    }
    Ok(())
}

fn tok_err(files_path: &std::path::Path, e: lede_tokenize::Error) -> Error {
    Error::Tokenizer {
        path: files_path.to_path_buf(),
        source: Box::new(e),
    }
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

    /// The subword encoder.
    pub fn subwords(&self) -> &SubwordEncoder {
        &self.subwords
    }

    /// The encoder.
    pub fn encoder(&self) -> &TransformerEncoder {
        &self.encoder
    }

    /// The pooling in use.
    pub fn pooling(&self) -> Pooling {
        self.pooling
    }

    /// Most subwords of text one input holds (the maximum length less the special tokens).
    pub fn max_content(&self) -> usize {
        self.max_len - self.subwords.special_tokens()
    }

    /// `content` truncated to what fits, with the special tokens around it.
    fn wrap(&self, content: &[Subword]) -> Result<SubwordSequence> {
        let n = content.len().min(self.max_content());
        self.subwords
            .wrap(&content[..n])
            .map_err(|e| tok_err(&self.tokenizer_path, e))
    }

    fn sequence(&self, text: &str) -> Result<SubwordSequence> {
        let encoding = self
            .subwords
            .encode(text)
            .map_err(|e| tok_err(&self.tokenizer_path, e))?;
        let content: Vec<Subword> = encoding
            .sequence
            .subwords
            .into_iter()
            .filter(|s| !s.special)
            .collect();
        self.wrap(&content)
    }

    /// Runs batches of sequences; calls `each(index, hidden [seq, dim] incl. specials, len)`
    /// for every sequence.
    fn run(
        &self,
        seqs: &[SubwordSequence],
        mut each: impl FnMut(usize, &Tensor, usize) -> Result<()>,
    ) -> Result<()> {
        // Longest first, so that each batch pads little.
        let mut order: Vec<usize> = (0..seqs.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(seqs[i].len()));
        for chunk in order.chunks(self.batch_size) {
            let ids: Vec<Vec<u32>> = chunk.iter().map(|&i| seqs[i].ids.clone()).collect();
            let (ids_t, mask) =
                TransformerEncoder::batch_tensors(&ids, self.subwords.pad_id(), self.device);
            let hidden = tch::no_grad(|| self.encoder.forward(&ids_t, &mask, false))?;
            for (row, &i) in chunk.iter().enumerate() {
                let h = hidden
                    .f_get(row as i64)
                    .map_err(|e| Error::tch("selecting a batch row", e))?;
                each(i, &h, ids[row].len())?;
            }
        }
        Ok(())
    }

    /// Pools and normalises each sequence's states into a `[sequences, dim]` array.
    fn pool(&self, seqs: &[SubwordSequence]) -> Result<Array2<f32>> {
        let dim = self.dim();
        let mut out = Array2::<f32>::zeros((seqs.len(), dim));
        self.run(seqs, |i, h, len| {
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

    /// One L2-normalised vector per text, as rows of a `[texts, dim]` array.
    ///
    /// # Errors
    /// Tokenizer and model errors.
    pub fn embed(&self, texts: &[&str]) -> Result<Array2<f32>> {
        let seqs: Vec<SubwordSequence> = texts
            .iter()
            .map(|t| self.sequence(t))
            .collect::<Result<_>>()?;
        self.pool(&seqs)
    }

    /// One L2-normalised vector per sequence of already-computed subword ids (the ids of
    /// this embedder's [`subwords`](Self::subwords) encoder, without special tokens, for
    /// instance a sentence's per-word pieces kept on a document): the encoder's special
    /// tokens are added and each sequence is truncated to [`max_len`](Self::max_len), so that
    /// the ids of a text's subwords give the same vector as [`embed`](Self::embed) of the
    /// text.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an id outside the model's vocabulary; model errors.
    pub fn embed_ids<S: AsRef<[u32]>>(&self, sequences: &[S]) -> Result<Array2<f32>> {
        let vocab = self.encoder.vocab_size();
        let seqs: Vec<SubwordSequence> = sequences
            .iter()
            .map(|ids| {
                let ids = ids.as_ref();
                if let Some(bad) = ids.iter().find(|&&id| i64::from(id) >= vocab) {
                    return Err(Error::InvalidInput(format!(
                        "subword id {bad} is outside the vocabulary of {vocab}"
                    )));
                }
                let n = ids.len().min(self.max_content());
                self.subwords
                    .wrap_ids(&ids[..n])
                    .map_err(|e| tok_err(&self.tokenizer_path, e))
            })
            .collect::<Result<_>>()?;
        self.pool(&seqs)
    }

    /// Token-level hidden states of each text (special tokens dropped), truncated at
    /// [`SentenceEmbedder::max_len`].
    ///
    /// # Errors
    /// Tokenizer and model errors.
    pub fn token_states(&self, texts: &[&str]) -> Result<Vec<TokenStates>> {
        let dim = self.dim();
        let seqs: Vec<SubwordSequence> = texts
            .iter()
            .map(|t| self.sequence(t))
            .collect::<Result<_>>()?;
        let mut out: Vec<Option<TokenStates>> = (0..texts.len()).map(|_| None).collect();
        self.run(&seqs, |i, h, _| {
            let seq = &seqs[i];
            let skip = seq.subwords.iter().take_while(|s| s.special).count();
            let subwords: Vec<Subword> = seq
                .subwords
                .iter()
                .filter(|s| !s.special)
                .cloned()
                .collect();
            let n = subwords.len();
            let rows = h
                .f_narrow(0, skip as i64, n as i64)
                .map_err(|e| Error::tch("selecting token states", e))?;
            let v = tensor_to_vec(&rows, "hidden states")?;
            let hidden = Array2::from_shape_vec((n, dim), v)
                .map_err(|e| Error::InvalidInput(format!("hidden states: {e}")))?;
            if let Some(slot) = out.get_mut(i) {
                *slot = Some(TokenStates { subwords, hidden });
            }
            Ok(())
        })?;
        Ok(out
            .into_iter()
            .map(|o| {
                o.unwrap_or_else(|| TokenStates {
                    subwords: Vec::new(),
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
