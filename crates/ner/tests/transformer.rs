//! Transformer NER through the real loading code (tiny random models of each architecture),
//! and the windowing/aggregation/decoding logic against a deterministic classifier.

use std::path::PathBuf;

use lede_core::{AnnotatedDocument, Document, EntityRecognizer, Mention, WordTokenizer};
use lede_models::testing::{
    isolated_options, news_text, one_libtorch_thread, Head, TinyModel, TinyTokenizer,
};
use lede_models::{LabelMap, ModelSpec};
use lede_ner::{
    load_recognizer, Aggregation, Decoding, Error, LabelScheme, NerOptions, TokenClassifier,
    TransformerNer, TransformerNerBuilder,
};
use lede_tokenize::{SubwordEncoder, Window};
use ndarray::Array2;

fn tiny(model: TinyModel) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("model");
    model.write(&dir).expect("write tiny model");
    (tmp, dir)
}

/// Invariants every mention list must satisfy, whatever the model guessed.
fn check_mentions(text: &str, mentions: &[Mention], types: &[String]) {
    let words: Vec<lede_core::Token> = lede_tokenize::RuleWordTokenizer::default().tokenize(text);
    let starts: std::collections::HashSet<usize> = words.iter().map(|w| w.span.start).collect();
    let ends: std::collections::HashSet<usize> = words.iter().map(|w| w.span.end).collect();
    for m in mentions {
        assert_eq!(
            m.span.slice(text),
            Some(m.text.as_str()),
            "byte offsets slice the text"
        );
        let by_chars: String = text
            .chars()
            .skip(m.span.char_start)
            .take(m.span.char_end - m.span.char_start)
            .collect();
        assert_eq!(by_chars, m.text, "char offsets slice the text");
        assert!(!m.text.is_empty());
        assert!(
            starts.contains(&m.span.start) && ends.contains(&m.span.end),
            "whole words"
        );
        assert!(
            types.contains(&m.label),
            "label {} comes from the config",
            m.label
        );
        assert!((0.0..=1.0).contains(&m.score));
    }
    for pair in mentions.windows(2) {
        assert!(
            pair[0].span.end <= pair[1].span.start,
            "in order, not overlapping"
        );
    }
}

#[test]
fn every_architecture_tags_a_long_article() {
    one_libtorch_thread();
    let labels = [
        "O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC",
    ];
    let text = news_text(1500, 7);
    for model in [
        TinyModel::bert(Head::TokenClassification),
        TinyModel::distilbert(Head::TokenClassification),
        TinyModel::roberta(Head::TokenClassification),
        TinyModel::xlm_roberta(Head::TokenClassification),
        TinyModel::electra(Head::TokenClassification),
        TinyModel::xlm_roberta(Head::TokenClassification)
            .tokenizer(TinyTokenizer::XlmSentencePiece),
    ] {
        let (_t, dir) = tiny(model.labels(&labels));
        let ner = TransformerNer::builder()
            .model(dir.as_path())
            .resolve_options(isolated_options(dir.parent().expect("parent")).offline(true))
            .window(48, 8)
            .batch_size(4)
            .build()
            .expect("build");
        let types = ner.entity_types();
        assert_eq!(types, ["PER", "ORG", "LOC", "MISC"]);
        assert_eq!(ner.scheme(), LabelScheme::Bio);
        let mentions = ner.tag(&text).expect("tag");
        assert!(!mentions.is_empty(), "a random model still tags something");
        check_mentions(&text, &mentions, &types);
        // The facade's path: the document's own tokens, same result.
        let mut doc = AnnotatedDocument::new(Document::new("d", text.clone()));
        doc.tokens = lede_tokenize::RuleWordTokenizer::default().tokenize(&text);
        let via_trait = ner.recognize(&doc).expect("recognize");
        assert_eq!(via_trait, mentions);
    }
}

#[test]
fn labels_and_scheme_come_from_the_config() {
    one_libtorch_thread();
    let labels = ["O", "B-ACTOR", "I-ACTOR", "E-ACTOR", "S-ACTOR", "S-PLACE"];
    let (_t, dir) = tiny(TinyModel::bert(Head::TokenClassification).labels(&labels));
    let ner = TransformerNer::builder()
        .model(dir.as_path())
        .window(32, 4)
        .decoding(Decoding::Constrained)
        .build()
        .expect("build");
    assert_eq!(ner.scheme(), LabelScheme::Bioes);
    assert_eq!(ner.labels().as_slice(), labels.map(String::from).as_slice());
    let text = news_text(400, 3);
    let mentions = ner.tag(&text).expect("tag");
    check_mentions(&text, &mentions, &ner.entity_types());
    for agg in [Aggregation::First, Aggregation::Average, Aggregation::Max] {
        let ner = TransformerNer::builder()
            .model(dir.as_path())
            .aggregation(agg)
            .build()
            .expect("build");
        check_mentions(&text, &ner.tag(&text).expect("tag"), &ner.entity_types());
    }
}

/// The error of building a recognizer for `model` with the settings `configure` adds.
fn build_error(
    model: TinyModel,
    configure: impl FnOnce(TransformerNerBuilder) -> TransformerNerBuilder,
) -> Error {
    let (_t, dir) = tiny(model);
    match configure(TransformerNer::builder().model(dir.as_path())).build() {
        Ok(_) => panic!("{} built", dir.display()),
        Err(e) => e,
    }
}

#[test]
fn unusable_models_and_settings_are_errors() {
    one_libtorch_thread();
    // No O label.
    let e = build_error(
        TinyModel::bert(Head::TokenClassification).labels(&["B-PER", "I-PER"]),
        |b| b,
    );
    assert!(matches!(e, Error::Labels { .. }), "{e}");
    // Placeholder labels of a model never fine-tuned.
    let e = build_error(
        TinyModel::bert(Head::TokenClassification).labels(&["LABEL_0", "LABEL_1"]),
        |b| b,
    );
    assert!(e.to_string().contains("placeholder"), "{e}");
    // Not an encoder.
    let e = build_error(TinyModel::bart(Head::ConditionalGeneration), |b| b);
    assert!(e.to_string().contains("bart"), "{e}");
    // A base model without a classifier: the missing tensor is named.
    let (_t, dir) = tiny(TinyModel::bert(Head::Base));
    lede_models::testing::edit_json(&dir.join("config.json"), |c| {
        c["id2label"] = serde_json::json!({"0": "O", "1": "B-PER"});
    })
    .expect("edit");
    let e = TransformerNer::builder()
        .model(dir.as_path())
        .build()
        .expect_err("no head");
    assert!(e.to_string().contains("no tensor \"classifier."), "{e}");
    // Windows: too small, and a stride that leaves no room.
    for (max_len, stride) in [(3, 0), (32, 20)] {
        let e = build_error(TinyModel::bert(Head::TokenClassification), |b| {
            b.window(max_len, stride)
        });
        assert!(matches!(e, Error::InvalidInput(_)), "{e}");
    }
    assert!(TransformerNer::builder().build().is_err(), "no model");
}

#[test]
fn load_recognizer_dispatches_and_explains_missing_models() {
    one_libtorch_thread();
    let (tmp, dir) = tiny(TinyModel::bert(Head::TokenClassification));
    let opts = NerOptions {
        resolve: isolated_options(tmp.path()).offline(true),
        ..Default::default()
    };
    let ner = load_recognizer(&ModelSpec::Dir(dir.clone()), &opts).expect("hf model");
    let doc = AnnotatedDocument::new(Document::new("d", "Maria Kalesnikava was freed in Minsk."));
    let mentions = ner.recognize(&doc).expect("recognize");
    check_mentions(
        doc.text(),
        &mentions,
        &["PER", "ORG", "LOC"].map(String::from),
    );
    assert!(!lede_ner::is_offline_model(&dir));
    let e = load_recognizer(&ModelSpec::parse("lede-ner-minilm").expect("spec"), &opts)
        .err()
        .expect("not trained here");
    assert!(e.to_string().contains("lede train ner"), "{e}");
}

/// A subword encoder for stand-in models: each word token is cut into pieces of up to `n`
/// chars (all the same unknown id), between `[CLS]` and `[SEP]`.
fn chunk_encoder(n: usize) -> SubwordEncoder {
    let json = serde_json::json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": [],
        "normalizer": null,
        "pre_tokenizer": {"type": "FixedLength", "length": n},
        "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 2], "cls": ["[CLS]", 1]},
        "decoder": null,
        "model": {"type": "WordLevel", "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2}, "unk_token": "[UNK]"}
    });
    SubwordEncoder::builder()
        .tokenizer_json_bytes(json.to_string())
        .build()
        .expect("chunk encoder")
}

/// A deterministic stand-in for a model: a word starting with an upper-case letter is a PER
/// (I- when the previous whitespace-separated run of the text starts with a capital, B-
/// otherwise), a word starting with a digit is a LOC, others are O. Near an *internal*
/// window edge (not the text's own start or end) it answers O, as a real model guesses
/// worse without context. Its subwords are pieces of up to three chars of each word.
struct Fake {
    labels: LabelMap,
    max_len: usize,
    edge: usize,
    subwords: SubwordEncoder,
}

impl Fake {
    fn new(max_len: usize, edge: usize) -> Fake {
        Fake {
            labels: LabelMap::new(
                ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            )
            .expect("labels"),
            max_len,
            edge,
            subwords: chunk_encoder(3),
        }
    }
}

impl TokenClassifier for Fake {
    fn name(&self) -> String {
        "fake".into()
    }
    fn labels(&self) -> &LabelMap {
        &self.labels
    }
    fn max_len(&self) -> usize {
        self.max_len
    }
    fn subwords(&self) -> &SubwordEncoder {
        &self.subwords
    }
    fn classify(&self, text: &str, windows: &[Window]) -> lede_ner::Result<Vec<Array2<f32>>> {
        let text_start = text.len() - text.trim_start().len();
        let text_end = text.trim_end().len();
        Ok(windows
            .iter()
            .map(|w| {
                let subwords = &w.sequence.subwords;
                let mut a = Array2::<f32>::zeros((subwords.len(), 5));
                let content = &subwords[w.content.clone()];
                let span = |i: usize| content[i].span.expect("content subwords have spans");
                let internal_start = !content.is_empty() && span(0).start > text_start;
                let internal_end = !content.is_empty() && span(content.len() - 1).end < text_end;
                let mut word_first = 0usize;
                for i in 0..content.len() {
                    if i == 0 || content[i].word != content[i - 1].word {
                        word_first = i;
                    }
                    let near_edge = (internal_start && i < self.edge)
                        || (internal_end && i + self.edge >= content.len());
                    let head = span(word_first);
                    let c = text[head.start..].chars().next().unwrap_or(' ');
                    let prev_capital = text[..head.start]
                        .split_whitespace()
                        .next_back()
                        .and_then(|prev| prev.chars().next())
                        .is_some_and(char::is_uppercase);
                    let label = if near_edge {
                        0
                    } else if c.is_uppercase() {
                        if prev_capital {
                            2
                        } else {
                            1
                        }
                    } else if c.is_ascii_digit() {
                        3
                    } else {
                        0
                    };
                    let row = w.content.start + i;
                    a.row_mut(row).fill(0.02);
                    a[[row, label]] = 0.92;
                }
                a
            })
            .collect())
    }
}

fn fake_ner(max_len: usize, stride: usize, edge: usize) -> TransformerNer {
    TransformerNer::builder()
        .classifier(Box::new(Fake::new(100_000, edge)))
        .window(max_len, stride)
        .build()
        .expect("build")
}

#[test]
fn windows_merge_without_cut_or_duplicated_entities() {
    one_libtorch_thread();
    let text = news_text(3000, 11);
    let reference = fake_ner(100_000, 0, 3).tag(&text).expect("one window");
    assert!(reference.len() > 100, "the text has many entities");
    assert!(
        reference.iter().any(|m| m.text.contains(' ')),
        "multi-word entities"
    );
    let types = ["PER", "LOC"].map(String::from);
    check_mentions(&text, &reference, &types);
    // lede-tokenize's windows share *at most* `stride` subwords and hand ownership over at
    // the word boundary nearest the middle of the overlap, so an owned subword can have
    // about half the overlap less half a word of context: strides of 16 and more leave
    // every owned piece at least the fake model's 3 pieces of context.
    for (max_len, stride) in [(34, 16), (40, 16), (50, 20), (66, 16), (130, 32)] {
        let ner = fake_ner(max_len, stride, 3);
        let windowed = ner.tag(&text).expect("windowed");
        assert_eq!(
            windowed, reference,
            "window {max_len} stride {stride}: same mentions as a single window"
        );
    }
    // The harness can fail: without overlap the edge errors show.
    let no_overlap = fake_ner(24, 0, 3).tag(&text).expect("no overlap");
    assert_ne!(no_overlap, reference);
}

#[test]
fn aggregation_strategies_differ_as_documented() {
    one_libtorch_thread();
    /// One word of three pieces with given distributions over O, B-PER, I-PER.
    struct Three(LabelMap, SubwordEncoder);
    impl TokenClassifier for Three {
        fn name(&self) -> String {
            "three".into()
        }
        fn labels(&self) -> &LabelMap {
            &self.0
        }
        fn max_len(&self) -> usize {
            16
        }
        fn subwords(&self) -> &SubwordEncoder {
            &self.1
        }
        fn classify(&self, _text: &str, windows: &[Window]) -> lede_ner::Result<Vec<Array2<f32>>> {
            let pieces = [[0.6, 0.4, 0.0], [0.1, 0.45, 0.45], [0.0, 0.95, 0.05]];
            Ok(windows
                .iter()
                .map(|w| {
                    assert_eq!(w.content.len(), 3, "\"Abcdef\" in pieces of two chars");
                    let mut a = Array2::<f32>::zeros((w.sequence.len(), 3));
                    for (i, p) in w.content.clone().zip(pieces) {
                        a.row_mut(i).assign(&ndarray::arr1(&p));
                    }
                    a
                })
                .collect())
        }
    }
    let labels =
        || LabelMap::new(vec!["O".into(), "B-PER".into(), "I-PER".into()]).expect("labels");
    let run = |agg| {
        TransformerNer::builder()
            .classifier(Box::new(Three(labels(), chunk_encoder(2))))
            .aggregation(agg)
            .build()
            .expect("build")
            .tag("Abcdef")
            .expect("tag")
    };
    assert!(run(Aggregation::First).is_empty(), "first piece says O");
    let avg = run(Aggregation::Average);
    assert_eq!(avg.len(), 1, "mean of B-PER is 0.6");
    assert!((avg[0].score - 0.6).abs() < 1e-5);
    let max = run(Aggregation::Max);
    assert_eq!(max.len(), 1);
    assert!((max[0].score - 0.95).abs() < 1e-5);
    assert_eq!(max[0].text, "Abcdef");
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
        #[test]
        fn any_text_gives_mentions_that_slice_it(text in "\\PC{0,300}", max_len in 6usize..40) {
            let ner = fake_ner(max_len, (max_len - 2) / 4, 1);
            let mentions = ner.tag(&text).expect("tag");
            check_mentions(&text, &mentions, &["PER", "LOC"].map(String::from));
        }
    }

    #[test]
    fn a_real_tiny_model_on_arbitrary_text() {
        one_libtorch_thread();
        let (_t, dir) = tiny(TinyModel::roberta(Head::TokenClassification));
        let ner = TransformerNer::builder()
            .model(dir.as_path())
            .window(16, 4)
            .build()
            .expect("build");
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 16,
            ..ProptestConfig::default()
        });
        runner
            .run(&"\\PC{0,200}", |text| {
                let mentions = ner.tag(&text).expect("tag");
                check_mentions(&text, &mentions, &ner.entity_types());
                Ok(())
            })
            .expect("property holds");
    }
}
