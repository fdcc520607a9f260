//! Running one measured child process: wall time, the arrival of its progress lines, peak RSS.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context, Result};

/// What one run of a child process took.
#[derive(Debug, Clone, Default)]
pub struct Timed {
    /// Seconds from spawning the process to its exit.
    pub wall_s: f64,
    /// Seconds from spawning to the first line on stdout.
    pub first_line_s: Option<f64>,
    /// Stdout, line by line, each with the seconds since spawning at which it arrived.
    pub lines: Vec<(f64, String)>,
    /// Peak resident set size of the process itself, in KiB (`wait4`'s `ru_maxrss`).
    pub peak_rss_kib: u64,
}

/// Runs `command` with stdout piped and stderr passed through, timing every stdout line, and
/// fails when it exits non-zero.
pub fn timed(command: &mut Command) -> Result<Timed> {
    let what = format!("{command:?}");
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot run {what}"))?;
    let mut lines = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.with_context(|| format!("cannot read the output of {what}"))?;
            lines.push((started.elapsed().as_secs_f64(), line));
        }
    }
    let (code, peak_rss_kib) =
        wait_with_rusage(child.id()).with_context(|| format!("cannot wait for {what}"))?;
    let wall_s = started.elapsed().as_secs_f64();
    if code != 0 {
        bail!("`{what}` failed (exit status {code})");
    }
    Ok(Timed {
        wall_s,
        first_line_s: lines.first().map(|(t, _)| *t),
        lines,
        peak_rss_kib,
    })
}

/// Waits for the child `pid` and returns its exit code (128 + signal when killed) and its peak
/// RSS in KiB. `std::process::Child::wait` does not report resource usage; `wait4` does.
fn wait_with_rusage(pid: u32) -> Result<(i32, u64)> {
    let pid = libc::pid_t::try_from(pid).context("process id out of range")?;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value (plain integers and timevals).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `status` and `usage` are valid for writes; `pid` is our own unreaped child.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if reaped != pid {
        return Err(std::io::Error::last_os_error()).context("wait4");
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else if libc::WIFSIGNALED(status) {
        128 + libc::WTERMSIG(status)
    } else {
        1
    };
    Ok((code, u64::try_from(usage.ru_maxrss).unwrap_or(0)))
}
