//! Spans: byte and Unicode-scalar offsets into the original text.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// A half-open range of the original text, carried as byte offsets (`start`, `end`) **and**
/// Unicode-scalar offsets (`char_start`, `char_end`).
///
/// Byte offsets slice a Rust `&str` (`&text[span.start..span.end]`); char offsets slice the
/// same text in languages that index by code point (Python `text[a:b]`). Both always describe
/// the same range; the constructors are the only way to make a span from a text and they check
/// that the byte offsets fall on char boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Span {
    /// Byte offset of the first byte (inclusive).
    pub start: usize,
    /// Byte offset one past the last byte (exclusive).
    pub end: usize,
    /// Unicode-scalar offset of the first char (inclusive).
    pub char_start: usize,
    /// Unicode-scalar offset one past the last char (exclusive).
    pub char_end: usize,
}

impl Span {
    /// Makes a span from a byte range of `text`, computing its char offsets.
    ///
    /// This scans the text up to `end`; when making many spans of one text, use
    /// [`OffsetMap`] instead.
    ///
    /// # Errors
    /// [`Error::InvalidSpan`] when the range is reversed, out of bounds or not on char
    /// boundaries.
    pub fn from_bytes(text: &str, start: usize, end: usize) -> Result<Span> {
        check_range(text, start, end)?;
        let char_start = text[..start].chars().count();
        let char_end = char_start + text[start..end].chars().count();
        Ok(Span {
            start,
            end,
            char_start,
            char_end,
        })
    }

    /// The text this span covers, or `None` when the span does not fit `text`.
    pub fn slice<'a>(&self, text: &'a str) -> Option<&'a str> {
        text.get(self.start..self.end)
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Length in Unicode scalars.
    pub fn char_len(&self) -> usize {
        self.char_end.saturating_sub(self.char_start)
    }

    /// Whether the span covers nothing.
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// Whether `other` lies entirely inside `self`.
    pub fn contains(&self, other: &Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// Whether the two spans share at least one byte.
    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// The smallest span covering both.
    pub fn cover(&self, other: &Span) -> Span {
        let (start, char_start) = if self.start <= other.start {
            (self.start, self.char_start)
        } else {
            (other.start, other.char_start)
        };
        let (end, char_end) = if self.end >= other.end {
            (self.end, self.char_end)
        } else {
            (other.end, other.char_end)
        };
        Span {
            start,
            end,
            char_start,
            char_end,
        }
    }
}

fn check_range(text: &str, start: usize, end: usize) -> Result<()> {
    if start > end
        || end > text.len()
        || !text.is_char_boundary(start)
        || !text.is_char_boundary(end)
    {
        return Err(Error::InvalidSpan {
            start,
            end,
            len: text.len(),
        });
    }
    Ok(())
}

/// Converts between byte and char offsets of one text in O(log n), so that tokenizers and
/// decoders can make thousands of [`Span`]s without rescanning the text.
#[derive(Debug, Clone)]
pub struct OffsetMap<'a> {
    text: &'a str,
    /// Byte offset of every char, followed by `text.len()`.
    char_starts: Vec<usize>,
}

impl<'a> OffsetMap<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        let mut char_starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        char_starts.push(text.len());
        OffsetMap { text, char_starts }
    }

    /// The indexed text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Number of Unicode scalars in the text.
    pub fn char_len(&self) -> usize {
        self.char_starts.len() - 1
    }

    /// Char offset of a byte offset that lies on a char boundary.
    pub fn char_of_byte(&self, byte: usize) -> Option<usize> {
        self.char_starts.binary_search(&byte).ok()
    }

    /// Byte offset of a char offset (`char_len()` maps to the text's length).
    pub fn byte_of_char(&self, ch: usize) -> Option<usize> {
        self.char_starts.get(ch).copied()
    }

    /// A span from a byte range.
    ///
    /// # Errors
    /// [`Error::InvalidSpan`] when the range is reversed, out of bounds or not on char
    /// boundaries.
    pub fn span(&self, start: usize, end: usize) -> Result<Span> {
        check_range(self.text, start, end)?;
        let invalid = || Error::InvalidSpan {
            start,
            end,
            len: self.text.len(),
        };
        let char_start = self.char_of_byte(start).ok_or_else(invalid)?;
        let char_end = self.char_of_byte(end).ok_or_else(invalid)?;
        Ok(Span {
            start,
            end,
            char_start,
            char_end,
        })
    }

    /// A span from a char range.
    ///
    /// # Errors
    /// [`Error::InvalidSpan`] when the range is reversed or out of bounds.
    pub fn span_of_chars(&self, char_start: usize, char_end: usize) -> Result<Span> {
        let invalid = || Error::InvalidSpan {
            start: char_start,
            end: char_end,
            len: self.char_len(),
        };
        if char_start > char_end {
            return Err(invalid());
        }
        let start = self.byte_of_char(char_start).ok_or_else(invalid)?;
        let end = self.byte_of_char(char_end).ok_or_else(invalid)?;
        Ok(Span {
            start,
            end,
            char_start,
            char_end,
        })
    }

    /// Shrinks a byte range to exclude leading and trailing whitespace; `None` when nothing
    /// but whitespace is left.
    pub fn trimmed(&self, start: usize, end: usize) -> Option<Span> {
        let piece = self.text.get(start..end)?;
        let lead = piece.len() - piece.trim_start().len();
        let trail = piece.len() - piece.trim_end().len();
        if lead + trail >= piece.len() {
            return None;
        }
        self.span(start + lead, end - trail).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn spans_of_multibyte_text() {
        let text = "Kolésnikova 👋 Минск";
        let s = Span::from_bytes(text, 0, "Kolésnikova".len()).unwrap();
        assert_eq!(s.char_end, 11);
        assert_eq!(s.slice(text), Some("Kolésnikova"));
        let m = OffsetMap::new(text);
        let minsk = text.find("Минск").unwrap();
        let sp = m.span(minsk, text.len()).unwrap();
        assert_eq!(sp.char_start, 14);
        assert_eq!(sp.char_end, 19);
        assert_eq!(m.span_of_chars(14, 19).unwrap(), sp);
        assert!(m.span(1, 3).is_ok());
        assert!(m.span(4, 5).is_err(), "inside é");
        assert!(Span::from_bytes(text, 5, 3).is_err());
        assert!(Span::from_bytes(text, 0, 999).is_err());
    }

    #[test]
    fn trimming_and_geometry() {
        let text = "  hello world  ";
        let m = OffsetMap::new(text);
        let s = m.trimmed(0, text.len()).unwrap();
        assert_eq!(s.slice(text), Some("hello world"));
        assert!(m.trimmed(0, 2).is_none());
        let a = m.span(2, 7).unwrap();
        let b = m.span(8, 13).unwrap();
        assert!(!a.overlaps(&b));
        let c = a.cover(&b);
        assert!(c.contains(&a) && c.contains(&b));
        assert_eq!(c.slice(text), Some("hello world"));
    }

    proptest! {
        #[test]
        fn offset_map_agrees_with_scan(text in "\\PC{0,40}", a in 0usize..200, b in 0usize..200) {
            let m = OffsetMap::new(&text);
            let (a, b) = (a.min(text.len()), b.min(text.len()));
            let (a, b) = (a.min(b), a.max(b));
            match (m.span(a, b), Span::from_bytes(&text, a, b)) {
                (Ok(x), Ok(y)) => {
                    prop_assert_eq!(x, y);
                    prop_assert_eq!(x.slice(&text).unwrap().chars().count(), x.char_len());
                }
                (Err(_), Err(_)) => {}
                other => prop_assert!(false, "disagree: {:?}", other),
            }
        }
    }
}
