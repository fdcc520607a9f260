//! `cargo xtask ci`: everything CI checks, stage by stage, with timestamps.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, ensure, Context, Result};
use serde_json::Value;

use crate::process::{cargo, describe, run_ok};
use crate::setup;

/// The article the smoke run analyzes.
const SEED: &str = "seeds/belarus-pardons-efe.txt";

/// Crates lede-core and lede-tokenize must never depend on.
fn is_libtorch_crate(name: &str) -> bool {
    name == "tch"
        || name.starts_with("tch-")
        || name.contains("torch")
        || name.starts_with("rust-bert")
}

/// Runs the stages in order; stops at the first failure.
pub fn run(repo: &Path) -> Result<ExitCode> {
    let mut ci = Stages::default();
    ci.stage("cargo xtask setup", || {
        let installed = setup::run(repo)?;
        Ok(format!(
            "libtorch {}, model {}",
            installed.libtorch.display(),
            installed.model.display()
        ))
    })?;
    ci.stage("cargo fmt --all --check", || {
        run_ok(cargo(repo).args(["fmt", "--all", "--check"]))?;
        Ok(String::new())
    })?;
    ci.stage(
        "lede-core, lede-tokenize, lede-quotes: no libtorch in cargo tree",
        || no_libtorch_in_tree(repo),
    )?;
    ci.stage(
        "lede-core, lede-tokenize, lede-quotes: cargo test with LIBTORCH=/nonexistent",
        || {
            // CI=1: a model-dependent test fails when its model is missing (lede-test-support).
            run_ok(
                cargo(repo)
                    .env("LIBTORCH", "/nonexistent")
                    .env("CI", "1")
                    .args(["test", "--locked"])
                    .args(libtorch_free_packages()),
            )?;
            Ok(String::new())
        },
    )?;
    ci.stage(
        "cargo clippy --workspace --all-targets -- -D warnings",
        || {
            run_ok(cargo(repo).args([
                "clippy",
                "--locked",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))?;
            Ok(String::new())
        },
    )?;
    ci.stage(
        "cargo doc --workspace --no-deps (RUSTDOCFLAGS=-D warnings)",
        || {
            run_ok(cargo(repo).env("RUSTDOCFLAGS", "-D warnings").args([
                "doc",
                "--locked",
                "--workspace",
                "--no-deps",
            ]))?;
            Ok(String::new())
        },
    )?;
    ci.stage("cargo package --workspace --no-verify", || {
        package_all(repo)
    })?;
    ci.stage(
        "lede-core, lede-tokenize, lede-quotes: cargo package (verified build of the packages)",
        || {
            let (packages, _) = publishable(repo)?;
            let removed = clear_stale_package_sources(&cargo_home()?, &packages)?;
            run_ok(
                cargo(repo)
                    .env("LIBTORCH", "/nonexistent")
                    .args(["package", "--locked"])
                    .args(libtorch_free_packages()),
            )?;
            Ok(if removed == 0 {
                String::new()
            } else {
                format!("removed {removed} stale unpacked copies of workspace crates first")
            })
        },
    )?;
    for (what, script) in [
        ("relation", "scripts/relations/check-corpus.sh"),
        ("quote", "scripts/quotes/check-corpus.sh"),
    ] {
        ci.stage(
            &format!("{what} corpus: records checked against lee_background.cor"),
            || {
                let mut c = std::process::Command::new("bash");
                c.arg(script).current_dir(repo);
                run_ok(&mut c)?;
                Ok(String::new())
            },
        )?;
    }
    ci.stage("cargo xtask test (CI=1)", || run_tests(repo))?;
    ci.stage(&format!("cargo xtask analyze {SEED}"), || smoke(repo))?;
    ci.stage(
        "spark: lede as a worker in local[2] over lee_background.cor (integrations/spark)",
        || {
            let lede = crate::process::build_release_lede(repo)?;
            let mut c = std::process::Command::new("bash");
            c.arg("integrations/spark/test-local.sh")
                .env("LEDE_BIN", &lede)
                .current_dir(repo);
            run_ok(&mut c)?;
            Ok(String::new())
        },
    )?;
    ci.stage(
        "fault suite: bad input, broken models, kill -9, signals, full disk (scripts/fault-suite.sh)",
        || {
            let lede = crate::process::build_release_lede(repo)?;
            let mut c = std::process::Command::new("bash");
            c.arg("scripts/fault-suite.sh")
                .env("LEDE_BIN", &lede)
                .current_dir(repo);
            run_ok(&mut c)?;
            Ok(String::new())
        },
    )?;
    ci.summary();
    Ok(ExitCode::SUCCESS)
}

#[derive(Default)]
struct Stages {
    done: Vec<(String, f64, String)>,
    started: Option<Instant>,
}

impl Stages {
    fn stage(&mut self, name: &str, body: impl FnOnce() -> Result<String>) -> Result<()> {
        let started = *self.started.get_or_insert_with(Instant::now);
        let number = self.done.len() + 1;
        eprintln!("\n==> [{}] ci stage {number}: {name}", clock());
        let t = Instant::now();
        match body() {
            Ok(note) => {
                let secs = t.elapsed().as_secs_f64();
                let note_text = if note.is_empty() {
                    String::new()
                } else {
                    format!(" ({note})")
                };
                eprintln!(
                    "<== [{}] ci stage {number} ok in {secs:.0}s{note_text}",
                    clock()
                );
                self.done.push((name.to_string(), secs, note));
                Ok(())
            }
            Err(err) => {
                eprintln!(
                    "<== [{}] ci stage {number} FAILED after {:.0}s (ci running for {:.0}s): {name}",
                    clock(),
                    t.elapsed().as_secs_f64(),
                    started.elapsed().as_secs_f64()
                );
                Err(err.context(format!("ci stage {number} ({name}) failed")))
            }
        }
    }

    fn summary(&self) {
        let total = self
            .started
            .map(|s| s.elapsed().as_secs_f64())
            .unwrap_or(0.0);
        eprintln!("\nci: all {} stages passed in {total:.0}s", self.done.len());
        for (i, (name, secs, note)) in self.done.iter().enumerate() {
            eprintln!("  {:>2}. {secs:>5.0}s  {name}  {note}", i + 1);
        }
    }
}

/// The time of day, UTC, as HH:MM:SS.
fn clock() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!(
        "{:02}:{:02}:{:02}Z",
        secs / 3600 % 24,
        secs / 60 % 60,
        secs % 60
    )
}

/// The crates that must build, test and package without libtorch, as `-p NAME` arguments.
const LIBTORCH_FREE: [&str; 3] = ["lede-core", "lede-tokenize", "lede-quotes"];

fn libtorch_free_packages() -> Vec<&'static str> {
    LIBTORCH_FREE.iter().flat_map(|p| ["-p", *p]).collect()
}

fn no_libtorch_in_tree(repo: &Path) -> Result<String> {
    let mut command = cargo(repo);
    command
        .args(["tree", "--locked"])
        .args(libtorch_free_packages());
    command.args(["-e", "normal,build", "--prefix", "none"]);
    let out = command
        .output()
        .with_context(|| format!("cannot run {}", describe(&command)))?;
    if !out.status.success() {
        bail!(
            "`{}` failed ({}): {}",
            describe(&command),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let tree = String::from_utf8_lossy(&out.stdout);
    let bad = libtorch_crates_in(&tree);
    ensure!(
        bad.is_empty(),
        "lede-core / lede-tokenize / lede-quotes depend on {}",
        bad.join(", ")
    );
    let crates = crate_names(&tree).len();
    Ok(format!("{crates} crates, none of them libtorch"))
}

/// The distinct crate names in `cargo tree --prefix none` output.
fn crate_names(tree: &str) -> Vec<&str> {
    let mut names: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

fn libtorch_crates_in(tree: &str) -> Vec<String> {
    crate_names(tree)
        .into_iter()
        .filter(|n| is_libtorch_crate(n))
        .map(String::from)
        .collect()
}

/// The workspace's publishable packages (`publish` not `false`) as (name, version), and the
/// target directory, from `cargo metadata`.
fn publishable(repo: &Path) -> Result<(Vec<(String, String)>, PathBuf)> {
    let mut command = cargo(repo);
    command.args(["metadata", "--locked", "--format-version", "1", "--no-deps"]);
    let out = command
        .output()
        .with_context(|| format!("cannot run {}", describe(&command)))?;
    ensure!(
        out.status.success(),
        "`{}` failed ({}): {}",
        describe(&command),
        out.status,
        String::from_utf8_lossy(&out.stderr).trim()
    );
    let meta: Value = serde_json::from_slice(&out.stdout).context("cargo metadata's JSON")?;
    let target = meta
        .get("target_directory")
        .and_then(Value::as_str)
        .map(PathBuf::from)
        .context("cargo metadata has no target_directory")?;
    let packages = publishable_packages(&meta);
    Ok((packages, target))
}

/// (name, version) of the packages in `cargo metadata` output whose `publish` is not `[]`.
fn publishable_packages(meta: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = meta
        .get("packages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|p| {
            !p.get("publish")
                .and_then(Value::as_array)
                .is_some_and(Vec::is_empty)
        })
        .filter_map(|p| {
            Some((
                p.get("name")?.as_str()?.to_string(),
                p.get("version")?.as_str()?.to_string(),
            ))
        })
        .collect();
    out.sort();
    out
}

/// Cargo's home: `$CARGO_HOME`, else `$HOME/.cargo`.
fn cargo_home() -> Result<PathBuf> {
    if let Some(home) = std::env::var_os("CARGO_HOME").filter(|h| !h.is_empty()) {
        return Ok(PathBuf::from(home));
    }
    let home = std::env::var_os("HOME").context("neither CARGO_HOME nor HOME is set")?;
    Ok(PathBuf::from(home).join(".cargo"))
}

/// Removes `<cargo home>/registry/src/*/<name>-<version>` for the workspace's own packages.
///
/// A verified `cargo package` of several crates unpacks the just-packaged dependencies (here
/// lede-core, for lede-tokenize) into the registry's source cache, under a directory named
/// after the package's name and version only. Cargo does not unpack again when that directory
/// exists, so on a machine that ran CI before, lede-tokenize would be verified against the
/// lede-core of an earlier commit with the same version number. Returns how many it removed.
fn clear_stale_package_sources(cargo_home: &Path, packages: &[(String, String)]) -> Result<usize> {
    let src = cargo_home.join("registry").join("src");
    let Ok(registries) = std::fs::read_dir(&src) else {
        return Ok(0);
    };
    let mut removed = 0;
    for registry in registries {
        let registry = registry.with_context(|| format!("cannot list {}", src.display()))?;
        for (name, version) in packages {
            let unpacked = registry.path().join(format!("{name}-{version}"));
            if unpacked.is_dir() {
                std::fs::remove_dir_all(&unpacked)
                    .with_context(|| format!("cannot remove {}", unpacked.display()))?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}

/// `cargo package --workspace --no-verify`: every publishable crate must come out as a
/// `.crate` file; the note lists them with their sizes.
fn package_all(repo: &Path) -> Result<String> {
    let (packages, target) = publishable(repo)?;
    ensure!(
        !packages.is_empty(),
        "no publishable package in the workspace"
    );
    run_ok(cargo(repo).args(["package", "--locked", "--workspace", "--no-verify"]))?;
    let mut sizes = Vec::new();
    for (name, version) in &packages {
        let file = target
            .join("package")
            .join(format!("{name}-{version}.crate"));
        let bytes = std::fs::metadata(&file)
            .with_context(|| format!("{name} was not packaged: no {}", file.display()))?
            .len();
        ensure!(
            bytes < 10 * 1024 * 1024,
            "{} is {bytes} bytes, over crates.io's 10 MB limit",
            file.display()
        );
        sizes.push(format!("{name} {:.0} KiB", bytes as f64 / 1024.0));
    }
    Ok(format!("{} crates: {}", packages.len(), sizes.join(", ")))
}

/// Totals of cargo test's `test result:` lines.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct TestTotals {
    suites: u64,
    passed: u64,
    failed: u64,
    ignored: u64,
}

impl TestTotals {
    /// Adds one `test result: ok. 3 passed; 0 failed; 1 ignored; ...` line, if it is one.
    fn add_line(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            return;
        };
        let count = |what: &str| -> u64 {
            rest.split(';')
                .filter_map(|part| {
                    let part = part
                        .trim()
                        .trim_start_matches("ok.")
                        .trim_start_matches("FAILED.");
                    let (n, label) = part.trim().split_once(' ')?;
                    (label.trim() == what)
                        .then(|| n.parse::<u64>().ok())
                        .flatten()
                })
                .sum()
        };
        self.suites += 1;
        self.passed += count("passed");
        self.failed += count("failed");
        self.ignored += count("ignored");
    }
}

/// Runs the README's test command, passing its output through and counting the tests: a run
/// in which no test passed is a failure.
fn run_tests(repo: &Path) -> Result<String> {
    let mut command = cargo(repo);
    // CI=1: a model-dependent test fails when its model is missing (lede-test-support).
    command.env("CI", "1").args(["xtask", "test"]);
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {}", describe(&command)))?;
    let mut totals = TestTotals::default();
    if let Some(stdout) = child.stdout.take() {
        let mut out = std::io::stdout().lock();
        for line in BufReader::new(stdout).lines() {
            let line = line.context("cannot read the test output")?;
            totals.add_line(&line);
            let _ = writeln!(out, "{line}");
        }
    }
    let status = child.wait().context("cannot wait for the tests")?;
    ensure!(
        status.success(),
        "`{}` failed ({status})",
        describe(&command)
    );
    ensure!(
        totals.passed > 0,
        "`{}` succeeded but no test passed ({} result lines seen)",
        describe(&command),
        totals.suites
    );
    ensure!(totals.failed == 0, "{} tests failed", totals.failed);
    Ok(format!(
        "{} passed, {} ignored, in {} test binaries and doc-test runs",
        totals.passed, totals.ignored, totals.suites
    ))
}

/// `cargo xtask analyze seeds/...`: its stdout must be the analysis JSON.
fn smoke(repo: &Path) -> Result<String> {
    let mut command = cargo(repo);
    command.args(["xtask", "analyze", SEED]);
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {}", describe(&command)))?;
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut stdout)
            .context("lede's output is not UTF-8")?;
    }
    let status = child.wait().context("cannot wait for lede")?;
    ensure!(
        status.success(),
        "`{}` failed ({status})",
        describe(&command)
    );
    let text =
        std::fs::read_to_string(repo.join(SEED)).with_context(|| format!("cannot read {SEED}"))?;
    let sentences = check_analysis(&stdout, &text)?;
    Ok(format!("valid JSON, {sentences} sentences"))
}

/// Checks one analysis printed by `lede analyze` for `text`: JSON with a `schema_version` and
/// at least one sentence, whose spans are in order and slice the text exactly (by bytes and by
/// chars). Accepts one JSON document, or JSON Lines with the analysis on the first line.
fn check_analysis(stdout: &str, text: &str) -> Result<usize> {
    let value: Value = match serde_json::from_str(stdout) {
        Ok(value) => value,
        Err(whole) => {
            let first = stdout.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            serde_json::from_str(first)
                .with_context(|| format!("the output is not JSON ({whole})"))?
        }
    };
    let analysis = match &value {
        Value::Array(items) => items.first().context("the output is an empty JSON array")?,
        other => other,
    };
    ensure!(
        analysis.get("schema_version").is_some_and(Value::is_string),
        "the analysis has no schema_version string"
    );
    let sentences = analysis
        .get("sentences")
        .and_then(Value::as_array)
        .context("the analysis has no sentences array")?;
    ensure!(!sentences.is_empty(), "the analysis has no sentences");
    let chars: Vec<char> = text.chars().collect();
    let mut previous_end = 0usize;
    for (i, sentence) in sentences.iter().enumerate() {
        let field = |name: &str| -> Result<usize> {
            sentence
                .get(name)
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok())
                .with_context(|| format!("sentence {i} has no `{name}` offset"))
        };
        let (start, end) = (field("start")?, field("end")?);
        let (char_start, char_end) = (field("char_start")?, field("char_end")?);
        ensure!(
            previous_end <= start && start < end,
            "sentence {i} span {start}..{end} is empty, reversed or overlaps the previous one"
        );
        previous_end = end;
        let by_bytes = text
            .get(start..end)
            .with_context(|| format!("sentence {i} span {start}..{end} does not slice the text"))?;
        let by_chars: String = chars
            .get(char_start..char_end)
            .with_context(|| {
                format!("sentence {i} char span {char_start}..{char_end} is outside the text")
            })?
            .iter()
            .collect();
        ensure!(
            by_bytes == by_chars,
            "sentence {i}: byte and char offsets name different text"
        );
        if let Some(claimed) = sentence.get("text").and_then(Value::as_str) {
            ensure!(
                claimed == by_bytes,
                "sentence {i}: its text is not the text its span slices"
            );
        }
    }
    Ok(sentences.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_result_lines_are_counted() {
        let mut totals = TestTotals::default();
        totals.add_line("test result: ok. 12 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.01s");
        totals.add_line("running 3 tests");
        totals.add_line(
            "test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out",
        );
        totals.add_line("test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s");
        assert_eq!(
            totals,
            TestTotals {
                suites: 3,
                passed: 13,
                failed: 2,
                ignored: 2
            }
        );
    }

    #[test]
    fn stale_unpacked_workspace_crates_are_removed_and_others_kept() {
        let home = tempfile::tempdir().unwrap();
        let overlay = home.path().join("registry/src/-0123456789abcdef");
        let index = home
            .path()
            .join("registry/src/index.crates.io-1949cf8c6b5b557f");
        for dir in [
            overlay.join("lede-core-0.1.0/src"),
            index.join("lede-core-0.1.0/src"),
            index.join("serde-1.0.229/src"),
            overlay.join("lede-core-0.2.0/src"),
        ] {
            std::fs::create_dir_all(dir).unwrap();
        }
        let packages = vec![("lede-core".to_string(), "0.1.0".to_string())];
        assert_eq!(
            clear_stale_package_sources(home.path(), &packages).unwrap(),
            2
        );
        assert!(!overlay.join("lede-core-0.1.0").exists());
        assert!(!index.join("lede-core-0.1.0").exists());
        assert!(index.join("serde-1.0.229").exists());
        assert!(overlay.join("lede-core-0.2.0").exists());
        let nowhere = home.path().join("missing");
        assert_eq!(clear_stale_package_sources(&nowhere, &packages).unwrap(), 0);
    }

    #[test]
    fn publishable_packages_leave_out_publish_false() {
        let meta = serde_json::json!({"packages": [
            {"name": "lede-tokenize", "version": "0.1.0", "publish": null},
            {"name": "xtask", "version": "0.1.0", "publish": []},
            {"name": "lede-core", "version": "0.1.0", "publish": null},
            {"name": "lede-tests", "version": "0.1.0", "publish": []},
            {"name": "private-registry-only", "version": "0.2.0", "publish": ["mine"]},
        ]});
        assert_eq!(
            publishable_packages(&meta),
            vec![
                ("lede-core".to_string(), "0.1.0".to_string()),
                ("lede-tokenize".to_string(), "0.1.0".to_string()),
                ("private-registry-only".to_string(), "0.2.0".to_string()),
            ]
        );
    }

    #[test]
    fn libtorch_crates_are_spotted_in_cargo_tree() {
        let clean = "lede-core v0.1.0 (/r/crates/core)\nserde v1.0.229\nthiserror v2.0.17\nserde v1.0.229\n";
        assert!(libtorch_crates_in(clean).is_empty());
        assert_eq!(crate_names(clean).len(), 3);
        let dirty = "lede-tokenize v0.1.0 (/r/crates/tokenize)\ntch v0.17.0\ntorch-sys v0.17.0\nrust-bert v0.23.0\n";
        assert_eq!(
            libtorch_crates_in(dirty),
            vec!["rust-bert", "tch", "torch-sys"]
        );
    }

    fn sentence(text: &str, start: usize, end: usize) -> Value {
        let char_start = text[..start].chars().count();
        let char_end = char_start + text[start..end].chars().count();
        serde_json::json!({
            "start": start, "end": end, "char_start": char_start, "char_end": char_end,
            "text": &text[start..end]
        })
    }

    #[test]
    fn analysis_output_is_checked() {
        let text = "Минск, 1 ene (EFE). Lukashenko pardoned them.";
        let cut = text.find(" Lukashenko").unwrap();
        let good = serde_json::json!({
            "schema_version": "1",
            "sentences": [sentence(text, 0, cut), sentence(text, cut + 1, text.len())]
        });
        assert_eq!(check_analysis(&good.to_string(), text).unwrap(), 2);
        // JSON Lines and a one-element array are accepted too.
        assert_eq!(
            check_analysis(&format!("{good}\n{good}\n"), text).unwrap(),
            2
        );
        assert_eq!(check_analysis(&format!("[{good}]"), text).unwrap(), 2);

        let mut bad = good.clone();
        bad["sentences"][1]["char_start"] = serde_json::json!(0);
        assert!(
            check_analysis(&bad.to_string(), text).is_err(),
            "char offsets disagree"
        );
        let mut bad = good.clone();
        bad["sentences"][0]["end"] = serde_json::json!(1);
        assert!(
            check_analysis(&bad.to_string(), text).is_err(),
            "not a char boundary"
        );
        let mut bad = good.clone();
        bad["sentences"] = serde_json::json!([]);
        assert!(
            check_analysis(&bad.to_string(), text).is_err(),
            "no sentences"
        );
        let mut bad = good;
        bad["sentences"][0]["text"] = serde_json::json!("something else");
        assert!(
            check_analysis(&bad.to_string(), text).is_err(),
            "wrong text"
        );
        assert!(check_analysis("not json", text).is_err());
        assert!(check_analysis("{\"sentences\": []}", text).is_err());
    }
}
