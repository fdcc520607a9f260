//! What the NER examples share.

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;

/// An example's command line: the `--model DIR --base DIR` that every example needs, and the
/// other `--flag value` pairs in order.
pub struct CommandLine {
    /// The offline NER model (`--model`).
    pub model: PathBuf,
    /// Its base encoder (`--base`).
    pub base: PathBuf,
    /// The other flags and their values.
    pub rest: Vec<(String, String)>,
}

/// Reads the command line as `--flag value` pairs.
///
/// # Errors
/// A flag without a value, or `--model` or `--base` missing.
pub fn command_line() -> Result<CommandLine, Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let (mut model, mut base, mut rest) = (None, None, Vec::new());
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--model" => model = Some(PathBuf::from(value)),
            "--base" => base = Some(PathBuf::from(value)),
            _ => rest.push((flag, value)),
        }
    }
    let (Some(model), Some(base)) = (model, base) else {
        return Err("need --model and --base".into());
    };
    Ok(CommandLine { model, base, rest })
}

/// The exit code of an example's `run`: success, or failure with the error on stderr.
pub fn exit_code(result: Result<(), Box<dyn Error>>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
