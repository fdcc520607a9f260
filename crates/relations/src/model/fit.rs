//! The two-layer perceptron both trainers fit ([`super::train`] on weak labels,
//! [`super::supervised`] on the hand-annotated corpus), in tch; [`super::PairClassifier`]
//! runs the saved tensors with plain ndarray.

use tch::nn::{self, Module, OptimizerConfig};
use tch::{Kind, Tensor};

use std::path::Path;

use super::{HeadMeta, HEAD_META, HEAD_WEIGHTS};
use crate::{RelationError, Result};

/// How a perceptron is fitted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FitOptions {
    pub hidden_units: usize,
    pub epochs: usize,
    pub learning_rate: f64,
    pub weight_decay: f64,
    pub batch_size: usize,
}

/// A fitted perceptron: `l1` `[hidden, in]` + bias, ReLU, `l2` `[classes, hidden]` + bias.
pub(crate) struct Perceptron {
    pub w1: Tensor,
    pub b1: Tensor,
    pub w2: Tensor,
    pub b2: Tensor,
}

impl Perceptron {
    /// Fits on `x` (`[n, width]`) and class indices `y` with Adam, dropout 0.2 on the hidden
    /// layer and class weights 1/sqrt(frequency) (mean 1), shuffling every epoch (seed with
    /// `tch::manual_seed` first for reproducible files).
    pub fn fit(x: &Tensor, y: &[i64], n_classes: usize, o: &FitOptions) -> Result<Perceptron> {
        let n = y.len() as i64;
        let width = x.size().get(1).copied().unwrap_or(0);
        let ys = Tensor::f_from_slice(y)?;
        let mut freq = vec![1.0f64; n_classes];
        for &c in y {
            if let Some(f) = freq.get_mut(c as usize) {
                *f += 1.0;
            }
        }
        let w: Vec<f32> = freq.iter().map(|f| (1.0 / f.sqrt()) as f32).collect();
        let mean_w = w.iter().sum::<f32>() / w.len().max(1) as f32;
        let w: Vec<f32> = w.iter().map(|v| v / mean_w).collect();
        let class_weights = Tensor::f_from_slice(&w)?;
        let vs = nn::VarStore::new(tch::Device::Cpu);
        let root = vs.root();
        let l1 = nn::linear(
            &root / "l1",
            width,
            o.hidden_units as i64,
            Default::default(),
        );
        let l2 = nn::linear(
            &root / "l2",
            o.hidden_units as i64,
            n_classes as i64,
            Default::default(),
        );
        let mut opt = nn::Adam {
            wd: o.weight_decay,
            ..Default::default()
        }
        .build(&vs, o.learning_rate)?;
        for epoch in 0..o.epochs {
            let perm = Tensor::randperm(n, (Kind::Int64, tch::Device::Cpu));
            let mut total = 0.0;
            let mut start = 0;
            while start < n {
                let len = (o.batch_size as i64).min(n - start);
                let idx = perm.narrow(0, start, len);
                let bx = x.index_select(0, &idx);
                let by = ys.index_select(0, &idx);
                let h = l1.forward(&bx).relu().dropout(0.2, true);
                let loss = l2.forward(&h).log_softmax(-1, Kind::Float).f_nll_loss(
                    &by,
                    Some(&class_weights),
                    tch::Reduction::Mean,
                    -100,
                )?;
                opt.backward_step(&loss);
                total += loss.double_value(&[]) * len as f64;
                start += len;
            }
            tracing::info!(
                epoch,
                loss = total / n.max(1) as f64,
                "training the pair classifier"
            );
        }
        let mut vars = vs.variables();
        let mut take = |name: &str| -> Result<Tensor> {
            vars.remove(name)
                .map(|t| t.detach().to_kind(Kind::Float))
                .ok_or_else(|| RelationError::InvalidData(format!("missing variable {name}")))
        };
        Ok(Perceptron {
            w1: take("l1.weight")?,
            b1: take("l1.bias")?,
            w2: take("l2.weight")?,
            b2: take("l2.bias")?,
        })
    }

    /// Several perceptrons as one whose hidden layer is theirs side by side and whose output
    /// averages their logits.
    pub fn average(members: &[Perceptron]) -> Perceptron {
        let k = members.len().max(1) as f64;
        let cat = |f: &dyn Fn(&Perceptron) -> &Tensor, dim: i64| {
            Tensor::cat(&members.iter().map(f).collect::<Vec<_>>(), dim)
        };
        let b2 = members
            .iter()
            .map(|m| m.b2.shallow_clone())
            .reduce(|a, b| a + b)
            .map_or_else(
                || Tensor::zeros([0], (Kind::Float, tch::Device::Cpu)),
                |s| s / k,
            );
        Perceptron {
            w1: cat(&|m| &m.w1, 0),
            b1: cat(&|m| &m.b1, 0),
            w2: cat(&|m| &m.w2, 1) / k,
            b2,
        }
    }

    /// Hidden units.
    pub fn hidden_units(&self) -> usize {
        self.b1.size().first().copied().unwrap_or(0) as usize
    }

    /// Logits for the rows of `x` (no dropout, no gradients).
    pub fn logits(&self, x: &Tensor) -> Tensor {
        tch::no_grad(|| {
            (x.matmul(&self.w1.tr()) + &self.b1)
                .relu()
                .matmul(&self.w2.tr())
                + &self.b2
        })
    }

    /// The tensors under the names [`super::PairClassifier::load`] reads.
    pub fn named(&self) -> Vec<(String, Tensor)> {
        vec![
            ("l1.weight".to_string(), self.w1.contiguous()),
            ("l1.bias".to_string(), self.b1.contiguous()),
            ("l2.weight".to_string(), self.w2.contiguous()),
            ("l2.bias".to_string(), self.b2.contiguous()),
        ]
    }

    /// Writes the weights ([`HEAD_WEIGHTS`]) and `meta` ([`HEAD_META`]) into `dir` (created
    /// when missing); returns the size of the weights file.
    pub fn save(&self, dir: &Path, meta: &HeadMeta) -> Result<u64> {
        std::fs::create_dir_all(dir).map_err(|source| RelationError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let weights_path = dir.join(HEAD_WEIGHTS);
        Tensor::write_safetensors(&self.named(), &weights_path)?;
        let mut meta = meta.clone();
        meta.weights_sha256 =
            lede_models::weights::sha256_file(&weights_path).map_err(|source| {
                RelationError::Io {
                    path: weights_path.clone(),
                    source,
                }
            })?;
        let meta_path = dir.join(HEAD_META);
        let json = serde_json::to_string_pretty(&meta).map_err(|source| RelationError::Json {
            what: meta_path.display().to_string(),
            source,
        })?;
        std::fs::write(&meta_path, json + "\n").map_err(|source| RelationError::Io {
            path: meta_path.clone(),
            source,
        })?;
        Ok(std::fs::metadata(&weights_path).map_or(0, |m| m.len()))
    }
}
