//! Segmentation of a whole document: sentences and word tokens by one set of rules, recorded
//! on the [`AnnotatedDocument`] so that every task reads the same ones.

use std::borrow::Cow;

use lede_core::{AnnotatedDocument, Document, OffsetMap, SentenceSplitter, WordTokenizer};

use crate::{NewsSentenceSplitter, RuleWordTokenizer};

/// Identifies the rules of lede-tokenize's default [`NewsSentenceSplitter`] and
/// [`RuleWordTokenizer`]. Models trained on these tokens record it and refuse documents
/// segmented otherwise. Bumped whenever the default rules change any output.
pub const TOKENIZATION: &str = "lede-tokenize/1";

/// Sentences and word tokens of documents, by one splitter and one tokenizer.
///
/// ```
/// use lede_core::Document;
/// use lede_tokenize::{Segmenter, TOKENIZATION};
///
/// let doc = Segmenter::default().annotate(Document::new("d", "Belarus freed 52. They left."));
/// assert_eq!(doc.sentences.len(), 2);
/// assert_eq!(doc.tokens.len(), 7);
/// assert_eq!(doc.tokenization.as_deref(), Some(TOKENIZATION));
/// ```
#[derive(Debug, Clone)]
pub struct Segmenter {
    splitter: NewsSentenceSplitter,
    words: RuleWordTokenizer,
    id: Option<String>,
}

impl Default for Segmenter {
    fn default() -> Self {
        Segmenter {
            splitter: NewsSentenceSplitter::default(),
            words: RuleWordTokenizer::default(),
            id: Some(TOKENIZATION.to_string()),
        }
    }
}

impl Segmenter {
    /// A segmenter with your own splitter and tokenizer (for instance with extra
    /// abbreviations). Its documents carry no tokenization id, so models trained on the
    /// default rules refuse them.
    pub fn new(splitter: NewsSentenceSplitter, words: RuleWordTokenizer) -> Self {
        Segmenter {
            splitter,
            words,
            id: None,
        }
    }

    /// The id recorded on the documents it segments ([`TOKENIZATION`] for the defaults).
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The sentence splitter.
    pub fn splitter(&self) -> &NewsSentenceSplitter {
        &self.splitter
    }

    /// The word tokenizer.
    pub fn word_tokenizer(&self) -> &RuleWordTokenizer {
        &self.words
    }

    /// Fills `doc`'s sentences, tokens and tokenization id (replacing what was there; the
    /// subword pieces and token vectors, which depend on the tokens, are cleared).
    pub fn fill(&self, doc: &mut AnnotatedDocument) {
        let map = OffsetMap::new(&doc.document.text);
        doc.sentences = self.splitter.split(map.text());
        doc.tokens = self.words.tokenize_with(&map);
        doc.tokenization = self.id.clone();
        doc.pieces = None;
        doc.token_vectors = None;
    }

    /// A document with its sentences and tokens.
    pub fn annotate(&self, document: Document) -> AnnotatedDocument {
        let mut doc = AnnotatedDocument::new(document);
        self.fill(&mut doc);
        doc
    }

    /// `doc` itself when it is segmented already (it has tokens, or its text has none), else
    /// a copy with tokens (and sentences, when it had none): how a task that is used on its
    /// own gets the segmentation the facade would have given it. Sentences the caller gave
    /// are kept; the copy's tokens, and so its tokenization id, are this segmenter's.
    pub fn segmented<'a>(&self, doc: &'a AnnotatedDocument) -> Cow<'a, AnnotatedDocument> {
        if !doc.tokens.is_empty() || doc.document.text.trim().is_empty() {
            return Cow::Borrowed(doc);
        }
        let mut copy = doc.clone();
        if copy.sentences.is_empty() {
            self.fill(&mut copy);
        } else {
            copy.tokens = self.words.tokenize(&copy.document.text);
            copy.tokenization = self.id.clone();
            copy.pieces = None;
            copy.token_vectors = None;
        }
        Cow::Owned(copy)
    }
}

impl SentenceSplitter for Segmenter {
    fn split(&self, text: &str) -> Vec<lede_core::Sentence> {
        self.splitter.split(text)
    }
}

impl WordTokenizer for Segmenter {
    fn tokenize(&self, text: &str) -> Vec<lede_core::Token> {
        self.words.tokenize(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lede_core::Sentence;

    #[test]
    fn segmented_fills_only_what_is_missing() {
        let seg = Segmenter::default();
        let full = seg.annotate(Document::new("a", "One. Two three."));
        assert!(matches!(seg.segmented(&full), Cow::Borrowed(_)));

        let bare = AnnotatedDocument::new(Document::new("b", "One. Two three."));
        let filled = seg.segmented(&bare);
        assert_eq!(filled.sentences, full.sentences);
        assert_eq!(filled.tokens, full.tokens);
        assert_eq!(filled.tokenization.as_deref(), Some(TOKENIZATION));

        // The caller's sentences stay; tokens are added.
        let mut given = AnnotatedDocument::new(Document::new("c", "One. Two three."));
        given.sentences = vec![Sentence {
            span: full.sentences[0].span,
            text: "One.".into(),
        }];
        let out = seg.segmented(&given);
        assert_eq!(out.sentences.len(), 1);
        assert_eq!(out.tokens.len(), 5);

        let custom = Segmenter::new(
            NewsSentenceSplitter::default(),
            RuleWordTokenizer::default(),
        );
        assert_eq!(custom.annotate(Document::new("d", "x")).tokenization, None);
        let blank = AnnotatedDocument::new(Document::new("e", "  "));
        assert!(matches!(seg.segmented(&blank), Cow::Borrowed(_)));
    }
}
