//! Where model files live: lede's cache, the project's `models/` directory, the packaged
//! MiniLM.

use std::path::PathBuf;

/// Directory name of the packaged sentence encoder.
pub const MINILM_DIR_NAME: &str = "all-MiniLM-L6-v2";

/// Environment variable naming lede's cache root (default `$XDG_CACHE_HOME/lede` or
/// `~/.cache/lede`).
pub const CACHE_DIR_ENV: &str = "LEDE_CACHE_DIR";

/// Environment variable naming the directory of project models and model-set manifests
/// (default: the `models/` directory of the lede checkout).
pub const MODELS_DIR_ENV: &str = "LEDE_MODELS_DIR";

/// The root of the lede checkout this crate was compiled in, when it was compiled as
/// `crates/models` of a checkout with a `models/` directory (the build script checks; a crate
/// unpacked from crates.io, or from `cargo package`, was not).
pub fn built_in_checkout() -> Option<PathBuf> {
    option_env!("LEDE_CHECKOUT_DIR").map(PathBuf::from)
}

/// Where to look for models. [`Locations::from_env`] reads the environment; tests and
/// embedders set the fields directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locations {
    /// lede's cache root; packaged and downloaded models live in `<cache>/models/`.
    pub cache_dir: Option<PathBuf>,
    /// Directories of project models and manifests, searched in order.
    pub models_dirs: Vec<PathBuf>,
    /// The checkout's `.lede/` directory, if any (set-up may put the packaged MiniLM there).
    pub repo_state_dir: Option<PathBuf>,
}

impl Default for Locations {
    fn default() -> Self {
        Self::from_env()
    }
}

impl Locations {
    /// Locations from the environment:
    ///
    /// * cache: `$LEDE_CACHE_DIR`, else `$XDG_CACHE_HOME/lede`, else `~/.cache/lede`;
    /// * models: `$LEDE_MODELS_DIR` if set, then the `models/` directory of the nearest
    ///   ancestor of the current directory that has `models/offline.toml`, then the `models/`
    ///   directory of the lede checkout this crate was built in (if it was built in one, see
    ///   [`built_in_checkout`], and the directory still exists), then (through
    ///   [`Locations::project_candidates`]) `<cache>/models`;
    /// * `.lede/` of the first of those checkouts.
    ///
    /// A crate from crates.io was not built in a checkout: its models come from
    /// `$LEDE_MODELS_DIR` or `<cache>/models` (docs/MODELS.md, "Models for the published
    /// crates").
    pub fn from_env() -> Self {
        let cache_dir = std::env::var_os(CACHE_DIR_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("XDG_CACHE_HOME")
                    .filter(|v| !v.is_empty())
                    .map(|d| PathBuf::from(d).join("lede"))
            })
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|v| !v.is_empty())
                    .map(|h| PathBuf::from(h).join(".cache").join("lede"))
            });

        let mut models_dirs = Vec::new();
        if let Some(dir) = std::env::var_os(MODELS_DIR_ENV).filter(|v| !v.is_empty()) {
            models_dirs.push(PathBuf::from(dir));
        }
        let mut repo_roots = Vec::new();
        if let Ok(cwd) = std::env::current_dir() {
            if let Some(root) = cwd
                .ancestors()
                .find(|a| a.join("models").join("offline.toml").is_file())
            {
                repo_roots.push(root.to_path_buf());
            }
        }
        if let Some(built_from) = built_in_checkout() {
            if built_from.join("models").is_dir() && !repo_roots.contains(&built_from) {
                repo_roots.push(built_from);
            }
        }
        for root in &repo_roots {
            let dir = root.join("models");
            if !models_dirs.contains(&dir) {
                models_dirs.push(dir);
            }
        }
        let repo_state_dir = repo_roots.first().map(|r| r.join(".lede"));
        Locations {
            cache_dir,
            models_dirs,
            repo_state_dir,
        }
    }

    /// `<cache>/models`, if a cache root is known.
    pub fn cache_models_dir(&self) -> Option<PathBuf> {
        self.cache_dir.as_ref().map(|c| c.join("models"))
    }

    /// The directories where the packaged MiniLM may be, in search order:
    /// `<cache>/models/all-MiniLM-L6-v2`, then `<checkout>/.lede/models/all-MiniLM-L6-v2`.
    pub fn minilm_candidates(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        if let Some(models) = self.cache_models_dir() {
            out.push(models.join(MINILM_DIR_NAME));
        }
        if let Some(state) = &self.repo_state_dir {
            out.push(state.join("models").join(MINILM_DIR_NAME));
        }
        out
    }

    /// Candidate directories of a project model called `name`: `<models dir>/<name>` for each
    /// models directory, then `<cache>/models/<name>`.
    pub fn project_candidates(&self, name: &str) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = self.models_dirs.iter().map(|d| d.join(name)).collect();
        if let Some(models) = self.cache_models_dir() {
            out.push(models.join(name));
        }
        out
    }

    /// Local directories where a hub model `org/name` may already be: `<cache>/models/org/name`
    /// and `<cache>/models/org--name`.
    pub fn hub_candidates(&self, id: &str) -> Vec<PathBuf> {
        let mut out = Vec::new();
        if let Some(models) = self.cache_models_dir() {
            out.push(models.join(id));
            out.push(models.join(id.replace('/', "--")));
        }
        out
    }

    /// Candidate paths of a model-set manifest called `name` (`<models dir>/<name>.toml`).
    pub fn manifest_candidates(&self, name: &str) -> Vec<PathBuf> {
        self.models_dirs
            .iter()
            .map(|d| d.join(format!("{name}.toml")))
            .collect()
    }
}
