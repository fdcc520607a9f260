//! Evaluation against gold relations (`lede eval relations --gold FILE.jsonl`).
//!
//! Gold lines are JSON objects `{"doc": id, "head": name, "relation": label, "tail": name}`.
//! A gold name matches a predicted entity when it equals (case- and accent-insensitively, and
//! ignoring a leading "the") the entity's canonical name or the text of any of its mentions;
//! a value tail (`"63"`, `"11 years"`, or as written, `"eleven-year"`: [`crate::value_key`])
//! matches the `tail_name` of a relation whose tail is a value. Symmetric labels match in
//! either direction; the unlabelled scores ignore the label and the direction.
//! Matching is one-to-one: each prediction can match one gold relation.

use std::collections::BTreeMap;
use std::path::Path;

pub use lede_core::metrics::Counts;
use lede_core::{Analysis, Entity, Relation};
use serde::{Deserialize, Serialize};

use crate::extractor::VALUE_TAIL_ID;
use crate::pattern::value_key;
use crate::schema::Schema;
use crate::text::fold;
use crate::{RelationError, Result};

/// One gold relation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoldRelation {
    /// Document id (`Analysis::document.id`).
    pub doc: String,
    /// Head entity name (any of its surface forms).
    pub head: String,
    /// The label.
    pub relation: String,
    /// Tail entity name, or the literal value for value labels.
    pub tail: String,
}

/// Parses gold JSON Lines (blank lines and lines starting with `#` or `//` are skipped).
///
/// # Errors
/// [`RelationError::Json`] naming the bad line.
pub fn parse_gold(text: &str, what: &str) -> Result<Vec<GoldRelation>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("//") {
            continue;
        }
        let g: GoldRelation = serde_json::from_str(line).map_err(|source| RelationError::Json {
            what: format!("{what}:{}", i + 1),
            source,
        })?;
        out.push(g);
    }
    Ok(out)
}

/// Reads a gold JSON Lines file.
///
/// # Errors
/// [`RelationError::Io`] or [`RelationError::Json`].
pub fn read_gold(path: impl AsRef<Path>) -> Result<Vec<GoldRelation>> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|source| RelationError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_gold(&text, &path.display().to_string())
}

/// The scores of [`evaluate`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RelationScores {
    /// Label, head and tail must match.
    pub labelled: Counts,
    /// Only the (unordered) pair must match.
    pub unlabelled: Counts,
    /// Labelled counts per label (gold or predicted).
    pub per_label: BTreeMap<String, Counts>,
    /// Documents scored (those with gold relations).
    pub documents: usize,
    /// Gold documents with no analysis (all their gold relations count as missed).
    pub missing_documents: Vec<String>,
    /// Gold relations no prediction matched (labelled).
    pub missed: Vec<GoldRelation>,
    /// Predictions that matched no gold relation (labelled), as gold-style lines with the
    /// predicted canonical names.
    pub spurious: Vec<GoldRelation>,
}

/// The form names are compared in: folded, without a leading "the".
fn name_key(s: &str) -> String {
    let f = fold(s);
    match f.strip_prefix("the ") {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => f,
    }
}

fn entity_names(e: &Entity) -> Vec<String> {
    let mut v: Vec<String> = std::iter::once(name_key(&e.name))
        .chain(e.mentions.iter().map(|m| name_key(&m.text)))
        .collect();
    v.sort();
    v.dedup();
    v
}

struct Pred<'a> {
    rel: &'a Relation,
    head: Vec<String>,
    tail: Vec<String>,
}

fn pred_view<'a>(a: &'a Analysis, rel: &'a Relation) -> Pred<'a> {
    let names = |id: &str, fallback: &str| -> Vec<String> {
        match a.entities.iter().find(|e| e.id == id) {
            Some(e) if !id.is_empty() => entity_names(e),
            _ => vec![name_key(fallback)],
        }
    };
    let tail = if rel.tail == VALUE_TAIL_ID {
        vec![name_key(&rel.tail_name)]
    } else {
        names(&rel.tail, &rel.tail_name)
    };
    Pred {
        rel,
        head: names(&rel.head, &rel.head_name),
        tail,
    }
}

fn one_to_one(
    gold: &[&GoldRelation],
    preds: &[Pred<'_>],
    ok: &dyn Fn(&GoldRelation, &Pred<'_>) -> bool,
) -> (Counts, Vec<bool>, Vec<bool>) {
    let mut used = vec![false; preds.len()];
    let mut found = vec![false; gold.len()];
    for (gi, g) in gold.iter().enumerate() {
        if let Some(pi) = (0..preds.len()).find(|&pi| !used[pi] && ok(g, &preds[pi])) {
            used[pi] = true;
            found[gi] = true;
        }
    }
    let tp = found.iter().filter(|f| **f).count();
    (
        Counts {
            true_positives: tp,
            false_positives: preds.len() - tp,
            false_negatives: gold.len() - tp,
        },
        found,
        used,
    )
}

/// Scores predicted analyses against gold relations; `schema` says which labels are symmetric.
/// Only documents that have gold relations are scored.
///
/// ```
/// use lede_relations::{evaluate, GoldRelation, Schema};
/// let gold = vec![GoldRelation { doc: "d".into(), head: "Vilnius".into(),
///     relation: "capital_of".into(), tail: "Lithuania".into() }];
/// let scores = evaluate(&gold, &[], &Schema::news().unwrap());
/// assert_eq!(scores.labelled.false_negatives, 1);
/// assert_eq!(scores.missing_documents, vec!["d".to_string()]);
/// ```
pub fn evaluate(gold: &[GoldRelation], analyses: &[Analysis], schema: &Schema) -> RelationScores {
    let mut by_doc: BTreeMap<&str, Vec<&GoldRelation>> = BTreeMap::new();
    for g in gold {
        by_doc.entry(g.doc.as_str()).or_default().push(g);
    }
    let mut scores = RelationScores::default();
    for (doc, golds) in by_doc {
        let Some(a) = analyses.iter().find(|a| a.document.id == doc) else {
            scores.missing_documents.push(doc.to_string());
            let c = Counts {
                false_negatives: golds.len(),
                ..Counts::default()
            };
            scores.labelled += c;
            scores.unlabelled += c;
            for g in golds {
                scores
                    .per_label
                    .entry(g.relation.clone())
                    .or_default()
                    .false_negatives += 1;
                scores.missed.push((*g).clone());
            }
            continue;
        };
        scores.documents += 1;
        let preds: Vec<Pred<'_>> = a.relations.iter().map(|r| pred_view(a, r)).collect();
        // A gold nationality word ("Iraqi") also matches its country's entity, which is how
        // the extractor reads a demonym when the article names the country; a value written
        // in words ("eight", "four-year") matches the extractor's normal form ("8", "4 years").
        let has = |names: &[String], name: &str| {
            names.contains(&name_key(name))
                || value_key(name).is_some_and(|k| names.contains(&k))
                || schema
                    .demonym_targets(name)
                    .is_some_and(|cs| cs.iter().any(|c| names.contains(&name_key(c))))
        };
        let directed =
            |g: &GoldRelation, p: &Pred<'_>| has(&p.head, &g.head) && has(&p.tail, &g.tail);
        let reversed =
            |g: &GoldRelation, p: &Pred<'_>| has(&p.head, &g.tail) && has(&p.tail, &g.head);
        let labelled = |g: &GoldRelation, p: &Pred<'_>| {
            p.rel.label == g.relation
                && (directed(g, p) || (schema.is_symmetric(&g.relation) && reversed(g, p)))
        };
        let (c, found, used) = one_to_one(&golds, &preds, &labelled);
        scores.labelled += c;
        for (g, f) in golds.iter().zip(&found) {
            let e = scores.per_label.entry(g.relation.clone()).or_default();
            if *f {
                e.true_positives += 1;
            } else {
                e.false_negatives += 1;
                scores.missed.push((*g).clone());
            }
        }
        for (p, u) in preds.iter().zip(&used) {
            if !*u {
                scores
                    .per_label
                    .entry(p.rel.label.clone())
                    .or_default()
                    .false_positives += 1;
                scores.spurious.push(GoldRelation {
                    doc: doc.to_string(),
                    head: p.rel.head_name.clone(),
                    relation: p.rel.label.clone(),
                    tail: p.rel.tail_name.clone(),
                });
            }
        }
        let unlabelled = |g: &GoldRelation, p: &Pred<'_>| directed(g, p) || reversed(g, p);
        let (c, _, _) = one_to_one(&golds, &preds, &unlabelled);
        scores.unlabelled += c;
    }
    scores
}

impl RelationScores {
    /// A plain-text table: overall and per-label precision, recall, F1.
    pub fn report(&self) -> String {
        let mut s = String::new();
        let line = |name: &str, c: &Counts| {
            format!(
                "{name:<22} P {:.3}  R {:.3}  F1 {:.3}  (tp {}, fp {}, fn {})\n",
                c.precision(),
                c.recall(),
                c.f1(),
                c.true_positives,
                c.false_positives,
                c.false_negatives
            )
        };
        s.push_str(&line("labelled", &self.labelled));
        s.push_str(&line("unlabelled", &self.unlabelled));
        for (label, c) in &self.per_label {
            s.push_str(&line(&format!("  {label}"), c));
        }
        for g in &self.missed {
            s.push_str(&format!(
                "missed    {} | {} | {}\n",
                g.head, g.relation, g.tail
            ));
        }
        for g in &self.spurious {
            s.push_str(&format!(
                "spurious  {} | {} | {}\n",
                g.head, g.relation, g.tail
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lede_core::{Document, Evidence, Mention, Span};

    fn ent(id: &str, name: &str, forms: &[&str]) -> Entity {
        let span = Span {
            start: 0,
            end: 0,
            char_start: 0,
            char_end: 0,
        };
        Entity {
            id: id.into(),
            name: name.into(),
            label: "PERSON".into(),
            mentions: forms
                .iter()
                .map(|f| Mention {
                    text: f.to_string(),
                    label: "PERSON".into(),
                    score: 1.0,
                    span,
                })
                .collect(),
        }
    }

    fn rel(h: &str, label: &str, t: &str, tname: &str) -> Relation {
        let span = Span {
            start: 0,
            end: 0,
            char_start: 0,
            char_end: 0,
        };
        Relation {
            head: h.into(),
            tail: t.into(),
            head_name: String::new(),
            tail_name: tname.into(),
            label: label.into(),
            score: 0.9,
            evidence: Evidence {
                span,
                text: String::new(),
            },
        }
    }

    fn gold(h: &str, r: &str, t: &str) -> GoldRelation {
        GoldRelation {
            doc: "d".into(),
            head: h.into(),
            relation: r.into(),
            tail: t.into(),
        }
    }

    #[test]
    fn hand_computed_scores() {
        let mut a = Analysis::empty(&Document::new("d", "x"));
        a.entities = vec![
            ent(
                "E1",
                "Alexandr Lukashenko",
                &["Alexandr Lukashenko", "Lukashenko"],
            ),
            ent("E2", "Ales Bialiatski", &["Ales Bialiatski", "Bialiatski"]),
            ent("E6", "the United States", &["the United States", "US"]),
            ent("E3", "Sergei Tikhanovsky", &["Sergei Tikhanovsky"]),
            ent("E4", "Svetlana Tikhanovskaya", &["Svetlana Tikhanovskaya"]),
            ent(
                "E5",
                "Maria Kalesnikava",
                &["Maria Kalesnikava", "Kolésnikova"],
            ),
        ];
        a.relations = vec![
            // TP: matched through a short mention form.
            rel("E1", "pardoned", "E2", "Ales Bialiatski"),
            // TP: symmetric label, reversed direction.
            rel("E4", "spouse_of", "E3", "Svetlana Tikhanovskaya"),
            // FP labelled (wrong label), TP unlabelled (the pair exists in gold).
            rel("E1", "released", "E5", "Maria Kalesnikava"),
            // FP: reversed direction of a non-symmetric label; unlabelled duplicate of the
            // pardoned pair, so also FP unlabelled (one-to-one).
            rel("E2", "pardoned", "E1", "Alexandr Lukashenko"),
            // TP: value tail.
            rel("E5", "sentenced_to", VALUE_TAIL_ID, "11 years"),
            // TP: "the United States" matches gold "United States".
            rel("E1", "leader_of", "E6", "the United States"),
        ];
        let golds = vec![
            gold("Lukashenko", "pardoned", "Bialiatski"),
            gold("Sergei Tikhanovsky", "spouse_of", "Svetlana Tikhanovskaya"),
            gold("Lukashenko", "pardoned", "Maria Kalesnikava"),
            gold("kolesnikova", "sentenced_to", "11 Years"),
            gold("Ales Bialiatski", "age", "63"),
            gold("Vilnius", "capital_of", "Lithuania"),
            gold("Alexandr Lukashenko", "leader_of", "United States"),
        ];
        let s = evaluate(&golds, &[a], &Schema::news().unwrap());
        // labelled: tp 4 (pardoned, spouse, sentenced, leader), fp 2, fn 3
        assert_eq!(
            s.labelled,
            Counts {
                true_positives: 4,
                false_positives: 2,
                false_negatives: 3
            }
        );
        assert!((s.labelled.precision() - 4.0 / 6.0).abs() < 1e-9);
        assert!((s.labelled.recall() - 4.0 / 7.0).abs() < 1e-9);
        // F1 = 2 * (2/3) * (4/7) / (2/3 + 4/7) = 8/13
        assert!((s.labelled.f1() - 8.0 / 13.0).abs() < 1e-9);
        // unlabelled: tp 5 (+ Lukashenko–Kalesnikava), fp 1, fn 2
        assert_eq!(
            s.unlabelled,
            Counts {
                true_positives: 5,
                false_positives: 1,
                false_negatives: 2
            }
        );
        assert_eq!(s.per_label["pardoned"].true_positives, 1);
        assert_eq!(s.per_label["pardoned"].false_positives, 1);
        assert_eq!(s.per_label["pardoned"].false_negatives, 1);
        assert_eq!(s.per_label["released"].false_positives, 1);
        assert_eq!(s.per_label["age"].false_negatives, 1);
        assert_eq!(s.documents, 1);
        assert!(s.report().contains("labelled"));
        assert_eq!(s.missed.len(), 3);
        assert_eq!(s.spurious.len(), 2);
        assert!(s.spurious.iter().any(|g| g.relation == "released"));
        assert!(s.missed.iter().any(|g| g.relation == "age"));
    }

    #[test]
    fn values_written_in_words_match_the_normal_form() {
        let mut a = Analysis::empty(&Document::new("d", "x"));
        a.entities = vec![ent("E1", "Sarah Payne", &["Sarah Payne"])];
        a.relations = vec![
            rel("E1", "age", VALUE_TAIL_ID, "8"),
            rel("E1", "sentenced_to", VALUE_TAIL_ID, "4 years"),
            rel("E1", "sentenced_to", VALUE_TAIL_ID, "5 months"),
        ];
        let golds = vec![
            gold("Sarah Payne", "age", "eight"),
            gold("Sarah Payne", "sentenced_to", "four-year"),
            gold("Sarah Payne", "sentenced_to", "five weeks"),
        ];
        let s = evaluate(&golds, &[a], &Schema::news().unwrap());
        assert_eq!(s.labelled.true_positives, 2);
        assert_eq!(s.labelled.false_positives, 1);
        assert_eq!(s.missed, vec![golds[2].clone()]);
    }

    #[test]
    fn missing_documents_and_empty_predictions() {
        let golds = vec![gold("A", "met_with", "B")];
        let s = evaluate(&golds, &[], &Schema::news().unwrap());
        assert_eq!(s.labelled.false_negatives, 1);
        assert_eq!(s.missed, golds);
        assert_eq!(s.labelled.precision(), 0.0);
        assert_eq!(s.labelled.f1(), 0.0);
    }

    #[test]
    fn gold_parsing() {
        let text = "# comment\n{\"doc\":\"d\",\"head\":\"A\",\"relation\":\"met_with\",\"tail\":\"B\"}\n\n";
        assert_eq!(parse_gold(text, "t").unwrap().len(), 1);
        let err = parse_gold("{\"doc\":1}", "f.jsonl").unwrap_err();
        assert!(err.to_string().contains("f.jsonl:1"), "{err}");
    }
}

/// An entity given by its surface forms, for building reference ("oracle") entities when
/// evaluating relations apart from NER (`models/relations/gold/seed-entities.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntitySpec {
    /// Canonical name.
    pub name: String,
    /// Type (`PERSON`, `GPE`, ...).
    pub label: String,
    /// Every surface form the text uses for it.
    pub forms: Vec<String>,
}

/// Builds entities (ids `E1`, `E2`, ... in order of first mention) by finding every
/// whole-word occurrence of every form; longer forms win where occurrences overlap.
///
/// # Errors
/// [`RelationError::Offsets`] never in practice (spans come from the text itself).
pub fn entities_from_forms(text: &str, specs: &[EntitySpec]) -> Result<Vec<Entity>> {
    let map = lede_core::OffsetMap::new(text);
    let mut occ: Vec<(usize, usize, usize)> = Vec::new(); // start, end, spec
    for (si, spec) in specs.iter().enumerate() {
        for form in &spec.forms {
            if form.is_empty() {
                continue;
            }
            let mut from = 0;
            while let Some(i) = text.get(from..).and_then(|t| t.find(form.as_str())) {
                let a = from + i;
                let b = a + form.len();
                let before = text[..a].chars().next_back();
                let after = text[b..].chars().next();
                if !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(char::is_alphanumeric)
                {
                    occ.push((a, b, si));
                }
                from = b;
            }
        }
    }
    occ.sort_by_key(|&(a, b, _)| (a, std::cmp::Reverse(b)));
    let mut kept: Vec<(usize, usize, usize)> = Vec::new();
    for o in occ {
        if kept.last().is_some_and(|k| k.1 > o.0) {
            continue;
        }
        kept.push(o);
    }
    let mut order: Vec<usize> = Vec::new();
    for &(_, _, si) in &kept {
        if !order.contains(&si) {
            order.push(si);
        }
    }
    let mut out = Vec::with_capacity(order.len());
    for (n, &si) in order.iter().enumerate() {
        let Some(spec) = specs.get(si) else { continue };
        let mut mentions = Vec::new();
        for &(a, b, _) in kept.iter().filter(|k| k.2 == si) {
            mentions.push(lede_core::Mention {
                text: text[a..b].to_string(),
                label: spec.label.clone(),
                score: 1.0,
                span: map.span(a, b)?,
            });
        }
        out.push(Entity {
            id: format!("E{}", n + 1),
            name: spec.name.clone(),
            label: spec.label.clone(),
            mentions,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod oracle_tests {
    use super::*;

    #[test]
    fn forms_become_entities_longest_first() {
        let text = "The US Embassy said the US and Trump agreed. Donald Trump left.";
        let specs = vec![
            EntitySpec {
                name: "United States".into(),
                label: "GPE".into(),
                forms: vec!["US".into()],
            },
            EntitySpec {
                name: "US Embassy".into(),
                label: "FAC".into(),
                forms: vec!["US Embassy".into()],
            },
            EntitySpec {
                name: "Donald Trump".into(),
                label: "PERSON".into(),
                forms: vec!["Donald Trump".into(), "Trump".into()],
            },
        ];
        let ents = entities_from_forms(text, &specs).unwrap();
        assert_eq!(ents.len(), 3);
        assert_eq!(ents[0].name, "US Embassy");
        assert_eq!(ents[0].id, "E1");
        assert_eq!(
            ents[1].mentions.len(),
            1,
            "US inside US Embassy is not a mention"
        );
        assert_eq!(ents[2].mentions.len(), 2);
        for e in &ents {
            for m in &e.mentions {
                assert_eq!(m.span.slice(text), Some(m.text.as_str()));
            }
        }
    }
}
