//! Text helpers: word counts, and the recognition of the lines of a news story that are not
//! story text: headlines, bylines, datelines and sign-offs.

use lede_core::{OffsetMap, Sentence, Span};
use serde::{Deserialize, Serialize};

/// What a sentence of a news story is, as far as summarization cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SentenceKind {
    /// Story text: a candidate for the summary.
    Content,
    /// A headline or subheading: a short line of its own without final punctuation.
    Headline,
    /// A byline or a publication-date line ("By Jane Doe", "Updated 5 Dec 2025").
    Byline,
    /// A dateline standing alone ("Moscow (EFE).-", "WASHINGTON (AP) —").
    Dateline,
    /// A sign-off, agency code or credit line ("EFE", "mos/dgp", "Reporting by ...").
    SignOff,
}

impl SentenceKind {
    /// Whether the sentence is story text.
    pub fn is_content(self) -> bool {
        self == SentenceKind::Content
    }
}

/// A sentence classified for summarization, with the part of it that is story text.
#[derive(Debug, Clone, PartialEq)]
pub struct StorySentence {
    /// Index of the sentence in the list it came from.
    pub index: usize,
    /// The sentence as given.
    pub sentence: Sentence,
    /// What it is.
    pub kind: SentenceKind,
    /// The story text of the sentence: the sentence without a leading dateline
    /// ("Moscow (EFE).- ") or a sign-off glued to its end ("...airline.EFE"). Slices the
    /// document text exactly.
    pub content: Sentence,
    /// Number of words (runs of letters or digits) in `content`.
    pub words: usize,
}

fn is_closing(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | ')' | ']' | '»')
}

/// Number of words (maximal runs of letters or digits, joined by inner apostrophes,
/// hyphens, periods or commas) in `text`.
pub fn word_count(text: &str) -> usize {
    let mut count = 0;
    let mut in_word = false;
    let mut prev_joiner = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if !in_word {
                count += 1;
            }
            in_word = true;
            prev_joiner = false;
        } else if in_word && !prev_joiner && matches!(c, '\'' | '’' | '-' | '.' | ',') {
            prev_joiner = true;
        } else {
            in_word = false;
            prev_joiner = false;
        }
    }
    count
}

/// News agencies whose names show up as datelines and sign-offs.
const AGENCIES: &[&str] = &[
    "efe",
    "ap",
    "afp",
    "reuters",
    "upi",
    "dpa",
    "ansa",
    "xinhua",
    "tass",
    "itar-tass",
    "ria",
    "interfax",
    "belta",
    "pap",
    "aap",
    "cnn",
    "bbc",
    "abc",
    "kyodo",
    "yonhap",
    "anadolu",
    "bloomberg",
    "europa press",
    "agencies",
    "ips",
    "ians",
    "pti",
    "ani",
];

/// Place (up to five capitalised words, optionally ", Region" or a date), a source in
/// parentheses, then a separator: "Moscow (EFE).-", "WASHINGTON (AP) —",
/// "LONDON, Dec 5 (Reuters) -".
const DATELINE: &str = r"^\p{Lu}[\p{L}.'’-]*(?:\s+(?:\p{Lu}[\p{L}.'’-]*|de|del|la|el|of|on))*\s*(?:,\s*[\p{L}\p{N} .'’-]{1,30})?\s*\([^()\n]{1,40}\)\s*(?:\.\s*[-–—]+|[-–—:]+|\.)\s*";

/// An all-caps place followed by a dash: "KYIV, Ukraine — ", "PARIS -- ".
const CAPS_DATELINE: &str =
    r"^\p{Lu}[\p{Lu}.'’ -]{1,30}(?:,\s*[\p{L}\p{N} .'’-]{1,30})?\s+(?:[–—]|--?)\s+";

/// A byline ("By Jane Doe, Reuters") or a publication-date label ("Updated ...").
const BYLINE: &str = r"(?i)^(?:by|por|from|story by|text by|words by)\s+\p{Lu}[\p{L}.'’-]*(?:\s+(?:\p{Lu}[\p{L}.'’-]*|and|&|de|van|von|der|la))*\s*(?:[,|/–—-]\s*[\p{L}\p{N} .&'’-]{1,60})?$|^(?:posted|published|updated|last updated|first published)\b";

/// A credit or boilerplate line: "Reporting by ...", "Photo:", "© ...", "Read more".
const CREDIT: &str = r"(?i)^[(\[]?\s*(?:reporting by|additional reporting|writing by|editing by|edited by|compiled by|translated by|photo:|photos:|image:|copyright|©|all rights reserved|follow us|sign up|subscribe|read more|related:|click here|share this)";

/// A line that is nothing but a date and maybe a time.
const DATE_LINE: &str = r"(?i)^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}\s+[a-z]{3,9}\.?,?\s+\d{4}|[a-z]{3,9}\.?\s+\d{1,2},?\s+\d{4})(?:[ ,T]+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:am|pm|[a-z]{2,4})?)?$";

/// Whether `s` is a sign-off made of agency codes or editors' initials: "EFE", "mos/dgp",
/// "(AP)", "— Reuters", "jm/ab/cd".
fn is_agency_signoff(s: &str) -> bool {
    let core = s.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '(' | ')' | '-' | '–' | '—' | '.')
    });
    if core.is_empty() || core.len() > 40 {
        return false;
    }
    let lower = core.to_lowercase();
    if AGENCIES.contains(&lower.as_str()) {
        return true;
    }
    let tokens: Vec<&str> = core.split_whitespace().collect();
    if tokens.len() > 3 {
        return false;
    }
    tokens.iter().all(|t| {
        // Editors' initials joined by slashes ("mos/dgp"), or an all-caps agency code.
        let initials = t.contains('/')
            && t.split('/')
                .all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(char::is_alphabetic));
        let code = t.len() <= 6 && t.chars().all(|c| c.is_ascii_uppercase());
        initials || code || AGENCIES.contains(&t.to_lowercase().as_str())
    })
}

/// Whether a sentence ends like prose: final punctuation, possibly inside quotes/brackets.
fn has_final_punctuation(s: &str) -> bool {
    s.trim_end()
        .trim_end_matches(is_closing)
        .ends_with(['.', '!', '?', '…', ':', ';'])
}

/// Whether the sentence occupies whole lines: only whitespace between it and the previous
/// and next line breaks (or the ends of the text).
fn stands_alone(text: &str, span: &Span) -> bool {
    let before = text.get(..span.start).unwrap_or("");
    let after = text.get(span.end..).unwrap_or("");
    let line_before = before.rsplit('\n').next().unwrap_or("");
    let line_after = after.split('\n').next().unwrap_or("");
    line_before.trim().is_empty() && line_after.trim().is_empty()
}

/// Length in bytes of a dateline at the start of `s`, if any.
pub(crate) fn dateline_len(s: &str) -> Option<usize> {
    if let Some(m) = static_regex!(DATELINE).find(s) {
        // The parenthesised part must look like a source, not an aside: short, capitalised.
        let inner = m
            .as_str()
            .rsplit_once('(')
            .and_then(|(_, rest)| rest.split_once(')'))
            .map(|(inner, _)| inner.trim());
        if inner
            .is_some_and(|i| i.chars().next().is_some_and(char::is_uppercase) && word_count(i) <= 4)
        {
            return Some(m.end());
        }
    }
    if let Some(m) = static_regex!(CAPS_DATELINE).find(s) {
        let place: String = m.as_str().chars().take_while(|c| *c != ',').collect();
        let letters: Vec<char> = place.chars().filter(|c| c.is_alphabetic()).collect();
        if letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase()) {
            return Some(m.end());
        }
    }
    None
}

/// Length in bytes of the sign-off glued to the end of `s` after its final punctuation
/// ("...airline.EFE", "...said. (AP)"), if any.
fn glued_signoff_len(s: &str) -> Option<usize> {
    let trimmed = s.trim_end();
    let cut = trimmed.rfind(['.', '!', '?', '”', '"', '’'])?;
    let tail_start = cut + trimmed[cut..].chars().next().map_or(1, char::len_utf8);
    let tail = &trimmed[tail_start..];
    if tail.trim().is_empty() || !is_agency_signoff(tail) {
        return None;
    }
    Some(s.len() - tail_start)
}

/// Classifies one sentence of `text` and finds its story-text part.
pub fn classify(
    text: &str,
    offsets: &OffsetMap<'_>,
    index: usize,
    sentence: &Sentence,
) -> StorySentence {
    let s = sentence.text.as_str();
    let alone = stands_alone(text, &sentence.span);
    let words = word_count(s);
    let mut kind = SentenceKind::Content;
    if is_agency_signoff(s) || static_regex!(CREDIT).is_match(s.trim_start()) {
        kind = SentenceKind::SignOff;
    } else if (alone || words <= 6)
        && (static_regex!(BYLINE).is_match(s.trim()) || static_regex!(DATE_LINE).is_match(s.trim()))
    {
        kind = SentenceKind::Byline;
    } else if let Some(len) = dateline_len(s) {
        if word_count(&s[len.min(s.len())..]) == 0 {
            kind = SentenceKind::Dateline;
        }
    }
    let glued = glued_signoff_len(s);
    let prose = &s[..s.len() - glued.unwrap_or(0)];
    if kind == SentenceKind::Content && alone && !has_final_punctuation(prose) && words <= 20 {
        kind = SentenceKind::Headline;
    }

    // The story text: drop a leading dateline and a trailing glued sign-off.
    let mut start = sentence.span.start;
    let mut end = sentence.span.end;
    if kind == SentenceKind::Content {
        if let Some(len) = dateline_len(s) {
            start += len;
        }
        if let Some(len) = glued {
            end = end.saturating_sub(len).max(start);
        }
    }
    let content = offsets
        .trimmed(start, end)
        .and_then(|span| {
            span.slice(text).map(|t| Sentence {
                span,
                text: t.to_string(),
            })
        })
        .unwrap_or_else(|| sentence.clone());
    let words = word_count(&content.text);
    StorySentence {
        index,
        sentence: sentence.clone(),
        kind,
        content,
        words,
    }
}

/// Classifies all sentences of a document.
pub fn classify_all(text: &str, sentences: &[Sentence]) -> Vec<StorySentence> {
    let offsets = OffsetMap::new(text);
    sentences
        .iter()
        .enumerate()
        .map(|(i, s)| classify(text, &offsets, i, s))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lede_core::SentenceSplitter;
    use lede_tokenize::NewsSentenceSplitter;

    fn kinds(text: &str) -> Vec<(SentenceKind, String)> {
        let sentences = NewsSentenceSplitter::default().split(text);
        classify_all(text, &sentences)
            .into_iter()
            .map(|s| (s.kind, s.content.text))
            .collect()
    }

    #[test]
    fn splitter_respects_abbreviations_and_quotes() {
        let text = "The U.S. envoy, Mr. Cole, spoke. \"We are lifting them,\" he said. Then J. Smith left!\nNext line";
        let s = NewsSentenceSplitter::default().split(text);
        let texts: Vec<&str> = s.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "The U.S. envoy, Mr. Cole, spoke.",
                "\"We are lifting them,\" he said.",
                "Then J. Smith left!",
                "Next line"
            ]
        );
        for sent in &s {
            assert_eq!(sent.span.slice(text), Some(sent.text.as_str()));
        }
    }

    #[test]
    fn splitter_offsets_on_multibyte_text() {
        let text = "Kolésnikova was freed. “The struggle continues,” he said. Минск agreed.";
        let s = NewsSentenceSplitter::default().split(text);
        assert_eq!(s.len(), 3);
        for sent in &s {
            assert_eq!(sent.span.slice(text), Some(sent.text.as_str()));
            let chars: String = text
                .chars()
                .skip(sent.span.char_start)
                .take(sent.span.char_len())
                .collect();
            assert_eq!(chars, sent.text);
        }
    }

    #[test]
    fn datelines_are_stripped_from_story_text() {
        let k = kinds("Moscow (EFE).- The President pardoned 100 prisoners on Saturday.");
        assert_eq!(k[0].0, SentenceKind::Content);
        assert_eq!(k[0].1, "The President pardoned 100 prisoners on Saturday.");
        let k = kinds("WASHINGTON (AP) — Congress passed the bill on Friday.");
        assert_eq!(k[0].1, "Congress passed the bill on Friday.");
        let k = kinds("LONDON, Dec 5 (Reuters) - Shares fell sharply.");
        assert_eq!(k[0].1, "Shares fell sharply.");
        let k = kinds("KYIV, Ukraine — Drones struck the city overnight.");
        assert_eq!(k[0].1, "Drones struck the city overnight.");
        // An ordinary sentence with an aside in brackets is left alone.
        let k = kinds("The company (which was founded in 1990) said profits rose.");
        assert_eq!(
            k[0].1,
            "The company (which was founded in 1990) said profits rose."
        );
        let k = kinds("Prices rose - again - in March.");
        assert_eq!(k[0].1, "Prices rose - again - in March.");
    }

    #[test]
    fn boilerplate_lines_are_recognised() {
        let text = "Belarus frees Nobel laureate\nBy Jane Doe\nMoscow (EFE).-\nThe leader pardoned 100 prisoners.\nWithdrawal of sanctions for pardons\nSanctions on potash were lifted, the envoy said.\nReporting by John Smith; Editing by Ann Lee\nmos/dgp\nEFE";
        let k = kinds(text);
        let got: Vec<SentenceKind> = k.iter().map(|(kind, _)| *kind).collect();
        assert_eq!(
            got,
            vec![
                SentenceKind::Headline,
                SentenceKind::Byline,
                SentenceKind::Dateline,
                SentenceKind::Content,
                SentenceKind::Headline,
                SentenceKind::Content,
                SentenceKind::SignOff,
                SentenceKind::SignOff,
                SentenceKind::SignOff,
            ]
        );
    }

    #[test]
    fn glued_signoff_is_trimmed() {
        let k = kinds("Washington had lifted sanctions on the Belavia airline.EFE\nmos/dgp");
        assert_eq!(k[0].0, SentenceKind::Content);
        assert_eq!(
            k[0].1,
            "Washington had lifted sanctions on the Belavia airline."
        );
        assert_eq!(k[1].0, SentenceKind::SignOff);
        // A normal final word is kept.
        let k = kinds("He arrived in the U.S.");
        assert_eq!(k[0].1, "He arrived in the U.S.");
    }

    #[test]
    fn prose_in_a_paragraph_is_content() {
        let k = kinds("Short line without a period but inside a paragraph and more words follow here. Next one.");
        assert!(k.iter().all(|(kind, _)| *kind == SentenceKind::Content));
    }

    proptest::proptest! {
        /// Sentences and their story-text parts slice the original text exactly, with byte
        /// and char offsets that agree, whatever the text.
        #[test]
        fn spans_slice_any_text(text in "(\\PC|\n| |[.!?\"“”()-]){0,120}") {
            let sentences = NewsSentenceSplitter::default().split(&text);
            let offsets = OffsetMap::new(&text);
            for st in classify_all(&text, &sentences) {
                for s in [&st.sentence, &st.content] {
                    proptest::prop_assert_eq!(s.span.slice(&text), Some(s.text.as_str()));
                    proptest::prop_assert_eq!(offsets.span(s.span.start, s.span.end).ok(), Some(s.span));
                    proptest::prop_assert!(st.sentence.span.contains(&st.content.span));
                }
            }
        }
    }

    #[test]
    fn word_counts() {
        assert_eq!(word_count("Hello, world!"), 2);
        assert_eq!(word_count("al-Qaida's 10,000 fighters"), 3);
        assert_eq!(word_count("— · —"), 0);
    }
}
