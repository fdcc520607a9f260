//! Summarization time against document length.
//!
//! ```text
//! cargo bench -p lede-summarize --bench summarize
//! ```
//!
//! Groups, each at 150, 600 and 2400 words of generated news text:
//! * `extractive/shared-embeddings`: ranking and selection when the facade already stored
//!   384-wide sentence embeddings in the document (the cost summarization adds on top of the
//!   shared encoding);
//! * `extractive/lexical`: the model-free TF-IDF fallback;
//! * `extractive/minilm-encode`: encoding the sentences with the packaged all-MiniLM-L6-v2 and
//!   ranking (skipped with a notice when the model files are absent);
//! * `lead`: the LEAD-3 baseline.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use lede_core::{AnnotatedDocument, Document, Embeddings, SentenceSplitter, Summarizer};
use lede_summarize::{ExtractiveSummarizer, LeadSummarizer, SummaryLength};

const LENGTHS: [usize; 3] = [150, 600, 2400];

fn document(words: usize) -> AnnotatedDocument {
    let text = lede_models::testing::news_text(words, 11);
    let mut doc = AnnotatedDocument::new(Document::new(format!("bench-{words}"), text));
    doc.sentences = lede_tokenize::NewsSentenceSplitter::default().split(doc.text());
    doc
}

/// Deterministic unit vectors standing in for the facade's MiniLM embeddings.
fn fake_embeddings(rows: usize, dim: usize) -> Embeddings {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut values = Vec::with_capacity(rows * dim);
    for _ in 0..rows {
        let row: Vec<f32> = (0..dim)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state % 1000) as f32 / 1000.0 - 0.5
            })
            .collect();
        let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
        values.extend(row.iter().map(|x| x / norm));
    }
    Embeddings { dim, values }
}

fn bench(c: &mut Criterion) {
    let summarizer = ExtractiveSummarizer::builder()
        .length(SummaryLength::Sentences(3))
        .build()
        .expect("summarizer");
    let lead = LeadSummarizer::new(SummaryLength::Sentences(3)).expect("lead");

    let mut group = c.benchmark_group("extractive");
    for words in LENGTHS {
        let mut doc = document(words);
        doc.sentence_embeddings = Some(fake_embeddings(doc.sentences.len(), 384));
        group.bench_with_input(
            BenchmarkId::new("shared-embeddings", words),
            &doc,
            |b, d| b.iter(|| summarizer.summarize(black_box(d)).expect("summary")),
        );
        let plain = document(words);
        group.bench_with_input(BenchmarkId::new("lexical", words), &plain, |b, d| {
            b.iter(|| summarizer.summarize(black_box(d)).expect("summary"))
        });
    }
    match lede_models::SentenceEmbedder::builder()
        .model("minilm")
        .build()
    {
        Ok(embedder) => {
            let with_encoder = ExtractiveSummarizer::builder()
                .encoder(embedder)
                .build()
                .expect("summarizer");
            group.sample_size(10);
            for words in LENGTHS {
                let doc = document(words);
                group.bench_with_input(BenchmarkId::new("minilm-encode", words), &doc, |b, d| {
                    b.iter(|| with_encoder.summarize(black_box(d)).expect("summary"))
                });
            }
        }
        Err(e) => eprintln!("skipping extractive/minilm-encode: MiniLM not available ({e})"),
    }
    group.finish();

    let mut group = c.benchmark_group("lead");
    for words in LENGTHS {
        let doc = document(words);
        group.bench_with_input(BenchmarkId::from_parameter(words), &doc, |b, d| {
            b.iter(|| lead.summarize(black_box(d)).expect("summary"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
