//! Fuzz target: the relation schema TOML (cue patterns compiled and run on an article) and the
//! model-set manifest TOML, on arbitrary text: an error, never a panic.
//! The checks are in `lede_fuzz::manifests`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    lede_fuzz::manifests::check_bytes(data);
});
