//! A trained sentence scorer: logistic regression over a sentence's features and its vector.
//!
//! The extractive summarizer's hand-set [`ScoringWeights`](crate::ScoringWeights) mix eleven
//! features. A [`SentenceScorer`] instead learns, from reference summaries, which sentences
//! an editor's summary covers: its labels are the ROUGE oracle's sentences ([`oracle`]), its
//! inputs ([`INPUT_FEATURES`] plus the sentence vector) are what the summarizer already
//! computes, with the vectors the NER pass pooled from its encoder states (no second encoder
//! pass). The model is small (one weight per input) and trained here, in Rust, by
//! [`train`] (full-batch Adam on the L2-regularised log loss, deterministic; or, with
//! [`Objective::Listwise`], on a softmax cross-entropy over each document's sentences).
//!
//! A scorer records the source of the sentence vectors it was trained on
//! ([`SentenceScorer::vectors`]); the summarizer uses it only on documents whose vectors come
//! from that source, and its hand-set weights otherwise.
//!
//! ```
//! use lede_summarize::learned::{oracle, train, TrainOptions, TrainingDoc, INPUT_FEATURES};
//! use ndarray::Array2;
//!
//! // The oracle picks the sentences that together cover the reference best.
//! let sentences = ["Rain fell.", "The council approved the new bridge on Monday.", "It was cold."];
//! assert_eq!(oracle(&sentences, "The council approved a bridge on Monday.", 3), vec![1]);
//!
//! // Two inputs per sentence (no vector): the first one decides the label.
//! let n = INPUT_FEATURES.len();
//! let mut inputs = Array2::<f32>::zeros((4, n));
//! for (i, label) in [1.0, 0.0, 1.0, 0.0].iter().enumerate() {
//!     inputs[[i, 0]] = *label;
//!     inputs[[i, 1]] = (i % 2) as f32;
//! }
//! let doc = TrainingDoc { inputs: inputs.clone(), labels: vec![1.0, 0.0, 1.0, 0.0] };
//! let scorer = train(&[doc], "none", 0, &TrainOptions::default())?;
//! let s = scorer.scores(inputs.view())?;
//! assert!(s[0] > 0.0 && s[1] < 0.0);
//! # Ok::<(), lede_summarize::SummarizeError>(())
//! ```

use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::error::{Result, SummarizeError};
use crate::rouge::{RougeScorer, Stemming};

/// The file a scorer is stored in, inside a model directory (`models/summarize/`).
pub const SCORER_FILE: &str = "sentence-scorer.json";

/// The version of the scorer file format this crate reads and writes.
pub const SCORER_FORMAT: u32 = 1;

/// Names of the inputs before the sentence vector, in column order. The first eleven are the
/// hand-set scorer's [`SentenceFeatures`](crate::SentenceFeatures); then the relative position
/// in the story, flags for the first three sentences, the log of the length in words, a
/// pronoun at the start, a quotation mark at the start, the cosine similarity to the first
/// story sentence and the log of the number of story sentences.
pub const INPUT_FEATURES: [&str; 20] = [
    "position",
    "section_lead",
    "centrality",
    "centroid",
    "heading",
    "entities",
    "entity_density",
    "quote",
    "attribution",
    "short",
    "length",
    "relative_position",
    "first",
    "second",
    "third",
    "log_words",
    "pronoun_start",
    "quote_start",
    "similarity_to_first",
    "log_sentences",
];

/// A trained sentence scorer (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentenceScorer {
    /// File format version ([`SCORER_FORMAT`]).
    pub format: u32,
    /// The source of the sentence vectors it was trained on (a recognizer's
    /// `sentence_vectors_source`, e.g. `lede-ner-minilm/<config digest>/pooled`).
    pub vectors: String,
    /// Width of those vectors (0: the scorer reads no vector).
    pub dim: usize,
    /// Names of the inputs before the vector ([`INPUT_FEATURES`]).
    pub features: Vec<String>,
    /// Per-input mean subtracted before scoring (features, then vector dimensions).
    pub mean: Vec<f32>,
    /// Per-input divisor applied after the mean (the training standard deviation, 1 where it
    /// was 0).
    pub scale: Vec<f32>,
    /// One weight per input.
    pub weights: Vec<f32>,
    /// The intercept.
    pub bias: f32,
    /// The MMR trade-off between score and redundancy used with this scorer (1: no
    /// redundancy penalty).
    pub mmr_lambda: f32,
    /// How it was trained: settings and figures, for the record.
    #[serde(default)]
    pub training: serde_json::Map<String, serde_json::Value>,
}

impl SentenceScorer {
    /// Number of inputs per sentence: the features and the vector.
    pub fn inputs(&self) -> usize {
        self.features.len() + self.dim
    }

    /// Checks the shapes, the feature names and that every number is finite.
    ///
    /// # Errors
    /// [`SummarizeError::Scorer`] saying what is wrong (`path` is the file it came from).
    pub fn validate(&self, path: &Path) -> Result<()> {
        let bad = |reason: String| {
            Err(SummarizeError::Scorer {
                path: path.to_path_buf(),
                reason,
            })
        };
        if self.format != SCORER_FORMAT {
            return bad(format!(
                "format {} (this version of lede-summarize reads format {SCORER_FORMAT})",
                self.format
            ));
        }
        if self.features.iter().map(String::as_str).ne(INPUT_FEATURES) {
            return bad(format!(
                "features {:?} are not the ones this version computes ({INPUT_FEATURES:?})",
                self.features
            ));
        }
        let n = self.inputs();
        for (name, v) in [
            ("mean", &self.mean),
            ("scale", &self.scale),
            ("weights", &self.weights),
        ] {
            if v.len() != n {
                return bad(format!("{name} has {} values, expected {n}", v.len()));
            }
            if let Some(i) = v.iter().position(|x| !x.is_finite()) {
                return bad(format!("{name}[{i}] is not a finite number"));
            }
        }
        if let Some(i) = self.scale.iter().position(|x| *x <= 0.0) {
            return bad(format!("scale[{i}] is not positive"));
        }
        if !self.bias.is_finite() {
            return bad("bias is not a finite number".into());
        }
        if !(0.0..=1.0).contains(&self.mmr_lambda) {
            return bad(format!("mmr_lambda {} is outside [0, 1]", self.mmr_lambda));
        }
        Ok(())
    }

    /// Reads and validates a scorer file.
    ///
    /// # Errors
    /// [`SummarizeError::Io`] when the file cannot be read, [`SummarizeError::Scorer`] when it
    /// is not a valid scorer.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| SummarizeError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let scorer: SentenceScorer =
            serde_json::from_str(&text).map_err(|e| SummarizeError::Scorer {
                path: path.to_path_buf(),
                reason: format!("not a scorer file: {e}"),
            })?;
        scorer.validate(path)?;
        Ok(scorer)
    }

    /// Writes the scorer as pretty JSON.
    ///
    /// # Errors
    /// [`SummarizeError::Io`].
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let io = |source| SummarizeError::Io {
            path: path.to_path_buf(),
            source,
        };
        let text = serde_json::to_string_pretty(self).map_err(|e| io(std::io::Error::other(e)))?;
        std::fs::write(path, text + "\n").map_err(io)
    }

    /// The score (log-odds of being in the oracle summary) of each row of `inputs`.
    ///
    /// # Errors
    /// [`SummarizeError::InvalidConfig`] when the rows are not [`Self::inputs`] wide.
    pub fn scores(&self, inputs: ArrayView2<'_, f32>) -> Result<Vec<f32>> {
        if inputs.ncols() != self.inputs() {
            return Err(SummarizeError::InvalidConfig(format!(
                "the sentence scorer reads {} inputs per sentence, got {}",
                self.inputs(),
                inputs.ncols()
            )));
        }
        Ok(inputs
            .outer_iter()
            .map(|row| {
                row.iter()
                    .zip(&self.mean)
                    .zip(&self.scale)
                    .zip(&self.weights)
                    .map(|(((x, m), s), w)| (x - m) / s * w)
                    .sum::<f32>()
                    + self.bias
            })
            .collect())
    }
}

/// The sentences (indices into `sentences`, ascending) that a greedy ROUGE oracle picks to
/// cover `reference`: at each step the sentence that most raises ROUGE-1 F1 + ROUGE-2 F1
/// (Porter stemming) of the selection, until `max` are picked or none raises it.
pub fn oracle<S: AsRef<str>>(sentences: &[S], reference: &str, max: usize) -> Vec<usize> {
    let scorer = RougeScorer::new(Stemming::Porter);
    let value = |picked: &[usize]| {
        let mut sorted = picked.to_vec();
        sorted.sort_unstable();
        let text: Vec<&str> = sorted
            .iter()
            .filter_map(|&i| sentences.get(i).map(AsRef::as_ref))
            .collect();
        let s = scorer.score(reference, &text.join(" "));
        s.rouge1.f1 + s.rouge2.f1
    };
    let mut picked: Vec<usize> = Vec::new();
    let mut best = 0.0;
    while picked.len() < max {
        let mut step: Option<(usize, f64)> = None;
        for i in 0..sentences.len() {
            if picked.contains(&i) {
                continue;
            }
            let mut trial = picked.clone();
            trial.push(i);
            let v = value(&trial);
            if v > best && step.map_or(true, |(_, b)| v > b) {
                step = Some((i, v));
            }
        }
        match step {
            Some((i, v)) => {
                picked.push(i);
                best = v;
            }
            None => break,
        }
    }
    picked.sort_unstable();
    picked
}

/// One document's training rows: the inputs of its eligible sentences and their labels
/// (1 for a sentence of the oracle summary, else 0).
#[derive(Debug, Clone)]
pub struct TrainingDoc {
    /// One row per sentence: [`INPUT_FEATURES`] then the vector.
    pub inputs: Array2<f32>,
    /// One label per row.
    pub labels: Vec<f32>,
}

/// Settings of [`train`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrainOptions {
    /// L2 penalty on the weights (not the bias), per training row.
    pub l2: f32,
    /// Full-batch Adam steps.
    pub epochs: usize,
    /// Adam step size.
    pub learning_rate: f32,
    /// Weight of positive rows in the loss (oracle sentences are about one in five).
    pub positive_weight: f32,
    /// The MMR trade-off recorded in the scorer.
    pub mmr_lambda: f32,
    /// What the loss compares ([`Objective`]).
    #[serde(default)]
    pub objective: Objective,
}

/// The loss a scorer is trained with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Objective {
    /// Each sentence on its own: the log loss of "in the oracle summary" over all rows,
    /// positive rows weighted by [`TrainOptions::positive_weight`].
    #[default]
    Pointwise,
    /// Each document's sentences against each other: the cross-entropy between a softmax over
    /// the document's scores and its oracle sentences (each document counts once; documents
    /// without an oracle sentence are left out; the positive weight and the bias play no
    /// part). The summarizer ranks sentences within a document, which is what this compares.
    Listwise,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            l2: 0.01,
            epochs: 300,
            learning_rate: 0.05,
            positive_weight: 1.0,
            mmr_lambda: 1.0,
            objective: Objective::Pointwise,
        }
    }
}

/// Trains a scorer on `docs` for vectors from `vectors` of width `dim` (see the
/// [module docs](self)). Deterministic: the same rows give the same scorer.
///
/// # Errors
/// [`SummarizeError::InvalidConfig`] when there are no rows, rows of the wrong width, a label
/// count that differs from the rows, no positive or no negative row, or bad options.
pub fn train(
    docs: &[TrainingDoc],
    vectors: &str,
    dim: usize,
    options: &TrainOptions,
) -> Result<SentenceScorer> {
    let n_in = INPUT_FEATURES.len() + dim;
    let invalid = |m: String| Err(SummarizeError::InvalidConfig(m));
    if !(options.l2 >= 0.0
        && options.learning_rate > 0.0
        && options.positive_weight > 0.0
        && (0.0..=1.0).contains(&options.mmr_lambda))
    {
        return invalid(format!("bad training options {options:?}"));
    }
    let rows: usize = docs.iter().map(|d| d.inputs.nrows()).sum();
    if rows == 0 {
        return invalid("no training rows".into());
    }
    for (i, d) in docs.iter().enumerate() {
        if d.inputs.ncols() != n_in || d.labels.len() != d.inputs.nrows() {
            return invalid(format!(
                "training document {i}: {} rows of {} inputs and {} labels (expected {n_in} inputs)",
                d.inputs.nrows(),
                d.inputs.ncols(),
                d.labels.len()
            ));
        }
    }
    let mut x = Array2::<f32>::zeros((rows, n_in));
    let mut y = Array1::<f32>::zeros(rows);
    let mut r = 0;
    for d in docs {
        for (row, label) in d.inputs.outer_iter().zip(&d.labels) {
            x.row_mut(r).assign(&row);
            y[r] = if *label > 0.5 { 1.0 } else { 0.0 };
            r += 1;
        }
    }
    let positives = y.sum();
    if positives == 0.0 || positives == rows as f32 {
        return invalid("the training rows need both positive and negative labels".into());
    }
    if x.iter().any(|v| !v.is_finite()) {
        return invalid("a training input is not a finite number".into());
    }
    let mean = x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(n_in));
    let std = x.std_axis(Axis(0), 0.0);
    let scale: Array1<f32> = std.mapv(|s| if s > 1e-6 { s } else { 1.0 });
    let z = (&x - &mean) / &scale;

    let sample_weight: Array1<f32> = y.mapv(|l| {
        if l > 0.5 {
            options.positive_weight
        } else {
            1.0
        }
    });
    let total_weight = sample_weight.sum();
    let mut w = Array1::<f32>::zeros(n_in);
    let mut b = 0.0f32;
    let (beta1, beta2, eps) = (0.9f32, 0.999f32, 1e-8f32);
    let (mut mw, mut vw) = (Array1::<f32>::zeros(n_in), Array1::<f32>::zeros(n_in));
    let (mut mb, mut vb) = (0.0f32, 0.0f32);
    // Row ranges of the documents with an oracle sentence (the listwise loss's lists).
    let mut lists = Vec::new();
    let mut start = 0;
    for d in docs {
        let end = start + d.labels.len();
        if y.slice(ndarray::s![start..end]).sum() > 0.0 {
            lists.push(start..end);
        }
        start = end;
    }
    let listwise = options.objective == Objective::Listwise;
    for t in 1..=options.epochs {
        let logits = z.dot(&w) + b;
        let err = if listwise {
            listwise_error(&logits, &y, &lists)
        } else {
            let p = logits.mapv(|l| 1.0 / (1.0 + (-l).exp()));
            (&p - &y) * &sample_weight / total_weight
        };
        let gw = z.t().dot(&err) + &w * options.l2;
        let gb = err.sum();
        mw = &mw * beta1 + &gw * (1.0 - beta1);
        vw = &vw * beta2 + &(&gw * &gw) * (1.0 - beta2);
        mb = mb * beta1 + gb * (1.0 - beta1);
        vb = vb * beta2 + gb * gb * (1.0 - beta2);
        let c1 = 1.0 - beta1.powi(t as i32);
        let c2 = 1.0 - beta2.powi(t as i32);
        w = &w - &((&mw / c1) / ((&vw / c2).mapv(f32::sqrt) + eps) * options.learning_rate);
        b -= options.learning_rate * (mb / c1) / ((vb / c2).sqrt() + eps);
    }
    let logits = z.dot(&w) + b;
    let loss = if listwise {
        listwise_loss(&logits, &y, &lists)
    } else {
        logits
            .iter()
            .zip(&y)
            .zip(&sample_weight)
            .map(|((l, t), sw)| sw * (l.max(0.0) - l * t + (-l.abs()).exp().ln_1p()))
            .sum::<f32>()
            / total_weight
    };
    let mut training = serde_json::Map::new();
    training.insert("rows".into(), rows.into());
    training.insert("positives".into(), (positives as usize).into());
    training.insert("documents".into(), docs.len().into());
    training.insert("final_loss".into(), f64::from(loss).into());
    if let Ok(serde_json::Value::Object(o)) = serde_json::to_value(options) {
        training.insert("options".into(), serde_json::Value::Object(o));
    }
    Ok(SentenceScorer {
        format: SCORER_FORMAT,
        vectors: vectors.to_string(),
        dim,
        features: INPUT_FEATURES.iter().map(|s| s.to_string()).collect(),
        mean: mean.to_vec(),
        scale: scale.to_vec(),
        weights: w.to_vec(),
        bias: b,
        mmr_lambda: options.mmr_lambda,
        training,
    })
}

/// A list's softmax over its rows' logits and its target distribution (the oracle rows,
/// equally).
fn softmax_and_target(
    logits: &Array1<f32>,
    y: &Array1<f32>,
    rows: &std::ops::Range<usize>,
) -> (Array1<f32>, Array1<f32>) {
    let l = logits.slice(ndarray::s![rows.clone()]);
    let top = l.fold(f32::NEG_INFINITY, |a, &v| a.max(v));
    let e = l.mapv(|v| (v - top).exp());
    let p = &e / e.sum();
    let t = y.slice(ndarray::s![rows.clone()]);
    let target = &t / t.sum().max(f32::MIN_POSITIVE);
    (p, target)
}

/// The listwise loss's gradient with respect to every row's logit (0 for rows of documents
/// without an oracle sentence); each list weighs the same.
fn listwise_error(
    logits: &Array1<f32>,
    y: &Array1<f32>,
    lists: &[std::ops::Range<usize>],
) -> Array1<f32> {
    let mut err = Array1::<f32>::zeros(logits.len());
    let n = lists.len().max(1) as f32;
    for rows in lists {
        let (p, target) = softmax_and_target(logits, y, rows);
        err.slice_mut(ndarray::s![rows.clone()])
            .assign(&((&p - &target) / n));
    }
    err
}

/// The listwise loss: mean over lists of the cross-entropy of the target against the softmax.
fn listwise_loss(logits: &Array1<f32>, y: &Array1<f32>, lists: &[std::ops::Range<usize>]) -> f32 {
    let total: f32 = lists
        .iter()
        .map(|rows| {
            let (p, target) = softmax_and_target(logits, y, rows);
            -target
                .iter()
                .zip(&p)
                .filter(|(t, _)| **t > 0.0)
                .map(|(t, q)| t * q.max(f32::MIN_POSITIVE).ln())
                .sum::<f32>()
        })
        .sum();
    total / lists.len().max(1) as f32
}

/// The scorer in `dir` ([`SCORER_FILE`]), if the file exists.
///
/// # Errors
/// As [`SentenceScorer::load`] for a file that exists but is not a valid scorer.
pub fn scorer_in(dir: impl AsRef<Path>) -> Result<Option<(SentenceScorer, PathBuf)>> {
    let path = dir.as_ref().join(SCORER_FILE);
    if !path.is_file() {
        return Ok(None);
    }
    SentenceScorer::load(&path).map(|s| Some((s, path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy(n: usize, dim: usize) -> TrainingDoc {
        let cols = INPUT_FEATURES.len() + dim;
        let mut inputs = Array2::<f32>::zeros((n, cols));
        let mut labels = Vec::new();
        for i in 0..n {
            let label = (i % 3 == 0) as u8 as f32;
            inputs[[i, 0]] = label * 2.0 - 1.0 + (i as f32 * 0.37).sin() * 0.3;
            inputs[[i, 5]] = (i as f32 * 1.7).cos();
            if dim > 0 {
                inputs[[i, cols - 1]] = (i as f32).sqrt();
            }
            labels.push(label);
        }
        TrainingDoc { inputs, labels }
    }

    #[test]
    fn training_separates_a_separable_toy_set_and_is_deterministic() {
        let doc = toy(30, 3);
        let a = train(
            std::slice::from_ref(&doc),
            "src",
            3,
            &TrainOptions::default(),
        )
        .unwrap();
        let b = train(
            std::slice::from_ref(&doc),
            "src",
            3,
            &TrainOptions::default(),
        )
        .unwrap();
        assert_eq!(a, b);
        let s = a.scores(doc.inputs.view()).unwrap();
        for (i, score) in s.iter().enumerate() {
            assert_eq!(*score > 0.0, doc.labels[i] > 0.5, "row {i}: {score}");
        }
        a.validate(Path::new("x")).unwrap();
        assert_eq!(a.training["rows"], 30);
    }

    #[test]
    fn the_listwise_loss_ranks_within_each_document() {
        // Column 1 tells each document's oracle sentence from the others; column 0 shifts whole
        // documents (a document-level feature the ranking must not depend on). The last
        // document has no oracle sentence and is left out of the lists.
        let cols = INPUT_FEATURES.len();
        let mut docs = Vec::new();
        for d in 0..6 {
            let mut inputs = Array2::<f32>::zeros((5, cols));
            let mut labels = vec![0.0f32; 5];
            let best = d % 5;
            for i in 0..5 {
                inputs[[i, 0]] = d as f32 * 3.0;
                inputs[[i, 1]] = i as f32 * 0.1 + if i == best { 1.0 } else { 0.0 };
            }
            if d < 5 {
                labels[best] = 1.0;
            }
            docs.push(TrainingDoc { inputs, labels });
        }
        let options = TrainOptions {
            objective: Objective::Listwise,
            ..TrainOptions::default()
        };
        let a = train(&docs, "src", 0, &options).unwrap();
        assert_eq!(a, train(&docs, "src", 0, &options).unwrap());
        let loss = a.training["final_loss"].as_f64().unwrap();
        assert!(loss.is_finite() && loss < 5f64.ln(), "{loss}");
        for (d, doc) in docs.iter().take(5).enumerate() {
            let s = a.scores(doc.inputs.view()).unwrap();
            let top = (0..5).max_by(|&i, &j| s[i].total_cmp(&s[j])).unwrap();
            assert_eq!(top, d % 5, "document {d}: {s:?}");
        }
        assert_eq!(a.training["options"]["objective"], "listwise");
    }

    #[test]
    fn bad_training_input_is_an_error() {
        let doc = toy(6, 0);
        assert!(train(std::slice::from_ref(&doc), "s", 2, &TrainOptions::default()).is_err());
        let mut all_pos = doc.clone();
        all_pos.labels = vec![1.0; 6];
        assert!(train(&[all_pos], "s", 0, &TrainOptions::default()).is_err());
        assert!(train(&[], "s", 0, &TrainOptions::default()).is_err());
        let mut nan = doc;
        nan.inputs[[0, 0]] = f32::NAN;
        assert!(train(&[nan], "s", 0, &TrainOptions::default()).is_err());
    }

    #[test]
    fn scorer_files_round_trip_and_damaged_ones_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let scorer = train(&[toy(12, 2)], "src", 2, &TrainOptions::default()).unwrap();
        scorer.save(dir.path().join(SCORER_FILE)).unwrap();
        let (back, path) = scorer_in(dir.path()).unwrap().unwrap();
        assert_eq!(back, scorer);
        assert_eq!(path, dir.path().join(SCORER_FILE));
        assert!(scorer_in(dir.path().join("none")).unwrap().is_none());

        let damage = |f: &dyn Fn(&mut SentenceScorer)| {
            let mut s = scorer.clone();
            f(&mut s);
            s.save(dir.path().join(SCORER_FILE)).unwrap();
            match scorer_in(dir.path()) {
                Err(SummarizeError::Scorer { reason, .. }) => reason,
                other => panic!("{other:?}"),
            }
        };
        assert!(damage(&|s| s.weights.pop().map(drop).unwrap_or(())).contains("weights"));
        // JSON has no NaN: a NaN written out reads back as null, which is refused too.
        assert!(damage(&|s| s.mean[3] = f32::NAN).contains("not a scorer file"));
        let mut nan = scorer.clone();
        nan.weights[1] = f32::NAN;
        assert!(nan.validate(Path::new("x")).is_err());
        assert!(damage(&|s| s.scale[0] = 0.0).contains("scale[0]"));
        assert!(damage(&|s| s.format = 9).contains("format 9"));
        assert!(damage(&|s| s.features.swap(0, 1)).contains("features"));
        assert!(damage(&|s| s.mmr_lambda = 2.0).contains("mmr_lambda"));
        std::fs::write(dir.path().join(SCORER_FILE), "{not json").unwrap();
        assert!(matches!(
            scorer_in(dir.path()),
            Err(SummarizeError::Scorer { .. })
        ));
        assert!(scorer.scores(Array2::<f32>::zeros((1, 3)).view()).is_err());
    }

    #[test]
    fn the_oracle_covers_the_reference_and_stops_when_nothing_helps() {
        let sentences = [
            "The minister resigned on Friday.",
            "Heavy rain fell in the north.",
            "Police arrested two men after the robbery.",
            "Unrelated filler about gardens.",
        ];
        let picked = oracle(
            &sentences,
            "The minister resigned on Friday and police arrested two men.",
            3,
        );
        assert_eq!(picked, vec![0, 2]);
        assert!(oracle(&sentences, "zebra quantum", 3).is_empty());
        assert_eq!(oracle(&sentences, "The minister resigned.", 1), vec![0]);
        assert!(oracle::<&str>(&[], "x", 3).is_empty());
    }
}
