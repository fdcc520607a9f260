//! Training: silver JSONL in, a model directory out.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use lede_core::OffsetMap;
use serde::{Deserialize, Serialize};
use tch::{nn, nn::OptimizerConfig, Kind, Tensor};

use super::config::{BaseModel, ModelConfig, FORMAT, STORAGE, WEIGHTS_FILE};
use super::decode::TagSet;
use super::error::{OfflineError, Result};
use super::features::{batch_tensors, window_input, Encoder, WindowInput};
use super::infer::{mentions_of, Tagger};
use super::model::{read_bert_config, sha256_file, NerNet, GROUP_ENCODER, GROUP_HEAD};
use super::words::SHAPE_VOCAB;

/// Entity types in the order tags are laid out, when the data has them.
pub const DEFAULT_TYPES: &[&str] = &[
    "PERSON",
    "NORP",
    "FAC",
    "ORG",
    "GPE",
    "LOC",
    "PRODUCT",
    "EVENT",
    "WORK_OF_ART",
    "LAW",
    "LANGUAGE",
    "DATE",
    "TIME",
    "PERCENT",
    "MONEY",
];

/// A char range of a training text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CharRange {
    /// Char offset of the first char.
    pub start: usize,
    /// Char offset one past the last char.
    pub end: usize,
    /// The entity type (absent for ignore regions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// One line of the training data: `{"id", "text", "entities": [{"start","end","label"}],
/// "ignore": [{"start","end"}]}` with char offsets (end exclusive). Words in `ignore` regions
/// carry no loss.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Example {
    /// Document id.
    pub id: String,
    /// The text.
    pub text: String,
    /// Entities.
    #[serde(default)]
    pub entities: Vec<CharRange>,
    /// Regions whose labels are in doubt.
    #[serde(default)]
    pub ignore: Vec<CharRange>,
}

/// Reads a JSONL file of [`Example`]s.
///
/// # Errors
/// [`OfflineError::Io`] or [`OfflineError::Json`] (with the file) on a bad line.
pub fn read_examples(path: &Path) -> Result<Vec<Example>> {
    let text = std::fs::read_to_string(path).map_err(|e| OfflineError::io(path, e))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str(l).map_err(|source| OfflineError::Json {
                path: path.to_path_buf(),
                source,
            })
        })
        .collect()
}

/// Settings of a training run. [`TrainConfig::new`] gives the defaults the shipped model
/// was trained with.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Training JSONL.
    pub train_data: PathBuf,
    /// Dev JSONL (scored after every epoch; the best epoch is kept).
    pub dev_data: Option<PathBuf>,
    /// Base MiniLM directory.
    pub base_dir: PathBuf,
    /// The base's name, recorded in the config.
    pub base_id: String,
    /// Where the model is written.
    pub out_dir: PathBuf,
    /// Passes over the training data.
    pub epochs: usize,
    /// Seed of libtorch and of the shuffling.
    pub seed: u64,
    /// Windows per step.
    pub batch_size: usize,
    /// Peak learning rate of the encoder.
    pub lr_encoder: f64,
    /// Peak learning rate of the shape embeddings and the head.
    pub lr_head: f64,
    /// Fraction of the steps spent warming the learning rate up (then linear decay to 0).
    pub warmup: f64,
    /// AdamW weight decay.
    pub weight_decay: f64,
    /// Window length in tokens.
    pub max_len: usize,
    /// Most pieces two consecutive windows share ([`lede_tokenize::word_windows`]).
    pub stride: usize,
    /// How many of the base's encoder layers the model keeps (its first ones); `None`: all.
    pub encoder_layers: Option<usize>,
    /// libtorch intra-op threads.
    pub threads: usize,
    /// Encoder layers to fine-tune (and store); the others stay the base's. `None`: every
    /// layer the model keeps.
    pub trained_layers: Option<Vec<i64>>,
    /// Entity types; `None`: those of [`DEFAULT_TYPES`] seen at least `min_type_count` times.
    pub entity_types: Option<Vec<String>>,
    /// See `entity_types`.
    pub min_type_count: usize,
    /// Use only the first N training documents (quick runs).
    pub max_docs: Option<usize>,
    /// Start from this trained lede-ner-minilm model instead of the bare base: its encoder
    /// deltas (for the layers this model keeps), its embedding LayerNorm, shape embeddings
    /// and head. It must be trained on the same base with the same entity types. The
    /// written model stores every kept layer.
    pub init_dir: Option<PathBuf>,
    /// Keep the embedding LayerNorm and the shape embeddings as they start (the base's, or
    /// `init_dir`'s): with `init_dir` and `trained_layers` above the first ones, the states
    /// of the untrained layers stay exactly the init model's.
    pub freeze_input: bool,
}

impl TrainConfig {
    /// Defaults: 8 epochs, seed 13, batch 16, lr 2e-4 / 1e-3, 10% warm-up, all 6 layers,
    /// windows of 128 tokens, 2 threads.
    pub fn new(
        train_data: impl Into<PathBuf>,
        base_dir: impl Into<PathBuf>,
        out_dir: impl Into<PathBuf>,
    ) -> Self {
        TrainConfig {
            train_data: train_data.into(),
            dev_data: None,
            base_dir: base_dir.into(),
            base_id: "sentence-transformers/all-MiniLM-L6-v2".into(),
            out_dir: out_dir.into(),
            epochs: 8,
            seed: 13,
            batch_size: 16,
            lr_encoder: 2e-4,
            lr_head: 1e-3,
            warmup: 0.1,
            weight_decay: 0.01,
            max_len: 128,
            stride: 16,
            encoder_layers: None,
            threads: 2,
            trained_layers: None,
            entity_types: None,
            min_type_count: 5,
            max_docs: None,
            init_dir: None,
            freeze_input: false,
        }
    }
}

/// Micro precision, recall and F1 of exact spans (in the reports' JSON: `tp`, `fp`, `fn_`,
/// `precision`, `recall`, `f1`).
pub use lede_core::metrics::Counts as Scores;

/// The JSON form of optional dev [`Scores`] in [`EpochReport`] and [`TrainReport`].
mod dev_json {
    use lede_core::metrics::Prf;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Scores;

    #[derive(Serialize, Deserialize)]
    struct Json {
        tp: usize,
        fp: usize,
        fn_: usize,
        #[serde(flatten)]
        prf: Prf,
    }

    pub(super) fn serialize<S: Serializer>(v: &Option<Scores>, s: S) -> Result<S::Ok, S::Error> {
        v.map(|c| Json {
            tp: c.true_positives,
            fp: c.false_positives,
            fn_: c.false_negatives,
            prf: c.prf(),
        })
        .serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Scores>, D::Error> {
        Ok(Option::<Json>::deserialize(d)?.map(|j| Scores::new(j.tp, j.fp, j.fn_)))
    }
}

/// What the trainer reports while it runs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum TrainEvent {
    /// Before the first epoch.
    Start {
        /// Epochs to run.
        epochs: usize,
        /// Optimizer steps per epoch.
        steps_per_epoch: usize,
        /// Training windows.
        windows: usize,
        /// Labelled training words.
        words: usize,
        /// Entity types.
        types: Vec<String>,
    },
    /// After every optimizer step.
    Step {
        /// 1-based epoch.
        epoch: usize,
        /// 1-based step within the epoch.
        step: usize,
        /// This step's loss.
        loss: f64,
    },
    /// After every epoch.
    Epoch(EpochReport),
}

/// One epoch's results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EpochReport {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean training loss.
    pub loss: f64,
    /// Dev scores (agreed silver spans, disputed regions left out), if a dev set was given.
    #[serde(default, with = "dev_json")]
    pub dev: Option<Scores>,
    /// Seconds the epoch took (training and dev scoring).
    pub seconds: f64,
    /// Whether the model was saved after this epoch (best dev F1 so far, or no dev set).
    pub saved: bool,
}

/// The result of a training run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainReport {
    /// Every epoch.
    pub epochs: Vec<EpochReport>,
    /// The epoch whose weights were kept.
    pub best_epoch: usize,
    /// Its dev scores.
    #[serde(default, with = "dev_json")]
    pub best_dev: Option<Scores>,
    /// Wall-clock seconds of the whole run.
    pub seconds: f64,
    /// Size of the written weights file.
    pub weights_bytes: u64,
    /// The written model directory.
    pub out_dir: PathBuf,
}

struct TrainWindow {
    input: WindowInput,
    /// Tag per entry of `input.firsts`; -100 for no loss.
    labels: Vec<i64>,
}

/// A small deterministic generator (SplitMix64) for shuffling.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// Word tags of one example: B/I where an entity of a known type covers whole words, -100
/// where an entity's edge falls inside a word, an unknown type, or an ignore region.
fn word_tags(
    ex: &Example,
    words: &[lede_core::Span],
    tags: &TagSet,
    path: &Path,
) -> Result<Vec<i64>> {
    let offsets = OffsetMap::new(&ex.text);
    let bad = |r: &CharRange| OfflineError::BadData {
        path: path.to_path_buf(),
        reason: format!("{}: range {}..{} off the text", ex.id, r.start, r.end),
    };
    let byte_range = |r: &CharRange| -> Result<(usize, usize)> {
        let s = offsets.byte_of_char(r.start).ok_or_else(|| bad(r))?;
        let e = offsets.byte_of_char(r.end).ok_or_else(|| bad(r))?;
        if s > e {
            return Err(bad(r));
        }
        Ok((s, e))
    };
    let mut out = vec![0i64; words.len()];
    let overlapping = |s: usize, e: usize| {
        let lo = words.partition_point(|w| w.end <= s);
        let hi = words.partition_point(|w| w.start < e);
        lo..hi.max(lo)
    };
    for r in &ex.entities {
        let (s, e) = byte_range(r)?;
        let range = overlapping(s, e);
        let ty = r.label.as_deref().and_then(|l| tags.type_index(l));
        let aligned = words.get(range.start).is_some_and(|w| w.start == s)
            && range.end > range.start
            && words.get(range.end - 1).is_some_and(|w| w.end == e);
        for (k, i) in range.clone().enumerate() {
            if let Some(slot) = out.get_mut(i) {
                *slot = match (ty, aligned) {
                    (Some(t), true) if k == 0 => tags.begin(t) as i64,
                    (Some(t), true) => tags.inside(t) as i64,
                    _ => -100,
                };
            }
        }
    }
    for r in &ex.ignore {
        let (s, e) = byte_range(r)?;
        for i in overlapping(s, e) {
            if let Some(slot) = out.get_mut(i) {
                *slot = -100;
            }
        }
    }
    Ok(out)
}

fn choose_types(cfg: &TrainConfig, train: &[Example]) -> Vec<String> {
    if let Some(t) = &cfg.entity_types {
        return t.clone();
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for ex in train {
        for e in &ex.entities {
            if let Some(l) = e.label.as_deref() {
                *counts.entry(l).or_default() += 1;
            }
        }
    }
    DEFAULT_TYPES
        .iter()
        .filter(|t| counts.get(**t).copied().unwrap_or(0) >= cfg.min_type_count)
        .map(|t| t.to_string())
        .collect()
}

/// Exact-span scores of `tagger` on `examples` against their `entities`, leaving out gold and
/// predicted spans that overlap an `ignore` region.
pub(crate) fn score_examples(tagger: &Tagger, examples: &[Example]) -> Result<Scores> {
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for chunk in examples.chunks(8) {
        let texts: Vec<&str> = chunk.iter().map(|e| e.text.as_str()).collect();
        let tagged = tagger.tag(&texts)?;
        for (ex, t) in chunk.iter().zip(&tagged) {
            let pred = mentions_of(&ex.text, t, &tagger.tags, |_| true)?;
            let in_doubt = |s: usize, e: usize| ex.ignore.iter().any(|r| s < r.end && r.start < e);
            let gold: Vec<(usize, usize, &str)> = ex
                .entities
                .iter()
                .filter(|r| !in_doubt(r.start, r.end))
                .filter_map(|r| r.label.as_deref().map(|l| (r.start, r.end, l)))
                .filter(|(_, _, l)| tagger.tags.type_index(l).is_some())
                .collect();
            let pred: Vec<(usize, usize, &str)> = pred
                .iter()
                .filter(|m| !in_doubt(m.span.char_start, m.span.char_end))
                .map(|m| (m.span.char_start, m.span.char_end, m.label.as_str()))
                .collect();
            let hits = pred.iter().filter(|p| gold.contains(p)).count();
            tp += hits;
            fp += pred.len() - hits;
            fn_ += gold.len() - hits;
        }
    }
    Ok(Scores::new(tp, fp, fn_))
}

/// Fine-tunes MiniLM for NER on silver JSONL and writes a model directory
/// (`config.json` + `weights.safetensors`).
///
/// `progress` sees every step and epoch; [`super::console_progress`] draws a progress bar.
///
/// # Errors
/// [`OfflineError`] when the data, the base or libtorch fails.
pub fn train(cfg: &TrainConfig, progress: &mut dyn FnMut(&TrainEvent)) -> Result<TrainReport> {
    let started = Instant::now();
    if cfg.epochs == 0 || cfg.batch_size == 0 {
        return Err(OfflineError::Config(
            "epochs and batch size must be at least 1".into(),
        ));
    }
    tch::manual_seed(cfg.seed as i64);
    tch::set_num_threads(cfg.threads.max(1) as i32);
    let mut train_ex = read_examples(&cfg.train_data)?;
    if let Some(n) = cfg.max_docs {
        train_ex.truncate(n);
    }
    if train_ex.is_empty() {
        return Err(OfflineError::BadData {
            path: cfg.train_data.clone(),
            reason: "no training documents".into(),
        });
    }
    let dev_ex = match &cfg.dev_data {
        Some(p) => read_examples(p)?,
        None => Vec::new(),
    };
    let types = choose_types(cfg, &train_ex);
    if types.is_empty() {
        return Err(OfflineError::BadData {
            path: cfg.train_data.clone(),
            reason: "no entity type occurs often enough".into(),
        });
    }
    let tags = TagSet::new(types.clone());
    let weights_path = cfg.base_dir.join("model.safetensors");
    let base_sha = sha256_file(&weights_path)?;
    let mut bert = read_bert_config(&cfg.base_dir)?;
    let layers = cfg
        .encoder_layers
        .map_or(bert.num_hidden_layers, |n| n as i64);
    if layers < 1 || layers > bert.num_hidden_layers {
        return Err(OfflineError::Config(format!(
            "the base has {} encoder layers; cannot keep {layers}",
            bert.num_hidden_layers
        )));
    }
    bert.num_hidden_layers = layers;
    let trained_layers = cfg
        .trained_layers
        .clone()
        .unwrap_or_else(|| (0..layers).collect());
    for &l in &trained_layers {
        if l < 0 || l >= layers {
            return Err(OfflineError::Config(format!(
                "no encoder layer {l} among the {layers} kept"
            )));
        }
    }
    let mut net = NerNet::new(&bert, tags.len() as i64, SHAPE_VOCAB)?;
    net.load_base(&weights_path)?;
    // What is stored (deltas against the base): the trained layers, or every kept layer when
    // training starts from another model. What is optimised: the trained layers and the
    // model's own variables, less the input side when it is frozen.
    let stored_layers: Vec<i64> = if cfg.init_dir.is_some() {
        (0..layers).collect()
    } else {
        trained_layers.clone()
    };
    let names = net.trained_names(&stored_layers);
    let optimised: Vec<String> = net
        .trained_names(&trained_layers)
        .into_iter()
        .filter(|n| !cfg.freeze_input || !is_input_side(n))
        .collect();
    net.freeze_except(&optimised);
    let base_values = net.snapshot(&names);
    if let Some(init) = &cfg.init_dir {
        let init_config = ModelConfig::read(init)?;
        if init_config.base.sha256 != base_sha {
            return Err(OfflineError::Config(format!(
                "{} was trained on another base (SHA-256 {}, this base {base_sha})",
                init.display(),
                init_config.base.sha256
            )));
        }
        if init_config.entity_types != types {
            return Err(OfflineError::Config(format!(
                "{} has the entity types {:?}; this training has {types:?}",
                init.display(),
                init_config.entity_types
            )));
        }
        net.overlay_kept(init, &init_config)?;
    }
    let enc = Encoder::from_base_dir(&cfg.base_dir)?;

    // Training windows.
    let mut windows: Vec<TrainWindow> = Vec::new();
    let mut labelled_words = 0usize;
    for ex in &train_ex {
        let f = enc.features(&enc.segment(&ex.text))?;
        let wt = word_tags(ex, &f.words, &tags, &cfg.train_data)?;
        for w in f.windows(cfg.max_len, cfg.stride)? {
            let input = window_input(&f, &w, &enc);
            let labels: Vec<i64> = input
                .firsts
                .iter()
                .map(|&(word, _)| wt.get(word).copied().unwrap_or(-100))
                .collect();
            labelled_words += labels.iter().filter(|&&l| l >= 0).count();
            windows.push(TrainWindow { input, labels });
        }
    }
    let steps_per_epoch = windows.len().div_ceil(cfg.batch_size);
    let total_steps = (steps_per_epoch * cfg.epochs).max(1);
    let warmup_steps = ((total_steps as f64) * cfg.warmup).round().max(1.0) as usize;
    progress(&TrainEvent::Start {
        epochs: cfg.epochs,
        steps_per_epoch,
        windows: windows.len(),
        words: labelled_words,
        types: types.clone(),
    });

    let mut opt = nn::AdamW {
        wd: cfg.weight_decay,
        ..Default::default()
    }
    .build(&net.vs, cfg.lr_encoder)?;
    let tagger = Tagger {
        net,
        enc,
        tags,
        max_len: cfg.max_len,
        stride: cfg.stride,
        batch_size: 16,
    };
    std::fs::create_dir_all(&cfg.out_dir).map_err(|e| OfflineError::io(&cfg.out_dir, e))?;

    let mut rng = Rng(cfg.seed ^ 0x5EED);
    let mut order: Vec<usize> = (0..windows.len()).collect();
    let mut step_global = 0usize;
    let mut epochs = Vec::new();
    let mut best: Option<(usize, Option<Scores>)> = None;
    // What the written model config records beside the settings and the report.
    let facts = RunFacts {
        base_sha: &base_sha,
        encoder_layers: layers as usize,
        trained_layers: &stored_layers,
        types: &types,
        train_documents: train_ex.len(),
        dev_documents: dev_ex.len(),
    };
    let mut weights_bytes = 0;
    let k = tagger.tags.len() as i64;
    for epoch in 1..=cfg.epochs {
        let t0 = Instant::now();
        rng.shuffle(&mut order);
        let mut loss_sum = 0.0;
        let mut loss_n = 0usize;
        for (s, chunk) in order.chunks(cfg.batch_size).enumerate() {
            let lr_scale = if step_global < warmup_steps {
                (step_global + 1) as f64 / warmup_steps as f64
            } else {
                let rest = total_steps.saturating_sub(step_global) as f64;
                (rest / (total_steps - warmup_steps).max(1) as f64).clamp(0.0, 1.0)
            };
            opt.set_lr_group(GROUP_ENCODER, cfg.lr_encoder * lr_scale);
            opt.set_lr_group(GROUP_HEAD, cfg.lr_head * lr_scale);
            step_global += 1;
            let batch: Vec<&TrainWindow> = chunk.iter().filter_map(|&i| windows.get(i)).collect();
            let inputs: Vec<&WindowInput> = batch.iter().map(|w| &w.input).collect();
            let (ids, shapes, mask, longest) = batch_tensors(&inputs, tagger.enc.pad);
            let mut flat = Vec::new();
            let mut gold = Vec::new();
            for (r, w) in batch.iter().enumerate() {
                for (&(_, pos), &l) in w.input.firsts.iter().zip(&w.labels) {
                    if l >= 0 {
                        flat.push((r * longest + pos) as i64);
                        gold.push(l);
                    }
                }
            }
            if flat.is_empty() {
                continue;
            }
            let logits = tagger.net.forward(&ids, &shapes, &mask, true)?;
            let picked = logits
                .f_view([-1, k])?
                .f_index_select(0, &Tensor::from_slice(&flat))?;
            let loss = picked
                .f_log_softmax(-1, Kind::Float)?
                .f_nll_loss::<Tensor>(
                    &Tensor::from_slice(&gold),
                    None,
                    tch::Reduction::Mean,
                    -100,
                )?;
            opt.zero_grad();
            loss.f_backward()?;
            opt.clip_grad_norm(1.0);
            opt.step();
            let l = loss.f_double_value(&[])?;
            loss_sum += l;
            loss_n += 1;
            progress(&TrainEvent::Step {
                epoch,
                step: s + 1,
                loss: l,
            });
        }
        let dev = if dev_ex.is_empty() {
            None
        } else {
            Some(score_examples(&tagger, &dev_ex)?)
        };
        let better = match (&best, &dev) {
            (None, _) => true,
            (Some((_, Some(b))), Some(d)) => d.f1() > b.f1(),
            (Some(_), None) => true,
            (Some((_, None)), Some(_)) => true,
        };
        if better {
            weights_bytes = tagger.net.save(&cfg.out_dir, &names, &base_values)?;
            best = Some((epoch, dev));
        }
        let report = EpochReport {
            epoch,
            loss: if loss_n == 0 {
                0.0
            } else {
                loss_sum / loss_n as f64
            },
            dev,
            seconds: t0.elapsed().as_secs_f64(),
            saved: better,
        };
        epochs.push(report.clone());
        if better {
            let so_far = TrainReport {
                epochs: epochs.clone(),
                best_epoch: epoch,
                best_dev: dev,
                seconds: started.elapsed().as_secs_f64(),
                weights_bytes,
                out_dir: cfg.out_dir.clone(),
            };
            write_model_config(cfg, &facts, &so_far)?;
        }
        progress(&TrainEvent::Epoch(report));
    }
    let (best_epoch, best_dev) = best.unwrap_or((cfg.epochs, None));
    let report = TrainReport {
        epochs,
        best_epoch,
        best_dev,
        seconds: started.elapsed().as_secs_f64(),
        weights_bytes,
        out_dir: cfg.out_dir.clone(),
    };
    write_model_config(cfg, &facts, &report)?;
    Ok(report)
}

/// What [`model_config`] records beside the settings and the report.
struct RunFacts<'a> {
    base_sha: &'a str,
    encoder_layers: usize,
    trained_layers: &'a [i64],
    types: &'a [String],
    train_documents: usize,
    dev_documents: usize,
}

/// Writes [`model_config`] with the SHA-256 of the weights just saved.
fn write_model_config(cfg: &TrainConfig, facts: &RunFacts<'_>, report: &TrainReport) -> Result<()> {
    let mut config = model_config(cfg, facts, report);
    config.weights_sha256 = sha256_file(&cfg.out_dir.join(WEIGHTS_FILE))?;
    config.write(&cfg.out_dir)
}

/// The config written beside the weights: rebuilt (with the epochs so far) at every save, so
/// an interrupted run leaves a usable model.
fn model_config(cfg: &TrainConfig, facts: &RunFacts<'_>, report: &TrainReport) -> ModelConfig {
    ModelConfig {
        format: FORMAT.into(),
        base: BaseModel {
            id: cfg.base_id.clone(),
            weights: "model.safetensors".into(),
            sha256: facts.base_sha.to_string(),
        },
        entity_types: facts.types.to_vec(),
        encoder_layers: facts.encoder_layers,
        trained_layers: facts.trained_layers.to_vec(),
        features: vec!["word_shape".into()],
        shape_vocab: SHAPE_VOCAB,
        tokenization: lede_tokenize::TOKENIZATION.to_string(),
        max_len: cfg.max_len,
        stride: cfg.stride,
        storage: STORAGE.into(),
        weights_sha256: String::new(),
        training: serde_json::json!({
            "train_data": file_name(&cfg.train_data),
            "dev_data": cfg.dev_data.as_deref().map(file_name),
            "train_documents": facts.train_documents,
            "dev_documents": facts.dev_documents,
            "epochs": cfg.epochs,
            "seed": cfg.seed,
            "batch_size": cfg.batch_size,
            "lr_encoder": cfg.lr_encoder,
            "lr_head": cfg.lr_head,
            "warmup": cfg.warmup,
            "weight_decay": cfg.weight_decay,
            "threads": cfg.threads,
            "best_epoch": report.best_epoch,
            "best_dev": report.best_dev,
            "seconds": report.seconds,
            "epoch_reports": report.epochs,
        }),
    }
}

/// The embedding LayerNorm and the shape embeddings: what shapes the input of the first layer.
fn is_input_side(name: &str) -> bool {
    name.starts_with("embeddings.LayerNorm.") || name.contains("shape_embeddings")
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lede_core::WordTokenizer;
    use lede_tokenize::RuleWordTokenizer;

    #[test]
    fn tags_from_char_ranges() {
        let text = "In the U.S., Lukashenko's aides met anti-Iraqi Kolésnikova.";
        let char_of = |s: &str| text[..text.find(s).unwrap()].chars().count();
        let range = |s: &str, label: Option<&str>| CharRange {
            start: char_of(s),
            end: char_of(s) + s.chars().count(),
            label: label.map(String::from),
        };
        let ex = Example {
            id: "t".into(),
            text: text.into(),
            entities: vec![
                range("U.S.", Some("GPE")),
                range("Lukashenko", Some("PERSON")),
                range("Iraqi Kol", Some("NORP")), // edge inside a word: no loss
                range("In", Some("UNKNOWN")),
            ],
            ignore: vec![range("aides", None)],
        };
        let tags = TagSet::new(vec!["PERSON".into(), "GPE".into(), "NORP".into()]);
        let tokens = RuleWordTokenizer::default().tokenize(text);
        let words: Vec<lede_core::Span> = tokens.iter().map(|t| t.span).collect();
        let t = word_tags(&ex, &words, &tags, Path::new("x")).unwrap();
        let by_word: Vec<(&str, i64)> = tokens.iter().map(|w| w.text.as_str()).zip(t).collect();
        let tag = |w: &str| by_word.iter().find(|(x, _)| *x == w).unwrap().1;
        assert_eq!(tag("U.S."), tags.begin(1) as i64);
        assert_eq!(tag("Lukashenko"), tags.begin(0) as i64);
        assert_eq!(tag("'s"), 0);
        assert_eq!(tag("aides"), -100);
        assert_eq!(tag("Iraqi"), -100);
        assert_eq!(tag("Kolésnikova"), -100);
        assert_eq!(tag("In"), -100);
        assert_eq!(tag("met"), 0);
        let bad = Example {
            entities: vec![CharRange {
                start: 5,
                end: 999,
                label: Some("GPE".into()),
            }],
            ..ex
        };
        assert!(word_tags(&bad, &words, &tags, Path::new("x")).is_err());
    }

    #[test]
    fn rng_shuffle_is_deterministic_permutation() {
        let mut a: Vec<usize> = (0..50).collect();
        let mut b = a.clone();
        Rng(7).shuffle(&mut a);
        Rng(7).shuffle(&mut b);
        assert_eq!(a, b);
        let mut sorted = a.clone();
        sorted.sort();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
        assert_ne!(a, sorted);
    }

    #[test]
    fn dev_scores_json() {
        #[derive(Serialize, Deserialize)]
        struct Dev(#[serde(with = "dev_json")] Option<Scores>);
        let json = serde_json::to_value(Dev(Some(Scores::new(8, 2, 8)))).unwrap();
        assert_eq!(
            (json["tp"].as_u64(), json["fn_"].as_u64()),
            (Some(8), Some(8))
        );
        assert!((json["precision"].as_f64().unwrap() - 0.8).abs() < 1e-9);
        assert!((json["f1"].as_f64().unwrap() - 2.0 * 0.4 / 1.3).abs() < 1e-9);
        let back: Dev = serde_json::from_value(json).unwrap();
        assert_eq!(back.0, Some(Scores::new(8, 2, 8)));
        assert!(serde_json::to_value(Dev(None)).unwrap().is_null());
    }
}
