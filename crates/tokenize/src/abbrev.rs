//! Abbreviations and sentence starters: the word lists behind the sentence splitter's
//! decisions at a period.

use std::collections::{HashMap, HashSet};

use crate::{Error, Result};

/// How an abbreviation behaves before a period that is followed by a space.
///
/// In every case a lowercase word, a digit or the end of the line after the period keeps the
/// sentence going or ends it as usual; the kinds differ before a capitalised word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AbbreviationKind {
    /// Practically never ends a sentence because it introduces what follows: titles before a
    /// name (`Mr.`, `Dr.`, `Gen.`, `Sen.`) and `e.g.`, `i.e.`, `vs.`, `cf.`, `approx.`.
    Title,
    /// May end a sentence (`Inc.`, `Corp.`, `Jan.`, `No.`, `Jr.`, `St.`): the period ends the
    /// sentence only when the next word is a frequent sentence starter (`The`, `He`, `In`,
    /// ...); `Apple Inc. CEO` and `Jan. 5` stay together, `Apple Inc. The company` splits.
    /// Dotted forms (`U.S.`, `a.m.`, `Ph.D.`) and single initials (`F.`) behave this way
    /// whether listed or not.
    Ordinary,
    /// Usually ends its clause (`etc.`): the period ends the sentence before any capitalised
    /// word.
    Final,
}

/// A set of abbreviations (without their final period), looked up case-insensitively.
///
/// [`Abbreviations::news`] (also [`Default`]) holds the English news-wire list; add to it
/// with [`Abbreviations::insert`].
///
/// ```
/// use lede_tokenize::{AbbreviationKind, Abbreviations};
/// let mut abbreviations = Abbreviations::news();
/// assert_eq!(abbreviations.get("Mr"), Some(AbbreviationKind::Title));
/// assert_eq!(abbreviations.get("inc."), Some(AbbreviationKind::Ordinary));
/// abbreviations.insert("Cmdt", AbbreviationKind::Title).unwrap();
/// assert_eq!(abbreviations.get("CMDT"), Some(AbbreviationKind::Title));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abbreviations {
    map: HashMap<String, AbbreviationKind>,
}

const TITLES: &[&str] = &[
    "Mr", "Mrs", "Ms", "Messrs", "Mme", "Mlle", "Dr", "Drs", "Prof", "Gen", "Gens", "Lt", "Col",
    "Maj", "Capt", "Cmdr", "Cdr", "Adm", "Brig", "Sgt", "Cpl", "Pvt", "Sen", "Sens", "Rep", "Reps",
    "Gov", "Govs", "Pres", "Amb", "Rev", "Fr", "Hon", "Supt", "Insp", "Atty",
    // Introduce what follows.
    "e.g", "i.e", "cf", "vs", "viz", "approx", "ca", "incl", "Nr",
];

const ORDINARY: &[&str] = &[
    // Companies and people.
    "Inc", "Corp", "Ltd", "Co", "Cos", "Bros", "Jr", "Sr", "Esq", "al", // Months.
    "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
    // Numbers and references.
    "No", "Nos", "Vol", "Vols", "Fig", "Figs", "pp", "para", "ch", "Sec", "Art",
    // Places and institutions.
    "St", "Ste", "Mt", "Ft", "Ave", "Blvd", "Rd", "Dept", "Univ", "Assn", "Intl", "Natl", "Ala",
    "Ariz", "Ark", "Calif", "Colo", "Conn", "Del", "Fla", "Ga", "Ill", "Ind", "Kan", "Ky", "La",
    "Md", "Mass", "Mich", "Minn", "Miss", "Mo", "Mont", "Neb", "Nev", "Okla", "Ore", "Pa", "Tenn",
    "Tex", "Va", "Vt", "Wash", "Wis", "Wyo", // Times and units.
    "a.m", "p.m", "hr", "hrs", "min", "mins", "est", "km", "kg",
];

const FINAL: &[&str] = &["etc"];

/// Words that often start a sentence; after an [`AbbreviationKind::Ordinary`] abbreviation or
/// an initial, a capitalised word from this list means the period ended the sentence.
const STARTERS: &[&str] = &[
    "a",
    "about",
    "according",
    "after",
    "again",
    "all",
    "also",
    "although",
    "among",
    "an",
    "and",
    "another",
    "any",
    "as",
    "at",
    "because",
    "before",
    "both",
    "but",
    "by",
    "despite",
    "during",
    "each",
    "earlier",
    "even",
    "every",
    "for",
    "from",
    "he",
    "her",
    "here",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "it",
    "its",
    "last",
    "later",
    "many",
    "meanwhile",
    "more",
    "most",
    "my",
    "nevertheless",
    "next",
    "nor",
    "not",
    "now",
    "of",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "over",
    "she",
    "since",
    "so",
    "some",
    "still",
    "such",
    "that",
    "the",
    "their",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "though",
    "thus",
    "to",
    "today",
    "two",
    "under",
    "until",
    "we",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "why",
    "with",
    "without",
    "yesterday",
    "yet",
    "you",
];

fn key_of(word: &str) -> String {
    word.strip_suffix('.').unwrap_or(word).to_lowercase()
}

fn check_word(word: &str, what: &'static str) -> Result<()> {
    let bare = word.strip_suffix('.').unwrap_or(word);
    if bare.is_empty() || bare.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::InvalidWord {
            what,
            word: word.to_string(),
        });
    }
    Ok(())
}

impl Abbreviations {
    /// An empty set: only dotted forms (`U.S.`) and single initials count as abbreviations.
    pub fn empty() -> Self {
        Abbreviations {
            map: HashMap::new(),
        }
    }

    /// The English news-wire list: titles, company suffixes, months, US state abbreviations,
    /// `No.`, `etc.`, `e.g.` and more.
    pub fn news() -> Self {
        let mut map = HashMap::new();
        for (words, kind) in [
            (ORDINARY, AbbreviationKind::Ordinary),
            (FINAL, AbbreviationKind::Final),
            (TITLES, AbbreviationKind::Title),
        ] {
            for word in words {
                map.insert(key_of(word), kind);
            }
        }
        Abbreviations { map }
    }

    /// Adds (or re-classifies) an abbreviation, given with or without its final period.
    ///
    /// # Errors
    /// [`Error::InvalidWord`] when the word is empty or contains whitespace or control chars.
    pub fn insert(&mut self, word: &str, kind: AbbreviationKind) -> Result<()> {
        check_word(word, "abbreviation")?;
        self.map.insert(key_of(word), kind);
        Ok(())
    }

    /// Removes an abbreviation; returns whether it was there.
    pub fn remove(&mut self, word: &str) -> bool {
        self.map.remove(&key_of(word)).is_some()
    }

    /// The kind of a listed abbreviation (case-insensitive, final period optional).
    pub fn get(&self, word: &str) -> Option<AbbreviationKind> {
        if word.is_empty() || word.len() > 32 {
            return None;
        }
        self.map.get(&key_of(word)).copied()
    }

    /// How the sentence splitter treats the word before a period: a listed abbreviation, or
    /// [`AbbreviationKind::Ordinary`] for dotted forms (`U.S`, `Ph.D`) and single letters.
    pub fn classify(&self, word: &str) -> Option<AbbreviationKind> {
        if let Some(kind) = self.get(word) {
            return Some(kind);
        }
        if is_dotted(word) || is_single_letter(word) {
            return Some(AbbreviationKind::Ordinary);
        }
        None
    }

    /// Number of listed abbreviations.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

impl Default for Abbreviations {
    fn default() -> Self {
        Abbreviations::news()
    }
}

/// `U.S`, `e.g`, `Ph.D`, `J.R.R`: at least two parts of one or two letters joined by periods.
pub(crate) fn is_dotted(word: &str) -> bool {
    if !word.contains('.') {
        return false;
    }
    word.split('.').all(|part| {
        let n = part.chars().count();
        (1..=2).contains(&n) && part.chars().all(char::is_alphabetic)
    })
}

/// A single letter (`F` in `John F. Kennedy`).
pub(crate) fn is_single_letter(word: &str) -> bool {
    let mut chars = word.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_alphabetic())
}

/// Frequent sentence starters, looked up case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Starters {
    set: HashSet<String>,
}

impl Starters {
    pub(crate) fn news() -> Self {
        Starters {
            set: STARTERS.iter().map(|w| (*w).to_string()).collect(),
        }
    }

    pub(crate) fn insert(&mut self, word: &str) -> Result<()> {
        check_word(word, "sentence starter")?;
        self.set.insert(word.to_lowercase());
        Ok(())
    }

    pub(crate) fn contains(&self, word: &str) -> bool {
        !word.is_empty() && word.len() <= 32 && self.set.contains(&word.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        let a = Abbreviations::news();
        assert_eq!(a.get("Mr."), Some(AbbreviationKind::Title));
        assert_eq!(a.get("MR"), Some(AbbreviationKind::Title));
        assert_eq!(a.get("e.g"), Some(AbbreviationKind::Title));
        assert_eq!(a.get("etc"), Some(AbbreviationKind::Final));
        assert_eq!(a.get("Sept"), Some(AbbreviationKind::Ordinary));
        assert_eq!(a.get("airline"), None);
        assert_eq!(a.classify("U.S"), Some(AbbreviationKind::Ordinary));
        assert_eq!(a.classify("F"), Some(AbbreviationKind::Ordinary));
        assert_eq!(a.classify("example.com"), None);
        assert_eq!(a.classify("2021"), None);
        assert!(Abbreviations::empty().is_empty());
    }

    #[test]
    fn insert_and_remove() {
        let mut a = Abbreviations::empty();
        a.insert("Cmdt.", AbbreviationKind::Title).unwrap();
        assert_eq!(a.get("cmdt"), Some(AbbreviationKind::Title));
        assert!(a.remove("CMDT"));
        assert!(a.get("cmdt").is_none());
        assert!(a.insert("", AbbreviationKind::Title).is_err());
        assert!(a.insert(".", AbbreviationKind::Title).is_err());
        assert!(a.insert("two words", AbbreviationKind::Title).is_err());
    }

    #[test]
    fn dotted_forms() {
        assert!(is_dotted("U.S") && is_dotted("Ph.D") && is_dotted("J.R.R") && is_dotted("a.m"));
        assert!(!is_dotted("US") && !is_dotted("3.5") && !is_dotted("www.bbc") && !is_dotted("U."));
        assert!(is_single_letter("F") && is_single_letter("é") && !is_single_letter("Fe"));
    }

    #[test]
    fn starters() {
        let mut s = Starters::news();
        assert!(s.contains("The") && s.contains("THE") && !s.contains("Kennedy"));
        s.insert("Kennedy").unwrap();
        assert!(s.contains("kennedy"));
        assert!(s.insert(" ").is_err());
    }
}
