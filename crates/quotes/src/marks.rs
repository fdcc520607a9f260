//! Quotation marks: which passages of a text stand between them.
//!
//! Double marks (`"`, `“ ”`, `„`, `« »`) pair up across sentences. A straight `"` opens or
//! closes by what stands beside it. An opening mark met while a passage is open closes that
//! passage first: news copy joined from paragraphs drops the closing mark of a quote that goes
//! on in the next paragraph (`...tournament. "I think...`), and such a passage ends at the next
//! opening mark. Single marks (`'`, `‘ ’`) are read only outside double marks (inside, they are
//! nested quotes, which belong to the outer one) and only where they cannot be apostrophes.

/// A passage between quotation marks, in byte offsets of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Marked {
    /// Byte offset of the opening mark.
    pub open: usize,
    /// First byte of the passage (after the mark and any space).
    pub start: usize,
    /// End of the passage (before any space and the closing mark).
    pub end: usize,
    /// Byte offset just past the closing mark; `None` when the passage was never closed.
    pub close: Option<usize>,
}

/// The longest passage between straight single marks read, in bytes: a longer one is more
/// likely an apostrophe followed by a stray mark than a quote.
const MAX_SINGLE: usize = 300;

/// The same for curly single marks (‘...’), which British-style news uses for whole
/// statements.
const MAX_CURLY_SINGLE: usize = 3000;

fn is_space(c: Option<char>) -> bool {
    c.map_or(true, char::is_whitespace)
}

fn opens_before(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => c.is_whitespace() || "([{—–-/:".contains(c),
    }
}

fn closes_after(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => c.is_whitespace() || ".,;:!?)]}—–-".contains(c),
    }
}

/// The trimmed passage `[start, end)`, or `None` when it is empty.
fn passage(
    text: &str,
    open: usize,
    start: usize,
    end: usize,
    close: Option<usize>,
) -> Option<Marked> {
    let inner = text.get(start..end)?;
    let lead = inner.len() - inner.trim_start().len();
    let trimmed = inner.trim();
    if trimmed.is_empty() {
        return None;
    }
    let start = start + lead;
    Some(Marked {
        open,
        start,
        end: start + trimmed.len(),
        close,
    })
}

/// Every passage between quotation marks, in text order (outer passages only).
pub(crate) fn marked_passages(text: &str) -> Vec<Marked> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    // An open double passage: (mark offset, content start).
    let mut double: Option<(usize, usize)> = None;
    let mut single: Option<(usize, usize)> = None;
    let limit = |open: usize| {
        if text[open..].starts_with('‘') {
            MAX_CURLY_SINGLE
        } else {
            MAX_SINGLE
        }
    };
    for (k, &(i, c)) in chars.iter().enumerate() {
        let prev = k.checked_sub(1).map(|j| chars[j].1);
        let next = chars.get(k + 1).map(|&(_, c)| c);
        let after = i + c.len_utf8();
        match c {
            '"' | '“' | '„' | '«' | '”' | '»' => {
                let looks_open = match c {
                    '“' | '„' | '«' => true,
                    '”' | '»' => false,
                    // A straight mark opens when a word follows it and none precedes it.
                    _ => opens_before(prev) && !is_space(next),
                };
                let looks_close = match c {
                    '”' | '»' => true,
                    '“' | '„' | '«' => false,
                    _ => !is_space(prev) && closes_after(next),
                };
                match double {
                    Some((open, start)) => {
                        if looks_close || !looks_open {
                            out.extend(passage(text, open, start, i, Some(after)));
                            double = None;
                        } else {
                            // An opening mark inside an open passage: the passage was never
                            // closed; it ends here and a new one begins.
                            out.extend(passage(text, open, start, i, None));
                            double = Some((i, after));
                        }
                    }
                    None => {
                        if looks_open || !looks_close {
                            // A double passage swallows an open single one (that was an
                            // apostrophe after all).
                            single = None;
                            double = Some((i, after));
                        }
                    }
                }
            }
            '\'' | '‘' | '’' if double.is_none() => {
                let word_inside = prev.is_some_and(char::is_alphanumeric)
                    && next.is_some_and(char::is_alphanumeric);
                if word_inside {
                    continue; // an apostrophe: don't, Russia’s
                }
                match single {
                    Some((open, start)) => {
                        if i - start > limit(open) {
                            single = None;
                        } else if c != '‘' && !is_space(prev) && closes_after(next) {
                            out.extend(passage(text, open, start, i, Some(after)));
                            single = None;
                            continue;
                        }
                        if single.is_none()
                            && c != '’'
                            && opens_before(prev)
                            && next.is_some_and(char::is_alphanumeric)
                        {
                            single = Some((i, after));
                        }
                    }
                    None => {
                        if c != '’' && opens_before(prev) && next.is_some_and(char::is_alphanumeric)
                        {
                            single = Some((i, after));
                        }
                    }
                }
            }
            // A quote never closed ends with its paragraph: the next paragraph of a quote that
            // goes on opens with a mark of its own.
            '\n' => {
                if let Some((open, start)) = double.take() {
                    out.extend(passage(text, open, start, i, None));
                }
                single = None;
            }
            _ => {}
        }
    }
    if let Some((open, start)) = double {
        out.extend(passage(text, open, start, text.len(), None));
    }
    out.sort_by_key(|m| m.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        marked_passages(text)
            .iter()
            .map(|m| &text[m.start..m.end])
            .collect()
    }

    #[test]
    fn straight_and_curly_marks() {
        assert_eq!(
            texts(r#""We won," he said. "It was hard.""#),
            vec!["We won,", "It was hard."]
        );
        assert_eq!(
            texts("“The struggle continues,” he said."),
            vec!["The struggle continues,"]
        );
        assert_eq!(texts("«Oui», dit-il."), vec!["Oui"]);
    }

    #[test]
    fn an_unclosed_quote_ends_at_the_next_opening_mark() {
        let t = r#""One. Two. "Three," he said."#;
        let m = marked_passages(t);
        assert_eq!(texts(t), vec!["One. Two.", "Three,"]);
        assert_eq!(m[0].close, None);
        assert!(m[1].close.is_some());
        assert_eq!(texts(r#"He said: "never closed"#), vec!["never closed"]);
    }

    #[test]
    fn an_unclosed_quote_ends_with_its_paragraph() {
        let t = "\"First paragraph of the quote.\n\"Second paragraph,\" he said.\nThe end.";
        assert_eq!(
            texts(t),
            vec!["First paragraph of the quote.", "Second paragraph,"]
        );
        let t = "He said: \"never closed\nNext paragraph is narration.";
        assert_eq!(texts(t), vec!["never closed"]);
    }

    #[test]
    fn long_curly_single_quotes_are_read() {
        let long = "word ".repeat(100);
        let t = format!("‘{long}and that is all,’ he said.");
        assert_eq!(texts(&t), vec![format!("{long}and that is all,").as_str()]);
    }

    #[test]
    fn apostrophes_are_not_quotes() {
        assert!(texts("Russia’s ally and the leaders' meeting don't count.").is_empty());
        assert_eq!(
            texts("Belarus argued it was the result of 'agreements reached' with Trump."),
            vec!["agreements reached"]
        );
        assert_eq!(
            texts("what he called ‘a terrorist state’."),
            vec!["a terrorist state"]
        );
    }

    #[test]
    fn nested_single_quotes_stay_inside() {
        let t = r#""He told me 'go home' and left," she said."#;
        assert_eq!(texts(t), vec!["He told me 'go home' and left,"]);
    }
}
