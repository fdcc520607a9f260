//! lede's own offline NER model, `lede-ner-minilm`: all-MiniLM-L6-v2 fine-tuned for English
//! news NER with OntoNotes-style types, trained here in Rust on silver labels.
//!
//! * **Architecture.** rust-bert's `BertModel` over the MiniLM weights. MiniLM is uncased, so
//!   each WordPiece piece also gets a learned *word-shape* embedding ([`word_shape`]: `Xx`,
//!   `XX`, `xx`, digits, punctuation, sentence-initial, continuation piece) added to its input
//!   embedding. A linear head gives BIO tags; predictions are read at the first piece of each
//!   *word*: lede-tokenize's word tokens ("U.S.", "al-Qaida" are one word; possessive `'s` is
//!   its own), read from the document (`AnnotatedDocument::tokens`) and
//!   decoded with a constrained Viterbi pass ([`TagSet::viterbi`]: no `I-X` without `B-X`).
//! * **Storage.** A model directory holds `config.json` ([`ModelConfig`]) and
//!   `weights.safetensors`: for base tensors the fine-tuned value minus the base in half
//!   precision, plus the model's own tensors (shape embeddings, head). Loading reads the base
//!   MiniLM from its own directory, checks its SHA-256, and adds the deltas.
//! * **Training.** [`train`] reads JSONL with char offsets (see `scripts/ner/prepare.py`),
//!   prints nothing itself, and reports steps and epochs to a callback ([`console_progress`]
//!   draws an indicatif bar).
//! * **Inference.** [`OfflineNer`] implements [`lede_core::EntityRecognizer`]: long texts are
//!   cut into overlapping windows of word pieces planned by lede-tokenize
//!   ([`lede_tokenize::word_windows`], the same rules as every other windowed model in lede),
//!   the windows of one or several documents run in batches sorted by length, each word is
//!   predicted by exactly one window (the one where it has the most context), and mentions
//!   carry exact byte and char offsets and a score.
//! * **Size.** A model may keep only the first `encoder_layers` of its base's layers
//!   ([`TrainConfig::encoder_layers`]): fewer layers, proportionally less time per piece.
//!
//! ```no_run
//! use lede_ner::offline::{train, console_progress, TrainConfig, OfflineNer};
//!
//! let mut cfg = TrainConfig::new("train.jsonl", "/cache/all-MiniLM-L6-v2", "models/my-ner");
//! cfg.dev_data = Some("dev.jsonl".into());
//! let report = train(&cfg, &mut console_progress())?;
//! println!("best dev F1 {:?}", report.best_dev.map(|s| s.f1()));
//! let ner = OfflineNer::builder("models/my-ner", "/cache/all-MiniLM-L6-v2").build()?;
//! let mentions = ner.mentions("Ales Bialiatski was freed in Minsk.")?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod config;
mod decode;
mod error;
mod features;
mod infer;
mod model;
mod train;
mod words;

pub use config::{BaseModel, ModelConfig, CONFIG_FILE, FORMAT, STORAGE, WEIGHTS_FILE};
pub use decode::{TagSet, WordSpan};
pub use error::{OfflineError, Result};
pub use infer::{
    OfflineNer, OfflineNerBuilder, Precision, DEFAULT_PRECISION, TOKEN_VECTOR_LAYER, VALUE_TYPES,
};
pub use model::sha256_file;
pub use train::{
    read_examples, train, CharRange, EpochReport, Example, Scores, TrainConfig, TrainEvent,
    TrainReport, DEFAULT_TYPES,
};
pub use words::{sentence_starts, shape_ids, word_shape, SHAPE_VOCAB};

/// A progress callback for [`train`] that draws an indicatif bar per epoch and prints each
/// epoch's loss and dev scores to stderr.
pub fn console_progress() -> impl FnMut(&TrainEvent) {
    use indicatif::{ProgressBar, ProgressStyle};
    let mut bar: Option<ProgressBar> = None;
    let mut steps = 0u64;
    let mut epochs = 0usize;
    let mut loss_avg = 0.0f64;
    move |event: &TrainEvent| match event {
        TrainEvent::Start {
            epochs: e,
            steps_per_epoch,
            windows,
            words,
            types,
        } => {
            steps = *steps_per_epoch as u64;
            epochs = *e;
            eprintln!(
                "training: {windows} windows, {words} labelled words, {} steps/epoch, types {}",
                steps_per_epoch,
                types.join(" ")
            );
        }
        TrainEvent::Step { epoch, step, loss } => {
            let b = bar.get_or_insert_with(|| {
                let b = ProgressBar::new(steps);
                if let Ok(style) = ProgressStyle::with_template(
                    "{prefix} [{elapsed_precise}] {bar:30} {pos}/{len} {msg} (eta {eta})",
                ) {
                    b.set_style(style);
                }
                b
            });
            loss_avg = if *step == 1 {
                *loss
            } else {
                0.95 * loss_avg + 0.05 * loss
            };
            b.set_prefix(format!("epoch {epoch}/{epochs}"));
            b.set_position(*step as u64);
            b.set_message(format!("loss {loss_avg:.4}"));
            // Not a terminal (a log file, CI): a plain line now and then instead of the bar.
            if b.is_hidden() && (*step % 10 == 0 || *step as u64 == steps) {
                eprintln!("epoch {epoch}/{epochs} step {step}/{steps} loss {loss_avg:.4}");
            }
        }
        TrainEvent::Epoch(r) => {
            if let Some(b) = bar.take() {
                b.finish_and_clear();
            }
            let dev = r.dev.map_or(String::from("-"), |d| {
                format!(
                    "P {:.3} R {:.3} F1 {:.3}",
                    d.precision(),
                    d.recall(),
                    d.f1()
                )
            });
            eprintln!(
                "epoch {}/{}: loss {:.4}  dev {}  {:.0}s{}",
                r.epoch,
                epochs,
                r.loss,
                dev,
                r.seconds,
                if r.saved { "  (saved)" } else { "" }
            );
        }
    }
}
