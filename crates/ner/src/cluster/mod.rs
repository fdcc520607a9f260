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
//!   mentions, then the label seen first); that label's coarse type ([`lede_core::CoarseLabel`]) is the
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
//! * (ORG only) one is a single word of at least four letters, the other a name of two or
//!   more words that begins with that word and is first written before it (`Amnesty
//!   International` ... `Amnesty`, `Qantas Airways` ... `Qantas`), and exactly one entity has
//!   such a longer name ([`ClusterOptions::short_forms`]).
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
use std::collections::BTreeMap;

use lede_core::{Entity, Mention};

mod clusterer;
mod names;
mod normalize;
mod similarity;
#[cfg(test)]
mod tests;

use clusterer::Clustering;
pub use normalize::surface_form;
use normalize::{clamp_unit, key_of};

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
    /// Link a one-word organisation name to the one longer organisation name, written
    /// before it, that begins with that word (`Amnesty` after `Amnesty International`).
    /// Default on.
    pub short_forms: bool,
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
            short_forms: true,
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

lede_core::assert_send!(sync: MentionClusterer);

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
