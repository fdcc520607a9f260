//! Threads and workers: the one place that decides how many model instances run at once and
//! how many threads libtorch gives each.
//!
//! # The rule
//!
//! With `C` cores (`std::thread::available_parallelism`) and `J` requested jobs:
//!
//! * **workers** (model instances, one per rayon worker) = `min(J, C)`, at least 1. With no
//!   request (`J = 0`, "auto") it is `min(documents, C)` when the number of documents is known
//!   ([`ThreadPlan::for_documents`]) and 1 otherwise: one article gains nothing from a second
//!   model copy, a batch does (models are `Send` but not `Sync`, so parallelism means copies).
//! * **intra-op threads** per worker = `max(1, C / workers)`: libtorch's OpenMP pool for one
//!   matrix multiply. Workers × intra-op threads never exceeds the cores (except when
//!   `C < workers`, which the first rule prevents).
//! * **inter-op threads** = 1: lede runs eager inference, which never uses libtorch's
//!   inter-op pool; one thread keeps it from spawning `C` idle threads.
//!
//! On 2 cores: one document → 1 worker × 2 threads; a batch with `--jobs 2` (or auto) → 2
//! workers × 1 thread.
//!
//! **Never more threads than idle cores.** libtorch's OpenMP threads spin-wait at every
//! operator's barrier; when the cores are busy with other work (other workers, other
//! processes, a parallel test runner) a forward pass with 2 intra-op threads measured up to 10x
//! slower than with 1 (a tiny BERT on 50 windows: 181 ms with 2 threads vs 21 ms with 1 on a
//! loaded 2-core machine). Callers that share the machine should ask for the cores they may
//! use ([`ThreadPlan::with_cores`]), e.g. tests use `with_cores(1, 1, None)`.
//!
//! [`ThreadPlan::apply`] sets libtorch's global settings once per process (libtorch refuses to
//! change the inter-op pool after first use); worker threads pick the intra-op setting up
//! lazily. Call it before building models. Each worker may call
//! [`ThreadPlan::apply_to_current_thread`] to be explicit.

use std::sync::OnceLock;

/// How many model instances run at once and how many libtorch threads each gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThreadPlan {
    /// Cores available.
    pub cores: usize,
    /// Model instances (workers) that run at once.
    pub workers: usize,
    /// libtorch intra-op threads per worker.
    pub intra_op_threads: usize,
    /// libtorch inter-op threads (process-wide).
    pub inter_op_threads: usize,
}

static APPLIED: OnceLock<ThreadPlan> = OnceLock::new();

/// Cores available to this process (1 when unknown).
pub fn available_cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

impl ThreadPlan {
    /// The plan for `jobs` requested workers (0 = auto, which is 1 without a document count)
    /// on `cores` cores.
    pub fn with_cores(cores: usize, jobs: usize, documents: Option<usize>) -> ThreadPlan {
        let cores = cores.max(1);
        let wanted = if jobs == 0 {
            documents.unwrap_or(1)
        } else {
            jobs
        };
        let workers = wanted.clamp(1, cores);
        ThreadPlan {
            cores,
            workers,
            intra_op_threads: (cores / workers).max(1),
            inter_op_threads: 1,
        }
    }

    /// The plan for `jobs` requested workers (0 = auto) on this machine.
    ///
    /// ```
    /// use lede_models::ThreadPlan;
    /// let p = ThreadPlan::with_cores(8, 0, None);
    /// assert_eq!((p.workers, p.intra_op_threads), (1, 8));
    /// let p = ThreadPlan::with_cores(8, 3, None);
    /// assert_eq!((p.workers, p.intra_op_threads), (3, 2));
    /// let p = ThreadPlan::with_cores(2, 0, Some(100));
    /// assert_eq!((p.workers, p.intra_op_threads), (2, 1));
    /// ```
    pub fn new(jobs: usize) -> ThreadPlan {
        Self::with_cores(available_cores(), jobs, None)
    }

    /// The plan for `jobs` workers (0 = auto) to process `documents` documents.
    pub fn for_documents(jobs: usize, documents: usize) -> ThreadPlan {
        Self::with_cores(available_cores(), jobs, Some(documents))
    }

    /// Applies the plan to libtorch, once per process: sets the intra-op threads
    /// (`tch::set_num_threads`) and the inter-op threads (`tch::set_num_interop_threads`).
    /// Returns the plan in force: this one, or the one applied earlier (later calls only
    /// update the intra-op threads of the calling thread).
    pub fn apply(&self) -> ThreadPlan {
        let mut first = false;
        let applied = *APPLIED.get_or_init(|| {
            first = true;
            *self
        });
        if first {
            tch::set_num_interop_threads(self.inter_op_threads as i32);
            tch::set_num_threads(self.intra_op_threads as i32);
            tracing::debug!(
                workers = self.workers,
                intra_op = self.intra_op_threads,
                inter_op = self.inter_op_threads,
                "libtorch thread plan applied"
            );
            *self
        } else {
            self.apply_to_current_thread();
            applied
        }
    }

    /// Sets libtorch's intra-op threads for the calling thread (and as the default for threads
    /// that have not run a libtorch op yet). Safe to call from every worker.
    pub fn apply_to_current_thread(&self) {
        tch::set_num_threads(self.intra_op_threads as i32);
    }

    /// The plan applied to this process, if any.
    pub fn applied() -> Option<ThreadPlan> {
        APPLIED.get().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_oversubscribes() {
        for cores in 1..=16 {
            for jobs in 0..=20 {
                for docs in [None, Some(1), Some(3), Some(1000)] {
                    let p = ThreadPlan::with_cores(cores, jobs, docs);
                    assert!(p.workers >= 1 && p.intra_op_threads >= 1);
                    assert!(p.workers * p.intra_op_threads <= cores, "{p:?}");
                    assert!(p.workers <= cores);
                    if jobs > 0 {
                        assert_eq!(p.workers, jobs.min(cores));
                    }
                }
            }
        }
    }

    #[test]
    fn apply_is_idempotent() {
        let a = ThreadPlan::with_cores(2, 1, None).apply();
        let b = ThreadPlan::with_cores(2, 2, None).apply();
        assert_eq!(a, b, "the first plan stays in force");
        assert!(tch::get_num_threads() >= 1);
    }
}
