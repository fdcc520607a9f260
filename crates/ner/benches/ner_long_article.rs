//! NER on a generated 20,000-word article: wall time, throughput and peak memory.
//!
//! ```text
//! cargo bench -p lede-ner --bench ner_long_article            # tiny random BERT
//! LEDE_BENCH_MODEL=path/to/hf-ner-dir cargo bench -p lede-ner --bench ner_long_article
//! LEDE_BENCH_WORDS=5000 LEDE_BENCH_RUNS=5 LEDE_BENCH_THREADS=1 ... # other sizes / threads
//! ```
//!
//! The tiny model (hidden 32, 2 layers, 512 positions, random weights) measures lede's own
//! overhead around the model: tokenization, windows, aggregation, decoding, offsets. Peak
//! memory is the process's VmHWM from /proc/self/status (whole process: libtorch included).

use std::time::Instant;

use lede_core::{SentenceSplitter, WordTokenizer};
use lede_models::testing::{news_text, Head, TinyModel};
use lede_models::Device;
use lede_models::{ModelSpec, ResolveOptions, ThreadPlan};
use lede_ner::{HfTokenClassifier, TokenClassifier, TransformerNer};
use lede_tokenize::WindowConfig;

fn status_kb(key: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn env_usize(key: &str, default: usize) -> usize {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` passes `--bench`; ignore arguments.
    let words = env_usize("LEDE_BENCH_WORDS", 20_000);
    let runs = env_usize("LEDE_BENCH_RUNS", 3).max(1);
    // LEDE_BENCH_THREADS=n: plan as if the machine had n cores (one worker, n threads).
    let plan = match std::env::var("LEDE_BENCH_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(n) => ThreadPlan::with_cores(n, 1, None),
        None => ThreadPlan::new(env_usize("LEDE_JOBS", 1)),
    }
    .apply();
    let rss_start = status_kb("VmRSS:").unwrap_or(0);

    let tmp = tempfile::tempdir()?;
    let model_dir = match std::env::var("LEDE_BENCH_MODEL") {
        Ok(spec) => ModelSpec::parse(&spec)?.locate(&ResolveOptions::from_env())?,
        Err(_) => {
            let dir = tmp.path().join("tiny-bert-ner");
            TinyModel::bert(Head::TokenClassification)
                .labels(&[
                    "O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC",
                ])
                .max_positions(512)
                .write(&dir)?;
            dir
        }
    };
    let t = Instant::now();
    let ner = TransformerNer::builder()
        .model(model_dir.as_path())
        .build()?;
    let load = t.elapsed();
    let text = news_text(words, 2024);
    let n_words = text.split_whitespace().count();
    let (content, stride) = ner.window_subwords();

    // Warm-up (first-call allocations in libtorch), then timed runs.
    let mentions = ner.tag(&text)?;
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let m = ner.tag(&text)?;
        times.push(t.elapsed().as_secs_f64());
        assert_eq!(m.len(), mentions.len(), "deterministic");
    }
    times.sort_by(f64::total_cmp);
    let best = times[0];
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    println!("model        {}", model_dir.display());
    println!(
        "threads      {} worker(s) x {} intra-op thread(s) on {} core(s)",
        plan.workers, plan.intra_op_threads, plan.cores
    );
    println!("article      {n_words} words, {} bytes", text.len());
    println!("windows      {content} text subwords, stride {stride}");
    println!("load         {:.3} s", load.as_secs_f64());
    println!(
        "tag          best {best:.3} s, mean {mean:.3} s over {runs} runs ({:.0} words/s best)",
        n_words as f64 / best
    );
    println!("mentions     {}", mentions.len());

    // Where the time goes: the stages of `tag`, run separately.
    let secs = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        t.elapsed().as_secs_f64()
    };
    let words = lede_tokenize::RuleWordTokenizer::default();
    let sentences = lede_tokenize::NewsSentenceSplitter::default();
    let files = ModelSpec::Dir(model_dir.clone()).resolve(&ResolveOptions::from_env())?;
    let classifier = HfTokenClassifier::load(&files, Device::Cpu, 8)?;
    let mut tokens = Vec::new();
    let t_words = secs(&mut || tokens = words.tokenize(&text));
    let t_sent = secs(&mut || drop(sentences.split(&text)));
    let special = classifier.subwords().special_tokens();
    let mut windows = Vec::new();
    let t_enc = secs(&mut || {
        windows = classifier
            .subwords()
            .windows_of_words(&text, &tokens, WindowConfig::new(content + special, stride))
            .unwrap_or_default()
    });
    let subwords: usize = windows.iter().map(|w| w.owned.len()).sum();
    let t_model = secs(&mut || drop(classifier.classify(&text, &windows)));
    println!(
        "stages       words {t_words:.3} s, sentences {t_sent:.3} s, subwords + windows \
         {t_enc:.3} s ({subwords} subwords), model {t_model:.3} s ({} windows)",
        windows.len()
    );
    println!(
        "memory       peak RSS (VmHWM) {:.1} MiB; RSS before loading {:.1} MiB",
        status_kb("VmHWM:").unwrap_or(0) as f64 / 1024.0,
        rss_start as f64 / 1024.0
    );
    Ok(())
}
