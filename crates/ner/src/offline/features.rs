//! From a segmented document to model input: its word tokens, their WordPiece ids, shape
//! ids, windows, batches.

use std::path::Path;

use lede_core::{AnnotatedDocument, Document, Span, WordPieces};
use lede_tokenize::{word_windows, Segmenter, SubwordEncoder, WordWindow, TOKENIZATION};
use tch::Tensor;

use super::error::{OfflineError, Result};
use super::words::{sentence_starts, word_shape};

/// Most WordPiece pieces kept per word (a URL or a run of symbols can have dozens; the first
/// pieces carry the label, the rest only context).
const MAX_PIECES_PER_WORD: usize = 16;

/// The base model's WordPiece encoder (lede-tokenize's), and the segmenter for texts that
/// come without tokens.
pub(crate) struct Encoder {
    subwords: SubwordEncoder,
    vocab: String,
    segmenter: Segmenter,
    pub(crate) cls: i64,
    pub(crate) sep: i64,
    pub(crate) pad: i64,
}

impl Encoder {
    pub(crate) fn from_base_dir(dir: &Path) -> Result<Encoder> {
        let path = dir.join("tokenizer.json");
        let subwords = SubwordEncoder::from_tokenizer_json(&path)
            .build()
            .map_err(|e| OfflineError::Tokenizer(Box::new(e)))?;
        let id = |t: &str| -> Result<i64> {
            subwords
                .token_to_id(t)
                .map(i64::from)
                .ok_or_else(|| OfflineError::bad_model(&path, format!("no {t} token")))
        };
        let (cls, sep, pad) = (id("[CLS]")?, id("[SEP]")?, id("[PAD]")?);
        let vocab = subwords
            .vocab_id()
            .map_err(|e| OfflineError::Tokenizer(Box::new(e)))?;
        Ok(Encoder {
            subwords,
            vocab,
            segmenter: Segmenter::default(),
            cls,
            sep,
            pad,
        })
    }

    /// The vocabulary id of the pieces this encoder makes (see [`WordPieces::vocab`]).
    pub(crate) fn vocab_id(&self) -> &str {
        &self.vocab
    }

    /// The subword encoder.
    pub(crate) fn subwords(&self) -> &SubwordEncoder {
        &self.subwords
    }

    /// The segmenter the model was trained with.
    pub(crate) fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    /// A text segmented as the model expects.
    pub(crate) fn segment(&self, text: &str) -> AnnotatedDocument {
        self.segmenter.annotate(Document::new("", text))
    }

    /// The words of a segmented document with their pieces (the document's own when this
    /// vocabulary made them) and shapes.
    ///
    /// # Errors
    /// [`OfflineError::Tokenization`] when the document was segmented by other rules than
    /// the model's; [`OfflineError::Tokenizer`] when encoding fails.
    pub(crate) fn features(&self, doc: &AnnotatedDocument) -> Result<DocFeatures> {
        if doc.tokenization.as_deref() != Some(TOKENIZATION) {
            return Err(OfflineError::Tokenization {
                found: doc.tokenization.clone(),
            });
        }
        let pieces = match &doc.pieces {
            Some(p) if p.vocab() == self.vocab && p.words() == doc.tokens.len() => p.clone(),
            _ => self
                .subwords
                .word_pieces(doc.text(), &doc.tokens, &self.vocab)
                .map_err(|e| OfflineError::Tokenizer(Box::new(e)))?,
        };
        let starts = sentence_starts(&doc.tokens, &doc.sentences);
        let shapes = doc
            .tokens
            .iter()
            .zip(&starts)
            .map(|(t, &s)| word_shape(&t.text) + if s { 8 } else { 0 })
            .collect();
        Ok(DocFeatures {
            words: doc.tokens.iter().map(|t| t.span).collect(),
            pieces,
            shapes,
        })
    }
}

/// One document as the model sees it.
pub(crate) struct DocFeatures {
    pub(crate) words: Vec<Span>,
    pub(crate) pieces: WordPieces,
    pub(crate) shapes: Vec<i64>,
}

impl DocFeatures {
    /// The pieces the model reads for word `i` (at most [`MAX_PIECES_PER_WORD`]).
    pub(crate) fn piece_ids(&self, i: usize) -> &[u32] {
        let p = self.pieces.of(i);
        &p[..p.len().min(MAX_PIECES_PER_WORD)]
    }
}

impl DocFeatures {
    /// Windows of at most `max_len` pieces (`[CLS]` and `[SEP]` included), consecutive ones
    /// sharing at most `stride` pieces of context, planned by lede-tokenize
    /// ([`lede_tokenize::word_windows`]: cuts between words, owned ranges meeting in the
    /// middle of each overlap). Empty for a document with no pieces.
    ///
    /// # Errors
    /// [`OfflineError::Config`] when `stride` leaves no room in a window.
    pub(crate) fn windows(&self, max_len: usize, stride: usize) -> Result<Vec<WordWindow>> {
        let counts: Vec<usize> = (0..self.words.len())
            .map(|i| self.piece_ids(i).len())
            .collect();
        word_windows(&counts, max_len.saturating_sub(2), stride).map_err(|e| {
            OfflineError::Config(format!(
                "windows of {max_len} pieces with a stride of {stride}: {e}"
            ))
        })
    }
}

/// One window laid out as model input.
pub(crate) struct WindowInput {
    pub(crate) ids: Vec<i64>,
    pub(crate) shapes: Vec<i64>,
    /// For each owned word, in order: (word index, position of its first piece). Words with
    /// no pieces are absent.
    pub(crate) firsts: Vec<(usize, usize)>,
}

pub(crate) fn window_input(doc: &DocFeatures, w: &WordWindow, enc: &Encoder) -> WindowInput {
    let mut ids = vec![enc.cls];
    let mut shapes = vec![0];
    let mut firsts = Vec::new();
    for i in w.words.clone() {
        let pieces = doc.piece_ids(i);
        let shape = doc.shapes.get(i).copied().unwrap_or(0);
        if !pieces.is_empty() && w.owned.contains(&i) {
            firsts.push((i, ids.len()));
        }
        for (k, &p) in pieces.iter().enumerate() {
            ids.push(i64::from(p));
            shapes.push(if k == 0 { shape } else { shape + 16 });
        }
    }
    ids.push(enc.sep);
    shapes.push(0);
    WindowInput {
        ids,
        shapes,
        firsts,
    }
}

/// Padded batch tensors `(ids, shapes, mask)` of shape `[batch, longest]`, and for each
/// window the flat offset of its row.
pub(crate) fn batch_tensors(inputs: &[&WindowInput], pad: i64) -> (Tensor, Tensor, Tensor, usize) {
    let longest = inputs.iter().map(|w| w.ids.len()).max().unwrap_or(1);
    let b = inputs.len();
    let mut ids = vec![pad; b * longest];
    let mut shapes = vec![0i64; b * longest];
    let mut mask = vec![0i64; b * longest];
    for (r, w) in inputs.iter().enumerate() {
        let base = r * longest;
        for (k, (&id, &sh)) in w.ids.iter().zip(&w.shapes).enumerate() {
            if let Some(slot) = ids.get_mut(base + k) {
                *slot = id;
            }
            if let Some(slot) = shapes.get_mut(base + k) {
                *slot = sh;
            }
            if let Some(slot) = mask.get_mut(base + k) {
                *slot = 1;
            }
        }
    }
    let shape = [b as i64, longest as i64];
    (
        Tensor::from_slice(&ids).view(shape),
        Tensor::from_slice(&shapes).view(shape),
        Tensor::from_slice(&mask).view(shape),
        longest,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `costs[i]` pieces for word `i`; a word `.` ends a sentence.
    fn doc(costs: &[usize], text_words: &[&str]) -> DocFeatures {
        let text = text_words.join(" ");
        let d = Segmenter::default().annotate(Document::new("t", text));
        assert_eq!(d.tokens.len(), costs.len());
        let mut offsets = vec![0];
        for c in costs {
            offsets.push(offsets.last().copied().unwrap_or(0) + c);
        }
        let ids = vec![7; offsets.last().copied().unwrap_or(0)];
        DocFeatures {
            words: d.tokens.iter().map(|t| t.span).collect(),
            pieces: WordPieces::new("t", ids, offsets).unwrap(),
            shapes: vec![1; costs.len()],
        }
    }

    fn check_cover(ws: &[WordWindow], n: usize, budget: usize, d: &DocFeatures) {
        let mut next = 0;
        for w in ws {
            assert_eq!(w.owned.start, next);
            assert!(w.words.start <= w.owned.start && w.owned.end <= w.words.end);
            let cost: usize = w.words.clone().map(|i| d.piece_ids(i).len()).sum();
            assert!(cost <= budget || w.words.len() == 1, "{w:?} costs {cost}");
            next = w.owned.end;
        }
        assert_eq!(next, n);
    }

    #[test]
    fn windows_overlap_and_own_each_word_once() {
        let words = [
            "A", "b", "c", ".", "D", "e", "f", "g", "h", "i", "j", "k", "l", ".",
        ];
        let d = doc(&[1; 14], &words);
        let ws = d.windows(8, 2).unwrap();
        check_cover(&ws, 14, 6, &d);
        // Later windows read context before the words they own.
        assert!(ws.iter().any(|w| w.words.start < w.owned.start));
        assert!(d.windows(8, 6).is_err());
    }

    #[test]
    fn oversized_word_gets_its_own_window() {
        let d = doc(&[1, 20, 1], &["a", "b", "c"]);
        let ws = d.windows(8, 1).unwrap();
        check_cover(&ws, 3, 6, &d);
        assert_eq!(d.piece_ids(1).len(), MAX_PIECES_PER_WORD);
        let d = doc(&[], &[]);
        assert!(d.windows(8, 1).unwrap().is_empty());
    }
}
