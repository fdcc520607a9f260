//! One trait per pipeline stage. Implementations live in the task crates; the facade composes
//! them.

use crate::{
    AnnotatedDocument, Embeddings, Mention, Quote, Relation, Result, Sentence, Summary, Token,
    TokenVectors, WordPieces,
};

/// What [`EntityRecognizer::recognize_with_vectors`] gives: the mentions, and the vectors
/// asked for that the recognizer's encoder pass yields.
#[derive(Debug, Clone, Default)]
pub struct Recognition {
    /// The mentions, as [`EntityRecognizer::recognize`] gives them.
    pub mentions: Vec<Mention>,
    /// One vector per sentence of `doc.sentences` (see
    /// [`EntityRecognizer::recognize_with_sentence_vectors`]), when asked for and offered.
    pub sentence_vectors: Option<Embeddings>,
    /// One vector per token of `doc.tokens`, when asked for and offered.
    pub token_vectors: Option<TokenVectors>,
}

/// Splits text into sentences.
pub trait SentenceSplitter: Send + Sync {
    /// The sentences of `text`, in order, with spans that slice `text` exactly and exclude
    /// surrounding whitespace. Never fails: any text has a (possibly empty) segmentation.
    fn split(&self, text: &str) -> Vec<Sentence>;
}

/// Splits text into word tokens.
pub trait WordTokenizer: Send + Sync {
    /// The word tokens of `text`, in order, with spans that slice `text` exactly.
    fn tokenize(&self, text: &str) -> Vec<Token>;
}

/// Finds named-entity mentions.
///
/// Implementations are `Send` (one per worker thread) but need not be `Sync`: rust-bert
/// models are not.
pub trait EntityRecognizer: Send {
    /// A short name for provenance (`analysis.models.ner`).
    fn name(&self) -> String;

    /// Mentions in `doc`, in text order, non-overlapping.
    ///
    /// # Errors
    /// [`crate::Error::Task`] when the model fails.
    fn recognize(&self, doc: &AnnotatedDocument) -> Result<Vec<Mention>>;

    /// The mentions of [`Self::recognize`] and, where the recognizer's own encoder yields
    /// them at no extra cost, one vector per sentence of `doc.sentences` (rows in sentence
    /// order, L2-normalised, pooled from the contextual states it computed anyway), so that
    /// later stages (the extractive summary) need not encode the document a second time.
    /// The default gives no vectors.
    ///
    /// # Errors
    /// As [`Self::recognize`].
    fn recognize_with_sentence_vectors(
        &self,
        doc: &AnnotatedDocument,
    ) -> Result<(Vec<Mention>, Option<Embeddings>)> {
        Ok((self.recognize(doc)?, None))
    }

    /// Whether [`Self::recognize_with_sentence_vectors`] gives vectors for documents with
    /// words in them, so that a pipeline need not load a sentence encoder of its own. The
    /// default is false.
    fn gives_sentence_vectors(&self) -> bool {
        false
    }

    /// Identifies the encoder whose states [`Self::recognize_with_sentence_vectors`] pools
    /// into sentence vectors (model and weights), so that a later stage trained on such
    /// vectors (lede-summarize's trained sentence scorer) can tell whether a document's
    /// vectors are the ones it knows. The default (no sentence vectors) is `None`.
    fn sentence_vectors_source(&self) -> Option<String> {
        None
    }

    /// The mentions and, from the same encoder pass, sentence vectors (when `sentences`) and
    /// token vectors (when `tokens`, for a recognizer whose
    /// [`Self::token_vectors_source`] is `Some`). The default runs
    /// [`Self::recognize_with_sentence_vectors`] or [`Self::recognize`] and gives no token
    /// vectors.
    ///
    /// # Errors
    /// As [`Self::recognize`].
    fn recognize_with_vectors(
        &self,
        doc: &AnnotatedDocument,
        sentences: bool,
        tokens: bool,
    ) -> Result<Recognition> {
        let _ = tokens;
        if sentences {
            let (mentions, sentence_vectors) = self.recognize_with_sentence_vectors(doc)?;
            Ok(Recognition {
                mentions,
                sentence_vectors,
                token_vectors: None,
            })
        } else {
            Ok(Recognition {
                mentions: self.recognize(doc)?,
                ..Recognition::default()
            })
        }
    }

    /// The [`TokenVectors::source`] of the token vectors
    /// [`Self::recognize_with_vectors`] gives, or `None` (the default) when it gives none.
    fn token_vectors_source(&self) -> Option<String> {
        None
    }

    /// The subword pieces of `doc.tokens` under the recognizer's own vocabulary, when it
    /// reads word pieces: a pipeline computes them once, stores them as
    /// [`AnnotatedDocument::pieces`], and every task with the same vocabulary reads them from
    /// there instead of encoding the words again. The default (a recognizer that reads no
    /// word pieces) gives `None`.
    ///
    /// # Errors
    /// [`crate::Error::Task`] when the encoder fails.
    fn word_pieces(&self, doc: &AnnotatedDocument) -> Result<Option<WordPieces>> {
        let _ = doc;
        Ok(None)
    }
}

/// Finds relations between the entities of a document.
pub trait RelationExtractor: Send {
    /// A short name for provenance.
    fn name(&self) -> String;

    /// Relations between `doc.entities`, each with its evidence.
    ///
    /// # Errors
    /// [`crate::Error::Task`] when the model fails.
    fn extract(&self, doc: &AnnotatedDocument) -> Result<Vec<Relation>>;

    /// The [`TokenVectors::source`] whose vectors the extractor reads from
    /// [`AnnotatedDocument::token_vectors`] when they are there, so that a pipeline computes
    /// them in its recognizer's pass only when they will be used. The default is `None`.
    fn reads_token_vectors(&self) -> Option<String> {
        None
    }
}

/// Finds quotations and attributes them to the document's entities.
pub trait QuoteExtractor: Send {
    /// A short name for provenance.
    fn name(&self) -> String;

    /// Quotations in `doc`, in text order, with speakers resolved to `doc.entities`.
    ///
    /// # Errors
    /// [`crate::Error::Task`] when the extractor fails.
    fn extract_quotes(&self, doc: &AnnotatedDocument) -> Result<Vec<Quote>>;
}

/// Summarizes a document.
pub trait Summarizer: Send {
    /// A short name for provenance.
    fn name(&self) -> String;

    /// A summary of `doc`.
    ///
    /// # Errors
    /// [`crate::Error::Task`] when the model fails.
    fn summarize(&self, doc: &AnnotatedDocument) -> Result<Summary>;
}

/// Encodes texts into dense vectors (sentence embeddings). Shared by summarization and
/// relation scoring; the facade calls it once per document.
pub trait SentenceEncoder: Send {
    /// Width of the vectors.
    fn dim(&self) -> usize;

    /// One vector per text, L2-normalised.
    ///
    /// # Errors
    /// [`crate::Error::Task`] when the model fails.
    fn encode(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>>;
}

/// Convenience: `Token`s within one sentence.
pub fn tokens_in<'a>(tokens: &'a [Token], sentence: &Sentence) -> &'a [Token] {
    let lo = tokens.partition_point(|t| t.span.start < sentence.span.start);
    let hi = tokens.partition_point(|t| t.span.start < sentence.span.end);
    &tokens[lo..hi.max(lo)]
}
