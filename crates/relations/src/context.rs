//! Per-document preparation: which mentions each sentence holds, its words, demonyms read as
//! countries, and pronouns read as the person the previous sentence is about.

use lede_core::AnnotatedDocument;

use crate::pattern::{SentenceView, ViewMention, ViewTok};
use crate::schema::{types_accept, Schema};
use crate::text::fold;

/// A document prepared for cue matching and candidate generation.
#[derive(Debug, Clone)]
pub(crate) struct DocContext {
    /// One view per `doc.sentences` entry.
    pub views: Vec<SentenceView>,
}

/// The label matching uses: documents labelled only with CoNLL types read PER as PERSON and
/// LOC as GPE.
pub(crate) fn effective_labels(doc: &AnnotatedDocument) -> Vec<String> {
    let conll = !doc.entities.is_empty()
        && doc.entities.iter().all(|e| {
            matches!(
                e.label.to_ascii_uppercase().as_str(),
                "PER" | "ORG" | "LOC" | "MISC"
            )
        });
    doc.entities
        .iter()
        .map(|e| {
            let up = e.label.trim().to_ascii_uppercase();
            match (conll, up.as_str()) {
                (true, "PER") => "PERSON".to_string(),
                (true, "LOC") => "GPE".to_string(),
                _ => up,
            }
        })
        .collect()
}

fn is_demonym_label(label: &str) -> bool {
    label.eq_ignore_ascii_case("NORP") || label.eq_ignore_ascii_case("MISC")
}

fn is_person(label: &str) -> bool {
    types_accept(&["PERSON".to_string()], label)
}

fn is_place(label: &str) -> bool {
    types_accept(&["GPE".to_string(), "LOC".to_string()], label)
}

/// For each entity: the country entity a demonym entity stands for.
pub(crate) fn resolve_demonyms(
    doc: &AnnotatedDocument,
    labels: &[String],
    schema: &Schema,
) -> Vec<Option<usize>> {
    let places: Vec<(usize, Vec<String>)> = doc
        .entities
        .iter()
        .enumerate()
        .filter(|(i, _)| labels.get(*i).is_some_and(|l| is_place(l)))
        .map(|(i, e)| {
            let mut names: Vec<String> = e.mentions.iter().map(|m| fold(&m.text)).collect();
            names.push(fold(&e.name));
            names.sort();
            names.dedup();
            (i, names)
        })
        .collect();
    doc.entities
        .iter()
        .enumerate()
        .map(|(ei, e)| {
            if !labels.get(ei).is_some_and(|l| is_demonym_label(l)) {
                return None;
            }
            let forms: Vec<String> = std::iter::once(fold(&e.name))
                .chain(e.mentions.iter().map(|m| fold(&m.text)))
                .collect();
            // The table first.
            for f in &forms {
                if let Some(targets) = schema.demonym_targets(f) {
                    if let Some((i, _)) = places
                        .iter()
                        .find(|(_, names)| names.iter().any(|n| targets.contains(n)))
                    {
                        return Some(*i);
                    }
                }
            }
            // Then a shared stem: "russian" / "russia", "ukrainian" / "ukraine".
            for f in &forms {
                for (i, names) in &places {
                    for n in names {
                        if n.contains(' ') || n.len() < 4 || f.len() <= n.len() {
                            continue;
                        }
                        let common = f.chars().zip(n.chars()).take_while(|(a, b)| a == b).count();
                        let need = (n.chars().count() - 1).max(4);
                        if common >= need {
                            return Some(*i);
                        }
                    }
                }
            }
            None
        })
        .collect()
}

const PRONOUNS: &[&str] = &[
    "he", "she", "his", "her", "him", "hers", "himself", "herself",
];

impl DocContext {
    pub(crate) fn build(doc: &AnnotatedDocument, schema: &Schema) -> DocContext {
        // The facade's tokens; a document used on its own is segmented the same way.
        let doc = lede_tokenize::Segmenter::default().segmented(doc);
        let doc = doc.as_ref();
        let text = doc.text();
        let entity_labels = effective_labels(doc);
        let country = resolve_demonyms(doc, &entity_labels, schema);
        // (start, end, entity, mention text, label)
        let mut all: Vec<(usize, usize, usize, &str, &str)> = Vec::new();
        for (ei, e) in doc.entities.iter().enumerate() {
            for m in &e.mentions {
                if m.span.slice(text).is_some() && !m.span.is_empty() {
                    let label = entity_labels.get(ei).map_or("", String::as_str);
                    all.push((m.span.start, m.span.end, ei, m.text.as_str(), label));
                }
            }
        }
        all.sort_by_key(|a| (a.0, std::cmp::Reverse(a.1)));
        let mut views = Vec::with_capacity(doc.sentences.len());
        let mut prev_first_person: Option<usize> = None;
        for s in &doc.sentences {
            let (ss, se) = (s.span.start, s.span.end);
            let lo = all.partition_point(|m| m.0 < ss);
            let mut inside: Vec<(usize, usize, usize, &str, &str)> = Vec::new();
            for m in all.iter().skip(lo).take_while(|m| m.0 < se) {
                if m.1 > se {
                    continue;
                }
                if inside.last().is_some_and(|l| l.1 > m.0) {
                    continue; // overlapping mention: keep the first (longest)
                }
                inside.push(*m);
            }
            let mut toks: Vec<ViewTok> = lede_core::tokens_in(&doc.tokens, s)
                .iter()
                .map(|t| ViewTok {
                    start: t.span.start,
                    end: t.span.end,
                    norm: fold(&t.text),
                    mention: None,
                    pronoun: None,
                })
                .collect();
            let mut mentions = Vec::with_capacity(inside.len());
            for &(ms, me, ei, mtext, label) in &inside {
                let tok_start = toks.partition_point(|t| t.start < ms);
                let tok_end = toks.partition_point(|t| t.end <= me);
                if tok_end <= tok_start {
                    continue;
                }
                let idx = mentions.len();
                for t in toks.iter_mut().take(tok_end).skip(tok_start) {
                    t.mention = Some(idx);
                }
                mentions.push(ViewMention {
                    entity: ei,
                    label: label.to_string(),
                    text: mtext.to_string(),
                    tok_start,
                    tok_end,
                    country: country
                        .get(ei)
                        .copied()
                        .flatten()
                        .and_then(|c| entity_labels.get(c).map(|l| (c, l.clone()))),
                });
            }
            // Pronouns: when no person is named before them in this sentence, they refer to
            // the first person named in the previous sentence.
            let first_person = mentions.iter().find(|m| is_person(&m.label));
            let first_person_tok = first_person.map_or(usize::MAX, |m| m.tok_start);
            if let Some(p) = prev_first_person {
                for t in toks.iter_mut().take(first_person_tok) {
                    if t.mention.is_none() && PRONOUNS.contains(&t.norm.as_str()) {
                        t.pronoun = Some(p);
                    }
                }
            }
            prev_first_person = first_person.map(|m| m.entity);
            views.push(SentenceView { toks, mentions });
        }
        DocContext { views }
    }
}
