//! The cue scorer: runs every label's cue patterns over every sentence.

use crate::context::DocContext;
use crate::pattern::{Bound, Matcher, RawMatch, SentenceView};
use crate::schema::Schema;

/// The tail of a hit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum HitTail {
    Entity(usize),
    /// A literal value with its byte span in the document.
    Value {
        value: String,
        start: usize,
        end: usize,
    },
}

/// One cue match, resolved to entities.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Hit {
    pub label: usize,
    pub head: usize,
    pub tail: HitTail,
    pub sentence: usize,
    pub score: f32,
    /// Index of the cue in the label's list.
    pub cue: usize,
    /// Whether a pronoun filled a slot.
    pub pronoun: bool,
}

/// Score factor for a match that needed a pronoun.
const PRONOUN_FACTOR: f32 = 0.85;

fn coordinated(view: &SentenceView, mention: usize) -> Vec<usize> {
    // "A, B and C": mentions of the same label chained by commas, the last link being
    // "and" / "or" (a lone comma is an apposition, not a list).
    let mut out = Vec::new();
    let Some(first) = view.mentions.get(mention) else {
        return out;
    };
    let mut pos = first.tok_end;
    let mut closed = false;
    loop {
        let mut j = pos;
        let mut conj = false;
        while let Some(t) = view.toks.get(j) {
            if t.mention.is_none() && matches!(t.norm.as_str(), "," | "and" | "or") {
                conj |= t.norm != ",";
                j += 1;
            } else {
                break;
            }
        }
        if j == pos || j > pos + 2 {
            break;
        }
        let Some(mi) = view.toks.get(j).and_then(|t| t.mention) else {
            break;
        };
        let Some(m) = view.mentions.get(mi) else {
            break;
        };
        if m.tok_start != j || !m.label.eq_ignore_ascii_case(&first.label) {
            break;
        }
        out.push(mi);
        pos = m.tok_end;
        if conj {
            closed = true;
            break;
        }
    }
    if closed {
        out
    } else {
        Vec::new()
    }
}

/// Mentions that belong to a list of three or more ("the US, the United Kingdom, Ukraine and
/// Japan"), by list number.
fn list_groups(view: &SentenceView) -> Vec<Option<usize>> {
    let mut group = vec![None; view.mentions.len()];
    let mut next = 0;
    let mut i = 0;
    while i < view.mentions.len() {
        // Walk the chain from mention i.
        let mut chain = vec![i];
        let mut cur = i;
        while let Some(m) = view.mentions.get(cur) {
            let mut j = m.tok_end;
            let mut links = 0;
            while let Some(t) = view.toks.get(j) {
                if t.mention.is_none() && matches!(t.norm.as_str(), "," | "and" | "or" | "the") {
                    j += 1;
                    links += 1;
                } else {
                    break;
                }
            }
            if links == 0 || links > 3 {
                break;
            }
            match view.toks.get(j).and_then(|t| t.mention) {
                Some(n) if view.mentions.get(n).is_some_and(|x| x.tok_start == j) => {
                    chain.push(n);
                    cur = n;
                }
                _ => break,
            }
        }
        if chain.len() >= 3 {
            for &c in &chain {
                if let Some(g) = group.get_mut(c) {
                    *g = Some(next);
                }
            }
            next += 1;
        }
        i = chain.last().map_or(i, |&l| l.max(i)) + 1;
    }
    group
}

fn bound_pos(b: &Bound, view: &SentenceView) -> usize {
    match b {
        Bound::Entity {
            mention: Some(m), ..
        } => view.mentions.get(*m).map_or(0, |m| m.tok_start),
        Bound::Entity { mention: None, .. } => 0,
        Bound::Value { tok_start, .. } => *tok_start,
    }
}

/// Expands the later slot of a match over coordinated mentions.
fn expand(m: RawMatch, view: &SentenceView) -> Vec<RawMatch> {
    let later_is_tail = bound_pos(&m.tail, view) >= bound_pos(&m.head, view);
    let target = if later_is_tail { &m.tail } else { &m.head };
    let mut out = vec![m.clone()];
    if let Bound::Entity {
        mention: Some(mi), ..
    } = target
    {
        for other in coordinated(view, *mi) {
            let Some(om) = view.mentions.get(other) else {
                continue;
            };
            let b = Bound::Entity {
                entity: om.entity,
                mention: Some(other),
            };
            let mut n = m.clone();
            if later_is_tail {
                n.tail = b;
            } else {
                n.head = b;
            }
            out.push(n);
        }
    }
    out
}

/// All cue hits of the document.
pub(crate) fn apply(schema: &Schema, ctx: &DocContext) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (si, view) in ctx.views.iter().enumerate() {
        if view.mentions.is_empty() && view.toks.iter().all(|t| t.pronoun.is_none()) {
            continue;
        }
        let lists = list_groups(view);
        let same_list = |a: &Bound, b: &Bound| -> bool {
            match (a, b) {
                (
                    Bound::Entity {
                        mention: Some(x), ..
                    },
                    Bound::Entity {
                        mention: Some(y), ..
                    },
                ) => {
                    let gx = lists.get(*x).copied().flatten();
                    gx.is_some() && gx == lists.get(*y).copied().flatten()
                }
                _ => false,
            }
        };
        for (li, label) in schema.labels().iter().enumerate() {
            let matcher = Matcher { view, label };
            for (ci, cue) in label.cues.iter().enumerate() {
                for raw in matcher.find_all(&cue.pattern) {
                    for m in expand(raw, view) {
                        if same_list(&m.head, &m.tail) {
                            continue;
                        }
                        let Bound::Entity {
                            entity: head,
                            mention: head_mention,
                        } = m.head
                        else {
                            continue;
                        };
                        let mut pronoun = head_mention.is_none();
                        let tail = match m.tail {
                            Bound::Entity { entity, mention } => {
                                pronoun |= mention.is_none();
                                if entity == head {
                                    continue;
                                }
                                HitTail::Entity(entity)
                            }
                            Bound::Value {
                                value,
                                tok_start,
                                tok_end,
                            } => {
                                let (Some(a), Some(b)) = (
                                    view.toks.get(tok_start),
                                    view.toks.get(tok_end.saturating_sub(1)),
                                ) else {
                                    continue;
                                };
                                HitTail::Value {
                                    value,
                                    start: a.start,
                                    end: b.end,
                                }
                            }
                        };
                        let score = if pronoun {
                            cue.score * PRONOUN_FACTOR
                        } else {
                            cue.score
                        };
                        hits.push(Hit {
                            label: li,
                            head,
                            tail,
                            sentence: si,
                            score,
                            cue: ci,
                            pronoun,
                        });
                    }
                }
            }
        }
    }
    hits
}
