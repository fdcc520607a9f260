//! The subword pieces of a document's word tokens, computed once and shared by the tasks
//! ([`lede_core::WordPieces`]).

use std::hash::{Hash, Hasher};

use lede_core::{Token, WordPieces};

use crate::{Error, Result, SubwordEncoder};

impl SubwordEncoder {
    /// Identifies this encoder's vocabulary and rules: a hash of its serialized tokenizer,
    /// stable within one build of lede. [`word_pieces`](Self::word_pieces) records it in
    /// [`WordPieces::vocab`]; a task compares it with its own encoder's before it reads
    /// pieces someone else computed. Serializes the tokenizer: compute it once and keep it.
    ///
    /// # Errors
    /// [`Error::Tokenizer`] when the tokenizer cannot be serialized.
    pub fn vocab_id(&self) -> Result<String> {
        let json = self
            .tokenizer()
            .to_string(false)
            .map_err(|e| Error::tokenizer("serializing the tokenizer", e))?;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        json.hash(&mut hasher);
        Ok(format!("subwords:{:016x}", hasher.finish()))
    }

    /// The pieces of every word token of `text`, without special tokens, labelled with
    /// `vocab` (normally [`vocab_id`](Self::vocab_id)). Each token is encoded as one
    /// pre-tokenized word, so a piece never spans two tokens.
    ///
    /// ```
    /// use lede_core::WordTokenizer;
    /// use lede_tokenize::{RuleWordTokenizer, SubwordEncoder};
    ///
    /// let vocab = std::env::temp_dir().join("lede-doc-pieces-vocab.txt");
    /// std::fs::write(&vocab, "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nbel\n##arus\nfreed\n.\n")?;
    /// let encoder = SubwordEncoder::from_vocab(&vocab).build()?;
    /// let text = "Belarus freed.";
    /// let tokens = RuleWordTokenizer::default().tokenize(text);
    /// let pieces = encoder.word_pieces(text, &tokens, "v")?;
    /// assert_eq!(pieces.words(), 3);
    /// assert_eq!(pieces.of(0), &[5, 6]);
    /// assert_eq!(pieces.of(2), &[8]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidWordSpan`] when a token does not slice `text`; [`Error::Tokenizer`]
    /// when the tokenizer fails.
    pub fn word_pieces(&self, text: &str, words: &[Token], vocab: &str) -> Result<WordPieces> {
        let mut input = Vec::with_capacity(words.len());
        for (index, w) in words.iter().enumerate() {
            let piece = w.span.slice(text).ok_or(Error::InvalidWordSpan {
                index,
                start: w.span.start,
                end: w.span.end,
                len: text.len(),
            })?;
            input.push(piece);
        }
        let mut offsets = vec![0usize; words.len() + 1];
        let mut ids = Vec::new();
        if !input.is_empty() {
            let encoding = self
                .tokenizer()
                .encode(input.as_slice(), false)
                .map_err(|e| Error::tokenizer("encoding word tokens", e))?;
            // Word ids never decrease along a pre-tokenized encoding; count pieces per word.
            let mut counts = vec![0usize; words.len()];
            let mut last = 0usize;
            for (&id, word) in encoding.get_ids().iter().zip(encoding.get_word_ids()) {
                let Some(w) = word.map(|w| w as usize) else {
                    continue;
                };
                if w < last {
                    return Err(Error::Alignment("subword pieces out of word order".into()));
                }
                last = w;
                if let Some(count) = counts.get_mut(w) {
                    *count += 1;
                    ids.push(id);
                }
            }
            for (i, c) in counts.iter().enumerate() {
                offsets[i + 1] = offsets[i] + c;
            }
        }
        WordPieces::new(vocab, ids, offsets)
            .ok_or_else(|| Error::Alignment("subword pieces out of word order".into()))
    }
}
