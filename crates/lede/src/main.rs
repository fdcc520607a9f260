//! The `lede` command-line tool: analyse news articles into JSON, text or HTML.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use cli::batch::{run_batch, Admission, Finished, Outcome};
use cli::input::{expand_sources, read_source, Encoding, InputFormat, InputOptions, InputSource};
use cli::output::{
    error_path, error_record, output_path, probe_writable, remove_stale_temps, render_text,
    write_atomic, Format,
};
use lede::{Analyzer, AnalyzerPool, ModelChoice, StreamOptions, Tasks};
use serde::Deserialize;

mod cli;
mod commands;
mod summary_data;
mod train;

const EXIT_DOC_FAILED: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_FATAL: u8 = 3;

/// A usage error found after clap's parsing (a bad `--tasks` item, a bad `--config` file or
/// value): exit code 2, as for clap's own.
#[derive(Debug)]
struct Usage(String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// `Err` of a [`Usage`] error.
fn usage<T>(msg: impl Into<String>) -> Result<T> {
    Err(anyhow::Error::new(Usage(msg.into())))
}

const AFTER_HELP: &str = "\
Examples:
  lede analyze seeds/belarus-pardons-efe.txt            one article, JSON to stdout
  lede analyze --format text article.txt                a readable report
  lede analyze --format html article.txt > report.html  a self-contained HTML report
  cat article.txt | lede analyze -                      from stdin
  lede analyze --format jsonl --jobs 2 corpus/          a directory, one JSON line per article
  lede analyze --input-format jsonl feed.jsonl          {\"id\":..,\"text\":..,\"title\":..} per line
  lede analyze --out results/ --resume corpus/          one file per article; rerun to continue

Exit codes:
  0  every document was analysed
  1  at least one document failed (each failure is reported; the others are analysed)
  2  usage error (bad option or argument)
  3  fatal error (models could not be loaded, output directory not writable, ...)
  130, 143  interrupted by SIGINT (Ctrl-C) or SIGTERM: the documents in flight were finished
     and written, later inputs were not read (rerun with --resume); a second signal quits at once

Environment:
  LEDE_CACHE_DIR    cache root for libtorch and model files (default ~/.cache/lede)
  LEDE_MODELS_DIR   extra directory searched for project models by name
  LEDE_LOG          log filter, as --log-level (e.g. debug, lede=trace)";

/// lede: entities, relations, a summary and who said what, from news articles.
#[derive(Debug, Parser)]
#[command(name = "lede", version, about, long_about = None, after_help = AFTER_HELP)]
struct Cli {
    /// Print nothing on stderr but errors.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Log level for stderr: error, warn, info, debug, trace (or a tracing filter).
    #[arg(long, global = true, env = "LEDE_LOG")]
    log_level: Option<String>,
    /// TOML file with default options (keys as the long options, e.g. `jobs = 2`).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Analyse articles: sentences, entities, relations, summary, quotes.
    Analyze(AnalyzeArgs),
    /// Measure quality against gold annotations.
    #[command(subcommand)]
    Eval(commands::EvalCommand),
    /// Show which model each task uses and whether its files are present.
    Models(ModelArgs),
    /// Train a model: the offline NER model, the summary's sentence scorer or the relation pair classifier.
    #[command(subcommand)]
    Train(train::TrainCommand),
}

/// Options shared by everything that loads models.
#[derive(Debug, Args, Clone)]
pub(crate) struct ModelArgs {
    /// Model set: `offline` (default; no network), `standard` (hub models, needs the `remote`
    /// build feature), a manifest .toml, or a model directory to use for NER.
    #[arg(long, value_name = "offline|standard|PATH")]
    pub models: Option<String>,
    /// Never download models, even when built with the `remote` feature.
    #[arg(long)]
    pub offline: bool,
    /// Precision of the offline NER encoder's linear layers, and of the relation classifier's
    /// first layer with it: int8 (NER about 1.5x faster than fp32, exact F1 0.006 lower on the
    /// hand-labelled dev split) or fp32 (as trained). docs/PERFORMANCE.md has the speed and
    /// quality of each [default: int8].
    #[arg(long, value_name = "int8|fp32")]
    pub precision: Option<lede::Precision>,
}

#[derive(Debug, Args)]
struct AnalyzeArgs {
    /// Files, directories (walked recursively) or `-` for stdin.
    #[arg(value_name = "INPUT", required = true)]
    inputs: Vec<String>,
    /// Output format: json, jsonl, text or html [default: json].
    #[arg(long, short)]
    format: Option<Format>,
    /// Write one file per input into DIR (atomically) instead of stdout.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// With --out: skip inputs whose output already exists.
    #[arg(long, requires = "out")]
    resume: bool,
    /// Documents analysed in parallel, each worker with its own models [default: 1]; at most
    /// one per input when the inputs are plain-text files.
    #[arg(long, short)]
    jobs: Option<usize>,
    /// Cores this process may use [default: all it sees]: the --jobs workers and their
    /// libtorch threads share them (workers x threads never exceed them). A worker in a
    /// cluster task (Spark, docs/SCALING.md) passes the cores its task was given.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    cores: Option<u64>,
    /// Emit results as they finish instead of in input order.
    #[arg(long)]
    unordered: bool,
    /// With directories: only files matching this glob (repeatable) [default: *.txt, *.jsonl
    /// and files without extension].
    #[arg(long, value_name = "GLOB")]
    glob: Vec<String>,
    /// How files become documents: auto, text, jsonl, lines [default: auto: `.jsonl` files
    /// are JSON Lines, others one document per file].
    #[arg(long, value_name = "FORMAT")]
    input_format: Option<InputFormat>,
    /// Text encoding of inputs: utf8 or latin1 [default: utf8].
    #[arg(long)]
    encoding: Option<Encoding>,
    /// Largest document accepted, in bytes [default: 10000000].
    #[arg(long, value_name = "BYTES")]
    max_bytes: Option<u64>,
    /// Most words (punctuation included) in a document the models analyse; a longer one gets
    /// an error record. Time and memory grow with the words: at the default a worker peaks at
    /// about 2 GB (docs/RELIABILITY.md) [default: 100000].
    #[arg(long, value_name = "WORDS")]
    max_words: Option<u64>,
    /// Tasks to run, comma-separated: ner, relations, summary, quotes, or none [default: all].
    #[arg(long, value_delimiter = ',', value_name = "TASKS")]
    tasks: Option<Vec<String>>,
    /// Include word tokens in JSON output.
    #[arg(long)]
    tokens: bool,
    /// Include each document's text in `document.text` of the JSON output.
    #[arg(long)]
    include_text: bool,
    /// Sentences in the summary [default: 3].
    #[arg(long, value_name = "N", conflicts_with = "summary_words")]
    summary_sentences: Option<usize>,
    /// A word budget for the summary instead of a sentence count: sentences are added in
    /// order of their score while the summary stays within N words (the first one always).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    summary_words: Option<u64>,
    /// Score summary sentences with the hand-set weights instead of the trained sentence
    /// scorer (models/summarize/sentence-scorer.json, used by default when NER runs).
    #[arg(long)]
    summary_hand_weights: bool,
    #[command(flatten)]
    model: ModelArgs,
}

/// Options read from `--config FILE`; the command line wins.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConfigFile {
    format: Option<String>,
    jobs: Option<usize>,
    cores: Option<u64>,
    models: Option<String>,
    offline: Option<bool>,
    max_bytes: Option<u64>,
    max_words: Option<u64>,
    tasks: Option<Vec<String>>,
    summary_sentences: Option<usize>,
    summary_words: Option<u64>,
    summary_hand_weights: Option<bool>,
    encoding: Option<String>,
    input_format: Option<String>,
    glob: Option<Vec<String>>,
    log_level: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match load_config(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("lede: {}", chain(&e));
            return ExitCode::from(EXIT_USAGE);
        }
    };
    init_logging(
        cli.quiet,
        cli.log_level.as_deref().or(config.log_level.as_deref()),
    );
    let result = match cli.command {
        Command::Analyze(args) => analyze(args, &config, cli.quiet),
        Command::Eval(cmd) => commands::eval(cmd).map(|_| 0),
        Command::Models(args) => commands::models(&args).map(|_| 0),
        Command::Train(cmd) => train::run(cmd).map(|_| 0),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("lede: {}", chain(&e));
            if e.downcast_ref::<Usage>().is_some() {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::from(EXIT_FATAL)
            }
        }
    }
}

/// An error and its causes on one line, each cause once: a message that already quotes its
/// cause (as many I/O and JSON errors do) is not followed by it again.
fn chain(e: &anyhow::Error) -> String {
    let outer: &(dyn std::error::Error + 'static) = e.as_ref();
    lede::error_chain(outer)
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn load_config(path: Option<&Path>) -> Result<ConfigFile> {
    let Some(path) = path else {
        return Ok(ConfigFile::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("invalid config {}", path.display()))
}

fn init_logging(quiet: bool, level: Option<&str>) {
    let filter = if quiet {
        "error".to_string()
    } else {
        level.unwrap_or("info").to_string()
    };
    let filter = tracing_subscriber::EnvFilter::try_new(&filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .without_time()
        .try_init();
}

fn parse_tasks(list: &[String], tokens: bool) -> Result<Tasks> {
    let mut t = Tasks::none();
    t.tokens = tokens;
    for item in list {
        match item.trim() {
            "ner" | "entities" => t.ner = true,
            "relations" => {
                t.ner = true;
                t.relations = true
            }
            "summary" => t.summary = true,
            "quotes" => t.quotes = true,
            "all" => {
                t = Tasks::all();
                t.tokens = tokens;
            }
            "none" | "" => {}
            other => {
                return usage(format!(
                    "unknown task {other:?} (use ner, relations, summary, quotes, all or none)"
                ))
            }
        }
    }
    Ok(t)
}

pub(crate) fn builder_from(
    model: &ModelArgs,
    config: Option<(&Option<String>, bool)>,
) -> lede::AnalyzerBuilder {
    let models = model
        .models
        .clone()
        .or_else(|| config.and_then(|c| c.0.clone()))
        .unwrap_or_else(|| "offline".into());
    let offline = model.offline || config.is_some_and(|c| c.1);
    let builder = Analyzer::builder()
        .models(models.parse().unwrap_or(ModelChoice::Offline))
        .offline(offline);
    match model.precision {
        Some(p) => builder.precision(p),
        None => builder,
    }
}

fn analyze(args: AnalyzeArgs, cfg: &ConfigFile, quiet: bool) -> Result<u8> {
    let format = match (args.format, &cfg.format) {
        (Some(f), _) => f,
        (None, Some(s)) => s
            .parse()
            .or_else(|e: String| usage(format!("config: {e}")))?,
        (None, None) => Format::Json,
    };
    let encoding = match (args.encoding, &cfg.encoding) {
        (Some(e), _) => e,
        (None, Some(s)) => s
            .parse()
            .or_else(|e: String| usage(format!("config: {e}")))?,
        (None, None) => Encoding::Utf8,
    };
    let input_format = match (args.input_format, &cfg.input_format) {
        (Some(f), _) => f,
        (None, Some(s)) => s
            .parse()
            .or_else(|e: String| usage(format!("config: {e}")))?,
        (None, None) => InputFormat::Auto,
    };
    // From here on, a first SIGINT or SIGTERM stops reading inputs and lets the documents in
    // flight finish (cli::signals); a second one exits at once.
    let interrupt = cli::signals::Interrupt::install()
        .context("cannot install the SIGINT and SIGTERM handlers")?;
    let max_bytes = args.max_bytes.or(cfg.max_bytes).unwrap_or(10_000_000);
    let jobs = args.jobs.or(cfg.jobs).unwrap_or(1).max(1);
    let tasks = match args.tasks.as_ref().or(cfg.tasks.as_ref()) {
        Some(list) => parse_tasks(list, args.tokens)?,
        None => Tasks {
            tokens: args.tokens,
            ..Tasks::all()
        },
    };
    let mut tasks = tasks;
    tasks.text = args.include_text || format == Format::Html;
    let globs = if args.glob.is_empty() {
        cfg.glob.clone().unwrap_or_default()
    } else {
        args.glob.clone()
    };
    let in_opts = InputOptions {
        format: input_format,
        encoding,
        max_bytes,
        globs,
    };
    let mut builder = builder_from(
        &args.model,
        Some((&cfg.models, cfg.offline.unwrap_or(false))),
    )
    .tasks(tasks)
    .max_bytes(usize::try_from(max_bytes).unwrap_or(usize::MAX));
    if let Some(words) = args.max_words.or(cfg.max_words) {
        builder = builder.max_words(usize::try_from(words).unwrap_or(usize::MAX));
    }
    match (
        args.summary_sentences,
        args.summary_words,
        cfg.summary_sentences,
        cfg.summary_words,
    ) {
        (Some(n), _, _, _) => builder = builder.summary_sentences(n),
        (None, Some(w), _, _) | (None, None, _, Some(w)) => {
            builder = builder.summary_words(usize::try_from(w).unwrap_or(usize::MAX));
        }
        (None, None, Some(n), None) => builder = builder.summary_sentences(n),
        (None, None, None, None) => {}
    }
    if args.summary_hand_weights || cfg.summary_hand_weights.unwrap_or(false) {
        builder = builder.summary_hand_weights(true);
    }
    // An output directory that cannot take files (read-only, full) stops the run before any
    // model is loaded or document analysed; stale temporary files of killed runs go.
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create output directory {}", dir.display()))?;
        probe_writable(dir)
            .with_context(|| format!("cannot write into the output directory {}", dir.display()))?;
        let removed = remove_stale_temps(dir);
        if removed > 0 {
            tracing::info!(removed, "removed temporary files left by killed runs");
        }
    }
    let sources: Vec<InputSource> = args
        .inputs
        .iter()
        .map(|a| InputSource::from_arg(a))
        .collect();
    let sources = expand_sources(&sources, &in_opts);
    let file_count = sources.len();
    // `--format json` prints one object for one plain-text file (or stdin) named on the
    // command line, else an array (directories always give an array).
    let single = args.inputs.len() == 1
        && match &sources[..] {
            [InputSource::Stdin] => {
                !matches!(input_format, InputFormat::Jsonl | InputFormat::Lines)
            }
            [InputSource::Path(p)] if !Path::new(&args.inputs[0]).is_dir() => match input_format {
                InputFormat::Text => true,
                InputFormat::Auto => !p.to_string_lossy().ends_with(".jsonl"),
                _ => false,
            },
            _ => false,
        };
    // The pool applies lede-models' ThreadPlan (workers and libtorch threads) and loads the
    // models once up front, so that a model problem is one clear fatal error, not one per
    // document; each worker then builds its own instance on its first document. No more
    // workers than documents when the inputs are plain-text files (one document each): one
    // article with `--jobs 2` then runs on one worker with both cores' libtorch threads.
    let text_files = sources.iter().all(|s| match s {
        InputSource::Path(p) => match input_format {
            InputFormat::Text => true,
            InputFormat::Auto => {
                let name = p.to_string_lossy();
                !name.ends_with(".jsonl") && !name.ends_with(".ndjson")
            }
            _ => false,
        },
        _ => false,
    });
    let jobs = if text_files {
        jobs.min(file_count.max(1))
    } else {
        jobs
    };
    let mut pool = AnalyzerPool::builder(builder).jobs(jobs);
    if let Some(cores) = args.cores.or(cfg.cores) {
        pool = pool.cores(usize::try_from(cores).unwrap_or(usize::MAX));
    }
    let pool = pool.build().context("cannot load models")?;
    tracing::debug!(models = ?pool.provenance(), jobs = pool.workers(), "models ready");

    // The first write error stops the run: no further input is read (the documents already
    // in flight finish but are not written).
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reading = stop.clone();
    let signalled = interrupt.clone();
    let inputs = sources
        .into_iter()
        .flat_map(move |s| read_source(&s, &in_opts))
        .take_while(move |_| {
            !reading.load(std::sync::atomic::Ordering::SeqCst) && !signalled.fired()
        });

    let out_dir = args.out.clone();
    let resume = args.resume;
    // Under --out every id names one file: a repeated id (`"id": 7` and `"id": "7"` are one)
    // would overwrite an earlier document's output, so it fails instead, with a record saying
    // why. The set holds the ids of this run only (memory: the ids, not the documents).
    let mut seen_ids = std::collections::HashSet::new();
    let admit = move |id: &str| {
        let Some(dir) = out_dir.as_ref() else {
            return Admission::Analyse;
        };
        if !seen_ids.insert(id.to_string()) {
            return Admission::Reject(format!(
                "{id}: duplicate id: an earlier input of this run has the same id, and its \
                 output {} would be overwritten; give every input its own id",
                output_path(dir, id, format).display()
            ));
        }
        if resume && output_path(dir, id, format).exists() {
            Admission::Skip
        } else {
            Admission::Analyse
        }
    };

    let mut progress = Progress::new(quiet, file_count);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut emitted = 0usize;
    let mut written = 0usize;
    let mut unwritten = 0usize;
    let mut io_error: Option<anyhow::Error> = None;
    let sink = |f: Finished| {
        progress.record(&f);
        if io_error.is_some() {
            unwritten += usize::from(matches!(f.outcome, Outcome::Analysed(_)));
            return;
        }
        let r = emit(
            &f,
            format,
            args.out.as_deref(),
            &mut out,
            &mut emitted,
            single,
        );
        match r {
            Ok(()) => written += usize::from(matches!(f.outcome, Outcome::Analysed(_))),
            Err(e) => {
                unwritten += usize::from(matches!(f.outcome, Outcome::Analysed(_)));
                stop.store(true, std::sync::atomic::Ordering::SeqCst);
                io_error = Some(e);
            }
        }
    };
    let opts = StreamOptions {
        ordered: !args.unordered,
        max_in_flight: 4 * pool.workers(),
    };
    let stats = run_batch(&pool, inputs, opts, admit, sink);
    progress.finish();
    if let Some(e) = io_error {
        eprintln!(
            "lede: stopped at the first write error: {written} analyses written, {unwritten} \
             analysed but not written; the inputs after them were not read"
        );
        return Err(e);
    }
    if format == Format::Json && args.out.is_none() && !single {
        out.write_all(if emitted == 0 { b"[]\n" } else { b"\n]\n" })?;
    }
    out.flush()?;
    if let Some((signal, status)) = interrupt.received() {
        let resume = if args.out.is_some() {
            "; run the same command with --resume to analyse the rest"
        } else {
            ""
        };
        eprintln!(
            "lede: interrupted by {signal}: {} analysed, {} failed, {} skipped; the documents \
             in flight were finished, the inputs after them were not read{resume}",
            stats.analysed, stats.failed, stats.skipped
        );
        return Ok(status);
    }
    if !quiet && (stats.analysed + stats.failed + stats.skipped > 1 || stats.failed > 0) {
        eprintln!(
            "lede: {} analysed, {} failed, {} skipped",
            stats.analysed, stats.failed, stats.skipped
        );
    }
    Ok(if stats.failed > 0 { EXIT_DOC_FAILED } else { 0 })
}

/// Writes one finished document to stdout or `--out`.
fn emit(
    f: &Finished,
    format: Format,
    out_dir: Option<&Path>,
    out: &mut impl Write,
    emitted: &mut usize,
    single: bool,
) -> Result<()> {
    match &f.outcome {
        Outcome::Skipped => Ok(()),
        Outcome::Failed(msg) | Outcome::Rejected(msg) => {
            eprintln!("lede: {}", cli::output::escape_controls(msg));
            if let Some(dir) = out_dir {
                let rec = serde_json::to_vec_pretty(&error_record(&f.id, msg))?;
                // A rejected input repeats an earlier id: its record gets a name of its own
                // (id and position), so it never replaces or is removed with that id's files.
                let path = match &f.outcome {
                    Outcome::Rejected(_) => error_path(dir, &format!("{}#{}", f.id, f.seq + 1)),
                    _ => error_path(dir, &f.id),
                };
                write_atomic(&path, &rec)
                    .with_context(|| format!("cannot write into {}", dir.display()))?;
            } else if format == Format::Jsonl {
                // One record per input line, flushed like an analysis: a streaming reader
                // (a Spark task, docs/SCALING.md) sees it without waiting for the next input.
                serde_json::to_writer(&mut *out, &error_record(&f.id, msg))?;
                writeln!(out)?;
                out.flush()?;
            }
            Ok(())
        }
        Outcome::Analysed(a) => {
            let body = match format {
                Format::Json => serde_json::to_string_pretty(a.as_ref())?,
                Format::Jsonl => serde_json::to_string(a.as_ref())?,
                Format::Text => render_text(a),
                Format::Html => cli::output::render_html(a),
            };
            if let Some(dir) = out_dir {
                let path = output_path(dir, &f.id, format);
                // A .jsonl file is one JSON line with its newline, so `cat DIR/*.jsonl` is JSONL.
                let newline: &[u8] = if format == Format::Jsonl { b"\n" } else { b"" };
                write_atomic(&path, &[body.as_bytes(), newline].concat())
                    .with_context(|| format!("cannot write {}", path.display()))?;
                let _ = std::fs::remove_file(error_path(dir, &f.id));
                return Ok(());
            }
            match format {
                Format::Json => {
                    // Several documents stream as one JSON array.
                    if !single {
                        out.write_all(if *emitted == 0 { b"[\n" } else { b",\n" })?;
                    }
                    out.write_all(body.as_bytes())?;
                    if single {
                        out.write_all(b"\n")?;
                    }
                }
                Format::Jsonl => {
                    out.write_all(body.as_bytes())?;
                    out.write_all(b"\n")?;
                }
                Format::Text | Format::Html => {
                    out.write_all(body.as_bytes())?;
                    out.write_all(b"\n")?;
                }
            }
            *emitted += 1;
            out.flush()?;
            Ok(())
        }
    }
}

/// Progress on stderr: a bar on a terminal, log lines otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    quiet: bool,
    start: Instant,
    last_log: Instant,
    docs: usize,
    failed: usize,
    words: usize,
}

impl Progress {
    fn new(quiet: bool, files: usize) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} {pos} docs  {msg}  [{elapsed_precise}]",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            if files > 1 {
                bar.set_length(files as u64);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{bar:30} {pos}/{len} docs  {msg}  ETA {eta}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
            }
            bar
        });
        let now = Instant::now();
        Progress {
            bar,
            quiet,
            start: now,
            last_log: now,
            docs: 0,
            failed: 0,
            words: 0,
        }
    }

    fn record(&mut self, f: &Finished) {
        self.docs += 1;
        self.words += f.words;
        if matches!(f.outcome, Outcome::Failed(_) | Outcome::Rejected(_)) {
            self.failed += 1;
        }
        let secs = self.start.elapsed().as_secs_f64().max(1e-3);
        let wps = self.words as f64 / secs;
        if let Some(bar) = &self.bar {
            bar.inc(1);
            bar.set_message(format!("{wps:.0} words/s, {} failed", self.failed));
        } else if !self.quiet && self.last_log.elapsed() >= Duration::from_secs(5) {
            self.last_log = Instant::now();
            tracing::info!(
                "{} documents ({} failed), {:.0} words/s",
                self.docs,
                self.failed,
                wps
            );
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        if !self.quiet && self.docs > 1 {
            let secs = self.start.elapsed().as_secs_f64().max(1e-3);
            tracing::info!(
                "done: {} documents in {:.1}s, {:.0} words/s",
                self.docs,
                secs,
                self.words as f64 / secs
            );
        }
    }
}
