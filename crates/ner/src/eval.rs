//! NER evaluation: exact-span and partial-overlap micro precision, recall and F1, overall and
//! per CoNLL type, against gold annotations in JSON Lines.
//!
//! # Gold format
//!
//! One document per line (blank lines are skipped):
//!
//! ```json
//! {"doc": "a1", "entities": [{"start": 0, "end": 15, "label": "PER"}]}
//! ```
//!
//! `start`/`end` are **char** (Unicode scalar) offsets into the document text, `end`
//! exclusive; `doc` is a string or an integer; `label` is any label
//! [`CoarseLabel::from_label`] understands (`PER`, `PERSON`, `GPE`, ...). An optional
//! `"text"` field may carry the document itself; other fields are ignored. [`read_gold`],
//! [`parse_gold`] and [`load_gold`] read it and name the line of a bad record.
//!
//! # What is counted
//!
//! * Every span's label is mapped to its coarse type (PER, ORG, LOC, MISC) with
//!   [`CoarseLabel::from_label`]. Gold spans and predictions whose label maps to `None`
//!   (`DATE`, `MONEY`, `CARDINAL`, ...) are **ignored**: they count neither as hits nor as
//!   errors, and are reported in [`NerScores::ignored_gold`] / [`NerScores::ignored_predicted`].
//! * **Exact**: a prediction is correct when a gold span has the same start, end and coarse
//!   type; each gold span matches at most one prediction (duplicates are a multiset).
//! * **Partial**: a prediction is correct when it overlaps (shares at least one char with) a
//!   gold span of the same coarse type. Each gold span and each prediction is matched at most
//!   once, greedily: exact pairs first, then pairs with more overlapping chars, then the
//!   earlier gold and earlier prediction. Every exact match is therefore also a partial one.
//! * **Unlabelled**: exact spans, types ignored.
//! * Scores are micro-averaged over all documents: precision = matched / predicted,
//!   recall = matched / gold, F1 = their harmonic mean. A ratio with a zero denominator is
//!   **0** (so no gold and no predictions gives P = R = F1 = 0 with all counts 0): the
//!   numbers are never NaN, and the counts say what happened.
//! * Documents are aligned by `doc` id. A gold document with no prediction counts all its
//!   spans as missed; predictions for documents the gold does not have are skipped and
//!   counted in [`NerScores::unscored_docs`]. Several records with one id are concatenated.
//!
//! ```
//! use lede_ner::eval::{evaluate, parse_gold, LabeledSpan, PredDoc};
//!
//! let gold = parse_gold(
//!     r#"{"doc": "a", "entities": [{"start": 0, "end": 5, "label": "PER"}, {"start": 10, "end": 15, "label": "LOC"}]}
//! {"doc": "b", "entities": []}"#,
//! )
//! .unwrap();
//! let predicted = vec![PredDoc {
//!     doc: "a".into(),
//!     entities: vec![
//!         LabeledSpan::new(0, 5, "PERSON"),
//!         LabeledSpan::new(10, 13, "GPE"),
//!         LabeledSpan::new(20, 25, "ORG"),
//!     ],
//! }];
//! let scores = evaluate(&gold, &predicted);
//! assert_eq!(scores.exact.true_positives, 1);
//! assert!((scores.exact.f1() - 0.4).abs() < 1e-12);
//! assert_eq!(scores.partial.true_positives, 2);
//! println!("{scores}"); // a markdown table
//! ```
use std::collections::BTreeMap;
use std::fmt;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use lede_core::{CoarseLabel, Mention};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

/// A labelled char range of a document (`end` exclusive).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LabeledSpan {
    /// Char offset of the first char.
    pub start: usize,
    /// Char offset one past the last char.
    pub end: usize,
    /// The label (fine or coarse).
    pub label: String,
}

impl LabeledSpan {
    /// A span from char offsets and a label.
    pub fn new(start: usize, end: usize, label: impl Into<String>) -> Self {
        LabeledSpan {
            start,
            end,
            label: label.into(),
        }
    }

    /// The span of a mention (its char offsets and label).
    pub fn from_mention(mention: &Mention) -> Self {
        LabeledSpan::new(
            mention.span.char_start,
            mention.span.char_end,
            mention.label.clone(),
        )
    }
}

/// Accepts a JSON string or integer as a document id.
fn doc_id<'de, D: Deserializer<'de>>(de: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Text(String),
        Int(i64),
        UInt(u64),
    }
    Ok(match Id::deserialize(de)? {
        Id::Text(s) => s,
        Id::Int(i) => i.to_string(),
        Id::UInt(u) => u.to_string(),
    })
}

/// One line of a gold file: a document id and its annotated entities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoldDoc {
    /// The document id (a JSON string or integer in the file).
    #[serde(deserialize_with = "doc_id")]
    pub doc: String,
    /// The document text, when the gold file carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The annotated entities.
    #[serde(default)]
    pub entities: Vec<LabeledSpan>,
}

impl GoldDoc {
    /// Checks that every entity fits `text` (char offsets within its length).
    ///
    /// # Errors
    /// [`GoldError::OutOfText`] for the first entity that ends past the text.
    pub fn check_text(&self, text: &str) -> Result<(), GoldError> {
        let len = text.chars().count();
        match self.entities.iter().position(|e| e.end > len) {
            Some(index) => Err(GoldError::OutOfText {
                doc: self.doc.clone(),
                index,
                end: self.entities.get(index).map_or(0, |e| e.end),
                len,
            }),
            None => Ok(()),
        }
    }
}

/// A document's predicted entities, in the same shape as a gold line (it reads from and writes
/// to the same JSON Lines format).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredDoc {
    /// The document id.
    #[serde(deserialize_with = "doc_id")]
    pub doc: String,
    /// The predicted entities.
    #[serde(default)]
    pub entities: Vec<LabeledSpan>,
}

impl PredDoc {
    /// Predictions from a recognizer's mentions (their char offsets and labels).
    pub fn from_mentions(doc: impl Into<String>, mentions: &[Mention]) -> Self {
        PredDoc {
            doc: doc.into(),
            entities: mentions.iter().map(LabeledSpan::from_mention).collect(),
        }
    }
}

impl From<GoldDoc> for PredDoc {
    /// A gold (or teacher) annotation used as predictions.
    fn from(gold: GoldDoc) -> Self {
        PredDoc {
            doc: gold.doc,
            entities: gold.entities,
        }
    }
}

/// Why a gold (or prediction) file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GoldError {
    /// The file could not be opened.
    #[error("cannot open {}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A line could not be read (I/O error or invalid UTF-8).
    #[error("cannot read line {line}")]
    Read {
        /// 1-based line number.
        line: usize,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A line is not a valid record.
    #[error("line {line} is not a valid record: {source}")]
    Json {
        /// 1-based line number.
        line: usize,
        /// What serde_json found wrong (with the column).
        #[source]
        source: serde_json::Error,
    },
    /// An entity with `start >= end`.
    #[error("line {line}: entity {index} of doc {doc:?} has start {start} >= end {end}")]
    EmptySpan {
        /// 1-based line number.
        line: usize,
        /// The document id.
        doc: String,
        /// Index of the entity in the line's `entities`.
        index: usize,
        /// Its start.
        start: usize,
        /// Its end.
        end: usize,
    },
    /// An entity that ends past its document's text.
    #[error("doc {doc:?}: entity {index} ends at char {end}, past the text's {len} chars")]
    OutOfText {
        /// The document id.
        doc: String,
        /// Index of the entity.
        index: usize,
        /// Its end.
        end: usize,
        /// The text's length in chars.
        len: usize,
    },
}

/// Reads JSON Lines records, naming the line of a bad one; blank lines are skipped.
fn read_lines<T, R>(
    reader: R,
    spans: impl Fn(&T) -> (&str, &[LabeledSpan]),
) -> Result<Vec<T>, GoldError>
where
    T: DeserializeOwned,
    R: BufRead,
{
    let mut out = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line_no = i + 1;
        let line = line.map_err(|source| GoldError::Read {
            line: line_no,
            source,
        })?;
        let trimmed = line.trim().trim_start_matches('\u{feff}');
        if trimmed.is_empty() {
            continue;
        }
        let record: T = serde_json::from_str(trimmed).map_err(|source| GoldError::Json {
            line: line_no,
            source,
        })?;
        let (doc, entities) = spans(&record);
        if let Some((index, e)) = entities.iter().enumerate().find(|(_, e)| e.start >= e.end) {
            return Err(GoldError::EmptySpan {
                line: line_no,
                doc: doc.to_string(),
                index,
                start: e.start,
                end: e.end,
            });
        }
        out.push(record);
    }
    Ok(out)
}

/// Reads gold JSON Lines.
///
/// # Errors
/// [`GoldError::Read`], [`GoldError::Json`] or [`GoldError::EmptySpan`], each with the
/// 1-based line number.
pub fn read_gold<R: BufRead>(reader: R) -> Result<Vec<GoldDoc>, GoldError> {
    read_lines(reader, |g: &GoldDoc| {
        (g.doc.as_str(), g.entities.as_slice())
    })
}

/// Parses gold JSON Lines from a string; see [`read_gold`].
///
/// # Errors
/// As [`read_gold`].
pub fn parse_gold(jsonl: &str) -> Result<Vec<GoldDoc>, GoldError> {
    read_gold(jsonl.as_bytes())
}

/// Reads a gold JSON Lines file; see [`read_gold`].
///
/// # Errors
/// [`GoldError::Open`] when the file cannot be opened, else as [`read_gold`].
pub fn load_gold(path: impl AsRef<Path>) -> Result<Vec<GoldDoc>, GoldError> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).map_err(|source| GoldError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    read_gold(std::io::BufReader::new(file))
}

/// Reads predictions (a teacher's output, say) in the gold format; see [`read_gold`].
///
/// # Errors
/// As [`read_gold`].
pub fn read_predicted<R: BufRead>(reader: R) -> Result<Vec<PredDoc>, GoldError> {
    read_lines(reader, |p: &PredDoc| {
        (p.doc.as_str(), p.entities.as_slice())
    })
}

pub use lede_core::metrics::{Counts, Prf};

/// The JSON form of span [`Counts`] in NER scores: `gold`, `predicted`, `matched`,
/// `precision`, `recall`, `f1` (the ratios are written for readers and recomputed on reading).
mod span_counts {
    use lede_core::metrics::{Counts, Prf};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Json {
        gold: usize,
        predicted: usize,
        matched: usize,
        #[serde(flatten)]
        prf: Prf,
    }

    pub(super) fn serialize<S: Serializer>(c: &Counts, s: S) -> Result<S::Ok, S::Error> {
        let (gold, predicted, matched) = (c.gold(), c.predicted(), c.true_positives);
        let prf = c.prf();
        Json {
            gold,
            predicted,
            matched,
            prf,
        }
        .serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Counts, D::Error> {
        let j = Json::deserialize(d)?;
        Ok(Counts::from_totals(j.gold, j.predicted, j.matched))
    }
}

/// Exact and partial scores of one coarse type.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct TypeScores {
    /// Same span and type.
    #[serde(with = "span_counts")]
    pub exact: Counts,
    /// Overlapping span, same type.
    #[serde(with = "span_counts")]
    pub partial: Counts,
}

/// The result of [`evaluate`] or [`agreement`]. Serializes to JSON; displays as a markdown
/// table.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NerScores {
    /// Exact span and coarse type, micro-averaged over all types.
    #[serde(with = "span_counts")]
    pub exact: Counts,
    /// Overlapping span and same coarse type (one-to-one), micro-averaged.
    #[serde(with = "span_counts")]
    pub partial: Counts,
    /// Exact span, any type.
    #[serde(with = "span_counts")]
    pub unlabelled: Counts,
    /// Per coarse type; all four types are present.
    pub per_type: BTreeMap<CoarseLabel, TypeScores>,
    /// Reference (gold) documents scored.
    pub docs: usize,
    /// Gold spans skipped because their label has no coarse type.
    pub ignored_gold: usize,
    /// Predicted spans skipped because their label has no coarse type.
    pub ignored_predicted: usize,
    /// Predicted documents with no reference document (skipped).
    pub unscored_docs: usize,
}

/// A span kept for scoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Typed {
    start: usize,
    end: usize,
    label: CoarseLabel,
}

/// Keeps the spans with a coarse type; returns them and how many were dropped.
fn typed(spans: &[&LabeledSpan]) -> (Vec<Typed>, usize) {
    let mut kept = Vec::with_capacity(spans.len());
    for s in spans {
        if let Some(label) = CoarseLabel::from_label(&s.label) {
            kept.push(Typed {
                start: s.start,
                end: s.end,
                label,
            });
        }
    }
    let dropped = spans.len() - kept.len();
    kept.sort();
    (kept, dropped)
}

/// Per-type tallies: gold, predicted, exact matches, partial matches.
#[derive(Default, Clone, Copy)]
struct Tally {
    gold: usize,
    predicted: usize,
    exact: usize,
    partial: usize,
}

/// Multiset intersection size of two sorted lists.
fn sorted_intersection<T: Ord>(a: &[T], b: &[T]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// One-to-one greedy overlap matching (see the module docs); returns the matched pairs.
fn partial_pairs(gold: &[Typed], pred: &[Typed]) -> Vec<(usize, usize)> {
    // (not exact, negative overlap, gold index, pred index), sorted ascending.
    let mut pairs: Vec<(bool, std::cmp::Reverse<usize>, usize, usize)> = Vec::new();
    for (gi, g) in gold.iter().enumerate() {
        // `pred` is sorted by start: only those starting before g.end can overlap.
        let upto = pred.partition_point(|p| p.start < g.end);
        for (pi, p) in pred.iter().enumerate().take(upto) {
            if p.label != g.label || p.end <= g.start {
                continue;
            }
            let overlap = p.end.min(g.end).saturating_sub(p.start.max(g.start));
            if overlap > 0 {
                let exact = p.start == g.start && p.end == g.end;
                pairs.push((!exact, std::cmp::Reverse(overlap), gi, pi));
            }
        }
    }
    pairs.sort();
    let mut gold_used = vec![false; gold.len()];
    let mut pred_used = vec![false; pred.len()];
    let mut out = Vec::new();
    for (_, _, gi, pi) in pairs {
        let (Some(gu), Some(pu)) = (gold_used.get(gi).copied(), pred_used.get(pi).copied()) else {
            continue;
        };
        if gu || pu {
            continue;
        }
        if let Some(slot) = gold_used.get_mut(gi) {
            *slot = true;
        }
        if let Some(slot) = pred_used.get_mut(pi) {
            *slot = true;
        }
        out.push((gi, pi));
    }
    out
}

/// Scores reference documents against predicted ones, aligned by id.
fn score<'a>(
    reference: impl Iterator<Item = (&'a str, &'a [LabeledSpan])>,
    predicted: impl Iterator<Item = (&'a str, &'a [LabeledSpan])>,
) -> NerScores {
    let mut refs: BTreeMap<&str, Vec<&LabeledSpan>> = BTreeMap::new();
    for (doc, spans) in reference {
        refs.entry(doc).or_default().extend(spans.iter());
    }
    let mut preds: BTreeMap<&str, Vec<&LabeledSpan>> = BTreeMap::new();
    for (doc, spans) in predicted {
        preds.entry(doc).or_default().extend(spans.iter());
    }
    let mut out = NerScores {
        docs: refs.len(),
        unscored_docs: preds.keys().filter(|d| !refs.contains_key(*d)).count(),
        ..NerScores::default()
    };
    let mut counts: BTreeMap<CoarseLabel, Tally> = CoarseLabel::ALL
        .iter()
        .map(|&l| (l, Tally::default()))
        .collect();
    let (mut un_gold, mut un_pred, mut un_matched) = (0, 0, 0);
    for (doc, gold_spans) in &refs {
        let no_predictions = Vec::new();
        let pred_spans = preds.get(doc).unwrap_or(&no_predictions);
        let (gold, g_dropped) = typed(gold_spans);
        let (pred, p_dropped) = typed(pred_spans);
        out.ignored_gold += g_dropped;
        out.ignored_predicted += p_dropped;

        for g in &gold {
            counts.entry(g.label).or_default().gold += 1;
        }
        for p in &pred {
            counts.entry(p.label).or_default().predicted += 1;
        }
        for label in CoarseLabel::ALL {
            let g: Vec<&Typed> = gold.iter().filter(|t| t.label == label).collect();
            let p: Vec<&Typed> = pred.iter().filter(|t| t.label == label).collect();
            counts.entry(label).or_default().exact += sorted_intersection(&g, &p);
        }
        for (gi, _) in partial_pairs(&gold, &pred) {
            if let Some(g) = gold.get(gi) {
                counts.entry(g.label).or_default().partial += 1;
            }
        }
        let mut g_untyped: Vec<(usize, usize)> = gold.iter().map(|t| (t.start, t.end)).collect();
        let mut p_untyped: Vec<(usize, usize)> = pred.iter().map(|t| (t.start, t.end)).collect();
        g_untyped.sort_unstable();
        p_untyped.sort_unstable();
        un_gold += g_untyped.len();
        un_pred += p_untyped.len();
        un_matched += sorted_intersection(&g_untyped, &p_untyped);
    }
    for (label, c) in &counts {
        let scores = TypeScores {
            exact: Counts::from_totals(c.gold, c.predicted, c.exact),
            partial: Counts::from_totals(c.gold, c.predicted, c.partial),
        };
        out.exact += scores.exact;
        out.partial += scores.partial;
        out.per_type.insert(*label, scores);
    }
    out.unlabelled = Counts::from_totals(un_gold, un_pred, un_matched);
    out
}

/// Scores predictions against gold (see the module docs for what is counted).
pub fn evaluate(gold: &[GoldDoc], predicted: &[PredDoc]) -> NerScores {
    score(
        gold.iter().map(|g| (g.doc.as_str(), g.entities.as_slice())),
        predicted
            .iter()
            .map(|p| (p.doc.as_str(), p.entities.as_slice())),
    )
}

/// Agreement of `b` with `a` (a teacher's labels with the model's, say): `b` scored with `a`
/// as the reference. F1 is symmetric (swapping `a` and `b` swaps precision and recall) when
/// both cover the same documents; documents only in `b` are skipped.
pub fn agreement(a: &[PredDoc], b: &[PredDoc]) -> NerScores {
    score(
        a.iter().map(|p| (p.doc.as_str(), p.entities.as_slice())),
        b.iter().map(|p| (p.doc.as_str(), p.entities.as_slice())),
    )
}

/// Agreement of two sets of mentions of one document; see [`agreement`].
pub fn mention_agreement(a: &[Mention], b: &[Mention]) -> NerScores {
    agreement(
        &[PredDoc::from_mentions("", a)],
        &[PredDoc::from_mentions("", b)],
    )
}

impl fmt::Display for NerScores {
    /// A markdown table: one row per coarse type, then the micro average and the unlabelled
    /// exact score; a note follows when spans or documents were skipped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "| type | gold | predicted | exact P | exact R | exact F1 | partial P | partial R | partial F1 |"
        )?;
        writeln!(f, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")?;
        let row = |f: &mut fmt::Formatter<'_>, name: &str, e: &Counts, p: Option<&Counts>| {
            let (gold, predicted, e) = (e.gold(), e.predicted(), e.prf());
            write!(
                f,
                "| {name} | {gold} | {predicted} | {:.3} | {:.3} | {:.3} |",
                e.precision, e.recall, e.f1
            )?;
            match p.map(Counts::prf) {
                Some(p) => writeln!(f, " {:.3} | {:.3} | {:.3} |", p.precision, p.recall, p.f1),
                None => writeln!(f, " – | – | – |"),
            }
        };
        for (label, s) in &self.per_type {
            row(f, label.as_str(), &s.exact, Some(&s.partial))?;
        }
        row(f, "**all (micro)**", &self.exact, Some(&self.partial))?;
        row(f, "unlabelled", &self.unlabelled, None)?;
        if self.ignored_gold + self.ignored_predicted + self.unscored_docs > 0 {
            writeln!(
                f,
                "\n{} documents scored; skipped {} gold and {} predicted spans with no CoNLL type, \
                 and {} predicted documents with no gold.",
                self.docs, self.ignored_gold, self.ignored_predicted, self.unscored_docs
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    fn pred(doc: &str, spans: &[(usize, usize, &str)]) -> PredDoc {
        PredDoc {
            doc: doc.into(),
            entities: spans
                .iter()
                .map(|&(s, e, l)| LabeledSpan::new(s, e, l))
                .collect(),
        }
    }

    fn gold(doc: &str, spans: &[(usize, usize, &str)]) -> GoldDoc {
        GoldDoc {
            doc: doc.into(),
            text: None,
            entities: pred(doc, spans).entities,
        }
    }

    /// Gold, predicted and matched counts.
    fn totals(c: &Counts) -> (usize, usize, usize) {
        (c.gold(), c.predicted(), c.true_positives)
    }

    /// Scores one document `d`.
    fn score_one(
        gold_spans: &[(usize, usize, &str)],
        pred_spans: &[(usize, usize, &str)],
    ) -> NerScores {
        evaluate(&[gold("d", gold_spans)], &[pred("d", pred_spans)])
    }

    #[test]
    fn two_gold_three_predicted_one_exact() {
        let s = score_one(
            &[(0, 5, "PER"), (10, 20, "ORG")],
            &[(0, 5, "PERSON"), (12, 20, "ORG"), (30, 35, "GPE")],
        );
        assert_eq!(totals(&s.exact), (2, 3, 1));
        assert!(close(s.exact.precision(), 1.0 / 3.0));
        assert!(close(s.exact.recall(), 0.5));
        assert!(close(s.exact.f1(), 0.4));
        // Partial: the ORG overlaps too -> P = 2/3, R = 1, F1 = 0.8.
        assert_eq!(s.partial.true_positives, 2);
        assert!(close(s.partial.precision(), 2.0 / 3.0));
        assert!(close(s.partial.recall(), 1.0));
        assert!(close(s.partial.f1(), 0.8));
        // Per type.
        let per = s.per_type[&CoarseLabel::Per];
        assert!(close(per.exact.f1(), 1.0));
        let org = s.per_type[&CoarseLabel::Org];
        assert_eq!(org.exact.true_positives, 0);
        assert!(close(org.partial.f1(), 1.0));
        let loc = s.per_type[&CoarseLabel::Loc];
        assert_eq!((loc.exact.gold(), loc.exact.predicted()), (0, 1));
        assert_eq!(loc.exact.f1(), 0.0);
        assert_eq!(s.per_type[&CoarseLabel::Misc], TypeScores::default());
        assert_eq!(s.per_type.len(), 4);
        // Unlabelled: only (0,5) matches.
        assert_eq!(s.unlabelled.true_positives, 1);
    }

    #[test]
    fn type_matters_for_exact_but_not_unlabelled() {
        let s = score_one(
            &[(0, 5, "PER"), (6, 9, "LOC")],
            &[(0, 5, "ORG"), (6, 9, "FAC")],
        );
        assert_eq!(s.exact.true_positives, 1, "FAC is LOC");
        assert_eq!(s.partial.true_positives, 1);
        assert_eq!(s.unlabelled.true_positives, 2);
        assert!(close(s.unlabelled.f1(), 1.0));
    }

    #[test]
    fn partial_matching_is_one_to_one_and_prefers_exact_then_overlap() {
        // One gold, two overlapping predictions: only one may match.
        let s = score_one(&[(0, 10, "ORG")], &[(0, 4, "ORG"), (3, 10, "ORG")]);
        assert_eq!(s.partial.true_positives, 1);
        assert!(close(s.partial.precision(), 0.5));
        assert!(close(s.partial.recall(), 1.0));
        // Two golds, one long prediction covering both: one match.
        let s = score_one(&[(0, 4, "PER"), (5, 9, "PER")], &[(0, 9, "PER")]);
        assert_eq!(s.partial.true_positives, 1);
        // Greedy by overlap: gold A (0,10) overlaps P1 (0,3) by 3 and P2 (2,10) by 8; gold B
        // (9,12) overlaps P2 by 1. P2 goes to A, P1 also wants A -> unmatched; B unmatched.
        let s = score_one(
            &[(0, 10, "LOC"), (9, 12, "LOC")],
            &[(0, 3, "LOC"), (2, 10, "LOC")],
        );
        assert_eq!(s.partial.true_positives, 1);
        // Exact pairs win over larger overlaps.
        let s = score_one(&[(0, 4, "PER"), (0, 8, "PER")], &[(0, 4, "PER")]);
        assert_eq!(s.partial.true_positives, 1);
        assert_eq!(s.exact.true_positives, 1);
        // Adjacent spans do not overlap.
        let s = score_one(&[(0, 4, "PER")], &[(4, 8, "PER")]);
        assert_eq!(s.partial.true_positives, 0);
    }

    #[test]
    fn duplicates_are_a_multiset() {
        let s = score_one(&[(0, 4, "PER")], &[(0, 4, "PER"), (0, 4, "PER")]);
        assert_eq!(s.exact.true_positives, 1);
        assert!(close(s.exact.precision(), 0.5));
        assert_eq!(s.unlabelled.true_positives, 1);
        assert_eq!(s.partial.true_positives, 1);
    }

    #[test]
    fn unmapped_labels_are_ignored_and_counted() {
        let s = score_one(
            &[(0, 4, "PER"), (5, 9, "DATE")],
            &[(0, 4, "PER"), (5, 9, "DATE"), (10, 12, "MONEY")],
        );
        assert_eq!(totals(&s.exact), (1, 1, 1));
        assert_eq!((s.ignored_gold, s.ignored_predicted), (1, 2));
        assert!(close(s.exact.f1(), 1.0));
    }

    #[test]
    fn documents_align_by_id() {
        let g = [
            gold("a", &[(0, 4, "PER")]),
            gold("b", &[(0, 4, "ORG")]),
            gold("a", &[(10, 14, "LOC")]),
        ];
        let p = [
            pred("a", &[(0, 4, "PER"), (10, 14, "LOC")]),
            pred("zzz", &[(0, 4, "ORG")]),
        ];
        let s = evaluate(&g, &p);
        assert_eq!(s.docs, 2);
        assert_eq!(s.unscored_docs, 1);
        // Doc b has no prediction: its gold is missed; zzz's prediction is not counted.
        assert_eq!(totals(&s.exact), (3, 2, 2));
        // Same offsets in another doc never match.
        let p = [pred("b", &[(0, 4, "PER")])];
        assert_eq!(evaluate(&g, &p).unlabelled.true_positives, 1);
        assert_eq!(evaluate(&g, &p).exact.true_positives, 0);
    }

    #[test]
    fn empty_inputs_are_zero_not_nan() {
        let s = evaluate(&[], &[]);
        for prf in [s.exact, s.partial, s.unlabelled] {
            assert_eq!(prf, Counts::default());
        }
        let s = evaluate(&[gold("d", &[])], &[pred("d", &[])]);
        assert_eq!(s.docs, 1);
        assert_eq!(s.exact.f1(), 0.0);
        // Gold, no predictions: P = 0 (nothing predicted), R = 0.
        let s = evaluate(&[gold("d", &[(0, 3, "PER")])], &[]);
        assert_eq!(
            (s.exact.precision(), s.exact.recall(), s.exact.f1()),
            (0.0, 0.0, 0.0)
        );
        assert_eq!(s.exact.gold(), 1);
        // Predictions, no gold entities.
        let s = evaluate(&[gold("d", &[])], &[pred("d", &[(0, 3, "PER")])]);
        assert_eq!((s.exact.predicted(), s.exact.true_positives), (1, 0));
        assert_eq!(s.exact.f1(), 0.0);
        let json = serde_json::to_string(&s).unwrap();
        assert!(!json.contains("NaN") && !json.contains("null"));
    }

    #[test]
    fn loader_reports_line_numbers() {
        let ok =
            "{\"doc\": \"a\", \"entities\": [{\"start\": 0, \"end\": 3, \"label\": \"PER\"}]}\n\
                  \n\
                  {\"doc\": 17, \"text\": \"Ana\", \"entities\": [], \"extra\": 1}\n";
        let docs = parse_gold(ok).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].doc, "17");
        assert_eq!(docs[1].text.as_deref(), Some("Ana"));

        let bad = "{\"doc\": \"a\", \"entities\": []}\n\n{\"doc\": \"b\", \"entities\": [{\"start\": 1}]}\n";
        match parse_gold(bad) {
            Err(GoldError::Json { line, .. }) => assert_eq!(line, 3),
            other => panic!("expected a JSON error on line 3, got {other:?}"),
        }
        let err = parse_gold(bad).unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
        assert!(std::error::Error::source(&err).is_some());

        let empty =
            "{\"doc\": \"a\", \"entities\": [{\"start\": 4, \"end\": 4, \"label\": \"PER\"}]}";
        assert!(matches!(
            parse_gold(empty),
            Err(GoldError::EmptySpan {
                line: 1,
                index: 0,
                ..
            })
        ));
        assert!(matches!(
            parse_gold("not json"),
            Err(GoldError::Json { line: 1, .. })
        ));
        let invalid_utf8: &[u8] = b"{\"doc\": \"a\", \"entities\": []}\n\xff\xfe\n";
        assert!(matches!(
            read_gold(invalid_utf8),
            Err(GoldError::Read { line: 2, .. })
        ));
    }

    #[test]
    fn load_gold_from_file_and_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gold.jsonl");
        std::fs::write(
            &path,
            "{\"doc\": \"a\", \"entities\": [{\"start\": 0, \"end\": 3, \"label\": \"LOC\"}]}\n",
        )
        .unwrap();
        let docs = load_gold(&path).unwrap();
        assert_eq!(docs[0].entities[0], LabeledSpan::new(0, 3, "LOC"));
        assert!(docs[0].check_text("Oslo").is_ok());
        assert!(matches!(
            docs[0].check_text("Os"),
            Err(GoldError::OutOfText { end: 3, len: 2, .. })
        ));
        let missing = dir.path().join("nope.jsonl");
        assert!(matches!(load_gold(&missing), Err(GoldError::Open { .. })));
        // Predictions read in the same format.
        let p = read_predicted("{\"doc\": \"a\", \"entities\": []}".as_bytes()).unwrap();
        assert_eq!(p[0].doc, "a");
    }

    #[test]
    fn mentions_use_char_offsets() {
        use lede_core::OffsetMap;
        let text = "Kolésnikova met Łukasz in Minsk.";
        let offsets = OffsetMap::new(text);
        let start = text.find("Minsk").unwrap();
        let m = Mention {
            text: "Minsk".into(),
            label: "GPE".into(),
            score: 1.0,
            span: offsets.span(start, start + 5).unwrap(),
        };
        let p = PredDoc::from_mentions("d", std::slice::from_ref(&m));
        assert_eq!(p.entities[0], LabeledSpan::new(26, 31, "GPE"));
        assert_ne!(start, 26, "byte and char offsets differ here");
        let s = mention_agreement(std::slice::from_ref(&m), std::slice::from_ref(&m));
        assert!(close(s.exact.f1(), 1.0));
    }

    #[test]
    fn agreement_f1_is_symmetric() {
        let a = [pred("d", &[(0, 4, "PER"), (6, 9, "ORG")])];
        let b = [pred("d", &[(0, 4, "PER"), (6, 8, "ORG"), (20, 25, "LOC")])];
        let ab = agreement(&a, &b);
        let ba = agreement(&b, &a);
        assert!(close(ab.exact.f1(), ba.exact.f1()));
        assert!(close(ab.exact.precision(), ba.exact.recall()));
        assert!(close(ab.exact.f1(), 0.4));
    }

    #[test]
    fn json_and_markdown_output() {
        let s = evaluate(
            &[gold("d", &[(0, 5, "PER"), (7, 9, "DATE")])],
            &[pred("d", &[(0, 5, "PER"), (10, 12, "ORG")])],
        );
        let json: serde_json::Value = serde_json::to_value(&s).unwrap();
        assert_eq!(json["exact"]["matched"], 1);
        let keys: Vec<&str> = json["exact"]
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let mut expected = ["gold", "predicted", "matched", "precision", "recall", "f1"];
        expected.sort_unstable();
        assert_eq!(keys, expected, "JSON field names of the scores");
        assert_eq!(json["per_type"]["PER"]["exact"]["f1"], 1.0);
        assert_eq!(json["per_type"]["ORG"]["exact"]["predicted"], 1);
        let back: NerScores = serde_json::from_value(json).unwrap();
        assert_eq!(back, s);
        let table = s.to_string();
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[0].starts_with("| type | gold | predicted | exact P"));
        assert!(lines[2].starts_with("| PER | 1 | 1 | 1.000 | 1.000 | 1.000 |"));
        assert!(table.contains("| **all (micro)** | 1 | 2 | 0.500 | 1.000 | 0.667 |"));
        assert!(table.contains("| unlabelled | 1 | 2 | 0.500 | 1.000 | 0.667 | – | – | – |"));
        assert!(table.contains("skipped 1 gold and 0 predicted spans"));
    }

    fn spans() -> impl Strategy<Value = Vec<(usize, usize, &'static str)>> {
        prop::collection::vec(
            (
                0usize..40,
                1usize..8,
                prop::sample::select(vec!["PER", "ORG", "GPE", "NORP", "DATE"]),
            ),
            0..12,
        )
        .prop_map(|v| v.into_iter().map(|(s, l, lab)| (s, s + l, lab)).collect())
    }

    proptest! {
        #[test]
        fn scores_are_consistent(g in spans(), p in spans()) {
            let s = evaluate(&[gold("d", &g)], &[pred("d", &p)]);
            for prf in [s.exact, s.partial, s.unlabelled] {
                prop_assert!(prf.true_positives <= prf.gold().min(prf.predicted()));
                for x in [prf.precision(), prf.recall(), prf.f1()] {
                    prop_assert!((0.0..=1.0).contains(&x));
                }
            }
            prop_assert!(s.exact.true_positives <= s.partial.true_positives);
            prop_assert!(s.exact.true_positives <= s.unlabelled.true_positives);
            let by_type: usize = s.per_type.values().map(|t| t.exact.true_positives).sum();
            prop_assert_eq!(by_type, s.exact.true_positives);
            let by_type: usize = s.per_type.values().map(|t| t.partial.true_positives).sum();
            prop_assert_eq!(by_type, s.partial.true_positives);
            // Self-agreement is perfect when anything is typed.
            let me = agreement(&[pred("d", &p)], &[pred("d", &p)]);
            if me.exact.gold() > 0 {
                prop_assert!((me.exact.f1() - 1.0).abs() < 1e-12);
                prop_assert!((me.partial.f1() - 1.0).abs() < 1e-12);
            }
        }
    }
}
