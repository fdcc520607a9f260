//! The facade's in-process pipeline with the offline models (skipped when `cargo xtask setup`
//! has not installed them): which stage computes the summary's sentence vectors.

use lede::{Analyzer, Document, Tasks};

fn seed() -> Document {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../seeds/belarus-pardons-efe.txt"
    );
    Document::new("seed", std::fs::read_to_string(path).expect("seed article"))
}

fn analyzer(tasks: Tasks) -> Option<Analyzer> {
    match Analyzer::builder().tasks(tasks).build() {
        Ok(a) => Some(a),
        Err(e) => {
            // In CI (`CI` set) the models must be there.
            assert!(
                std::env::var_os("CI").is_none(),
                "models missing in CI: {e}"
            );
            eprintln!("skipping: {e} (run `cargo xtask setup`)");
            None
        }
    }
}

#[test]
fn ner_encoder_states_serve_as_the_summary_sentence_vectors() {
    let with_summary = Tasks {
        ner: true,
        summary: true,
        ..Tasks::none()
    };
    let Some(a) = analyzer(with_summary) else {
        return;
    };
    // No MiniLM sentence encoder is loaded beside the NER model.
    assert!(a.provenance()["encoder"].contains("pooled NER states"));
    let doc = a.annotate(seed()).unwrap();
    let v = doc
        .sentence_embeddings
        .as_ref()
        .expect("NER gives sentence vectors when the summary runs");
    assert_eq!(v.rows(), doc.sentences.len());
    assert_eq!(v.dim, 384);
    for i in 0..v.rows() {
        let norm: f32 = v.row(i).unwrap().iter().map(|x| x * x).sum();
        assert!(
            norm == 0.0 || (norm - 1.0).abs() < 1e-3,
            "row {i}: norm² {norm}"
        );
    }
    let analysis = a.analyze(seed()).unwrap();
    let summary = analysis.summary.expect("a summary");
    assert_eq!(summary.sentences.len(), 3);
    assert!(summary.text.contains("Bialiatski"));

    // Without the summary, NER does not pool sentence vectors.
    let Some(ner_only) = analyzer(Tasks {
        ner: true,
        ..Tasks::none()
    }) else {
        return;
    };
    assert!(ner_only
        .annotate(seed())
        .unwrap()
        .sentence_embeddings
        .is_none());

    // Without NER, the summarizer encodes with its own MiniLM and still summarises.
    let Some(summary_only) = analyzer(Tasks {
        summary: true,
        ..Tasks::none()
    }) else {
        return;
    };
    assert_eq!(summary_only.provenance()["encoder"], "minilm");
    let doc = summary_only.annotate(seed()).unwrap();
    assert!(doc.sentence_embeddings.is_none());
    let s = summary_only
        .analyze(seed())
        .unwrap()
        .summary
        .expect("a summary");
    assert_eq!(s.sentences.len(), 3);
}

#[test]
fn the_relation_classifier_reads_ner_token_vectors_in_either_precision() {
    let tasks = Tasks {
        ner: true,
        relations: true,
        ..Tasks::none()
    };
    let Some(a) = analyzer(tasks) else {
        return;
    };
    assert_eq!(
        a.provenance()["relations"],
        "lede-relations/cues+ner-vectors-pair"
    );
    let doc = a.annotate(seed()).unwrap();
    let v = doc
        .token_vectors
        .as_ref()
        .expect("NER gives token vectors when its classifier reads them");
    assert_eq!(v.vectors.rows(), doc.tokens.len());
    assert_eq!(v.vectors.dim, 384);
    // int8 is NER's default precision.
    assert!(v.source.contains("/int8/layer1"), "{}", v.source);
    let int8 = a.analyze(seed()).unwrap();
    assert!(int8.relations.len() >= 10, "{:?}", int8.relations);

    // Without relations, no token vectors are kept.
    let Some(ner_only) = analyzer(Tasks {
        ner: true,
        ..Tasks::none()
    }) else {
        return;
    };
    assert!(ner_only.annotate(seed()).unwrap().token_vectors.is_none());

    // NER in fp32 gives vectors from another source: the classifier trained on them
    // (models/relations/fp32) reads them, with no fallback and no MiniLM pass.
    let fp32 = Analyzer::builder()
        .tasks(tasks)
        .precision(lede::Precision::Fp32)
        .build()
        .unwrap();
    assert_eq!(
        fp32.provenance()["relations"],
        "lede-relations/cues+ner-vectors-pair"
    );
    let doc = fp32.annotate(seed()).unwrap();
    let source = doc.token_vectors.as_ref().map(|v| v.source.clone());
    assert!(
        source
            .as_deref()
            .is_some_and(|s| s.contains("/fp32/layer1")),
        "{source:?}"
    );
    let rel = fp32.analyze(seed()).unwrap().relations;
    assert!(rel.len() >= 10, "{rel:?}");
}
