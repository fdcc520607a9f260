//! The math after the encoder: cosine similarity graphs, PageRank-style centrality, closeness
//! to the document centroid and maximal-marginal-relevance selection. Plain `ndarray` code on
//! `(sentences, dim)` matrices, testable without a model.
//!
//! ```
//! use lede_summarize::graph::{cosine_matrix, pagerank};
//! use ndarray::array;
//! let e = array![[1.0f32, 0.0], [0.9, 0.1], [0.0, 1.0]];
//! let sim = cosine_matrix(e.view());
//! let pr = pagerank(sim.view(), 0.85, None);
//! assert!(pr[0] > pr[2] && pr[1] > pr[2]);
//! ```

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

/// Rows scaled to unit L2 norm (zero rows stay zero).
pub fn normalize_rows(e: ArrayView2<'_, f32>) -> Array2<f32> {
    let mut out = e.to_owned();
    for mut row in out.rows_mut() {
        let norm = row.dot(&row).sqrt();
        if norm > f32::EPSILON && norm.is_finite() {
            row /= norm;
        } else {
            row.fill(0.0);
        }
    }
    out
}

/// Cosine similarity of every pair of rows of `e` (rows need not be normalised).
pub fn cosine_matrix(e: ArrayView2<'_, f32>) -> Array2<f32> {
    let n = normalize_rows(e);
    n.dot(&n.t())
}

/// Cosine similarity of each row of `e` to the mean of the rows (the document centroid).
pub fn centroid_similarity(e: ArrayView2<'_, f32>) -> Array1<f32> {
    let n = normalize_rows(e);
    match n.mean_axis(Axis(0)) {
        Some(centroid) => {
            let norm = centroid.dot(&centroid).sqrt();
            if norm > f32::EPSILON {
                n.dot(&(centroid / norm))
            } else {
                Array1::zeros(n.nrows())
            }
        }
        None => Array1::zeros(0),
    }
}

/// PageRank centrality on the graph whose edge weights are the positive off-diagonal entries
/// of `sim` (LexRank/TextRank style), with damping `damping` and an optional personalization
/// (teleport) distribution, which need not be normalised.
///
/// Returns scores that sum to 1 (empty for an empty matrix). Rows with no positive edge
/// teleport.
pub fn pagerank(
    sim: ArrayView2<'_, f32>,
    damping: f32,
    personalization: Option<ArrayView1<'_, f32>>,
) -> Array1<f32> {
    let n = sim.nrows().min(sim.ncols());
    if n == 0 {
        return Array1::zeros(0);
    }
    let teleport = match personalization {
        Some(p)
            if p.len() == n && p.iter().all(|v| v.is_finite() && *v >= 0.0) && p.sum() > 0.0 =>
        {
            &p / p.sum()
        }
        _ => Array1::from_elem(n, 1.0 / n as f32),
    };
    // Row-stochastic transition matrix over positive edges.
    let mut w = Array2::<f32>::zeros((n, n));
    let mut dangling = vec![false; n];
    for i in 0..n {
        let mut total = 0.0;
        for j in 0..n {
            let v = sim[[i, j]];
            if i != j && v.is_finite() && v > 0.0 {
                w[[i, j]] = v;
                total += v;
            }
        }
        if total > 0.0 {
            w.row_mut(i).mapv_inplace(|v| v / total);
        } else {
            dangling[i] = true;
        }
    }
    let damping = damping.clamp(0.0, 1.0);
    let mut rank = teleport.clone();
    for _ in 0..100 {
        let dangling_mass: f32 = (0..n).filter(|&i| dangling[i]).map(|i| rank[i]).sum();
        let mut next = w.t().dot(&rank) * damping;
        next.scaled_add(damping * dangling_mass + (1.0 - damping), &teleport);
        let delta: f32 = (&next - &rank).mapv(f32::abs).sum();
        rank = next;
        if delta < 1e-6 {
            break;
        }
    }
    rank
}

/// Scales `v` linearly to `[0, 1]` (all zeros when it is constant).
pub fn min_max(v: ArrayView1<'_, f32>) -> Array1<f32> {
    let lo = v.iter().copied().fold(f32::INFINITY, f32::min);
    let hi = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if !(hi - lo).is_finite() || hi - lo <= f32::EPSILON {
        return Array1::zeros(v.len());
    }
    v.mapv(|x| (x - lo) / (hi - lo))
}

/// How much more similar than usual each pair of rows is, for redundancy penalties that work
/// the same with any encoder: with `m` and `s` the mean and standard deviation of the
/// off-diagonal similarities of the document and `t = m + s`, the result is
/// `max(0, sim - t) / (1 - t)` (0 on the diagonal). A neural encoder gives the sentences of
/// one story fairly high cosines to each other while TF-IDF vectors mostly share little; only
/// pairs that stand out from their document's own spread count as redundant.
pub fn excess_similarity(sim: ArrayView2<'_, f32>) -> Array2<f32> {
    let n = sim.nrows().min(sim.ncols());
    let mut values = Vec::new();
    for i in 0..n {
        for j in 0..n {
            if i != j && sim[[i, j]].is_finite() {
                values.push(sim[[i, j]]);
            }
        }
    }
    let mut out = Array2::<f32>::zeros((n, n));
    if values.is_empty() {
        return out;
    }
    let mean = values.iter().sum::<f32>() / values.len() as f32;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / values.len() as f32;
    let t = (mean + var.sqrt()).min(0.99);
    for i in 0..n {
        for j in 0..n {
            let v = sim[[i, j]];
            if i != j && v.is_finite() && v > t {
                out[[i, j]] = (v - t) / (1.0 - t);
            }
        }
    }
    out
}

/// Maximal marginal relevance: greedily picks items maximising
/// `lambda * relevance[i] - (1 - lambda) * max_{j picked} sim[i, j]` while `fits` accepts the
/// item given the items already picked; stops when nothing else fits or `limit` items are
/// picked. Returns indices in the order they were picked.
pub fn mmr_select(
    relevance: ArrayView1<'_, f32>,
    sim: ArrayView2<'_, f32>,
    lambda: f32,
    limit: usize,
    mut fits: impl FnMut(&[usize], usize) -> bool,
) -> Vec<usize> {
    let n = relevance.len();
    let mut picked: Vec<usize> = Vec::new();
    while picked.len() < limit {
        let mut best: Option<(usize, f32)> = None;
        for i in 0..n {
            if picked.contains(&i) || !fits(&picked, i) {
                continue;
            }
            let redundancy = picked
                .iter()
                .filter_map(|&j| sim.get([i, j]).copied())
                .fold(f32::NEG_INFINITY, f32::max);
            let redundancy = if redundancy.is_finite() {
                redundancy
            } else {
                0.0
            };
            let value = lambda * relevance[i] - (1.0 - lambda) * redundancy;
            if best.map_or(true, |(_, b)| value > b) {
                best = Some((i, value));
            }
        }
        match best {
            Some((i, _)) => picked.push(i),
            None => break,
        }
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn cosine_of_known_vectors() {
        let e = array![[3.0f32, 4.0], [4.0, 3.0], [0.0, 0.0]];
        let s = cosine_matrix(e.view());
        assert!((s[[0, 0]] - 1.0).abs() < 1e-6);
        assert!((s[[0, 1]] - 24.0 / 25.0).abs() < 1e-6);
        assert_eq!(s[[2, 2]], 0.0, "zero rows stay zero");
    }

    #[test]
    fn pagerank_sums_to_one_and_favours_hubs() {
        // Sentence 0 is similar to all others; the others only to 0.
        let sim = array![
            [1.0f32, 0.8, 0.8, 0.8],
            [0.8, 1.0, 0.0, 0.0],
            [0.8, 0.0, 1.0, 0.0],
            [0.8, 0.0, 0.0, 1.0]
        ];
        let pr = pagerank(sim.view(), 0.85, None);
        assert!((pr.sum() - 1.0).abs() < 1e-4);
        assert!(pr[0] > pr[1] && pr[0] > pr[2]);
        assert!((pr[1] - pr[2]).abs() < 1e-5);
    }

    #[test]
    fn personalization_shifts_rank() {
        let sim = array![[1.0f32, 0.5, 0.5], [0.5, 1.0, 0.5], [0.5, 0.5, 1.0]];
        let plain = pagerank(sim.view(), 0.85, None);
        let p = array![1.0f32, 0.0, 0.0];
        let biased = pagerank(sim.view(), 0.85, Some(p.view()));
        assert!((plain[0] - plain[1]).abs() < 1e-5);
        assert!(biased[0] > biased[1]);
    }

    #[test]
    fn pagerank_handles_isolated_nodes() {
        let sim = array![[1.0f32, 0.0], [0.0, 1.0]];
        let pr = pagerank(sim.view(), 0.85, None);
        assert!((pr[0] - 0.5).abs() < 1e-5 && (pr[1] - 0.5).abs() < 1e-5);
        assert_eq!(
            pagerank(Array2::<f32>::zeros((0, 0)).view(), 0.85, None).len(),
            0
        );
    }

    #[test]
    fn centroid_prefers_the_typical_row() {
        let e = array![[1.0f32, 0.0], [0.9, 0.1], [0.8, 0.2], [0.0, 1.0]];
        let c = centroid_similarity(e.view());
        assert!(c[1] > c[3]);
    }

    #[test]
    fn mmr_skips_near_duplicates() {
        let relevance = array![1.0f32, 0.95, 0.5];
        let sim = array![[1.0f32, 0.99, 0.1], [0.99, 1.0, 0.1], [0.1, 0.1, 1.0]];
        let picked = mmr_select(relevance.view(), sim.view(), 0.6, 2, |_, _| true);
        assert_eq!(picked, vec![0, 2]);
        let greedy = mmr_select(relevance.view(), sim.view(), 1.0, 2, |_, _| true);
        assert_eq!(greedy, vec![0, 1]);
        let none = mmr_select(relevance.view(), sim.view(), 0.6, 2, |_, _| false);
        assert!(none.is_empty());
    }

    #[test]
    fn excess_similarity_flags_only_outliers() {
        // Three sentences about equally similar, one pair nearly identical.
        let sim = array![
            [1.0f32, 0.5, 0.5, 0.5],
            [0.5, 1.0, 0.5, 0.5],
            [0.5, 0.5, 1.0, 0.95],
            [0.5, 0.5, 0.95, 1.0]
        ];
        let x = excess_similarity(sim.view());
        assert!(x[[2, 3]] > 0.5, "{x:?}");
        assert_eq!(x[[0, 1]], 0.0);
        assert_eq!(x[[2, 2]], 0.0);
        // Shifting every similarity up (a different encoder) changes nothing.
        let shifted = sim.mapv(|v| (v + 0.2).min(1.0));
        let y = excess_similarity(shifted.view());
        assert_eq!(y[[0, 1]], 0.0);
        assert!(y[[2, 3]] > 0.5);
        assert_eq!(
            excess_similarity(Array2::<f32>::zeros((1, 1)).view()),
            Array2::<f32>::zeros((1, 1))
        );
    }

    #[test]
    fn min_max_scaling() {
        let v = array![2.0f32, 4.0, 3.0];
        assert_eq!(min_max(v.view()), array![0.0f32, 1.0, 0.5]);
        assert_eq!(min_max(array![1.0f32, 1.0].view()), array![0.0f32, 0.0]);
    }
}
