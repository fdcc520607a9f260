//! # lede-models
//!
//! Model specs, file resolution and validation, and the rust-bert/libtorch runtime of
//! [lede](https://github.com/lede-nlp/lede). The only crate that knows where model files live.
//!
//! * [`ModelSpec`]: how users name a model: `minilm` (the packaged all-MiniLM-L6-v2), a
//!   project model under `models/` (`lede-ner-minilm`), a local Hugging Face directory, or a
//!   hub id (`dbmdz/bert-large-cased-finetuned-conll03-english`, downloaded only with the
//!   `remote` cargo feature and not `--offline`).
//! * [`ModelFiles`]: the validated result of resolution: architecture (from `model_type`),
//!   label map (`id2label`), weights, tokenizer.
//! * [`ModelSet`]: which model each task uses, from a TOML manifest (the built-in `offline`,
//!   the default, and `standard`, compiled in from the crate's `manifests/`; a checkout's
//!   `models/` directory holds byte-identical copies that `--models NAME` reads first).
//! * [`weights::load`]: a strict loader that checks every tensor's name and shape against the
//!   config, so that a missing, truncated or mismatched file is one clear [`Error`] naming the
//!   file, never a panic or a libtorch abort.
//! * [`ThreadPlan`]: the one place that decides model instances and libtorch threads.
//! * [`TransformerEncoder`] (BERT, RoBERTa, XLM-R, DistilBERT, ELECTRA) and
//!   [`SentenceEmbedder`], the MiniLM sentence encoder (implements
//!   [`lede_core::SentenceEncoder`]), with token-level hidden states for later scoring.
//! * [`subword_encoder`]: the [`lede_tokenize::SubwordEncoder`] of a model, from its
//!   `tokenizer.json`, `vocab.txt`, `vocab.json` + `merges.txt` or XLM-R SentencePiece file:
//!   the one subword encoder of the workspace, aligned to word tokens and to the text.
//! * `testing` (cargo feature): tiny random models of each architecture for tests.
//!
//! ```no_run
//! use lede_models::{ModelSet, ModelSpec, ResolveOptions, Task};
//!
//! let options = ResolveOptions::from_env().offline(true);
//! let set = ModelSet::load("offline", &options.locations)?;
//! let encoder = set.task(Task::Encoder).and_then(|t| t.spec().transpose()).transpose()?;
//! let files = encoder.unwrap_or(ModelSpec::MiniLm).resolve(&options)?;
//! println!("{} is a {} with {} weights file(s)", files.name, files.architecture, files.weights.len());
//! # Ok::<(), lede_models::Error>(())
//! ```
#![deny(missing_docs)]

mod embedder;
mod encoder;
mod error;
pub mod fast;
mod files;
mod paths;
mod remote;
pub mod runtime;
mod set;
mod spec;
mod subwords;
pub mod weights;

#[cfg(feature = "testing")]
pub mod testing;

pub use embedder::{
    check_vocab, ModelSource, SentenceEmbedder, SentenceEmbedderBuilder, TokenStates,
};
pub use encoder::{load_encoder, load_encoder_with, Loaded, TransformerEncoder};
pub use error::{Error, Result};
pub use files::{
    Architecture, LabelMap, ModelFiles, Pooling, TokenizerConfig, TokenizerFiles, WeightsFile,
    PROJECT_MANIFEST,
};
pub use paths::{built_in_checkout, Locations, CACHE_DIR_ENV, MINILM_DIR_NAME, MODELS_DIR_ENV};
pub use runtime::ThreadPlan;
pub use set::{ModelSet, Task, TaskModel, OFFLINE_MANIFEST, STANDARD_MANIFEST};
pub use spec::{ModelSpec, ResolveOptions};
pub use subwords::subword_encoder;
pub use tch::Device;
pub use weights::WeightsFormat;

// Compile-time proof that the model types can move to a worker thread.
lede_core::assert_send!(
    TransformerEncoder,
    SentenceEmbedder,
    ModelFiles,
    Loaded<tch::nn::Linear>,
);
