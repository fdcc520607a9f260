//! From text to model input: words, WordPiece ids per word, shape ids, windows, batches.

use std::path::Path;

use tch::Tensor;
use tokenizers::Tokenizer;

use super::error::{OfflineError, Result};
use super::words::{shape_ids, split_words, Word};

/// Most WordPiece pieces kept per word (a URL or a run of symbols can have dozens; the first
/// pieces carry the label, the rest only context).
const MAX_PIECES_PER_WORD: usize = 16;

/// The WordPiece encoder of the base model.
pub(crate) struct Encoder {
    tokenizer: Tokenizer,
    pub(crate) cls: i64,
    pub(crate) sep: i64,
    pub(crate) pad: i64,
}

impl Encoder {
    pub(crate) fn from_base_dir(dir: &Path) -> Result<Encoder> {
        let path = dir.join("tokenizer.json");
        let mut tokenizer = Tokenizer::from_file(&path).map_err(OfflineError::Tokenizer)?;
        tokenizer
            .with_truncation(None)
            .map_err(OfflineError::Tokenizer)?;
        tokenizer.with_padding(None);
        let id = |t: &str| -> Result<i64> {
            tokenizer
                .token_to_id(t)
                .map(i64::from)
                .ok_or_else(|| OfflineError::bad_model(&path, format!("no {t} token")))
        };
        let (cls, sep, pad) = (id("[CLS]")?, id("[SEP]")?, id("[PAD]")?);
        Ok(Encoder {
            tokenizer,
            cls,
            sep,
            pad,
        })
    }

    /// Words of `text` with their pieces and shapes.
    pub(crate) fn features(&self, text: &str) -> Result<DocFeatures> {
        let words = split_words(text);
        let shapes = shape_ids(text, &words);
        let mut pieces: Vec<Vec<i64>> = vec![Vec::new(); words.len()];
        if !words.is_empty() {
            let input: Vec<&str> = words.iter().map(|w| w.text(text)).collect();
            let enc = self
                .tokenizer
                .encode(input, false)
                .map_err(OfflineError::Tokenizer)?;
            for (id, wid) in enc.get_ids().iter().zip(enc.get_word_ids()) {
                if let Some(slot) = wid.and_then(|w| pieces.get_mut(w as usize)) {
                    if slot.len() < MAX_PIECES_PER_WORD {
                        slot.push(i64::from(*id));
                    }
                }
            }
        }
        Ok(DocFeatures {
            words,
            pieces,
            shapes,
        })
    }
}

/// One document as the model sees it.
pub(crate) struct DocFeatures {
    pub(crate) words: Vec<Word>,
    pub(crate) pieces: Vec<Vec<i64>>,
    pub(crate) shapes: Vec<i64>,
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
    /// Whether word `i` ends a sentence (`.`, `!`, `?`).
    fn ends_sentence(&self, text: &str, i: usize) -> bool {
        self.words
            .get(i)
            .is_some_and(|w| matches!(w.text(text), "." | "!" | "?" | "\u{2026}"))
    }

    /// Windows of at most `max_len` tokens (`[CLS]`, `[SEP]` included) covering every word
    /// exactly once in their owned ranges. Windows end at sentence ends where possible; a cut
    /// inside a sentence keeps `overlap` words of context on both sides.
    pub(crate) fn windows(&self, text: &str, max_len: usize, overlap: usize) -> Vec<Window> {
        let budget = max_len.saturating_sub(2).max(1);
        let n = self.words.len();
        let cost = |i: usize| self.pieces.get(i).map_or(0, Vec::len);
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
                .find(|&i| self.ends_sentence(text, i - 1));
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
        let pieces = doc.pieces.get(i).map_or(&[][..], Vec::as_slice);
        let shape = doc.shapes.get(i).copied().unwrap_or(0);
        if !pieces.is_empty() && i >= w.own_start && i < w.own_end {
            firsts.push((i, ids.len()));
        }
        for (k, &p) in pieces.iter().enumerate() {
            ids.push(p);
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

    fn doc(costs: &[usize], text_words: &[&str]) -> (String, DocFeatures) {
        let text = text_words.join(" ");
        let words = split_words(&text);
        assert_eq!(words.len(), costs.len());
        let pieces = costs.iter().map(|&c| vec![7; c]).collect();
        let shapes = vec![1; costs.len()];
        (
            text,
            DocFeatures {
                words,
                pieces,
                shapes,
            },
        )
    }

    fn check_cover(ws: &[Window], n: usize, budget: usize, d: &DocFeatures) {
        let mut next = 0;
        for w in ws {
            assert_eq!(w.own_start, next);
            assert!(
                w.ctx_start <= w.own_start && w.own_end <= w.ctx_end && w.own_start < w.own_end
            );
            let cost: usize = (w.ctx_start..w.ctx_end).map(|i| d.pieces[i].len()).sum();
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
            "a", "b", "c", ".", "d", "e", "f", "g", "h", "i", "j", "k", "l", ".",
        ];
        let (text, d) = doc(&[1; 14], &words);
        let ws = d.windows(&text, 8, 2);
        check_cover(&ws, 14, 6, &d);
        // The first window ends at the sentence end after "c .".
        assert_eq!(ws[0].own_end, 4);
        // A long sentence is cut with context on both sides.
        assert!(ws.iter().any(|w| w.ctx_start < w.own_start));
    }

    #[test]
    fn oversized_word_gets_its_own_window() {
        let (text, d) = doc(&[1, 20, 1], &["a", "b", "c"]);
        let ws = d.windows(&text, 8, 1);
        check_cover(&ws, 3, 6, &d);
        let (text, d) = doc(&[], &[]);
        assert!(d.windows(&text, 8, 1).is_empty());
    }
}
