//! Weights files: format detection, safetensors header validation, and a strict loader that
//! checks every tensor's name and shape against the model before copying it.
//!
//! tch's `VarStore::load` reads the whole file into memory, reports a missing tensor without
//! saying which config asked for it, and copies tensors with `copy_`, which *broadcasts*: a
//! `[32]` tensor silently fills a `[4, 32]` variable. [`load`] instead reads one tensor at a
//! time (peak memory: the model plus its largest tensor), compares shapes exactly, tries
//! prefix aliases (`bert.encoder…` vs `encoder…`), and reports the first problem as one
//! [`Error`] naming the weights file and the config.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde_json::Value;
use tch::nn::VarStore;
use tch::{Device, Kind, Tensor};

use crate::files::WeightsFile;
use crate::{Error, Result};

/// The format of a weights file, decided by its first bytes (not its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightsFormat {
    /// Hugging Face safetensors.
    SafeTensors,
    /// A libtorch archive (rust-bert's `rust_model.ot`).
    LibTorch,
}

/// Longest safetensors header accepted (the format's own limit is 100 MB).
const MAX_HEADER: u64 = 100_000_000;

/// Decides the format of a weights file from its first bytes.
///
/// # Errors
/// [`Error::Weights`] for an empty, too short or unrecognised file; [`Error::Io`].
pub fn detect_format(path: &Path) -> Result<WeightsFormat> {
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut head = [0u8; 9];
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    if n >= 4 && head[..4] == *b"PK\x03\x04" {
        return Ok(WeightsFormat::LibTorch);
    }
    if n < 9 {
        return Err(Error::weights(
            path,
            format!("is {n} bytes long: empty or truncated"),
        ));
    }
    if head[8] == b'{' {
        return Ok(WeightsFormat::SafeTensors);
    }
    Err(Error::weights(
        path,
        "is neither a safetensors file nor a libtorch archive (rust_model.ot)",
    ))
}

/// One tensor's entry in a safetensors header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorInfo {
    /// The dtype string (`F32`, `F16`, `BF16`, `I64`, ...).
    pub dtype: String,
    /// The shape.
    pub shape: Vec<i64>,
    /// Byte range within the data section.
    pub offsets: (u64, u64),
}

/// A validated safetensors header.
#[derive(Debug, Clone)]
pub struct SafeTensorsHeader {
    /// Tensors by name.
    pub tensors: BTreeMap<String, TensorInfo>,
    /// File offset of the data section.
    pub data_start: u64,
}

fn dtype_kind(dtype: &str) -> Option<(Kind, u64)> {
    Some(match dtype {
        "F64" => (Kind::Double, 8),
        "F32" => (Kind::Float, 4),
        "F16" => (Kind::Half, 2),
        "BF16" => (Kind::BFloat16, 2),
        "I64" => (Kind::Int64, 8),
        "I32" => (Kind::Int, 4),
        "I16" => (Kind::Int16, 2),
        "I8" => (Kind::Int8, 1),
        "U8" => (Kind::Uint8, 1),
        "BOOL" => (Kind::Bool, 1),
        _ => return None,
    })
}

impl SafeTensorsHeader {
    /// Reads and validates the header of a safetensors file: its length fits the file, it is
    /// a JSON object of tensors with known dtypes, each tensor's byte range matches its shape
    /// and dtype, and the data section is as long as the header says (catches truncation).
    ///
    /// # Errors
    /// [`Error::Weights`] naming the file and the problem; [`Error::Io`].
    pub fn read(path: &Path) -> Result<SafeTensorsHeader> {
        let bad = |m: String| Error::weights(path, m);
        let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
        let file_len = f.metadata().map_err(|e| Error::io(path, e))?.len();
        if file_len < 8 {
            return Err(bad(format!(
                "is {file_len} bytes long, too short for a safetensors header (truncated?)"
            )));
        }
        let mut len_bytes = [0u8; 8];
        f.read_exact(&mut len_bytes)
            .map_err(|e| Error::io(path, e))?;
        let header_len = u64::from_le_bytes(len_bytes);
        if header_len > MAX_HEADER {
            return Err(bad(format!(
                "header length {header_len} is implausible: not a safetensors file, or corrupt"
            )));
        }
        if header_len > file_len - 8 {
            return Err(bad(format!(
                "is truncated: its header needs {header_len} bytes but the file has only {} after the length field",
                file_len - 8
            )));
        }
        let mut buf = vec![0u8; header_len as usize];
        f.read_exact(&mut buf).map_err(|e| Error::io(path, e))?;
        let json: Value =
            serde_json::from_slice(&buf).map_err(|e| bad(format!("has a corrupt header ({e})")))?;
        let obj = json
            .as_object()
            .ok_or_else(|| bad("has a header that is not a JSON object".into()))?;
        let data_start = 8 + header_len;
        let data_len = file_len - data_start;
        let mut tensors = BTreeMap::new();
        let mut data_end = 0u64;
        for (name, entry) in obj {
            if name == "__metadata__" {
                continue;
            }
            let dtype = entry
                .get("dtype")
                .and_then(Value::as_str)
                .ok_or_else(|| bad(format!("tensor {name:?} has no dtype")))?;
            let (_, elt) = dtype_kind(dtype)
                .ok_or_else(|| bad(format!("tensor {name:?} has unsupported dtype {dtype}")))?;
            let shape: Vec<i64> = entry
                .get("shape")
                .and_then(Value::as_array)
                .ok_or_else(|| bad(format!("tensor {name:?} has no shape")))?
                .iter()
                .map(|d| d.as_u64().and_then(|d| i64::try_from(d).ok()))
                .collect::<Option<_>>()
                .ok_or_else(|| bad(format!("tensor {name:?} has a malformed shape")))?;
            let offs = entry
                .get("data_offsets")
                .and_then(Value::as_array)
                .and_then(|a| match a.as_slice() {
                    [a, b] => Some((a.as_u64()?, b.as_u64()?)),
                    _ => None,
                })
                .ok_or_else(|| bad(format!("tensor {name:?} has malformed data_offsets")))?;
            let numel = shape
                .iter()
                .try_fold(1u64, |acc, d| acc.checked_mul(*d as u64))
                .ok_or_else(|| bad(format!("tensor {name:?} has an overflowing shape")))?;
            let need = numel
                .checked_mul(elt)
                .ok_or_else(|| bad(format!("tensor {name:?} has an overflowing shape")))?;
            if offs.1 < offs.0 || offs.1 - offs.0 != need {
                return Err(bad(format!(
                    "tensor {name:?}: shape {shape:?} of {dtype} needs {need} bytes but its offsets cover {}",
                    offs.1.saturating_sub(offs.0)
                )));
            }
            data_end = data_end.max(offs.1);
            tensors.insert(
                name.clone(),
                TensorInfo {
                    dtype: dtype.to_string(),
                    shape,
                    offsets: offs,
                },
            );
        }
        if data_end > data_len {
            return Err(bad(format!(
                "is truncated: its tensors need {data_end} bytes of data but the file has only {data_len}"
            )));
        }
        Ok(SafeTensorsHeader {
            tensors,
            data_start,
        })
    }
}

/// How [`load`] matches variables to tensors.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Prefix rewrites `(variable prefix, file prefix)` tried when a variable's own name is not
    /// in the file: with `("bert.", "")`, variable `bert.encoder.x` also matches tensor
    /// `encoder.x`; with `("", "bert.")`, variable `encoder.x` matches `bert.encoder.x`.
    pub aliases: Vec<(String, String)>,
    /// Variables that may be absent from every file (they keep their initial values), given
    /// as name prefixes; e.g. a fresh classification head when loading a backbone.
    pub allow_missing: Vec<String>,
    /// Whether tensors of layers past the ones the config describes are skipped (a model
    /// built with its first layers only, an early exit) instead of refused as a mismatch.
    pub skip_extra_layers: bool,
}

/// What [`load`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// Variables loaded.
    pub loaded: usize,
    /// Variables left at their initial values (allowed by [`LoadOptions::allow_missing`]).
    pub missing: Vec<String>,
    /// Tensors in the files that no variable used.
    pub unused: Vec<String>,
}

enum Source {
    Safe {
        header: SafeTensorsHeader,
        file: File,
    },
    Torch(HashMap<String, Tensor>),
}

impl Source {
    fn open(w: &WeightsFile) -> Result<Source> {
        match w.format {
            WeightsFormat::SafeTensors => {
                let header = SafeTensorsHeader::read(&w.path)?;
                let file = File::open(&w.path).map_err(|e| Error::io(&w.path, e))?;
                Ok(Source::Safe { header, file })
            }
            WeightsFormat::LibTorch => {
                let named = Tensor::load_multi_with_device(&w.path, Device::Cpu).map_err(|e| {
                    Error::Tch {
                        context: format!(
                            "{}: cannot read libtorch archive (truncated or corrupt?)",
                            w.path.display()
                        ),
                        source: e,
                    }
                })?;
                Ok(Source::Torch(named.into_iter().collect()))
            }
        }
    }

    fn names(&self) -> Vec<String> {
        match self {
            Source::Safe { header, .. } => header.tensors.keys().cloned().collect(),
            Source::Torch(m) => m.keys().cloned().collect(),
        }
    }

    fn shape(&self, name: &str) -> Option<Vec<i64>> {
        match self {
            Source::Safe { header, .. } => header.tensors.get(name).map(|t| t.shape.clone()),
            Source::Torch(m) => m.get(name).map(Tensor::size),
        }
    }

    fn tensor(&mut self, name: &str, path: &Path) -> Result<Tensor> {
        match self {
            Source::Safe { header, file } => {
                let info = header.tensors.get(name).ok_or_else(|| {
                    Error::weights(path, format!("tensor {name:?} vanished from the header"))
                })?;
                let (kind, _) = dtype_kind(&info.dtype).ok_or_else(|| {
                    Error::weights(path, format!("unsupported dtype {}", info.dtype))
                })?;
                let len = (info.offsets.1 - info.offsets.0) as usize;
                let mut buf = vec![0u8; len];
                file.seek(SeekFrom::Start(header.data_start + info.offsets.0))
                    .and_then(|_| file.read_exact(&mut buf))
                    .map_err(|e| Error::io(path, e))?;
                Tensor::f_from_data_size(&buf, &info.shape, kind).map_err(|e| {
                    Error::tch(
                        format!("{}: cannot read tensor {name:?}", path.display()),
                        e,
                    )
                })
            }
            Source::Torch(m) => m
                .get(name)
                .map(Tensor::shallow_clone)
                .ok_or_else(|| Error::weights(path, format!("tensor {name:?} vanished"))),
        }
    }
}

fn candidates(var: &str, aliases: &[(String, String)]) -> Vec<String> {
    let mut out = vec![var.to_string()];
    for (vp, fp) in aliases {
        if let Some(rest) = var.strip_prefix(vp.as_str()) {
            let c = format!("{fp}{rest}");
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

fn to_var_space(name: &str, aliases: &[(String, String)]) -> Vec<String> {
    let mut out = vec![name.to_string()];
    for (vp, fp) in aliases {
        if let Some(rest) = name.strip_prefix(fp.as_str()) {
            out.push(format!("{vp}{rest}"));
        }
    }
    out
}

/// `("bert.encoder.layer.", 3)` for `bert.encoder.layer.3.output.dense.weight`.
fn layer_of(name: &str) -> Option<(String, usize)> {
    let parts: Vec<&str> = name.split('.').collect();
    for i in 0..parts.len().saturating_sub(1) {
        if matches!(parts[i], "layer" | "layers" | "block") {
            if let Ok(n) = parts[i + 1].parse::<usize>() {
                let prefix = format!("{}.", parts[..=i].join("."));
                return Some((prefix, n));
            }
        }
    }
    None
}

/// Loads `files` (in order; later files override earlier ones) into `vs`.
///
/// Every variable must be found (under its name or an alias) in some file, with exactly its
/// shape; dtypes are converted to the variable's. Tensors the model does not use are
/// reported, and an error if they are layers beyond those the config describes (weights with
/// more layers than `config.json` says).
///
/// # Errors
/// [`Error::MissingTensor`], [`Error::ShapeMismatch`], [`Error::ConfigMismatch`] (all naming
/// the weights file and `config`), [`Error::Weights`] for corrupt files, [`Error::Tch`].
pub fn load(
    vs: &mut VarStore,
    files: &[WeightsFile],
    config: &Path,
    options: &LoadOptions,
) -> Result<LoadReport> {
    if files.is_empty() {
        return Err(Error::config(config, "the model has no weights files"));
    }
    let mut sources: Vec<(PathBuf, Source)> = files
        .iter()
        .map(|w| Ok((w.path.clone(), Source::open(w)?)))
        .collect::<Result<_>>()?;
    let mut used: Vec<BTreeSet<String>> = vec![BTreeSet::new(); sources.len()];

    let vars = vs.variables();
    let mut names: Vec<&String> = vars.keys().collect();
    names.sort();
    let mut report = LoadReport::default();

    for var_name in names {
        let Some(var) = vars.get(var_name) else {
            continue;
        };
        let cands = candidates(var_name, &options.aliases);
        let found = sources.iter().enumerate().rev().find_map(|(i, (_, src))| {
            cands
                .iter()
                .find(|c| src.shape(c).is_some())
                .map(|c| (i, c.clone()))
        });
        let Some((i, file_name)) = found else {
            if options
                .allow_missing
                .iter()
                .any(|p| var_name.starts_with(p.as_str()))
            {
                report.missing.push(var_name.clone());
                continue;
            }
            let path = files
                .last()
                .map(|w| w.path.clone())
                .unwrap_or_else(|| config.to_path_buf());
            return Err(Error::MissingTensor {
                path,
                tensor: var_name.clone(),
                aliases: cands.into_iter().skip(1).collect(),
                config: config.to_path_buf(),
            });
        };
        let (path, src) = &mut sources[i];
        let found_shape = src.shape(&file_name).unwrap_or_default();
        let expected = var.size();
        if found_shape != expected {
            return Err(Error::ShapeMismatch {
                path: path.clone(),
                tensor: file_name,
                expected: expected.into(),
                found: found_shape.into(),
                config: config.to_path_buf(),
            });
        }
        let tensor = src.tensor(&file_name, path)?;
        let mut dst = var.shallow_clone();
        tch::no_grad(|| dst.f_copy_(&tensor)).map_err(|e| {
            Error::tch(
                format!("{}: cannot copy tensor {file_name:?}", path.display()),
                e,
            )
        })?;
        used[i].insert(file_name);
        report.loaded += 1;
    }

    // Unused tensors; layers the config does not describe are a mismatch.
    let var_names: Vec<&String> = vars.keys().collect();
    for (i, (path, src)) in sources.iter().enumerate() {
        for name in src.names() {
            if used[i].contains(&name) {
                continue;
            }
            for v in to_var_space(&name, &options.aliases) {
                if let Some((prefix, n)) = layer_of(&v) {
                    let container = var_names.iter().any(|x| x.starts_with(&prefix));
                    let this = format!("{prefix}{n}.");
                    let has_layer = var_names.iter().any(|x| x.starts_with(&this));
                    if container && !has_layer && !options.skip_extra_layers {
                        let count = var_names
                            .iter()
                            .filter_map(|x| layer_of(x))
                            .filter(|(p, _)| *p == prefix)
                            .map(|(_, k)| k + 1)
                            .max()
                            .unwrap_or(0);
                        return Err(Error::ConfigMismatch {
                            path: path.clone(),
                            config: config.to_path_buf(),
                            message: format!(
                                "the weights have layer {n} ({name:?}) but the config describes {count} layers"
                            ),
                        });
                    }
                }
            }
            report.unused.push(name);
        }
    }
    if !report.unused.is_empty() {
        tracing::debug!(
            unused = report.unused.len(),
            "weights contain tensors the model does not use"
        );
    }
    Ok(report)
}

/// SHA-256 of a file's bytes, lowercase hex (64 digits): what model configs record of their
/// weight files, and check at load.
///
/// # Errors
/// The I/O error of opening or reading the file.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(buf.get(..n).unwrap_or(&[]));
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// [`sha256_file`], remembered for the life of the process: a file whose path, length and
/// modification time are unchanged since it was last hashed is not read again. For large
/// read-only inputs checked once per model instance (the base MiniLM weights, 90 MB, hashed by
/// every worker of a pool); files that may be rewritten in place within the same clock tick
/// should use [`sha256_file`].
///
/// # Errors
/// As [`sha256_file`].
pub fn sha256_file_memo(path: &Path) -> std::io::Result<String> {
    use std::sync::{Mutex, OnceLock};
    type Key = (PathBuf, u64, Option<std::time::SystemTime>);
    static SEEN: OnceLock<Mutex<HashMap<Key, String>>> = OnceLock::new();
    let meta = std::fs::metadata(path)?;
    let key: Key = (
        std::fs::canonicalize(path)?,
        meta.len(),
        meta.modified().ok(),
    );
    let seen = SEEN.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(sha) = seen.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return Ok(sha);
    }
    let sha = sha256_file(path)?;
    if let Ok(mut m) = seen.lock() {
        m.insert(key, sha.clone());
    }
    Ok(sha)
}

/// Whether `s` is a SHA-256 digest in lowercase hex (64 digits), as [`sha256_file`] writes.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_names() {
        assert_eq!(
            layer_of("bert.encoder.layer.3.output.dense.weight"),
            Some(("bert.encoder.layer.".to_string(), 3))
        );
        assert_eq!(
            layer_of("distilbert.transformer.layer.0.ffn.lin1.weight"),
            Some(("distilbert.transformer.layer.".to_string(), 0))
        );
        assert_eq!(layer_of("embeddings.word_embeddings.weight"), None);
    }

    #[test]
    fn memo_hash_matches_and_sees_a_changed_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.bin");
        std::fs::write(&path, b"abc").unwrap();
        let sha = sha256_file_memo(&path).unwrap();
        assert_eq!(
            sha,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(sha256_file_memo(&path).unwrap(), sha);
        // A different length is a different key, whatever the clock's resolution.
        std::fs::write(&path, b"abcd").unwrap();
        assert_eq!(
            sha256_file_memo(&path).unwrap(),
            sha256_file(&path).unwrap()
        );
        assert_ne!(sha256_file_memo(&path).unwrap(), sha);
        assert!(sha256_file_memo(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn aliases_both_ways() {
        let aliases = vec![("bert.".to_string(), String::new())];
        assert_eq!(
            candidates("bert.encoder.x", &aliases),
            vec!["bert.encoder.x", "encoder.x"]
        );
        assert_eq!(
            to_var_space("encoder.x", &aliases),
            vec!["encoder.x", "bert.encoder.x"]
        );
    }
}
