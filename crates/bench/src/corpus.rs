//! The benchmark corpus: gensim's `lee_background.cor` (300 ABC news articles, one per line,
//! Latin-1), taken from the gensim wheel on PyPI into lede's cache, and longer documents built
//! from it for the length curve.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

/// The gensim release whose wheel carries the corpus.
const GENSIM: &str = "gensim==4.4.0";
const MEMBER: &str = "gensim/test/test_data/lee_background.cor";

/// `CACHE/corpora/lee_background.cor`, downloaded once (the same file `scripts/bench-batch.sh`
/// uses).
pub fn lee_background(cache: &Path, python: &Path) -> Result<PathBuf> {
    let corpus = cache.join("corpora").join("lee_background.cor");
    if corpus.is_file() {
        return Ok(corpus);
    }
    let downloads = cache.join("downloads");
    fs::create_dir_all(&downloads)
        .with_context(|| format!("cannot create {}", downloads.display()))?;
    let status = Command::new(python)
        .args([
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
        ])
        .arg(GENSIM)
        .arg("-d")
        .arg(&downloads)
        .status()
        .with_context(|| format!("cannot run {} -m pip", python.display()))?;
    if !status.success() {
        bail!("`pip download {GENSIM}` failed ({status})");
    }
    let wheel = fs::read_dir(&downloads)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("gensim-4.4.0-") && n.ends_with(".whl"))
        })
        .max()
        .context("pip reported success but no gensim 4.4.0 wheel is in the downloads folder")?;
    let file =
        fs::File::open(&wheel).with_context(|| format!("cannot open {}", wheel.display()))?;
    let mut archive = zip::ZipArchive::new(file)
        .with_context(|| format!("{} is not a zip archive", wheel.display()))?;
    let mut bytes = Vec::new();
    archive
        .by_name(MEMBER)
        .with_context(|| format!("{} has no {MEMBER}", wheel.display()))?
        .read_to_end(&mut bytes)?;
    let dir = cache.join("corpora");
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let partial = dir.join("lee_background.cor.partial");
    fs::write(&partial, &bytes).with_context(|| format!("cannot write {}", partial.display()))?;
    fs::rename(&partial, &corpus)?;
    Ok(corpus)
}

/// The articles of a Latin-1, one-article-per-line corpus, trimmed, empty lines left out.
pub fn articles(corpus: &Path) -> Result<Vec<String>> {
    let bytes = fs::read(corpus).with_context(|| format!("cannot read {}", corpus.display()))?;
    // Latin-1: every byte is the code point of the same value.
    let text: String = bytes.iter().map(|&b| char::from(b)).collect();
    let out: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if out.is_empty() {
        bail!("{} holds no articles", corpus.display());
    }
    Ok(out)
}

/// Whitespace-separated words: the one word count used for every system.
pub fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// One document of exactly `n` words (when the corpus has any): the articles in order, as
/// paragraphs, repeated as often as needed, the last one cut.
pub fn long_document(articles: &[String], n: usize) -> String {
    let mut out = String::new();
    let mut left = if articles.iter().all(|a| words(a) == 0) {
        0
    } else {
        n
    };
    for article in articles.iter().cycle() {
        if left == 0 {
            break;
        }
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        let take: Vec<&str> = article.split_whitespace().take(left).collect();
        left -= take.len();
        out.push_str(&take.join(" "));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_documents_have_the_asked_length_and_cycle() {
        let arts = vec!["one two three".to_owned(), "four five".to_owned()];
        let doc = long_document(&arts, 7);
        assert_eq!(words(&doc), 7);
        assert_eq!(doc, "one two three\n\nfour five\n\none two\n");
        assert_eq!(words(&long_document(&arts, 0)), 0);
        assert_eq!(long_document(&[String::new()], 5), "\n");
    }
}
