//! Hub downloads (the `remote` cargo feature).
//!
//! Files are fetched through rust-bert's `RemoteResource` (which caches them under
//! `$RUSTBERT_CACHE`, default `~/.cache/.rustbert`, with hashed names) and then linked under
//! their real names into `<lede cache>/models/ORG--NAME/`, so the next resolution of the same
//! id is a local directory and works offline.

use std::path::PathBuf;

use crate::paths::Locations;
use crate::{Error, Result};

#[cfg(not(feature = "remote"))]
pub(crate) fn fetch(id: &str, _locations: &Locations) -> Result<PathBuf> {
    Err(Error::RemoteDisabled { id: id.to_string() })
}

#[cfg(feature = "remote")]
pub(crate) fn fetch(id: &str, locations: &Locations) -> Result<PathBuf> {
    use rust_bert::resources::{RemoteResource, ResourceProvider};

    let models = locations.cache_models_dir().ok_or_else(|| {
        Error::InvalidInput("no cache directory for downloads: set LEDE_CACHE_DIR or HOME".into())
    })?;
    let target = models.join(id.replace('/', "--"));
    let partial = models.join(format!("{}.partial", id.replace('/', "--")));

    let get = |file: &str| -> std::result::Result<PathBuf, rust_bert::RustBertError> {
        let url = format!("https://huggingface.co/{id}/resolve/main/{file}");
        RemoteResource::new(&url, id).get_local_path()
    };
    let required = |file: &str| {
        get(file).map_err(|e| Error::Download {
            id: id.to_string(),
            file: file.to_string(),
            source: e,
        })
    };

    let mut fetched: Vec<(String, PathBuf)> = Vec::new();
    fetched.push(("config.json".into(), required("config.json")?));
    match get("model.safetensors") {
        Ok(p) => fetched.push(("model.safetensors".into(), p)),
        Err(_) => fetched.push(("rust_model.ot".into(), required("rust_model.ot")?)),
    }
    let tokenizer_sets: [&[&str]; 5] = [
        &["tokenizer.json"],
        &["vocab.txt"],
        &["vocab.json", "merges.txt"],
        &["sentencepiece.bpe.model"],
        &["spiece.model"],
    ];
    let mut have_tokenizer = false;
    for set in tokenizer_sets {
        let got: Vec<_> = set
            .iter()
            .map(|f| get(f).map(|p| (f.to_string(), p)))
            .collect();
        if got.iter().all(|g| g.is_ok()) {
            fetched.extend(got.into_iter().flatten());
            have_tokenizer = true;
            break;
        }
    }
    if !have_tokenizer {
        fetched.push(("tokenizer.json".into(), required("tokenizer.json")?));
    }
    for optional in [
        "tokenizer_config.json",
        "special_tokens_map.json",
        "sentence_bert_config.json",
        "1_Pooling/config.json",
    ] {
        if let Ok(p) = get(optional) {
            fetched.push((optional.to_string(), p));
        }
    }

    let _ = std::fs::remove_dir_all(&partial);
    for (file, src) in &fetched {
        let dst = partial.join(file);
        if let Some(parent) = dst.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        link_or_copy(src, &dst)?;
    }
    let _ = std::fs::remove_dir_all(&target);
    std::fs::rename(&partial, &target).map_err(|e| Error::io(&target, e))?;
    Ok(target)
}

#[cfg(feature = "remote")]
fn link_or_copy(src: &std::path::Path, dst: &std::path::Path) -> Result<()> {
    #[cfg(unix)]
    {
        if std::os::unix::fs::symlink(src, dst).is_ok() {
            return Ok(());
        }
    }
    std::fs::copy(src, dst)
        .map(|_| ())
        .map_err(|e| Error::io(dst, e))
}
