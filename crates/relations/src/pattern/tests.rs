//! Tests of the pattern parser, matcher and value recognition.

use std::collections::BTreeMap;

use super::matcher::*;
use super::parse::*;
use super::value::*;
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

/// Words with no offsets, mentions or pronouns.
fn toks(words: &[&str]) -> Vec<ViewTok> {
    words
        .iter()
        .map(|w| ViewTok {
            start: 0,
            end: 0,
            norm: w.to_string(),
            mention: None,
            pronoun: None,
        })
        .collect()
}

fn view(words: &[&str], mentions: &[(usize, usize, usize, &str)]) -> SentenceView {
    let mut toks = toks(words);
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

/// The matches of `pattern` for the news schema's `label` in `view`.
fn find(label: &str, view: &SentenceView, pattern: &str) -> Vec<RawMatch> {
    let schema = Schema::news().unwrap();
    let label = schema.label(label).unwrap();
    Matcher { view, label }.find_all(&compile(pattern).unwrap())
}

/// A slot bound to mention `mention` of entity `entity`.
fn entity(entity: usize, mention: usize) -> Bound {
    Bound::Entity {
        entity,
        mention: Some(mention),
    }
}

#[test]
fn gaps_do_not_skip_a_closer_candidate() {
    // trump said lukashenko pardoned bialiatski
    let v = view(
        &["trump", "said", "lukashenko", "pardoned", "bialiatski"],
        &[
            (0, 1, 0, "PERSON"),
            (2, 3, 1, "PERSON"),
            (4, 5, 2, "PERSON"),
        ],
    );
    let found = find("pardoned", &v, "{head} _{0,3} pardoned _{0,3} {tail}");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].head, entity(1, 1));
}

#[test]
fn title_phrases_move_to_the_person() {
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
    let found = find(
        "negotiated_with",
        &v,
        "talks between {head} _{0,4} and _{0,4} {tail}",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].tail, entity(2, 2));
}

#[test]
fn values_and_lookahead() {
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

    let list = view(
        &["japan", ",", "lithuania", ",", "latvia"],
        &[(0, 1, 0, "GPE"), (2, 3, 1, "GPE"), (4, 5, 2, "GPE")],
    );
    let found = find("located_in", &list, "{head} , {tail} !( , <ent> )");
    assert_eq!(
        found.len(),
        1,
        "only the last pair is not followed by a list: {found:?}"
    );
    assert_eq!(found[0].tok_start, 2);
}
