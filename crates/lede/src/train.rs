//! `lede train ner`: trains lede's offline NER model (lede-ner-minilm's format) from JSON Lines
//! of text with entity spans, on the packaged MiniLM or another BERT-style base.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use lede::models::{ModelSpec, ResolveOptions};
use lede::ner::offline::{console_progress, train, TrainConfig};

/// Training commands.
#[derive(Debug, Subcommand)]
pub(crate) enum TrainCommand {
    /// Train an offline NER model (MiniLM backbone, word-shape features, BIO tagging with
    /// Viterbi decoding). Training data: JSON Lines `{"id": "...", "text": "...", "entities":
    /// [{"start": char, "end": char, "label": "PERSON"}], "ignore": [{"start": char, "end":
    /// char}]}` (char offsets, end exclusive; `ignore` optional). Writes `config.json` and
    /// `weights.safetensors` (deltas against the base) into --out; `lede analyze --models
    /// DIR` then uses it. Prints a JSON report on stdout, progress on stderr.
    Ner(TrainNerArgs),
}

#[derive(Debug, Args)]
pub(crate) struct TrainNerArgs {
    /// Training data (JSON Lines).
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    /// Development data for choosing the best epoch (JSON Lines); without it the last epoch
    /// is kept.
    #[arg(long, value_name = "FILE")]
    dev: Option<PathBuf>,
    /// The base model: `minilm` (the packaged all-MiniLM-L6-v2) or a BERT-style directory.
    #[arg(long, default_value = "minilm", value_name = "SPEC")]
    base: String,
    /// Output directory of the trained model.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Passes over the training data.
    #[arg(long, value_name = "N")]
    epochs: Option<usize>,
    /// Random seed (weights, shuffling, dropout).
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Windows per optimisation step.
    #[arg(long, value_name = "N")]
    batch: Option<usize>,
    /// Learning rate of the encoder layers.
    #[arg(long, value_name = "F")]
    lr_encoder: Option<f64>,
    /// Learning rate of the shape embeddings and the tagging head.
    #[arg(long, value_name = "F")]
    lr_head: Option<f64>,
    /// Share of the steps spent warming the learning rate up (0 to 1).
    #[arg(long, value_name = "F")]
    warmup: Option<f64>,
    /// Longest window in word pieces.
    #[arg(long, value_name = "N")]
    max_len: Option<usize>,
    /// libtorch threads.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Encoder layers to fine-tune, comma-separated (e.g. `3,4,5`); the others stay frozen
    /// [default: every layer kept].
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    layers: Option<Vec<i64>>,
    /// Keep only the base's first N encoder layers: a smaller, faster model [default: all].
    #[arg(long, value_name = "N")]
    encoder_layers: Option<usize>,
    /// Most word pieces two consecutive windows share (context at a window's edge).
    #[arg(long, value_name = "N")]
    stride: Option<usize>,
    /// Entity types to learn, comma-separated (default: the OntoNotes types seen at least
    /// --min-type-count times in the training data).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    types: Option<Vec<String>>,
    /// With the default types, how often a type must occur in the training data to be
    /// learned.
    #[arg(long, value_name = "N")]
    min_type_count: Option<usize>,
    /// Use only the first N training documents (for quick trials).
    #[arg(long, value_name = "N")]
    max_docs: Option<usize>,
    /// Resolve the base without network access.
    #[arg(long)]
    offline: bool,
}

pub(crate) fn run(cmd: TrainCommand) -> Result<()> {
    match cmd {
        TrainCommand::Ner(a) => train_ner(a),
    }
}

/// For each `field: option` pair, sets `$cfg.field` to the command-line option `$args.option`
/// when it was given (wrapped in `Some` for optional fields), and keeps the default otherwise.
macro_rules! given_or_default {
    ($cfg:ident, $args:ident, { $($field:ident: $opt:ident),* $(,)? }) => {
        $(
            if let Some(value) = $args.$opt {
                $cfg.$field = value.into();
            }
        )*
    };
}

fn train_ner(a: TrainNerArgs) -> Result<()> {
    if !a.data.is_file() {
        bail!("training data {} is not a file", a.data.display());
    }
    if let Some(dev) = &a.dev {
        if !dev.is_file() {
            bail!("development data {} is not a file", dev.display());
        }
    }
    let resolve = ResolveOptions::from_env().offline(a.offline);
    let spec = ModelSpec::parse(&a.base)
        .with_context(|| format!("cannot read the base model spec {:?}", a.base))?;
    let base = spec
        .locate(&resolve)
        .with_context(|| format!("cannot find the base model {:?}", a.base))?;
    let mut cfg = TrainConfig::new(&a.data, &base, &a.out);
    if spec != ModelSpec::MiniLm {
        cfg.base_id = a.base.clone();
    }
    cfg.dev_data = a.dev;
    // Options not given keep the defaults the shipped model was trained with.
    given_or_default!(cfg, a, {
        epochs: epochs,
        seed: seed,
        batch_size: batch,
        lr_encoder: lr_encoder,
        lr_head: lr_head,
        warmup: warmup,
        max_len: max_len,
        threads: threads,
        trained_layers: layers,
        encoder_layers: encoder_layers,
        stride: stride,
        entity_types: types,
        min_type_count: min_type_count,
    });
    cfg.max_docs = a.max_docs;
    let report = train(&cfg, &mut console_progress()).context("training failed")?;
    // The report's own JSON form of the dev scores (`tp`, `fp`, `fn_`, `precision`, ...).
    let best_dev = serde_json::to_value(&report)?["best_dev"].take();
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({
            "out": report.out_dir,
            "best_epoch": report.best_epoch,
            "best_dev": best_dev,
            "seconds": report.seconds,
            "weights_bytes": report.weights_bytes,
        }))?
    );
    Ok(())
}
