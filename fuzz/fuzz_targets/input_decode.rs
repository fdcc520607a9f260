//! Fuzz target: the `lede` binary's input decoding (crates/lede/src/cli/input.rs) on arbitrary
//! bytes: decode under both encodings, and the bytes read as a JSON Lines feed, a lines file
//! and a text file.
//! The checks are in `lede_fuzz::inputs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    lede_fuzz::inputs::check_bytes(data);
});
