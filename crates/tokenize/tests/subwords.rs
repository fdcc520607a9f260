//! Subword encoding and windows, with a tiny WordPiece vocabulary written here and, when it
//! is installed, the all-MiniLM-L6-v2 tokenizer.

use std::path::PathBuf;

use lede_core::{tokens_in, SentenceSplitter, WordTokenizer};
use lede_tokenize::{
    Error, NewsSentenceSplitter, RuleWordTokenizer, SubwordEncoder, SubwordEncoding,
    SubwordSequence, WindowConfig,
};

const VOCAB: &[&str] = &[
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "river", "rose", "bel", "##arus", "##ian",
    ".", ",", "u", "s", "'", "don", "t", "cafe", "in", "minsk", "##k", "and", "fell", "a", "b",
    "c", "d", "e", "##s", "-", "\u{201c}", "\u{201d}",
];

fn tiny_vocab() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vocab.txt");
    std::fs::write(&path, VOCAB.join("\n") + "\n").unwrap();
    (dir, path)
}

/// The subwords of an encoding without the special tokens around them.
fn content_subwords(encoding: &SubwordEncoding) -> Vec<lede_tokenize::Subword> {
    encoding
        .sequence
        .subwords
        .iter()
        .filter(|s| !s.special)
        .cloned()
        .collect()
}

fn tiny_encoder() -> (tempfile::TempDir, SubwordEncoder) {
    let (dir, path) = tiny_vocab();
    let encoder = SubwordEncoder::from_vocab(&path).build().unwrap();
    (dir, encoder)
}

fn id(token: &str) -> u32 {
    u32::try_from(VOCAB.iter().position(|t| *t == token).unwrap()).unwrap()
}

/// Checks the invariants every encoding must satisfy.
fn check_sequence(text: &str, words: &[lede_core::Token], seq: &SubwordSequence) {
    assert_eq!(seq.ids.len(), seq.subwords.len());
    assert_eq!(seq.type_ids.len(), seq.ids.len());
    assert_eq!(seq.attention_mask.len(), seq.ids.len());
    assert!(seq.attention_mask.iter().all(|&m| m == 1));
    let mut last_word = None;
    for (s, &i) in seq.subwords.iter().zip(&seq.ids) {
        assert_eq!(s.id, i);
        if s.special {
            assert!(s.word.is_none() && s.span.is_none());
            continue;
        }
        let w = s.word.expect("content subwords have a word");
        assert!(last_word <= Some(w), "word indices never go back");
        last_word = Some(w);
        let span = s.span.expect("content subwords have a span");
        assert!(span.slice(text).is_some());
        assert!(words[w].span.contains(&span), "subword inside its word");
        let chars: String = text
            .chars()
            .skip(span.char_start)
            .take(span.char_len())
            .collect();
        assert_eq!(Some(chars.as_str()), span.slice(text));
    }
}

#[test]
fn tiny_vocab_encoding_and_alignment() {
    let (_dir, encoder) = tiny_encoder();
    assert_eq!(encoder.special_tokens(), 2);
    assert_eq!(encoder.pad_id(), 0);
    assert_eq!(encoder.max_length_hint(), None);
    assert_eq!(encoder.token_to_id("river"), Some(id("river")));
    let text = "The Belarusian river rose in Café Minsk, zebra.";
    let enc = encoder.encode(text).unwrap();
    check_sequence(text, &enc.words, &enc.sequence);
    let seq = &enc.sequence;
    let toks: Vec<&str> = seq.subwords.iter().map(|s| s.token.as_str()).collect();
    assert_eq!(
        toks,
        [
            "[CLS]", "the", "bel", "##arus", "##ian", "river", "rose", "in", "cafe", "minsk", ",",
            "[UNK]", ".", "[SEP]"
        ]
    );
    assert_eq!(seq.ids[0], id("[CLS]"));
    assert_eq!(seq.ids[3], id("##arus"));
    let piece = |p: usize| seq.subwords[p].span.and_then(|s| s.slice(text)).unwrap();
    assert_eq!(piece(2), "Bel");
    assert_eq!(piece(3), "arus");
    assert_eq!(piece(4), "ian");
    assert_eq!(
        piece(8),
        "Café",
        "accents stripped, offsets still on the original"
    );
    assert_eq!(piece(11), "zebra", "an unknown word maps to the whole word");
    assert_eq!(seq.subwords[2].word, Some(1));
    assert_eq!(seq.subwords[4].word, Some(1));
    assert_eq!(seq.word_subwords(1), 2..5);
    assert_eq!(seq.word_subwords(99), 0..0);
    let starts = seq.word_starts();
    assert_eq!(starts.len(), enc.words.len());
    assert_eq!(starts[1], (2, 1));
    assert_eq!(seq.ids_i64()[1], i64::from(id("the")));
}

#[test]
fn cased_vocab_keeps_case() {
    let (_dir, path) = tiny_vocab();
    let encoder = SubwordEncoder::from_vocab(&path)
        .lowercase(false)
        .build()
        .unwrap();
    let enc = encoder.encode("the The").unwrap();
    let toks: Vec<&str> = enc
        .sequence
        .subwords
        .iter()
        .map(|s| s.token.as_str())
        .collect();
    assert_eq!(toks, ["[CLS]", "the", "[UNK]", "[SEP]"]);
}

#[test]
fn special_token_text_is_plain_text() {
    let (_dir, encoder) = tiny_encoder();
    let enc = encoder.encode("[SEP]").unwrap();
    assert_eq!(
        enc.sequence.subwords.iter().filter(|s| s.special).count(),
        2
    );
}

#[test]
fn empty_text() {
    let (_dir, encoder) = tiny_encoder();
    let enc = encoder.encode("").unwrap();
    assert!(enc.words.is_empty());
    assert_eq!(enc.sequence.ids, [id("[CLS]"), id("[SEP]")]);
    let w = encoder.windows("  ", WindowConfig::new(8, 2)).unwrap();
    assert_eq!(w.windows.len(), 1);
    assert!(w.windows[0].content.is_empty() && w.windows[0].owned.is_empty());
}

#[test]
fn encode_words_of_one_sentence() {
    let (_dir, encoder) = tiny_encoder();
    let text = "The river rose. Minsk fell.";
    let sentences = NewsSentenceSplitter::default().split(text);
    let tokens = RuleWordTokenizer::default().tokenize(text);
    let second = tokens_in(&tokens, &sentences[1]);
    let seq = encoder.encode_words(text, second).unwrap();
    check_sequence(text, second, &seq);
    assert_eq!(seq.subwords[1].word, Some(0));
    assert_eq!(
        seq.subwords[1].span.and_then(|s| s.slice(text)),
        Some("Minsk")
    );
    assert_eq!(seq.subwords[1].span.map(|s| s.start), Some(16));

    let mut bad = second.to_vec();
    bad[0].span.end = 999;
    assert!(matches!(
        encoder.encode_words(text, &bad),
        Err(Error::InvalidWordSpan { index: 0, .. })
    ));
}

#[test]
fn batch_matches_sequential_and_pads() {
    let (_dir, encoder) = tiny_encoder();
    let texts = [
        "The river rose.",
        "",
        "Minsk, Belarusian café and the river fell.",
    ];
    let batch = encoder.encode_batch(&texts).unwrap();
    let one: Vec<SubwordEncoding> = texts.iter().map(|t| encoder.encode(t).unwrap()).collect();
    assert_eq!(batch, one);
    let seqs: Vec<&SubwordSequence> = batch.iter().map(|e| &e.sequence).collect();
    let padded = SubwordSequence::pad_batch(&seqs, encoder.pad_id());
    let longest = seqs.iter().map(|s| s.len()).max().unwrap();
    assert_eq!((padded.rows, padded.cols), (3, longest));
    assert_eq!(padded.ids.len(), 3 * longest);
    assert_eq!(
        padded.attention_mask[longest + 2],
        0,
        "row 1 is [CLS] [SEP] then padding"
    );
    assert_eq!(padded.attention_mask[longest + 1], 1);
    assert_eq!(padded.ids[longest + 2], 0);
}

#[test]
fn windows_contract() {
    let (_dir, encoder) = tiny_encoder();
    let text = "The Belarusian river rose in Minsk, and the Belarusian river fell. \
                A b c d e, the river rose and fell in Café Minsk. Belarusian Belarusian.";
    let full = encoder.encode(text).unwrap();
    let content = content_subwords(&full);
    for (max_len, stride) in [(8, 2), (8, 0), (6, 3), (12, 5), (3, 0), (200, 10)] {
        let windowed = encoder
            .windows(text, WindowConfig::new(max_len, stride))
            .unwrap();
        assert_eq!(windowed.words, full.words);
        let windows = &windowed.windows;
        let mut owned = Vec::new();
        let mut next_word = 0;
        for (k, w) in windows.iter().enumerate() {
            assert_eq!(w.index, k);
            let seq = &w.sequence;
            check_sequence(text, &full.words, seq);
            assert!(
                seq.len() <= max_len,
                "window {k} has {} > {max_len}",
                seq.len()
            );
            assert_eq!(
                seq.subwords.first().map(|s| s.token.as_str()),
                Some("[CLS]")
            );
            assert_eq!(seq.subwords.last().map(|s| s.token.as_str()), Some("[SEP]"));
            assert_eq!(w.content.len(), w.source.len());
            assert_eq!(w.owned.len(), w.owned_source.len());
            assert!(w.content.start <= w.owned.start && w.owned.end <= w.content.end);
            assert_eq!(&seq.subwords[w.content.clone()], &content[w.source.clone()]);
            owned.extend(seq.subwords[w.owned.clone()].iter().cloned());
            assert_eq!(w.owned_words.start, next_word);
            next_word = w.owned_words.end;
            if k > 0 {
                let prev = &windows[k - 1];
                assert!(prev.source.end.saturating_sub(w.source.start) <= stride);
                assert!(w.source.start > prev.source.start);
            }
            // No word is split: every word in the window has all its subwords here.
            for word in w.words.clone() {
                let all = full.sequence.word_subwords(word).len();
                let here = seq.word_subwords(word).len();
                if all + 2 <= max_len {
                    assert_eq!(
                        here, all,
                        "word {word} split in window {k} ({max_len}/{stride})"
                    );
                }
            }
        }
        assert_eq!(owned, content, "owned parts = the content, once, in order");
        assert_eq!(next_word, full.words.len());
        if max_len >= 200 {
            assert_eq!(windows.len(), 1);
        } else {
            assert!(windows.len() > 1);
        }
    }
}

#[test]
fn invalid_windows() {
    let (_dir, encoder) = tiny_encoder();
    for (max_len, stride) in [(2, 0), (0, 0), (5, 3), (5, 4)] {
        assert!(matches!(
            encoder.windows("the river", WindowConfig::new(max_len, stride)),
            Err(Error::InvalidWindow { .. })
        ));
    }
}

#[test]
fn builder_errors() {
    assert!(matches!(
        SubwordEncoder::builder().build(),
        Err(Error::MissingSource)
    ));
    let missing = SubwordEncoder::from_vocab("/nonexistent/vocab.txt").build();
    match missing {
        Err(Error::Io { path, .. }) => assert!(path.ends_with("vocab.txt")),
        other => panic!("expected Io, got {other:?}"),
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vocab.txt");
    std::fs::write(&path, "[UNK]\n[SEP]\nthe\n").unwrap();
    assert!(matches!(
        SubwordEncoder::from_vocab(&path).build(),
        Err(Error::MissingToken {
            role: "classifier",
            ..
        })
    ));
    let json = dir.path().join("tokenizer.json");
    std::fs::write(&json, "{ not json").unwrap();
    let err = SubwordEncoder::from_tokenizer_json(&json)
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Tokenizer { .. }));
    assert!(
        std::error::Error::source(&err).is_some(),
        "the tokenizers error is kept"
    );
}

#[test]
fn round_trip_through_tokenizer_json() {
    let (_dir, encoder) = tiny_encoder();
    let json = encoder.tokenizer().to_string(false).unwrap();
    let again = SubwordEncoder::builder()
        .tokenizer_json_bytes(json)
        .build()
        .unwrap();
    let text = "The Belarusian river rose in Café Minsk.";
    assert_eq!(encoder.encode(text).unwrap(), again.encode(text).unwrap());
    let from_tok = SubwordEncoder::from_tokenizer(encoder.tokenizer().clone())
        .build()
        .unwrap();
    assert_eq!(
        encoder.encode(text).unwrap(),
        from_tok.encode(text).unwrap()
    );
}

/// The packaged MiniLM's tokenizer files, found where lede finds them; skipped without them,
/// a failure in CI (`lede_test_support`).
fn minilm_dir() -> Option<PathBuf> {
    lede_test_support::minilm_dir(&["tokenizer.json", "vocab.txt"])
}

#[test]
fn minilm_tokenizer_matches_hugging_face() {
    let Some(dir) = minilm_dir() else { return };
    let from_json = SubwordEncoder::from_tokenizer_json(dir.join("tokenizer.json"))
        .build()
        .unwrap();
    let from_vocab = SubwordEncoder::from_vocab(dir.join("vocab.txt"))
        .build()
        .unwrap();
    assert_eq!(from_json.max_length_hint(), Some(128));
    assert_eq!(from_json.special_tokens(), 2);
    let text = "Moscow (EFE).- Lukashenko pardoned Ales Bialiatski, the U.S. said; \
                Kolésnikova’s release \u{201c}is over.\u{201d} 10,000 tons (20%) 🎉\r\nЛукашенко";

    // Our alignment must not change what the model sees: same ids and offsets as the
    // Hugging Face tokenizer run on the raw text.
    let mut raw = from_json.tokenizer().clone();
    raw.with_padding(None);
    raw.with_truncation(None).unwrap();
    let reference = raw.encode(text, true).unwrap();
    let ours = from_json.encode(text).unwrap();
    check_sequence(text, &ours.words, &ours.sequence);
    assert_eq!(ours.sequence.ids, reference.get_ids());
    for (s, &(a, b)) in ours.sequence.subwords.iter().zip(reference.get_offsets()) {
        if let Some(span) = s.span {
            assert_eq!((span.start, span.end), (a, b), "{}", s.token);
        }
    }
    assert_eq!(
        from_vocab.encode(text).unwrap(),
        ours,
        "vocab.txt and tokenizer.json agree"
    );

    let long = text.repeat(40);
    let windowed = from_json
        .windows(&long, WindowConfig::new(128, 32))
        .unwrap();
    assert!(windowed.windows.len() > 5);
    let owned: usize = windowed.windows.iter().map(|w| w.owned.len()).sum();
    let full = from_json.encode(&long).unwrap();
    assert_eq!(owned + 2, full.sequence.len());
    assert!(windowed.windows.iter().all(|w| w.sequence.len() <= 128));
}

#[test]
fn wrap_and_wrap_ids_rebuild_an_encoding() {
    let (_dir, encoder) = tiny_encoder();
    let text = "The Belarusian river rose in Minsk.";
    let encoding = encoder.encode(text).unwrap();
    let content = content_subwords(&encoding);
    assert!(content.len() > 5);
    // Wrapping the content again gives the same sequence, alignment included.
    let again = encoder.wrap(&content).unwrap();
    assert_eq!(again, encoding.sequence);
    // From bare ids: same ids, type ids and mask; subwords carry no word and no span.
    let ids: Vec<u32> = content.iter().map(|s| s.id).collect();
    let from_ids = encoder.wrap_ids(&ids).unwrap();
    assert_eq!(from_ids.ids, encoding.sequence.ids);
    assert_eq!(from_ids.type_ids, encoding.sequence.type_ids);
    assert_eq!(from_ids.attention_mask, encoding.sequence.attention_mask);
    assert_eq!(from_ids.ids.first(), Some(&id("[CLS]")));
    assert_eq!(from_ids.ids.last(), Some(&id("[SEP]")));
    assert!(from_ids.subwords[1..from_ids.len() - 1]
        .iter()
        .all(|s| !s.special && s.word.is_none() && s.span.is_none()));
    assert_eq!(from_ids.subwords[3].token, "##arus");
    // A truncated run: still wrapped, words kept.
    let cut = encoder.wrap(&content[..3]).unwrap();
    assert_eq!(cut.len(), 5);
    assert_eq!(cut.subwords[3].word, content[2].word);
    assert_eq!(
        encoder.wrap_ids(&[]).unwrap().ids,
        [id("[CLS]"), id("[SEP]")]
    );
}
