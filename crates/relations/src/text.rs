//! Text helpers: case and accent folding, and the word tokenization cue patterns run over.

use unicode_normalization::UnicodeNormalization;

/// Folds text for matching: lower case, accents removed, typographic apostrophes and quotes
/// made plain, whitespace collapsed.
///
/// ```
/// use lede_relations::fold;
/// assert_eq!(fold("Kolésnikova’s  Minsk"), "kolesnikova's minsk");
/// ```
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        let c = match c {
            '\u{2019}' | '\u{2018}' | '\u{02bc}' | '`' | '\u{b4}' => '\'',
            _ => c,
        };
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// A word of a sentence, with byte offsets into the document text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// The folded text.
    pub norm: String,
}

fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '\'' | '\u{2019}' | '.' | '&' | '/')
}

/// Splits `text[start..end]` into words and punctuation, never across any of `breaks`
/// (byte offsets where a word must end, such as mention boundaries). Possessive `'s` is its own
/// word; hyphenated words (`63-year-old`), numbers (`10,000`) and initials (`U.S.`) stay whole.
pub fn words(text: &str, start: usize, end: usize, breaks: &[usize]) -> Vec<Word> {
    let mut cuts: Vec<usize> = breaks
        .iter()
        .copied()
        .filter(|&b| b > start && b < end && text.is_char_boundary(b))
        .collect();
    cuts.push(end);
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::new();
    let mut seg_start = start;
    for cut in cuts {
        if let Some(seg) = text.get(seg_start..cut) {
            segment_words(seg, seg_start, &mut out);
        }
        seg_start = cut;
    }
    out
}

fn segment_words(seg: &str, base: usize, out: &mut Vec<Word>) {
    let chars: Vec<(usize, char)> = seg.char_indices().collect();
    let mut i = 0;
    while let Some(&(off, c)) = chars.get(i) {
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if matches!(c, '\'' | '\u{2019}')
            && chars.get(i + 1).is_some_and(|p| p.1 == 's' || p.1 == 'S')
            && !chars.get(i + 2).is_some_and(|p| p.1.is_alphanumeric())
        {
            let end = chars.get(i + 2).map_or(seg.len(), |p| p.0);
            out.push(Word {
                start: base + off,
                end: base + end,
                norm: "'s".to_string(),
            });
            i += 2;
            continue;
        }
        if !c.is_alphanumeric() {
            let len = c.len_utf8();
            out.push(Word {
                start: base + off,
                end: base + off + len,
                norm: fold(&seg[off..off + len]),
            });
            i += 1;
            continue;
        }
        let mut j = i + 1;
        loop {
            match (chars.get(j), chars.get(j + 1)) {
                (Some(&(_, a)), _) if a.is_alphanumeric() => j += 1,
                (Some(&(_, a)), Some(&(_, b))) if is_joiner(a) && b.is_alphanumeric() => j += 2,
                (Some(&(_, ',')), Some(&(_, b)))
                    if b.is_ascii_digit()
                        && chars
                            .get(j.wrapping_sub(1))
                            .is_some_and(|p| p.1.is_ascii_digit()) =>
                {
                    j += 2
                }
                _ => break,
            }
        }
        let word_end = chars.get(j).map_or(seg.len(), |p| p.0);
        let mut word = &seg[off..word_end];
        // Initials such as "U.S." keep their final period.
        if let Some(&(dot_off, '.')) = chars.get(j) {
            let letters: Vec<&str> = word.split('.').collect();
            if letters.len() >= 2 && letters.iter().all(|l| l.chars().count() == 1) {
                word = &seg[off..dot_off + 1];
                j += 1;
            }
        }
        // Possessive 's / ’s is a word of its own.
        let folded = fold(word);
        if folded.len() > 2 && folded.ends_with("'s") {
            let cut = word
                .char_indices()
                .rev()
                .nth(1)
                .map_or(word.len(), |(k, _)| k);
            out.push(Word {
                start: base + off,
                end: base + off + cut,
                norm: fold(&word[..cut]),
            });
            out.push(Word {
                start: base + off + cut,
                end: base + off + word.len(),
                norm: "'s".to_string(),
            });
        } else {
            out.push(Word {
                start: base + off,
                end: base + off + word.len(),
                norm: folded,
            });
        }
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(text: &str, breaks: &[usize]) -> Vec<String> {
        words(text, 0, text.len(), breaks)
            .into_iter()
            .map(|w| {
                assert_eq!(fold(&text[w.start..w.end]), w.norm);
                w.norm
            })
            .collect()
    }

    #[test]
    fn words_keep_hyphens_numbers_initials_and_split_possessives() {
        assert_eq!(
            norms("Russia’s 63-year-old U.S. envoy paid 10,000.", &[]),
            [
                "russia",
                "'s",
                "63-year-old",
                "u.s.",
                "envoy",
                "paid",
                "10,000",
                "."
            ]
        );
        assert_eq!(
            norms("“The end,” he said.", &[]),
            ["“", "the", "end", ",", "”", "he", "said", "."]
        );
    }

    #[test]
    fn breaks_split_words() {
        let text = "Minsk-based Viasna";
        assert_eq!(norms(text, &[5]), ["minsk", "-", "based", "viasna"]);
        let multi = "Kolésnikova’s";
        let w = words(multi, 0, multi.len(), &[]);
        assert_eq!(&multi[w[0].start..w[0].end], "Kolésnikova");
        assert_eq!(&multi[w[1].start..w[1].end], "’s");
        // A mention boundary before the possessive.
        let w = words(multi, 0, multi.len(), &["Kolésnikova".len()]);
        assert_eq!(w.len(), 2);
        assert_eq!(w[1].norm, "'s");
    }

    #[test]
    fn folding() {
        assert_eq!(fold("  Ales   BIALIATSKI "), "ales bialiatski");
        assert_eq!(fold("Łódź"), "łodz");
    }
}
