//! What relations and the summary add to NER, measured so that a noisy machine can still tell:
//! the configurations run in one process (models loaded once, outside the timing), in turns,
//! round after round, each round over every `.txt` file of a directory; the minimum and the
//! median over the rounds are printed for each, with their ratio to NER alone. Interleaving
//! keeps slow spells of a shared machine from falling on one configuration only, which a
//! criterion bench (one configuration after the other) cannot avoid.
//!
//! ```text
//! cargo run --release -p lede --example task_share -- /tmp/lee-docs 7
//! ```
//!
//! One libtorch thread, as `cargo bench -p lede --bench tasks`. Needs the offline models
//! (`cargo xtask setup`). docs/PERFORMANCE.md keeps results with the CPU they came from.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use lede::{Analyzer, Document, Tasks};

const USAGE: &str = "usage: task_share <DIR> [ROUNDS]\n\
    Times NER alone, NER + relations and NER + summary over every .txt file under DIR, in \
    turns, ROUNDS times (default 5); prints minimum and median seconds and the ratios to NER.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, rounds) = match args.as_slice() {
        [dir] => (PathBuf::from(dir), 5),
        [dir, n] => match n.parse::<usize>() {
            Ok(n) if n > 0 => (PathBuf::from(dir), n),
            _ => {
                eprintln!("task_share: ROUNDS must be a positive number, got {n:?}\n{USAGE}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect(),
        Err(e) => {
            eprintln!("task_share: cannot read {}: {e}\n{USAGE}", dir.display());
            return ExitCode::from(2);
        }
    };
    paths.sort();
    let docs: Vec<Document> = paths
        .iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(p).ok()?;
            Some(Document::new(p.display().to_string(), text))
        })
        .collect();
    if docs.is_empty() {
        eprintln!("task_share: no readable .txt file in {}", dir.display());
        return ExitCode::from(2);
    }
    lede::models::ThreadPlan::new(1).apply();
    let ner = Tasks {
        ner: true,
        ..Tasks::none()
    };
    let configs = [
        ("ner", ner),
        (
            "ner+relations",
            Tasks {
                relations: true,
                ..ner
            },
        ),
        (
            "ner+summary",
            Tasks {
                summary: true,
                ..ner
            },
        ),
    ];
    let mut analyzers = Vec::new();
    for (name, tasks) in configs {
        match Analyzer::builder().tasks(tasks).build() {
            Ok(a) => analyzers.push((name, a)),
            Err(e) => {
                eprintln!(
                    "task_share: cannot load the models for {name}: {e} (run `cargo xtask setup`)"
                );
                return ExitCode::from(3);
            }
        }
    }
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); analyzers.len()];
    for round in 0..rounds {
        // Each round starts with another configuration, so none is always first.
        for k in 0..analyzers.len() {
            let i = (round + k) % analyzers.len();
            let (name, analyzer) = &analyzers[i];
            let start = Instant::now();
            let mut failed = 0usize;
            for doc in &docs {
                if analyzer.analyze(doc.clone()).is_err() {
                    failed += 1;
                }
            }
            let s = start.elapsed().as_secs_f64();
            eprintln!("round {}: {name} {s:.2} s ({failed} failed)", round + 1);
            times[i].push(s);
        }
    }
    let stats = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        (v[0], v[v.len() / 2])
    };
    let (ner_min, ner_median) = stats(&times[0]);
    println!(
        "{} documents, {rounds} rounds, one libtorch thread",
        docs.len()
    );
    println!("| configuration | min ms | median ms | min / NER | median / NER | median of the rounds' ratios |");
    println!("|---|---:|---:|---:|---:|---:|");
    for ((name, _), t) in analyzers.iter().zip(&times) {
        let (min, median) = stats(t);
        // Each round's time over NER's in the same round: the configurations of one round
        // ran within seconds of each other.
        let ratios: Vec<f64> = t.iter().zip(&times[0]).map(|(a, b)| a / b).collect();
        println!(
            "| {name} | {:.1} | {:.1} | {:.3} | {:.3} | {:.3} |",
            min * 1e3,
            median * 1e3,
            min / ner_min,
            median / ner_median,
            stats(&ratios).1
        );
    }
    ExitCode::SUCCESS
}
