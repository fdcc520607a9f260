//! Helpers for lede's workspace-level end-to-end tests (in `tests/tests/`): locating the real
//! `lede` binary. Whether the model files set-up installs are there is
//! `lede_test_support::offline_models_available`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The `lede` binary of the current profile, built on first use if needed. `LEDE_BIN`
/// overrides it.
pub fn lede_bin() -> PathBuf {
    if let Ok(p) = std::env::var("LEDE_BIN") {
        return PathBuf::from(p);
    }
    // target/<profile>/deps/<test-exe> -> target/<profile>/lede
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile> directory")
        .to_path_buf();
    let bin = profile_dir.join("lede");
    static BUILD: std::sync::Once = std::sync::Once::new();
    BUILD.call_once(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.current_dir(workspace_root())
            .args(["build", "--quiet", "-p", "lede", "--bin", "lede"]);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("run cargo build for the lede binary");
        assert!(status.success(), "building the lede binary failed");
    });
    bin
}
