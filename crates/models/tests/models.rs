//! lede-models through its real loading code: tiny random models of each architecture written
//! to disk, resolved like a user's model, loaded with shape checks, and every bad-file case.

use std::path::{Path, PathBuf};

use lede_models::testing::{
    edit_json, isolated_options, one_libtorch_thread, truncate_file, Head, TinyModel, TinyTokenizer,
};
use lede_models::{
    load_encoder, Architecture, Error, Loaded, ModelFiles, ModelSet, ModelSpec, ResolveOptions,
    SentenceEmbedder, Task, TokenizerFiles, TransformerEncoder, WeightsFormat,
};
use tch::{Device, Tensor};

fn resolve_dir(dir: &Path) -> lede_models::Result<ModelFiles> {
    let root = dir.parent().unwrap_or(dir);
    ModelSpec::Dir(dir.to_path_buf()).resolve(&isolated_options(root))
}

fn tiny(model: TinyModel) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("model");
    model.write(&dir).expect("write tiny model");
    (tmp, dir)
}

/// Builds encoder + classifier head and runs a batch of two texts.
fn run_token_classifier(files: &ModelFiles) -> Vec<i64> {
    let labels = files.require_labels().expect("labels").len() as i64;
    let loaded = load_token_classifier(files).expect("load");
    assert!(loaded.report.loaded > 10, "{:?}", loaded.report);
    let tok = lede_models::subword_encoder(files).expect("tokenizer");
    lede_models::check_vocab(&tok, &loaded.encoder, files).expect("ids fit the embeddings");
    let texts = ["Maria said the city was freed.", "Zürich — 42 people"];
    let seqs: Vec<Vec<u32>> = texts
        .iter()
        .map(|t| {
            let encoding = tok.encode(t).expect("encode");
            let seq = &encoding.sequence;
            assert_eq!(seq.len(), seq.subwords.len());
            assert_eq!(
                seq.subwords.iter().filter(|s| s.special).count(),
                tok.special_tokens(),
                "{:?}: the model's special tokens around the text",
                files.tokenizer.path()
            );
            let spans: Vec<lede_core::Span> = seq.subwords.iter().filter_map(|s| s.span).collect();
            assert_eq!(spans.len(), seq.len() - tok.special_tokens());
            for p in &spans {
                assert!(p.slice(t).is_some(), "subword offsets slice the text");
            }
            // Every visible char is covered by some subword, in order.
            for (i, c) in t.char_indices().filter(|(_, c)| !c.is_whitespace()) {
                assert!(
                    spans.iter().any(|p| p.start <= i && i < p.end),
                    "{:?}: char {c:?} at {i} is in no subword: {seq:?}",
                    files.tokenizer.path()
                );
            }
            assert!(spans.windows(2).all(|w| w[0].start <= w[1].start));
            // Known words are not all unknown pieces.
            let unk = ["[UNK]", "<unk>"].iter().find_map(|u| tok.token_to_id(u));
            assert!(
                seq.subwords.iter().any(|s| !s.special && Some(s.id) != unk),
                "{:?}: {seq:?}",
                files.tokenizer.path()
            );
            seq.ids.clone()
        })
        .collect();
    let (ids, mask) = TransformerEncoder::batch_tensors(&seqs, tok.pad_id(), Device::Cpu);
    let hidden = tch::no_grad(|| loaded.encoder.forward(&ids, &mask, false)).expect("forward");
    let logits = hidden.apply(&loaded.head);
    let longest = seqs.iter().map(Vec::len).max().unwrap_or(0) as i64;
    assert_eq!(logits.size(), vec![2, longest, labels]);
    logits.size()
}

#[test]
fn every_encoder_architecture_loads_through_spec_resolution() {
    one_libtorch_thread();
    // Every architecture with its default tokenizer, as a token classifier.
    type Constructor = fn(Head) -> TinyModel;
    let defaults: [(Constructor, Architecture, &str); 5] = [
        (TinyModel::bert, Architecture::Bert, "vocab.txt"),
        (
            TinyModel::distilbert,
            Architecture::DistilBert,
            "tokenizer.json",
        ),
        (TinyModel::roberta, Architecture::Roberta, "vocab.json"),
        (
            TinyModel::xlm_roberta,
            Architecture::XlmRoberta,
            "tokenizer.json",
        ),
        (TinyModel::electra, Architecture::Electra, "vocab.txt"),
    ];
    let xlm_sentencepiece = (
        TinyModel::xlm_roberta(Head::TokenClassification)
            .tokenizer(TinyTokenizer::XlmSentencePiece),
        Architecture::XlmRoberta,
        "sentencepiece.bpe.model",
    );
    let cases = defaults
        .into_iter()
        .map(|(new, arch, file)| (new(Head::TokenClassification), arch, file))
        .chain([xlm_sentencepiece]);
    for (model, arch, tokenizer_file) in cases {
        let labels = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"];
        let (_tmp, dir) = tiny(model.labels(&labels));
        let files = resolve_dir(&dir).unwrap_or_else(|e| panic!("{arch}: {e}"));
        assert_eq!(files.architecture, arch);
        assert_eq!(
            files.tokenizer.path().file_name().and_then(|f| f.to_str()),
            Some(tokenizer_file),
            "{arch}"
        );
        let map = files.require_labels().expect("labels");
        assert_eq!(map.as_slice(), labels.map(String::from).as_slice());
        assert!(!map.is_generic());
        run_token_classifier(&files);
    }
}

#[test]
fn libtorch_archives_load_too() {
    one_libtorch_thread();
    let (_tmp, dir) =
        tiny(TinyModel::bert(Head::TokenClassification).format(WeightsFormat::LibTorch));
    let files = resolve_dir(&dir).expect("resolve");
    assert_eq!(files.weights[0].format, WeightsFormat::LibTorch);
    run_token_classifier(&files);
}

#[test]
fn sentence_embedder_on_a_bare_bert() {
    one_libtorch_thread();
    // A bare BertModel checkpoint (no `bert.` prefix, with pooler), as all-MiniLM-L6-v2.
    let (_tmp, dir) = tiny(TinyModel::bert(Head::Base).lowercase(true));
    let files = resolve_dir(&dir).expect("resolve");
    assert!(files.labels.is_none());
    let emb = SentenceEmbedder::builder()
        .model(files)
        .batch_size(2)
        .build()
        .expect("embedder");
    assert_eq!(emb.dim(), 32);
    let texts = [
        "the city",
        "A much longer sentence about the president of Belarus.",
        "",
    ];
    let v = emb.embed(&texts).expect("embed");
    assert_eq!(v.shape(), &[3, 32]);
    for row in v.outer_iter() {
        let norm: f32 = row.dot(&row).sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "L2-normalised, got {norm}");
    }
    // Batching and sorting do not change a text's vector.
    let alone = emb.embed(&texts[1..2]).expect("embed one");
    let diff: f32 = (&alone.row(0) - &v.row(1)).mapv(f32::abs).sum();
    assert!(diff < 1e-3, "same vector alone and in a batch ({diff})");
    // Token states: one row per piece, pieces slice the text, truncation at max_len.
    let long = "news ".repeat(200);
    let states = emb.token_states(&[texts[1], &long]).expect("states");
    assert_eq!(states[0].hidden.nrows(), states[0].subwords.len());
    assert!(states[0]
        .subwords
        .iter()
        .all(|s| s.span.and_then(|p| p.slice(texts[1])).is_some()));
    assert_eq!(states[1].subwords.len(), emb.max_len() - 2);
    assert_eq!(states[1].hidden.nrows(), emb.max_len() - 2);
    // Embedding the subword ids of a text is embedding the text, truncation included.
    let ids = |t: &str| -> Vec<u32> {
        let enc = emb.subwords().encode(t).expect("encode");
        enc.sequence
            .subwords
            .iter()
            .filter(|s| !s.special)
            .map(|s| s.id)
            .collect()
    };
    let by_ids = emb
        .embed_ids(&[ids(texts[1]), ids(&long), Vec::new()])
        .expect("embed ids");
    let by_text = emb.embed(&[texts[1], &long, ""]).expect("embed");
    for (a, b) in by_ids.iter().zip(by_text.iter()) {
        assert!((a - b).abs() < 1e-5, "embed_ids equals embed: {a} vs {b}");
    }
    let e = emb
        .embed_ids(&[vec![1_000_000u32]])
        .expect_err("id outside the vocabulary");
    assert!(e.to_string().contains("outside the vocabulary"), "{e}");
    let as_trait: &dyn lede_core::SentenceEncoder = &emb;
    assert_eq!(as_trait.encode(&["x"]).expect("trait encode")[0].len(), 32);

    // Early exit: the first layer only gives other (still normalised) vectors; the later
    // layers' weights are skipped, not refused. Zero layers or more than the model has are
    // configuration errors.
    let first = SentenceEmbedder::builder()
        .model(resolve_dir(&dir).expect("resolve"))
        .layers(1)
        .build()
        .expect("one-layer embedder");
    let v1 = first.embed(&texts[1..2]).expect("embed");
    let norm: f32 = v1.row(0).dot(&v1.row(0)).sqrt();
    assert!((norm - 1.0).abs() < 1e-4);
    let diff: f32 = (&v1.row(0) - &v.row(1)).mapv(f32::abs).sum();
    assert!(diff > 1e-3, "one layer differs from all layers");
    for n in [0, 99] {
        let err = SentenceEmbedder::builder()
            .model(resolve_dir(&dir).expect("resolve"))
            .layers(n)
            .build()
            .expect_err("bad layer count");
        assert!(err.to_string().contains("layers"), "{err}");
    }
}

#[test]
fn project_model_with_base_and_extra_weights() {
    one_libtorch_thread();
    let tmp = tempfile::tempdir().expect("tempdir");
    let opts = isolated_options(tmp.path());
    // The base: a bare tiny BERT installed as the packaged MiniLM would be.
    let base_dir = tmp.path().join("cache/models/all-MiniLM-L6-v2");
    TinyModel::bert(Head::Base).write(&base_dir).expect("base");
    // The project model: its own config (with labels) and only the head's weights.
    let proj = tmp.path().join("models/tiny-ner");
    std::fs::create_dir_all(&proj).expect("mkdir");
    std::fs::copy(base_dir.join("config.json"), proj.join("config.json")).expect("copy");
    edit_json(&proj.join("config.json"), |c| {
        c["id2label"] = serde_json::json!({"0": "O", "1": "B-PER", "2": "I-PER"});
    })
    .expect("edit");
    let head = Tensor::zeros([3, 32], (tch::Kind::Float, Device::Cpu));
    let bias = Tensor::zeros([3], (tch::Kind::Float, Device::Cpu));
    Tensor::write_safetensors(
        &[("classifier.weight", &head), ("classifier.bias", &bias)],
        proj.join("head.safetensors"),
    )
    .expect("write head");
    std::fs::write(
        proj.join("lede-model.toml"),
        "base = \"minilm\"\nweights = \"head.safetensors\"\n",
    )
    .expect("manifest");
    let files = ModelSpec::parse("tiny-ner")
        .expect("spec")
        .resolve(&opts)
        .expect("resolve project model");
    assert_eq!(files.weights.len(), 2, "base weights, then the head");
    assert!(files.base.is_some());
    assert!(matches!(files.tokenizer, TokenizerFiles::WordPiece { .. }));
    let logits = run_token_classifier(&files);
    assert_eq!(logits[2], 3);
}

fn expect_err<T: std::fmt::Debug>(r: lede_models::Result<T>, needle: &str) -> Error {
    let e = r.expect_err("expected an error");
    let msg = e.to_string();
    assert!(
        msg.contains(needle),
        "error {msg:?} should mention {needle:?}"
    );
    e
}

/// Loads the encoder of `files` under a linear token-classification head.
fn load_token_classifier(files: &ModelFiles) -> lede_models::Result<Loaded<tch::nn::Linear>> {
    let n = files.require_labels()?.len() as i64;
    load_encoder(
        files,
        Device::Cpu,
        |root, enc| {
            Ok(tch::nn::linear(
                root / "classifier",
                enc.hidden_size(),
                n,
                Default::default(),
            ))
        },
        &[],
        true,
    )
}

fn load_with_head(files: &ModelFiles) -> lede_models::Result<()> {
    load_token_classifier(files).map(|_| ())
}

/// Loads (with a head) a tiny `model` whose `config.json` was changed by `edit`, expecting an
/// error that mentions `needle`.
fn load_err_after_edit(
    model: TinyModel,
    edit: impl FnOnce(&mut serde_json::Value),
    needle: &str,
) -> Error {
    let (_t, dir) = tiny(model);
    edit_json(&dir.join("config.json"), edit).expect("edit");
    let files = resolve_dir(&dir).expect("resolve");
    expect_err(load_with_head(&files), needle)
}

#[test]
fn bad_files_give_one_clear_error() {
    one_libtorch_thread();
    let model = || TinyModel::bert(Head::TokenClassification);

    // Missing config.json.
    let (_t, dir) = tiny(model());
    std::fs::remove_file(dir.join("config.json")).expect("rm");
    let e = expect_err(resolve_dir(&dir), "no config.json");
    assert!(matches!(e, Error::MissingFile { .. }));

    // Missing weights.
    let (_t, dir) = tiny(model());
    std::fs::remove_file(dir.join("model.safetensors")).expect("rm");
    expect_err(resolve_dir(&dir), "no weights");

    // Only a pytorch_model.bin.
    std::fs::write(dir.join("pytorch_model.bin"), b"PK\x03\x04junk").expect("write");
    expect_err(resolve_dir(&dir), "pytorch_model.bin");

    // Missing tokenizer.
    let (_t, dir) = tiny(model());
    std::fs::remove_file(dir.join("vocab.txt")).expect("rm");
    expect_err(resolve_dir(&dir), "no tokenizer");

    // Truncated safetensors: caught at resolution, naming the file.
    let (_t, dir) = tiny(model());
    let w = dir.join("model.safetensors");
    let len = std::fs::metadata(&w).expect("meta").len();
    truncate_file(&w, len / 2).expect("truncate");
    let e = expect_err(resolve_dir(&dir), "truncated");
    assert!(e.to_string().contains("model.safetensors"));
    truncate_file(&w, 5).expect("truncate");
    expect_err(resolve_dir(&dir), "model.safetensors");
    truncate_file(&w, 0).expect("truncate");
    expect_err(resolve_dir(&dir), "empty or truncated");

    // Truncated libtorch archive: an error, not an abort.
    let (_t, dir) = tiny(model().format(WeightsFormat::LibTorch));
    let w = dir.join("rust_model.ot");
    let len = std::fs::metadata(&w).expect("meta").len();
    truncate_file(&w, len / 2).expect("truncate");
    let files = resolve_dir(&dir).expect("header-less format resolves");
    expect_err(load_with_head(&files), "rust_model.ot");

    // Unknown model_type.
    let (_t, dir) = tiny(model());
    edit_json(&dir.join("config.json"), |c| {
        c["model_type"] = "gpt-7".into()
    })
    .expect("edit");
    let e = expect_err(resolve_dir(&dir), "gpt-7");
    assert!(matches!(e, Error::UnknownArchitecture { .. }));

    // A known but non-encoder architecture, for the encoder.
    let (_t, dir) = tiny(TinyModel::bart(Head::ConditionalGeneration));
    let files = resolve_dir(&dir).expect("bart resolves");
    assert_eq!(files.architecture, Architecture::Bart);
    let e = expect_err(
        load_encoder(&files, Device::Cpu, |_, _| Ok(()), &[], true).map(|_| ()),
        "bart",
    );
    assert!(matches!(e, Error::UnknownArchitecture { .. }));

    // Missing id2label where a classifier needs one.
    let (_t, dir) = tiny(model());
    edit_json(&dir.join("config.json"), |c| {
        if let Some(o) = c.as_object_mut() {
            o.remove("id2label");
            o.remove("label2id");
        }
    })
    .expect("edit");
    let files = resolve_dir(&dir).expect("resolves without labels");
    expect_err(files.require_labels().map(|_| ()), "id2label");

    // Malformed id2label.
    let (_t, dir) = tiny(model());
    edit_json(&dir.join("config.json"), |c| {
        c["id2label"] = serde_json::json!({"0": "O", "2": "B-PER"});
    })
    .expect("edit");
    expect_err(resolve_dir(&dir), "id 1 is missing");

    // config.json that is not JSON.
    let (_t, dir) = tiny(model());
    std::fs::write(dir.join("config.json"), "{ not json").expect("write");
    let e = expect_err(resolve_dir(&dir), "config.json");
    assert!(matches!(e, Error::Json { .. }));

    // Config/weights mismatch: a different vocabulary size → shape error naming both files.
    let e = load_err_after_edit(
        model(),
        |c| c["vocab_size"] = (c["vocab_size"].as_i64().unwrap_or(0) + 7).into(),
        "word_embeddings",
    );
    assert!(matches!(e, Error::ShapeMismatch { .. }), "{e:?}");
    assert!(e.to_string().contains("config.json") && e.to_string().contains("model.safetensors"));

    // Config says more layers than the weights have.
    let e = load_err_after_edit(model(), |c| c["num_hidden_layers"] = 3.into(), "layer.2");
    assert!(matches!(e, Error::MissingTensor { .. }));

    // Config says fewer layers than the weights have.
    let e = load_err_after_edit(model(), |c| c["num_hidden_layers"] = 1.into(), "layer 1");
    assert!(matches!(e, Error::ConfigMismatch { .. }));

    // Impossible sizes are config errors, not panics.
    load_err_after_edit(
        model(),
        |c| c["num_attention_heads"] = 5.into(),
        "not a multiple",
    );
    load_err_after_edit(model(), |c| c["hidden_size"] = (-4).into(), "out of range");
    load_err_after_edit(
        model(),
        |c| {
            if let Some(o) = c.as_object_mut() {
                o.remove("intermediate_size");
            }
        },
        "intermediate_size",
    );

    // A label map larger than the classifier in the weights.
    let e = load_err_after_edit(
        model().labels(&["O", "B-PER", "I-PER"]),
        |c| {
            c["id2label"] = serde_json::json!({"0": "O", "1": "B-PER", "2": "I-PER", "3": "B-LOC"});
        },
        "classifier",
    );
    assert!(matches!(e, Error::ShapeMismatch { .. }));
}

#[test]
fn wrong_tensor_shape_in_the_file() {
    one_libtorch_thread();
    let (_t, dir) = tiny(TinyModel::bert(Head::TokenClassification));
    let w = dir.join("model.safetensors");
    let mut tensors = Tensor::read_safetensors(&w).expect("read");
    for (name, t) in tensors.iter_mut() {
        if name == "bert.encoder.layer.0.intermediate.dense.weight" {
            // [64, 32] → [32] would broadcast under copy_; the loader must refuse it.
            *t = Tensor::zeros([32], (tch::Kind::Float, Device::Cpu));
        }
    }
    let named: Vec<(&str, &Tensor)> = tensors.iter().map(|(n, t)| (n.as_str(), t)).collect();
    Tensor::write_safetensors(&named, &w).expect("write");
    let files = resolve_dir(&dir).expect("resolve");
    let e = expect_err(load_with_head(&files), "intermediate.dense.weight");
    match e {
        Error::ShapeMismatch {
            expected, found, ..
        } => {
            assert_eq!(&*expected, &[64, 32]);
            assert_eq!(&*found, &[32]);
        }
        other => panic!("expected a shape mismatch, got {other:?}"),
    }
}

#[test]
fn forward_rejects_bad_input_instead_of_panicking() {
    one_libtorch_thread();
    let (_t, dir) = tiny(TinyModel::bert(Head::TokenClassification));
    let files = resolve_dir(&dir).expect("resolve");
    let loaded =
        load_encoder(&files, Device::Cpu, |_, _| Ok(()), &["classifier"], true).expect("load");
    let (ids, mask) = TransformerEncoder::batch_tensors(&[vec![2, 100_000, 3]], 0, Device::Cpu);
    expect_err(
        loaded.encoder.forward(&ids, &mask, false),
        "outside the model's vocabulary",
    );
    let long: Vec<u32> = vec![5; 65];
    let (ids, mask) = TransformerEncoder::batch_tensors(&[long], 0, Device::Cpu);
    expect_err(loaded.encoder.forward(&ids, &mask, false), "longer than");
}

#[test]
fn spec_resolution_errors_say_what_to_do() {
    one_libtorch_thread();
    let tmp = tempfile::tempdir().expect("tempdir");
    let opts = isolated_options(tmp.path());
    let e = expect_err(
        ModelSpec::parse("lede-ner-minilm")
            .expect("spec")
            .resolve(&opts),
        "lede train ner",
    );
    assert!(matches!(e, Error::ModelNotFound { .. }));
    // It says where it looked and how to get the shipped model.
    let text = e.to_string();
    assert!(text.contains(&tmp.path().display().to_string()), "{text}");
    assert!(text.contains("LEDE_MODELS_DIR"), "{text}");
    expect_err(ModelSpec::MiniLm.resolve(&opts), "cargo xtask setup");
    expect_err(
        ModelSpec::Dir(tmp.path().join("nope")).resolve(&opts),
        "does not exist",
    );
    let hub = ModelSpec::parse("dbmdz/bert-large-cased-finetuned-conll03-english").expect("spec");
    let e = expect_err(hub.resolve(&opts.clone().offline(true)), "offline");
    assert!(matches!(e, Error::Offline { .. }));
    #[cfg(not(feature = "remote"))]
    {
        let e = expect_err(hub.resolve(&opts), "--features remote");
        assert!(matches!(e, Error::RemoteDisabled { .. }));
    }
    // A hub model already in the cache resolves offline.
    let cached = tmp
        .path()
        .join("cache/models/dbmdz--bert-large-cased-finetuned-conll03-english");
    TinyModel::bert(Head::TokenClassification)
        .write(&cached)
        .expect("write");
    let files = hub
        .resolve(&opts.clone().offline(true))
        .expect("cached hub model");
    assert_eq!(files.architecture, Architecture::Bert);
}

#[test]
fn model_sets_load_by_name_path_or_directory() {
    one_libtorch_thread();
    let tmp = tempfile::tempdir().expect("tempdir");
    let opts = isolated_options(tmp.path());
    let offline = ModelSet::load("offline", &opts.locations).expect("builtin");
    assert_eq!(offline.name, "offline");
    let standard = ModelSet::load("standard", &opts.locations).expect("builtin");
    assert_eq!(
        standard
            .task(Task::Relations)
            .and_then(|t| t.model.as_deref()),
        Some("Babelscape/rebel-large")
    );
    // A manifest in the models dir wins over the built-in of the same name.
    std::fs::create_dir_all(tmp.path().join("models")).expect("mkdir");
    std::fs::write(
        tmp.path().join("models/offline.toml"),
        "name = \"offline\"\ndescription = \"local\"\n[encoder]\nmodel = \"minilm\"\n",
    )
    .expect("write");
    assert_eq!(
        ModelSet::load("offline", &opts.locations)
            .expect("local")
            .description,
        "local"
    );
    // A path to a manifest.
    let p = tmp.path().join("mine.toml");
    std::fs::write(&p, "name = \"mine\"\n[ner]\nmodel = \"./x\"\n").expect("write");
    let set = ModelSet::load(&p.display().to_string(), &opts.locations).expect("path");
    assert_eq!(set.name, "mine");
    // A model directory: a NER-only set, completed from a default.
    let (_t, dir) = tiny(TinyModel::bert(Head::TokenClassification));
    let set = ModelSet::load(&dir.display().to_string(), &opts.locations)
        .expect("dir")
        .with_defaults(&offline);
    assert_eq!(
        set.task(Task::Ner).unwrap().spec().unwrap(),
        Some(ModelSpec::Dir(dir.clone()))
    );
    assert!(set.task(Task::Encoder).is_some());
    expect_err(
        ModelSet::load("no-such-set", &opts.locations),
        "no-such-set",
    );
}

#[test]
fn seq2seq_and_sequence_classification_tiny_models_resolve() {
    one_libtorch_thread();
    for (m, arch) in [
        (
            TinyModel::bart(Head::ConditionalGeneration),
            Architecture::Bart,
        ),
        (
            TinyModel::bart(Head::SequenceClassification),
            Architecture::Bart,
        ),
        (TinyModel::t5(), Architecture::T5),
        (
            TinyModel::bert(Head::SequenceClassification),
            Architecture::Bert,
        ),
        (
            TinyModel::roberta(Head::SequenceClassification),
            Architecture::Roberta,
        ),
    ] {
        let (_t, dir) = tiny(m);
        let files = resolve_dir(&dir).expect("resolve");
        assert_eq!(files.architecture, arch);
        if arch == Architecture::T5 {
            assert!(matches!(files.tokenizer, TokenizerFiles::SentencePiece(_)));
        }
    }
    // The SentencePiece writer produces a file rust_tokenizers reads.
    let (_t, dir) = tiny(TinyModel::t5());
    let tok = rust_bert::pipelines::common::TokenizerOption::from_file(
        rust_bert::pipelines::common::ModelType::T5,
        dir.join("spiece.model").to_str().expect("utf8"),
        None,
        false,
        None,
        None,
    )
    .expect("rust_tokenizers reads spiece.model");
    let ids = tok.convert_tokens_to_ids(&["▁the".to_string()]);
    assert_eq!(ids.len(), 1);
    assert_ne!(ids[0], 2, "a known piece, not <unk>");
}

/// A real embedding from the packaged MiniLM, when it is installed.
#[test]
fn packaged_minilm_embeds_sensibly() {
    one_libtorch_thread();
    let files = match ModelSpec::MiniLm.resolve(&ResolveOptions::from_env().offline(true)) {
        Ok(f) => f,
        Err(e) => {
            // Skipped locally, a failure in CI.
            lede_test_support::skip_or_fail(&format!("the packaged MiniLM is not installed ({e})"));
            return;
        }
    };
    assert_eq!(files.pooling, Some(lede_models::Pooling::Mean));
    assert_eq!(files.max_seq_length, Some(256));
    let emb = SentenceEmbedder::builder()
        .model(files)
        .build()
        .expect("MiniLM loads");
    assert_eq!(emb.dim(), 384);
    let v = emb
        .embed(&[
            "The cat sits on the mat",
            "A cat is sitting on a mat",
            "The stock market fell sharply on Tuesday",
        ])
        .expect("embed");
    let near = v.row(0).dot(&v.row(1));
    let far = v.row(0).dot(&v.row(2));
    eprintln!("MiniLM cosine: similar pair {near:.3}, unrelated pair {far:.3}");
    assert!(near > far + 0.3, "similar {near} vs unrelated {far}");
    // The similarities the sentence-transformers quickstart prints for this model.
    let v = emb
        .embed(&[
            "The weather is lovely today.",
            "It's so sunny outside!",
            "He drove to the stadium.",
        ])
        .expect("embed");
    for ((a, b), expected) in [((0, 1), 0.6660), ((0, 2), 0.1046), ((1, 2), 0.1411)] {
        let got = v.row(a).dot(&v.row(b));
        assert!(
            (got - expected).abs() < 2e-3,
            "cos({a},{b}) = {got}, reference {expected}"
        );
    }
    // Sentence vectors from the subword ids of a document's words (encoded once for the
    // whole text) are the vectors of the sentence texts.
    use lede_core::{tokens_in, SentenceSplitter, WordTokenizer};
    let text = "Minsk (EFE).- Belarus freed 52 prisoners, the U.S. said. \
                \u{201c}It's so sunny outside!\u{201d} said Gen. Ivanov.";
    let words = lede_tokenize::RuleWordTokenizer::default().tokenize(text);
    let sentences = lede_tokenize::NewsSentenceSplitter::default().split(text);
    assert_eq!(sentences.len(), 2);
    let doc = emb.subwords().encode_words(text, &words).expect("encode");
    let mut ids: Vec<Vec<u32>> = Vec::new();
    let mut first = 0;
    for s in &sentences {
        let n = tokens_in(&words, s).len();
        let range = first..first + n;
        first += n;
        ids.push(
            doc.subwords
                .iter()
                .filter(|p| p.word.is_some_and(|w| range.contains(&w)))
                .map(|p| p.id)
                .collect(),
        );
    }
    let by_ids = emb.embed_ids(&ids).expect("embed ids");
    let texts: Vec<&str> = sentences.iter().map(|s| s.text.as_str()).collect();
    let by_text = emb.embed(&texts).expect("embed");
    for (a, b) in by_ids.iter().zip(by_text.iter()) {
        assert!((a - b).abs() < 1e-5, "embed_ids equals embed: {a} vs {b}");
    }
}

/// The tiny seq2seq directories work with rust-bert's own pipelines (what lede-summarize
/// builds on): the files and variable names are what rust-bert expects.
#[test]
fn tiny_bart_and_t5_run_in_rust_bert_summarization() {
    one_libtorch_thread();
    use rust_bert::pipelines::common::{ModelResource, ModelType};
    use rust_bert::pipelines::summarization::{SummarizationConfig, SummarizationModel};
    use rust_bert::resources::LocalResource;
    let local = |p: &Path| LocalResource {
        local_path: p.to_path_buf(),
    };
    for (model, model_type) in [
        (
            TinyModel::bart(Head::ConditionalGeneration),
            ModelType::Bart,
        ),
        (TinyModel::t5(), ModelType::T5),
    ] {
        let (_t, dir) = tiny(model);
        let files = resolve_dir(&dir).expect("resolve");
        let weights = files.weights[0].path.clone();
        let (vocab, merges) = match &files.tokenizer {
            TokenizerFiles::Bpe { vocab, merges } => (vocab.clone(), Some(merges.clone())),
            TokenizerFiles::SentencePiece(p) => (p.clone(), None),
            other => panic!("unexpected tokenizer {other:?}"),
        };
        let mut config = SummarizationConfig::new(
            model_type,
            ModelResource::Torch(Box::new(local(&weights))),
            local(&files.config_path),
            local(&vocab),
            merges.as_deref().map(local),
        );
        config.min_length = 2;
        config.max_length = Some(8);
        config.num_beams = 1;
        let model = SummarizationModel::new(config).expect("rust-bert loads the tiny model");
        let out = model
            .summarize(&["the president said the prisoners were freed in the city"])
            .expect("summarize");
        assert_eq!(out.len(), 1);
    }
}
