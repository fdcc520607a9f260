//! Smoke test on the seed article (never used for tuning): the default extractive summary,
//! with the model-free lexical fallback, names the pardon of Ales Bialiatski and the lifting
//! of the potash sanctions, and carries no headline, dateline or sign-off.

use lede_core::{AnnotatedDocument, Document, OffsetMap, Summarizer};
use lede_summarize::{ExtractiveSummarizer, LeadSummarizer, SummaryLength};

#[test]
fn seed_summary_names_the_pardon_and_the_potash_sanctions() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../seeds/belarus-pardons-efe.txt"
    );
    let Ok(text) = std::fs::read_to_string(path) else {
        // Outside a lede checkout (a packaged crate); in CI a failure.
        lede_test_support::skip_or_fail(&format!("the seed article {path} is not there"));
        return;
    };
    let doc = AnnotatedDocument::new(Document::new("seed", text.clone()));
    let summarizer = ExtractiveSummarizer::builder().build().unwrap();
    let summary = summarizer.summarize(&doc).unwrap();
    assert_eq!(summary.sentences.len(), 3);
    assert!(
        summary.text.contains("Bialiatski") && summary.text.contains("pardon"),
        "{}",
        summary.text
    );
    assert!(
        summary.text.contains("potash") && summary.text.contains("sanctions"),
        "{}",
        summary.text
    );
    for bad in [
        "(EFE)",
        ".-",
        "mos/dgp",
        "Withdrawal of sanctions for pardons",
        "airline.EFE",
    ] {
        assert!(!summary.text.contains(bad), "{bad:?} in {}", summary.text);
    }
    let offsets = OffsetMap::new(&text);
    for s in &summary.sentences {
        assert_eq!(s.span.slice(&text), Some(s.text.as_str()));
        assert_eq!(offsets.span(s.span.start, s.span.end).unwrap(), s.span);
    }
    // LEAD-3 at the same length also drops the dateline.
    let lead = LeadSummarizer::new(SummaryLength::Sentences(3))
        .unwrap()
        .summarize(&doc)
        .unwrap();
    assert!(lead.text.starts_with("The President of the United States"));
}
