//! # lede-ner
//!
//! Named-entity recognition for [lede](https://github.com/lede-nlp/lede).
//!
//! * [`TransformerNer`]: Hugging Face token-classification models (BERT, DistilBERT,
//!   RoBERTa, XLM-RoBERTa, ELECTRA) through rust-bert, with label maps from `config.json`
//!   (`id2label`; BIO, IOB1, BIOES and IO schemes), long texts in overlapping windows merged
//!   without cut or duplicated entities, subword predictions aggregated to words
//!   ([`Aggregation`]) and decoded ([`Decoding`]) to [`lede_core::Mention`]s with a score and
//!   exact byte and char offsets. Implements [`lede_core::EntityRecognizer`].
//! * [`TokenClassifier`]: the model behind it, a trait so other models plug into the same
//!   windowing and decoding; [`HfTokenClassifier`] is the rust-bert implementation.
//! * [`offline`]: lede's own offline model on the MiniLM backbone (`lede-ner-minilm`).
//! * [`load_recognizer`]: picks the right recognizer for a model spec (a Hugging Face
//!   directory or hub id → [`TransformerNer`]; a lede offline model → [`offline::OfflineNer`]).
//! * [`cluster`]: mentions into entities. [`eval`]: precision, recall and F1.
//!
//! ```no_run
//! use lede_core::{AnnotatedDocument, Document, EntityRecognizer};
//! use lede_ner::{load_recognizer, NerOptions};
//! use lede_models::ModelSpec;
//!
//! let ner = load_recognizer(&ModelSpec::parse("path/to/hf-ner-model")?, &NerOptions::default())?;
//! let doc = AnnotatedDocument::new(Document::new("d1", "Ales Bialiatski was freed in Minsk."));
//! for m in ner.recognize(&doc)? {
//!     assert_eq!(m.span.slice(doc.text()), Some(m.text.as_str()));
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod classifier;
pub mod cluster;
mod error;
pub mod eval;
mod labels;
pub mod offline;
mod transformer;

use std::path::Path;

use lede_core::EntityRecognizer;
use lede_models::{Device, ModelSpec, ResolveOptions};

pub use classifier::{HfTokenClassifier, TokenClassifier};
pub use error::{Error, Result};
pub use labels::{choose_tags, read_entities, Decoding, LabelScheme, Position, Tag, WordEntity};
pub use transformer::{Aggregation, TransformerNer, TransformerNerBuilder};

/// Settings for [`load_recognizer`].
#[derive(Debug, Clone)]
pub struct NerOptions {
    /// How specs resolve (offline mode, search locations).
    pub resolve: ResolveOptions,
    /// Subword-to-word aggregation (transformer models).
    pub aggregation: Aggregation,
    /// Tag decoding (transformer models).
    pub decoding: Decoding,
    /// Window `(max_len, stride)` in tokens; `None`: the model's default.
    pub window: Option<(usize, usize)>,
    /// Windows per forward pass.
    pub batch_size: usize,
    /// The device.
    pub device: Device,
    /// Drop mentions scoring below this.
    pub min_score: f32,
    /// The offline model's encoder precision (default int8; see
    /// [`offline::OfflineNerBuilder::precision`]). Hugging Face models run in fp32.
    pub precision: offline::Precision,
}

impl Default for NerOptions {
    fn default() -> Self {
        NerOptions {
            resolve: ResolveOptions::default(),
            aggregation: Aggregation::First,
            decoding: Decoding::Greedy,
            window: None,
            batch_size: 8,
            device: Device::Cpu,
            min_score: 0.0,
            precision: offline::DEFAULT_PRECISION,
        }
    }
}

/// Whether `dir` holds a lede offline NER model (its `config.json` has a `format` of
/// `lede-ner…`) rather than a Hugging Face model.
pub fn is_offline_model(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("config.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v.get("format")?.as_str().map(|f| f.starts_with("lede-ner")))
        .unwrap_or(false)
}

/// The recognizer for a model spec: lede's offline model (its base, the packaged MiniLM,
/// is resolved too) or a Hugging Face token-classification model.
///
/// # Errors
/// [`Error::Model`] when the model (or the offline model's base) cannot be found or its files
/// are bad, naming the file and what to run; [`Error::Offline`]; [`Error::Labels`].
pub fn load_recognizer(
    spec: &ModelSpec,
    options: &NerOptions,
) -> Result<Box<dyn EntityRecognizer>> {
    let dir = spec.locate(&options.resolve)?;
    if is_offline_model(&dir) {
        let base = ModelSpec::MiniLm.locate(&options.resolve)?;
        let ner = offline::OfflineNer::builder(dir, base)
            .batch_size(options.batch_size)
            .min_score(options.min_score)
            .precision(options.precision)
            .build()?;
        return Ok(Box::new(ner));
    }
    let files = spec.resolve(&options.resolve)?;
    let mut b = TransformerNer::builder()
        .model(files)
        .aggregation(options.aggregation)
        .decoding(options.decoding)
        .batch_size(options.batch_size)
        .device(options.device)
        .min_score(options.min_score);
    if let Some((max_len, stride)) = options.window {
        b = b.window(max_len, stride);
    }
    Ok(Box::new(b.build()?))
}

/// Compile-time proof that the recognizers can move to worker threads.
#[allow(dead_code)]
fn assert_send() {
    fn is_send<T: Send>() {}
    is_send::<TransformerNer>();
    is_send::<HfTokenClassifier>();
    is_send::<Box<dyn TokenClassifier>>();
    is_send::<Error>();
}
