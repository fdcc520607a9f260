//! Case and accent folding for matching names and cue words.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Folds text for matching: compatibility decomposition (NFKD) with combining marks removed,
/// the Latin letters that do not decompose mapped by hand (`ł`→`l`, `ø`→`o`, `đ`→`d`,
/// `ß`→`ss`, `æ`→`ae`, `œ`→`oe`, `ı`→`i`), typographic apostrophes made plain, runs of
/// whitespace collapsed to one space (none at the ends), lower case.
///
/// This is the one folding of the workspace: entity clustering compares names with it, the
/// relation cues match words with it.
///
/// ```
/// use lede_tokenize::fold;
/// assert_eq!(fold("Kolésnikova’s  Minsk"), "kolesnikova's minsk");
/// assert_eq!(fold("Łukaszenka"), "lukaszenka");
/// assert_eq!(fold("Straße"), "strasse");
/// assert_eq!(fold("  "), "");
/// ```
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match c {
            'ł' | 'Ł' => out.push('l'),
            'ø' | 'Ø' => out.push('o'),
            'đ' | 'Đ' => out.push('d'),
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ı' => out.push('i'),
            '\u{2019}' | '\u{2018}' | '\u{02bc}' | '`' | '\u{b4}' => out.push('\''),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_case_accents_letters_apostrophes_and_space() {
        assert_eq!(fold("Ales BIALIATSKI"), "ales bialiatski");
        assert_eq!(fold("Tsikhanouskaya\u{2019}s"), "tsikhanouskaya's");
        assert_eq!(fold("Søren  Kierkegaard\n"), "soren kierkegaard");
        assert_eq!(fold("Œuvre Æsir Đoković ı"), "oeuvre aesir dokovic i");
        assert_eq!(fold("ﬁnance"), "finance");
    }
}
