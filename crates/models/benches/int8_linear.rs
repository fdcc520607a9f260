//! Is int8 worth it here? One MiniLM-sized linear layer (384 → 1536 and 1536 → 384, a batch of
//! 8 windows of 128 pieces) in fp32 against libtorch's FBGEMM int8-weight kernel with
//! dynamically quantized activations, the kernel that dynamic quantization of linear layers
//! runs on x86 CPUs. `cargo bench -p lede-models --bench int8_linear`; the answer depends on the
//! CPU (AVX-512 VNNI or only AVX2), so run it on the machine in question. docs/PERFORMANCE.md
//! keeps the results.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use tch::{Kind, Tensor};

/// A weight quantized per tensor, symmetric, as FBGEMM's int8 linear kernel expects it.
struct Int8Linear {
    weight: Tensor,
    packed: Tensor,
    col_offsets: Tensor,
    scale: f64,
    bias: Tensor,
}

impl Int8Linear {
    fn new(weight: &Tensor, bias: &Tensor) -> Int8Linear {
        let max = weight.abs().max().double_value(&[]).max(1e-8);
        let scale = max / 127.0;
        let q = (weight / scale).round().clamp(-127.0, 127.0);
        // Per output row, the sum of its quantized weights (zero point 0).
        let col_offsets = q.sum_dim_intlist(1, false, Kind::Float).to_kind(Kind::Int);
        let q = q.to_kind(Kind::Int8);
        let packed = q.fbgemm_pack_quantized_matrix();
        Int8Linear {
            weight: q,
            packed,
            col_offsets,
            scale,
            bias: bias.shallow_clone(),
        }
    }

    fn forward(&self, x: &Tensor) -> Tensor {
        x.fbgemm_linear_int8_weight_fp32_activation(
            &self.weight,
            &self.packed,
            &self.col_offsets,
            tch::Scalar::float(self.scale),
            tch::Scalar::int(0),
            &self.bias,
        )
    }
}

fn linear(c: &mut Criterion) {
    tch::set_num_threads(1);
    tch::manual_seed(7);
    let _guard = tch::no_grad_guard();
    let mut group = c.benchmark_group("linear_1024_rows");
    for (input, output) in [(384i64, 1536i64), (1536, 384), (384, 384)] {
        let x = Tensor::randn([1024, input], (Kind::Float, tch::Device::Cpu));
        let w = Tensor::randn([output, input], (Kind::Float, tch::Device::Cpu)) * 0.05;
        let b = Tensor::randn([output], (Kind::Float, tch::Device::Cpu)) * 0.01;
        let q = Int8Linear::new(&w, &b);
        // The int8 result must be close to fp32, or the comparison means nothing.
        let exact = x.linear(&w, Some(&b));
        let approx = q.forward(&x);
        let rel = (&approx - &exact).norm().double_value(&[]) / exact.norm().double_value(&[]);
        assert!(rel < 0.05, "int8 relative error {rel}");
        let id = format!("{input}x{output}");
        group.bench_with_input(BenchmarkId::new("fp32", &id), &x, |bch, x| {
            bch.iter(|| x.linear(&w, Some(&b)))
        });
        group.bench_with_input(BenchmarkId::new("int8_fbgemm", &id), &x, |bch, x| {
            bch.iter(|| q.forward(x))
        });
    }
    group.finish();
}

criterion_group!(benches, linear);
criterion_main!(benches);
