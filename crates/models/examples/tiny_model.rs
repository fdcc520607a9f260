//! Writes a tiny randomly initialised model directory (for smoke tests of the `lede` binary,
//! e.g. `lede analyze --models DIR`).
//!
//! ```text
//! cargo run -p lede-models --features testing --example tiny_model -- OUT_DIR [ARCH]
//! ```
//!
//! `ARCH`: `bert` (default), `distilbert`, `roberta`, `xlm-roberta`, `electra` (token
//! classification with PER/ORG/LOC/MISC BIO labels), `bert-base` (bare encoder), `bart`, `t5`.

use lede_models::testing::{Head, TinyModel};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args.next().ok_or("usage: tiny_model OUT_DIR [ARCH]")?;
    let arch = args.next().unwrap_or_else(|| "bert".into());
    let tc = Head::TokenClassification;
    let model = match arch.as_str() {
        "bert" => TinyModel::bert(tc),
        "distilbert" => TinyModel::distilbert(tc),
        "roberta" => TinyModel::roberta(tc),
        "xlm-roberta" => TinyModel::xlm_roberta(tc),
        "electra" => TinyModel::electra(tc),
        "bert-base" => TinyModel::bert(Head::Base),
        "bart" => TinyModel::bart(Head::ConditionalGeneration),
        "t5" => TinyModel::t5(),
        other => return Err(format!("unknown architecture {other:?}").into()),
    };
    let model = if matches!(arch.as_str(), "bart" | "t5" | "bert-base") {
        model
    } else {
        model
            .labels(&[
                "O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC",
            ])
            .max_positions(512)
    };
    let files = model.write(std::path::Path::new(&out))?;
    println!("{}", files.dir.display());
    Ok(())
}
