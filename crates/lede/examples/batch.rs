//! Analyse every `.txt` file under a directory on all cores with an [`lede::AnalyzerPool`]:
//! one JSON line per document on stdout (in file order), a summary with documents per second
//! on stderr.
//!
//! ```text
//! cargo run -p lede --example batch -- seeds/ > analyses.jsonl
//! cargo run -p lede --example batch -- corpus/ 2      # two workers
//! ```
//!
//! Needs the offline models (`cargo xtask setup`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use lede::{Analyzer, AnalyzerPool, Document};
use rayon::prelude::*;

const USAGE: &str = "usage: batch <DIR> [JOBS]\n\
    Analyses every .txt file under DIR with one analyzer per worker (JOBS workers, default \
    one per core); prints one JSON line per file on stdout and a summary on stderr.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, jobs) = match args.as_slice() {
        [dir] => (PathBuf::from(dir), 0),
        [dir, jobs] => match jobs.parse::<usize>() {
            Ok(j) => (PathBuf::from(dir), j),
            Err(_) => {
                eprintln!("batch: JOBS must be a number, got {jobs:?}\n{USAGE}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    if !dir.is_dir() {
        eprintln!("batch: {} is not a directory\n{USAGE}", dir.display());
        return ExitCode::from(2);
    }

    let mut paths: Vec<PathBuf> = walkdir::WalkDir::new(&dir)
        .follow_links(true)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();

    let pool = match AnalyzerPool::builder(Analyzer::builder())
        .jobs(jobs)
        .build()
    {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!("batch: {}", lede::error_chain(&e));
            return ExitCode::from(3);
        }
    };
    let plan = pool.plan();
    eprintln!(
        "batch: {} files, {} workers x {} libtorch threads",
        paths.len(),
        plan.workers,
        plan.intra_op_threads
    );

    let start = Instant::now();
    // Files are read in parallel too; one that cannot be read becomes an empty document,
    // which the analyzer reports as an error in its place.
    let docs = paths.par_iter().map(|p| {
        let text = std::fs::read_to_string(p).unwrap_or_else(|e| {
            eprintln!("batch: cannot read {}: {e}", p.display());
            String::new()
        });
        Document::new(p.display().to_string(), text)
    });
    let results = pool.analyze_all(docs);
    let secs = start.elapsed().as_secs_f64();

    let mut failed = 0usize;
    for (path, result) in paths.iter().zip(&results) {
        match result {
            Ok(analysis) => match serde_json::to_string(analysis) {
                Ok(line) => println!("{line}"),
                Err(e) => {
                    failed += 1;
                    eprintln!("batch: {}: {e}", path.display());
                }
            },
            Err(e) => {
                failed += 1;
                eprintln!("batch: {}: {}", path.display(), lede::error_chain(e));
            }
        }
    }
    let n = results.len();
    eprintln!(
        "batch: {n} documents ({failed} failed) in {secs:.2}s: {:.2} docs/s",
        n as f64 / secs.max(1e-9)
    );
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
