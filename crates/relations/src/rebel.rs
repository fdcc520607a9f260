//! REBEL-style triplet generation: a seq2seq model (BART, as Babelscape's REBEL) writes
//! `<triplet> head <subj> tail <obj> relation` for each sentence; [`parse_rebel`] reads that
//! text and [`RebelExtractor`] maps the strings back onto the document's entities and the
//! relation names onto schema labels (the schema's `[rebel]` table, Wikidata property names
//! such as `founded by` → `founder_of`, flipped).
//!
//! ```
//! use lede_relations::rebel::parse_rebel;
//! let t = parse_rebel("<s><triplet> Viasna <subj> Ales Bialiatski <obj> founded by</s>");
//! assert_eq!(t.len(), 1);
//! assert_eq!((t[0].head.as_str(), t[0].tail.as_str(), t[0].relation.as_str()),
//!            ("Viasna", "Ales Bialiatski", "founded by"));
//! ```

use std::path::Path;

use lede_core::{AnnotatedDocument, Evidence, Relation};
use rust_bert::bart::BartGenerator;
use rust_bert::pipelines::common::ModelResource;
use rust_bert::pipelines::generation_utils::{GenerateConfig, LanguageGenerator};
use rust_bert::resources::LocalResource;

use crate::error::check_weights;
use crate::schema::Schema;
use crate::text::fold;
use crate::{RelationError, Result};

/// One generated triplet, as strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Triplet {
    /// The subject as written by the model.
    pub head: String,
    /// The relation name (a Wikidata property label for REBEL).
    pub relation: String,
    /// The object as written by the model.
    pub tail: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Part {
    Outside,
    Head,
    Tail,
    Relation,
}

fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses REBEL output. Markers may be glued to words; `<s>`, `</s>` and `<pad>` are ignored;
/// several `<subj> tail <obj> relation` groups may follow one `<triplet> head`; incomplete
/// groups are dropped.
pub fn parse_rebel(output: &str) -> Vec<Triplet> {
    let mut text = output.to_string();
    for junk in ["<s>", "</s>", "<pad>"] {
        text = text.replace(junk, " ");
    }
    let mut out = Vec::new();
    let (mut head, mut tail, mut rel) = (String::new(), String::new(), String::new());
    let mut part = Part::Outside;
    let flush = |head: &str, tail: &str, rel: &str, out: &mut Vec<Triplet>| {
        let (h, t, r) = (clean(head), clean(tail), clean(rel));
        if !h.is_empty() && !t.is_empty() && !r.is_empty() {
            out.push(Triplet {
                head: h,
                relation: r,
                tail: t,
            });
        }
    };
    let mut rest = text.as_str();
    while !rest.is_empty() {
        let next = ["<triplet>", "<subj>", "<obj>"]
            .iter()
            .filter_map(|m| rest.find(m).map(|i| (i, *m)))
            .min_by_key(|(i, _)| *i);
        let (piece, marker) = match next {
            Some((i, m)) => (&rest[..i], Some(m)),
            None => (rest, None),
        };
        match part {
            Part::Head => head.push_str(piece),
            Part::Tail => tail.push_str(piece),
            Part::Relation => rel.push_str(piece),
            Part::Outside => {}
        }
        match marker {
            Some("<triplet>") => {
                flush(&head, &tail, &rel, &mut out);
                head.clear();
                tail.clear();
                rel.clear();
                part = Part::Head;
            }
            Some("<subj>") => {
                if !rel.trim().is_empty() {
                    flush(&head, &tail, &rel, &mut out);
                }
                tail.clear();
                rel.clear();
                part = Part::Tail;
            }
            Some(_) => {
                rel.clear();
                part = Part::Relation;
            }
            None => {}
        }
        rest = match next {
            Some((i, m)) => &rest[i + m.len()..],
            None => "",
        };
    }
    flush(&head, &tail, &rel, &mut out);
    out
}

/// The entity (index) a generated string names: an exact (folded) match with the canonical
/// name or a mention; else the entity whose name contains the string as whole words (or is
/// contained in it), the longest such name winning.
pub fn find_entity(doc: &AnnotatedDocument, name: &str) -> Option<usize> {
    let key = fold(name);
    if key.is_empty() {
        return None;
    }
    let exact = doc
        .entities
        .iter()
        .position(|e| fold(&e.name) == key || e.mentions.iter().any(|m| fold(&m.text) == key));
    if exact.is_some() {
        return exact;
    }
    let words = |s: &str| -> Vec<String> { s.split_whitespace().map(str::to_string).collect() };
    let kw = words(&key);
    let contains = |big: &[String], small: &[String]| {
        !small.is_empty() && big.windows(small.len()).any(|w| w == small)
    };
    doc.entities
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            let ew = words(&fold(&e.name));
            contains(&ew, &kw) || contains(&kw, &ew)
        })
        .max_by_key(|(_, e)| e.name.len())
        .map(|(i, _)| i)
}

/// Produces REBEL-style output for sentences.
pub trait TripletGenerator: Send {
    /// A name for provenance.
    fn name(&self) -> String;

    /// One generated string (with its markers) per input text, and a confidence in `[0, 1]`.
    ///
    /// # Errors
    /// Model failures.
    fn generate(&self, texts: &[&str]) -> Result<Vec<(String, f32)>>;
}

/// A relation extractor over a [`TripletGenerator`].
pub struct RebelExtractor<G> {
    generator: G,
    schema: Schema,
    min_score: f32,
}

impl<G: TripletGenerator> RebelExtractor<G> {
    /// Maps generated triplets with `schema`'s `[rebel]` table.
    pub fn new(generator: G, schema: Schema) -> Self {
        RebelExtractor {
            generator,
            schema,
            min_score: 0.0,
        }
    }

    /// Drops relations whose generation confidence is below `score`.
    pub fn min_score(mut self, score: f32) -> Self {
        self.min_score = score;
        self
    }

    /// Relations from the triplets generated for sentence `sentence` of `doc`: strings mapped
    /// to entities, relation names to labels (unknown names, unmatched strings and pairs
    /// whose types do not fit the label are dropped).
    pub fn map_triplets(
        &self,
        doc: &AnnotatedDocument,
        sentence: usize,
        triplets: &[Triplet],
        score: f32,
    ) -> Vec<Relation> {
        let Some(s) = doc.sentences.get(sentence) else {
            return Vec::new();
        };
        let mut out: Vec<Relation> = Vec::new();
        for t in triplets {
            let Some((label, flip)) = self.schema.rebel_mapping(&t.relation) else {
                continue;
            };
            let Some(spec) = self.schema.label(label) else {
                continue;
            };
            let (h, tl) = if flip {
                (&t.tail, &t.head)
            } else {
                (&t.head, &t.tail)
            };
            let (Some(hi), Some(ti)) = (find_entity(doc, h), find_entity(doc, tl)) else {
                continue;
            };
            let (Some(he), Some(te)) = (doc.entities.get(hi), doc.entities.get(ti)) else {
                continue;
            };
            if hi == ti || !spec.head_accepts(&he.label) || !spec.tail_accepts(&te.label) {
                continue;
            }
            let rel = Relation {
                head: he.id.clone(),
                tail: te.id.clone(),
                head_name: he.name.clone(),
                tail_name: te.name.clone(),
                label: label.to_string(),
                score: score.clamp(0.0, 1.0),
                evidence: Evidence {
                    span: s.span,
                    text: s.text.clone(),
                },
            };
            if !out
                .iter()
                .any(|r| r.head == rel.head && r.tail == rel.tail && r.label == rel.label)
            {
                out.push(rel);
            }
        }
        out
    }

    /// Relations of a document: every sentence with at least two entity mentions is generated
    /// from; duplicates keep their best score.
    ///
    /// # Errors
    /// Generator failures.
    pub fn extract_relations(&self, doc: &AnnotatedDocument) -> Result<Vec<Relation>> {
        let mut idx = Vec::new();
        for (i, s) in doc.sentences.iter().enumerate() {
            let n = doc
                .entities
                .iter()
                .flat_map(|e| &e.mentions)
                .filter(|m| s.span.contains(&m.span))
                .count();
            if n >= 2 {
                idx.push(i);
            }
        }
        let texts: Vec<&str> = idx
            .iter()
            .filter_map(|&i| doc.sentences.get(i).map(|s| s.text.as_str()))
            .collect();
        let generated = if texts.is_empty() {
            Vec::new()
        } else {
            self.generator.generate(&texts)?
        };
        let mut out: Vec<Relation> = Vec::new();
        for (&i, (text, score)) in idx.iter().zip(generated) {
            if score < self.min_score {
                continue;
            }
            for r in self.map_triplets(doc, i, &parse_rebel(&text), score) {
                match out
                    .iter_mut()
                    .find(|o| o.head == r.head && o.tail == r.tail && o.label == r.label)
                {
                    Some(o) if o.score < r.score => *o = r,
                    Some(_) => {}
                    None => out.push(r),
                }
            }
        }
        Ok(out)
    }
}

impl<G: TripletGenerator> lede_core::RelationExtractor for RebelExtractor<G> {
    fn name(&self) -> String {
        format!("lede-relations/rebel:{}", self.generator.name())
    }

    fn extract(&self, doc: &AnnotatedDocument) -> lede_core::Result<Vec<Relation>> {
        Ok(self.extract_relations(doc)?)
    }
}

/// A BART seq2seq model through rust-bert (Babelscape/rebel-large or any model of that shape)
/// loaded from a local directory: `config.json`, `model.safetensors` (or `rust_model.ot`),
/// `vocab.json` and `merges.txt`; a `tokenizer.json` there is used to decode so that added
/// marker tokens (`<triplet>`, `<subj>`, `<obj>`) survive.
pub struct BartTripletGenerator {
    model: BartGenerator,
    decoder: Option<tokenizers::Tokenizer>,
    name: String,
}

lede_core::assert_send!(BartTripletGenerator);

fn weights_in(dir: &Path) -> Result<std::path::PathBuf> {
    for name in ["model.safetensors", "rust_model.ot"] {
        let p = dir.join(name);
        if p.is_file() {
            return Ok(p);
        }
    }
    Err(RelationError::MissingFile {
        path: dir.join("model.safetensors"),
    })
}

fn required(dir: &Path, name: &str) -> Result<std::path::PathBuf> {
    let p = dir.join(name);
    if p.is_file() {
        Ok(p)
    } else {
        Err(RelationError::MissingFile { path: p })
    }
}

impl BartTripletGenerator {
    /// Loads the model on the CPU; generation is greedy up to `max_length` tokens.
    ///
    /// # Errors
    /// [`RelationError::MissingFile`], [`RelationError::Load`] naming the file (weights,
    /// `tokenizer.json`) that is corrupt or that rust-bert or tokenizers cannot load.
    pub fn from_dir(dir: &Path, max_length: i64) -> Result<Self> {
        let weights = weights_in(dir)?;
        let config = required(dir, "config.json")?;
        let vocab = required(dir, "vocab.json")?;
        let merges = required(dir, "merges.txt")?;
        let local = |p: std::path::PathBuf| LocalResource { local_path: p };
        let generate = GenerateConfig {
            model_type: rust_bert::pipelines::common::ModelType::Bart,
            model_resource: ModelResource::Torch(Box::new(local(weights.clone()))),
            config_resource: Box::new(local(config)),
            vocab_resource: Box::new(local(vocab)),
            merges_resource: Some(Box::new(local(merges))),
            min_length: 0,
            max_length: Some(max_length),
            do_sample: false,
            early_stopping: true,
            num_beams: 1,
            temperature: 1.0,
            top_k: 0,
            top_p: 1.0,
            repetition_penalty: 1.0,
            length_penalty: 1.0,
            no_repeat_ngram_size: 0,
            num_return_sequences: 1,
            num_beam_groups: None,
            diversity_penalty: None,
            device: tch::Device::Cpu,
            kind: None,
        };
        check_weights(&weights)?;
        let model = BartGenerator::new(generate).map_err(|e| RelationError::load(&weights, e))?;
        let tj = dir.join("tokenizer.json");
        let decoder = if tj.is_file() {
            Some(tokenizers::Tokenizer::from_file(&tj).map_err(|e| RelationError::load(&tj, e))?)
        } else {
            None
        };
        Ok(BartTripletGenerator {
            model,
            decoder,
            name: dir.display().to_string(),
        })
    }
}

impl TripletGenerator for BartTripletGenerator {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn generate(&self, texts: &[&str]) -> Result<Vec<(String, f32)>> {
        let outputs = self.model.generate_indices(Some(texts), None)?;
        let mut out = Vec::with_capacity(outputs.len());
        for o in outputs {
            let text = match &self.decoder {
                Some(t) => {
                    let ids: Vec<u32> = o
                        .indices
                        .iter()
                        .filter_map(|&i| u32::try_from(i).ok())
                        .collect();
                    t.decode(&ids, false).map_err(RelationError::Tokenizer)?
                }
                None => self.model.get_tokenizer().decode(&o.indices, false, true),
            };
            let score = o.score.map_or(0.5, |s| (s.exp() as f32).clamp(0.0, 1.0));
            out.push((text, score));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: &str, r: &str, tl: &str) -> Triplet {
        Triplet {
            head: h.into(),
            relation: r.into(),
            tail: tl.into(),
        }
    }

    #[test]
    fn parses_single_and_multiple_triplets() {
        assert_eq!(
            parse_rebel("<s><triplet> Vilnius <subj> Lithuania <obj> capital of</s><pad><pad>"),
            vec![t("Vilnius", "capital of", "Lithuania")]
        );
        // Several objects for one subject, then a new subject.
        let out = parse_rebel(
            "<triplet> Ales Bialiatski <subj> Viasna <obj> founded <subj> Nobel Peace Prize <obj> award received <triplet> Vilnius <subj> Lithuania <obj> country",
        );
        assert_eq!(
            out,
            vec![
                t("Ales Bialiatski", "founded", "Viasna"),
                t("Ales Bialiatski", "award received", "Nobel Peace Prize"),
                t("Vilnius", "country", "Lithuania"),
            ]
        );
    }

    #[test]
    fn glued_markers_whitespace_and_garbage() {
        assert_eq!(
            parse_rebel("<triplet>Joe   Biden<subj>United States<obj>  head of\nstate"),
            vec![t("Joe Biden", "head of state", "United States")]
        );
        // Incomplete groups are dropped, text before the first marker is ignored.
        assert!(parse_rebel("").is_empty());
        assert!(parse_rebel("no markers at all").is_empty());
        assert!(parse_rebel("<triplet> A <subj> B").is_empty());
        assert!(parse_rebel("<triplet> A <obj> r").is_empty());
        assert!(parse_rebel("<subj> B <obj> r").is_empty(), "no head");
        assert_eq!(
            parse_rebel("junk <triplet> A <subj> B <obj> r <triplet> C <subj> <obj> s"),
            vec![t("A", "r", "B")]
        );
        // Unicode names survive.
        assert_eq!(
            parse_rebel("<triplet> Kolésnikova <subj> Минск <obj> residence")[0].head,
            "Kolésnikova"
        );
    }

    struct Canned(Vec<(String, f32)>);
    impl TripletGenerator for Canned {
        fn name(&self) -> String {
            "canned".into()
        }
        fn generate(&self, texts: &[&str]) -> Result<Vec<(String, f32)>> {
            Ok(texts
                .iter()
                .enumerate()
                .map(|(i, _)| self.0.get(i).cloned().unwrap_or_default())
                .collect())
        }
    }

    fn doc() -> AnnotatedDocument {
        use lede_core::{Document, Entity, Mention, OffsetMap, Sentence};
        let text = "Ales Bialiatski founded Viasna. Vilnius is the capital of Lithuania.";
        let map = OffsetMap::new(text);
        let ent = |id: &str, label: &str, forms: &[&str]| Entity {
            id: id.into(),
            name: forms[0].into(),
            label: label.into(),
            mentions: forms
                .iter()
                .map(|f| {
                    let a = text.find(f).unwrap();
                    Mention {
                        text: f.to_string(),
                        label: label.into(),
                        score: 1.0,
                        span: map.span(a, a + f.len()).unwrap(),
                    }
                })
                .collect(),
        };
        let mut d = AnnotatedDocument::new(Document::new("d", text));
        d.sentences = vec![
            Sentence {
                span: map.span(0, 31).unwrap(),
                text: text[..31].into(),
            },
            Sentence {
                span: map.span(32, text.len()).unwrap(),
                text: text[32..].into(),
            },
        ];
        d.entities = vec![
            ent("E1", "PERSON", &["Ales Bialiatski"]),
            ent("E2", "ORG", &["Viasna"]),
            ent("E3", "GPE", &["Vilnius"]),
            ent("E4", "GPE", &["Lithuania"]),
        ];
        d
    }

    #[test]
    fn strings_map_onto_entities_and_labels() {
        let d = doc();
        assert_eq!(find_entity(&d, "bialiatski"), Some(0));
        assert_eq!(find_entity(&d, "Mr Ales Bialiatski"), Some(0));
        assert_eq!(find_entity(&d, "LITHUANIA"), Some(3));
        assert_eq!(find_entity(&d, "Latvia"), None);
        assert_eq!(find_entity(&d, ""), None);
        let g = Canned(vec![
            (
                "<triplet> Viasna <subj> Bialiatski <obj> founded by".into(),
                0.8,
            ),
            (
                "<triplet> Vilnius <subj> Lithuania <obj> capital of <subj> Latvia <obj> country <triplet> Lithuania <subj> Vilnius <obj> spouse".into(),
                0.9,
            ),
        ]);
        let ex = RebelExtractor::new(g, Schema::news().unwrap());
        let rels = ex.extract_relations(&d).unwrap();
        // founded by is flipped onto founder_of; Latvia is not in the document; "spouse" does
        // not fit two places.
        assert_eq!(rels.len(), 2, "{rels:?}");
        assert_eq!(
            (
                rels[0].head.as_str(),
                rels[0].label.as_str(),
                rels[0].tail.as_str()
            ),
            ("E1", "founder_of", "E2")
        );
        assert_eq!(rels[0].evidence.text, "Ales Bialiatski founded Viasna.");
        assert_eq!(
            (
                rels[1].head.as_str(),
                rels[1].label.as_str(),
                rels[1].tail.as_str()
            ),
            ("E3", "capital_of", "E4")
        );
        assert!((rels[1].score - 0.9).abs() < 1e-6);
        let strict = RebelExtractor::new(
            Canned(vec![(
                "<triplet> Viasna <subj> Bialiatski <obj> founded by".into(),
                0.3,
            )]),
            Schema::news().unwrap(),
        )
        .min_score(0.5);
        assert!(strict.extract_relations(&d).unwrap().is_empty());
    }
}
