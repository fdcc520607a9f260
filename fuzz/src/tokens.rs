//! Target `split_and_tokenize`: sentence splitting, word tokens, subword encoding and windows.
//!
//! Every check panics (with a message) when an invariant breaks: spans must slice the text
//! exactly and agree with char offsets; sentences and tokens must be ordered, disjoint,
//! trimmed and cover every non-whitespace char; tokens must not cross sentence boundaries;
//! subwords must lie inside their words; window owned parts must give the content once.

use std::sync::OnceLock;

use lede_core::{SentenceSplitter, Span, WordTokenizer};
use lede_tokenize::{
    LineBreaks, NewsSentenceSplitter, RuleWordTokenizer, SubwordEncoder, WindowConfig,
};

struct Tools {
    lines: NewsSentenceSplitter,
    paragraphs: NewsSentenceSplitter,
    words: RuleWordTokenizer,
    encoder: SubwordEncoder,
}

fn tools() -> &'static Tools {
    static TOOLS: OnceLock<Tools> = OnceLock::new();
    TOOLS.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("vocab.txt");
        let vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\na\nb\ne\n##a\n##e\n##s\n.\n,\nthe\nu\ns\n";
        std::fs::write(&path, vocab).expect("write vocab");
        Tools {
            lines: NewsSentenceSplitter::default(),
            paragraphs: NewsSentenceSplitter::builder()
                .line_breaks(LineBreaks::BlankLine)
                .build()
                .expect("splitter"),
            words: RuleWordTokenizer::default(),
            encoder: SubwordEncoder::from_vocab(&path)
                .max_input_chars_per_word(8)
                .build()
                .expect("encoder"),
        }
    })
}

fn check_partition(text: &str, spans: &[Span], what: &str) {
    let mut last_end = 0;
    for span in spans {
        let piece = span
            .slice(text)
            .unwrap_or_else(|| panic!("{what} {span:?} does not slice {text:?}"));
        assert!(!piece.is_empty(), "empty {what} in {text:?}");
        assert_eq!(piece.trim(), piece, "{what} not trimmed in {text:?}");
        assert_eq!(
            span.char_start,
            text[..span.start].chars().count(),
            "{what} char_start"
        );
        assert_eq!(span.char_len(), piece.chars().count(), "{what} char_len");
        assert!(span.start >= last_end, "{what} out of order in {text:?}");
        assert!(
            text[last_end..span.start].trim().is_empty(),
            "{what} gap has text in {text:?}"
        );
        last_end = span.end;
    }
    assert!(
        text[last_end..].trim().is_empty(),
        "{what} tail uncovered in {text:?}"
    );
}

/// Runs every check on `text`; `knob` varies the window configuration.
pub fn check(text: &str, knob: usize) {
    let tools = tools();
    let tokens = tools.words.tokenize(text);
    let token_spans: Vec<Span> = tokens.iter().map(|t| t.span).collect();
    check_partition(text, &token_spans, "token");
    for splitter in [&tools.lines, &tools.paragraphs] {
        let sentences = splitter.split(text);
        let spans: Vec<Span> = sentences.iter().map(|s| s.span).collect();
        check_partition(text, &spans, "sentence");
        for t in &token_spans {
            assert_eq!(
                spans.iter().filter(|s| s.contains(t)).count(),
                1,
                "token {t:?} crosses a sentence boundary in {text:?}"
            );
        }
    }

    let encoding = tools.encoder.encode(text).expect("encode");
    for s in &encoding.sequence.subwords {
        if let (Some(w), Some(span)) = (s.word, s.span) {
            assert!(
                encoding.words[w].span.contains(&span),
                "subword outside its word"
            );
        } else {
            assert!(s.special, "content subword without word or span");
        }
    }
    let max_len = 3 + knob % 13;
    let capacity = max_len - tools.encoder.special_tokens();
    let stride = (knob / 13) % capacity;
    let windowed = tools
        .encoder
        .windows(text, WindowConfig::new(max_len, stride))
        .expect("windows");
    let content: Vec<_> = encoding
        .sequence
        .subwords
        .iter()
        .filter(|s| !s.special)
        .collect();
    let owned: Vec<_> = windowed
        .windows
        .iter()
        .flat_map(|w| w.sequence.subwords[w.owned.clone()].iter())
        .collect();
    assert_eq!(owned, content, "window ownership in {text:?}");
    assert!(windowed.windows.iter().all(|w| w.sequence.len() <= max_len));
}

/// The fuzz entry point: lossy UTF-8, and the byte sum as the window knob.
pub fn check_bytes(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let knob = data.iter().map(|&b| usize::from(b)).sum::<usize>();
    check(&text, knob);
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixed_inputs() {
        for (i, text) in [
            "",
            "\u{0}",
            "Mr. Smith.\r\nU.S.-based airline.EFE\nmos/dgp",
            "“It is over. We won.” Они ушли… 🎉👍🏽 e\u{301}. 你好。世界",
            "a.a.a.a.a.a.a.a.A.Aa.Bb...\u{2028}\u{85}'s’s",
        ]
        .iter()
        .enumerate()
        {
            super::check(text, i * 7);
        }
        super::check_bytes(&[0xff, 0xfe, b'.', b'A', b'b']);
    }
}
