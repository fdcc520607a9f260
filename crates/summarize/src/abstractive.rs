//! Abstractive summarization with rust-bert's `SummarizationModel` (BART, DistilBART, T5,
//! Pegasus), with map-reduce chunking for articles longer than the model's input.

use std::path::{Path, PathBuf};

use lede_core::{AnnotatedDocument, Sentence, SentenceSplitter, Summarizer, Summary};
use lede_models::{Architecture, Device, ModelFiles, ModelSource, ResolveOptions};
use rust_bert::pipelines::common::ModelResource;
use rust_bert::pipelines::summarization::{SummarizationConfig, SummarizationModel};
use rust_bert::resources::LocalResource;
use serde::{Deserialize, Serialize};

use crate::error::{Result, SummarizeError};
use lede_tokenize::NewsSentenceSplitter;

/// Input length assumed for T5 checkpoints, whose config has no position limit (T5 was
/// trained on 512 tokens).
pub const T5_DEFAULT_INPUT_TOKENS: usize = 512;

/// Decoding settings of the abstractive models.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GenerationSettings {
    /// Beam size (1 = greedy).
    pub num_beams: i64,
    /// Minimum summary length in tokens.
    pub min_length: i64,
    /// Maximum summary length in tokens.
    pub max_length: i64,
    /// Forbid repeating n-grams of this size (0 = off).
    pub no_repeat_ngram_size: i64,
    /// Exponential length penalty of beam search (1 = neutral).
    pub length_penalty: f64,
    /// Stop beam search once `num_beams` hypotheses are finished.
    pub early_stopping: bool,
}

impl Default for GenerationSettings {
    /// The CNN/DailyMail settings of BART: 4 beams, 56 to 142 tokens, no repeated trigram,
    /// length penalty 2, early stopping.
    fn default() -> Self {
        GenerationSettings {
            num_beams: 4,
            min_length: 56,
            max_length: 142,
            no_repeat_ngram_size: 3,
            length_penalty: 2.0,
            early_stopping: true,
        }
    }
}

impl GenerationSettings {
    /// Checks the settings.
    ///
    /// # Errors
    /// [`SummarizeError::InvalidConfig`] for a zero beam or maximum, negative values or a
    /// minimum above the maximum.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(SummarizeError::InvalidConfig(m.to_string()));
        if self.num_beams < 1 {
            return bad("num_beams must be at least 1");
        }
        if self.max_length < 1 {
            return bad("max_length must be at least 1");
        }
        if self.min_length < 0 || self.min_length > self.max_length {
            return bad("min_length must be in 0..=max_length");
        }
        if self.no_repeat_ngram_size < 0 {
            return bad("no_repeat_ngram_size must be >= 0");
        }
        if !self.length_penalty.is_finite() {
            return bad("length_penalty must be finite");
        }
        Ok(())
    }
}

/// A run of consecutive sentences that fits the model's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Indices of the sentences it holds (consecutive, in order).
    pub sentences: std::ops::Range<usize>,
    /// Their estimated token count.
    pub tokens: usize,
    /// Their text, joined by spaces.
    pub text: String,
}

/// Groups consecutive texts into chunks of at most `budget` tokens, as counted by `count`.
/// A text longer than the budget on its own becomes a chunk by itself (the model then
/// truncates it). Every text lands in exactly one chunk, in order.
pub fn chunk_texts<S: AsRef<str>>(
    texts: &[S],
    budget: usize,
    count: impl Fn(&str) -> usize,
) -> Vec<Chunk> {
    let mut chunks: Vec<Chunk> = Vec::new();
    let mut start = 0;
    let mut tokens = 0;
    for (i, t) in texts.iter().enumerate() {
        let n = count(t.as_ref());
        if i > start && tokens + n > budget {
            chunks.push(make_chunk(texts, start..i, tokens));
            start = i;
            tokens = 0;
        }
        tokens += n;
    }
    if start < texts.len() {
        chunks.push(make_chunk(texts, start..texts.len(), tokens));
    }
    chunks
}

fn make_chunk<S: AsRef<str>>(texts: &[S], range: std::ops::Range<usize>, tokens: usize) -> Chunk {
    let text = texts
        .get(range.clone())
        .unwrap_or_default()
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(" ");
    Chunk {
        sentences: range,
        tokens,
        text,
    }
}

/// Abstractive summarization with a rust-bert encoder-decoder: BART and DistilBART
/// (`model_type` `bart`, tokenizer `vocab.json` + `merges.txt`), T5 and Pegasus
/// (`spiece.model`), from a local Hugging Face directory (`config.json`, `rust_model.ot` or
/// `model.safetensors`, tokenizer files) or, with the `remote` feature, a hub id such as
/// `sshleifer/distilbart-cnn-12-6`, both resolved by lede-models.
///
/// Articles longer than the model's input (`max_position_embeddings`, or
/// [`T5_DEFAULT_INPUT_TOKENS`] for T5) are cut on sentence boundaries into chunks that fit;
/// each chunk is summarized (map), and when there are several, their summaries are joined
/// and summarized again (reduce), repeatedly while they do not fit, at most three rounds.
///
/// ```no_run
/// use lede_core::{AnnotatedDocument, Document, Summarizer};
/// use lede_summarize::AbstractiveSummarizer;
/// let summarizer = AbstractiveSummarizer::builder("/models/distilbart-cnn-12-6")
///     .num_beams(4)
///     .max_length(120)
///     .build()?;
/// let doc = AnnotatedDocument::new(Document::new("a", std::fs::read_to_string("article.txt")?));
/// println!("{}", summarizer.summarize(&doc)?.text);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct AbstractiveSummarizer {
    model: SummarizationModel,
    architecture: Architecture,
    name: String,
    max_input_tokens: usize,
    settings: GenerationSettings,
    splitter: Box<dyn SentenceSplitter>,
    reduce: bool,
}

lede_core::debug_fields!(AbstractiveSummarizer {
    name,
    architecture,
    max_input_tokens,
    settings,
    reduce
});

/// Builder of [`AbstractiveSummarizer`].
pub struct AbstractiveSummarizerBuilder {
    model: ModelSource,
    options: ResolveOptions,
    settings: GenerationSettings,
    device: Device,
    max_input_tokens: Option<usize>,
    splitter: Option<Box<dyn SentenceSplitter>>,
    reduce: bool,
}

impl AbstractiveSummarizerBuilder {
    lede_core::setters! {
        /// How to resolve the model (offline mode, locations). Default: from the environment.
        pub fn resolve_options(options: ResolveOptions) => options = options;
        /// All decoding settings at once.
        pub fn generation(settings: GenerationSettings) => settings = settings;
        /// Beam size.
        pub fn num_beams(n: i64) => settings.num_beams = n;
        /// Minimum summary length in tokens.
        pub fn min_length(n: i64) => settings.min_length = n;
        /// Maximum summary length in tokens.
        pub fn max_length(n: i64) => settings.max_length = n;
        /// No-repeat n-gram size (0 = off).
        pub fn no_repeat_ngram_size(n: i64) => settings.no_repeat_ngram_size = n;
        /// Beam-search length penalty.
        pub fn length_penalty(p: f64) => settings.length_penalty = p;
        /// Device (default: CPU).
        pub fn device(device: Device) => device = device;
        /// Input tokens per chunk, at most the model's limit (default: the model's limit).
        pub fn max_input_tokens(n: usize) => max_input_tokens = Some(n);
        /// Splitter for documents without sentences and for chunk summaries (default:
        /// lede-tokenize's [`NewsSentenceSplitter`]).
        pub fn splitter(splitter: impl SentenceSplitter + 'static) =>
            splitter = Some(Box::new(splitter));
        /// Whether several chunk summaries are summarized again (default: true); when false
        /// they are joined as they are.
        pub fn reduce(on: bool) => reduce = on;
    }

    /// Resolves and loads the model.
    ///
    /// # Errors
    /// [`SummarizeError::Models`] when the model cannot be resolved,
    /// [`SummarizeError::UnsupportedModel`] for an architecture other than BART, T5 or
    /// Pegasus, [`SummarizeError::ModelDir`] for missing tokenizer or weights files,
    /// [`SummarizeError::ModelConfig`] for a `config.json` rust-bert cannot read,
    /// [`SummarizeError::InvalidConfig`] for bad settings, [`SummarizeError::Load`] naming
    /// the weights file when rust-bert cannot load the model.
    pub fn build(self) -> Result<AbstractiveSummarizer> {
        self.settings.validate()?;
        let files = self.model.resolve(&self.options)?;
        let architecture = files.architecture;
        let limit = model_input_limit(&files)?;
        let (vocab, merges) = tokenizer_files(&files)?;
        let weights = weights_file(&files)?;
        let max_input_tokens = match self.max_input_tokens {
            None => limit,
            Some(n) if n >= 8 && n <= limit => n,
            Some(n) => {
                return Err(SummarizeError::InvalidConfig(format!(
                    "max_input_tokens must be in 8..={limit} for this model, got {n}"
                )))
            }
        };
        let mut config = SummarizationConfig::new(
            architecture.rust_bert_type(),
            ModelResource::Torch(Box::new(LocalResource::from(weights.clone()))),
            LocalResource::from(files.config_path.clone()),
            LocalResource::from(vocab),
            merges.map(LocalResource::from),
        );
        let s = self.settings;
        config.num_beams = s.num_beams;
        config.min_length = s.min_length;
        config.max_length = Some(s.max_length);
        config.no_repeat_ngram_size = s.no_repeat_ngram_size;
        config.length_penalty = s.length_penalty;
        config.early_stopping = s.early_stopping;
        config.do_sample = false;
        config.device = self.device;
        // The weights were checked when the model was resolved (lede-models validates a
        // safetensors file's header and length); rust-bert reads them here.
        let model = SummarizationModel::new(config).map_err(|e| SummarizeError::Load {
            path: weights.clone(),
            source: Box::new(e),
        })?;
        Ok(AbstractiveSummarizer {
            model,
            architecture,
            name: format!("abstractive:{}", files.name),
            max_input_tokens,
            settings: s,
            splitter: self
                .splitter
                .unwrap_or_else(|| Box::new(NewsSentenceSplitter::default())),
            reduce: self.reduce,
        })
    }
}

/// The model's input limit in tokens, after checking that rust-bert can read its config.
fn model_input_limit(files: &ModelFiles) -> Result<usize> {
    let parse_err = |source| SummarizeError::ModelConfig {
        path: files.config_path.clone(),
        source,
    };
    // rust-bert panics on a config it cannot deserialize: check it here first.
    let positions = match files.architecture {
        Architecture::Bart => {
            let c: rust_bert::bart::BartConfig =
                serde_json::from_value(files.config.clone()).map_err(parse_err)?;
            Some(c.max_position_embeddings)
        }
        Architecture::Pegasus => {
            let c: rust_bert::pegasus::PegasusConfig =
                serde_json::from_value(files.config.clone()).map_err(parse_err)?;
            Some(c.max_position_embeddings)
        }
        Architecture::T5 => {
            let _: rust_bert::t5::T5Config =
                serde_json::from_value(files.config.clone()).map_err(parse_err)?;
            files.config_i64("n_positions")
        }
        other => {
            return Err(SummarizeError::UnsupportedModel(
                other.model_type().to_string(),
            ))
        }
    };
    let positions = positions
        .and_then(|p| usize::try_from(p).ok())
        .unwrap_or(T5_DEFAULT_INPUT_TOKENS);
    // Room for the special tokens (and T5's "summarize: " prefix).
    let reserve = if files.architecture == Architecture::T5 {
        8
    } else {
        2
    };
    if positions <= reserve + 8 {
        return Err(SummarizeError::ModelDir {
            path: files.dir.clone(),
            reason: format!("the model takes only {positions} input tokens"),
        });
    }
    Ok(positions - reserve)
}

/// The tokenizer files rust-bert reads for the architecture.
fn tokenizer_files(files: &ModelFiles) -> Result<(PathBuf, Option<PathBuf>)> {
    let need = |names: &[&str]| -> Result<Vec<PathBuf>> {
        names
            .iter()
            .map(|n| {
                let p = files.dir.join(n);
                if p.is_file() {
                    Ok(p)
                } else {
                    Err(SummarizeError::ModelDir {
                        path: files.dir.clone(),
                        reason: format!("{} needs {n}", files.architecture),
                    })
                }
            })
            .collect()
    };
    match files.architecture {
        Architecture::Bart => {
            let mut v = need(&["vocab.json", "merges.txt"])?.into_iter();
            match (v.next(), v.next()) {
                (Some(vocab), Some(merges)) => Ok((vocab, Some(merges))),
                _ => Err(SummarizeError::ModelDir {
                    path: files.dir.clone(),
                    reason: "bart needs vocab.json and merges.txt".into(),
                }),
            }
        }
        _ => {
            let spm = need(&["spiece.model"])?.into_iter().next().ok_or_else(|| {
                SummarizeError::ModelDir {
                    path: files.dir.clone(),
                    reason: "needs spiece.model".into(),
                }
            })?;
            Ok((spm, None))
        }
    }
}

/// The single weights file rust-bert loads.
fn weights_file(files: &ModelFiles) -> Result<PathBuf> {
    match files.weights.as_slice() {
        [one] => Ok(one.path.clone()),
        [] => Err(SummarizeError::ModelDir {
            path: files.dir.clone(),
            reason: "no weights file (rust_model.ot or model.safetensors)".into(),
        }),
        _ => Err(SummarizeError::ModelDir {
            path: files.dir.clone(),
            reason: "several weights files; an abstractive model loads one".into(),
        }),
    }
}

impl AbstractiveSummarizer {
    /// A builder for the model named by `model`: a spec string (`/path/to/dir`,
    /// `org/name` with the `remote` feature), a [`lede_models::ModelSpec`], resolved
    /// [`ModelFiles`] or a path.
    pub fn builder(model: impl Into<ModelSource>) -> AbstractiveSummarizerBuilder {
        AbstractiveSummarizerBuilder {
            model: model.into(),
            options: ResolveOptions::from_env(),
            settings: GenerationSettings::default(),
            device: Device::Cpu,
            max_input_tokens: None,
            splitter: None,
            reduce: true,
        }
    }

    /// Loads a model directory with default settings.
    ///
    /// # Errors
    /// As [`AbstractiveSummarizerBuilder::build`].
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<AbstractiveSummarizer> {
        Self::builder(dir.as_ref()).build()
    }

    /// The model's architecture.
    pub fn architecture(&self) -> Architecture {
        self.architecture
    }

    /// Input tokens per chunk.
    pub fn max_input_tokens(&self) -> usize {
        self.max_input_tokens
    }

    /// The decoding settings.
    pub fn settings(&self) -> &GenerationSettings {
        &self.settings
    }

    /// Tokens the model's tokenizer makes of `text` (special tokens excluded).
    pub fn count_tokens(&self, text: &str) -> usize {
        // Sentences after the first follow a space; byte-level BPE marks it.
        self.model
            .get_tokenizer()
            .tokenize(&format!(" {}", text.trim()))
            .len()
    }

    /// Cuts sentences into chunks that fit the model's input.
    pub fn chunk<S: AsRef<str>>(&self, sentences: &[S]) -> Vec<Chunk> {
        chunk_texts(sentences, self.max_input_tokens, |t| self.count_tokens(t))
    }

    /// Summarizes a list of sentences, map-reduce style when they do not fit at once.
    ///
    /// # Errors
    /// [`SummarizeError::RustBert`] when generation fails.
    pub fn summarize_sentences<S: AsRef<str>>(&self, sentences: &[S]) -> Result<String> {
        let texts: Vec<&str> = sentences
            .iter()
            .map(|s| s.as_ref().trim())
            .filter(|s| !s.is_empty())
            .collect();
        if texts.is_empty() {
            return Ok(String::new());
        }
        let mut chunks = self.chunk(&texts);
        let mut round = 0;
        loop {
            let inputs: Vec<&str> = chunks.iter().map(|c| c.text.as_str()).collect();
            let mut outputs = Vec::with_capacity(inputs.len());
            // A few chunks at a time keeps padding and memory bounded.
            for batch in inputs.chunks(4) {
                outputs.extend(self.model.summarize(batch)?);
            }
            let outputs: Vec<String> = outputs.iter().map(|o| clean_generated(o)).collect();
            if outputs.len() <= 1 || !self.reduce || round >= 2 {
                return Ok(outputs.join(" "));
            }
            round += 1;
            // Reduce: the chunk summaries, split into sentences, chunked again.
            let joined = outputs.join(" ");
            let next: Vec<String> = self
                .splitter
                .split(&joined)
                .into_iter()
                .map(|s| s.text)
                .collect();
            chunks = self.chunk(&next);
            if chunks.len() >= outputs.len() && chunks.len() > 1 {
                // No progress possible (summaries as long as their inputs).
                return Ok(joined);
            }
        }
    }

    /// Summarizes a text (split into sentences with the splitter).
    ///
    /// # Errors
    /// As [`Self::summarize_sentences`].
    pub fn summarize_text(&self, text: &str) -> Result<String> {
        let sentences: Vec<String> = self
            .splitter
            .split(text)
            .into_iter()
            .map(|s| s.text)
            .collect();
        self.summarize_sentences(&sentences)
    }
}

/// Tidies generated text: a byte-level vocabulary can decode to control characters (NUL
/// included) that no reader wants in a summary; they are dropped, and runs of whitespace
/// become one space.
fn clean_generated(text: &str) -> String {
    let kept: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Summarizer for AbstractiveSummarizer {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn summarize(&self, doc: &AnnotatedDocument) -> lede_core::Result<Summary> {
        let own: Vec<Sentence>;
        let sentences: &[Sentence] = if doc.sentences.is_empty() {
            own = self.splitter.split(doc.text());
            &own
        } else {
            &doc.sentences
        };
        // Story text only: headlines, bylines, datelines and sign-offs are not summarized.
        let story = crate::text::classify_all(doc.text(), sentences);
        let mut texts: Vec<&str> = story
            .iter()
            .filter(|s| s.kind.is_content())
            .map(|s| s.content.text.as_str())
            .collect();
        if texts.is_empty() {
            texts = sentences.iter().map(|s| s.text.as_str()).collect();
        }
        let text = self.summarize_sentences(&texts)?;
        Ok(Summary {
            text,
            sentences: Vec::new(),
            method: "abstractive".to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_text_loses_control_characters() {
        for (raw, clean) in [
            ("  a\u{0}b \n\t c\u{7f}  ", "ab c"),
            ("\u{0}\u{1b}", ""),
            ("Minsk — ok.", "Minsk — ok."),
        ] {
            assert_eq!(clean_generated(raw), clean, "{raw:?}");
        }
    }

    #[test]
    fn chunks_cover_every_text_once_in_order() {
        let texts: Vec<String> = (0..23).map(|i| "w ".repeat(i % 7 + 1)).collect();
        let count = |t: &str| t.split_whitespace().count();
        for budget in [1, 3, 5, 8, 20, 1000] {
            let chunks = chunk_texts(&texts, budget, count);
            let mut next = 0;
            for c in &chunks {
                assert_eq!(c.sentences.start, next);
                assert!(c.sentences.end > c.sentences.start);
                assert!(
                    c.tokens <= budget || c.sentences.len() == 1,
                    "budget {budget}: {c:?}"
                );
                next = c.sentences.end;
            }
            assert_eq!(next, texts.len());
        }
        assert!(chunk_texts::<&str>(&[], 10, |_| 1).is_empty());
    }

    #[test]
    fn generation_settings_are_checked() {
        assert!(GenerationSettings::default().validate().is_ok());
        let bad = [
            GenerationSettings {
                num_beams: 0,
                ..Default::default()
            },
            GenerationSettings {
                max_length: 0,
                min_length: 0,
                ..Default::default()
            },
            GenerationSettings {
                min_length: 200,
                ..Default::default()
            },
            GenerationSettings {
                length_penalty: f64::NAN,
                ..Default::default()
            },
        ];
        for s in bad {
            assert!(s.validate().is_err(), "{s:?}");
        }
    }
}
