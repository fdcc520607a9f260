//! The error type of lede-models.

use std::path::PathBuf;

/// Everything that can go wrong while finding, validating or running a model.
///
/// Every variant that concerns a file names it, and says what is wrong with it, so that a user
/// who passed `--models DIR` knows which file to fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A model spec string that cannot name a model (empty, or malformed).
    #[error("invalid model spec {spec:?}: {reason}")]
    InvalidSpec {
        /// The spec as given.
        spec: String,
        /// Why it is invalid.
        reason: String,
    },

    /// No model with this name in any of the places searched.
    #[error(
        "model {spec:?} not found (looked in {}); {hint}",
        display_paths(searched)
    )]
    ModelNotFound {
        /// The spec as given.
        spec: String,
        /// The directories that were searched, in order.
        searched: Vec<PathBuf>,
        /// What to do about it (e.g. which command makes the model).
        hint: String,
    },

    /// A model directory lacks a file it needs.
    #[error("{}: {what}", dir.display())]
    MissingFile {
        /// The model directory.
        dir: PathBuf,
        /// What is missing, with the file names looked for.
        what: String,
    },

    /// A file could not be read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },

    /// A JSON file (config.json, tokenizer_config.json, ...) is not valid JSON or does not have
    /// the expected shape.
    #[error("{} is not valid: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },

    /// A config file has a missing or impossible value.
    #[error("{}: {message}", path.display())]
    Config {
        /// The config file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },

    /// config.json names an architecture lede cannot run (for this task).
    #[error("{}: unsupported model_type {model_type:?} (supported: {supported})", path.display())]
    UnknownArchitecture {
        /// The config file.
        path: PathBuf,
        /// The `model_type` it gives.
        model_type: String,
        /// The architectures that are supported here.
        supported: String,
    },

    /// A classification model whose config.json has no usable `id2label` map.
    #[error("{}: {message}", path.display())]
    Labels {
        /// The config file.
        path: PathBuf,
        /// What is wrong with the label map.
        message: String,
    },

    /// A weights file that is truncated, corrupt or of an unknown format.
    #[error("{}: {message}", path.display())]
    Weights {
        /// The weights file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },

    /// A weights file lacks a tensor the model (as config.json describes it) needs.
    #[error(
        "{}: no tensor {tensor:?}{}, which the model described by {} needs",
        path.display(), also_tried(aliases), config.display()
    )]
    MissingTensor {
        /// The weights file.
        path: PathBuf,
        /// The variable the model needs.
        tensor: String,
        /// Other names that were tried.
        aliases: Vec<String>,
        /// The config file that describes the model.
        config: PathBuf,
    },

    /// A tensor whose shape differs from what config.json implies.
    #[error(
        "{}: tensor {tensor:?} has shape {found:?} but {} implies {expected:?}",
        path.display(), config.display()
    )]
    ShapeMismatch {
        /// The weights file.
        path: PathBuf,
        /// The tensor's name in the file.
        tensor: String,
        /// The shape the model needs.
        expected: Box<[i64]>,
        /// The shape in the file.
        found: Box<[i64]>,
        /// The config file that describes the model.
        config: PathBuf,
    },

    /// Weights and config disagree in a way that is not one tensor's shape (e.g. the file
    /// has more layers than config.json says).
    #[error("{} does not match {}: {message}", path.display(), config.display())]
    ConfigMismatch {
        /// The weights (or tokenizer) file.
        path: PathBuf,
        /// The config file.
        config: PathBuf,
        /// What disagrees.
        message: String,
    },

    /// A tokenizer file that cannot be loaded.
    #[error("cannot load tokenizer {}", path.display())]
    Tokenizer {
        /// The tokenizer file.
        path: PathBuf,
        /// The tokenizer library's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// A model-set manifest that cannot be read.
    #[error("{}: {message}", path.display())]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },

    /// A model-set manifest that is not valid TOML for a model set.
    #[error("{} is not a valid model-set manifest", path.display())]
    ManifestToml {
        /// The manifest.
        path: PathBuf,
        /// The TOML error.
        #[source]
        source: toml::de::Error,
    },

    /// A hub id was given but this build cannot download.
    #[error(
        "{id:?} looks like a Hugging Face hub id, but this build of lede cannot download models: \
         rebuild with the `remote` cargo feature (e.g. `cargo build --release --features remote`), \
         or download the model's files and pass their directory"
    )]
    RemoteDisabled {
        /// The hub id.
        id: String,
    },

    /// A hub id was given while running offline, and the model is not in the local cache.
    #[error(
        "{id:?} is a Hugging Face hub id and lede runs offline; it is not in the local cache \
         (looked in {}). Drop --offline to download it, or pass a local directory",
        display_paths(searched)
    )]
    Offline {
        /// The hub id.
        id: String,
        /// Local places that were searched.
        searched: Vec<PathBuf>,
    },

    /// Downloading a file from the hub failed.
    #[cfg(feature = "remote")]
    #[error("cannot download {file} of {id:?}")]
    Download {
        /// The hub id.
        id: String,
        /// The file.
        file: String,
        /// rust-bert's error.
        #[source]
        source: rust_bert::RustBertError,
    },

    /// A libtorch operation failed.
    #[error("{context}")]
    Tch {
        /// What was being done.
        context: String,
        /// libtorch's error.
        #[source]
        source: tch::TchError,
    },

    /// A rust-bert call failed.
    #[error("{context}")]
    RustBert {
        /// What was being done.
        context: String,
        /// rust-bert's error.
        #[source]
        source: rust_bert::RustBertError,
    },

    /// The model failed while running (a panic inside the tensor library was caught).
    #[error("model {model} failed while running: {message}")]
    Forward {
        /// The model.
        model: String,
        /// What was reported.
        message: String,
    },

    /// Input that breaks a documented precondition.
    #[error("invalid input: {0}")]
    InvalidInput(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn config(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Config {
            path: path.into(),
            message: message.into(),
        }
    }

    pub(crate) fn weights(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Weights {
            path: path.into(),
            message: message.into(),
        }
    }

    pub(crate) fn tch(context: impl Into<String>, source: tch::TchError) -> Self {
        Error::Tch {
            context: context.into(),
            source,
        }
    }
}

fn also_tried(aliases: &[String]) -> String {
    if aliases.is_empty() {
        String::new()
    } else {
        format!(" (nor {})", aliases.join(", "))
    }
}

fn display_paths(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        return "nowhere".to_string();
    }
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `Result` with lede-models' [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
