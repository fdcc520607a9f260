//! Tests of the extractive summarizer and the LEAD-k baseline.

use super::features::*;
use super::ranking::*;
use super::*;
use lede_core::{Document, Embeddings, Entity, Mention, OffsetMap};

use crate::text::SentenceKind;

fn doc(text: &str) -> AnnotatedDocument {
    AnnotatedDocument::new(Document::new("t", text))
}

/// A deterministic fake encoder: hashed bag of lowercase words, L2-normalised.
struct HashEncoder {
    calls: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl SentenceEncoder for HashEncoder {
    fn dim(&self) -> usize {
        64
    }
    fn encode(&self, texts: &[&str]) -> lede_core::Result<Vec<Vec<f32>>> {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(texts
            .iter()
            .map(|t| {
                let mut v = vec![0.0f32; 64];
                for w in crate::lexical::content_terms(t) {
                    let h = w
                        .bytes()
                        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
                    v[(h % 64) as usize] += 1.0;
                }
                let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
                v.iter().map(|x| x / n).collect()
            })
            .collect())
    }
}

const STORY: &str = "Belarus frees Nobel laureate\nBy Jane Doe\nMoscow (EFE).- The Belarusian leader pardoned over a hundred prisoners on Saturday, including Nobel laureate Ales Bialiatski. In exchange, the United States lifted sanctions against Belarus. The talks lasted two days in Minsk. It rained in Minsk on Friday.\nWithdrawal of sanctions\nHours earlier, the White House announced the lifting of sanctions on Belarusian potash exports. \"We are lifting them right now,\" the envoy said.\nmos/dgp";

#[test]
fn never_picks_boilerplate_and_strips_datelines() {
    let s = ExtractiveSummarizer::builder()
        .length(SummaryLength::Sentences(6))
        .build()
        .unwrap();
    let summary = s.summarize(&doc(STORY)).unwrap();
    assert!(!summary.text.contains("Belarus frees Nobel laureate"));
    assert!(!summary.text.contains("Jane Doe"));
    assert!(!summary.text.contains("(EFE)"));
    assert!(!summary.text.contains("mos/dgp"));
    assert!(!summary.text.contains("Withdrawal of sanctions\n"));
    assert!(summary.text.starts_with("The Belarusian leader pardoned"));
    for sent in &summary.sentences {
        assert_eq!(sent.span.slice(STORY), Some(sent.text.as_str()));
        let m = OffsetMap::new(STORY);
        assert_eq!(m.span(sent.span.start, sent.span.end).unwrap(), sent.span);
    }
    let indices: Vec<usize> = summary.sentences.iter().map(|s| s.span.start).collect();
    let mut sorted = indices.clone();
    sorted.sort_unstable();
    assert_eq!(indices, sorted, "document order");
}

#[test]
fn falls_back_to_boilerplate_when_nothing_else_exists() {
    let s = ExtractiveSummarizer::builder().build().unwrap();
    let summary = s.summarize(&doc("Just a headline\nBy Jane Doe")).unwrap();
    assert!(!summary.sentences.is_empty());
    let empty = s.summarize(&doc("   ")).unwrap();
    assert!(empty.sentences.is_empty() && empty.text.is_empty());
}

#[test]
fn lengths_by_sentences_words_and_ratio() {
    let s = ExtractiveSummarizer::builder().build().unwrap();
    let d = doc(STORY);
    for n in 1..=4 {
        let out = s
            .summarize_with_length(&d, SummaryLength::Sentences(n))
            .unwrap();
        assert_eq!(out.sentences.len(), n);
    }
    let out = s
        .summarize_with_length(&d, SummaryLength::Words(30))
        .unwrap();
    let words: usize = out
        .sentences
        .iter()
        .map(|x| crate::text::word_count(&x.text))
        .sum();
    assert!(words <= 30 || out.sentences.len() == 1, "{words} words");
    let out = s
        .summarize_with_length(&d, SummaryLength::Ratio(0.5))
        .unwrap();
    assert_eq!(out.sentences.len(), 3, "half of 6 story sentences");
    assert!(s
        .summarize_with_length(&d, SummaryLength::Ratio(1.5))
        .is_err());
    assert!(ExtractiveSummarizer::builder()
        .length(SummaryLength::Sentences(0))
        .build()
        .is_err());
}

#[test]
fn reuses_document_embeddings_and_never_encodes_twice() {
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let enc = HashEncoder {
        calls: calls.clone(),
    };
    let mut d = doc(STORY);
    d.sentences = NewsSentenceSplitter::default().split(STORY);
    let texts: Vec<&str> = d.sentences.iter().map(|s| s.text.as_str()).collect();
    let rows = enc.encode(&texts).unwrap();
    d.sentence_embeddings = Some(Embeddings {
        dim: 64,
        values: rows.into_iter().flatten().collect(),
    });
    calls.store(0, std::sync::atomic::Ordering::SeqCst);
    let s = ExtractiveSummarizer::builder()
        .encoder(enc)
        .build()
        .unwrap();
    let ranking = s.rank(&d).unwrap();
    assert_eq!(ranking.embeddings, EmbeddingSource::Document);
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 0);
    // Without document embeddings the encoder runs once.
    d.sentence_embeddings = None;
    let ranking = s.rank(&d).unwrap();
    assert_eq!(ranking.embeddings, EmbeddingSource::Encoder);
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    // Mismatched embeddings are not used.
    d.sentence_embeddings = Some(Embeddings {
        dim: 64,
        values: vec![0.0; 64],
    });
    assert_eq!(s.rank(&d).unwrap().embeddings, EmbeddingSource::Encoder);
}

#[test]
fn lexical_fallback_can_be_switched_off() {
    let s = ExtractiveSummarizer::builder()
        .lexical_fallback(false)
        .build()
        .unwrap();
    let err = s.summarize(&doc(STORY)).unwrap_err();
    assert!(matches!(err, lede_core::Error::Task { .. }));
    let s = ExtractiveSummarizer::builder().build().unwrap();
    assert_eq!(
        s.rank(&doc(STORY)).unwrap().embeddings,
        EmbeddingSource::Lexical
    );
}

#[test]
fn bad_encoder_output_is_an_error() {
    struct Short;
    impl SentenceEncoder for Short {
        fn dim(&self) -> usize {
            4
        }
        fn encode(&self, _texts: &[&str]) -> lede_core::Result<Vec<Vec<f32>>> {
            Ok(vec![vec![1.0; 4]])
        }
    }
    let s = ExtractiveSummarizer::builder()
        .encoder(Short)
        .build()
        .unwrap();
    let err = s.rank(&doc(STORY)).unwrap_err();
    assert!(matches!(err, SummarizeError::EmbeddingShape { .. }));
}

#[test]
fn mmr_avoids_duplicate_sentences() {
    let text = "Officials lifted the potash sanctions on Monday. Officials lifted the potash sanctions on Monday again. Prisoners were freed in Minsk after talks. The weather was mild.";
    let w = ScoringWeights {
        position: 0.0,
        mmr_lambda: 0.5,
        ..ScoringWeights::default()
    };
    let s = ExtractiveSummarizer::builder()
        .length(SummaryLength::Sentences(2))
        .weights(w)
        .build()
        .unwrap();
    let out = s.summarize(&doc(text)).unwrap();
    let dupes = out
        .sentences
        .iter()
        .filter(|x| x.text.starts_with("Officials lifted"))
        .count();
    assert_eq!(dupes, 1, "{:?}", out.text);
}

#[test]
fn features_reflect_the_text() {
    let s = ExtractiveSummarizer::builder().build().unwrap();
    let ranking = s.rank(&doc(STORY)).unwrap();
    let by_text = |p: &str| {
        ranking
            .sentences
            .iter()
            .find(|r| r.sentence.text.starts_with(p))
            .unwrap_or_else(|| panic!("no sentence {p}"))
    };
    let first = by_text("The Belarusian leader");
    assert!(first.eligible && first.features.position == 1.0);
    let quote = by_text("\"We are lifting");
    assert!(quote.features.quote > 0.5 && quote.features.attribution == 1.0);
    let section = by_text("Hours earlier");
    assert_eq!(section.features.section_lead, 1.0);
    let after = by_text("\"We are lifting");
    assert_eq!(
        after.features.section_lead, 0.0,
        "only the section's first sentence"
    );
    assert_eq!(
        first.features.section_lead, 0.0,
        "the first section has no section prior"
    );
    assert!(section.features.heading > 0.0);
    let headline = by_text("Belarus frees");
    assert!(!headline.eligible && headline.kind == SentenceKind::Headline);
    assert!(first.features.position > by_text("In exchange").features.position);
}

#[test]
fn quotes_over_several_sentences_and_stray_quotes() {
    let text = "\"Our faith must guide us. \"Every one of us needs hope.\" The King also spoke on Monday. Australia has a fine record,\" he said. The minister left early.";
    let sentences = NewsSentenceSplitter::default().split(text);
    let q = quote_shares(text, &sentences);
    assert_eq!(sentences.len(), 5, "{sentences:?}");
    assert!(q[0] > 0.9 && q[1] > 0.9, "{q:?}");
    assert_eq!(q[2], 0.0, "{q:?}");
    assert!(q[3] < 0.1, "a stray closing quote opens nothing: {q:?}");
    assert_eq!(q[4], 0.0, "{q:?}");
    let curly = "“We are lifting them,” Cole said. Prices fell.";
    let s = NewsSentenceSplitter::default().split(curly);
    let q = quote_shares(curly, &s);
    assert!(q[0] > 0.5 && q[1] == 0.0, "{q:?}");
}

#[test]
fn document_entities_drive_the_entity_features() {
    let text = "Rain fell across the region today. Ales Bialiatski met Ales Bialiatski's lawyer. Bialiatski was freed.";
    let m = OffsetMap::new(text);
    let mut d = doc(text);
    let mentions: Vec<Mention> = text
        .match_indices("Bialiatski")
        .map(|(i, t)| Mention {
            text: t.into(),
            label: "PERSON".into(),
            score: 1.0,
            span: m.span(i, i + t.len()).unwrap(),
        })
        .collect();
    d.entities = vec![Entity {
        id: "E1".into(),
        name: "Ales Bialiatski".into(),
        label: "PERSON".into(),
        mentions,
    }];
    let s = ExtractiveSummarizer::builder().build().unwrap();
    let r = s.rank(&d).unwrap();
    assert_eq!(r.sentences[0].features.entities, 0.0);
    assert_eq!(r.sentences[1].features.entities, 1.0);
    assert_eq!(
        r.sentences[1].features.entity_density, 1.0,
        "two mentions in six words"
    );
}

#[test]
fn lead_baseline() {
    let lead = LeadSummarizer::new(SummaryLength::Sentences(2)).unwrap();
    let out = lead.summarize(&doc(STORY)).unwrap();
    assert_eq!(out.sentences.len(), 2);
    assert!(out.text.starts_with("The Belarusian leader pardoned"));
    assert!(out.text.contains("In exchange"));
    assert_eq!(lead.name(), "lead-2");
    let words = lead.lead(&doc(STORY), SummaryLength::Words(5)).unwrap();
    assert_eq!(
        words.sentences.len(),
        1,
        "first sentence even if longer than the budget"
    );
    assert!(LeadSummarizer::new(SummaryLength::Words(0)).is_err());
}

#[test]
fn default_weights_match_the_recorded_tuning() {
    let recorded: ScoringWeights = serde_json::from_str(include_str!(
        "../../../../models/summarize/extractive-weights.json"
    ))
    .unwrap();
    assert_eq!(recorded, ScoringWeights::default());
    assert!(recorded.validate().is_ok());
    let bad = ScoringWeights {
        mmr_lambda: 1.5,
        ..ScoringWeights::default()
    };
    assert!(bad.validate().is_err());
    let nan = ScoringWeights {
        quote: f32::NAN,
        ..ScoringWeights::default()
    };
    assert!(ExtractiveSummarizer::builder()
        .weights(nan)
        .build()
        .is_err());
}

#[test]
fn huge_texts_are_summarised_from_their_first_candidates() {
    let text: String = (0..MAX_CANDIDATES + 300)
        .map(|i| {
            format!(
                "Officials in town {i} reported {} new cases on Monday. ",
                i % 7
            )
        })
        .collect();
    let s = ExtractiveSummarizer::builder().build().unwrap();
    let d = doc(&text);
    let ranking = s.rank(&d).unwrap();
    let eligible = ranking.sentences.iter().filter(|r| r.eligible).count();
    assert_eq!(eligible, MAX_CANDIDATES);
    let summary = s.summarize(&d).unwrap();
    assert_eq!(summary.sentences.len(), 3);
    let limit = ranking.sentences[MAX_CANDIDATES].sentence.span.start;
    assert!(summary.sentences.iter().all(|x| x.span.end <= limit));
}

#[test]
fn summarizer_is_send() {
    fn is_send<T: Send>() {}
    is_send::<ExtractiveSummarizer>();
    is_send::<LeadSummarizer>();
}

/// STORY with its sentences and hashed-bag vectors as document embeddings.
fn story_with_vectors() -> AnnotatedDocument {
    let enc = HashEncoder {
        calls: Default::default(),
    };
    let mut d = doc(STORY);
    d.sentences = NewsSentenceSplitter::default().split(STORY);
    let texts: Vec<&str> = d.sentences.iter().map(|s| s.text.as_str()).collect();
    d.sentence_embeddings = Some(Embeddings {
        dim: 64,
        values: enc.encode(&texts).unwrap().into_iter().flatten().collect(),
    });
    d
}

/// A scorer that reads only `feature` (positive weight), for vectors of width 64 from "src".
fn scorer_on(feature: &str, weight: f32) -> crate::learned::SentenceScorer {
    use crate::learned::{SentenceScorer, INPUT_FEATURES, SCORER_FORMAT};
    let n = INPUT_FEATURES.len() + 64;
    let mut weights = vec![0.0; n];
    let at = INPUT_FEATURES.iter().position(|f| *f == feature).unwrap();
    weights[at] = weight;
    SentenceScorer {
        format: SCORER_FORMAT,
        vectors: "src".into(),
        dim: 64,
        features: INPUT_FEATURES.iter().map(|s| s.to_string()).collect(),
        mean: vec![0.0; n],
        scale: vec![1.0; n],
        weights,
        bias: 0.0,
        mmr_lambda: 1.0,
        training: Default::default(),
    }
}

#[test]
fn the_trained_scorer_scores_only_documents_with_vectors_from_its_source() {
    let d = story_with_vectors();
    // This scorer prefers the last story sentences: the opposite of the lead prior.
    let build = |source: Option<&str>| {
        let mut b = ExtractiveSummarizer::builder()
            .length(SummaryLength::Sentences(1))
            .scorer(scorer_on("relative_position", 5.0));
        if let Some(s) = source {
            b = b.document_vectors(s);
        }
        b.build().unwrap()
    };
    let trained = build(Some("src"));
    let ranking = trained.rank(&d).unwrap();
    assert!(ranking.trained);
    assert_eq!(ranking.inputs().nrows(), ranking.eligible().len());
    assert_eq!(
        ranking.inputs().ncols(),
        crate::learned::INPUT_FEATURES.len() + 64
    );
    let summary = trained.summarize(&d).unwrap();
    assert_eq!(summary.method, "extractive (trained scorer)");
    assert!(summary.text.contains("the envoy said"), "{}", summary.text);

    // Vectors from another source, none declared, or no document vectors: the weights.
    for s in [build(Some("other")), build(None)] {
        assert!(!s.rank(&d).unwrap().trained);
        let summary = s.summarize(&d).unwrap();
        assert_eq!(summary.method, "extractive");
        assert!(summary.text.starts_with("The Belarusian leader"));
    }
    assert!(!trained.rank(&doc(STORY)).unwrap().trained);
}

#[test]
fn a_sentence_pointing_back_is_picked_only_after_the_one_it_needs() {
    let text = "The minister opened the new bridge in Perth on Monday. He said it cost forty million dollars and took three years. Traffic was light in the city.";
    let mut d = doc(text);
    d.sentences = NewsSentenceSplitter::default().split(text);
    let enc = HashEncoder {
        calls: Default::default(),
    };
    let texts: Vec<&str> = d.sentences.iter().map(|s| s.text.as_str()).collect();
    d.sentence_embeddings = Some(Embeddings {
        dim: 64,
        values: enc.encode(&texts).unwrap().into_iter().flatten().collect(),
    });
    assert!(starts_with_pronoun("He said it cost"));
    assert!(starts_with_pronoun("They're here"));
    // Inside a quotation a pronoun is the speaker's, not a pointer back.
    assert!(!starts_with_pronoun(
        "\u{201c}We are here,\u{201d} he said."
    ));
    assert!(!starts_with_pronoun("Helen said"));
    assert!(!starts_with_pronoun("The minister"));
    // The scorer likes long sentences best: the "He said ..." one.
    let s = ExtractiveSummarizer::builder()
        .length(SummaryLength::Sentences(1))
        .scorer(scorer_on("log_words", 5.0))
        .document_vectors("src")
        .build()
        .unwrap();
    let ranking = s.rank(&d).unwrap();
    let best = ranking
        .eligible()
        .into_iter()
        .max_by(|a, b| a.score.total_cmp(&b.score))
        .unwrap();
    assert!(best.sentence.text.starts_with("He said"));
    // Alone it would dangle: another sentence is taken instead.
    let one = s.summarize(&d).unwrap();
    assert!(!one.text.starts_with("He said"), "{}", one.text);
    // With room for two, it comes with the sentence it points back to, in article order.
    let two = s
        .summarize_with_length(&d, SummaryLength::Sentences(2))
        .unwrap();
    assert!(two.text.starts_with("The minister opened"), "{}", two.text);
    assert!(two.text.contains("He said"), "{}", two.text);
    // When it is the only candidate, it is taken.
    let mut only = doc("He said the bridge would open soon.");
    only.sentences = NewsSentenceSplitter::default().split(only.text());
    assert_eq!(s.summarize(&only).unwrap().sentences.len(), 1);
}
