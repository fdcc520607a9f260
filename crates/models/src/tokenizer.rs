//! Subword tokenization for the models: a Hugging Face `tokenizers` tokenizer loaded from a
//! model's files, giving pieces with byte offsets into the original text.

use std::path::{Path, PathBuf};

use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::decoders::wordpiece::WordPiece as WordPieceDecoder;
use tokenizers::models::bpe::BPE;
use tokenizers::models::wordpiece::WordPiece;
use tokenizers::normalizers::bert::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::processors::bert::BertProcessing;
use tokenizers::processors::roberta::RobertaProcessing;
use tokenizers::Tokenizer;

use std::sync::Arc;

use rust_bert::pipelines::common::{ModelType, TokenizerOption};

use crate::files::{Architecture, ModelFiles, TokenizerFiles};
use crate::{Error, Result};

/// One subword piece of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    /// Vocabulary id.
    pub id: u32,
    /// Byte offset of its first byte in the encoded text.
    pub start: usize,
    /// Byte offset one past its last byte. `start == end` for pieces that stand for no text
    /// (markers a model inserts).
    pub end: usize,
}

#[derive(Clone)]
enum Backend {
    Hf(Box<Tokenizer>),
    SentencePiece(Arc<TokenizerOption>),
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Backend::Hf(_) => f.write_str("Hf"),
            Backend::SentencePiece(_) => f.write_str("SentencePiece"),
        }
    }
}

/// A model's subword tokenizer.
///
/// Built from `tokenizer.json` when present (any model), else from `vocab.txt` (BERT-style
/// WordPiece, lower-cased when `tokenizer_config.json` says `do_lower_case` or, without one,
/// when the vocabulary has no upper-case entries), `vocab.json` + `merges.txt` (byte-level
/// BPE, RoBERTa-style), or, for XLM-RoBERTa, `sentencepiece.bpe.model` (through rust-bert's
/// rust_tokenizers). Truncation and padding configured in `tokenizer.json` are switched off:
/// windows and batches are lede's job.
#[derive(Debug, Clone)]
pub struct SubwordTokenizer {
    inner: Backend,
    path: PathBuf,
    prefix: Vec<u32>,
    suffix: Vec<u32>,
    pad_id: u32,
    max_id: u32,
}

fn tok_err(path: &Path, e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Error {
    Error::Tokenizer {
        path: path.to_path_buf(),
        source: e.into(),
    }
}

fn read_vocab_txt(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    Ok(text.lines().map(|l| l.trim_end().to_string()).collect())
}

impl SubwordTokenizer {
    /// Loads the tokenizer of a resolved model.
    ///
    /// # Errors
    /// [`Error::Tokenizer`] naming the file when it cannot be parsed or lacks the special
    /// tokens its format needs; SentencePiece-only models (no `tokenizer.json`) are not
    /// supported yet and get an error that says so.
    pub fn from_files(files: &ModelFiles) -> Result<SubwordTokenizer> {
        let lower_cfg = files.tokenizer_config.do_lower_case;
        let (mut inner, path) = match &files.tokenizer {
            TokenizerFiles::Json(p) => (Tokenizer::from_file(p).map_err(|e| tok_err(p, e))?, p),
            TokenizerFiles::WordPiece { vocab } => {
                let entries = read_vocab_txt(vocab)?;
                let has = |t: &str| entries.iter().position(|e| e == t).map(|i| i as u32);
                let (cls, sep) = match (has("[CLS]"), has("[SEP]")) {
                    (Some(c), Some(s)) => (c, s),
                    _ => {
                        return Err(tok_err(
                            vocab,
                            "a WordPiece vocab.txt needs [CLS] and [SEP] entries",
                        ))
                    }
                };
                let unk = ["[UNK]", "<unk>"]
                    .into_iter()
                    .find(|t| has(t).is_some())
                    .ok_or_else(|| tok_err(vocab, "vocab.txt has no [UNK] entry"))?;
                let cased_vocab = entries.iter().any(|e| {
                    !(e.starts_with('[') && e.ends_with(']')) && e.chars().any(|c| c.is_uppercase())
                });
                let lowercase = lower_cfg.unwrap_or(!cased_vocab);
                let vocab_str = vocab
                    .to_str()
                    .ok_or_else(|| tok_err(vocab, "path is not UTF-8"))?;
                let wp = WordPiece::from_file(vocab_str)
                    .unk_token(unk.to_string())
                    .build()
                    .map_err(|e| tok_err(vocab, e))?;
                let mut t = Tokenizer::new(wp);
                t.with_normalizer(Some(BertNormalizer::new(
                    true,
                    true,
                    files.tokenizer_config.strip_accents,
                    lowercase,
                )));
                t.with_pre_tokenizer(Some(BertPreTokenizer));
                t.with_post_processor(Some(BertProcessing::new(
                    ("[SEP]".into(), sep),
                    ("[CLS]".into(), cls),
                )));
                t.with_decoder(Some(WordPieceDecoder::default()));
                (t, vocab)
            }
            TokenizerFiles::Bpe { vocab, merges } => {
                let (v, m) = match (vocab.to_str(), merges.to_str()) {
                    (Some(v), Some(m)) => (v, m),
                    _ => return Err(tok_err(vocab, "path is not UTF-8")),
                };
                let bpe = BPE::from_file(v, m)
                    .build()
                    .map_err(|e| tok_err(vocab, e))?;
                let mut t = Tokenizer::new(bpe);
                let (cls, sep) = match (t.token_to_id("<s>"), t.token_to_id("</s>")) {
                    (Some(c), Some(s)) => (c, s),
                    _ => {
                        return Err(tok_err(
                            vocab,
                            "a byte-level BPE vocab.json needs <s> and </s> entries",
                        ))
                    }
                };
                let prefix_space = files.tokenizer_config.add_prefix_space.unwrap_or(false);
                t.with_pre_tokenizer(Some(ByteLevel::new(prefix_space, true, true)));
                t.with_decoder(Some(ByteLevelDecoder::default()));
                t.with_post_processor(Some(
                    RobertaProcessing::new(("</s>".into(), sep), ("<s>".into(), cls))
                        .trim_offsets(true)
                        .add_prefix_space(prefix_space),
                ));
                (t, vocab)
            }
            TokenizerFiles::SentencePiece(p) => return Self::sentencepiece(files, p),
        };
        let path = path.clone();
        inner.with_truncation(None).map_err(|e| tok_err(&path, e))?;
        inner.with_padding(None);

        // Special tokens the post-processor adds around one sequence.
        let probe = "a";
        let with = inner.encode(probe, true).map_err(|e| tok_err(&path, e))?;
        let mask = with.get_special_tokens_mask();
        let ids = with.get_ids();
        let lead = mask.iter().take_while(|m| **m == 1).count();
        let trail = mask.iter().rev().take_while(|m| **m == 1).count();
        let (prefix, suffix) = if lead + trail <= ids.len() {
            (ids[..lead].to_vec(), ids[ids.len() - trail..].to_vec())
        } else {
            (Vec::new(), Vec::new())
        };
        let pad_id = inner
            .get_padding()
            .map(|p| p.pad_id)
            .or_else(|| {
                ["[PAD]", "<pad>", "<PAD>"]
                    .into_iter()
                    .find_map(|t| inner.token_to_id(t))
            })
            .unwrap_or(0);
        let max_id = inner.get_vocab(true).values().copied().max().unwrap_or(0);
        Ok(SubwordTokenizer {
            inner: Backend::Hf(Box::new(inner)),
            path,
            prefix,
            suffix,
            pad_id,
            max_id,
        })
    }

    fn sentencepiece(files: &ModelFiles, path: &Path) -> Result<SubwordTokenizer> {
        if files.architecture != Architecture::XlmRoberta {
            return Err(tok_err(
                path,
                format!(
                    "a SentencePiece model without tokenizer.json is supported for xlm-roberta \
                     only, not {}; add the model's tokenizer.json",
                    files.architecture
                ),
            ));
        }
        let p = path
            .to_str()
            .ok_or_else(|| tok_err(path, "path is not UTF-8"))?;
        let lower = files.tokenizer_config.do_lower_case.unwrap_or(false);
        let tok = TokenizerOption::from_file(ModelType::XLMRoberta, p, None, lower, None, None)
            .map_err(|e| tok_err(path, e))?;
        let id = |v: Option<i64>, what: &str| {
            v.and_then(|v| u32::try_from(v).ok()).ok_or_else(|| {
                tok_err(path, format!("the SentencePiece model has no {what} token"))
            })
        };
        let bos = id(tok.get_bos_id(), "<s>")?;
        let sep = id(tok.get_sep_id(), "</s>")?;
        let pad = id(tok.get_pad_id(), "<pad>")?;
        // XLM-R's vocabulary ends with <mask>.
        let max_id = tok
            .convert_tokens_to_ids(&["<mask>"])
            .first()
            .and_then(|&i| u32::try_from(i).ok())
            .unwrap_or(0);
        Ok(SubwordTokenizer {
            inner: Backend::SentencePiece(Arc::new(tok)),
            path: path.to_path_buf(),
            prefix: vec![bos],
            suffix: vec![sep],
            pad_id: pad,
            max_id,
        })
    }

    /// The pieces of `text`, without special tokens, with byte offsets into `text`.
    ///
    /// # Errors
    /// [`Error::Tokenizer`] if the tokenizer fails.
    pub fn encode(&self, text: &str) -> Result<Vec<Piece>> {
        let len = text.len();
        // Offsets are clamped and snapped to char boundaries defensively, so that every
        // piece slices `text`.
        let snap = |s: usize, e: usize| {
            let mut s = s.min(len);
            let mut e = e.min(len).max(s);
            while !text.is_char_boundary(s) {
                s -= 1;
            }
            while !text.is_char_boundary(e) {
                e += 1;
            }
            (s, e)
        };
        match &self.inner {
            Backend::Hf(t) => {
                let enc = t.encode(text, false).map_err(|e| tok_err(&self.path, e))?;
                // Offsets are bytes of the original text.
                Ok(enc
                    .get_ids()
                    .iter()
                    .zip(enc.get_offsets())
                    .map(|(&id, &(s, e))| {
                        let (start, end) = snap(s, e);
                        Piece { id, start, end }
                    })
                    .collect())
            }
            Backend::SentencePiece(t) => {
                // rust_tokenizers gives char offsets.
                let bytes: Vec<usize> = text
                    .char_indices()
                    .map(|(i, _)| i)
                    .chain(std::iter::once(len))
                    .collect();
                let byte = |c: u32| bytes.get(c as usize).copied().unwrap_or(len);
                let tokens = t.tokenize_with_offsets(text);
                let ids = t.convert_tokens_to_ids(&tokens.tokens);
                let mut last = 0;
                Ok(ids
                    .into_iter()
                    .zip(tokens.offsets)
                    .map(|(id, off)| {
                        let (start, end) = match off {
                            Some(o) => snap(byte(o.begin), byte(o.end)),
                            None => (last, last),
                        };
                        last = end;
                        Piece {
                            id: u32::try_from(id).unwrap_or(0),
                            start,
                            end,
                        }
                    })
                    .collect())
            }
        }
    }

    /// Ids with the model's special tokens around them (`[CLS] ids [SEP]`, `<s> ids </s>`).
    pub fn wrap(&self, ids: &[u32]) -> Vec<u32> {
        let mut out = Vec::with_capacity(ids.len() + self.num_special());
        out.extend_from_slice(&self.prefix);
        out.extend_from_slice(ids);
        out.extend_from_slice(&self.suffix);
        out
    }

    /// Number of special tokens [`SubwordTokenizer::wrap`] adds.
    pub fn num_special(&self) -> usize {
        self.prefix.len() + self.suffix.len()
    }

    /// Number of special tokens before the text.
    pub fn num_prefix(&self) -> usize {
        self.prefix.len()
    }

    /// The padding id.
    pub fn pad_id(&self) -> u32 {
        self.pad_id
    }

    /// The largest id the tokenizer can produce.
    pub fn max_id(&self) -> u32 {
        self.max_id
    }

    /// The id of a token string.
    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        match &self.inner {
            Backend::Hf(t) => t.token_to_id(token),
            Backend::SentencePiece(t) => t
                .convert_tokens_to_ids(&[token])
                .first()
                .and_then(|&i| u32::try_from(i).ok())
                .filter(|&i| i64::from(i) != t.get_unk_id() || token == "<unk>"),
        }
    }

    /// The string of an id.
    pub fn id_to_token(&self, id: u32) -> Option<String> {
        match &self.inner {
            Backend::Hf(t) => t.id_to_token(id),
            Backend::SentencePiece(t) => Some(t.decode(&[i64::from(id)], false, false)),
        }
    }

    /// The file it was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying Hugging Face tokenizer (`None` for a SentencePiece model read by
    /// rust_tokenizers).
    pub fn hf(&self) -> Option<&Tokenizer> {
        match &self.inner {
            Backend::Hf(t) => Some(t),
            Backend::SentencePiece(_) => None,
        }
    }
}
