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

pub(crate) fn from_context(schema: &Schema, ctx: &DocContext) -> Vec<Candidate> {
    let mut out = Vec::new();
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
            }
        }
    }
    out
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
