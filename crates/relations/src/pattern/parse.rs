//! The pattern language's parser: pattern text to [`Pattern`].

use std::collections::BTreeMap;

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
    pub(super) elems: Vec<Elem>,
    /// Indices into `elems` of the top-level word elements that are not optional: every match
    /// passes through each of them, so a sentence with no token for one of them has no match.
    pub(super) required: Vec<usize>,
}

pub(super) const MAX_MACRO_DEPTH: usize = 8;

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
        let required = elems
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                matches!(
                    e,
                    Elem::Words {
                        optional: false,
                        ..
                    }
                )
            })
            .map(|(i, _)| i)
            .collect();
        Ok(Pattern { elems, required })
    }
}

pub(super) fn count_slots(elems: &[Elem], n: &mut (usize, usize)) {
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

pub(super) fn parse_seq(
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

pub(super) fn parse_alts(
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

pub(super) fn parse_types(s: &str) -> Vec<String> {
    s.split('|')
        .filter(|t| !t.is_empty())
        .map(|t| t.trim().to_string())
        .collect()
}

pub(super) fn parse_gap(body: &str) -> Result<(usize, usize), String> {
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

pub(super) fn parse_atom(
    t: &str,
    macros: &BTreeMap<String, String>,
    depth: usize,
) -> Result<Elem, String> {
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

pub(super) fn gap(min: usize, max: usize, phrase: bool) -> Elem {
    Elem::Gap {
        min,
        max,
        phrase,
        guards: Vec::new(),
    }
}

impl Elem {
    /// Whether the element may match nothing (a trailing `?`).
    pub(super) fn is_optional(&self) -> bool {
        match self {
            Elem::Slot { optional, .. }
            | Elem::Words { optional, .. }
            | Elem::Group { optional, .. }
            | Elem::AnyNum { optional }
            | Elem::AnyEnt { optional, .. } => *optional,
            Elem::NotAhead(_) | Elem::Gap { .. } => false,
        }
    }
}

/// Whether a word element (`exact` words, `prefix`es) matches a token's folded form.
pub(super) fn words_match(exact: &[String], prefix: &[String], norm: &str) -> bool {
    exact.iter().any(|w| w == norm) || prefix.iter().any(|p| norm.starts_with(p.as_str()))
}

pub(super) fn is_skippable(e: &Elem) -> bool {
    matches!(
        e,
        Elem::Words { optional: true, .. } | Elem::Group { optional: true, .. }
    )
}

/// A gap next to a slot (looking through optional words) must not skip a mention that could
/// fill that slot.
pub(super) fn set_guards(elems: &mut [Elem]) {
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
