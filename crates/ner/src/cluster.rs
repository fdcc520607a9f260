//! Mention clustering: the mentions of one document merged into [`Entity`]s, one per
//! real-world thing.
//!
//! [`cluster_mentions`] (or a reusable [`MentionClusterer`]) takes the mentions a recognizer
//! found in one document and returns entities with a canonical name, a type decided by the
//! mentions, and ids `E1`, `E2`, ... in order of first mention. Every input mention ends up in
//! exactly one entity (exact duplicates included: both copies are kept, in the same entity),
//! entities list their mentions in text order, and the output depends only on the input
//! (no hash-map iteration order, no randomness).
//!
//! ```
//! use lede_core::{Mention, OffsetMap};
//! use lede_ner::cluster::{cluster_mentions, ClusterOptions};
//!
//! let text = "Maria Kalesnikava was moved. Kolesnikova's lawyer, and US officials \
//!             from the United States, spoke.";
//! let offsets = OffsetMap::new(text);
//! let mention = |needle: &str, label: &str| {
//!     let start = text.find(needle).unwrap();
//!     Mention {
//!         text: needle.to_string(),
//!         label: label.to_string(),
//!         score: 0.9,
//!         span: offsets.span(start, start + needle.len()).unwrap(),
//!     }
//! };
//! let mentions = [
//!     mention("Maria Kalesnikava", "PERSON"),
//!     mention("Kolesnikova's", "PERSON"),
//!     mention("US", "GPE"),
//!     mention("United States", "GPE"),
//! ];
//! let entities = cluster_mentions(text, &mentions, &ClusterOptions::default());
//! assert_eq!(entities.len(), 2);
//! assert_eq!(entities[0].id, "E1");
//! assert_eq!(entities[0].name, "Maria Kalesnikava");
//! assert_eq!(entities[0].mentions.len(), 2);
//! assert_eq!(entities[1].name, "United States");
//! assert_eq!(entities[1].label, "GPE");
//! ```
//!
//! # How mentions are compared
//!
//! * **Surface form.** Surrounding whitespace and quotes, a leading `the`/`The` and a trailing
//!   possessive (`'s`, `’s`, or a bare `'`/`’` after an `s`) are removed ([`surface_form`]).
//!   The result is always a substring of the mention's text, and the canonical name of an
//!   entity is always the surface form of one of its mentions' text (of the text its span
//!   covers when `Mention::text` is blank).
//! * **Key.** The surface form folded: Unicode NFKD with combining marks removed (so
//!   `Kolésnikova` = `Kolesnikova`), a few letters that do not decompose mapped by hand
//!   (`ł`→`l`, `ø`→`o`, `đ`→`d`, `ß`→`ss`, `æ`→`ae`, `œ`→`oe`, `ı`→`i`), lowercased, dots
//!   and apostrophes dropped (`U.S.` = `US`), other punctuation turned into spaces.
//! * **Exact matches merge first.** Mentions with the same key are one group whatever labels
//!   the recognizer gave them: `Belarus` tagged GPE twice and ORG once is one entity. Groups
//!   are only ever merged, never split, except that each mention of a lone surname or an
//!   initial is resolved on its own by person rule 2 below (`Smith` may refer to John Smith
//!   early in a text and be ambiguous later). The group's (and the entity's) label is the label with the largest summed score over its mentions (ties: more
//!   mentions, then the label seen first); that label's coarse type ([`CoarseLabel`]) is the
//!   type used by every rule below. Mentions whose label has no coarse type (`DATE`,
//!   `MONEY`, ...) only merge with the same key *and* the same label, and take part in no
//!   other rule.
//! * **People never merge with non-people.** Person (PER) groups follow the person rules;
//!   everything else follows the name rules. ORG and LOC may merge with each other through an
//!   alias, an acronym or a parenthetical definition (recognizers confuse `EU`/`NATO` as ORG
//!   or GPE); MISC only merges with MISC.
//!
//! # Transliteration-aware comparison
//!
//! Two folded name words match when
//! 1. they are equal, or
//! 2. their *skeletons* are equal: `x`→`ks`, `kh`→`h`, `ts`/`tz`→`c`, `ph`→`f`, `w`→`v`,
//!    `j`/`y`→`i` (so `ya`/`ia`/`ja`, `yu`/`iu`, `-aya`/`-aia`/`-aja`, `-iy`/`-ii`/`-y`
//!    collapse), then runs of one letter collapsed to one; or
//! 3. both skeletons have at least [`ClusterOptions::min_fuzzy_len`] letters, the normalised
//!    edit distance (Levenshtein / longer length) of the skeletons is at most
//!    [`ClusterOptions::max_unreduced_distance`] (0.25: vowel reduction is only considered
//!    for words that are already this close), and after *vowel reduction* (`o`→`a`, the
//!    Belarusian/Russian akanye difference) it is at most
//!    [`ClusterOptions::max_reduced_distance`] (0.12, about one edit in eight letters). So
//!    `Kalesnikava` = `Kolesnikova`, `Lukashenka` = `Lukashenko`, `Alexandr` = `Aleksander`;
//!    `Hansen` ≠ `Jansen`, and `Tsikhanouskaya` ≠ `Tikhanovskaya` (two edits in twelve after
//!    reduction: too far for this rule).
//!
//! Gendered surname forms are **different** names: `Tikhanovsky`/`Tikhanovskaya`,
//! `Ivanov`/`Ivanova`, `Tolstoy`/`Tolstaya`, `Kowalski`/`Kowalska`, `Kalesnikau`/`Kalesnikava`,
//! `Novak`/`Novakova` (pairs of masculine and feminine endings on the same stem, checked
//! before rule 3). Given names that differ in a final `a` (`Alexander`/`Alexandra`) never
//! match by rule 3.
//!
//! # Person rules
//!
//! A person mention is parsed into given names and a surname: titles (`Mr`, `President`,
//! `Dr`, ...; everything up to the last title word, so `US President Donald Trump` is
//! `Donald Trump`) and trailing suffixes (`Jr`, `III`) are ignored, the surname is
//! the last word together with any particles before it (`von der Leyen`: compared by the
//! last word). Leading lowercase words (`opposition leader Svetlana Tikhanovskaya`) are
//! ignored too. A mention is a *full name* (a given name and a surname), an *initial*
//! (`A. Lukashenko`) or a *single word* (`Lukashenko`, `Mr Smith`).
//!
//! 1. Full names merge when their first given names match (rule 1–3 above, or one is the
//!    other's initial), their first middle names match if both have one (`George H. W. Bush`
//!    ≠ `George W. Bush`), and their surnames match **or** are gendered forms of each other
//!    (a matching given name is the evidence). A full name joins an existing person only when
//!    it is compatible with every full name already in it and with exactly one person.
//! 2. A single word or an initial is resolved per mention, conservatively:
//!    * its *candidates* are the persons with a full name whose surname matches it (gendered
//!      forms do not match: `Tikhanovsky` never attaches to `Svetlana Tikhanovskaya`); for an
//!      initial the given name must also start with that letter;
//!    * exactly one candidate in the whole document: it attaches there;
//!    * several candidates (`John Smith` and `Mary Smith`): it attaches only when exactly one
//!      of them has a full-name mention *before* it (the news convention of introducing a
//!      person by full name, then using the surname); otherwise it stays its own entity;
//!    * no candidate: a single word that equals (rules 1–2) the first given name of exactly
//!      one person attaches to that person (`Xi` for `Xi Jinping`, whose parse puts `Jinping`
//!      last) when [`ClusterOptions::given_name_links`] is on.
//! 3. Single words and initials with no candidate at all merge with each other by surname
//!    (`Lukashenko`, `Lukashenka`); ambiguous ones stay apart from everything but their own
//!    exact repeats.
//!
//! # Name rules (ORG, LOC, MISC)
//!
//! Groups of the same type class merge when
//! * their skeletons are equal (rule 2 above applied to the whole key);
//! * (ORG) they are equal once a trailing corporate suffix (`Inc`, `Corp`, `Ltd`, `LLC`,
//!   `plc`, `AG`, `SA`, `GmbH`, `Co`) is dropped;
//! * they are names of one thing in the alias table ([`ClusterOptions::builtin_aliases`] plus
//!   [`ClusterOptions::extra_aliases`]). The built-in table is deliberately small: United
//!   States = US = U.S. = USA = United States of America = America; United Kingdom = UK =
//!   Britain = Great Britain; European Union = EU; United Nations = UN; NATO = North Atlantic
//!   Treaty Organization/Organisation; Russia = Russian Federation; Soviet Union = USSR;
//!   United Arab Emirates = UAE; China = People's Republic of China = PRC; North Korea = DPRK;
//!   South Korea = Republic of Korea; Czech Republic = Czechia;
//! * (ORG only) one is written right after the other in parentheses in the text (`Human
//!   Rights Centre (Viasna)`, `Belarusian Association of Journalists (BAJ)`), unless it looks
//!   like a dateline (`Moscow (EFE).-`, `MINSK (Reuters) -`: a dash follows the parenthesis),
//!   when [`ClusterOptions::parenthetical_aliases`] is on. Places are left out because
//!   `Gorki (Mogilev Region)` names two places;
//! * one is an acronym (2–6 capital letters, dots allowed: `US`, `U.S.`, `NATO`) and the other
//!   a name of two or more words whose capitalised words' initials spell it (with or without
//!   capitalised function words such as `Of`), and exactly one entity has such a long form
//!   ([`ClusterOptions::acronyms`]).
//!
//! # Cost
//!
//! Linear in the mentions for grouping (plus a sort), quadratic in the number of distinct
//! person names and of distinct non-person names for linking: cheap for an article, slow only
//! for thousands of distinct, near-identical names in one document.
//!
//! # Canonical name
//!
//! Among the surface forms of an entity's mentions: the most name words (titles and suffixes
//! not counted), then the fewest title words, then the most letters and digits, then the
//! most frequent, then the one with the most non-ASCII letters (the spelling with
//! diacritics, `Kolésnikova`, when it is as frequent as the plain one), then the first.
use std::collections::{BTreeMap, BTreeSet};

use lede_core::{CoarseLabel, Entity, Mention};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// What decides which mentions merge. `Default` gives the documented behaviour.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterOptions {
    /// Largest normalised edit distance (0–1) between the skeletons of two name words, before
    /// vowel reduction, for the fuzzy transliteration rule. Default 0.25. Out-of-range values
    /// are clamped to 0–1; NaN means 0.
    pub max_unreduced_distance: f64,
    /// Largest normalised edit distance (0–1) between the vowel-reduced skeletons for the fuzzy
    /// rule. Default 0.12. Setting it to 0 keeps only exact and skeleton matches plus pure
    /// `o`/`a` differences.
    pub max_reduced_distance: f64,
    /// Shortest skeleton (in letters) the fuzzy rule applies to. Default 6.
    pub min_fuzzy_len: usize,
    /// Use the built-in alias table of common country and organisation names. Default on.
    pub builtin_aliases: bool,
    /// More alias sets: each inner list names one thing (`["Kyiv", "Kiev"]`). Compared by key
    /// (folded, case-insensitive, leading `the` ignored).
    pub extra_aliases: Vec<Vec<String>>,
    /// Link acronyms to the long forms they abbreviate. Default on.
    pub acronyms: bool,
    /// Link a name to the name written right after it in parentheses. Default on.
    pub parenthetical_aliases: bool,
    /// Attach a lone given name to the one person who has it. Default on.
    pub given_name_links: bool,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            max_unreduced_distance: 0.25,
            max_reduced_distance: 0.12,
            min_fuzzy_len: 6,
            builtin_aliases: true,
            extra_aliases: Vec::new(),
            acronyms: true,
            parenthetical_aliases: true,
            given_name_links: true,
        }
    }
}

/// The built-in alias sets (see the module docs).
const BUILTIN_ALIASES: &[&[&str]] = &[
    &[
        "United States",
        "US",
        "USA",
        "United States of America",
        "America",
    ],
    &["United Kingdom", "UK", "Britain", "Great Britain"],
    &["European Union", "EU"],
    &["United Nations", "UN"],
    &[
        "NATO",
        "North Atlantic Treaty Organization",
        "North Atlantic Treaty Organisation",
    ],
    &["Russia", "Russian Federation"],
    &["Soviet Union", "USSR"],
    &["United Arab Emirates", "UAE"],
    &["China", "People's Republic of China", "PRC"],
    &[
        "North Korea",
        "DPRK",
        "Democratic People's Republic of Korea",
    ],
    &["South Korea", "Republic of Korea"],
    &["Czech Republic", "Czechia"],
];

/// Clusters the mentions of one document with a prepared alias table.
///
/// Cheap to share: it is `Send + Sync` and [`MentionClusterer::cluster`] takes `&self`.
#[derive(Debug, Clone)]
pub struct MentionClusterer {
    opts: ClusterOptions,
    /// Key of each alias -> index of its alias set.
    aliases: BTreeMap<String, usize>,
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<MentionClusterer>();
};

impl Default for MentionClusterer {
    fn default() -> Self {
        MentionClusterer::new(ClusterOptions::default())
    }
}

impl MentionClusterer {
    /// A clusterer with these options. Thresholds outside 0–1 are clamped.
    pub fn new(mut opts: ClusterOptions) -> Self {
        opts.max_unreduced_distance = clamp_unit(opts.max_unreduced_distance);
        opts.max_reduced_distance = clamp_unit(opts.max_reduced_distance);
        let mut aliases = BTreeMap::new();
        let mut set_index = 0usize;
        if opts.builtin_aliases {
            for set in BUILTIN_ALIASES {
                for name in set.iter() {
                    aliases
                        .entry(key_of(surface_form(name)))
                        .or_insert(set_index);
                }
                set_index += 1;
            }
        }
        for set in &opts.extra_aliases {
            for name in set {
                let key = key_of(surface_form(name));
                if !key.is_empty() {
                    aliases.entry(key).or_insert(set_index);
                }
            }
            set_index += 1;
        }
        MentionClusterer { opts, aliases }
    }

    /// The options in use (after clamping).
    pub fn options(&self) -> &ClusterOptions {
        &self.opts
    }

    /// Clusters `mentions` of `text` into entities (see the module docs for the rules).
    ///
    /// `text` is the document the mentions' spans point into; it is used to find
    /// parenthetical definitions and as the mention's text when `Mention::text` is empty.
    /// Spans that do not fit `text` are tolerated (they only lose those two uses).
    pub fn cluster(&self, text: &str, mentions: &[Mention]) -> Vec<Entity> {
        Clustering::new(self, text, mentions).run()
    }
}

/// Clusters `mentions` of `text` into entities with `opts`; shorthand for
/// `MentionClusterer::new(opts.clone()).cluster(text, mentions)`.
pub fn cluster_mentions(text: &str, mentions: &[Mention], opts: &ClusterOptions) -> Vec<Entity> {
    MentionClusterer::new(opts.clone()).cluster(text, mentions)
}

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

fn clamp_unit(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(0.0, 1.0)
    }
}

/// Accent folding: NFKD, combining marks removed, a few letters mapped by hand, lowercased.
fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'ł' | 'Ł' => out.push('l'),
            'ø' | 'Ø' => out.push('o'),
            'đ' | 'Đ' => out.push('d'),
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ı' => out.push('i'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Comparison key of a surface form (see the module docs).
fn key_of(surface: &str) -> String {
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
fn word_of(token: &str) -> String {
    fold(token)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The transliteration skeleton of a folded word (see the module docs).
fn skeleton(word: &str) -> String {
    let s = word
        .replace('x', "ks")
        .replace("kh", "h")
        .replace("ts", "c")
        .replace("tz", "c")
        .replace("ph", "f")
        .replace('w', "v")
        .replace(['j', 'y'], "i");
    let mut out = String::with_capacity(s.len());
    let mut last = None;
    for c in s.chars() {
        if Some(c) != last {
            out.push(c);
        }
        last = Some(c);
    }
    out
}

/// Vowel reduction for the fuzzy rule: `o` -> `a`.
fn reduce(skel: &str) -> String {
    skel.replace('o', "a")
}

/// Whether the Levenshtein distance of `a` and `b` divided by the longer length is at most
/// `max_ratio` (true for two empty words). Stops as soon as the bound is exceeded.
fn lev_within(a: &[char], b: &[char], max_ratio: f64) -> bool {
    let longer = a.len().max(b.len());
    if longer == 0 {
        return true;
    }
    // Largest allowed number of edits (the epsilon keeps 0.25 * 8 = 2 exact).
    let k = (max_ratio * longer as f64 + 1e-9).floor() as usize;
    if a.len().abs_diff(b.len()) > k {
        return false;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        let mut row_min = i + 1;
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let diag = prev.get(j).copied().unwrap_or(usize::MAX - 1) + usize::from(ca != cb);
            let up = prev.get(j + 1).copied().unwrap_or(usize::MAX - 1) + 1;
            let left = cur.get(j).copied().unwrap_or(usize::MAX - 1) + 1;
            let v = diag.min(up).min(left);
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = v;
            }
            row_min = row_min.min(v);
        }
        if row_min > k {
            return false;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().is_some_and(|&d| d <= k)
}

/// A folded name word with its skeletons, computed once.
#[derive(Debug, Clone)]
struct Word {
    folded: String,
    skel: String,
    reduced: String,
    skel_chars: Vec<char>,
    reduced_chars: Vec<char>,
}

impl Word {
    fn new(folded: String) -> Self {
        let skel = skeleton(&folded);
        let reduced = reduce(&skel);
        Word {
            skel_chars: skel.chars().collect(),
            reduced_chars: reduced.chars().collect(),
            folded,
            skel,
            reduced,
        }
    }

    fn first_char(&self) -> Option<char> {
        self.folded.chars().next()
    }

    fn is_initial(&self) -> bool {
        self.folded.chars().count() == 1
    }
}

/// Feminine and masculine surname endings of the same stem, on skeletons (`y`/`j` already
/// `i`, doubled letters collapsed); checked on the skeletons and on the vowel-reduced ones.
const GENDER_PAIRS: &[(&str, &str)] = &[
    ("skaia", "ski"),
    ("skaia", "skoi"),
    ("ckaia", "cki"),
    ("ckaia", "ckoi"),
    ("ska", "ski"),
    ("cka", "cki"),
    ("zka", "zki"),
    ("aia", "oi"),
    ("aia", "i"),
    ("ova", "ov"),
    ("eva", "ev"),
    ("ina", "in"),
    ("ava", "av"),
    ("ava", "au"),
    ("iene", "as"),
    ("aite", "as"),
    ("ova", ""),
];

fn gendered_one_way(fem: &str, masc: &str) -> bool {
    GENDER_PAIRS
        .iter()
        .any(|(f, m)| match (fem.strip_suffix(f), masc.strip_suffix(m)) {
            (Some(fs), Some(ms)) => fs.chars().count() >= 2 && fs == ms,
            _ => false,
        })
}

fn gendered(a: &str, b: &str) -> bool {
    // Both share a stem of two or more chars.
    let mut ca = a.chars();
    let mut cb = b.chars();
    if ca.next() != cb.next() || ca.next() != cb.next() {
        return false;
    }
    gendered_one_way(a, b) || gendered_one_way(b, a)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameRel {
    Same,
    Gendered,
    Different,
}

impl MentionClusterer {
    /// Rule 3 of the module docs.
    fn fuzzy(&self, a: &Word, b: &Word) -> bool {
        a.skel_chars.len().min(b.skel_chars.len()) >= self.opts.min_fuzzy_len
            && lev_within(
                &a.reduced_chars,
                &b.reduced_chars,
                self.opts.max_reduced_distance,
            )
            && lev_within(
                &a.skel_chars,
                &b.skel_chars,
                self.opts.max_unreduced_distance,
            )
    }

    /// How two surnames relate.
    fn surname_rel(&self, a: &Word, b: &Word) -> NameRel {
        if a.folded == b.folded || a.skel == b.skel {
            return NameRel::Same;
        }
        if gendered(&a.skel, &b.skel) || gendered(&a.reduced, &b.reduced) {
            return NameRel::Gendered;
        }
        if self.fuzzy(a, b) {
            NameRel::Same
        } else {
            NameRel::Different
        }
    }

    /// Whether two given names can name the same person.
    fn given_match(&self, a: &Word, b: &Word) -> bool {
        if a.folded.is_empty() || b.folded.is_empty() {
            return false;
        }
        if a.is_initial() || b.is_initial() {
            return a.first_char() == b.first_char();
        }
        if a.folded == b.folded || a.skel == b.skel {
            return true;
        }
        if a.folded.ends_with('a') != b.folded.ends_with('a') {
            return false;
        }
        self.fuzzy(a, b)
    }

    /// Whether two full names can name the same person (person rule 1).
    fn full_compatible(&self, a: &PersonName, b: &PersonName) -> bool {
        let (Some(ga), Some(gb)) = (a.given.first(), b.given.first()) else {
            return false;
        };
        if !self.given_match(ga, gb) {
            return false;
        }
        if let (Some(ma), Some(mb)) = (a.given.get(1), b.given.get(1)) {
            if !self.given_match(ma, mb) {
                return false;
            }
        }
        self.surname_rel(&a.surname, &b.surname) != NameRel::Different
    }
}

/// Leading words ignored in person names (folded, dot removed).
const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "lord",
    "lady",
    "president",
    "vice",
    "premier",
    "chancellor",
    "prime",
    "minister",
    "secretary",
    "senator",
    "sen",
    "rep",
    "representative",
    "gov",
    "governor",
    "mayor",
    "judge",
    "justice",
    "gen",
    "general",
    "col",
    "colonel",
    "capt",
    "captain",
    "lt",
    "sgt",
    "king",
    "queen",
    "prince",
    "princess",
    "pope",
    "rev",
    "reverend",
    "ambassador",
    "deputy",
    "chief",
    "leader",
];

/// Trailing words ignored in person names.
const SUFFIXES: &[&str] = &["jr", "sr", "ii", "iii", "iv", "phd", "md"];

/// Particles that belong to the surname (`von der Leyen`).
const PARTICLES: &[&str] = &[
    "von", "van", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "al", "el",
    "bin", "ibn", "dos", "das", "ten", "ter",
];

/// Trailing corporate suffixes ignored when comparing ORG names.
const CORPORATE: &[&str] = &[
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "ltd",
    "limited",
    "llc",
    "plc",
    "ag",
    "sa",
    "gmbh",
];

/// Function words skipped when spelling an acronym.
const FUNCTION_WORDS: &[&str] = &[
    "of", "and", "for", "the", "de", "du", "des", "la", "le", "in", "on", "at", "to", "y", "e",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameKind {
    Full,
    Initial,
    Single,
}

#[derive(Debug, Clone)]
struct PersonName {
    /// Given and middle names.
    given: Vec<Word>,
    /// Last word of the surname.
    surname: Word,
    kind: NameKind,
}

/// Folded words of a person name with titles and suffixes removed, and how many were removed.
fn person_words(surface: &str) -> (Vec<String>, usize) {
    let mut words: Vec<String> = surface
        .split_whitespace()
        .map(word_of)
        .filter(|w| !w.is_empty())
        .collect();
    let total = words.len();
    // Leading lowercase descriptors ("opposition leader Svetlana ...") are not name words.
    let lowercase = surface
        .split_whitespace()
        .filter(|t| !word_of(t).is_empty())
        .take_while(|t| {
            t.chars()
                .find(|c| c.is_alphabetic())
                .is_some_and(char::is_lowercase)
        })
        .count()
        .min(words.len().saturating_sub(1));
    words.drain(..lowercase);
    // Everything up to the last title word that still leaves a name ("US President Donald
    // Trump", "Foreign Minister Sergei Lavrov").
    let lead = words
        .iter()
        .take(words.len().saturating_sub(1))
        .rposition(|w| TITLES.contains(&w.as_str()))
        .map_or(0, |i| i + 1);
    words.drain(..lead);
    while words.len() > 1 && words.last().is_some_and(|w| SUFFIXES.contains(&w.as_str())) {
        words.pop();
    }
    let removed = total - words.len();
    (words, removed)
}

fn parse_person(surface: &str) -> Option<PersonName> {
    let (words, _) = person_words(surface);
    let surname = Word::new(words.last()?.clone());
    let mut given_end = words.len() - 1;
    while given_end > 0
        && words
            .get(given_end - 1)
            .is_some_and(|w| PARTICLES.contains(&w.as_str()))
    {
        given_end -= 1;
    }
    let given: Vec<Word> = words
        .get(..given_end)?
        .iter()
        .map(|w| Word::new(w.clone()))
        .collect();
    let kind = match given.first() {
        None => NameKind::Single,
        Some(g) if g.is_initial() => NameKind::Initial,
        Some(_) => NameKind::Full,
    };
    Some(PersonName {
        given,
        surname,
        kind,
    })
}

/// The acronym a surface form spells, if it is one: 2–6 capital letters, dots allowed.
fn acronym_of(surface: &str) -> Option<String> {
    if !surface.chars().all(|c| c.is_uppercase() || c == '.') {
        return None;
    }
    let letters: String = surface.chars().filter(|c| c.is_alphabetic()).collect();
    let n = letters.chars().count();
    if (2..=6).contains(&n) {
        Some(fold(&letters))
    } else {
        None
    }
}

/// Initials of the capitalised words of a long form, without and with capitalised function
/// words; `None` for a single word.
fn initials_of(surface: &str) -> Option<(String, String)> {
    let words: Vec<&str> = surface.split_whitespace().collect();
    if words.len() < 2 {
        return None;
    }
    let mut strict = String::new();
    let mut all = String::new();
    for w in words {
        let Some(first) = w.chars().find(|c| c.is_alphanumeric()) else {
            continue;
        };
        if !first.is_uppercase() {
            continue;
        }
        let initial = fold(&first.to_string());
        all.push_str(&initial);
        if !FUNCTION_WORDS.contains(&word_of(w).as_str()) {
            strict.push_str(&initial);
        }
    }
    Some((strict, all))
}

/// Type classes for the name rules: ORG and LOC link through aliases, MISC only with MISC.
fn class_of(label: CoarseLabel) -> u8 {
    match label {
        CoarseLabel::Per => 0,
        CoarseLabel::Org | CoarseLabel::Loc => 1,
        CoarseLabel::Misc => 2,
    }
}

/// Disjoint sets over group indices; the smaller index is the root (deterministic).
struct Dsu(Vec<usize>);

impl Dsu {
    fn new(n: usize) -> Self {
        Dsu((0..n).collect())
    }

    fn find(&mut self, mut x: usize) -> usize {
        while let Some(&p) = self.0.get(x) {
            if p == x {
                break;
            }
            let grand = self.0.get(p).copied().unwrap_or(p);
            if let Some(slot) = self.0.get_mut(x) {
                *slot = grand;
            }
            x = p;
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        let (lo, hi) = if ra <= rb { (ra, rb) } else { (rb, ra) };
        if let Some(slot) = self.0.get_mut(hi) {
            *slot = lo;
        }
    }
}

/// One input mention, prepared.
struct Item<'a> {
    mention: &'a Mention,
    surface: &'a str,
    group: usize,
}

/// Mentions with one key (and, for non-entity labels, one label).
struct Group {
    key: String,
    /// Item positions (text order).
    items: Vec<usize>,
    coarse: Option<CoarseLabel>,
    /// Surface form of the first item.
    surface: String,
    /// The acronym any member spells.
    acronym: Option<String>,
    person: Option<PersonName>,
}

/// What ranks a surface form as a canonical name (see the module docs).
struct FormStats {
    name_words: usize,
    title_words: usize,
    alnum: usize,
    frequency: usize,
    non_ascii: usize,
    first: usize,
}

impl FormStats {
    fn new(surface: &str, is_person: bool, first: usize) -> Self {
        let (name_words, title_words) = if is_person {
            let (words, removed) = person_words(surface);
            let full_words = words.iter().filter(|w| w.chars().count() > 1).count();
            (full_words, removed)
        } else {
            (surface.split_whitespace().count(), 0)
        };
        FormStats {
            name_words,
            title_words,
            alnum: surface.chars().filter(|c| c.is_alphanumeric()).count(),
            frequency: 0,
            non_ascii: surface
                .chars()
                .filter(|c| c.is_alphabetic() && !c.is_ascii())
                .count(),
            first,
        }
    }

    /// Larger is better; `first` makes it a total order over distinct forms.
    fn rank(&self) -> impl Ord {
        use std::cmp::Reverse;
        (
            self.name_words,
            Reverse(self.title_words),
            self.alnum,
            self.frequency,
            self.non_ascii,
            Reverse(self.first),
        )
    }
}

/// Where an item ends up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Slot {
    Person(usize),
    Group(usize),
}

struct Clustering<'a> {
    c: &'a MentionClusterer,
    text: &'a str,
    items: Vec<Item<'a>>,
    groups: Vec<Group>,
}

/// Score used in votes: finite and non-negative.
fn vote_weight(score: f32) -> f64 {
    if score.is_finite() && score > 0.0 {
        f64::from(score)
    } else {
        0.0
    }
}

/// The label with the largest summed score, then more mentions, then seen first.
fn vote<'m>(mentions: impl Iterator<Item = &'m Mention>) -> String {
    // label -> (score sum, count, first index)
    let mut tally: BTreeMap<&str, (f64, usize, usize)> = BTreeMap::new();
    for (i, m) in mentions.enumerate() {
        let e = tally.entry(m.label.as_str()).or_insert((0.0, 0, i));
        e.0 += vote_weight(m.score);
        e.1 += 1;
    }
    let mut best: Option<(&str, (f64, usize, usize))> = None;
    for (label, t) in tally {
        let better = match best {
            None => true,
            Some((_, b)) => t.0 > b.0 || (t.0 == b.0 && (t.1 > b.1 || (t.1 == b.1 && t.2 < b.2))),
        };
        if better {
            best = Some((label, t));
        }
    }
    best.map(|(l, _)| l.to_string()).unwrap_or_default()
}

impl<'a> Clustering<'a> {
    fn new(c: &'a MentionClusterer, text: &'a str, mentions: &'a [Mention]) -> Self {
        let mut order: Vec<usize> = (0..mentions.len()).collect();
        order.sort_by_key(|&i| {
            let s = mentions.get(i).map(|m| (m.span.start, m.span.end));
            (s, i)
        });
        let mut items = Vec::with_capacity(mentions.len());
        let mut groups: Vec<Group> = Vec::new();
        let mut by_key: BTreeMap<(String, Option<String>), usize> = BTreeMap::new();
        for &i in &order {
            let Some(mention) = mentions.get(i) else {
                continue;
            };
            let raw: &str = if mention.text.trim().is_empty() {
                mention.span.slice(text).unwrap_or(&mention.text)
            } else {
                &mention.text
            };
            let surface = surface_form(raw);
            let key = key_of(surface);
            let label_part = match mention.coarse_label() {
                Some(_) => None,
                None => Some(mention.label.trim().to_uppercase()),
            };
            let pos = items.len();
            let group = *by_key.entry((key.clone(), label_part)).or_insert_with(|| {
                groups.push(Group {
                    key,
                    items: Vec::new(),
                    coarse: None,
                    surface: surface.to_string(),
                    acronym: None,
                    person: None,
                });
                groups.len() - 1
            });
            if let Some(g) = groups.get_mut(group) {
                g.items.push(pos);
                if g.acronym.is_none() {
                    g.acronym = acronym_of(surface);
                }
            }
            items.push(Item {
                mention,
                surface,
                group,
            });
        }
        for g in &mut groups {
            let label = vote(
                g.items
                    .iter()
                    .filter_map(|&p| items.get(p))
                    .map(|it| it.mention),
            );
            g.coarse = CoarseLabel::from_label(&label);
            if g.coarse == Some(CoarseLabel::Per) {
                g.person = parse_person(&g.surface);
            }
        }
        Clustering {
            c,
            text,
            items,
            groups,
        }
    }

    fn run(self) -> Vec<Entity> {
        let mut dsu = Dsu::new(self.groups.len());
        self.link_names(&mut dsu);
        let slots = self.link_people(&mut dsu);

        let mut clusters: BTreeMap<Slot, Vec<usize>> = BTreeMap::new();
        for (pos, slot) in slots.into_iter().enumerate() {
            let slot = match slot {
                Slot::Group(g) => Slot::Group(dsu.find(g)),
                person => person,
            };
            clusters.entry(slot).or_default().push(pos);
        }
        let mut members: Vec<Vec<usize>> = clusters.into_values().collect();
        members.sort_by_key(|m| m.first().copied());
        members
            .into_iter()
            .enumerate()
            .map(|(n, positions)| self.entity(n + 1, &positions))
            .collect()
    }

    /// The name rules: alias, skeleton, corporate suffix, parenthetical, acronym.
    fn link_names(&self, dsu: &mut Dsu) {
        let named: Vec<(usize, u8)> = self
            .groups
            .iter()
            .enumerate()
            .filter_map(|(i, g)| match g.coarse {
                Some(CoarseLabel::Per) | None => None,
                Some(l) => Some((i, class_of(l))),
            })
            .collect();
        let mut seen: BTreeMap<(u8, u8, String), usize> = BTreeMap::new();
        for &(i, class) in &named {
            let Some(g) = self.groups.get(i) else {
                continue;
            };
            let mut keys = vec![(0u8, skeleton(&g.key))];
            if let Some(&set) = self.c.aliases.get(&g.key) {
                keys.push((1, set.to_string()));
            }
            if g.coarse == Some(CoarseLabel::Org) {
                let mut words: Vec<&str> = g.key.split(' ').collect();
                while words.len() > 1 && words.last().is_some_and(|w| CORPORATE.contains(w)) {
                    words.pop();
                }
                keys.push((2, words.join(" ")));
            }
            for (kind, k) in keys {
                match seen.get(&(class, kind, k.clone())) {
                    Some(&first) => dsu.union(first, i),
                    None => {
                        seen.insert((class, kind, k), i);
                    }
                }
            }
        }

        if self.c.opts.parenthetical_aliases {
            self.link_parentheticals(dsu);
        }

        if self.c.opts.acronyms {
            let mut long_forms: Vec<(usize, u8, String, String)> = Vec::new();
            for &(i, class) in &named {
                if let Some((strict, all)) =
                    self.groups.get(i).and_then(|g| initials_of(&g.surface))
                {
                    long_forms.push((i, class, strict, all));
                }
            }
            for &(i, class) in &named {
                let Some(acr) = self.groups.get(i).and_then(|g| g.acronym.clone()) else {
                    continue;
                };
                let matches: Vec<usize> = long_forms
                    .iter()
                    .filter(|(j, cl, strict, all)| {
                        *j != i && *cl == class && (*strict == acr || *all == acr)
                    })
                    .map(|(j, ..)| *j)
                    .collect();
                let roots: BTreeSet<usize> = matches.iter().map(|&j| dsu.find(j)).collect();
                if roots.len() == 1 {
                    if let Some(&j) = matches.first() {
                        dsu.union(i, j);
                    }
                }
            }
        }
    }

    /// `Long Name (LN)`: a name directly followed by another mention in parentheses.
    fn link_parentheticals(&self, dsu: &mut Dsu) {
        let mut by_start: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (pos, it) in self.items.iter().enumerate() {
            by_start.entry(it.mention.span.start).or_default().push(pos);
        }
        let is_org = |it: &Item| -> bool {
            self.groups.get(it.group).and_then(|g| g.coarse) == Some(CoarseLabel::Org)
        };
        for it in self.items.iter().filter(|it| is_org(it)) {
            let end = it.mention.span.end;
            let Some(after) = self.text.get(end..) else {
                continue;
            };
            let trimmed = after.trim_start();
            let Some(inside) = trimmed.strip_prefix('(') else {
                continue;
            };
            let inner = inside.trim_start();
            let inner_start = end + (after.len() - inner.len());
            let Some(cands) = by_start.get(&inner_start) else {
                continue;
            };
            for &other in cands {
                let Some(o) = self.items.get(other) else {
                    continue;
                };
                let after_inner = self
                    .text
                    .get(o.mention.span.end..)
                    .map(str::trim_start)
                    .and_then(|rest| rest.strip_prefix(')'));
                // A dateline ("Moscow (EFE).-", "MINSK (Reuters) -") is not a definition.
                let dateline = after_inner.is_some_and(|rest| {
                    rest.trim_start_matches(['.', ',', ':'])
                        .trim_start()
                        .starts_with(['-', '–', '—'])
                });
                if after_inner.is_some() && !dateline && is_org(o) {
                    dsu.union(it.group, o.group);
                }
            }
        }
    }

    /// The person rules; returns each item's slot (non-person items get their group).
    fn link_people(&self, dsu: &mut Dsu) -> Vec<Slot> {
        let mut slots: Vec<Slot> = self.items.iter().map(|it| Slot::Group(it.group)).collect();

        // Rule 1: full names, in order of first mention.
        let mut persons: Vec<Vec<usize>> = Vec::new();
        let mut person_of_group: BTreeMap<usize, usize> = BTreeMap::new();
        for (gi, g) in self.groups.iter().enumerate() {
            let Some(name) = g.person.as_ref().filter(|p| p.kind == NameKind::Full) else {
                continue;
            };
            let compatible: Vec<usize> = persons
                .iter()
                .enumerate()
                .filter(|(_, members)| {
                    members.iter().all(|&m| {
                        self.groups
                            .get(m)
                            .and_then(|mg| mg.person.as_ref())
                            .is_some_and(|other| self.c.full_compatible(name, other))
                    })
                })
                .map(|(p, _)| p)
                .collect();
            let p = match compatible.as_slice() {
                [only] => *only,
                _ => {
                    persons.push(Vec::new());
                    persons.len() - 1
                }
            };
            if let Some(members) = persons.get_mut(p) {
                members.push(gi);
            }
            person_of_group.insert(gi, p);
        }
        // First full-name mention of each person (item position).
        let first_full: Vec<usize> = persons
            .iter()
            .map(|members| {
                members
                    .iter()
                    .filter_map(|&m| self.groups.get(m).and_then(|g| g.items.first().copied()))
                    .min()
                    .unwrap_or(usize::MAX)
            })
            .collect();
        for (pos, it) in self.items.iter().enumerate() {
            if let Some(&p) = person_of_group.get(&it.group) {
                if let Some(slot) = slots.get_mut(pos) {
                    *slot = Slot::Person(p);
                }
            }
        }

        // Rule 2: single words and initials, per mention.
        let mut unmatched: Vec<usize> = Vec::new();
        for (gi, g) in self.groups.iter().enumerate() {
            let Some(name) = g.person.as_ref().filter(|p| p.kind != NameKind::Full) else {
                continue;
            };
            let candidates: Vec<usize> = persons
                .iter()
                .enumerate()
                .filter(|(_, members)| {
                    members.iter().any(|&m| {
                        self.groups
                            .get(m)
                            .and_then(|mg| mg.person.as_ref())
                            .is_some_and(|full| {
                                let initial_ok = match name.kind {
                                    NameKind::Initial => {
                                        match (name.given.first(), full.given.first()) {
                                            (Some(i), Some(f)) => i.first_char() == f.first_char(),
                                            _ => false,
                                        }
                                    }
                                    _ => true,
                                };
                                initial_ok
                                    && self.c.surname_rel(&name.surname, &full.surname)
                                        == NameRel::Same
                            })
                    })
                })
                .map(|(p, _)| p)
                .collect();
            if candidates.is_empty() {
                let by_given: Vec<usize> =
                    if name.kind == NameKind::Single && self.c.opts.given_name_links {
                        persons
                            .iter()
                            .enumerate()
                            .filter(|(_, members)| {
                                members.iter().any(|&m| {
                                    self.groups
                                        .get(m)
                                        .and_then(|mg| mg.person.as_ref())
                                        .and_then(|full| full.given.first())
                                        .is_some_and(|given| {
                                            !given.is_initial()
                                                && (given.folded == name.surname.folded
                                                    || given.skel == name.surname.skel)
                                        })
                                })
                            })
                            .map(|(p, _)| p)
                            .collect()
                    } else {
                        Vec::new()
                    };
                if let [only] = by_given.as_slice() {
                    for &pos in &g.items {
                        if let Some(slot) = slots.get_mut(pos) {
                            *slot = Slot::Person(*only);
                        }
                    }
                } else {
                    unmatched.push(gi);
                }
                continue;
            }
            for &pos in &g.items {
                let chosen = match candidates.as_slice() {
                    [only] => Some(*only),
                    several => {
                        let before: Vec<usize> = several
                            .iter()
                            .copied()
                            .filter(|&p| first_full.get(p).is_some_and(|&f| f < pos))
                            .collect();
                        match before.as_slice() {
                            [only] => Some(*only),
                            _ => None,
                        }
                    }
                };
                if let (Some(p), Some(slot)) = (chosen, slots.get_mut(pos)) {
                    *slot = Slot::Person(p);
                }
            }
        }

        // Rule 3: unmatched single words (and initials) merge among themselves.
        let mut residual: Vec<Vec<usize>> = Vec::new();
        for &gi in &unmatched {
            let Some(name) = self.groups.get(gi).and_then(|g| g.person.as_ref()) else {
                continue;
            };
            let fits = |other: &PersonName| {
                other.kind == name.kind
                    && self.c.surname_rel(&name.surname, &other.surname) == NameRel::Same
                    && (name.kind != NameKind::Initial
                        || name.given.first().and_then(Word::first_char)
                            == other.given.first().and_then(Word::first_char))
            };
            let compatible: Vec<usize> = residual
                .iter()
                .enumerate()
                .filter(|(_, members)| {
                    members.iter().all(|&m| {
                        self.groups
                            .get(m)
                            .and_then(|mg| mg.person.as_ref())
                            .is_some_and(fits)
                    })
                })
                .map(|(r, _)| r)
                .collect();
            match compatible.as_slice() {
                [only] => {
                    if let Some(members) = residual.get_mut(*only) {
                        if let Some(&first) = members.first() {
                            dsu.union(first, gi);
                        }
                        members.push(gi);
                    }
                }
                _ => residual.push(vec![gi]),
            }
        }
        slots
    }

    /// Builds entity number `n` from item positions (text order).
    fn entity(&self, n: usize, positions: &[usize]) -> Entity {
        let items: Vec<&Item> = positions
            .iter()
            .filter_map(|&p| self.items.get(p))
            .collect();
        let label = vote(items.iter().map(|it| it.mention));
        let is_person = CoarseLabel::from_label(&label) == Some(CoarseLabel::Per);
        let mut forms: BTreeMap<&str, FormStats> = BTreeMap::new();
        for (i, it) in items.iter().enumerate() {
            forms
                .entry(it.surface)
                .or_insert_with(|| FormStats::new(it.surface, is_person, i))
                .frequency += 1;
        }
        let best = forms
            .iter()
            .max_by(|a, b| a.1.rank().cmp(&b.1.rank()))
            .map(|(form, _)| *form);
        Entity {
            id: format!("E{n}"),
            name: best.map(str::to_string).unwrap_or_default(),
            label,
            mentions: items.iter().map(|it| it.mention.clone()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lede_core::OffsetMap;
    use proptest::prelude::*;

    /// Builds mentions by finding each needle in `text` after the previous one.
    fn mentions(text: &str, spec: &[(&str, &str)]) -> Vec<Mention> {
        let offsets = OffsetMap::new(text);
        let mut from = 0;
        let mut out = Vec::new();
        for (needle, label) in spec {
            let start = from
                + text
                    .get(from..)
                    .and_then(|t| t.find(needle))
                    .unwrap_or_else(|| panic!("{needle:?} not found after byte {from}"));
            let end = start + needle.len();
            out.push(Mention {
                text: needle.to_string(),
                label: label.to_string(),
                score: 0.9,
                span: offsets.span(start, end).unwrap(),
            });
            from = end;
        }
        out
    }

    fn cluster(text: &str, spec: &[(&str, &str)]) -> Vec<Entity> {
        cluster_mentions(text, &mentions(text, spec), &ClusterOptions::default())
    }

    /// The surface forms of each entity, in entity order.
    fn groups(entities: &[Entity]) -> Vec<Vec<String>> {
        entities
            .iter()
            .map(|e| e.mentions.iter().map(|m| m.text.clone()).collect())
            .collect()
    }

    fn entity_of<'e>(entities: &'e [Entity], mention_text: &str) -> &'e Entity {
        entities
            .iter()
            .find(|e| e.mentions.iter().any(|m| m.text == mention_text))
            .unwrap_or_else(|| panic!("no entity has {mention_text:?}"))
    }

    #[test]
    fn surname_and_possessive_join_the_full_name() {
        let text = "Alexandr Lukashenko met envoys. Lukashenko said no. \
                    Critics of Lukashenko's rule were jailed.";
        let e = cluster(
            text,
            &[
                ("Alexandr Lukashenko", "PERSON"),
                ("Lukashenko", "PERSON"),
                ("Lukashenko's", "PERSON"),
            ],
        );
        assert_eq!(e.len(), 1, "{:?}", groups(&e));
        assert_eq!(e[0].name, "Alexandr Lukashenko");
        assert_eq!(e[0].label, "PERSON");
        assert_eq!(e[0].id, "E1");
        assert_eq!(e[0].mentions.len(), 3);
    }

    #[test]
    fn surname_before_the_full_name_still_joins() {
        let text = "Bialiatski freed. The activist Ales Bialiatski left prison; Bialiatski smiled.";
        let e = cluster(
            text,
            &[
                ("Bialiatski", "PER"),
                ("Ales Bialiatski", "PER"),
                ("Bialiatski", "PER"),
            ],
        );
        assert_eq!(e.len(), 1, "{:?}", groups(&e));
        assert_eq!(e[0].name, "Ales Bialiatski");
        assert_eq!(e[0].mentions[0].span.start, 0, "mentions in text order");
    }

    #[test]
    fn acronyms_and_aliases_of_the_united_states() {
        let text = "The United States and the US Treasury agree: U.S. envoys and USA \
                    diplomats, and America, agreed. Britain and the UK did not.";
        let e = cluster(
            text,
            &[
                ("United States", "GPE"),
                ("US", "GPE"),
                ("U.S.", "GPE"),
                ("USA", "GPE"),
                ("America", "GPE"),
                ("Britain", "GPE"),
                ("UK", "GPE"),
            ],
        );
        assert_eq!(
            groups(&e),
            vec![
                vec!["United States", "US", "U.S.", "USA", "America"],
                vec!["Britain", "UK"]
            ]
        );
        assert_eq!(e[0].name, "United States");
        assert_eq!(e[1].id, "E2");
    }

    #[test]
    fn acronym_from_initials_without_alias_table() {
        let text = "The Belarusian Association of Journalists said the BAJ would appeal. \
                    The Organization for Security and Co-operation in Europe (OSCE) agreed.";
        let opts = ClusterOptions {
            builtin_aliases: false,
            parenthetical_aliases: false,
            ..ClusterOptions::default()
        };
        let ms = mentions(
            text,
            &[
                ("Belarusian Association of Journalists", "ORG"),
                ("BAJ", "ORG"),
                (
                    "Organization for Security and Co-operation in Europe",
                    "ORG",
                ),
                ("OSCE", "ORG"),
            ],
        );
        let e = cluster_mentions(text, &ms, &opts);
        assert_eq!(e.len(), 2, "{:?}", groups(&e));
        assert_eq!(e[0].name, "Belarusian Association of Journalists");
        let off = cluster_mentions(
            text,
            &ms,
            &ClusterOptions {
                acronyms: false,
                ..opts.clone()
            },
        );
        assert_eq!(off.len(), 4);
    }

    #[test]
    fn ambiguous_acronym_stays_apart() {
        let text = "The Socialist Party and the Social Progress group; the SP was silent.";
        let e = cluster(
            text,
            &[
                ("Socialist Party", "ORG"),
                ("Social Progress", "ORG"),
                ("SP", "ORG"),
            ],
        );
        assert_eq!(e.len(), 3, "{:?}", groups(&e));
    }

    #[test]
    fn datelines_and_places_in_parentheses_are_not_definitions() {
        let text =
            "Kyiv (Reuters) - The Agency (AFP).- Minsk (Belarus) and Gorki (Mogilev Region).";
        let e = cluster(
            text,
            &[
                ("Kyiv", "ORG"),
                ("Reuters", "ORG"),
                ("Agency", "ORG"),
                ("AFP", "ORG"),
                ("Minsk", "GPE"),
                ("Belarus", "GPE"),
                ("Gorki", "GPE"),
                ("Mogilev Region", "GPE"),
            ],
        );
        assert_eq!(e.len(), 8, "{:?}", groups(&e));
    }

    #[test]
    fn titles_and_descriptors_anywhere_before_the_name() {
        let text = "US President Donald Trump spoke; Donald Trump left; Trump returned. \
                    Russian President Vladimir Putin and Putin.";
        let e = cluster(
            text,
            &[
                ("US President Donald Trump", "PERSON"),
                ("Donald Trump", "PERSON"),
                ("Trump", "PERSON"),
                ("Russian President Vladimir Putin", "PERSON"),
                ("Putin", "PERSON"),
            ],
        );
        assert_eq!(e.len(), 2, "{:?}", groups(&e));
        assert_eq!(e[0].name, "Donald Trump");
        assert_eq!(e[1].name, "Russian President Vladimir Putin");
        let text = "Martin Luther King and King.";
        let e = cluster(
            text,
            &[("Martin Luther King", "PERSON"), ("King", "PERSON")],
        );
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].name, "Martin Luther King");
    }

    #[test]
    fn parenthetical_definition_links_non_initial_names() {
        let text = "The Human Rights Centre (Viasna) reported it. Viasna counts 1,100.";
        let e = cluster(
            text,
            &[
                ("Human Rights Centre", "ORG"),
                ("Viasna", "ORG"),
                ("Viasna", "ORG"),
            ],
        );
        assert_eq!(e.len(), 1, "{:?}", groups(&e));
        assert_eq!(e[0].name, "Human Rights Centre");
    }

    #[test]
    fn transliteration_variants_merge() {
        let text = "Maria Kalesnikava tore up her passport. Kolésnikova was later moved; \
                    Kolesnikova's sister spoke.";
        let e = cluster(
            text,
            &[
                ("Maria Kalesnikava", "PERSON"),
                ("Kolésnikova", "PERSON"),
                ("Kolesnikova's", "PERSON"),
            ],
        );
        assert_eq!(e.len(), 1, "{:?}", groups(&e));
        assert_eq!(e[0].name, "Maria Kalesnikava");
    }

    #[test]
    fn transliteration_without_full_name_and_diacritic_preference() {
        let text = "Kolesnikova was moved. Kolésnikova is ill.";
        let e = cluster(text, &[("Kolesnikova", "PER"), ("Kolésnikova", "PER")]);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].name, "Kolésnikova", "diacritics break the tie");
        // Frequency beats diacritics.
        let text = "Kolesnikova was moved. Kolesnikova is ill. Kolésnikova too.";
        let e = cluster(
            text,
            &[
                ("Kolesnikova", "PER"),
                ("Kolesnikova", "PER"),
                ("Kolésnikova", "PER"),
            ],
        );
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].name, "Kolesnikova");
    }

    #[test]
    fn given_name_transliterations() {
        let text = "Aleksandr Petrenko spoke. Alexander Petrenko left. Alexandra Petrenko stayed.";
        let e = cluster(
            text,
            &[
                ("Aleksandr Petrenko", "PERSON"),
                ("Alexander Petrenko", "PERSON"),
                ("Alexandra Petrenko", "PERSON"),
            ],
        );
        assert_eq!(
            groups(&e),
            vec![
                vec!["Aleksandr Petrenko", "Alexander Petrenko"],
                vec!["Alexandra Petrenko"]
            ]
        );
    }

    #[test]
    fn husband_and_wife_stay_apart() {
        let text = "Sergei Tikhanovsky was freed. His wife Svetlana Tikhanovskaya welcomed it. \
                    Tikhanovsky thanked supporters, and Tikhanovskaya's team agreed.";
        let e = cluster(
            text,
            &[
                ("Sergei Tikhanovsky", "PERSON"),
                ("Svetlana Tikhanovskaya", "PERSON"),
                ("Tikhanovsky", "PERSON"),
                ("Tikhanovskaya's", "PERSON"),
            ],
        );
        assert_eq!(
            groups(&e),
            vec![
                vec!["Sergei Tikhanovsky", "Tikhanovsky"],
                vec!["Svetlana Tikhanovskaya", "Tikhanovskaya's"]
            ]
        );
        assert_eq!(e[1].name, "Svetlana Tikhanovskaya");
    }

    #[test]
    fn gendered_forms_merge_when_the_given_name_matches() {
        let text = "Svetlana Tikhanovsky, as one agency spelled it, is Svetlana Tikhanovskaya.";
        let e = cluster(
            text,
            &[
                ("Svetlana Tikhanovsky", "PERSON"),
                ("Svetlana Tikhanovskaya", "PERSON"),
            ],
        );
        assert_eq!(e.len(), 1);
        // Without a given name there is no evidence.
        let text = "Tikhanovsky spoke, then Tikhanovskaya spoke.";
        let e = cluster(
            text,
            &[("Tikhanovsky", "PERSON"), ("Tikhanovskaya", "PERSON")],
        );
        assert_eq!(e.len(), 2);
        let text = "Ivanov and Ivanova, Kowalski and Kowalska, Tolstoy and Tolstaya.";
        let e = cluster(
            text,
            &[
                ("Ivanov", "PER"),
                ("Ivanova", "PER"),
                ("Kowalski", "PER"),
                ("Kowalska", "PER"),
                ("Tolstoy", "PER"),
                ("Tolstaya", "PER"),
            ],
        );
        assert_eq!(e.len(), 6, "{:?}", groups(&e));
    }

    #[test]
    fn shared_surname_is_resolved_only_when_unambiguous() {
        let text = "John Smith arrived. Smith spoke first. Later Mary Smith arrived. \
                    Smith then left.";
        let e = cluster(
            text,
            &[
                ("John Smith", "PERSON"),
                ("Smith", "PERSON"),
                ("Mary Smith", "PERSON"),
                ("Smith", "PERSON"),
            ],
        );
        assert_eq!(
            groups(&e),
            vec![
                vec!["John Smith", "Smith"],
                vec!["Mary Smith"],
                vec!["Smith"]
            ]
        );
        // The first "Smith" (only John introduced) joined John; the last did not.
        let john = entity_of(&e, "John Smith");
        assert!(john.mentions[1].span.start < e[1].mentions[0].span.start);
        assert_eq!(e[2].name, "Smith");
    }

    #[test]
    fn shared_surname_before_any_full_name_stays_apart() {
        let text = "Smith was quoted. John Smith and Mary Smith arrived.";
        let e = cluster(
            text,
            &[
                ("Smith", "PERSON"),
                ("John Smith", "PERSON"),
                ("Mary Smith", "PERSON"),
            ],
        );
        assert_eq!(e.len(), 3, "{:?}", groups(&e));
    }

    #[test]
    fn initials_and_titles() {
        let text =
            "President Alexandr Lukashenko spoke. A. Lukashenko signed. Mr Lukashenko left. \
                    Viktor Lukashenko, his son, and V. Lukashenko were there.";
        let e = cluster(
            text,
            &[
                ("President Alexandr Lukashenko", "PERSON"),
                ("A. Lukashenko", "PERSON"),
                ("Mr Lukashenko", "PERSON"),
                ("Viktor Lukashenko", "PERSON"),
                ("V. Lukashenko", "PERSON"),
            ],
        );
        let alexandr = entity_of(&e, "A. Lukashenko");
        assert!(alexandr
            .mentions
            .iter()
            .any(|m| m.text == "President Alexandr Lukashenko"));
        assert_eq!(alexandr.name, "President Alexandr Lukashenko");
        let viktor = entity_of(&e, "V. Lukashenko");
        assert!(viktor
            .mentions
            .iter()
            .any(|m| m.text == "Viktor Lukashenko"));
        // "Mr Lukashenko" came after only Alexandr had been introduced.
        assert!(alexandr.mentions.iter().any(|m| m.text == "Mr Lukashenko"));
        assert_eq!(e.len(), 2, "{:?}", groups(&e));
    }

    #[test]
    fn descriptors_before_a_name_are_ignored() {
        let text = "opposition leader Svetlana Tikhanovskaya said Svetlana Tikhanovskaya would.";
        let e = cluster(
            text,
            &[
                ("opposition leader Svetlana Tikhanovskaya", "PERSON"),
                ("Svetlana Tikhanovskaya", "PERSON"),
            ],
        );
        assert_eq!(e.len(), 1);
        assert_eq!(
            e[0].name, "Svetlana Tikhanovskaya",
            "fewer descriptor words win"
        );
    }

    #[test]
    fn middle_initials_disagree() {
        let text = "George H. W. Bush and George W. Bush";
        let e = cluster(
            text,
            &[
                ("George H. W. Bush", "PERSON"),
                ("George W. Bush", "PERSON"),
            ],
        );
        assert_eq!(e.len(), 2);
    }

    #[test]
    fn person_and_place_do_not_merge_but_same_string_votes() {
        let text = "Washington said Washington would act. Belarus, Belarus and Belarus.";
        let ms = mentions(
            text,
            &[
                ("Washington", "GPE"),
                ("Washington", "GPE"),
                ("Belarus", "GPE"),
                ("Belarus", "ORG"),
                ("Belarus", "GPE"),
            ],
        );
        let e = cluster_mentions(text, &ms, &ClusterOptions::default());
        assert_eq!(e.len(), 2);
        assert_eq!(e[1].label, "GPE");
        assert_eq!(e[1].mentions.len(), 3);

        let text = "George Washington crossed. Washington is a city.";
        let e = cluster(
            text,
            &[("George Washington", "PERSON"), ("Washington", "GPE")],
        );
        assert_eq!(e.len(), 2, "a GPE never joins a PERSON");
        assert_eq!(e[1].label, "GPE");
    }

    #[test]
    fn vote_is_score_weighted() {
        let text = "Belarus Belarus Belarus";
        let mut ms = mentions(
            text,
            &[("Belarus", "GPE"), ("Belarus", "GPE"), ("Belarus", "ORG")],
        );
        ms[0].score = 0.3;
        ms[1].score = 0.3;
        ms[2].score = 0.9;
        let e = cluster_mentions(text, &ms, &ClusterOptions::default());
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].label, "ORG");
    }

    #[test]
    fn leading_the_and_exact_duplicates() {
        let text = "the Kremlin and The Kremlin and Kremlin";
        let offsets = OffsetMap::new(text);
        let mut ms = mentions(
            text,
            &[
                ("the Kremlin", "ORG"),
                ("The Kremlin", "ORG"),
                ("Kremlin", "ORG"),
            ],
        );
        // An exact duplicate of the last mention.
        ms.push(ms[2].clone());
        let e = cluster_mentions(text, &ms, &ClusterOptions::default());
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].name, "Kremlin");
        assert_eq!(e[0].mentions.len(), 4);
        let _ = offsets;
    }

    #[test]
    fn non_entity_labels_merge_only_with_same_label() {
        let text = "May 5 and May 5; Theresa May and May.";
        let e = cluster(
            text,
            &[
                ("May 5", "DATE"),
                ("May 5", "DATE"),
                ("Theresa May", "PERSON"),
                ("May", "PERSON"),
            ],
        );
        assert_eq!(
            groups(&e),
            vec![vec!["May 5", "May 5"], vec!["Theresa May", "May"]]
        );
        assert_eq!(e[0].label, "DATE");
    }

    #[test]
    fn given_name_only_links_when_unique() {
        let text = "Xi Jinping arrived. Xi spoke.";
        let e = cluster(text, &[("Xi Jinping", "PERSON"), ("Xi", "PERSON")]);
        assert_eq!(e.len(), 1);
        let opts = ClusterOptions {
            given_name_links: false,
            ..ClusterOptions::default()
        };
        let ms = mentions(text, &[("Xi Jinping", "PERSON"), ("Xi", "PERSON")]);
        assert_eq!(cluster_mentions(text, &ms, &opts).len(), 2);
    }

    #[test]
    fn extra_aliases_and_corporate_suffixes() {
        let text = "Kyiv and Kiev; Acme Corp. and Acme.";
        let ms = mentions(
            text,
            &[
                ("Kyiv", "GPE"),
                ("Kiev", "GPE"),
                ("Acme Corp.", "ORG"),
                ("Acme", "ORG"),
            ],
        );
        let plain = cluster_mentions(text, &ms, &ClusterOptions::default());
        assert_eq!(
            groups(&plain),
            vec![vec!["Kyiv"], vec!["Kiev"], vec!["Acme Corp.", "Acme"]]
        );
        let opts = ClusterOptions {
            extra_aliases: vec![vec!["Kyiv".into(), "Kiev".into()]],
            ..ClusterOptions::default()
        };
        let e = cluster_mentions(text, &ms, &opts);
        assert_eq!(e.len(), 2);
    }

    #[test]
    fn unmatched_surnames_merge_by_transliteration() {
        let text = "Lukashenka said; Lukashenko said.";
        let e = cluster(text, &[("Lukashenka", "PER"), ("Lukashenko", "PER")]);
        assert_eq!(e.len(), 1);
        let text = "Hansen said; Jansen said.";
        let e = cluster(text, &[("Hansen", "PER"), ("Jansen", "PER")]);
        assert_eq!(e.len(), 2);
    }

    #[test]
    fn helpers() {
        assert_eq!(surface_form("the United States"), "United States");
        assert_eq!(surface_form("The Hague"), "Hague");
        assert_eq!(surface_form("Theo"), "Theo");
        assert_eq!(surface_form("“Viasna”"), "Viasna");
        assert_eq!(surface_form("the"), "the");
        assert_eq!(surface_form("Jones'"), "Jones");
        assert_eq!(surface_form("O'"), "O'");
        assert_eq!(key_of("U.S."), "us");
        assert_eq!(key_of("Kolésnikova"), "kolesnikova");
        assert_eq!(key_of("al-Qaida"), "al qaida");
        assert_eq!(key_of("Łukasz"), "lukasz");
        assert_eq!(skeleton("tikhanovskaya"), skeleton("tikhanovskaja"));
        assert_eq!(skeleton("dmitriy"), skeleton("dmitry"));
        let chars = |s: &str| s.chars().collect::<Vec<char>>();
        assert!(lev_within(&chars("kitten"), &chars("sitting"), 3.0 / 7.0));
        assert!(!lev_within(&chars("kitten"), &chars("sitting"), 2.9 / 7.0));
        assert!(lev_within(&chars(""), &chars(""), 0.0));
        assert!(!lev_within(&chars("ab"), &chars(""), 0.9));
        assert!(lev_within(&chars("abcdefgh"), &chars("abXdefYh"), 0.25));
        let c = MentionClusterer::default();
        let w = |s: &str| Word::new(s.to_string());
        assert_eq!(
            c.surname_rel(&w("tikhanovsky"), &w("tikhanovskaya")),
            NameRel::Gendered
        );
        assert_eq!(
            c.surname_rel(&w("kalesnikava"), &w("kolesnikova")),
            NameRel::Same
        );
        assert_eq!(
            c.surname_rel(&w("kalesnikau"), &w("kolesnikova")),
            NameRel::Gendered
        );
        assert_eq!(c.surname_rel(&w("smith"), &w("jones")), NameRel::Different);
        assert_eq!(
            c.surname_rel(&w("lukashenka"), &w("lukashenko")),
            NameRel::Same
        );
        assert_eq!(
            c.surname_rel(&w("tsikhanouskaya"), &w("tikhanovskaya")),
            NameRel::Different
        );
        assert_eq!(
            c.surname_rel(&w("novakova"), &w("novak")),
            NameRel::Gendered
        );
        assert!(c.given_match(&w("alexandr"), &w("aleksander")));
        assert!(c.given_match(&w("sergey"), &w("sergei")));
        assert!(c.given_match(&w("a"), &w("alexandr")));
        assert!(!c.given_match(&w("alexander"), &w("alexandra")));
        assert_eq!(acronym_of("U.S."), Some("us".into()));
        assert_eq!(acronym_of("Us"), None);
        assert_eq!(acronym_of("A"), None);
    }

    #[test]
    fn empty_and_odd_input() {
        assert!(cluster_mentions("", &[], &ClusterOptions::default()).is_empty());
        // Spans outside the text, empty mention text, NaN scores and thresholds.
        let bogus = Mention {
            text: String::new(),
            label: "PERSON".into(),
            score: f32::NAN,
            span: lede_core::Span {
                start: 5,
                end: 99,
                char_start: 5,
                char_end: 99,
            },
        };
        let opts = ClusterOptions {
            max_unreduced_distance: f64::NAN,
            max_reduced_distance: 7.0,
            ..ClusterOptions::default()
        };
        let c = MentionClusterer::new(opts);
        assert_eq!(c.options().max_unreduced_distance, 0.0);
        assert_eq!(c.options().max_reduced_distance, 1.0);
        let e = c.cluster("short", &[bogus.clone(), bogus]);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].mentions.len(), 2);
    }

    const WORDS: &[&str] = &[
        "John Smith",
        "Mary Smith",
        "Smith",
        "Smith's",
        "the United States",
        "US",
        "U.S.",
        "Kolesnikova",
        "Maria Kalesnikava",
        "Kolésnikova",
        "Tikhanovsky",
        "Tikhanovskaya",
        "Sergei Tikhanovsky",
        "A. Smith",
        "Belarus",
        "NATO",
        "North Atlantic Treaty Organization",
        "'s",
        "the",
        "Xi",
        "Ålesund",
        "May 5",
    ];
    const LABELS: &[&str] = &["PERSON", "GPE", "ORG", "NORP", "DATE", "LOC"];

    /// A text made of the chosen words, and one mention per word (some duplicated).
    fn doc_strategy() -> impl Strategy<Value = (String, Vec<Mention>)> {
        prop::collection::vec(
            (0..WORDS.len(), 0..LABELS.len(), 0.0f32..1.0, any::<bool>()),
            0..24,
        )
        .prop_map(|picks| {
            let mut text = String::new();
            let mut spans = Vec::new();
            for (w, l, s, dup) in &picks {
                if !text.is_empty() {
                    text.push_str(" (");
                }
                let start = text.len();
                text.push_str(WORDS[*w]);
                spans.push((start, text.len(), *l, *s, *dup));
            }
            let offsets = OffsetMap::new(&text);
            let mut ms = Vec::new();
            for (start, end, l, s, dup) in spans {
                let m = Mention {
                    text: text[start..end].to_string(),
                    label: LABELS[l].to_string(),
                    score: s,
                    span: offsets.span(start, end).unwrap(),
                };
                if dup {
                    ms.push(m.clone());
                }
                ms.push(m);
            }
            (text, ms)
        })
    }

    proptest! {
        #[test]
        fn every_mention_in_exactly_one_entity((text, ms) in doc_strategy()) {
            let e = cluster_mentions(&text, &ms, &ClusterOptions::default());
            let total: usize = e.iter().map(|x| x.mentions.len()).sum();
            prop_assert_eq!(total, ms.len());
            for m in &ms {
                let want = ms.iter().filter(|x| *x == m).count();
                let got = e.iter().flat_map(|x| &x.mentions).filter(|x| *x == m).count();
                prop_assert_eq!(want, got);
                let holders = e.iter().filter(|x| x.mentions.contains(m)).count();
                prop_assert_eq!(holders, 1);
            }
        }

        #[test]
        fn ids_names_and_order((text, ms) in doc_strategy()) {
            let e = cluster_mentions(&text, &ms, &ClusterOptions::default());
            for (i, ent) in e.iter().enumerate() {
                prop_assert_eq!(&ent.id, &format!("E{}", i + 1));
                prop_assert!(!ent.mentions.is_empty());
                prop_assert!(ent.mentions.iter().any(|m| surface_form(&m.text) == ent.name));
                prop_assert!(ent.mentions.iter().any(|m| m.label == ent.label));
                prop_assert!(ent
                    .mentions
                    .windows(2)
                    .all(|w| (w[0].span.start, w[0].span.end) <= (w[1].span.start, w[1].span.end)));
                if i > 0 {
                    prop_assert!(e[i - 1].mentions[0].span.start <= ent.mentions[0].span.start);
                }
            }
        }

        #[test]
        fn deterministic_and_order_independent((text, ms) in doc_strategy(), seed in any::<u64>()) {
            let a = cluster_mentions(&text, &ms, &ClusterOptions::default());
            let b = cluster_mentions(&text, &ms, &ClusterOptions::default());
            prop_assert_eq!(&a, &b);
            // Shuffle the input (spans of distinct mentions differ, duplicates are equal).
            let mut shuffled = ms.clone();
            let mut state = seed | 1;
            for i in (1..shuffled.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                shuffled.swap(i, (state % (i as u64 + 1)) as usize);
            }
            let c = cluster_mentions(&text, &shuffled, &ClusterOptions::default());
            prop_assert_eq!(&a, &c);
        }
    }
}
