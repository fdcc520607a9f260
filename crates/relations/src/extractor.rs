//! The offline relation extractor: cue patterns plus, when its files are given, the
//! MiniLM entity-pair classifier.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lede_core::{AnnotatedDocument, Evidence, Relation};

use crate::candidates::{from_context, Candidate, CandidateOptions};
use crate::context::DocContext;
use crate::model::{sentence_windows, PairModel};
use crate::rules::{apply, HitTail};
use crate::schema::Schema;
use crate::{RelationError, Result};

/// The `tail` id of a relation whose tail is a literal value (`age` → `"63"`,
/// `sentenced_to` → `"11 years"`); the value is in `tail_name`.
pub const VALUE_TAIL_ID: &str = "";

/// The subdirectory of an offline model directory holding the fallback classifier (over its own
/// MiniLM pass) for documents without the main classifier's token vectors.
pub const FALLBACK_DIR: &str = "minilm";

/// The classifier directory that reads a recognizer's token vectors: `model_dir` itself or
/// one of its immediate subdirectories (`models/relations/fp32/`, say) whose classifier reads
/// vectors from `source` ([`crate::model::HeadMeta::token_vectors`]). `model_dir` when none
/// does, or when `source` is `None` (its fallback classifier then serves). So one models
/// directory can ship a classifier per NER precision.
pub fn classifier_dir_for(model_dir: &Path, source: Option<&str>) -> PathBuf {
    let reads = |dir: &Path| {
        source.is_some()
            && crate::model::HeadMeta::read(dir).is_ok_and(|m| m.token_vectors.as_deref() == source)
    };
    if source.is_none() || reads(model_dir) {
        return model_dir.to_path_buf();
    }
    let mut subdirs: Vec<PathBuf> = std::fs::read_dir(model_dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join(crate::model::HEAD_META).is_file())
        .collect();
    subdirs.sort();
    subdirs
        .into_iter()
        .find(|d| reads(d))
        .unwrap_or_else(|| model_dir.to_path_buf())
}

/// A candidate's classifier scores: (label, probability, threshold) per label it may report.
type LabelScores = Vec<(String, f32, f32)>;

/// Where the classifier's encoder comes from.
#[derive(Debug)]
enum EncoderSource {
    Dir(PathBuf),
    Spec(String),
    Loaded(Box<lede_models::SentenceEmbedder>),
}

/// Where a relation's score came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A cue pattern alone.
    Cue,
    /// The classifier alone.
    Model,
    /// Both agreed.
    Both,
}

/// A relation with its provenance, as [`NewsRelationExtractor::extract_detailed`] returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredRelation {
    /// The relation.
    pub relation: Relation,
    /// Index of the evidence sentence.
    pub sentence: usize,
    /// What produced it.
    pub source: Source,
    /// The cue pattern that fired, if any.
    pub cue: Option<String>,
}

/// Builds a [`NewsRelationExtractor`].
///
/// ```
/// use lede_relations::NewsRelationExtractor;
/// // Cue patterns only, default news schema (no files needed):
/// let rules = NewsRelationExtractor::builder().build().unwrap();
/// assert_eq!(lede_core::RelationExtractor::name(&rules), "lede-relations/cues");
/// ```
#[derive(Debug, Default)]
pub struct RelationExtractorBuilder {
    schema: Option<Schema>,
    schema_path: Option<PathBuf>,
    model_dir: Option<PathBuf>,
    encoder: Option<EncoderSource>,
    min_score: Option<f32>,
    max_sentences_per_batch: Option<usize>,
    fallback_dir: Option<PathBuf>,
    classifier_precision: Option<lede_models::fast::Precision>,
}

/// The classifier for documents without the token vectors the main one reads: its files and
/// encoder until the first such document, then the loaded model.
#[derive(Debug)]
enum Fallback {
    Pending(PathBuf, EncoderSource, usize),
    Ready(Box<PairModel>),
    Failed,
}

impl RelationExtractorBuilder {
    /// A builder with the compiled-in news schema and no model (cues only).
    pub fn new() -> Self {
        Self::default()
    }

    lede_core::setters! {
        /// Uses this schema.
        pub fn schema(schema: Schema) => schema = Some(schema);
        /// Loads the schema from a TOML file at build time.
        pub fn schema_path(path: impl Into<PathBuf>) => schema_path = Some(path.into());
        /// Adds the classifier from a model directory holding [`crate::model::HEAD_WEIGHTS`] and
        /// [`crate::model::HEAD_META`] (`models/relations/` in the repository).
        pub fn model_dir(dir: impl Into<PathBuf>) => model_dir = Some(dir.into());
        /// The MiniLM directory the classifier encodes with (`config.json`,
        /// `model.safetensors`, `tokenizer.json`). One of the `encoder*` settings is required with
        /// [`Self::model_dir`].
        pub fn encoder_dir(dir: impl Into<PathBuf>) =>
            encoder = Some(EncoderSource::Dir(dir.into()));
        /// The encoder by lede-models spec (`minilm` is the packaged all-MiniLM-L6-v2, resolved
        /// the way [`lede_models::ModelSpec`] resolves names).
        pub fn encoder_model(spec: impl Into<String>) =>
            encoder = Some(EncoderSource::Spec(spec.into()));
        /// An encoder already loaded (it must be the one the classifier was trained over, running
        /// the layers recorded in [`crate::model::HeadMeta::encoder_layers`]; the `encoder_dir` and
        /// `encoder_model` settings apply them by themselves).
        pub fn encoder(embedder: lede_models::SentenceEmbedder) =>
            encoder = Some(EncoderSource::Loaded(Box::new(embedder)));
        /// A global minimum score on top of the per-label thresholds.
        pub fn min_score(score: f32) => min_score = Some(score);
        /// How many sentences the encoder runs at once (default 16).
        pub fn batch_size(n: usize) => max_sentences_per_batch = Some(n.max(1));
        /// A second classifier directory, trained on its own encoder's states, for documents
        /// that lack the token vectors the main classifier ([`Self::model_dir`]) reads
        /// ([`crate::model::HeadMeta::token_vectors`]): documents from another recognizer, or
        /// none. It and its encoder are loaded the first time such a document comes.
        pub fn fallback_model_dir(dir: impl Into<PathBuf>) => fallback_dir = Some(dir.into());
        /// The precision of the classifier's first layer ([`PairModel::with_precision`]):
        /// fp32 (the default) or int8, FBGEMM's kernel, as the int8 NER encoder runs.
        pub fn classifier_precision(p: lede_models::fast::Precision) =>
            classifier_precision = Some(p);
    }

    /// Builds the extractor.
    ///
    /// # Errors
    /// Schema errors ([`RelationError::ReadSchema`], [`RelationError::Pattern`], ...), and for
    /// the classifier [`RelationError::MissingFile`] or the errors of loading it.
    pub fn build(self) -> Result<NewsRelationExtractor> {
        let schema = match (self.schema, self.schema_path) {
            (Some(s), _) => s,
            (None, Some(p)) => Schema::from_path(p)?,
            (None, None) => Schema::news()?,
        };
        let batch = self.max_sentences_per_batch.unwrap_or(16);
        let mut fallback = None;
        let model = match (self.model_dir, self.encoder) {
            (Some(m), e) => {
                // The classifier first: it says what its features are and how its encoder
                // runs (layers).
                let classifier = crate::model::PairClassifier::load(&m)?;
                if classifier.meta.token_vectors.is_some() {
                    if let (Some(dir), Some(e)) = (self.fallback_dir, e) {
                        fallback = Some(Fallback::Pending(dir, e, batch));
                    }
                    let precision = self.classifier_precision.unwrap_or_default();
                    Some(PairModel::from_vectors(classifier)?.with_precision(precision)?)
                } else {
                    let Some(e) = e else {
                        return Err(RelationError::InvalidData(
                            "model_dir needs an encoder (encoder_dir, encoder_model or encoder)"
                                .into(),
                        ));
                    };
                    Some(PairModel::from_parts(
                        load_encoder(e, &classifier, batch)?,
                        classifier,
                    )?)
                }
            }
            (None, _) => None,
        };
        let min_score = self.min_score.unwrap_or(0.0);
        Ok(NewsRelationExtractor {
            schema,
            model,
            fallback: fallback.map(std::sync::Mutex::new),
            min_score,
        })
    }
}

/// lede's offline relation extractor: cue patterns from the schema, combined with the MiniLM
/// entity-pair classifier when it is loaded.
///
/// Relations are reported between entities (clusters), deduplicated over mentions and
/// sentences, each with its best-scored evidence sentence.
pub struct NewsRelationExtractor {
    schema: Schema,
    model: Option<PairModel>,
    fallback: Option<std::sync::Mutex<Fallback>>,
    min_score: f32,
}

lede_core::assert_send!(NewsRelationExtractor);

impl std::fmt::Debug for NewsRelationExtractor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewsRelationExtractor")
            .field("schema", &self.schema.name)
            .field("labels", &self.schema.labels().len())
            .field("model", &self.model.is_some())
            .field("min_score", &self.min_score)
            .finish()
    }
}

#[derive(Debug, Clone)]
struct Best {
    head: usize,
    tail: TailKey,
    tail_span: Option<(usize, usize)>,
    sentence: usize,
    /// `sentence`, or the next one for a pair across two sentences.
    last_sentence: usize,
    score: f32,
    source: Source,
    cue: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum TailKey {
    Entity(usize),
    Value(String),
}

impl NewsRelationExtractor {
    /// A builder.
    pub fn builder() -> RelationExtractorBuilder {
        RelationExtractorBuilder::new()
    }

    /// The default offline extractor from the repository layout: the schema and classifier in
    /// `model_dir` (`news.toml`, [`crate::model::HEAD_WEIGHTS`], [`crate::model::HEAD_META`]),
    /// the fallback classifier in `model_dir/`[`FALLBACK_DIR`] when it is there (see
    /// [`RelationExtractorBuilder::fallback_model_dir`]) and MiniLM in `encoder_dir`. Falls
    /// back to the compiled-in schema when `news.toml` is absent.
    ///
    /// # Errors
    /// As [`RelationExtractorBuilder::build`].
    pub fn offline(model_dir: impl AsRef<Path>, encoder_dir: impl AsRef<Path>) -> Result<Self> {
        let dir = model_dir.as_ref();
        let mut b = Self::builder()
            .model_dir(dir)
            .encoder_dir(encoder_dir.as_ref());
        let fallback = dir.join(FALLBACK_DIR);
        if fallback.join(crate::model::HEAD_META).is_file() {
            b = b.fallback_model_dir(fallback);
        }
        let schema = dir.join("news.toml");
        if schema.is_file() {
            b = b.schema_path(schema);
        }
        b.build()
    }

    /// The schema in use.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Whether the classifier is loaded.
    pub fn has_model(&self) -> bool {
        self.model.is_some()
    }

    /// The candidate pairs of a document.
    pub fn candidates(&self, doc: &AnnotatedDocument) -> Vec<Candidate> {
        let ctx = DocContext::build(doc, &self.schema);
        from_context(&self.schema, &ctx, CandidateOptions::default())
    }

    /// The classifier's scores for the candidate pairs it may report.
    fn model_scores(
        &self,
        model: &PairModel,
        doc: &AnnotatedDocument,
        ctx: &DocContext,
        hits: &[crate::rules::Hit],
    ) -> Result<Vec<(Candidate, LabelScores)>> {
        // Only pairs the classifier may report (labels it has a threshold for): the
        // encoder then runs on the sentences that hold such a pair, and no others.
        let reportable: Vec<usize> = model
            .meta()
            .thresholds
            .keys()
            .filter_map(|l| self.schema.label_index(l))
            .collect();
        // Pairs across adjacent sentences only for a classifier trained on them (one that
        // reads the NER pass's token vectors: the MiniLM fallback encodes single sentences).
        let mut options = crate::model::candidate_options(&model.meta().extra_features);
        options.cross_sentence &= model.meta().token_vectors.is_some();
        let all = from_context(&self.schema, ctx, options);
        // Encoded windows span every candidate pair of a sentence, as in training.
        let windows = sentence_windows(&all);
        let cands: Vec<Candidate> = all
            .into_iter()
            .filter(|c| c.labels.iter().any(|l| reportable.contains(l)))
            .collect();
        if !cands.is_empty() && doc.tokenization != model.meta().tokenization {
            return Err(RelationError::Tokenization {
                what: format!("document {:?}", doc.document.id),
                found: doc.tokenization.clone(),
                model: false,
            });
        }
        let extra = (!model.meta().extra_features.is_empty()).then(|| {
            crate::model::extra_feature_rows(
                &model.meta().extra_features,
                &self.schema,
                doc,
                hits,
                &cands,
            )
        });
        let scored = model.score_with(doc, &cands, Some(&windows), extra.as_ref())?;
        Ok(cands.into_iter().zip(scored).collect())
    }

    /// Relations of a document.
    ///
    /// # Errors
    /// Classifier failures ([`RelationError::Torch`], [`RelationError::Tokenizer`]) and
    /// evidence spans that do not fit the text ([`RelationError::Offsets`]).
    pub fn extract_relations(&self, doc: &AnnotatedDocument) -> Result<Vec<Relation>> {
        Ok(self
            .extract_detailed(doc)?
            .into_iter()
            .map(|r| r.relation)
            .collect())
    }

    /// Relations with their provenance (evidence sentence index, cue or classifier).
    ///
    /// # Errors
    /// As [`Self::extract_relations`].
    pub fn extract_detailed(&self, doc: &AnnotatedDocument) -> Result<Vec<ScoredRelation>> {
        // The cues and the classifier read the same sentences: the document's own, or
        // lede-tokenize's when it comes unsegmented.
        let segmented = lede_tokenize::Segmenter::default().segmented(doc);
        let doc = segmented.as_ref();
        let ctx = DocContext::build(doc, &self.schema);
        let mut best: HashMap<(usize, TailKey, TailKey), Best> = HashMap::new();
        let mut offer = |label: usize, cand: Best| {
            let symmetric = self
                .schema
                .labels()
                .get(label)
                .is_some_and(|l| l.spec.symmetric);
            let h = TailKey::Entity(cand.head);
            let key = match (&cand.tail, symmetric) {
                (TailKey::Entity(t), true) if *t < cand.head => (label, cand.tail.clone(), h),
                _ => (label, h, cand.tail.clone()),
            };
            match best.get_mut(&key) {
                Some(b) => {
                    let merged = merge_source(b.source, cand.source);
                    if cand.score > b.score {
                        *b = cand;
                    }
                    b.source = merged;
                }
                None => {
                    best.insert(key, cand);
                }
            }
        };
        let hits = apply(&self.schema, &ctx);
        // A classifier that decides its labels reads their cue matches as features; the cues
        // of those labels then report nothing on their own.
        let decided: Vec<usize> = match &self.model {
            Some(m) if m.meta().decides && m.can_score(doc) => m
                .meta()
                .thresholds
                .keys()
                .filter_map(|l| self.schema.label_index(l))
                .collect(),
            _ => Vec::new(),
        };
        for hit in hits.iter().cloned() {
            if matches!(hit.tail, HitTail::Entity(_)) && decided.contains(&hit.label) {
                continue;
            }
            let (tail, tail_span) = match hit.tail {
                HitTail::Entity(e) => (TailKey::Entity(e), None),
                HitTail::Value { value, start, end } => (TailKey::Value(value), Some((start, end))),
            };
            let cue = self
                .schema
                .labels()
                .get(hit.label)
                .and_then(|l| l.cues.get(hit.cue))
                .map(|c| c.source.clone());
            offer(
                hit.label,
                Best {
                    head: hit.head,
                    tail,
                    tail_span,
                    sentence: hit.sentence,
                    last_sentence: hit.sentence,
                    score: hit.score,
                    source: Source::Cue,
                    cue,
                },
            );
        }
        let scored = match (&self.model, &self.fallback) {
            (Some(m), Some(fallback)) if !m.can_score(doc) => {
                let mut state = fallback
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if matches!(*state, Fallback::Pending(..)) {
                    // Taken out for loading; a failed load leaves `Failed` behind.
                    let taken = std::mem::replace(&mut *state, Fallback::Failed);
                    if let Fallback::Pending(dir, encoder, batch) = taken {
                        let classifier = crate::model::PairClassifier::load(&dir)?;
                        let embedder = load_encoder(encoder, &classifier, batch)?;
                        let model = PairModel::from_parts(embedder, classifier)?;
                        *state = Fallback::Ready(Box::new(model));
                    }
                }
                match &*state {
                    Fallback::Ready(f) => self.model_scores(f, doc, &ctx, &hits)?,
                    // An earlier load failed: score with the main classifier, which says why
                    // it cannot.
                    _ => self.model_scores(m, doc, &ctx, &hits)?,
                }
            }
            (Some(m), _) => self.model_scores(m, doc, &ctx, &hits)?,
            (None, _) => Vec::new(),
        };
        {
            // Combine with cue evidence on the same pair and sentence (noisy-or).
            for (cand, probs) in &scored {
                for &(ref label_name, p, threshold) in probs {
                    let Some(li) = self.schema.label_index(label_name) else {
                        continue;
                    };
                    if !cand.labels.contains(&li) || p < threshold {
                        continue;
                    }
                    offer(
                        li,
                        Best {
                            head: cand.head,
                            tail: TailKey::Entity(cand.tail),
                            tail_span: None,
                            sentence: cand.sentence,
                            last_sentence: cand.last_sentence,
                            score: p,
                            source: Source::Model,
                            cue: None,
                        },
                    );
                }
            }
        }
        let text = doc.text();
        let map = lede_core::OffsetMap::new(text);
        let mut out = Vec::with_capacity(best.len());
        for ((label, _, _), b) in best {
            let Some(spec) = self.schema.labels().get(label).map(|l| &l.spec) else {
                continue;
            };
            let threshold = if b.source == Source::Model {
                0.0 // the model's own per-label thresholds were applied above
            } else {
                spec.threshold
            };
            if b.score < threshold || b.score < self.min_score {
                continue;
            }
            let Some(head) = doc.entities.get(b.head) else {
                continue;
            };
            let (tail_id, tail_name) = match &b.tail {
                TailKey::Entity(t) => match doc.entities.get(*t) {
                    Some(e) => (e.id.clone(), e.name.clone()),
                    None => continue,
                },
                TailKey::Value(v) => (VALUE_TAIL_ID.to_string(), v.clone()),
            };
            // The evidence: the sentence, or the two adjacent sentences, of the pair.
            let (Some(first), Some(last)) = (
                doc.sentences.get(b.sentence),
                doc.sentences.get(b.last_sentence.max(b.sentence)),
            ) else {
                continue;
            };
            let span = map.span(first.span.start, last.span.end)?;
            let _ = b.tail_span;
            out.push(ScoredRelation {
                relation: Relation {
                    head: head.id.clone(),
                    tail: tail_id,
                    head_name: head.name.clone(),
                    tail_name,
                    label: spec.name.clone(),
                    score: b.score.clamp(0.0, 1.0),
                    evidence: Evidence {
                        span,
                        text: text[span.start..span.end].to_string(),
                    },
                },
                sentence: b.sentence,
                source: b.source,
                cue: b.cue,
            });
        }
        // A label that another found label of the same pair excludes is not reported
        // (`leader_of` over `works_for`; the schema's `excludes`).
        let excluded: Vec<bool> = out
            .iter()
            .map(|r| {
                let r = &r.relation;
                !r.tail.is_empty()
                    && out.iter().any(|o| {
                        let o = &o.relation;
                        let same_pair = (o.head == r.head && o.tail == r.tail)
                            || (o.head == r.tail && o.tail == r.head);
                        same_pair
                            && o.label != r.label
                            && self
                                .schema
                                .label_index(&o.label)
                                .and_then(|i| self.schema.labels().get(i))
                                .is_some_and(|l| l.spec.excludes.contains(&r.label))
                    })
            })
            .collect();
        let mut keep = excluded.into_iter().map(|x| !x);
        out.retain(|_| keep.next().unwrap_or(true));
        out.sort_by(|a, b| {
            a.sentence
                .cmp(&b.sentence)
                .then(b.relation.score.total_cmp(&a.relation.score))
                .then(a.relation.label.cmp(&b.relation.label))
                .then(a.relation.head.cmp(&b.relation.head))
                .then(a.relation.tail.cmp(&b.relation.tail))
        });
        Ok(out)
    }
}

/// The encoder `classifier` was trained over, from `source`, with its recorded settings.
fn load_encoder(
    source: EncoderSource,
    classifier: &crate::model::PairClassifier,
    batch: usize,
) -> Result<lede_models::SentenceEmbedder> {
    let encoding = classifier.meta.encoding();
    match source {
        EncoderSource::Loaded(b) => Ok(*b),
        EncoderSource::Dir(d) => encoding.embedder(d.as_path(), batch),
        EncoderSource::Spec(s) => encoding.embedder(s.as_str(), batch),
    }
}

fn merge_source(a: Source, b: Source) -> Source {
    if a == b {
        a
    } else {
        Source::Both
    }
}

impl lede_core::RelationExtractor for NewsRelationExtractor {
    fn name(&self) -> String {
        match &self.model {
            Some(m) if m.meta().token_vectors.is_some() => {
                "lede-relations/cues+ner-vectors-pair".to_string()
            }
            Some(_) => "lede-relations/cues+minilm-pair".to_string(),
            None => "lede-relations/cues".to_string(),
        }
    }

    fn extract(&self, doc: &AnnotatedDocument) -> lede_core::Result<Vec<Relation>> {
        Ok(self.extract_relations(doc)?)
    }

    fn reads_token_vectors(&self) -> Option<String> {
        self.model.as_ref()?.meta().token_vectors.clone()
    }
}
