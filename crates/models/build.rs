// Build script of a lede crate whose binaries, tests, examples or benches link libtorch
// (through tch / rust-bert). Each such crate has its own copy (a published crate cannot use a
// file outside itself); the workspace test `tests/tests/packaging.rs` keeps the copies alike.
//
// rust-bert's own rpath logic never fires for a libtorch given by `LIBTORCH`, so binaries and
// test executables would need `LD_LIBRARY_PATH`. This bakes `$LIBTORCH/lib` into their RPATH
// (old-style DT_RPATH, which also applies to libtorch's own dependencies), so
// `target/release/lede` runs with no environment variables.
//
// lede-models also records, at compile time, the lede checkout it is built in (if any), so
// that model lookup finds the checkout's `models/` directory without guessing from
// `CARGO_MANIFEST_DIR/../..` at run time (a published crate has no checkout around it).
fn main() {
    rpath();
    checkout();
}

/// Sets `LEDE_CHECKOUT_DIR` for the crate's code when this crate sits at `crates/models` of a
/// lede checkout that has a `models/` directory with the offline manifest.
fn checkout() {
    let Some(manifest_dir) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        return;
    };
    let here = std::path::PathBuf::from(manifest_dir);
    let Some(root) = here.parent().and_then(|p| p.parent()) else {
        return;
    };
    let same_crate = match (
        std::fs::canonicalize(root.join("crates").join("models")),
        std::fs::canonicalize(&here),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    let manifest = root.join("models").join("offline.toml");
    if same_crate && manifest.is_file() {
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        println!("cargo:rustc-env=LEDE_CHECKOUT_DIR={}", root.display());
    }
}

fn rpath() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    if let Ok(dir) = std::env::var("LIBTORCH") {
        // Resolve links (`.lede/libtorch` points into the cache) so the RPATH names the real
        // directory and survives a clean of the work tree.
        let dir = std::fs::canonicalize(&dir).unwrap_or_else(|_| dir.into());
        let lib = dir.join("lib");
        println!("cargo:rustc-link-arg=-Wl,--disable-new-dtags");
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
    }
}
