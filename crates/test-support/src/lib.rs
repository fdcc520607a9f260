//! Dev-only helper of lede's tests (`publish = false`): finds the model files that tests need
//! the way `lede_models::Locations` does, and decides what a test does when they are missing.
//!
//! * With the `CI` environment variable set (to anything but empty, `0` or `false`; `cargo
//!   xtask ci` sets `CI=1` for its test stages) a missing model is a test failure: a panic
//!   that names every place searched and the command that installs the files.
//! * Elsewhere the test is skipped with a notice on stderr, so that `cargo test` works on a
//!   machine without the models.
//!
//! The search mirrors `lede_models::Locations::from_env` without depending on lede-models
//! (lede-tokenize's tests use this crate, and lede-tokenize must not pull in libtorch);
//! lede-models' test `test_support_searches_where_locations_does` checks that the two agree.
//!
//! * cache root: `$LEDE_CACHE_DIR`, else `$XDG_CACHE_HOME/lede`, else `~/.cache/lede`;
//! * models directories: `$LEDE_MODELS_DIR`, the `models/` directory of the nearest ancestor
//!   of the current directory that has `models/offline.toml`, the `models/` directory of this
//!   checkout;
//! * the packaged MiniLM: `<cache>/models/all-MiniLM-L6-v2`, then
//!   `<checkout>/.lede/models/all-MiniLM-L6-v2`;
//! * a project model `NAME`: `<models dir>/NAME` for each models directory, then
//!   `<cache>/models/NAME`.

#![deny(missing_docs)]

use std::path::{Path, PathBuf};

/// Directory name of the packaged sentence encoder (`lede_models::MINILM_DIR_NAME`).
pub const MINILM_DIR_NAME: &str = "all-MiniLM-L6-v2";

/// Whether missing models are failures: the `CI` environment variable is set, and not to an
/// empty string, `0` or `false`.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// lede's cache root, as `lede_models::Locations::from_env` finds it.
pub fn cache_dir() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    var("LEDE_CACHE_DIR").map(PathBuf::from).or_else(|| {
        var("XDG_CACHE_HOME")
            .map(|d| PathBuf::from(d).join("lede"))
            .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".cache").join("lede")))
    })
}

/// The lede checkouts whose `models/` directories are searched: the nearest ancestor of the
/// current directory with `models/offline.toml`, then the checkout this crate sits in.
fn repo_roots() -> Vec<PathBuf> {
    let mut roots = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        if let Some(root) = cwd
            .ancestors()
            .find(|a| a.join("models").join("offline.toml").is_file())
        {
            roots.push(root.to_path_buf());
        }
    }
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    if let Some(root) = here.parent().and_then(Path::parent) {
        if root.join("models").is_dir() {
            let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
            if !roots.contains(&root) {
                roots.push(root);
            }
        }
    }
    roots
}

/// The directories searched for project models and manifests, in order.
pub fn models_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::var_os("LEDE_MODELS_DIR").filter(|v| !v.is_empty()) {
        dirs.push(PathBuf::from(dir));
    }
    for root in repo_roots() {
        let dir = root.join("models");
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    dirs
}

/// Where the packaged MiniLM may be, in search order.
pub fn minilm_candidates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(cache) = cache_dir() {
        out.push(cache.join("models").join(MINILM_DIR_NAME));
    }
    if let Some(root) = repo_roots().first() {
        out.push(root.join(".lede").join("models").join(MINILM_DIR_NAME));
    }
    out
}

/// Where a project model called `name` may be, in search order.
pub fn project_candidates(name: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = models_dirs().iter().map(|d| d.join(name)).collect();
    if let Some(cache) = cache_dir() {
        out.push(cache.join("models").join(name));
    }
    out
}

/// The first of `candidates` that holds every one of `files`; when none does, a failure in CI
/// and a skip notice elsewhere (see [`skip_or_fail`]).
///
/// # Panics
/// In CI, when no candidate holds the files.
#[track_caller]
pub fn find_dir(what: &str, candidates: &[PathBuf], files: &[&str]) -> Option<PathBuf> {
    if let Some(dir) = candidates
        .iter()
        .find(|d| files.iter().all(|f| d.join(f).is_file()))
    {
        return Some(dir.clone());
    }
    let searched: Vec<String> = candidates.iter().map(|d| d.display().to_string()).collect();
    skip_or_fail(&format!(
        "{what} not found: no directory with {} among [{}]",
        files.join(", "),
        searched.join(", ")
    ));
    None
}

/// The packaged all-MiniLM-L6-v2 directory, if it holds every one of `files`.
///
/// # Panics
/// In CI, when it is missing (`cargo xtask setup` installs it).
#[track_caller]
pub fn minilm_dir(files: &[&str]) -> Option<PathBuf> {
    find_dir("the packaged all-MiniLM-L6-v2", &minilm_candidates(), files)
}

/// Whether the offline model files (the packaged MiniLM) are installed: the end-to-end tests'
/// check before running the binary with the default models.
///
/// # Panics
/// In CI, when they are missing.
#[track_caller]
pub fn offline_models_available() -> bool {
    minilm_dir(&["config.json", "model.safetensors"]).is_some()
}

/// The directory of the project model `name` (for example `lede-ner-minilm` or `relations`),
/// if it holds every one of `files`.
///
/// # Panics
/// In CI, when it is missing.
#[track_caller]
pub fn project_model(name: &str, files: &[&str]) -> Option<PathBuf> {
    find_dir(
        &format!("the project model {name}"),
        &project_candidates(name),
        files,
    )
}

/// Reports a missing prerequisite: panics in CI ([`in_ci`]), otherwise prints a skip notice to
/// stderr. Callers return from the test after it.
///
/// # Panics
/// In CI, always.
#[track_caller]
pub fn skip_or_fail(reason: &str) {
    assert!(
        !in_ci(),
        "{reason}; in CI (CI is set) a test that needs it fails instead of passing vacuously: \
         run `cargo xtask setup`, or set LEDE_CACHE_DIR / LEDE_MODELS_DIR"
    );
    eprintln!(
        "skipping: {reason} (run `cargo xtask setup`, or set LEDE_CACHE_DIR / LEDE_MODELS_DIR; \
         with CI set this is a failure)"
    );
}

/// An error and its causes (its `source()` chain) on one line, joined by `": "`, for tests
/// that check what a message says about the underlying failure.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_chain_joins_every_cause() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("cannot load the model")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let e = Outer(std::io::Error::other("disk on fire"));
        assert_eq!(error_chain(&e), "cannot load the model: disk on fire");
        assert_eq!(error_chain(&std::io::Error::other("alone")), "alone");
    }

    #[test]
    fn a_missing_directory_is_none_outside_ci_and_the_first_complete_one_wins() {
        let tmp = std::env::temp_dir().join(format!("lede-test-support-{}", std::process::id()));
        let (a, b) = (tmp.join("a"), tmp.join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(a.join("x"), "").unwrap();
        std::fs::write(b.join("x"), "").unwrap();
        std::fs::write(b.join("y"), "").unwrap();
        let candidates = vec![tmp.join("none"), a.clone(), b.clone()];
        assert_eq!(find_dir("t", &candidates, &["x"]), Some(a.clone()));
        assert_eq!(find_dir("t", &candidates, &["x", "y"]), Some(b.clone()));
        if !in_ci() {
            assert_eq!(find_dir("t", &candidates, &["z"]), None);
        } else {
            let missing = std::panic::catch_unwind(|| find_dir("t", &candidates, &["z"]));
            assert!(missing.is_err(), "in CI a missing model panics");
        }
        std::fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn this_checkout_is_searched() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let models = root.canonicalize().unwrap().join("models");
        assert!(models_dirs().contains(&models), "{:?}", models_dirs());
        assert!(project_candidates("relations").contains(&models.join("relations")));
        assert!(minilm_candidates()
            .iter()
            .all(|c| c.ends_with(MINILM_DIR_NAME)));
    }
}
