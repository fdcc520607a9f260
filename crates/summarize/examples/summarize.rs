//! Summarizes a text file with the extractive summarizer and prints the sentence ranking,
//! the summary and LEAD-k.
//!
//! ```text
//! cargo run -p lede-summarize --example summarize -- seeds/belarus-pardons-efe.txt \
//!     [--sentences 3] [--encoder minilm|lexical] [--weights FILE.json]
//! ```
//!
//! With `--encoder minilm` the sentences are embedded once with lede-models' packaged
//! all-MiniLM-L6-v2 and stored in the document, as lede's facade does.
use lede_core::{
    AnnotatedDocument, Document, Embeddings, SentenceEncoder, SentenceSplitter, Summarizer,
};
use lede_summarize::{ExtractiveSummarizer, LeadSummarizer, ScoringWeights, SummaryLength};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or(
        "usage: summarize FILE [--sentences N] [--encoder minilm|lexical] [--weights FILE]",
    )?;
    let (mut n, mut encoder, mut weights) =
        (3usize, String::from("lexical"), ScoringWeights::default());
    while let Some(flag) = args.next() {
        let v = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--sentences" => n = v.parse()?,
            "--encoder" => encoder = v,
            "--weights" => weights = serde_json::from_str(&std::fs::read_to_string(v)?)?,
            _ => return Err(format!("unknown flag {flag}").into()),
        }
    }
    let text = std::fs::read_to_string(&path)?;
    let mut doc = AnnotatedDocument::new(Document::new(path.clone(), text));
    doc.sentences = lede_tokenize::NewsSentenceSplitter::default().split(doc.text());
    if encoder == "minilm" {
        let embedder = lede_models::SentenceEmbedder::builder()
            .model("minilm")
            .build()?;
        let texts: Vec<&str> = doc.sentences.iter().map(|s| s.text.as_str()).collect();
        let rows = embedder.encode(&texts)?;
        doc.sentence_embeddings = Some(Embeddings {
            dim: embedder.dim(),
            values: rows.into_iter().flatten().collect(),
        });
    }
    let summarizer = ExtractiveSummarizer::builder()
        .length(SummaryLength::Sentences(n))
        .weights(weights)
        .build()?;
    let ranking = summarizer.rank(&doc)?;
    println!("embeddings: {:?}", ranking.embeddings);
    for r in &ranking.sentences {
        let features: Vec<String> = lede_summarize::learned::INPUT_FEATURES
            .iter()
            .zip(r.features.values())
            .map(|(name, v)| format!("{name}={v:.2}"))
            .collect();
        println!(
            "{:>3} {:<9} {:>7.3} {} | {}",
            r.index,
            format!("{:?}", r.kind),
            r.score,
            features.join(" "),
            r.sentence.text.chars().take(80).collect::<String>()
        );
    }
    let summary = summarizer.summarize(&doc)?;
    println!("\nSUMMARY ({} sentences):", summary.sentences.len());
    for s in &summary.sentences {
        println!(
            "[{}..{} chars {}..{}] {}",
            s.span.start, s.span.end, s.span.char_start, s.span.char_end, s.text
        );
    }
    let lead = LeadSummarizer::new(SummaryLength::Sentences(n))?;
    println!("\nLEAD-{n}:\n{}", lead.summarize(&doc)?.text);
    Ok(())
}
