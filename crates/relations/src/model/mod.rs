//! The model-backed scorer: a small classifier over MiniLM token states of the sentence,
//! pooled over the head mention, the tail mention and the words between them.
//!
//! Each sentence with a candidate pair is encoded once (frozen all-MiniLM-L6-v2 through
//! [`lede_models::SentenceEmbedder::token_states`]), with its person, organisation and place
//! mentions replaced by type words ([`mask_sentence`]) so that the classifier learns how
//! relations are written rather than which names go together. The encoder may stop after its
//! first layers ([`HeadMeta::encoder_layers`], an early exit) and see only a window of the
//! sentence around its candidate mentions ([`HeadMeta::context_words`],
//! [`sentence_windows`]); both are fixed at training time and recorded in the metadata, which
//! inference follows ([`HeadMeta::encoding`]). A pair's feature vector is
//! `[mean(head); mean(tail); mean(between); mean(head) * mean(tail); order; distance]`, and a
//! two-layer perceptron (plain ndarray at inference; [`PairModel`] runs its first layer once
//! per mention for the inputs a mention decides, and on FBGEMM's int8 kernel beside an int8
//! encoder, [`PairModel::with_precision`]) gives a softmax over `none` and the
//! schema's entity-tailed labels, with a temperature and per-label thresholds fitted on
//! held-out weakly labelled news (see [`train`]).
//!
//! Files in the model directory: [`HEAD_WEIGHTS`] (safetensors: `l1.weight` `[hidden, input]`,
//! `l1.bias`, `l2.weight` `[labels, hidden]`, `l2.bias`) and [`HEAD_META`] (JSON
//! [`HeadMeta`]).

mod fit;
pub mod supervised;
pub mod train;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::LazyLock;

use lede_core::{AnnotatedDocument, TokenKind, WordTokenizer};
use lede_models::fast::{PackedLinear, Precision};
use lede_models::{SentenceEmbedder, TokenStates};
use lede_tokenize::RuleWordTokenizer;
use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::candidates::Candidate;
use crate::rules::{Hit, HitTail};
use crate::schema::Schema;
use crate::{RelationError, Result};

/// Widest encoder a classifier's metadata may claim (MiniLM's is 384, BERT-large's 1,024).
pub const MAX_ENCODER_DIM: usize = 16_384;

/// File name of the classifier weights.
pub const HEAD_WEIGHTS: &str = "pair-classifier.safetensors";
/// File name of the classifier metadata.
pub const HEAD_META: &str = "pair-classifier.json";
/// The class index of "no relation".
pub const NONE_LABEL: &str = "none";

/// Metadata of a trained pair classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadMeta {
    /// Format version (1).
    pub version: u32,
    /// The encoder it was trained over (informational).
    pub encoder: String,
    /// Width of the encoder's hidden states.
    pub encoder_dim: usize,
    /// Width of the feature vector (`4 * encoder_dim + 2`).
    pub input_dim: usize,
    /// Hidden units of the perceptron.
    pub hidden_units: usize,
    /// Class names; index 0 is [`NONE_LABEL`].
    pub labels: Vec<String>,
    /// Softmax temperature fitted on held-out data.
    pub temperature: f32,
    /// Per-label probability thresholds fitted on held-out data; labels absent here are never
    /// reported by the classifier alone.
    pub thresholds: BTreeMap<String, f32>,
    /// How many of the encoder's transformer layers the features were computed with (an early
    /// exit; [`lede_models::SentenceEmbedderBuilder::layers`]). `None` (files that predate the
    /// field): all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoder_layers: Option<usize>,
    /// The encoded window: from this many words before the first mention of the sentence's
    /// candidate pairs to this many words after the last one (see [`sentence_windows`]).
    /// `None` (files that predate the field): the whole sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_words: Option<usize>,
    /// The lede-tokenize rules ([`lede_tokenize::TOKENIZATION`]) whose sentences and words
    /// the classifier was trained on. A build with other rules refuses the file, and the
    /// classifier refuses documents segmented otherwise. `None` (files that predate the
    /// field, trained on other sentence boundaries) is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokenization: Option<String>,
    /// The precision of the encoder's linear layers when the features were computed
    /// ([`lede_models::fast::Precision`]); inference uses the same. `None`: fp32.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoder_precision: Option<Precision>,
    /// When set, the features are not computed by a MiniLM pass of the classifier's own but
    /// read from the document's token vectors ([`lede_core::AnnotatedDocument::token_vectors`],
    /// computed by the recognizer's encoder pass), which must come from this source
    /// ([`lede_core::TokenVectors::source`]). Mentions are not masked then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_vectors: Option<String>,
    /// Features appended after the encoder features, by name ([`ExtraFeature`],
    /// [`standard_extra_features`]): `cue:LABEL` (the best score of a cue pattern of that label
    /// on the pair in its sentence, 0 when none fired), `head:TYPE` and `tail:TYPE` (one-hot
    /// entity types), `context:N` (the tokens around the pair). Empty for classifiers that read
    /// encoder features only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_features: Vec<String>,
    /// Whether the classifier decides its labels alone: cue matches of a label it has a
    /// threshold for are then inputs (`cue:LABEL` features), not relations of their own.
    /// Labels without a threshold are still reported by their cues.
    #[serde(default)]
    pub decides: bool,
    /// SHA-256 of [`HEAD_WEIGHTS`], lowercase hex, written by the trainer and verified at
    /// load: a weights file changed in any byte is refused, as is metadata without it.
    #[serde(default)]
    pub weights_sha256: String,
    /// Free-form description of the training run.
    #[serde(default)]
    pub training: serde_json::Value,
}

impl HeadMeta {
    /// Reads [`HEAD_META`] from a classifier directory (no checks beyond parsing).
    ///
    /// # Errors
    /// [`RelationError::Io`] and [`RelationError::Json`] naming the file.
    pub fn read(dir: &Path) -> Result<HeadMeta> {
        let path = dir.join(HEAD_META);
        let text = std::fs::read_to_string(&path).map_err(|source| RelationError::Io {
            path: path.clone(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| RelationError::Json {
            what: path.display().to_string(),
            source,
        })
    }

    /// The encoder settings the classifier was trained with.
    pub fn encoding(&self) -> Encoding {
        Encoding {
            layers: self.encoder_layers,
            context_words: self.context_words,
            precision: self.encoder_precision.unwrap_or_default(),
        }
    }
}

/// How sentences are encoded for the classifier; inference must use the settings the
/// classifier was trained with ([`HeadMeta::encoding`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Encoding {
    /// Transformer layers run (`None`: all).
    pub layers: Option<usize>,
    /// Words of context kept around the sentence's candidate mentions (`None`: the whole
    /// sentence).
    pub context_words: Option<usize>,
    /// The encoder's linear layers.
    pub precision: Precision,
}

impl Encoding {
    /// A sentence encoder for these settings over the MiniLM in `source`.
    ///
    /// # Errors
    /// The encoder's loading errors (as [`RelationError::Encoder`]).
    pub fn embedder(
        &self,
        source: impl Into<lede_models::ModelSource>,
        batch_size: usize,
    ) -> Result<SentenceEmbedder> {
        let mut b = SentenceEmbedder::builder()
            .model(source)
            .batch_size(batch_size)
            .precision(self.precision);
        if let Some(n) = self.layers {
            b = b.layers(n);
        }
        b.build().map_err(|e| RelationError::Encoder(Box::new(e)))
    }
}

/// One of the features a classifier may read after its encoder features
/// ([`HeadMeta::extra_features`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtraFeature {
    /// `cue:LABEL`: the best score of a cue pattern of the label that matched the pair (head
    /// and tail entities, either order for symmetric labels) in the candidate's sentence.
    Cue(String),
    /// `head:TYPE`: the head entity's type is this one of [`FEATURE_TYPES`].
    HeadType(String),
    /// `tail:TYPE`: the same for the tail.
    TailType(String),
    /// `context:N`: the mean token vector of the N tokens before the pair's first mention and
    /// that of the N tokens after its second (two vectors of the encoder's width).
    Context(usize),
    /// `cross:sentence`: 1 for a pair across two adjacent sentences, 0 within one. A
    /// classifier trained with it is also given such pairs ([`crate::CandidateOptions`]).
    CrossSentence,
    /// `words:N`: the pair's tokens as N hashed indicator columns ([`word_buckets`]): each
    /// token between the two mentions, and each of the [`WORD_WINDOW`] tokens before the
    /// first and after the second, folded ([`crate::text::fold`]) and hashed with its place
    /// (between, before, after), so that "chief executive" between a company and a person
    /// is an input of its own whatever the encoder makes of it.
    Words(usize),
    /// `edges:N`: the mean token vector of the first N tokens between the pair's two mentions
    /// and that of the last N (two vectors of the encoder's width; zeros when nothing lies
    /// between), so that the words next to each mention ("X , leader of Y") are not
    /// averaged away over a long stretch between them.
    Edges(usize),
}

/// Words on either side of a pair that [`ExtraFeature::Words`] reads.
pub const WORD_WINDOW: usize = 3;

/// Most hashed word columns a classifier may read.
pub const MAX_WORD_BUCKETS: usize = 1 << 16;

/// Most tokens a [`ExtraFeature::Context`] or [`ExtraFeature::Edges`] window may read.
pub const MAX_WINDOW_TOKENS: usize = 64;

/// The bucket of a word in `buckets` hashed columns, by its place (`b`etween, `l`eft of the
/// pair, `r`ight of it): FNV-1a over the place and the folded word, so the same file reads
/// the same columns on every platform.
pub fn word_bucket(place: u8, word: &str, buckets: usize) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in std::iter::once(place).chain(crate::text::fold(word).bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    usize::try_from(h % buckets.max(1) as u64).unwrap_or(0)
}

/// The buckets ([`word_bucket`]) of a pair's tokens: those between the spans `first` and
/// `second` (byte offsets, `first` before `second`), and up to [`WORD_WINDOW`] tokens before
/// `first` and after `second`; punctuation counts (an apposition's comma), every number is
/// "0". Sorted, without repeats.
pub fn word_buckets(
    doc: &AnnotatedDocument,
    first: (usize, usize),
    second: (usize, usize),
    buckets: usize,
) -> Vec<usize> {
    let toks = &doc.tokens;
    let before_end = toks.partition_point(|t| t.span.end <= first.0);
    let between_start = toks.partition_point(|t| t.span.start < first.1);
    let between_end = toks.partition_point(|t| t.span.end <= second.0);
    let after_start = toks.partition_point(|t| t.span.start < second.1);
    let mut out: Vec<usize> = Vec::new();
    let mut put = |place: u8, range: std::ops::Range<usize>| {
        for t in toks.get(range).unwrap_or(&[]) {
            let w = if t.kind == TokenKind::Number {
                "0"
            } else {
                t.text.as_str()
            };
            out.push(word_bucket(place, w, buckets));
        }
    };
    put(b'l', before_end.saturating_sub(WORD_WINDOW)..before_end);
    if between_start < between_end {
        put(b'b', between_start..between_end);
    }
    put(
        b'r',
        after_start..after_start.saturating_add(WORD_WINDOW).min(toks.len()),
    );
    out.sort_unstable();
    out.dedup();
    out
}

/// The name of [`ExtraFeature::CrossSentence`].
pub const CROSS_SENTENCE_FEATURE: &str = "cross:sentence";

/// The candidate pairs a classifier with the extra features `names` was trained on: across
/// adjacent sentences too when it reads [`CROSS_SENTENCE_FEATURE`].
pub(crate) fn candidate_options(names: &[String]) -> crate::CandidateOptions {
    crate::CandidateOptions {
        cross_sentence: names.iter().any(|f| f == CROSS_SENTENCE_FEATURE),
    }
}

/// The entity types of the `head:TYPE` / `tail:TYPE` features; `OTHER` takes the rest.
pub const FEATURE_TYPES: [&str; 7] = ["PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "OTHER"];

impl ExtraFeature {
    /// Parses a feature name (`cue:leader_of`, `head:PERSON`).
    pub fn parse(name: &str) -> Option<ExtraFeature> {
        let (kind, arg) = name.split_once(':')?;
        if arg.is_empty() {
            return None;
        }
        // A count from 1 to `max`.
        let count = |max: usize| arg.parse().ok().filter(|n| (1..=max).contains(n));
        match kind {
            "cue" => Some(ExtraFeature::Cue(arg.to_string())),
            "context" => count(MAX_WINDOW_TOKENS).map(ExtraFeature::Context),
            "edges" => count(MAX_WINDOW_TOKENS).map(ExtraFeature::Edges),
            "cross" if arg == "sentence" => Some(ExtraFeature::CrossSentence),
            "words" => count(MAX_WORD_BUCKETS).map(ExtraFeature::Words),
            "head" if FEATURE_TYPES.contains(&arg) => Some(ExtraFeature::HeadType(arg.into())),
            "tail" if FEATURE_TYPES.contains(&arg) => Some(ExtraFeature::TailType(arg.into())),
            _ => None,
        }
    }
}

/// How many columns the extra features `names` take for an encoder of width `dim`.
pub fn extra_width(names: &[String], dim: usize) -> usize {
    names
        .iter()
        .map(|n| match ExtraFeature::parse(n) {
            Some(ExtraFeature::Context(_) | ExtraFeature::Edges(_)) => dim.saturating_mul(2),
            Some(ExtraFeature::Words(n)) => n,
            _ => 1,
        })
        .fold(0usize, usize::saturating_add)
}

/// The bucket of [`FEATURE_TYPES`] an entity label falls in.
pub fn feature_type(label: &str) -> &'static str {
    match label.trim().to_ascii_uppercase().as_str() {
        "PERSON" | "PER" => "PERSON",
        "ORG" | "ORGANIZATION" => "ORG",
        "GPE" => "GPE",
        "LOC" | "LOCATION" => "LOC",
        "FAC" => "FAC",
        "NORP" => "NORP",
        _ => "OTHER",
    }
}

/// The extra features of a classifier trained with the schema's cues as inputs: the types of
/// both entities, with `context > 0` the tokens around the pair, with `cross` the
/// [`CROSS_SENTENCE_FEATURE`] (and so pairs across adjacent sentences), and, with `cues`, one
/// cue feature per label with cue patterns.
pub fn standard_extra_features(
    schema: &Schema,
    cues: bool,
    context: usize,
    cross: bool,
) -> Vec<String> {
    let mut out: Vec<String> = FEATURE_TYPES
        .iter()
        .map(|t| format!("head:{t}"))
        .chain(FEATURE_TYPES.iter().map(|t| format!("tail:{t}")))
        .collect();
    if context > 0 {
        out.push(format!("context:{context}"));
    }
    if cross {
        out.push(CROSS_SENTENCE_FEATURE.to_string());
    }
    if cues {
        out.extend(
            schema
                .labels()
                .iter()
                .filter(|l| !l.cues.is_empty() && l.spec.tail_value.is_none())
                .map(|l| format!("cue:{}", l.name())),
        );
    }
    out
}

/// The rows of the extra features `names` for `cands`, from the document's cue matches.
pub(crate) fn extra_feature_rows(
    names: &[String],
    schema: &Schema,
    doc: &AnnotatedDocument,
    hits: &[Hit],
    cands: &[Candidate],
) -> Array2<f32> {
    // Parsed once per document, cue labels resolved to their schema index.
    let feats: Vec<(Option<ExtraFeature>, Option<usize>)> = names
        .iter()
        .map(|n| {
            let f = ExtraFeature::parse(n);
            let li = match &f {
                Some(ExtraFeature::Cue(label)) => schema.label_index(label),
                _ => None,
            };
            (f, li)
        })
        .collect();
    // Best cue score per (sentence, head, tail, label).
    let mut best: std::collections::HashMap<(usize, usize, usize, usize), f32> =
        std::collections::HashMap::new();
    for h in hits {
        let HitTail::Entity(t) = h.tail else { continue };
        let symmetric = schema
            .labels()
            .get(h.label)
            .is_some_and(|l| l.spec.symmetric);
        let mut put = |a: usize, b: usize| {
            let e = best.entry((h.sentence, a, b, h.label)).or_insert(0.0);
            *e = e.max(h.score);
        };
        put(h.head, t);
        if symmetric {
            put(t, h.head);
        }
    }
    let type_of = |e: usize| {
        doc.entities
            .get(e)
            .map_or("OTHER", |e| feature_type(&e.label))
    };
    let tv = doc.token_vectors.as_ref();
    let dim = tv.map_or(0, |v| v.vectors.dim);
    let width = extra_width(names, dim);
    let spans: Vec<(usize, usize)> = doc
        .tokens
        .iter()
        .map(|t| (t.span.start, t.span.end))
        .collect();
    let mut out = Array2::<f32>::zeros((cands.len(), width));
    // The mean vector of token rows into the next `dim` columns (zeros without vectors).
    let put_mean = |out: &mut Array2<f32>, row: usize, col: &mut usize, rows: &[usize]| {
        if let Some(m) = tv.and_then(|v| v.mean(rows)) {
            for (k, x) in m.into_iter().enumerate().take(dim) {
                out[(row, *col + k)] = x;
            }
        }
        *col += dim;
    };
    for (row, c) in cands.iter().enumerate() {
        let mut col = 0usize;
        for (f, cue_label) in &feats {
            let v = match f {
                Some(ExtraFeature::Cue(_)) => cue_label.map_or(0.0, |li| {
                    best.get(&(c.sentence, c.head, c.tail, li))
                        .copied()
                        .unwrap_or(0.0)
                }),
                Some(ExtraFeature::HeadType(t)) => f32::from(u8::from(type_of(c.head) == t)),
                Some(ExtraFeature::TailType(t)) => f32::from(u8::from(type_of(c.tail) == t)),
                Some(ExtraFeature::CrossSentence) => {
                    f32::from(u8::from(c.last_sentence != c.sentence))
                }
                Some(ExtraFeature::Context(n)) => {
                    let first = c.head_span.0.min(c.tail_span.0);
                    let last = c.head_span.1.max(c.tail_span.1);
                    let before_end = spans.partition_point(|t| t.1 <= first);
                    let after_start = spans.partition_point(|t| t.0 < last);
                    let before: Vec<usize> = (before_end.saturating_sub(*n)..before_end).collect();
                    let after: Vec<usize> =
                        (after_start..(after_start + n).min(spans.len())).collect();
                    for rows in [before, after] {
                        put_mean(&mut out, row, &mut col, &rows);
                    }
                    continue;
                }
                Some(ExtraFeature::Edges(n)) => {
                    let first = c.head_span.1.min(c.tail_span.1);
                    let second = c.head_span.0.max(c.tail_span.0);
                    let from = spans.partition_point(|t| t.0 < first);
                    let to = spans.partition_point(|t| t.1 <= second).max(from);
                    let left: Vec<usize> = (from..to.min(from + n)).collect();
                    let right: Vec<usize> = (to.saturating_sub(*n).max(from)..to).collect();
                    for rows in [left, right] {
                        put_mean(&mut out, row, &mut col, &rows);
                    }
                    continue;
                }
                Some(ExtraFeature::Words(n)) => {
                    let (first, second) = if c.head_span.0 <= c.tail_span.0 {
                        (c.head_span, c.tail_span)
                    } else {
                        (c.tail_span, c.head_span)
                    };
                    for b in word_buckets(doc, first, second, *n) {
                        out[(row, col + b)] = 1.0;
                    }
                    col += n;
                    continue;
                }
                None => 0.0,
            };
            out[(row, col)] = v;
            col += 1;
        }
    }
    out
}

/// The labels a pair classifier scores besides `none`: the schema's labels with an entity
/// tail, in schema order (value tails, `age` and `sentenced_to`, are left to the cues).
pub(crate) fn pair_classes(schema: &Schema) -> Vec<usize> {
    schema
        .labels()
        .iter()
        .enumerate()
        .filter(|(_, l)| l.spec.tail_value.is_none())
        .map(|(i, _)| i)
        .collect()
}

/// Width of the feature vector for an encoder width.
pub fn feature_dim(encoder_dim: usize) -> usize {
    encoder_dim.saturating_mul(4).saturating_add(2)
}

/// The perceptron, as plain arrays.
#[derive(Debug, Clone)]
pub struct PairClassifier {
    w1: Array2<f32>,
    b1: Array1<f32>,
    w2: Array2<f32>,
    b2: Array1<f32>,
    /// Its metadata.
    pub meta: HeadMeta,
}

/// What a block of the first layer's input depends on: one candidate's mention or the edge of
/// its pair, never on the pair as a whole. Pairs of one document that share the key share the
/// block's values, so its product with the weights is computed once per key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKey {
    /// The head mention's span (its mean token vector).
    Head,
    /// The tail mention's span.
    Tail,
    /// Where the pair starts (the tokens of context before it).
    PairStart,
    /// Where the pair ends (the tokens of context after it).
    PairEnd,
}

impl BlockKey {
    /// The candidate's key: byte offsets that determine the block's values.
    pub fn of(self, c: &Candidate) -> (usize, usize) {
        match self {
            BlockKey::Head => c.head_span,
            BlockKey::Tail => c.tail_span,
            BlockKey::PairStart => (c.head_span.0.min(c.tail_span.0), 0),
            BlockKey::PairEnd => (c.head_span.1.max(c.tail_span.1), 0),
        }
    }
}

/// The column ranges of a classifier's input whose values depend on a [`BlockKey`] alone: for
/// classifiers that read the document's token vectors ([`HeadMeta::token_vectors`]), the head
/// and tail vectors and the two halves of `context:N`. Empty for classifiers that encode
/// sentences themselves (their vectors depend on the sentence window as well).
pub fn shared_blocks(meta: &HeadMeta) -> Vec<(std::ops::Range<usize>, BlockKey)> {
    if meta.token_vectors.is_none() {
        return Vec::new();
    }
    let d = meta.encoder_dim;
    let mut out = vec![(0..d, BlockKey::Head), (d..2 * d, BlockKey::Tail)];
    let mut col = feature_dim(d);
    for name in &meta.extra_features {
        let width = extra_width(std::slice::from_ref(name), d);
        if let Some(ExtraFeature::Context(_)) = ExtraFeature::parse(name) {
            out.push((col..col + d, BlockKey::PairStart));
            out.push((col + d..col + 2 * d, BlockKey::PairEnd));
        }
        col += width;
    }
    out
}

/// A part of the first layer: some input columns with their rows of the weights, multiplied
/// per pair, or, for a [`shared_blocks`] block, once per [`BlockKey`] value.
#[derive(Debug)]
struct Part {
    /// Input columns, ascending.
    cols: Vec<usize>,
    /// `None`: every pair's own columns.
    key: Option<BlockKey>,
    weights: Kernel,
}

/// How a part's product is computed.
#[derive(Debug)]
enum Kernel {
    /// ndarray (`[cols, hidden]`), fp32.
    Plain(Array2<f32>),
    /// libtorch's fp32 or FBGEMM's int8 kernel ([`PackedLinear`], `[hidden, cols]`).
    Packed(PackedLinear),
}

impl Kernel {
    fn apply(&self, x: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
        match self {
            Kernel::Plain(w) => Ok(x.dot(w)),
            Kernel::Packed(layer) => {
                let (rows, cols) = x.dim();
                let flat: Vec<f32> = x.iter().copied().collect();
                let t = tch::Tensor::f_from_slice(&flat)?.f_reshape([rows as i64, cols as i64])?;
                let y = layer
                    .forward(&t)
                    .map_err(|e| RelationError::InvalidData(format!("pair classifier: {e}")))?;
                let width = y.size().get(1).copied().unwrap_or(0) as usize;
                let out: Vec<f32> = Vec::<f32>::try_from(y.f_reshape([-1])?)?;
                Array2::from_shape_vec((rows, width), out)
                    .map_err(|e| RelationError::InvalidData(format!("pair classifier: {e}")))
            }
        }
    }
}

/// The classifier's first layer (`x @ w1`) as [`PairModel`] runs it: split by
/// [`shared_blocks`], so that a block shared by many pairs is multiplied once per value, in
/// fp32 (plain ndarray) or on FBGEMM's int8 kernel ([`PairModel::with_precision`]). The same
/// numbers as [`PairClassifier::probabilities`] up to rounding in fp32, within int8's rounding
/// in int8.
#[derive(Debug)]
struct FirstLayer {
    parts: Vec<Part>,
}

impl FirstLayer {
    fn new(c: &PairClassifier, precision: Precision) -> Result<FirstLayer> {
        let w1 = &c.w1;
        let blocks: Vec<_> = shared_blocks(&c.meta)
            .into_iter()
            .filter(|(r, _)| r.end <= w1.nrows())
            .collect();
        let rest: Vec<usize> = (0..w1.nrows())
            .filter(|col| !blocks.iter().any(|(r, _)| r.contains(col)))
            .collect();
        let int8 = precision == Precision::Int8;
        let kernel = |cols: &[usize]| -> Result<Kernel> {
            let w = w1.select(Axis(0), cols);
            if !int8 {
                return Ok(Kernel::Plain(w));
            }
            let (k, h) = w.dim();
            let wt: Vec<f32> = w.t().iter().copied().collect();
            let weight = tch::Tensor::f_from_slice(&wt)?.f_reshape([h as i64, k as i64])?;
            let bias = tch::Tensor::f_zeros([h as i64], (tch::Kind::Float, tch::Device::Cpu))?;
            PackedLinear::new(&weight, &bias, Precision::Int8)
                .map(Kernel::Packed)
                .map_err(|e| RelationError::InvalidData(format!("pair classifier: {e}")))
        };
        let mut parts = Vec::new();
        if !rest.is_empty() {
            parts.push(Part {
                weights: kernel(&rest)?,
                cols: rest,
                key: None,
            });
        }
        for (r, key) in blocks {
            let cols: Vec<usize> = r.collect();
            parts.push(Part {
                weights: kernel(&cols)?,
                cols,
                key: Some(key),
            });
        }
        Ok(FirstLayer { parts })
    }

    /// `features @ w1` for the candidates `cands` (one row each), without the bias.
    fn apply(
        &self,
        features: &Array2<f32>,
        cands: &[Candidate],
        hidden: usize,
    ) -> Result<Array2<f32>> {
        let mut out = Array2::<f32>::zeros((features.nrows(), hidden));
        for part in &self.parts {
            let Some(key) = part.key.filter(|_| cands.len() == features.nrows()) else {
                out += &part
                    .weights
                    .apply(features.select(Axis(1), &part.cols).view())?;
                continue;
            };
            // The first row of each key value stands for all rows with that value.
            let mut first_of: std::collections::HashMap<(usize, usize), usize> =
                std::collections::HashMap::new();
            let mut rows = Vec::new();
            let group: Vec<usize> = cands
                .iter()
                .enumerate()
                .map(|(r, c)| {
                    *first_of.entry(key.of(c)).or_insert_with(|| {
                        rows.push(r);
                        rows.len() - 1
                    })
                })
                .collect();
            // Only the rows that stand for their key are copied out.
            let x = features.select(Axis(0), &rows).select(Axis(1), &part.cols);
            let unique = part.weights.apply(x.view())?;
            for (mut o, &g) in out.outer_iter_mut().zip(&group) {
                o += &unique.row(g);
            }
        }
        Ok(out)
    }
}

fn tensor_array(t: &tch::Tensor) -> Result<(Vec<i64>, Vec<f32>)> {
    let shape = t.size();
    let flat = t
        .f_to_kind(tch::Kind::Float)?
        .f_contiguous()?
        .f_view([-1])?;
    let v = Vec::<f32>::try_from(&flat)?;
    Ok((shape, v))
}

/// The values of tensor `name`, which must have the shape `expected`.
fn named_tensor(
    tensors: &[(String, tch::Tensor)],
    name: &str,
    expected: &[usize],
) -> Result<Vec<f32>> {
    let t = tensors
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t)
        .ok_or_else(|| {
            RelationError::InvalidData(format!("classifier tensor {name} is missing"))
        })?;
    let (shape, v) = tensor_array(t)?;
    if !shape.iter().copied().eq(expected.iter().map(|&d| d as i64)) {
        return Err(RelationError::InvalidData(format!(
            "classifier tensor {name} has shape {shape:?}, expected {expected:?}"
        )));
    }
    Ok(v)
}

fn matrix(
    tensors: &[(String, tch::Tensor)],
    name: &str,
    rows: usize,
    cols: usize,
) -> Result<Array2<f32>> {
    let v = named_tensor(tensors, name, &[rows, cols])?;
    Array2::from_shape_vec((rows, cols), v)
        .map_err(|e| RelationError::InvalidData(format!("classifier tensor {name}: {e}")))
}

fn vector(tensors: &[(String, tch::Tensor)], name: &str, len: usize) -> Result<Array1<f32>> {
    Ok(Array1::from(named_tensor(tensors, name, &[len])?))
}

/// Reads the head's four tensors through lede-models' checked loader: the file's format and
/// header are validated and every tensor must be present with exactly the shape `meta` implies.
fn read_head(
    weights: &Path,
    meta: &Path,
    [h, i, o]: [usize; 3],
) -> lede_models::Result<Vec<(String, tch::Tensor)>> {
    let dims = |d: &[usize]| d.iter().map(|&n| n as i64).collect::<Vec<i64>>();
    let mut vs = tch::nn::VarStore::new(tch::Device::Cpu);
    let (l1, l2) = (vs.root().sub("l1"), vs.root().sub("l2"));
    let vars = vec![
        ("l1.weight", l1.zeros_no_train("weight", &dims(&[h, i]))),
        ("l1.bias", l1.zeros_no_train("bias", &dims(&[h]))),
        ("l2.weight", l2.zeros_no_train("weight", &dims(&[o, h]))),
        ("l2.bias", l2.zeros_no_train("bias", &dims(&[o]))),
    ];
    let file = lede_models::WeightsFile {
        path: weights.to_path_buf(),
        format: lede_models::weights::detect_format(weights)?,
    };
    lede_models::weights::load(
        &mut vs,
        &[file],
        meta,
        &lede_models::weights::LoadOptions::default(),
    )?;
    Ok(vars.into_iter().map(|(n, t)| (n.to_string(), t)).collect())
}

impl PairClassifier {
    /// Loads [`HEAD_WEIGHTS`] and [`HEAD_META`] from a directory.
    ///
    /// # Errors
    /// [`RelationError::MissingFile`], [`RelationError::Json`], [`RelationError::InvalidData`]
    /// for inconsistent metadata, [`RelationError::Load`] naming the weights file when it is
    /// corrupt or its tensors do not have the shapes the metadata implies.
    pub fn load(dir: &Path) -> Result<PairClassifier> {
        let meta_path = dir.join(HEAD_META);
        let weights_path = dir.join(HEAD_WEIGHTS);
        for p in [&meta_path, &weights_path] {
            if !p.is_file() {
                return Err(RelationError::MissingFile { path: p.clone() });
            }
        }
        let meta = HeadMeta::read(dir)?;
        if meta.tokenization.as_deref() != Some(lede_tokenize::TOKENIZATION) {
            return Err(RelationError::Tokenization {
                what: meta_path.display().to_string(),
                found: meta.tokenization,
                model: true,
            });
        }
        if meta.labels.first().map(String::as_str) != Some(NONE_LABEL) {
            return Err(RelationError::InvalidData(format!(
                "{}: the first class must be {NONE_LABEL:?}",
                meta_path.display()
            )));
        }
        if meta.input_dim
            != feature_dim(meta.encoder_dim) + extra_width(&meta.extra_features, meta.encoder_dim)
        {
            return Err(RelationError::InvalidData(format!(
                "{}: input_dim {} does not fit encoder_dim {} and {} extra features",
                meta_path.display(),
                meta.input_dim,
                meta.encoder_dim,
                meta.extra_features.len()
            )));
        }
        if let Some(bad) = meta
            .extra_features
            .iter()
            .find(|f| ExtraFeature::parse(f).is_none())
        {
            return Err(RelationError::InvalidData(format!(
                "{}: unknown extra feature {bad:?}",
                meta_path.display()
            )));
        }
        if !lede_models::weights::is_sha256_hex(&meta.weights_sha256) {
            return Err(RelationError::InvalidData(format!(
                "{}: weights_sha256 {:?} is not a SHA-256 in lowercase hex: the metadata must \
                 record the digest of {HEAD_WEIGHTS} (retrain with `lede train relations`)",
                meta_path.display(),
                meta.weights_sha256
            )));
        }
        let sha = lede_models::weights::sha256_file(&weights_path).map_err(|source| {
            RelationError::Io {
                path: weights_path.clone(),
                source,
            }
        })?;
        if sha != meta.weights_sha256 {
            return Err(RelationError::InvalidData(format!(
                "{}: SHA-256 {sha} is not the {} recorded in {}: the file was changed or damaged",
                weights_path.display(),
                meta.weights_sha256,
                meta_path.display()
            )));
        }
        let (h, i, o) = (meta.hidden_units, meta.input_dim, meta.labels.len());
        // The shapes the metadata claims must fit in the weights file before any tensor of
        // those shapes is allocated: a lying `hidden_units` would otherwise allocate
        // (or fail to allocate) gigabytes.
        let floats = h
            .checked_mul(i)
            .and_then(|n| n.checked_add(h))
            .and_then(|n| n.checked_add(o.checked_mul(h)?))
            .and_then(|n| n.checked_add(o))
            .and_then(|n| n.checked_mul(std::mem::size_of::<f32>()));
        let file_len = std::fs::metadata(&weights_path).map_or(0, |m| m.len());
        if MAX_ENCODER_DIM < meta.encoder_dim
            || floats.map_or(true, |bytes| bytes as u64 > file_len)
        {
            return Err(RelationError::InvalidData(format!(
                "{}: hidden_units {h}, input_dim {i}, encoder_dim {} and {o} labels do not fit \
                 the {file_len} bytes of {}",
                meta_path.display(),
                meta.encoder_dim,
                weights_path.display()
            )));
        }
        let tensors = read_head(&weights_path, &meta_path, [h, i, o])
            .map_err(|e| RelationError::load(&weights_path, e))?;
        let arrays = || -> Result<_> {
            Ok((
                matrix(&tensors, "l1.weight", h, i)?.reversed_axes(),
                vector(&tensors, "l1.bias", h)?,
                matrix(&tensors, "l2.weight", o, h)?.reversed_axes(),
                vector(&tensors, "l2.bias", o)?,
            ))
        };
        let (w1, b1, w2, b2) = arrays().map_err(|e| RelationError::load(&weights_path, e))?;
        let finite = w1
            .iter()
            .chain(&b1)
            .chain(&w2)
            .chain(&b2)
            .all(|v| v.is_finite());
        if !finite {
            return Err(RelationError::InvalidData(format!(
                "{}: the weights hold NaN or infinite values",
                weights_path.display()
            )));
        }
        Ok(PairClassifier {
            w1,
            b1,
            w2,
            b2,
            meta,
        })
    }

    /// Class probabilities (rows: examples, columns: [`HeadMeta::labels`]).
    pub fn probabilities(&self, features: &Array2<f32>) -> Array2<f32> {
        let hidden = features.dot(&self.w1) + &self.b1;
        self.output(hidden)
    }

    /// The rest of the network after the first layer's affine map (bias included).
    fn output(&self, mut hidden: Array2<f32>) -> Array2<f32> {
        hidden.mapv_inplace(|x| x.max(0.0));
        let logits = hidden.dot(&self.w2) + &self.b2;
        softmax_rows(&logits, self.meta.temperature)
    }
}

/// Row-wise softmax of `logits / temperature`.
pub fn softmax_rows(logits: &Array2<f32>, temperature: f32) -> Array2<f32> {
    let t = if temperature > 0.0 { temperature } else { 1.0 };
    let mut out = logits.mapv(|x| x / t);
    for mut row in out.axis_iter_mut(Axis(0)) {
        let max = row.fold(f32::NEG_INFINITY, |m, &x| m.max(x));
        row.mapv_inplace(|x| (x - max).exp());
        let sum: f32 = row.sum();
        if sum > 0.0 {
            row.mapv_inplace(|x| x / sum);
        }
    }
    out
}

fn mean_rows(hidden: &Array2<f32>, rows: &[usize]) -> Array1<f32> {
    let dim = hidden.ncols();
    let mut acc = Array1::<f32>::zeros(dim);
    if rows.is_empty() {
        return acc;
    }
    for &r in rows {
        if r < hidden.nrows() {
            acc += &hidden.row(r);
        }
    }
    acc / rows.len() as f32
}

/// The feature vector of a pair, from the token states of its sentence. Spans are byte ranges
/// relative to the start of the encoded sentence text.
pub fn pair_features(
    states: &TokenStates,
    head: (usize, usize),
    tail: (usize, usize),
) -> Array1<f32> {
    let dim = states.hidden.ncols();
    // Byte ranges of the subwords that stand for text.
    let spans: Vec<Option<(usize, usize)>> = states
        .subwords
        .iter()
        .map(|s| s.span.map(|p| (p.start, p.end)).filter(|(a, b)| b > a))
        .collect();
    let overlapping = |(a, b): (usize, usize)| -> Vec<usize> {
        spans
            .iter()
            .enumerate()
            .filter(|(_, p)| p.is_some_and(|(s, e)| s < b && e > a))
            .map(|(i, _)| i)
            .collect()
    };
    let (first, second) = if head.0 <= tail.0 {
        (head, tail)
    } else {
        (tail, head)
    };
    let between: Vec<usize> = spans
        .iter()
        .enumerate()
        .filter(|(_, p)| p.is_some_and(|(s, e)| s >= first.1 && e <= second.0))
        .map(|(i, _)| i)
        .collect();
    let h = mean_rows(&states.hidden, &overlapping(head));
    let t = mean_rows(&states.hidden, &overlapping(tail));
    let m = mean_rows(&states.hidden, &between);
    let mut f = Array1::<f32>::zeros(feature_dim(dim));
    assemble(f.view_mut(), [&h, &t, &m], head.0 <= tail.0, between.len());
    f
}

/// Writes `[head; tail; between; head * tail; order; distance]` into `f` (of width
/// [`feature_dim`] of the vectors' width).
fn assemble(
    mut f: ndarray::ArrayViewMut1<'_, f32>,
    [h, t, m]: [&Array1<f32>; 3],
    head_first: bool,
    between: usize,
) {
    let dim = h.len();
    f.slice_mut(s![0..dim]).assign(h);
    f.slice_mut(s![dim..2 * dim]).assign(t);
    f.slice_mut(s![2 * dim..3 * dim]).assign(m);
    f.slice_mut(s![3 * dim..4 * dim]).assign(&(h * t));
    f[4 * dim] = if head_first { 1.0 } else { -1.0 };
    f[4 * dim + 1] = ((between as f32) + 1.0).ln() / 4.0;
}

/// Features of candidates read from the document's token vectors (see
/// [`HeadMeta::token_vectors`]): the same layout as [`pair_features`], with token rows in place
/// of subword rows: the tokens overlapping the head, those overlapping the tail, and those
/// between the two mentions.
///
/// # Errors
/// [`RelationError::TokenVectors`] when the document has no token vectors from `source`, or
/// they do not cover its tokens.
pub fn vector_features(
    doc: &AnnotatedDocument,
    cands: &[Candidate],
    source: &str,
) -> Result<Array2<f32>> {
    let found = doc.token_vectors.as_ref().map(|v| v.source.clone());
    let Some(tv) = doc
        .token_vectors
        .as_ref()
        .filter(|v| v.source == source && v.vectors.rows() == doc.tokens.len())
    else {
        return Err(RelationError::TokenVectors {
            document: doc.document.id.clone(),
            expected: source.to_string(),
            found,
        });
    };
    let dim = tv.vectors.dim;
    let spans: Vec<(usize, usize)> = doc
        .tokens
        .iter()
        .map(|t| (t.span.start, t.span.end))
        .collect();
    // Tokens are in text order: the ones overlapping `a..b` form one run.
    let overlapping = |(a, b): (usize, usize)| -> Vec<usize> {
        let from = spans.partition_point(|t| t.1 <= a);
        (from..spans.len())
            .take_while(|&i| spans.get(i).is_some_and(|t| t.0 < b))
            .collect()
    };
    let mut out = Array2::<f32>::zeros((cands.len(), feature_dim(dim)));
    for (row, c) in cands.iter().enumerate() {
        let (head, tail) = (c.head_span, c.tail_span);
        let (first, second) = if head.0 <= tail.0 {
            (head, tail)
        } else {
            (tail, head)
        };
        let between: Vec<usize> = {
            let from = spans.partition_point(|t| t.0 < first.1);
            (from..spans.len())
                .take_while(|&i| spans.get(i).is_some_and(|t| t.1 <= second.0))
                .collect()
        };
        let zeros = || vec![0.0f32; dim];
        let h = Array1::from(tv.mean(&overlapping(head)).unwrap_or_else(zeros));
        let t = Array1::from(tv.mean(&overlapping(tail)).unwrap_or_else(zeros));
        let m = Array1::from(tv.mean(&between).unwrap_or_else(zeros));
        assemble(
            out.row_mut(row),
            [&h, &t, &m],
            head.0 <= tail.0,
            between.len(),
        );
    }
    Ok(out)
}

/// The word a mention of this type is replaced with before encoding (entity masking: the
/// classifier sees "person pardoned person", not names it could memorise), or `None` to keep
/// the mention's own words (demonyms and other types carry meaning, not identity).
pub fn mask_word(label: &str) -> Option<&'static str> {
    match label.trim().to_ascii_uppercase().as_str() {
        "PERSON" | "PER" => Some("person"),
        "ORG" | "ORGANIZATION" => Some("organization"),
        "GPE" | "LOC" | "LOCATION" => Some("place"),
        "FAC" => Some("facility"),
        _ => None,
    }
}

/// A sentence with its mentions masked, and where each mention (by document byte span) landed
/// in the masked text.
#[derive(Debug, Clone, PartialEq)]
pub struct MaskedSentence {
    /// The text to encode.
    pub text: String,
    /// `(document span, span in text)` for every mention of the sentence.
    pub spans: Vec<((usize, usize), (usize, usize))>,
}

/// Masks the mentions inside `doc.sentences[sentence]` with [`mask_word`].
pub fn mask_sentence(doc: &AnnotatedDocument, sentence: usize) -> Option<MaskedSentence> {
    let s = doc.sentences.get(sentence)?;
    let text = doc.text();
    let mut ms: Vec<(usize, usize, &str)> = doc
        .entities
        .iter()
        .flat_map(|e| e.mentions.iter().map(move |m| (m, e.label.as_str())))
        .filter(|(m, _)| s.span.contains(&m.span) && !m.span.is_empty())
        .map(|(m, l)| (m.span.start, m.span.end, l))
        .collect();
    ms.sort_by_key(|m| (m.0, std::cmp::Reverse(m.1)));
    let mut out = String::with_capacity(s.span.len());
    let mut spans = Vec::with_capacity(ms.len());
    let mut pos = s.span.start;
    for (a, b, label) in ms {
        if a < pos {
            continue; // overlaps the previous mention
        }
        out.push_str(text.get(pos..a)?);
        let start = out.len();
        match mask_word(label) {
            Some(w) => out.push_str(w),
            None => out.push_str(text.get(a..b)?),
        }
        spans.push(((a, b), (start, out.len())));
        pos = b;
    }
    out.push_str(text.get(pos..s.span.end)?);
    Some(MaskedSentence { text: out, spans })
}

/// Per sentence index, a document byte range (see [`sentence_windows`]).
pub type SentenceWindows = BTreeMap<usize, (usize, usize)>;

/// Per sentence, the document byte range from the first to the last mention of its candidate
/// pairs. The classifier encodes this range plus [`HeadMeta::context_words`] words on either
/// side; windows are taken over *every* candidate pair of a sentence (training and inference
/// alike), not only those scored, so that a pair's window does not depend on which pairs are
/// scored with it.
pub fn sentence_windows(cands: &[Candidate]) -> SentenceWindows {
    let mut out = SentenceWindows::new();
    for c in cands {
        let a = c.head_span.0.min(c.tail_span.0);
        let b = c.head_span.1.max(c.tail_span.1);
        out.entry(c.sentence)
            .and_modify(|w| *w = (w.0.min(a), w.1.max(b)))
            .or_insert((a, b));
    }
    out
}

/// Extends `start..end` of `text` by `words` words on either side (byte offsets on character
/// boundaries). Words are lede-tokenize's word and number tokens, so punctuation does not
/// count; a side with fewer words than asked for extends to the end of the text.
pub fn widen_by_words(text: &str, start: usize, end: usize, words: usize) -> (usize, usize) {
    static TOKENIZER: LazyLock<RuleWordTokenizer> = LazyLock::new(RuleWordTokenizer::default);
    let s = start.min(text.len());
    let e = end.clamp(s, text.len());
    if words == 0 {
        return (s, e);
    }
    let spans: Vec<(usize, usize)> = TOKENIZER
        .tokenize(text)
        .into_iter()
        .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::Number))
        .map(|t| (t.span.start, t.span.end))
        .collect();
    let before = spans.partition_point(|t| t.1 <= s);
    let from = match before.checked_sub(words) {
        Some(i) => spans.get(i).map_or(s, |t| t.0.min(s)),
        None => 0,
    };
    let after = spans.partition_point(|t| t.0 < e);
    let to = match spans.get(after + words - 1) {
        Some(t) => t.1.max(e),
        None => text.len(),
    };
    (from, to)
}

/// The part of a masked sentence to encode: the mentions inside the document range `window`,
/// widened by `words` words; spans are shifted to the cut text. Falls back to the whole
/// sentence when the range holds no mention or does not cut cleanly.
fn cut(m: MaskedSentence, window: (usize, usize), words: usize) -> MaskedSentence {
    let inside = m
        .spans
        .iter()
        .filter(|(d, _)| d.0 >= window.0 && d.1 <= window.1);
    let (mut a, mut b) = (usize::MAX, 0);
    for (_, t) in inside {
        a = a.min(t.0);
        b = b.max(t.1);
    }
    if a > b {
        return m;
    }
    let (s, e) = widen_by_words(&m.text, a, b, words);
    let Some(text) = m.text.get(s..e) else {
        return m;
    };
    let spans = m
        .spans
        .iter()
        .filter(|(_, t)| t.0 >= s && t.1 <= e)
        .map(|&(d, t)| (d, (t.0 - s, t.1 - s)))
        .collect();
    MaskedSentence {
        text: text.to_string(),
        spans,
    }
}

/// Features of candidates, encoding each needed sentence once: the whole masked sentence, or,
/// with `context = Some((windows, words))`, its window (see [`sentence_windows`]) widened by
/// `words` words.
pub(crate) fn candidate_features(
    embedder: &SentenceEmbedder,
    doc: &AnnotatedDocument,
    cands: &[Candidate],
    context: Option<(&SentenceWindows, usize)>,
) -> Result<Array2<f32>> {
    let dim = embedder.dim();
    let mut needed: Vec<usize> = cands.iter().map(|c| c.sentence).collect();
    needed.sort_unstable();
    needed.dedup();
    let masked: Vec<MaskedSentence> = needed
        .iter()
        .filter_map(|&i| {
            let m = mask_sentence(doc, i)?;
            Some(
                match context.and_then(|(w, n)| w.get(&i).map(|&r| (r, n))) {
                    Some((window, words)) => cut(m, window, words),
                    None => m,
                },
            )
        })
        .collect();
    if masked.len() != needed.len() {
        return Err(RelationError::InvalidData(
            "a candidate points past the document's sentences".into(),
        ));
    }
    let texts: Vec<&str> = masked.iter().map(|m| m.text.as_str()).collect();
    let states = embedder
        .token_states(&texts)
        .map_err(|e| RelationError::Encoder(Box::new(e)))?;
    let mut out = Array2::<f32>::zeros((cands.len(), feature_dim(dim)));
    for (row, c) in cands.iter().enumerate() {
        let Ok(k) = needed.binary_search(&c.sentence) else {
            continue;
        };
        let (Some(st), Some(m)) = (states.get(k), masked.get(k)) else {
            continue;
        };
        let at = |span: (usize, usize)| m.spans.iter().find(|(d, _)| *d == span).map(|x| x.1);
        let (Some(h), Some(t)) = (at(c.head_span), at(c.tail_span)) else {
            continue;
        };
        let f = pair_features(st, h, t);
        out.row_mut(row).assign(&f);
    }
    Ok(out)
}

/// The pair classifier with what computes its features: a MiniLM encoder of its own, or,
/// for a classifier trained on a recognizer's token vectors ([`HeadMeta::token_vectors`]),
/// nothing (the vectors come with the document).
pub struct PairModel {
    embedder: Option<SentenceEmbedder>,
    classifier: PairClassifier,
    first_layer: FirstLayer,
}

impl std::fmt::Debug for PairModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PairModel")
            .field(
                "embedder",
                &self.embedder.as_ref().map(SentenceEmbedder::name),
            )
            .field("token_vectors", &self.classifier.meta.token_vectors)
            .field("labels", &self.classifier.meta.labels.len())
            .finish()
    }
}

impl PairModel {
    /// Loads the classifier from `model_dir` and the encoder from `encoder_dir`, with the
    /// encoder settings the classifier was trained with ([`HeadMeta::encoding`]).
    ///
    /// # Errors
    /// Missing or inconsistent files; [`RelationError::InvalidData`] when the classifier was
    /// trained for another encoder width.
    pub fn load(model_dir: &Path, encoder_dir: &Path, batch_size: usize) -> Result<PairModel> {
        let classifier = PairClassifier::load(model_dir)?;
        if classifier.meta.token_vectors.is_some() {
            return Self::from_vectors(classifier);
        }
        let embedder = classifier
            .meta
            .encoding()
            .embedder(encoder_dir, batch_size)?;
        Self::from_parts(embedder, classifier)
    }

    /// Combines a loaded encoder and classifier. The encoder must run the layers the
    /// classifier was trained with ([`HeadMeta::encoder_layers`]; [`Encoding::embedder`]
    /// builds one).
    ///
    /// # Errors
    /// [`RelationError::InvalidData`] when their widths disagree.
    pub fn from_parts(embedder: SentenceEmbedder, classifier: PairClassifier) -> Result<PairModel> {
        if embedder.dim() != classifier.meta.encoder_dim {
            return Err(RelationError::InvalidData(format!(
                "the classifier expects {}-wide encoder states, the encoder gives {}",
                classifier.meta.encoder_dim,
                embedder.dim()
            )));
        }
        if classifier.meta.token_vectors.is_some() {
            return Err(RelationError::InvalidData(
                "the classifier reads token vectors, not an encoder's states".into(),
            ));
        }
        Ok(PairModel {
            embedder: Some(embedder),
            first_layer: FirstLayer::new(&classifier, Precision::Fp32)?,
            classifier,
        })
    }

    /// A classifier trained on a recognizer's token vectors ([`HeadMeta::token_vectors`]),
    /// which reads them from the documents it scores and needs no encoder.
    ///
    /// # Errors
    /// [`RelationError::InvalidData`] when the classifier was trained on an encoder's states.
    pub fn from_vectors(classifier: PairClassifier) -> Result<PairModel> {
        if classifier.meta.token_vectors.is_none() {
            return Err(RelationError::InvalidData(
                "the classifier needs its encoder (it was not trained on token vectors)".into(),
            ));
        }
        Ok(PairModel {
            embedder: None,
            first_layer: FirstLayer::new(&classifier, Precision::Fp32)?,
            classifier,
        })
    }

    /// Runs the classifier's first layer, its largest product, at `precision`: fp32 (the
    /// default, plain ndarray) or int8 (FBGEMM's kernel, the one the int8 NER encoder runs
    /// on: weights quantized once, activations per call). int8 moves the probabilities by
    /// int8's rounding; docs/PERFORMANCE.md has its speed and what it changes.
    ///
    /// # Errors
    /// [`RelationError::InvalidData`] or [`RelationError::Torch`] when the weights cannot be
    /// packed.
    pub fn with_precision(mut self, precision: Precision) -> Result<PairModel> {
        self.first_layer = FirstLayer::new(&self.classifier, precision)?;
        Ok(self)
    }

    /// Whether it can score `doc`: it runs its own encoder, or the document carries token
    /// vectors from the source it was trained on.
    pub fn can_score(&self, doc: &AnnotatedDocument) -> bool {
        match &self.classifier.meta.token_vectors {
            None => true,
            Some(src) => doc
                .token_vectors
                .as_ref()
                .is_some_and(|v| &v.source == src && v.vectors.rows() == doc.tokens.len()),
        }
    }

    /// The classifier's metadata.
    pub fn meta(&self) -> &HeadMeta {
        &self.classifier.meta
    }

    /// For each candidate: (label, probability, threshold) for every label the classifier has
    /// a threshold for. `windows` are [`sentence_windows`] of *all* the document's candidate
    /// pairs (used when the classifier was trained on windows, [`HeadMeta::context_words`]);
    /// `None` computes them from `cands`.
    ///
    /// # Errors
    /// Encoder failures.
    pub fn score(
        &self,
        doc: &AnnotatedDocument,
        cands: &[Candidate],
        windows: Option<&SentenceWindows>,
    ) -> Result<Vec<Vec<(String, f32, f32)>>> {
        self.score_with(doc, cands, windows, None)
    }

    /// [`Self::score`] for a classifier with [`HeadMeta::extra_features`]: `extra` holds their
    /// rows (one per candidate, in the metadata's order), appended to the encoder features.
    ///
    /// # Errors
    /// Encoder failures; [`RelationError::InvalidData`] when the features do not have the
    /// classifier's width.
    pub fn score_with(
        &self,
        doc: &AnnotatedDocument,
        cands: &[Candidate],
        windows: Option<&SentenceWindows>,
        extra: Option<&Array2<f32>>,
    ) -> Result<Vec<Vec<(String, f32, f32)>>> {
        if cands.is_empty() {
            return Ok(Vec::new());
        }
        let own;
        let context = match self.classifier.meta.context_words {
            Some(words) => {
                let w = match windows {
                    Some(w) => w,
                    None => {
                        own = sentence_windows(cands);
                        &own
                    }
                };
                Some((w, words))
            }
            None => None,
        };
        let feats = match (&self.classifier.meta.token_vectors, &self.embedder) {
            (Some(src), _) => vector_features(doc, cands, src)?,
            (None, Some(e)) => candidate_features(e, doc, cands, context)?,
            (None, None) => {
                return Err(RelationError::InvalidData(
                    "the classifier has no encoder".into(),
                ))
            }
        };
        let feats = match extra {
            Some(x) if x.nrows() == feats.nrows() && x.ncols() > 0 => {
                ndarray::concatenate(Axis(1), &[feats.view(), x.view()])
                    .map_err(|e| RelationError::InvalidData(format!("extra features: {e}")))?
            }
            _ => feats,
        };
        if feats.ncols() != self.classifier.meta.input_dim {
            return Err(RelationError::InvalidData(format!(
                "features are {} wide, the classifier takes {}",
                feats.ncols(),
                self.classifier.meta.input_dim
            )));
        }
        tracing::debug!(
            document = %doc.document.id,
            pairs = feats.nrows(),
            "scoring candidate pairs"
        );
        let c = &self.classifier;
        let hidden = self.first_layer.apply(&feats, cands, c.b1.len())? + &c.b1;
        let probs = c.output(hidden);
        let meta = &self.classifier.meta;
        Ok(probs
            .axis_iter(Axis(0))
            .map(|row: ArrayView1<'_, f32>| {
                meta.labels
                    .iter()
                    .zip(row.iter())
                    .skip(1)
                    .filter_map(|(l, &p)| meta.thresholds.get(l).map(|&t| (l.clone(), p, t)))
                    .collect()
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lede_core::{Document, Entity, Mention, OffsetMap, Sentence};
    use lede_tokenize::Subword;

    fn doc() -> AnnotatedDocument {
        let text = "Intro. Russian President Vladimir Putin met Xi in Kolésnikovo.";
        let map = OffsetMap::new(text);
        let ent = |label: &str, name: &str| {
            let a = text.find(name).unwrap();
            Entity {
                id: name.into(),
                name: name.into(),
                label: label.into(),
                mentions: vec![Mention {
                    text: name.into(),
                    label: label.into(),
                    score: 1.0,
                    span: map.span(a, a + name.len()).unwrap(),
                }],
            }
        };
        let mut d = AnnotatedDocument::new(Document::new("d", text));
        d.sentences = vec![
            Sentence {
                span: map.span(0, 6).unwrap(),
                text: "Intro.".into(),
            },
            Sentence {
                span: map.span(7, text.len()).unwrap(),
                text: text[7..].into(),
            },
        ];
        d.entities = vec![
            ent("NORP", "Russian"),
            ent("PERSON", "Vladimir Putin"),
            ent("PER", "Xi"),
            ent("GPE", "Kolésnikovo"),
        ];
        d
    }

    /// [`doc`] with its tokens and one-hot token vectors from "src": row i has a 1 at column i.
    fn one_hot_doc() -> AnnotatedDocument {
        let mut d = doc();
        lede_tokenize::Segmenter::default().fill(&mut d);
        let n = d.tokens.len();
        let values = (0..n * n)
            .map(|i| if i / n == i % n { 1.0 } else { 0.0 })
            .collect();
        d.token_vectors = Some(lede_core::TokenVectors {
            source: "src".into(),
            vectors: lede_core::Embeddings { dim: n, values },
        });
        d
    }

    /// The byte span of the first occurrence of `name` in `text`.
    fn span_of(text: &str, name: &str) -> (usize, usize) {
        let a = text.find(name).unwrap();
        (a, a + name.len())
    }

    /// A one-sentence candidate between the first occurrences of two names in `text`, the
    /// entities `ids`.
    fn cand_between(text: &str, head: &str, tail: &str, ids: (usize, usize)) -> Candidate {
        Candidate {
            sentence: 1,
            last_sentence: 1,
            head: ids.0,
            tail: ids.1,
            head_span: span_of(text, head),
            tail_span: span_of(text, tail),
            labels: vec![],
        }
    }

    #[test]
    fn word_buckets_read_the_tokens_between_and_around_a_pair() {
        let mut d = doc();
        d.tokens = RuleWordTokenizer::default().tokenize(d.text());
        let text = d.text().to_string();
        let at = |w: &str| {
            let a = text.find(w).unwrap();
            (a, a + w.len())
        };
        let n = 1 << 12;
        let got = word_buckets(&d, at("Vladimir Putin"), at("Xi"), n);
        let mut want: Vec<usize> = vec![
            word_bucket(b'b', "met", n),
            // Three tokens before: not "Intro".
            word_bucket(b'l', ".", n),
            word_bucket(b'l', "Russian", n),
            word_bucket(b'l', "President", n),
            word_bucket(b'r', "in", n),
            word_bucket(b'r', "Kolésnikovo", n),
            word_bucket(b'r', ".", n),
        ];
        want.sort_unstable();
        want.dedup();
        assert_eq!(got, want);
        // The place is part of the key, and folding makes case and accents one word.
        assert_ne!(word_bucket(b'b', "met", n), word_bucket(b'l', "met", n));
        assert_eq!(
            word_bucket(b'r', "KOLESNIKOVO", n),
            word_bucket(b'r', "Kolésnikovo", n)
        );
        // The columns are filled from the candidate's spans, in either order.
        let names = vec!["words:4096".to_string()];
        assert_eq!(extra_width(&names, 384), 4096);
        assert!(ExtraFeature::parse("words:0").is_none());
        let schema = Schema::news().unwrap();
        let cand = |head: (usize, usize), tail: (usize, usize)| Candidate {
            head: 1,
            tail: 2,
            head_span: head,
            tail_span: tail,
            sentence: 1,
            last_sentence: 1,
            labels: vec![],
        };
        let rows = extra_feature_rows(
            &names,
            &schema,
            &d,
            &[],
            &[
                cand(at("Vladimir Putin"), at("Xi")),
                cand(at("Xi"), at("Vladimir Putin")),
            ],
        );
        for r in 0..2 {
            let on: Vec<usize> = (0..n).filter(|&c| rows[(r, c)] == 1.0).collect();
            assert_eq!(on, want);
        }
    }

    #[test]
    fn extra_features_parse_and_fill_their_columns() {
        assert_eq!(
            ExtraFeature::parse("cue:leader_of"),
            Some(ExtraFeature::Cue("leader_of".into()))
        );
        assert_eq!(
            ExtraFeature::parse("context:3"),
            Some(ExtraFeature::Context(3))
        );
        for bad in ["head:ALIEN", "context:0", "context:x", "cue:", "nothing"] {
            assert_eq!(ExtraFeature::parse(bad), None, "{bad}");
        }
        let names: Vec<String> = ["head:PERSON", "tail:GPE", "context:2", "cue:leader_of"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(extra_width(&names, 4), 1 + 1 + 8 + 1);
        let schema = Schema::news().unwrap();
        let d = doc();
        let cands = crate::candidates(&d, &schema);
        let putin = d
            .entities
            .iter()
            .position(|e| e.name == "Vladimir Putin")
            .unwrap();
        let row = cands.iter().position(|c| c.head == putin).unwrap();
        // No token vectors: the context columns stay zero, the others are filled.
        let x = extra_feature_rows(&names, &schema, &d, &[], &cands);
        assert_eq!(x.ncols(), extra_width(&names, 0));
        assert_eq!(x[(row, 0)], 1.0, "head is a PERSON");
        let standard = standard_extra_features(&schema, true, 3, false);
        assert!(standard.iter().any(|f| f == "cue:leader_of"));
        assert!(
            !standard.iter().any(|f| f == "cue:age"),
            "value labels have no pair cue"
        );
        assert!(standard.iter().all(|f| ExtraFeature::parse(f).is_some()));
    }

    #[test]
    fn masking_replaces_names_and_maps_spans() {
        let d = doc();
        let m = mask_sentence(&d, 1).unwrap();
        assert_eq!(m.text, "Russian President person met person in place.");
        assert_eq!(m.spans.len(), 4);
        for ((da, db), (ma, mb)) in &m.spans {
            let original = &d.text()[*da..*db];
            let masked = &m.text[*ma..*mb];
            assert!(masked == original || mask_word("PERSON") == Some(masked) || masked == "place");
        }
        assert!(mask_sentence(&d, 0).unwrap().spans.is_empty());
        assert!(mask_sentence(&d, 7).is_none());
    }

    #[test]
    fn features_pool_the_right_pieces() {
        // Three pieces with one-hot states: head = piece 0, tail = piece 2, between = piece 1.
        let map = OffsetMap::new("abc def ghi");
        let subwords: Vec<Subword> = [(1, 0, 3), (2, 4, 7), (3, 8, 11)]
            .into_iter()
            .enumerate()
            .map(|(w, (id, a, b))| Subword {
                token: String::new(),
                id,
                special: false,
                word: Some(w),
                span: Some(map.span(a, b).unwrap()),
            })
            .collect();
        let hidden =
            Array2::from_shape_vec((3, 3), vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0])
                .unwrap();
        let st = TokenStates { subwords, hidden };
        let f = pair_features(&st, (0, 3), (8, 11));
        assert_eq!(f.len(), feature_dim(3));
        assert_eq!(f.slice(s![0..3]).to_vec(), vec![1.0, 0.0, 0.0]);
        assert_eq!(f.slice(s![3..6]).to_vec(), vec![0.0, 0.0, 1.0]);
        assert_eq!(f.slice(s![6..9]).to_vec(), vec![0.0, 1.0, 0.0]);
        assert_eq!(f.slice(s![9..12]).to_vec(), vec![0.0, 0.0, 0.0]);
        assert_eq!(f[12], 1.0);
        let g = pair_features(&st, (8, 11), (0, 3));
        assert_eq!(g[12], -1.0, "tail before head");
        assert_eq!(g.slice(s![6..9]).to_vec(), vec![0.0, 1.0, 0.0]);
    }

    #[test]
    fn windows_cover_the_candidates_and_widen_by_words() {
        let d = doc();
        let text = d.text();
        let span = |name: &str| span_of(text, name);
        let c = |h: &str, t: &str| cand_between(text, h, t, (0, 1));
        let w = sentence_windows(&[c("Xi", "Kolésnikovo"), c("Vladimir Putin", "Xi")]);
        assert_eq!(w.get(&1), Some(&(span("Vladimir Putin").0, text.len() - 1)));
        let m = mask_sentence(&d, 1).unwrap();
        // "Russian President person met person in place."
        let cut0 = cut(m.clone(), span("Xi"), 0);
        assert_eq!(cut0.text, "person");
        assert_eq!(cut0.spans, vec![(span("Xi"), (0, 6))]);
        let cut1 = cut(m.clone(), span("Xi"), 1);
        assert_eq!(cut1.text, "met person in");
        let cut2 = cut(m.clone(), (span("Vladimir Putin").0, span("Xi").1), 2);
        // Punctuation is not a word: the window ends at the second word after the mention.
        assert_eq!(cut2.text, "Russian President person met person in place");
        assert_eq!(cut2.spans.len(), 4);
        // Past the ends and with no mention inside: unchanged or whole.
        assert_eq!(cut(m.clone(), (0, 3), 1), m);
        assert_eq!(widen_by_words("a b", 0, 3, 5), (0, 3));
        assert_eq!(widen_by_words("é é é", 3, 5, 1), (0, 8));
        // Words, not whitespace runs: "—" and "," are skipped, "U.S." is one word.
        let t = "a — b, c d U.S. e";
        let c = t.find('c').unwrap();
        assert_eq!(
            widen_by_words(t, c, c + 1, 2),
            (t.find('a').unwrap(), t.find(" e").unwrap())
        );
        assert_eq!(widen_by_words(t, c, c + 1, 0), (c, c + 1));
    }

    #[test]
    fn edge_features_read_the_tokens_next_to_each_mention() {
        let d = one_hot_doc();
        let text = d.text().to_string();
        let n = d.tokens.len();
        let idx = |w: &str| d.tokens.iter().position(|t| t.text == w).unwrap();
        let cand = |head: &str, tail: &str| cand_between(&text, head, tail, (1, 3));
        assert_eq!(ExtraFeature::parse("edges:2"), Some(ExtraFeature::Edges(2)));
        assert!(ExtraFeature::parse("edges:0").is_none());
        let names = vec!["edges:2".to_string()];
        assert_eq!(extra_width(&names, n), 2 * n);
        let schema = Schema::news().unwrap();
        // Between "Vladimir Putin" and "Kolésnikovo": "met Xi in", in either order.
        let cands = [
            cand("Vladimir Putin", "Kolésnikovo"),
            cand("Kolésnikovo", "Vladimir Putin"),
            cand("Russian", "President"),
        ];
        let x = extra_feature_rows(&names, &schema, &d, &[], &cands);
        for r in 0..2 {
            let on = |from: usize| -> Vec<(usize, f32)> {
                (0..n)
                    .filter(|&k| x[(r, from + k)] != 0.0)
                    .map(|k| (k, x[(r, from + k)]))
                    .collect()
            };
            assert_eq!(on(0), vec![(idx("met"), 0.5), (idx("Xi"), 0.5)]);
            assert_eq!(on(n), vec![(idx("Xi"), 0.5), (idx("in"), 0.5)]);
        }
        // Adjacent mentions: nothing between, both vectors zero.
        assert!(x.row(2).iter().all(|&v| v == 0.0));
    }

    #[test]
    fn vector_features_pool_token_rows_and_check_the_source() {
        let mut d = one_hot_doc();
        let text = d.text().to_string();
        let n = d.tokens.len();
        let idx = |w: &str| d.tokens.iter().position(|t| t.text == w).unwrap();
        let c = cand_between(&text, "Vladimir Putin", "Kolésnikovo", (1, 3));
        let f = vector_features(&d, std::slice::from_ref(&c), "src").unwrap();
        assert_eq!(f.ncols(), feature_dim(n));
        let row = f.row(0);
        assert_eq!(row[idx("Vladimir")], 0.5);
        assert_eq!(row[idx("Putin")], 0.5);
        assert_eq!(row[n + idx("Kolésnikovo")], 1.0);
        for w in ["met", "Xi", "in"] {
            assert!((row[2 * n + idx(w)] - 1.0 / 3.0).abs() < 1e-6, "{w}");
        }
        assert_eq!(row[2 * n + idx("Putin")], 0.0);
        assert_eq!(row[4 * n], 1.0, "head first");
        // Another source, no vectors, or rows that do not match the tokens: refused.
        assert!(matches!(
            vector_features(&d, std::slice::from_ref(&c), "other"),
            Err(RelationError::TokenVectors { .. })
        ));
        let mut short = d.clone();
        if let Some(v) = short.token_vectors.as_mut() {
            v.vectors.values.truncate(n);
        }
        assert!(vector_features(&short, std::slice::from_ref(&c), "src").is_err());
        d.token_vectors = None;
        assert!(matches!(
            vector_features(&d, &[c], "src"),
            Err(RelationError::TokenVectors { found: None, .. })
        ));
    }

    #[test]
    fn the_split_first_layer_gives_the_classifier_probabilities() {
        // Real features of every pair of the document's mentions (heads, tails and pair edges
        // repeat across pairs), through a random classifier, both ways.
        let mut d = one_hot_doc();
        let n = d.tokens.len();
        let mut state = 7u32;
        if let Some(v) = d.token_vectors.as_mut() {
            for x in &mut v.vectors.values {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                *x = (state >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
            }
        }
        let text = d.text().to_string();
        let names = ["Russian", "Vladimir Putin", "Xi", "Kolésnikovo"];
        let mut cands = Vec::new();
        for (i, a) in names.iter().enumerate() {
            for (j, b) in names.iter().enumerate() {
                if i != j {
                    cands.push(cand_between(&text, a, b, (i, j)));
                }
            }
        }
        let schema = Schema::news().unwrap();
        let extra = standard_extra_features(&schema, false, 3, false);
        let x = extra_feature_rows(&extra, &schema, &d, &[], &cands);
        let v = vector_features(&d, &cands, "src").unwrap();
        let feats = ndarray::concatenate(Axis(1), &[v.view(), x.view()]).unwrap();
        let (input, hidden, classes) = (feats.ncols(), 8, 3);
        let mut fill = |shape: (usize, usize)| {
            Array2::from_shape_simple_fn(shape, || {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            })
        };
        let (w1, b1) = (fill((input, hidden)), fill((1, hidden)).row(0).to_owned());
        let (w2, b2) = (
            fill((hidden, classes)),
            fill((1, classes)).row(0).to_owned(),
        );
        let c = PairClassifier {
            w1,
            b1,
            w2,
            b2,
            meta: HeadMeta {
                version: 1,
                encoder: "test".into(),
                encoder_dim: n,
                input_dim: input,
                hidden_units: hidden,
                labels: vec![NONE_LABEL.into(), "a".into(), "b".into()],
                temperature: 1.0,
                thresholds: BTreeMap::new(),
                encoder_layers: None,
                context_words: None,
                tokenization: None,
                encoder_precision: None,
                token_vectors: Some("src".into()),
                extra_features: extra.clone(),
                decides: false,
                weights_sha256: String::new(),
                training: serde_json::Value::Null,
            },
        };
        assert_eq!(input, feature_dim(n) + extra_width(&extra, n));
        // Head, tail and the two context halves are shared; the rest is per pair.
        let blocks = shared_blocks(&c.meta);
        assert_eq!(blocks.len(), 4);
        assert_eq!(blocks[0], (0..n, BlockKey::Head));
        let want = c.probabilities(&feats);
        for (precision, tolerance) in [(Precision::Fp32, 1e-5), (Precision::Int8, 0.05)] {
            let layer = FirstLayer::new(&c, precision).unwrap();
            let got = c.output(layer.apply(&feats, &cands, hidden).unwrap() + &c.b1);
            let worst = (&got - &want).fold(0.0f32, |m, x| m.max(x.abs()));
            assert!(worst < tolerance, "{precision:?}: {worst}");
        }
        // Rows that do not match the candidates: every row its own product, same numbers.
        let layer = FirstLayer::new(&c, Precision::Fp32).unwrap();
        let got = c.output(layer.apply(&feats, &cands[1..], hidden).unwrap() + &c.b1);
        assert!((&got - &want).fold(0.0f32, |m, x| m.max(x.abs())) < 1e-5);
    }

    #[test]
    fn softmax_with_temperature() {
        let l = Array2::from_shape_vec((1, 2), vec![0.0, 2.0]).unwrap();
        let p1 = softmax_rows(&l, 1.0);
        let p2 = softmax_rows(&l, 2.0);
        assert!((p1.sum() - 1.0).abs() < 1e-6);
        assert!(p2[[0, 1]] < p1[[0, 1]], "a higher temperature flattens");
        assert!((softmax_rows(&l, 0.0)[[0, 1]] - p1[[0, 1]]).abs() < 1e-6);
    }
}
