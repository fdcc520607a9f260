//! Builds an [`Analyzer`] from an [`AnalyzerBuilder`]: resolves the model set and loads each
//! task's implementation. The only place that knows which concrete type serves which task.

use std::collections::BTreeMap;

use lede_core::{EntityRecognizer, RelationExtractor, SentenceEncoder, Summarizer};
use lede_models::{ModelSet, ModelSpec, ResolveOptions, SentenceEmbedder, Task, TaskModel};
use lede_ner::{load_recognizer, NerOptions};
use lede_relations::nli::NliExtractor;
use lede_relations::rebel::{BartTripletGenerator, RebelExtractor};
use lede_relations::{NewsRelationExtractor, Schema};
use lede_summarize::{AbstractiveSummarizer, ExtractiveSummarizer, SummaryLength};
use lede_tokenize::Segmenter;

use super::{Analyzer, AnalyzerBuilder, ModelChoice, DEFAULT_MAX_WORDS};
use crate::{Error, Result};

/// Default size limit of a document, in bytes.
pub(crate) const DEFAULT_MAX_BYTES: usize = 10 * 1024 * 1024;

fn models_err<E: std::error::Error + Send + Sync + 'static>(what: &str, e: E) -> Error {
    Error::models(what, e)
}

/// The model set a choice names. A directory that is not a manifest is a NER model; the other
/// tasks then come from the offline set.
pub(crate) fn model_set(choice: &ModelChoice, resolve: &ResolveOptions) -> Result<ModelSet> {
    let load = |name: &str| {
        ModelSet::load(name, &resolve.locations).map_err(|e| models_err("model set", e))
    };
    match choice {
        ModelChoice::Offline => load("offline"),
        ModelChoice::Standard => load("standard"),
        ModelChoice::Path(p) if p.is_dir() => {
            let offline = load("offline")?;
            Ok(ModelSet::ner_only(ModelSpec::Dir(p.clone())).with_defaults(&offline))
        }
        ModelChoice::Path(p) => load(&p.to_string_lossy()),
    }
}

fn spec_of(task: &TaskModel, what: &str) -> Result<Option<ModelSpec>> {
    task.spec().map_err(|e| models_err(what, e))
}

pub(crate) fn build(b: &AnalyzerBuilder) -> Result<Analyzer> {
    let tasks = b.tasks.unwrap_or_default();
    let resolve = ResolveOptions::from_env().offline(b.offline);
    let mut provenance = BTreeMap::new();
    provenance.insert(
        "sentences".to_string(),
        "lede-tokenize news rules".to_string(),
    );

    let any_model = tasks.ner || tasks.relations || tasks.summary;
    let set = if any_model {
        Some(model_set(&b.models, &resolve)?)
    } else {
        None
    };
    if let Some(set) = &set {
        provenance.insert("model_set".into(), set.name.clone());
    }
    let entry = |t: Task| set.as_ref().and_then(|s| s.task(t)).cloned();
    // The NER encoder's precision; the relation classifier's first layer runs at the same.
    let precision = b.precision.unwrap_or(lede_ner::offline::DEFAULT_PRECISION);

    let mut ner: Option<Box<dyn EntityRecognizer>> = None;
    if tasks.ner {
        if let Some(t) = entry(Task::Ner) {
            if let Some(spec) = spec_of(&t, "ner")? {
                let opts = NerOptions {
                    resolve: resolve.clone(),
                    precision,
                    ..NerOptions::default()
                };
                let rec = load_recognizer(&spec, &opts).map_err(|e| models_err("NER model", e))?;
                provenance.insert("ner".into(), rec.name());
                ner = Some(rec);
            }
        }
    }

    // The extractive summary's own sentence encoder, for documents that arrive without
    // sentence vectors. When NER runs with a recognizer that pools its encoder states into
    // sentence vectors (`Analyzer::annotate`), none is loaded.
    let mut encoder: Option<Box<dyn SentenceEncoder>> = None;
    let summary_entry = entry(Task::Summary);
    let extractive = summary_entry
        .as_ref()
        .is_some_and(|t| t.method.as_deref().unwrap_or("extractive") == "extractive");
    let ner_vectors = ner.as_ref().filter(|n| n.gives_sentence_vectors());
    if let (true, Some(n)) = (tasks.summary && extractive, ner_vectors) {
        provenance.insert(
            "encoder".into(),
            format!("{} (pooled NER states)", n.name()),
        );
    } else if tasks.summary && extractive {
        let spec = match entry(Task::Encoder) {
            Some(t) => spec_of(&t, "encoder")?.unwrap_or(ModelSpec::MiniLm),
            None => ModelSpec::MiniLm,
        };
        // Small batches: sentences are padded to the longest of their batch, and news
        // sentences vary a lot in length (on the seed article, batches of 4 cost about half of batches of 32).
        let emb = SentenceEmbedder::builder()
            .model(spec.clone())
            .batch_size(4)
            .resolve_options(resolve.clone())
            .build()
            .map_err(|e| models_err("sentence encoder", e))?;
        provenance.insert("encoder".into(), emb.name().to_string());
        encoder = Some(Box::new(emb));
    }

    let mut relations: Option<Box<dyn RelationExtractor>> = None;
    if tasks.relations {
        if let Some(t) = entry(Task::Relations) {
            let source = ner.as_ref().and_then(|n| n.token_vectors_source());
            relations = Some(relation_extractor(
                &t,
                &resolve,
                source.as_deref(),
                precision,
                b.relation_classifier.as_ref(),
                &mut provenance,
            )?);
        }
    }

    let mut summarizer: Option<Box<dyn Summarizer>> = None;
    if tasks.summary {
        let n = b.summary_sentences.unwrap_or(3).max(1);
        match summary_entry {
            Some(t) if t.method.as_deref() == Some("abstractive") => {
                let Some(spec) = spec_of(&t, "summary")? else {
                    return Err(Error::model_config(
                        "summary: method \"abstractive\" needs a `model`",
                    ));
                };
                let s = AbstractiveSummarizer::builder(spec)
                    .resolve_options(resolve.clone())
                    .build()
                    .map_err(|e| models_err("summarization model", e))?;
                provenance.insert("summary".into(), s.name());
                summarizer = Some(Box::new(s));
            }
            _ => {
                // Extractive: the document's sentence vectors (from NER), else its own
                // encoder when one was loaded above.
                let mut builder =
                    ExtractiveSummarizer::builder().length(SummaryLength::Sentences(n));
                if let Some(e) = encoder.take() {
                    builder = builder.boxed_encoder(e);
                }
                // The trained sentence scorer (models/summarize/sentence-scorer.json) scores
                // documents whose sentence vectors come from the recognizer it was trained on.
                let mut scorer_note = String::new();
                'scorer: {
                    if b.summary_hand_weights {
                        break 'scorer;
                    }
                    let vectors = ner.as_ref().and_then(|n| n.sentence_vectors_source());
                    // One folder: the first `summarize` directory found, never a file of
                    // another location's (a user's folder without a scorer means none).
                    if let Some(dir) = project_dir(&resolve, "summarize") {
                        let Some((scorer, path)) = lede_summarize::learned::scorer_in(&dir)
                            .map_err(|e| models_err("summary sentence scorer", e))?
                        else {
                            tracing::info!(
                                dir = %dir.display(),
                                "no trained summary scorer there: the summary uses the hand-set weights"
                            );
                            break 'scorer;
                        };
                        if vectors.as_deref() == Some(scorer.vectors.as_str()) {
                            scorer_note = " with the trained sentence scorer".to_string();
                        } else {
                            tracing::warn!(
                                scorer = %path.display(),
                                "the trained summary scorer reads sentence vectors from {},                                  the recognizer gives {}: the summary uses the hand-set weights",
                                scorer.vectors,
                                vectors.as_deref().unwrap_or("none")
                            );
                        }
                        builder = builder.scorer(scorer);
                        if let Some(v) = &vectors {
                            builder = builder.document_vectors(v.clone());
                        }
                    }
                }
                if let Some(w) = b.summary_words {
                    builder = builder.length(SummaryLength::Words(w));
                }
                let s = builder.build().map_err(|e| models_err("summarizer", e))?;
                provenance.insert("summary".into(), format!("{}{scorer_note}", s.name()));
                summarizer = Some(Box::new(s));
            }
        }
    }

    // The relation classifier reads the recognizer's token vectors when their sources agree;
    // otherwise (NER in int8, another recognizer) its fallback runs its own encoder pass.
    let wanted = relations.as_ref().and_then(|r| r.reads_token_vectors());
    let offered = ner.as_ref().and_then(|n| n.token_vectors_source());
    let token_vectors =
        (wanted.is_some() && wanted == offered) || (b.always_token_vectors && offered.is_some());
    if let (Some(source), false) = (&wanted, wanted == offered) {
        tracing::warn!(
            source = source.as_str(),
            "the recognizer gives no token vectors from the relation classifier's source: \
             relations use the fallback classifier and its own encoder pass"
        );
        if let Some(p) = provenance.get_mut("relations") {
            p.push_str(" (fallback: the recognizer's token vectors are from another source)");
        }
    }

    let quotes: Option<Box<dyn lede_core::QuoteExtractor>> = if tasks.quotes {
        let q = lede_quotes::QuoteFinder::default();
        provenance.insert("quotes".into(), lede_core::QuoteExtractor::name(&q));
        Some(Box::new(q))
    } else {
        None
    };

    Ok(Analyzer {
        token_vectors,
        quotes,
        segmenter: Segmenter::default(),
        ner,
        clusterer: cluster,
        relations,
        summarizer,
        tasks,
        max_bytes: b.max_bytes.unwrap_or(DEFAULT_MAX_BYTES),
        max_words: b.max_words.unwrap_or(DEFAULT_MAX_WORDS),
        provenance,
    })
}

/// The first existing directory of the project model `name` (`<models dir>/<name>` in search
/// order, then the cache): every file of that model comes from this one folder.
fn project_dir(resolve: &ResolveOptions, name: &str) -> Option<std::path::PathBuf> {
    resolve
        .locations
        .project_candidates(name)
        .into_iter()
        .find(|d| d.is_dir())
}

fn relation_extractor(
    t: &TaskModel,
    resolve: &ResolveOptions,
    ner_vectors: Option<&str>,
    precision: lede_models::fast::Precision,
    choice: Option<&crate::pipeline::RelationClassifier>,
    provenance: &mut BTreeMap<String, String>,
) -> Result<Box<dyn RelationExtractor>> {
    use crate::pipeline::RelationClassifier;
    // Small batches for the same reason as the sentence encoder: less padding. The pair
    // classifier's first layer runs at the NER encoder's precision.
    let mut b = NewsRelationExtractor::builder()
        .batch_size(4)
        .classifier_precision(precision);
    if let Some(schema) = t.option_str("schema") {
        b = b.schema_path(schema);
    }
    match t.method.as_deref().unwrap_or("offline") {
        "offline" if choice == Some(&RelationClassifier::CuesOnly) => {}
        "offline" if matches!(choice, Some(RelationClassifier::Dir(_))) => {
            if let Some(RelationClassifier::Dir(dir)) = choice {
                b = b.model_dir(dir.clone());
            }
        }
        "offline" => {
            // The pair classifier lives in the project's models/relations; its encoder is
            // the packaged MiniLM.
            // One folder: the first `relations` directory found. Its classifier files are
            // used or, when one of the two is missing, loading it says which; a folder with
            // neither (a user's schema only) means the cue patterns alone, never another
            // location's classifier.
            let model_dir = project_dir(resolve, "relations").filter(|d| {
                let has = ["pair-classifier.safetensors", "pair-classifier.json"]
                    .iter()
                    .any(|f| d.join(f).is_file());
                if !has {
                    tracing::warn!(
                        dir = %d.display(),
                        "no pair classifier there: relations come from the cue patterns alone"
                    );
                }
                has
            });
            if let Some(dir) = model_dir {
                let encoder_spec = t.option_str("encoder").unwrap_or("minilm");
                let enc = ModelSpec::parse(encoder_spec)
                    .and_then(|s| s.locate(resolve))
                    .map_err(|e| models_err("relation encoder", e))?;
                // The classifier over NER's token vectors (the one trained on this NER
                // precision's vectors: models/relations/ or a subdirectory of it); the one
                // over its own MiniLM pass for documents without them (another recognizer).
                let fallback = dir.join(lede_relations::FALLBACK_DIR);
                if fallback.join("pair-classifier.safetensors").is_file() {
                    b = b.fallback_model_dir(fallback);
                }
                let classifier = lede_relations::classifier_dir_for(&dir, ner_vectors);
                b = b.model_dir(classifier).encoder_dir(enc);
            }
        }
        "rules" => {}
        method @ ("nli" | "rebel") => {
            return model_backend(method, t, resolve, provenance);
        }
        other => {
            return Err(Error::model_config(format!(
                "relations: unknown method {other:?} (use \"offline\", \"rules\", \"nli\" or \"rebel\")"
            )))
        }
    }
    let ex = b.build().map_err(|e| models_err("relation extractor", e))?;
    provenance.insert("relations".into(), ex.name());
    Ok(Box::new(ex))
}

/// The rust-bert relation backends: NLI zero-shot over the schema's verbalizations
/// (`bart-large-mnli` style) or a REBEL-style triplet generator, from the entry's `model`.
/// Options: `schema` (a schema file), `threshold` (NLI entailment probability, default the
/// extractor's), `max_length` (REBEL generation length in tokens, default 256).
fn model_backend(
    method: &str,
    t: &TaskModel,
    resolve: &ResolveOptions,
    provenance: &mut BTreeMap<String, String>,
) -> Result<Box<dyn RelationExtractor>> {
    let Some(spec) = spec_of(t, "relations")? else {
        return Err(Error::model_config(format!(
            "relations: method {method:?} needs a `model` (a local directory or a hub id)"
        )));
    };
    let dir = spec
        .locate(resolve)
        .map_err(|e| models_err("relation model", e))?;
    let schema = match t.option_str("schema") {
        Some(path) => Schema::from_path(path),
        None => Schema::news(),
    }
    .map_err(|e| models_err("relation schema", e))?;
    let number = |key: &str| {
        t.options
            .get(key)
            .and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))
    };
    let ex: Box<dyn RelationExtractor> = if method == "nli" {
        let mut ex = NliExtractor::from_dir(&dir, schema)
            .map_err(|e| models_err("NLI relation model", e))?;
        if let Some(th) = number("threshold") {
            ex = ex.threshold(th as f32);
        }
        Box::new(ex)
    } else {
        let max_length = number("max_length").map_or(256, |v| v.max(1.0) as i64);
        let generator = BartTripletGenerator::from_dir(&dir, max_length)
            .map_err(|e| models_err("REBEL relation model", e))?;
        Box::new(RebelExtractor::new(generator, schema))
    };
    provenance.insert("relations".into(), ex.name());
    Ok(ex)
}

fn cluster(text: &str, mentions: &[lede_core::Mention]) -> Vec<lede_core::Entity> {
    lede_ner::cluster::cluster_mentions(text, mentions, &Default::default())
}
