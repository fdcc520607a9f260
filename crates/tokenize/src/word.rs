//! Rule-based word tokens with offsets.

use lede_core::{OffsetMap, Token, TokenKind, WordTokenizer};
use unicode_segmentation::UnicodeSegmentation;

use crate::abbrev::{is_dotted, AbbreviationKind, Abbreviations};
use crate::chars::{glued_boundary, is_apostrophe, is_hyphen, is_punct};
use crate::Result;

/// A rule-based word tokenizer for news text. Implements [`WordTokenizer`].
///
/// Whitespace separates tokens and belongs to none. Inside a run of non-whitespace text the
/// tokenizer works on extended grapheme clusters, so a letter keeps its combining marks and
/// an emoji sequence (👍🏽, 🇧🇾, 👩‍👩‍👧) stays whole. The rules:
///
/// * **Words** ([`TokenKind::Word`]) are runs of letters and digits joined by inner hyphens
///   (`al-Qaida`, `COVID-19`, `63-year-old`), inner apostrophes (`don't`, `O’Brien`), inner
///   periods (`U.S`, `example.com`; not a period that ends a glued sign-off, `airline.EFE`)
///   and `&` between capitals (`AT&T`). A name inside a compound is split off at the hyphen
///   (`anti` `-` `Iraqi`, `Iraqi` `-` `born`, `U.S.` `-` `based`).
/// * A **possessive** `'s` / `’s` at the end of a word is its own token (`Russia` `’s`); other
///   clitics stay (`don't`, `can't`).
/// * An **abbreviation keeps its period**: listed ones (`Mr.`, `Inc.`, `Jan.`, `etc.`; see
///   [`Abbreviations`]), dotted forms (`U.S.`, `e.g.`, `Ph.D.`) and single capital initials
///   (`F.`). A hyphen may continue it (`U.S.-based`, then split as a compound).
/// * **Numbers** ([`TokenKind::Number`]) start with a digit and keep inner `.` `,` `:` `/`
///   between digits (`3.5`, `10,000`, `10:30`, `24/7`) and letter suffixes (`5th`, `1990s`);
///   a number joined by a hyphen to letters is a word (`63-year-old`).
///   **Signs and units are separate tokens**: `20%` is `20` + `%`, `$3.5` is `$` + `3.5`.
/// * **Punctuation** ([`TokenKind::Punct`]) is one token per mark, except that runs of `.`
///   (`...`) and of `-` (`--`) stay together.
/// * Everything else (`$`, `%`, `+`, `©`, emoji, control chars, a combining mark with no base)
///   is a [`TokenKind::Symbol`], one per grapheme cluster.
///
/// Letters are Unicode letters (Cyrillic, Greek, accented Latin, CJK...); a run of CJK
/// ideographs is one word (this is not a CJK segmenter). Tokens never cross a boundary found by
/// [`crate::NewsSentenceSplitter`] built with the same abbreviations.
///
/// ```
/// use lede_core::{TokenKind, WordTokenizer};
/// use lede_tokenize::RuleWordTokenizer;
///
/// let text = "Russia’s U.S.-based ally don't pay $10,000 (20%).";
/// let tokens = RuleWordTokenizer::default().tokenize(text);
/// let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
/// assert_eq!(
///     words,
///     ["Russia", "’s", "U.S.", "-", "based", "ally", "don't", "pay", "$", "10,000", "(", "20", "%",
///      ")", "."]
/// );
/// assert_eq!(tokens[9].kind, TokenKind::Number);
/// assert_eq!(&text[tokens[0].span.start..tokens[0].span.end], "Russia");
/// ```
#[derive(Debug, Clone, Default)]
pub struct RuleWordTokenizer {
    abbreviations: Abbreviations,
}

/// Builds a [`RuleWordTokenizer`].
#[derive(Debug, Clone, Default)]
pub struct RuleWordTokenizerBuilder {
    abbreviations: Abbreviations,
    extra: Vec<(String, AbbreviationKind)>,
}

impl RuleWordTokenizerBuilder {
    lede_core::setters! {
        /// Replaces the abbreviation list (default [`Abbreviations::news`]). Use the same list
        /// as the sentence splitter so that tokens and sentences agree.
        pub fn abbreviations(abbreviations: Abbreviations) => abbreviations = abbreviations;
    }

    /// Adds one abbreviation; checked by [`build`](Self::build).
    pub fn abbreviation(mut self, word: impl Into<String>, kind: AbbreviationKind) -> Self {
        self.extra.push((word.into(), kind));
        self
    }

    /// Builds the tokenizer.
    ///
    /// # Errors
    /// [`crate::Error::InvalidWord`] when an added abbreviation is empty or contains
    /// whitespace.
    pub fn build(self) -> Result<RuleWordTokenizer> {
        let mut abbreviations = self.abbreviations;
        for (word, kind) in &self.extra {
            abbreviations.insert(word, *kind)?;
        }
        Ok(RuleWordTokenizer { abbreviations })
    }
}

/// One grapheme cluster of a non-whitespace run.
#[derive(Debug, Clone, Copy)]
struct Grapheme {
    start: usize,
    end: usize,
    /// Its first char.
    base: char,
    /// Whether it is exactly one char.
    single: bool,
}

impl Grapheme {
    fn alnum(&self) -> bool {
        self.base.is_alphanumeric()
    }
    fn digit(&self) -> bool {
        self.base.is_numeric()
    }
    fn is(&self, c: char) -> bool {
        self.single && self.base == c
    }
}

impl RuleWordTokenizer {
    /// A builder with the defaults.
    pub fn builder() -> RuleWordTokenizerBuilder {
        RuleWordTokenizerBuilder::default()
    }

    /// The abbreviations in use.
    pub fn abbreviations(&self) -> &Abbreviations {
        &self.abbreviations
    }

    /// Like [`WordTokenizer::tokenize`] with an [`OffsetMap`] the caller already has.
    pub fn tokenize_with(&self, map: &OffsetMap<'_>) -> Vec<Token> {
        let text = map.text();
        let mut out = Vec::new();
        let mut run_start: Option<usize> = None;
        for (i, c) in text.char_indices() {
            if c.is_whitespace() {
                if let Some(s) = run_start.take() {
                    self.tokenize_run(map, s, i, &mut out);
                }
            } else if run_start.is_none() {
                run_start = Some(i);
            }
        }
        if let Some(s) = run_start {
            self.tokenize_run(map, s, text.len(), &mut out);
        }
        out
    }

    /// Tokenizes the non-whitespace run `start..end`.
    fn tokenize_run(&self, map: &OffsetMap<'_>, start: usize, end: usize, out: &mut Vec<Token>) {
        let text = map.text();
        let Some(run) = text.get(start..end) else {
            return;
        };
        let gs: Vec<Grapheme> = run
            .grapheme_indices(true)
            .filter_map(|(i, g)| {
                let mut chars = g.chars();
                let base = chars.next()?;
                Some(Grapheme {
                    start: start + i,
                    end: start + i + g.len(),
                    base,
                    single: chars.next().is_none(),
                })
            })
            .collect();
        let n = gs.len();
        let mut emit = |from: usize, to: usize, kind: TokenKind| {
            let (Some(a), Some(b)) = (gs.get(from), to.checked_sub(1).and_then(|t| gs.get(t)))
            else {
                return;
            };
            if let Ok(span) = map.span(a.start, b.end) {
                if let Some(piece) = span.slice(text) {
                    out.push(Token {
                        span,
                        text: piece.to_string(),
                        kind,
                    });
                }
            }
        };
        let mut i = 0;
        while i < n {
            let g = gs[i];
            if g.alnum() {
                let j = self.scan_word(text, &gs, i);
                let possessive = j >= i + 3
                    && gs[j - 2].single
                    && is_apostrophe(gs[j - 2].base)
                    && (gs[j - 1].is('s') || gs[j - 1].is('S'));
                let body_end = if possessive { j - 2 } else { j };
                let mut from = i;
                for cut in hyphen_cuts(text, &gs[i..body_end]) {
                    emit(from, i + cut, word_kind(&gs[from..i + cut]));
                    emit(i + cut, i + cut + 1, TokenKind::Punct);
                    from = i + cut + 1;
                }
                emit(from, body_end, word_kind(&gs[from..body_end]));
                if possessive {
                    emit(j - 2, j, TokenKind::Word);
                }
                i = j;
            } else if g.is('.') || g.is('-') {
                let mut j = i + 1;
                while j < n && gs[j].is(g.base) {
                    j += 1;
                }
                emit(i, j, TokenKind::Punct);
                i = j;
            } else {
                let kind = if is_punct(g.base) {
                    TokenKind::Punct
                } else {
                    TokenKind::Symbol
                };
                emit(i, i + 1, kind);
                i += 1;
            }
        }
    }

    /// The end (exclusive grapheme index) of the word or number starting at `i`.
    fn scan_word(&self, text: &str, gs: &[Grapheme], i: usize) -> usize {
        let n = gs.len();
        let mut j = i + 1;
        loop {
            if j < n && gs[j].alnum() {
                j += 1;
                continue;
            }
            if j + 1 < n && gs[j].single && gs[j + 1].alnum() {
                let c = gs[j].base;
                let joins = if is_hyphen(c) || is_apostrophe(c) {
                    true
                } else if c == '.' {
                    !glued_boundary(text, gs[j].start, &self.abbreviations)
                } else if matches!(c, ',' | ':' | '/') {
                    gs[j - 1].digit() && gs[j + 1].digit() && gs[i].digit()
                } else if c == '&' {
                    gs[j - 1].base.is_uppercase() && gs[j + 1].base.is_uppercase()
                } else {
                    false
                };
                if joins {
                    j += 2;
                    continue;
                }
            }
            // An abbreviation keeps its final period (not the first of an ellipsis).
            if j < n
                && gs[j].is('.')
                && !(j + 1 < n && gs[j + 1].is('.'))
                && self.is_abbreviation(text.get(gs[i].start..gs[j].start).unwrap_or(""))
            {
                j += 1;
                if j + 1 < n && gs[j].single && is_hyphen(gs[j].base) && gs[j + 1].alnum() {
                    j += 2;
                    continue;
                }
            }
            return j;
        }
    }

    fn is_abbreviation(&self, word: &str) -> bool {
        if word.is_empty() {
            return false;
        }
        if self.abbreviations.get(word).is_some() || is_dotted(word) {
            return true;
        }
        let mut chars = word.chars();
        matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase())
    }
}

/// Lowercase prefixes split off a capitalised word (`anti`-`Iraqi`).
const HYPHEN_PREFIXES: &[&str] = &[
    "anti", "pro", "ex", "non", "post", "pre", "mid", "neo", "un", "pan", "trans", "inter",
];

/// Where a word is split at its inner hyphens (grapheme indices of those hyphens): between a
/// lowercase prefix and a capitalised part (`anti-Iraqi`, `pro-Western`) and between a
/// capitalised part and a lowercase word (`Iraqi-born`, `U.S.-led`, `Kremlin-backed`), so that
/// a name inside a compound is a token of its own. Other compounds stay whole (`al-Qaida`,
/// `Jean-Pierre`, `well-known`, `COVID-19`, `63-year-old`).
fn hyphen_cuts(text: &str, gs: &[Grapheme]) -> Vec<usize> {
    let hyphens: Vec<usize> = (1..gs.len().saturating_sub(1))
        .filter(|&k| gs[k].single && is_hyphen(gs[k].base))
        .collect();
    if hyphens.is_empty() {
        return hyphens;
    }
    let part = |a: usize, b: usize| match (gs.get(a), b.checked_sub(1).and_then(|e| gs.get(e))) {
        (Some(x), Some(y)) if a < b => text.get(x.start..y.end).unwrap_or(""),
        _ => "",
    };
    let capitalised = |p: &str| p.chars().next().is_some_and(char::is_uppercase);
    let lowercase = |p: &str| {
        p.chars().any(char::is_alphabetic)
            && p.chars().all(|c| !c.is_alphabetic() || c.is_lowercase())
    };
    let mut bounds = vec![0];
    bounds.extend(hyphens.iter().flat_map(|&h| [h, h + 1]));
    bounds.push(gs.len());
    let parts: Vec<&str> = bounds.chunks(2).map(|b| part(b[0], b[1])).collect();
    hyphens
        .iter()
        .enumerate()
        .filter(|&(k, _)| {
            let (left, right) = (parts[k], parts[k + 1]);
            (HYPHEN_PREFIXES.contains(&left) && capitalised(right))
                || (capitalised(left) && lowercase(right))
        })
        .map(|(_, &h)| h)
        .collect()
}

/// [`TokenKind::Number`] for tokens that start with a digit and have no hyphen before a
/// letter; [`TokenKind::Word`] otherwise.
fn word_kind(gs: &[Grapheme]) -> TokenKind {
    let starts_with_digit = gs.first().is_some_and(Grapheme::digit);
    let hyphen_letter = gs
        .windows(2)
        .any(|w| w[0].single && is_hyphen(w[0].base) && w[1].base.is_alphabetic());
    if starts_with_digit && !hyphen_letter {
        TokenKind::Number
    } else {
        TokenKind::Word
    }
}

impl WordTokenizer for RuleWordTokenizer {
    fn tokenize(&self, text: &str) -> Vec<Token> {
        self.tokenize_with(&OffsetMap::new(text))
    }
}
