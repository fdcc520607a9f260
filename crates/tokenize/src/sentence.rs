//! The news sentence splitter.

use lede_core::{OffsetMap, Sentence, SentenceSplitter, Span};

use crate::abbrev::{AbbreviationKind, Abbreviations, Starters};
use crate::chars::{
    glued_boundary, is_cjk_terminator, is_closer, is_grapheme_boundary, is_line_break, is_opener,
    is_strong_terminator, is_terminator,
};
use crate::Result;

/// What a line break means to the [`NewsSentenceSplitter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LineBreaks {
    /// Every line break ends a sentence (the default). Right for news feeds and most web
    /// text, where a paragraph is one line and headlines, section titles, datelines and
    /// sign-offs stand on their own line without final punctuation.
    #[default]
    EndSentence,
    /// Only a blank line (a line break, optional spaces, a line break) ends a sentence; a
    /// single line break is a space. Right for hard-wrapped text (e-mails, plain-text wires
    /// wrapped at 72 columns).
    BlankLine,
}

/// A rule-based sentence splitter for news text. Implements [`SentenceSplitter`].
///
/// The rules, in order:
///
/// 1. **Line breaks** end sentences ([`LineBreaks::EndSentence`], the default), so a
///    headline or section title on its own line stands alone, punctuated or not.
/// 2. A **candidate** end is a run of terminators (`.`, `!`, `?`, `…`, `...`, `。`) followed
///    by optional closing quotes or brackets (`”`, `’`, `"`, `'`, `»`, `)`) and then
///    whitespace. The first word after it (past any opening quotes or brackets) decides:
///    * after `!`, `?` or an ellipsis: the sentence ends unless that word is lowercase
///      (`“Why?” he asked.` is one sentence) or, after a closing quote, starts an
///      attribution (capitalised words, then a speech verb: `“Why?” Gen. Ortega asked.`);
///    * after a period: a lowercase word never starts a sentence; a title (`Mr.`, `Dr.`,
///      `Gen.`, `e.g.`) never ends one; an ordinary abbreviation (`Inc.`, `Jan.`, `No.`),
///      a dotted form (`U.S.`) or a single initial (`John F. Kennedy`) ends one only before a
///      frequent sentence starter (`The`, `He`, `In`, ...); `etc.` ends one before any
///      capitalised word; an enumerator at the start of a line (`1. `) does not; any other
///      word ends the sentence (before a capital, a digit, a quote or a symbol).
/// 3. Decimals (`3.5`), dotted words (`U.S.-based`, `e.g.`) and dateline dashes (`(EFE).-`)
///    are never candidates because no space follows the period.
/// 4. **Glued sign-offs**: a period directly followed by a capitalised word of two or more
///    letters (`airline.EFE`) ends the sentence after the period, unless the word before the
///    period is a single letter or a title, or the run looks like an address
///    (`www.`, `@`, `://`). See [`NewsSentenceSplitterBuilder::glued_sign_offs`].
/// 5. CJK full stops (`。！？`) end a sentence even when no space follows.
///
/// A sentence that ends inside a quotation takes the closing quote with it
/// (`“It is over. We won.”` gives `“It is over.` and `We won.”`); a comma inside a quotation
/// is not an end (`“We are lifting them,” Cole said.` is one sentence).
///
/// Every sentence span excludes surrounding whitespace and slices the text exactly; together
/// the sentences cover every non-whitespace char, in order, without overlap. The splitter
/// never panics, whatever the input.
///
/// ```
/// use lede_core::SentenceSplitter;
/// use lede_tokenize::NewsSentenceSplitter;
///
/// let text = "Mr. Smith paid $3.5 million to Acme Corp. in Jan. 2020. He left the U.S. \
///             on Friday.\nTalks resume\n“It is over. We won,” he said.";
/// let splitter = NewsSentenceSplitter::default();
/// let sentences: Vec<String> = splitter.split(text).into_iter().map(|s| s.text).collect();
/// assert_eq!(sentences, [
///     "Mr. Smith paid $3.5 million to Acme Corp. in Jan. 2020.",
///     "He left the U.S. on Friday.",
///     "Talks resume",
///     "“It is over.",
///     "We won,” he said.",
/// ]);
/// ```
#[derive(Debug, Clone)]
pub struct NewsSentenceSplitter {
    abbreviations: Abbreviations,
    starters: Starters,
    line_breaks: LineBreaks,
    glued: bool,
}

/// Builds a [`NewsSentenceSplitter`].
///
/// ```
/// use lede_core::SentenceSplitter;
/// use lede_tokenize::{AbbreviationKind, LineBreaks, NewsSentenceSplitter};
///
/// let splitter = NewsSentenceSplitter::builder()
///     .abbreviation("Cmdt", AbbreviationKind::Title)
///     .line_breaks(LineBreaks::BlankLine)
///     .build()
///     .unwrap();
/// let sentences = splitter.split("Cmdt. Ruiz spoke\nat length. Then\n\nhe left.");
/// assert_eq!(sentences.len(), 3);
/// assert_eq!(sentences[0].text, "Cmdt. Ruiz spoke\nat length.");
/// ```
#[derive(Debug, Clone)]
pub struct NewsSentenceSplitterBuilder {
    abbreviations: Abbreviations,
    extra_abbreviations: Vec<(String, AbbreviationKind)>,
    extra_starters: Vec<String>,
    line_breaks: LineBreaks,
    glued: bool,
}

impl Default for NewsSentenceSplitterBuilder {
    fn default() -> Self {
        NewsSentenceSplitterBuilder {
            abbreviations: Abbreviations::news(),
            extra_abbreviations: Vec::new(),
            extra_starters: Vec::new(),
            line_breaks: LineBreaks::default(),
            glued: true,
        }
    }
}

impl NewsSentenceSplitterBuilder {
    /// Adds one abbreviation (with or without its final period); checked by
    /// [`build`](Self::build).
    pub fn abbreviation(mut self, word: impl Into<String>, kind: AbbreviationKind) -> Self {
        self.extra_abbreviations.push((word.into(), kind));
        self
    }

    /// Adds a frequent sentence starter: after an ordinary abbreviation or an initial, a
    /// capitalised starter means the period ended the sentence.
    pub fn sentence_starter(mut self, word: impl Into<String>) -> Self {
        self.extra_starters.push(word.into());
        self
    }

    lede_core::setters! {
        /// Replaces the abbreviation list (default: [`Abbreviations::news`]).
        pub fn abbreviations(abbreviations: Abbreviations) => abbreviations = abbreviations;
        /// What a line break means (default [`LineBreaks::EndSentence`]).
        pub fn line_breaks(line_breaks: LineBreaks) => line_breaks = line_breaks;
        /// Whether a period glued to a following capitalised word ends the sentence
        /// (`airline.EFE`, default `true`). Word tokens from [`crate::RuleWordTokenizer`] never
        /// cross such a boundary either way.
        pub fn glued_sign_offs(on: bool) => glued = on;
    }

    /// Builds the splitter.
    ///
    /// # Errors
    /// [`crate::Error::InvalidWord`] when an added abbreviation or starter is empty or
    /// contains whitespace.
    pub fn build(self) -> Result<NewsSentenceSplitter> {
        let mut abbreviations = self.abbreviations;
        for (word, kind) in &self.extra_abbreviations {
            abbreviations.insert(word, *kind)?;
        }
        let mut starters = Starters::news();
        for word in &self.extra_starters {
            starters.insert(word)?;
        }
        Ok(NewsSentenceSplitter {
            abbreviations,
            starters,
            line_breaks: self.line_breaks,
            glued: self.glued,
        })
    }
}

impl Default for NewsSentenceSplitter {
    fn default() -> Self {
        NewsSentenceSplitter {
            abbreviations: Abbreviations::news(),
            starters: Starters::news(),
            line_breaks: LineBreaks::default(),
            glued: true,
        }
    }
}

/// What comes after a candidate end.
enum Next {
    /// Nothing but whitespace up to the end of the block.
    End,
    /// A word or symbol: its first char (after opening quotes/brackets), its leading
    /// letters, and the first few whitespace-separated chunks from there on.
    Word {
        first: char,
        word: String,
        chunks: Vec<String>,
    },
}

impl NewsSentenceSplitter {
    /// A builder with the defaults.
    pub fn builder() -> NewsSentenceSplitterBuilder {
        NewsSentenceSplitterBuilder::default()
    }

    /// The abbreviations in use.
    pub fn abbreviations(&self) -> &Abbreviations {
        &self.abbreviations
    }

    /// The line-break policy in use.
    pub fn line_break_policy(&self) -> LineBreaks {
        self.line_breaks
    }

    /// The sentence spans of `text`, in order (what [`SentenceSplitter::split`] returns,
    /// without copying the sentence texts).
    pub fn split_spans(&self, text: &str) -> Vec<Span> {
        let map = OffsetMap::new(text);
        self.spans_with(&map)
    }

    /// Like [`split_spans`](Self::split_spans) with an [`OffsetMap`] the caller already has.
    pub fn spans_with(&self, map: &OffsetMap<'_>) -> Vec<Span> {
        let text = map.text();
        let mut spans = Vec::new();
        for (start, end) in self.blocks(text) {
            let mut cuts = Vec::new();
            self.split_block(text, start, end, &mut cuts);
            let mut from = start;
            for cut in cuts.into_iter().chain(std::iter::once(end)) {
                if cut > from {
                    if let Some(span) = map.trimmed(from, cut) {
                        spans.push(span);
                    }
                    from = cut;
                }
            }
        }
        spans
    }

    /// Byte ranges of the blocks that sentences never cross: lines, or paragraphs separated
    /// by blank lines.
    fn blocks(&self, text: &str) -> Vec<(usize, usize)> {
        let mut lines = Vec::new();
        let mut line_start = 0;
        for (i, c) in text.char_indices() {
            if is_line_break(c) {
                lines.push((line_start, i));
                line_start = i + c.len_utf8();
            }
        }
        lines.push((line_start, text.len()));
        match self.line_breaks {
            LineBreaks::EndSentence => lines,
            LineBreaks::BlankLine => {
                let mut blocks = Vec::new();
                let mut current: Option<(usize, usize)> = None;
                for (s, e) in lines {
                    let blank = text.get(s..e).map_or(true, |line| line.trim().is_empty());
                    match (&mut current, blank) {
                        (Some(block), false) => block.1 = e,
                        (None, false) => current = Some((s, e)),
                        (Some(_), true) => blocks.extend(current.take()),
                        (None, true) => {}
                    }
                }
                blocks.extend(current);
                blocks
            }
        }
    }

    /// Pushes the byte offsets where sentences end inside the block `start..end`.
    fn split_block(&self, text: &str, start: usize, end: usize, cuts: &mut Vec<usize>) {
        let Some(block) = text.get(start..end) else {
            return;
        };
        let chars: Vec<(usize, char)> = block.char_indices().map(|(i, c)| (start + i, c)).collect();
        let n = chars.len();
        let byte_at = |k: usize| chars.get(k).map_or(end, |&(b, _)| b);
        let first_content = chars.iter().position(|&(_, c)| !c.is_whitespace());
        let mut chunk_start = 0usize;
        let mut i = 0usize;
        while i < n {
            let c = chars[i].1;
            if c.is_whitespace() {
                chunk_start = i + 1;
                i += 1;
                continue;
            }
            if !is_terminator(c) {
                i += 1;
                continue;
            }
            // The run of terminators, then closers (and terminators after closers: `”.`).
            let mut j = i;
            while j < n && is_terminator(chars[j].1) {
                j += 1;
            }
            let mut k = j;
            while k < n && (is_closer(chars[k].1) || is_terminator(chars[k].1)) {
                k += 1;
            }
            if k >= n {
                // The block ends here anyway.
                break;
            }
            let after = chars[k].1;
            let run = &chars[i..k];
            if after.is_whitespace() {
                let prev = text.get(byte_at(chunk_start)..byte_at(i)).unwrap_or("");
                let enumerator = first_content == Some(chunk_start);
                if self.ends_sentence(prev, run, enumerator, self.next_after(&chars, k)) {
                    cuts.push(byte_at(k));
                }
                i = k;
                continue;
            }
            if run.iter().any(|&(_, t)| is_cjk_terminator(t))
                && is_grapheme_boundary(text, byte_at(k))
            {
                cuts.push(byte_at(k));
                chunk_start = k;
                i = k;
                continue;
            }
            if self.glued
                && c == '.'
                && j == i + 1
                && glued_boundary(text, chars[i].0, &self.abbreviations)
            {
                cuts.push(byte_at(i + 1));
                chunk_start = i + 1;
                i += 1;
                continue;
            }
            i = j.max(i + 1);
        }
    }

    /// The first word after the whitespace at `k`, past opening quotes and brackets.
    fn next_after(&self, chars: &[(usize, char)], k: usize) -> Next {
        let mut m = k;
        while m < chars.len() && chars[m].1.is_whitespace() {
            m += 1;
        }
        if m >= chars.len() {
            return Next::End;
        }
        let mut o = m;
        while o < chars.len() && is_opener(chars[o].1) {
            o += 1;
        }
        let Some(&(_, first)) = chars.get(o).or_else(|| chars.get(m)) else {
            return Next::End;
        };
        let word: String = chars[o.min(chars.len())..]
            .iter()
            .map(|&(_, c)| c)
            .take_while(|c| c.is_alphabetic())
            .take(33)
            .collect();
        let mut chunks = Vec::new();
        let mut current = String::new();
        for &(_, c) in &chars[o.min(chars.len())..] {
            if c.is_whitespace() {
                if !current.is_empty() {
                    chunks.push(std::mem::take(&mut current));
                    if chunks.len() == ATTRIBUTION_WORDS {
                        break;
                    }
                }
            } else if current.len() < 40 {
                current.push(c);
            }
        }
        if !current.is_empty() && chunks.len() < ATTRIBUTION_WORDS {
            chunks.push(current);
        }
        Next::Word {
            first,
            word,
            chunks,
        }
    }

    /// Whether the candidate `run` (terminators and closers) after the text `prev` ends the
    /// sentence, given what follows.
    fn ends_sentence(
        &self,
        prev: &str,
        run: &[(usize, char)],
        enumerator: bool,
        next: Next,
    ) -> bool {
        let Next::Word {
            first,
            word,
            chunks,
        } = next
        else {
            return true;
        };
        if first.is_lowercase() {
            return false;
        }
        let terminators: Vec<char> = run
            .iter()
            .map(|&(_, c)| c)
            .filter(|&c| is_terminator(c))
            .collect();
        let strong = terminators.iter().any(|&c| is_strong_terminator(c));
        let ellipsis = terminators.contains(&'…') || terminators.len() > 1;
        if strong || ellipsis {
            // `“Why now?” Ortega asked.`: a quoted question or exclamation followed by its
            // attribution (capitalised names, then a speech verb) is one sentence.
            let quoted = run.iter().any(|&(_, c)| is_closer(c));
            return !(strong && quoted && is_attribution(&chunks));
        }
        // A single period. The word before it, without opening quotes or brackets.
        let prev = prev.trim_start_matches(is_opener);
        let capital = first.is_uppercase() || (first.is_alphabetic() && !first.is_lowercase());
        if enumerator
            && (1..=3).contains(&prev.chars().count())
            && prev.chars().all(|c| c.is_ascii_digit())
        {
            return false;
        }
        // A closing quote or bracket after the period (`“Plan B.” Everyone`) makes an
        // abbreviation reading unlikely.
        let closed = run.iter().any(|&(_, c)| is_closer(c));
        match self.abbreviations.classify(prev) {
            Some(AbbreviationKind::Title) => false,
            Some(AbbreviationKind::Final) => capital,
            Some(AbbreviationKind::Ordinary) => {
                capital && (closed || self.starters.contains(&word))
            }
            None => true,
        }
    }
}

/// How many chunks after a quoted `?` or `!` are searched for a speech verb.
const ATTRIBUTION_WORDS: usize = 5;

/// Verbs that attribute a quotation.
const SPEECH_VERBS: &[&str] = &[
    "said",
    "says",
    "asked",
    "asks",
    "told",
    "tells",
    "added",
    "adds",
    "wrote",
    "writes",
    "replied",
    "replies",
    "explained",
    "noted",
    "insisted",
    "stated",
    "declared",
    "shouted",
    "tweeted",
    "posted",
    "continued",
    "concluded",
    "warned",
    "stressed",
    "recalled",
    "exclaimed",
    "wondered",
    "cried",
    "yelled",
    "whispered",
    "admitted",
    "acknowledged",
    "argued",
    "claimed",
    "responded",
    "demanded",
    "urged",
];

/// Whether `chunks` read as an attribution: one or more capitalised words (`Ortega`,
/// `Gen. Ivanov`) followed by a speech verb.
fn is_attribution(chunks: &[String]) -> bool {
    for (i, chunk) in chunks.iter().enumerate() {
        let bare = chunk.trim_end_matches(|c: char| !c.is_alphanumeric());
        if i > 0 && SPEECH_VERBS.iter().any(|v| bare.eq_ignore_ascii_case(v)) {
            return true;
        }
        let capitalised = bare.chars().next().is_some_and(char::is_uppercase);
        // A name part may end with a title's or initial's period, nothing stronger.
        let clean_end = chunk.len() == bare.len() || chunk[bare.len()..] == *".";
        if !capitalised || !clean_end {
            return false;
        }
    }
    false
}

impl SentenceSplitter for NewsSentenceSplitter {
    fn split(&self, text: &str) -> Vec<Sentence> {
        self.split_spans(text)
            .into_iter()
            .map(|span| Sentence {
                text: span.slice(text).unwrap_or_default().to_string(),
                span,
            })
            .collect()
    }
}
