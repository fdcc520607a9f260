//! Time of the quote finder on the seed article and on a 40-fold copy of it (segmented
//! beforehand, no entities: the finder's own work; the facade adds nothing else). Compare
//! with NER on the same article (`cargo bench -p lede --bench tasks`).

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
    let finder = QuoteFinder::default();
    // The seed, and the seed 40 times over (about 30,000 words, 360 quotes): the time should
    // grow about 40-fold, not more (the finder is linear in words and quotes up to logs).
    for (name, copies) in [("quotes/seed_article", 1), ("quotes/seed_article_x40", 40)] {
        let text = vec![seed(); copies].join("\n");
        let doc = Segmenter::default().annotate(Document::new("seed", text));
        c.bench_function(name, |b| {
            b.iter(|| finder.find(std::hint::black_box(&doc)).unwrap())
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
