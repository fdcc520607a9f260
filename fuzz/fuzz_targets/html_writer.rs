//! Fuzz target: the HTML report (and the text report) of an Analysis built from fuzz bytes,
//! with spans clamped to char boundaries or deliberately wrong: no panic, no unescaped article
//! text, the article and evidence read back exactly.
//! The checks are in `lede_fuzz::report`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    lede_fuzz::report::check_bytes(data);
});
