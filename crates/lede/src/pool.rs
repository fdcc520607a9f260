//! [`AnalyzerPool`]: many documents at once, on a rayon pool with one [`Analyzer`] per worker
//! thread.
//!
//! rust-bert models are `Send` but not `Sync`, so running documents in parallel means one model
//! set per thread. The pool owns a rayon thread pool of `workers` threads and gives each thread
//! its own analyzer, built the first time that thread needs one and reused for every later
//! document: models are never built per document. The first analyzer is built by
//! [`AnalyzerPoolBuilder::build`] itself, on the calling thread, so that a model that cannot be
//! loaded is one error, returned once, before any document is read.
//!
//! libtorch threads are divided as lede-models' [`ThreadPlan`] says: `workers` model
//! instances, each with `cores / workers` intra-op threads.
//!
//! Three ways in:
//! * [`AnalyzerPool::analyze_all`]: any rayon [`IntoParallelIterator`] of documents, results
//!   collected in input order;
//! * [`AnalyzerPool::analyze_each`]: the same, results handed to a callback as they finish,
//!   nothing collected;
//! * [`AnalyzerPool::analyze_stream`]: a plain (sequential, possibly endless) iterator, read
//!   lazily with a bounded number of documents in flight, results handed to a callback on the
//!   calling thread in input order (or as they finish). This is what the `lede` binary uses.

use std::collections::{BTreeMap, VecDeque};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::sync_channel;
use std::sync::Mutex;

use lede_core::{Analysis, Document};
use lede_models::ThreadPlan;
use rayon::iter::{IntoParallelIterator, ParallelIterator};

use crate::{Analyzer, AnalyzerBuilder, Error, Result};

/// What a pool runs on one worker thread: an [`Analyzer`], or a stand-in in tests.
pub(crate) trait Worker: Send {
    fn analyze(&mut self, doc: Document) -> Result<Analysis>;
}

impl Worker for Analyzer {
    fn analyze(&mut self, doc: Document) -> Result<Analysis> {
        Analyzer::analyze(self, doc)
    }
}

type Factory = Box<dyn Fn() -> Result<Box<dyn Worker>> + Send + Sync>;

/// Configures an [`AnalyzerPool`]; made by [`AnalyzerPool::builder`].
#[derive(Debug, Clone)]
pub struct AnalyzerPoolBuilder {
    analyzer: AnalyzerBuilder,
    jobs: usize,
    cores: Option<usize>,
}

impl AnalyzerPoolBuilder {
    /// Worker threads, each with its own analyzer (default 0: one per core). More than the
    /// cores is capped at the cores ([`ThreadPlan`]).
    pub fn jobs(mut self, jobs: usize) -> Self {
        self.jobs = jobs;
        self
    }

    /// The cores the pool may use (default: those the process sees): the workers and their
    /// libtorch threads are planned within them ([`ThreadPlan::with_cores`]). A worker in a
    /// cluster task passes the cores the task was given.
    pub fn cores(mut self, cores: usize) -> Self {
        self.cores = Some(cores.max(1));
        self
    }

    /// Applies the thread plan, starts the worker threads and builds the first analyzer.
    ///
    /// # Errors
    /// [`Error::Models`] when the models cannot be loaded (returned here, once, rather than
    /// per document), [`Error::Threads`] when the threads cannot be started.
    pub fn build(self) -> Result<AnalyzerPool> {
        let cores = self
            .cores
            .unwrap_or_else(lede_models::runtime::available_cores);
        let jobs = if self.jobs == 0 { cores } else { self.jobs };
        let plan = ThreadPlan::with_cores(cores, jobs, None);
        plan.apply();
        plan.apply_to_current_thread();
        let first = self.analyzer.build()?;
        let provenance = first.provenance().clone();
        let analyzer = self.analyzer;
        let factory: Factory = Box::new(move || Ok(Box::new(analyzer.build()?)));
        let mut pool = AnalyzerPool::with_factory(plan, factory, Some(Box::new(first)))?;
        pool.provenance = provenance;
        Ok(pool)
    }
}

/// Options of [`AnalyzerPool::analyze_stream`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamOptions {
    /// Hand results over in input order (`true`, the default) or as they finish.
    pub ordered: bool,
    /// Most items read but not yet handed over; bounds memory whatever the input's size.
    /// At least the number of workers; 0 means four per worker.
    pub max_in_flight: usize,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            ordered: true,
            max_in_flight: 0,
        }
    }
}

/// One item handed back by [`AnalyzerPool::analyze_stream`].
#[derive(Debug)]
pub struct Streamed<T> {
    /// 0-based position of the item in the input.
    pub seq: usize,
    /// The tag the item came with.
    pub tag: T,
    /// The analysis, or why it failed; `None` for an item that came without a document.
    pub result: Option<Result<Analysis>>,
}

/// Analyses many documents in parallel, one [`Analyzer`] per worker thread: the models are
/// built once per worker, never per document.
///
/// ```
/// use lede::{Analyzer, AnalyzerPool, Document, Tasks};
///
/// // Segmentation only: no models needed.
/// let pool = AnalyzerPool::builder(Analyzer::builder().tasks(Tasks::none()))
///     .jobs(2)
///     .build()
///     .unwrap();
/// let docs = vec![
///     Document::new("a", "Minsk (EFE).- Belarus freed 52 prisoners. They crossed into Lithuania."),
///     Document::new("b", "   "),
///     Document::new("c", "One sentence."),
/// ];
/// let results = pool.analyze_all(docs);
/// // In input order, one result per document.
/// assert_eq!(results[0].as_ref().unwrap().sentences.len(), 2);
/// assert!(results[1].is_err()); // empty document
/// assert_eq!(results[2].as_ref().unwrap().document.id, "c");
/// ```
pub struct AnalyzerPool {
    pool: rayon::ThreadPool,
    plan: ThreadPlan,
    factory: Factory,
    /// One analyzer per worker thread, by rayon thread index.
    slots: Vec<Mutex<Option<Box<dyn Worker>>>>,
    /// The analyzer built by `build`, for the first worker that needs one.
    spare: Mutex<Option<Box<dyn Worker>>>,
    provenance: BTreeMap<String, String>,
}

// A pool is shared by reference between threads (e.g. in an `Arc`); its errors cross threads.
lede_core::assert_send!(sync: AnalyzerPool, Error);

impl std::fmt::Debug for AnalyzerPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnalyzerPool")
            .field("plan", &self.plan)
            .field("models", &self.provenance)
            .finish()
    }
}

impl AnalyzerPool {
    /// A builder for a pool of analyzers configured by `analyzer`.
    pub fn builder(analyzer: AnalyzerBuilder) -> AnalyzerPoolBuilder {
        AnalyzerPoolBuilder {
            analyzer,
            jobs: 0,
            cores: None,
        }
    }

    pub(crate) fn with_factory(
        plan: ThreadPlan,
        factory: Factory,
        first: Option<Box<dyn Worker>>,
    ) -> Result<AnalyzerPool> {
        let workers = plan.workers.max(1);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(workers)
            .thread_name(|i| format!("lede-worker-{i}"))
            .build()
            .map_err(Error::Threads)?;
        Ok(AnalyzerPool {
            pool,
            plan,
            factory,
            slots: (0..workers).map(|_| Mutex::new(None)).collect(),
            spare: Mutex::new(first),
            provenance: BTreeMap::new(),
        })
    }

    /// Worker threads (and so model sets at most).
    pub fn workers(&self) -> usize {
        self.slots.len()
    }

    /// The thread plan: workers and libtorch threads per worker.
    pub fn plan(&self) -> ThreadPlan {
        self.plan
    }

    /// Which model or method each task uses.
    pub fn provenance(&self) -> &BTreeMap<String, String> {
        &self.provenance
    }

    /// Analyses one document on a worker thread.
    ///
    /// # Errors
    /// As [`Analyzer::analyze`]; [`Error::Panicked`] when analysing it panicked (that worker's
    /// models are then rebuilt); [`Error::Models`] when a worker's models cannot be built.
    pub fn analyze(&self, doc: Document) -> Result<Analysis> {
        let Some(i) = self.pool.current_thread_index() else {
            return self.pool.install(|| self.analyze(doc));
        };
        let slot = &self.slots[i];
        // Taken out while in use: a thread that steals another document while this one runs
        // (nested rayon work inside a model) then builds its own instead of deadlocking.
        let taken = slot.lock().ok().and_then(|mut s| s.take());
        let mut worker = match taken {
            Some(w) => w,
            None => self.new_worker()?,
        };
        match catch_unwind(AssertUnwindSafe(|| worker.analyze(doc))) {
            Ok(result) => {
                if let Ok(mut s) = slot.lock() {
                    s.get_or_insert(worker);
                }
                result
            }
            Err(panic) => {
                // The worker's state is unknown: drop it; the next document rebuilds it.
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                Err(Error::Panicked { message })
            }
        }
    }

    fn new_worker(&self) -> Result<Box<dyn Worker>> {
        self.plan.apply_to_current_thread();
        if let Some(w) = self.spare.lock().ok().and_then(|mut s| s.take()) {
            return Ok(w);
        }
        (self.factory)()
    }

    /// Analyses every document in parallel on the pool's workers; one result per document,
    /// in input order.
    pub fn analyze_all<I>(&self, docs: I) -> Vec<Result<Analysis>>
    where
        I: IntoParallelIterator<Item = Document> + Send,
    {
        self.pool
            .install(|| docs.into_par_iter().map(|d| self.analyze(d)).collect())
    }

    /// Analyses every document in parallel on the pool's workers and calls `f` with each
    /// result as it finishes (on the worker thread, in no particular order). Nothing is
    /// collected: for inputs too large to hold their analyses in memory.
    pub fn analyze_each<I, F>(&self, docs: I, f: F)
    where
        I: IntoParallelIterator<Item = Document> + Send,
        F: Fn(Result<Analysis>) + Send + Sync,
    {
        self.pool
            .install(|| docs.into_par_iter().for_each(|d| f(self.analyze(d))));
    }

    /// Streams `items` through the workers: each `(tag, document)` is read lazily (on a
    /// thread of its own), analysed on a worker when it has a document, and handed with its
    /// tag to `sink` on the calling thread, in input order unless `options.ordered` is off.
    /// Items without a document (an input that could not be read, one to skip) keep their
    /// place in the order and come back with `result: None`. At most
    /// `options.max_in_flight` items are between reading and `sink` at any time.
    ///
    /// Must not be called from one of this pool's own threads.
    pub fn analyze_stream<I, T, S>(&self, items: I, options: StreamOptions, mut sink: S)
    where
        I: IntoIterator<Item = (T, Option<Document>)>,
        I::IntoIter: Send,
        T: Send,
        S: FnMut(Streamed<T>),
    {
        let workers = self.workers();
        let window = match options.max_in_flight {
            0 => 4 * workers,
            n => n.max(workers),
        };
        let items = items.into_iter();
        let (work_tx, work_rx) = sync_channel::<(usize, T, Document)>(workers);
        let work_rx = Mutex::new(work_rx);
        let (done_tx, done_rx) = sync_channel::<Streamed<T>>(window);
        // One permit per item between reading and `sink`: the reader blocks when `window`
        // are in flight.
        let (permit_tx, permit_rx) = sync_channel::<()>(window);

        std::thread::scope(|threads| {
            let reader_done = done_tx.clone();
            threads.spawn(move || {
                for (seq, (tag, doc)) in items.enumerate() {
                    if permit_tx.send(()).is_err() {
                        break;
                    }
                    let sent = match doc {
                        Some(doc) => work_tx.send((seq, tag, doc)).is_ok(),
                        None => reader_done
                            .send(Streamed {
                                seq,
                                tag,
                                result: None,
                            })
                            .is_ok(),
                    };
                    if !sent {
                        break;
                    }
                }
            });
            let work_rx = &work_rx;
            self.pool.in_place_scope(move |scope| {
                for _ in 0..workers {
                    let done_tx = done_tx.clone();
                    scope.spawn(move |_| loop {
                        let next = match work_rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        let Ok((seq, tag, doc)) = next else { return };
                        let result = Some(self.analyze(doc));
                        if done_tx.send(Streamed { seq, tag, result }).is_err() {
                            return;
                        }
                    });
                }
                drop(done_tx);

                let mut pending: BTreeMap<usize, Streamed<T>> = BTreeMap::new();
                let mut next = 0usize;
                let mut ready: VecDeque<Streamed<T>> = VecDeque::new();
                for item in done_rx.iter() {
                    if options.ordered {
                        pending.insert(item.seq, item);
                        while let Some(it) = pending.remove(&next) {
                            ready.push_back(it);
                            next += 1;
                        }
                    } else {
                        ready.push_back(item);
                    }
                    while let Some(it) = ready.pop_front() {
                        sink(it);
                        let _ = permit_rx.recv();
                    }
                }
            });
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake;

    impl Worker for Fake {
        fn analyze(&mut self, doc: Document) -> Result<Analysis> {
            if doc.text.ends_with('5') {
                panic!("boom on {}", doc.id);
            }
            if doc.text.ends_with('9') {
                return Err(Error::Document(lede_core::Error::InvalidInput(format!(
                    "{}: refused",
                    doc.id
                ))));
            }
            // Uneven work so that finishing order differs from input order.
            let spin = (doc.text.len() * 7919) % 3000;
            std::thread::sleep(std::time::Duration::from_micros(spin as u64));
            Ok(Analysis::empty(&doc))
        }
    }

    fn pool(workers: usize) -> (AnalyzerPool, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        let built = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = built.clone();
        let factory: Factory = Box::new(move || {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(Box::new(Fake))
        });
        let plan = ThreadPlan::with_cores(workers, workers, None);
        (
            AnalyzerPool::with_factory(plan, factory, None).unwrap(),
            built,
        )
    }

    fn docs(n: usize) -> Vec<Document> {
        (0..n)
            .map(|i| Document::new(format!("doc{i}"), format!("text {i}")))
            .collect()
    }

    #[test]
    fn analyze_all_keeps_order_and_builds_one_worker_per_thread() {
        let (pool, built) = pool(3);
        let results = pool.analyze_all(docs(60));
        assert_eq!(results.len(), 60);
        for (i, r) in results.iter().enumerate() {
            match (i % 10, r) {
                (5, Err(Error::Panicked { message })) => {
                    assert!(message.contains(&format!("doc{i}")), "{message}")
                }
                (9, Err(e)) => assert!(e.to_string().contains("refused"), "{e}"),
                (5 | 9, other) => panic!("doc{i}: {other:?}"),
                (_, Ok(a)) => assert_eq!(a.document.id, format!("doc{i}")),
                (_, Err(e)) => panic!("doc{i}: {e}"),
            }
        }
        // One per thread, plus one rebuild per panic at most: never one per document.
        let n = built.load(std::sync::atomic::Ordering::SeqCst);
        assert!((1..=3 + 6).contains(&n), "{n} workers built");
    }

    #[test]
    fn analyze_each_sees_every_document_once() {
        let (pool, _) = pool(2);
        let seen = Mutex::new(Vec::new());
        pool.analyze_each(docs(40), |r| {
            if let Ok(a) = r {
                seen.lock().unwrap().push(a.document.id);
            }
        });
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        let mut want: Vec<String> = (0..40)
            .filter(|i| i % 10 != 5 && i % 10 != 9)
            .map(|i| format!("doc{i}"))
            .collect();
        want.sort();
        assert_eq!(seen, want);
    }

    #[test]
    fn ordered_stream_keeps_order_and_passes_tags_through() {
        let (pool, _) = pool(3);
        let items = (0..100).map(|i| {
            let doc = (i % 7 != 3).then(|| Document::new(format!("doc{i}"), format!("text {i}")));
            (i, doc)
        });
        let mut seen = Vec::new();
        pool.analyze_stream(items, StreamOptions::default(), |s| {
            assert_eq!(s.seq, s.tag);
            seen.push((s.seq, s.result.map(|r| r.is_ok())));
        });
        assert_eq!(seen.len(), 100);
        for (i, (seq, r)) in seen.into_iter().enumerate() {
            assert_eq!(seq, i);
            let want = if i % 7 == 3 {
                None
            } else {
                Some(i % 10 != 5 && i % 10 != 9)
            };
            assert_eq!(r, want, "item {i}");
        }
    }

    #[test]
    fn unordered_stream_sees_everything_with_a_small_window() {
        let (pool, _) = pool(2);
        let items = docs(50).into_iter().map(|d| ((), Some(d)));
        let mut seqs = Vec::new();
        let opts = StreamOptions {
            ordered: false,
            max_in_flight: 2,
        };
        pool.analyze_stream(items, opts, |s| seqs.push(s.seq));
        seqs.sort_unstable();
        assert_eq!(seqs, (0..50).collect::<Vec<_>>());
    }

    #[test]
    fn a_model_error_surfaces_once_from_build() {
        let b =
            Analyzer::builder().models(crate::ModelChoice::Path("/no/such/manifest.toml".into()));
        let err = AnalyzerPool::builder(b).jobs(2).build().unwrap_err();
        assert!(matches!(err, Error::Models { .. }), "{err:?}");
        let chain = crate::error_chain(&err);
        assert!(chain.contains("/no/such/manifest.toml"), "{chain}");
    }
}
