//! The `analyze` command's batch runner: inputs are read lazily, each is admitted, skipped
//! (`--resume` found its output) or rejected (its id repeats an earlier one under `--out`), and documents stream through a [`lede::AnalyzerPool`] (one analyzer per
//! worker, at most a fixed number of documents in flight, results in input order or as they
//! finish). Every input, analysed or not, reaches the sink exactly once.

use lede::{AnalyzerPool, StreamOptions, Streamed};
use lede_core::Analysis;

use super::input::Input;

/// What happened to one input.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// It was analysed.
    Analysed(Box<Analysis>),
    /// It was skipped (`--resume` found its output).
    Skipped,
    /// It failed; the message says why, in one line.
    Failed(String),
    /// It was not analysed because [`Admission::Reject`] said so (a repeated id under
    /// `--out`); the message says why. Counted as failed.
    Rejected(String),
}

/// One finished input, with its position in the input order.
#[derive(Debug)]
pub(crate) struct Finished {
    /// 0-based position in the input stream.
    pub seq: usize,
    /// The input's id.
    pub id: String,
    /// Words in the document (0 when it was not analysed).
    pub words: usize,
    /// What happened.
    pub outcome: Outcome,
}

/// Counts of a finished batch.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BatchStats {
    /// Documents analysed.
    pub analysed: usize,
    /// Documents skipped by `--resume`.
    pub skipped: usize,
    /// Documents that failed.
    pub failed: usize,
}

/// What the batch does with an input before reading its document: decided on the reading
/// thread, in input order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Analyse it.
    Analyse,
    /// Skip it (`--resume` found its output).
    Skip,
    /// Do not analyse it: it fails with this one-line reason.
    Reject(String),
}

/// What the reader knows about an input, carried through the pool with it.
enum Tag {
    Document { id: String, words: usize },
    Skipped { id: String },
    Unreadable { id: String, why: String },
    Rejected { id: String, why: String },
}

/// Runs `inputs` through `pool`, calling `admit` first (on the reading thread, in input
/// order) and `sink` once per input on the calling thread.
pub(crate) fn run_batch<I, K, S>(
    pool: &AnalyzerPool,
    inputs: I,
    options: StreamOptions,
    mut admit: K,
    mut sink: S,
) -> BatchStats
where
    I: Iterator<Item = Input> + Send,
    K: FnMut(&str) -> Admission + Send,
    S: FnMut(Finished),
{
    let items = inputs.map(move |input| {
        let id = input.id;
        match admit(&id) {
            Admission::Analyse => {}
            Admission::Skip => return (Tag::Skipped { id }, None),
            Admission::Reject(why) => return (Tag::Rejected { id, why }, None),
        }
        match input.document {
            Ok(doc) => {
                let words = doc.text.split_whitespace().count();
                (Tag::Document { id, words }, Some(doc))
            }
            Err(e) => {
                let why = e.to_string();
                (Tag::Unreadable { id, why }, None)
            }
        }
    });
    let mut stats = BatchStats::default();
    pool.analyze_stream(items, options, |s: Streamed<Tag>| {
        let (id, words, outcome) = match (s.tag, s.result) {
            (Tag::Skipped { id }, _) => (id, 0, Outcome::Skipped),
            (Tag::Unreadable { id, why }, _) => (id, 0, Outcome::Failed(why)),
            (Tag::Rejected { id, why }, _) => (id, 0, Outcome::Rejected(why)),
            (Tag::Document { id, words }, Some(Ok(a))) => {
                (id, words, Outcome::Analysed(Box::new(a)))
            }
            (Tag::Document { id, words }, Some(Err(e))) => {
                (id, words, Outcome::Failed(lede::error_chain(&e)))
            }
            (Tag::Document { id, words }, None) => (
                id,
                words,
                Outcome::Failed("internal error: no result".into()),
            ),
        };
        match outcome {
            Outcome::Analysed(_) => stats.analysed += 1,
            Outcome::Skipped => stats.skipped += 1,
            Outcome::Failed(_) | Outcome::Rejected(_) => stats.failed += 1,
        }
        sink(Finished {
            seq: s.seq,
            id,
            words,
            outcome,
        });
    });
    stats
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::input::InputError;
    use lede::{Analyzer, Document, Tasks};

    fn inputs(n: usize) -> impl Iterator<Item = Input> + Send {
        (0..n).map(|i| Input {
            id: format!("doc{i}"),
            document: match i % 7 {
                3 => Err(InputError::Empty(format!("doc{i}"))),
                // Whitespace only: read, but the analyzer refuses it.
                5 => Ok(Document::new(format!("doc{i}"), "  \n ")),
                _ => Ok(Document::new(
                    format!("doc{i}"),
                    format!("Text number {i}. Two sentences."),
                )),
            },
        })
    }

    fn pool(jobs: usize) -> AnalyzerPool {
        AnalyzerPool::builder(Analyzer::builder().tasks(Tasks::none()))
            .jobs(jobs)
            .build()
            .unwrap()
    }

    #[test]
    fn ordered_batch_keeps_order_and_counts_every_input_once() {
        let mut seen = Vec::new();
        let stats = run_batch(
            &pool(2),
            inputs(60),
            StreamOptions::default(),
            |id| match id {
                "doc0" => Admission::Skip,
                "doc1" => Admission::Reject("doc1: rejected".into()),
                _ => Admission::Analyse,
            },
            |f| seen.push((f.seq, f.id, f.outcome)),
        );
        assert_eq!(seen.len(), 60);
        for (i, (seq, id, outcome)) in seen.iter().enumerate() {
            assert_eq!((*seq, id.as_str()), (i, format!("doc{i}").as_str()));
            match (i, i % 7, outcome) {
                (0, _, Outcome::Skipped) => {}
                (1, _, Outcome::Rejected(m)) => assert_eq!(m, "doc1: rejected"),
                (_, 3, Outcome::Failed(m)) => assert!(m.contains("empty"), "{m}"),
                (_, 5, Outcome::Failed(m)) => assert!(m.contains("empty"), "{m}"),
                (_, _, Outcome::Analysed(a)) => assert_eq!(a.sentences.len(), 2),
                other => panic!("{other:?}"),
            }
        }
        let failed = 1 + (2..60).filter(|i| i % 7 == 3 || i % 7 == 5).count();
        assert_eq!(
            stats,
            BatchStats {
                analysed: 59 - failed,
                skipped: 1,
                failed
            }
        );
    }

    #[test]
    fn unordered_batch_sees_everything() {
        let mut seqs = Vec::new();
        let opts = StreamOptions {
            ordered: false,
            max_in_flight: 3,
        };
        let stats = run_batch(
            &pool(2),
            inputs(40),
            opts,
            |_| Admission::Analyse,
            |f| seqs.push(f.seq),
        );
        seqs.sort_unstable();
        assert_eq!(seqs, (0..40).collect::<Vec<_>>());
        assert_eq!(stats.analysed + stats.failed, 40);
    }
}
