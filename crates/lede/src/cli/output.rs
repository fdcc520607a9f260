//! Output: JSON, JSON Lines, readable text, and file names for `--out DIR` with atomic writes.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use lede_core::Analysis;

/// Output formats of `lede analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Pretty JSON: one object for one document, an array for several.
    Json,
    /// One compact JSON object per line (errors as `{"id":..., "error":...}` lines).
    Jsonl,
    /// A readable report for a terminal.
    Text,
    /// A self-contained HTML report.
    Html,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "json" => Ok(Format::Json),
            "jsonl" | "ndjson" => Ok(Format::Jsonl),
            "text" | "txt" => Ok(Format::Text),
            "html" => Ok(Format::Html),
            other => Err(format!(
                "unknown format {other:?} (use json, jsonl, text or html)"
            )),
        }
    }
}

impl Format {
    /// File extension for `--out DIR`.
    pub fn extension(&self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Text => "txt",
            Format::Html => "html",
        }
    }
}

/// The error record of a document that failed, as written to JSON Lines output.
pub fn error_record(id: &str, error: &str) -> serde_json::Value {
    serde_json::json!({ "id": id, "error": error })
}

/// A file name for an input id: readable (the id's tail, sanitised) and unique (a hash of the
/// whole id), so `a/b.txt` and `a_b.txt` never collide.
pub fn file_stem(id: &str) -> String {
    let tail: String = id
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(id)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let tail = tail.trim_start_matches('.');
    let tail: String = tail.chars().take(80).collect();
    format!(
        "{}-{:016x}",
        if tail.is_empty() { "doc" } else { &tail },
        fnv1a(id)
    )
}

fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Path of the output of `id` under `dir`.
pub fn output_path(dir: &Path, id: &str, format: Format) -> PathBuf {
    dir.join(format!("{}.{}", file_stem(id), format.extension()))
}

/// Path of the error record of `id` under `dir`.
pub fn error_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{}.error.json", file_stem(id)))
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, flushed and
/// synced, then renamed over `path`. A reader never sees a partial file, and an interrupted
/// run leaves no output for the interrupted document.
///
/// # Errors
/// Any I/O error.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}{TEMP_SUFFIX}", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    // A failed write (a full disk) or rename leaves no partial temporary file behind.
    written
        .and_then(|()| std::fs::rename(&tmp, path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
}

/// The ending of [`write_atomic`]'s temporary files: `.NAME.PID.tmp`.
const TEMP_SUFFIX: &str = ".tmp";

/// Removes the temporary files [`write_atomic`] left in `dir` when its process was killed
/// between creating and renaming them: `.NAME.PID.tmp` whose process no longer runs (checked
/// in `/proc`; where there is no `/proc`, nothing is removed). Returns how many it removed.
pub fn remove_stale_temps(dir: &Path) -> usize {
    if !Path::new("/proc/self").exists() {
        return 0;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = stale_temp_pid(&name) else {
            continue;
        };
        let alive = Path::new("/proc").join(pid.to_string()).exists();
        if !alive
            && entry.file_type().is_ok_and(|t| t.is_file())
            && std::fs::remove_file(entry.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

/// The process id in a temporary file name `.NAME.PID.tmp`.
fn stale_temp_pid(name: &str) -> Option<u32> {
    let inner = name.strip_prefix('.')?.strip_suffix(TEMP_SUFFIX)?;
    let (_, pid) = inner.rsplit_once('.')?;
    pid.parse().ok()
}

/// Checks that files can be created in `dir` (it exists, is writable and not full) by writing
/// and removing a small probe file, so that a run stops before analysing anything.
///
/// # Errors
/// The I/O error of the probe.
pub fn probe_writable(dir: &Path) -> std::io::Result<()> {
    let probe = dir.join(format!(".lede-probe.{}", std::process::id()));
    write_atomic(&probe, b"lede write probe\n")?;
    std::fs::remove_file(&probe)
}

/// The self-contained HTML report (see `html`). Uses `a.document.text` when present,
/// else rebuilds the text from the sentences.
pub fn render_html(a: &Analysis) -> String {
    match &a.document.text {
        Some(text) => super::html::render_html(a, text),
        None => {
            let mut text = String::new();
            for s in &a.sentences {
                while text.len() < s.span.start {
                    text.push(' ');
                }
                text.push_str(&s.text);
            }
            super::html::render_html(a, &text)
        }
    }
}

/// A readable plain-text report.
pub fn render_text(a: &Analysis) -> String {
    escape_controls(&render_text_raw(a))
}

/// Text for a terminal: control characters other than newline and tab (ESC, BEL, the C1
/// controls that start terminal sequences, ...) are written as `\u{1b}`-style escapes, so an
/// article or an id cannot retitle, clear or recolour the reader's terminal.
pub fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

fn render_text_raw(a: &Analysis) -> String {
    let mut s = String::new();
    let title = a.document.title.as_deref().unwrap_or(&a.document.id);
    let _ = writeln!(s, "== {title}");
    let _ = writeln!(
        s,
        "{} sentences, {} entities, {} relations, {} quotes",
        a.sentences.len(),
        a.entities.len(),
        a.relations.len(),
        a.quotes.len()
    );
    if let Some(summary) = &a.summary {
        let _ = writeln!(s, "\nSummary ({}):", summary.method);
        for line in wrap(&summary.text, 92) {
            let _ = writeln!(s, "  {line}");
        }
    }
    if !a.entities.is_empty() {
        let _ = writeln!(s, "\nEntities:");
        let mut ents: Vec<_> = a.entities.iter().collect();
        ents.sort_by_key(|e| std::cmp::Reverse(e.mentions.len()));
        for e in ents {
            let mut forms: Vec<&str> = e.mentions.iter().map(|m| m.text.as_str()).collect();
            forms.sort_unstable();
            forms.dedup();
            forms.retain(|f| *f != e.name);
            let also = if forms.is_empty() {
                String::new()
            } else {
                format!("  (also: {})", forms.join(", "))
            };
            let _ = writeln!(
                s,
                "  {:<4} {:<12} {:<32} x{}{}",
                e.id,
                e.label,
                e.name,
                e.mentions.len(),
                also
            );
        }
    }
    if !a.quotes.is_empty() {
        let _ = writeln!(s, "\nQuotes, by speaker:");
        // Speakers in the order they are first quoted; quotes with no resolved speaker last.
        let mut speakers: Vec<Option<&str>> = Vec::new();
        for q in &a.quotes {
            let key = q.speaker_entity.as_deref();
            if key.is_some() && !speakers.contains(&key) {
                speakers.push(key);
            }
        }
        speakers.push(None);
        for key in speakers {
            let quotes: Vec<_> = a
                .quotes
                .iter()
                .filter(|q| q.speaker_entity.as_deref() == key)
                .collect();
            let Some(first) = quotes.first() else {
                continue;
            };
            match (key, first.speaker_name.as_deref()) {
                (Some(id), Some(name)) => {
                    let _ = writeln!(s, "  {name} ({id}):");
                }
                _ => {
                    let _ = writeln!(s, "  (speaker not named in the article):");
                }
            }
            for q in quotes {
                let mut line = String::new();
                let quoted: String = q.text.chars().take(100).collect();
                let more = if q.text.chars().count() > 100 {
                    "..."
                } else {
                    ""
                };
                match q.kind {
                    lede::core::QuoteKind::Direct => line.push_str(&format!("\"{quoted}{more}\"")),
                    lede::core::QuoteKind::Indirect => {
                        line.push_str(&format!("(reported) {quoted}{more}"))
                    }
                }
                // The attribution's words in text order: "he said", "said the US envoy".
                let mut parts: Vec<_> = [q.speaker.as_ref(), q.cue.as_ref()]
                    .into_iter()
                    .flatten()
                    .collect();
                parts.sort_by_key(|p| p.span.start);
                let by: Vec<&str> = parts.iter().map(|p| p.text.as_str()).collect();
                if !by.is_empty() {
                    line.push_str(&format!("  [{}]", by.join(" ")));
                }
                let _ = writeln!(s, "    {line}");
            }
        }
    }
    if !a.relations.is_empty() {
        let _ = writeln!(s, "\nRelations:");
        for r in &a.relations {
            let _ = writeln!(
                s,
                "  {} --{}--> {}  [{:.2}]",
                r.head_name, r.label, r.tail_name, r.score
            );
            let ev: String = r.evidence.text.chars().take(110).collect();
            let _ = writeln!(s, "      \"{ev}\"");
        }
    }
    s
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for w in text.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + w.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(w);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_unique_and_safe() {
        let a = file_stem("a/b.txt");
        let b = file_stem("a_b.txt");
        assert_ne!(a, b);
        assert!(a.starts_with("b.txt-"));
        assert!(!file_stem("../../etc/passwd").contains('/'));
        assert!(file_stem("..").starts_with("doc-"));
        assert_eq!(file_stem("x"), file_stem("x"));
    }

    #[test]
    fn atomic_write_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("o.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn control_characters_are_escaped_for_terminals() {
        let hostile = "Title\u{1b}]0;pwned\u{7}\u{1b}[2J ok\n\tnext\u{9b}31m";
        let safe = escape_controls(hostile);
        assert!(!safe
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t'));
        assert!(safe.contains("\\u{1b}]0;pwned\\u{7}"), "{safe}");
        assert!(safe.contains(" ok\n\tnext\\u{9b}31m"), "{safe}");
        assert_eq!(escape_controls("plain – text"), "plain – text");
    }

    #[test]
    fn stale_temporary_files_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        // PID 4194304 is above Linux's pid_max limit: no such process can run.
        let dead = dir.path().join(".a-1.json.4194304.tmp");
        let live = dir
            .path()
            .join(format!(".b-2.json.{}.tmp", std::process::id()));
        let other = dir.path().join("notes.tmp");
        for p in [&dead, &live, &other] {
            std::fs::write(p, "partial").unwrap();
        }
        assert_eq!(stale_temp_pid(".a-1.json.4194304.tmp"), Some(4_194_304));
        assert_eq!(stale_temp_pid("notes.tmp"), None);
        assert_eq!(stale_temp_pid(".x.json.abc.tmp"), None);
        if Path::new("/proc/self").exists() {
            assert_eq!(remove_stale_temps(dir.path()), 1);
            assert!(!dead.exists());
        }
        assert!(live.exists() && other.exists());
    }

    #[test]
    fn a_failed_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // Renaming onto a non-empty directory fails after the temporary file was written.
        let target = dir.path().join("taken");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("x"), "x").unwrap();
        assert!(write_atomic(&target, b"data").is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        probe_writable(dir.path()).unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(probe_writable(&dir.path().join("missing")).is_err());
    }
}
