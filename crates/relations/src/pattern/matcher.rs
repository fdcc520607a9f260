//! Matching a compiled [`Pattern`] against the words of one sentence.

use super::parse::{words_match, Elem, Pattern, Slot};
use super::value::ValueKind;
use super::value::{is_number, recognize_value};

/// A word of a sentence as the matcher sees it.
#[derive(Debug, Clone)]
pub(crate) struct ViewTok {
    /// Byte offsets in the document text.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    pub norm: String,
    /// Index into `SentenceView::mentions` of the mention covering this word.
    pub mention: Option<usize>,
    /// For a pronoun that refers to a person: the entity index.
    pub pronoun: Option<usize>,
}

/// A mention inside a sentence view.
#[derive(Debug, Clone)]
pub(crate) struct ViewMention {
    /// Entity index in the document.
    pub entity: usize,
    /// The mention's type (the entity's label).
    pub label: String,
    /// Its text.
    pub text: String,
    /// First word.
    pub tok_start: usize,
    /// One past the last word.
    pub tok_end: usize,
    /// For a demonym: the country entity it stands for, and that entity's label.
    pub country: Option<(usize, String)>,
}

/// One sentence prepared for matching.
#[derive(Debug, Clone, Default)]
pub(crate) struct SentenceView {
    pub toks: Vec<ViewTok>,
    pub mentions: Vec<ViewMention>,
}

/// What a slot bound.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Bound {
    Entity {
        entity: usize,
        /// The mention bound, `None` for a pronoun.
        mention: Option<usize>,
    },
    Value {
        value: String,
        tok_start: usize,
        tok_end: usize,
    },
}

/// A complete match of a pattern.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawMatch {
    pub head: Bound,
    pub tail: Bound,
    pub tok_start: usize,
    pub tok_end: usize,
}

#[derive(Debug, Clone)]
pub(super) struct State {
    pub(super) head: Option<Bound>,
    pub(super) tail: Option<Bound>,
}

/// Words that name a role; a slot that lands on "<org> <role words> [,] <person>" moves to the
/// person.
pub(super) const ROLE_WORDS: &[&str] = &[
    "president",
    "prime",
    "minister",
    "premier",
    "chancellor",
    "leader",
    "envoy",
    "special",
    "ambassador",
    "emissary",
    "representative",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "secretary",
    "foreign",
    "defence",
    "defense",
    "finance",
    "interior",
    "chief",
    "chairman",
    "chairwoman",
    "head",
    "director",
    "official",
    "king",
    "queen",
    "commander",
    "general",
    "vice",
    "deputy",
    "governor",
    "mayor",
    "senator",
    "adviser",
    "advisor",
    "negotiator",
    "counterpart",
    "opposition",
    "activist",
    "dissident",
    "journalist",
    "state",
];

/// What a relation label asks of its arguments, as far as the matcher needs it (the schema's
/// `Label` implements it).
pub(crate) trait Arguments {
    /// The entity types a slot accepts.
    fn slot_types(&self, slot: Slot) -> &[String];
    /// When set, the tail is a value of this kind rather than an entity.
    fn tail_value(&self) -> Option<ValueKind>;
    /// Whether a tail's text passes the label's word filter.
    fn tail_text_ok(&self, text: &str) -> bool;
}

pub(super) fn accepts(
    label: &dyn Arguments,
    slot: Slot,
    restrict: &Option<Vec<String>>,
    ent_label: &str,
) -> bool {
    if slot == Slot::Tail && label.tail_value().is_some() {
        return false;
    }
    types_accept(label.slot_types(slot), ent_label)
        && restrict
            .as_ref()
            .map_or(true, |r| types_accept(r, ent_label))
}

/// The entity a mention gives a slot, if any (a demonym gives its country when the slot takes
/// places).
pub(super) fn mention_entity(
    label: &dyn Arguments,
    slot: Slot,
    restrict: &Option<Vec<String>>,
    m: &ViewMention,
) -> Option<usize> {
    if slot == Slot::Tail && !label.tail_text_ok(&m.text) {
        return None;
    }
    if let Some((country, country_label)) = &m.country {
        if accepts(label, slot, restrict, country_label) {
            return Some(*country);
        }
    }
    accepts(label, slot, restrict, &m.label).then_some(m.entity)
}

pub(super) fn person_ok(label: &dyn Arguments, slot: Slot, restrict: &Option<Vec<String>>) -> bool {
    accepts(label, slot, restrict, "PERSON")
}

pub(crate) struct Matcher<'a> {
    pub view: &'a SentenceView,
    pub label: &'a dyn Arguments,
}

impl<'a> Matcher<'a> {
    /// All matches of `pattern` in the sentence.
    pub(crate) fn find_all(&self, pattern: &Pattern) -> Vec<RawMatch> {
        let mut out: Vec<RawMatch> = Vec::new();
        // Most cues name a word the sentence lacks: no start position can match then.
        let possible = pattern
            .required
            .iter()
            .all(|&i| match pattern.elems.get(i) {
                Some(Elem::Words { exact, prefix, .. }) => self
                    .view
                    .toks
                    .iter()
                    .any(|t| words_match(exact, prefix, &t.norm)),
                _ => true,
            });
        if !possible {
            return out;
        }
        for start in 0..self.view.toks.len() {
            let st = State {
                head: None,
                tail: None,
            };
            self.seq(&pattern.elems, start, st, &mut |end, st| {
                if let (Some(head), Some(tail)) = (st.head, st.tail) {
                    if let (Bound::Entity { entity: a, .. }, Bound::Entity { entity: b, .. }) =
                        (&head, &tail)
                    {
                        if a == b {
                            return;
                        }
                    }
                    let m = RawMatch {
                        head,
                        tail,
                        tok_start: start,
                        tok_end: end,
                    };
                    if !out.contains(&m) {
                        out.push(m);
                    }
                }
            });
        }
        out
    }

    pub(super) fn seq(
        &self,
        elems: &[Elem],
        pos: usize,
        st: State,
        k: &mut dyn FnMut(usize, State),
    ) {
        let Some((first, rest)) = elems.split_first() else {
            k(pos, st);
            return;
        };
        let toks = &self.view.toks;
        if first.is_optional() {
            // Skipping the element is the first way to match it.
            self.seq(rest, pos, st.clone(), k);
        }
        match first {
            Elem::Words { exact, prefix, .. } => {
                if toks
                    .get(pos)
                    .is_some_and(|t| words_match(exact, prefix, &t.norm))
                {
                    self.seq(rest, pos + 1, st, k);
                }
            }
            Elem::Group { alts, .. } => {
                for alt in alts {
                    self.seq(alt, pos, st.clone(), &mut |p, s| {
                        self.seq(rest, p, s, &mut *k)
                    });
                }
            }
            Elem::NotAhead(alts) => {
                let mut found = false;
                for alt in alts {
                    self.seq(alt, pos, st.clone(), &mut |_, _| found = true);
                }
                if !found {
                    self.seq(rest, pos, st, k);
                }
            }
            Elem::Gap {
                min,
                max,
                phrase,
                guards,
            } => {
                for n in 0..=*max {
                    if n >= *min {
                        self.seq(rest, pos + n, st.clone(), k);
                    }
                    let Some(t) = toks.get(pos + n) else { break };
                    if !self.gap_ok(t, *phrase, guards) {
                        break;
                    }
                }
            }
            Elem::AnyNum { .. } => {
                if toks.get(pos).is_some_and(|t| is_number(&t.norm)) {
                    self.seq(rest, pos + 1, st, k);
                }
            }
            Elem::AnyEnt { types, .. } => {
                if let Some(m) = self.mention_at(pos) {
                    if types.as_ref().map_or(true, |ts| types_accept(ts, &m.label)) {
                        self.seq(rest, m.tok_end, st, k);
                    }
                }
            }
            Elem::Slot {
                slot,
                restrict,
                bare,
                ..
            } => {
                let already = match slot {
                    Slot::Head => st.head.is_some(),
                    Slot::Tail => st.tail.is_some(),
                };
                if already {
                    return;
                }
                for (bound, next) in self.bind(*slot, restrict, *bare, pos) {
                    let mut s = st.clone();
                    match slot {
                        Slot::Head => s.head = Some(bound),
                        Slot::Tail => s.tail = Some(bound),
                    }
                    self.seq(rest, next, s, k);
                }
            }
        }
    }

    pub(super) fn mention_at(&self, pos: usize) -> Option<&ViewMention> {
        let t = self.view.toks.get(pos)?;
        let m = self.view.mentions.get(t.mention?)?;
        (m.tok_start == pos).then_some(m)
    }

    pub(super) fn gap_ok(
        &self,
        t: &ViewTok,
        phrase: bool,
        guards: &[(Slot, Option<Vec<String>>)],
    ) -> bool {
        let n = t.norm.as_str();
        if n == ";" {
            return false;
        }
        if phrase
            && matches!(
                n,
                "," | ":" | "“" | "”" | "\"" | "(" | ")" | "[" | "]" | "—" | "–" | "«" | "»"
            )
        {
            return false;
        }
        if let Some(m) = t.mention.and_then(|i| self.view.mentions.get(i)) {
            for (slot, restrict) in guards {
                if mention_entity(self.label, *slot, restrict, m).is_some() {
                    return false;
                }
            }
        }
        true
    }

    /// Ways to fill a slot at `pos`: (binding, next position).
    pub(super) fn bind(
        &self,
        slot: Slot,
        restrict: &Option<Vec<String>>,
        bare: bool,
        pos: usize,
    ) -> Vec<(Bound, usize)> {
        let mut out = Vec::new();
        if slot == Slot::Tail {
            if let Some(kind) = self.label.tail_value() {
                if let Some((value, n)) = recognize_value(kind, bare, &self.view.toks, pos) {
                    out.push((
                        Bound::Value {
                            value,
                            tok_start: pos,
                            tok_end: pos + n,
                        },
                        pos + n,
                    ));
                }
                return out;
            }
        }
        let Some(t) = self.view.toks.get(pos) else {
            return out;
        };
        if let Some(e) = t.pronoun {
            if person_ok(self.label, slot, restrict) {
                out.push((
                    Bound::Entity {
                        entity: e,
                        mention: None,
                    },
                    pos + 1,
                ));
            }
            return out;
        }
        let Some(mi) = t.mention else { return out };
        let Some(m) = self.view.mentions.get(mi) else {
            return out;
        };
        if m.tok_start != pos {
            return out;
        }
        // "the White House envoy, John Cole": the phrase names the person.
        if person_ok(self.label, slot, restrict) && !types_accept(&["PERSON".into()], &m.label) {
            if let Some((pi, next)) = self.title_person(m.tok_end) {
                if let Some(p) = self.view.mentions.get(pi) {
                    if let Some(e) = mention_entity(self.label, slot, restrict, p) {
                        out.push((
                            Bound::Entity {
                                entity: e,
                                mention: Some(pi),
                            },
                            next,
                        ));
                        return out;
                    }
                }
            }
        }
        if let Some(e) = mention_entity(self.label, slot, restrict, m) {
            out.push((
                Bound::Entity {
                    entity: e,
                    mention: Some(mi),
                },
                m.tok_end,
            ));
        }
        out
    }

    /// After a mention ending at `pos`: role words, an optional comma, then a PERSON mention.
    pub(super) fn title_person(&self, pos: usize) -> Option<(usize, usize)> {
        let toks = &self.view.toks;
        let mut j = pos;
        while j < pos + 3
            && toks
                .get(j)
                .is_some_and(|t| t.mention.is_none() && ROLE_WORDS.contains(&t.norm.as_str()))
        {
            j += 1;
        }
        if j == pos {
            return None;
        }
        if toks.get(j).is_some_and(|t| t.norm == ",") {
            j += 1;
        }
        let m = self.mention_at(j)?;
        let mi = toks.get(j)?.mention?;
        types_accept(&["PERSON".into()], &m.label).then_some((mi, m.tok_end))
    }
}

/// Whether `entity_label` is one of `types` (OntoNotes names, case-insensitive). A CoNLL `MISC`
/// entity fits any of the types CoNLL folds into MISC (`NORP`, `EVENT`, `WORK_OF_ART`, ...);
/// documents labelled PER/ORG/LOC/MISC throughout are read with PER as PERSON and LOC as GPE
/// before matching.
pub fn types_accept(types: &[String], entity_label: &str) -> bool {
    let label = entity_label.trim();
    if types.iter().any(|t| t.eq_ignore_ascii_case(label)) {
        return true;
    }
    if label.eq_ignore_ascii_case("MISC") {
        return types.iter().any(|t| {
            !t.eq_ignore_ascii_case("MISC")
                && lede_core::CoarseLabel::from_label(t) == Some(lede_core::CoarseLabel::Misc)
        });
    }
    false
}
