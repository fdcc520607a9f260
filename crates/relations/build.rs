// Build script of a lede crate whose binaries, tests, examples or benches link libtorch
// (through tch / rust-bert): bakes `$LIBTORCH/lib` into their RPATH (see lede-build).
fn main() {
    lede_build::libtorch_rpath();
}
