//! Surface forms, accent folding and comparison keys of names.

/// The form of a mention's text that is compared and may become a canonical name:
/// surrounding whitespace and quotes, a leading `the`/`The` and a trailing possessive
/// (`'s`, `’s`, or `'`/`’` after an `s`) removed. Never empty unless `text` is blank, and
/// always a substring of `text`.
///
/// ```
/// use lede_ner::cluster::surface_form;
/// assert_eq!(surface_form("Lukashenko’s"), "Lukashenko");
/// assert_eq!(surface_form(" the United States "), "United States");
/// assert_eq!(surface_form("Reuters'"), "Reuters");
/// assert_eq!(surface_form("'s"), "'s");
/// ```
pub fn surface_form(text: &str) -> &str {
    const QUOTES: &[char] = &['"', '“', '”', '«', '»', '„'];
    let mut s = text.trim();
    let unquoted = s.trim_matches(|c: char| QUOTES.contains(&c) || c.is_whitespace());
    if !unquoted.is_empty() {
        s = unquoted;
    }
    if let Some(head) = s.get(..3) {
        if head.eq_ignore_ascii_case("the") {
            let rest = &s[3..];
            if rest.starts_with(char::is_whitespace) && !rest.trim().is_empty() {
                s = rest.trim_start();
            }
        }
    }
    for suffix in ["'s", "’s", "'S", "’S"] {
        if let Some(stripped) = s.strip_suffix(suffix) {
            if !stripped.trim().is_empty() {
                s = stripped.trim_end();
                return s;
            }
        }
    }
    for apostrophe in ['\'', '’'] {
        if let Some(stripped) = s.strip_suffix(apostrophe) {
            if stripped.ends_with(['s', 'S']) {
                s = stripped;
                break;
            }
        }
    }
    s
}

pub(super) fn clamp_unit(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(0.0, 1.0)
    }
}

pub(super) use lede_tokenize::fold;

/// Comparison key of a surface form (see the module docs).
pub(super) fn key_of(surface: &str) -> String {
    let folded = fold(surface);
    let mut out = String::with_capacity(folded.len());
    let mut gap = false;
    for c in folded.chars() {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(c);
        } else if matches!(c, '.' | '\'' | '’' | '‘' | 'ʼ') {
            // dropped: "U.S." = "US", "O'Brien" = "OBrien"
        } else {
            gap = true;
        }
    }
    if out.is_empty() {
        surface.trim().to_lowercase()
    } else {
        out
    }
}

/// One folded name word: letters and digits only.
pub(super) fn word_of(token: &str) -> String {
    fold(token)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}
