//! Training the pair classifier on weakly labelled news.
//!
//! The corpus is gensim's `lee_background.cor` (300 ABC news articles) with spaCy
//! `en_core_web_sm` sentences and entities, prepared by `scripts/relations/prep_lee.py` into
//! JSON Lines (see [`load_prepared_corpus`]). Weak labels come from two sources:
//!
//! * **cues**: the schema's high-precision cue patterns, run over every sentence;
//! * **distant supervision**: every other sentence of the corpus that mentions an entity pair a
//!   cue labelled (by folded names) gets the same label, when the label's types fit.
//!
//! Candidate pairs with no label are negatives (`none`), sampled down to a fixed ratio. Articles
//! are split into training and held-out sets by a hash of their id; the held-out set fits the
//! softmax temperature (negative log-likelihood) and a threshold per label: the lowest
//! probability at which held-out precision against the weak labels reaches
//! [`TrainConfig::target_precision`] (at least 0.5). Labels with fewer than
//! [`MIN_TRAIN_POSITIVES`] training or [`MIN_HELDOUT_POSITIVES`] held-out positives, or whose
//! held-out precision never reaches the target, get no threshold: the classifier alone never
//! reports them (cues still do).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use lede_core::{AnnotatedDocument, Document, Entity, Mention, OffsetMap, TokenVectors};
use lede_models::SentenceEmbedder;
use ndarray::{Array2, Axis};
use serde::{Deserialize, Serialize};
use tch::Tensor;

use super::fit::{FitOptions, Perceptron};
use super::{
    candidate_features, feature_dim, sentence_windows, softmax_rows, vector_features, Encoding,
    HeadMeta, SentenceWindows, NONE_LABEL,
};
use crate::candidates::{from_context, Candidate, CandidateOptions};
use crate::context::DocContext;
use crate::rules::{apply, HitTail};
use crate::schema::Schema;
use crate::text::fold;
use crate::{RelationError, Result};

#[derive(Debug, Deserialize)]
struct PreparedEntity {
    id: String,
    name: String,
    label: String,
    /// `[char_start, char_end, label]`
    mentions: Vec<(usize, usize, String)>,
}

#[derive(Debug, Deserialize)]
struct PreparedDoc {
    id: String,
    text: String,
    entities: Vec<PreparedEntity>,
}

/// Reads the JSON Lines written by `scripts/relations/prep_lee.py` (char offsets) into
/// annotated documents (byte and char offsets): the file's entities, and sentences and
/// tokens from lede-tokenize's [`lede_tokenize::Segmenter`] (its `sentences` field, spaCy's,
/// is ignored), so that training sees the segmentation inference does.
///
/// # Errors
/// [`RelationError::Io`], [`RelationError::Json`], or [`RelationError::Offsets`] for offsets
/// that do not fit the text.
pub fn load_prepared_corpus(path: &Path) -> Result<Vec<AnnotatedDocument>> {
    let text = std::fs::read_to_string(path).map_err(|source| RelationError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let segmenter = lede_tokenize::Segmenter::default();
    let mut docs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let p: PreparedDoc = serde_json::from_str(line).map_err(|source| RelationError::Json {
            what: format!("{}:{}", path.display(), i + 1),
            source,
        })?;
        let map = OffsetMap::new(&p.text);
        // Sentences and words are lede-tokenize's, as at inference (the file's spaCy
        // sentences are not used).
        let mut doc = segmenter.annotate(Document::new(p.id.clone(), p.text.clone()));
        for e in p.entities {
            let mut mentions = Vec::new();
            for (a, b, label) in e.mentions {
                let span = map.span_of_chars(a, b)?;
                mentions.push(Mention {
                    text: p.text[span.start..span.end].to_string(),
                    label,
                    score: 1.0,
                    span,
                });
            }
            doc.entities.push(Entity {
                id: e.id,
                name: e.name,
                label: e.label,
                mentions,
            });
        }
        docs.push(doc);
    }
    Ok(docs)
}

/// Where a weak label came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeakSource {
    /// A cue pattern fired on this sentence.
    Cue,
    /// The pair was labelled by a cue elsewhere in the corpus.
    Distant,
    /// No label: a negative.
    None,
}

/// A weakly labelled candidate pair.
#[derive(Debug, Clone)]
pub struct WeakExample {
    /// Document index in the corpus.
    pub doc: usize,
    /// The candidate.
    pub candidate: Candidate,
    /// Label index in the schema, `None` for a negative.
    pub label: Option<usize>,
    /// Where the label came from.
    pub source: WeakSource,
}

/// Settings of [`weak_labels`] and [`train`].
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Prepared corpus (JSON Lines of `scripts/relations/prep_lee.py`).
    pub corpus: PathBuf,
    /// The MiniLM directory.
    pub encoder_dir: PathBuf,
    /// Where to write [`super::HEAD_WEIGHTS`] and [`super::HEAD_META`].
    pub out_dir: PathBuf,
    /// Minimum cue score for a cue label.
    pub min_cue_score: f32,
    /// Negatives kept per positive.
    pub negatives_per_positive: f32,
    /// Whether distant supervision adds labels.
    pub distant: bool,
    /// Hidden units.
    pub hidden_units: usize,
    /// Training epochs (full passes).
    pub epochs: usize,
    /// Learning rate (Adam).
    pub learning_rate: f64,
    /// Mini-batch size.
    pub batch_size: usize,
    /// One article in this many is held out.
    pub heldout_every: u64,
    /// Held-out precision the per-label thresholds aim for.
    pub target_precision: f64,
    /// Random seed.
    pub seed: i64,
    /// Encoder layers to run (an early exit; `None`: all). Recorded in
    /// [`HeadMeta::encoder_layers`].
    pub encoder_layers: Option<usize>,
    /// Words of context around each sentence's candidate mentions (`None`: whole sentences).
    /// Recorded in [`HeadMeta::context_words`].
    pub context_words: Option<usize>,
    /// The encoder's linear layers (default fp32). Recorded in
    /// [`HeadMeta::encoder_precision`].
    pub encoder_precision: lede_models::fast::Precision,
}

impl TrainConfig {
    /// Defaults for the given paths.
    pub fn new(corpus: PathBuf, encoder_dir: PathBuf, out_dir: PathBuf) -> Self {
        TrainConfig {
            corpus,
            encoder_dir,
            out_dir,
            min_cue_score: 0.75,
            negatives_per_positive: 3.0,
            distant: true,
            hidden_units: 128,
            epochs: 40,
            learning_rate: 1e-3,
            batch_size: 64,
            heldout_every: 5,
            target_precision: 0.9,
            seed: 13,
            encoder_layers: None,
            context_words: None,
            encoder_precision: lede_models::fast::Precision::Fp32,
        }
    }
}

/// Labels whose facts hold across articles (distant supervision uses only these; events such
/// as `met_with` or `pardoned` do not carry over from one sentence to another).
pub const STABLE_LABELS: &[&str] = &[
    "leader_of",
    "member_of",
    "works_for",
    "envoy_of",
    "founder_of",
    "spouse_of",
    "family_of",
    "located_in",
    "capital_of",
    "citizen_of",
    "ally_of",
];

/// A label needs this many training positives for the classifier to report it alone.
pub const MIN_TRAIN_POSITIVES: usize = 5;
/// ... and this many held-out positives to fit its threshold on.
pub const MIN_HELDOUT_POSITIVES: usize = 5;

/// Distant labels only for mentions at most this many bytes apart.
const DISTANT_MAX_BYTES: usize = 80;

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Whether the article with this id is in the held-out split (one in `every`, by a hash of
/// the id).
pub fn heldout(id: &str, every: u64) -> bool {
    fnv(id) % every.max(2) == 0
}

/// Weak labels for every candidate pair of the corpus (negatives not yet sampled).
pub fn weak_labels(
    schema: &Schema,
    docs: &[AnnotatedDocument],
    cfg: &TrainConfig,
) -> Vec<WeakExample> {
    let mut out = Vec::new();
    // (doc, sentence, head, tail) -> label, from cues
    let mut cue: HashMap<(usize, usize, usize, usize), usize> = HashMap::new();
    // (folded head name, folded tail name) -> labels, for distant supervision
    let mut kb: HashMap<(String, String), HashSet<usize>> = HashMap::new();
    let mut cands_by_doc = Vec::with_capacity(docs.len());
    for (di, doc) in docs.iter().enumerate() {
        let ctx = DocContext::build(doc, schema);
        for hit in apply(schema, &ctx) {
            let HitTail::Entity(t) = hit.tail else {
                continue;
            };
            if hit.score < cfg.min_cue_score {
                continue;
            }
            let sym = schema
                .labels()
                .get(hit.label)
                .is_some_and(|l| l.spec.symmetric);
            cue.insert((di, hit.sentence, hit.head, t), hit.label);
            if sym {
                cue.insert((di, hit.sentence, t, hit.head), hit.label);
            }
            if let (Some(h), Some(tt)) = (doc.entities.get(hit.head), doc.entities.get(t)) {
                kb.entry((fold(&h.name), fold(&tt.name)))
                    .or_default()
                    .insert(hit.label);
                if sym {
                    kb.entry((fold(&tt.name), fold(&h.name)))
                        .or_default()
                        .insert(hit.label);
                }
            }
        }
        cands_by_doc.push(from_context(schema, &ctx, CandidateOptions::default()));
    }
    for (di, cands) in cands_by_doc.into_iter().enumerate() {
        let Some(doc) = docs.get(di) else { continue };
        for c in cands {
            if let Some(&l) = cue.get(&(di, c.sentence, c.head, c.tail)) {
                if c.labels.contains(&l) {
                    out.push(WeakExample {
                        doc: di,
                        candidate: c,
                        label: Some(l),
                        source: WeakSource::Cue,
                    });
                    continue;
                }
            }
            let gap = c
                .head_span
                .0
                .max(c.tail_span.0)
                .saturating_sub(c.head_span.1.min(c.tail_span.1));
            let close = gap <= DISTANT_MAX_BYTES;
            let distant = if cfg.distant && close {
                match (doc.entities.get(c.head), doc.entities.get(c.tail)) {
                    (Some(h), Some(t)) => kb.get(&(fold(&h.name), fold(&t.name))).and_then(|ls| {
                        let mut v: Vec<usize> = ls
                            .iter()
                            .copied()
                            .filter(|l| c.labels.contains(l))
                            .filter(|l| {
                                schema
                                    .labels()
                                    .get(*l)
                                    .is_some_and(|x| STABLE_LABELS.contains(&x.name()))
                            })
                            .collect();
                        v.sort_unstable();
                        (v.len() == 1).then(|| v[0])
                    }),
                    _ => None,
                }
            } else {
                None
            };
            match distant {
                Some(l) => out.push(WeakExample {
                    doc: di,
                    candidate: c,
                    label: Some(l),
                    source: WeakSource::Distant,
                }),
                None => out.push(WeakExample {
                    doc: di,
                    candidate: c,
                    label: None,
                    source: WeakSource::None,
                }),
            }
        }
    }
    out
}

/// Held-out quality of one label at its threshold.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LabelReport {
    /// Training positives (cue + distant).
    pub train_positives: usize,
    /// Held-out positives.
    pub heldout_positives: usize,
    /// The threshold chosen (absent: never reported by the classifier alone).
    pub threshold: Option<f32>,
    /// Held-out precision at the threshold, against weak labels.
    pub heldout_precision: f64,
    /// Held-out recall at the threshold, against weak labels.
    pub heldout_recall: f64,
}

/// What [`train`] did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainReport {
    /// Articles used.
    pub documents: usize,
    /// Candidate pairs seen.
    pub candidates: usize,
    /// Positives by source.
    pub cue_positives: usize,
    /// Positives added by distant supervision.
    pub distant_positives: usize,
    /// Training / held-out examples after negative sampling.
    pub train_examples: usize,
    /// Held-out examples.
    pub heldout_examples: usize,
    /// Fitted temperature.
    pub temperature: f32,
    /// Held-out negative log-likelihood at that temperature.
    pub heldout_nll: f64,
    /// The threshold that reaches the target precision over all labels pooled (reported for
    /// information; not used).
    pub pooled_threshold: f32,
    /// Per label.
    pub labels: BTreeMap<String, LabelReport>,
    /// Size of the weights file in bytes.
    pub weights_bytes: u64,
}

struct Split {
    x: Array2<f32>,
    y: Vec<i64>,
}

/// A function giving a document's token vectors (a recognizer's encoder pass), for
/// [`train_with_vectors`].
pub type VectorFn<'a> = dyn FnMut(&AnnotatedDocument) -> Result<TokenVectors> + 'a;

/// Trains the pair classifier over MiniLM states of masked sentences (its own encoder pass,
/// `cfg.encoder_dir`) and writes it to `cfg.out_dir`.
///
/// # Errors
/// Corpus, encoder and libtorch errors.
pub fn train(schema: &Schema, cfg: &TrainConfig) -> Result<TrainReport> {
    train_inner(schema, cfg, None)
}

/// Trains the pair classifier over the token vectors `vectors` gives for each corpus document
/// (a recognizer's encoder pass; [`HeadMeta::token_vectors`] records their source), and writes
/// it to `cfg.out_dir`. `cfg.encoder_dir`, `encoder_layers`, `context_words` and
/// `encoder_precision` are not used.
///
/// # Errors
/// Corpus and libtorch errors, and those of `vectors`.
pub fn train_with_vectors(
    schema: &Schema,
    cfg: &TrainConfig,
    vectors: &mut VectorFn<'_>,
) -> Result<TrainReport> {
    train_inner(schema, cfg, Some(vectors))
}

fn train_inner(
    schema: &Schema,
    cfg: &TrainConfig,
    mut vectors: Option<&mut VectorFn<'_>>,
) -> Result<TrainReport> {
    tch::manual_seed(cfg.seed);
    let docs = load_prepared_corpus(&cfg.corpus)?;
    let examples = weak_labels(schema, &docs, cfg);
    let candidates = examples.len();
    let cue_positives = examples
        .iter()
        .filter(|e| e.source == WeakSource::Cue)
        .count();
    let distant_positives = examples
        .iter()
        .filter(|e| e.source == WeakSource::Distant)
        .count();
    // Classes: none + entity-tailed labels.
    let class_labels = super::pair_classes(schema);
    let class_of = |l: Option<usize>| -> i64 {
        l.and_then(|l| class_labels.iter().position(|&c| c == l))
            .map_or(0, |p| p as i64 + 1)
    };
    // Negative sampling, deterministic.
    let positives = examples.iter().filter(|e| e.label.is_some()).count();
    let keep_neg = ((positives as f32 * cfg.negatives_per_positive) as usize).max(1);
    let negatives = examples.iter().filter(|e| e.label.is_none()).count();
    let keep_every = negatives.checked_div(keep_neg).unwrap_or(1).max(1) as u64;
    // Held-out articles keep every candidate, so that thresholds are fitted on the natural
    // proportion of negatives.
    let kept: Vec<&WeakExample> = examples
        .iter()
        .filter(|e| {
            e.label.is_some()
                || docs
                    .get(e.doc)
                    .is_some_and(|d| heldout(&d.document.id, cfg.heldout_every))
                || {
                    let key = format!(
                        "{}:{}:{}:{}",
                        e.doc, e.candidate.sentence, e.candidate.head, e.candidate.tail
                    );
                    fnv(&key) % keep_every == 0
                }
        })
        .collect();
    // Features, per document.
    let encoding = Encoding {
        layers: cfg.encoder_layers,
        context_words: cfg.context_words,
        precision: cfg.encoder_precision,
    };
    let embedder = match &vectors {
        Some(_) => None,
        None => Some(encoding.embedder(cfg.encoder_dir.as_path(), 32)?),
    };
    // Windows over every candidate pair of a sentence (kept or not), as inference takes them.
    let mut all_by_doc: BTreeMap<usize, Vec<Candidate>> = BTreeMap::new();
    for e in &examples {
        all_by_doc
            .entry(e.doc)
            .or_default()
            .push(e.candidate.clone());
    }
    let windows: BTreeMap<usize, SentenceWindows> = all_by_doc
        .iter()
        .map(|(d, c)| (*d, sentence_windows(c)))
        .collect();
    let mut dim = embedder.as_ref().map_or(0, SentenceEmbedder::dim);
    let mut source: Option<String> = None;
    let mut by_doc: BTreeMap<usize, Vec<&WeakExample>> = BTreeMap::new();
    for e in &kept {
        by_doc.entry(e.doc).or_default().push(e);
    }
    let mut train_x: Vec<f32> = Vec::new();
    let mut train_y: Vec<i64> = Vec::new();
    let mut held_x: Vec<f32> = Vec::new();
    let mut held_y: Vec<i64> = Vec::new();
    let mut held_allowed: Vec<Vec<usize>> = Vec::new(); // schema labels allowed per held example
    let mut train_counts: BTreeMap<usize, usize> = BTreeMap::new();
    for (di, exs) in &by_doc {
        let Some(doc) = docs.get(*di) else { continue };
        let cands: Vec<Candidate> = exs.iter().map(|e| e.candidate.clone()).collect();
        let context = cfg
            .context_words
            .and_then(|n| windows.get(di).map(|w| (w, n)));
        let feats = match (&embedder, vectors.as_deref_mut()) {
            (Some(embedder), _) => candidate_features(embedder, doc, &cands, context)?,
            (None, Some(f)) => {
                let tv = f(doc)?;
                dim = tv.vectors.dim;
                let src = source.get_or_insert_with(|| tv.source.clone()).clone();
                let mut with = doc.clone();
                with.token_vectors = Some(tv);
                vector_features(&with, &cands, &src)?
            }
            (None, None) => {
                return Err(RelationError::InvalidData(
                    "neither an encoder nor token vectors".into(),
                ))
            }
        };
        let held = heldout(&doc.document.id, cfg.heldout_every);
        for (row, e) in feats.axis_iter(Axis(0)).zip(exs) {
            if held {
                held_x.extend(row.iter());
                held_y.push(class_of(e.label));
                held_allowed.push(e.candidate.labels.clone());
            } else {
                train_x.extend(row.iter());
                train_y.push(class_of(e.label));
                if let Some(l) = e.label {
                    *train_counts.entry(l).or_default() += 1;
                }
            }
        }
        tracing::debug!(doc = di, "features done");
    }
    let fdim = feature_dim(dim);
    let to_split = |x: Vec<f32>, y: Vec<i64>| -> Result<Split> {
        let n = y.len();
        Ok(Split {
            x: Array2::from_shape_vec((n, fdim), x)
                .map_err(|e| RelationError::InvalidData(format!("features: {e}")))?,
            y,
        })
    };
    let train_set = to_split(train_x, train_y)?;
    let held_set = to_split(held_x, held_y)?;
    let n_classes = class_labels.len() + 1;

    // The perceptron in tch.
    let xs = Tensor::f_from_slice(train_set.x.as_slice().unwrap_or(&[]))?
        .f_view([train_set.y.len() as i64, fdim as i64])?;
    let model = Perceptron::fit(
        &xs,
        &train_set.y,
        n_classes,
        &FitOptions {
            hidden_units: cfg.hidden_units,
            epochs: cfg.epochs,
            learning_rate: cfg.learning_rate,
            weight_decay: 1e-4,
            batch_size: cfg.batch_size,
        },
    )?;
    // Logits on the held-out set.
    let held_logits = if held_set.y.is_empty() {
        Array2::<f32>::zeros((0, n_classes))
    } else {
        let hx = Tensor::f_from_slice(held_set.x.as_slice().unwrap_or(&[]))?
            .f_view([held_set.y.len() as i64, fdim as i64])?;
        let logits = model.logits(&hx);
        let v = Vec::<f32>::try_from(&logits.f_contiguous()?.f_view([-1])?)?;
        Array2::from_shape_vec((held_set.y.len(), n_classes), v)
            .map_err(|e| RelationError::InvalidData(format!("logits: {e}")))?
    };
    // Temperature by grid search on NLL.
    let nll = |t: f32| -> f64 {
        let p = softmax_rows(&held_logits, t);
        let mut s = 0.0;
        for (row, &y) in p.axis_iter(Axis(0)).zip(&held_set.y) {
            s -= f64::from(row.get(y as usize).copied().unwrap_or(1e-9).max(1e-9)).ln();
        }
        s / held_set.y.len().max(1) as f64
    };
    let mut temperature = 1.0f32;
    let mut best_nll = nll(1.0);
    for k in 1..=40 {
        let t = 0.25 * k as f32;
        let v = nll(t);
        if v < best_nll {
            best_nll = v;
            temperature = t;
        }
    }
    let probs = softmax_rows(&held_logits, temperature);
    // Per-label thresholds.
    let pick = |scores: &mut Vec<(f32, bool)>, total_pos: usize| -> Option<(f32, f64, f64)> {
        scores.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut tp = 0usize;
        let mut best: Option<(f32, f64, f64)> = None;
        for (k, (s, pos)) in scores.iter().enumerate() {
            if *pos {
                tp += 1;
            }
            let precision = tp as f64 / (k + 1) as f64;
            if precision >= cfg.target_precision && tp >= 2 {
                best = Some((*s, precision, tp as f64 / total_pos.max(1) as f64));
            }
        }
        best
    };
    let mut pooled: Vec<(f32, bool)> = Vec::new();
    let mut per: BTreeMap<usize, Vec<(f32, bool)>> = BTreeMap::new();
    for (i, row) in probs.axis_iter(Axis(0)).enumerate() {
        let y = held_set.y.get(i).copied().unwrap_or(0);
        for (ci, &l) in class_labels.iter().enumerate() {
            if !held_allowed.get(i).is_some_and(|a| a.contains(&l)) {
                continue;
            }
            let p = row.get(ci + 1).copied().unwrap_or(0.0);
            let pos = y == ci as i64 + 1;
            pooled.push((p, pos));
            per.entry(l).or_default().push((p, pos));
        }
    }
    let pooled_pos = pooled.iter().filter(|x| x.1).count();
    let pooled_threshold = pick(&mut pooled, pooled_pos).map_or(0.9, |b| b.0.max(0.5));
    let mut thresholds = BTreeMap::new();
    let mut labels_report = BTreeMap::new();
    for &l in &class_labels {
        let Some(label) = schema.labels().get(l) else {
            continue;
        };
        let name = label.name().to_string();
        let train_pos = train_counts.get(&l).copied().unwrap_or(0);
        let mut scores = per.remove(&l).unwrap_or_default();
        let held_pos = scores.iter().filter(|x| x.1).count();
        let threshold = if train_pos >= MIN_TRAIN_POSITIVES && held_pos >= MIN_HELDOUT_POSITIVES {
            pick(&mut scores, held_pos).map(|b| b.0.max(0.5))
        } else {
            None
        };
        let (mut tp, mut fp) = (0usize, 0usize);
        if let Some(t) = threshold {
            for (s, pos) in &scores {
                if *s >= t {
                    if *pos {
                        tp += 1;
                    } else {
                        fp += 1;
                    }
                }
            }
            thresholds.insert(name.clone(), t);
        }
        labels_report.insert(
            name,
            LabelReport {
                train_positives: train_pos,
                heldout_positives: held_pos,
                threshold,
                heldout_precision: if tp + fp == 0 {
                    0.0
                } else {
                    tp as f64 / (tp + fp) as f64
                },
                heldout_recall: if held_pos == 0 {
                    0.0
                } else {
                    tp as f64 / held_pos as f64
                },
            },
        );
    }
    // Save.
    let mut report = TrainReport {
        documents: docs.len(),
        candidates,
        cue_positives,
        distant_positives,
        train_examples: train_set.y.len(),
        heldout_examples: held_set.y.len(),
        temperature,
        heldout_nll: best_nll,
        pooled_threshold,
        labels: labels_report,
        weights_bytes: 0,
    };
    let mut names = vec![NONE_LABEL.to_string()];
    names.extend(
        class_labels
            .iter()
            .filter_map(|&l| schema.labels().get(l).map(|x| x.name().to_string())),
    );
    let meta = HeadMeta {
        version: 1,
        encoder: match (&source, &embedder) {
            (Some(s), _) => s.clone(),
            (None, Some(e)) => cfg.encoder_dir.file_name().map_or_else(
                || e.name().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            (None, None) => String::new(),
        },
        encoder_dim: dim,
        input_dim: fdim,
        hidden_units: cfg.hidden_units,
        labels: names,
        temperature,
        thresholds,
        encoder_layers: cfg.encoder_layers.filter(|_| source.is_none()),
        context_words: cfg.context_words.filter(|_| source.is_none()),
        tokenization: Some(lede_tokenize::TOKENIZATION.to_string()),
        encoder_precision: Some(cfg.encoder_precision).filter(|_| source.is_none()),
        token_vectors: source.clone(),
        extra_features: Vec::new(),
        decides: false,
        weights_sha256: String::new(),
        training: serde_json::json!({
            "corpus": "gensim lee_background.cor (300 ABC news articles), spaCy en_core_web_sm 3.8 entities",
            "weak_labels": "schema cue patterns (score >= min_cue_score) + distant supervision over cue-labelled name pairs",
            "min_cue_score": cfg.min_cue_score,
            "negatives_per_positive": cfg.negatives_per_positive,
            "epochs": cfg.epochs,
            "learning_rate": cfg.learning_rate,
            "heldout_every": cfg.heldout_every,
            "target_precision": cfg.target_precision,
            "seed": cfg.seed,
            "cue_positives": cue_positives,
            "distant_positives": distant_positives,
            "train_examples": report.train_examples,
            "heldout_examples": report.heldout_examples,
            "heldout_nll": best_nll,
        }),
    };
    report.weights_bytes = model.save(&cfg.out_dir, &meta)?;
    Ok(report)
}
