//! Word shapes of the offline model: the casing an uncased backbone cannot see.
//!
//! The model labels *words*, not WordPiece pieces, so that a name the WordPiece pre-tokenizer
//! would split at punctuation ("U.S.", "al-Qaida", "O'Brien") is one unit that is either inside
//! an entity or not. Its words are lede-tokenize's word tokens ([`lede_core::Token`], as the
//! facade stores them on the document); `config.json` records the tokenization they were made
//! by ([`lede_tokenize::TOKENIZATION`]) and the model refuses another.

use lede_core::{Sentence, Token, TokenKind};

/// Number of distinct shape ids ([`word_shape`] returns values below this).
pub const SHAPE_VOCAB: i64 = 32;

/// The shape class of a word: the casing information an uncased backbone cannot see.
///
/// | id | shape |
/// |---|---|
/// | 1 | lowercase (`news`) |
/// | 2 | capitalised (`Minsk`, `McDonald`) |
/// | 3 | all caps, two letters or more (`NATO`, `U.S.`) |
/// | 4 | mixed (`iPhone`, `eBay`) |
/// | 5 | contains a digit (`1990s`, `4:00pm`) |
/// | 6 | punctuation or symbol |
/// | 7 | a single capital letter (`A`, `J.`) |
///
/// `+ 8` when the word starts a sentence (its capital says less), `+ 16` for every WordPiece
/// piece after a word's first. Id 0 is padding and special tokens.
pub fn word_shape(word: &str) -> i64 {
    let mut upper = 0usize;
    let mut lower = 0usize;
    let mut digit = false;
    let mut first_upper = None;
    for c in word.chars() {
        if c.is_alphabetic() {
            if first_upper.is_none() {
                first_upper = Some(c.is_uppercase());
            }
            if c.is_uppercase() {
                upper += 1;
            } else {
                lower += 1;
            }
        } else if c.is_numeric() {
            digit = true;
        }
    }
    if digit {
        5
    } else if upper + lower == 0 {
        6
    } else if lower == 0 {
        if upper == 1 {
            7
        } else {
            3
        }
    } else if upper == 0 {
        1
    } else if first_upper == Some(true) {
        2
    } else {
        4
    }
}

/// Whether each token starts a sentence: the first token of a sentence, and a token after
/// nothing but punctuation in its sentence (`"` `Then`).
pub fn sentence_starts(tokens: &[Token], sentences: &[Sentence]) -> Vec<bool> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut s = 0;
    let mut only_punct = true;
    let mut current: Option<usize> = None;
    for t in tokens {
        while sentences.get(s).is_some_and(|x| x.span.end <= t.span.start) {
            s += 1;
        }
        let inside = sentences
            .get(s)
            .filter(|x| x.span.start <= t.span.start)
            .map(|_| s);
        if inside != current {
            current = inside;
            only_punct = true;
        }
        out.push(current.is_some() && only_punct);
        if t.kind != TokenKind::Punct {
            only_punct = false;
        }
    }
    out
}

/// Shape ids of all tokens: [`word_shape`] plus 8 at sentence starts.
pub fn shape_ids(tokens: &[Token], sentences: &[Sentence]) -> Vec<i64> {
    tokens
        .iter()
        .zip(sentence_starts(tokens, sentences))
        .map(|(t, s)| word_shape(&t.text) + if s { 8 } else { 0 })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lede_core::Document;
    use lede_tokenize::Segmenter;

    #[test]
    fn shapes() {
        assert_eq!(word_shape("news"), 1);
        assert_eq!(word_shape("Minsk"), 2);
        assert_eq!(word_shape("McDonald"), 2);
        assert_eq!(word_shape("NATO"), 3);
        assert_eq!(word_shape("U.S."), 3);
        assert_eq!(word_shape("iPhone"), 4);
        assert_eq!(word_shape("1990s"), 5);
        assert_eq!(word_shape(","), 6);
        assert_eq!(word_shape("A"), 7);
    }

    #[test]
    fn sentence_starts_follow_the_segmentation() {
        let doc = Segmenter::default().annotate(Document::new("d", "He left. \"Then Minsk"));
        let words: Vec<&str> = doc.tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(words, ["He", "left", ".", "\"", "Then", "Minsk"]);
        let ids = shape_ids(&doc.tokens, &doc.sentences);
        assert_eq!(ids, vec![2 + 8, 1, 6, 6 + 8, 2 + 8, 2]);
        assert!(ids.iter().all(|&i| (0..SHAPE_VOCAB).contains(&(i + 16))));
        // Tokens outside every sentence (none given) never start one.
        assert!(sentence_starts(&doc.tokens, &[]).iter().all(|s| !s));
    }
}
