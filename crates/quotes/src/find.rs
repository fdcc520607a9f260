//! Finding quotations: passages between marks that are statements, reported speech around
//! verbs of saying, and the words that attribute each.

use crate::marks::{marked_passages, Marked};
use crate::words::{cue, Cue, Words};
use lede_core::QuoteKind;

/// A quotation found, before its speaker is resolved: byte offsets, word ranges.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub kind: QuoteKind,
    pub start: usize,
    pub end: usize,
    /// Word index of the verb of saying ("according" for "according to").
    pub cue: Option<(usize, usize)>,
    /// Word range of the speaker phrase.
    pub speaker: Option<(usize, usize)>,
}

impl Found {
    /// Reported speech over bytes `[start, end)`, its verb at words `cue`.
    fn indirect(
        (start, end): (usize, usize),
        cue: (usize, usize),
        speaker: Option<(usize, usize)>,
    ) -> Self {
        Found {
            kind: QuoteKind::Indirect,
            start,
            end,
            cue: Some(cue),
            speaker,
        }
    }
}

/// Words before an opening mark that make the passage a name or a label, not a statement.
const LABEL_BEFORE: &[&str] = &[
    "known as",
    "so-called",
    "so called",
    "dubbed",
    "nicknamed",
    "titled",
    "entitled",
    "named",
    "operation",
    "the word",
    "the term",
    "code-named",
    "codenamed",
    "the phrase",
];

/// Words before a short passage that attribute it to the subject ("what he called a
/// 'terrorist state'").
const CALLED_BEFORE: &[&str] = &[
    "called",
    "calls",
    "calling",
    "branded",
    "brands",
    "described",
    "describes",
    "labelled",
    "labeled",
    "termed",
];

pub(crate) struct Finder<'w, 'a> {
    pub w: &'w Words<'a>,
    pub min_statement_words: usize,
    passages: Vec<Marked>,
}

impl<'w, 'a> Finder<'w, 'a> {
    pub fn new(w: &'w Words<'a>, min_statement_words: usize) -> Self {
        Finder {
            w,
            min_statement_words,
            passages: marked_passages(w.text),
        }
    }

    /// Whether byte `b` lies inside a marked passage (its marks included).
    fn in_passage(&self, b: usize) -> bool {
        // Passages come in text order and do not overlap: the last one opened at or before b.
        let k = self.passages.partition_point(|p| p.open <= b);
        k > 0 && {
            let p = &self.passages[k - 1];
            b < p.close.unwrap_or(p.end)
        }
    }

    fn word_count(&self, start: usize, end: usize) -> usize {
        let a = self.w.at_or_after(start);
        let b = self.w.at_or_after(end);
        (a..b).filter(|&i| !self.w.words[i].punct).count()
    }

    /// Word `i` as a verb of saying usable for reported speech: outside marked passages, not
    /// a capitalised name, not an infinitive, not negated, not passive.
    fn usable_cue(&self, i: usize) -> Option<Cue> {
        let c = cue(self.w.lower(i))?;
        if self.in_passage(self.w.words[i].start) {
            return None;
        }
        let first = self.w.sentence_words[self.w.sentence_of[i]].0;
        // A capitalised "States" or "Report" inside a sentence is a name, not a verb.
        if self.w.words[i].capital && i > first {
            return None;
        }
        let prev = |k: usize| {
            if i >= first + k {
                self.w.lower(i - k)
            } else {
                ""
            }
        };
        if matches!(
            prev(1),
            "to" | "not"
                | "n't"
                | "never"
                | "was"
                | "were"
                | "is"
                | "are"
                | "be"
                | "been"
                | "being"
        ) || matches!(prev(2), "not" | "n't" | "never")
        {
            return None;
        }
        Some(c)
    }

    pub fn find(&self) -> Vec<Found> {
        let mut out = Vec::new();
        for p in &self.passages {
            if let Some(f) = self.direct(p) {
                out.push(f);
            }
        }
        let direct_spans: Vec<(usize, usize)> = out.iter().map(|f| (f.start, f.end)).collect();
        // Verbs after a direct quote that attribute it introduce no reported speech of their
        // own ("...," said a police dispatcher).
        let mut direct_cues: Vec<usize> = out
            .iter()
            .filter_map(|f| {
                f.cue
                    .map(|c| c.0)
                    .filter(|&c| self.w.words[c].start >= f.end)
            })
            .collect();
        direct_cues.sort_unstable();
        // Reported speech found so far; only the last can still cover words to come (what
        // comes before a verb ends before it, what follows it is the last found).
        let mut taken: Option<(usize, usize)> = None;
        for i in 0..self.w.len() {
            let at = self.w.words[i].start;
            if direct_cues.binary_search(&i).is_ok()
                || taken.is_some_and(|(a, b)| at >= a && at < b)
            {
                continue;
            }
            let found = if self.w.lower(i) == "according" && self.w.lower(i + 1) == "to" {
                self.according_to(i)
            } else {
                self.reported(i)
            };
            if let Some(f) = found {
                // Reported speech that is all one marked passage is a direct quote only.
                let all_marked = direct_spans
                    .iter()
                    .any(|&(a, b)| a <= f.start + 1 && b + 1 >= f.end)
                    || self
                        .passages
                        .iter()
                        .any(|p| p.start <= f.start && p.end >= f.end);
                if !all_marked {
                    taken = Some((f.start, f.end));
                    out.push(f);
                }
            }
        }
        out.sort_by_key(|f| (f.start, f.end));
        out
    }

    /// A marked passage as a direct quote, with its attribution, when it is a statement.
    fn direct(&self, p: &Marked) -> Option<Found> {
        // The few words before the mark (at most 60 bytes, cut on a char boundary).
        let mut from = p.open.saturating_sub(60);
        while !self.w.text.is_char_boundary(from) {
            from += 1;
        }
        let before = self.w.text[from..p.open].trim_end().to_lowercase();
        if LABEL_BEFORE.iter().any(|l| before.ends_with(l)) {
            return None;
        }
        let words = self.word_count(p.start, p.end);
        let attribution = self
            .attribution_after(p)
            .or_else(|| self.attribution_before(p));
        let statement = words >= self.min_statement_words
            || attribution.is_some()
            || CALLED_BEFORE
                .iter()
                .any(|c| before.rsplit(' ').take(4).any(|w| w == *c));
        if !statement {
            return None;
        }
        let (cue, speaker) = attribution.unwrap_or((None, None));
        Some(Found {
            kind: QuoteKind::Direct,
            start: p.start,
            end: p.end,
            cue,
            speaker,
        })
    }

    /// `"...," he said` / `"...," said the envoy` / `"..." Cole told local media`.
    #[allow(clippy::type_complexity)]
    fn attribution_after(
        &self,
        p: &Marked,
    ) -> Option<(Option<(usize, usize)>, Option<(usize, usize)>)> {
        let close = p.close?;
        let w = self.w;
        let mut i = w.at_or_after(close);
        if i >= w.len() {
            return None;
        }
        let s = w.sentence_of[i
            .saturating_sub(1)
            .max(w.at_or_after(p.end).saturating_sub(1))];
        let last = w.sentence_words[s].1.max(i);
        while i < last && w.words[i].punct && !w.is_mark(i) && !w.is_final(i) {
            i += 1; // the comma after the closing mark
        }
        // A quote that ends its sentence inside the marks, followed by a capital, is followed
        // by a new sentence ("...the other way." Mr Templeton says the club ...).
        let ends_sentence = w.text[..p.end].ends_with(['.', '!', '?']);
        if ends_sentence
            && i < w.len()
            && w.words[i].capital
            && !matches!(w.lower(i), "he" | "she" | "they" | "we" | "i")
        {
            return None;
        }
        for c in i..(i + 12).min(w.len()) {
            if w.words[c].punct && !matches!(w.lower(c), "-" | "&" | "'s" | "’s" | ".") {
                return None;
            }
            if w.lower(c) == "." && c > i && !w.words[c - 1].capital {
                return None;
            }
            if cue(w.lower(c)).is_some() {
                let speaker = if c > i {
                    Some((i, c))
                } else {
                    w.speaker_after(c)
                };
                return Some((Some((c, c + 1)), speaker));
            }
            if w.lower(c) == "according" && w.lower(c + 1) == "to" {
                let sp = w.speaker_after(c + 1);
                return Some((Some((c, c + 2)), sp));
            }
        }
        None
    }

    /// `He said: "..."` / `he added, "..."`, or a cue earlier in the sentence that introduces
    /// reported speech with a marked fragment (`argued that it was the result of "agreements
    /// reached"`).
    #[allow(clippy::type_complexity)]
    fn attribution_before(
        &self,
        p: &Marked,
    ) -> Option<(Option<(usize, usize)>, Option<(usize, usize)>)> {
        let w = self.w;
        let open_word = w.at_or_after(p.open);
        if open_word == 0 {
            return None;
        }
        let s = w.sentence_of[open_word.min(w.len() - 1)];
        let first = w.sentence_words[s].0;
        let mut c = open_word;
        while c > first {
            c -= 1;
            if w.is_mark(c) && self.in_passage(w.words[c].start) && c + 1 != open_word {
                // another passage earlier in the sentence: look through it
                continue;
            }
            if self.usable_cue(c).is_some() {
                let speaker = w
                    .speaker_before(c)
                    .or_else(|| w.speaker_after(c).filter(|&(_, b)| b <= open_word));
                return Some((Some((c, c + 1)), speaker));
            }
            if w.lower(c) == "according" && w.lower(c + 1) == "to" {
                return Some((Some((c, c + 2)), w.speaker_after(c + 1)));
            }
        }
        None
    }

    /// The byte span of words `[a, b)` without trailing punctuation: the final full stop,
    /// a comma before the attribution, and a closing mark after a stop (`...Biden.”`).
    fn clause(&self, a: usize, mut b: usize) -> Option<(usize, usize)> {
        let w = self.w;
        while b > a
            && (w.is_final(b - 1)
                || matches!(w.lower(b - 1), "," | ";" | ":")
                || (b > a + 1 && w.is_mark(b - 1) && w.is_final(b - 2)))
        {
            b -= 1;
        }
        if !self.content_ok(a, b) {
            return None;
        }
        // A full stop the tokenizer left on the last word ("does not wash." before a quote).
        let mut end = w.words[b - 1].end;
        let last = &w.text[w.words[b - 1].start..end];
        if last.len() > 2 && last.ends_with('.') && !last[..last.len() - 1].contains('.') {
            end -= 1;
        }
        Some((w.words[a].start, end))
    }

    fn content_ok(&self, a: usize, b: usize) -> bool {
        b > a && (a..b).filter(|&i| !self.w.words[i].punct).count() >= 3
    }

    /// Reported speech around verb `c`: `X says [content]`, `[content], X said`.
    fn reported(&self, c: usize) -> Option<Found> {
        let kind = self.usable_cue(c)?;
        if kind == Cue::DirectOnly {
            return None;
        }
        let w = self.w;
        let (first, last) = w.sentence_words[w.sentence_of[c]];
        // Postposed: "[content], he said." / "[content], said the envoy."
        if let Some(f) = self.postposed(c, first, last) {
            return Some(f);
        }
        // Forward: "X says (that) [content]".
        let mut j = c + 1;
        if matches!(w.lower(c), "point" | "points" | "pointed") {
            if w.lower(j) != "out" {
                return None;
            }
            j += 1;
        }
        if matches!(
            w.lower(c),
            "tell"
                | "tells"
                | "told"
                | "telling"
                | "assure"
                | "assured"
                | "assures"
                | "warn"
                | "warns"
                | "warned"
                | "remind"
                | "reminded"
                | "inform"
                | "informed"
                | "advise"
                | "advised"
        ) {
            j = self.skip_object(j, last);
        }
        // "said on Tuesday (that) ..." dates the saying; after "says" the time belongs to the
        // content ("says last week he felt rushed").
        if !w.lower(c).ends_with('s') {
            j = w.skip_adverbials(j, last);
        }
        // "said Saturday that ...": a day or name, then "that".
        if w.lower(j + 1) == "that" && j + 1 < last && w.words[j].capital {
            j += 1;
        }
        let that = w.lower(j) == "that";
        if that {
            j += 1;
        }
        let ok = match kind {
            Cue::Strong => true,
            Cue::Clause => that || w.starts_clause(j),
            Cue::Weak => {
                that || matches!(
                    w.lower(j),
                    "he" | "she" | "it" | "they" | "we" | "i" | "there"
                )
            }
            Cue::DirectOnly => false,
        };
        if !ok || j >= last || w.words[j].punct {
            return None; // "said:" + a quote, "said," ..., or nothing
        }
        let end = self.content_end(j, last);
        if !w.looks_like_clause(j, end) {
            return None;
        }
        let (start, end) = self.clause(j, end)?;
        // "Mr Nelson will not say ... and says [...]": a verb joined to the sentence's first
        // one shares its subject.
        let speaker = w.speaker_before(c).or_else(|| {
            let first = w.sentence_words[w.sentence_of[c]].0;
            let joined = c > first && matches!(w.lower(c - 1), "and" | "but");
            // "..., saying [...]": the participle's subject opens the sentence too.
            let participle = w.lower(c).ends_with("ing");
            (joined || participle)
                .then(|| w.sentence_subject(c))
                .flatten()
        });
        Some(Found::indirect((start, end), (c, c + 1), speaker))
    }

    /// Where reported speech that starts at word `j` ends: at the sentence's end, at a full
    /// stop followed by a space (a sentence the splitter kept together), or before a second
    /// attribution joined by "but", "and" or a comma ("... but he says ...", ", adding ...").
    fn content_end(&self, j: usize, last: usize) -> usize {
        let w = self.w;
        for k in j + 1..last {
            if w.is_final(k) && k + 1 < last && w.words[k + 1].start > w.words[k].end {
                return k;
            }
            // "... does not wash. "Within ...": a word with its stop, then a quote opens.
            if w.lower(k).len() > 2
                && w.lower(k).ends_with('.')
                && k + 1 < last
                && w.is_mark(k + 1)
                && w.words[k + 1].start > w.words[k].end
            {
                return k + 1;
            }
            if w.lower(k) == "," {
                let next = w.lower(k + 1);
                // ", but there was also speculation ...", ", however Todd Woodbridge hit out
                // ...": the writer goes on with a new subject (a pronoun continues the speech).
                if matches!(next, "but" | "however" | "while" | "whereas")
                    && k + 2 < last
                    && (w.lower(k + 2) == "there"
                        || (w.words[k + 2].capital
                            && !matches!(
                                w.lower(k + 2),
                                "he" | "she" | "it" | "they" | "we" | "i"
                            )))
                {
                    return k;
                }
                // ", in a statement received by ...", ", in separate calls with ...": how it
                // was said, not what.
                if next == "in"
                    && (k + 2..(k + 6).min(last)).any(|i| {
                        matches!(
                            w.lower(i),
                            "statement"
                                | "interview"
                                | "call"
                                | "calls"
                                | "address"
                                | "speech"
                                | "letter"
                                | "report"
                                | "broadcast"
                                | "briefing"
                                | "comments"
                        )
                    })
                {
                    return k;
                }
            }
            if !matches!(w.lower(k), "but" | "and" | ",") {
                continue;
            }
            // "but (he) says", ", adding", ", the government said he ..."
            let mut m = k + 1;
            let limit = (k + 7).min(last);
            while m < limit && !w.words[m].punct && cue(w.lower(m)).is_none() {
                m += 1;
            }
            if m < limit
                && cue(w.lower(m)).is_some_and(|c| c != Cue::DirectOnly)
                && self.usable_cue(m).is_some()
                && m + 1 < last
                && !w.words[m + 1].punct
            {
                // "... but so far, the government says": the connective goes with the cut.
                let back = (k.saturating_sub(3).max(j + 1)..k)
                    .find(|&i| matches!(w.lower(i), "but" | "and"));
                return back.unwrap_or(k);
            }
        }
        last
    }

    fn skip_object(&self, j: usize, last: usize) -> usize {
        let w = self.w;
        if let Some(k) = (j..(j + 7).min(last)).find(|&k| w.lower(k) == "that") {
            if !(j..k).any(|i| w.words[i].punct) {
                return k;
            }
        }
        match w.lower(j) {
            "him" | "her" | "them" | "us" | "me" | "reporters" | "journalists" | "parliament"
            | "police" | "media" | "investigators" | "officials" => j + 1,
            "the" | "a" | "an" | "his" | "their" | "its" | "local" => {
                let mut k = j + 1;
                while k < last
                    && k < j + 4
                    && (w.words[k].capital
                        || matches!(
                            w.lower(k),
                            "court"
                                | "media"
                                | "jury"
                                | "inquiry"
                                | "commission"
                                | "committee"
                                | "news"
                                | "agency"
                                | "newspaper"
                                | "radio"
                                | "television"
                                | "hearing"
                                | "senate"
                                | "house"
                        ))
                {
                    k += 1;
                }
                k.max(j + 2)
            }
            _ if w.words[j].capital && w.lower(j + 1) == "that" => j + 1,
            // "told Channel Nine, vandalism is ...": a name, then a comma; "told Channel Seven
            // the Government ...": a name, then a clause.
            _ if w.words[j].capital => {
                let mut k = j;
                while k < last && k < j + 4 && w.words[k].capital {
                    k += 1;
                }
                if w.lower(k) == "," {
                    k + 1
                } else if k > j
                    && matches!(
                        w.lower(k),
                        "the" | "he" | "she" | "it" | "they" | "we" | "there" | "a" | "an"
                    )
                {
                    k
                } else {
                    j
                }
            }
            _ => j,
        }
    }

    fn postposed(&self, c: usize, first: usize, last: usize) -> Option<Found> {
        let w = self.w;
        // What follows the verb: nothing but the end, a comma, or the speaker then that.
        let after = w.skip_adverbials(c + 1, last);
        let (speaker, tail) =
            if after >= last || matches!(w.lower(after), "," | "." | "!" | "?" | ";") {
                (None, after)
            } else if let Some((a, b)) = w.speaker_after(c) {
                let b2 = w.skip_adverbials(b, last);
                if b2 >= last || matches!(w.lower(b2), "," | "." | ";") {
                    (Some((a, b)), b2)
                } else {
                    return None;
                }
            } else {
                return None;
            };
        let _ = tail;
        // Before the verb: "[content], <speaker> said" or "[content], said <speaker>".
        let comma = match speaker {
            Some(_) => {
                if c > first && w.lower(c - 1) == "," {
                    c - 1
                } else {
                    return None;
                }
            }
            None => {
                let np = w.speaker_before(c)?;
                // the phrase must run back to a comma
                let k = np.0.checked_sub(1)?;
                if k < first || w.lower(k) != "," {
                    return None;
                }
                k
            }
        };
        let mut a = first;
        while a < comma
            && (matches!(
                w.lower(a),
                "but" | "and" | "however" | "meanwhile" | "so" | "yet"
            ) || w.lower(a) == ",")
        {
            a += 1;
        }
        if a < comma && w.is_mark(a) {
            return None; // the content is a direct quote
        }
        if !w.looks_like_clause(a, comma) {
            return None;
        }
        let (start, end) = self.clause(a, comma)?;
        let speaker = speaker.or_else(|| w.speaker_before(c));
        Some(Found::indirect((start, end), (c, c + 1), speaker))
    }

    /// "According to X, [content]." and "[content], according to X."
    fn according_to(&self, i: usize) -> Option<Found> {
        let w = self.w;
        if self.in_passage(w.words[i].start) {
            return None;
        }
        let (first, last) = w.sentence_words[w.sentence_of[i]];
        let speaker = w.speaker_after(i + 1);
        let sp_end = speaker.map_or(i + 2, |s| s.1);
        // The content after "According to X," or before ", according to X."
        let content = if w.lower(sp_end) == "," && (i == first || w.lower(i - 1) != ",") {
            (sp_end + 1, last)
        } else if i > first && w.lower(i - 1) == "," && (sp_end >= last || w.is_final(sp_end)) {
            (first, i - 1)
        } else {
            return None;
        };
        let (start, end) = self.clause(content.0, content.1)?;
        Some(Found::indirect((start, end), (i, i + 2), speaker))
    }
}
