//! Candidate pairs: two entity mentions in the same sentence whose types fit at least one label
//! of the schema. Demonyms ("Belarusian") stand for their country when one is in the document.

use lede_core::AnnotatedDocument;

use crate::context::DocContext;
use crate::schema::Schema;

/// Two mentions of different entities in one sentence, with the labels whose type constraints
/// they satisfy (head first).
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Index of the sentence in `doc.sentences`.
    pub sentence: usize,
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

pub(crate) fn from_context(schema: &Schema, ctx: &DocContext) -> Vec<Candidate> {
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
                let head_options = [
                    Some((hm.entity, hm.label.as_str())),
                    hm.country.as_ref().map(|(c, l)| (*c, l.as_str())),
                ];
                let tail_options = [
                    Some((tm.entity, tm.label.as_str())),
                    tm.country.as_ref().map(|(c, l)| (*c, l.as_str())),
                ];
                // Prefer the country reading of a demonym when a label accepts it.
                let mut best: Option<(usize, usize, Vec<usize>)> = None;
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
                                l.head_accepts(h.1)
                                    && l.tail_accepts(t.1)
                                    && l.tail_text_ok(&tm.text)
                            })
                            .map(|(i, _)| i)
                            .collect();
                        if !labels.is_empty() && best.is_none() {
                            best = Some((h.0, t.0, labels));
                        }
                    }
                }
                let Some((head, tail, labels)) = best else {
                    continue;
                };
                let span = |m: &crate::pattern::ViewMention| {
                    let a = view.toks.get(m.tok_start).map_or(0, |t| t.start);
                    let b = view
                        .toks
                        .get(m.tok_end.saturating_sub(1))
                        .map_or(0, |t| t.end);
                    (a, b)
                };
                out.push(Candidate {
                    sentence: si,
                    head,
                    tail,
                    head_span: span(hm),
                    tail_span: span(tm),
                    labels,
                });
                gaps.push(gap);
            }
        }
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
    let ctx = DocContext::build(doc, schema);
    from_context(schema, &ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(sentence: usize) -> Candidate {
        Candidate {
            sentence,
            head: 0,
            tail: 1,
            head_span: (0, 1),
            tail_span: (2, 3),
            labels: vec![0],
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
