//! ROUGE (Lin, 2004): ROUGE-N, sentence-level ROUGE-L and summary-level ROUGE-Lsum, computed
//! the way Google's `rouge-score` package computes them.
//!
//! * **Tokens**: the text is lowercased, every run of characters other than ASCII `a-z0-9` is
//!   replaced by a space, and the result is split on whitespace (so "U.S." gives `u`, `s`, and
//!   accented letters separate words, exactly as in `rouge-score`). With stemming, tokens longer
//!   than three characters go through the original Porter stemmer ([`crate::porter`]).
//! * **ROUGE-N**: clipped n-gram overlap; precision over the candidate's n-grams, recall over
//!   the reference's, F1 their harmonic mean (0 when both are 0).
//! * **ROUGE-L**: the longest common subsequence of the two whole token sequences (sentence
//!   boundaries ignored).
//! * **ROUGE-Lsum**: for every reference sentence, the union of its LCS matches with every
//!   candidate sentence; matches are counted at most as often as the token occurs in each
//!   side; recall over all reference tokens, precision over all candidate tokens.
//!
//! ```
//! use lede_summarize::rouge::{RougeScorer, Stemming};
//! let scorer = RougeScorer::new(Stemming::Off);
//! // Lin (2004), section 3.1: S2 keeps "police ... the gunman" in order.
//! let s = scorer.score("police killed the gunman", "police kill the gunman");
//! assert!((s.rouge_l.f1 - 0.75).abs() < 1e-9);
//! assert!((s.rouge2.f1 - 1.0 / 3.0).abs() < 1e-9);
//! ```

use std::collections::HashMap;

use lede_core::metrics::Counts;
use serde::{Deserialize, Serialize};

use crate::porter;

/// Whether tokens are Porter-stemmed before matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stemming {
    /// Compare surface forms.
    Off,
    /// Stem tokens longer than three characters with the original Porter algorithm.
    Porter,
}

/// Precision, recall and F1 of one ROUGE measure: matches over the candidate's units, over
/// the reference's units, and their harmonic mean (0 when both are 0).
pub use lede_core::metrics::Prf as Score;

/// Precision and recall of `matches` units shared by a candidate of `candidate` units and a
/// reference of `reference` units.
fn score_of(matches: usize, candidate: usize, reference: usize) -> Score {
    Counts::from_totals(reference, candidate, matches).prf()
}

/// ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum of one candidate against one reference.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct RougeScores {
    /// Unigram overlap.
    pub rouge1: Score,
    /// Bigram overlap.
    pub rouge2: Score,
    /// Sentence-level LCS over the whole texts.
    pub rouge_l: Score,
    /// Summary-level union LCS over sentences.
    pub rouge_lsum: Score,
}

impl RougeScores {
    /// The element-wise mean of `scores` (all zeros for none).
    pub fn mean<'a>(scores: impl IntoIterator<Item = &'a RougeScores>) -> RougeScores {
        let mut sum = [[0.0f64; 3]; 4];
        let mut n = 0usize;
        for s in scores {
            for (acc, m) in sum.iter_mut().zip(s.measures()) {
                acc[0] += m.precision;
                acc[1] += m.recall;
                acc[2] += m.f1;
            }
            n += 1;
        }
        let d = n.max(1) as f64;
        let avg = |a: [f64; 3]| Score {
            precision: a[0] / d,
            recall: a[1] / d,
            f1: a[2] / d,
        };
        RougeScores {
            rouge1: avg(sum[0]),
            rouge2: avg(sum[1]),
            rouge_l: avg(sum[2]),
            rouge_lsum: avg(sum[3]),
        }
    }

    /// The four measures in the order ROUGE-1, ROUGE-2, ROUGE-L, ROUGE-Lsum.
    pub fn measures(&self) -> [Score; 4] {
        [self.rouge1, self.rouge2, self.rouge_l, self.rouge_lsum]
    }

    /// For each measure, the score with the highest F1 among `scores` (the usual treatment of
    /// several references); all zeros for none.
    pub fn best<'a>(scores: impl IntoIterator<Item = &'a RougeScores>) -> RougeScores {
        let mut best = RougeScores::default();
        let mut first = true;
        for s in scores {
            if first {
                best = *s;
                first = false;
                continue;
            }
            let pick = |a: Score, b: Score| if b.f1 > a.f1 { b } else { a };
            best.rouge1 = pick(best.rouge1, s.rouge1);
            best.rouge2 = pick(best.rouge2, s.rouge2);
            best.rouge_l = pick(best.rouge_l, s.rouge_l);
            best.rouge_lsum = pick(best.rouge_lsum, s.rouge_lsum);
        }
        best
    }
}

/// Tokenizes like `rouge-score`: lowercase, non-`[a-z0-9]` runs become spaces, split, and
/// (with [`Stemming::Porter`]) stem tokens longer than three characters.
///
/// ```
/// use lede_summarize::rouge::{tokenize, Stemming};
/// assert_eq!(tokenize("The U.S. envoy's talks", Stemming::Off), ["the", "u", "s", "envoy", "s", "talks"]);
/// assert_eq!(tokenize("Sanctions were lifted", Stemming::Porter), ["sanction", "were", "lift"]);
/// ```
pub fn tokenize(text: &str, stemming: Stemming) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut tokens = Vec::new();
    let mut current = String::new();
    for c in lower.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            current.push(c);
        } else if !current.is_empty() {
            tokens.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    if stemming == Stemming::Porter {
        for t in &mut tokens {
            if t.len() > 3 {
                *t = porter::stem(t);
            }
        }
    }
    tokens
}

fn ngram_counts(tokens: &[String], n: usize) -> HashMap<&[String], usize> {
    let mut counts = HashMap::new();
    if n > 0 && tokens.len() >= n {
        for w in tokens.windows(n) {
            *counts.entry(w).or_insert(0) += 1;
        }
    }
    counts
}

/// ROUGE-N of candidate tokens against reference tokens.
pub fn rouge_n(reference: &[String], candidate: &[String], n: usize) -> Score {
    let r = ngram_counts(reference, n);
    let c = ngram_counts(candidate, n);
    let overlap: usize = c
        .iter()
        .map(|(g, &cc)| r.get(g).map_or(0, |&rc| rc.min(cc)))
        .sum();
    score_of(overlap, c.values().sum(), r.values().sum())
}

/// The LCS dynamic-programming table: `t[i][j]` is the LCS length of `a[..i]` and `b[..j]`.
fn lcs_table(a: &[String], b: &[String]) -> Vec<Vec<usize>> {
    let mut t = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            t[i][j] = if a[i - 1] == b[j - 1] {
                t[i - 1][j - 1] + 1
            } else {
                t[i - 1][j].max(t[i][j - 1])
            };
        }
    }
    t
}

/// Length of the longest common subsequence of two token sequences.
pub fn lcs_len(a: &[String], b: &[String]) -> usize {
    lcs_table(a, b)
        .last()
        .and_then(|row| row.last())
        .copied()
        .unwrap_or(0)
}

/// Indices into `reference` of one LCS with `candidate`, in order. Ties are broken as in
/// `rouge-score`'s backtracking (prefer dropping a reference token), so union LCS counts agree
/// with it.
fn lcs_reference_indices(reference: &[String], candidate: &[String]) -> Vec<usize> {
    let t = lcs_table(reference, candidate);
    let (mut i, mut j) = (reference.len(), candidate.len());
    let mut out = Vec::new();
    while i > 0 && j > 0 {
        if reference[i - 1] == candidate[j - 1] {
            out.push(i - 1);
            i -= 1;
            j -= 1;
        } else if t[i][j - 1] > t[i - 1][j] {
            j -= 1;
        } else {
            i -= 1;
        }
    }
    out.reverse();
    out
}

/// Sentence-level ROUGE-L (LCS over whole token sequences).
pub fn rouge_l(reference: &[String], candidate: &[String]) -> Score {
    if reference.is_empty() || candidate.is_empty() {
        return Score::default();
    }
    score_of(
        lcs_len(reference, candidate),
        candidate.len(),
        reference.len(),
    )
}

/// Summary-level ROUGE-L (union LCS) of tokenized sentences.
pub fn rouge_lsum(reference: &[Vec<String>], candidate: &[Vec<String>]) -> Score {
    let m: usize = reference.iter().map(Vec::len).sum();
    let n: usize = candidate.iter().map(Vec::len).sum();
    if m == 0 || n == 0 {
        return Score::default();
    }
    let mut ref_left: HashMap<&str, usize> = HashMap::new();
    for t in reference.iter().flatten() {
        *ref_left.entry(t.as_str()).or_insert(0) += 1;
    }
    let mut cand_left: HashMap<&str, usize> = HashMap::new();
    for t in candidate.iter().flatten() {
        *cand_left.entry(t.as_str()).or_insert(0) += 1;
    }
    let mut hits = 0usize;
    for r in reference {
        let mut union: Vec<usize> = candidate
            .iter()
            .flat_map(|c| lcs_reference_indices(r, c))
            .collect();
        union.sort_unstable();
        union.dedup();
        for i in union {
            let tok = r[i].as_str();
            let (Some(rc), Some(cc)) = (ref_left.get(tok).copied(), cand_left.get(tok).copied())
            else {
                continue;
            };
            if rc > 0 && cc > 0 {
                hits += 1;
                ref_left.insert(tok, rc - 1);
                cand_left.insert(tok, cc - 1);
            }
        }
    }
    score_of(hits, n, m)
}

/// Scores candidates against references with one tokenization setting.
#[derive(Debug, Clone, Copy)]
pub struct RougeScorer {
    stemming: Stemming,
}

impl RougeScorer {
    /// A scorer with the given stemming.
    pub fn new(stemming: Stemming) -> RougeScorer {
        RougeScorer { stemming }
    }

    /// Its stemming setting.
    pub fn stemming(&self) -> Stemming {
        self.stemming
    }

    /// Scores two texts; for ROUGE-Lsum, lines (`\n`) are the sentences, as in `rouge-score`.
    pub fn score(&self, reference: &str, candidate: &str) -> RougeScores {
        let lines = |t: &str| -> Vec<String> {
            t.split('\n')
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        };
        self.score_sentences(&lines(reference), &lines(candidate))
    }

    /// Scores sentence lists: ROUGE-1/2/L on the sentences joined, ROUGE-Lsum sentence by
    /// sentence.
    pub fn score_sentences<R: AsRef<str>, C: AsRef<str>>(
        &self,
        reference: &[R],
        candidate: &[C],
    ) -> RougeScores {
        let rs: Vec<Vec<String>> = reference
            .iter()
            .map(|s| tokenize(s.as_ref(), self.stemming))
            .collect();
        let cs: Vec<Vec<String>> = candidate
            .iter()
            .map(|s| tokenize(s.as_ref(), self.stemming))
            .collect();
        let r: Vec<String> = rs.iter().flatten().cloned().collect();
        let c: Vec<String> = cs.iter().flatten().cloned().collect();
        RougeScores {
            rouge1: rouge_n(&r, &c, 1),
            rouge2: rouge_n(&r, &c, 2),
            rouge_l: rouge_l(&r, &c),
            rouge_lsum: rouge_lsum(&rs, &cs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    /// `s` has this precision and recall, and their harmonic mean as F1.
    fn assert_prf(s: Score, precision: f64, recall: f64) {
        assert!(close(s.precision, precision), "{s:?}");
        assert!(close(s.recall, recall), "{s:?}");
        assert!(close(s.f1, Score::new(precision, recall).f1), "{s:?}");
    }

    fn toks(s: &str) -> Vec<String> {
        tokenize(s, Stemming::Off)
    }

    /// Lin (2004), section 3.1, the three "gunman" sentences.
    #[test]
    fn lin_2004_rouge_l_example() {
        let r = toks("police killed the gunman");
        let s2 = toks("police kill the gunman");
        let s3 = toks("the gunman kill police");
        // "S2 has a ROUGE-L score of 3/4 = 0.75 and S3 has a ROUGE-L score of 2/4 = 0.5".
        assert!(close(rouge_l(&r, &s2).f1, 0.75));
        assert!(close(rouge_l(&r, &s3).f1, 0.5));
        // "S2 and S3 would have the same ROUGE-2 score, since they both have one bigram,
        // i.e. 'the gunman'": 1 of 3 bigrams on each side.
        let b2 = rouge_n(&r, &s2, 2);
        let b3 = rouge_n(&r, &s3, 2);
        assert!(close(b2.f1, 1.0 / 3.0) && close(b3.f1, 1.0 / 3.0));
        assert!(close(b2.precision, 1.0 / 3.0) && close(b2.recall, 1.0 / 3.0));
        // ROUGE-1 cannot tell them apart either: 3 of 4 words.
        assert!(close(rouge_n(&r, &s2, 1).f1, 0.75));
        assert!(close(rouge_n(&r, &s3, 1).f1, 0.75));
        // With stemming, kill = killed and S2 matches completely.
        let stem = |s: &str| tokenize(s, Stemming::Porter);
        assert!(close(
            rouge_l(
                &stem("police killed the gunman"),
                &stem("police kill the gunman")
            )
            .f1,
            1.0
        ));
    }

    /// Lin (2004), section 3.2: r = w1 w2 w3 w4 w5, c1 = w1 w2 w6 w7 w8, c2 = w1 w3 w8 w9 w5.
    /// The union LCS of r with {c1, c2} is w1 w2 w3 w5, so LCS∪ = 4 and R_lcs = 4/5.
    #[test]
    fn lin_2004_union_lcs_example() {
        let r = vec![toks("w1 w2 w3 w4 w5")];
        let c = vec![toks("w1 w2 w6 w7 w8"), toks("w1 w3 w8 w9 w5")];
        let s = rouge_lsum(&r, &c);
        assert_prf(s, 4.0 / 10.0, 4.0 / 5.0);
        assert!(close(s.f1, 2.0 * 0.8 * 0.4 / 1.2));
    }

    /// Worked by hand: reference "the cat sat on the mat" (6 tokens, 5 bigrams), candidate
    /// "the cat lay on the mat today" (7 tokens, 6 bigrams).
    #[test]
    fn hand_computed_scores() {
        let r = toks("the cat sat on the mat");
        let c = toks("the cat lay on the mat today");
        // Unigrams: the×2, cat, on, mat match = 5; P = 5/7, R = 5/6.
        let s1 = rouge_n(&r, &c, 1);
        assert_prf(s1, 5.0 / 7.0, 5.0 / 6.0);
        // Bigrams: "the cat", "on the", "the mat" = 3; P = 3/6, R = 3/5.
        let s2 = rouge_n(&r, &c, 2);
        assert_prf(s2, 0.5, 0.6);
        assert!(close(s2.f1, 2.0 * 0.5 * 0.6 / 1.1));
        // LCS: the cat on the mat = 5.
        assert_eq!(lcs_len(&r, &c), 5);
        let l = rouge_l(&r, &c);
        assert_prf(l, 5.0 / 7.0, 5.0 / 6.0);
        // Clipping: a candidate repeating "the" gets credit for it at most twice.
        let rep = toks("the the the the");
        assert!(close(rouge_n(&r, &rep, 1).precision, 0.5));
    }

    #[test]
    fn lsum_counts_each_token_once_per_side() {
        // Two candidate sentences both match "a b"; the reference has one "a b".
        let r = vec![toks("a b c")];
        let c = vec![toks("a b"), toks("a b")];
        let s = rouge_lsum(&r, &c);
        assert_prf(s, 2.0 / 4.0, 2.0 / 3.0);
        // Sentence order does not matter for Lsum but does for L.
        let scorer = RougeScorer::new(Stemming::Off);
        let a = scorer.score_sentences(&["x y z.", "p q r."], &["p q r.", "x y z."]);
        assert!(close(a.rouge_lsum.f1, 1.0));
        assert!(a.rouge_l.f1 < 1.0);
    }

    /// F1 values printed by Google's `rouge-score` 0.1.2 for the same texts (`score(target,
    /// prediction)`), without stemming and with its tokenizer given NLTK 3.10's Porter stemmer
    /// in `ORIGINAL_ALGORITHM` mode (the algorithm of [`crate::porter`]). Order: ROUGE-1,
    /// ROUGE-2, ROUGE-L, ROUGE-Lsum.
    #[test]
    fn agrees_with_rouge_score() {
        let cases: [(&str, &str, [f64; 4], [f64; 4]); 3] = [
            (
                "Belarus freed Nobel laureate Ales Bialiatski and 122 other prisoners.\nIn exchange, the United States lifted sanctions on Belarusian potash.",
                "Lukashenko pardoned Ales Bialiatski, the Nobel Peace Prize winner, on Saturday.\nHours earlier, the White House announced the lifting of sanctions on Belarusian potash.\nThe talks lasted two days.",
                [0.326531, 0.170213, 0.285714, 0.285714],
                [0.367347, 0.170213, 0.326531, 0.326531],
            ),
            (
                "Strong winds pushed a huge bushfire towards Hill Top, forcing 500 residents to evacuate.",
                "Hundreds of people have been forced to vacate their homes as strong winds today pushed a huge bushfire towards the town of Hill Top.\nAn estimated 500 residents have left their homes.",
                [0.521739, 0.318182, 0.478261, 0.478261],
                [0.565217, 0.318182, 0.478261, 0.478261],
            ),
            (
                "The royal commission into the collapse of HIH resumes in Sydney today.\nJustice Neville Owen warned all parties not to break confidentiality agreements.",
                "Royal commissioner Justice Neville Owen warned parties not to break confidentiality.\nThe royal commission into the collapse of insurance giant HIH will resume in Sydney this morning.",
                [0.76, 0.583333, 0.4, 0.76],
                [0.8, 0.625, 0.44, 0.8],
            ),
        ];
        for (reference, candidate, plain, stemmed) in cases {
            for (stemming, expected) in [(Stemming::Off, plain), (Stemming::Porter, stemmed)] {
                let got = RougeScorer::new(stemming)
                    .score(reference, candidate)
                    .measures();
                for (g, e) in got.iter().zip(expected) {
                    assert!((g.f1 - e).abs() < 5e-6, "{stemming:?}: {} vs {e}", g.f1);
                }
            }
        }
    }

    #[test]
    fn empty_inputs_score_zero() {
        let scorer = RougeScorer::new(Stemming::Porter);
        for (r, c) in [
            ("", "something"),
            ("something", ""),
            ("", ""),
            ("...", "!!!"),
        ] {
            let s = scorer.score(r, c);
            for m in s.measures() {
                assert_eq!(m.f1, 0.0, "{r:?} vs {c:?}");
            }
        }
    }

    #[test]
    fn tokenizer_matches_rouge_score_rules() {
        assert_eq!(
            toks("Kolésnikova's 2020-protests!"),
            ["kol", "snikova", "s", "2020", "protests"]
        );
        assert_eq!(
            tokenize("lifting sanctions", Stemming::Porter),
            ["lift", "sanction"]
        );
        // Tokens of three characters or fewer are not stemmed.
        assert_eq!(tokenize("was its", Stemming::Porter), ["was", "its"]);
    }

    #[test]
    fn identical_texts_score_one() {
        let scorer = RougeScorer::new(Stemming::Off);
        let t = "Belarus freed Ales Bialiatski.\nThe US lifted potash sanctions.";
        let s = scorer.score(t, t);
        for m in s.measures() {
            assert!(close(m.f1, 1.0));
        }
    }

    #[test]
    fn best_and_mean() {
        let a = RougeScores {
            rouge1: Score::new(0.5, 0.5),
            ..Default::default()
        };
        let b = RougeScores {
            rouge1: Score::new(1.0, 1.0),
            rouge2: Score::new(0.2, 0.2),
            ..Default::default()
        };
        let best = RougeScores::best([&a, &b]);
        assert!(close(best.rouge1.f1, 1.0));
        let mean = RougeScores::mean([&a, &b]);
        assert!(close(mean.rouge1.f1, 0.75));
        assert!(close(mean.rouge2.f1, 0.1));
        assert_eq!(RougeScores::mean([]).rouge1.f1, 0.0);
    }
}
