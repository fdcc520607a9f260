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
    Ner(Box<TrainNerArgs>),
    /// Train the extractive summary's sentence scorer (a linear scorer over the hand-set
    /// features and the NER pass's pooled sentence vectors, by default logistic regression;
    /// see --objective) on reference summaries: labels are
    /// the sentences a greedy ROUGE oracle picks for each reference; the L2 penalty, the
    /// weight of positive sentences and the MMR trade-off are chosen by ROUGE-2 on --dev.
    /// References: JSON Lines `{"doc": id, "summary": "..."}`, documents `DIR/<id>.txt`.
    /// Writes the scorer file (--out) and prints a JSON report; progress on stderr.
    Summary(TrainSummaryArgs),
    /// Train the relation pair classifier on the hand-annotated relation corpus
    /// (models/relations/corpus: train.jsonl to learn; dev.jsonl and out-of-fold predictions
    /// over train.jsonl to choose each label's threshold; the test split is never read). It
    /// reads the NER pass's token vectors, with the schema's cue scores and the entity types
    /// as further inputs, so the pipeline keeps one encoder pass per document. Documents: `DIR/<doc>.txt` (`scripts/relations/corpus.py
    /// kit` writes them). Writes `pair-classifier.safetensors` and `.json` into --out and
    /// prints a JSON report; progress on stderr.
    Relations(TrainRelationsArgs),
}

#[derive(Debug, Args)]
pub(crate) struct TrainRelationsArgs {
    /// The corpus directory (train.jsonl, dev.jsonl).
    #[arg(long, default_value = "models/relations/corpus", value_name = "DIR")]
    corpus: PathBuf,
    /// Directory with the documents: `<doc>.txt` or `<doc>`.
    #[arg(long, value_name = "DIR")]
    docs: PathBuf,
    /// Output directory of the classifier (lede reads models/relations/).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Leave the cue scores out of the inputs.
    #[arg(long)]
    no_cue_features: bool,
    /// Only pairs within one sentence (default: pairs across two adjacent sentences too).
    #[arg(long)]
    no_cross_sentence: bool,
    /// Lowest held-out precision (dev and out-of-fold) at its threshold for the classifier to
    /// report a label; labels below it are left to the cues (0: keep all) [default: 0.7].
    #[arg(long, value_name = "P")]
    min_dev_precision: Option<f64>,
    /// The classifier decides its labels alone: the cue matches of those labels are not
    /// reported on their own (default: both are reported; the cues are inputs either way
    /// unless --no-cue-features). With --no-cue-features this is the classifier alone.
    #[arg(long)]
    decide: bool,
    /// Passes over the training examples.
    #[arg(long, value_name = "N")]
    epochs: Option<usize>,
    /// Random seed (initialisation, shuffling, dropout).
    #[arg(long, value_name = "N")]
    seed: Option<i64>,
    /// Hidden units of the perceptron.
    #[arg(long, value_name = "N")]
    hidden: Option<usize>,
    /// The thresholds maximise F-beta on the held-out predictions: 1 weighs precision and
    /// recall alike, below 1 favours precision [default: 1].
    #[arg(long, value_name = "F")]
    beta: Option<f64>,
    /// Adam weight decay.
    #[arg(long, value_name = "F")]
    weight_decay: Option<f64>,
    /// Tokens of context on either side of a pair read as features (0: none).
    #[arg(long, value_name = "N")]
    context: Option<usize>,
    /// Hashed columns of the pair's tokens (between the mentions and 3 on either side) read as
    /// features (0: none).
    #[arg(long, value_name = "N")]
    words: Option<usize>,
    /// Tokens at each end of the stretch between a pair's two mentions read as features, the
    /// mean of the first N and that of the last N (0: none).
    #[arg(long, value_name = "N")]
    edges: Option<usize>,
    /// More training documents in the corpus format (repeatable), e.g. the BBC articles of
    /// models/relations/corpus/bbc/train.jsonl (their text from scripts/relations/fetch-bbc.sh
    /// in --docs): learned from, never held out for the thresholds.
    #[arg(long, value_name = "FILE")]
    added_train: Vec<PathBuf>,
    /// Folds of the training documents whose out-of-fold predictions join dev's in the choice
    /// of each label's threshold (0: dev alone) [default: 5].
    #[arg(long, value_name = "K")]
    threshold_folds: Option<usize>,
    /// Perceptrons trained from consecutive seeds and averaged into one file.
    #[arg(long, value_name = "N")]
    ensemble: Option<usize>,
    #[command(flatten)]
    model: crate::ModelArgs,
}

#[derive(Debug, Args)]
pub(crate) struct TrainSummaryArgs {
    /// Training references (JSON Lines).
    #[arg(long, value_name = "FILE")]
    refs: PathBuf,
    /// Development references, for the choice of settings (JSON Lines).
    #[arg(long, value_name = "FILE")]
    dev: PathBuf,
    /// Directory with the documents: `<doc>.txt` or `<doc>`.
    #[arg(long, value_name = "DIR")]
    docs: PathBuf,
    /// Output scorer file (lede reads models/summarize/sentence-scorer.json).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Summary length in sentences: the oracle's at most, and the one the dev choice uses.
    #[arg(long, default_value_t = 3, value_name = "N")]
    sentences: usize,
    /// The loss: `pointwise` (each sentence's log loss of being in the oracle summary) or
    /// `listwise` (a softmax over each document's sentences against its oracle sentences).
    #[arg(long, value_enum, default_value_t = ObjectiveArg::Pointwise)]
    objective: ObjectiveArg,
    #[command(flatten)]
    model: crate::ModelArgs,
}

/// `--objective` of `lede train summary`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ObjectiveArg {
    /// Each sentence on its own.
    Pointwise,
    /// Each document's sentences against each other.
    Listwise,
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
    /// Start from a trained lede-ner-minilm model (same base, same entity types) instead of
    /// the bare base: its weights for the layers kept, its shape embeddings and head. With
    /// `--encoder-layers` below the model's, a smaller model grows from a larger one.
    #[arg(long, value_name = "DIR")]
    init: Option<PathBuf>,
    /// Keep the embedding LayerNorm and the shape embeddings as they start. With `--init`
    /// and `--layers` that leave out the first layers, those layers' states stay exactly the
    /// init model's (what the relation classifier reads).
    #[arg(long)]
    freeze_input: bool,
    /// Resolve the base without network access.
    #[arg(long)]
    offline: bool,
}

pub(crate) fn run(cmd: TrainCommand) -> Result<()> {
    match cmd {
        TrainCommand::Ner(a) => train_ner(*a),
        TrainCommand::Summary(a) => train_summary(a),
        TrainCommand::Relations(a) => train_relations(a),
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
    cfg.init_dir = a.init;
    cfg.freeze_input = a.freeze_input;
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

fn train_summary(a: TrainSummaryArgs) -> Result<()> {
    use lede::summarize::eval::{evaluate_systems, MultiReference};
    use lede::summarize::learned::{train, Objective, TrainOptions, TrainingDoc, INPUT_FEATURES};
    use lede::summarize::{ExtractiveSummarizer, LeadSummarizer, SummaryLength};
    use lede::Tasks;

    if a.sentences == 0 {
        bail!("--sentences must be at least 1");
    }
    let objective = match a.objective {
        ObjectiveArg::Pointwise => Objective::Pointwise,
        ObjectiveArg::Listwise => Objective::Listwise,
    };
    let analyzer = crate::builder_from(&a.model, None)
        .tasks(Tasks {
            ner: true,
            summary: true,
            ..Tasks::none()
        })
        .summary_hand_weights(true)
        .build()
        .context("cannot load models")?;
    let Some(source) = analyzer.sentence_vectors_source() else {
        bail!("the recognizer gives no sentence vectors: the scorer reads the NER pass's pooled states (use the offline model set)");
    };
    tracing::info!("annotating the training documents");
    let train_set = crate::summary_data::load(&a.refs, &a.docs, &analyzer)?;
    tracing::info!("annotating the development documents");
    let dev_set = crate::summary_data::load(&a.dev, &a.docs, &analyzer)?;
    let hand = crate::summary_data::hand_summarizer(lede::summarize::SummaryLength::Sentences(
        a.sentences,
    ))?;
    let first = crate::summary_data::first_refs(&train_set.refs);
    let mut rows = Vec::new();
    for doc in &train_set.docs {
        let Some(reference) = first.get(doc.document.id.as_str()) else {
            continue;
        };
        let c = crate::summary_data::candidates(&hand, doc, reference, a.sentences)?;
        let mut labels = vec![0.0f32; c.sentences.len()];
        for &i in &c.oracle {
            if let Some(l) = labels.get_mut(i) {
                *l = 1.0;
            }
        }
        rows.push(TrainingDoc {
            inputs: c.inputs,
            labels,
        });
    }
    let dim = rows
        .first()
        .map_or(0, |d| d.inputs.ncols().saturating_sub(INPUT_FEATURES.len()));

    // Settings chosen on dev by mean ROUGE-2 F1 (Porter stemming) at the summary length.
    let dev_r2 = |s: &dyn lede::core::Summarizer| -> Result<f64> {
        let report = evaluate_systems(&dev_set.refs, &dev_set.docs, &[s], MultiReference::Best)?;
        Ok(report.systems[0].mean_stemmed.rouge2.f1)
    };
    let lead = LeadSummarizer::new(SummaryLength::Sentences(a.sentences))?;
    let lead_dev = dev_r2(&lead)?;
    let hand_dev = dev_r2(&hand)?;
    let mut grid = Vec::new();
    let mut best: Option<(f64, TrainOptions)> = None;
    for l2 in [0.001f64, 0.01, 0.1, 1.0] {
        // The listwise loss has no row weights: one setting instead of two.
        let weights: &[f64] = match objective {
            Objective::Pointwise => &[1.0, 3.0],
            Objective::Listwise => &[1.0],
        };
        for &positive_weight in weights {
            let options = TrainOptions {
                l2: l2 as f32,
                positive_weight: positive_weight as f32,
                objective,
                ..TrainOptions::default()
            };
            let scorer = train(&rows, &source, dim, &options)?;
            for mmr_lambda in [0.5f64, 0.7, 0.8, 0.9, 1.0] {
                let mut s = scorer.clone();
                s.mmr_lambda = mmr_lambda as f32;
                let summarizer = ExtractiveSummarizer::builder()
                    .length(SummaryLength::Sentences(a.sentences))
                    .scorer(s)
                    .document_vectors(source.clone())
                    .build()?;
                let r2 = dev_r2(&summarizer)?;
                tracing::info!(l2, positive_weight, mmr_lambda, dev_rouge2 = r2, "setting");
                grid.push(serde_json::json!({
                    "l2": l2, "positive_weight": positive_weight, "mmr_lambda": mmr_lambda,
                    "dev_rouge2_f1": r2,
                }));
                let o = TrainOptions {
                    mmr_lambda: mmr_lambda as f32,
                    ..options
                };
                if best.as_ref().map_or(true, |(b, _)| r2 > *b) {
                    best = Some((r2, o));
                }
            }
        }
    }
    let Some((best_r2, options)) = best else {
        bail!("no setting was tried");
    };
    let mut scorer = train(&rows, &source, dim, &options)?;
    let t = &mut scorer.training;
    t.insert("references".into(), a.refs.display().to_string().into());
    t.insert("dev_references".into(), a.dev.display().to_string().into());
    t.insert("sentences".into(), a.sentences.into());
    t.insert(
        "labels".into(),
        "greedy ROUGE oracle (ROUGE-1 F1 + ROUGE-2 F1, Porter) against the first reference, at most `sentences`".into(),
    );
    t.insert("dev_rouge2_f1".into(), best_r2.into());
    t.insert("dev_rouge2_f1_lead".into(), lead_dev.into());
    t.insert("dev_rouge2_f1_hand_weights".into(), hand_dev.into());
    t.insert("grid".into(), grid.into());
    if let Some(parent) = a.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    scorer
        .save(&a.out)
        .with_context(|| format!("cannot write {}", a.out.display()))?;
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({
            "out": a.out,
            "vectors": scorer.vectors,
            "train_documents": rows.len(),
            "options": options,
            "dev_rouge2_f1": best_r2,
            "dev_rouge2_f1_lead": lead_dev,
            "dev_rouge2_f1_hand_weights": hand_dev,
            "final_loss": scorer.training.get("final_loss"),
        }))?
    );
    Ok(())
}

fn train_relations(a: TrainRelationsArgs) -> Result<()> {
    use lede::relations::model::supervised::{
        read_corpus, train_supervised_with, SupervisedConfig,
    };
    use lede::{RelationClassifier, Tasks};

    let analyzer = crate::builder_from(&a.model, None)
        .tasks(Tasks {
            ner: true,
            relations: true,
            ..Tasks::none()
        })
        .relation_classifier(RelationClassifier::CuesOnly)
        .always_token_vectors(true)
        .build()
        .context("cannot load models")?;
    let Some(source) = analyzer.token_vectors_source() else {
        bail!("the recognizer gives no token vectors: the classifier reads the NER pass's states (use the offline model set)");
    };
    let mut cfg = SupervisedConfig::new(a.out.clone(), source);
    cfg.cue_features = !a.no_cue_features;
    cfg.decides = a.decide;
    cfg.cross_sentence = !a.no_cross_sentence;
    given_or_default!(cfg, a, { epochs: epochs, seed: seed, hidden_units: hidden, beta: beta, weight_decay: weight_decay, ensemble: ensemble, context_tokens: context, word_buckets: words, edge_tokens: edges, threshold_folds: threshold_folds, min_dev_precision: min_dev_precision });
    // Settings out of range are refused before the documents are annotated (seconds to minutes).
    cfg.validate().context("bad training settings")?;
    let load = |path: &std::path::Path| -> Result<Vec<_>> {
        let corpus =
            read_corpus(path).with_context(|| format!("cannot load {}", path.display()))?;
        tracing::info!(documents = corpus.len(), file = %path.display(), "annotating");
        let mut docs = Vec::with_capacity(corpus.len());
        for g in corpus {
            let doc = crate::commands::read_doc(Some(&a.docs), &g.doc)?;
            let annotated = analyzer
                .annotate(doc)
                .with_context(|| format!("document {:?}", g.doc))?;
            docs.push((annotated, g));
        }
        Ok(docs)
    };
    let train = load(&a.corpus.join("train.jsonl"))?;
    let dev = load(&a.corpus.join("dev.jsonl"))?;
    let mut added = Vec::new();
    for path in &a.added_train {
        added.extend(load(path)?);
    }
    let schema = lede::relations::Schema::news()?;
    let report = train_supervised_with(&schema, &train, &added, &dev, &cfg)?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
