//! Tiny randomly initialised models for tests (the `testing` cargo feature).
//!
//! [`TinyModel`] writes a complete Hugging Face-style model directory: `config.json` (with
//! `id2label` for classification heads), weights saved from a tch `VarStore` in which the
//! rust-bert model class itself created the variables (so the names are exactly those
//! rust-bert and lede expect), and tokenizer files written by the test (WordPiece
//! `vocab.txt`, byte-level BPE `vocab.json` + `merges.txt`, a `tokenizer.json`, or a
//! SentencePiece `spiece.model`). Load the directory through [`crate::ModelSpec`] like any
//! user's model.
//!
//! Other crates use it as a dev-dependency:
//!
//! ```toml
//! [dev-dependencies]
//! lede-models = { workspace = true, features = ["testing"] }
//! ```
//!
//! ```no_run
//! use lede_models::testing::{Head, TinyModel};
//! let dir = tempfile::tempdir()?;
//! TinyModel::bert(Head::TokenClassification)
//!     .labels(&["O", "B-PER", "I-PER", "B-LOC", "I-LOC"])
//!     .write(dir.path())?;
//! let files = lede_models::ModelSpec::parse(&dir.path().display().to_string())?
//!     .resolve(&Default::default())?;
//! assert_eq!(files.labels.unwrap().len(), 5);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rust_bert::bart::{BartConfig, BartForConditionalGeneration, BartForSequenceClassification};
use rust_bert::bert::{
    BertConfig, BertEmbeddings, BertForSequenceClassification, BertForTokenClassification,
    BertModel,
};
use rust_bert::distilbert::{DistilBertConfig, DistilBertForTokenClassification, DistilBertModel};
use rust_bert::electra::{ElectraConfig, ElectraForTokenClassification, ElectraModel};
use rust_bert::roberta::{
    RobertaEmbeddings, RobertaForSequenceClassification, RobertaForTokenClassification,
};
use rust_bert::t5::{T5Config, T5ForConditionalGeneration};
use serde_json::{json, Value};
use tch::nn::VarStore;
use tch::Device;
use tokenizers::models::unigram::Unigram;
use tokenizers::models::wordpiece::WordPiece;
use tokenizers::normalizers::bert::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::pre_tokenizers::metaspace::{Metaspace, PrependScheme};
use tokenizers::processors::bert::BertProcessing;
use tokenizers::processors::template::TemplateProcessing;
use tokenizers::Tokenizer;

use crate::files::Architecture;
use crate::weights::WeightsFormat;
use crate::{Error, Result};

/// Serializes seeding tch's global generator and drawing tiny models' weights.
static SEED_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Which head the tiny model has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Head {
    /// The bare base model (BERT: no prefix, with pooler, like all-MiniLM-L6-v2).
    Base,
    /// Token classification (`<prefix>.*` + `classifier.*`).
    TokenClassification,
    /// Sequence classification (BERT, RoBERTa, BART).
    SequenceClassification,
    /// Conditional generation (BART, T5).
    ConditionalGeneration,
}

/// How the tiny model's tokenizer is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TinyTokenizer {
    /// WordPiece `vocab.txt` (+ `tokenizer_config.json`).
    WordPieceVocab,
    /// WordPiece in a `tokenizer.json`.
    WordPieceJson,
    /// Byte-level BPE `vocab.json` + `merges.txt`.
    ByteLevelBpe,
    /// Unigram (XLM-R style, `<s>`/`</s>`, Metaspace) in a `tokenizer.json`.
    UnigramJson,
    /// SentencePiece `spiece.model` (T5 style: `<pad>`, `</s>`, `<unk>`).
    SentencePiece,
    /// SentencePiece `sentencepiece.bpe.model` in XLM-R's layout (fairseq ids: `<s>`,
    /// `<pad>`, `</s>`, `<unk>`, the pieces, `<mask>`), and no `tokenizer.json`.
    XlmSentencePiece,
}

/// Words every tiny vocabulary knows whole; other words are spelled with single characters.
pub const TINY_WORDS: [&str; 40] = [
    "the",
    "a",
    "of",
    "in",
    "to",
    "and",
    "was",
    "is",
    "he",
    "she",
    "said",
    "on",
    "for",
    "by",
    "president",
    "minister",
    "city",
    "news",
    "government",
    "prisoners",
    "freed",
    "people",
    "minsk",
    "belarus",
    "united",
    "states",
    "john",
    "maria",
    "ales",
    "new",
    "york",
    "year",
    "police",
    "court",
    "party",
    "leader",
    "election",
    "capital",
    "talks",
    "week",
];

const PUNCT: &str = ".,;:!?'\"()-/$%&";

/// A tiny random model: hidden size 32, 2 layers, 2 heads, a vocabulary of about 200.
#[derive(Debug, Clone)]
pub struct TinyModel {
    arch: Architecture,
    head: Head,
    labels: Vec<String>,
    hidden: i64,
    layers: i64,
    heads: i64,
    intermediate: i64,
    max_positions: i64,
    seed: i64,
    tokenizer: TinyTokenizer,
    format: WeightsFormat,
    lowercase: bool,
}

/// What [`TinyModel::write`] wrote.
#[derive(Debug, Clone)]
pub struct TinyModelFiles {
    /// The directory.
    pub dir: PathBuf,
    /// `config.json`.
    pub config: PathBuf,
    /// The weights file.
    pub weights: PathBuf,
    /// The vocabulary size.
    pub vocab_size: usize,
}

impl TinyModel {
    fn new(arch: Architecture, head: Head, tokenizer: TinyTokenizer) -> TinyModel {
        TinyModel {
            arch,
            head,
            labels: match head {
                Head::TokenClassification => {
                    ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
                        .iter()
                        .map(|s| s.to_string())
                        .collect()
                }
                Head::SequenceClassification => ["contradiction", "neutral", "entailment"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                _ => Vec::new(),
            },
            hidden: 32,
            layers: 2,
            heads: 2,
            intermediate: 64,
            max_positions: 64,
            seed: 42,
            tokenizer,
            format: WeightsFormat::SafeTensors,
            lowercase: false,
        }
    }

    /// A tiny BERT (WordPiece `vocab.txt`).
    pub fn bert(head: Head) -> TinyModel {
        Self::new(Architecture::Bert, head, TinyTokenizer::WordPieceVocab)
    }

    /// A tiny DistilBERT (WordPiece `tokenizer.json`).
    pub fn distilbert(head: Head) -> TinyModel {
        Self::new(Architecture::DistilBert, head, TinyTokenizer::WordPieceJson)
    }

    /// A tiny RoBERTa (byte-level BPE `vocab.json` + `merges.txt`).
    pub fn roberta(head: Head) -> TinyModel {
        Self::new(Architecture::Roberta, head, TinyTokenizer::ByteLevelBpe)
    }

    /// A tiny XLM-RoBERTa (Unigram `tokenizer.json`).
    pub fn xlm_roberta(head: Head) -> TinyModel {
        Self::new(Architecture::XlmRoberta, head, TinyTokenizer::UnigramJson)
    }

    /// A tiny ELECTRA (WordPiece `vocab.txt`).
    pub fn electra(head: Head) -> TinyModel {
        Self::new(Architecture::Electra, head, TinyTokenizer::WordPieceVocab)
    }

    /// A tiny BART (byte-level BPE).
    pub fn bart(head: Head) -> TinyModel {
        Self::new(Architecture::Bart, head, TinyTokenizer::ByteLevelBpe)
    }

    /// A tiny T5 (SentencePiece `spiece.model`).
    pub fn t5() -> TinyModel {
        Self::new(
            Architecture::T5,
            Head::ConditionalGeneration,
            TinyTokenizer::SentencePiece,
        )
    }

    lede_core::setters! {
        /// The classification labels, in id order (written as `id2label`).
        pub fn labels(labels: &[&str]) => labels = labels.iter().map(|s| s.to_string()).collect();
        /// Hidden size (default 32; must be a multiple of the heads, 2).
        pub fn hidden(hidden: i64) => hidden = hidden;
        /// Number of layers (default 2).
        pub fn layers(layers: i64) => layers = layers;
        /// Position embeddings (default 64).
        pub fn max_positions(n: i64) => max_positions = n;
        /// Random seed (default 42).
        pub fn seed(seed: i64) => seed = seed;
        /// Tokenizer storage (default depends on the architecture).
        pub fn tokenizer(t: TinyTokenizer) => tokenizer = t;
        /// Weights format (default safetensors; [`WeightsFormat::LibTorch`] writes
        /// `rust_model.ot`).
        pub fn format(f: WeightsFormat) => format = f;
        /// Lower-case the vocabulary (an "uncased" model). Default: cased.
        pub fn lowercase(yes: bool) => lowercase = yes;
    }

    fn id2label(&self) -> Option<HashMap<i64, String>> {
        (!self.labels.is_empty()).then(|| {
            self.labels
                .iter()
                .enumerate()
                .map(|(i, l)| (i as i64, l.clone()))
                .collect()
        })
    }

    fn label2id(&self) -> Option<HashMap<String, i64>> {
        (!self.labels.is_empty()).then(|| {
            self.labels
                .iter()
                .enumerate()
                .map(|(i, l)| (l.clone(), i as i64))
                .collect()
        })
    }

    /// Writes the model directory (created if needed). The weights depend only on the seed.
    ///
    /// # Errors
    /// I/O, tokenizer and tch errors.
    pub fn write(&self, dir: &Path) -> Result<TinyModelFiles> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let vocab_size = self.write_tokenizer(dir)?;
        // tch's generator is global: tests run on parallel threads, so seeding and drawing the
        // weights happen under one lock, or two models would interleave their draws and the
        // weights would change from run to run.
        let _seeded = SEED_LOCK
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        tch::manual_seed(self.seed);
        let vs = VarStore::new(Device::Cpu);
        let root = vs.root();
        let rb = |e: rust_bert::RustBertError| Error::RustBert {
            context: "building a tiny model".into(),
            source: e,
        };
        let mut config = match self.arch {
            Architecture::Bert | Architecture::Roberta | Architecture::XlmRoberta => {
                let c = BertConfig {
                    hidden_size: self.hidden,
                    num_hidden_layers: self.layers,
                    num_attention_heads: self.heads,
                    intermediate_size: self.intermediate,
                    max_position_embeddings: self.max_positions,
                    vocab_size: vocab_size as i64,
                    type_vocab_size: if self.arch == Architecture::Bert {
                        2
                    } else {
                        1
                    },
                    id2label: self.id2label(),
                    label2id: self.label2id(),
                    ..Default::default()
                };
                match (self.arch, self.head) {
                    (Architecture::Bert, Head::Base) => {
                        let _ = BertModel::<BertEmbeddings>::new(&root, &c);
                    }
                    (Architecture::Bert, Head::TokenClassification) => {
                        let _ = BertForTokenClassification::new(&root, &c).map_err(rb)?;
                    }
                    (Architecture::Bert, Head::SequenceClassification) => {
                        let _ = BertForSequenceClassification::new(&root, &c).map_err(rb)?;
                    }
                    (_, Head::Base) => {
                        let _ = BertModel::<RobertaEmbeddings>::new(&root / "roberta", &c);
                    }
                    (_, Head::TokenClassification) => {
                        let _ = RobertaForTokenClassification::new(&root, &c).map_err(rb)?;
                    }
                    (_, Head::SequenceClassification) => {
                        let _ = RobertaForSequenceClassification::new(&root, &c).map_err(rb)?;
                    }
                    _ => return Err(self.unsupported()),
                }
                let mut v = to_json(&c)?;
                v["pad_token_id"] = json!(if self.arch == Architecture::Bert {
                    0
                } else {
                    1
                });
                v
            }
            Architecture::DistilBert => {
                let c = DistilBertConfig {
                    dim: self.hidden,
                    n_layers: self.layers,
                    n_heads: self.heads,
                    hidden_dim: self.intermediate,
                    max_position_embeddings: self.max_positions,
                    vocab_size: vocab_size as i64,
                    id2label: self.id2label(),
                    label2id: self.label2id(),
                    ..Default::default()
                };
                match self.head {
                    Head::Base => {
                        let _ = DistilBertModel::new(&root, &c);
                    }
                    Head::TokenClassification => {
                        let _ = DistilBertForTokenClassification::new(&root, &c).map_err(rb)?;
                    }
                    _ => return Err(self.unsupported()),
                }
                to_json(&c)?
            }
            Architecture::Electra => {
                let c = ElectraConfig {
                    hidden_size: self.hidden,
                    embedding_size: self.hidden / 2,
                    num_hidden_layers: self.layers,
                    num_attention_heads: self.heads,
                    intermediate_size: self.intermediate,
                    max_position_embeddings: self.max_positions,
                    vocab_size: vocab_size as i64,
                    id2label: self.id2label(),
                    label2id: self.label2id(),
                    ..Default::default()
                };
                match self.head {
                    Head::Base => {
                        let _ = ElectraModel::new(&root / "electra", &c);
                    }
                    Head::TokenClassification => {
                        let _ = ElectraForTokenClassification::new(&root, &c).map_err(rb)?;
                    }
                    _ => return Err(self.unsupported()),
                }
                to_json(&c)?
            }
            Architecture::Bart => {
                let c = BartConfig {
                    d_model: self.hidden,
                    encoder_layers: self.layers,
                    decoder_layers: self.layers,
                    num_hidden_layers: self.layers,
                    encoder_attention_heads: self.heads,
                    decoder_attention_heads: self.heads,
                    encoder_ffn_dim: self.intermediate,
                    decoder_ffn_dim: self.intermediate,
                    max_position_embeddings: self.max_positions,
                    vocab_size: vocab_size as i64,
                    num_labels: (!self.labels.is_empty()).then_some(self.labels.len() as i64),
                    id2label: self.id2label(),
                    label2id: self.label2id(),
                    ..Default::default()
                };
                match self.head {
                    Head::ConditionalGeneration => {
                        let _ = BartForConditionalGeneration::new(&root, &c);
                    }
                    Head::SequenceClassification => {
                        let _ = BartForSequenceClassification::new(&root, &c).map_err(rb)?;
                    }
                    _ => return Err(self.unsupported()),
                }
                to_json(&c)?
            }
            Architecture::T5 => {
                let c = T5Config {
                    d_model: self.hidden,
                    d_ff: self.intermediate,
                    d_kv: self.hidden / self.heads,
                    num_heads: self.heads,
                    num_layers: self.layers,
                    relative_attention_num_buckets: 8,
                    vocab_size: vocab_size as i64,
                    decoder_start_token_id: Some(0),
                    pad_token_id: Some(0),
                    eos_token_id: Some(1),
                    ..Default::default()
                };
                match self.head {
                    Head::ConditionalGeneration => {
                        let _ = T5ForConditionalGeneration::new(&root, &c);
                    }
                    _ => return Err(self.unsupported()),
                }
                to_json(&c)?
            }
            _ => return Err(self.unsupported()),
        };
        config["model_type"] = json!(self.arch.model_type());
        if let Some(obj) = config.as_object_mut() {
            obj.retain(|_, v| !v.is_null());
        }
        let config_path = dir.join("config.json");
        write_text(&config_path, &pretty(&config)?)?;
        let weights = dir.join(match self.format {
            WeightsFormat::SafeTensors => "model.safetensors",
            WeightsFormat::LibTorch => "rust_model.ot",
        });
        vs.save(&weights)
            .map_err(|e| Error::tch(format!("saving {}", weights.display()), e))?;
        Ok(TinyModelFiles {
            dir: dir.to_path_buf(),
            config: config_path,
            weights,
            vocab_size,
        })
    }

    fn unsupported(&self) -> Error {
        Error::InvalidInput(format!(
            "TinyModel has no {:?} head for {}",
            self.head, self.arch
        ))
    }

    fn write_tokenizer(&self, dir: &Path) -> Result<usize> {
        let tok_err = |path: &Path, e: Box<dyn std::error::Error + Send + Sync>| Error::Tokenizer {
            path: path.to_path_buf(),
            source: e,
        };
        match self.tokenizer {
            TinyTokenizer::WordPieceVocab | TinyTokenizer::WordPieceJson => {
                let vocab = wordpiece_vocab(self.lowercase);
                if self.tokenizer == TinyTokenizer::WordPieceVocab {
                    write_text(&dir.join("vocab.txt"), &(vocab.join("\n") + "\n"))?;
                } else {
                    let path = dir.join("tokenizer.json");
                    // Built from a scratch vocab.txt, removed afterwards so that the
                    // directory's only tokenizer file is tokenizer.json.
                    let scratch = dir.join("vocab.txt");
                    write_text(&scratch, &(vocab.join("\n") + "\n"))?;
                    let wp = WordPiece::from_file(&scratch.display().to_string())
                        .unk_token("[UNK]".into())
                        .build()
                        .map_err(|e| tok_err(&path, e))?;
                    std::fs::remove_file(&scratch).map_err(|e| Error::io(&scratch, e))?;
                    let mut t = Tokenizer::new(wp);
                    t.with_normalizer(Some(BertNormalizer::new(true, true, None, self.lowercase)));
                    t.with_pre_tokenizer(Some(BertPreTokenizer));
                    t.with_post_processor(Some(BertProcessing::new(
                        ("[SEP]".into(), 3),
                        ("[CLS]".into(), 2),
                    )));
                    t.save(&path, false).map_err(|e| tok_err(&path, e))?;
                }
                write_text(
                    &dir.join("tokenizer_config.json"),
                    &pretty(&json!({ "do_lower_case": self.lowercase }))?,
                )?;
                Ok(vocab.len())
            }
            TinyTokenizer::ByteLevelBpe => {
                let (vocab, merges) = byte_level_bpe(self.lowercase);
                let map: BTreeMap<&str, usize> = vocab
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (t.as_str(), i))
                    .collect();
                write_text(&dir.join("vocab.json"), &pretty(&json!(map))?)?;
                let mut m = String::from("#version: 0.2\n");
                for (a, b) in &merges {
                    m.push_str(&format!("{a} {b}\n"));
                }
                write_text(&dir.join("merges.txt"), &m)?;
                Ok(vocab.len())
            }
            TinyTokenizer::UnigramJson => {
                let pieces = unigram_pieces(&["<s>", "<pad>", "</s>", "<unk>"], self.lowercase);
                let path = dir.join("tokenizer.json");
                let model =
                    Unigram::from(pieces.clone(), Some(3), false).map_err(|e| tok_err(&path, e))?;
                let mut t = Tokenizer::new(model);
                t.with_pre_tokenizer(Some(Metaspace::new('▁', PrependScheme::Always, true)));
                let post = TemplateProcessing::builder()
                    .try_single("<s> $A </s>")
                    .map_err(|e| tok_err(&path, e.into()))?
                    .special_tokens(vec![("<s>", 0), ("</s>", 2)])
                    .build()
                    .map_err(|e| tok_err(&path, e.into()))?;
                t.with_post_processor(Some(post));
                t.save(&path, false).map_err(|e| tok_err(&path, e))?;
                Ok(pieces.len())
            }
            TinyTokenizer::XlmSentencePiece => {
                let pieces = unigram_pieces(&["<unk>", "<s>", "</s>"], self.lowercase);
                let pieces: Vec<(String, f32)> =
                    pieces.into_iter().map(|(p, s)| (p, s as f32)).collect();
                write_sentencepiece_model(&dir.join("sentencepiece.bpe.model"), &pieces)?;
                // rust_tokenizers maps the file's three specials to four fairseq ones and
                // appends <mask>.
                Ok(pieces.len() + 2)
            }
            TinyTokenizer::SentencePiece => {
                let pieces = unigram_pieces(&["<pad>", "</s>", "<unk>"], self.lowercase);
                let pieces: Vec<(String, f32)> =
                    pieces.into_iter().map(|(p, s)| (p, s as f32)).collect();
                write_sentencepiece_model(&dir.join("spiece.model"), &pieces)?;
                Ok(pieces.len())
            }
        }
    }
}

fn to_json<T: serde::Serialize>(c: &T) -> Result<Value> {
    serde_json::to_value(c).map_err(|e| Error::InvalidInput(format!("config: {e}")))
}

fn pretty(v: &Value) -> Result<String> {
    serde_json::to_string_pretty(v).map_err(|e| Error::InvalidInput(format!("json: {e}")))
}

fn write_text(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

fn letters(lowercase: bool) -> Vec<char> {
    let mut out: Vec<char> = ('a'..='z').collect();
    if !lowercase {
        out.extend('A'..='Z');
    }
    out.extend('0'..='9');
    out.extend("éèáíóúñüöäç".chars());
    out
}

fn cap(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The WordPiece vocabulary of the tiny models: `[PAD]`, `[UNK]`, `[CLS]`, `[SEP]`, `[MASK]`,
/// the [`TINY_WORDS`] (and capitalised forms when cased), single characters and `##`
/// continuations.
pub fn wordpiece_vocab(lowercase: bool) -> Vec<String> {
    let mut v: Vec<String> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for w in TINY_WORDS {
        v.push(w.to_string());
        if !lowercase {
            v.push(cap(w));
        }
    }
    for c in letters(lowercase) {
        v.push(c.to_string());
        v.push(format!("##{c}"));
    }
    for c in PUNCT.chars() {
        v.push(c.to_string());
    }
    dedup(v)
}

fn dedup(v: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    v.into_iter().filter(|t| seen.insert(t.clone())).collect()
}

/// GPT-2's byte-to-character map of byte-level BPE.
fn bytes_to_unicode() -> Vec<char> {
    let mut printable: Vec<u32> = (u32::from(b'!')..=u32::from(b'~')).collect();
    printable.extend(0xA1..=0xAC);
    printable.extend(0xAE..=0xFF);
    let mut map = vec!['\0'; 256];
    let mut n = 0;
    for b in 0..256u32 {
        let c = if printable.contains(&b) {
            b
        } else {
            n += 1;
            255 + n
        };
        map[b as usize] = char::from_u32(c).unwrap_or('?');
    }
    map
}

/// A byte-level BPE vocabulary (`<s>`, `<pad>`, `</s>`, `<unk>`, the 256 byte characters,
/// `<mask>`, and merged forms of the [`TINY_WORDS`] with a leading space) and its merges.
pub fn byte_level_bpe(lowercase: bool) -> (Vec<String>, Vec<(String, String)>) {
    let b2u = bytes_to_unicode();
    let mut vocab: Vec<String> = ["<s>", "<pad>", "</s>", "<unk>"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    vocab.extend(b2u.iter().map(|c| c.to_string()));
    vocab.push("<mask>".into());
    let mut merges = Vec::new();
    let space = b2u[b' ' as usize];
    let mut words: Vec<String> = TINY_WORDS.iter().map(|w| w.to_string()).collect();
    if !lowercase {
        words.extend(TINY_WORDS.iter().map(|w| cap(w)));
    }
    for w in words {
        let chars: Vec<String> = std::iter::once(space.to_string())
            .chain(w.bytes().map(|b| b2u[b as usize].to_string()))
            .collect();
        let mut acc = chars[0].clone();
        for c in &chars[1..] {
            let merged = format!("{acc}{c}");
            if !vocab.contains(&merged) {
                merges.push((acc.clone(), c.clone()));
                vocab.push(merged.clone());
            }
            acc = merged;
        }
    }
    (vocab, merges)
}

/// Unigram pieces: the given specials, `▁`, `▁word` for the [`TINY_WORDS`], single
/// characters, with log-probability-like scores.
pub fn unigram_pieces(specials: &[&str], lowercase: bool) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = specials.iter().map(|s| (s.to_string(), 0.0)).collect();
    out.push(("▁".into(), -2.0));
    for w in TINY_WORDS {
        out.push((format!("▁{w}"), -3.0));
        if !lowercase {
            out.push((format!("▁{}", cap(w)), -3.5));
        }
    }
    for c in letters(lowercase).into_iter().chain(PUNCT.chars()) {
        out.push((c.to_string(), -5.0));
        out.push((format!("▁{c}"), -5.5));
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|(p, _)| seen.insert(p.clone()));
    out
}

fn varint(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// Writes a minimal SentencePiece `ModelProto` (pieces with scores; the first three pieces
/// are marked control/unknown as T5 expects) that rust_tokenizers can read.
///
/// # Errors
/// [`Error::Io`].
pub fn write_sentencepiece_model(path: &Path, pieces: &[(String, f32)]) -> Result<()> {
    let mut out = Vec::new();
    for (i, (piece, score)) in pieces.iter().enumerate() {
        let mut msg = Vec::new();
        msg.push(0x0a); // field 1: piece (string)
        varint(piece.len() as u64, &mut msg);
        msg.extend_from_slice(piece.as_bytes());
        msg.push(0x15); // field 2: score (float)
        msg.extend_from_slice(&score.to_le_bytes());
        let kind = if piece == "<unk>" {
            2
        } else if i < 3 && piece.starts_with('<') {
            3
        } else {
            1
        };
        msg.push(0x18); // field 3: type (enum)
        varint(kind, &mut msg);
        out.push(0x0a); // ModelProto field 1: repeated SentencePiece
        varint(msg.len() as u64, &mut out);
        out.extend_from_slice(&msg);
    }
    std::fs::write(path, out).map_err(|e| Error::io(path, e))
}

/// Pseudo-news text of about `words` words for tests and benchmarks: sentences with
/// capitalised names, numbers, punctuation, quotes, accented and non-Latin letters, and
/// paragraph breaks. Deterministic for a seed.
pub fn news_text(words: usize, seed: u64) -> String {
    const NAMES: [&str; 12] = [
        "Ales Bialiatski",
        "Maria Kalesnikava",
        "John Cole",
        "Alexandr Lukashenko",
        "Sviatlana Tsikhanouskaya",
        "Viktor Babariko",
        "Kolésnikova",
        "Zürich",
        "Минск",
        "New York",
        "United States",
        "Vilnius",
    ];
    const FILLER: [&str; 24] = [
        "the",
        "government",
        "said",
        "on",
        "Tuesday",
        "that",
        "prisoners",
        "were",
        "freed",
        "after",
        "talks",
        "with",
        "officials",
        "in",
        "the",
        "capital",
        "and",
        "a",
        "court",
        "ruled",
        "last",
        "week",
        "—",
        "reportedly",
    ];
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move |n: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % n.max(1)
    };
    let mut out = String::new();
    let mut count = 0;
    let mut sentence_len = 0;
    while count < words {
        if sentence_len == 0 && !out.is_empty() {
            out.push_str(if next(6) == 0 { "\n\n" } else { " " });
        } else if !out.is_empty() {
            out.push(' ');
        }
        let piece = match next(10) {
            0 | 1 => NAMES[next(NAMES.len())].to_string(),
            2 => format!("{}", 10 + next(990)),
            3 => format!("“{}”", FILLER[next(FILLER.len())]),
            _ => FILLER[next(FILLER.len())].to_string(),
        };
        let piece = if sentence_len == 0 {
            cap(&piece)
        } else {
            piece
        };
        count += piece.split_whitespace().count();
        out.push_str(&piece);
        sentence_len += 1;
        if sentence_len > 8 && next(4) == 0 {
            out.push_str(if next(5) == 0 { "," } else { "." });
            if out.ends_with('.') {
                sentence_len = 0;
            }
        }
    }
    out.push('.');
    out
}

/// Truncates a file to `len` bytes (for bad-file tests).
///
/// # Errors
/// [`Error::Io`].
pub fn truncate_file(path: &Path, len: u64) -> Result<()> {
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    f.set_len(len).map_err(|e| Error::io(path, e))
}

/// Makes libtorch use one thread: test suites run tests in parallel on shared cores, where
/// OpenMP's spin-waiting makes multi-threaded forward passes many times slower.
pub fn one_libtorch_thread() {
    crate::ThreadPlan::with_cores(1, 1, None).apply();
}

/// Resolve options that look only inside `root`, never in the user's real cache, models or
/// checkout: the cache is `root/cache`, the models directory `root/models` and the repository
/// state `root/.lede`. Downloads are allowed (set `.offline(true)` to forbid them).
pub fn isolated_options(root: &Path) -> crate::ResolveOptions {
    crate::ResolveOptions {
        offline: false,
        locations: crate::Locations {
            cache_dir: Some(root.join("cache")),
            models_dirs: vec![root.join("models")],
            repo_state_dir: Some(root.join(".lede")),
        },
    }
}

/// Edits a JSON file in place (for bad-config tests).
///
/// # Errors
/// [`Error::Io`], [`Error::Json`].
pub fn edit_json(path: &Path, edit: impl FnOnce(&mut Value)) -> Result<()> {
    let mut v = crate::files::read_json(path)?;
    edit(&mut v);
    write_text(path, &pretty(&v)?)
}
