//! Candidate pairs: two entity mentions in the same sentence whose types fit at least one label
//! of the schema, and optionally ([`CandidateOptions::cross_sentence`]) two mentions in adjacent
//! sentences ("A British man was charged on Monday. Roy Whiting, 42, ..."). Demonyms
//! ("Belarusian") stand for their country when one is in the document.

use lede_core::AnnotatedDocument;

use crate::context::DocContext;
use crate::pattern::SentenceView;
use crate::schema::Schema;

/// Two mentions of different entities in one sentence (or two adjacent ones), with the labels
/// whose type constraints they satisfy (head first).
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Index of the (first) sentence in `doc.sentences`.
    pub sentence: usize,
    /// Index of the last sentence: `sentence` for a pair within one sentence, `sentence + 1`
    /// for a pair across two adjacent sentences.
    pub last_sentence: usize,
    /// Entity index (in `doc.entities`) of the head; a demonym's country when it has one.
    pub head: usize,
    /// Entity index of the tail.
    pub tail: usize,
    /// Byte span of the head mention in the document text.
    pub head_span: (usize, usize),
    /// Byte span of the tail mention.
    pub tail_span: (usize, usize),
    /// Indices (into `schema.labels()`) of the labels whose types fit.
    pub labels: Vec<usize>,
}

/// Maximum distance in words between the two mentions of a candidate.
pub const MAX_WORD_DISTANCE: usize = 40;

/// Most candidate pairs of one document. A news article has a few hundred at most; a text that
/// lists thousands of names in one sentence would have hundreds of thousands (and their
/// features would take gigabytes), so beyond this the nearest pairs are kept (a warning is
/// logged) and memory stays bounded.
pub const MAX_CANDIDATES: usize = 20_000;

/// Which pairs [`candidates_with`] proposes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CandidateOptions {
    /// Also pairs of mentions in adjacent sentences, at most [`MAX_WORD_DISTANCE`] words apart,
    /// of two entities that have no pair within either of the two sentences (default `false`).
    pub cross_sentence: bool,
}

/// The entities and labels a head mention and a tail mention can stand for, preferring the
/// country reading of a demonym when a label accepts it.
fn fit(
    schema: &Schema,
    hm: &crate::pattern::ViewMention,
    tm: &crate::pattern::ViewMention,
) -> Option<(usize, usize, Vec<usize>)> {
    let head_options = [
        Some((hm.entity, hm.label.as_str())),
        hm.country.as_ref().map(|(c, l)| (*c, l.as_str())),
    ];
    let tail_options = [
        Some((tm.entity, tm.label.as_str())),
        tm.country.as_ref().map(|(c, l)| (*c, l.as_str())),
    ];
    for h in head_options.iter().rev().flatten() {
        for t in tail_options.iter().rev().flatten() {
            if h.0 == t.0 {
                continue;
            }
            let labels: Vec<usize> = schema
                .labels()
                .iter()
                .enumerate()
                .filter(|(_, l)| {
                    l.head_accepts(h.1) && l.tail_accepts(t.1) && l.tail_text_ok(&tm.text)
                })
                .map(|(i, _)| i)
                .collect();
            if !labels.is_empty() {
                return Some((h.0, t.0, labels));
            }
        }
    }
    None
}

/// Byte span of a mention of `view`.
fn mention_span(view: &SentenceView, m: &crate::pattern::ViewMention) -> (usize, usize) {
    let a = view.toks.get(m.tok_start).map_or(0, |t| t.start);
    let b = view
        .toks
        .get(m.tok_end.saturating_sub(1))
        .map_or(0, |t| t.end);
    (a, b)
}

pub(crate) fn from_context(
    schema: &Schema,
    ctx: &DocContext,
    options: CandidateOptions,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    // Word gap of each candidate in `out`, to keep the nearest when there are too many.
    let mut gaps: Vec<usize> = Vec::new();
    for (si, view) in ctx.views.iter().enumerate() {
        for (hi, hm) in view.mentions.iter().enumerate() {
            for (ti, tm) in view.mentions.iter().enumerate() {
                if hi == ti {
                    continue;
                }
                let gap = if hm.tok_start < tm.tok_start {
                    tm.tok_start.saturating_sub(hm.tok_end)
                } else {
                    hm.tok_start.saturating_sub(tm.tok_end)
                };
                if gap > MAX_WORD_DISTANCE {
                    continue;
                }
                let Some((head, tail, labels)) = fit(schema, hm, tm) else {
                    continue;
                };
                out.push(Candidate {
                    sentence: si,
                    last_sentence: si,
                    head,
                    tail,
                    head_span: mention_span(view, hm),
                    tail_span: mention_span(view, tm),
                    labels,
                });
                gaps.push(gap);
            }
        }
    }
    if options.cross_sentence {
        cross_sentence(schema, ctx, &mut out, &mut gaps);
    }
    if out.len() > MAX_CANDIDATES {
        tracing::warn!(
            candidates = out.len(),
            kept = MAX_CANDIDATES,
            "too many candidate pairs in one document: keeping the nearest"
        );
        out = keep_nearest(out, &gaps, MAX_CANDIDATES);
    }
    out
}

/// Adds the pairs of mentions in adjacent sentences whose entities have no same-sentence
/// candidate in either sentence (a pair that has one is stated, if at all, within it).
fn cross_sentence(
    schema: &Schema,
    ctx: &DocContext,
    out: &mut Vec<Candidate>,
    gaps: &mut Vec<usize>,
) {
    use std::collections::HashSet;
    // Unordered entity pairs per sentence, from the same-sentence candidates.
    let mut together: HashSet<(usize, usize, usize)> = HashSet::new();
    for c in out.iter() {
        together.insert((c.sentence, c.head.min(c.tail), c.head.max(c.tail)));
    }
    let shares = |si: usize, a: usize, b: usize| {
        let key = (a.min(b), a.max(b));
        together.contains(&(si, key.0, key.1)) || together.contains(&(si + 1, key.0, key.1))
    };
    for (si, pair) in ctx.views.windows(2).enumerate() {
        let [first, second] = pair else { continue };
        for am in &first.mentions {
            for bm in &second.mentions {
                let gap = first
                    .toks
                    .len()
                    .saturating_sub(am.tok_end)
                    .saturating_add(bm.tok_start);
                if gap > MAX_WORD_DISTANCE || am.entity == bm.entity {
                    continue;
                }
                // Either mention may be the head.
                for (hm, hv, tm, tv) in [(am, first, bm, second), (bm, second, am, first)] {
                    let Some((head, tail, labels)) = fit(schema, hm, tm) else {
                        continue;
                    };
                    if shares(si, head, tail) {
                        continue;
                    }
                    out.push(Candidate {
                        sentence: si,
                        last_sentence: si + 1,
                        head,
                        tail,
                        head_span: mention_span(hv, hm),
                        tail_span: mention_span(tv, tm),
                        labels,
                    });
                    gaps.push(gap);
                }
            }
        }
    }
}

/// The `keep` candidates with the smallest gaps (ties: earlier first), in their original order.
fn keep_nearest(cands: Vec<Candidate>, gaps: &[usize], keep: usize) -> Vec<Candidate> {
    let mut order: Vec<usize> = (0..cands.len()).collect();
    order.sort_by_key(|&i| (gaps.get(i).copied().unwrap_or(usize::MAX), i));
    let mut kept = vec![false; cands.len()];
    for &i in order.iter().take(keep) {
        if let Some(k) = kept.get_mut(i) {
            *k = true;
        }
    }
    cands
        .into_iter()
        .zip(kept)
        .filter_map(|(c, k)| k.then_some(c))
        .collect()
}

/// Candidate pairs of a document under a schema.
///
/// ```
/// use lede_core::{AnnotatedDocument, Document, Entity, Mention, OffsetMap, Sentence};
/// use lede_relations::{candidates, Schema};
///
/// let text = "Vilnius is the capital of Lithuania.";
/// let map = OffsetMap::new(text);
/// let ent = |id: &str, label: &str, a: usize, b: usize| Entity {
///     id: id.into(),
///     name: text[a..b].into(),
///     label: label.into(),
///     mentions: vec![Mention { text: text[a..b].into(), label: label.into(), score: 1.0, span: map.span(a, b).unwrap() }],
/// };
/// let mut doc = AnnotatedDocument::new(Document::new("d", text));
/// doc.sentences = vec![Sentence { span: map.span(0, text.len()).unwrap(), text: text.into() }];
/// doc.entities = vec![ent("E1", "GPE", 0, 7), ent("E2", "GPE", 26, 35)];
/// let schema = Schema::news().unwrap();
/// let pairs = candidates(&doc, &schema);
/// assert_eq!(pairs.len(), 2); // both directions
/// let capital = schema.label_index("capital_of").unwrap();
/// assert!(pairs.iter().all(|c| c.labels.contains(&capital)));
/// ```
pub fn candidates(doc: &AnnotatedDocument, schema: &Schema) -> Vec<Candidate> {
    candidates_with(doc, schema, CandidateOptions::default())
}

/// Candidate pairs of a document under a schema, with options (pairs across adjacent
/// sentences).
pub fn candidates_with(
    doc: &AnnotatedDocument,
    schema: &Schema,
    options: CandidateOptions,
) -> Vec<Candidate> {
    let ctx = DocContext::build(doc, schema);
    from_context(schema, &ctx, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(sentence: usize) -> Candidate {
        Candidate {
            sentence,
            last_sentence: sentence,
            head: 0,
            tail: 1,
            head_span: (0, 1),
            tail_span: (2, 3),
            labels: vec![0],
        }
    }

    /// Entities by (label, text): each text's every occurrence is a mention.
    fn doc(text: &str, sentences: &[&str], ents: &[(&str, &str)]) -> AnnotatedDocument {
        use lede_core::{Document, Entity, Mention, OffsetMap, Sentence};
        let map = OffsetMap::new(text);
        let mut d = AnnotatedDocument::new(Document::new("d", text));
        d.sentences = sentences
            .iter()
            .map(|s| {
                let a = text.find(s).unwrap();
                Sentence {
                    span: map.span(a, a + s.len()).unwrap(),
                    text: (*s).into(),
                }
            })
            .collect();
        d.entities = ents
            .iter()
            .enumerate()
            .map(|(i, (label, name))| Entity {
                id: format!("E{i}"),
                name: (*name).into(),
                label: (*label).into(),
                mentions: text
                    .match_indices(name)
                    .map(|(a, m)| Mention {
                        text: m.into(),
                        label: (*label).into(),
                        score: 1.0,
                        span: map.span(a, a + m.len()).unwrap(),
                    })
                    .collect(),
            })
            .collect();
        d
    }

    #[test]
    fn pairs_across_adjacent_sentences_only_when_asked_and_not_for_pairs_that_share_one() {
        let text = "Acme fired a manager on Monday. John Smith said he would sue. \
                    Acme and Lisbon were named. Later Lisbon denied it.";
        let d = doc(
            text,
            &[
                "Acme fired a manager on Monday.",
                "John Smith said he would sue.",
                "Acme and Lisbon were named.",
                "Later Lisbon denied it.",
            ],
            &[("ORG", "Acme"), ("PERSON", "John Smith"), ("GPE", "Lisbon")],
        );
        let schema = Schema::news().unwrap();
        let plain = candidates(&d, &schema);
        assert!(plain.iter().all(|c| c.last_sentence == c.sentence));
        let cross: Vec<Candidate> = candidates_with(
            &d,
            &schema,
            CandidateOptions {
                cross_sentence: true,
            },
        )
        .into_iter()
        .filter(|c| c.last_sentence != c.sentence)
        .collect();
        // John Smith (sentence 1) with Acme in sentences 0 and 2: both ways where a label fits.
        assert!(!cross.is_empty());
        assert!(cross.iter().all(|c| c.last_sentence == c.sentence + 1));
        assert!(
            cross.iter().all(|c| [c.head, c.tail].contains(&1)),
            "{cross:?}"
        );
        let works_for = schema.label_index("works_for").unwrap();
        assert!(cross.iter().any(|c| c.sentence == 0
            && c.head == 1
            && c.tail == 0
            && c.labels.contains(&works_for)));
        // Acme and Lisbon share sentence 2: no pair of theirs across sentences 2 and 3.
        assert!(!cross
            .iter()
            .any(|c| [c.head, c.tail].contains(&0) && [c.head, c.tail].contains(&2)));
        // Mention spans point at the mentions' text.
        for c in &cross {
            assert!(d.text()[c.head_span.0..c.head_span.1].len() > 2);
            assert!(d.entities[c.tail].name == d.text()[c.tail_span.0..c.tail_span.1]);
        }
    }

    #[test]
    fn keep_nearest_keeps_the_smallest_gaps_in_order() {
        let cands: Vec<Candidate> = (0..6).map(cand).collect();
        let gaps = [9, 1, 5, 1, 0, 7];
        let kept = keep_nearest(cands, &gaps, 3);
        let sentences: Vec<usize> = kept.iter().map(|c| c.sentence).collect();
        assert_eq!(sentences, vec![1, 3, 4]);
    }
}
