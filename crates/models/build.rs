// Build script of lede-models, whose tests, examples and benches link libtorch (through tch /
// rust-bert): bakes `$LIBTORCH/lib` into their RPATH (see lede-build).
//
// lede-models also records, at compile time, the lede checkout it is built in (if any), so
// that model lookup finds the checkout's `models/` directory without guessing from
// `CARGO_MANIFEST_DIR/../..` at run time (a published crate has no checkout around it).
fn main() {
    lede_build::libtorch_rpath();
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
