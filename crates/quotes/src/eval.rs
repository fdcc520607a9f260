//! Scoring quotations against hand-annotated gold (`models/quotes/{train,dev,test}.jsonl` in
//! the lede repository; guideline `docs/annotation/QUOTES.md`).
//!
//! * **Span F1, exact**: a predicted quote matches a gold quote of the same kind with the same
//!   character span; **overlap**: same kind, spans overlap (one-to-one, greedy in text order).
//! * **Speaker accuracy**: among gold quotes with a named speaker that a predicted quote of the
//!   same kind overlaps, the share whose predicted speaker entity is the gold speaker
//!   ([`speaker_matches`]); the same for the baseline speaker ([`crate::nearest_person_before`]).

use std::path::Path;

use lede_core::metrics::Counts;
use lede_core::{Entity, Quote, QuoteKind};
use serde::{Deserialize, Serialize};

use crate::{QuoteError, Result};

/// One gold quotation (standoff, character offsets).
#[derive(Debug, Clone, Deserialize)]
pub struct GoldQuote {
    /// Direct or indirect.
    pub kind: QuoteKind,
    /// First character.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// The quoted text.
    pub text: String,
    /// The fullest name of the speaker in the article, or `None` when it never names them.
    pub speaker: Option<String>,
}

/// The gold quotations of one document.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldDoc {
    /// Document id (`lee_bg_NNNN`: the file `<id>.txt` of the corpus directory).
    pub doc: String,
    /// Its quotations (possibly none).
    pub quotes: Vec<GoldQuote>,
}

/// Reads a gold file (JSON Lines, one [`GoldDoc`] per line).
///
/// # Errors
/// [`QuoteError::Io`] when it cannot be read, [`QuoteError::Gold`] for a malformed line.
pub fn read_gold(path: &Path) -> Result<Vec<GoldDoc>> {
    let text = std::fs::read_to_string(path).map_err(|source| QuoteError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            let doc: GoldDoc = serde_json::from_str(l).map_err(|e| QuoteError::Gold {
                path: path.to_path_buf(),
                line: n + 1,
                reason: e.to_string(),
            })?;
            if let Some(q) = doc.quotes.iter().find(|q| q.start >= q.end) {
                return Err(QuoteError::Gold {
                    path: path.to_path_buf(),
                    line: n + 1,
                    reason: format!("empty or reversed span {}..{}", q.start, q.end),
                });
            }
            Ok(doc)
        })
        .collect()
}

/// Whether `entity` is the gold speaker `name`: its name or one of its mentions equals the
/// name, or ends with the name's last word (case-insensitive): "Downer" is "Alexander Downer".
pub fn speaker_matches(name: &str, entity: &Entity) -> bool {
    let gold = name.trim().to_lowercase();
    let Some(gold_last) = gold.split_whitespace().last() else {
        return false;
    };
    std::iter::once(entity.name.as_str())
        .chain(entity.mentions.iter().map(|m| m.text.as_str()))
        .map(str::to_lowercase)
        .any(|n| n == gold || n.split_whitespace().last() == Some(gold_last))
}

/// Span counts of one kind.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct SpanScores {
    /// Exact character span.
    pub exact: Counts,
    /// Overlapping spans.
    pub overlap: Counts,
}

/// Speaker counts of one kind.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct SpeakerScores {
    /// Gold quotes with a named speaker that a prediction overlaps.
    pub named: usize,
    /// Of those, the predicted speaker entity is right.
    pub correct: usize,
    /// Of those, the baseline's (nearest preceding person) is right.
    pub baseline_correct: usize,
    /// Gold quotes whose speaker is never named, that a prediction overlaps.
    pub unnamed: usize,
    /// Of those, the prediction has no speaker entity either.
    pub unnamed_correct: usize,
}

impl SpeakerScores {
    /// `correct / named` (0 when nothing was scored).
    pub fn accuracy(&self) -> f64 {
        ratio(self.correct, self.named)
    }

    /// `baseline_correct / named`.
    pub fn baseline_accuracy(&self) -> f64 {
        ratio(self.baseline_correct, self.named)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Scores over a set of documents.
#[derive(Debug, Clone, Default, Serialize)]
pub struct QuoteEval {
    /// Documents scored.
    pub documents: usize,
    /// Direct quotes: spans.
    pub direct: SpanScores,
    /// Indirect quotes: spans.
    pub indirect: SpanScores,
    /// Direct quotes: speakers.
    pub direct_speakers: SpeakerScores,
    /// Indirect quotes: speakers.
    pub indirect_speakers: SpeakerScores,
}

fn add(c: &mut Counts, other: Counts) {
    c.true_positives += other.true_positives;
    c.false_positives += other.false_positives;
    c.false_negatives += other.false_negatives;
}

/// One-to-one matches between gold and predicted spans (char offsets), greedy in gold order.
fn matches(gold: &[(usize, usize)], pred: &[(usize, usize)], exact: bool) -> Vec<(usize, usize)> {
    let mut used = vec![false; pred.len()];
    let mut out = Vec::new();
    for (g, &(gs, ge)) in gold.iter().enumerate() {
        let best = pred
            .iter()
            .enumerate()
            .filter(|&(p, _)| !used[p])
            .filter(|&(_, &(ps, pe))| {
                if exact {
                    (ps, pe) == (gs, ge)
                } else {
                    ps < ge && gs < pe
                }
            })
            .max_by_key(|&(_, &(ps, pe))| pe.min(ge).saturating_sub(ps.max(gs)))
            .map(|(p, _)| p);
        if let Some(p) = best {
            used[p] = true;
            out.push((g, p));
        }
    }
    out
}

impl QuoteEval {
    /// Adds one document: its gold, the predicted quotes and the entities they refer to.
    pub fn add_document(&mut self, gold: &GoldDoc, predicted: &[Quote], entities: &[Entity]) {
        self.documents += 1;
        for kind in [QuoteKind::Direct, QuoteKind::Indirect] {
            let g: Vec<&GoldQuote> = gold.quotes.iter().filter(|q| q.kind == kind).collect();
            let p: Vec<&Quote> = predicted.iter().filter(|q| q.kind == kind).collect();
            let gs: Vec<(usize, usize)> = g.iter().map(|q| (q.start, q.end)).collect();
            let ps: Vec<(usize, usize)> = p
                .iter()
                .map(|q| (q.span.char_start, q.span.char_end))
                .collect();
            let exact = matches(&gs, &ps, true);
            let overlap = matches(&gs, &ps, false);
            let (spans, speakers) = match kind {
                QuoteKind::Direct => (&mut self.direct, &mut self.direct_speakers),
                QuoteKind::Indirect => (&mut self.indirect, &mut self.indirect_speakers),
            };
            add(
                &mut spans.exact,
                Counts::from_totals(gs.len(), ps.len(), exact.len()),
            );
            add(
                &mut spans.overlap,
                Counts::from_totals(gs.len(), ps.len(), overlap.len()),
            );
            for &(gi, pi) in &overlap {
                let pred = p[pi];
                let entity = pred
                    .speaker_entity
                    .as_ref()
                    .and_then(|id| entities.iter().find(|e| &e.id == id));
                match &g[gi].speaker {
                    Some(name) => {
                        speakers.named += 1;
                        speakers.correct +=
                            usize::from(entity.is_some_and(|e| speaker_matches(name, e)));
                        let base = crate::nearest_person_before(entities, pred.span.start);
                        speakers.baseline_correct +=
                            usize::from(base.is_some_and(|e| speaker_matches(name, e)));
                    }
                    None => {
                        speakers.unnamed += 1;
                        speakers.unnamed_correct += usize::from(entity.is_none());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lede_core::{Mention, OffsetMap, Span};

    fn entity(name: &str, mentions: &[&str]) -> Entity {
        Entity {
            id: "E1".into(),
            name: name.into(),
            label: "PERSON".into(),
            mentions: mentions
                .iter()
                .map(|m| Mention {
                    text: m.to_string(),
                    label: "PERSON".into(),
                    score: 1.0,
                    span: Span::from_bytes("x", 0, 1).unwrap(),
                })
                .collect(),
        }
    }

    #[test]
    fn speaker_names_match_by_full_name_or_surname() {
        let e = entity("Alexander Downer", &["Alexander Downer", "Mr Downer"]);
        assert!(speaker_matches("Alexander Downer", &e));
        assert!(speaker_matches("Downer", &e));
        assert!(!speaker_matches("John Howard", &e));
        assert!(!speaker_matches("", &e));
    }

    #[test]
    fn exact_and_overlap_counts() {
        let text = "\"We won,\" he said. \"It was hard.\"";
        let map = OffsetMap::new(text);
        let q = |s: usize, e: usize| Quote {
            span: map.span(s, e).unwrap(),
            text: text[s..e].into(),
            kind: QuoteKind::Direct,
            cue: None,
            speaker: None,
            speaker_entity: None,
            speaker_name: None,
            score: 0.5,
        };
        let gold = GoldDoc {
            doc: "d".into(),
            quotes: vec![
                GoldQuote {
                    kind: QuoteKind::Direct,
                    start: 1,
                    end: 8,
                    text: "We won,".into(),
                    speaker: None,
                },
                GoldQuote {
                    kind: QuoteKind::Direct,
                    start: 20,
                    end: 32,
                    text: "It was hard.".into(),
                    speaker: None,
                },
            ],
        };
        let mut ev = QuoteEval::default();
        ev.add_document(&gold, &[q(1, 8), q(20, 26)], &[]);
        assert_eq!(ev.direct.exact, Counts::new(1, 1, 1));
        assert_eq!(ev.direct.overlap, Counts::new(2, 0, 0));
        assert_eq!(ev.direct_speakers.unnamed, 2);
        assert_eq!(ev.direct_speakers.unnamed_correct, 2);
    }
}
