//! Fuzz target: the offline NER model config.json and the relation classifier metadata JSON,
//! parsed and validated (the classifier loaded beside a small valid weights file): an error,
//! never a panic.
//! The checks are in `lede_fuzz::configs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    lede_fuzz::configs::check_bytes(data);
});
