//! The relation classifier's largest product, its first layer: `[rows, 2342] x [2342, 640]`
//! (the shipped ensemble: five perceptrons of 128 hidden units side by side over the NER
//! vectors, cue and type inputs) for the candidate pairs of one document (61 on average over
//! lee_background, 497 on the seed article). Plain ndarray (matrixmultiply, what
//! `PairClassifier::probabilities` runs) against libtorch's fp32 linear (MKL) and FBGEMM's
//! int8 kernel with packed weights (`lede_models::fast::PackedLinear`, what `PairModel` runs
//! beside the int8 NER encoder), one thread. `cargo bench -p lede-relations --bench
//! pair_classifier`; docs/PERFORMANCE.md keeps the results with the CPU they came from.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use lede_models::fast::{PackedLinear, Precision};
use ndarray::Array2;
use tch::Tensor;

const INPUT: usize = 2342;
const HIDDEN: usize = 640;

/// A deterministic matrix with values in [-0.5, 0.5).
fn filled(rows: usize, cols: usize, seed: u64) -> Array2<f32> {
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    Array2::from_shape_simple_fn((rows, cols), || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 40) as f32 / (1u64 << 24) as f32) - 0.5
    })
}

fn tensor(a: &Array2<f32>) -> Tensor {
    let (r, c) = a.dim();
    Tensor::from_slice(a.as_slice().expect("standard layout")).reshape([r as i64, c as i64])
}

fn first_layer(c: &mut Criterion) {
    tch::set_num_threads(1);
    let _guard = tch::no_grad_guard();
    let w = filled(INPUT, HIDDEN, 1); // [input, hidden], as PairClassifier keeps it
    let wt = tensor(&w.t().as_standard_layout().to_owned()); // [hidden, input], as tch's linear
    let b = filled(1, HIDDEN, 2).into_shape(HIDDEN).expect("one row");
    let bt = Tensor::from_slice(b.as_slice().expect("standard layout"));
    let int8 = PackedLinear::new(&wt, &bt, Precision::Int8).expect("packed weights");
    let mut group = c.benchmark_group("pair_classifier_first_layer");
    for rows in [16usize, 64, 256] {
        let x = filled(rows, INPUT, 3 + rows as u64);
        // The two must agree, or the comparison means nothing.
        let a = x.dot(&w) + &b;
        let t = tensor(&x).linear(&wt, Some(&bt));
        let t: Vec<f32> = Vec::<f32>::try_from(t.reshape([-1])).expect("floats");
        let worst = a
            .iter()
            .zip(&t)
            .map(|(p, q)| (p - q).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 1e-2, "ndarray and libtorch differ by {worst}");
        group.bench_with_input(BenchmarkId::new("ndarray", rows), &x, |bench, x| {
            bench.iter(|| x.dot(&w) + &b)
        });
        group.bench_with_input(BenchmarkId::new("libtorch_fp32", rows), &x, |bench, x| {
            bench.iter(|| {
                let out = tensor(x).linear(&wt, Some(&bt));
                Vec::<f32>::try_from(out.reshape([-1])).expect("floats")
            })
        });
        group.bench_with_input(BenchmarkId::new("fbgemm_int8", rows), &x, |bench, x| {
            bench.iter(|| {
                let out = int8.forward(&tensor(x)).expect("int8 forward");
                Vec::<f32>::try_from(out.reshape([-1])).expect("floats")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, first_layer);
criterion_main!(benches);
