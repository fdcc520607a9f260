//! What each task costs on top of NER, on the seed article, with the offline models:
//! `cargo bench -p lede --bench tasks`. Needs `cargo xtask setup` (the MiniLM files).
//!
//! Each configuration analyses the same document in-process (models loaded once, outside the
//! timing), so the differences are the per-document cost of the summary and of relations.
//! Criterion runs the configurations one after another; on a shared machine whose speed drifts
//! by more than these differences, `cargo run --release -p lede --example task_share` (the
//! configurations in turns, round after round) is the measurement to trust.

use criterion::{criterion_group, criterion_main, Criterion};
use lede::{Analyzer, Document, RelationClassifier, Tasks};

fn seed() -> Document {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../seeds/belarus-pardons-efe.txt"
    );
    let text = std::fs::read_to_string(path).unwrap_or_default();
    Document::new("seed", text)
}

fn bench(c: &mut Criterion) {
    lede::models::ThreadPlan::new(1).apply();
    let doc = seed();
    let configs = [
        ("segmentation", Tasks::none()),
        (
            "ner",
            Tasks {
                ner: true,
                ..Tasks::none()
            },
        ),
        (
            "ner+summary",
            Tasks {
                ner: true,
                summary: true,
                ..Tasks::none()
            },
        ),
        (
            "ner+relations",
            Tasks {
                ner: true,
                relations: true,
                ..Tasks::none()
            },
        ),
        ("all", Tasks::all()),
    ];
    let rel = Tasks {
        ner: true,
        relations: true,
        ..Tasks::none()
    };
    let mut group = c.benchmark_group("seed_article");
    group.sample_size(10);
    for (name, tasks) in configs {
        let analyzer = match Analyzer::builder().tasks(tasks).build() {
            Ok(a) => a,
            Err(e) => {
                eprintln!("skipping {name}: {e} (run `cargo xtask setup`)");
                continue;
            }
        };
        group.bench_function(name, |b| {
            b.iter(|| analyzer.analyze(doc.clone()).map(|a| a.entities.len()))
        });
    }
    // Where the relations' time goes: the cue patterns alone (no classifier, no token
    // vectors), and the cue patterns with the token vectors kept but no classifier.
    for (name, always) in [
        ("ner+relations/cues only", false),
        ("ner+relations/cues+vectors", true),
    ] {
        let Ok(analyzer) = Analyzer::builder()
            .tasks(rel)
            .relation_classifier(RelationClassifier::CuesOnly)
            .always_token_vectors(always)
            .build()
        else {
            continue;
        };
        group.bench_function(name, |b| {
            b.iter(|| analyzer.analyze(doc.clone()).map(|a| a.entities.len()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
