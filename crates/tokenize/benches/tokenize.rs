//! Splitting, tokenizing and encoding a long news text.
//!
//! `cargo bench -p lede-tokenize --bench tokenize`. Uses the all-MiniLM-L6-v2 tokenizer when
//! `~/.cache/lede/models/all-MiniLM-L6-v2/tokenizer.json` exists, else a tiny vocabulary.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use lede_core::{SentenceSplitter, WordTokenizer};
use lede_tokenize::{NewsSentenceSplitter, RuleWordTokenizer, SubwordEncoder, WindowConfig};

fn long_text() -> String {
    let seed = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../seeds/belarus-pardons-efe.txt"
    );
    let article = std::fs::read_to_string(seed).unwrap_or_else(|_| {
        "Mr. Smith met Gen. Ivanov in the U.S. on Jan. 5. “It is over. We won,” he said.\n"
            .repeat(50)
    });
    article.repeat(20)
}

fn encoder() -> (Option<tempfile::TempDir>, SubwordEncoder) {
    let minilm = std::env::var_os("HOME")
        .map(|h| PathBuf::from(h).join(".cache/lede/models/all-MiniLM-L6-v2/tokenizer.json"));
    if let Some(path) = minilm.filter(|p| p.is_file()) {
        if let Ok(encoder) = SubwordEncoder::from_tokenizer_json(&path).build() {
            return (None, encoder);
        }
    }
    eprintln!("notice: MiniLM tokenizer not found, benchmarking a tiny vocabulary");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("vocab.txt");
    std::fs::write(&path, "[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\n##s\n.\n,\na\ne\n").expect("vocab");
    let encoder = SubwordEncoder::from_vocab(&path).build().expect("encoder");
    (Some(dir), encoder)
}

fn bench(c: &mut Criterion) {
    let text = long_text();
    let splitter = NewsSentenceSplitter::default();
    let words = RuleWordTokenizer::default();
    let (_dir, encoder) = encoder();

    let mut group = c.benchmark_group("long_text");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(20);
    group.bench_function("split_sentences", |b| b.iter(|| splitter.split(&text)));
    group.bench_function("word_tokens", |b| b.iter(|| words.tokenize(&text)));
    group.bench_function("encode", |b| {
        b.iter(|| encoder.encode(&text).expect("encode"))
    });
    group.bench_function("windows_512_128", |b| {
        b.iter(|| {
            encoder
                .windows(&text, WindowConfig::new(512, 128))
                .expect("windows")
        })
    });
    group.bench_function("split_tokenize_encode", |b| {
        b.iter(|| {
            let sentences = splitter.split(&text);
            let encoding = encoder.encode(&text).expect("encode");
            (sentences.len(), encoding.sequence.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
