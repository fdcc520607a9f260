//! Model sets: which model (or method) each task uses, from a small TOML manifest.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::paths::Locations;
use crate::spec::ModelSpec;
use crate::{Error, Result};

/// The text of the built-in `offline` manifest (`crates/models/manifests/offline.toml`; the
/// repository's `models/offline.toml` is a byte-identical copy).
pub const OFFLINE_MANIFEST: &str = include_str!("../manifests/offline.toml");
/// The text of the built-in `standard` manifest (`crates/models/manifests/standard.toml`;
/// the repository's `models/standard.toml` is a byte-identical copy).
pub const STANDARD_MANIFEST: &str = include_str!("../manifests/standard.toml");

/// A task a model set configures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Task {
    /// Named-entity recognition.
    Ner,
    /// The shared sentence encoder.
    Encoder,
    /// Summarization.
    Summary,
    /// Relation extraction.
    Relations,
}

impl Task {
    /// All tasks.
    pub const ALL: [Task; 4] = [Task::Ner, Task::Encoder, Task::Summary, Task::Relations];

    /// The manifest table name.
    pub fn key(&self) -> &'static str {
        match self {
            Task::Ner => "ner",
            Task::Encoder => "encoder",
            Task::Summary => "summary",
            Task::Relations => "relations",
        }
    }
}

/// One task's entry in a manifest: a method, a model spec, and free-form options that the
/// task crate interprets.
///
/// ```toml
/// [summary]
/// method = "abstractive"
/// model = "facebook/bart-large-cnn"
/// num_beams = 4
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TaskModel {
    /// How the task is done (`transformer`, `extractive`, `abstractive`, `nli`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The model spec ([`ModelSpec::parse`] syntax).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Every other key of the table.
    #[serde(flatten)]
    pub options: toml::Table,
}

impl TaskModel {
    /// The parsed model spec, if the entry names one.
    ///
    /// # Errors
    /// [`Error::InvalidSpec`].
    pub fn spec(&self) -> Result<Option<ModelSpec>> {
        self.model.as_deref().map(ModelSpec::parse).transpose()
    }

    /// A string option.
    pub fn option_str(&self, key: &str) -> Option<&str> {
        self.options.get(key).and_then(toml::Value::as_str)
    }
}

/// A model set: which model each task uses. Loaded from a TOML manifest such as
/// `models/offline.toml`:
///
/// ```toml
/// name = "offline"
/// description = "Works with files that reach an offline machine."
///
/// [ner]
/// method = "transformer"
/// model = "lede-ner-minilm"
///
/// [encoder]
/// model = "minilm"
/// ```
///
/// ```
/// use lede_models::{ModelSet, Task};
/// let set = ModelSet::builtin("offline").unwrap();
/// assert_eq!(set.name, "offline");
/// assert_eq!(set.task(Task::Encoder).unwrap().model.as_deref(), Some("minilm"));
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSet {
    /// The set's name.
    pub name: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
    /// Named-entity recognition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ner: Option<TaskModel>,
    /// The shared sentence encoder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoder: Option<TaskModel>,
    /// Summarization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<TaskModel>,
    /// Relation extraction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relations: Option<TaskModel>,
    /// The manifest file it came from (`None` for built-in or synthesised sets).
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

impl ModelSet {
    /// Names of the built-in sets.
    pub const BUILTIN: [&'static str; 2] = ["offline", "standard"];

    /// A built-in set by name (`offline`, the default, or `standard`).
    pub fn builtin(name: &str) -> Option<ModelSet> {
        let text = match name {
            "offline" => OFFLINE_MANIFEST,
            "standard" => STANDARD_MANIFEST,
            _ => return None,
        };
        Self::from_toml_str(text, Path::new(&format!("models/{name}.toml"))).ok()
    }

    /// The default set (`offline`).
    pub fn default_set() -> ModelSet {
        Self::builtin("offline").unwrap_or_default()
    }

    /// Parses a manifest's text; `origin` names it in errors.
    ///
    /// # Errors
    /// [`Error::ManifestToml`] for invalid TOML or unknown top-level keys;
    /// [`Error::Manifest`] for an invalid model spec or a missing name.
    pub fn from_toml_str(text: &str, origin: &Path) -> Result<ModelSet> {
        let set: ModelSet = toml::from_str(text).map_err(|e| Error::ManifestToml {
            path: origin.to_path_buf(),
            source: e,
        })?;
        if set.name.trim().is_empty() {
            return Err(Error::Manifest {
                path: origin.to_path_buf(),
                message: "`name` is empty".into(),
            });
        }
        for task in Task::ALL {
            if let Some(t) = set.task(task) {
                t.spec().map_err(|e| Error::Manifest {
                    path: origin.to_path_buf(),
                    message: format!("[{}] model: {e}", task.key()),
                })?;
            }
        }
        Ok(set)
    }

    /// Reads a manifest file.
    ///
    /// # Errors
    /// [`Error::Io`] and the errors of [`ModelSet::from_toml_str`].
    pub fn from_file(path: &Path) -> Result<ModelSet> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut set = Self::from_toml_str(&text, path)?;
        set.source = Some(path.to_path_buf());
        Ok(set)
    }

    /// Loads the set a user named with `--models`:
    ///
    /// * a path to a `.toml` file: that manifest;
    /// * a model directory (it has `config.json` or `lede-model.toml`): a set whose NER model
    ///   is that directory and which names nothing else (see [`ModelSet::with_defaults`]);
    /// * a name: `<models dir>/<name>.toml` in each models directory, then the built-in sets.
    ///
    /// # Errors
    /// [`Error::ModelNotFound`] naming the places searched, and manifest errors.
    pub fn load(name_or_path: &str, locations: &Locations) -> Result<ModelSet> {
        let arg = name_or_path.trim();
        let path = Path::new(arg);
        if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
            return Self::from_file(path);
        }
        if path.is_dir()
            && (path.join("config.json").is_file()
                || path.join(crate::files::PROJECT_MANIFEST).is_file())
        {
            return Ok(Self::ner_only(ModelSpec::Dir(path.to_path_buf())));
        }
        let plain = !arg.is_empty() && !arg.contains('/') && !arg.ends_with(".toml");
        let searched = if plain {
            locations.manifest_candidates(arg)
        } else {
            vec![path.to_path_buf()]
        };
        if plain {
            if let Some(p) = searched.iter().find(|p| p.is_file()) {
                return Self::from_file(p);
            }
            if let Some(set) = Self::builtin(arg) {
                return Ok(set);
            }
        }
        Err(Error::ModelNotFound {
            spec: arg.to_string(),
            searched,
            hint: format!(
                "--models takes a model-set name ({}), a manifest .toml file, or a model directory",
                Self::BUILTIN.join(", ")
            ),
        })
    }

    /// A set that names only a NER model.
    pub fn ner_only(spec: ModelSpec) -> ModelSet {
        ModelSet {
            name: spec.to_spec_string(),
            description: "a NER model given on the command line".into(),
            ner: Some(TaskModel {
                method: Some("transformer".into()),
                model: Some(spec.to_spec_string()),
                options: toml::Table::new(),
            }),
            ..Default::default()
        }
    }

    /// Fills the tasks this set does not configure from `other`.
    pub fn with_defaults(mut self, other: &ModelSet) -> ModelSet {
        self.ner = self.ner.or_else(|| other.ner.clone());
        self.encoder = self.encoder.or_else(|| other.encoder.clone());
        self.summary = self.summary.or_else(|| other.summary.clone());
        self.relations = self.relations.or_else(|| other.relations.clone());
        self
    }

    /// A task's entry.
    pub fn task(&self, task: Task) -> Option<&TaskModel> {
        match task {
            Task::Ner => self.ner.as_ref(),
            Task::Encoder => self.encoder.as_ref(),
            Task::Summary => self.summary.as_ref(),
            Task::Relations => self.relations.as_ref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_sets_parse() {
        let offline = ModelSet::builtin("offline").expect("offline parses");
        assert_eq!(
            offline.task(Task::Ner).and_then(|t| t.model.as_deref()),
            Some("lede-ner-minilm")
        );
        assert_eq!(
            offline.task(Task::Encoder).unwrap().spec().unwrap(),
            Some(ModelSpec::MiniLm)
        );
        let standard = ModelSet::builtin("standard").expect("standard parses");
        assert_eq!(
            standard.task(Task::Ner).unwrap().spec().unwrap(),
            Some(ModelSpec::Hub(
                "dbmdz/bert-large-cased-finetuned-conll03-english".into()
            ))
        );
        assert_eq!(
            standard.task(Task::Summary).unwrap().model.as_deref(),
            Some("facebook/bart-large-cnn")
        );
        assert!(ModelSet::builtin("nope").is_none());
    }

    #[test]
    fn bad_manifests_are_errors() {
        let p = Path::new("x.toml");
        assert!(matches!(
            ModelSet::from_toml_str("name = \"x\"\nbogus = 1\n", p),
            Err(Error::ManifestToml { .. })
        ));
        assert!(matches!(
            ModelSet::from_toml_str("name = \"x\"\n[ner]\nmodel = \"\"\n", p),
            Err(Error::Manifest { .. })
        ));
        assert!(matches!(
            ModelSet::from_toml_str("name = \"\"\n", p),
            Err(Error::Manifest { .. })
        ));
    }
}
