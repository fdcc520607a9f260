//! Long texts in overlapping windows, and which window predicts each piece.
//!
//! The text's pieces are cut into windows of at most `content` pieces that overlap by
//! `stride` pieces. A window ends, when it can, at a sentence start, else at a word start in
//! its second half, so that no word is split between windows. Every piece is then *owned* by
//! exactly one window: the one in which it has the most context on its closer side (the text's
//! own start and end count as full context). Predictions are read only from the owner, and
//! words are decoded once over the whole text, so an entity that straddles a window edge is
//! neither cut nor reported twice.

use std::ops::Range;

/// Where a cut before a piece falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Boundary {
    /// Inside a word: a cut here would split it.
    Inside,
    /// At the start of a word.
    Word,
    /// At the start of a sentence.
    Sentence,
}

/// Windows over `n` pieces and the owner of each piece.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WindowPlan {
    /// Piece ranges, in order; they cover `0..n` and consecutive ones overlap or touch.
    pub windows: Vec<Range<usize>>,
    /// For each piece, the index of the window that predicts it.
    pub owner: Vec<usize>,
}

/// Plans windows of at most `content` pieces overlapping by `stride` (`stride * 2 <=
/// content`, `content >= 1`). `boundary[p]` says what a cut before piece `p` would split.
pub(crate) fn plan(boundary: &[Boundary], content: usize, stride: usize) -> WindowPlan {
    let n = boundary.len();
    let content = content.max(1);
    let stride = stride.min(content / 2);
    let mut windows = Vec::new();
    let mut start = 0;
    while start < n {
        let hard_end = (start + content).min(n);
        let mut end = hard_end;
        if hard_end < n {
            let lo = start + (content / 2).max(1);
            let best = |min: Boundary| {
                (lo..=hard_end)
                    .rev()
                    .find(|&p| boundary.get(p).is_some_and(|b| *b >= min))
            };
            if let Some(p) = best(Boundary::Sentence).or_else(|| best(Boundary::Word)) {
                end = p;
            }
        }
        windows.push(start..end);
        if end >= n {
            break;
        }
        let target = end.saturating_sub(stride).max(start + 1);
        start = (start + 1..=target)
            .rev()
            .find(|&p| boundary.get(p).is_some_and(|b| *b >= Boundary::Word))
            .unwrap_or(target);
    }
    let mut owner = vec![0usize; n];
    let mut margin = vec![-1i64; n];
    for (i, w) in windows.iter().enumerate() {
        for p in w.clone() {
            let left = if w.start == 0 {
                i64::MAX
            } else {
                (p - w.start) as i64
            };
            let right = if w.end == n {
                i64::MAX
            } else {
                (w.end - 1 - p) as i64
            };
            let m = left.min(right);
            if m > margin[p] {
                margin[p] = m;
                owner[p] = i;
            }
        }
    }
    WindowPlan { windows, owner }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn boundaries(spec: &str) -> Vec<Boundary> {
        spec.chars()
            .map(|c| match c {
                'S' => Boundary::Sentence,
                'w' => Boundary::Word,
                _ => Boundary::Inside,
            })
            .collect()
    }

    #[test]
    fn short_text_is_one_window() {
        let p = plan(&boundaries("Swww"), 10, 2);
        assert_eq!(p.windows, vec![0..4]);
        assert_eq!(p.owner, vec![0; 4]);
        assert_eq!(plan(&[], 10, 2).windows, Vec::<Range<usize>>::new());
    }

    #[test]
    fn cuts_prefer_sentences_then_words() {
        // 12 pieces, windows of 8: the first cut is at the sentence start at 6.
        let p = plan(&boundaries("Sw.w.wSw.w.w"), 8, 2);
        assert_eq!(p.windows[0], 0..6);
        // A word start, not inside a word.
        let p = plan(&boundaries("Sw.w..w..w.."), 8, 2);
        assert_eq!(p.windows[0].end, 6);
    }

    proptest! {
        #[test]
        fn windows_cover_and_owners_are_central(
            spec in "[Sw.]{1,300}",
            content in 4usize..40,
            stride_frac in 0usize..3,
        ) {
            let b = boundaries(&spec);
            let stride = content * stride_frac / 6;
            let p = plan(&b, content, stride);
            let n = b.len();
            prop_assert_eq!(p.windows.first().map(|w| w.start), Some(0));
            prop_assert_eq!(p.windows.last().map(|w| w.end), Some(n));
            for w in &p.windows {
                prop_assert!(!w.is_empty() && w.len() <= content);
            }
            for pair in p.windows.windows(2) {
                prop_assert!(pair[1].start > pair[0].start, "progress");
                prop_assert!(pair[1].start <= pair[0].end, "no gap");
            }
            for (i, &o) in p.owner.iter().enumerate() {
                prop_assert!(p.windows[o].contains(&i));
            }
            // Owners are monotone: pieces are handed from one window to the next once.
            for pair in p.owner.windows(2) {
                prop_assert!(pair[0] <= pair[1]);
            }
        }
    }
}
