//! Token classifiers: the model part of transformer NER, behind a trait so that other models
//! (lede's offline model, a model with extra features) plug into the same windowing,
//! aggregation and decoding.

use lede_models::{
    load_encoder, Architecture, Device, LabelMap, ModelFiles, Piece, SubwordTokenizer,
    TransformerEncoder,
};
use ndarray::Array2;
use tch::nn::{self, Module};
use tch::Kind;

use crate::error::{Error, Result};

/// A model that gives every subword piece of a window a distribution over labels.
///
/// [`crate::TransformerNer`] does the rest: pieces to windows, windows to words, words to
/// mentions. Implementations are `Send` (one per worker thread), not necessarily `Sync`.
pub trait TokenClassifier: Send {
    /// A short name for provenance (`analysis.models.ner`).
    fn name(&self) -> String;

    /// The labels, in the order of the probabilities [`TokenClassifier::classify`] returns.
    fn labels(&self) -> &LabelMap;

    /// Longest window the model takes, in pieces, special tokens included.
    fn max_len(&self) -> usize;

    /// Number of special tokens the model adds around a window (`[CLS]` and `[SEP]`: 2).
    fn special_tokens(&self) -> usize;

    /// The pieces of `text`, with byte offsets into it. A piece that stands for no text (a
    /// marker the model inserts) has `start == end`.
    ///
    /// # Errors
    /// Tokenizer failures.
    fn encode(&self, text: &str) -> Result<Vec<Piece>>;

    /// For each window (a run of pieces from [`TokenClassifier::encode`], at most
    /// `max_len() - special_tokens()` long), an array `[window.len(), labels]` of
    /// probabilities.
    ///
    /// # Errors
    /// Model failures.
    fn classify(&self, windows: &[&[Piece]]) -> Result<Vec<Array2<f32>>>;
}

/// The Hugging Face token-classification models rust-bert can run: BERT, DistilBERT,
/// RoBERTa, XLM-RoBERTa, ELECTRA (`<prefix>.*` encoder + `classifier` linear head), with the
/// label map from `config.json`'s `id2label`.
pub struct HfTokenClassifier {
    _vs: nn::VarStore,
    encoder: TransformerEncoder,
    head: nn::Linear,
    tokenizer: SubwordTokenizer,
    labels: LabelMap,
    batch_size: usize,
    device: Device,
    name: String,
}

lede_core::debug_fields!(HfTokenClassifier {
    name,
    encoder,
    labels
});

impl HfTokenClassifier {
    /// Architectures supported.
    pub const ARCHITECTURES: [Architecture; 5] = Architecture::ENCODERS;

    /// Builds the model for resolved files and loads its weights (shape-checked).
    ///
    /// # Errors
    /// [`Error::Labels`] when `config.json` has no usable `id2label` (missing, or only the
    /// `LABEL_0, LABEL_1` placeholders of a model that was never fine-tuned);
    /// [`Error::Model`] for every file problem, naming the file.
    pub fn load(files: &ModelFiles, device: Device, batch_size: usize) -> Result<Self> {
        if !files.architecture.is_encoder() {
            return Err(lede_models::Error::UnknownArchitecture {
                path: files.config_path.clone(),
                model_type: files.architecture.model_type().to_string(),
                supported: format!(
                    "{} (for token classification)",
                    Architecture::list(&Self::ARCHITECTURES)
                ),
            }
            .into());
        }
        let labels = files.require_labels()?.clone();
        if labels.is_generic() {
            return Err(Error::Labels {
                path: files.config_path.clone(),
                message: "id2label has only placeholder names (LABEL_0, LABEL_1, ...): \
                          this is not a fine-tuned NER model"
                    .into(),
            });
        }
        let tokenizer = SubwordTokenizer::from_files(files)?;
        let n = labels.len() as i64;
        let loaded = load_encoder(
            files,
            device,
            |root, enc| {
                Ok(nn::linear(
                    root / "classifier",
                    enc.hidden_size(),
                    n,
                    Default::default(),
                ))
            },
            &[],
            true,
        )?;
        if i64::from(tokenizer.max_id()) >= loaded.encoder.vocab_size() {
            return Err(lede_models::Error::ConfigMismatch {
                path: tokenizer.path().to_path_buf(),
                config: files.config_path.clone(),
                message: format!(
                    "the tokenizer has ids up to {} but vocab_size is {}",
                    tokenizer.max_id(),
                    loaded.encoder.vocab_size()
                ),
            }
            .into());
        }
        Ok(HfTokenClassifier {
            _vs: loaded.vs,
            encoder: loaded.encoder,
            head: loaded.head,
            tokenizer,
            labels,
            batch_size: batch_size.max(1),
            device,
            name: files.name.clone(),
        })
    }

    /// The encoder.
    pub fn encoder(&self) -> &TransformerEncoder {
        &self.encoder
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &SubwordTokenizer {
        &self.tokenizer
    }
}

impl TokenClassifier for HfTokenClassifier {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn labels(&self) -> &LabelMap {
        &self.labels
    }

    fn max_len(&self) -> usize {
        self.encoder.max_positions()
    }

    fn special_tokens(&self) -> usize {
        self.tokenizer.num_special()
    }

    fn encode(&self, text: &str) -> Result<Vec<Piece>> {
        Ok(self.tokenizer.encode(text)?)
    }

    fn classify(&self, windows: &[&[Piece]]) -> Result<Vec<Array2<f32>>> {
        let k = self.labels.len();
        let skip = self.tokenizer.num_prefix() as i64;
        let mut out = Vec::with_capacity(windows.len());
        for chunk in windows.chunks(self.batch_size) {
            let seqs: Vec<Vec<u32>> = chunk
                .iter()
                .map(|w| {
                    self.tokenizer
                        .wrap(&w.iter().map(|p| p.id).collect::<Vec<_>>())
                })
                .collect();
            let (ids, mask) =
                TransformerEncoder::batch_tensors(&seqs, self.tokenizer.pad_id(), self.device);
            let probs = tch::no_grad(|| -> Result<tch::Tensor> {
                let hidden = self.encoder.forward(&ids, &mask, false)?;
                self.head
                    .forward(&hidden)
                    .f_softmax(-1, Kind::Float)
                    .and_then(|t| t.f_to_device(Device::Cpu))
                    .map_err(|e| Error::tch("token classification", e))
            })?;
            for (row, w) in chunk.iter().enumerate() {
                let n = w.len();
                let rows = probs
                    .f_get(row as i64)
                    .and_then(|t| t.f_narrow(0, skip, n as i64))
                    .and_then(|t| t.f_contiguous())
                    .and_then(|t| t.f_view([-1]))
                    .map_err(|e| Error::tch("reading probabilities", e))?;
                let v = Vec::<f32>::try_from(&rows)
                    .map_err(|e| Error::tch("reading probabilities", e))?;
                let a = Array2::from_shape_vec((n, k), v)
                    .map_err(|e| Error::InvalidInput(format!("probabilities: {e}")))?;
                out.push(a);
            }
        }
        Ok(out)
    }
}
