//! The words of a document with their sentences, the verbs of saying, and the noun phrases
//! around them.

use lede_core::{AnnotatedDocument, Sentence, Token};

/// A word token, in byte offsets.
#[derive(Debug, Clone)]
pub(crate) struct Word {
    pub start: usize,
    pub end: usize,
    pub lower: String,
    /// Punctuation or a symbol rather than a word or number.
    pub punct: bool,
    /// Starts with an upper-case letter.
    pub capital: bool,
}

/// Words and sentences of one document.
pub(crate) struct Words<'a> {
    pub text: &'a str,
    pub words: Vec<Word>,
    /// For every word, the index of its sentence.
    pub sentence_of: Vec<usize>,
    /// For every sentence, its word range.
    pub sentence_words: Vec<(usize, usize)>,
}

impl<'a> Words<'a> {
    pub fn new(text: &'a str, tokens: &[Token], sentences: &[Sentence]) -> Self {
        let words: Vec<Word> = tokens
            .iter()
            .map(|t| Word {
                start: t.span.start,
                end: t.span.end,
                lower: t.text.to_lowercase(),
                punct: !t.text.chars().any(char::is_alphanumeric),
                capital: t.text.chars().next().is_some_and(char::is_uppercase),
            })
            .collect();
        let mut sentence_of = Vec::with_capacity(words.len());
        let mut sentence_words = vec![(0, 0); sentences.len().max(1)];
        let mut s = 0;
        for w in &words {
            while s + 1 < sentences.len() && w.start >= sentences[s + 1].span.start {
                s += 1;
            }
            sentence_of.push(s);
        }
        for (s, range) in sentence_words.iter_mut().enumerate() {
            let first = sentence_of.partition_point(|&x| x < s);
            let last = sentence_of.partition_point(|&x| x <= s);
            *range = (first, last);
        }
        Words {
            text,
            words,
            sentence_of,
            sentence_words,
        }
    }

    pub fn from_doc(doc: &'a AnnotatedDocument) -> Self {
        Words::new(doc.text(), &doc.tokens, &doc.sentences)
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn lower(&self, i: usize) -> &str {
        self.words.get(i).map_or("", |w| w.lower.as_str())
    }

    /// The index of the first word starting at or after byte `b`.
    pub fn at_or_after(&self, b: usize) -> usize {
        self.words.partition_point(|w| w.start < b)
    }

    /// The sentence of the word at or before byte `b`.
    pub fn sentence_at(&self, b: usize) -> usize {
        let i = self.words.partition_point(|w| w.start <= b);
        self.sentence_of
            .get(i.saturating_sub(1))
            .copied()
            .unwrap_or(0)
    }

    pub fn is_mark(&self, i: usize) -> bool {
        let l = self.lower(i);
        !l.is_empty() && l.chars().all(|c| "\"“”„«»'‘’".contains(c))
    }

    pub fn is_final(&self, i: usize) -> bool {
        matches!(self.lower(i), "." | "!" | "?" | "...")
    }
}

/// Verbs of saying that introduce a content clause directly ("said the ...").
const STRONG_CUES: &[&str] = &[
    "say", "says", "said", "saying", "tell", "tells", "told", "telling",
];

/// Verbs of saying that usually take a clause, with or without "that" ("Mr Dixon claims
/// maintenance workers earn ...").
const CLAUSE_CUES: &[&str] = &[
    "claim",
    "claims",
    "claimed",
    "claiming",
    "argue",
    "argues",
    "argued",
    "arguing",
    "insist",
    "insists",
    "insisted",
    "allege",
    "alleges",
    "alleged",
    "maintain",
    "maintains",
    "maintained",
    "predict",
    "predicts",
    "predicted",
    "concede",
    "concedes",
    "conceded",
    "stress",
    "stresses",
    "stressed",
    "add",
    "adds",
    "added",
    "adding",
    "explain",
    "explains",
    "explained",
    "point",
    "points",
    "pointed",
];

/// Verbs of saying that need "that" before their clause, or an attribution after it ("..., he
/// warned"): without "that" they more often take a noun ("announced the lifting").
const WEAK_CUES: &[&str] = &[
    "announce",
    "announces",
    "announced",
    "announcing",
    "state",
    "states",
    "stated",
    "warn",
    "warns",
    "warned",
    "warning",
    "confirm",
    "confirms",
    "confirmed",
    "deny",
    "denies",
    "denied",
    "admit",
    "admits",
    "admitted",
    "acknowledge",
    "acknowledges",
    "acknowledged",
    "reveal",
    "reveals",
    "revealed",
    "report",
    "reported",
    "promise",
    "promises",
    "promised",
    "agree",
    "agrees",
    "agreed",
    "suggest",
    "suggests",
    "suggested",
    "assure",
    "assured",
    "assures",
    "emphasise",
    "emphasised",
    "emphasize",
    "emphasized",
    "reply",
    "replied",
    "replies",
    "remind",
    "reminded",
    "inform",
    "informed",
    "advise",
    "advised",
];

/// Verbs that attribute a direct quote but take no reported clause.
const DIRECT_ONLY_CUES: &[&str] = &["asked", "asks", "wrote", "writes", "quipped", "declared"];

/// How a word serves as a verb of saying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cue {
    /// "say", "tell": any clause follows.
    Strong,
    /// "claim", "argue": a clause follows, "that" or not.
    Clause,
    /// "announce", "confirm": only "that" + clause, or an attribution after the content.
    Weak,
    /// Attributes direct quotes only.
    DirectOnly,
}

pub(crate) fn cue(word: &str) -> Option<Cue> {
    if STRONG_CUES.contains(&word) {
        Some(Cue::Strong)
    } else if CLAUSE_CUES.contains(&word) {
        Some(Cue::Clause)
    } else if WEAK_CUES.contains(&word) {
        Some(Cue::Weak)
    } else if DIRECT_ONLY_CUES.contains(&word) {
        Some(Cue::DirectOnly)
    } else {
        None
    }
}

/// Auxiliaries and adverbs between a speaker and the verb ("Mr Downer has also said").
const BETWEEN: &[&str] = &[
    "has",
    "have",
    "had",
    "also",
    "later",
    "earlier",
    "again",
    "will",
    "would",
    "yesterday",
    "today",
    "tonight",
    "previously",
    "recently",
    "then",
    "now",
    "repeatedly",
    "further",
    "once",
    "today's",
    "firmly",
    "flatly",
    "publicly",
    "privately",
    "separately",
    "subsequently",
];

/// Words that end a speaker noun phrase read backwards from the verb.
const NP_STOP: &[&str] = &[
    "and",
    "or",
    "but",
    "that",
    "which",
    "who",
    "whom",
    "whose",
    "when",
    "while",
    "where",
    "because",
    "as",
    "if",
    "after",
    "before",
    "since",
    "although",
    "though",
    "so",
    "whether",
    "than",
    "to",
    "however",
    "meanwhile",
    "not",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "did",
    "does",
    "do",
    "can",
    "could",
    "should",
    "may",
    "might",
    "must",
    "yet",
];

const PREPOSITIONS: &[&str] = &[
    "in",
    "on",
    "at",
    "after",
    "before",
    "during",
    "with",
    "for",
    "from",
    "by",
    "under",
    "over",
    "about",
    "into",
    "through",
    "despite",
    "following",
    "amid",
];

const CONNECTIVES: &[&str] = &[
    "but",
    "and",
    "meanwhile",
    "however",
    "so",
    "yet",
    "also",
    "still",
    "now",
    "earlier",
    "later",
    "today",
    "yesterday",
];

impl Words<'_> {
    /// The index just past the speaker phrase before verb `c`, skipping auxiliaries.
    fn skip_between_back(&self, c: usize, first: usize) -> usize {
        let mut i = c;
        while i > first && BETWEEN.contains(&self.lower(i - 1)) {
            i -= 1;
        }
        i
    }

    /// The word range of a noun phrase ending at `end` (exclusive), read backwards.
    fn np_back(&self, end: usize, first: usize) -> Option<(usize, usize)> {
        let mut i = end;
        while i > first && end - i < 10 {
            let w = &self.words[i - 1];
            let keep = if w.punct {
                matches!(w.lower.as_str(), "-" | "&" | "." | "'s" | "’s")
            } else {
                !NP_STOP.contains(&w.lower.as_str())
            };
            if !keep {
                break;
            }
            i -= 1;
        }
        let mut start = i;
        // "In a statement the White House says": drop a leading prepositional phrase.
        if start < end && PREPOSITIONS.contains(&self.lower(start)) {
            let det = (start + 1..end)
                .rev()
                .find(|&k| matches!(self.lower(k), "the" | "a" | "an"));
            let cap = (start + 1..end).find(|&k| self.words[k].capital);
            start = match (det, cap) {
                (Some(d), _) => d,
                (None, Some(c)) => c,
                (None, None) => end,
            };
        }
        while start < end && CONNECTIVES.contains(&self.lower(start)) {
            start += 1;
        }
        while start < end && self.words[start].punct {
            start += 1;
        }
        (start < end).then_some((start, end))
    }

    /// The speaker phrase of verb `c` read backwards in its sentence ("Mr Downer says",
    /// "Mr Downer, the Foreign Minister, says").
    pub fn speaker_before(&self, c: usize) -> Option<(usize, usize)> {
        let first = self.sentence_words[self.sentence_of[c]].0;
        let end = self.skip_between_back(c, first);
        if end > first && self.lower(end - 1) == "," {
            // An apposition: the name before it speaks.
            let inner_end = end - 1;
            let comma = (first..inner_end)
                .rev()
                .take(12)
                .find(|&k| self.lower(k) == ",");
            if let Some(k) = comma {
                // The whole of "Mr Downer, the Foreign Minister": the name may be on either
                // side of the comma.
                // A relative clause ("Jim Soorley, who is a former priest, says") is no
                // apposition: the name alone.
                if matches!(
                    self.lower(k + 1),
                    "who" | "which" | "whose" | "whom" | "where"
                ) {
                    return self.np_back(k, first);
                }
                let appos = self.np_back(inner_end, k + 1);
                return match (self.np_back(k, first), appos) {
                    (Some((a, _)), Some((_, b))) => Some((a, b)),
                    (Some(np), None) => Some(np),
                    (None, other) => other,
                };
            }
            return None;
        }
        self.np_back(end, first)
    }

    /// The name that opens the sentence of word `c` ("Mr Nelson will not ...", "Team captain
    /// John Fitzgerald has ..."): its capitalised words (with "of", "the", possessives and
    /// title words inside), before `c`.
    pub fn sentence_subject(&self, c: usize) -> Option<(usize, usize)> {
        let mut a = self.sentence_words[self.sentence_of[c]].0;
        while a < c && CONNECTIVES.contains(&self.lower(a)) {
            a += 1;
        }
        let mut b = a;
        while b < c && b - a < 8 {
            let w = &self.words[b];
            let inner = b > a && matches!(w.lower.as_str(), "of" | "the" | "'s" | "’s" | "-");
            let name_word = w.capital && !w.punct;
            // "Team captain John Fitzgerald": a title word between capitals.
            let title = !w.punct && self.words.get(b + 1).is_some_and(|n| n.capital) && b + 1 < c;
            if !name_word && !inner && !title {
                break;
            }
            b += 1;
        }
        while b > a && !self.words[b - 1].capital {
            b -= 1; // no trailing "of"
        }
        (b > a).then_some((a, b))
    }

    /// The speaker phrase after verb `c` ("..., said the US envoy.").
    pub fn speaker_after(&self, c: usize) -> Option<(usize, usize)> {
        let last = self.sentence_words[self.sentence_of[c]].1;
        let start = c + 1;
        let mut i = start;
        while i < last && i - start < 10 {
            let w = &self.words[i];
            if (w.punct && !matches!(w.lower.as_str(), "-" | "&" | "'s" | "’s"))
                || NP_STOP.contains(&w.lower.as_str())
                || (PREPOSITIONS.contains(&w.lower.as_str()) && w.lower != "of" && i > start + 1)
            {
                break;
            }
            i += 1;
        }
        (i > start).then_some((start, i))
    }

    /// Skips adverbials after a verb of saying ("said on Tuesday", "said in a statement
    /// that"); returns the index of the first word of what follows.
    pub fn skip_adverbials(&self, mut j: usize, last: usize) -> usize {
        loop {
            if j >= last {
                return j;
            }
            let l = self.lower(j);
            if BETWEEN.contains(&l) && !matches!(l, "will" | "would" | "has" | "have" | "had") {
                j += 1;
            } else if matches!(l, "on" | "last" | "this" | "late" | "early")
                && j + 1 < last
                && (self.words[j + 1].capital
                    || matches!(
                        self.lower(j + 1),
                        "week"
                            | "month"
                            | "year"
                            | "night"
                            | "morning"
                            | "afternoon"
                            | "evening"
                            | "weekend"
                    ))
            {
                j += 2;
            } else if l == "in"
                && matches!(
                    self.lower(j + 1),
                    "a" | "an" | "the" | "his" | "her" | "their" | "its"
                )
            {
                // "in a statement (that)", "in an address on television, ...": to the "that" or
                // the comma within eight words, else past the noun.
                let end = (j + 10).min(last);
                match (j + 2..end).find(|&k| matches!(self.lower(k), "that" | ",")) {
                    Some(k) if self.lower(k) == "that" => return k,
                    Some(k) => j = k + 1,
                    None => j += 3,
                }
            } else {
                return j;
            }
        }
    }
}

/// Words that show a finite clause: auxiliaries and modals.
const CLAUSE_SIGNS: &[&str] = &[
    "is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "could", "should",
    "may", "might", "must", "did", "does", "do", "be", "been", "'s", "’s", "'re", "'ve", "'ll",
    "wo", "ca", "shall", "won't", "can't", "isn't", "wasn't", "hasn't", "don't", "doesn't",
    "didn't", "aren't", "weren't",
];

impl Words<'_> {
    /// Whether words `[a, b)` look like a clause with a verb rather than a phrase ("address on
    /// public television", "The Treasurer, Peter Costello"): an auxiliary, or a lower-case word
    /// after the first that ends like a verb ("-ed", "-s").
    pub fn looks_like_clause(&self, a: usize, b: usize) -> bool {
        // "from the battleground", "with a loudspeaker": a short phrase after a preposition.
        if a >= b || (PREPOSITIONS.contains(&self.lower(a)) && b - a < 6) {
            return false;
        }
        (a..b).any(|k| CLAUSE_SIGNS.contains(&self.lower(k)))
            || (a + 1..b).any(|k| {
                let w = &self.words[k];
                !w.punct
                    && !w.capital
                    && w.lower.len() > 3
                    && (w.lower.ends_with("ed")
                        || (w.lower.ends_with('s') && !w.lower.ends_with("ss")))
            })
    }

    /// Whether word `j` can start a reported clause after a verb without "that".
    pub fn starts_clause(&self, j: usize) -> bool {
        let w = match self.words.get(j) {
            Some(w) => w,
            None => return false,
        };
        !w.punct
            && (w.capital
                || w.lower.chars().next().is_some_and(|c| c.is_ascii_digit())
                || matches!(
                    w.lower.as_str(),
                    "he" | "she"
                        | "it"
                        | "they"
                        | "we"
                        | "i"
                        | "there"
                        | "the"
                        | "a"
                        | "an"
                        | "his"
                        | "her"
                        | "their"
                        | "its"
                        | "this"
                        | "these"
                        | "those"
                        | "some"
                        | "many"
                        | "most"
                        | "all"
                        | "no"
                        | "only"
                        | "more"
                        | "about"
                        | "up"
                        | "nearly"
                        | "almost"
                        | "one"
                        | "two"
                        | "three"
                ))
    }
}
