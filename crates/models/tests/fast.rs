//! lede-models' own BERT forward pass ([`lede_models::fast::FastBert`]) against rust-bert's,
//! over a tiny random BERT loaded through the real loading code.

use lede_models::fast::{Activation, BertShape, FastBert, Precision};
use lede_models::testing::{isolated_options, one_libtorch_thread, Head, TinyModel};
use lede_models::{load_encoder, Loaded, ModelSpec, TransformerEncoder};
use tch::{Device, Kind, Tensor};

fn tiny_bert() -> (tempfile::TempDir, Loaded<()>, BertShape) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("model");
    TinyModel::bert(Head::Base).write(&dir).unwrap();
    let files = ModelSpec::Dir(dir)
        .resolve(&isolated_options(tmp.path()))
        .unwrap();
    let loaded = load_encoder(&files, Device::Cpu, |_, _| Ok(()), &[], true).unwrap();
    let shape = shape(&files.config);
    (tmp, loaded, shape)
}

fn shape(config: &serde_json::Value) -> BertShape {
    let get = |k: &str| config.get(k).and_then(serde_json::Value::as_i64).unwrap();
    BertShape {
        heads: get("num_attention_heads"),
        layers: get("num_hidden_layers"),
        activation: Activation::from_name(
            config
                .get("hidden_act")
                .and_then(|v| v.as_str())
                .unwrap_or("gelu"),
        )
        .unwrap(),
        eps: 1e-12,
    }
}

/// Two sequences of different lengths, the shorter padded (id 0, mask 0).
fn batch(encoder: &TransformerEncoder) -> (Tensor, Tensor) {
    let vocab = encoder.vocab_size() as u32;
    let seqs = vec![
        (0..12).map(|i| (i * 7 + 3) % vocab).collect::<Vec<u32>>(),
        (0..7).map(|i| (i * 5 + 1) % vocab).collect(),
    ];
    TransformerEncoder::batch_tensors(&seqs, 0, Device::Cpu)
}

fn max_diff(a: &Tensor, b: &Tensor) -> f64 {
    (a - b).abs().max().double_value(&[])
}

#[test]
fn fp32_matches_rust_bert_and_int8_stays_close() {
    one_libtorch_thread();
    let (_tmp, loaded, shape) = tiny_bert();
    let (ids, mask) = batch(&loaded.encoder);
    let expected = tch::no_grad(|| loaded.encoder.forward(&ids, &mask, false)).unwrap();
    let vars = loaded.vs.variables();

    let fp32 = FastBert::from_variables(&vars, "bert.", shape, Precision::Fp32).unwrap();
    assert_eq!(fp32.precision(), Precision::Fp32);
    let got = fp32.forward_ids(&ids, &mask).unwrap();
    assert_eq!(got.size(), expected.size());
    // Padded positions are garbage in both passes; compare the real tokens only.
    let real = mask.to_kind(Kind::Float).unsqueeze(-1);
    let diff = max_diff(&(&got * &real), &(&expected * &real));
    assert!(diff < 1e-4, "fp32 differs from rust-bert by {diff}");

    let int8 = FastBert::from_variables(&vars, "bert.", shape, Precision::Int8).unwrap();
    let approx = int8.forward_ids(&ids, &mask).unwrap();
    let rel = (&(&approx - &expected) * &real).norm().double_value(&[])
        / (&expected * &real).norm().double_value(&[]);
    assert!(rel > 0.0, "int8 must actually quantize");
    assert!(rel < 0.05, "int8 relative error {rel}");
}

#[test]
fn bad_inputs_are_errors() {
    one_libtorch_thread();
    let (_tmp, loaded, shape) = tiny_bert();
    let vars = loaded.vs.variables();
    // A wrong prefix names the missing variable.
    let err = FastBert::from_variables(&vars, "roberta.", shape, Precision::Fp32).unwrap_err();
    assert!(err.to_string().contains("roberta.embeddings"), "{err}");
    // More layers than the model has.
    let too_deep = BertShape {
        layers: shape.layers + 1,
        ..shape
    };
    assert!(FastBert::from_variables(&vars, "bert.", too_deep, Precision::Fp32).is_err());
    let fast = FastBert::from_variables(&vars, "bert.", shape, Precision::Int8).unwrap();
    // Shapes that do not fit, ids outside the vocabulary, too many positions.
    let ids = Tensor::from_slice(&[1i64, 2, 3]).view([1, 3]);
    let bad_mask = Tensor::ones([1, 4], (Kind::Int64, Device::Cpu));
    assert!(fast.forward_ids(&ids, &bad_mask).is_err());
    let huge = Tensor::from_slice(&[1i64 << 40]).view([1, 1]);
    let one = Tensor::ones([1, 1], (Kind::Int64, Device::Cpu));
    assert!(fast.forward_ids(&huge, &one).is_err());
    let long = Tensor::ones([1, 100_000], (Kind::Int64, Device::Cpu));
    assert!(fast.forward_ids(&long, &long).is_err());
    assert!("int8"
        .parse::<Precision>()
        .is_ok_and(|p| p == Precision::Int8));
    assert!("fp16".parse::<Precision>().is_err());
}
