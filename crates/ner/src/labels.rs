//! Label schemes (BIO, IOB1, BIOES, IO) and decoding word-level predictions into entity
//! spans.

/// The position part of a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Position {
    /// Outside any entity (`O`).
    Outside,
    /// First word of an entity (`B-`).
    Begin,
    /// Inside an entity (`I-`; also a bare type such as `PER` in the IO scheme).
    Inside,
    /// Last word of an entity (`E-`, `L-`).
    End,
    /// A one-word entity (`S-`, `U-`).
    Single,
}

/// A parsed label: its position and entity type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tag {
    /// The position.
    pub position: Position,
    /// The entity type (`PER`, `GPE`, ...); empty for `O`.
    pub entity: String,
}

impl Tag {
    /// Parses a label: `O`; `B-X`, `I-X`, `E-X`, `S-X`, `L-X`, `U-X` (also with `_`); or a
    /// bare type `X` (IO scheme, read as `I-X`).
    ///
    /// ```
    /// use lede_ner::{Position, Tag};
    /// assert_eq!(Tag::parse("B-PER").position, Position::Begin);
    /// assert_eq!(Tag::parse("U_LOC").position, Position::Single);
    /// assert_eq!(Tag::parse("MISC").entity, "MISC");
    /// assert_eq!(Tag::parse("O").position, Position::Outside);
    /// ```
    pub fn parse(label: &str) -> Tag {
        let l = label.trim();
        if l.is_empty() || l == "O" || l == "o" {
            return Tag {
                position: Position::Outside,
                entity: String::new(),
            };
        }
        let mut chars = l.chars();
        if let (Some(p), Some(sep)) = (chars.next(), chars.next()) {
            if (sep == '-' || sep == '_') && l.len() > 2 {
                let position = match p.to_ascii_uppercase() {
                    'B' => Some(Position::Begin),
                    'I' => Some(Position::Inside),
                    'E' | 'L' => Some(Position::End),
                    'S' | 'U' => Some(Position::Single),
                    _ => None,
                };
                if let Some(position) = position {
                    return Tag {
                        position,
                        entity: l[2..].to_string(),
                    };
                }
            }
        }
        Tag {
            position: Position::Inside,
            entity: l.to_string(),
        }
    }
}

/// A tagging scheme, detected from the labels or set by the user. It decides which tag
/// sequences [`Decoding::Constrained`] allows; [`Decoding::Greedy`] reads all of them
/// leniently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LabelScheme {
    /// IOB2: every entity starts with `B-`.
    Bio,
    /// IOB1: entities start with `I-`; `B-` only separates two adjacent entities of one type.
    Iob1,
    /// BIOES / BILOU: `B-`, `I-`, `E-`, and `S-` for one-word entities.
    Bioes,
    /// IO: bare types, no boundaries between adjacent entities of one type.
    Io,
}

impl LabelScheme {
    /// The scheme the labels imply: `E-`/`S-` (or `L-`/`U-`) → BIOES; `B-` → BIO (IOB1 uses
    /// the same labels; set it explicitly); otherwise IO.
    pub fn detect(tags: &[Tag]) -> LabelScheme {
        let has = |p: Position| tags.iter().any(|t| t.position == p);
        if has(Position::End) || has(Position::Single) {
            LabelScheme::Bioes
        } else if has(Position::Begin) {
            LabelScheme::Bio
        } else {
            LabelScheme::Io
        }
    }

    fn may_start(&self, t: &Tag) -> bool {
        match (self, t.position) {
            (_, Position::Outside) => true,
            (LabelScheme::Bio, p) => p == Position::Begin,
            (LabelScheme::Iob1, p) => p == Position::Inside,
            (LabelScheme::Bioes, p) => matches!(p, Position::Begin | Position::Single),
            (LabelScheme::Io, _) => true,
        }
    }

    fn may_follow(&self, prev: &Tag, next: &Tag) -> bool {
        use Position::*;
        let same = prev.entity == next.entity;
        match self {
            LabelScheme::Io => true,
            LabelScheme::Bio => match next.position {
                Outside | Begin => true,
                Inside => same && matches!(prev.position, Begin | Inside),
                _ => false,
            },
            LabelScheme::Iob1 => match next.position {
                Outside | Inside => true,
                Begin => same && matches!(prev.position, Begin | Inside),
                _ => false,
            },
            LabelScheme::Bioes => match prev.position {
                Begin | Inside => same && matches!(next.position, Inside | End),
                _ => matches!(next.position, Outside | Begin | Single),
            },
        }
    }

    fn may_end(&self, t: &Tag) -> bool {
        match self {
            LabelScheme::Bioes => !matches!(t.position, Position::Begin | Position::Inside),
            _ => true,
        }
    }
}

/// How word predictions become a tag sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Decoding {
    /// Each word takes its most probable tag; spans are read leniently (an `I-X` after `O`
    /// starts an entity). What Hugging Face's pipeline does.
    #[default]
    Greedy,
    /// The most probable tag sequence the scheme allows (Viterbi), e.g. no `I-X` after `O` in
    /// BIO.
    Constrained,
}

/// A decoded entity over words `start..end`.
#[derive(Debug, Clone, PartialEq)]
pub struct WordEntity {
    /// First word.
    pub start: usize,
    /// One past the last word.
    pub end: usize,
    /// The entity type.
    pub entity: String,
    /// Mean probability of the chosen tags over its words.
    pub score: f32,
}

/// Picks a tag per word: `probs[w]` is the word's distribution over `tags` (`None`: the
/// model saw no piece of it; it is read as `O` with probability 1).
pub fn choose_tags(
    probs: &[Option<Vec<f32>>],
    tags: &[Tag],
    scheme: LabelScheme,
    decoding: Decoding,
    outside: usize,
) -> Vec<(usize, f32)> {
    let k = tags.len();
    let prob_of = |w: usize, t: usize| -> f32 {
        match probs.get(w).and_then(|p| p.as_ref()) {
            Some(p) => p.get(t).copied().unwrap_or(0.0),
            None => {
                if t == outside {
                    1.0
                } else {
                    0.0
                }
            }
        }
    };
    if decoding == Decoding::Greedy || probs.is_empty() || k == 0 {
        return (0..probs.len())
            .map(|w| {
                let best = (0..k)
                    .max_by(|&a, &b| prob_of(w, a).total_cmp(&prob_of(w, b)))
                    .unwrap_or(outside);
                (best, prob_of(w, best))
            })
            .collect();
    }
    // Viterbi over log-probabilities with the scheme's transitions.
    let lp = |w: usize, t: usize| prob_of(w, t).max(1e-12).ln();
    let n = probs.len();
    let mut score = vec![f32::NEG_INFINITY; k];
    for (t, s) in score.iter_mut().enumerate() {
        if scheme.may_start(&tags[t]) {
            *s = lp(0, t);
        }
    }
    let mut back = vec![vec![usize::MAX; k]; n];
    for (w, back_w) in back.iter_mut().enumerate().skip(1) {
        let mut next = vec![f32::NEG_INFINITY; k];
        for t in 0..k {
            let mut best = f32::NEG_INFINITY;
            let mut arg = usize::MAX;
            for (p, &s) in score.iter().enumerate() {
                if s > best && scheme.may_follow(&tags[p], &tags[t]) {
                    best = s;
                    arg = p;
                }
            }
            if arg != usize::MAX {
                next[t] = best + lp(w, t);
                back_w[t] = arg;
            }
        }
        score = next;
    }
    let last = (0..k)
        .filter(|&t| scheme.may_end(&tags[t]) && score[t].is_finite())
        .max_by(|&a, &b| score[a].total_cmp(&score[b]))
        .unwrap_or(outside);
    let mut path = vec![last; n];
    for w in (1..n).rev() {
        let prev = back[w][path[w]];
        path[w - 1] = if prev == usize::MAX { outside } else { prev };
    }
    path.into_iter()
        .enumerate()
        .map(|(w, t)| (t, prob_of(w, t)))
        .collect()
}

/// Reads entities from a tag sequence, leniently: `B-`/`S-` always start an entity, `I-`/`E-`
/// continue one of the same type or start one, `E-`/`S-` end it, `O` ends it.
pub fn read_entities(chosen: &[(usize, f32)], tags: &[Tag]) -> Vec<WordEntity> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, String, Vec<f32>)> = None;
    let close =
        |cur: &mut Option<(usize, String, Vec<f32>)>, end: usize, out: &mut Vec<WordEntity>| {
            if let Some((start, entity, scores)) = cur.take() {
                let score = scores.iter().sum::<f32>() / scores.len().max(1) as f32;
                out.push(WordEntity {
                    start,
                    end,
                    entity,
                    score,
                });
            }
        };
    for (w, &(t, p)) in chosen.iter().enumerate() {
        let Some(tag) = tags.get(t) else {
            close(&mut cur, w, &mut out);
            continue;
        };
        let continues = cur.as_ref().is_some_and(|(_, e, _)| *e == tag.entity);
        match tag.position {
            Position::Outside => close(&mut cur, w, &mut out),
            Position::Begin | Position::Single => {
                close(&mut cur, w, &mut out);
                cur = Some((w, tag.entity.clone(), vec![p]));
            }
            Position::Inside | Position::End => {
                if continues {
                    if let Some((_, _, s)) = cur.as_mut() {
                        s.push(p);
                    }
                } else {
                    close(&mut cur, w, &mut out);
                    cur = Some((w, tag.entity.clone(), vec![p]));
                }
            }
        }
        if matches!(tag.position, Position::End | Position::Single) {
            close(&mut cur, w + 1, &mut out);
        }
    }
    close(&mut cur, chosen.len(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(labels: &[&str]) -> Vec<Tag> {
        labels.iter().map(|l| Tag::parse(l)).collect()
    }

    fn spans(seq: &[&str], labels: &[&str]) -> Vec<(usize, usize, String)> {
        let t = tags(labels);
        let chosen: Vec<(usize, f32)> = seq
            .iter()
            .map(|s| (labels.iter().position(|l| l == s).unwrap(), 1.0))
            .collect();
        read_entities(&chosen, &t)
            .into_iter()
            .map(|e| (e.start, e.end, e.entity))
            .collect()
    }

    #[test]
    fn reads_bio_iob1_bioes_and_io() {
        let bio = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"];
        assert_eq!(
            spans(&["B-PER", "I-PER", "O", "B-PER", "B-PER", "I-LOC"], &bio),
            vec![
                (0, 2, "PER".into()),
                (3, 4, "PER".into()),
                (4, 5, "PER".into()),
                (5, 6, "LOC".into())
            ]
        );
        // IOB1: I- starts, B- separates adjacent entities of one type.
        assert_eq!(
            spans(&["I-PER", "I-PER", "B-PER", "O", "I-LOC"], &bio),
            vec![
                (0, 2, "PER".into()),
                (2, 3, "PER".into()),
                (4, 5, "LOC".into())
            ]
        );
        let bioes = ["O", "B-ORG", "I-ORG", "E-ORG", "S-ORG", "S-PER"];
        assert_eq!(
            spans(&["B-ORG", "I-ORG", "E-ORG", "S-ORG", "S-PER", "O"], &bioes),
            vec![
                (0, 3, "ORG".into()),
                (3, 4, "ORG".into()),
                (4, 5, "PER".into())
            ]
        );
        assert_eq!(LabelScheme::detect(&tags(&bioes)), LabelScheme::Bioes);
        assert_eq!(LabelScheme::detect(&tags(&bio)), LabelScheme::Bio);
        let io = ["O", "PER", "LOC"];
        assert_eq!(LabelScheme::detect(&tags(&io)), LabelScheme::Io);
        assert_eq!(
            spans(&["PER", "PER", "LOC", "O"], &io),
            vec![(0, 2, "PER".into()), (2, 3, "LOC".into())]
        );
    }

    #[test]
    fn constrained_decoding_obeys_the_scheme() {
        let labels = ["O", "B-PER", "I-PER"];
        let t = tags(&labels);
        // Greedy picks O, I-PER; BIO forbids I-PER after O, so Viterbi picks O, B-PER or O, O.
        let probs = vec![Some(vec![0.9, 0.05, 0.05]), Some(vec![0.3, 0.25, 0.45])];
        let greedy = choose_tags(&probs, &t, LabelScheme::Bio, Decoding::Greedy, 0);
        assert_eq!(greedy[1].0, 2);
        let viterbi = choose_tags(&probs, &t, LabelScheme::Bio, Decoding::Constrained, 0);
        assert_ne!(viterbi[1].0, 2, "no I-PER after O");
        // BIOES: a sequence may not end inside an entity.
        let labels = ["O", "B-PER", "I-PER", "E-PER", "S-PER"];
        let t = tags(&labels);
        let probs = vec![Some(vec![0.1, 0.8, 0.05, 0.03, 0.02])];
        let v = choose_tags(&probs, &t, LabelScheme::Bioes, Decoding::Constrained, 0);
        assert!(matches!(
            t[v[0].0].position,
            Position::Outside | Position::Single
        ));
        // Words without predictions are O.
        let v = choose_tags(&[None], &t, LabelScheme::Bioes, Decoding::Greedy, 0);
        assert_eq!(v, vec![(0, 1.0)]);
    }
}
