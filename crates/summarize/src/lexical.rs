//! The lexical fallback: sentence vectors without a model.
//!
//! When neither the document nor the summarizer brings sentence embeddings, each sentence
//! becomes a TF-IDF vector over the document's own vocabulary: tokens as in
//! [`crate::rouge::tokenize`] with Porter stemming, English function words dropped, term
//! frequency `1 + ln(tf)`, inverse sentence frequency `ln((1 + n) / (1 + df)) + 1`, and rows
//! L2-normalised, so that dot products are cosines exactly as with a neural encoder.
//!
//! ```
//! use lede_summarize::lexical::tfidf_embeddings;
//! let e = tfidf_embeddings(&["Sanctions were lifted.", "The sanctions on potash.", "Rain fell."]);
//! assert_eq!(e.nrows(), 3);
//! let sim01 = e.row(0).dot(&e.row(1));
//! let sim02 = e.row(0).dot(&e.row(2));
//! assert!(sim01 > sim02);
//! ```

use std::collections::HashMap;

use ndarray::Array2;

use crate::rouge::{tokenize, Stemming};

/// English function words ignored by the lexical fallback.
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "s",
    "said",
    "same",
    "say",
    "says",
    "she",
    "should",
    "so",
    "some",
    "such",
    "t",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

/// Whether a lowercase token is an English function word.
pub fn is_stopword(token: &str) -> bool {
    STOPWORDS.binary_search(&token).is_ok()
}

/// Content tokens of a text: lowercased, stopwords removed, Porter-stemmed.
pub fn content_terms(text: &str) -> Vec<String> {
    tokenize(text, Stemming::Off)
        .into_iter()
        .filter(|t| !is_stopword(t))
        .map(|t| crate::porter::stem(&t))
        .collect()
}

/// TF-IDF vectors of `texts` over their own vocabulary, one L2-normalised row each (a row of
/// zeros for a text with no content word).
pub fn tfidf_embeddings<S: AsRef<str>>(texts: &[S]) -> Array2<f32> {
    let docs: Vec<Vec<String>> = texts.iter().map(|t| content_terms(t.as_ref())).collect();
    let mut vocab: HashMap<&str, usize> = HashMap::new();
    let mut df: Vec<usize> = Vec::new();
    for d in &docs {
        let mut seen: Vec<usize> = Vec::new();
        for t in d {
            let next = vocab.len();
            let id = *vocab.entry(t.as_str()).or_insert(next);
            if id == df.len() {
                df.push(0);
            }
            if !seen.contains(&id) {
                seen.push(id);
                df[id] += 1;
            }
        }
    }
    let n = docs.len();
    let mut e = Array2::<f32>::zeros((n, vocab.len().max(1)));
    for (i, d) in docs.iter().enumerate() {
        let mut tf: HashMap<usize, usize> = HashMap::new();
        for t in d {
            if let Some(&id) = vocab.get(t.as_str()) {
                *tf.entry(id).or_insert(0) += 1;
            }
        }
        for (id, count) in tf {
            let idf = ((1.0 + n as f32) / (1.0 + df[id] as f32)).ln() + 1.0;
            e[[i, id]] = (1.0 + (count as f32).ln()) * idf;
        }
    }
    crate::graph::normalize_rows(e.view())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopword_list_is_sorted_for_binary_search() {
        let mut sorted = STOPWORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, STOPWORDS);
        assert!(is_stopword("the") && !is_stopword("potash"));
    }

    #[test]
    fn rows_are_unit_or_zero() {
        let e = tfidf_embeddings(&[
            "Potash sanctions lifted",
            "the and of",
            "Sanctions lifted again",
        ]);
        let norms: Vec<f32> = e.rows().into_iter().map(|r| r.dot(&r).sqrt()).collect();
        assert!((norms[0] - 1.0).abs() < 1e-5);
        assert_eq!(norms[1], 0.0);
        assert!(e.row(0).dot(&e.row(2)) > 0.3);
    }

    #[test]
    fn empty_input() {
        let e = tfidf_embeddings::<&str>(&[]);
        assert_eq!(e.nrows(), 0);
    }
}
