//! Transformer NER: any [`TokenClassifier`] over long texts, with windows, subword-to-word
//! aggregation and label decoding, giving [`Mention`]s with exact byte and char offsets.

use lede_core::{AnnotatedDocument, EntityRecognizer, Mention, OffsetMap, Token, WordTokenizer};
use lede_models::{Device, LabelMap, ModelSource, ResolveOptions};
use lede_tokenize::{RuleWordTokenizer, WindowConfig};
use ndarray::ArrayView1;

use crate::classifier::{HfTokenClassifier, TokenClassifier};
use crate::error::{Error, Result};
use crate::labels::{choose_tags, read_entities, Decoding, LabelScheme, Position, Tag};

/// How the predictions of a word's subword pieces become the word's prediction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Aggregation {
    /// The first piece's distribution (how NER models are usually trained).
    #[default]
    First,
    /// The mean of the pieces' distributions.
    Average,
    /// The distribution of the piece whose best label is most probable.
    Max,
}

/// Named-entity recognition with a transformer token classifier.
///
/// Long texts are tagged in overlapping windows ([`TransformerNerBuilder::window`]) made by
/// lede-tokenize ([`lede_tokenize::SubwordEncoder::windows_of_words`]): windows end at word
/// boundaries and each subword is read from the one window that owns it, where it has the
/// most context ([`lede_tokenize::Window`]). Subwords are aggregated into words
/// ([`Aggregation`]) and the word tags are decoded once over the whole text ([`Decoding`],
/// [`LabelScheme`]), so no entity is cut or duplicated at a window edge. Words are the
/// document's tokens when the caller has them ([`AnnotatedDocument::tokens`]), else
/// lede-tokenize's [`RuleWordTokenizer`].
///
/// ```no_run
/// use lede_ner::{Aggregation, TransformerNer};
///
/// let ner = TransformerNer::builder()
///     .model("dbmdz/bert-large-cased-finetuned-conll03-english")
///     .aggregation(Aggregation::First)
///     .window(256, 32)
///     .build()?;
/// for m in ner.tag("Ales Bialiatski was freed in Minsk.")? {
///     println!("{} {} {}..{} {:.2}", m.text, m.label, m.span.char_start, m.span.char_end, m.score);
/// }
/// # Ok::<(), lede_ner::Error>(())
/// ```
pub struct TransformerNer {
    classifier: Box<dyn TokenClassifier>,
    tags: Vec<Tag>,
    outside: usize,
    scheme: LabelScheme,
    aggregation: Aggregation,
    decoding: Decoding,
    content: usize,
    stride: usize,
    min_score: f32,
    words: RuleWordTokenizer,
}

impl std::fmt::Debug for TransformerNer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransformerNer")
            .field("model", &self.classifier.name())
            .field("scheme", &self.scheme)
            .field("aggregation", &self.aggregation)
            .field("decoding", &self.decoding)
            .field("content", &self.content)
            .field("stride", &self.stride)
            .finish()
    }
}

enum Source {
    Model(ModelSource),
    Classifier(Box<dyn TokenClassifier>),
}

/// Builder of a [`TransformerNer`]; see the setters for defaults.
pub struct TransformerNerBuilder {
    source: Option<Source>,
    options: ResolveOptions,
    aggregation: Aggregation,
    decoding: Decoding,
    scheme: Option<LabelScheme>,
    window: Option<(usize, usize)>,
    batch_size: usize,
    device: Device,
    min_score: f32,
}

impl Default for TransformerNerBuilder {
    fn default() -> Self {
        TransformerNerBuilder {
            source: None,
            options: ResolveOptions::default(),
            aggregation: Aggregation::First,
            decoding: Decoding::Greedy,
            scheme: None,
            window: None,
            batch_size: 8,
            device: Device::Cpu,
            min_score: 0.0,
        }
    }
}

impl TransformerNerBuilder {
    lede_core::setters! {
        /// The model: a spec string (`dbmdz/...`, a directory, a project model name), a
        /// [`lede_models::ModelSpec`] or resolved [`lede_models::ModelFiles`]. Loaded as a Hugging
        /// Face token-classification model ([`HfTokenClassifier`]).
        pub fn model(model: impl Into<ModelSource>) => source = Some(Source::Model(model.into()));
        /// A ready token classifier instead of a model spec.
        pub fn classifier(classifier: Box<dyn TokenClassifier>) => source = Some(Source::Classifier(classifier));
        /// How specs resolve (offline mode, search locations). Default: from the environment.
        pub fn resolve_options(options: ResolveOptions) => options = options;
        /// Subword-to-word aggregation (default [`Aggregation::First`]).
        pub fn aggregation(aggregation: Aggregation) => aggregation = aggregation;
        /// Tag decoding (default [`Decoding::Greedy`]).
        pub fn decoding(decoding: Decoding) => decoding = decoding;
        /// The label scheme, when detection from the labels is not enough (IOB1 uses the same
        /// labels as BIO). Only [`Decoding::Constrained`] depends on it.
        pub fn scheme(scheme: LabelScheme) => scheme = Some(scheme);
        /// Windows of at most `max_len` subwords (special tokens included; capped at the model's
        /// limit) overlapping by at most `stride` subwords (at most half a window). Default: the model's
        /// limit and an eighth of it.
        pub fn window(max_len: usize, stride: usize) => window = Some((max_len, stride));
        /// Windows per forward pass (default 8).
        pub fn batch_size(n: usize) => batch_size = n.max(1);
        /// The device (default CPU).
        pub fn device(device: Device) => device = device;
        /// Drops mentions scoring below this (default 0: keep all).
        pub fn min_score(score: f32) => min_score = score;
    }

    /// Resolves and loads the model and checks the settings.
    ///
    /// # Errors
    /// [`Error::Model`] for resolution and file problems (naming the file), [`Error::Labels`]
    /// for a label map without `O` or with placeholder labels, [`Error::InvalidInput`] for
    /// a window that leaves no room for text or a stride over half a window.
    pub fn build(self) -> Result<TransformerNer> {
        let classifier: Box<dyn TokenClassifier> = match self.source {
            None => return Err(Error::InvalidInput("no NER model given".into())),
            Some(Source::Classifier(c)) => c,
            Some(Source::Model(m)) => {
                let files = m.resolve(&self.options)?;
                Box::new(HfTokenClassifier::load(
                    &files,
                    self.device,
                    self.batch_size,
                )?)
            }
        };
        let labels: &LabelMap = classifier.labels();
        let tags: Vec<Tag> = labels.as_slice().iter().map(|l| Tag::parse(l)).collect();
        let outside = tags
            .iter()
            .position(|t| t.position == Position::Outside)
            .ok_or_else(|| Error::Labels {
                path: classifier.name().into(),
                message: format!(
                    "the label map {:?} has no O label; it is not a NER tag set",
                    labels.as_slice()
                ),
            })?;
        let scheme = self.scheme.unwrap_or_else(|| LabelScheme::detect(&tags));
        let special = classifier.subwords().special_tokens();
        let model_max = classifier.max_len();
        let (max_len, stride) = self
            .window
            .unwrap_or((model_max, model_max.saturating_sub(special) / 8));
        let content = max_len.min(model_max).saturating_sub(special);
        if content < 2 {
            return Err(Error::InvalidInput(format!(
                "a window of {max_len} tokens leaves {content} for text (the model adds {special})"
            )));
        }
        if stride * 2 > content {
            return Err(Error::InvalidInput(format!(
                "stride {stride} is more than half of a window's {content} text tokens"
            )));
        }
        Ok(TransformerNer {
            classifier,
            tags,
            outside,
            scheme,
            aggregation: self.aggregation,
            decoding: self.decoding,
            content,
            stride,
            min_score: self.min_score,
            words: RuleWordTokenizer::default(),
        })
    }
}

impl TransformerNer {
    /// A builder.
    pub fn builder() -> TransformerNerBuilder {
        TransformerNerBuilder::default()
    }

    /// The labels of the model.
    pub fn labels(&self) -> &LabelMap {
        self.classifier.labels()
    }

    /// The entity types the model can emit, in label order.
    pub fn entity_types(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for t in &self.tags {
            if t.position != Position::Outside && !out.contains(&t.entity) {
                out.push(t.entity.clone());
            }
        }
        out
    }

    /// The label scheme in use.
    pub fn scheme(&self) -> LabelScheme {
        self.scheme
    }

    /// Text subwords per window (special tokens excluded) and the most two windows share.
    pub fn window_subwords(&self) -> (usize, usize) {
        (self.content, self.stride)
    }

    /// The window settings passed to the classifier's subword encoder.
    fn window_config(&self) -> WindowConfig {
        WindowConfig::new(
            self.content + self.classifier.subwords().special_tokens(),
            self.stride,
        )
    }

    /// Mentions in `text`, with its own word tokens ([`RuleWordTokenizer::default`]).
    ///
    /// # Errors
    /// Tokenizer and model failures.
    pub fn tag(&self, text: &str) -> Result<Vec<Mention>> {
        let words = self.words.tokenize(text);
        self.tag_tokens(text, &words)
    }

    /// Mentions in `text` over the given word tokens (in text order, not overlapping, for
    /// instance [`AnnotatedDocument::tokens`]). Mentions are whole words.
    ///
    /// # Errors
    /// Tokenizer and model failures; [`Error::InvalidInput`] for words out of order and
    /// [`Error::Subwords`] for words that do not fit the text.
    pub fn tag_tokens(&self, text: &str, words: &[Token]) -> Result<Vec<Mention>> {
        if words.windows(2).any(|p| p[1].span.start < p[0].span.end) {
            return Err(Error::InvalidInput(
                "word tokens must be in order and not overlap".into(),
            ));
        }
        let windows =
            self.classifier
                .subwords()
                .windows_of_words(text, words, self.window_config())?;
        if words.is_empty() || windows.iter().all(|w| w.content.is_empty()) {
            return Ok(Vec::new());
        }
        let probs = self.classifier.classify(text, &windows)?;
        if probs.len() != windows.len() {
            return Err(Error::InvalidInput(format!(
                "the classifier returned {} windows for {}",
                probs.len(),
                windows.len()
            )));
        }
        let k = self.tags.len();
        for (a, w) in probs.iter().zip(&windows) {
            if a.nrows() != w.sequence.len() || a.ncols() != k {
                return Err(Error::InvalidInput(format!(
                    "the classifier returned a {}x{} array for a window of {} positions and {k} \
                     labels",
                    a.nrows(),
                    a.ncols(),
                    w.sequence.len()
                )));
            }
        }
        // Aggregate each word's subwords, reading each subword from the window that owns it.
        let mut word_probs: Vec<Option<Vec<f32>>> = vec![None; words.len()];
        let mut counts = vec![0usize; words.len()];
        for (window, a) in windows.iter().zip(&probs) {
            for p in window.owned.clone() {
                let Some(w) = window.sequence.subwords.get(p).and_then(|s| s.word) else {
                    continue;
                };
                let (Some(slot), Some(count)) = (word_probs.get_mut(w), counts.get_mut(w)) else {
                    continue;
                };
                let row: ArrayView1<f32> = a.row(p);
                *count += 1;
                match (self.aggregation, slot.as_mut()) {
                    (_, None) => *slot = Some(row.to_vec()),
                    (Aggregation::First, Some(_)) => {}
                    (Aggregation::Average, Some(acc)) => {
                        acc.iter_mut().zip(row.iter()).for_each(|(a, x)| *a += x);
                    }
                    (Aggregation::Max, Some(acc)) => {
                        let best = |v: &mut dyn Iterator<Item = f32>| v.fold(f32::MIN, f32::max);
                        if best(&mut row.iter().copied()) > best(&mut acc.iter().copied()) {
                            *acc = row.to_vec();
                        }
                    }
                }
            }
        }
        if self.aggregation == Aggregation::Average {
            for (slot, &c) in word_probs.iter_mut().zip(&counts) {
                if let Some(acc) = slot.as_mut() {
                    acc.iter_mut().for_each(|a| *a /= c.max(1) as f32);
                }
            }
        }
        let chosen = choose_tags(
            &word_probs,
            &self.tags,
            self.scheme,
            self.decoding,
            self.outside,
        );
        let map = OffsetMap::new(text);
        let mut out = Vec::new();
        for e in read_entities(&chosen, &self.tags) {
            if e.entity.is_empty() || e.score < self.min_score || e.end == 0 {
                continue;
            }
            let span = map.span(words[e.start].span.start, words[e.end - 1].span.end)?;
            out.push(Mention {
                text: text[span.start..span.end].to_string(),
                label: e.entity,
                score: e.score.clamp(0.0, 1.0),
                span,
            });
        }
        Ok(out)
    }
}

impl EntityRecognizer for TransformerNer {
    fn name(&self) -> String {
        self.classifier.name()
    }

    fn recognize(&self, doc: &AnnotatedDocument) -> lede_core::Result<Vec<Mention>> {
        let text = doc.text();
        let result = if doc.tokens.is_empty() {
            self.tag(text)
        } else {
            self.tag_tokens(text, &doc.tokens)
        };
        result.map_err(|e| lede_core::Error::task("ner", e))
    }
}
