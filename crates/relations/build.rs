// Build script of a lede crate whose binaries, tests, examples or benches link libtorch
// (through tch / rust-bert). Each such crate has its own copy (a published crate cannot use a
// file outside itself); the workspace test `tests/tests/packaging.rs` keeps the copies alike.
//
// rust-bert's own rpath logic never fires for a libtorch given by `LIBTORCH`, so binaries and
// test executables would need `LD_LIBRARY_PATH`. This bakes `$LIBTORCH/lib` into their RPATH
// (old-style DT_RPATH, which also applies to libtorch's own dependencies), so
// `target/release/lede` runs with no environment variables.
fn main() {
    rpath();
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
