//! Name-word similarity: transliteration skeletons, vowel reduction, bounded edit distance
//! and gendered surname forms.

use super::names::PersonName;
use super::MentionClusterer;

/// The transliteration skeleton of a folded word (see the module docs).
pub(super) fn skeleton(word: &str) -> String {
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
pub(super) fn reduce(skel: &str) -> String {
    skel.replace('o', "a")
}

/// Whether the Levenshtein distance of `a` and `b` divided by the longer length is at most
/// `max_ratio` (true for two empty words). Stops as soon as the bound is exceeded.
pub(super) fn lev_within(a: &[char], b: &[char], max_ratio: f64) -> bool {
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
pub(super) struct Word {
    pub(super) folded: String,
    pub(super) skel: String,
    pub(super) reduced: String,
    pub(super) skel_chars: Vec<char>,
    pub(super) reduced_chars: Vec<char>,
}

impl Word {
    pub(super) fn new(folded: String) -> Self {
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

    pub(super) fn first_char(&self) -> Option<char> {
        self.folded.chars().next()
    }

    pub(super) fn is_initial(&self) -> bool {
        self.folded.chars().count() == 1
    }
}

/// Feminine and masculine surname endings of the same stem, on skeletons (`y`/`j` already
/// `i`, doubled letters collapsed); checked on the skeletons and on the vowel-reduced ones.
pub(super) const GENDER_PAIRS: &[(&str, &str)] = &[
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

pub(super) fn gendered_one_way(fem: &str, masc: &str) -> bool {
    GENDER_PAIRS
        .iter()
        .any(|(f, m)| match (fem.strip_suffix(f), masc.strip_suffix(m)) {
            (Some(fs), Some(ms)) => fs.chars().count() >= 2 && fs == ms,
            _ => false,
        })
}

pub(super) fn gendered(a: &str, b: &str) -> bool {
    // Both share a stem of two or more chars.
    let mut ca = a.chars();
    let mut cb = b.chars();
    if ca.next() != cb.next() || ca.next() != cb.next() {
        return false;
    }
    gendered_one_way(a, b) || gendered_one_way(b, a)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NameRel {
    Same,
    Gendered,
    Different,
}

impl MentionClusterer {
    /// Rule 3 of the module docs.
    pub(super) fn fuzzy(&self, a: &Word, b: &Word) -> bool {
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
    pub(super) fn surname_rel(&self, a: &Word, b: &Word) -> NameRel {
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
    pub(super) fn given_match(&self, a: &Word, b: &Word) -> bool {
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
    pub(super) fn full_compatible(&self, a: &PersonName, b: &PersonName) -> bool {
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
