//! The models' subword encoder: a [`lede_tokenize::SubwordEncoder`] configured from a
//! model's tokenizer files (see [`subword_encoder`]).

use std::path::Path;

use lede_tokenize::SubwordEncoder;
use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::models::bpe::BPE;
use tokenizers::models::unigram::Unigram;
use tokenizers::normalizers::unicode::NFKC;
use tokenizers::normalizers::utils::{Lowercase, Sequence as NormalizerSequence};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::metaspace::{Metaspace, PrependScheme};
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::processors::roberta::RobertaProcessing;
use tokenizers::processors::template::TemplateProcessing;
use tokenizers::{AddedToken, Tokenizer};

use crate::files::{Architecture, ModelFiles, TokenizerFiles};
use crate::{Error, Result};

/// Padding tokens, in order of preference.
const PAD_TOKENS: [&str; 3] = ["[PAD]", "<pad>", "<PAD>"];

fn tok_err(path: &Path, e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Error {
    Error::Tokenizer {
        path: path.to_path_buf(),
        source: e.into(),
    }
}

/// The subword encoder of a resolved model, the one encoder type lede uses for every model.
///
/// * `tokenizer.json` (any model: WordPiece, byte-level BPE, Unigram, ...): loaded as is.
/// * `vocab.txt` (BERT-style WordPiece): lower-cased when `tokenizer_config.json` says
///   `do_lower_case` or, without a setting, when the vocabulary has no upper-case entries;
///   accents as `strip_accents` says; `[UNK]` or `<unk>` as the unknown token.
/// * `vocab.json` + `merges.txt` (byte-level BPE, RoBERTa-style): `<s> … </s>` around a
///   sequence.
/// * `sentencepiece.bpe.model` of an XLM-RoBERTa model (no `tokenizer.json`): read into a
///   Unigram tokenizer in fairseq's id layout (`<s>`, `<pad>`, `</s>`, `<unk>`, the pieces,
///   `<mask>`), NFKC-normalised, lower-cased when `do_lower_case` says so. Other
///   SentencePiece-only models are refused with an error that asks for their
///   `tokenizer.json`.
///
/// The encoder splits text into word tokens and encodes each word on its own, so a byte-level
/// pre-tokenizer is set to add a prefix space (every word is encoded as a word that follows
/// a space, as in running text, not as the start of a text). The pad id is the source's
/// padding id, else the first of `[PAD]`, `<pad>`, `<PAD>` in the vocabulary, else 0.
///
/// # Errors
/// [`Error::Tokenizer`] naming the file when it cannot be read or parsed, or lacks the
/// special tokens its format needs.
pub fn subword_encoder(files: &ModelFiles) -> Result<SubwordEncoder> {
    let cfg = &files.tokenizer_config;
    let path = files.tokenizer.path().to_path_buf();
    let encoder = match &files.tokenizer {
        TokenizerFiles::Json(p) => {
            let mut t = Tokenizer::from_file(p).map_err(|e| tok_err(p, e))?;
            prefix_space_for_words(&mut t);
            with_pad_token(SubwordEncoder::from_tokenizer(t.clone()), &t).build()
        }
        TokenizerFiles::WordPiece { vocab } => {
            let text = std::fs::read_to_string(vocab).map_err(|e| Error::io(vocab, e))?;
            let entries: Vec<&str> = text.lines().map(str::trim_end).collect();
            let has = |t: &str| entries.contains(&t);
            let unk = ["[UNK]", "<unk>"]
                .into_iter()
                .find(|t| has(t))
                .ok_or_else(|| tok_err(vocab, "vocab.txt has no [UNK] entry"))?;
            let cased_vocab = entries.iter().any(|e| {
                !(e.starts_with('[') && e.ends_with(']')) && e.chars().any(char::is_uppercase)
            });
            let mut builder = SubwordEncoder::from_vocab(vocab)
                .lowercase(cfg.do_lower_case.unwrap_or(!cased_vocab))
                .unk_token(unk);
            if let Some(strip) = cfg.strip_accents {
                builder = builder.strip_accents(strip);
            }
            if let Some(pad) = PAD_TOKENS.into_iter().find(|t| has(t)) {
                builder = builder.pad_token(pad);
            }
            builder.build()
        }
        TokenizerFiles::Bpe { vocab, merges } => {
            let t = byte_level_bpe(vocab, merges)?;
            with_pad_token(SubwordEncoder::from_tokenizer(t.clone()), &t).build()
        }
        TokenizerFiles::SentencePiece(p) => {
            if files.architecture != Architecture::XlmRoberta {
                return Err(tok_err(
                    p,
                    format!(
                        "a SentencePiece model without tokenizer.json is supported for \
                         xlm-roberta only, not {}; add the model's tokenizer.json",
                        files.architecture
                    ),
                ));
            }
            let t = xlm_sentencepiece(p, cfg.do_lower_case.unwrap_or(false))?;
            with_pad_token(SubwordEncoder::from_tokenizer(t.clone()), &t).build()
        }
    };
    encoder.map_err(|e| tok_err(&path, e))
}

/// The largest id an encoder can produce (added tokens included).
pub(crate) fn max_id(encoder: &SubwordEncoder) -> u32 {
    encoder
        .tokenizer()
        .get_vocab(true)
        .values()
        .copied()
        .max()
        .unwrap_or(0)
}

fn with_pad_token(
    builder: lede_tokenize::SubwordEncoderBuilder,
    t: &Tokenizer,
) -> lede_tokenize::SubwordEncoderBuilder {
    match PAD_TOKENS.into_iter().find(|p| t.token_to_id(p).is_some()) {
        Some(pad) => builder.pad_token(pad),
        None => builder,
    }
}

/// Words are encoded one by one: a byte-level pre-tokenizer without a prefix space would
/// encode each as the first word of a text (`Minsk`, not `ĠMinsk`).
fn prefix_space_for_words(t: &mut Tokenizer) {
    if let Some(PreTokenizerWrapper::ByteLevel(b)) = t.get_pre_tokenizer() {
        if !b.add_prefix_space {
            let b = ByteLevel::new(true, b.trim_offsets, b.use_regex);
            t.with_pre_tokenizer(Some(b));
        }
    }
}

fn byte_level_bpe(vocab: &Path, merges: &Path) -> Result<Tokenizer> {
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
    t.with_pre_tokenizer(Some(ByteLevel::new(true, true, true)));
    t.with_decoder(Some(ByteLevelDecoder::default()));
    t.with_post_processor(Some(
        RobertaProcessing::new(("</s>".into(), sep), ("<s>".into(), cls))
            .trim_offsets(true)
            .add_prefix_space(true),
    ));
    let specials: Vec<AddedToken> = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
        .into_iter()
        .filter(|s| t.token_to_id(s).is_some())
        .map(|s| AddedToken::from(s, true))
        .collect();
    t.add_special_tokens(&specials);
    Ok(t)
}

/// One piece of a SentencePiece model.
struct SpPiece {
    piece: String,
    score: f32,
}

/// The pieces of a SentencePiece `ModelProto` (field 1, repeated `SentencePiece { piece = 1,
/// score = 2, type = 3 }`), and the model type of its trainer spec (field 2, `model_type = 3`:
/// 1 unigram, 2 BPE; unigram when absent).
fn read_sentencepiece(path: &Path) -> Result<(Vec<SpPiece>, u64)> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let bad = |what: &str| tok_err(path, format!("not a SentencePiece model: {what}"));
    let mut pieces = Vec::new();
    let mut model_type = 1;
    let mut outer = ProtoReader::new(&bytes);
    while let Some((field, value)) = outer.next().map_err(bad)? {
        match (field, value) {
            (1, Value::Bytes(msg)) => {
                let mut piece = None;
                let mut score = 0.0;
                let mut inner = ProtoReader::new(msg);
                while let Some((f, v)) = inner.next().map_err(bad)? {
                    match (f, v) {
                        (1, Value::Bytes(s)) => {
                            piece = Some(
                                std::str::from_utf8(s)
                                    .map_err(|_| bad("a piece is not UTF-8"))?
                                    .to_string(),
                            )
                        }
                        (2, Value::Fixed32(b)) => score = f32::from_le_bytes(b),
                        _ => {}
                    }
                }
                let piece = piece.ok_or_else(|| bad("a piece without text"))?;
                pieces.push(SpPiece { piece, score });
            }
            (2, Value::Bytes(msg)) => {
                let mut inner = ProtoReader::new(msg);
                while let Some((f, v)) = inner.next().map_err(bad)? {
                    if let (3, Value::Varint(t)) = (f, v) {
                        model_type = t;
                    }
                }
            }
            _ => {}
        }
    }
    if pieces.len() < 3 {
        return Err(bad("fewer than three pieces"));
    }
    Ok((pieces, model_type))
}

/// XLM-RoBERTa's `sentencepiece.bpe.model` as a Unigram tokenizer with fairseq's ids: the
/// file's first three pieces (`<unk>`, `<s>`, `</s>`) give way to `<s>` 0, `<pad>` 1, `</s>`
/// 2, `<unk>` 3; the other pieces follow, shifted by one, and `<mask>` comes last.
fn xlm_sentencepiece(path: &Path, lowercase: bool) -> Result<Tokenizer> {
    let (pieces, model_type) = read_sentencepiece(path)?;
    if model_type != 1 {
        return Err(tok_err(
            path,
            format!(
                "SentencePiece model type {model_type} is not unigram; add the model's \
                 tokenizer.json"
            ),
        ));
    }
    let mut vocab: Vec<(String, f64)> = ["<s>", "<pad>", "</s>", "<unk>"]
        .into_iter()
        .map(|s| (s.to_string(), 0.0))
        .collect();
    vocab.extend(
        pieces
            .iter()
            .skip(3)
            .map(|p| (p.piece.clone(), f64::from(p.score))),
    );
    vocab.push(("<mask>".into(), 0.0));
    let model = Unigram::from(vocab, Some(3), false).map_err(|e| tok_err(path, e))?;
    let mut t = Tokenizer::new(model);
    if lowercase {
        t.with_normalizer(Some(NormalizerSequence::new(vec![
            NFKC.into(),
            Lowercase.into(),
        ])));
    } else {
        t.with_normalizer(Some(NFKC));
    }
    t.with_pre_tokenizer(Some(Metaspace::new('▁', PrependScheme::Always, true)));
    t.with_decoder(Some(Metaspace::new('▁', PrependScheme::Always, true)));
    let post = TemplateProcessing::builder()
        .try_single("<s> $A </s>")
        .and_then(|b| b.try_pair("<s> $A </s> </s> $B </s>"))
        .map_err(|e| tok_err(path, e))?
        .special_tokens(vec![("<s>", 0), ("</s>", 2)])
        .build()
        .map_err(|e| tok_err(path, e))?;
    t.with_post_processor(Some(post));
    let specials: Vec<AddedToken> = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
        .into_iter()
        .map(|s| AddedToken::from(s, true))
        .collect();
    t.add_special_tokens(&specials);
    Ok(t)
}

/// A protobuf field value (the wire types SentencePiece models use).
enum Value<'a> {
    Varint(u64),
    Fixed64,
    Bytes(&'a [u8]),
    Fixed32([u8; 4]),
}

/// A minimal protobuf reader: `(field number, value)` pairs of one message.
struct ProtoReader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> ProtoReader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        ProtoReader { bytes, at: 0 }
    }

    fn varint(&mut self) -> std::result::Result<u64, &'static str> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.bytes.get(self.at).ok_or("truncated varint")?;
            self.at += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("varint too long")
    }

    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], &'static str> {
        let end = self.at.checked_add(n).ok_or("length overflow")?;
        let out = self.bytes.get(self.at..end).ok_or("truncated field")?;
        self.at = end;
        Ok(out)
    }

    fn next(&mut self) -> std::result::Result<Option<(u64, Value<'a>)>, &'static str> {
        if self.at >= self.bytes.len() {
            return Ok(None);
        }
        let key = self.varint()?;
        let value = match key & 7 {
            0 => Value::Varint(self.varint()?),
            1 => {
                self.take(8)?;
                Value::Fixed64
            }
            2 => {
                let n = usize::try_from(self.varint()?).map_err(|_| "length overflow")?;
                Value::Bytes(self.take(n)?)
            }
            5 => {
                let b = self.take(4)?;
                Value::Fixed32([b[0], b[1], b[2], b[3]])
            }
            _ => return Err("unsupported wire type"),
        };
        Ok(Some((key >> 3, value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proto_reader_reads_fields_and_rejects_truncation() {
        // field 1 = "ab" (bytes), field 2 = 1.5f32, field 3 = 300 (varint).
        let mut msg = vec![0x0a, 2, b'a', b'b', 0x15];
        msg.extend_from_slice(&1.5f32.to_le_bytes());
        msg.extend_from_slice(&[0x18, 0xac, 0x02]);
        let mut r = ProtoReader::new(&msg);
        assert!(matches!(r.next(), Ok(Some((1, Value::Bytes(b"ab"))))));
        match r.next() {
            Ok(Some((2, Value::Fixed32(b)))) => assert_eq!(f32::from_le_bytes(b), 1.5),
            _ => panic!("field 2"),
        }
        assert!(matches!(r.next(), Ok(Some((3, Value::Varint(300))))));
        assert!(matches!(r.next(), Ok(None)));
        let mut short = ProtoReader::new(&msg[..3]);
        assert!(short.next().is_err());
    }
}
