//! BIO tag sets and constrained Viterbi decoding over word-level log-probabilities.

/// The BIO tags of a set of entity types: `O`, then `B-T`, `I-T` for each type in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagSet {
    types: Vec<String>,
}

/// A decoded entity: a range of words with a type and a score.
#[derive(Debug, Clone, PartialEq)]
pub struct WordSpan {
    /// Index of the first word.
    pub start: usize,
    /// Index one past the last word.
    pub end: usize,
    /// Index of the type in the [`TagSet`].
    pub type_index: usize,
    /// Geometric mean of the chosen tags' probabilities over the span.
    pub score: f32,
}

impl TagSet {
    /// A tag set over `types` (e.g. `PERSON`, `GPE`).
    pub fn new(types: Vec<String>) -> Self {
        TagSet { types }
    }

    /// The entity types.
    pub fn types(&self) -> &[String] {
        &self.types
    }

    /// Number of tags: `1 + 2 * types`.
    pub fn len(&self) -> usize {
        1 + 2 * self.types.len()
    }

    /// Whether there are no entity types (only `O`).
    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }

    /// Tag names in index order.
    pub fn names(&self) -> Vec<String> {
        let mut out = vec!["O".to_string()];
        for t in &self.types {
            out.push(format!("B-{t}"));
            out.push(format!("I-{t}"));
        }
        out
    }

    /// Tag index of `B-type`.
    pub fn begin(&self, type_index: usize) -> usize {
        1 + 2 * type_index
    }

    /// Tag index of `I-type`.
    pub fn inside(&self, type_index: usize) -> usize {
        2 + 2 * type_index
    }

    /// Index of a type name.
    pub fn type_index(&self, name: &str) -> Option<usize> {
        self.types.iter().position(|t| t == name)
    }

    /// Whether tag `to` may follow tag `from` (`None`: sentence start). `I-T` only follows
    /// `B-T` or `I-T`.
    pub fn allowed(&self, from: Option<usize>, to: usize) -> bool {
        if to == 0 || to % 2 == 1 {
            return true;
        }
        match from {
            None | Some(0) => false,
            Some(f) => f.div_ceil(2) == to / 2,
        }
    }

    /// The best tag sequence under the BIO constraints for `log_probs` (one row of
    /// `self.len()` log-probabilities per word), decoded into spans.
    ///
    /// Rows of the wrong width are treated as `O`.
    pub fn viterbi(&self, log_probs: &[Vec<f32>]) -> Vec<WordSpan> {
        let n = log_probs.len();
        let k = self.len();
        if n == 0 {
            return Vec::new();
        }
        let emit = |i: usize, t: usize| -> f32 {
            match log_probs.get(i) {
                Some(row) if row.len() == k => row.get(t).copied().unwrap_or(f32::NEG_INFINITY),
                _ => {
                    if t == 0 {
                        0.0
                    } else {
                        f32::NEG_INFINITY
                    }
                }
            }
        };
        let mut score = vec![f32::NEG_INFINITY; k];
        for (t, s) in score.iter_mut().enumerate() {
            if self.allowed(None, t) {
                *s = emit(0, t);
            }
        }
        let mut back = vec![vec![0usize; k]; n];
        for i in 1..n {
            let mut next = vec![f32::NEG_INFINITY; k];
            for (t, nx) in next.iter_mut().enumerate() {
                let e = emit(i, t);
                let mut best = f32::NEG_INFINITY;
                let mut arg = 0;
                for (f, &sf) in score.iter().enumerate() {
                    if sf > best && self.allowed(Some(f), t) {
                        best = sf;
                        arg = f;
                    }
                }
                *nx = best + e;
                if let Some(row) = back.get_mut(i) {
                    if let Some(slot) = row.get_mut(t) {
                        *slot = arg;
                    }
                }
            }
            score = next;
        }
        let mut last = 0;
        let mut best = f32::NEG_INFINITY;
        for (t, &s) in score.iter().enumerate() {
            if s > best {
                best = s;
                last = t;
            }
        }
        let mut tags = vec![0usize; n];
        let mut cur = last;
        for i in (0..n).rev() {
            if let Some(slot) = tags.get_mut(i) {
                *slot = cur;
            }
            if i > 0 {
                cur = back
                    .get(i)
                    .and_then(|row| row.get(cur))
                    .copied()
                    .unwrap_or(0);
            }
        }
        self.spans_of_tags(&tags, emit)
    }

    /// Spans of a (valid or not) tag sequence; an `I-T` with no opening `B-T` opens a span.
    pub fn spans_of_tags(
        &self,
        tags: &[usize],
        logp: impl Fn(usize, usize) -> f32,
    ) -> Vec<WordSpan> {
        let mut out = Vec::new();
        let mut open: Option<(usize, usize, f32)> = None; // (start, type, sum logp)
        for (i, &tag) in tags.iter().enumerate() {
            let ty = if tag == 0 { None } else { Some((tag - 1) / 2) };
            let is_begin = tag % 2 == 1;
            let continues =
                matches!((open, ty), (Some((_, ot, _)), Some(t)) if ot == t && !is_begin);
            if !continues {
                if let Some((s, t, sum)) = open.take() {
                    out.push(span(s, i, t, sum));
                }
                if let Some(t) = ty {
                    open = Some((i, t, 0.0));
                }
            }
            if let Some((_, _, sum)) = open.as_mut() {
                *sum += logp(i, tag);
            }
        }
        if let Some((s, t, sum)) = open {
            out.push(span(s, tags.len(), t, sum));
        }
        out
    }
}

fn span(start: usize, end: usize, type_index: usize, sum: f32) -> WordSpan {
    let len = (end - start).max(1) as f32;
    WordSpan {
        start,
        end,
        type_index,
        score: (sum / len).exp().clamp(0.0, 1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> TagSet {
        TagSet::new(vec!["PER".into(), "LOC".into()])
    }

    fn row(probs: &[(usize, f32)]) -> Vec<f32> {
        let mut r = vec![(0.01f32).ln(); 5];
        for &(t, p) in probs {
            r[t] = p.ln();
        }
        r
    }

    #[test]
    fn names_and_constraints() {
        let s = set();
        assert_eq!(s.names(), ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]);
        assert!(s.allowed(Some(1), 2));
        assert!(!s.allowed(Some(1), 4));
        assert!(!s.allowed(Some(0), 2));
        assert!(!s.allowed(None, 4));
        assert!(s.allowed(Some(4), 1));
    }

    #[test]
    fn viterbi_repairs_orphan_inside() {
        let s = set();
        // Greedy would give O, I-PER, I-PER: an I with no B. Viterbi must open with B.
        let lp = vec![
            row(&[(0, 0.9)]),
            row(&[(2, 0.6), (1, 0.3)]),
            row(&[(2, 0.9)]),
            row(&[(0, 0.9)]),
        ];
        let spans = s.viterbi(&lp);
        assert_eq!(spans.len(), 1);
        assert_eq!(
            (spans[0].start, spans[0].end, spans[0].type_index),
            (1, 3, 0)
        );
        assert!(spans[0].score > 0.0 && spans[0].score <= 1.0);
    }

    #[test]
    fn adjacent_entities_and_type_switch() {
        let s = set();
        let lp = vec![row(&[(1, 0.9)]), row(&[(3, 0.9)]), row(&[(4, 0.9)])];
        let spans = s.viterbi(&lp);
        let got: Vec<_> = spans
            .iter()
            .map(|w| (w.start, w.end, w.type_index))
            .collect();
        assert_eq!(got, [(0, 1, 0), (1, 3, 1)]);
        assert!(s.viterbi(&[]).is_empty());
        // Rows of the wrong width decode as O.
        assert!(s.viterbi(&[vec![0.0; 2]]).is_empty());
    }
}
