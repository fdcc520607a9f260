//! Fuzz target: sentence splitting, word tokens, subword encoding and windows on arbitrary
//! bytes (decoded lossily as UTF-8). Panics, and broken offset invariants, are findings.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    lede_fuzz::check_bytes(data);
});
