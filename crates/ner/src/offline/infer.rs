//! Running the network over documents: batched windows, word-level Viterbi decoding, and the
//! [`OfflineNer`] recognizer.

use std::path::{Path, PathBuf};

use lede_core::{
    AnnotatedDocument, Embeddings, EntityRecognizer, Mention, OffsetMap, Recognition, TokenVectors,
    WordPieces,
};
pub use lede_models::fast::Precision;
use tch::{Kind, Tensor};

use super::config::ModelConfig;
use super::decode::{TagSet, WordSpan};
use super::error::{OfflineError, Result};
use super::features::{batch_tensors, window_input, DocFeatures, Encoder, WindowInput};
use super::model::{read_bert_config, sha256_file, NerNet};
use super::words::SHAPE_VOCAB;

/// Value types (dates, times, amounts): not names, left out of the mentions unless asked for.
pub const VALUE_TYPES: &[&str] = &[
    "DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "ORDINAL", "CARDINAL",
];

/// The network, its encoder and decoding settings: what both training (dev scores) and the
/// recognizer run.
pub(crate) struct Tagger {
    pub(crate) net: NerNet,
    pub(crate) enc: Encoder,
    pub(crate) tags: TagSet,
    pub(crate) max_len: usize,
    pub(crate) stride: usize,
    pub(crate) batch_size: usize,
}

/// A document tagged: its words and the decoded spans over them.
pub(crate) struct Tagged {
    pub(crate) features: DocFeatures,
    pub(crate) spans: Vec<WordSpan>,
    /// When spans were given: per span, the sum of the encoder's last hidden states over the
    /// pieces of the words that start inside it (empty for a span with no such word).
    pub(crate) span_sums: Vec<Vec<f32>>,
    /// When token states were asked for (and the pass keeps them): per word, the sum of the
    /// kept layer's states over the word's pieces (empty for a word with no prediction).
    pub(crate) token_sums: Vec<Vec<f32>>,
}

impl Tagger {
    /// Tags several texts, segmented as the model expects, batching their windows together.
    pub(crate) fn tag(&self, texts: &[&str]) -> Result<Vec<Tagged>> {
        let docs: Vec<AnnotatedDocument> = texts.iter().map(|t| self.enc.segment(t)).collect();
        let refs: Vec<&AnnotatedDocument> = docs.iter().collect();
        self.tag_with(&refs, &[], None)
    }

    /// Tags segmented documents, and for each one with spans in `spans` (byte ranges, one
    /// list per document; missing or empty lists: none), sums the hidden states per span.
    /// Memory stays one vector per span, whatever the length of the text.
    pub(crate) fn tag_with(
        &self,
        docs: &[&AnnotatedDocument],
        spans: &[Vec<(usize, usize)>],
        token_layer: Option<usize>,
    ) -> Result<Vec<Tagged>> {
        if docs.len() > 1 && self.net.precision() != Precision::Fp32 {
            // Int8 scales each batch's activations by the batch's own range, so a window's
            // output would depend on the windows it shares a batch with. Batching each
            // document on its own keeps a document's mentions independent of the others.
            let mut out = Vec::with_capacity(docs.len());
            for (d, doc) in docs.iter().enumerate() {
                let own = spans.get(d).map(std::slice::from_ref).unwrap_or_default();
                out.extend(self.tag_with(&[*doc], own, token_layer)?);
            }
            return Ok(out);
        }
        let k = self.tags.len();
        let mut feats = Vec::with_capacity(docs.len());
        let mut inputs: Vec<(usize, WindowInput)> = Vec::new();
        for (d, doc) in docs.iter().enumerate() {
            let f = self.enc.features(doc)?;
            for w in f.windows(self.max_len, self.stride)? {
                inputs.push((d, window_input(&f, &w, &self.enc)));
            }
            feats.push(f);
        }
        // Per document, per word: log-probabilities (empty: no prediction, decoded as O).
        let mut rows: Vec<Vec<Vec<f32>>> = feats
            .iter()
            .map(|f| vec![Vec::new(); f.words.len()])
            .collect();
        // Per text, per word: the span its start falls in.
        let word_span: Vec<Vec<Option<usize>>> = feats
            .iter()
            .enumerate()
            .map(|(d, f)| {
                // Spans by start, for a binary search per word.
                let list = spans.get(d).map_or(&[][..], Vec::as_slice);
                let mut sorted: Vec<(usize, usize, usize)> = list
                    .iter()
                    .enumerate()
                    .filter(|(_, &(a, b))| a < b)
                    .map(|(i, &(a, b))| (a, b, i))
                    .collect();
                sorted.sort_unstable();
                f.words
                    .iter()
                    .map(|w| {
                        let k = sorted.partition_point(|&(a, _, _)| a <= w.start);
                        let &(_, b, i) = sorted.get(k.checked_sub(1)?)?;
                        (w.start < b).then_some(i)
                    })
                    .collect()
            })
            .collect();
        let mut span_sums: Vec<Vec<Vec<f32>>> = (0..feats.len())
            .map(|d| vec![Vec::new(); spans.get(d).map_or(0, Vec::len)])
            .collect();
        let states = span_sums.iter().any(|s| !s.is_empty());
        let mut token_sums: Vec<Vec<Vec<f32>>> = feats
            .iter()
            .map(|f| {
                let n = if token_layer.is_some() {
                    f.words.len()
                } else {
                    0
                };
                vec![Vec::new(); n]
            })
            .collect();
        let mut order: Vec<usize> = (0..inputs.len()).collect();
        order.sort_by_key(|&i| inputs.get(i).map_or(0, |(_, w)| w.ids.len()));
        let _guard = tch::no_grad_guard();
        for chunk in order.chunks(self.batch_size.max(1)) {
            let batch: Vec<&WindowInput> = chunk
                .iter()
                .filter_map(|&i| inputs.get(i).map(|(_, w)| w))
                .collect();
            let (ids, shapes, mask, longest) = batch_tensors(&batch, self.enc.pad);
            let (logits, hidden, kept) =
                self.net
                    .forward_with_states(&ids, &shapes, &mask, false, token_layer)?;
            if let Some(kept) = &kept {
                // Every piece of every owned word, summed per word.
                let (all, all_owners) =
                    owned_pieces(chunk, &inputs, &feats, longest, |_, w| Some(w));
                add_rows(kept, &all, &all_owners, &mut token_sums)?;
            }
            let mut flat = Vec::new();
            let mut owners = Vec::new();
            for (r, &i) in chunk.iter().enumerate() {
                if let Some((d, w)) = inputs.get(i) {
                    for &(word, pos) in &w.firsts {
                        flat.push((r * longest + pos) as i64);
                        owners.push((*d, word));
                    }
                }
            }
            if flat.is_empty() {
                continue;
            }
            let idx = Tensor::from_slice(&flat);
            let lp = logits
                .f_view([-1, k as i64])?
                .f_index_select(0, &idx)?
                .f_log_softmax(-1, Kind::Float)?;
            let values: Vec<f32> = Vec::<f32>::try_from(lp.f_flatten(0, -1)?)?;
            if states {
                // Every piece of each owned word whose start lies in a span.
                let (all, all_owners) = owned_pieces(chunk, &inputs, &feats, longest, |d, w| {
                    word_span.get(d).and_then(|v| v.get(w)).copied().flatten()
                });
                add_rows(&hidden, &all, &all_owners, &mut span_sums)?;
            }
            for ((d, word), row) in owners.into_iter().zip(values.chunks(k)) {
                if let Some(slot) = rows.get_mut(d).and_then(|r| r.get_mut(word)) {
                    *slot = row.to_vec();
                }
            }
        }
        Ok(feats
            .into_iter()
            .zip(rows)
            .zip(span_sums)
            .zip(token_sums)
            .map(|(((features, r), span_sums), token_sums)| Tagged {
                spans: self.tags.viterbi(&r),
                features,
                span_sums,
                token_sums,
            })
            .collect())
    }
}

/// The flattened `[batch * seq]` rows of every piece of the words the windows of `chunk` own,
/// each with its owner `(document, slot)`; `slot` maps a document's word to a slot (`None`:
/// the word is left out).
fn owned_pieces(
    chunk: &[usize],
    inputs: &[(usize, WindowInput)],
    feats: &[DocFeatures],
    longest: usize,
    slot: impl Fn(usize, usize) -> Option<usize>,
) -> (Vec<i64>, Vec<(usize, usize)>) {
    let mut rows = Vec::new();
    let mut owners = Vec::new();
    for (r, &i) in chunk.iter().enumerate() {
        let Some((d, w)) = inputs.get(i) else {
            continue;
        };
        let f = feats.get(*d);
        for &(word, pos) in &w.firsts {
            let Some(s) = slot(*d, word) else {
                continue;
            };
            let n = f.map_or(1, |f| f.piece_ids(word).len());
            for j in 0..n.max(1) {
                rows.push((r * longest + pos + j) as i64);
                owners.push((*d, s));
            }
        }
    }
    (rows, owners)
}

/// Adds rows `rows` of `states` (`[batch, seq, dim]`, rows of the flattened `[batch * seq]`)
/// to `sums[d][slot]` for their owners `(d, slot)`.
fn add_rows(
    states: &Tensor,
    rows: &[i64],
    owners: &[(usize, usize)],
    sums: &mut [Vec<Vec<f32>>],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let dim = states.size().last().copied().unwrap_or(0);
    let picked = states
        .f_view([-1, dim])?
        .f_index_select(0, &Tensor::from_slice(rows))?;
    let values: Vec<f32> = Vec::<f32>::try_from(picked.f_flatten(0, -1)?)?;
    for (&(d, slot), row) in owners.iter().zip(values.chunks(dim.max(1) as usize)) {
        if let Some(sum) = sums.get_mut(d).and_then(|r| r.get_mut(slot)) {
            if sum.len() == row.len() {
                sum.iter_mut().zip(row).for_each(|(a, b)| *a += b);
            } else {
                *sum = row.to_vec();
            }
        }
    }
    Ok(())
}

/// Converts decoded word spans to mentions with exact byte and char offsets.
pub(crate) fn mentions_of(
    text: &str,
    tagged: &Tagged,
    tags: &TagSet,
    keep: impl Fn(&str) -> bool,
) -> Result<Vec<Mention>> {
    let offsets = OffsetMap::new(text);
    let mut out = Vec::new();
    for s in &tagged.spans {
        let (Some(first), Some(last)) = (
            tagged.features.words.get(s.start),
            tagged.features.words.get(s.end.saturating_sub(1)),
        ) else {
            continue;
        };
        let Some(label) = tags.types().get(s.type_index) else {
            continue;
        };
        if !keep(label) {
            continue;
        }
        let span = offsets.span(first.start, last.end)?;
        out.push(Mention {
            text: span.slice(text).unwrap_or_default().to_string(),
            label: label.clone(),
            score: s.score,
            span,
        });
    }
    Ok(out)
}

/// Builds an [`OfflineNer`] from a model directory (`config.json` + `weights.safetensors`, as
/// shipped in `models/lede-ner-minilm`) and the base MiniLM directory (`config.json`,
/// `model.safetensors`, `tokenizer.json`).
#[derive(Debug, Clone)]
pub struct OfflineNerBuilder {
    model_dir: PathBuf,
    base_dir: PathBuf,
    batch_size: usize,
    verify_base: bool,
    include_values: bool,
    min_score: f32,
    precision: Precision,
}

impl OfflineNerBuilder {
    lede_core::setters! {
        /// Windows run through the network at once (default 8; on CPU, 4 to 8 measured best).
        pub fn batch_size(n: usize) => batch_size = n;
        /// Whether to check the base weights' SHA-256 against the model config (default `true`;
        /// hashing 90 MB takes a fraction of a second, once per process and file).
        pub fn verify_base(yes: bool) => verify_base = yes;
        /// Whether to return value mentions too: `DATE`, `TIME`, `MONEY`, `PERCENT` (default
        /// `false`: names only).
        pub fn include_values(yes: bool) => include_values = yes;
        /// Drops mentions scored below this (default 0: keep all).
        pub fn min_score(score: f32) => min_score = score;
        /// The encoder's linear layers in int8 or fp32 (default [`DEFAULT_PRECISION`], int8:
        /// about 1.5x faster than fp32 at nearly the same F1; see `docs/PERFORMANCE.md`).
        pub fn precision(precision: Precision) => precision = precision;
    }

    /// Loads the base, checks it, overlays the model's weights.
    ///
    /// # Errors
    /// [`OfflineError`] naming the file when a file is missing, malformed, of the wrong
    /// shape, or the base is not the one the model was trained on.
    pub fn build(self) -> Result<OfflineNer> {
        if self.batch_size == 0 {
            return Err(OfflineError::Config("batch size must be at least 1".into()));
        }
        let config = ModelConfig::read(&self.model_dir)?;
        let weights = self.base_dir.join(&config.base.weights);
        if self.verify_base {
            // Once per process: every worker of a pool loads the same base.
            let sha = lede_models::weights::sha256_file_memo(&weights)
                .map_err(|e| OfflineError::io(&weights, e))?;
            if sha != config.base.sha256 {
                return Err(OfflineError::bad_model(
                    &weights,
                    format!(
                        "SHA-256 {sha} is not the base {} this model was trained on ({})",
                        config.base.id, config.base.sha256
                    ),
                ));
            }
        }
        let tagger = load_tagger(
            &self.base_dir,
            &self.model_dir,
            &config,
            self.batch_size,
            Some(self.precision),
        )?;
        // What the token vectors depend on: the network (its config records the training
        // run) and the precision of its linear layers.
        let config_sha = sha256_file(&self.model_dir.join(super::config::CONFIG_FILE))?;
        let digest = config_sha.get(..16).unwrap_or(&config_sha);
        let vectors_source = format!(
            "lede-ner-minilm/{digest}/{}/layer{TOKEN_VECTOR_LAYER}",
            self.precision.name()
        );
        // The pooled sentence vectors of either precision: int8 and fp32 give nearly the
        // same vectors (the trained summary scorer is measured on both, docs/EVALUATION.md).
        let sentence_source = format!("lede-ner-minilm/{digest}/pooled");
        Ok(OfflineNer {
            tagger,
            config,
            include_values: self.include_values,
            min_score: self.min_score,
            vectors_source,
            sentence_source,
        })
    }
}

/// Loads the network and its tokenizer; with `inference`, the forward pass for inference in
/// that precision is prepared too ([`NerNet::prepare_inference`]).
pub(crate) fn load_tagger(
    base_dir: &Path,
    model_dir: &Path,
    config: &ModelConfig,
    batch_size: usize,
    inference: Option<Precision>,
) -> Result<Tagger> {
    let mut bert = read_bert_config(base_dir)?;
    let layers = config.encoder_layers as i64;
    if layers > bert.num_hidden_layers {
        return Err(OfflineError::bad_model(
            model_dir.join(super::config::CONFIG_FILE),
            format!(
                "encoder_layers {layers} but the base has {}",
                bert.num_hidden_layers
            ),
        ));
    }
    bert.num_hidden_layers = layers;
    let tags = TagSet::new(config.entity_types.clone());
    if config.shape_vocab != SHAPE_VOCAB {
        return Err(OfflineError::bad_model(
            model_dir.join(super::config::CONFIG_FILE),
            format!(
                "shape_vocab {} but this build has {SHAPE_VOCAB}",
                config.shape_vocab
            ),
        ));
    }
    let mut net = NerNet::new(&bert, tags.len() as i64, config.shape_vocab)?;
    net.load_base(&base_dir.join(&config.base.weights))?;
    net.overlay(model_dir, config)?;
    if let Some(precision) = inference {
        net.prepare_inference(&bert, precision)?;
    }
    let enc = Encoder::from_base_dir(base_dir)?;
    Ok(Tagger {
        net,
        enc,
        tags,
        max_len: config.max_len,
        stride: config.stride,
        batch_size,
    })
}

/// lede's own English news NER model: MiniLM fine-tuned for OntoNotes-style types, with
/// word-shape features and constrained BIO decoding over words. Runs with no model hub.
///
/// ```no_run
/// use lede_core::{AnnotatedDocument, Document, EntityRecognizer};
/// use lede_ner::offline::OfflineNer;
///
/// let ner = OfflineNer::builder("models/lede-ner-minilm", "/path/to/all-MiniLM-L6-v2").build()?;
/// let doc = AnnotatedDocument::new(Document::new("d", "Ales Bialiatski was freed in Minsk."));
/// for m in ner.recognize(&doc)? {
///     println!("{} {} {:.2} {}..{}", m.text, m.label, m.score, m.span.start, m.span.end);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct OfflineNer {
    tagger: Tagger,
    config: ModelConfig,
    include_values: bool,
    min_score: f32,
    /// [`TokenVectors::source`] of the vectors this model gives.
    vectors_source: String,
    sentence_source: String,
}

const _: fn() = || {
    fn send<T: Send>() {}
    send::<OfflineNer>();
};

impl OfflineNer {
    /// A builder over a model directory and the base MiniLM directory.
    pub fn builder(
        model_dir: impl Into<PathBuf>,
        base_dir: impl Into<PathBuf>,
    ) -> OfflineNerBuilder {
        OfflineNerBuilder {
            model_dir: model_dir.into(),
            base_dir: base_dir.into(),
            batch_size: 8,
            verify_base: true,
            include_values: false,
            min_score: 0.0,
            precision: DEFAULT_PRECISION,
        }
    }

    /// The precision its encoder runs in.
    pub fn precision(&self) -> Precision {
        self.tagger.net.precision()
    }

    /// The model's config.
    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// The entity types the model emits.
    pub fn entity_types(&self) -> &[String] {
        self.tagger.tags.types()
    }

    fn keep(&self, label: &str) -> bool {
        self.include_values || !VALUE_TYPES.contains(&label)
    }

    /// Mentions in `text`, in text order, non-overlapping (the text is segmented with
    /// lede-tokenize's default rules, as the model was trained).
    ///
    /// # Errors
    /// [`OfflineError`] when libtorch or the tokenizer fails.
    pub fn mentions(&self, text: &str) -> Result<Vec<Mention>> {
        Ok(self.mentions_batch(&[text])?.pop().unwrap_or_default())
    }

    /// Mentions of several texts, their windows batched together (faster for short texts).
    ///
    /// # Errors
    /// [`OfflineError`] when libtorch or the tokenizer fails.
    pub fn mentions_batch(&self, texts: &[&str]) -> Result<Vec<Vec<Mention>>> {
        let docs: Vec<AnnotatedDocument> =
            texts.iter().map(|t| self.tagger.enc.segment(t)).collect();
        let refs: Vec<&AnnotatedDocument> = docs.iter().collect();
        self.recognize_batch(&refs)
    }

    /// Mentions of segmented documents (their `tokens`, `sentences` and, when made with
    /// this model's vocabulary, `pieces`), windows batched together.
    ///
    /// # Errors
    /// [`OfflineError::Tokenization`] for a document segmented by other rules than the
    /// model's; otherwise when libtorch or the tokenizer fails.
    pub fn recognize_batch(&self, docs: &[&AnnotatedDocument]) -> Result<Vec<Vec<Mention>>> {
        let tagged = self.tagger.tag_with(docs, &[], None)?;
        docs.iter()
            .zip(&tagged)
            .map(|(doc, t)| {
                let mut m = mentions_of(doc.text(), t, &self.tagger.tags, |l| self.keep(l))?;
                m.retain(|m| m.score >= self.min_score);
                Ok(m)
            })
            .collect()
    }

    /// The vocabulary id of the word pieces the model reads: a document whose
    /// [`AnnotatedDocument::pieces`] carry it is not encoded again.
    pub fn vocab_id(&self) -> &str {
        self.tagger.enc.vocab_id()
    }

    /// The model's subword encoder (lede-tokenize's, over the base's `tokenizer.json`).
    pub fn subword_encoder(&self) -> &lede_tokenize::SubwordEncoder {
        self.tagger.enc.subwords()
    }

    /// The mentions of a segmented document, and one vector per span of `sentences` (byte
    /// ranges that do not overlap, such as sentences): the mean of the network's last hidden
    /// states over the word pieces of the words starting inside the span, L2-normalised (all
    /// zeros for a span with no word). Comes from the same forward pass as the mentions;
    /// memory is one vector per span.
    ///
    /// # Errors
    /// As [`recognize_batch`](Self::recognize_batch).
    pub fn mentions_and_sentence_vectors(
        &self,
        doc: &AnnotatedDocument,
        sentences: &[(usize, usize)],
    ) -> Result<(Vec<Mention>, Embeddings)> {
        let tagged = self.tagger.tag_with(&[doc], &[sentences.to_vec()], None)?;
        let Some(t) = tagged.first() else {
            return Ok((Vec::new(), Embeddings::default()));
        };
        Ok((self.kept_mentions(doc, t)?, normalised_rows(&t.span_sums)))
    }

    fn kept_mentions(&self, doc: &AnnotatedDocument, t: &Tagged) -> Result<Vec<Mention>> {
        let mut mentions = mentions_of(doc.text(), t, &self.tagger.tags, |l| self.keep(l))?;
        mentions.retain(|m| m.score >= self.min_score);
        Ok(mentions)
    }
}

impl OfflineNer {
    /// The mentions of a segmented document with one vector per token of `doc.tokens` (the
    /// mean over the token's pieces of the network's states after its first
    /// [`TOKEN_VECTOR_LAYER`] layers; zeros for a token with none) and, when `sentences`, one
    /// per sentence of `doc.sentences`, as
    /// [`mentions_and_sentence_vectors`](Self::mentions_and_sentence_vectors) computes them.
    /// One forward pass.
    ///
    /// # Errors
    /// As [`recognize_batch`](Self::recognize_batch).
    pub fn mentions_and_vectors(
        &self,
        doc: &AnnotatedDocument,
        sentences: bool,
    ) -> Result<Recognition> {
        let spans: Vec<(usize, usize)> = if sentences {
            doc.sentences
                .iter()
                .map(|s| (s.span.start, s.span.end))
                .collect()
        } else {
            Vec::new()
        };
        let layer = self.token_vectors_source().map(|_| TOKEN_VECTOR_LAYER);
        let tagged = self.tagger.tag_with(&[doc], &[spans], layer)?;
        let Some(t) = tagged.first() else {
            return Ok(Recognition::default());
        };
        let sentence_vectors = Some(normalised_rows(&t.span_sums))
            .filter(|v| sentences && v.dim > 0 && !doc.sentences.is_empty());
        let dim = t.token_sums.iter().map(Vec::len).max().unwrap_or(0);
        let token_vectors = self
            .token_vectors_source()
            .filter(|_| dim > 0 && t.token_sums.len() == doc.tokens.len())
            .map(|source| {
                let mut values = vec![0.0f32; doc.tokens.len() * dim];
                for (w, (row, sum)) in values.chunks_mut(dim).zip(&t.token_sums).enumerate() {
                    let n = t.features.piece_ids(w).len().max(1) as f32;
                    if sum.len() == dim {
                        row.iter_mut().zip(sum).for_each(|(o, x)| *o = x / n);
                    }
                }
                TokenVectors {
                    source,
                    vectors: Embeddings { dim, values },
                }
            });
        Ok(Recognition {
            mentions: self.kept_mentions(doc, t)?,
            sentence_vectors,
            token_vectors,
        })
    }

    /// The source id of this model's token vectors ([`TokenVectors::source`]): the network
    /// (a digest of its config, which records the training run), the precision and the
    /// layer. Vectors from another precision are another source.
    pub fn token_vectors_source(&self) -> Option<String> {
        Some(self.vectors_source.clone())
    }
}

/// Rows of sums, each L2-normalised (all zeros for an empty or zero row).
fn normalised_rows(sums: &[Vec<f32>]) -> Embeddings {
    let dim = sums.iter().map(Vec::len).max().unwrap_or(0);
    let mut values = vec![0.0f32; sums.len() * dim];
    if dim > 0 {
        for (row, sum) in values.chunks_mut(dim).zip(sums) {
            let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt();
            if sum.len() == dim && norm > 0.0 && norm.is_finite() {
                row.iter_mut().zip(sum).for_each(|(o, x)| *o = x / norm);
            }
        }
    }
    Embeddings { dim, values }
}

/// The precision the offline model runs in unless told otherwise: int8 linear layers. Chosen on
/// the hand-labelled dev split (`models/lede-ner-minilm/hand`) for the fifth training: exact F1
/// 0.947 against fp32's 0.957 (ORG 0.902 against 0.882) at about 1.5x the speed of fp32, and
/// the summary's tuning half ROUGE-2 0.3435 against 0.3351; the shipped sixth training gives
/// 0.949 against 0.955 (ORG 0.912 against 0.907) (docs/PERFORMANCE.md, the model card).
pub const DEFAULT_PRECISION: Precision = Precision::Int8;

/// The layers run before the states that make token vectors: the first layer's output (in
/// the relation classifier's choice among layers 1 to 4, held-out weak labels were best read
/// after layer 1; see `models/relations/README.md`).
pub const TOKEN_VECTOR_LAYER: usize = 1;

impl EntityRecognizer for OfflineNer {
    fn name(&self) -> String {
        "lede-ner-minilm".to_string()
    }

    fn recognize(&self, doc: &AnnotatedDocument) -> lede_core::Result<Vec<Mention>> {
        let doc = self.tagger.enc.segmenter().segmented(doc);
        self.recognize_batch(&[doc.as_ref()])
            .map(|mut m| m.pop().unwrap_or_default())
            .map_err(|e| lede_core::Error::task("ner", e))
    }

    fn recognize_with_sentence_vectors(
        &self,
        doc: &AnnotatedDocument,
    ) -> lede_core::Result<(Vec<Mention>, Option<Embeddings>)> {
        let doc = self.tagger.enc.segmenter().segmented(doc);
        let spans: Vec<(usize, usize)> = doc
            .sentences
            .iter()
            .map(|s| (s.span.start, s.span.end))
            .collect();
        let (mentions, vectors) = self
            .mentions_and_sentence_vectors(&doc, &spans)
            .map_err(|e| lede_core::Error::task("ner", e))?;
        let vectors = (vectors.dim > 0 && !spans.is_empty()).then_some(vectors);
        Ok((mentions, vectors))
    }

    fn gives_sentence_vectors(&self) -> bool {
        true
    }

    fn sentence_vectors_source(&self) -> Option<String> {
        Some(self.sentence_source.clone())
    }

    fn recognize_with_vectors(
        &self,
        doc: &AnnotatedDocument,
        sentences: bool,
        tokens: bool,
    ) -> lede_core::Result<Recognition> {
        if !tokens {
            let mut r = Recognition::default();
            if sentences {
                (r.mentions, r.sentence_vectors) = self.recognize_with_sentence_vectors(doc)?;
            } else {
                r.mentions = self.recognize(doc)?;
            }
            return Ok(r);
        }
        let doc = self.tagger.enc.segmenter().segmented(doc);
        self.mentions_and_vectors(&doc, sentences)
            .map_err(|e| lede_core::Error::task("ner", e))
    }

    fn token_vectors_source(&self) -> Option<String> {
        OfflineNer::token_vectors_source(self)
    }

    fn word_pieces(&self, doc: &AnnotatedDocument) -> lede_core::Result<Option<WordPieces>> {
        if doc.tokenization.as_deref() != Some(lede_tokenize::TOKENIZATION) {
            return Ok(None);
        }
        self.subword_encoder()
            .word_pieces(doc.text(), &doc.tokens, self.vocab_id())
            .map(Some)
            .map_err(|e| lede_core::Error::task("ner", e))
    }
}
