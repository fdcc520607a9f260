//! Fuzz target: arbitrary bytes as a safetensors file: format detection, header validation and
//! the strict loader into a small VarStore: an error, never a panic, and no allocation the file
//! does not warrant.
//! The checks are in `lede_fuzz::weights`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    lede_fuzz::weights::check_bytes(data);
});
