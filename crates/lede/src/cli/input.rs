//! Reading documents: files, directories, stdin and JSON Lines feeds, with clear errors for
//! input that cannot be analysed (missing, empty, binary, not UTF-8, too large).
//!
//! Inputs are produced lazily by [`read_source`], so a batch of thousands of files or a
//! multi-gigabyte JSONL feed is never held in memory at once.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use lede_core::Document;
use serde::Deserialize;

/// Why one input could not become a [`Document`]. The batch records it and goes on.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file could not be opened or read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The path.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The input holds no text (empty or whitespace only).
    #[error("{0}: empty input")]
    Empty(String),
    /// The input looks binary (NUL bytes or mostly control characters).
    #[error("{0}: binary data, not text")]
    Binary(String),
    /// The input is not valid UTF-8 (and no other encoding was chosen).
    #[error("{id}: not valid UTF-8 (first bad byte at offset {offset}); pass --encoding latin1 for Latin-1 text")]
    NotUtf8 {
        /// The input's id.
        id: String,
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// The input starts with a UTF-16 byte-order mark but is not valid UTF-16.
    #[error("{0}: UTF-16 text (it starts with a byte-order mark) that is not valid UTF-16")]
    BadUtf16(String),
    /// The input is not a regular file (a FIFO, a device, a socket): it is not opened, so a
    /// batch never blocks on it.
    #[error("{id}: {kind}, not a regular file (it is not read; use - for standard input)")]
    NotRegular {
        /// The input's id.
        id: String,
        /// What it is.
        kind: &'static str,
    },
    /// The input is larger than `--max-bytes`.
    #[error("{id}: {bytes} bytes, more than the limit of {limit} (--max-bytes)")]
    TooLarge {
        /// The input's id.
        id: String,
        /// Its size.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// A JSONL line that is not a document object.
    #[error("{source_name}:{line}: not a JSON document line: {message}")]
    BadJsonLine {
        /// The feed's name.
        source_name: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// How to decode bytes into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// Strict UTF-8 (a byte-order mark is removed); invalid input is an error.
    #[default]
    Utf8,
    /// ISO-8859-1: every byte is one char. Never fails.
    Latin1,
}

impl std::str::FromStr for Encoding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf8" | "utf-8" => Ok(Encoding::Utf8),
            "latin1" | "latin-1" | "iso-8859-1" | "iso8859-1" => Ok(Encoding::Latin1),
            other => Err(format!("unknown encoding {other:?} (use utf8 or latin1)")),
        }
    }
}

/// How each input file is split into documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputFormat {
    /// A file is one document (plain text). `.jsonl` files are read as JSON Lines.
    #[default]
    Auto,
    /// A file is one document.
    Text,
    /// Each line is a JSON object `{"id":..., "text":..., "title":..., "source":..., "date":...}`.
    Jsonl,
    /// Each non-empty line is one plain-text document (id `<file>:<line>`).
    Lines,
}

impl std::str::FromStr for InputFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(InputFormat::Auto),
            "text" | "txt" => Ok(InputFormat::Text),
            "jsonl" | "ndjson" => Ok(InputFormat::Jsonl),
            "lines" => Ok(InputFormat::Lines),
            other => Err(format!(
                "unknown input format {other:?} (use auto, text, jsonl or lines)"
            )),
        }
    }
}

/// Options for reading input.
#[derive(Debug, Clone)]
pub struct InputOptions {
    /// How files are split into documents.
    pub format: InputFormat,
    /// How bytes are decoded.
    pub encoding: Encoding,
    /// Largest document accepted, in bytes.
    pub max_bytes: u64,
    /// Only files whose name matches one of these globs are taken from directories (`*` and
    /// `?` wildcards); empty means `*.txt`, `*.jsonl` and files without extension.
    pub globs: Vec<String>,
}

impl Default for InputOptions {
    fn default() -> Self {
        InputOptions {
            format: InputFormat::Auto,
            encoding: Encoding::Utf8,
            max_bytes: 10 * 1024 * 1024,
            globs: Vec::new(),
        }
    }
}

/// One input: its id (path, `path:line`, or the JSONL `id`) and the document or why it could
/// not be read.
#[derive(Debug)]
pub struct Input {
    /// Stable identifier, used for output file names and `--resume`.
    pub id: String,
    /// The document, or the reason it is unusable.
    pub document: Result<Document, InputError>,
}

/// Where documents come from.
#[derive(Debug, Clone)]
pub enum InputSource {
    /// A file or a directory (walked recursively, sorted by path).
    Path(PathBuf),
    /// Standard input.
    Stdin,
}

impl InputSource {
    /// Parses a command-line argument: `-` is stdin, anything else a path.
    pub fn from_arg(arg: &str) -> Self {
        if arg == "-" {
            InputSource::Stdin
        } else {
            InputSource::Path(PathBuf::from(arg))
        }
    }
}

/// Lists the files behind `sources` (directories walked recursively in sorted order) without
/// reading them. Missing paths are kept, to be reported as unreadable inputs.
pub fn expand_sources(sources: &[InputSource], opts: &InputOptions) -> Vec<InputSource> {
    let mut out = Vec::new();
    for src in sources {
        match src {
            InputSource::Path(p) if p.is_dir() => {
                let mut files = Vec::new();
                walk(p, opts, &mut files);
                files.sort();
                out.extend(files.into_iter().map(InputSource::Path));
            }
            other => out.push(other.clone()),
        }
    }
    out
}

/// Collects the wanted files under `dir` (hidden entries skipped). Symbolic links are followed,
/// but a link back to one of its own ancestors (a loop) is reported once and not entered, so a
/// looping tree is walked in finite time. An unreadable directory is kept in `out`, to be
/// reported as an unreadable input.
fn walk(dir: &Path, opts: &InputOptions, out: &mut Vec<PathBuf>) {
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_dir() => {}
            Ok(e) => {
                if wanted(&e.file_name().to_string_lossy(), &opts.globs) {
                    out.push(e.into_path());
                }
            }
            Err(e) if e.loop_ancestor().is_some() => {
                tracing::warn!("skipping a symbolic link loop: {e}");
            }
            Err(e) => {
                if let Some(p) = e.path() {
                    out.push(p.to_path_buf());
                }
            }
        }
    }
}

fn wanted(name: &str, globs: &[String]) -> bool {
    if globs.is_empty() {
        return name.ends_with(".txt") || name.ends_with(".jsonl") || !name.contains('.');
    }
    globs.iter().any(|g| glob_match(g, name))
}

/// Matches `name` against a glob with `*` (any run) and `?` (one char).
pub fn glob_match(glob: &str, name: &str) -> bool {
    let g: Vec<char> = glob.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut gi, mut ni) = (0usize, 0usize);
    let (mut star, mut mark) = (None::<usize>, 0usize);
    while ni < n.len() {
        if gi < g.len() && (g[gi] == '?' || g[gi] == n[ni]) {
            gi += 1;
            ni += 1;
        } else if gi < g.len() && g[gi] == '*' {
            star = Some(gi);
            mark = ni;
            gi += 1;
        } else if let Some(s) = star {
            gi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    while gi < g.len() && g[gi] == '*' {
        gi += 1;
    }
    gi == g.len()
}

/// Decodes and checks one document's bytes.
pub fn decode(id: &str, bytes: &[u8], opts: &InputOptions) -> Result<String, InputError> {
    if bytes.len() as u64 > opts.max_bytes {
        return Err(InputError::TooLarge {
            id: id.to_string(),
            bytes: bytes.len() as u64,
            limit: opts.max_bytes,
        });
    }
    // UTF-16 with a byte-order mark (what some Windows editors save) is decoded, not called
    // binary for its NUL bytes.
    // With --encoding latin1 every byte is a character, FF FE included.
    let utf16 = match opts.encoding {
        Encoding::Utf8 => utf16_with_bom(bytes),
        Encoding::Latin1 => None,
    };
    if let Some(text) = utf16 {
        let text = text.ok_or_else(|| InputError::BadUtf16(id.to_string()))?;
        if looks_binary(text.as_bytes()) {
            return Err(InputError::Binary(id.to_string()));
        }
        if text.trim().is_empty() {
            return Err(InputError::Empty(id.to_string()));
        }
        return Ok(text);
    }
    if looks_binary(bytes) {
        return Err(InputError::Binary(id.to_string()));
    }
    let text = match opts.encoding {
        Encoding::Utf8 => {
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            match std::str::from_utf8(bytes) {
                Ok(s) => s.to_string(),
                Err(e) => {
                    return Err(InputError::NotUtf8 {
                        id: id.to_string(),
                        offset: e.valid_up_to(),
                    })
                }
            }
        }
        Encoding::Latin1 => bytes.iter().map(|&b| b as char).collect(),
    };
    if text.trim().is_empty() {
        return Err(InputError::Empty(id.to_string()));
    }
    Ok(text)
}

/// `Some` when `bytes` start with a UTF-16 byte-order mark (`FF FE` little-endian, `FE FF`
/// big-endian): the decoded text, or `None` inside when it is not valid UTF-16.
fn utf16_with_bom(bytes: &[u8]) -> Option<Option<String>> {
    let (rest, little) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (rest, true),
        [0xFE, 0xFF, rest @ ..] => (rest, false),
        _ => return None,
    };
    if rest.len() % 2 != 0 {
        return Some(None);
    }
    let units = rest.chunks_exact(2).map(|p| {
        let pair = [p[0], p[1]];
        if little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    Some(
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .ok(),
    )
}

/// A NUL byte anywhere, or more than 10% control characters other than whitespace in the
/// first 8 KiB.
fn looks_binary(bytes: &[u8]) -> bool {
    if bytes.contains(&0) {
        return true;
    }
    let head = &bytes[..bytes.len().min(8192)];
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    !head.is_empty() && control * 10 > head.len()
}

/// A JSONL document line.
#[derive(Debug, Deserialize)]
struct JsonDoc {
    id: Option<serde_json::Value>,
    text: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    date: Option<String>,
}

/// What a path is when it exists and is neither a regular file nor a directory (opening a FIFO
/// would block until a writer comes; reading a device may never end).
fn non_regular_kind(path: &Path) -> Option<&'static str> {
    let ft = std::fs::metadata(path).ok()?.file_type();
    if ft.is_file() || ft.is_dir() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if ft.is_char_device() {
            return Some("a character device");
        }
        if ft.is_block_device() {
            return Some("a block device");
        }
        if ft.is_socket() {
            return Some("a socket");
        }
    }
    Some("a special file")
}

/// The documents of one source, produced lazily.
pub fn read_source(
    src: &InputSource,
    opts: &InputOptions,
) -> Box<dyn Iterator<Item = Input> + Send> {
    if let InputSource::Path(p) = src {
        if let Some(kind) = non_regular_kind(p) {
            let id = p.display().to_string();
            return Box::new(std::iter::once(Input {
                id: id.clone(),
                document: Err(InputError::NotRegular { id, kind }),
            }));
        }
    }
    let (name, reader): (String, Result<Box<dyn Read + Send>, std::io::Error>) = match src {
        InputSource::Stdin => ("<stdin>".to_string(), Ok(Box::new(std::io::stdin()))),
        InputSource::Path(p) => (
            p.display().to_string(),
            File::open(p).map(|f| Box::new(f) as Box<dyn Read + Send>),
        ),
    };
    let reader = match reader {
        Ok(r) => r,
        Err(source) => {
            return Box::new(std::iter::once(Input {
                id: name.clone(),
                document: Err(InputError::Io { path: name, source }),
            }))
        }
    };
    let format = match opts.format {
        InputFormat::Auto if name.ends_with(".jsonl") || name.ends_with(".ndjson") => {
            InputFormat::Jsonl
        }
        InputFormat::Auto => InputFormat::Text,
        f => f,
    };
    let opts = opts.clone();
    match format {
        InputFormat::Jsonl | InputFormat::Lines => {
            Box::new(LineDocs::new(name, BufReader::new(reader), format, opts))
        }
        _ => {
            let mut buf = Vec::new();
            // Read one byte past the limit so an oversized file is reported without reading
            // all of it.
            let limited = reader.take(opts.max_bytes.saturating_add(1));
            let mut limited = limited;
            let document = match limited.read_to_end(&mut buf) {
                Err(source) => Err(InputError::Io {
                    path: name.clone(),
                    source,
                }),
                Ok(_) if buf.len() as u64 > opts.max_bytes => Err(InputError::TooLarge {
                    id: name.clone(),
                    bytes: file_len(src).unwrap_or(buf.len() as u64),
                    limit: opts.max_bytes,
                }),
                Ok(_) => decode(&name, &buf, &opts).map(|text| Document::new(name.clone(), text)),
            };
            Box::new(std::iter::once(Input { id: name, document }))
        }
    }
}

fn file_len(src: &InputSource) -> Option<u64> {
    match src {
        InputSource::Path(p) => std::fs::metadata(p).ok().map(|m| m.len()),
        InputSource::Stdin => None,
    }
}

struct LineDocs<R> {
    name: String,
    reader: R,
    format: InputFormat,
    opts: InputOptions,
    line_no: usize,
    done: bool,
}

impl<R: BufRead> LineDocs<R> {
    fn new(name: String, reader: R, format: InputFormat, opts: InputOptions) -> Self {
        LineDocs {
            name,
            reader,
            format,
            opts,
            line_no: 0,
            done: false,
        }
    }
}

impl<R: BufRead> Iterator for LineDocs<R> {
    type Item = Input;

    fn next(&mut self) -> Option<Input> {
        loop {
            if self.done {
                return None;
            }
            let mut buf = Vec::new();
            self.line_no += 1;
            let id = format!("{}:{}", self.name, self.line_no);
            match self.reader.read_until(b'\n', &mut buf) {
                Err(source) => {
                    self.done = true;
                    return Some(Input {
                        id: id.clone(),
                        document: Err(InputError::Io { path: id, source }),
                    });
                }
                Ok(0) => {
                    self.done = true;
                    return None;
                }
                Ok(_) => {}
            }
            while matches!(buf.last(), Some(b'\n' | b'\r')) {
                buf.pop();
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(match self.format {
                InputFormat::Jsonl => self.json_line(id, &buf),
                _ => Input {
                    document: decode(&id, &buf, &self.opts).map(|t| Document::new(id.clone(), t)),
                    id,
                },
            });
        }
    }
}

impl<R: BufRead> LineDocs<R> {
    fn json_line(&self, fallback_id: String, buf: &[u8]) -> Input {
        let bad = |message: String| InputError::BadJsonLine {
            source_name: self.name.clone(),
            line: self.line_no,
            message,
        };
        let text = match std::str::from_utf8(buf) {
            Ok(t) => t,
            Err(e) => {
                return Input {
                    document: Err(bad(format!(
                        "not UTF-8 at byte {} of the line",
                        e.valid_up_to()
                    ))),
                    id: fallback_id,
                }
            }
        };
        // An object, not an array: serde would fill the fields of a JSON array in order.
        if !text.trim_start().starts_with('{') {
            return Input {
                document: Err(bad("not a JSON object".into())),
                id: fallback_id,
            };
        }
        let parsed: JsonDoc = match serde_json::from_str(text) {
            Ok(d) => d,
            Err(e) => {
                return Input {
                    document: Err(bad(e.to_string())),
                    id: fallback_id,
                }
            }
        };
        let id = match parsed.id {
            Some(serde_json::Value::String(s)) if !s.is_empty() => s,
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => fallback_id,
        };
        let document = if parsed.text.len() as u64 > self.opts.max_bytes {
            Err(InputError::TooLarge {
                id: id.clone(),
                bytes: parsed.text.len() as u64,
                limit: self.opts.max_bytes,
            })
        } else if parsed.text.trim().is_empty() {
            Err(InputError::Empty(id.clone()))
        } else {
            let mut doc = Document::new(id.clone(), parsed.text);
            doc.title = parsed.title;
            doc.source = parsed.source;
            doc.date = parsed.date;
            Ok(doc)
        };
        Input { id, document }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> InputOptions {
        InputOptions::default()
    }

    #[test]
    fn decode_rejects_bad_input_with_reasons() {
        assert!(matches!(
            decode("a", b"", &opts()),
            Err(InputError::Empty(_))
        ));
        assert!(matches!(
            decode("a", b"  \n\t ", &opts()),
            Err(InputError::Empty(_))
        ));
        assert!(matches!(
            decode("a", b"ab\0cd", &opts()),
            Err(InputError::Binary(_))
        ));
        match decode("a", b"caf\xe9 au lait", &opts()) {
            Err(InputError::NotUtf8 { offset, .. }) => assert_eq!(offset, 3),
            other => panic!("{other:?}"),
        }
        let latin = InputOptions {
            encoding: Encoding::Latin1,
            ..opts()
        };
        assert_eq!(decode("a", b"caf\xe9", &latin).unwrap(), "café");
        let small = InputOptions {
            max_bytes: 3,
            ..opts()
        };
        assert!(matches!(
            decode("a", b"abcd", &small),
            Err(InputError::TooLarge { .. })
        ));
        assert_eq!(decode("a", b"\xEF\xBB\xBFhi", &opts()).unwrap(), "hi");
        // A NUL after the first 8 KiB makes the file binary too.
        let mut late = vec![b'a'; 9000];
        late.push(0);
        assert!(matches!(
            decode("a", &late, &opts()),
            Err(InputError::Binary(_))
        ));
        // UTF-16 with a byte-order mark, either byte order, is decoded.
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Café in Kraków.".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode("a", &le, &opts()).unwrap(), "Café in Kraków.");
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("Zürich".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode("a", &be, &opts()).unwrap(), "Zürich");
        // An unpaired surrogate or an odd length is an error that says UTF-16.
        for bad in [&[0xFF, 0xFE, 0x00, 0xD8][..], &[0xFF, 0xFE, 0x41][..]] {
            let err = decode("a", bad, &opts()).unwrap_err();
            assert!(err.to_string().contains("UTF-16"), "{err}");
        }
    }

    #[test]
    fn jsonl_lines_keep_ids_and_report_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("feed.jsonl");
        std::fs::write(
            &p,
            "{\"id\":\"a\",\"text\":\"One.\",\"title\":\"T\"}\n\nnot json\n{\"id\":7,\"text\":\" \"}\n{\"text\":\"Two.\"}\n",
        )
        .unwrap();
        let got: Vec<Input> = read_source(&InputSource::Path(p), &opts()).collect();
        assert_eq!(got.len(), 4);
        assert_eq!(got[0].id, "a");
        assert_eq!(
            got[0].document.as_ref().unwrap().title.as_deref(),
            Some("T")
        );
        assert!(matches!(
            got[1].document,
            Err(InputError::BadJsonLine { line: 3, .. })
        ));
        assert_eq!(got[2].id, "7");
        assert!(matches!(got[2].document, Err(InputError::Empty(_))));
        assert!(got[3].id.ends_with("feed.jsonl:5"));
        assert_eq!(got[3].document.as_ref().unwrap().text, "Two.");
    }

    #[test]
    fn directories_walk_sorted_and_filter() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("b.txt"), "B.").unwrap();
        std::fs::write(dir.path().join("sub/a.txt"), "A.").unwrap();
        std::fs::write(dir.path().join("c.bin"), "C").unwrap();
        std::fs::write(dir.path().join(".hidden.txt"), "H").unwrap();
        let srcs = expand_sources(&[InputSource::Path(dir.path().into())], &opts());
        let names: Vec<String> = srcs
            .iter()
            .map(|s| match s {
                InputSource::Path(p) => p.file_name().unwrap().to_string_lossy().into_owned(),
                InputSource::Stdin => "-".into(),
            })
            .collect();
        assert_eq!(names, vec!["b.txt", "a.txt"]);
        let only_bin = InputOptions {
            globs: vec!["*.bin".into()],
            ..opts()
        };
        assert_eq!(
            expand_sources(&[InputSource::Path(dir.path().into())], &only_bin).len(),
            1
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loop_is_walked_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/a.txt"), "A.").unwrap();
        // sub/back -> .. : following it forever would never end.
        std::os::unix::fs::symlink("..", dir.path().join("sub/back")).unwrap();
        std::os::unix::fs::symlink(".", dir.path().join("self")).unwrap();
        let srcs = expand_sources(&[InputSource::Path(dir.path().into())], &opts());
        assert_eq!(srcs.len(), 1, "{srcs:?}");
        assert!(matches!(&srcs[0], InputSource::Path(p) if p.ends_with("sub/a.txt")));
    }

    #[test]
    fn missing_file_is_one_error_record() {
        let got: Vec<Input> =
            read_source(&InputSource::Path("/no/such/file.txt".into()), &opts()).collect();
        assert_eq!(got.len(), 1);
        let msg = got[0].document.as_ref().unwrap_err().to_string();
        assert!(msg.starts_with("/no/such/file.txt: cannot read"), "{msg}");
    }

    #[test]
    fn globs() {
        assert!(glob_match("*.txt", "a.txt"));
        assert!(!glob_match("*.txt", "a.txt.bak"));
        assert!(glob_match("a?c*", "abcdef"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("?", ""));
    }
}
