//! The offline model end to end on a tiny random BERT built here: train one epoch, save,
//! load through the builder, tag text; and the bad-file cases. The real shipped model is
//! exercised only when the MiniLM base is installed.

use std::path::{Path, PathBuf};

use lede_core::{AnnotatedDocument, Document, EntityRecognizer, SentenceSplitter};
use lede_ner::offline::{
    train, OfflineError, OfflineNer, TrainConfig, TrainEvent, CONFIG_FILE, WEIGHTS_FILE,
};
use lede_tokenize::Segmenter;
use rust_bert::bert::{BertConfig, BertEmbeddings, BertModel};
use tch::{nn, Device};
use tokenizers::models::wordpiece::WordPiece;
use tokenizers::normalizers::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::Tokenizer;

/// Writes a tiny random BERT base (config.json, model.safetensors, tokenizer.json).
fn tiny_base(dir: &Path, seed: i64) {
    let mut vocab: Vec<String> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", ".", ",", "'", "-"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for c in 'a'..='z' {
        vocab.push(c.to_string());
        vocab.push(format!("##{c}"));
    }
    for w in ["the", "in", "was", "said", "minsk", "paris", "ales", "anna"] {
        vocab.push(w.to_string());
    }
    let vocab_file = dir.join("vocab.txt");
    std::fs::write(&vocab_file, vocab.join("\n") + "\n").unwrap();
    let wp = WordPiece::from_file(vocab_file.to_str().unwrap())
        .unk_token("[UNK]".into())
        .build()
        .unwrap();
    let mut tok = Tokenizer::new(wp);
    tok.with_normalizer(Some(BertNormalizer::new(true, true, Some(true), true)));
    tok.with_pre_tokenizer(Some(BertPreTokenizer));
    tok.save(dir.join("tokenizer.json"), false).unwrap();

    let config = BertConfig {
        hidden_size: 16,
        intermediate_size: 32,
        num_attention_heads: 2,
        num_hidden_layers: 2,
        max_position_embeddings: 64,
        vocab_size: vocab.len() as i64,
        ..Default::default()
    };
    std::fs::write(
        dir.join("config.json"),
        serde_json::to_string(&config).unwrap(),
    )
    .unwrap();
    tch::manual_seed(seed);
    let vs = nn::VarStore::new(Device::Cpu);
    // With a pooler, like the real MiniLM file: the loader must accept extra tensors.
    let _bert = BertModel::<BertEmbeddings>::new(vs.root(), &config);
    vs.save(dir.join("model.safetensors")).unwrap();
}

const TEXTS: &[&str] = &[
    "Ales was in Minsk. Anna said the Minsk talks were in Paris.",
    "Anna's Paris trip, said Ales, was in the U.S. too.",
];

fn write_data(path: &Path) {
    let mut lines = Vec::new();
    for (i, text) in TEXTS.iter().enumerate() {
        let mut ents = Vec::new();
        for (name, label) in [
            ("Ales", "PERSON"),
            ("Anna", "PERSON"),
            ("Minsk", "GPE"),
            ("Paris", "GPE"),
        ] {
            for (b, _) in text.match_indices(name) {
                let s = text[..b].chars().count();
                ents.push(serde_json::json!({"start": s, "end": s + name.chars().count(), "label": label}));
            }
        }
        lines.push(serde_json::json!({"id": format!("d{i}"), "text": text, "entities": ents, "ignore": []}).to_string());
    }
    std::fs::write(path, lines.join("\n")).unwrap();
}

struct Trained {
    _tmp: tempfile::TempDir,
    base: PathBuf,
    model: PathBuf,
}

/// A tiny base and the training data in a temporary directory, and a quick training config
/// over them that writes the model to `model`.
fn quick_setup() -> (Trained, TrainConfig) {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("base");
    let model = tmp.path().join("model");
    std::fs::create_dir_all(&base).unwrap();
    tiny_base(&base, 1);
    let data = tmp.path().join("train.jsonl");
    write_data(&data);
    let mut cfg = TrainConfig::new(&data, &base, &model);
    cfg.max_len = 12; // forces several windows per text
    cfg.stride = 2;
    cfg.min_type_count = 1;
    cfg.threads = 1;
    let t = Trained {
        _tmp: tmp,
        base,
        model,
    };
    (t, cfg)
}

fn trained() -> Trained {
    let (t, mut cfg) = quick_setup();
    cfg.dev_data = Some(cfg.train_data.clone());
    cfg.epochs = 2;
    cfg.batch_size = 2;
    cfg.trained_layers = Some(vec![1]);
    let mut epochs = 0;
    let mut steps = 0;
    let report = train(&cfg, &mut |e: &TrainEvent| match e {
        TrainEvent::Epoch(r) => {
            epochs += 1;
            assert!(r.loss.is_finite());
            assert!(r.dev.is_some());
        }
        TrainEvent::Step { .. } => steps += 1,
        _ => {}
    })
    .unwrap();
    assert_eq!(epochs, 2);
    assert!(steps >= 2);
    assert!(report.weights_bytes > 0);
    assert!(t.model.join(CONFIG_FILE).exists() && t.model.join(WEIGHTS_FILE).exists());
    t
}

#[test]
fn train_save_load_and_tag() {
    let t = trained();
    let ner = OfflineNer::builder(&t.model, &t.base)
        .include_values(true)
        .build()
        .unwrap();
    assert_eq!(ner.entity_types(), ["PERSON", "GPE"]);
    assert_eq!(ner.config().trained_layers, vec![1]);
    assert_eq!(ner.config().encoder_layers, 2);
    let long = TEXTS.join(" ").repeat(5) + " Kolésnikova 👋 Минск.";
    let mentions = ner.mentions(&long).unwrap();
    let mut last_end = 0;
    for m in &mentions {
        assert_eq!(m.span.slice(&long), Some(m.text.as_str()));
        assert_eq!(
            long.chars()
                .skip(m.span.char_start)
                .take(m.span.char_len())
                .collect::<String>(),
            m.text
        );
        assert!(m.span.start >= last_end, "overlap or disorder at {m:?}");
        assert!((0.0..=1.0).contains(&m.score));
        assert!(ner.entity_types().contains(&m.label));
        last_end = m.span.end;
    }
    // Batched and single calls agree, and the trait goes through the same path.
    let batch = ner.mentions_batch(&[TEXTS[0], TEXTS[1]]).unwrap();
    assert_eq!(batch[0], ner.mentions(TEXTS[0]).unwrap());
    assert_eq!(batch[1], ner.mentions(TEXTS[1]).unwrap());
    let doc = AnnotatedDocument::new(Document::new("d", TEXTS[1]));
    assert_eq!(ner.recognize(&doc).unwrap(), batch[1]);
    // Pieces computed once by the same vocabulary are read, not recomputed: same result.
    let mut seg = Segmenter::default().annotate(Document::new("d", TEXTS[1]));
    seg.pieces = Some(
        ner.subword_encoder()
            .word_pieces(TEXTS[1], &seg.tokens, ner.vocab_id())
            .unwrap(),
    );
    assert_eq!(ner.recognize(&seg).unwrap(), batch[1]);
    // A document segmented by other rules is refused, not silently misread.
    seg.tokenization = Some("someone-else/1".into());
    let err = ner.recognize(&seg).unwrap_err().to_string();
    assert!(err.contains("ner"), "{err}");
    assert!(ner.recognize_batch(&[&seg]).is_err());
    assert!(ner.mentions("").unwrap().is_empty());
    assert!(ner.mentions("   \n ").unwrap().is_empty());

    // Sentence vectors come from the same pass: same mentions, one unit row per span (zero
    // for a span with no word), across several windows.
    let spans = [(0, long.len() / 2), (long.len() / 2, long.len()), (0, 0)];
    let long_doc = Segmenter::default().annotate(Document::new("l", long.clone()));
    let (m2, vectors) = ner
        .mentions_and_sentence_vectors(&long_doc, &spans)
        .unwrap();
    assert_eq!(m2, mentions);
    assert!(vectors.dim > 0);
    assert_eq!(vectors.rows(), spans.len());
    for i in 0..2 {
        let norm: f32 = vectors.row(i).unwrap().iter().map(|x| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-3, "row {i} norm² {norm}");
    }
    assert!(vectors.row(2).unwrap().iter().all(|&x| x == 0.0));
    let mut d = AnnotatedDocument::new(Document::new("d", long.clone()));
    d.sentences = lede_tokenize::NewsSentenceSplitter::default().split(&long);
    let (m3, v3) = ner.recognize_with_sentence_vectors(&d).unwrap();
    assert_eq!(m3, mentions);
    assert_eq!(v3.map(|v| v.rows()), Some(d.sentences.len()));
}

#[test]
fn bad_files_are_named_errors() {
    let t = trained();
    // Another base: the checksum differs.
    let other = tempfile::tempdir().unwrap();
    tiny_base(other.path(), 99);
    let err = OfflineNer::builder(&t.model, other.path())
        .build()
        .err()
        .unwrap();
    assert!(matches!(err, OfflineError::BadModel { .. }), "{err}");
    assert!(err.to_string().contains("model.safetensors"), "{err}");

    // Truncated weights.
    let w = t.model.join(WEIGHTS_FILE);
    let bytes = std::fs::read(&w).unwrap();
    std::fs::write(&w, &bytes[..bytes.len() / 2]).unwrap();
    let err = OfflineNer::builder(&t.model, &t.base)
        .build()
        .err()
        .unwrap();
    assert!(err.to_string().contains(WEIGHTS_FILE), "{err}");
    std::fs::write(&w, &bytes).unwrap();
    assert!(OfflineNer::builder(&t.model, &t.base).build().is_ok());

    // Missing weights, broken config, wrong format.
    std::fs::remove_file(&w).unwrap();
    let err = OfflineNer::builder(&t.model, &t.base)
        .build()
        .err()
        .unwrap();
    assert!(matches!(err, OfflineError::Io { .. }), "{err}");
    std::fs::write(&w, &bytes).unwrap();
    let c = t.model.join(CONFIG_FILE);
    let config = std::fs::read_to_string(&c).unwrap();
    std::fs::write(&c, "{").unwrap();
    assert!(matches!(
        OfflineNer::builder(&t.model, &t.base)
            .build()
            .err()
            .unwrap(),
        OfflineError::Json { .. }
    ));
    std::fs::write(&c, config.replace("lede-ner-minilm/2", "other/9")).unwrap();
    let err = OfflineNer::builder(&t.model, &t.base)
        .build()
        .err()
        .unwrap();
    assert!(err.to_string().contains("format"), "{err}");
    // An older format is refused by its format, before any missing field.
    std::fs::write(&c, r#"{"format": "lede-ner-minilm/1", "overlap_words": 8}"#).unwrap();
    let err = OfflineNer::builder(&t.model, &t.base)
        .build()
        .err()
        .unwrap();
    assert!(err.to_string().contains("retrain"), "{err}");
    // More layers than the base has, or a trained layer the model does not run.
    for (from, to) in [
        ("\"encoder_layers\": 2", "\"encoder_layers\": 3"),
        ("\"encoder_layers\": 2", "\"encoder_layers\": 1"),
    ] {
        assert!(config.contains(from), "{config}");
        std::fs::write(&c, config.replace(from, to)).unwrap();
        let err = OfflineNer::builder(&t.model, &t.base)
            .build()
            .err()
            .unwrap();
        assert!(err.to_string().contains("layers"), "{err}");
    }
    // A zero batch size is refused.
    std::fs::write(&c, &config).unwrap();
    assert!(OfflineNer::builder(&t.model, &t.base)
        .batch_size(0)
        .build()
        .is_err());
}

#[test]
fn a_model_can_keep_fewer_layers_than_its_base() {
    let (t, mut cfg) = quick_setup();
    cfg.epochs = 1;
    cfg.encoder_layers = Some(3);
    assert!(
        train(&cfg, &mut |_: &TrainEvent| {}).is_err(),
        "the base has 2"
    );
    cfg.encoder_layers = Some(1);
    cfg.trained_layers = Some(vec![1]);
    assert!(
        train(&cfg, &mut |_: &TrainEvent| {}).is_err(),
        "layer 1 is not kept"
    );
    cfg.trained_layers = None;
    train(&cfg, &mut |_: &TrainEvent| {}).unwrap();
    let ner = OfflineNer::builder(&t.model, &t.base).build().unwrap();
    assert_eq!(ner.config().encoder_layers, 1);
    assert_eq!(ner.config().trained_layers, vec![0]);
    let stored = tch::Tensor::read_safetensors(t.model.join(WEIGHTS_FILE)).unwrap();
    assert!(stored.iter().all(|(n, _)| !n.contains("encoder.layer.1.")));
    for m in ner.mentions(TEXTS[0]).unwrap() {
        assert_eq!(m.span.slice(TEXTS[0]), Some(m.text.as_str()));
    }
}

#[test]
fn a_model_can_start_from_another_and_keep_its_lower_layers() {
    // The larger model: both of the tiny base's layers trained.
    let (big, mut cfg) = quick_setup();
    cfg.epochs = 1;
    train(&cfg, &mut |_: &TrainEvent| {}).unwrap();
    let read = |dir: &Path| -> std::collections::BTreeMap<String, tch::Tensor> {
        tch::Tensor::read_safetensors(dir.join(WEIGHTS_FILE))
            .unwrap()
            .into_iter()
            .collect()
    };
    let big_weights = read(&big.model);

    // Started from it, only layer 1 and the head trained, the input side frozen: layer 0,
    // the embedding LayerNorm and the shape embeddings come out exactly as they went in.
    let small = big.model.parent().unwrap().join("small");
    cfg.out_dir = small.clone();
    cfg.init_dir = Some(big.model.clone());
    cfg.trained_layers = Some(vec![1]);
    cfg.freeze_input = true;
    cfg.seed = 7;
    train(&cfg, &mut |_: &TrainEvent| {}).unwrap();
    let small_weights = read(&small);
    let kept = |n: &str| {
        n.contains("encoder.layer.0.")
            || n.contains("embeddings.LayerNorm")
            || n.contains("shape_embeddings")
    };
    let mut compared = 0;
    for (name, t) in &small_weights {
        let same = big_weights.get(name).is_some_and(|b| b.equal(t));
        if kept(name) {
            assert!(same, "{name} changed");
            compared += 1;
        }
    }
    assert!(compared >= 3, "{compared}");
    assert!(
        small_weights
            .iter()
            .any(|(n, t)| n.contains("encoder.layer.1.") && !big_weights[n].equal(t)),
        "layer 1 was trained"
    );
    let ner = OfflineNer::builder(&small, &big.base).build().unwrap();
    assert_eq!(ner.config().trained_layers, vec![0, 1]);

    // A smaller model from the larger one: layer 1's deltas are passed over.
    let one = big.model.parent().unwrap().join("one");
    cfg.out_dir = one.clone();
    cfg.encoder_layers = Some(1);
    cfg.trained_layers = Some(vec![0]);
    cfg.freeze_input = false;
    train(&cfg, &mut |_: &TrainEvent| {}).unwrap();
    assert!(read(&one).keys().all(|n| !n.contains("encoder.layer.1.")));
    OfflineNer::builder(&one, &big.base).build().unwrap();

    // Another set of entity types than the init model's is refused.
    cfg.entity_types = Some(vec!["PERSON".into()]);
    let err = train(&cfg, &mut |_: &TrainEvent| {}).unwrap_err();
    assert!(err.to_string().contains("entity types"), "{err}");
}

/// The shipped model over the installed MiniLM, when both are here.
#[test]
fn shipped_model_when_installed() {
    // Skipped without the models, a failure in CI (`lede_test_support`).
    let Some(base) = lede_test_support::minilm_dir(&["config.json", "model.safetensors"]) else {
        return;
    };
    let Some(model) = lede_test_support::project_model("lede-ner-minilm", &[WEIGHTS_FILE]) else {
        return;
    };
    let ner = OfflineNer::builder(&model, &base).build().unwrap();
    // Its sentence vectors place a repeated sentence closer to itself than to an unrelated one
    // (NER states are anisotropic: every cosine is high, so only the order is meaningful;
    // the summarizer's redundancy threshold adapts to each document for that reason).
    let story = "The government lifted sanctions on potash exports on Monday. \
                 The weather in the mountains was mild and sunny. \
                 The government lifted sanctions on potash exports on Monday.";
    let a = story.find("The weather").unwrap();
    let b = story.rfind("The government").unwrap();
    let spans = [(0, a - 1), (a, b - 1), (b, story.len())];
    let story_doc = Segmenter::default().annotate(Document::new("s", story));
    let (_, v) = ner
        .mentions_and_sentence_vectors(&story_doc, &spans)
        .unwrap();
    let cos = |i: usize, j: usize| -> f32 {
        let (x, y) = (v.row(i).unwrap(), v.row(j).unwrap());
        x.iter().zip(y).map(|(p, q)| p * q).sum()
    };
    assert!(cos(0, 2) > cos(0, 1), "{} vs {}", cos(0, 2), cos(0, 1));
    assert!(cos(0, 2) > cos(1, 2), "{} vs {}", cos(0, 2), cos(1, 2));
    let text =
        "Foreign Minister Alexander Downer met Nauru's President Rene Harris in Yaren on Monday.";
    let mentions = ner.mentions(text).unwrap();
    assert!(!mentions.is_empty());
    for m in &mentions {
        assert_eq!(m.span.slice(text), Some(m.text.as_str()));
        assert!(!lede_ner::offline::VALUE_TYPES.contains(&m.label.as_str()));
    }
}
