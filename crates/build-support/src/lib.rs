//! The build-script helper of the lede crates whose binaries, tests, examples or benches link
//! libtorch (through tch / rust-bert).
//!
//! rust-bert's own rpath logic never fires for a libtorch given by `LIBTORCH`, so binaries and
//! test executables would need `LD_LIBRARY_PATH`. [`libtorch_rpath`] bakes `$LIBTORCH/lib` into
//! their RPATH (old-style DT_RPATH, which also applies to libtorch's own dependencies), so
//! `target/release/lede` runs with no environment variables.
//!
//! In the `fn main` of a crate's `build.rs` (with `lede-build` as a build-dependency):
//!
//! ```no_run
//! lede_build::libtorch_rpath();
//! ```

#![deny(missing_docs)]

use std::path::PathBuf;

/// Tells Cargo, from a build script, to link the package's binaries, tests, examples and
/// benches with `$LIBTORCH/lib` as their RPATH (as DT_RPATH, `--disable-new-dtags`), and to
/// run the build script again when `LIBTORCH` changes.
///
/// The directory is canonicalized first (`.lede/libtorch` is a link into the cache), so the
/// RPATH names the real directory and survives a clean of the work tree. Without `LIBTORCH`
/// it prints only the rerun line.
pub fn libtorch_rpath() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    if let Some(lib) = libtorch_lib(std::env::var("LIBTORCH").ok()) {
        println!("cargo:rustc-link-arg=-Wl,--disable-new-dtags");
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
    }
}

/// The `lib` directory of the libtorch at `libtorch`, with links resolved where it exists.
fn libtorch_lib(libtorch: Option<String>) -> Option<PathBuf> {
    let dir = PathBuf::from(libtorch?);
    let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
    Some(dir.join("lib"))
}

#[cfg(test)]
mod tests {
    use super::libtorch_lib;

    #[test]
    fn no_libtorch_gives_no_rpath() {
        assert_eq!(libtorch_lib(None), None);
    }

    #[test]
    fn the_rpath_is_the_lib_directory_of_the_canonical_libtorch() {
        let tmp = std::env::temp_dir().canonicalize().expect("temp dir");
        assert_eq!(
            libtorch_lib(Some(tmp.display().to_string())),
            Some(tmp.join("lib"))
        );
        let missing = tmp.join("lede-build-no-such-libtorch");
        assert_eq!(
            libtorch_lib(Some(missing.display().to_string())),
            Some(missing.join("lib"))
        );
    }
}
