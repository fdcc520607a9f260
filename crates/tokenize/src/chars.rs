//! Character classes shared by the sentence splitter and the word tokenizer.
//!
//! Both components must agree on where a sentence may end inside a run of non-whitespace text
//! (`airline.EFE`, `你好。世界`), so that no word token ever straddles a sentence boundary. The
//! functions here are the single source of those decisions.

use unicode_segmentation::GraphemeCursor;

use crate::abbrev::{AbbreviationKind, Abbreviations};

/// How far [`glued_boundary`] looks around a period, in bytes. Bounds the work per period so
/// that long runs without whitespace (`a.a.a.a...`) stay linear.
const GLUE_WINDOW: usize = 64;

/// A char that ends a line: LF, CR, VT, FF, NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR.
pub(crate) fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// A char that can end a sentence.
pub(crate) fn is_terminator(c: char) -> bool {
    matches!(
        c,
        '.' | '!' | '?' | '…' | '‼' | '⁇' | '⁈' | '⁉' | '。' | '！' | '？' | '｡'
    )
}

/// A terminator that ends a sentence whatever word precedes it (`!`, `?`).
pub(crate) fn is_strong_terminator(c: char) -> bool {
    matches!(
        c,
        '!' | '?' | '‼' | '⁇' | '⁈' | '⁉' | '。' | '！' | '？' | '｡'
    )
}

/// A CJK full stop: ends a sentence even when no space follows (CJK text has no spaces).
pub(crate) fn is_cjk_terminator(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '｡')
}

/// A char that may close a quotation or parenthesis after a terminator (`.”`, `?)`, `!'`).
///
/// `“` and `‘` are included because German and some East-European styles close with them
/// (`„Es ist vorbei.“`); after a terminator and before whitespace they can only be closers.
pub(crate) fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '”'
            | '’'
            | '“'
            | '‘'
            | '»'
            | '›'
            | '«'
            | ')'
            | ']'
            | '}'
            | '」'
            | '』'
            | '）'
            | '】'
            | '〉'
            | '》'
    )
}

/// A char that may open a quotation or parenthesis before a sentence's first word.
pub(crate) fn is_opener(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '“'
            | '‘'
            | '„'
            | '‚'
            | '«'
            | '»'
            | '‹'
            | '('
            | '['
            | '{'
            | '¿'
            | '¡'
            | '「'
            | '『'
            | '（'
            | '【'
            | '〈'
            | '《'
    )
}

/// A hyphen that joins the parts of a compound word (`al-Qaida`, `U.S.-based`).
pub(crate) fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// An apostrophe inside a word (`don't`, `O’Brien`, `Russia’s`).
pub(crate) fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ')
}

/// Punctuation (as opposed to symbols such as `$`, `%`, `+`, `©` or emoji).
pub(crate) fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation()
            && !matches!(c, '$' | '%' | '+' | '<' | '=' | '>' | '^' | '`' | '|' | '~');
    }
    matches!(
        c,
        '¡' | '§'
            | '«'
            | '¶'
            | '·'
            | '»'
            | '¿'
            | '\u{2010}'..='\u{2027}'
            | '\u{2030}'..='\u{205E}'
            | '\u{3001}'..='\u{3003}'
            | '\u{3008}'..='\u{3011}'
            | '\u{3014}'..='\u{301F}'
            | '\u{FF01}'..='\u{FF03}'
            | '\u{FF05}'..='\u{FF0A}'
            | '\u{FF0C}'..='\u{FF0F}'
            | '\u{FF1A}'
            | '\u{FF1B}'
            | '\u{FF1F}'
            | '\u{FF20}'
            | '\u{FF3B}'..='\u{FF3D}'
            | '\u{FF3F}'
            | '\u{FF5B}'
            | '\u{FF5D}'
            | '\u{FF5F}'..='\u{FF65}'
    )
}

/// Whether `pos` (a char boundary of `text`) is also an extended grapheme cluster boundary,
/// i.e. cutting there does not separate a base char from its combining marks or split an
/// emoji sequence.
pub(crate) fn is_grapheme_boundary(text: &str, pos: usize) -> bool {
    if !text.is_char_boundary(pos) {
        return false;
    }
    let mut cursor = GraphemeCursor::new(pos, text.len(), true);
    cursor.is_boundary(text, 0).unwrap_or(false)
}

/// The largest char boundary of `text` that is `<= pos`.
pub(crate) fn floor_boundary(text: &str, pos: usize) -> usize {
    let mut p = pos.min(text.len());
    while p > 0 && !text.is_char_boundary(p) {
        p -= 1;
    }
    p
}

/// The smallest char boundary of `text` that is `>= pos`.
pub(crate) fn ceil_boundary(text: &str, pos: usize) -> usize {
    let mut p = pos.min(text.len());
    while p < text.len() && !text.is_char_boundary(p) {
        p += 1;
    }
    p
}

/// Whether the period at byte `dot` of `text` ends a sentence although no space follows it:
/// an agency sign-off glued to the last word (`airline.EFE`, `2022.AFP`).
///
/// The rule: the period follows a lowercase letter, a digit or a closing quote/bracket; the
/// word before it is not a single letter (`e.g.`) nor a title (`Mr.Smith`); it is followed by
/// an uppercase letter and at least one more letter, and that word ends at whitespace, the end
/// of the text, a closing quote/bracket, `, ; : ! ?` or a final period. Runs that look like
/// e-mail addresses or URLs (`@`, `://`, `www.`) never split.
pub(crate) fn glued_boundary(text: &str, dot: usize, abbreviations: &Abbreviations) -> bool {
    if text.as_bytes().get(dot) != Some(&b'.') {
        return false;
    }
    let lo = floor_boundary(text, dot.saturating_sub(GLUE_WINDOW));
    let hi = ceil_boundary(text, dot.saturating_add(1 + GLUE_WINDOW));
    let (Some(before), Some(after)) = (text.get(lo..dot), text.get(dot + 1..hi)) else {
        return false;
    };

    // Left side.
    let Some(prev) = before.chars().next_back() else {
        return false;
    };
    if !(prev.is_lowercase() || prev.is_numeric() || is_closer(prev)) {
        return false;
    }
    if prev.is_alphanumeric() {
        let word_start = before
            .char_indices()
            .rev()
            .find(|&(_, c)| !c.is_alphanumeric())
            .map_or(0, |(i, c)| i + c.len_utf8());
        let word = &before[word_start..];
        if word.chars().count() < 2 {
            return false;
        }
        if abbreviations.get(word) == Some(AbbreviationKind::Title) {
            return false;
        }
    }

    // Right side: an uppercase letter and at least one more letter.
    let mut chars = after.char_indices().peekable();
    match chars.next() {
        Some((_, c)) if c.is_uppercase() => {}
        _ => return false,
    }
    let mut letters = 1;
    let mut follow: Option<(usize, char)> = None;
    for (i, c) in chars.by_ref() {
        if c.is_alphabetic() {
            letters += 1;
        } else {
            follow = Some((i, c));
            break;
        }
    }
    if letters < 2 {
        return false;
    }
    match follow {
        None => {
            // The word runs to the end of the window; only accept it when that is the end of
            // the text.
            if hi < text.len() {
                return false;
            }
        }
        Some((i, c)) => {
            let ok = c.is_whitespace()
                || is_closer(c)
                || matches!(c, ',' | ';' | ':' | '!' | '?')
                || (c == '.'
                    && after[i + 1..]
                        .chars()
                        .next()
                        .map_or(true, char::is_whitespace));
            if !ok {
                return false;
            }
        }
    }

    // Not inside something that looks like an address.
    let chunk_start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let chunk_end = after.find(char::is_whitespace).unwrap_or(after.len());
    let chunk = format!("{}.{}", &before[chunk_start..], &after[..chunk_end]).to_lowercase();
    if chunk.contains('@') || chunk.contains("://") || chunk.contains("www.") {
        return false;
    }
    is_grapheme_boundary(text, dot + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glued(text: &str) -> bool {
        let abbreviations = Abbreviations::news();
        text.match_indices('.')
            .any(|(dot, _)| glued_boundary(text, dot, &abbreviations))
    }

    #[test]
    fn glued_sign_offs() {
        for text in [
            "the airline.EFE",
            "in 2022.AFP",
            "a deal.Reuters",
            "the airline.EFE\nnext",
            "said the agency”.EFE",
        ] {
            assert!(glued(text), "{text:?}");
        }
    }

    #[test]
    fn not_glued() {
        for text in [
            "e.g.Smith",
            "U.S.-based",
            "U.S.EFE",
            "3.5",
            "Mr.Smith",
            "www.Google.com",
            "john.Smith@example.com",
            "the airline.E",
            "the airline.efe",
            "see http://example.Org/path",
            "www.Example",
            "mail info.Desk@example.org",
        ] {
            assert!(!glued(text), "{text:?}");
        }
    }

    #[test]
    fn classes() {
        assert!(is_punct('.') && is_punct('“') && is_punct('—') && is_punct('…'));
        assert!(!is_punct('$') && !is_punct('%') && !is_punct('😀') && !is_punct('a'));
        assert!(is_line_break('\r') && is_line_break('\u{2029}') && !is_line_break(' '));
        assert!(is_grapheme_boundary("ab", 1));
        assert!(!is_grapheme_boundary("e\u{301}", 1));
        assert_eq!(floor_boundary("é", 1), 0);
        assert_eq!(ceil_boundary("é", 1), 2);
    }
}
