//! Subword encoding through the Hugging Face `tokenizers` crate, aligned to word tokens and
//! to the original text.

use std::ops::Range;
use std::path::{Path, PathBuf};

use lede_core::{OffsetMap, Span, Token};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tokenizers::decoders::wordpiece::WordPiece as WordPieceDecoder;
use tokenizers::models::wordpiece::WordPiece;
use tokenizers::normalizers::bert::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::processors::bert::BertProcessing;
use tokenizers::{AddedToken, Encoding as HfEncoding, PostProcessor, Tokenizer};

use crate::{Error, Result, RuleWordTokenizer};

/// One subword of a [`SubwordSequence`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subword {
    /// The vocabulary entry (`"##ski"`, `"[CLS]"`).
    pub token: String,
    /// Its id (the same as the sequence's `ids` at this position).
    pub id: u32,
    /// Whether the post-processor added it (`[CLS]`, `[SEP]`, `<s>`, ...).
    pub special: bool,
    /// Index of the word token it belongs to; `None` for special tokens.
    pub word: Option<usize>,
    /// Where it is in the original text (byte and char offsets); `None` for special tokens.
    /// Lies inside its word's span. When the tokenizer's own offsets cannot be mapped back
    /// exactly, it is the whole word's span.
    pub span: Option<Span>,
}

/// A model-ready sequence of subwords: ids, attention mask, type ids, and the alignment of
/// each position to a word token and to the original text. All four vectors have the same
/// length.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SubwordSequence {
    /// Vocabulary ids, special tokens included.
    pub ids: Vec<u32>,
    /// Token type (segment) ids.
    pub type_ids: Vec<u32>,
    /// 1 for every position (no padding inside a sequence; see [`SubwordSequence::pad_batch`]).
    pub attention_mask: Vec<u32>,
    /// Per position: token string, special flag, word index and span.
    pub subwords: Vec<Subword>,
}

/// A padded batch of sequences, flattened row-major (`rows × cols`), as `i64` for tensor
/// libraries (`Tensor::from_slice(&batch.ids).view([rows, cols])`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PaddedBatch {
    /// Number of sequences.
    pub rows: usize,
    /// Length of the longest sequence.
    pub cols: usize,
    /// Ids, padded with the pad id.
    pub ids: Vec<i64>,
    /// 1 for real positions, 0 for padding.
    pub attention_mask: Vec<i64>,
    /// Type ids, padded with 0.
    pub type_ids: Vec<i64>,
}

impl SubwordSequence {
    /// Number of positions.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no positions at all.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The ids as `i64`.
    pub fn ids_i64(&self) -> Vec<i64> {
        self.ids.iter().map(|&v| i64::from(v)).collect()
    }

    /// The attention mask as `i64`.
    pub fn attention_mask_i64(&self) -> Vec<i64> {
        self.attention_mask.iter().map(|&v| i64::from(v)).collect()
    }

    /// The type ids as `i64`.
    pub fn type_ids_i64(&self) -> Vec<i64> {
        self.type_ids.iter().map(|&v| i64::from(v)).collect()
    }

    /// Positions of the subwords of word `word` (empty when the word has none here, e.g. a
    /// control char the normalizer dropped).
    pub fn word_subwords(&self, word: usize) -> Range<usize> {
        let first = self.subwords.iter().position(|s| s.word == Some(word));
        match first {
            Some(a) => {
                let len = self.subwords[a..]
                    .iter()
                    .take_while(|s| s.word == Some(word))
                    .count();
                a..a + len
            }
            None => 0..0,
        }
    }

    /// `(position, word)` for the first subword of every word, in order: where a token
    /// classifier reads one label per word.
    pub fn word_starts(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut last = None;
        for (p, s) in self.subwords.iter().enumerate() {
            if let Some(w) = s.word {
                if last != Some(w) {
                    out.push((p, w));
                    last = Some(w);
                }
            }
        }
        out
    }

    /// Pads sequences to the longest one with `pad_id` (see [`SubwordEncoder::pad_id`]).
    pub fn pad_batch(sequences: &[&SubwordSequence], pad_id: u32) -> PaddedBatch {
        let rows = sequences.len();
        let cols = sequences.iter().map(|s| s.len()).max().unwrap_or(0);
        let mut batch = PaddedBatch {
            rows,
            cols,
            ids: Vec::with_capacity(rows * cols),
            attention_mask: Vec::with_capacity(rows * cols),
            type_ids: Vec::with_capacity(rows * cols),
        };
        for s in sequences {
            let pad = cols - s.len();
            batch.ids.extend(s.ids.iter().map(|&v| i64::from(v)));
            batch
                .ids
                .extend(std::iter::repeat(i64::from(pad_id)).take(pad));
            batch
                .attention_mask
                .extend(s.attention_mask.iter().map(|&v| i64::from(v)));
            batch.attention_mask.extend(std::iter::repeat(0).take(pad));
            batch
                .type_ids
                .extend(s.type_ids.iter().map(|&v| i64::from(v)));
            batch.type_ids.extend(std::iter::repeat(0).take(pad));
        }
        batch
    }
}

/// A text's word tokens and the subword sequence of the whole text (with special tokens).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubwordEncoding {
    /// The word tokens; [`Subword::word`] indexes this.
    pub words: Vec<Token>,
    /// The subwords of the whole text, special tokens included, not truncated.
    pub sequence: SubwordSequence,
}

/// Where the encoder's tokenizer comes from.
#[derive(Debug, Clone)]
enum Source {
    None,
    TokenizerJson(PathBuf),
    TokenizerJsonBytes(Vec<u8>),
    Vocab(PathBuf),
    Tokenizer(Box<Tokenizer>),
}

/// Builds a [`SubwordEncoder`] from a `tokenizer.json`, a WordPiece `vocab.txt` or a ready
/// `tokenizers::Tokenizer`.
///
/// A `vocab.txt` (one token per line, the line number is the id) becomes a BERT tokenizer:
/// BERT normalizer (cleans control chars, splits CJK ideographs, lowercases when
/// [`lowercase`](Self::lowercase) is on, which is the default, and strips accents when
/// lowercasing unless [`strip_accents`](Self::strip_accents) says otherwise), BERT
/// pre-tokenizer, WordPiece with `##` continuations, and `[CLS] … [SEP]` around each
/// sequence. A `tokenizer.json` carries its own pipeline; `lowercase`, `strip_accents` and the
/// special-token names are then ignored.
///
/// Whatever the source, the encoder turns off the tokenizer's own truncation and padding
/// (see [`SubwordEncoder::max_length_hint`] and [`SubwordEncoder::windows`]) and treats
/// special-token strings in the text (`[SEP]`) as plain text.
#[derive(Debug, Clone)]
pub struct SubwordEncoderBuilder {
    source: Source,
    lowercase: bool,
    strip_accents: Option<bool>,
    unk_token: String,
    cls_token: String,
    sep_token: String,
    pad_token: String,
    mask_token: String,
    max_input_chars_per_word: usize,
    word_tokenizer: Option<RuleWordTokenizer>,
}

impl Default for SubwordEncoderBuilder {
    fn default() -> Self {
        SubwordEncoderBuilder {
            source: Source::None,
            lowercase: true,
            strip_accents: None,
            unk_token: "[UNK]".into(),
            cls_token: "[CLS]".into(),
            sep_token: "[SEP]".into(),
            pad_token: "[PAD]".into(),
            mask_token: "[MASK]".into(),
            max_input_chars_per_word: 100,
            word_tokenizer: None,
        }
    }
}

impl SubwordEncoderBuilder {
    lede_core::setters! {
        /// Loads a Hugging Face `tokenizer.json`.
        pub fn tokenizer_json(path: impl AsRef<Path>) => source = Source::TokenizerJson(path.as_ref().to_path_buf());
        /// Parses the contents of a `tokenizer.json`.
        pub fn tokenizer_json_bytes(bytes: impl Into<Vec<u8>>) => source = Source::TokenizerJsonBytes(bytes.into());
        /// Builds a BERT WordPiece tokenizer from a `vocab.txt`.
        pub fn vocab(path: impl AsRef<Path>) => source = Source::Vocab(path.as_ref().to_path_buf());
        /// Uses a ready `tokenizers::Tokenizer`.
        pub fn tokenizer(tokenizer: Tokenizer) => source = Source::Tokenizer(Box::new(tokenizer));
        /// `vocab.txt` only: lowercase the text (default `true`, as for uncased models).
        pub fn lowercase(on: bool) => lowercase = on;
        /// `vocab.txt` only: strip accents (default: when lowercasing).
        pub fn strip_accents(on: bool) => strip_accents = Some(on);
        /// `vocab.txt` only: the unknown token (default `[UNK]`).
        pub fn unk_token(token: impl Into<String>) => unk_token = token.into();
        /// `vocab.txt` only: the classifier token that opens a sequence (default `[CLS]`).
        pub fn cls_token(token: impl Into<String>) => cls_token = token.into();
        /// `vocab.txt` only: the separator token that closes a sequence (default `[SEP]`).
        pub fn sep_token(token: impl Into<String>) => sep_token = token.into();
        /// The padding token, used for [`SubwordEncoder::pad_id`] when the source names none
        /// (default `[PAD]`).
        pub fn pad_token(token: impl Into<String>) => pad_token = token.into();
        /// `vocab.txt` only: longer words become the unknown token (default 100 chars).
        pub fn max_input_chars_per_word(chars: usize) => max_input_chars_per_word = chars;
        /// The word tokenizer whose tokens the subwords are aligned to (default
        /// [`RuleWordTokenizer::default`]).
        pub fn word_tokenizer(words: RuleWordTokenizer) => word_tokenizer = Some(words);
    }

    /// Builds the encoder.
    ///
    /// # Errors
    /// [`Error::MissingSource`] without a source; [`Error::Io`] when a file cannot be read;
    /// [`Error::Tokenizer`] when it cannot be parsed; [`Error::MissingToken`] when a
    /// `vocab.txt` lacks the unknown, classifier or separator token.
    pub fn build(self) -> Result<SubwordEncoder> {
        let mut tokenizer = match &self.source {
            Source::None => return Err(Error::MissingSource),
            Source::TokenizerJson(path) => {
                let bytes = std::fs::read(path).map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })?;
                Tokenizer::from_bytes(&bytes)
                    .map_err(|e| Error::tokenizer(format!("parsing {}", path.display()), e))?
            }
            Source::TokenizerJsonBytes(bytes) => Tokenizer::from_bytes(bytes)
                .map_err(|e| Error::tokenizer("parsing tokenizer.json bytes", e))?,
            Source::Vocab(path) => self.wordpiece(path)?,
            Source::Tokenizer(tokenizer) => (**tokenizer).clone(),
        };
        let max_length_hint = tokenizer.get_truncation().map(|t| t.max_length);
        let pad_id = tokenizer
            .get_padding()
            .map(|p| p.pad_id)
            .or_else(|| tokenizer.token_to_id(&self.pad_token))
            .unwrap_or(0);
        tokenizer
            .with_truncation(None)
            .map_err(|e| Error::tokenizer("turning truncation off", e))?;
        tokenizer.with_padding(None);
        tokenizer.set_encode_special_tokens(true);
        let special = tokenizer
            .get_post_processor()
            .map_or(0, |p| p.added_tokens(false));
        Ok(SubwordEncoder {
            tokenizer,
            words: self.word_tokenizer.unwrap_or_default(),
            special,
            max_length_hint,
            pad_id,
        })
    }

    fn wordpiece(&self, path: &Path) -> Result<Tokenizer> {
        // Read it ourselves first for a clear I/O error that names the file.
        std::fs::File::open(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let path_str = path.to_str().ok_or_else(|| Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "path is not UTF-8"),
        })?;
        let model = WordPiece::from_file(path_str)
            .unk_token(self.unk_token.clone())
            .max_input_chars_per_word(self.max_input_chars_per_word)
            .build()
            .map_err(|e| Error::tokenizer(format!("reading {}", path.display()), e))?;
        let mut tokenizer = Tokenizer::new(model);
        let lookup = |role: &'static str, token: &str| {
            tokenizer
                .token_to_id(token)
                .ok_or_else(|| Error::MissingToken {
                    role,
                    token: token.to_string(),
                })
        };
        lookup("unknown", &self.unk_token)?;
        let cls = lookup("classifier", &self.cls_token)?;
        let sep = lookup("separator", &self.sep_token)?;
        tokenizer.with_normalizer(Some(BertNormalizer::new(
            true,
            true,
            self.strip_accents,
            self.lowercase,
        )));
        tokenizer.with_pre_tokenizer(Some(BertPreTokenizer));
        tokenizer.with_post_processor(Some(BertProcessing::new(
            (self.sep_token.clone(), sep),
            (self.cls_token.clone(), cls),
        )));
        tokenizer.with_decoder(Some(WordPieceDecoder::default()));
        let specials: Vec<AddedToken> = [
            &self.pad_token,
            &self.unk_token,
            &self.cls_token,
            &self.sep_token,
            &self.mask_token,
        ]
        .into_iter()
        .filter(|t| tokenizer.token_to_id(t).is_some())
        .map(|t| AddedToken::from(t.clone(), true))
        .collect();
        tokenizer.add_special_tokens(&specials);
        Ok(tokenizer)
    }
}

/// Subword encoding with alignment to word tokens and to the original text.
///
/// The encoder first splits the text into word tokens ([`RuleWordTokenizer`], or tokens you
/// pass to [`encode_words`](Self::encode_words)), then runs the Hugging Face tokenizer on
/// them as pre-tokenized input, so every subword belongs to exactly one word token and
/// carries byte and char offsets into the original text. It is `Send + Sync`: share one
/// across threads.
///
/// ```no_run
/// use lede_tokenize::SubwordEncoder;
///
/// let encoder = SubwordEncoder::from_vocab("vocab.txt").lowercase(true).build()?;
/// let text = "Bialiatski was freed.";
/// let encoding = encoder.encode(text)?;
/// for subword in &encoding.sequence.subwords {
///     let piece = subword.span.and_then(|s| s.slice(text)).unwrap_or("");
///     println!("{:>6} {:12} {:?} {piece}", subword.id, subword.token, subword.word);
/// }
/// # Ok::<(), lede_tokenize::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SubwordEncoder {
    tokenizer: Tokenizer,
    words: RuleWordTokenizer,
    special: usize,
    max_length_hint: Option<usize>,
    pad_id: u32,
}

impl SubwordEncoder {
    /// A builder with no source yet.
    pub fn builder() -> SubwordEncoderBuilder {
        SubwordEncoderBuilder::default()
    }

    /// A builder that loads a `tokenizer.json`.
    pub fn from_tokenizer_json(path: impl AsRef<Path>) -> SubwordEncoderBuilder {
        SubwordEncoderBuilder::default().tokenizer_json(path)
    }

    /// A builder that makes a BERT WordPiece tokenizer from a `vocab.txt`.
    pub fn from_vocab(path: impl AsRef<Path>) -> SubwordEncoderBuilder {
        SubwordEncoderBuilder::default().vocab(path)
    }

    /// A builder around a ready `tokenizers::Tokenizer`.
    pub fn from_tokenizer(tokenizer: Tokenizer) -> SubwordEncoderBuilder {
        SubwordEncoderBuilder::default().tokenizer(tokenizer)
    }

    /// The underlying Hugging Face tokenizer (truncation and padding off).
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// The word tokenizer.
    pub fn word_tokenizer(&self) -> &RuleWordTokenizer {
        &self.words
    }

    /// How many special tokens the post-processor adds to one sequence (2 for BERT).
    pub fn special_tokens(&self) -> usize {
        self.special
    }

    /// The truncation length the source asked for (`tokenizer.json`'s `truncation`), if
    /// any: a hint for the window size. The encoder itself never truncates.
    pub fn max_length_hint(&self) -> Option<usize> {
        self.max_length_hint
    }

    /// The padding id (from the source's padding settings, else the pad token, else 0).
    pub fn pad_id(&self) -> u32 {
        self.pad_id
    }

    /// Size of the vocabulary, added tokens included.
    pub fn vocab_size(&self) -> usize {
        self.tokenizer.get_vocab_size(true)
    }

    /// The id of a vocabulary entry.
    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        self.tokenizer.token_to_id(token)
    }

    /// The vocabulary entry of an id.
    pub fn id_to_token(&self, id: u32) -> Option<String> {
        self.tokenizer.id_to_token(id)
    }

    /// Splits `text` into word tokens and encodes the whole text, special tokens included,
    /// without truncation.
    ///
    /// # Errors
    /// [`Error::Tokenizer`] when the tokenizer fails; [`Error::Alignment`] when its
    /// post-processor does more than add special tokens.
    pub fn encode(&self, text: &str) -> Result<SubwordEncoding> {
        let map = OffsetMap::new(text);
        let words = self.words.tokenize_with(&map);
        let content = self.content(&map, &words)?;
        let sequence = self.wrap(&content)?;
        Ok(SubwordEncoding { words, sequence })
    }

    /// Encodes given word tokens of `text` (for instance the tokens of one sentence, from
    /// [`lede_core::tokens_in`]); [`Subword::word`] indexes `words`, spans point into
    /// `text`.
    ///
    /// # Errors
    /// [`Error::InvalidWordSpan`] when a token does not slice `text`; otherwise as
    /// [`encode`](Self::encode).
    pub fn encode_words(&self, text: &str, words: &[Token]) -> Result<SubwordSequence> {
        let map = OffsetMap::new(text);
        let content = self.content(&map, words)?;
        self.wrap(&content)
    }

    /// Encodes many texts in parallel (rayon), in order.
    ///
    /// # Errors
    /// The first error of any text.
    pub fn encode_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Result<Vec<SubwordEncoding>> {
        texts.par_iter().map(|t| self.encode(t.as_ref())).collect()
    }

    /// Splits `text` into word tokens and encodes it as windows of at most
    /// `config.max_len` subwords; see [`Window`] for the contract.
    ///
    /// # Errors
    /// [`Error::InvalidWindow`] for a configuration that cannot hold text; otherwise as
    /// [`encode`](Self::encode).
    pub fn windows(&self, text: &str, config: WindowConfig) -> Result<WindowedEncoding> {
        let map = OffsetMap::new(text);
        let words = self.words.tokenize_with(&map);
        let windows = self.windows_with(&map, &words, config)?;
        Ok(WindowedEncoding { words, windows })
    }

    /// Like [`windows`](Self::windows) over given word tokens of `text`.
    ///
    /// # Errors
    /// As [`windows`](Self::windows) and [`encode_words`](Self::encode_words).
    pub fn windows_of_words(
        &self,
        text: &str,
        words: &[Token],
        config: WindowConfig,
    ) -> Result<Vec<Window>> {
        let map = OffsetMap::new(text);
        self.windows_with(&map, words, config)
    }

    fn windows_with(
        &self,
        map: &OffsetMap<'_>,
        words: &[Token],
        config: WindowConfig,
    ) -> Result<Vec<Window>> {
        let capacity = config.max_len.saturating_sub(self.special);
        if capacity == 0 || config.stride >= capacity {
            return Err(Error::InvalidWindow {
                max_len: config.max_len,
                stride: config.stride,
                special: self.special,
            });
        }
        let content = self.content(map, words)?;
        let word_of: Vec<Option<usize>> = content.iter().map(|s| s.word).collect();
        let plan = crate::window::plan(&word_of, words.len(), capacity, config.stride);
        plan.into_iter()
            .enumerate()
            .map(|(index, p)| {
                let slice = content.get(p.source.clone()).unwrap_or(&[]);
                let sequence = self.wrap(slice)?;
                let first = sequence.subwords.iter().position(|s| !s.special);
                let content_range = match first {
                    Some(a) => a..a + slice.len(),
                    None => {
                        let a = sequence
                            .subwords
                            .iter()
                            .take_while(|s| s.special)
                            .count()
                            .min(1);
                        a..a
                    }
                };
                let owned = content_range.start + (p.owned.start - p.source.start)
                    ..content_range.start + (p.owned.end - p.source.start);
                Ok(Window {
                    index,
                    sequence,
                    content: content_range,
                    owned,
                    source: p.source,
                    owned_source: p.owned,
                    words: p.words,
                    owned_words: p.owned_words,
                })
            })
            .collect()
    }

    /// The subwords of `words` without special tokens.
    fn content(&self, map: &OffsetMap<'_>, words: &[Token]) -> Result<Vec<Subword>> {
        let text = map.text();
        let mut pieces = Vec::with_capacity(words.len());
        for (index, w) in words.iter().enumerate() {
            let piece = w
                .span
                .slice(text)
                .filter(|_| w.span.start <= w.span.end)
                .ok_or(Error::InvalidWordSpan {
                    index,
                    start: w.span.start,
                    end: w.span.end,
                    len: text.len(),
                })?;
            pieces.push(piece);
        }
        if pieces.is_empty() {
            return Ok(Vec::new());
        }
        let encoding = self
            .tokenizer
            .encode(pieces.as_slice(), false)
            .map_err(|e| Error::tokenizer("encoding word tokens", e))?;
        let ids = encoding.get_ids();
        let tokens = encoding.get_tokens();
        let word_ids = encoding.get_word_ids();
        let offsets = encoding.get_offsets();
        let mut out = Vec::with_capacity(ids.len());
        for (t, &id) in ids.iter().enumerate() {
            let word = word_ids
                .get(t)
                .copied()
                .flatten()
                .and_then(|w| usize::try_from(w).ok())
                .filter(|&w| w < words.len());
            let span = word.and_then(|w| {
                let ws = words[w].span;
                let exact = offsets.get(t).and_then(|&(a, b)| {
                    let (start, end) = (ws.start.checked_add(a)?, ws.start.checked_add(b)?);
                    if a <= b && end <= ws.end {
                        map.span(start, end).ok()
                    } else {
                        None
                    }
                });
                exact.or_else(|| map.span(ws.start, ws.end).ok())
            });
            out.push(Subword {
                token: tokens.get(t).cloned().unwrap_or_default(),
                id,
                special: false,
                word,
                span,
            });
        }
        Ok(out)
    }

    /// A model-ready sequence of already-computed subword ids (for instance the pieces of a
    /// sentence's words kept from an earlier [`encode`](Self::encode)): the special tokens
    /// around them, as [`encode`](Self::encode) adds them. The subwords carry no word index
    /// and no span; their token strings come from the vocabulary (empty for an unknown id).
    ///
    /// # Errors
    /// As [`wrap`](Self::wrap).
    pub fn wrap_ids(&self, ids: &[u32]) -> Result<SubwordSequence> {
        let content: Vec<Subword> = ids
            .iter()
            .map(|&id| Subword {
                token: self.tokenizer.id_to_token(id).unwrap_or_default(),
                id,
                special: false,
                word: None,
                span: None,
            })
            .collect();
        self.wrap(&content)
    }

    /// Adds the post-processor's special tokens around `content` (subwords without special
    /// tokens, e.g. a truncated run of an encoding's non-special subwords), keeping each
    /// subword's word index and span.
    ///
    /// # Errors
    /// [`Error::Tokenizer`] when the post-processor fails; [`Error::Alignment`] when it does
    /// more than add special tokens.
    pub fn wrap(&self, content: &[Subword]) -> Result<SubwordSequence> {
        let n = content.len();
        let raw = HfEncoding::new(
            content.iter().map(|s| s.id).collect(),
            vec![0; n],
            content.iter().map(|s| s.token.clone()).collect(),
            content
                .iter()
                .map(|s| s.word.and_then(|w| u32::try_from(w).ok()))
                .collect(),
            vec![(0, 0); n],
            vec![0; n],
            vec![1; n],
            Vec::new(),
            Default::default(),
        );
        let processed = self
            .tokenizer
            .post_process(raw, None, true)
            .map_err(|e| Error::tokenizer("adding special tokens", e))?;
        let ids = processed.get_ids();
        let mask = processed.get_special_tokens_mask();
        let tokens = processed.get_tokens();
        let mut rest = content.iter();
        let mut subwords = Vec::with_capacity(ids.len());
        for (p, &id) in ids.iter().enumerate() {
            if mask.get(p).copied().unwrap_or(0) == 1 {
                subwords.push(Subword {
                    token: tokens.get(p).cloned().unwrap_or_default(),
                    id,
                    special: true,
                    word: None,
                    span: None,
                });
            } else {
                let s = rest
                    .next()
                    .filter(|s| s.id == id)
                    .ok_or_else(|| Error::Alignment(format!("position {p} (id {id})")))?;
                subwords.push(s.clone());
            }
        }
        if rest.next().is_some() {
            return Err(Error::Alignment(
                "the post-processor dropped subwords".into(),
            ));
        }
        Ok(SubwordSequence {
            ids: ids.to_vec(),
            type_ids: processed.get_type_ids().to_vec(),
            attention_mask: processed.get_attention_mask().to_vec(),
            subwords,
        })
    }
}

/// How to cut a long text into windows: at most `max_len` subwords per window, special
/// tokens included, with consecutive windows sharing at most `stride` subwords.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowConfig {
    /// Maximum window length, special tokens included (the model's limit, e.g. 512).
    pub max_len: usize,
    /// Maximum overlap between consecutive windows, in subwords (context for the words near
    /// a window's edge). Must be smaller than `max_len` minus the special tokens.
    pub stride: usize,
}

impl WindowConfig {
    /// A configuration.
    pub fn new(max_len: usize, stride: usize) -> Self {
        WindowConfig { max_len, stride }
    }
}

/// One window of a long text: a model-ready [`SubwordSequence`] of at most
/// [`WindowConfig::max_len`] positions, and where it sits in the text.
///
/// # Contract
///
/// Call the subwords of the whole text without special tokens its *content* (what
/// [`SubwordEncoder::encode`] gives minus the special positions; indices into it are *source*
/// indices).
///
/// * Each window holds a contiguous run of the content, [`source`](Self::source), at
///   positions [`content`](Self::content) of its sequence, wrapped in the model's special
///   tokens; windows are in text order, and consecutive windows overlap by at most
///   [`WindowConfig::stride`] subwords.
/// * Windows start and end at word boundaries: a word's subwords are never split between
///   windows, except a single word with more subwords than a window holds.
/// * **Ownership**: every content subword is owned by exactly one window. A window owns
///   positions [`owned`](Self::owned) of its sequence (source indices
///   [`owned_source`](Self::owned_source)); the owned ranges of consecutive windows meet in
///   the middle of their overlap, at a word boundary, so each subword is read where it has
///   the most context on both sides. Concatenating every window's owned subwords gives the
///   content exactly once, in order.
/// * Likewise every word token is owned by exactly one window:
///   [`owned_words`](Self::owned_words) ranges partition `0..words.len()` (a word with no
///   subwords, e.g. a control char the normalizer drops, goes with its neighbours).
///
/// To merge per-window predictions (NER), keep for each window only the positions in
/// `owned`; `sequence.subwords[p].word` and `.span` say which word and which part of the text
/// each one is.
///
/// A text with no subwords gives one window holding only the special tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// Position among the windows.
    pub index: usize,
    /// The model input.
    pub sequence: SubwordSequence,
    /// Positions of `sequence` that hold content (not special tokens).
    pub content: Range<usize>,
    /// Positions of `sequence` this window owns (within `content`).
    pub owned: Range<usize>,
    /// Source indices of the content this window holds (same length as `content`).
    pub source: Range<usize>,
    /// Source indices this window owns (same length as `owned`).
    pub owned_source: Range<usize>,
    /// Word tokens with at least one subword in the window.
    pub words: Range<usize>,
    /// Word tokens this window owns.
    pub owned_words: Range<usize>,
}

/// A text's word tokens and its windows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowedEncoding {
    /// The word tokens; [`Subword::word`] and the word ranges index this.
    pub words: Vec<Token>,
    /// The windows, in text order (at least one).
    pub windows: Vec<Window>,
}
