//! Word segmentation and word shapes of the offline model.
//!
//! The model labels *words*, not WordPiece pieces, so that a name the WordPiece pre-tokenizer
//! would split at punctuation ("U.S.", "al-Qaida", "O'Brien") is one unit that is either inside
//! an entity or not. The segmentation is part of the model's definition: training and inference
//! both use [`split_words`], and `config.json` records [`WORDS_VERSION`].

/// Version of the segmentation and shape rules; stored in the model config.
pub const WORDS_VERSION: u32 = 1;

/// Number of distinct shape ids ([`shape_ids`] returns values below this).
pub const SHAPE_VOCAB: i64 = 32;

/// A word: a byte range of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

impl Word {
    /// The word's text.
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start..self.end).unwrap_or("")
    }
}

/// Lowercase prefixes split off a hyphenated word before a capitalised part
/// ("anti-Iraqi" -> "anti", "-", "Iraqi").
const HYPHEN_PREFIXES: &[&str] = &[
    "anti", "pro", "ex", "non", "post", "pre", "mid", "neo", "un", "pan", "trans", "inter",
];

fn is_open_punct(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '(' | '[' | '{' | '\u{201c}' | '\u{2018}' | '\u{ab}' | '<' | '`'
    )
}

fn is_close_punct(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | ')'
            | ']'
            | '}'
            | '\u{201d}'
            | '\u{2019}'
            | '\u{bb}'
            | '>'
            | '.'
            | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '%'
            | '\u{2026}'
    )
}

fn is_dash(c: char) -> bool {
    matches!(c, '\u{2013}' | '\u{2014}' | '\u{2012}' | '\u{2015}')
}

/// Whether `s` is an abbreviation whose final period belongs to it: "U.S.", "J.", "Corp.".
fn keeps_final_period(s: &str) -> bool {
    let Some(body) = s.strip_suffix('.') else {
        return false;
    };
    if body.is_empty() {
        return false;
    }
    // Single letters separated by periods: "U.S", "J", "U.N".
    let letters_only = body
        .split('.')
        .all(|p| p.chars().count() == 1 && p.chars().all(char::is_alphabetic));
    if letters_only {
        return true;
    }
    matches!(
        body,
        "Mr" | "Mrs"
            | "Ms"
            | "Dr"
            | "Prof"
            | "St"
            | "Jr"
            | "Sr"
            | "Corp"
            | "Inc"
            | "Ltd"
            | "Co"
            | "Gen"
            | "Col"
            | "Lt"
            | "Sgt"
            | "Capt"
            | "Gov"
            | "Sen"
            | "Rep"
            | "Rev"
            | "No"
            | "Jan"
            | "Feb"
            | "Mar"
            | "Apr"
            | "Aug"
            | "Sept"
            | "Sep"
            | "Oct"
            | "Nov"
            | "Dec"
            | "vs"
            | "Mt"
            | "Ft"
    )
}

/// Splits `text` into words with byte ranges that slice it exactly.
///
/// Whitespace separates chunks; each chunk then loses its opening and closing punctuation
/// (each mark its own word), a possessive `'s`/`'` (its own word), and, for "anti-Iraqi" or
/// "Iraqi-born" style compounds, the hyphen. Periods stay inside abbreviations ("U.S."),
/// hyphens inside names ("al-Qaida"), apostrophes inside words ("O'Brien").
///
/// ```
/// use lede_ner::offline::split_words;
/// let text = "Lukashenko's (U.S.-led) anti-Iraqi al-Qaida.";
/// let words: Vec<&str> = split_words(text).iter().map(|w| w.text(text)).collect();
/// assert_eq!(
///     words,
///     ["Lukashenko", "'s", "(", "U.S.", "-", "led", ")", "anti", "-", "Iraqi", "al-Qaida", "."]
/// );
/// ```
pub fn split_words(text: &str) -> Vec<Word> {
    let mut words = Vec::with_capacity(text.len() / 5);
    let mut chunk_start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() || is_dash(c) || c == '/' {
            if let Some(s) = chunk_start.take() {
                split_chunk(text, s, i, &mut words);
            }
            if !c.is_whitespace() {
                words.push(Word {
                    start: i,
                    end: i + c.len_utf8(),
                });
            }
        } else if chunk_start.is_none() {
            chunk_start = Some(i);
        }
    }
    if let Some(s) = chunk_start {
        split_chunk(text, s, text.len(), &mut words);
    }
    words
}

fn split_chunk(text: &str, mut start: usize, mut end: usize, out: &mut Vec<Word>) {
    // Opening punctuation.
    while start < end {
        let Some(c) = text[start..end].chars().next() else {
            break;
        };
        if is_open_punct(c) || (c == '$' || c == '\u{a3}' || c == '\u{20ac}') && end > start + 1 {
            out.push(Word {
                start,
                end: start + c.len_utf8(),
            });
            start += c.len_utf8();
        } else {
            break;
        }
    }
    // Closing punctuation, collected from the right.
    let mut tail: Vec<Word> = Vec::new();
    while start < end {
        let piece = &text[start..end];
        let Some(c) = piece.chars().next_back() else {
            break;
        };
        if c == '.' && keeps_final_period(piece) {
            break;
        }
        if is_close_punct(c) {
            // A closing apostrophe after "s" is a plural possessive ("ministers'").
            tail.push(Word {
                start: end - c.len_utf8(),
                end,
            });
            end -= c.len_utf8();
            continue;
        }
        break;
    }
    // Possessive 's.
    if end > start {
        let piece = &text[start..end];
        for pos in ["'s", "\u{2019}s", "'S", "\u{2019}S"] {
            if piece.len() > pos.len() && piece.ends_with(pos) {
                tail.push(Word {
                    start: end - pos.len(),
                    end,
                });
                end -= pos.len();
                break;
            }
        }
    }
    if end > start {
        split_hyphens(text, start, end, out);
    }
    out.extend(tail.into_iter().rev());
}

/// Splits "anti-Iraqi", "Iraqi-born", "U.S.-led" at the hyphen; keeps "al-Qaida",
/// "Jean-Pierre", "well-known", "Coca-Cola" whole.
fn split_hyphens(text: &str, start: usize, end: usize, out: &mut Vec<Word>) {
    let piece = &text[start..end];
    let parts: Vec<&str> = piece.split('-').collect();
    if parts.len() < 2 || parts.iter().any(|p| p.is_empty()) {
        out.push(Word { start, end });
        return;
    }
    let capitalised = |p: &str| p.chars().next().is_some_and(char::is_uppercase);
    let lowercase = |p: &str| p.chars().all(|c| !c.is_alphabetic() || c.is_lowercase());
    let mut cuts = Vec::new(); // byte offsets (relative) of hyphens to split at
    let mut offset = 0;
    for w in parts.windows(2) {
        let (left, right) = (w[0], w[1]);
        offset += left.len();
        let split = (HYPHEN_PREFIXES.contains(&left) && capitalised(right))
            || (capitalised(left) && lowercase(right) && right.chars().any(char::is_alphabetic));
        if split {
            cuts.push(offset);
        }
        offset += 1;
    }
    let mut s = start;
    for cut in cuts {
        let h = start + cut;
        if h > s {
            out.push(Word { start: s, end: h });
        }
        out.push(Word {
            start: h,
            end: h + 1,
        });
        s = h + 1;
    }
    if end > s {
        out.push(Word { start: s, end });
    }
}

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

/// Whether each word starts a sentence: the first word, and a word after `.`, `!` or `?`
/// (possibly followed by closing quotes or brackets).
pub fn sentence_starts(text: &str, words: &[Word]) -> Vec<bool> {
    let mut out = Vec::with_capacity(words.len());
    let mut next_starts = true;
    for w in words {
        out.push(next_starts);
        let t = w.text(text);
        next_starts = match t {
            "." | "!" | "?" | "\u{2026}" => true,
            "\"" | "'" | ")" | "\u{201d}" | "\u{2019}" | "]" => next_starts,
            _ => false,
        };
    }
    out
}

/// Shape ids of all words: [`word_shape`] plus 8 at sentence starts.
pub fn shape_ids(text: &str, words: &[Word]) -> Vec<i64> {
    let starts = sentence_starts(text, words);
    words
        .iter()
        .zip(starts)
        .map(|(w, s)| word_shape(w.text(text)) + if s { 8 } else { 0 })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn texts(t: &str) -> Vec<&str> {
        split_words(t).iter().map(|w| w.text(t)).collect()
    }

    #[test]
    fn punctuation_possessives_and_abbreviations() {
        assert_eq!(
            texts("\"Minsk,\" said Mr. Bialiatski's lawyer in the U.S."),
            [
                "\"",
                "Minsk",
                ",",
                "\"",
                "said",
                "Mr.",
                "Bialiatski",
                "'s",
                "lawyer",
                "in",
                "the",
                "U.S."
            ]
        );
        assert_eq!(texts("ministers' talks"), ["ministers", "'", "talks"]);
        assert_eq!(
            texts("O'Brien won 45%."),
            ["O'Brien", "won", "45", "%", "."]
        );
        assert_eq!(texts("$US50 million"), ["$", "US50", "million"]);
        assert_eq!(
            texts("Paris\u{2014}London"),
            ["Paris", "\u{2014}", "London"]
        );
    }

    #[test]
    fn hyphen_rules() {
        assert_eq!(texts("al-Qaida"), ["al-Qaida"]);
        assert_eq!(texts("Jean-Pierre"), ["Jean-Pierre"]);
        assert_eq!(texts("well-known"), ["well-known"]);
        assert_eq!(texts("pro-Western"), ["pro", "-", "Western"]);
        assert_eq!(texts("Iraqi-born"), ["Iraqi", "-", "born"]);
        assert_eq!(texts("a--b"), ["a--b"]);
    }

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
        let t = "He left. \"Then Minsk";
        let w = split_words(t);
        let ids = shape_ids(t, &w);
        assert_eq!(ids, vec![2 + 8, 1, 6, 6 + 8, 2 + 8, 2]);
        assert!(ids.iter().all(|&i| (0..SHAPE_VOCAB).contains(&(i + 16))));
    }

    proptest! {
        #[test]
        fn words_slice_text_in_order(text in "\\PC{0,60}") {
            let words = split_words(&text);
            let mut last = 0;
            for w in &words {
                prop_assert!(w.start >= last && w.end > w.start);
                prop_assert!(text.get(w.start..w.end).is_some());
                prop_assert!(!w.text(&text).chars().any(char::is_whitespace));
                last = w.end;
            }
            // Every non-whitespace char is in some word.
            let covered: usize = words.iter().map(|w| w.text(&text).chars().count()).sum();
            prop_assert_eq!(covered, text.chars().filter(|c| !c.is_whitespace()).count());
        }
    }
}
