//! Prints the sentences of a file, one per line, with their byte spans.
//!
//! ```text
//! cargo run -p lede-tokenize --example split -- seeds/belarus-pardons-efe.txt
//! ```

use std::io::Write;
use std::process::ExitCode;

use lede_core::SentenceSplitter;
use lede_tokenize::NewsSentenceSplitter;

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: split FILE");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("split: cannot read {}: {err}", path.to_string_lossy());
            return ExitCode::FAILURE;
        }
    };
    let sentences = NewsSentenceSplitter::default().split(&text);
    let mut out = std::io::stdout().lock();
    let mut print = || -> std::io::Result<()> {
        writeln!(out, "{} sentences", sentences.len())?;
        for (i, s) in sentences.iter().enumerate() {
            writeln!(
                out,
                "{:>3} [{}..{}] {}",
                i + 1,
                s.span.start,
                s.span.end,
                s.text
            )?;
        }
        out.flush()
    };
    match print() {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`| head`) is not an error worth reporting.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("split: {err}");
            ExitCode::FAILURE
        }
    }
}
