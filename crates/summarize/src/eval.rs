//! Summary evaluation: reference files, running summarizers, ROUGE tables.
//!
//! References are JSON Lines, one object per line: `{"doc": "<id>", "summary": "<text>"}`.
//! Several lines with the same `doc` are several references for that document; each
//! measure then takes the **best** F1 over the references by default (as `rouge-score`'s
//! `score_multi` does), or their mean with [`MultiReference::Mean`]. Blank lines are
//! skipped.
//!
//! ```
//! use lede_core::{AnnotatedDocument, Document};
//! use lede_summarize::eval::{evaluate_summaries, read_refs, EvalOptions};
//! use lede_summarize::ExtractiveSummarizer;
//!
//! let refs = read_refs(
//!     r#"{"doc": "a", "summary": "Belarus freed prisoners. The US lifted potash sanctions."}"#.as_bytes(),
//!     "inline",
//! )?;
//! let docs = vec![AnnotatedDocument::new(Document::new(
//!     "a",
//!     "Belarus freed 100 prisoners on Saturday. The US lifted sanctions on potash. It rained.",
//! ))];
//! let summarizer = ExtractiveSummarizer::builder().build()?;
//! let report = evaluate_summaries(&refs, &docs, &summarizer, &EvalOptions::default())?;
//! assert_eq!(report.systems.len(), 2); // the summarizer and LEAD-3
//! println!("{}", report.table());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;
use std::fmt;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use lede_core::{AnnotatedDocument, Document, SentenceSplitter, Summarizer};
use serde::{Deserialize, Serialize};

use crate::error::{Result, SummarizeError};
use crate::extractive::{LeadSummarizer, SummaryLength};
use crate::rouge::{RougeScorer, RougeScores, Stemming};
use crate::text::word_count;
use lede_tokenize::NewsSentenceSplitter;

/// One reference summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefSummary {
    /// Id of the document it summarizes.
    pub doc: String,
    /// The reference text.
    pub summary: String,
}

/// Reads references from JSON Lines; `source` names the input in errors.
///
/// # Errors
/// [`SummarizeError::Io`] or [`SummarizeError::RefLine`].
pub fn read_refs(reader: impl BufRead, source: impl AsRef<Path>) -> Result<Vec<RefSummary>> {
    let path = source.as_ref().to_path_buf();
    let mut out = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|source| SummarizeError::Io {
            path: path.clone(),
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let r: RefSummary =
            serde_json::from_str(&line).map_err(|source| SummarizeError::RefLine {
                path: path.clone(),
                line: i + 1,
                source,
            })?;
        out.push(r);
    }
    Ok(out)
}

/// Reads a references file (see the module docs for the format).
///
/// # Errors
/// [`SummarizeError::Io`] or [`SummarizeError::RefLine`].
pub fn load_refs(path: impl AsRef<Path>) -> Result<Vec<RefSummary>> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).map_err(|source| SummarizeError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    read_refs(std::io::BufReader::new(file), path)
}

/// Loads the documents the references name from `dir`: `dir/<id>.txt` if it exists, else
/// `dir/<id>`. Each document once, in the order of first reference.
///
/// # Errors
/// [`SummarizeError::MissingDocument`] when neither file exists, [`SummarizeError::Io`]
/// when one cannot be read.
pub fn load_docs(dir: impl AsRef<Path>, refs: &[RefSummary]) -> Result<Vec<Document>> {
    let dir = dir.as_ref();
    let mut out: Vec<Document> = Vec::new();
    for r in refs {
        if out.iter().any(|d| d.id == r.doc) {
            continue;
        }
        // A document id names a file directly inside `dir`: never a path out of it.
        if r.doc.is_empty() || r.doc == "." || r.doc == ".." || r.doc.contains(['/', '\\', '\0']) {
            return Err(SummarizeError::MissingDocument { id: r.doc.clone() });
        }
        let candidates: [PathBuf; 2] = [dir.join(format!("{}.txt", r.doc)), dir.join(&r.doc)];
        let Some(path) = candidates.iter().find(|p| p.is_file()) else {
            return Err(SummarizeError::MissingDocument { id: r.doc.clone() });
        };
        let text = std::fs::read_to_string(path).map_err(|source| SummarizeError::Io {
            path: path.clone(),
            source,
        })?;
        out.push(Document::new(r.doc.clone(), text));
    }
    Ok(out)
}

/// How several references of one document combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MultiReference {
    /// Per measure, the reference giving the best F1.
    #[default]
    Best,
    /// Per measure, the mean over references.
    Mean,
}

/// Evaluation settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EvalOptions {
    /// Length of the LEAD baseline; give it the length the evaluated summarizer was built
    /// with (default: 3 sentences, i.e. LEAD-3).
    pub baseline: SummaryLength,
    /// How several references combine.
    pub multi_reference: MultiReference,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions {
            baseline: SummaryLength::Sentences(3),
            multi_reference: MultiReference::Best,
        }
    }
}

/// Scores of one system on one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocScores {
    /// Document id.
    pub doc: String,
    /// The system's summary.
    pub summary: String,
    /// Words in the summary.
    pub words: usize,
    /// ROUGE without stemming.
    pub scores: RougeScores,
    /// ROUGE with Porter stemming.
    pub scores_stemmed: RougeScores,
}

/// Scores of one system over all documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemScores {
    /// The summarizer's name.
    pub name: String,
    /// Mean over documents, without stemming.
    pub mean: RougeScores,
    /// Mean over documents, with Porter stemming.
    pub mean_stemmed: RougeScores,
    /// Mean summary length in words.
    pub mean_words: f64,
    /// Per-document scores, in reference order.
    pub documents: Vec<DocScores>,
}

/// The result of an evaluation: one entry per system, the evaluated ones first and the
/// LEAD baseline last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RougeReport {
    /// Number of documents scored.
    pub documents: usize,
    /// Number of references.
    pub references: usize,
    /// How several references were combined.
    pub multi_reference: MultiReference,
    /// The systems.
    pub systems: Vec<SystemScores>,
}

impl RougeReport {
    /// The system called `name`.
    pub fn system(&self, name: &str) -> Option<&SystemScores> {
        self.systems.iter().find(|s| s.name == name)
    }

    /// A Markdown table: mean ROUGE-1/2/L/Lsum F1 per system, without and with stemming.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{} documents, {} references ({} per measure over references)\n\n",
            self.documents,
            self.references,
            match self.multi_reference {
                MultiReference::Best => "best",
                MultiReference::Mean => "mean",
            }
        );
        out.push_str("| system | stemming | ROUGE-1 F1 | ROUGE-2 F1 | ROUGE-L F1 | ROUGE-Lsum F1 | words |\n");
        out.push_str("|---|---|---:|---:|---:|---:|---:|\n");
        for s in &self.systems {
            for (stem, m) in [("none", &s.mean), ("porter", &s.mean_stemmed)] {
                out.push_str(&format!(
                    "| {} | {} | {:.4} | {:.4} | {:.4} | {:.4} | {:.1} |\n",
                    s.name,
                    stem,
                    m.rouge1.f1,
                    m.rouge2.f1,
                    m.rouge_l.f1,
                    m.rouge_lsum.f1,
                    s.mean_words
                ));
            }
        }
        out
    }
}

impl fmt::Display for RougeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.table())
    }
}

/// Runs `summarizer` and the LEAD baseline ([`EvalOptions::baseline`]) on the documents the
/// references name and scores both with ROUGE-1/2/L/Lsum, without and with stemming.
///
/// `docs` are the documents prepared as the facade would (sentences, and embeddings when an
/// encoder ran); a document without sentences is split by the summarizers themselves.
/// Documents no reference names are ignored.
///
/// # Errors
/// [`SummarizeError::MissingDocument`] for a reference whose document is not in `docs`,
/// [`SummarizeError::Summarizer`] when a summarizer fails.
pub fn evaluate_summaries(
    refs: &[RefSummary],
    docs: &[AnnotatedDocument],
    summarizer: &dyn Summarizer,
    options: &EvalOptions,
) -> Result<RougeReport> {
    let lead = LeadSummarizer::new(options.baseline)?;
    evaluate_systems(refs, docs, &[summarizer, &lead], options.multi_reference)
}

/// Scores any number of summarizers on the same documents (no baseline added).
///
/// # Errors
/// As [`evaluate_summaries`].
pub fn evaluate_systems(
    refs: &[RefSummary],
    docs: &[AnnotatedDocument],
    systems: &[&dyn Summarizer],
    multi_reference: MultiReference,
) -> Result<RougeReport> {
    // References grouped by document, in order of first appearance.
    let mut order: Vec<&str> = Vec::new();
    let mut by_doc: HashMap<&str, Vec<&str>> = HashMap::new();
    for r in refs {
        let entry = by_doc.entry(r.doc.as_str()).or_default();
        if entry.is_empty() {
            order.push(r.doc.as_str());
        }
        entry.push(r.summary.as_str());
    }
    let mut prepared: Vec<(&AnnotatedDocument, Vec<Vec<String>>)> = Vec::new();
    for id in &order {
        let doc = docs
            .iter()
            .find(|d| d.document.id == *id)
            .ok_or_else(|| SummarizeError::MissingDocument { id: id.to_string() })?;
        let references = by_doc
            .get(id)
            .map(|v| v.iter().map(|t| sentences_of(t)).collect())
            .unwrap_or_default();
        prepared.push((doc, references));
    }

    let plain = RougeScorer::new(Stemming::Off);
    let stemmed = RougeScorer::new(Stemming::Porter);
    let mut out = Vec::new();
    for system in systems {
        let name = system.name();
        let mut documents = Vec::new();
        for (doc, references) in &prepared {
            let summary = system
                .summarize(doc)
                .map_err(|source| SummarizeError::Summarizer {
                    name: name.clone(),
                    doc: doc.document.id.clone(),
                    source,
                })?;
            let candidate: Vec<String> = if summary.sentences.is_empty() {
                sentences_of(&summary.text)
            } else {
                summary.sentences.iter().map(|s| s.text.clone()).collect()
            };
            let score = |scorer: &RougeScorer| {
                let each: Vec<RougeScores> = references
                    .iter()
                    .map(|r| scorer.score_sentences(r, &candidate))
                    .collect();
                match multi_reference {
                    MultiReference::Best => RougeScores::best(&each),
                    MultiReference::Mean => RougeScores::mean(&each),
                }
            };
            documents.push(DocScores {
                doc: doc.document.id.clone(),
                words: word_count(&summary.text),
                scores: score(&plain),
                scores_stemmed: score(&stemmed),
                summary: summary.text,
            });
        }
        let n = documents.len().max(1) as f64;
        out.push(SystemScores {
            name,
            mean: RougeScores::mean(documents.iter().map(|d| &d.scores)),
            mean_stemmed: RougeScores::mean(documents.iter().map(|d| &d.scores_stemmed)),
            mean_words: documents.iter().map(|d| d.words as f64).sum::<f64>() / n,
            documents,
        });
    }
    Ok(RougeReport {
        documents: prepared.len(),
        references: refs.len(),
        multi_reference,
        systems: out,
    })
}

/// A paired bootstrap confidence interval for the mean difference of two systems' scores on
/// the same documents.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairedInterval {
    /// Mean of `a - b` over the documents.
    pub mean_difference: f64,
    /// Lower end of the interval.
    pub low: f64,
    /// Upper end of the interval.
    pub high: f64,
    /// Confidence level (0.95 for a 95 % interval).
    pub level: f64,
    /// Number of bootstrap resamples.
    pub resamples: usize,
}

/// The paired bootstrap interval of `mean(a - b)`: `resamples` times, draw as many documents
/// as there are, with replacement, and take the mean difference over the draw; the interval
/// is the central `level` share of those means (percentile method). `a` and `b` hold the two
/// systems' scores per document, in the same order. Seeded: the same input gives the same
/// interval.
///
/// # Errors
/// [`SummarizeError::InvalidConfig`] when the lists differ in length, are empty, or
/// `resamples` is 0 or `level` is not in (0, 1).
pub fn paired_bootstrap(
    a: &[f64],
    b: &[f64],
    resamples: usize,
    level: f64,
    seed: u64,
) -> Result<PairedInterval> {
    use rand::{Rng, SeedableRng};
    if a.len() != b.len() || a.is_empty() || resamples == 0 || !(level > 0.0 && level < 1.0) {
        return Err(SummarizeError::InvalidConfig(format!(
            "paired bootstrap over {} and {} scores, {resamples} resamples, level {level}",
            a.len(),
            b.len()
        )));
    }
    let diff: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let n = diff.len();
    let mean_difference = diff.iter().sum::<f64>() / n as f64;
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut means: Vec<f64> = (0..resamples)
        .map(|_| (0..n).map(|_| diff[rng.gen_range(0..n)]).sum::<f64>() / n as f64)
        .collect();
    means.sort_by(f64::total_cmp);
    let tail = (1.0 - level) / 2.0;
    let at = |q: f64| {
        let i = ((q * resamples as f64).floor() as usize).min(resamples - 1);
        means[i]
    };
    Ok(PairedInterval {
        mean_difference,
        low: at(tail),
        high: at(1.0 - tail),
        level,
        resamples,
    })
}

/// Sentences of a summary text, for ROUGE-Lsum.
fn sentences_of(text: &str) -> Vec<String> {
    NewsSentenceSplitter::default()
        .split(text)
        .into_iter()
        .map(|s| s.text)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ExtractiveSummarizer;

    const DOC: &str = "The government lifted sanctions on potash exports on Monday. Officials said the decision followed two days of talks. The weather in the capital was mild. Local football results were mixed.";

    fn refs() -> Vec<RefSummary> {
        read_refs(
            concat!(
                r#"{"doc": "a", "summary": "The government lifted potash sanctions on Monday after two days of talks."}"#,
                "\n\n",
                r#"{"doc": "a", "summary": "Potash sanctions were lifted."}"#,
                "\n"
            )
            .as_bytes(),
            "test",
        )
        .unwrap()
    }

    #[test]
    fn reads_jsonl_and_reports_bad_lines() {
        let r = refs();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].doc, "a");
        let err = read_refs("{\"doc\": \"a\"}\n".as_bytes(), "x.jsonl").unwrap_err();
        assert!(
            matches!(err, SummarizeError::RefLine { line: 1, .. }),
            "{err}"
        );
        let err = read_refs("{}\nnot json".as_bytes(), "x.jsonl").unwrap_err();
        assert!(matches!(err, SummarizeError::RefLine { line: 1, .. }));
    }

    #[test]
    fn evaluates_system_and_lead() {
        let docs = vec![AnnotatedDocument::new(Document::new("a", DOC))];
        let s = ExtractiveSummarizer::builder()
            .length(SummaryLength::Sentences(1))
            .build()
            .unwrap();
        let options = EvalOptions {
            baseline: SummaryLength::Sentences(1),
            ..Default::default()
        };
        let report = evaluate_summaries(&refs(), &docs, &s, &options).unwrap();
        assert_eq!(report.documents, 1);
        assert_eq!(report.references, 2);
        assert_eq!(report.systems.len(), 2);
        assert_eq!(report.systems[1].name, "lead-1");
        let lead = report.system("lead-1").unwrap();
        // LEAD-1 is the first sentence; checked by hand against the first reference:
        // 12 reference tokens, 9 candidate tokens, 7 shared unigrams (the government
        // lifted sanctions on potash monday; "on" only once, as the reference has one).
        let r1 = lead.documents[0].scores.rouge1;
        let expect = RougeScorer::new(Stemming::Off).score_sentences(
            &["The government lifted potash sanctions on Monday after two days of talks."],
            &["The government lifted sanctions on potash exports on Monday."],
        );
        assert!((r1.f1 - expect.rouge1.f1).abs() < 1e-12);
        assert!(
            (expect.rouge1.precision - 7.0 / 9.0).abs() < 1e-9,
            "{:?}",
            expect.rouge1
        );
        assert!(
            (expect.rouge1.recall - 7.0 / 12.0).abs() < 1e-9,
            "{:?}",
            expect.rouge1
        );
        // Best-of-references is at least each single reference.
        assert!(lead.mean.rouge1.f1 >= expect.rouge1.f1 - 1e-12);
        let table = report.table();
        assert!(table.contains("| lead-1 | porter |"));
        assert!(table.contains("ROUGE-Lsum F1"));
        let mean = evaluate_systems(&refs(), &docs, &[&s], MultiReference::Mean).unwrap();
        assert!(mean.systems[0].mean.rouge1.f1 <= report.systems[0].mean.rouge1.f1 + 1e-12);
    }

    #[test]
    fn the_paired_bootstrap_brackets_the_mean_difference() {
        let a: Vec<f64> = (0..40).map(|i| 0.3 + (i % 7) as f64 * 0.01).collect();
        let b: Vec<f64> = a.iter().map(|x| x - 0.05).collect();
        let ci = paired_bootstrap(&a, &b, 2000, 0.95, 7).unwrap();
        assert!((ci.mean_difference - 0.05).abs() < 1e-9);
        // A constant difference has a degenerate interval.
        assert!(
            (ci.low - 0.05).abs() < 1e-9 && (ci.high - 0.05).abs() < 1e-9,
            "{ci:?}"
        );
        let noisy: Vec<f64> = (0..40)
            .map(|i| if i % 2 == 0 { 0.1 } else { -0.08 })
            .collect();
        let zero = vec![0.0; 40];
        let ci = paired_bootstrap(&noisy, &zero, 2000, 0.95, 7).unwrap();
        assert!(ci.low < ci.mean_difference && ci.mean_difference < ci.high);
        assert!(ci.low < 0.0 && ci.high > 0.0, "{ci:?}");
        assert_eq!(ci, paired_bootstrap(&noisy, &zero, 2000, 0.95, 7).unwrap());
        assert!(paired_bootstrap(&a, &b[1..], 10, 0.95, 1).is_err());
        assert!(paired_bootstrap(&[], &[], 10, 0.95, 1).is_err());
        assert!(paired_bootstrap(&a, &b, 0, 0.95, 1).is_err());
        assert!(paired_bootstrap(&a, &b, 10, 1.0, 1).is_err());
    }

    #[test]
    fn missing_documents_are_errors() {
        let docs = vec![AnnotatedDocument::new(Document::new("b", DOC))];
        let s = ExtractiveSummarizer::builder().build().unwrap();
        let err = evaluate_summaries(&refs(), &docs, &s, &EvalOptions::default()).unwrap_err();
        assert!(matches!(err, SummarizeError::MissingDocument { .. }));
    }

    #[test]
    fn loads_documents_from_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), DOC).unwrap();
        std::fs::write(dir.path().join("b"), "Other text.").unwrap();
        let mut r = refs();
        r.push(RefSummary {
            doc: "b".into(),
            summary: "x".into(),
        });
        let docs = load_docs(dir.path(), &r).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].text, DOC);
        for outside in ["../a", "..", "/etc/passwd", "sub\\a"] {
            let bad = vec![RefSummary {
                doc: outside.into(),
                summary: "x".into(),
            }];
            assert!(matches!(
                load_docs(dir.path(), &bad),
                Err(SummarizeError::MissingDocument { .. })
            ));
        }
        r.push(RefSummary {
            doc: "c".into(),
            summary: "x".into(),
        });
        assert!(matches!(
            load_docs(dir.path(), &r),
            Err(SummarizeError::MissingDocument { .. })
        ));
        let path = dir.path().join("refs.jsonl");
        std::fs::write(&path, "{\"doc\":\"a\",\"summary\":\"s\"}\n").unwrap();
        assert_eq!(load_refs(&path).unwrap().len(), 1);
        assert!(matches!(
            load_refs(dir.path().join("nope")),
            Err(SummarizeError::Io { .. })
        ));
    }
}
