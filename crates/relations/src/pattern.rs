//! Cue patterns: a small pattern language over the words of one sentence, with `{head}` and
//! `{tail}` slots that bind entity mentions (or values), compiled from the schema's text.
//!
//! The syntax is documented in the header of the schema file (`schema/news.toml` in this
//! crate, [`crate::NEWS_SCHEMA_TOML`]).

use std::collections::BTreeMap;

use crate::schema::{types_accept, Label, ValueKind};

/// Which argument a slot fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Slot {
    Head,
    Tail,
}

#[derive(Debug, Clone)]
pub(crate) enum Elem {
    Slot {
        slot: Slot,
        /// Further restriction to these entity types; `bare` for value slots.
        restrict: Option<Vec<String>>,
        bare: bool,
        optional: bool,
    },
    Words {
        exact: Vec<String>,
        prefix: Vec<String>,
        optional: bool,
    },
    Group {
        alts: Vec<Vec<Elem>>,
        optional: bool,
    },
    NotAhead(Vec<Vec<Elem>>),
    Gap {
        min: usize,
        max: usize,
        phrase: bool,
        guards: Vec<(Slot, Option<Vec<String>>)>,
    },
    AnyNum {
        optional: bool,
    },
    AnyEnt {
        types: Option<Vec<String>>,
        optional: bool,
    },
}

/// A compiled cue pattern.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    elems: Vec<Elem>,
}

const MAX_MACRO_DEPTH: usize = 8;

impl Pattern {
    /// Compiles pattern text, expanding `@macros`.
    pub(crate) fn compile(
        text: &str,
        macros: &BTreeMap<String, String>,
    ) -> Result<Pattern, String> {
        let toks: Vec<&str> = text.split_whitespace().collect();
        let mut i = 0;
        let elems = parse_seq(&toks, &mut i, macros, 0)?;
        if let Some(t) = toks.get(i) {
            return Err(format!("unexpected {t:?}"));
        }
        if elems.is_empty() {
            return Err("empty pattern".into());
        }
        let mut slots = (0, 0);
        count_slots(&elems, &mut slots);
        if slots.0 == 0 || slots.1 == 0 {
            return Err("a cue needs a {head} and a {tail}".into());
        }
        Ok(Pattern { elems })
    }
}

fn count_slots(elems: &[Elem], n: &mut (usize, usize)) {
    for e in elems {
        match e {
            Elem::Slot {
                slot: Slot::Head, ..
            } => n.0 += 1,
            Elem::Slot {
                slot: Slot::Tail, ..
            } => n.1 += 1,
            Elem::Group { alts, .. } => alts.iter().for_each(|a| count_slots(a, n)),
            _ => {}
        }
    }
}

fn parse_seq(
    toks: &[&str],
    i: &mut usize,
    macros: &BTreeMap<String, String>,
    depth: usize,
) -> Result<Vec<Elem>, String> {
    let mut out = Vec::new();
    while let Some(&t) = toks.get(*i) {
        match t {
            ")" | ")?" | "|" => break,
            "(" | "!(" => {
                *i += 1;
                let alts = parse_alts(toks, i, macros, depth)?;
                let close = toks.get(*i).copied();
                *i += 1;
                if t == "!(" {
                    if close != Some(")") {
                        return Err("`!(` must close with `)`".into());
                    }
                    out.push(Elem::NotAhead(alts));
                } else {
                    out.push(Elem::Group {
                        alts,
                        optional: close == Some(")?"),
                    });
                }
            }
            _ => {
                *i += 1;
                out.push(parse_atom(t, macros, depth)?);
            }
        }
    }
    set_guards(&mut out);
    Ok(out)
}

fn parse_alts(
    toks: &[&str],
    i: &mut usize,
    macros: &BTreeMap<String, String>,
    depth: usize,
) -> Result<Vec<Vec<Elem>>, String> {
    let mut alts = Vec::new();
    loop {
        alts.push(parse_seq(toks, i, macros, depth)?);
        match toks.get(*i).copied() {
            Some("|") => *i += 1,
            Some(")") | Some(")?") => return Ok(alts),
            _ => return Err("unclosed `(`".into()),
        }
    }
}

fn parse_types(s: &str) -> Vec<String> {
    s.split('|')
        .filter(|t| !t.is_empty())
        .map(|t| t.trim().to_string())
        .collect()
}

fn parse_gap(body: &str) -> Result<(usize, usize), String> {
    let inner = body
        .strip_prefix('{')
        .and_then(|b| b.strip_suffix('}'))
        .ok_or_else(|| format!("bad gap {body:?}"))?;
    let (a, b) = inner
        .split_once(',')
        .ok_or_else(|| format!("bad gap {body:?}"))?;
    let min: usize = a.trim().parse().map_err(|_| format!("bad gap {body:?}"))?;
    let max: usize = b.trim().parse().map_err(|_| format!("bad gap {body:?}"))?;
    if min > max || max > 30 {
        return Err(format!("bad gap bounds {body:?}"));
    }
    Ok((min, max))
}

fn parse_atom(t: &str, macros: &BTreeMap<String, String>, depth: usize) -> Result<Elem, String> {
    if let Some(lit) = t.strip_prefix('\\') {
        return Ok(Elem::Words {
            exact: vec![crate::text::fold(lit)],
            prefix: Vec::new(),
            optional: false,
        });
    }
    let (body, optional) = match t.strip_suffix('?') {
        Some(b) if !b.is_empty() => (b, true),
        _ => (t, false),
    };
    if let Some(name) = body.strip_prefix('@') {
        if depth >= MAX_MACRO_DEPTH {
            return Err(format!("macro @{name} nests too deep"));
        }
        let text = macros
            .get(name)
            .ok_or_else(|| format!("unknown macro @{name}"))?;
        let toks: Vec<&str> = text.split_whitespace().collect();
        let mut i = 0;
        let seq = parse_seq(&toks, &mut i, macros, depth + 1)?;
        if i != toks.len() {
            return Err(format!("macro @{name} does not parse"));
        }
        return Ok(Elem::Group {
            alts: vec![seq],
            optional,
        });
    }
    if let Some(inner) = body.strip_prefix('{').and_then(|b| b.strip_suffix('}')) {
        let (name, restrict) = match inner.split_once(':') {
            Some((n, r)) => (n, Some(r)),
            None => (inner, None),
        };
        let slot = match name {
            "head" => Slot::Head,
            "tail" => Slot::Tail,
            other => return Err(format!("unknown slot {{{other}}}")),
        };
        let bare = restrict == Some("bare");
        return Ok(Elem::Slot {
            slot,
            restrict: restrict.filter(|r| *r != "bare").map(parse_types),
            bare,
            optional,
        });
    }
    if body == "_" || body == "~" {
        return Ok(gap(1, 1, body == "~"));
    }
    if let Some(rest) = body.strip_prefix('_') {
        let (a, b) = parse_gap(rest)?;
        return Ok(gap(a, b, false));
    }
    if let Some(rest) = body.strip_prefix('~') {
        let (a, b) = parse_gap(rest)?;
        return Ok(gap(a, b, true));
    }
    if body == "<num>" {
        return Ok(Elem::AnyNum { optional });
    }
    if body == "<ent>" {
        return Ok(Elem::AnyEnt {
            types: None,
            optional,
        });
    }
    if let Some(types) = body.strip_prefix("<ent:").and_then(|b| b.strip_suffix('>')) {
        return Ok(Elem::AnyEnt {
            types: Some(parse_types(types)),
            optional,
        });
    }
    if body.starts_with('{') || body.starts_with('<') && body.len() > 1 {
        return Err(format!("cannot parse {t:?}"));
    }
    let mut exact = Vec::new();
    let mut prefix = Vec::new();
    for w in body.split('|').filter(|w| !w.is_empty()) {
        match w.strip_suffix('*') {
            Some(p) if !p.is_empty() => prefix.push(crate::text::fold(p)),
            _ => exact.push(crate::text::fold(w)),
        }
    }
    if exact.is_empty() && prefix.is_empty() {
        return Err(format!("cannot parse {t:?}"));
    }
    Ok(Elem::Words {
        exact,
        prefix,
        optional,
    })
}

fn gap(min: usize, max: usize, phrase: bool) -> Elem {
    Elem::Gap {
        min,
        max,
        phrase,
        guards: Vec::new(),
    }
}

fn is_skippable(e: &Elem) -> bool {
    matches!(
        e,
        Elem::Words { optional: true, .. } | Elem::Group { optional: true, .. }
    )
}

/// A gap next to a slot (looking through optional words) must not skip a mention that could
/// fill that slot.
fn set_guards(elems: &mut [Elem]) {
    let n = elems.len();
    for k in 0..n {
        if !matches!(elems[k], Elem::Gap { .. }) {
            continue;
        }
        let mut guards = Vec::new();
        let mut j = k;
        while j > 0 {
            j -= 1;
            match &elems[j] {
                Elem::Slot { slot, restrict, .. } => {
                    guards.push((*slot, restrict.clone()));
                    break;
                }
                e if is_skippable(e) => continue,
                _ => break,
            }
        }
        for e in elems.iter().skip(k + 1) {
            match e {
                Elem::Slot { slot, restrict, .. } => {
                    guards.push((*slot, restrict.clone()));
                    break;
                }
                e if is_skippable(e) => continue,
                _ => break,
            }
        }
        if let Elem::Gap { guards: g, .. } = &mut elems[k] {
            *g = guards;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Matching.

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
struct State {
    head: Option<Bound>,
    tail: Option<Bound>,
}

/// Words that name a role; a slot that lands on "<org> <role words> [,] <person>" moves to the
/// person.
const ROLE_WORDS: &[&str] = &[
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

fn slot_types(label: &Label, slot: Slot) -> &[String] {
    match slot {
        Slot::Head => &label.spec.head,
        Slot::Tail => &label.spec.tail,
    }
}

fn accepts(label: &Label, slot: Slot, restrict: &Option<Vec<String>>, ent_label: &str) -> bool {
    if slot == Slot::Tail && label.spec.tail_value.is_some() {
        return false;
    }
    types_accept(slot_types(label, slot), ent_label)
        && restrict
            .as_ref()
            .map_or(true, |r| types_accept(r, ent_label))
}

/// The entity a mention gives a slot, if any (a demonym gives its country when the slot takes
/// places).
fn mention_entity(
    label: &Label,
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

fn person_ok(label: &Label, slot: Slot, restrict: &Option<Vec<String>>) -> bool {
    accepts(label, slot, restrict, "PERSON")
}

pub(crate) struct Matcher<'a> {
    pub view: &'a SentenceView,
    pub label: &'a Label,
}

impl<'a> Matcher<'a> {
    /// All matches of `pattern` in the sentence.
    pub(crate) fn find_all(&self, pattern: &Pattern) -> Vec<RawMatch> {
        let mut out: Vec<RawMatch> = Vec::new();
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

    fn seq(&self, elems: &[Elem], pos: usize, st: State, k: &mut dyn FnMut(usize, State)) {
        let Some((first, rest)) = elems.split_first() else {
            k(pos, st);
            return;
        };
        let toks = &self.view.toks;
        match first {
            Elem::Words {
                exact,
                prefix,
                optional,
            } => {
                if *optional {
                    self.seq(rest, pos, st.clone(), k);
                }
                if let Some(t) = toks.get(pos) {
                    if exact.contains(&t.norm)
                        || prefix.iter().any(|p| t.norm.starts_with(p.as_str()))
                    {
                        self.seq(rest, pos + 1, st, k);
                    }
                }
            }
            Elem::Group { alts, optional } => {
                if *optional {
                    self.seq(rest, pos, st.clone(), k);
                }
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
            Elem::AnyNum { optional } => {
                if *optional {
                    self.seq(rest, pos, st.clone(), k);
                }
                if toks.get(pos).is_some_and(|t| is_number(&t.norm)) {
                    self.seq(rest, pos + 1, st, k);
                }
            }
            Elem::AnyEnt { types, optional } => {
                if *optional {
                    self.seq(rest, pos, st.clone(), k);
                }
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
                optional,
            } => {
                if *optional {
                    self.seq(rest, pos, st.clone(), k);
                }
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

    fn mention_at(&self, pos: usize) -> Option<&ViewMention> {
        let t = self.view.toks.get(pos)?;
        let m = self.view.mentions.get(t.mention?)?;
        (m.tok_start == pos).then_some(m)
    }

    fn gap_ok(&self, t: &ViewTok, phrase: bool, guards: &[(Slot, Option<Vec<String>>)]) -> bool {
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
    fn bind(
        &self,
        slot: Slot,
        restrict: &Option<Vec<String>>,
        bare: bool,
        pos: usize,
    ) -> Vec<(Bound, usize)> {
        let mut out = Vec::new();
        if slot == Slot::Tail {
            if let Some(kind) = self.label.spec.tail_value {
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
    fn title_person(&self, pos: usize) -> Option<(usize, usize)> {
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

pub(crate) fn is_number(s: &str) -> bool {
    !s.is_empty()
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
}

fn number_word(s: &str) -> Option<u32> {
    const WORDS: &[&str] = &[
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    if let Some(i) = WORDS.iter().position(|w| *w == s) {
        return u32::try_from(i).ok();
    }
    match s {
        "thirty" => Some(30),
        "forty" => Some(40),
        "fifty" => Some(50),
        _ => None,
    }
}

fn small_number(s: &str) -> Option<u32> {
    if s.chars().all(|c| c.is_ascii_digit()) && (1..=3).contains(&s.len()) {
        return s.parse().ok();
    }
    number_word(s)
}

fn unit(s: &str) -> Option<&'static str> {
    match s {
        "year" | "years" => Some("year"),
        "month" | "months" => Some("month"),
        "week" | "weeks" => Some("week"),
        "day" | "days" => Some("day"),
        _ => None,
    }
}

fn plural(n: u32, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// Recognizes a value at `pos`: (normalised value, words used).
pub(crate) fn recognize_value(
    kind: ValueKind,
    bare: bool,
    toks: &[ViewTok],
    pos: usize,
) -> Option<(String, usize)> {
    let t = toks.get(pos)?;
    let w = t.norm.as_str();
    match kind {
        ValueKind::Age => {
            let parts: Vec<&str> = w.split('-').collect();
            if let [n, y, "old"] = parts.as_slice() {
                if matches!(*y, "year" | "years") {
                    let age = small_number(n)?;
                    return (1..=120).contains(&age).then(|| (age.to_string(), 1));
                }
            }
            if bare && w.chars().all(|c| c.is_ascii_digit()) {
                let age: u32 = w.parse().ok()?;
                return (1..=120).contains(&age).then(|| (age.to_string(), 1));
            }
            None
        }
        ValueKind::Term => {
            if w == "life" || w == "death" {
                return Some((w.to_string(), 1));
            }
            if let Some(n) = small_number(w) {
                let u = unit(toks.get(pos + 1)?.norm.as_str())?;
                return Some((plural(n, u), 2));
            }
            let (n, u) = w.split_once('-')?;
            let n = small_number(n)?;
            let u = unit(u)?;
            Some((plural(n, u), 1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Schema;

    fn compile(p: &str) -> Result<Pattern, String> {
        let mut macros = BTreeMap::new();
        macros.insert(
            "title".to_string(),
            "( president | prime minister )".to_string(),
        );
        macros.insert("loop".to_string(), "@loop".to_string());
        Pattern::compile(p, &macros)
    }

    #[test]
    fn syntax_errors_are_reported() {
        assert!(compile("{head} @title {tail}").is_ok());
        assert!(compile("{head} ( a | b {tail}")
            .unwrap_err()
            .contains("unclosed"));
        assert!(compile("{head} @nope {tail}")
            .unwrap_err()
            .contains("unknown macro"));
        assert!(compile("{head} @loop {tail}").unwrap_err().contains("deep"));
        assert!(compile("{head} said").unwrap_err().contains("{tail}"));
        assert!(compile("{head} _{4,2} {tail}").is_err());
        assert!(compile("{head} {who} {tail}").is_err());
        assert!(compile("{head} ) {tail}").is_err());
    }

    fn view(words: &[&str], mentions: &[(usize, usize, usize, &str)]) -> SentenceView {
        let mut toks: Vec<ViewTok> = words
            .iter()
            .map(|w| ViewTok {
                start: 0,
                end: 0,
                norm: w.to_string(),
                mention: None,
                pronoun: None,
            })
            .collect();
        let mut ms = Vec::new();
        for (i, &(s, e, ent, label)) in mentions.iter().enumerate() {
            for t in toks.iter_mut().take(e).skip(s) {
                t.mention = Some(i);
            }
            ms.push(ViewMention {
                entity: ent,
                label: label.into(),
                text: words[s..e].join(" "),
                tok_start: s,
                tok_end: e,
                country: None,
            });
        }
        SentenceView { toks, mentions: ms }
    }

    #[test]
    fn gaps_do_not_skip_a_closer_candidate() {
        let schema = Schema::news().unwrap();
        let label = schema.label("pardoned").unwrap();
        // trump said lukashenko pardoned bialiatski
        let v = view(
            &["trump", "said", "lukashenko", "pardoned", "bialiatski"],
            &[
                (0, 1, 0, "PERSON"),
                (2, 3, 1, "PERSON"),
                (4, 5, 2, "PERSON"),
            ],
        );
        let m = Matcher { view: &v, label };
        let p = compile("{head} _{0,3} pardoned _{0,3} {tail}").unwrap();
        let found = m.find_all(&p);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].head,
            Bound::Entity {
                entity: 1,
                mention: Some(1)
            }
        );
    }

    #[test]
    fn title_phrases_move_to_the_person() {
        let schema = Schema::news().unwrap();
        let label = schema.label("negotiated_with").unwrap();
        let v = view(
            &[
                "talks",
                "between",
                "lukashenko",
                "and",
                "the",
                "white",
                "house",
                "envoy",
                ",",
                "john",
                "cole",
            ],
            &[(2, 3, 0, "PERSON"), (5, 7, 1, "ORG"), (9, 11, 2, "PERSON")],
        );
        let m = Matcher { view: &v, label };
        let p = compile("talks between {head} _{0,4} and _{0,4} {tail}").unwrap();
        let found = m.find_all(&p);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].tail,
            Bound::Entity {
                entity: 2,
                mention: Some(2)
            }
        );
    }

    #[test]
    fn values_and_lookahead() {
        let toks = |ws: &[&str]| -> Vec<ViewTok> {
            ws.iter()
                .map(|w| ViewTok {
                    start: 0,
                    end: 0,
                    norm: w.to_string(),
                    mention: None,
                    pronoun: None,
                })
                .collect()
        };
        let t = toks(&["11", "years", "in", "prison"]);
        assert_eq!(
            recognize_value(ValueKind::Term, false, &t, 0),
            Some(("11 years".into(), 2))
        );
        let t = toks(&["five", "years"]);
        assert_eq!(
            recognize_value(ValueKind::Term, false, &t, 0),
            Some(("5 years".into(), 2))
        );
        let t = toks(&["10-year", "term"]);
        assert_eq!(
            recognize_value(ValueKind::Term, false, &t, 0),
            Some(("10 years".into(), 1))
        );
        let t = toks(&["63-year-old"]);
        assert_eq!(
            recognize_value(ValueKind::Age, false, &t, 0),
            Some(("63".into(), 1))
        );
        let t = toks(&["63"]);
        assert_eq!(recognize_value(ValueKind::Age, false, &t, 0), None);
        assert_eq!(
            recognize_value(ValueKind::Age, true, &t, 0),
            Some(("63".into(), 1))
        );
        let t = toks(&["2022"]);
        assert_eq!(recognize_value(ValueKind::Age, true, &t, 0), None);

        let schema = Schema::news().unwrap();
        let label = schema.label("located_in").unwrap();
        let list = view(
            &["japan", ",", "lithuania", ",", "latvia"],
            &[(0, 1, 0, "GPE"), (2, 3, 1, "GPE"), (4, 5, 2, "GPE")],
        );
        let m = Matcher { view: &list, label };
        let p = compile("{head} , {tail} !( , <ent> )").unwrap();
        let found = m.find_all(&p);
        assert_eq!(
            found.len(),
            1,
            "only the last pair is not followed by a list: {found:?}"
        );
        assert_eq!(found[0].tok_start, 2);
    }
}
