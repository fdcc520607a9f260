//! Running many documents through per-worker analyzers on a rayon pool, streaming: inputs are
//! read lazily, at most a fixed number of documents are in flight, and results come back in
//! input order (or as they finish).

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Mutex;

use lede_core::{Analysis, Document};

use crate::input::Input;

/// What happened to one input.
#[derive(Debug)]
pub enum Outcome {
    /// It was analysed.
    Analysed(Box<Analysis>),
    /// It was skipped (`--resume` found its output).
    Skipped,
    /// It failed; the message says why, in one line.
    Failed(String),
}

/// One finished input, with its position in the input order.
#[derive(Debug)]
pub struct Finished {
    /// 0-based position in the input stream.
    pub seq: usize,
    /// The input's id.
    pub id: String,
    /// Words in the document (0 when it could not be read).
    pub words: usize,
    /// What happened.
    pub outcome: Outcome,
}

/// Counts of a finished batch.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BatchStats {
    /// Documents analysed.
    pub analysed: usize,
    /// Documents skipped by `--resume`.
    pub skipped: usize,
    /// Documents that failed.
    pub failed: usize,
}

/// Options of [`run_batch`].
#[derive(Debug, Clone, Copy)]
pub struct BatchOptions {
    /// Worker threads, each with its own analyzer.
    pub jobs: usize,
    /// Emit results in input order (`true`) or as they finish.
    pub ordered: bool,
    /// Most documents read but not yet emitted; bounds memory whatever the input size.
    pub max_in_flight: usize,
}

impl BatchOptions {
    /// Options for `jobs` workers, ordered, with a window of `4 * jobs` documents.
    pub fn new(jobs: usize) -> Self {
        let jobs = jobs.max(1);
        BatchOptions {
            jobs,
            ordered: true,
            max_in_flight: 4 * jobs,
        }
    }
}

/// A worker's per-document function, made once per worker thread by the factory given to
/// [`run_batch`] (so each worker owns its models: they are `Send`, not `Sync`).
pub type WorkerFn = Box<dyn FnMut(Document) -> Result<Analysis, String> + Send>;

/// Runs `inputs` through workers made by `make_worker`, calling `skip` first (for `--resume`)
/// and `sink` once per input on the calling thread.
///
/// A panic while analysing one document becomes a failure record for that document, and the
/// worker's models are rebuilt. A worker factory that fails is fatal: its error is returned
/// after in-flight documents are drained.
///
/// # Errors
/// The first error of `make_worker`.
pub fn run_batch<I, F, K, S>(
    inputs: I,
    opts: BatchOptions,
    make_worker: F,
    skip: K,
    mut sink: S,
) -> Result<BatchStats, String>
where
    I: Iterator<Item = Input> + Send,
    F: Fn() -> Result<WorkerFn, String> + Sync,
    K: Fn(&str) -> bool + Sync,
    S: FnMut(Finished),
{
    let jobs = opts.jobs.max(1);
    let window = opts.max_in_flight.max(jobs);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs + 1)
        .thread_name(|i| format!("lede-worker-{i}"))
        .build()
        .map_err(|e| format!("cannot start worker threads: {e}"))?;

    let (work_tx, work_rx) = sync_channel::<(usize, Input)>(jobs);
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = sync_channel::<Finished>(window);
    // Permits bound the documents between reading and emitting.
    let (permit_tx, permit_rx) = sync_channel::<()>(window);
    let fatal: Mutex<Option<String>> = Mutex::new(None);
    let mut stats = BatchStats::default();

    pool.in_place_scope(|scope| {
        // Reader: takes a permit per document, so it blocks when `window` are in flight.
        let done_for_reader = done_tx.clone();
        let skip = &skip;
        let fatal_ref = &fatal;
        scope.spawn(move |_| {
            for (seq, input) in inputs.enumerate() {
                if permit_tx.send(()).is_err() || fatal_ref.lock().map_or(true, |f| f.is_some()) {
                    break;
                }
                if skip(&input.id) {
                    let f = Finished {
                        seq,
                        id: input.id,
                        words: 0,
                        outcome: Outcome::Skipped,
                    };
                    if done_for_reader.send(f).is_err() {
                        break;
                    }
                    continue;
                }
                if work_tx.send((seq, input)).is_err() {
                    break;
                }
            }
        });
        for _ in 0..jobs {
            let done_tx = done_tx.clone();
            let work_rx = &work_rx;
            let make_worker = &make_worker;
            let fatal = &fatal;
            scope.spawn(move |_| worker_loop(work_rx, done_tx, make_worker, fatal));
        }
        drop(done_tx);

        let mut pending: BTreeMap<usize, Finished> = BTreeMap::new();
        let mut next = 0usize;
        for finished in done_rx.iter() {
            if !opts.ordered {
                count(&mut stats, &finished);
                sink(finished);
                let _ = permit_rx.recv();
                continue;
            }
            pending.insert(finished.seq, finished);
            while let Some(f) = pending.remove(&next) {
                count(&mut stats, &f);
                sink(f);
                let _ = permit_rx.recv();
                next += 1;
            }
        }
        // Whatever is left (only after a fatal error) goes out in order.
        for (_, f) in std::mem::take(&mut pending) {
            count(&mut stats, &f);
            sink(f);
        }
        drop(permit_rx);
    });

    match fatal.into_inner().ok().flatten() {
        Some(e) => Err(e),
        None => Ok(stats),
    }
}

fn count(stats: &mut BatchStats, f: &Finished) {
    match f.outcome {
        Outcome::Analysed(_) => stats.analysed += 1,
        Outcome::Skipped => stats.skipped += 1,
        Outcome::Failed(_) => stats.failed += 1,
    }
}

fn worker_loop<F>(
    work_rx: &Mutex<Receiver<(usize, Input)>>,
    done_tx: std::sync::mpsc::SyncSender<Finished>,
    make_worker: &F,
    fatal: &Mutex<Option<String>>,
) where
    F: Fn() -> Result<WorkerFn, String> + Sync,
{
    let mut worker: Option<WorkerFn> = None;
    loop {
        let next = match work_rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok((seq, input)) = next else { return };
        let id = input.id;
        let doc = match input.document {
            Ok(doc) => doc,
            Err(e) => {
                let f = Finished {
                    seq,
                    id,
                    words: 0,
                    outcome: Outcome::Failed(e.to_string()),
                };
                if done_tx.send(f).is_err() {
                    return;
                }
                continue;
            }
        };
        if worker.is_none() {
            match make_worker() {
                Ok(w) => worker = Some(w),
                Err(e) => {
                    if let Ok(mut f) = fatal.lock() {
                        f.get_or_insert(e.clone());
                    }
                    let _ = done_tx.send(Finished {
                        seq,
                        id,
                        words: 0,
                        outcome: Outcome::Failed(e),
                    });
                    // Drain: fail everything still queued so the sink sees every input once.
                    while let Ok(Ok((seq, input))) = work_rx.lock().map(|rx| rx.recv()) {
                        let _ = done_tx.send(Finished {
                            seq,
                            id: input.id,
                            words: 0,
                            outcome: Outcome::Failed("not analysed: models failed to load".into()),
                        });
                    }
                    return;
                }
            }
        }
        let words = doc.text.split_whitespace().count();
        let Some(run) = worker.as_mut() else { return };
        let outcome = match catch_unwind(AssertUnwindSafe(|| run(doc))) {
            Ok(Ok(analysis)) => Outcome::Analysed(Box::new(analysis)),
            Ok(Err(e)) => Outcome::Failed(e),
            Err(panic) => {
                worker = None;
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                Outcome::Failed(format!("internal error while analysing: {what}"))
            }
        };
        if done_tx
            .send(Finished {
                seq,
                id,
                words,
                outcome,
            })
            .is_err()
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::InputError;

    fn inputs(n: usize) -> impl Iterator<Item = Input> + Send {
        (0..n).map(|i| Input {
            id: format!("doc{i}"),
            document: if i % 7 == 3 {
                Err(InputError::Empty(format!("doc{i}")))
            } else {
                Ok(Document::new(format!("doc{i}"), format!("text {i}")))
            },
        })
    }

    fn worker() -> Result<WorkerFn, String> {
        Ok(Box::new(|doc: Document| {
            if doc.text.ends_with('5') {
                panic!("boom on {}", doc.id);
            }
            if doc.text.ends_with('9') {
                return Err(format!("{}: refused", doc.id));
            }
            // Uneven work so that finishing order differs from input order.
            let spin = (doc.text.len() * 7919) % 5000;
            std::thread::sleep(std::time::Duration::from_micros(spin as u64));
            Ok(Analysis::empty(&doc))
        }))
    }

    #[test]
    fn ordered_batch_keeps_order_and_counts_every_input_once() {
        let mut seen = Vec::new();
        let stats = run_batch(
            inputs(100),
            BatchOptions::new(3),
            worker,
            |id| id == "doc0",
            |f| seen.push((f.seq, f.id, matches!(f.outcome, Outcome::Failed(_)))),
        )
        .unwrap();
        assert_eq!(seen.len(), 100);
        assert!(seen.iter().enumerate().all(|(i, s)| s.0 == i));
        let failed = seen.iter().filter(|s| s.2).count();
        assert_eq!(stats.failed, failed);
        assert_eq!(stats.skipped, 1);
        assert_eq!(stats.analysed + stats.failed + stats.skipped, 100);
        // Empty docs (i % 7 == 3), panics (ends in 5) and refusals (ends in 9) all failed.
        let expected = (0..100)
            .filter(|i| i % 7 == 3 || i % 10 == 5 || i % 10 == 9)
            .count();
        assert_eq!(stats.failed, expected);
    }

    #[test]
    fn unordered_batch_sees_everything() {
        let mut ids = Vec::new();
        let stats = run_batch(
            inputs(50),
            BatchOptions {
                ordered: false,
                ..BatchOptions::new(2)
            },
            worker,
            |_| false,
            |f| ids.push(f.seq),
        )
        .unwrap();
        ids.sort_unstable();
        assert_eq!(ids, (0..50).collect::<Vec<_>>());
        assert_eq!(stats.analysed + stats.failed, 50);
    }

    #[test]
    fn failing_factory_is_fatal_but_every_input_is_reported() {
        let mut n = 0;
        let err = run_batch(
            inputs(20),
            BatchOptions::new(2),
            || Err("no model".to_string()),
            |_| false,
            |_| n += 1,
        )
        .unwrap_err();
        assert_eq!(err, "no model");
        assert!(n >= 1);
    }
}
