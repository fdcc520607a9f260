//! # lede-quotes
//!
//! Who said what, for [lede](https://github.com/lede-nlp/lede): quotations in news text and the
//! entities that said them. Rules only (no model files, no libtorch), over the sentences and
//! words of lede-tokenize and the entities of lede-ner.
//!
//! * **Direct quotes**: passages between quotation marks of every kind (straight, curly,
//!   guillemets, single marks where they cannot be apostrophes), across sentences; an opening
//!   mark with no closing one runs to the next opening mark. A passage is a statement when it
//!   has an attribution ("he said", "said the envoy", "X said: ..."), stands inside reported
//!   speech ("argued that it was the result of 'agreements reached'"), or has at least
//!   [`QuoteFinderBuilder::min_statement_words`] words; names and labels ("known as 'the
//!   heart'", "so-called", "dubbed") never are.
//! * **Indirect quotes**: reported speech after a verb of saying ("X says [the threat is
//!   gone]", "X warned that [...]"), before one ("[The threat is gone], he said"), and with
//!   "according to X".
//! * **Speakers**: the attribution's words ([`lede_core::Quote::speaker`]) resolve to an entity
//!   of the document when they hold a name, through a pronoun (the last speaker when recent,
//!   else the nearest person named before), through a role noun that the article gives a named
//!   person or organisation ("the White House envoy, John Cole" ... "said the US envoy"),
//!   through a definite role the article never puts beside a name ("the retired general
//!   said": the person named at the start of the next sentence, else the one "he" would
//!   name), through an office to its holder ("Ariel Sharon's office said"), and, for a quote
//!   with no attribution of its own, the speaker of the quote before it.
//! * [`eval`]: span F1 (exact and overlap) and speaker accuracy against hand-annotated gold,
//!   beside the nearest-preceding-person baseline.
//!
//! ```
//! use lede_core::{Document, QuoteExtractor, QuoteKind};
//! use lede_quotes::QuoteFinder;
//! use lede_tokenize::Segmenter;
//!
//! let text = "Mr Downer says the threat is no longer there. \
//!             \u{201c}The Taliban is finished,\u{201d} he said.";
//! let doc = Segmenter::default().annotate(Document::new("d", text));
//! let quotes = QuoteFinder::builder().build().extract_quotes(&doc).unwrap();
//! assert_eq!(quotes.len(), 2);
//! assert_eq!(quotes[0].kind, QuoteKind::Indirect);
//! assert_eq!(quotes[0].text, "the threat is no longer there");
//! assert_eq!(quotes[1].text, "The Taliban is finished,");
//! assert_eq!(quotes[1].speaker.as_ref().unwrap().text, "he");
//! ```
#![deny(missing_docs)]

mod error;
pub mod eval;
mod find;
mod marks;
mod resolve;
mod words;

pub use error::{QuoteError, Result};

use lede_core::{AnnotatedDocument, CoarseLabel, Entity, OffsetMap, Phrase, Quote, QuoteExtractor};
use lede_tokenize::Segmenter;

/// The default of [`QuoteFinderBuilder::min_statement_words`].
pub const DEFAULT_MIN_STATEMENT_WORDS: usize = 4;

/// Finds quotations and their speakers. Cheap to build; `Send` and `Sync`.
#[derive(Debug, Clone)]
pub struct QuoteFinder {
    min_statement_words: usize,
}

lede_core::assert_send!(QuoteFinder);

/// Configures a [`QuoteFinder`].
#[derive(Debug, Clone, Default)]
pub struct QuoteFinderBuilder {
    min_statement_words: Option<usize>,
}

impl QuoteFinderBuilder {
    /// A marked passage with no attribution and no verb of saying in its sentence counts as a
    /// statement from this many words (default [`DEFAULT_MIN_STATEMENT_WORDS`]); shorter ones
    /// are names or scare quotes.
    pub fn min_statement_words(mut self, n: usize) -> Self {
        self.min_statement_words = Some(n);
        self
    }

    /// The finder.
    pub fn build(&self) -> QuoteFinder {
        QuoteFinder {
            min_statement_words: self
                .min_statement_words
                .unwrap_or(DEFAULT_MIN_STATEMENT_WORDS),
        }
    }
}

impl Default for QuoteFinder {
    fn default() -> Self {
        QuoteFinderBuilder::default().build()
    }
}

impl QuoteFinder {
    /// A builder with the defaults.
    pub fn builder() -> QuoteFinderBuilder {
        QuoteFinderBuilder::default()
    }

    /// Quotations in `doc` in text order, speakers resolved to `doc.entities` (when the
    /// document has no words yet, lede-tokenize segments it first).
    ///
    /// # Errors
    /// [`QuoteError::Span`] if a token or entity span does not fit the text (an
    /// inconsistent document).
    pub fn find(&self, doc: &AnnotatedDocument) -> Result<Vec<Quote>> {
        if doc.tokens.is_empty() && !doc.text().trim().is_empty() {
            let mut seg = Segmenter::default().annotate(doc.document.clone());
            seg.entities = doc.entities.clone();
            return self.find(&seg);
        }
        let w = words::Words::from_doc(doc);
        if w.len() == 0 {
            return Ok(Vec::new());
        }
        let found = find::Finder::new(&w, self.min_statement_words).find();
        let resolver = resolve::Resolver::new(&w, &doc.entities, &found);
        let speakers = resolver.resolve(&found);
        let map = OffsetMap::new(doc.text());
        let phrase = |(a, b): (usize, usize)| -> Result<Phrase> {
            let span = map.span(w.words[a].start, w.words[b - 1].end)?;
            Ok(Phrase {
                text: doc.text()[span.start..span.end].to_string(),
                span,
            })
        };
        let mut out = Vec::with_capacity(found.len());
        for (f, (entity, how)) in found.iter().zip(speakers) {
            let span = map.span(f.start, f.end)?;
            let entity = entity.and_then(|e| doc.entities.get(e));
            out.push(Quote {
                text: doc.text()[f.start..f.end].to_string(),
                span,
                kind: f.kind,
                cue: f.cue.map(phrase).transpose()?,
                speaker: f.speaker.map(phrase).transpose()?,
                speaker_entity: entity.map(|e| e.id.clone()),
                speaker_name: entity.map(|e| e.name.clone()),
                score: how.score(),
            });
        }
        Ok(out)
    }
}

impl QuoteExtractor for QuoteFinder {
    fn name(&self) -> String {
        "lede-quotes (rules)".to_string()
    }

    fn extract_quotes(&self, doc: &AnnotatedDocument) -> lede_core::Result<Vec<Quote>> {
        self.find(doc)
            .map_err(|e| lede_core::Error::task("quotes", e))
    }
}

/// The baseline speaker of a quote: the entity of the nearest PERSON mention before the quote
/// starts (byte offset `before`), whatever the attribution says.
pub fn nearest_person_before(entities: &[Entity], before: usize) -> Option<&Entity> {
    entities
        .iter()
        .filter(|e| e.coarse_label() == Some(CoarseLabel::Per))
        .filter_map(|e| {
            e.mentions
                .iter()
                .filter(|m| m.span.end <= before)
                .map(|m| m.span.end)
                .max()
                .map(|end| (end, e))
        })
        .max_by_key(|&(end, _)| end)
        .map(|(_, e)| e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lede_core::{Document, Mention, QuoteKind};

    /// A segmented document with one entity per `(name, label)`; a name written
    /// "John Cole|Cole" gives the entity the mentions of both forms (the short one where it is
    /// not part of the long one).
    fn doc_with(text: &str, names: &[(&str, &str)]) -> AnnotatedDocument {
        let mut doc = Segmenter::default().annotate(Document::new("t", text));
        let map = OffsetMap::new(text);
        for (i, (forms, label)) in names.iter().enumerate() {
            let mut mentions: Vec<Mention> = Vec::new();
            for form in forms.split('|') {
                for (s, _) in text.match_indices(form) {
                    if mentions.iter().any(|m| m.span.start <= s && s < m.span.end) {
                        continue;
                    }
                    mentions.push(Mention {
                        text: form.to_string(),
                        label: label.to_string(),
                        score: 1.0,
                        span: map.span(s, s + form.len()).unwrap(),
                    });
                }
            }
            mentions.sort_by_key(|m| m.span.start);
            doc.entities.push(Entity {
                id: format!("E{}", i + 1),
                name: forms.split('|').next().unwrap().to_string(),
                label: label.to_string(),
                mentions,
            });
        }
        doc
    }

    fn quotes(doc: &AnnotatedDocument) -> Vec<Quote> {
        QuoteFinder::default().find(doc).unwrap()
    }

    #[test]
    fn attribution_by_name_pronoun_and_role() {
        let text = "The talks were led by the White House envoy, John Cole. \
                    \u{201c}We are lifting them right now,\u{201d} Cole told local media. \
                    \u{201c}That is our goal,\u{201d} said the US envoy. \
                    Bialiatski was freed on Saturday. \u{201c}The struggle continues,\u{201d} he said.";
        let doc = doc_with(
            text,
            &[("John Cole|Cole", "PERSON"), ("Bialiatski", "PERSON")],
        );
        let q = quotes(&doc);
        let direct: Vec<&Quote> = q.iter().filter(|q| q.kind == QuoteKind::Direct).collect();
        assert_eq!(direct.len(), 3, "{q:#?}");
        assert_eq!(direct[0].speaker_name.as_deref(), Some("John Cole"));
        assert_eq!(direct[1].speaker.as_ref().unwrap().text, "the US envoy");
        assert_eq!(direct[1].speaker_name.as_deref(), Some("John Cole"));
        assert_eq!(direct[2].speaker_name.as_deref(), Some("Bialiatski"));
        assert_eq!(direct[2].cue.as_ref().unwrap().text, "said");
    }

    #[test]
    fn names_and_labels_in_marks_are_not_statements() {
        let text =
            "Maria Kalesnikava, known as \u{201c}the heart\u{201d} of the protests, was freed. \
                    The \"Pacific Solution\" program continues.";
        let doc = doc_with(text, &[("Maria Kalesnikava", "PERSON")]);
        assert!(
            quotes(&doc).iter().all(|q| q.kind != QuoteKind::Direct),
            "{:#?}",
            quotes(&doc)
        );
    }

    #[test]
    fn partial_quotes_inside_reported_speech() {
        let text = "Belarus argued that the pardon was the result of \u{201c}agreements reached\u{201d} with Trump.";
        let doc = doc_with(text, &[("Belarus", "GPE"), ("Trump", "PERSON")]);
        let q = quotes(&doc);
        let direct: Vec<&Quote> = q.iter().filter(|q| q.kind == QuoteKind::Direct).collect();
        assert_eq!(direct.len(), 1);
        assert_eq!(direct[0].text, "agreements reached");
        assert_eq!(direct[0].speaker_name.as_deref(), Some("Belarus"));
        let indirect: Vec<&Quote> = q.iter().filter(|q| q.kind == QuoteKind::Indirect).collect();
        assert_eq!(indirect.len(), 1);
        assert!(indirect[0].text.starts_with("the pardon was the result of"));
    }

    #[test]
    fn reported_speech_forms() {
        let text = "Mr Downer says the threat is no longer there. \
                    The airlift will go ahead next week, a spokesman said. \
                    According to police, the man was armed. \
                    He refused to say how long the process would take. \
                    The minister did not say that the camp would close.";
        let doc = doc_with(text, &[("Downer", "PERSON")]);
        let q = quotes(&doc);
        let texts: Vec<&str> = q.iter().map(|q| q.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "the threat is no longer there",
                "The airlift will go ahead next week",
                "the man was armed"
            ]
        );
        assert_eq!(q[0].speaker_name.as_deref(), Some("Downer"));
        assert_eq!(q[1].speaker.as_ref().unwrap().text, "a spokesman");
        assert_eq!(q[1].speaker_entity, None);
        assert_eq!(q[2].cue.as_ref().unwrap().text, "According to");
    }

    #[test]
    fn a_quote_without_attribution_continues_the_last_speaker() {
        let text =
            "\"Many have claimed that they are fleeing the Taliban,\" Alexander Downer said. \
                    \"Well, the Taliban is no longer in power.\"";
        let doc = doc_with(text, &[("Alexander Downer", "PERSON")]);
        let q = quotes(&doc);
        assert_eq!(q.len(), 2, "{q:#?}");
        assert!(q[1].speaker.is_none());
        assert_eq!(q[1].speaker_name.as_deref(), Some("Alexander Downer"));
    }

    #[test]
    fn pronouns_pass_over_people_whose_title_disagrees() {
        let text = "Mr Crean met Ms Morrow in Canberra. \"It went well,\" she said.";
        let doc = doc_with(text, &[("Morrow", "PERSON"), ("Crean", "PERSON")]);
        let q = quotes(&doc);
        assert_eq!(q.len(), 1, "{q:#?}");
        assert_eq!(q[0].speaker_name.as_deref(), Some("Morrow"));
        let text = "Ms Morrow met Mr Crean in Canberra. \"It went well,\" he said.";
        let doc = doc_with(text, &[("Morrow", "PERSON"), ("Crean", "PERSON")]);
        assert_eq!(quotes(&doc)[0].speaker_name.as_deref(), Some("Crean"));
    }

    #[test]
    fn definite_roles_without_a_name_beside_them() {
        // The role first, the name in the next sentence.
        let text = "The new Prime Minister says there are tough times ahead. \
                    Sir Allan Kemakeza was elected on the first ballot.";
        let doc = doc_with(text, &[("Allan Kemakeza", "PERSON")]);
        let q = quotes(&doc);
        assert_eq!(q.len(), 1, "{q:#?}");
        assert_eq!(q[0].speaker_name.as_deref(), Some("Allan Kemakeza"));
        // The role after the name: the person the narration is about.
        let text = "The envoy, Anthony Zinni, met Mr Arafat on Sunday. \
                    \"The attacks must stop,\" the retired general said.";
        let doc = doc_with(text, &[("Anthony Zinni", "PERSON"), ("Arafat", "PERSON")]);
        let q = quotes(&doc);
        assert_eq!(q.len(), 1, "{q:#?}");
        assert_eq!(q[0].speaker_name.as_deref(), Some("Anthony Zinni"));
        // An indefinite role stays unnamed; an office speaks for its holder.
        let text = "Mr Sharon met the cabinet. A general said the attacks would stop. \
                    \"The decision is final,\" a statement from Ariel Sharon's office said.";
        let doc = doc_with(text, &[("Ariel Sharon|Mr Sharon", "PERSON")]);
        let q = quotes(&doc);
        assert_eq!(q.len(), 2, "{q:#?}");
        assert_eq!(q[0].speaker_name, None);
        assert_eq!(q[1].speaker_name.as_deref(), Some("Ariel Sharon"), "{q:#?}");
    }

    #[test]
    fn joined_verbs_share_the_subject_and_nationalities_modify() {
        let text = "Labor says the cuts are wrong. Mr Nelson will not name any area and says \
                    he is not afraid of the review. The Israeli Government says the talks failed.";
        let doc = doc_with(
            text,
            &[
                ("Labor", "ORG"),
                ("Mr Nelson", "PERSON"),
                ("Israeli", "NORP"),
            ],
        );
        let q = quotes(&doc);
        let by = |start: &str| {
            q.iter()
                .find(|x| x.text.starts_with(start))
                .unwrap_or_else(|| panic!("no quote {start:?}: {q:#?}"))
        };
        assert_eq!(
            by("he is not afraid").speaker_name.as_deref(),
            Some("Mr Nelson")
        );
        // "Israeli" modifies "Government", which the article never names.
        assert_eq!(by("the talks failed").speaker_entity, None);
    }

    #[test]
    fn capitalised_verb_forms_inside_a_sentence_are_names() {
        let text = "The President of the United States Donald Trump has convinced the leader. \
                    Amnesty said the medication was denied.";
        let doc = doc_with(text, &[("Donald Trump", "PERSON"), ("Amnesty", "ORG")]);
        let q = quotes(&doc);
        assert_eq!(q.len(), 1, "{q:#?}");
        assert_eq!(q[0].text, "the medication was denied");
    }

    #[test]
    fn spans_slice_the_text_and_empty_documents_have_none() {
        let text =
            "\u{00ab}C\u{2019}est fini,\u{00bb} a-t-il dit. \u{201c}Ça va,\u{201d} she said.";
        let doc = doc_with(text, &[]);
        for q in quotes(&doc) {
            assert_eq!(q.span.slice(text), Some(q.text.as_str()));
            assert_eq!(
                text.chars()
                    .skip(q.span.char_start)
                    .take(q.span.char_len())
                    .collect::<String>(),
                q.text
            );
        }
        assert!(quotes(&doc_with(" ", &[])).is_empty());
    }

    #[test]
    fn nearest_person_baseline() {
        let text = "Cole met Bialiatski. \"We won,\" he said.";
        let doc = doc_with(text, &[("Cole", "PERSON"), ("Bialiatski", "PERSON")]);
        let q = text.find("We won").unwrap();
        assert_eq!(
            nearest_person_before(&doc.entities, q).map(|e| e.name.as_str()),
            Some("Bialiatski")
        );
    }
}
