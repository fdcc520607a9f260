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
    /// Relation P/R/F1 (labelled and unlabelled, per label) against gold JSON Lines `{"doc":
    /// id, "head": name, "relation": label, "tail": name}` (--gold) or a split of the
    /// hand-annotated relation corpus (--corpus models/relations/corpus/test.jsonl, documents
    /// from `scripts/relations/corpus.py kit`); --cues-only and --classifier DIR compare
    /// extractors on the same documents.
    Relations(EvalRelationsArgs),
    /// Quotation span P/R/F1 (exact and overlap, direct and indirect) and speaker accuracy,
    /// beside the nearest-preceding-person baseline, against a split of the hand-annotated
    /// quote corpus (models/quotes/test.jsonl; documents from `scripts/relations/corpus.py
    /// kit`).
    Quotes(EvalQuotesArgs),
}

#[derive(Debug, Args)]
pub(crate) struct EvalQuotesArgs {
    /// Gold quotations (JSON Lines `{"doc", "quotes": [{"kind", "start", "end", "text",
    /// "speaker"}]}`, char offsets; `models/quotes/{train,dev,test}.jsonl`).
    #[arg(long, value_name = "FILE")]
    gold: PathBuf,
    /// Directory with the documents: `<doc>.txt` or `<doc>`.
    #[arg(long, value_name = "DIR")]
    docs: PathBuf,
    /// Print every missed, spurious or misattributed quote to stderr.
    #[arg(long)]
    show_errors: bool,
    /// Print the scores as JSON instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    model: ModelArgs,
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
    /// A word budget for lede's summaries (and the hand-set weights') instead of --sentences;
    /// LEAD at the same budget (`lead-Nw`) is scored beside LEAD-1..N, and the intervals are
    /// given against both.
    #[arg(long, value_name = "N")]
    words: Option<usize>,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Summarize without running NER first. By default NER runs, as in `lede analyze`, and
    /// the summary reuses its encoder states as sentence vectors; with this flag the
    /// summarizer encodes the sentences with its own MiniLM (what a summary-only run does)
    /// and the trained scorer, which reads NER's vectors, does not apply.
    #[arg(long)]
    no_ner: bool,
    /// A second writer's references for some of the documents (JSON Lines): scored against
    /// the first references on those documents, as the human ceiling, beside the systems.
    #[arg(long, value_name = "FILE")]
    second_writer: Option<PathBuf>,
    /// Paired bootstrap resamples for the intervals of each system's ROUGE-2 difference
    /// against LEAD-k (0: no intervals).
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    bootstrap: usize,
    #[command(flatten)]
    model: ModelArgs,
}

#[derive(Debug, Args)]
pub(crate) struct EvalRelationsArgs {
    /// Gold relations by name (JSON Lines `{"doc", "head", "relation", "tail"}`).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "corpus",
        conflicts_with = "corpus"
    )]
    gold: Option<PathBuf>,
    /// A split of the hand-annotated relation corpus (`models/relations/corpus/test.jsonl`):
    /// standoff records; every document of the file is scored, those with no relation too.
    #[arg(long, value_name = "FILE")]
    corpus: Option<PathBuf>,
    /// Directory with the documents: `<doc>.txt` or `<doc>`.
    #[arg(long, value_name = "DIR")]
    docs: PathBuf,
    /// Score with the pair classifier in this directory instead of the model set's.
    #[arg(long, value_name = "DIR", conflicts_with = "cues_only")]
    classifier: Option<PathBuf>,
    /// Score the schema's cue patterns alone (no classifier).
    #[arg(long)]
    cues_only: bool,
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
        EvalCommand::Quotes(a) => eval_quotes(a),
    }
}

/// Reads `<dir>/<id>.txt` or `<dir>/<id>`.
pub(crate) fn read_doc(dir: Option<&Path>, id: &str) -> Result<Document> {
    let Some(dir) = dir else {
        bail!("document {id:?}: the gold line has no text and no --docs directory was given");
    };
    // An id names a file directly inside the directory: no separators, no `..`.
    if !is_plain_file_name(id) {
        bail!("document id {id:?} is not a plain file name inside --docs (no '/', '\\' or '..')");
    }
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

/// Whether `id` is one plain path component (not `.`, `..`, empty, or containing a separator).
fn is_plain_file_name(id: &str) -> bool {
    !id.is_empty() && id != "." && id != ".." && !id.contains(['/', '\\', '\0'])
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
    use crate::summary_data::{candidates, first_refs, hand_summarizer, load, Fixed};
    use lede::core::Summarizer;
    use lede::summarize::eval::{evaluate_systems, load_refs, MultiReference, RougeReport};
    use lede::summarize::{paired_bootstrap, LeadSummarizer, SummaryLength};

    if a.sentences == 0 {
        bail!("--sentences must be at least 1");
    }
    if a.words == Some(0) {
        bail!("--words must be at least 1");
    }
    let builder = builder_from(&a.model, None).tasks(Tasks {
        ner: !a.no_ner,
        summary: true,
        ..Tasks::none()
    });
    let builder = match a.words {
        Some(w) => builder.summary_words(w),
        None => builder.summary_sentences(a.sentences),
    };
    let analyzer = builder.build().context("cannot load models")?;
    let Some(configured) = analyzer.summarizer() else {
        bail!("the model set configures no summarizer");
    };
    let set = load(&a.refs, &a.docs, &analyzer)?;
    let n = a.sentences;
    let length = a
        .words
        .map_or(SummaryLength::Sentences(n), SummaryLength::Words);
    let hand = hand_summarizer(length)?;
    let mut leads: Vec<LeadSummarizer> = (1..=n.max(3))
        .map(|k| LeadSummarizer::new(SummaryLength::Sentences(k)))
        .collect::<std::result::Result<_, _>>()?;
    if let Some(w) = a.words {
        leads.push(LeadSummarizer::new(SummaryLength::Words(w))?);
    }
    // The oracle: the candidates the summarizer may pick, chosen to fit the first reference.
    let mut oracle = Fixed {
        name: format!("oracle-{n}"),
        summaries: Default::default(),
    };
    if !a.no_ner {
        let first = first_refs(&set.refs);
        for doc in &set.docs {
            let Some(reference) = first.get(doc.document.id.as_str()) else {
                continue;
            };
            let c = candidates(&hand, doc, reference, n)?;
            let sentences: Vec<_> = c
                .oracle
                .iter()
                .filter_map(|&i| c.sentences.get(i).cloned())
                .collect();
            let text = sentences
                .iter()
                .map(|s| s.text.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            oracle.summaries.insert(
                doc.document.id.clone(),
                lede::Summary {
                    text,
                    sentences,
                    method: "oracle".into(),
                },
            );
        }
    }
    let mut systems: Vec<&dyn Summarizer> = vec![configured, &hand];
    systems.extend(leads.iter().map(|l| l as &dyn Summarizer));
    if !oracle.summaries.is_empty() {
        systems.push(&oracle);
    }
    let mut report = evaluate_systems(&set.refs, &set.docs, &systems, MultiReference::Best)?;
    let lede_name = analyzer
        .provenance()
        .get("summary")
        .map_or_else(|| "lede".to_string(), |p| format!("lede: {p}"));
    report.systems[0].name = lede_name;
    report.systems[1].name = "extractive, hand-set weights".into();

    // The second writer against the first, on the documents both wrote for.
    let mut human: Option<RougeReport> = None;
    if let Some(path) = &a.second_writer {
        let second = load_refs(path).with_context(|| format!("cannot load {}", path.display()))?;
        let mut writer = Fixed {
            name: "second writer".into(),
            summaries: Default::default(),
        };
        for r in &second {
            writer
                .summaries
                .entry(r.doc.clone())
                .or_insert(lede::Summary {
                    text: r.summary.clone(),
                    sentences: Vec::new(),
                    method: "reference".into(),
                });
        }
        let subset: Vec<_> = set
            .refs
            .iter()
            .filter(|r| writer.summaries.contains_key(&r.doc))
            .cloned()
            .collect();
        if subset.is_empty() {
            bail!(
                "{}: no document in common with the references",
                path.display()
            );
        }
        let lead = leads.get(n - 1).map(|l| l as &dyn Summarizer);
        let mut sub_systems: Vec<&dyn Summarizer> = vec![&writer, configured];
        sub_systems.extend(lead);
        let mut r = evaluate_systems(&subset, &set.docs, &sub_systems, MultiReference::Best)?;
        r.systems[1].name = report.systems[0].name.clone();
        human = Some(r);
    }

    // Paired bootstrap of each system's ROUGE-2 F1 (Porter) against LEAD-n (and LEAD at the
    // same word budget).
    let mut lead_names = vec![format!("lead-{n}")];
    lead_names.extend(a.words.map(|w| format!("lead-{w}w")));
    let lead_name = lead_names.join(" and ");
    let mut intervals = Vec::new();
    for base_name in lead_names.iter().filter(|_| a.bootstrap > 0) {
        if let Some(lead) = report.system(base_name) {
            let base: Vec<f64> = lead
                .documents
                .iter()
                .map(|d| d.scores_stemmed.rouge2.f1)
                .collect();
            for s in report.systems.iter().filter(|s| &s.name != base_name) {
                let ours: Vec<f64> = s
                    .documents
                    .iter()
                    .map(|d| d.scores_stemmed.rouge2.f1)
                    .collect();
                let ci = paired_bootstrap(&ours, &base, a.bootstrap, 0.95, 20261205)?;
                let ratio = s.mean_stemmed.rouge2.f1 / lead.mean_stemmed.rouge2.f1;
                intervals.push((s.name.clone(), base_name.clone(), ratio, ci));
            }
        }
    }

    if a.json {
        let intervals: Vec<_> = intervals
            .iter()
            .map(|(name, lead, ratio, ci)| {
                serde_json::json!({"system": name, "lead": lead, "ratio_to_lead": ratio, "rouge2_difference": ci})
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "report": report,
                "against_lead": intervals,
                "second_writer": human,
            }))?
        );
        return Ok(());
    }
    println!("{}", report.table());
    if !intervals.is_empty() {
        println!(
            "ROUGE-2 F1 (Porter) against {lead_name}: difference of the means, 95 % paired bootstrap interval ({} resamples), ratio\n",
            a.bootstrap
        );
        println!(
            "| system | against | difference | 95 % interval | ratio |\n|---|---|---:|---|---:|"
        );
        for (name, lead, ratio, ci) in &intervals {
            println!(
                "| {name} | {lead} | {:+.4} | [{:+.4}, {:+.4}] | {ratio:.3} |",
                ci.mean_difference, ci.low, ci.high
            );
        }
        println!();
    }
    if let Some(h) = human {
        println!("Second writer against the first references (the human ceiling):\n");
        println!("{}", h.table());
    }
    Ok(())
}

fn eval_relations(a: EvalRelationsArgs) -> Result<()> {
    use lede::relations::model::supervised::read_corpus;
    use lede::relations::{evaluate, read_gold};
    use lede::RelationClassifier;
    // The documents to score: every document of a corpus split (one with no relation counts
    // its predictions as false positives), or those a gold file names.
    let (gold, mut ids) = match (&a.corpus, &a.gold) {
        (Some(path), _) => {
            let corpus =
                read_corpus(path).with_context(|| format!("cannot load {}", path.display()))?;
            let ids: Vec<String> = corpus.iter().map(|d| d.doc.clone()).collect();
            (
                corpus.iter().flat_map(|d| d.gold()).collect::<Vec<_>>(),
                ids,
            )
        }
        (None, Some(path)) => {
            let gold =
                read_gold(path).with_context(|| format!("cannot load {}", path.display()))?;
            let ids = gold.iter().map(|g| g.doc.clone()).collect();
            (gold, ids)
        }
        (None, None) => bail!("give --gold FILE or --corpus FILE"),
    };
    ids.sort_unstable();
    ids.dedup();
    let choice = match (&a.classifier, a.cues_only) {
        (Some(dir), _) => RelationClassifier::Dir(dir.clone()),
        (None, true) => RelationClassifier::CuesOnly,
        (None, false) => RelationClassifier::Default,
    };
    let analyzer = builder_from(&a.model, None)
        .tasks(Tasks {
            ner: true,
            relations: true,
            ..Tasks::none()
        })
        .relation_classifier(choice)
        .build()
        .context("cannot load models")?;
    if analyzer.relation_extractor().is_none() {
        bail!("the model set configures no relation extractor");
    }
    if let Some(p) = analyzer.provenance().get("relations") {
        tracing::info!(extractor = p.as_str(), "scoring");
    }
    let schema = lede::relations::Schema::news()?;
    let mut analyses = Vec::with_capacity(ids.len());
    for id in &ids {
        let doc = read_doc(Some(&a.docs), id)?;
        analyses.push(
            analyzer
                .analyze(doc)
                .with_context(|| format!("document {id:?}"))?,
        );
    }
    let mut scores = evaluate(&gold, &analyses, &schema);
    if a.corpus.is_some() {
        // Documents with no gold relation: their predictions are false positives.
        for an in &analyses {
            if gold.iter().any(|g| g.doc == an.document.id) {
                continue;
            }
            scores.documents += 1;
            for r in &an.relations {
                scores.labelled.false_positives += 1;
                scores.unlabelled.false_positives += 1;
                scores
                    .per_label
                    .entry(r.label.clone())
                    .or_default()
                    .false_positives += 1;
                scores.spurious.push(lede::relations::GoldRelation {
                    doc: an.document.id.clone(),
                    head: r.head_name.clone(),
                    relation: r.label.clone(),
                    tail: r.tail_name.clone(),
                });
            }
        }
    }
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

fn eval_quotes(a: EvalQuotesArgs) -> Result<()> {
    use lede::quotes::eval::{read_gold, speaker_matches, QuoteEval};
    let gold = read_gold(&a.gold).with_context(|| format!("cannot load {}", a.gold.display()))?;
    let analyzer = builder_from(&a.model, None)
        .tasks(Tasks {
            ner: true,
            quotes: true,
            ..Tasks::none()
        })
        .build()
        .context("cannot load models")?;
    let mut ev = QuoteEval::default();
    for g in &gold {
        let doc = read_doc(Some(&a.docs), &g.doc)?;
        let an = analyzer
            .analyze(doc)
            .with_context(|| format!("document {:?}", g.doc))?;
        if a.show_errors {
            for q in &g.quotes {
                let hit = an.quotes.iter().find(|p| {
                    p.kind == q.kind && p.span.char_start < q.end && q.start < p.span.char_end
                });
                match hit {
                    None => eprintln!("{} missed {}: {:?}", g.doc, q.kind.as_str(), q.text),
                    Some(p) => {
                        if (p.span.char_start, p.span.char_end) != (q.start, q.end) {
                            eprintln!(
                                "{} span {}: gold {:?} / lede {:?}",
                                g.doc,
                                q.kind.as_str(),
                                q.text,
                                p.text
                            );
                        }
                        let entity = p
                            .speaker_entity
                            .as_ref()
                            .and_then(|id| an.entities.iter().find(|e| &e.id == id));
                        let ok = match (&q.speaker, entity) {
                            (Some(name), Some(e)) => speaker_matches(name, e),
                            (None, None) => true,
                            _ => false,
                        };
                        if !ok {
                            eprintln!(
                                "{} speaker {}: gold {:?} / lede {:?} (phrase {:?}): {:?}",
                                g.doc,
                                q.kind.as_str(),
                                q.speaker,
                                p.speaker_name,
                                p.speaker.as_ref().map(|s| s.text.as_str()),
                                q.text.chars().take(60).collect::<String>()
                            );
                        }
                    }
                }
            }
            for p in &an.quotes {
                let hit = g.quotes.iter().any(|q| {
                    p.kind == q.kind && p.span.char_start < q.end && q.start < p.span.char_end
                });
                if !hit {
                    eprintln!("{} spurious {}: {:?}", g.doc, p.kind.as_str(), p.text);
                }
            }
        }
        ev.add_document(g, &an.quotes, &an.entities);
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&ev)?);
        return Ok(());
    }
    println!("{} documents, {}", ev.documents, a.gold.display());
    println!();
    println!(
        "| kind | gold | lede | exact P | exact R | exact F1 | overlap P | overlap R | overlap F1 |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, s) in [("direct", &ev.direct), ("indirect", &ev.indirect)] {
        println!(
            "| {name} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
            s.exact.gold(),
            s.exact.predicted(),
            s.exact.precision(),
            s.exact.recall(),
            s.exact.f1(),
            s.overlap.precision(),
            s.overlap.recall(),
            s.overlap.f1()
        );
    }
    println!();
    println!("Speakers of the gold quotes with a named speaker that lede found (overlap):");
    println!();
    println!("| kind | scored | lede | nearest preceding PERSON | unnamed left unresolved |");
    println!("|---|---:|---:|---:|---:|");
    for (name, s) in [
        ("direct", &ev.direct_speakers),
        ("indirect", &ev.indirect_speakers),
    ] {
        println!(
            "| {name} | {} | {:.3} ({}) | {:.3} ({}) | {} / {} |",
            s.named,
            s.accuracy(),
            s.correct,
            s.baseline_accuracy(),
            s.baseline_correct,
            s.unnamed_correct,
            s.unnamed
        );
    }
    Ok(())
}
