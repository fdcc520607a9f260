//! `lede-bench`: the throughput benchmark behind `cargo xtask bench`.
//!
//! Runs the release `lede` binary over the 300 articles of gensim's `lee_background.cor` (per
//! task and for the full analysis, for each `--jobs` value), and in the same run its peers:
//! spaCy `en_core_web_sm` 3.8 (`nlp.pipe`) and the all-MiniLM-L6-v2 encoder in Python
//! `transformers` on torch 2.4 (`scripts/bench/peers.py`). Every system reads the same text
//! and is charged the same whitespace word count; wall time runs from process start to exit,
//! model loading included. It prints tables and the ratios lede / peer (ratios from one run
//! hold on a noisy machine where absolute numbers do not), and writes `results.md`,
//! `results.json` and `throughput.png` (words/s by document length up to the longest
//! `--lengths` value, and by jobs) into `--out`.

mod corpus;
mod plot;
mod run;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use clap::Parser;
use serde::Serialize;

use crate::run::{timed, Timed};

/// Throughput of lede against spaCy sm and Python MiniLM on lee_background.cor, in one run.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// The release `lede` binary to measure.
    #[arg(long)]
    lede: PathBuf,
    /// lede's cache folder: the corpus is kept in CACHE/corpora.
    #[arg(long)]
    cache: PathBuf,
    /// Where results.md, results.json, throughput.png and the inputs are written.
    #[arg(long)]
    out: PathBuf,
    /// Python of the bench virtualenv (spaCy 3.8, en_core_web_sm, transformers, torch 2.4);
    /// without it the peers are not run.
    #[arg(long)]
    python: Option<PathBuf>,
    /// The peers' script (scripts/bench/peers.py).
    #[arg(long, default_value = "scripts/bench/peers.py")]
    peers: PathBuf,
    /// The all-MiniLM-L6-v2 folder, for the Python encoder peer.
    #[arg(long)]
    minilm: Option<PathBuf>,
    /// Worker counts to measure (lede `--jobs`, spaCy `n_process`, torch threads).
    #[arg(long, value_delimiter = ',', default_value = "1,2")]
    jobs: Vec<usize>,
    /// Document lengths in words for the length curve (full analysis, one job).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "100,300,1000,3000,10000,30000,100000"
    )]
    lengths: Vec<usize>,
}

/// Words per run of the length curve, at least (short documents are repeated).
const LENGTH_RUN_WORDS: usize = 20_000;

/// The full analysis: every task `lede analyze` runs by default.
const FULL: &str = "ner,relations,summary,quotes";

/// lede's task sets: a name for the tables and the `--tasks` value.
const LEDE_TASKS: [(&str, &str); 4] = [
    ("ner", "ner"),
    ("ner+relations", "ner,relations"),
    ("ner+summary", "ner,summary"),
    ("full", FULL),
];

/// One measured run.
#[derive(Debug, Clone, Serialize)]
struct Row {
    system: String,
    what: String,
    jobs: usize,
    docs: usize,
    words: usize,
    wall_s: f64,
    /// Seconds from start until the model is loaded (lede: the wall time of a one-sentence
    /// document; peers: their "loaded" event).
    load_s: Option<f64>,
    /// Seconds from start until the first result.
    first_s: Option<f64>,
    peak_rss_mib: f64,
    /// Documents with an error instead of a result.
    failed: usize,
}

impl Row {
    fn words_per_s(&self) -> f64 {
        self.words as f64 / self.wall_s.max(1e-9)
    }
}

/// One point of the length curve: `copies` documents of `words` words each, in one run.
#[derive(Debug, Clone, Serialize)]
struct LengthPoint {
    words: usize,
    copies: usize,
    wall_s: f64,
    /// Words per second of the whole run (loading included).
    words_per_s: f64,
    /// Words per second once the models are loaded (wall minus the one-sentence run).
    words_per_s_loaded: f64,
    peak_rss_mib: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    cpu: String,
    cores: usize,
    corpus: String,
    rows: Vec<Row>,
    lengths: Vec<LengthPoint>,
}

fn main() -> std::process::ExitCode {
    match real_main() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("lede-bench: error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn real_main() -> Result<()> {
    let args = Args::parse();
    if args.jobs.is_empty() || args.jobs.contains(&0) {
        bail!("--jobs needs values of at least 1");
    }
    fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let system_python = PathBuf::from("python3");
    let corpus_path = corpus::lee_background(
        &args.cache,
        args.python.as_deref().unwrap_or(&system_python),
    )?;
    let articles = corpus::articles(&corpus_path)?;
    let words: usize = articles.iter().map(|a| corpus::words(a)).sum();
    let lines = args.out.join("lee_background.utf8.txt");
    fs::write(&lines, articles.join("\n") + "\n")
        .with_context(|| format!("cannot write {}", lines.display()))?;
    let tiny = args.out.join("one-sentence.txt");
    fs::write(
        &tiny,
        "The minister met the mayor of Sydney on Monday to discuss the fires.\n",
    )?;
    let cpu = cpu_description();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    eprintln!(
        "lede-bench: {} articles, {words} words; CPU: {cpu}; {cores} cores",
        articles.len()
    );

    let peers = match (&args.python, &args.minilm) {
        (Some(py), Some(m)) => Some((py.clone(), m.clone())),
        _ => {
            eprintln!("lede-bench: no --python/--minilm: the peers are not run");
            None
        }
    };

    let mut load = Vec::new();
    for (name, tasks) in LEDE_TASKS {
        let t = timed(&mut lede_command(&args.lede, tasks, 1, &tiny, false))?;
        load.push((name, t.wall_s));
    }
    let load_of = |name: &str| load.iter().find(|(n, _)| *n == name).map(|(_, s)| *s);

    let mut rows = Vec::new();
    for &jobs in &args.jobs {
        for (name, tasks) in LEDE_TASKS {
            eprintln!("lede-bench: lede --tasks {tasks} --jobs {jobs}");
            let t = timed(&mut lede_command(&args.lede, tasks, jobs, &lines, true))?;
            rows.push(lede_row(
                name,
                jobs,
                articles.len(),
                words,
                load_of(name),
                &t,
            )?);
        }
        if let Some((python, minilm)) = &peers {
            for system in ["spacy", "minilm"] {
                eprintln!("lede-bench: {system} --jobs {jobs}");
                let mut cmd = Command::new(python);
                cmd.arg(&args.peers)
                    .args(["--system", system, "--jobs", &jobs.to_string(), "--docs"])
                    .arg(&lines)
                    .arg("--model")
                    .arg(minilm);
                // spaCy: one thread in each of `jobs` processes; the encoder: `jobs` threads.
                let threads = if system == "spacy" { 1 } else { jobs };
                for var in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"] {
                    cmd.env(var, threads.to_string());
                }
                let t = timed(&mut cmd)?;
                rows.push(peer_row(system, jobs, &t)?);
            }
        }
    }

    let mut lengths = Vec::new();
    let full_load = load_of("full").unwrap_or(0.0);
    for &n in &args.lengths {
        // Short documents are repeated up to about LENGTH_RUN_WORDS words, so that every run
        // lasts well beyond the model loading it is charged.
        let copies = LENGTH_RUN_WORDS.div_ceil(n.max(1)).max(1);
        let doc = corpus::long_document(&articles, n);
        let path = args.out.join(format!("long-{n}.jsonl"));
        let mut jsonl = String::new();
        for k in 0..copies {
            jsonl += &serde_json::json!({ "id": format!("long-{n}-{k}"), "text": doc }).to_string();
            jsonl.push('\n');
        }
        fs::write(&path, jsonl).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("lede-bench: {copies} document(s) of {n} words, full analysis");
        // lede counts punctuation as words and refuses documents above --max-words (100,000
        // by default): the curve's longest article is over that once punctuation counts.
        let mut cmd = lede_command(&args.lede, FULL, 1, &path, false);
        cmd.args(["--max-words", &(2 * n).max(100_000).to_string()]);
        let t = timed(&mut cmd)?;
        let total = (n * copies) as f64;
        lengths.push(LengthPoint {
            words: n,
            copies,
            wall_s: t.wall_s,
            words_per_s: total / t.wall_s.max(1e-9),
            words_per_s_loaded: total / (t.wall_s - full_load).max(1e-3),
            peak_rss_mib: t.peak_rss_kib as f64 / 1024.0,
        });
    }

    let report = Report {
        cpu: cpu.clone(),
        cores,
        corpus: format!(
            "{} ({} articles, {words} words)",
            corpus_path.display(),
            articles.len()
        ),
        rows,
        lengths,
    };
    let markdown = render(&report);
    print!("{markdown}");
    fs::write(args.out.join("results.md"), &markdown)?;
    fs::write(
        args.out.join("results.json"),
        serde_json::to_string_pretty(&report)? + "\n",
    )?;
    let png = args.out.join("throughput.png");
    match plot::write_png(
        &png,
        &format!("lede-bench on {cpu}, {cores} cores"),
        &length_series(&report),
        &jobs_series(&report),
    ) {
        Ok(()) => eprintln!("lede-bench: wrote {}", png.display()),
        Err(err) => eprintln!("lede-bench: warning: no plot: {err:#}"),
    }
    eprintln!(
        "lede-bench: wrote {} and results.json",
        args.out.join("results.md").display()
    );
    Ok(())
}

fn lede_command(lede: &Path, tasks: &str, jobs: usize, input: &Path, lines: bool) -> Command {
    let mut cmd = Command::new(lede);
    cmd.args(["--quiet", "analyze", "--format", "jsonl", "--tasks", tasks])
        .args(["--jobs", &jobs.to_string()]);
    if lines {
        cmd.args(["--input-format", "lines"]);
    }
    cmd.arg(input);
    cmd
}

fn lede_row(
    name: &str,
    jobs: usize,
    docs: usize,
    words: usize,
    load_s: Option<f64>,
    t: &Timed,
) -> Result<Row> {
    let mut failed = 0;
    for (_, line) in &t.lines {
        let value: serde_json::Value =
            serde_json::from_str(line).context("lede wrote a line that is not JSON")?;
        if value.get("error").is_some() {
            failed += 1;
        }
    }
    if t.lines.len() != docs {
        bail!(
            "lede --tasks {name} --jobs {jobs} wrote {} results for {docs} documents",
            t.lines.len()
        );
    }
    Ok(Row {
        system: "lede".into(),
        what: name.into(),
        jobs,
        docs,
        words,
        wall_s: t.wall_s,
        load_s,
        first_s: t.first_line_s,
        peak_rss_mib: t.peak_rss_kib as f64 / 1024.0,
        failed,
    })
}

fn peer_row(system: &str, jobs: usize, t: &Timed) -> Result<Row> {
    let mut load_s = None;
    let mut first_s = None;
    let mut done = None;
    for (at, line) in &t.lines {
        let value: serde_json::Value = serde_json::from_str(line)
            .with_context(|| format!("peers.py wrote a line that is not JSON: {line}"))?;
        match value.get("event").and_then(|e| e.as_str()) {
            Some("loaded") => load_s = Some(*at),
            Some("first") => first_s = Some(*at),
            Some("done") => done = Some(value),
            _ => {}
        }
    }
    let done = done.context("peers.py ended without its `done` line")?;
    let count = |key: &str| {
        done.get(key)
            .and_then(|v| v.as_u64())
            .with_context(|| format!("peers.py's `done` line has no `{key}`"))
    };
    let (docs, words) = (count("docs")?, count("words")?);
    // spaCy with n_process > 1 forks workers: their peak (the largest of them, as getrusage
    // reports it) counts once per worker on top of the parent.
    let own = t.peak_rss_kib.max(count("peak_rss_kib")?);
    let children = count("children_peak_rss_kib")?;
    let workers = if system == "spacy" && jobs > 1 {
        jobs
    } else {
        0
    };
    let (name, what) = match system {
        "spacy" => ("spaCy en_core_web_sm 3.8", "nlp.pipe"),
        _ => ("MiniLM-L6 (transformers, torch)", "encoder pass"),
    };
    Ok(Row {
        system: name.into(),
        what: what.into(),
        jobs,
        docs: usize::try_from(docs)?,
        words: usize::try_from(words)?,
        wall_s: t.wall_s,
        load_s,
        first_s,
        peak_rss_mib: (own + children * workers as u64) as f64 / 1024.0,
        failed: 0,
    })
}

fn find<'a>(report: &'a Report, system: &str, what: &str, jobs: usize) -> Option<&'a Row> {
    report
        .rows
        .iter()
        .find(|r| r.system.starts_with(system) && r.what == what && r.jobs == jobs)
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v:.digits$}"))
}

fn render(report: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "## lede-bench\n");
    let _ = writeln!(
        s,
        "CPU: {}, {} cores. Corpus: {}.\n",
        report.cpu, report.cores, report.corpus
    );
    let _ = writeln!(
        s,
        "| system | tasks | jobs | docs | words | wall s | docs/s | words/s | load s | first result s | peak RSS MiB | failed |"
    );
    let _ = writeln!(
        s,
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for r in &report.rows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {:.2} | {:.1} | {:.0} | {} | {} | {:.0} | {} |",
            r.system,
            r.what,
            r.jobs,
            r.docs,
            r.words,
            r.wall_s,
            r.docs as f64 / r.wall_s.max(1e-9),
            r.words_per_s(),
            opt(r.load_s, 2),
            opt(r.first_s, 2),
            r.peak_rss_mib,
            r.failed
        );
    }
    let jobs: Vec<usize> = {
        let mut j: Vec<usize> = report.rows.iter().map(|r| r.jobs).collect();
        j.dedup();
        j
    };
    let ratio = |a: Option<&Row>, b: Option<&Row>| match (a, b) {
        (Some(a), Some(b)) => Some(a.words_per_s() / b.words_per_s().max(1e-9)),
        _ => None,
    };
    let _ = writeln!(s, "\nRatios of words/s (lede / peer; targets: full analysis ≥ 1.5x spaCy sm at --jobs 2, NER ≥ 1.5x the Python encoder):\n");
    let _ = writeln!(
        s,
        "| jobs | lede full / spaCy sm | lede NER / Python MiniLM |"
    );
    let _ = writeln!(s, "|---:|---:|---:|");
    for &j in &jobs {
        let full = ratio(
            find(report, "lede", "full", j),
            find(report, "spaCy", "nlp.pipe", j),
        );
        let ner = ratio(
            find(report, "lede", "ner", j),
            find(report, "MiniLM", "encoder pass", j),
        );
        let _ = writeln!(s, "| {j} | {} | {} |", opt(full, 2), opt(ner, 2));
    }
    if !report.lengths.is_empty() {
        let _ = writeln!(
            s,
            "\nDocuments of N words (repeated to at least {LENGTH_RUN_WORDS} words per run), full analysis, --jobs 1; words/s loaded: wall time minus the one-sentence run's:\n"
        );
        let _ = writeln!(
            s,
            "| words per document | documents | wall s | words/s | words/s loaded | peak RSS MiB |"
        );
        let _ = writeln!(s, "|---:|---:|---:|---:|---:|---:|");
        for p in &report.lengths {
            let _ = writeln!(
                s,
                "| {} | {} | {:.2} | {:.0} | {:.0} | {:.0} |",
                p.words, p.copies, p.wall_s, p.words_per_s, p.words_per_s_loaded, p.peak_rss_mib
            );
        }
    }
    s
}

fn length_series(report: &Report) -> Vec<plot::Series> {
    vec![
        plot::Series {
            name: "words/s, models loaded".into(),
            points: report
                .lengths
                .iter()
                .map(|p| (p.words as f64, p.words_per_s_loaded))
                .collect(),
        },
        plot::Series {
            name: "words/s, loading included".into(),
            points: report
                .lengths
                .iter()
                .map(|p| (p.words as f64, p.words_per_s))
                .collect(),
        },
    ]
}

fn jobs_series(report: &Report) -> Vec<plot::Series> {
    let lines = [
        ("lede full analysis", "lede", "full"),
        ("lede NER", "lede", "ner"),
        ("spaCy sm nlp.pipe", "spaCy", "nlp.pipe"),
        ("Python MiniLM encoder", "MiniLM", "encoder pass"),
    ];
    lines
        .iter()
        .map(|&(name, system, what)| plot::Series {
            name: name.into(),
            points: report
                .rows
                .iter()
                .filter(|r| r.system.starts_with(system) && r.what == what)
                .map(|r| (r.jobs as f64, r.words_per_s()))
                .collect(),
        })
        .filter(|s| !s.points.is_empty())
        .collect()
}

/// "model name (AVX-512|AVX2 only|…)" from /proc/cpuinfo.
fn cpu_description() -> String {
    let info = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |key: &str| {
        info.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_owned())
    };
    let model = field("model name").unwrap_or_else(|| "unknown CPU".into());
    let flags = field("flags").unwrap_or_default();
    let has = |f: &str| flags.split_whitespace().any(|x| x == f);
    let simd = if has("avx512f") {
        "AVX-512"
    } else if has("avx2") {
        "AVX2, no AVX-512"
    } else {
        "no AVX2"
    };
    format!("{model} ({simd})")
}
