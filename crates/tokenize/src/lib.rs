//! # lede-tokenize
//!
//! Sentence splitting, word tokens and subword encoding for news text, with byte **and**
//! char offsets that slice the original text exactly. Part of
//! [lede](https://github.com/lede-nlp/lede), usable on its own: it depends on `lede-core` (the
//! data types and traits) and on the Hugging Face `tokenizers` crate, never on libtorch.
//!
//! The pipeline, one stage per module:
//!
//! | stage | type | trait |
//! |---|---|---|
//! | sentences | [`NewsSentenceSplitter`] | [`lede_core::SentenceSplitter`] |
//! | word tokens | [`RuleWordTokenizer`] | [`lede_core::WordTokenizer`] |
//! | both, on a document | [`Segmenter`] → [`lede_core::AnnotatedDocument`] (id [`TOKENIZATION`]) | both |
//! | subwords | [`SubwordEncoder`] → [`SubwordEncoding`], [`SubwordEncoder::word_pieces`] → [`lede_core::WordPieces`] | |
//! | long texts | [`SubwordEncoder::windows`] → [`Window`]s | |
//! | matching | [`fold`] (case, accents, apostrophes, spaces) | |
//!
//! This crate is the workspace's one source of sentences, words and subword pieces: lede's
//! facade segments every document once with [`Segmenter`] and the task crates read the
//! result from the [`lede_core::AnnotatedDocument`]. Models trained on these tokens record
//! [`TOKENIZATION`] and refuse other rules.
//!
//! ## Sentences
//!
//! [`NewsSentenceSplitter`] is built for wire copy: abbreviations (`U.S.`, `Mr.`, `Gen.`,
//! `Jan.`, `Inc.`, `No.`, `etc.`), initials (`John F. Kennedy`), decimals, ellipses,
//! sentences that end inside quotes, headlines without final punctuation on their own line,
//! datelines (`Moscow (EFE).-`) and sign-offs glued to the last word (`airline.EFE`). Its
//! documentation lists the rules; [`Abbreviations`] holds the word lists.
//!
//! ## Word tokens
//!
//! [`RuleWordTokenizer`] keeps compounds (`al-Qaida`), contractions (`don't`), numbers with
//! separators (`10,000`, `3.5`) and abbreviations with their period (`U.S.`), splits the
//! possessive `'s`, and separates signs (`20` `%`). Tokens never cross a sentence boundary.
//!
//! ## Subwords and windows
//!
//! [`SubwordEncoder`] loads a `tokenizer.json` or a WordPiece `vocab.txt` and encodes the
//! word tokens as pre-tokenized input, so each subword knows its word and its span in the
//! original text. [`SubwordEncoder::windows`] cuts long texts into overlapping windows that
//! fit a model, at word boundaries, each owning a disjoint part of the text so that
//! per-window predictions merge without duplicates (see [`Window`]).
//!
//! ## Guarantees
//!
//! For any `&str` (Cyrillic, combining marks, emoji, CRLF, NUL, ...), splitting and
//! tokenizing never panic; every span slices the text exactly (`&text[span.start..span.end]`,
//! and `span.char_start..span.char_end` in chars); sentences and tokens are in order, do not
//! overlap, exclude whitespace and cover every non-whitespace char. Property tests
//! (`tests/properties.rs`) and a fuzz target (`fuzz/`, target `split_and_tokenize`) check it.
//!
//! ## Example
//!
//! ```
//! use lede_core::{tokens_in, Document, SentenceSplitter, TokenKind, WordTokenizer};
//! use lede_tokenize::{NewsSentenceSplitter, RuleWordTokenizer};
//!
//! let doc = Document::new(
//!     "efe-1",
//!     "Minsk (EFE).- Belarus freed 52 prisoners, the U.S. said. “It is over. We won,” \
//!      said Gen. Ivanov.\nSanctions lifted\nPotash exports rose 20% in 2023.EFE",
//! );
//! let sentences = NewsSentenceSplitter::default().split(&doc.text);
//! let texts: Vec<&str> = sentences.iter().map(|s| s.text.as_str()).collect();
//! assert_eq!(texts, [
//!     "Minsk (EFE).- Belarus freed 52 prisoners, the U.S. said.",
//!     "“It is over.",
//!     "We won,” said Gen. Ivanov.",
//!     "Sanctions lifted",
//!     "Potash exports rose 20% in 2023.",
//!     "EFE",
//! ]);
//!
//! let tokens = RuleWordTokenizer::default().tokenize(&doc.text);
//! let first: Vec<&str> = tokens_in(&tokens, &sentences[0]).iter().map(|t| t.text.as_str()).collect();
//! assert_eq!(first, ["Minsk", "(", "EFE", ")", ".", "-", "Belarus", "freed", "52", "prisoners",
//!                    ",", "the", "U.S.", "said", "."]);
//! assert!(tokens.iter().all(|t| t.span.slice(&doc.text) == Some(t.text.as_str())));
//! assert_eq!(tokens.iter().filter(|t| t.kind == TokenKind::Number).count(), 3);
//! ```
#![deny(missing_docs)]

mod abbrev;
mod chars;
mod error;
mod fold;
mod pieces;
mod segment;
mod sentence;
mod subword;
mod window;
mod word;

pub use abbrev::{AbbreviationKind, Abbreviations};
pub use error::{Error, Result};
pub use fold::fold;
pub use segment::{Segmenter, TOKENIZATION};
pub use sentence::{LineBreaks, NewsSentenceSplitter, NewsSentenceSplitterBuilder};
pub use subword::{
    PaddedBatch, Subword, SubwordEncoder, SubwordEncoderBuilder, SubwordEncoding, SubwordSequence,
    Window, WindowConfig, WindowedEncoding,
};
pub use window::{word_windows, WordWindow};
pub use word::{RuleWordTokenizer, RuleWordTokenizerBuilder};

// The splitter and tokenizer are shared across threads by the facade; the encoder too.
lede_core::assert_send!(sync: NewsSentenceSplitter, RuleWordTokenizer, SubwordEncoder, Segmenter, Error);
