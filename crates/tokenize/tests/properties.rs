//! Property tests: on arbitrary Unicode (Cyrillic, accents, combining marks, emoji, CRLF,
//! NUL, quotes, abbreviations...), spans slice the text exactly, sentences and tokens are
//! ordered, disjoint, trimmed and cover every non-whitespace char, tokens never cross a
//! sentence boundary, subwords stay inside their words, windows keep their contract, and
//! nothing panics.

use std::sync::OnceLock;

use lede_core::{SentenceSplitter, Span, WordTokenizer};
use lede_tokenize::{
    LineBreaks, NewsSentenceSplitter, RuleWordTokenizer, SubwordEncoder, WindowConfig,
};
use proptest::prelude::*;

/// Pieces that exercise the rules, mixed with arbitrary chars.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z]{1,8}",
        2 => "[а-яА-ЯёЁ]{1,6}",
        2 => "[àéîõüçñÉÀ]{1,3}",
        1 => "[0-9]{1,4}",
        3 => prop::sample::select(vec![
            " ", " ", "  ", "\n", "\r\n", "\r", "\t", "\u{0}", "\u{301}", "\u{200d}", "\u{2028}",
            "\u{85}", "\u{a0}", ".", ". ", "...", "…", "!", "?", "?!", ",", ";", ":", "-", "'",
            "’", "\"", "“", "”", "‘", "«", "»", "(", ")", "[", "]", "U.S.", "U.S.-based", "e.g.",
            "Mr.", "Inc.", "No.", "Jan.", "etc.", "F.", "3.5", "10,000", "20%", ".EFE", "airline.EFE",
            ".-", "www.Ab.com", "a@b.Cd", "🎉", "👍🏽", "🇧🇾", "👩‍👩‍👧", "。", "你好", "！", "'s",
            "’s", "/", "$", "&", "\u{feff}", "\u{fffd}",
        ]).prop_map(String::from),
        2 => any::<char>().prop_map(String::from),
    ]
}

fn news_like() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..40).prop_map(|v| v.concat())
}

fn arbitrary() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..60).prop_map(|v| v.into_iter().collect())
}

/// Spans slice the text, carry the right char offsets, exclude surrounding whitespace, are
/// in order without overlap and cover every non-whitespace char.
fn check_partition(text: &str, spans: &[Span], what: &str) -> Result<(), TestCaseError> {
    let mut last_end = 0;
    for span in spans {
        let piece = span.slice(text);
        prop_assert!(
            piece.is_some(),
            "{} {:?} does not slice {:?}",
            what,
            span,
            text
        );
        let piece = piece.unwrap_or_default();
        prop_assert!(!piece.is_empty(), "empty {}", what);
        prop_assert_eq!(piece.trim(), piece, "{} not trimmed", what);
        prop_assert_eq!(span.char_start, text[..span.start].chars().count());
        prop_assert_eq!(span.char_len(), piece.chars().count());
        prop_assert!(
            span.start >= last_end,
            "{} out of order or overlapping",
            what
        );
        let gap = &text[last_end..span.start];
        prop_assert!(gap.trim().is_empty(), "{} gap {:?} has text", what, gap);
        last_end = span.end;
    }
    prop_assert!(
        text[last_end..].trim().is_empty(),
        "{} tail not covered",
        what
    );
    Ok(())
}

fn check_text(text: &str, splitter: &NewsSentenceSplitter) -> Result<(), TestCaseError> {
    let sentences = splitter.split(text);
    let spans: Vec<Span> = sentences.iter().map(|s| s.span).collect();
    check_partition(text, &spans, "sentence")?;
    for s in &sentences {
        prop_assert_eq!(s.span.slice(text), Some(s.text.as_str()));
    }
    let tokens = RuleWordTokenizer::default().tokenize(text);
    let token_spans: Vec<Span> = tokens.iter().map(|t| t.span).collect();
    check_partition(text, &token_spans, "token")?;
    for t in &tokens {
        prop_assert_eq!(t.span.slice(text), Some(t.text.as_str()));
        prop_assert!(!t.text.chars().any(char::is_whitespace));
        let inside = spans.iter().filter(|s| s.contains(&t.span)).count();
        prop_assert_eq!(
            inside,
            1,
            "token {:?} crosses a sentence boundary in {:?}",
            t,
            text
        );
    }
    Ok(())
}

fn encoder() -> &'static SubwordEncoder {
    static ENCODER: OnceLock<SubwordEncoder> = OnceLock::new();
    ENCODER.get_or_init(|| {
        let vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\nb\nc\nd\ne\n##a\n##b\n##c\n##e\n.\n,\n\
                     u\ns\n'\nthe\n##s\nм\n##и\n##н\nnew\n";
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("vocab.txt");
        std::fs::write(&path, vocab).expect("write vocab");
        SubwordEncoder::from_vocab(&path)
            .max_input_chars_per_word(6)
            .build()
            .expect("tiny encoder")
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

    #[test]
    fn news_like_text(text in news_like()) {
        check_text(&text, &NewsSentenceSplitter::default())?;
    }

    #[test]
    fn arbitrary_text(text in arbitrary()) {
        check_text(&text, &NewsSentenceSplitter::default())?;
    }

    #[test]
    fn blank_line_policy(text in news_like()) {
        let splitter = NewsSentenceSplitter::builder()
            .line_breaks(LineBreaks::BlankLine)
            .build()
            .expect("splitter");
        check_text(&text, &splitter)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn subwords_and_windows(text in news_like(), max_len in 3usize..16, stride_frac in 0usize..100) {
        let encoder = encoder();
        let full = encoder.encode(&text).expect("encode");
        let seq = &full.sequence;
        prop_assert_eq!(seq.ids.len(), seq.subwords.len());
        for s in &seq.subwords {
            match (s.word, s.span) {
                (Some(w), Some(span)) => {
                    prop_assert!(span.slice(&text).is_some());
                    prop_assert!(full.words[w].span.contains(&span));
                }
                (None, None) => prop_assert!(s.special),
                other => prop_assert!(false, "inconsistent subword {:?}", other),
            }
        }
        let capacity = max_len - encoder.special_tokens();
        let stride = stride_frac * capacity / 100;
        let windowed = encoder.windows(&text, WindowConfig::new(max_len, stride)).expect("windows");
        let content: Vec<_> = seq.subwords.iter().filter(|s| !s.special).cloned().collect();
        let mut owned = Vec::new();
        let mut next_word = 0;
        for w in &windowed.windows {
            prop_assert!(w.sequence.len() <= max_len);
            prop_assert_eq!(&w.sequence.subwords[w.content.clone()], &content[w.source.clone()]);
            owned.extend(w.sequence.subwords[w.owned.clone()].iter().cloned());
            prop_assert_eq!(w.owned_words.start, next_word);
            next_word = w.owned_words.end;
        }
        prop_assert_eq!(owned, content);
        prop_assert_eq!(next_word, full.words.len());
    }
}
