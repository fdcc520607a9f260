//! The relation schema: labels, their argument types, verbalizations and cue patterns, loaded
//! from TOML so that users add labels without recompiling.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::pattern::{Arguments, Pattern, Slot};
use crate::text::fold;
use crate::{RelationError, Result};

pub use crate::pattern::{types_accept, ValueKind};

/// The default news schema, compiled in from the crate's `schema/news.toml` (the repository's
/// `models/relations/news.toml` is a byte-identical copy, next to the classifier it goes with).
pub const NEWS_SCHEMA_TOML: &str = include_str!("../schema/news.toml");

/// A cue as written in the schema file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CueSpec {
    /// The pattern text (see the schema file's header for the syntax).
    pub pattern: String,
    /// The cue's prior precision in `[0, 1]`.
    pub score: f32,
}

/// One relation label as written in the schema file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelSpec {
    /// The label (`pardoned`).
    pub name: String,
    /// Entity types the head accepts.
    pub head: Vec<String>,
    /// Entity types the tail accepts (empty for a value tail).
    #[serde(default)]
    pub tail: Vec<String>,
    /// When set, the tail is a literal value of this kind rather than an entity.
    #[serde(default)]
    pub tail_value: Option<ValueKind>,
    /// Optional: the tail's text must contain one of these words (case-insensitive).
    #[serde(default)]
    pub tail_words: Vec<String>,
    /// Whether the relation holds both ways.
    #[serde(default)]
    pub symmetric: bool,
    /// What the label means.
    #[serde(default)]
    pub definition: String,
    /// Hypotheses for zero-shot backends, with `{head}` and `{tail}` placeholders.
    #[serde(default)]
    pub verbalizations: Vec<String>,
    /// Minimum calibrated score to report the relation.
    #[serde(default = "default_threshold")]
    pub threshold: f32,
    /// The label's cue patterns.
    #[serde(default)]
    pub cues: Vec<CueSpec>,
    /// Labels this one overrides on the same pair of entities (either order): when both
    /// are found, only this one is reported (`leader_of` excludes `works_for`: a president
    /// leads the country rather than working for it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excludes: Vec<String>,
}

fn default_threshold() -> f32 {
    0.5
}

#[derive(Debug, Clone, Deserialize)]
struct SchemaFile {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    macros: BTreeMap<String, String>,
    #[serde(default)]
    demonyms: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    label: Vec<LabelSpec>,
    #[serde(default)]
    rebel: BTreeMap<String, RebelMapping>,
}

/// How a REBEL (Wikidata) relation name maps onto a schema label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RebelMapping {
    /// The schema label.
    pub label: String,
    /// Whether REBEL's subject is the label's tail (`founded by` → `founder_of`).
    #[serde(default)]
    pub flip: bool,
}

/// A compiled cue: its pattern and prior precision.
#[derive(Debug, Clone)]
pub struct Cue {
    /// The pattern as written.
    pub source: String,
    /// The compiled pattern.
    pub(crate) pattern: Pattern,
    /// Prior precision.
    pub score: f32,
}

/// A label with its cues compiled.
#[derive(Debug, Clone)]
pub struct Label {
    /// The label as written in the schema.
    pub spec: LabelSpec,
    /// Its compiled cues, in file order.
    pub cues: Vec<Cue>,
}

impl Label {
    /// The label's name.
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// Whether an entity label fits the head slot.
    pub fn head_accepts(&self, entity_label: &str) -> bool {
        types_accept(&self.spec.head, entity_label)
    }

    /// Whether an entity label fits the tail slot (always false for value tails).
    pub fn tail_accepts(&self, entity_label: &str) -> bool {
        self.spec.tail_value.is_none() && types_accept(&self.spec.tail, entity_label)
    }

    /// Whether a tail's text passes the label's `tail_words` filter.
    pub fn tail_text_ok(&self, text: &str) -> bool {
        if self.spec.tail_words.is_empty() {
            return true;
        }
        let folded = fold(text);
        folded.split(|c: char| !c.is_alphanumeric()).any(|w| {
            self.spec
                .tail_words
                .iter()
                .any(|t| t.eq_ignore_ascii_case(w))
        })
    }
}

impl Arguments for Label {
    fn slot_types(&self, slot: Slot) -> &[String] {
        match slot {
            Slot::Head => &self.spec.head,
            Slot::Tail => &self.spec.tail,
        }
    }

    fn tail_value(&self) -> Option<ValueKind> {
        self.spec.tail_value
    }

    fn tail_text_ok(&self, text: &str) -> bool {
        Label::tail_text_ok(self, text)
    }
}

/// A relation schema: labels, cue patterns and the demonym table.
///
/// ```
/// use lede_relations::Schema;
/// let schema = Schema::news().unwrap();
/// let pardoned = schema.label("pardoned").unwrap();
/// assert!(pardoned.head_accepts("PERSON") && pardoned.tail_accepts("PERSON"));
/// assert!(schema.label("spouse_of").unwrap().spec.symmetric);
/// ```
#[derive(Debug, Clone)]
pub struct Schema {
    /// The schema's name.
    pub name: String,
    /// What it covers.
    pub description: String,
    labels: Vec<Label>,
    by_name: HashMap<String, usize>,
    /// Folded demonym -> folded country names.
    demonyms: HashMap<String, Vec<String>>,
    /// Folded REBEL relation name -> mapping.
    rebel: HashMap<String, RebelMapping>,
}

impl Schema {
    /// The default news schema (compiled in).
    ///
    /// # Errors
    /// Never for the shipped file; the `Result` keeps the signature of the other loaders.
    pub fn news() -> Result<Schema> {
        Schema::from_toml_str(NEWS_SCHEMA_TOML)
    }

    /// Loads a schema file.
    ///
    /// # Errors
    /// [`RelationError::ReadSchema`], or the errors of [`Schema::from_toml_str`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Schema> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| RelationError::ReadSchema {
            path: path.to_path_buf(),
            source,
        })?;
        Schema::from_toml_str(&text)
    }

    /// Parses a schema and compiles its cue patterns.
    ///
    /// # Errors
    /// [`RelationError::ParseSchema`] for malformed TOML, [`RelationError::Schema`] for
    /// duplicate or inconsistent labels, [`RelationError::Pattern`] for a bad cue.
    pub fn from_toml_str(text: &str) -> Result<Schema> {
        let file: SchemaFile = toml::from_str(text)?;
        let mut labels = Vec::with_capacity(file.label.len());
        let mut by_name = HashMap::new();
        for spec in file.label {
            if spec.name.trim().is_empty() {
                return Err(RelationError::Schema("a label has an empty name".into()));
            }
            if spec.head.is_empty() {
                return Err(RelationError::Schema(format!(
                    "label {:?} accepts no head type",
                    spec.name
                )));
            }
            if spec.tail.is_empty() == spec.tail_value.is_none() {
                return Err(RelationError::Schema(format!(
                    "label {:?} needs exactly one of `tail` (entity types) or `tail_value`",
                    spec.name
                )));
            }
            if !(0.0..=1.0).contains(&spec.threshold) {
                return Err(RelationError::Schema(format!(
                    "label {:?}: threshold {} is outside [0, 1]",
                    spec.name, spec.threshold
                )));
            }
            let mut cues = Vec::with_capacity(spec.cues.len());
            for cue in &spec.cues {
                if !(0.0..=1.0).contains(&cue.score) {
                    return Err(RelationError::Pattern {
                        label: spec.name.clone(),
                        pattern: cue.pattern.clone(),
                        reason: format!("score {} is outside [0, 1]", cue.score),
                    });
                }
                let pattern = Pattern::compile(&cue.pattern, &file.macros).map_err(|reason| {
                    RelationError::Pattern {
                        label: spec.name.clone(),
                        pattern: cue.pattern.clone(),
                        reason,
                    }
                })?;
                cues.push(Cue {
                    source: cue.pattern.clone(),
                    pattern,
                    score: cue.score,
                });
            }
            if by_name.insert(spec.name.clone(), labels.len()).is_some() {
                return Err(RelationError::Schema(format!(
                    "label {:?} is defined twice",
                    spec.name
                )));
            }
            labels.push(Label { spec, cues });
        }
        let demonyms = file
            .demonyms
            .into_iter()
            .map(|(k, v)| (fold(&k), v.iter().map(|n| fold(n)).collect()))
            .collect();
        let mut rebel = HashMap::new();
        for (name, m) in file.rebel {
            if !by_name.contains_key(&m.label) {
                return Err(RelationError::Schema(format!(
                    "rebel mapping {name:?} names unknown label {:?}",
                    m.label
                )));
            }
            rebel.insert(fold(&name), m);
        }
        Ok(Schema {
            rebel,
            name: file.name,
            description: file.description,
            labels,
            by_name,
            demonyms,
        })
    }

    /// All labels, in file order.
    pub fn labels(&self) -> &[Label] {
        &self.labels
    }

    /// A label by name.
    pub fn label(&self, name: &str) -> Option<&Label> {
        self.by_name.get(name).and_then(|&i| self.labels.get(i))
    }

    /// Index of a label by name.
    pub fn label_index(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// Whether a label is symmetric (unknown labels are not).
    pub fn is_symmetric(&self, name: &str) -> bool {
        self.label(name).is_some_and(|l| l.spec.symmetric)
    }

    /// The label (and whether to swap head and tail) for a REBEL relation name.
    pub fn rebel_mapping(&self, relation: &str) -> Option<(&str, bool)> {
        self.rebel
            .get(&fold(relation))
            .map(|m| (m.label.as_str(), m.flip))
    }

    /// Country names (folded) a demonym (any case) stands for, from the table.
    pub fn demonym_targets(&self, demonym: &str) -> Option<&[String]> {
        self.demonyms.get(&fold(demonym)).map(Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn news_schema_loads_with_all_required_labels() {
        let schema = Schema::news().unwrap();
        // The distant-supervision labels, then the event and value labels.
        let events = [
            "opponent_of",
            "met_with",
            "negotiated_with",
            "pardoned",
            "released",
            "arrested_or_detained",
            "held_in",
            "sentenced_to",
            "sanctions_imposed_on",
            "sanctions_lifted_on",
            "award_received",
            "age",
        ];
        for &name in crate::model::train::STABLE_LABELS.iter().chain(&events) {
            let label = schema
                .label(name)
                .unwrap_or_else(|| panic!("{name} missing"));
            assert!(!label.cues.is_empty(), "{name} has no cues");
            assert!(!label.spec.verbalizations.is_empty(), "{name}");
            assert!(!label.spec.definition.is_empty(), "{name}");
        }
        assert_eq!(
            schema.label("age").unwrap().spec.tail_value,
            Some(ValueKind::Age)
        );
        assert!(schema.is_symmetric("met_with"));
        assert!(!schema.is_symmetric("pardoned"));
        assert_eq!(
            schema.demonym_targets("Belarusian").unwrap(),
            &["belarus".to_string()]
        );
    }

    #[test]
    fn type_matching() {
        let types = vec!["PERSON".to_string(), "GPE".to_string()];
        assert!(types_accept(&types, "gpe"));
        assert!(!types_accept(&types, "LOC"), "OntoNotes LOC is not GPE");
        assert!(!types_accept(&types, "ORG"));
        assert!(!types_accept(&types, "MISC"));
        assert!(!types_accept(&types, "DATE"));
        let misc = vec!["NORP".to_string()];
        assert!(types_accept(&misc, "MISC"));
    }

    #[test]
    fn user_schemas_load_and_bad_ones_are_rejected() {
        let ok = r#"
            [macros]
            verb = "( acquired | bought )"
            [[label]]
            name = "acquired"
            head = ["ORG"]
            tail = ["ORG"]
            cues = [{ pattern = "{head} @verb {tail}", score = 0.9 }]
        "#;
        let schema = Schema::from_toml_str(ok).unwrap();
        assert_eq!(schema.labels().len(), 1);
        assert_eq!(schema.label("acquired").unwrap().spec.threshold, 0.5);

        let unknown_macro = ok.replace("@verb", "@nope");
        assert!(matches!(
            Schema::from_toml_str(&unknown_macro),
            Err(RelationError::Pattern { .. })
        ));
        let no_tail = ok.replace("tail = [\"ORG\"]", "");
        assert!(matches!(
            Schema::from_toml_str(&no_tail),
            Err(RelationError::Schema(_))
        ));
        let twice =
            format!("{ok}\n[[label]]\nname = \"acquired\"\nhead=[\"ORG\"]\ntail=[\"ORG\"]\n");
        assert!(matches!(
            Schema::from_toml_str(&twice),
            Err(RelationError::Schema(_))
        ));
        assert!(matches!(
            Schema::from_toml_str("label = 3"),
            Err(RelationError::ParseSchema(_))
        ));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mine.toml");
        std::fs::write(&path, ok).unwrap();
        assert!(Schema::from_path(&path).is_ok());
        assert!(matches!(
            Schema::from_path(dir.path().join("absent.toml")),
            Err(RelationError::ReadSchema { .. })
        ));
    }

    #[test]
    fn tail_words_filter() {
        let schema = Schema::news().unwrap();
        let award = schema.label("award_received").unwrap();
        assert!(award.tail_text_ok("the Nobel Peace Prize"));
        assert!(!award.tail_text_ok("Wimbledon"));
        assert!(schema.label("pardoned").unwrap().tail_text_ok("anything"));
    }
}
