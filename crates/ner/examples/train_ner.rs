//! Trains lede's offline NER model (the future `lede train ner`).
//!
//! ```text
//! cargo run --release -p lede-ner --example train_ner -- \
//!     --data ~/.cache/lede/ner-data/train.jsonl --dev ~/.cache/lede/ner-data/dev.jsonl \
//!     --base ~/.cache/lede/models/all-MiniLM-L6-v2 --out models/lede-ner-minilm \
//!     --epochs 8 --seed 13
//! ```
use std::path::PathBuf;
use std::process::ExitCode;

use lede_ner::offline::{console_progress, train, TrainConfig};

fn usage() -> &'static str {
    "usage: train_ner --data TRAIN.jsonl --base MINILM_DIR --out MODEL_DIR [--dev DEV.jsonl] \
     [--epochs N] [--seed N] [--batch N] [--lr-encoder F] [--lr-head F] [--warmup F] \
     [--max-len N] [--threads N] [--layers 0,1,2,3,4,5] [--max-docs N]"
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut data = None;
    let mut dev = None;
    let mut base = None;
    let mut out = None;
    let mut opts: Vec<(String, String)> = Vec::new();
    while let Some(a) = args.next() {
        if a == "-h" || a == "--help" {
            println!("{}", usage());
            return Ok(());
        }
        let v = args
            .next()
            .ok_or_else(|| format!("{a} needs a value\n{}", usage()))?;
        match a.as_str() {
            "--data" => data = Some(PathBuf::from(v)),
            "--dev" => dev = Some(PathBuf::from(v)),
            "--base" => base = Some(PathBuf::from(v)),
            "--out" => out = Some(PathBuf::from(v)),
            other if other.starts_with("--") => opts.push((other.to_string(), v)),
            other => return Err(format!("unexpected argument {other}\n{}", usage()).into()),
        }
    }
    let (Some(data), Some(base), Some(out)) = (data, base, out) else {
        return Err(usage().into());
    };
    let mut cfg = TrainConfig::new(data, base, out);
    cfg.dev_data = dev;
    for (k, v) in opts {
        match k.as_str() {
            "--epochs" => cfg.epochs = v.parse()?,
            "--seed" => cfg.seed = v.parse()?,
            "--batch" => cfg.batch_size = v.parse()?,
            "--lr-encoder" => cfg.lr_encoder = v.parse()?,
            "--lr-head" => cfg.lr_head = v.parse()?,
            "--warmup" => cfg.warmup = v.parse()?,
            "--max-len" => cfg.max_len = v.parse()?,
            "--threads" => cfg.threads = v.parse()?,
            "--max-docs" => cfg.max_docs = Some(v.parse()?),
            "--layers" => {
                cfg.trained_layers = v
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::parse)
                    .collect::<Result<_, _>>()?
            }
            other => return Err(format!("unknown option {other}\n{}", usage()).into()),
        }
    }
    let report = train(&cfg, &mut console_progress())?;
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({
            "out": report.out_dir,
            "best_epoch": report.best_epoch,
            "best_dev": report.best_dev,
            "seconds": report.seconds,
            "weights_bytes": report.weights_bytes,
        }))?
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            let mut src = e.source();
            while let Some(s) = src {
                eprintln!("  caused by: {s}");
                src = s.source();
            }
            ExitCode::FAILURE
        }
    }
}
