//! Scoring features of sentences: lead bias, centrality, entities, quotes, attribution.

use std::collections::{HashMap, HashSet};

use lede_core::{AnnotatedDocument, Sentence};
use ndarray::Array2;

use super::config::ScoringWeights;
use super::ranking::{EmbeddingSource, RankedSentence, Ranking, SentenceFeatures};
use super::Prepared;
use crate::graph::{
    centroid_similarity, cosine_matrix, excess_similarity, min_max, normalize_rows, pagerank,
};
use crate::lexical::{content_terms, is_stopword, tfidf_embeddings};
use crate::text::SentenceKind;

/// An attribution cue: "said", "told", "according to", ...
const ATTRIBUTION: &str = r"(?i)\b(?:said|says|say|told|tells|according to|announced|stated|added|reported|confirmed|warned|stressed|argued|declared)\b";

/// Share of each sentence's characters that lie inside quotation marks.
///
/// Curly quotes and guillemets open and close. A straight double quote opens when it follows
/// whitespace, an opening bracket or the start of the text, and closes otherwise; so a quote
/// that runs over several sentences or paragraphs ("...guide us. \"Every one of us...") stays
/// open, and a stray closing quote cannot flip the rest of the text into a quotation. A line
/// break closes any open quote.
pub(super) fn quote_shares(text: &str, sentences: &[Sentence]) -> Vec<f32> {
    // Per byte offset: whether the char there is inside quotes.
    let mut inside = vec![false; text.len()];
    let mut open = false;
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        let closing = matches!(c, '”' | '»')
            || (c == '"' && open && prev.is_some_and(|p| !p.is_whitespace()));
        match c {
            '“' | '«' => open = true,
            '"' if !closing => {
                open = prev.map_or(true, |p| {
                    p.is_whitespace() || matches!(p, '(' | '[' | '—' | '–')
                }) || open;
            }
            '\n' => open = false,
            _ => {}
        }
        if open || closing {
            for b in inside.iter_mut().skip(i).take(c.len_utf8()) {
                *b = true;
            }
        }
        if closing {
            open = false;
        }
        prev = Some(c);
    }
    sentences
        .iter()
        .map(|s| {
            let Some(slice) = inside.get(s.span.start..s.span.end) else {
                return 0.0;
            };
            let (mut total, mut quoted) = (0usize, 0usize);
            if let Some(t) = text.get(s.span.start..s.span.end) {
                for (i, c) in t.char_indices() {
                    if c.is_alphanumeric() {
                        total += 1;
                        if slice.get(i).copied().unwrap_or(false) {
                            quoted += 1;
                        }
                    }
                }
            }
            if total == 0 {
                0.0
            } else {
                quoted as f32 / total as f32
            }
        })
        .collect()
}

/// Entity mentions per sentence: `(distinct entity keys, mention count)`. Uses
/// `doc.entities` when present, else capitalised words (not sentence-initial, not function
/// words) as a stand-in.
pub(super) fn entity_mentions(
    doc: &AnnotatedDocument,
    sentences: &[Sentence],
) -> Vec<(Vec<String>, usize)> {
    if !doc.entities.is_empty() {
        return sentences
            .iter()
            .map(|s| {
                let mut keys = Vec::new();
                let mut count = 0;
                for e in &doc.entities {
                    let n = e
                        .mentions
                        .iter()
                        .filter(|m| s.span.overlaps(&m.span))
                        .count();
                    if n > 0 {
                        keys.push(e.id.clone());
                        count += n;
                    }
                }
                (keys, count)
            })
            .collect();
    }
    sentences
        .iter()
        .map(|s| {
            let mut keys = Vec::new();
            let mut count = 0;
            let words: Vec<&str> = s
                .text
                .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '-'))
                .filter(|w| !w.is_empty())
                .collect();
            for (i, w) in words.iter().enumerate() {
                let first_upper = w.chars().next().is_some_and(char::is_uppercase);
                if i == 0 || !first_upper || w.chars().count() < 2 {
                    continue;
                }
                let key = w.trim_end_matches(['\'', '’', 's']).to_lowercase();
                let key = if key.is_empty() {
                    w.to_lowercase()
                } else {
                    key
                };
                if is_stopword(&key) {
                    continue;
                }
                count += 1;
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
            (keys, count)
        })
        .collect()
}

/// Scales non-negative values by their maximum (all zeros when the maximum is 0).
pub(super) fn by_max(v: &[f32]) -> Vec<f32> {
    let m = v.iter().copied().fold(0.0f32, f32::max);
    if m > 0.0 {
        v.iter().map(|x| x / m).collect()
    } else {
        vec![0.0; v.len()]
    }
}

pub(super) fn rank_prepared(
    doc: &AnnotatedDocument,
    prepared: &Prepared,
    vectors: &Array2<f32>,
    source: EmbeddingSource,
    w: &ScoringWeights,
) -> Ranking {
    let story = &prepared.story;
    let eligible = &prepared.eligible;
    let contents: Vec<Sentence> = story.iter().map(|s| s.content.clone()).collect();

    // Vectors and similarities of the eligible sentences.
    let sub = if vectors.nrows() == eligible.len() {
        vectors.clone()
    } else {
        tfidf_embeddings(
            &eligible
                .iter()
                .filter_map(|&i| contents.get(i).map(|s| s.text.as_str()))
                .collect::<Vec<_>>(),
        )
    };
    let sub = normalize_rows(sub.view());
    let similarity = cosine_matrix(sub.view());
    let pr = pagerank(similarity.view(), w.pagerank_damping, None);
    let pr_max = pr.iter().copied().fold(0.0f32, f32::max);
    let centrality: Vec<f32> = pr
        .iter()
        .map(|v| if pr_max > 0.0 { v / pr_max } else { 0.0 })
        .collect();
    let centroid = min_max(centroid_similarity(sub.view()).view());

    // Heading words: headline lines of the text and the document title.
    let mut heading_terms: HashSet<String> = story
        .iter()
        .filter(|s| s.kind == SentenceKind::Headline)
        .flat_map(|s| content_terms(&s.content.text))
        .collect();
    if let Some(title) = &doc.document.title {
        heading_terms.extend(content_terms(title));
    }

    // Entities.
    let mentions = entity_mentions(doc, &contents);
    let mut salience: HashMap<&str, usize> = HashMap::new();
    for &i in eligible {
        if let Some((keys, _)) = mentions.get(i) {
            for k in keys {
                *salience.entry(k.as_str()).or_insert(0) += 1;
            }
        }
    }
    let coverage: Vec<f32> = eligible
        .iter()
        .map(|&i| {
            mentions.get(i).map_or(0.0, |(keys, _)| {
                keys.iter()
                    .map(|k| {
                        salience
                            .get(k.as_str())
                            .copied()
                            .unwrap_or(0)
                            .saturating_sub(1) as f32
                    })
                    .sum()
            })
        })
        .collect();
    let density: Vec<f32> = eligible
        .iter()
        .map(|&i| {
            let words = story.get(i).map_or(0, |s| s.words).max(1);
            mentions
                .get(i)
                .map_or(0.0, |(_, c)| *c as f32 / words as f32)
        })
        .collect();
    let coverage = by_max(&coverage);
    let density = by_max(&density);
    let quotes = quote_shares(doc.text(), &contents);

    let mut ranked: Vec<RankedSentence> = story
        .iter()
        .map(|s| RankedSentence {
            index: s.index,
            sentence: s.content.clone(),
            kind: s.kind,
            eligible: false,
            features: SentenceFeatures::default(),
            score: f32::NEG_INFINITY,
        })
        .collect();
    // Rank of each eligible sentence within its section: sections start at a subheading
    // (a headline line after the story has begun); none in the first section.
    let mut section_positions: Vec<Option<usize>> = Vec::with_capacity(eligible.len());
    let mut in_section: Option<usize> = None;
    let mut last = None;
    for &i in eligible {
        let begun = last.is_some();
        let heading_between = story
            .get(last.map_or(0, |l: usize| l + 1)..i)
            .unwrap_or_default()
            .iter()
            .any(|s| s.kind == SentenceKind::Headline);
        in_section = match in_section {
            _ if begun && heading_between => Some(0),
            Some(q) => Some(q + 1),
            None => None,
        };
        section_positions.push(in_section);
        last = Some(i);
    }
    let attribution = static_regex!(ATTRIBUTION);
    for (p, &i) in eligible.iter().enumerate() {
        let Some(s) = story.get(i) else { continue };
        let terms: HashSet<String> = content_terms(&s.content.text).into_iter().collect();
        let heading = if heading_terms.is_empty() {
            0.0
        } else {
            heading_terms.intersection(&terms).count() as f32 / heading_terms.len() as f32
        };
        let section = section_positions.get(p).copied().flatten();
        let features = SentenceFeatures {
            position: 1.0 / (1.0 + p as f32).powf(w.position_decay),
            section_lead: if section == Some(0) { 1.0 } else { 0.0 },
            centrality: centrality.get(p).copied().unwrap_or(0.0),
            centroid: centroid.get(p).copied().unwrap_or(0.0),
            heading,
            entities: coverage.get(p).copied().unwrap_or(0.0),
            entity_density: density.get(p).copied().unwrap_or(0.0),
            quote: quotes.get(i).copied().unwrap_or(0.0),
            attribution: if attribution.is_match(&s.content.text) {
                1.0
            } else {
                0.0
            },
            short: if s.words < 8 {
                (8 - s.words) as f32 / 8.0
            } else {
                0.0
            },
            length: s.words.min(40) as f32 / 40.0,
        };
        if let Some(r) = ranked.get_mut(i) {
            r.eligible = true;
            r.features = features;
            r.score = features.score(w);
        }
    }
    let inputs = learned_inputs(&ranked, eligible, &sub);
    Ranking {
        sentences: ranked,
        embeddings: source,
        eligible: eligible.clone(),
        redundancy: excess_similarity(similarity.view()),
        inputs,
        trained: false,
    }
}

/// Words that, at the start of a sentence, point back to something an earlier sentence named.
const BACK_POINTERS: [&str; 14] = [
    "he", "she", "it", "they", "his", "her", "its", "their", "this", "these", "those", "them",
    "we", "i",
];

/// Whether a sentence starts with a pronoun that refers back ("He said ...", "It was ..."); a
/// pronoun after an opening quotation mark is the speaker's and does not count.
pub(super) fn starts_with_pronoun(text: &str) -> bool {
    let first: String = text
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '\'' || *c == '’')
        .collect();
    let first = first.to_lowercase();
    let word = first.split(['\'', '’']).next().unwrap_or_default();
    BACK_POINTERS.contains(&word)
}

/// Whether a sentence starts with a quotation mark.
pub(super) fn starts_with_quote(text: &str) -> bool {
    text.trim_start().starts_with(['"', '“', '‘', '«', '\''])
}

/// The inputs of the trained scorer ([`crate::learned::INPUT_FEATURES`], then the normalised
/// sentence vector) for the eligible sentences, one row each in `eligible` order.
fn learned_inputs(
    ranked: &[RankedSentence],
    eligible: &[usize],
    vectors: &Array2<f32>,
) -> Array2<f32> {
    let n_feat = crate::learned::INPUT_FEATURES.len();
    let m = eligible.len();
    let dim = if vectors.nrows() == m {
        vectors.ncols()
    } else {
        0
    };
    let mut out = Array2::<f32>::zeros((m, n_feat + dim));
    let log_sentences = (1.0 + m as f32).ln() / 50f32.ln();
    for (p, &i) in eligible.iter().enumerate() {
        let Some(r) = ranked.get(i) else { continue };
        let f = r.features;
        let text = r.sentence.text.as_str();
        let words = crate::text::word_count(text);
        let similarity_to_first = if dim > 0 && p > 0 {
            vectors.row(p).dot(&vectors.row(0))
        } else {
            1.0
        };
        let extra = [
            p as f32 / (m.max(2) - 1) as f32,
            (p == 0) as u8 as f32,
            (p == 1) as u8 as f32,
            (p == 2) as u8 as f32,
            (1.0 + words as f32).ln() / 60f32.ln(),
            starts_with_pronoun(text) as u8 as f32,
            starts_with_quote(text) as u8 as f32,
            similarity_to_first,
            log_sentences,
        ];
        let mut out_row = out.row_mut(p);
        for (o, v) in out_row.iter_mut().zip(f.values().iter().chain(&extra)) {
            *o = if v.is_finite() { *v } else { 0.0 };
        }
        if dim > 0 {
            for (o, v) in out_row.iter_mut().skip(n_feat).zip(vectors.row(p).iter()) {
                *o = if v.is_finite() { *v } else { 0.0 };
            }
        }
    }
    out
}
