//! Value tails: ages and prison terms written as numbers or words.

use serde::{Deserialize, Serialize};

use super::matcher::ViewTok;

/// What a value tail holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    /// An age in years: `63-year-old`, or a bare `63` where the cue allows it.
    Age,
    /// A prison term or sentence: `11 years`, `five years`, `18 months`, `life`, `death`.
    Term,
}

pub(crate) fn is_number(s: &str) -> bool {
    !s.is_empty()
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
}

pub(super) fn number_word(s: &str) -> Option<u32> {
    const WORDS: &[&str] = &[
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    if let Some(i) = WORDS.iter().position(|w| *w == s) {
        return u32::try_from(i).ok();
    }
    match s {
        "thirty" => Some(30),
        "forty" => Some(40),
        "fifty" => Some(50),
        _ => None,
    }
}

pub(super) fn small_number(s: &str) -> Option<u32> {
    if s.chars().all(|c| c.is_ascii_digit()) && (1..=3).contains(&s.len()) {
        return s.parse().ok();
    }
    number_word(s)
}

pub(super) fn unit(s: &str) -> Option<&'static str> {
    match s {
        "year" | "years" => Some("year"),
        "month" | "months" => Some("month"),
        "week" | "weeks" => Some("week"),
        "day" | "days" => Some("day"),
        _ => None,
    }
}

pub(super) fn plural(n: u32, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// Recognizes a value at `pos`: (normalised value, words used).
pub(crate) fn recognize_value(
    kind: ValueKind,
    bare: bool,
    toks: &[ViewTok],
    pos: usize,
) -> Option<(String, usize)> {
    let t = toks.get(pos)?;
    let w = t.norm.as_str();
    match kind {
        ValueKind::Age => {
            let parts: Vec<&str> = w.split('-').collect();
            if let [n, y, "old"] = parts.as_slice() {
                if matches!(*y, "year" | "years") {
                    let age = small_number(n)?;
                    return (1..=120).contains(&age).then(|| (age.to_string(), 1));
                }
            }
            if bare && w.chars().all(|c| c.is_ascii_digit()) {
                let age: u32 = w.parse().ok()?;
                return (1..=120).contains(&age).then(|| (age.to_string(), 1));
            }
            None
        }
        ValueKind::Term => {
            if w == "life" || w == "death" {
                return Some((w.to_string(), 1));
            }
            if let Some(n) = small_number(w) {
                let u = unit(toks.get(pos + 1)?.norm.as_str())?;
                return Some((plural(n, u), 2));
            }
            let (n, u) = w.split_once('-')?;
            let n = small_number(n)?;
            let u = unit(u)?;
            Some((plural(n, u), 1))
        }
    }
}

/// A number written in digits or words up to 99 ("8", "eight", "twenty-eight").
fn number_value(s: &str) -> Option<u32> {
    if let Some(n) = small_number(s) {
        return Some(n);
    }
    let (tens, ones) = s.split_once('-')?;
    let tens = match tens {
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => return None,
    };
    let ones = number_word(ones).filter(|n| (1..=9).contains(n))?;
    Some(tens + ones)
}

/// The normalised form of a value written in an annotation or a gold file, the form the
/// extractor reports value tails in: an age ("eight", "Twenty-eight", "28") as its digits,
/// a term ("four-year", "five months", "18 months") as "4 years", "5 months", "18 months",
/// and "life" or "death" as themselves. `None` for text that is no such value.
///
/// ```
/// use lede_relations::value_key;
/// assert_eq!(value_key("Twenty-eight").as_deref(), Some("28"));
/// assert_eq!(value_key("four-year").as_deref(), Some("4 years"));
/// assert_eq!(value_key("one month").as_deref(), Some("1 month"));
/// assert_eq!(value_key("Moscow"), None);
/// ```
pub fn value_key(text: &str) -> Option<String> {
    let t = crate::text::fold(text.trim());
    if t == "life" || t == "death" {
        return Some(t);
    }
    if let Some(n) = number_value(&t) {
        return Some(n.to_string());
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    let (n, u) = match words.as_slice() {
        [n, u] => (number_value(n)?, unit(u)?),
        [w] => {
            let (n, u) = w.rsplit_once('-')?;
            (number_value(n)?, unit(u)?)
        }
        _ => return None,
    };
    Some(plural(n, u))
}
