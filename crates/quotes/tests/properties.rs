//! Any text, however broken its quotation marks: no panic, every span slices the text, and
//! the quotes come in text order.

use lede_core::{Document, QuoteExtractor};
use lede_quotes::QuoteFinder;
use lede_tokenize::Segmenter;
use proptest::prelude::*;

fn pieces() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\"".to_string()),
        Just("“".to_string()),
        Just("”".to_string()),
        Just("'".to_string()),
        Just("‘".to_string()),
        Just("’".to_string()),
        Just("«".to_string()),
        Just("»".to_string()),
        Just(" he said".to_string()),
        Just(", said the envoy".to_string()),
        Just(" according to police, ".to_string()),
        Just(" Mr Cole says that ".to_string()),
        Just(". ".to_string()),
        Just(", ".to_string()),
        Just("\n".to_string()),
        "[a-zA-Zé ]{0,12}",
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn spans_always_slice_the_text(text in pieces()) {
        let doc = Segmenter::default().annotate(Document::new("p", text.clone()));
        let quotes = QuoteFinder::default().extract_quotes(&doc).unwrap();
        let mut last = 0;
        for q in &quotes {
            prop_assert_eq!(q.span.slice(&text), Some(q.text.as_str()));
            prop_assert!(!q.text.trim().is_empty());
            prop_assert!(q.span.start >= last, "quotes come in text order");
            last = q.span.start;
            for p in [&q.cue, &q.speaker].into_iter().flatten() {
                prop_assert_eq!(p.span.slice(&text), Some(p.text.as_str()));
            }
            prop_assert!((0.0..=1.0).contains(&q.score));
        }
    }
}
