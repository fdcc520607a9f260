//! Time of the quote finder on the seed article (segmented beforehand, no entities: the
//! finder's own work; the facade adds nothing else). Compare with NER on the same article
//! (`cargo bench -p lede --bench tasks`).

use criterion::{criterion_group, criterion_main, Criterion};
use lede_core::Document;
use lede_quotes::QuoteFinder;
use lede_tokenize::Segmenter;

fn seed() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../seeds/belarus-pardons-efe.txt"
    );
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn bench(c: &mut Criterion) {
    let doc = Segmenter::default().annotate(Document::new("seed", seed()));
    let finder = QuoteFinder::default();
    c.bench_function("quotes/seed_article", |b| {
        b.iter(|| finder.find(std::hint::black_box(&doc)).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
