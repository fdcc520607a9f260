//! Running cargo and the `lede` binary.

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use anyhow::{bail, Context, Result};

/// A `cargo` command run in the repository root (where `.cargo/config.toml` is found), with
/// the same cargo that runs xtask. The environment is inherited as it is: `LIBTORCH` there is
/// the value `.cargo/config.toml` gave xtask, so nothing is rebuilt for a changed variable.
pub fn cargo(repo: &Path) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(repo);
    command
}

/// Runs `command`, failing when it cannot start or exits non-zero.
pub fn run_ok(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("cannot run {}", describe(command)))?;
    if !status.success() {
        bail!("`{}` failed ({status})", describe(command));
    }
    Ok(())
}

/// The command line of `command`, for messages.
pub fn describe(command: &Command) -> String {
    let program = Path::new(command.get_program())
        .file_name()
        .unwrap_or(command.get_program())
        .to_string_lossy()
        .into_owned();
    std::iter::once(program)
        .chain(command.get_args().map(|a| a.to_string_lossy().into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The exit code a process should hand on for a child's status (128 + signal when killed).
pub fn exit_code(status: ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => u8::try_from(code).unwrap_or(1),
        (None, Some(signal)) => u8::try_from(128 + signal).unwrap_or(1),
        (None, None) => 1,
    }
}

/// `cargo xtask test ARGS...`: `cargo test --workspace ARGS...`; returns its exit code.
pub fn cargo_test(repo: &Path, args: &[String]) -> Result<u8> {
    let mut command = cargo(repo);
    command.args(["test", "--workspace"]).args(args);
    eprintln!("xtask: running `{}`", describe(&command));
    let status = command
        .status()
        .with_context(|| format!("cannot run {}", describe(&command)))?;
    Ok(exit_code(status))
}

/// Builds the release `lede` binary and returns its path, as cargo reports it.
pub fn build_release_lede(repo: &Path) -> Result<PathBuf> {
    let mut command = cargo(repo);
    command.args([
        "build",
        "--release",
        "-p",
        "lede",
        "--bin",
        "lede",
        "--message-format=json-render-diagnostics",
    ]);
    eprintln!("xtask: running `{}`", describe(&command));
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {}", describe(&command)))?;
    let mut executable = None;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.context("cannot read cargo's output")?;
            match serde_json::from_str::<serde_json::Value>(&line) {
                Ok(message) => {
                    if let Some(path) = lede_executable(&message) {
                        executable = Some(path);
                    }
                }
                // Not a message (a build script printing to stdout): pass it on, to stderr.
                Err(_) => eprintln!("{line}"),
            }
        }
    }
    let status = child.wait().context("cannot wait for cargo")?;
    if !status.success() {
        bail!("`{}` failed ({status})", describe(&command));
    }
    executable.context("cargo built lede but did not report where its executable is")
}

/// The executable path in a cargo `compiler-artifact` message for the `lede` binary.
fn lede_executable(message: &serde_json::Value) -> Option<PathBuf> {
    if message.get("reason")?.as_str()? != "compiler-artifact" {
        return None;
    }
    let target = message.get("target")?;
    let is_lede_bin = target.get("name")?.as_str()? == "lede"
        && target
            .get("kind")?
            .as_array()?
            .iter()
            .any(|k| k.as_str() == Some("bin"));
    if !is_lede_bin {
        return None;
    }
    message.get("executable")?.as_str().map(PathBuf::from)
}

/// `cargo xtask analyze ARGS...`: release build, then `lede analyze ARGS...` in the caller's
/// directory, with stdin, stdout and stderr passed through; returns lede's exit code.
pub fn analyze(repo: &Path, args: &[String]) -> Result<u8> {
    let lede = build_release_lede(repo)?;
    let mut command = Command::new(&lede);
    command.arg("analyze").args(args);
    strip_cargo_env(&mut command, repo);
    eprintln!(
        "xtask: running `{} analyze {}`",
        lede.display(),
        args.join(" ")
    );
    let status = command
        .status()
        .with_context(|| format!("cannot run {}", lede.display()))?;
    Ok(exit_code(status))
}

/// Removes what `cargo run` added to xtask's own environment, so that `lede` runs as it would
/// from a shell: it must find libtorch through the rpath baked into it, not through
/// `LD_LIBRARY_PATH` or `LIBTORCH`.
fn strip_cargo_env(command: &mut Command, repo: &Path) {
    for (key, _) in std::env::vars_os() {
        let key_str = key.to_string_lossy();
        if key_str == "CARGO"
            || key_str.starts_with("CARGO_PKG_")
            || key_str.starts_with("CARGO_MANIFEST_")
        {
            command.env_remove(&key);
        }
    }
    // Set by cargo's [env] from .cargo/config.toml (same value), not by the user.
    let from_config = std::env::var_os("LIBTORCH")
        .is_some_and(|v| Path::new(&v) == repo.join(".lede").join("libtorch"));
    if from_config {
        command
            .env_remove("LIBTORCH")
            .env_remove("LIBTORCH_CXX11_ABI");
    }
    if let Some(paths) = std::env::var_os("LD_LIBRARY_PATH") {
        let mut added_by_cargo: Vec<PathBuf> = Vec::new();
        if let Some(target) = std::env::current_exe()
            .ok()
            .and_then(|exe| Some(exe.parent()?.parent()?.to_path_buf()))
        {
            added_by_cargo.push(target);
        }
        if let Some(toolchain) = std::env::var_os("CARGO")
            .map(PathBuf::from)
            .and_then(|cargo| Some(cargo.parent()?.parent()?.to_path_buf()))
        {
            added_by_cargo.push(toolchain);
        }
        match filter_paths(&paths, &added_by_cargo) {
            Some(kept) => command.env("LD_LIBRARY_PATH", kept),
            None => command.env_remove("LD_LIBRARY_PATH"),
        };
    }
}

/// `paths` (a `:`-separated list) without the entries under any of `drop`; `None` if empty.
fn filter_paths(paths: &std::ffi::OsStr, drop: &[PathBuf]) -> Option<OsString> {
    let kept: Vec<PathBuf> = std::env::split_paths(paths)
        .filter(|p| !p.as_os_str().is_empty() && !drop.iter().any(|d| p.starts_with(d)))
        .collect();
    if kept.is_empty() {
        None
    } else {
        std::env::join_paths(kept).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_lede_binary_in_cargo_messages() {
        let bin = serde_json::json!({
            "reason": "compiler-artifact",
            "target": {"name": "lede", "kind": ["bin"]},
            "executable": "/t/release/lede"
        });
        assert_eq!(
            lede_executable(&bin),
            Some(PathBuf::from("/t/release/lede"))
        );
        let lib = serde_json::json!({
            "reason": "compiler-artifact",
            "target": {"name": "lede", "kind": ["lib"]},
            "executable": null
        });
        assert_eq!(lede_executable(&lib), None);
        let other = serde_json::json!({
            "reason": "compiler-artifact",
            "target": {"name": "other", "kind": ["bin"]},
            "executable": "/t/release/other"
        });
        assert_eq!(lede_executable(&other), None);
        let done = serde_json::json!({"reason": "build-finished", "success": true});
        assert_eq!(lede_executable(&done), None);
    }

    #[test]
    fn drops_only_paths_cargo_added() {
        let paths = std::ffi::OsStr::new("/r/target/debug:/r/target/debug/deps:/opt/lib::/tc/lib");
        let drop = [PathBuf::from("/r/target"), PathBuf::from("/tc")];
        assert_eq!(filter_paths(paths, &drop), Some(OsString::from("/opt/lib")));
        assert_eq!(filter_paths(std::ffi::OsStr::new("/tc/lib"), &drop), None);
    }

    #[test]
    fn exit_codes_are_handed_on() {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(exit_code(ExitStatus::from_raw(0)), 0);
        assert_eq!(exit_code(ExitStatus::from_raw(3 << 8)), 3);
        assert_eq!(exit_code(ExitStatus::from_raw(9)), 137);
    }

    #[test]
    fn describes_commands() {
        let mut command = Command::new("/usr/bin/cargo");
        command.args(["test", "--workspace"]);
        assert_eq!(describe(&command), "cargo test --workspace");
    }
}
