//! Parsing names: person names (titles, particles, suffixes), acronyms and initials.

use super::normalize::{fold, word_of};
use super::similarity::Word;

/// Leading words ignored in person names (folded, dot removed).
pub(super) const TITLES: &[&str] = &[
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
pub(super) const SUFFIXES: &[&str] = &["jr", "sr", "ii", "iii", "iv", "phd", "md"];

/// Particles that belong to the surname (`von der Leyen`).
pub(super) const PARTICLES: &[&str] = &[
    "von", "van", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "al", "el",
    "bin", "ibn", "dos", "das", "ten", "ter",
];

/// Trailing corporate suffixes ignored when comparing ORG names.
pub(super) const CORPORATE: &[&str] = &[
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
pub(super) const FUNCTION_WORDS: &[&str] = &[
    "of", "and", "for", "the", "de", "du", "des", "la", "le", "in", "on", "at", "to", "y", "e",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NameKind {
    Full,
    Initial,
    Single,
}

#[derive(Debug, Clone)]
pub(super) struct PersonName {
    /// Given and middle names.
    pub(super) given: Vec<Word>,
    /// Last word of the surname.
    pub(super) surname: Word,
    pub(super) kind: NameKind,
}

/// Folded words of a person name with titles and suffixes removed, and how many were removed.
pub(super) fn person_words(surface: &str) -> (Vec<String>, usize) {
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

pub(super) fn parse_person(surface: &str) -> Option<PersonName> {
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
pub(super) fn acronym_of(surface: &str) -> Option<String> {
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
pub(super) fn initials_of(surface: &str) -> Option<(String, String)> {
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
