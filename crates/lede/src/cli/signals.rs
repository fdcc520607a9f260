//! SIGINT and SIGTERM during `lede analyze`: the first one stops the batch cleanly, a second
//! one ends the process at once.
//!
//! The first signal is only recorded: the batch reads no further input, the documents
//! already in flight are finished and written, the summary says the run was interrupted, and
//! the exit status is the shell's convention for the signal (130 for SIGINT, 143 for SIGTERM).
//! A second signal exits immediately with the same status; a temporary file it leaves behind
//! is removed by the next run with `--out` (`output::remove_stale_temps`).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use signal_hook::consts::{SIGINT, SIGTERM};

/// The signals that interrupt a batch, with the exit status each one gives.
const HANDLED: [(i32, u8, &str); 2] = [(SIGINT, 130, "SIGINT"), (SIGTERM, 143, "SIGTERM")];

/// Records the first SIGINT or SIGTERM; see the module docs.
#[derive(Debug, Clone)]
pub(crate) struct Interrupt {
    /// The signal number received first, 0 while none was.
    first: Arc<AtomicUsize>,
}

impl Interrupt {
    /// Installs the handlers. Until this process ends, SIGINT and SIGTERM no longer kill it
    /// on the first delivery.
    pub(crate) fn install() -> std::io::Result<Interrupt> {
        let first = Arc::new(AtomicUsize::new(0));
        // Set by the first delivery of either signal; a later one then exits at once.
        let armed = Arc::new(AtomicBool::new(false));
        for (signal, status, _) in HANDLED {
            // Order matters: the actions run in registration order, so the shutdown check
            // sees `armed` as it was before this delivery set it.
            signal_hook::flag::register_conditional_shutdown(
                signal,
                i32::from(status),
                armed.clone(),
            )?;
            signal_hook::flag::register_usize(signal, first.clone(), signal as usize)?;
            signal_hook::flag::register(signal, armed.clone())?;
        }
        Ok(Interrupt { first })
    }

    /// Whether a signal has been received.
    pub(crate) fn fired(&self) -> bool {
        self.first.load(Ordering::SeqCst) != 0
    }

    /// The first signal's name and exit status, once one was received.
    pub(crate) fn received(&self) -> Option<(&'static str, u8)> {
        let n = self.first.load(Ordering::SeqCst);
        HANDLED
            .iter()
            .find(|(signal, _, _)| *signal as usize == n)
            .map(|&(_, status, name)| (name, status))
    }
}
