//! Throughput and peak memory of the offline NER model.
//!
//! ```text
//! cargo run --release -p lede-ner --example bench_ner -- \
//!     --model models/lede-ner-minilm --base ~/.cache/lede/models/all-MiniLM-L6-v2 \
//!     --threads 2 --text seeds/belarus-pardons-efe.txt --repeat 20 \
//!     --dir ~/.cache/lede/ner-data/docs --ids ~/.cache/lede/ner-data/dev-ids.txt
//! ```
//!
//! Words are whitespace-separated tokens of the input. `--text` runs one long document (the
//! file repeated `--repeat` times); `--dir`/`--ids` runs many short documents one call each,
//! then batched (`mentions_batch`, 8 at a time). Peak memory is `VmHWM` of this process.
//! `--show yes` prints the mentions of the `--text` file once.
mod common;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use lede_ner::offline::OfflineNer;

fn vm_hwm_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// CPU seconds (user + system) this process has used, from `/proc/self/stat`.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the full line: 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// Wall-clock and CPU throughput of `f` over `words` words.
fn measure<T>(
    words: usize,
    f: impl FnOnce() -> Result<T, Box<dyn std::error::Error>>,
) -> Result<(T, String), Box<dyn std::error::Error>> {
    let (t, c) = (Instant::now(), cpu_seconds());
    let out = f()?;
    let (wall, cpu) = (t.elapsed().as_secs_f64(), cpu_seconds() - c);
    Ok((
        out,
        format!(
            "{wall:.2}s wall, {:.0} words/s; {cpu:.2} CPU s, {:.0} words per CPU second",
            words as f64 / wall,
            words as f64 / cpu.max(1e-9)
        ),
    ))
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args = common::command_line()?;
    let (mut text, mut dir, mut ids) = (None, None, None);
    let mut repeat = 10usize;
    let mut threads = 2i32;
    let mut batch = 8usize;
    let mut show = false;
    for (flag, v) in args.rest {
        match flag.as_str() {
            "--text" => text = Some(PathBuf::from(v)),
            "--dir" => dir = Some(PathBuf::from(v)),
            "--ids" => ids = Some(PathBuf::from(v)),
            "--repeat" => repeat = v.parse()?,
            "--threads" => threads = v.parse()?,
            "--batch" => batch = v.parse()?,
            "--show" => show = v == "yes",
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    tch::set_num_threads(threads);
    let t0 = Instant::now();
    let ner = OfflineNer::builder(&args.model, &args.base)
        .batch_size(batch)
        .build()?;
    println!(
        "load: {:.2}s (threads {threads}, batch {batch})",
        t0.elapsed().as_secs_f64()
    );
    // Warm-up.
    ner.mentions("Ales Bialiatski was freed in Minsk on Tuesday.")?;
    if let Some(text) = text {
        let one = std::fs::read_to_string(&text)?;
        if show {
            for m in ner.mentions(&one)? {
                println!(
                    "{:>6}..{:<6} {:<8} {:.2} {}",
                    m.span.start, m.span.end, m.label, m.score, m.text
                );
            }
        }
        let long = vec![one.as_str(); repeat].join("\n\n");
        let words = long.split_whitespace().count();
        let (m, timing) = measure(words, || Ok(ner.mentions(&long)?))?;
        println!(
            "long document ({} x{repeat}): {words} words, {} mentions: {timing}",
            text.display(),
            m.len()
        );
    }
    if let (Some(dir), Some(ids)) = (dir, ids) {
        let ids = std::fs::read_to_string(&ids)?;
        let texts: Vec<String> = ids
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|id| std::fs::read_to_string(dir.join(format!("{}.txt", id.trim()))))
            .collect::<Result<_, _>>()?;
        let words: usize = texts.iter().map(|t| t.split_whitespace().count()).sum();
        let (n, timing) = measure(words, || {
            let mut n = 0;
            for text in &texts {
                n += ner.mentions(text)?.len();
            }
            Ok(n)
        })?;
        println!(
            "{} documents one by one: {words} words, {n} mentions: {timing}",
            texts.len()
        );
        let (n, timing) = measure(words, || {
            let mut n = 0;
            for chunk in texts.chunks(8) {
                let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
                n += ner
                    .mentions_batch(&refs)?
                    .iter()
                    .map(Vec::len)
                    .sum::<usize>();
            }
            Ok(n)
        })?;
        println!(
            "{} documents batched by 8: {words} words, {n} mentions: {timing}",
            texts.len()
        );
    }
    if let Some(mb) = vm_hwm_mb() {
        println!("peak memory (VmHWM): {mb:.0} MB");
    }
    Ok(())
}

fn main() -> ExitCode {
    common::exit_code(run())
}
