//! Training the pair classifier on hand-annotated relations (the corpus of
//! `models/relations/corpus/`, guideline `docs/annotation/RELATIONS.md`).
//!
//! The documents come annotated as the pipeline annotates them at inference: sentences and
//! tokens from lede-tokenize, entities from the recognizer and the clusterer, token vectors
//! from the recognizer's encoder pass. Every candidate pair ([`crate::candidates`]) is an
//! example: positive for a gold label when its sentence lies in the gold relation's evidence
//! and its head and tail are the gold arguments (through their mention spans, names, or a
//! nationality word's country), negative when it matches no gold relation; a candidate that
//! matches a gold relation outside its evidence sentence (a restatement) is left out of
//! training. The features are the encoder features of [`super::vector_features`] plus the
//! entity types and, optionally, the schema's cue scores ([`super::standard_extra_features`]):
//! the cues are inputs, not labels.
//!
//! The per-label thresholds are chosen on held-out predictions at the level the evaluation
//! scores (relations between entities, deduplicated over mentions and sentences): those on
//! the development documents and, with [`SupervisedConfig::threshold_folds`], the out-of-fold
//! predictions over the training documents.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use lede_core::{AnnotatedDocument, OffsetMap};
use ndarray::{Array2, Axis};
use serde::{Deserialize, Serialize};
use tch::Tensor;

use super::fit::{FitOptions, Perceptron};
use super::{
    extra_feature_rows, softmax_rows, standard_extra_features, vector_features, HeadMeta,
    NONE_LABEL,
};
use crate::candidates::{from_context, Candidate};
use crate::context::DocContext;
use crate::eval::{Counts, GoldRelation};
use crate::rules::apply;
use crate::schema::Schema;
use crate::text::fold;
use crate::{RelationError, Result};

/// A span of a corpus record: character offsets into the article (end exclusive) and its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpusSpan {
    /// First character.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// The text of the span (for value tails, the value).
    #[serde(default)]
    pub text: String,
}

/// One hand-annotated relation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpusRelation {
    /// The label.
    pub label: String,
    /// The head mention.
    pub head: CorpusSpan,
    /// The tail mention or value.
    pub tail: CorpusSpan,
    /// The sentence (or two adjacent sentences) that state it.
    pub evidence: CorpusSpan,
}

/// One document of the corpus (a line of `train.jsonl`, `dev.jsonl` or `test.jsonl`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpusDoc {
    /// Document id (`lee_bg_NNNN`).
    pub doc: String,
    /// 0-based line of the article in its source file.
    #[serde(default)]
    pub line: usize,
    /// Its relations (empty: read, nothing stated).
    pub relations: Vec<CorpusRelation>,
}

impl CorpusDoc {
    /// The relations as name-level gold lines for [`crate::evaluate`].
    pub fn gold(&self) -> Vec<GoldRelation> {
        self.relations
            .iter()
            .map(|r| GoldRelation {
                doc: self.doc.clone(),
                head: r.head.text.clone(),
                relation: r.label.clone(),
                tail: r.tail.text.clone(),
            })
            .collect()
    }
}

/// Reads a corpus split file (JSON Lines of [`CorpusDoc`]).
///
/// # Errors
/// [`RelationError::Io`] or [`RelationError::Json`] naming the line.
pub fn read_corpus(path: &Path) -> Result<Vec<CorpusDoc>> {
    let text = std::fs::read_to_string(path).map_err(|source| RelationError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        out.push(
            serde_json::from_str(line).map_err(|source| RelationError::Json {
                what: format!("{}:{}", path.display(), i + 1),
                source,
            })?,
        );
    }
    Ok(out)
}

/// Settings of [`train_supervised`].
#[derive(Debug, Clone)]
pub struct SupervisedConfig {
    /// Where to write [`super::HEAD_WEIGHTS`] and [`super::HEAD_META`].
    pub out_dir: PathBuf,
    /// Whether the cue scores are input features.
    pub cue_features: bool,
    /// Whether the classifier decides its labels alone ([`HeadMeta::decides`]): the cue
    /// matches of its labels are then not reported on their own.
    pub decides: bool,
    /// Hidden units of the perceptron.
    pub hidden_units: usize,
    /// Passes over the training examples.
    pub epochs: usize,
    /// Adam learning rate.
    pub learning_rate: f64,
    /// Adam weight decay.
    pub weight_decay: f64,
    /// Examples per step.
    pub batch_size: usize,
    /// Random seed (initialisation, shuffling, dropout).
    pub seed: i64,
    /// Fewest gold relations of a label in the development documents for the label to get a
    /// threshold of its own (labels with fewer share the threshold chosen over all labels).
    pub min_dev_relations: usize,
    /// The source of the token vectors the documents carry.
    pub token_vectors: String,
    /// Tokens of context on either side of a pair read as features (0: none).
    pub context_tokens: usize,
    /// Hashed columns of the pair's tokens ([`super::ExtraFeature::Words`]; 0: none).
    pub word_buckets: usize,
    /// Tokens at each end of the stretch between a pair's mentions read as features
    /// ([`super::ExtraFeature::Edges`]; 0: none).
    pub edge_tokens: usize,
    /// Folds of the training documents whose out-of-fold predictions join the dev
    /// documents' in the choice of thresholds (0 or 1: dev alone).
    pub threshold_folds: usize,
    /// Whether pairs across two adjacent sentences are candidates too (with the
    /// [`super::CROSS_SENTENCE_FEATURE`] telling them apart).
    pub cross_sentence: bool,
    /// Perceptrons trained from consecutive seeds and averaged (stored as one).
    pub ensemble: usize,
    /// Fewest positive training examples of a label for the classifier to report it.
    pub min_train_examples: usize,
    /// The thresholds maximise F-beta on the development documents: 1 weighs precision and
    /// recall alike, below 1 favours precision.
    pub beta: f64,
    /// Lowest development precision at its threshold for the classifier to report a label: a
    /// label below it (its best F-beta reached only by reporting nearly every pair, or none of
    /// its predictions right) is left to the cues. 0 keeps every label.
    pub min_dev_precision: f64,
}

impl SupervisedConfig {
    /// Defaults for an output directory and a token-vector source.
    pub fn new(out_dir: PathBuf, token_vectors: String) -> Self {
        SupervisedConfig {
            out_dir,
            cue_features: true,
            decides: false,
            hidden_units: 128,
            epochs: 10,
            learning_rate: 1e-3,
            weight_decay: 1e-4,
            batch_size: 64,
            seed: 20_261_206,
            min_dev_relations: 5,
            token_vectors,
            min_train_examples: 10,
            ensemble: 5,
            context_tokens: 3,
            word_buckets: 0,
            edge_tokens: 0,
            threshold_folds: 5,
            cross_sentence: true,
            beta: 1.0,
            min_dev_precision: 0.7,
        }
    }

    /// Checks the settings without training: what [`train_supervised_with`] refuses at its
    /// start, for callers that want the error before they annotate any document.
    ///
    /// # Errors
    /// [`RelationError::InvalidData`] naming the first setting out of range: a context, edge
    /// or word feature wider than [`super::MAX_WINDOW_TOKENS`] tokens or
    /// [`super::MAX_WORD_BUCKETS`] columns, no hidden unit, epoch, example per step or
    /// ensemble member, a learning rate or beta that is not a positive number, a negative
    /// weight decay, or a precision floor outside 0 to 1.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(RelationError::InvalidData(m));
        let window = super::MAX_WINDOW_TOKENS;
        for (name, n) in [
            ("context", self.context_tokens),
            ("edges", self.edge_tokens),
        ] {
            if n > window {
                return bad(format!("{name}: {n} tokens (at most {window})"));
            }
        }
        if self.word_buckets > super::MAX_WORD_BUCKETS {
            return bad(format!(
                "words: {} columns (at most {})",
                self.word_buckets,
                super::MAX_WORD_BUCKETS
            ));
        }
        for (name, n) in [
            ("hidden units", self.hidden_units),
            ("epochs", self.epochs),
            ("batch size", self.batch_size),
            ("ensemble", self.ensemble),
        ] {
            if n == 0 {
                return bad(format!("{name}: 0 (at least 1)"));
            }
        }
        for (name, v) in [("learning rate", self.learning_rate), ("beta", self.beta)] {
            if !(v.is_finite() && v > 0.0) {
                return bad(format!("{name}: {v} (a positive number)"));
            }
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return bad(format!(
                "weight decay: {} (0 or a positive number)",
                self.weight_decay
            ));
        }
        if !(0.0..=1.0).contains(&self.min_dev_precision) {
            return bad(format!(
                "minimum dev precision: {} (0 to 1)",
                self.min_dev_precision
            ));
        }
        Ok(())
    }
}

/// Per-label figures of a training run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SupervisedLabel {
    /// Positive candidate examples in training.
    pub train_examples: usize,
    /// Gold relations in the development documents.
    pub dev_relations: usize,
    /// The chosen threshold (none: the classifier does not report the label).
    pub threshold: Option<f32>,
    /// Development precision at the threshold (relations between entities).
    pub dev_precision: f64,
    /// Development recall at the threshold.
    pub dev_recall: f64,
}

/// What [`train_supervised`] reports.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SupervisedReport {
    /// Training documents.
    pub train_documents: usize,
    /// Development documents.
    pub dev_documents: usize,
    /// Added training documents ([`train_supervised_with`]): learned from, never held out.
    #[serde(default)]
    pub added_documents: usize,
    /// Training examples (candidate pairs; a pair with two gold labels counts twice).
    pub train_examples: usize,
    /// Positive training examples.
    pub train_positives: usize,
    /// Gold relations of the training documents that no candidate pair reaches (other
    /// sentence, value tail, entity not found).
    pub train_unreachable: usize,
    /// Candidate pairs left out of training (a gold pair outside its evidence sentence).
    pub train_left_out: usize,
    /// Gold relations of the development documents that no candidate pair reaches (the
    /// classifier cannot find them at any threshold).
    pub dev_unreachable: usize,
    /// Development relations over all thresholded labels: precision, recall.
    pub dev_precision: f64,
    /// See `dev_precision`.
    pub dev_recall: f64,
    /// Per label.
    pub labels: BTreeMap<String, SupervisedLabel>,
}

/// The names a candidate's side answers to: its mention text, the entity's name and mention
/// texts, folded.
fn side_names(doc: &AnnotatedDocument, entity: usize, span: (usize, usize)) -> Vec<String> {
    let mut v = Vec::new();
    if let Some(t) = doc.text().get(span.0..span.1) {
        v.push(key(t));
    }
    if let Some(e) = doc.entities.get(entity) {
        v.push(key(&e.name));
        v.extend(e.mentions.iter().map(|m| key(&m.text)));
    }
    v.sort();
    v.dedup();
    v
}

fn key(s: &str) -> String {
    let f = fold(s);
    match f.strip_prefix("the ") {
        Some(r) if !r.is_empty() => r.to_string(),
        _ => f,
    }
}

/// Whether a gold side (byte span, text) is the candidate's side.
fn side_matches(
    schema: &Schema,
    names: &[String],
    cand_span: (usize, usize),
    gold_span: (usize, usize),
    gold_text: &str,
) -> bool {
    cand_span == gold_span
        || names.contains(&key(gold_text))
        || schema
            .demonym_targets(gold_text)
            .is_some_and(|cs| cs.iter().any(|c| names.contains(&key(c))))
}

/// A gold relation in byte offsets.
struct GoldBytes {
    label: usize,
    head: (usize, usize),
    tail: (usize, usize),
    head_text: String,
    tail_text: String,
    evidence: (usize, usize),
}

fn gold_bytes(schema: &Schema, doc: &AnnotatedDocument, g: &CorpusDoc) -> Result<Vec<GoldBytes>> {
    let map = OffsetMap::new(doc.text());
    let mut out = Vec::new();
    for r in &g.relations {
        let Some(label) = schema.label_index(&r.label) else {
            return Err(RelationError::InvalidData(format!(
                "{}: label {:?} is not in the schema",
                g.doc, r.label
            )));
        };
        let span = |s: &CorpusSpan| -> Result<(usize, usize)> {
            let b = map.span_of_chars(s.start, s.end)?;
            Ok((b.start, b.end))
        };
        out.push(GoldBytes {
            label,
            head: span(&r.head)?,
            tail: span(&r.tail)?,
            head_text: r.head.text.clone(),
            tail_text: r.tail.text.clone(),
            evidence: span(&r.evidence)?,
        });
    }
    Ok(out)
}

/// Whether a candidate's head and tail (their names `hn`, `tn`) are a gold relation's
/// arguments, in either order for a symmetric label.
fn pair_matches(
    schema: &Schema,
    (hn, tn): (&[String], &[String]),
    c: &Candidate,
    g: &GoldBytes,
) -> bool {
    let fwd = side_matches(schema, hn, c.head_span, g.head, &g.head_text)
        && side_matches(schema, tn, c.tail_span, g.tail, &g.tail_text);
    let symmetric = schema
        .labels()
        .get(g.label)
        .is_some_and(|l| l.spec.symmetric);
    fwd || (symmetric
        && side_matches(schema, hn, c.head_span, g.tail, &g.tail_text)
        && side_matches(schema, tn, c.tail_span, g.head, &g.head_text))
}

/// Whether a candidate's mentions overlap a gold relation's arguments (in either order for a
/// symmetric label): the same mentions, with the recognizer's boundaries ("US Federal Reserve"
/// for the gold "Federal Reserve").
fn spans_overlap(schema: &Schema, c: &Candidate, g: &GoldBytes) -> bool {
    let over = |a: (usize, usize), b: (usize, usize)| a.0 < b.1 && b.0 < a.1;
    let symmetric = schema
        .labels()
        .get(g.label)
        .is_some_and(|l| l.spec.symmetric);
    (over(c.head_span, g.head) && over(c.tail_span, g.tail))
        || (symmetric && over(c.head_span, g.tail) && over(c.tail_span, g.head))
}

/// How a candidate relates to the gold relations of its document.
enum Match {
    /// Gold labels it states (its sentence is in their evidence), and which gold relations
    /// (indices) it is.
    Positive(Vec<usize>, Vec<usize>),
    /// It is a gold pair, but stated elsewhere: not an example.
    Elsewhere,
    /// No gold relation.
    Negative,
}

fn match_candidate(
    schema: &Schema,
    doc: &AnnotatedDocument,
    c: &Candidate,
    gold: &[GoldBytes],
) -> Match {
    let hn = side_names(doc, c.head, c.head_span);
    let tn = side_names(doc, c.tail, c.tail_span);
    // The sentence, or the two adjacent sentences, the pair's mentions are in.
    let span_of = |i: usize| doc.sentences.get(i).map(|s| (s.span.start, s.span.end));
    let (first, last) = (span_of(c.sentence), span_of(c.last_sentence));
    let mut labels = Vec::new();
    let mut found = Vec::new();
    let mut elsewhere = false;
    for (k, g) in gold.iter().enumerate() {
        if !pair_matches(schema, (&hn, &tn), c, g) && !spans_overlap(schema, c, g) {
            continue;
        }
        if !c.labels.contains(&g.label) {
            // The gold pair, but the recognizer's types rule the label out: not a negative
            // example of the pair (it would teach the classifier that the text does not state
            // what it states), and no positive one either.
            elsewhere = true;
            continue;
        }
        // The evidence overlaps the pair's sentence (across two: both of them).
        let overlaps = |s: Option<(usize, usize)>| {
            s.is_some_and(|(a, b)| a < g.evidence.1 && g.evidence.0 < b)
        };
        let inside = overlaps(first) && overlaps(last);
        if inside {
            labels.push(g.label);
            found.push(k);
        } else {
            elsewhere = true;
        }
    }
    labels.sort_unstable();
    labels.dedup();
    if !labels.is_empty() {
        Match::Positive(labels, found)
    } else if elsewhere {
        Match::Elsewhere
    } else {
        Match::Negative
    }
}

/// The candidates of a document with their features (encoder features, then `extra`).
fn featurize(
    schema: &Schema,
    doc: &AnnotatedDocument,
    extra: &[String],
    source: &str,
) -> Result<(Vec<Candidate>, Array2<f32>)> {
    let ctx = DocContext::build(doc, schema);
    let cands = from_context(schema, &ctx, super::candidate_options(extra));
    if cands.is_empty() {
        return Ok((cands, Array2::zeros((0, 0))));
    }
    let enc = vector_features(doc, &cands, source)?;
    let hits = apply(schema, &ctx);
    let x = extra_feature_rows(extra, schema, doc, &hits, &cands);
    let feats = ndarray::concatenate(Axis(1), &[enc.view(), x.view()])
        .map_err(|e| RelationError::InvalidData(format!("features: {e}")))?;
    Ok((cands, feats))
}

/// Entity-level relations from candidate probabilities: per (label, head, tail) the best
/// probability (symmetric labels in one order), as the extractor reports them.
type Facts = HashMap<(usize, usize, usize), (f32, Vec<usize>)>;

fn facts(schema: &Schema, cands: &[Candidate], probs: &Array2<f32>, classes: &[usize]) -> Facts {
    let mut out: Facts = HashMap::new();
    for (i, (c, row)) in cands.iter().zip(probs.axis_iter(Axis(0))).enumerate() {
        for (ci, &l) in classes.iter().enumerate() {
            if !c.labels.contains(&l) {
                continue;
            }
            let p = row.get(ci + 1).copied().unwrap_or(0.0);
            let symmetric = schema.labels().get(l).is_some_and(|x| x.spec.symmetric);
            let (h, t) = if symmetric && c.tail < c.head {
                (c.tail, c.head)
            } else {
                (c.head, c.tail)
            };
            let e = out.entry((l, h, t)).or_insert((0.0, Vec::new()));
            e.0 = e.0.max(p);
            e.1.push(i);
        }
    }
    out
}

/// The threshold with the best F-beta over `(score, correct)` pairs against `n_gold` relations
/// among those with a precision of at least `min_precision` (ties: the higher threshold), with
/// that F-beta.
fn best_threshold(
    mut s: Vec<(f32, bool)>,
    n_gold: usize,
    beta: f64,
    min_precision: f64,
) -> Option<(f32, f64)> {
    s.sort_by(|a, b| b.0.total_cmp(&a.0));
    let b2 = beta * beta;
    let (mut tp, mut best) = (0usize, None::<(f32, f64)>);
    for (k, &(p, hit)) in s.iter().enumerate() {
        if hit {
            tp += 1;
        }
        if s.get(k + 1).is_some_and(|next| next.0 == p) {
            continue;
        }
        let (precision, recall) = (tp as f64 / (k + 1) as f64, tp as f64 / n_gold.max(1) as f64);
        if precision < min_precision {
            continue;
        }
        let f = if tp == 0 {
            0.0
        } else {
            (1.0 + b2) * precision * recall / (b2 * precision + recall)
        };
        if best.is_none() || best.is_some_and(|b| f > b.1) {
            best = Some((p, f));
        }
    }
    best.filter(|b| b.1 > 0.0)
}

/// A document's candidate pairs with their features and its gold relations in bytes.
struct DocFeatures<'a> {
    doc: &'a AnnotatedDocument,
    gold: Vec<GoldBytes>,
    cands: Vec<Candidate>,
    feats: Array2<f32>,
}

fn doc_features<'a>(
    schema: &Schema,
    docs: &'a [(AnnotatedDocument, CorpusDoc)],
    extra: &[String],
    source: &str,
) -> Result<Vec<DocFeatures<'a>>> {
    docs.iter()
        .map(|(doc, g)| {
            let gold = gold_bytes(schema, doc, g)?;
            let (cands, feats) = featurize(schema, doc, extra, source)?;
            Ok(DocFeatures {
                doc,
                gold,
                cands,
                feats,
            })
        })
        .collect()
}

/// Training rows of documents: features, class (0: none) and, per positive row, its label.
#[derive(Default)]
struct Rows {
    xs: Vec<f32>,
    ys: Vec<i64>,
    width: usize,
    positives: Vec<usize>,
    left_out: usize,
    unreachable: usize,
}

fn rows_of<'a>(
    schema: &Schema,
    docs: impl Iterator<Item = &'a DocFeatures<'a>>,
    class_of: &dyn Fn(usize) -> Option<i64>,
) -> Rows {
    let mut r = Rows::default();
    for d in docs {
        let mut reached = vec![false; d.gold.len()];
        for (c, row) in d.cands.iter().zip(d.feats.axis_iter(Axis(0))) {
            r.width = row.len();
            match match_candidate(schema, d.doc, c, &d.gold) {
                Match::Positive(labels, found) => {
                    for k in found {
                        if let Some(x) = reached.get_mut(k) {
                            *x = true;
                        }
                    }
                    for l in labels {
                        if let Some(y) = class_of(l) {
                            r.xs.extend(row.iter());
                            r.ys.push(y);
                            r.positives.push(l);
                        }
                    }
                }
                Match::Elsewhere => r.left_out += 1,
                Match::Negative => {
                    r.xs.extend(row.iter());
                    r.ys.push(0);
                }
            }
        }
        r.unreachable += reached.iter().filter(|x| !**x).count();
    }
    r
}

/// An ensemble of perceptrons trained from consecutive seeds, stored as one perceptron whose
/// hidden layer is theirs side by side and whose output averages their logits.
fn fit_ensemble(rows: &Rows, n_classes: usize, cfg: &SupervisedConfig) -> Result<Perceptron> {
    let n = rows.ys.len() as i64;
    let x = Tensor::f_from_slice(&rows.xs)?.f_view([n, rows.width as i64])?;
    let options = FitOptions {
        hidden_units: cfg.hidden_units,
        epochs: cfg.epochs,
        learning_rate: cfg.learning_rate,
        weight_decay: cfg.weight_decay,
        batch_size: cfg.batch_size,
    };
    let mut members = Vec::with_capacity(cfg.ensemble.max(1));
    for m in 0..cfg.ensemble.max(1) {
        tch::manual_seed(cfg.seed + m as i64);
        members.push(Perceptron::fit(&x, &rows.ys, n_classes, &options)?);
    }
    Ok(Perceptron::average(&members))
}

/// Scores held-out documents at the level the evaluation counts (entity-level relations,
/// one-to-one with the gold): per label, (probability, correct) of each relation, and the
/// gold relations per label in `gold_count`.
fn score_heldout<'a>(
    schema: &Schema,
    model: &Perceptron,
    docs: impl Iterator<Item = &'a DocFeatures<'a>>,
    classes: &[usize],
    scored: &mut BTreeMap<usize, Vec<(f32, bool)>>,
    gold_count: &mut BTreeMap<usize, usize>,
) -> Result<()> {
    let n_classes = classes.len() + 1;
    for d in docs {
        for gb in &d.gold {
            *gold_count.entry(gb.label).or_default() += 1;
        }
        if d.cands.is_empty() {
            continue;
        }
        let width = d.feats.ncols();
        let flat: Vec<f32> = d.feats.iter().copied().collect();
        let fx = Tensor::f_from_slice(&flat)?.f_view([d.cands.len() as i64, width as i64])?;
        let logits = model.logits(&fx);
        let v = Vec::<f32>::try_from(&logits.f_contiguous()?.f_view([-1])?)?;
        let logits = Array2::from_shape_vec((d.cands.len(), n_classes), v)
            .map_err(|e| RelationError::InvalidData(format!("logits: {e}")))?;
        let probs = softmax_rows(&logits, 1.0);
        // One-to-one: a gold relation is found by the best-scored fact that matches it.
        let mut used = vec![false; d.gold.len()];
        let mut fs: Vec<_> = facts(schema, &d.cands, &probs, classes)
            .into_iter()
            .collect();
        fs.sort_by(|a, b| b.1 .0.total_cmp(&a.1 .0).then(a.0.cmp(&b.0)));
        for ((l, _, _), (p, members)) in fs {
            let mut hit = false;
            for &i in &members {
                let Some(c) = d.cands.get(i) else { continue };
                // Which gold relation: the first unused one of this label that the pair is.
                let (hn, tn) = (
                    side_names(d.doc, c.head, c.head_span),
                    side_names(d.doc, c.tail, c.tail_span),
                );
                if let Some(k) = d.gold.iter().enumerate().position(|(k, gb)| {
                    !used[k] && gb.label == l && pair_matches(schema, (&hn, &tn), c, gb)
                }) {
                    used[k] = true;
                    hit = true;
                    break;
                }
            }
            scored.entry(l).or_default().push((p, hit));
        }
    }
    Ok(())
}

/// Trains the classifier on `train` and chooses its thresholds on `dev`; each document comes
/// with its gold relations. Writes the classifier into [`SupervisedConfig::out_dir`].
///
/// With [`SupervisedConfig::threshold_folds`] `k > 1`, the thresholds are chosen on more
/// held-out predictions: the dev documents' and, for each of `k` folds of the training
/// documents, those of an ensemble trained on the other folds (the shipped classifier is
/// still trained on all of `train`).
///
/// # Errors
/// [`RelationError::TokenVectors`] for documents without the configured vectors, offsets that
/// do not fit a text, and libtorch or file errors.
pub fn train_supervised(
    schema: &Schema,
    train: &[(AnnotatedDocument, CorpusDoc)],
    dev: &[(AnnotatedDocument, CorpusDoc)],
    cfg: &SupervisedConfig,
) -> Result<SupervisedReport> {
    train_supervised_with(schema, train, &[], dev, cfg)
}

/// [`train_supervised`] with `added` training documents from another source (another
/// publication, another period): every ensemble, the out-of-fold ones included, learns from
/// them, but they are never held out, so the thresholds rest on `train` and `dev` alone.
///
/// # Errors
/// As [`train_supervised`].
pub fn train_supervised_with(
    schema: &Schema,
    train: &[(AnnotatedDocument, CorpusDoc)],
    added: &[(AnnotatedDocument, CorpusDoc)],
    dev: &[(AnnotatedDocument, CorpusDoc)],
    cfg: &SupervisedConfig,
) -> Result<SupervisedReport> {
    cfg.validate()?;
    tch::manual_seed(cfg.seed);
    let mut extra = standard_extra_features(
        schema,
        cfg.cue_features,
        cfg.context_tokens,
        cfg.cross_sentence,
    );
    if cfg.word_buckets > 0 {
        extra.push(format!("words:{}", cfg.word_buckets));
    }
    if cfg.edge_tokens > 0 {
        extra.push(format!("edges:{}", cfg.edge_tokens));
    }
    let classes = super::pair_classes(schema);
    let class_of = |l: usize| classes.iter().position(|&c| c == l).map(|p| p as i64 + 1);
    let mut report = SupervisedReport {
        train_documents: train.len(),
        dev_documents: dev.len(),
        added_documents: added.len(),
        ..SupervisedReport::default()
    };
    let train_feats = doc_features(schema, train, &extra, &cfg.token_vectors)?;
    let added_feats = doc_features(schema, added, &extra, &cfg.token_vectors)?;
    let dev_feats = doc_features(schema, dev, &extra, &cfg.token_vectors)?;
    let rows = rows_of(
        schema,
        train_feats.iter().chain(added_feats.iter()),
        &class_of,
    );
    let mut per_label: BTreeMap<String, SupervisedLabel> = BTreeMap::new();
    for &l in &rows.positives {
        if let Some(lab) = schema.labels().get(l) {
            per_label
                .entry(lab.name().to_string())
                .or_default()
                .train_examples += 1;
        }
    }
    report.train_positives = rows.positives.len();
    report.train_left_out = rows.left_out;
    report.train_unreachable = rows.unreachable;
    report.train_examples = rows.ys.len();
    let width = rows.width;
    if rows.ys.is_empty() || width == 0 {
        return Err(RelationError::InvalidData(
            "no training examples: the training documents have no candidate pairs".into(),
        ));
    }
    let n_classes = classes.len() + 1;
    let model = fit_ensemble(&rows, n_classes, cfg)?;
    let hidden_units = model.hidden_units();

    // Thresholds on dev (and, with folds, on out-of-fold training predictions), over
    // entity-level relations.
    report.dev_unreachable = rows_of(schema, dev_feats.iter(), &class_of).unreachable;
    let mut scored: BTreeMap<usize, Vec<(f32, bool)>> = BTreeMap::new();
    let mut dev_gold: BTreeMap<usize, usize> = BTreeMap::new();
    score_heldout(
        schema,
        &model,
        dev_feats.iter(),
        &classes,
        &mut scored,
        &mut dev_gold,
    )?;
    // No more folds than training documents: every fold holds at least one.
    let k = cfg.threshold_folds.min(train_feats.len());
    if k > 1 {
        for fold in 0..k {
            let fold_rows = rows_of(
                schema,
                train_feats
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % k != fold)
                    .map(|x| x.1)
                    .chain(added_feats.iter()),
                &class_of,
            );
            if fold_rows.ys.is_empty() {
                continue;
            }
            let m = fit_ensemble(&fold_rows, n_classes, cfg)?;
            score_heldout(
                schema,
                &m,
                train_feats
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % k == fold)
                    .map(|x| x.1),
                &classes,
                &mut scored,
                &mut dev_gold,
            )?;
            tracing::info!(fold, of = k, "out-of-fold predictions for the thresholds");
        }
    }
    // Labels the classifier may report: enough training examples. Each gets its own threshold
    // when the development documents hold enough of its relations, else the pooled one.
    let eligible: Vec<usize> = classes
        .iter()
        .copied()
        .filter(|&l| {
            schema.labels().get(l).is_some_and(|lab| {
                per_label
                    .get(lab.name())
                    .is_some_and(|x| x.train_examples >= cfg.min_train_examples)
            })
        })
        .collect();
    let pooled: Vec<(f32, bool)> = eligible
        .iter()
        .flat_map(|l| scored.get(l).cloned().unwrap_or_default())
        .collect();
    let pooled_gold: usize = eligible
        .iter()
        .map(|l| dev_gold.get(l).copied().unwrap_or(0))
        .sum();
    let pooled_t =
        best_threshold(pooled, pooled_gold, cfg.beta, cfg.min_dev_precision).map(|b| b.0);
    let mut thresholds = BTreeMap::new();
    let mut all = Counts::default();
    for &l in &classes {
        let Some(lab) = schema.labels().get(l) else {
            continue;
        };
        let name = lab.name().to_string();
        let n_gold = dev_gold.get(&l).copied().unwrap_or(0);
        let entry = per_label.entry(name.clone()).or_default();
        entry.dev_relations = n_gold;
        if !eligible.contains(&l) {
            continue;
        }
        let s = scored.remove(&l).unwrap_or_default();
        let t = if n_gold >= cfg.min_dev_relations {
            best_threshold(s.clone(), n_gold, cfg.beta, cfg.min_dev_precision).map(|b| b.0)
        } else {
            pooled_t
        };
        let Some(t) = t else { continue };
        let tp = s.iter().filter(|x| x.0 >= t && x.1).count();
        let npred = s.iter().filter(|x| x.0 >= t).count();
        let c = Counts {
            true_positives: tp,
            false_positives: npred - tp,
            false_negatives: n_gold.saturating_sub(tp),
        };
        if npred > 0 && c.precision() < cfg.min_dev_precision {
            tracing::info!(
                label = %name,
                threshold = t,
                tp,
                npred,
                n_gold,
                "dev precision below the floor: left to the cues"
            );
            continue;
        }
        thresholds.insert(name.clone(), t);
        entry.threshold = Some(t);
        entry.dev_precision = c.precision();
        entry.dev_recall = c.recall();
        all += c;
        tracing::info!(label = %name, threshold = t, tp, npred, n_gold, "dev threshold");
    }
    report.dev_precision = all.precision();
    report.dev_recall = all.recall();
    report.labels = per_label;

    // Save.
    let mut names = vec![NONE_LABEL.to_string()];
    names.extend(
        classes
            .iter()
            .filter_map(|&l| schema.labels().get(l).map(|x| x.name().to_string())),
    );
    let encoder_dim = (0..=width)
        .find(|&d| super::feature_dim(d) + super::extra_width(&extra, d) == width)
        .ok_or_else(|| RelationError::InvalidData("feature width does not fit".into()))?;
    let mut training = serde_json::json!({
        "corpus": "hand-annotated relations over gensim lee_background.cor (models/relations/corpus, guideline docs/annotation/RELATIONS.md)",
        "train_documents": report.train_documents,
        "dev_documents": report.dev_documents,
        "train_examples": report.train_examples,
        "train_positives": report.train_positives,
        "cue_features": cfg.cue_features,
        "epochs": cfg.epochs,
        "learning_rate": cfg.learning_rate,
        "weight_decay": cfg.weight_decay,
        "hidden_units": cfg.hidden_units,
        "ensemble": cfg.ensemble,
        "context_tokens": cfg.context_tokens,
        "word_buckets": cfg.word_buckets,
        "threshold_folds": cfg.threshold_folds,
        "seed": cfg.seed,
        "thresholds": "per label with at least min_dev_relations held-out relations, else pooled over the labels; best F-beta on the entity-level relations of the dev documents and of threshold_folds out-of-fold predictions over the training documents, among thresholds with held-out precision at least min_dev_precision",
        "min_dev_precision": cfg.min_dev_precision,
        "beta": cfg.beta,
        "min_dev_relations": cfg.min_dev_relations,
        "min_train_examples": cfg.min_train_examples,
    });
    // Settings added later are written only when used, so that a classifier trained without
    // them is the same file as before they existed.
    if let Some(t) = training.as_object_mut() {
        if !added.is_empty() {
            t.insert("added_documents".into(), added.len().into());
        }
        if cfg.edge_tokens > 0 {
            t.insert("edge_tokens".into(), cfg.edge_tokens.into());
        }
    }
    let meta = HeadMeta {
        version: 1,
        encoder: cfg.token_vectors.clone(),
        encoder_dim,
        input_dim: width,
        hidden_units,
        labels: names,
        temperature: 1.0,
        thresholds,
        encoder_layers: None,
        context_words: None,
        tokenization: Some(lede_tokenize::TOKENIZATION.to_string()),
        encoder_precision: None,
        token_vectors: Some(cfg.token_vectors.clone()),
        extra_features: extra,
        decides: cfg.decides,
        weights_sha256: String::new(),
        training,
    };
    model.save(&cfg.out_dir, &meta)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PairClassifier;
    use crate::NewsRelationExtractor;
    use lede_core::{Document, Embeddings, Entity, Mention, RelationExtractor, TokenVectors};

    const SOURCE: &str = "test/hashed-words";
    const DIM: usize = 16;

    /// A document with PERSON `a` and GPE `b` in one sentence, joined by `verb`, its tokens
    /// from lede-tokenize and token vectors that hash each word to a one-hot row.
    fn doc(id: &str, a: &str, verb: &str, b: &str) -> (AnnotatedDocument, CorpusDoc, bool) {
        let text = format!("{a} {verb} {b} today.");
        let mut d = lede_tokenize::Segmenter::default().annotate(Document::new(id, text.clone()));
        let map = OffsetMap::new(&text);
        let ent = |eid: &str, label: &str, name: &str| {
            let s = text.find(name).unwrap();
            Entity {
                id: eid.into(),
                name: name.into(),
                label: label.into(),
                mentions: vec![Mention {
                    text: name.into(),
                    label: label.into(),
                    score: 1.0,
                    span: map.span(s, s + name.len()).unwrap(),
                }],
            }
        };
        d.entities = vec![ent("E1", "PERSON", a), ent("E2", "GPE", b)];
        let mut values = Vec::new();
        for t in &d.tokens {
            let mut row = vec![0.0f32; DIM];
            let h = t
                .text
                .to_lowercase()
                .bytes()
                .fold(7usize, |h, c| h.wrapping_mul(31).wrapping_add(c as usize));
            row[h % DIM] = 1.0;
            values.extend(row);
        }
        d.token_vectors = Some(TokenVectors {
            source: SOURCE.into(),
            vectors: Embeddings { dim: DIM, values },
        });
        let leads = verb == "leads";
        let chars = |s: &str| {
            let b = text.find(s).unwrap();
            (
                text[..b].chars().count(),
                text[..b + s.len()].chars().count(),
            )
        };
        let span = |s: &str| {
            let (start, end) = chars(s);
            CorpusSpan {
                start,
                end,
                text: s.into(),
            }
        };
        let relations = if leads {
            vec![CorpusRelation {
                label: "leader_of".into(),
                head: span(a),
                tail: span(b),
                evidence: CorpusSpan {
                    start: 0,
                    end: text.chars().count(),
                    text: text.clone(),
                },
            }]
        } else {
            Vec::new()
        };
        let g = CorpusDoc {
            doc: id.into(),
            line: 0,
            relations,
        };
        (d, g, leads)
    }

    /// Settings for the tiny corpora of these tests: few epochs, thresholds for every label.
    fn small_cfg(dir: &Path, epochs: usize, ensemble: usize) -> SupervisedConfig {
        let mut cfg = SupervisedConfig::new(dir.to_path_buf(), SOURCE.into());
        cfg.epochs = epochs;
        cfg.ensemble = ensemble;
        cfg.min_train_examples = 2;
        cfg.min_dev_relations = 2;
        cfg
    }

    fn corpus(n: usize, offset: usize) -> Vec<(AnnotatedDocument, CorpusDoc)> {
        (0..n)
            .map(|i| {
                let k = i + offset;
                let verb = if k % 2 == 0 { "leads" } else { "visited" };
                let (d, g, _) = doc(
                    &format!("d{k}"),
                    &format!("Per{k} Son"),
                    verb,
                    &format!("Land{}", k * 7),
                );
                (d, g)
            })
            .collect()
    }

    #[test]
    fn settings_out_of_range_are_refused_before_training() {
        let ok = SupervisedConfig::new(PathBuf::from("/nonexistent"), "v".into());
        assert!(ok.validate().is_ok());
        type Spoil = fn(&mut SupervisedConfig);
        let cases: [(&str, Spoil); 8] = [
            ("edges", |c| {
                c.edge_tokens = super::super::MAX_WINDOW_TOKENS + 1
            }),
            ("context", |c| c.context_tokens = 65),
            ("words", |c| {
                c.word_buckets = super::super::MAX_WORD_BUCKETS + 1
            }),
            ("epochs", |c| c.epochs = 0),
            ("ensemble", |c| c.ensemble = 0),
            ("beta", |c| c.beta = f64::NAN),
            ("weight decay", |c| c.weight_decay = -1.0),
            ("precision", |c| c.min_dev_precision = 1.5),
        ];
        let schema = Schema::news().unwrap();
        for (name, spoil) in cases {
            let mut c = ok.clone();
            spoil(&mut c);
            let err = c.validate().unwrap_err().to_string();
            assert!(err.contains(name), "{name}: {err}");
            // The trainer refuses the same settings before it reads any document.
            let err = train_supervised_with(&schema, &[], &[], &[], &c).unwrap_err();
            assert!(err.to_string().contains(name), "{name}: {err}");
        }
        // At the limits, still accepted.
        let mut c = ok.clone();
        c.edge_tokens = super::super::MAX_WINDOW_TOKENS;
        c.min_dev_precision = 0.0;
        assert!(c.validate().is_ok());
    }

    #[test]
    fn best_threshold_picks_the_f1_optimum() {
        let s = vec![
            (0.9, true),
            (0.8, true),
            (0.7, false),
            (0.6, true),
            (0.1, false),
        ];
        let (t, f) = best_threshold(s.clone(), 3, 1.0, 0.0).unwrap();
        // At 0.6: tp 3 of 4 predictions, 3 gold: F1 6/7, better than 0.8's 0.8.
        assert!((t - 0.6).abs() < 1e-6 && (f - 6.0 / 7.0).abs() < 1e-9);
        assert!(best_threshold(vec![(0.5, false)], 2, 1.0, 0.0).is_none());
        // A precision floor of 0.8 rules 0.6 (3 of 4) out: 0.8 (2 of 2) is the best left.
        let (t, _) = best_threshold(s.clone(), 3, 1.0, 0.8).unwrap();
        assert!((t - 0.8).abs() < 1e-6);
        assert!(best_threshold(s, 3, 1.0, 1.01).is_none());
    }

    #[test]
    fn trains_a_classifier_the_extractor_loads_and_uses() {
        let schema = Schema::news().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = small_cfg(dir.path(), 60, 2);
        cfg.decides = true;
        let report = train_supervised(&schema, &corpus(40, 0), &corpus(10, 40), &cfg).unwrap();
        assert_eq!(report.train_documents, 40);
        assert!(report.train_positives >= 20, "{report:?}");
        assert_eq!(report.dev_unreachable, 0);
        assert!(
            report.dev_precision > 0.9 && report.dev_recall > 0.9,
            "{report:?}"
        );
        let c = PairClassifier::load(dir.path()).unwrap();
        assert_eq!(c.meta.token_vectors.as_deref(), Some(SOURCE));
        assert!(c.meta.decides);
        assert!(c.meta.extra_features.iter().any(|f| f == "cue:leader_of"));
        assert!(c.meta.thresholds.contains_key("leader_of"));
        // The extractor reads the file and finds the relation in an unseen document, and
        // not in the other kind.
        let ex = NewsRelationExtractor::builder()
            .model_dir(dir.path())
            .build()
            .unwrap();
        assert_eq!(ex.reads_token_vectors().as_deref(), Some(SOURCE));
        let (yes, _, _) = doc("t1", "Per999 Son", "leads", "Land4242");
        let rels = ex.extract(&yes).unwrap();
        assert!(
            rels.iter()
                .any(|r| r.label == "leader_of" && r.head == "E1" && r.tail == "E2"),
            "{rels:?}"
        );
        let (no, _, _) = doc("t2", "Per998 Son", "visited", "Land4243");
        let rels = ex.extract(&no).unwrap();
        assert!(!rels.iter().any(|r| r.label == "leader_of"), "{rels:?}");
    }

    #[test]
    fn out_of_fold_predictions_join_dev_in_the_thresholds() {
        let schema = Schema::news().unwrap();
        let counted = |folds: usize| {
            let dir = tempfile::tempdir().unwrap();
            let mut cfg = small_cfg(dir.path(), 30, 1);
            cfg.threshold_folds = folds;
            cfg.word_buckets = 64;
            let report = train_supervised(&schema, &corpus(20, 0), &corpus(6, 20), &cfg).unwrap();
            let meta = PairClassifier::load(dir.path()).unwrap().meta;
            assert!(meta.extra_features.iter().any(|f| f == "words:64"));
            assert_eq!(meta.training["threshold_folds"], folds);
            report.labels["leader_of"].dev_relations
        };
        // Dev alone: its 3 documents with "leads"; with 4 folds, the 10 of training too.
        assert_eq!(counted(0), 3);
        assert_eq!(counted(4), 13);
    }

    #[test]
    fn recognizer_boundaries_and_types_do_not_make_false_negatives() {
        let schema = Schema::news().unwrap();
        // The kinds of the candidates in the gold direction (Anna Berg first); the reverse
        // pairs, which other labels' types allow, are negatives throughout.
        let kinds = |d: &AnnotatedDocument, g: &CorpusDoc| -> Vec<&'static str> {
            let gold = gold_bytes(&schema, d, g).unwrap();
            let ctx = DocContext::build(d, &schema);
            from_context(&schema, &ctx, crate::CandidateOptions::default())
                .iter()
                .filter(|c| c.head == 0)
                .map(|c| match match_candidate(&schema, d, c, &gold) {
                    Match::Positive(..) => "positive",
                    Match::Elsewhere => "elsewhere",
                    Match::Negative => "negative",
                })
                .collect()
        };
        let (d, g, _) = doc("m", "Anna Berg", "leads", "Norland");
        assert_eq!(kinds(&d, &g), vec!["positive"]);
        // The recognizer's tail is "Norland today": the same mention, wider.
        let mut wide = d.clone();
        let text = wide.text().to_string();
        let at = text.find("Norland").unwrap();
        let span = OffsetMap::new(&text)
            .span(at, at + "Norland today".len())
            .unwrap();
        wide.entities[1].name = "Norland today".into();
        wide.entities[1].mentions[0].text = "Norland today".into();
        wide.entities[1].mentions[0].span = span;
        assert_eq!(kinds(&wide, &g), vec!["positive"]);
        // The recognizer calls Norland a person: leader_of is ruled out for the pair, which is
        // then no example at all rather than a negative one.
        let mut typed = d.clone();
        typed.entities[1].label = "PERSON".into();
        typed.entities[1].mentions[0].label = "PERSON".into();
        let k = kinds(&typed, &g);
        assert!(
            !k.is_empty() && k.iter().all(|x| *x == "elsewhere"),
            "{k:?}"
        );
    }

    #[test]
    fn added_documents_are_learned_from_but_never_held_out() {
        let schema = Schema::news().unwrap();
        let run = |added: &[(AnnotatedDocument, CorpusDoc)]| {
            let dir = tempfile::tempdir().unwrap();
            let mut cfg = small_cfg(dir.path(), 30, 1);
            cfg.threshold_folds = 4;
            cfg.edge_tokens = 2;
            let report =
                train_supervised_with(&schema, &corpus(20, 0), added, &corpus(6, 20), &cfg)
                    .unwrap();
            let meta = PairClassifier::load(dir.path()).unwrap().meta;
            assert!(meta.extra_features.iter().any(|f| f == "edges:2"));
            assert_eq!(meta.training["edge_tokens"], 2);
            (report, meta.training.get("added_documents").cloned())
        };
        let (alone, none) = run(&[]);
        assert_eq!(none, None, "no added documents: the key is left out");
        let (with, n) = run(&corpus(12, 100));
        assert_eq!((with.added_documents, n), (12, Some(12.into())));
        assert!(with.train_examples > alone.train_examples);
        // The held-out relations behind the thresholds are dev's and train's out-of-fold ones
        // only: the same count with or without the added documents.
        assert_eq!(
            with.labels["leader_of"].dev_relations,
            alone.labels["leader_of"].dev_relations
        );
        // A feature setting out of range is refused before any training.
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = SupervisedConfig::new(dir.path().to_path_buf(), SOURCE.into());
        cfg.edge_tokens = 65;
        assert!(matches!(
            train_supervised(&schema, &corpus(4, 0), &corpus(2, 4), &cfg),
            Err(RelationError::InvalidData(m)) if m.contains("edges: 65")
        ));
    }

    #[test]
    fn corpus_lines_read_and_give_gold_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        let (_, g, _) = doc("d0", "Anna Berg", "leads", "Norland");
        std::fs::write(&path, serde_json::to_string(&g).unwrap() + "\n\n").unwrap();
        let read = read_corpus(&path).unwrap();
        assert_eq!(read, vec![g]);
        let gold = read[0].gold();
        assert_eq!(gold[0].head, "Anna Berg");
        assert_eq!(gold[0].relation, "leader_of");
        std::fs::write(&path, "{not json\n").unwrap();
        let err = read_corpus(&path).unwrap_err().to_string();
        assert!(err.contains("c.jsonl:1"), "{err}");
    }
}
