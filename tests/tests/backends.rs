//! The rust-bert relation backends (NLI zero-shot, REBEL) chosen from a model-set manifest and
//! run by the real binary, on tiny random models written by lede-models' `testing` feature.

use std::path::Path;
use std::process::Command;

use lede_models::testing::{Head, TinyModel};
use lede_test_support::offline_models_available;
use lede_tests::{lede_bin, workspace_root};
use serde_json::Value;

fn manifest(dir: &Path, method: &str, model: &Path, extra: &str) -> std::path::PathBuf {
    let path = dir.join(format!("{method}.toml"));
    let text = format!(
        "name = \"{method}-test\"\n\n[ner]\nmethod = \"transformer\"\nmodel = \"lede-ner-minilm\"\n\n\
         [relations]\nmethod = \"{method}\"\nmodel = \"{}\"\n{extra}\n",
        model.display()
    );
    std::fs::write(&path, text).unwrap();
    path
}

const STORY: &str = "Minsk (EFE).- Belarusian President Alexandr Lukashenko pardoned the \
    activist Ales Bialiatski on Saturday. Bialiatski, the founder of Viasna, was held in Gorki. \
    John Cole, the White House envoy, met Lukashenko in Minsk.";

fn analyze(models: &Path) -> (bool, Value, String) {
    let doc = models.with_extension("txt");
    std::fs::write(&doc, STORY).unwrap();
    let out = Command::new(lede_bin())
        .current_dir(workspace_root())
        .args(["--quiet", "analyze", "--tasks", "ner,relations", "--models"])
        .arg(models)
        .arg(&doc)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.success(),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn nli_and_rebel_backends_run_from_a_manifest() {
    if !offline_models_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let nli = tmp.path().join("nli");
    TinyModel::bart(Head::SequenceClassification)
        .write(&nli)
        .unwrap();
    let rebel = tmp.path().join("rebel");
    TinyModel::bart(Head::ConditionalGeneration)
        .write(&rebel)
        .unwrap();

    // NLI with a zero threshold reports every type-compatible candidate pair of the schema.
    let (ok, json, err) = analyze(&manifest(tmp.path(), "nli", &nli, "threshold = 0.0"));
    assert!(ok, "{err}");
    let provenance = json["models"]["relations"].as_str().unwrap_or_default();
    assert!(provenance.starts_with("lede-relations/nli"), "{provenance}");
    let relations = json["relations"].as_array().unwrap();
    assert!(!relations.is_empty());
    let ids: Vec<&str> = json["entities"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    for r in relations {
        assert!(ids.contains(&r["head"].as_str().unwrap()), "{r}");
    }

    // REBEL: random weights generate no triplets worth reading; the run must still succeed.
    let (ok, json, err) = analyze(&manifest(tmp.path(), "rebel", &rebel, "max_length = 8"));
    assert!(ok, "{err}");
    let provenance = json["models"]["relations"].as_str().unwrap_or_default();
    assert!(
        provenance.starts_with("lede-relations/rebel"),
        "{provenance}"
    );

    // A backend without a model, or a model directory that is not one, is a clear error.
    let bad = tmp.path().join("nomodel.toml");
    std::fs::write(
        &bad,
        "name = \"bad\"\n[ner]\nmethod = \"transformer\"\nmodel = \"lede-ner-minilm\"\n[relations]\nmethod = \"nli\"\n",
    )
    .unwrap();
    let (ok, _, err) = analyze(&bad);
    assert!(!ok);
    assert!(err.contains("needs a `model`"), "{err}");
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let (ok, _, err) = analyze(&manifest(tmp.path(), "rebel", &empty, ""));
    assert!(!ok);
    assert!(
        err.contains("relation model") || err.contains("REBEL"),
        "{err}"
    );
}
