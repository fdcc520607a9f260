//! What packaging the crates for crates.io relies on: files a crate embeds live inside it and
//! their copies in `models/` stay identical, every publishable crate carries the license text
//! and a README, and build scripts stay inside their crates and all set the libtorch RPATH
//! through the one implementation in lede-build.

use std::path::{Path, PathBuf};

use lede_tests::workspace_root;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The crate directories under `crates/`, with whether their manifest says `publish = false`.
fn crates() -> Vec<(PathBuf, bool)> {
    let mut out: Vec<(PathBuf, bool)> = std::fs::read_dir(workspace_root().join("crates"))
        .expect("crates/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .map(|p| {
            let private = read(&p.join("Cargo.toml"))
                .lines()
                .any(|l| l.trim().replace(' ', "") == "publish=false");
            (p, !private)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn embedded_files_and_their_copies_in_models_are_identical() {
    let root = workspace_root();
    for (inside, copy) in [
        (
            "crates/models/manifests/offline.toml",
            "models/offline.toml",
        ),
        (
            "crates/models/manifests/standard.toml",
            "models/standard.toml",
        ),
        (
            "crates/relations/schema/news.toml",
            "models/relations/news.toml",
        ),
    ] {
        assert_eq!(
            read(&root.join(inside)),
            read(&root.join(copy)),
            "{copy} must be a byte-identical copy of {inside}: copy the file over"
        );
    }
}

#[test]
fn every_publishable_crate_has_the_license_and_a_readme() {
    let root = workspace_root();
    let license = read(&root.join("LICENSE"));
    assert!(license.contains("Apache License") && license.contains("Version 2.0, January 2004"));
    assert!(
        license.contains("END OF TERMS AND CONDITIONS"),
        "the full text"
    );
    let publishable: Vec<_> = crates().into_iter().filter(|(_, p)| *p).collect();
    assert_eq!(publishable.len(), 9, "{publishable:?}");
    for (dir, _) in publishable {
        assert_eq!(
            read(&dir.join("LICENSE")),
            license,
            "{}/LICENSE must be the license text (a link to ../../LICENSE)",
            dir.display()
        );
        let readme = read(&dir.join("README.md"));
        assert!(readme.starts_with("# "), "{}/README.md", dir.display());
        let manifest = read(&dir.join("Cargo.toml"));
        for key in [
            "readme",
            "keywords",
            "categories",
            "documentation",
            "homepage",
        ] {
            assert!(
                manifest.lines().any(|l| l.starts_with(&format!("{key} ")) || l.starts_with(&format!("{key}."))),
                "{}/Cargo.toml has no `{key}`",
                dir.display()
            );
        }
    }
}

#[test]
fn build_scripts_stay_inside_their_crates_and_set_the_rpath() {
    let root = workspace_root();
    let mut dirs: Vec<PathBuf> = crates().into_iter().map(|(d, _)| d).collect();
    dirs.push(root.join("tests"));
    let mut with_script = 0;
    for dir in dirs {
        let manifest = read(&dir.join("Cargo.toml"));
        assert!(
            !manifest
                .lines()
                .any(|l| l.trim_start().starts_with("build =")),
            "{}: use the crate's own build.rs, not a `build =` path",
            dir.display()
        );
        let script = dir.join("build.rs");
        if script.is_file() {
            with_script += 1;
            let text = read(&script);
            assert!(
                text.contains("lede_build::libtorch_rpath();"),
                "{} does not call lede_build::libtorch_rpath()",
                script.display()
            );
            assert!(
                !text.contains("rustc-link-arg"),
                "{}: set the RPATH through lede-build, not by hand",
                script.display()
            );
            let build_deps = manifest
                .split("[build-dependencies]")
                .nth(1)
                .and_then(|rest| rest.split("\n[").next())
                .unwrap_or_else(|| panic!("{}: no [build-dependencies]", dir.display()));
            assert!(
                build_deps
                    .lines()
                    .any(|l| l.trim_start().starts_with("lede-build")),
                "{}: lede-build must be a build-dependency",
                dir.display()
            );
        }
    }
    // The one implementation of the RPATH: a publishable crate with no dependencies.
    let helper = root.join("crates/build-support");
    let text = read(&helper.join("src/lib.rs"));
    for line in [
        "println!(\"cargo:rerun-if-env-changed=LIBTORCH\");",
        "println!(\"cargo:rustc-link-arg=-Wl,--disable-new-dtags\");",
        "println!(\"cargo:rustc-link-arg=-Wl,-rpath,{}\", lib.display());",
    ] {
        assert!(text.contains(line), "{} lacks {line}", helper.display());
    }
    let manifest = read(&helper.join("Cargo.toml"));
    assert!(manifest.contains("name = \"lede-build\""), "{manifest}");
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .unwrap_or_default()
        .split("\n[")
        .next()
        .unwrap_or_default();
    assert!(
        deps.lines()
            .all(|l| l.trim().is_empty() || l.trim().starts_with('#')),
        "lede-build must have no dependencies: {deps}"
    );
    // models, ner, relations, summarize, lede and the workspace tests link libtorch.
    assert_eq!(with_script, 6);
    assert!(!root.join("build").exists(), "build/ is gone");
}
