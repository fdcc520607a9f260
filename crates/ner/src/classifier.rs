//! Token classifiers: the model part of transformer NER, behind a trait so that other models
//! (lede's offline model, a model with extra features) plug into the same windowing,
//! aggregation and decoding.

use lede_models::{
    check_vocab, load_encoder, subword_encoder, Architecture, Device, LabelMap, ModelFiles,
    TransformerEncoder,
};
use lede_tokenize::{SubwordEncoder, Window};
use ndarray::Array2;
use tch::nn::{self, Module};
use tch::Kind;

use crate::error::{Error, Result};

/// A model that gives every subword of a window a distribution over labels.
///
/// [`crate::TransformerNer`] does the rest: words to windows (with the classifier's
/// [`SubwordEncoder`], [`SubwordEncoder::windows_of_words`]), windows to words, words to
/// mentions. Implementations are `Send` (one per worker thread), not necessarily `Sync`.
pub trait TokenClassifier: Send {
    /// A short name for provenance (`analysis.models.ner`).
    fn name(&self) -> String;

    /// The labels, in the order of the probabilities [`TokenClassifier::classify`] returns.
    fn labels(&self) -> &LabelMap;

    /// Longest window the model takes, in subwords, special tokens included.
    fn max_len(&self) -> usize;

    /// The subword encoder whose windows the model reads (its special tokens count against
    /// [`TokenClassifier::max_len`]).
    fn subwords(&self) -> &SubwordEncoder;

    /// For each window (made by [`TokenClassifier::subwords`] over word tokens of `text`, at
    /// most `max_len()` positions long), an array `[window.sequence.len(), labels]` of
    /// probabilities: one row per position of the window's sequence, special tokens
    /// included (their rows are not read). Subword spans point into `text`.
    ///
    /// # Errors
    /// Model failures.
    fn classify(&self, text: &str, windows: &[Window]) -> Result<Vec<Array2<f32>>>;
}

/// The Hugging Face token-classification models rust-bert can run: BERT, DistilBERT,
/// RoBERTa, XLM-RoBERTa, ELECTRA (`<prefix>.*` encoder + `classifier` linear head), with the
/// label map from `config.json`'s `id2label`.
pub struct HfTokenClassifier {
    _vs: nn::VarStore,
    encoder: TransformerEncoder,
    head: nn::Linear,
    subwords: SubwordEncoder,
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
        let subwords = subword_encoder(files)?;
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
        check_vocab(&subwords, &loaded.encoder, files)?;
        Ok(HfTokenClassifier {
            _vs: loaded.vs,
            encoder: loaded.encoder,
            head: loaded.head,
            subwords,
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

    /// The subword encoder.
    pub fn subwords(&self) -> &SubwordEncoder {
        &self.subwords
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

    fn subwords(&self) -> &SubwordEncoder {
        &self.subwords
    }

    fn classify(&self, _text: &str, windows: &[Window]) -> Result<Vec<Array2<f32>>> {
        let k = self.labels.len();
        let mut out = Vec::with_capacity(windows.len());
        for chunk in windows.chunks(self.batch_size) {
            let seqs: Vec<Vec<u32>> = chunk.iter().map(|w| w.sequence.ids.clone()).collect();
            let (ids, mask) =
                TransformerEncoder::batch_tensors(&seqs, self.subwords.pad_id(), self.device);
            let probs = tch::no_grad(|| -> Result<tch::Tensor> {
                let hidden = self.encoder.forward(&ids, &mask, false)?;
                self.head
                    .forward(&hidden)
                    .f_softmax(-1, Kind::Float)
                    .and_then(|t| t.f_to_device(Device::Cpu))
                    .map_err(|e| Error::tch("token classification", e))
            })?;
            for (row, seq) in seqs.iter().enumerate() {
                let n = seq.len();
                let rows = probs
                    .f_get(row as i64)
                    .and_then(|t| t.f_narrow(0, 0, n as i64))
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
