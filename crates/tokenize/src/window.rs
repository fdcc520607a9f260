//! Planning windows over a long subword sequence (see [`crate::Window`] for the contract).

use std::ops::Range;

use crate::{Error, Result};

/// Where one window sits, in source indices (content subwords) and word indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) source: Range<usize>,
    pub(crate) owned: Range<usize>,
    pub(crate) words: Range<usize>,
    pub(crate) owned_words: Range<usize>,
}

/// `content[t]`: the word the content subword at source index `t` belongs to.
fn is_word_start(content: &[Option<usize>], t: usize) -> bool {
    match (
        t.checked_sub(1).and_then(|p| content.get(p)),
        content.get(t),
    ) {
        (_, None) => true,
        (None, Some(_)) => true,
        (Some(prev), Some(cur)) => cur.is_none() || cur != prev,
    }
}

/// The first word that starts at or after source index `m` (word ids never decrease along
/// the content; a word cut at `m` belongs to the side where it starts).
fn first_word_from(content: &[Option<usize>], m: usize, n_words: usize) -> usize {
    let (before, after) = content.split_at(m.min(content.len()));
    let started_before = before.iter().rev().find_map(|&w| w);
    after.iter().find_map(|&w| w).map_or(
        n_words,
        |w| {
            if Some(w) == started_before {
                w + 1
            } else {
                w
            }
        },
    )
}

/// Plans windows of at most `capacity` content subwords overlapping by at most `stride`;
/// `content` holds, per content subword, the word it belongs to. Requires
/// `stride < capacity`.
pub(crate) fn plan(
    content: &[Option<usize>],
    n_words: usize,
    capacity: usize,
    stride: usize,
) -> Vec<Plan> {
    let len = content.len();
    if len == 0 || capacity == 0 {
        return vec![Plan {
            source: 0..0,
            owned: 0..0,
            words: 0..0,
            owned_words: 0..n_words,
        }];
    }
    // Positions where a cut does not split a word, including `len`.
    let boundaries: Vec<usize> = (0..=len).filter(|&t| is_word_start(content, t)).collect();

    let mut ranges: Vec<Range<usize>> = Vec::new();
    let mut start = 0usize;
    loop {
        let hard = start.saturating_add(capacity).min(len);
        let end = if hard == len {
            len
        } else {
            let idx = boundaries.partition_point(|&b| b <= hard);
            match idx.checked_sub(1).and_then(|i| boundaries.get(i)) {
                Some(&b) if b > start => b,
                _ => hard,
            }
        };
        ranges.push(start..end);
        if end >= len {
            break;
        }
        let desired = end.saturating_sub(stride).max(start + 1);
        let idx = boundaries.partition_point(|&b| b < desired);
        start = boundaries
            .get(idx)
            .copied()
            .filter(|&b| b <= end)
            .unwrap_or(end);
    }

    // Ownership cuts: the word boundary nearest the middle of each overlap.
    let mut cuts = Vec::with_capacity(ranges.len() + 1);
    cuts.push(0usize);
    for pair in ranges.windows(2) {
        let (lo, hi) = (pair[1].start, pair[0].end.max(pair[1].start));
        let mid = lo + (hi - lo) / 2;
        let from = boundaries.partition_point(|&b| b < lo);
        let to = boundaries.partition_point(|&b| b <= hi);
        let nearest = boundaries
            .get(from..to)
            .unwrap_or(&[])
            .iter()
            .copied()
            .min_by_key(|&b| b.abs_diff(mid))
            .unwrap_or(mid);
        let prev = cuts.last().copied().unwrap_or(0);
        cuts.push(nearest.max(prev).max(lo).min(hi));
    }
    cuts.push(len);

    let mut word_cuts: Vec<usize> = Vec::with_capacity(cuts.len());
    for (k, &m) in cuts.iter().enumerate() {
        let w = if k == 0 {
            0
        } else if k + 1 == cuts.len() {
            n_words
        } else {
            first_word_from(content, m, n_words)
        };
        let prev = word_cuts.last().copied().unwrap_or(0);
        word_cuts.push(w.max(prev).min(n_words));
    }

    ranges
        .into_iter()
        .enumerate()
        .map(|(k, source)| {
            let slice = content.get(source.clone()).unwrap_or(&[]);
            let lo = slice.iter().filter_map(|&w| w).min();
            let hi = slice.iter().filter_map(|&w| w).max();
            let words = match (lo, hi) {
                (Some(a), Some(b)) => a..b + 1,
                _ => 0..0,
            };
            let owned = cuts[k]..cuts[k + 1];
            let owned_words = word_cuts[k]..word_cuts[k + 1];
            Plan {
                source,
                owned,
                words,
                owned_words,
            }
        })
        .collect()
}

/// Windows over whole words, planned from how many subwords each word has (for example the
/// [`lede_core::WordPieces`] stored on a document): the word-level view of
/// [`crate::Window`]'s contract, for models that lay out their own input from stored pieces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordWindow {
    /// Words the window holds: its model input is their subwords, in order.
    pub words: Range<usize>,
    /// Words whose predictions this window gives; the `owned` ranges of all windows partition
    /// the words, in order.
    pub owned: Range<usize>,
}

/// Plans windows of at most `capacity` subwords (special tokens not counted) over words with
/// `counts[i]` subwords each, consecutive windows overlapping by at most `stride` subwords,
/// with the same rules as [`crate::SubwordEncoder::windows`]: cuts fall between words, and the
/// owned ranges of two windows meet in the middle of their overlap so that every word is read
/// with context on both sides. A word with more than `capacity` subwords counts as
/// `capacity` (the caller keeps only that many of its subwords). Windows that hold no words
/// are left out: a text whose words have no subwords gets no window.
///
/// # Errors
/// [`Error::InvalidWindow`] when `capacity` is 0 or `stride >= capacity`.
pub fn word_windows(counts: &[usize], capacity: usize, stride: usize) -> Result<Vec<WordWindow>> {
    if capacity == 0 || stride >= capacity {
        return Err(Error::InvalidWindow {
            max_len: capacity,
            stride,
            special: 0,
        });
    }
    let content: Vec<Option<usize>> = counts
        .iter()
        .enumerate()
        .flat_map(|(w, &n)| std::iter::repeat(Some(w)).take(n.min(capacity)))
        .collect();
    let plans = plan(&content, counts.len(), capacity, stride);
    let mut out: Vec<WordWindow> = Vec::with_capacity(plans.len());
    for p in plans {
        if p.words.is_empty() {
            // Nothing to read; hand the owned words to the previous window, or the next.
            if let Some(last) = out.last_mut() {
                last.owned.end = p.owned_words.end;
                continue;
            }
        }
        out.push(WordWindow {
            words: p.words,
            owned: p.owned_words,
        });
    }
    // A leading window with no words gives its owned words to the one after it.
    if out.len() > 1 && out.first().is_some_and(|w| w.words.is_empty()) {
        let first = out.remove(0);
        if let Some(next) = out.first_mut() {
            next.owned.start = first.owned.start;
        }
    }
    if out.len() == 1 && out.first().is_some_and(|w| w.words.is_empty()) {
        out.clear();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Content where word `w` has `sizes[w]` subwords.
    fn content(sizes: &[usize]) -> Vec<Option<usize>> {
        let mut out = Vec::new();
        for (w, &n) in sizes.iter().enumerate() {
            out.extend(std::iter::repeat_n(Some(w), n));
        }
        out
    }

    fn check(sizes: &[usize], capacity: usize, stride: usize) -> Vec<Plan> {
        let c = content(sizes);
        let plans = plan(&c, sizes.len(), capacity, stride);
        // Owned ranges partition the content, in order.
        let mut at = 0;
        for p in &plans {
            assert_eq!(p.owned.start, at, "{plans:?}");
            assert!(p.owned.end >= p.owned.start);
            assert!(
                p.source.start <= p.owned.start && p.owned.end <= p.source.end,
                "{p:?}"
            );
            assert!(p.source.len() <= capacity);
            at = p.owned.end;
        }
        assert_eq!(at, c.len());
        // Owned words partition the words.
        let mut w = 0;
        for p in &plans {
            assert_eq!(p.owned_words.start, w);
            w = p.owned_words.end;
        }
        assert_eq!(w, sizes.len());
        // Overlap at most stride; progress.
        for pair in plans.windows(2) {
            assert!(pair[1].source.start > pair[0].source.start);
            assert!(pair[0].source.end.saturating_sub(pair[1].source.start) <= stride);
        }
        plans
    }

    #[test]
    fn no_word_is_split_when_avoidable() {
        let sizes = [1, 3, 2, 1, 4, 1, 1, 2, 3, 1, 1, 1];
        let plans = check(&sizes, 6, 2);
        let c = content(&sizes);
        for p in &plans {
            assert!(is_word_start(&c, p.source.start) && is_word_start(&c, p.source.end));
            assert!(is_word_start(&c, p.owned.start) && is_word_start(&c, p.owned.end));
        }
        assert!(plans.len() > 2);
    }

    #[test]
    fn long_word_is_split_only_when_needed() {
        let plans = check(&[1, 9, 1], 4, 1);
        assert!(plans.len() >= 3);
        assert!(plans.iter().any(|p| p.words == (1..2)));
    }

    /// Up to 200 word sizes from `min_size` to 6 subwords, a window capacity from 1 to 39, and
    /// a stride from 0 to three quarters of one less than the capacity.
    fn sizes_capacity_stride(
        min_size: usize,
    ) -> impl proptest::strategy::Strategy<Value = (Vec<usize>, usize, usize)> {
        use proptest::strategy::Strategy;
        let sizes = proptest::collection::vec(min_size..7, 0..200);
        (sizes, 1usize..40, 0usize..4).prop_map(|(sizes, capacity, stride_frac)| {
            let stride = capacity.saturating_sub(1) * stride_frac / 4;
            (sizes, capacity, stride)
        })
    }

    proptest::proptest! {
        /// Any word sizes, window capacity and stride: the contract `check` asserts (owned
        /// subwords and words partition the text in order, windows fit, overlap at most
        /// `stride`, progress).
        #[test]
        fn any_plan_holds_the_contract((sizes, capacity, stride) in sizes_capacity_stride(1)) {
            let plans = check(&sizes, capacity, stride);
            // Words that fit a window are never split between windows' sources.
            let c = content(&sizes);
            for p in &plans {
                for w in p.words.clone() {
                    if sizes[w] <= capacity {
                        let of_w: Vec<usize> = (0..c.len()).filter(|&t| c[t] == Some(w)).collect();
                        proptest::prop_assert!(of_w.iter().all(|t| p.source.contains(t)), "{p:?} splits word {w}");
                    }
                }
            }
        }

        /// Word windows: owned ranges partition the words with subwords, each window's words
        /// fit `capacity` and contain what it owns (up to words without subwords).
        #[test]
        fn word_windows_partition_and_fit((sizes, capacity, stride) in sizes_capacity_stride(0)) {
            let ws = word_windows(&sizes, capacity, stride).unwrap();
            if sizes.iter().all(|&n| n == 0) {
                proptest::prop_assert!(ws.is_empty());
                return Ok(());
            }
            let mut at = 0;
            for w in &ws {
                proptest::prop_assert_eq!(w.owned.start, at);
                at = w.owned.end;
                let cost: usize = sizes[w.words.clone()].iter().map(|&n| n.min(capacity)).sum();
                proptest::prop_assert!(cost <= capacity || w.words.len() == 1, "{:?} costs {}", w, cost);
                for i in w.owned.clone() {
                    proptest::prop_assert!(sizes[i] == 0 || w.words.contains(&i), "{:?} owns {} unread", w, i);
                }
            }
            proptest::prop_assert_eq!(at, sizes.len());
        }
    }

    #[test]
    fn word_windows_reject_a_stride_that_leaves_no_room() {
        assert!(word_windows(&[1, 2], 4, 4).is_err());
        assert!(word_windows(&[1, 2], 0, 0).is_err());
        assert_eq!(word_windows(&[2, 2, 2], 8, 2).unwrap().len(), 1);
    }

    #[test]
    fn edge_cases() {
        assert_eq!(check(&[], 4, 1).len(), 1);
        assert_eq!(check(&[1, 1], 4, 1).len(), 1);
        check(&[1; 50], 5, 4);
        check(&[1; 50], 5, 0);
        check(&[2; 20], 3, 2);
        check(&[7; 5], 1, 0);
    }
}
