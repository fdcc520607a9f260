//! Abstractive summarization through the real loading code, on tiny random models written by
//! the test (BART and T5 with lede-models' test helpers, Pegasus built here). The output of a
//! random model is noise: the tests check structure (a string comes back, chunking covers
//! every sentence, bad directories are errors), never content.

use std::path::Path;

use lede_core::{AnnotatedDocument, Document, SentenceSplitter, Summarizer};
use lede_models::testing::{
    edit_json, news_text, truncate_file, unigram_pieces, write_sentencepiece_model, Head,
    TinyModel, TinyModelFiles,
};
use lede_models::Architecture;
use lede_summarize::{AbstractiveSummarizer, SummarizeError};
use lede_test_support::error_chain;

fn quick(dir: &Path) -> lede_summarize::AbstractiveSummarizerBuilder {
    AbstractiveSummarizer::builder(dir)
        .resolve_options(lede_models::ResolveOptions::default().offline(true))
        .num_beams(2)
        .min_length(1)
        .max_length(6)
}

/// A tiny random BART summarizer written to a temporary directory.
fn tiny_bart() -> (tempfile::TempDir, TinyModelFiles) {
    let dir = tempfile::tempdir().unwrap();
    let files = TinyModel::bart(Head::ConditionalGeneration)
        .write(dir.path())
        .unwrap();
    (dir, files)
}

/// Checks a summarizer end to end on a long text.
fn exercise(s: &AbstractiveSummarizer) {
    let text = news_text(260, 7);
    let sentences: Vec<String> = lede_tokenize::NewsSentenceSplitter::default()
        .split(&text)
        .into_iter()
        .map(|s| s.text)
        .collect();
    assert!(sentences.len() > 5);
    let chunks = s.chunk(&sentences);
    assert!(
        chunks.len() > 1,
        "a long text must be chunked: {} tokens max",
        s.max_input_tokens()
    );
    let mut next = 0;
    for c in &chunks {
        assert_eq!(c.sentences.start, next, "chunks are consecutive");
        assert!(c.tokens <= s.max_input_tokens() || c.sentences.len() == 1);
        next = c.sentences.end;
    }
    assert_eq!(next, sentences.len(), "chunks cover every sentence");

    let doc = AnnotatedDocument::new(Document::new("long", text.clone()));
    let summary = s.summarize(&doc).expect("summarize");
    assert_eq!(summary.method, "abstractive");
    assert!(summary.sentences.is_empty());
    // Random weights can pick any token, byte-level ones that decode to NUL included: the
    // summarizer drops control characters whatever the model emits.
    assert!(
        !summary.text.chars().any(char::is_control),
        "{:?}",
        summary.text
    );
    // A short text is one chunk, and empty text gives an empty summary.
    let one = s
        .summarize_text("The government freed prisoners on Tuesday.")
        .expect("short");
    let _: String = one;
    assert_eq!(s.summarize_text("   ").expect("empty"), "");
}

#[test]
fn tiny_bart_through_the_real_loading_code() {
    let (dir, _) = tiny_bart();
    let s = quick(dir.path()).build().expect("load tiny bart");
    assert_eq!(s.architecture(), Architecture::Bart);
    assert_eq!(s.max_input_tokens(), 62, "64 positions minus <s> and </s>");
    assert!(s.name().starts_with("abstractive:"));
    exercise(&s);
    // Without the reduce step the chunk summaries are joined.
    let s = quick(dir.path())
        .reduce(false)
        .max_input_tokens(20)
        .build()
        .unwrap();
    assert_eq!(s.max_input_tokens(), 20);
    exercise(&s);
}

#[test]
fn tiny_t5_through_the_real_loading_code() {
    let dir = tempfile::tempdir().unwrap();
    TinyModel::t5().write(dir.path()).unwrap();
    // T5 configs have no position limit: cap the chunks so that the test text is chunked.
    let s = quick(dir.path())
        .max_input_tokens(48)
        .build()
        .expect("load tiny t5");
    assert_eq!(s.architecture(), Architecture::T5);
    exercise(&s);
}

#[test]
fn tiny_pegasus_through_the_real_loading_code() {
    use rust_bert::pegasus::{PegasusConfig, PegasusForConditionalGeneration};
    let dir = tempfile::tempdir().unwrap();
    // rust_tokenizers' Pegasus vocabulary puts 105 special tokens before the pieces.
    let pieces: Vec<(String, f32)> = unigram_pieces(&["<pad>", "</s>", "<unk>"], false)
        .into_iter()
        .map(|(p, s)| (p, s as f32))
        .collect();
    write_sentencepiece_model(&dir.path().join("spiece.model"), &pieces).unwrap();
    let config = PegasusConfig {
        vocab_size: 105 + pieces.len() as i64,
        max_position_embeddings: 64,
        encoder_layers: 1,
        decoder_layers: 1,
        encoder_attention_heads: 2,
        decoder_attention_heads: 2,
        encoder_ffn_dim: 32,
        decoder_ffn_dim: 32,
        d_model: 16,
        pad_token_id: Some(0),
        eos_token_id: Some(1),
        decoder_start_token_id: Some(0),
        ..Default::default()
    };
    tch::manual_seed(3);
    let vs = tch::nn::VarStore::new(tch::Device::Cpu);
    let _model = PegasusForConditionalGeneration::new(vs.root(), &config);
    vs.save(dir.path().join("model.safetensors")).unwrap();
    let mut json = serde_json::to_value(&config).unwrap();
    json["model_type"] = "pegasus".into();
    if let Some(o) = json.as_object_mut() {
        o.retain(|_, v| !v.is_null());
    }
    std::fs::write(
        dir.path().join("config.json"),
        serde_json::to_string_pretty(&json).unwrap(),
    )
    .unwrap();
    let s = quick(dir.path()).build().expect("load tiny pegasus");
    assert_eq!(s.architecture(), Architecture::Pegasus);
    exercise(&s);
}

#[test]
fn bad_model_directories_are_errors() {
    let quick_err = |dir: &Path| quick(dir).build().expect_err("should fail");

    // Nothing there.
    let empty = tempfile::tempdir().unwrap();
    assert!(matches!(quick_err(empty.path()), SummarizeError::Models(_)));
    assert!(matches!(
        quick_err(&empty.path().join("missing")),
        SummarizeError::Models(_)
    ));

    // An encoder-only model.
    let bert = tempfile::tempdir().unwrap();
    TinyModel::bert(Head::Base).write(bert.path()).unwrap();
    assert!(matches!(
        quick_err(bert.path()),
        SummarizeError::UnsupportedModel(_)
    ));

    // A tiny BART damaged three ways; lede-models' checks or this crate's own may catch each.
    type Damage = fn(&Path, &TinyModelFiles);
    type Expected = fn(&SummarizeError) -> bool;
    let damaged: [(&str, Damage, Expected); 3] = [
        (
            "without merges.txt",
            |dir, _| std::fs::remove_file(dir.join("merges.txt")).unwrap(),
            |e| {
                matches!(
                    e,
                    SummarizeError::ModelDir { .. } | SummarizeError::Models(_)
                )
            },
        ),
        (
            "with a config rust-bert cannot read",
            |dir, _| edit_json(&dir.join("config.json"), |v| v["d_model"] = "wide".into()).unwrap(),
            |e| {
                matches!(
                    e,
                    SummarizeError::ModelConfig { .. } | SummarizeError::Models(_)
                )
            },
        ),
        (
            "with truncated weights",
            |_, files| truncate_file(&files.weights, 100).unwrap(),
            |e| matches!(e, SummarizeError::Models(_) | SummarizeError::Load { .. }),
        ),
    ];
    for (what, damage, expected) in damaged {
        let (dir, files) = tiny_bart();
        damage(dir.path(), &files);
        let err = quick_err(dir.path());
        assert!(expected(&err), "BART {what}: {err:?}");
    }

    // Settings out of range.
    let (ok, _) = tiny_bart();
    assert!(matches!(
        quick(ok.path()).max_input_tokens(10_000).build(),
        Err(SummarizeError::InvalidConfig(_))
    ));
    assert!(matches!(
        quick(ok.path()).num_beams(0).build(),
        Err(SummarizeError::InvalidConfig(_))
    ));
}

#[test]
fn errors_cross_the_trait_as_task_errors() {
    let e: lede_core::Error = SummarizeError::InvalidConfig("x".into()).into();
    match e {
        lede_core::Error::Task { task, source } => {
            assert_eq!(task, "summarization");
            assert!(source.downcast_ref::<SummarizeError>().is_some());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn model_file_errors_name_the_file() {
    let quick_err = |dir: &Path| error_chain(&quick(dir).build().expect_err("should fail"));
    let shown = |p: &Path| p.display().to_string();

    // A missing directory.
    let root = tempfile::tempdir().unwrap();
    let missing = root.path().join("missing");
    let msg = quick_err(&missing);
    assert!(msg.contains(&shown(&missing)), "{msg}");

    // Truncated and corrupt weights.
    let (dir, files) = tiny_bart();
    truncate_file(&files.weights, 100).unwrap();
    let msg = quick_err(dir.path());
    assert!(msg.contains(&shown(&files.weights)), "{msg}");
    std::fs::write(&files.weights, vec![7u8; 4096]).unwrap();
    let msg = quick_err(dir.path());
    assert!(msg.contains(&shown(&files.weights)), "{msg}");

    // A config.json that is not JSON.
    let (bad, _) = tiny_bart();
    let config = bad.path().join("config.json");
    std::fs::write(&config, "{ not json").unwrap();
    let msg = quick_err(bad.path());
    assert!(msg.contains(&shown(&config)), "{msg}");

    // rust-bert's own loading of an unreadable libtorch archive.
    let (ot, files) = tiny_bart();
    let archive = ot.path().join("rust_model.ot");
    std::fs::remove_file(&files.weights).unwrap();
    // A zip signature and nothing after it: recognised as libtorch, unreadable as such.
    std::fs::write(&archive, b"PK\x03\x04 truncated archive").unwrap();
    let msg = quick_err(ot.path());
    assert!(msg.contains(&shown(&archive)), "{msg}");
}
