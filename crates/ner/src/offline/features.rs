//! From a segmented document to model input: its word tokens, their WordPiece ids, shape
//! ids, windows, batches.

use std::path::Path;

use lede_core::{AnnotatedDocument, Document, Span, WordPieces};
use lede_tokenize::{Segmenter, SubwordEncoder, TOKENIZATION};
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
            starts,
        })
    }
}

/// One document as the model sees it.
pub(crate) struct DocFeatures {
    pub(crate) words: Vec<Span>,
    pub(crate) pieces: WordPieces,
    pub(crate) shapes: Vec<i64>,
    /// Whether each word starts a sentence.
    pub(crate) starts: Vec<bool>,
}

impl DocFeatures {
    /// The pieces the model reads for word `i` (at most [`MAX_PIECES_PER_WORD`]).
    pub(crate) fn piece_ids(&self, i: usize) -> &[u32] {
        let p = self.pieces.of(i);
        &p[..p.len().min(MAX_PIECES_PER_WORD)]
    }
}

/// A window of words: `[ctx_start, ctx_end)` is fed to the model, `[own_start, own_end)` are
/// the words whose predictions it gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) ctx_start: usize,
    pub(crate) ctx_end: usize,
    pub(crate) own_start: usize,
    pub(crate) own_end: usize,
}

impl DocFeatures {
    /// Whether word `i` ends a sentence: the next word starts one.
    fn ends_sentence(&self, i: usize) -> bool {
        self.starts.get(i + 1).copied().unwrap_or(false)
    }

    /// Windows of at most `max_len` tokens (`[CLS]`, `[SEP]` included) covering every word
    /// exactly once in their owned ranges. Windows end at sentence ends where possible; a cut
    /// inside a sentence keeps `overlap` words of context on both sides.
    pub(crate) fn windows(&self, max_len: usize, overlap: usize) -> Vec<Window> {
        let budget = max_len.saturating_sub(2).max(1);
        let n = self.words.len();
        let cost = |i: usize| self.piece_ids(i).len();
        let mut out = Vec::new();
        let mut own_start = 0;
        let mut ctx_start = 0;
        while own_start < n {
            // Extend as far as the budget allows.
            let mut end = ctx_start;
            let mut used = 0;
            while end < n && (used + cost(end) <= budget || end == ctx_start) {
                used += cost(end);
                end += 1;
            }
            if end <= own_start {
                // The left context alone fills the budget: drop it.
                ctx_start = own_start;
                continue;
            }
            if end >= n {
                out.push(Window {
                    ctx_start,
                    ctx_end: n,
                    own_start,
                    own_end: n,
                });
                break;
            }
            // Prefer the last sentence end in the second half of the owned range.
            let half = own_start + (end - own_start) / 2;
            let sentence_cut = (half.max(own_start + 1)..end)
                .rev()
                .find(|&i| self.ends_sentence(i - 1));
            if let Some(cut) = sentence_cut {
                out.push(Window {
                    ctx_start,
                    ctx_end: cut,
                    own_start,
                    own_end: cut,
                });
                own_start = cut;
                ctx_start = cut;
            } else {
                let own_end = end.saturating_sub(overlap).max(own_start + 1).min(end);
                out.push(Window {
                    ctx_start,
                    ctx_end: end,
                    own_start,
                    own_end,
                });
                ctx_start = own_end
                    .saturating_sub(overlap)
                    .max(ctx_start + 1)
                    .min(own_end);
                own_start = own_end;
            }
        }
        out
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

pub(crate) fn window_input(doc: &DocFeatures, w: &Window, enc: &Encoder) -> WindowInput {
    let mut ids = vec![enc.cls];
    let mut shapes = vec![0];
    let mut firsts = Vec::new();
    for i in w.ctx_start..w.ctx_end {
        let pieces = doc.piece_ids(i);
        let shape = doc.shapes.get(i).copied().unwrap_or(0);
        if !pieces.is_empty() && i >= w.own_start && i < w.own_end {
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
            starts: sentence_starts(&d.tokens, &d.sentences),
        }
    }

    fn check_cover(ws: &[Window], n: usize, budget: usize, d: &DocFeatures) {
        let mut next = 0;
        for w in ws {
            assert_eq!(w.own_start, next);
            assert!(
                w.ctx_start <= w.own_start && w.own_end <= w.ctx_end && w.own_start < w.own_end
            );
            let cost: usize = (w.ctx_start..w.ctx_end).map(|i| d.piece_ids(i).len()).sum();
            assert!(
                cost <= budget || w.ctx_end - w.ctx_start == 1,
                "{w:?} costs {cost}"
            );
            next = w.own_end;
        }
        assert_eq!(next, n);
    }

    #[test]
    fn windows_cut_at_sentences_then_overlap() {
        let words = [
            "A", "b", "c", ".", "D", "e", "f", "g", "h", "i", "j", "k", "l", ".",
        ];
        let d = doc(&[1; 14], &words);
        let ws = d.windows(8, 2);
        check_cover(&ws, 14, 6, &d);
        // The first window ends at the sentence end after "c .".
        assert_eq!(ws[0].own_end, 4);
        // A long sentence is cut with context on both sides.
        assert!(ws.iter().any(|w| w.ctx_start < w.own_start));
    }

    #[test]
    fn oversized_word_gets_its_own_window() {
        let d = doc(&[1, 20, 1], &["a", "b", "c"]);
        let ws = d.windows(8, 1);
        check_cover(&ws, 3, 6, &d);
        assert_eq!(d.piece_ids(1).len(), MAX_PIECES_PER_WORD);
        let d = doc(&[], &[]);
        assert!(d.windows(8, 1).is_empty());
    }
}
