// The fuzz targets and tests link libtorch (through tch, lede-models, lede-ner and
// lede-relations): bake `$LIBTORCH/lib` into their RPATH, as the lede crates do (lede-build).
fn main() {
    lede_build::libtorch_rpath();
}
