//! The checks behind lede's fuzz targets, callable from tests on stable Rust.
//!
//! One module per target (`fuzz_targets/<name>.rs` calls its `check_bytes`); every check
//! panics with a message when an invariant breaks, so a fuzzer reports it as a crash:
//!
//! * [`tokens`]: `split_and_tokenize`, sentences, tokens, subwords and windows;
//! * [`inputs`]: `input_decode`, the `lede` binary's input decoding and JSON Lines reading;
//! * [`manifests`]: `schema_toml`, the relation schema and the model-set manifest;
//! * [`configs`]: `config_json`, the offline NER model config and the relation classifier
//!   metadata;
//! * [`weights`]: `safetensors_header`, the safetensors header check and the strict loader;
//! * [`report`]: `html_writer`, the HTML report (and the text report) on fuzzed analyses.
//!
//! The `lede` binary's own modules are not library API; [`input`], [`html`] and [`output`]
//! are its source files (`crates/lede/src/cli/`) compiled into this crate as they are.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

#[path = "../../crates/lede/src/cli/html.rs"]
pub mod html;
#[path = "../../crates/lede/src/cli/input.rs"]
pub mod input;
#[path = "../../crates/lede/src/cli/output.rs"]
pub mod output;

pub mod configs;
pub mod inputs;
pub mod manifests;
pub mod report;
pub mod tokens;
pub mod weights;

pub use tokens::{check, check_bytes};

/// The system allocator, recording the largest single request of each thread, so that a
/// check can say "no allocation larger than the input warrants" (a lying length field).
/// Only Rust allocations are seen; libtorch's own are not.
pub struct LargestAlloc;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    let _ = LARGEST.try_with(|l| l.set(l.get().max(size)));
}

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for LargestAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        System.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOC: LargestAlloc = LargestAlloc;

/// Runs `f` and returns its result with the largest single Rust allocation this thread made
/// meanwhile, in bytes.
pub fn largest_allocation<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = LARGEST.with(|l| l.replace(0));
    let out = f();
    let largest = LARGEST.with(|l| l.replace(before.max(l.get())));
    (out, largest)
}

/// Crashes found in `crates/` code, kept as regression tests. They are ignored until the code
/// is fixed (`cargo test -- --ignored` runs them); each panics today in a debug build (and so
/// under `scripts/fuzz.sh`, which builds with debug assertions).
#[cfg(test)]
mod regressions {
    use lede_core::{Analysis, Document, Entity, Evidence, Mention, Relation, Span};

    /// `html_writer`: a mention whose span is reversed (`end < start`), starting inside a
    /// relation's evidence and ending before it, underflows `m.span.end - ev.span.start` in
    /// `evidence_html`.
    #[test]
    fn html_reversed_mention_in_evidence() {
        let text = "Alice met Bob in Paris.";
        let doc = Document::new("d", text);
        let mut a = Analysis::empty(&doc);
        let span = |start, end| Span {
            start,
            end,
            char_start: start,
            char_end: end,
        };
        a.entities = vec![Entity {
            id: "E1".into(),
            name: "Alice".into(),
            label: "PERSON".into(),
            mentions: vec![Mention {
                text: "x".into(),
                label: "PERSON".into(),
                score: 1.0,
                span: span(5, 2),
            }],
        }];
        a.relations = vec![Relation {
            head: "E1".into(),
            tail: String::new(),
            head_name: "Alice".into(),
            tail_name: "Paris".into(),
            label: "x".into(),
            score: 1.0,
            evidence: Evidence {
                span: span(3, 10),
                text: text[3..10].into(),
            },
        }];
        crate::report::check(&a, text);
    }

    /// `input_decode`: a JSON Lines line that is an array, not an object, is read as a
    /// document (serde's derived `Deserialize` of `JsonDoc` takes a sequence as the fields in
    /// order: `["a", "Some text."]` is the document `a`) instead of a `BadJsonLine` error.
    #[test]
    fn jsonl_array_line_is_not_a_document() {
        use crate::input::{read_source, InputError, InputFormat, InputOptions, InputSource};
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("feed.jsonl");
        std::fs::write(&path, "[\"a\",\"Some text.\"]\n").expect("write feed");
        let opts = InputOptions {
            format: InputFormat::Jsonl,
            ..InputOptions::default()
        };
        let got: Vec<_> = read_source(&InputSource::Path(path), &opts).collect();
        assert_eq!(got.len(), 1);
        assert!(
            matches!(
                got[0].document,
                Err(InputError::BadJsonLine { line: 1, .. })
            ),
            "{:?} {:?}",
            got[0].id,
            got[0].document
        );
        let mut data = vec![1u8];
        data.extend_from_slice(b"[\"a\",\"Some text.\"]\n");
        crate::inputs::check_bytes(&data);
    }

    /// `config_json`: `PairClassifier::load` computes `4 * encoder_dim + 2` (and the extra
    /// features' `2 * encoder_dim`) unchecked; in a release build 2^62 + 1 wraps to the
    /// input width of `encoder_dim` 1, and the metadata is accepted.
    #[test]
    fn classifier_encoder_dim_overflow() {
        let meta = crate::configs::meta_json(serde_json::json!({
            "encoder_dim": 4_611_686_018_427_387_905u64
        }));
        crate::configs::check_bytes(meta.as_bytes());
    }

    /// `config_json`: `PairClassifier::load` makes zero tensors of the sizes the metadata
    /// claims (`read_head`, tch's panicking `zeros_no_train`) before it compares them with
    /// the weights file, so `hidden_units` (or `input_dim`, or the label count) of 2^40 panics
    /// in libtorch's allocator, also in a release build; a smaller lie (10^8) allocates
    /// gigabytes first. The weights file and its digest are valid here: only the metadata lies.
    #[test]
    fn classifier_huge_hidden_units() {
        let meta = crate::configs::meta_json(serde_json::json!({ "hidden_units": 1u64 << 40 }));
        crate::configs::check_bytes(meta.as_bytes());
    }

    /// `config_json`: `ModelConfig::read` checks `stride + 2 >= max_len` unchecked; in a release
    /// build `stride` = 2^64 - 1 wraps to 1 and the config is accepted.
    #[test]
    fn ner_config_stride_overflow() {
        let shipped = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/seeds/config_json/ner-config.json"
        );
        let text = std::fs::read_to_string(shipped).expect("seed config");
        let mut v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        v["stride"] = serde_json::json!(u64::MAX);
        crate::configs::check_bytes(v.to_string().as_bytes());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn largest_allocation_sees_one_big_vector() {
        let (v, largest) = super::largest_allocation(|| vec![0u8; 5 << 20]);
        assert_eq!(v.len(), 5 << 20);
        assert!(largest >= 5 << 20, "{largest}");
        let ((), small) = super::largest_allocation(|| {
            let _ = vec![0u8; 10];
        });
        assert!(small < 1 << 20, "{small}");
    }
}
