//! `lede eval ...` and `lede models`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use lede::{Document, Tasks};

use crate::{builder_from, ModelArgs};

/// Quality measurements.
#[derive(Debug, Subcommand)]
pub(crate) enum EvalCommand {
    /// Entity P/R/F1 (exact span and partial overlap, overall and per CoNLL type) against gold
    /// JSON Lines `{"doc": id, "entities": [{"start": char, "end": char, "label": "PER"}]}`.
    Ner(EvalNerArgs),
    /// ROUGE-1/2/L/Lsum F1 (with and without Porter stemming) of the configured summarizer
    /// and of LEAD-k at the same length, against reference JSON Lines `{"doc": id,
    /// "summary": "..."}`.
    Summary(EvalSummaryArgs),
    /// Relation P/R/F1 (labelled and unlabelled) against gold JSON Lines `{"doc": id, "head":
    /// name, "relation": label, "tail": name}`.
    Relations(EvalRelationsArgs),
}

#[derive(Debug, Args)]
pub(crate) struct EvalNerArgs {
    /// Gold annotations (JSON Lines, char offsets, end exclusive). Lines may carry the
    /// document's `text`; otherwise it is read from --docs.
    #[arg(long, value_name = "FILE")]
    gold: PathBuf,
    /// Directory with the documents: `<doc>.txt` or `<doc>`.
    #[arg(long, value_name = "DIR")]
    docs: Option<PathBuf>,
    /// Print the scores as JSON instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    model: ModelArgs,
}

#[derive(Debug, Args)]
pub(crate) struct EvalSummaryArgs {
    /// Reference summaries (JSON Lines; several lines per document = several references).
    #[arg(long, value_name = "FILE")]
    refs: PathBuf,
    /// Directory with the documents: `<doc>.txt` or `<doc>`.
    #[arg(long, value_name = "DIR")]
    docs: PathBuf,
    /// Sentences in each summary, for lede and for the LEAD baseline.
    #[arg(long, default_value_t = 3, value_name = "N")]
    sentences: usize,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Summarize without running NER first. By default NER runs, as in `lede analyze`, and
    /// the summary reuses its encoder states as sentence vectors; with this flag the
    /// summarizer encodes the sentences with its own MiniLM (what a summary-only run does).
    #[arg(long)]
    no_ner: bool,
    #[command(flatten)]
    model: ModelArgs,
}

#[derive(Debug, Args)]
pub(crate) struct EvalRelationsArgs {
    /// Gold relations (JSON Lines).
    #[arg(long, value_name = "FILE")]
    gold: PathBuf,
    /// Directory with the documents: `<doc>.txt` or `<doc>`.
    #[arg(long, value_name = "DIR")]
    docs: PathBuf,
    /// Print the scores as JSON instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    model: ModelArgs,
}

pub(crate) fn eval(cmd: EvalCommand) -> Result<()> {
    match cmd {
        EvalCommand::Ner(a) => eval_ner(a),
        EvalCommand::Summary(a) => eval_summary(a),
        EvalCommand::Relations(a) => eval_relations(a),
    }
}

/// Reads `<dir>/<id>.txt` or `<dir>/<id>`.
fn read_doc(dir: Option<&Path>, id: &str) -> Result<Document> {
    let Some(dir) = dir else {
        bail!("document {id:?}: the gold line has no text and no --docs directory was given");
    };
    let candidates = [dir.join(format!("{id}.txt")), dir.join(id)];
    let Some(path) = candidates.iter().find(|p| p.is_file()) else {
        bail!(
            "document {id:?} not found: looked for {} and {}",
            candidates[0].display(),
            candidates[1].display()
        );
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read {} as UTF-8 text", path.display()))?;
    Ok(Document::new(id, text))
}

fn eval_ner(a: EvalNerArgs) -> Result<()> {
    use lede::ner::eval::{evaluate, load_gold, PredDoc};
    let gold = load_gold(&a.gold).with_context(|| format!("cannot load {}", a.gold.display()))?;
    let analyzer = builder_from(&a.model, None)
        .tasks(Tasks {
            ner: true,
            ..Tasks::none()
        })
        .build()
        .context("cannot load models")?;
    let mut predicted = Vec::with_capacity(gold.len());
    for g in &gold {
        let doc = match &g.text {
            Some(t) => Document::new(g.doc.clone(), t.clone()),
            None => read_doc(a.docs.as_deref(), &g.doc)?,
        };
        g.check_text(&doc.text)
            .with_context(|| format!("gold entities do not fit document {:?}", g.doc))?;
        let ann = analyzer
            .annotate(doc)
            .with_context(|| format!("document {:?}", g.doc))?;
        let mentions: Vec<_> = ann
            .entities
            .iter()
            .flat_map(|e| e.mentions.iter().cloned())
            .collect();
        predicted.push(PredDoc::from_mentions(g.doc.clone(), &mentions));
    }
    let scores = evaluate(&gold, &predicted);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&scores)?);
    } else {
        println!(
            "NER: {} documents, model {}\n",
            scores.docs,
            analyzer
                .provenance()
                .get("ner")
                .map_or("(none)", String::as_str)
        );
        println!("{scores}");
    }
    Ok(())
}

fn eval_summary(a: EvalSummaryArgs) -> Result<()> {
    use lede::summarize::eval::{load_docs, load_refs};
    use lede::summarize::{evaluate_summaries, EvalOptions, SummaryLength};
    let refs = load_refs(&a.refs).with_context(|| format!("cannot load {}", a.refs.display()))?;
    let docs = load_docs(&a.docs, &refs)?;
    let analyzer = builder_from(&a.model, None)
        .tasks(Tasks {
            ner: !a.no_ner,
            summary: true,
            ..Tasks::none()
        })
        .summary_sentences(a.sentences)
        .build()
        .context("cannot load models")?;
    let Some(summarizer) = analyzer.summarizer() else {
        bail!("the model set configures no summarizer");
    };
    let mut annotated = Vec::with_capacity(docs.len());
    for d in docs {
        let id = d.id.clone();
        annotated.push(
            analyzer
                .annotate(d)
                .with_context(|| format!("document {id:?}"))?,
        );
    }
    let options = EvalOptions {
        baseline: SummaryLength::Sentences(a.sentences),
        ..EvalOptions::default()
    };
    let report = evaluate_summaries(&refs, &annotated, summarizer, &options)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{}", report.table());
    }
    Ok(())
}

fn eval_relations(a: EvalRelationsArgs) -> Result<()> {
    use lede::relations::{evaluate, read_gold};
    let gold = read_gold(&a.gold).with_context(|| format!("cannot load {}", a.gold.display()))?;
    let analyzer = builder_from(&a.model, None)
        .tasks(Tasks {
            ner: true,
            relations: true,
            ..Tasks::none()
        })
        .build()
        .context("cannot load models")?;
    let Some(extractor) = analyzer.relation_extractor() else {
        bail!("the model set configures no relation extractor");
    };
    let schema = lede::relations::Schema::news()?;
    let _ = extractor;
    let mut ids: Vec<&str> = gold.iter().map(|g| g.doc.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut analyses = Vec::with_capacity(ids.len());
    for id in ids {
        let doc = read_doc(Some(&a.docs), id)?;
        analyses.push(
            analyzer
                .analyze(doc)
                .with_context(|| format!("document {id:?}"))?,
        );
    }
    let scores = evaluate(&gold, &analyses, &schema);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&scores)?);
    } else {
        println!("{}", scores.report());
    }
    Ok(())
}

pub(crate) fn models(a: &ModelArgs) -> Result<()> {
    let analyzer = builder_from(a, None)
        .build()
        .context("cannot load models")?;
    for (task, model) in analyzer.provenance() {
        println!("{task:<10} {model}");
    }
    Ok(())
}
