//! Development evaluation and tuning of the extractive summarizer on reference summaries.
//!
//! ```text
//! # Score the summarizer (default weights) and LEAD-3 on a reference file:
//! cargo run --release -p lede-summarize --example dev_eval -- eval \
//!     --refs models/summarize/dev/lee_background.test.jsonl --docs /tmp/lee-docs
//! # Grid-search the scoring weights on the tuning half and print the best:
//! cargo run --release -p lede-summarize --example dev_eval -- tune \
//!     --refs models/summarize/dev/lee_background.tune.jsonl --docs /tmp/lee-docs
//! ```
//!
//! `--out FILE` writes the tuned weights (`tune`) or the full report as JSON (`eval`);
//! `--weights FILE.json` scores with saved weights; `--sentences N` sets the length (3);
//! `--encoder minilm` embeds the sentences with lede-models' packaged all-MiniLM-L6-v2 once
//! per document (stored in `sentence_embeddings`, as the facade does), `--encoder lexical`
//! (the default) uses the summarizer's model-free TF-IDF fallback.
use std::path::PathBuf;

use lede_core::{AnnotatedDocument, Embeddings, SentenceEncoder, SentenceSplitter};
use lede_summarize::eval::{
    evaluate_summaries, evaluate_systems, load_docs, load_refs, EvalOptions, MultiReference,
};
use lede_summarize::{ExtractiveSummarizer, ScoringWeights, SummaryLength};

struct Args {
    command: String,
    refs: PathBuf,
    docs: PathBuf,
    weights: Option<PathBuf>,
    sentences: usize,
    out: Option<PathBuf>,
    encoder: String,
}

fn parse() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let command = it
        .next()
        .ok_or("usage: dev_eval eval|tune --refs FILE --docs DIR")?;
    let mut a = Args {
        command,
        refs: PathBuf::new(),
        docs: PathBuf::new(),
        weights: None,
        sentences: 3,
        out: None,
        encoder: "lexical".into(),
    };
    while let Some(flag) = it.next() {
        let v = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--refs" => a.refs = v.into(),
            "--docs" => a.docs = v.into(),
            "--weights" => a.weights = Some(v.into()),
            "--sentences" => a.sentences = v.parse().map_err(|e| format!("{e}"))?,
            "--out" => a.out = Some(v.into()),
            "--encoder" => a.encoder = v,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(a)
}

fn prepare(
    args: &Args,
) -> Result<(Vec<lede_summarize::RefSummary>, Vec<AnnotatedDocument>), Box<dyn std::error::Error>> {
    let refs = load_refs(&args.refs)?;
    let mut docs: Vec<AnnotatedDocument> = load_docs(&args.docs, &refs)?
        .into_iter()
        .map(|d| {
            let mut a = AnnotatedDocument::new(d);
            a.sentences = lede_tokenize::NewsSentenceSplitter::default().split(a.text());
            a
        })
        .collect();
    match args.encoder.as_str() {
        "lexical" => {}
        "minilm" => {
            let embedder = lede_models::SentenceEmbedder::builder()
                .model("minilm")
                .build()?;
            for d in &mut docs {
                let texts: Vec<&str> = d.sentences.iter().map(|s| s.text.as_str()).collect();
                let rows = embedder.encode(&texts)?;
                d.sentence_embeddings = Some(Embeddings {
                    dim: embedder.dim(),
                    values: rows.into_iter().flatten().collect(),
                });
            }
        }
        other => return Err(format!("unknown encoder {other}").into()),
    }
    Ok((refs, docs))
}

/// ROUGE of the extractive summarizer with `weights` beside the lead baseline of the same
/// length.
fn against_lead(
    refs: &[lede_summarize::RefSummary],
    docs: &[AnnotatedDocument],
    length: SummaryLength,
    weights: ScoringWeights,
) -> Result<lede_summarize::RougeReport, Box<dyn std::error::Error>> {
    let s = ExtractiveSummarizer::builder()
        .length(length)
        .weights(weights)
        .build()?;
    let options = EvalOptions {
        baseline: length,
        ..Default::default()
    };
    Ok(evaluate_summaries(refs, docs, &s, &options)?)
}

fn objective(r: &lede_summarize::RougeReport) -> f64 {
    let m = &r.systems[0].mean_stemmed;
    (m.rouge1.f1 + m.rouge2.f1 + m.rouge_l.f1) / 3.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse()?;
    let (refs, docs) = prepare(&args)?;
    let length = SummaryLength::Sentences(args.sentences);
    let base = match &args.weights {
        Some(p) => serde_json::from_str(&std::fs::read_to_string(p)?)?,
        None => ScoringWeights::default(),
    };
    match args.command.as_str() {
        "eval" => {
            let report = against_lead(&refs, &docs, length, base)?;
            println!("{}", report.table());
            if let Some(out) = &args.out {
                std::fs::write(out, serde_json::to_string_pretty(&report)?)?;
            }
            for (a, b) in report.systems[0]
                .documents
                .iter()
                .zip(&report.systems[1].documents)
            {
                println!(
                    "{:<12} R2 {:.3} vs lead {:.3}   R1 {:.3} vs {:.3}",
                    a.doc,
                    a.scores_stemmed.rouge2.f1,
                    b.scores_stemmed.rouge2.f1,
                    a.scores_stemmed.rouge1.f1,
                    b.scores_stemmed.rouge1.f1
                );
            }
        }
        "tune" => {
            // A coarse grid over the weights that matter on plain news (no subheadings or
            // titles in the corpus, so `section_lead` and `heading` keep their defaults).
            // Each setting's objective is the mean stemmed F1 of ROUGE-1, -2 and -L; the
            // winner maximises the objective averaged with its grid neighbours, so that a
            // lucky spike on a few documents does not decide.
            let grids: [&[f32]; 8] = [
                &[0.5, 1.0, 2.0, 4.0], // position
                &[0.5, 1.0, 2.0],      // position_decay
                &[0.0, 0.25, 0.5],     // centrality
                &[0.0, 0.25, 0.5],     // centroid
                &[0.0, 0.25, 0.5],     // entities
                &[0.0, -0.25, -0.5],   // quote
                &[0.6, 0.8, 1.0],      // mmr_lambda
                &[0.0, 0.25, 0.5],     // length
            ];
            let weights_at = |idx: &[usize]| ScoringWeights {
                position: grids[0][idx[0]],
                position_decay: grids[1][idx[1]],
                centrality: grids[2][idx[2]],
                centroid: grids[3][idx[3]],
                entities: grids[4][idx[4]],
                quote: grids[5][idx[5]],
                mmr_lambda: grids[6][idx[6]],
                length: grids[7][idx[7]],
                ..base.clone()
            };
            let dims: Vec<usize> = grids.iter().map(|g| g.len()).collect();
            let total: usize = dims.iter().product();
            let unflatten = |mut k: usize| -> Vec<usize> {
                dims.iter()
                    .map(|&d| {
                        let i = k % d;
                        k /= d;
                        i
                    })
                    .collect()
            };
            let flatten = |idx: &[usize]| -> usize {
                idx.iter()
                    .zip(&dims)
                    .rev()
                    .fold(0, |acc, (&i, &d)| acc * d + i)
            };
            let mut scores = vec![0.0f64; total];
            for (k, score) in scores.iter_mut().enumerate() {
                let s = ExtractiveSummarizer::builder()
                    .length(length)
                    .weights(weights_at(&unflatten(k)))
                    .build()?;
                *score = objective(&evaluate_systems(
                    &refs,
                    &docs,
                    &[&s],
                    MultiReference::Best,
                )?);
            }
            let smoothed = |k: usize| -> f64 {
                let idx = unflatten(k);
                let mut sum = scores[k];
                let mut n = 1.0;
                for dim in 0..idx.len() {
                    for step in [-1i64, 1] {
                        let j = idx[dim] as i64 + step;
                        if j >= 0 && (j as usize) < dims[dim] {
                            let mut other = idx.clone();
                            other[dim] = j as usize;
                            sum += scores[flatten(&other)];
                            n += 1.0;
                        }
                    }
                }
                sum / n
            };
            let best = (0..total)
                .max_by(|&a, &b| smoothed(a).total_cmp(&smoothed(b)))
                .ok_or("empty grid")?;
            let raw_best = (0..total).map(|k| scores[k]).fold(f64::MIN, f64::max);
            let w = weights_at(&unflatten(best));
            println!(
                "tried {total} settings; chosen objective {:.4} (neighbourhood {:.4}); best single {:.4}",
                scores[best],
                smoothed(best),
                raw_best
            );
            let json = serde_json::to_string_pretty(&w)?;
            println!("{json}");
            if let Some(out) = &args.out {
                std::fs::write(out, json + "\n")?;
            }
            println!("{}", against_lead(&refs, &docs, length, w)?.table());
        }
        other => return Err(format!("unknown command {other}").into()),
    }
    Ok(())
}
