//! Cue patterns on news-style sentences written for these tests (none from the seed article).
//! Entities are marked inline: `[Vladimir Putin|PERSON]`; the same name marked twice is one
//! entity. Each case lists relations that must come out and relations that must not.

use lede_core::{AnnotatedDocument, Document, Entity, Mention, OffsetMap, Sentence};
use lede_relations::{NewsRelationExtractor, VALUE_TAIL_ID};

/// Builds a document from marked-up sentences (one per string).
fn doc(sentences: &[&str]) -> AnnotatedDocument {
    let mut text = String::new();
    let mut marks: Vec<(usize, usize, String, String)> = Vec::new();
    let mut sent_spans = Vec::new();
    for (i, s) in sentences.iter().enumerate() {
        if i > 0 {
            text.push(' ');
        }
        let start = text.len();
        let mut rest = *s;
        while let Some(open) = rest.find('[') {
            text.push_str(&rest[..open]);
            let close = rest[open..].find(']').unwrap() + open;
            let (name, label) = rest[open + 1..close].split_once('|').unwrap();
            let a = text.len();
            text.push_str(name);
            marks.push((a, text.len(), name.to_string(), label.to_string()));
            rest = &rest[close + 1..];
        }
        text.push_str(rest);
        sent_spans.push((start, text.len()));
    }
    let map = OffsetMap::new(&text);
    let mut entities: Vec<Entity> = Vec::new();
    for (a, b, name, label) in marks {
        let m = Mention {
            text: name.clone(),
            label: label.clone(),
            score: 1.0,
            span: map.span(a, b).unwrap(),
        };
        match entities.iter_mut().find(|e| e.name == name) {
            Some(e) => e.mentions.push(m),
            None => entities.push(Entity {
                id: format!("E{}", entities.len() + 1),
                name,
                label,
                mentions: vec![m],
            }),
        }
    }
    let mut d = AnnotatedDocument::new(Document::new("t", text.clone()));
    d.sentences = sent_spans
        .into_iter()
        .map(|(a, b)| Sentence {
            span: map.span(a, b).unwrap(),
            text: text[a..b].to_string(),
        })
        .collect();
    d.entities = entities;
    d
}

fn triples(sentences: &[&str]) -> Vec<(String, String, String)> {
    let d = doc(sentences);
    let ex = NewsRelationExtractor::builder().build().unwrap();
    let rels = ex.extract_relations(&d).unwrap();
    for r in &rels {
        assert_eq!(
            r.evidence.span.slice(d.text()),
            Some(r.evidence.text.as_str())
        );
        assert!((0.0..=1.0).contains(&r.score));
        if r.tail == VALUE_TAIL_ID {
            assert!(!r.tail_name.is_empty());
        }
    }
    rels.into_iter()
        .map(|r| (r.head_name, r.label, r.tail_name))
        .collect()
}

fn has(found: &[(String, String, String)], h: &str, l: &str, t: &str) -> bool {
    found.iter().any(|(a, b, c)| a == h && b == l && c == t)
}

#[track_caller]
fn check(sentences: &[&str], want: &[(&str, &str, &str)], not: &[(&str, &str, &str)]) {
    let found = triples(sentences);
    for (h, l, t) in want {
        assert!(has(&found, h, l, t), "missing {h} {l} {t} in {found:?}");
    }
    for (h, l, t) in not {
        assert!(!has(&found, h, l, t), "unexpected {h} {l} {t} in {found:?}");
    }
}

#[test]
fn leaders_with_titles_and_demonyms() {
    check(
        &["[French|NORP] President [Emmanuel Macron|PERSON] flew to [Paris|GPE] from [France|GPE]'s embassy."],
        &[("Emmanuel Macron", "leader_of", "France")],
        &[("Emmanuel Macron", "leader_of", "Paris")],
    );
    check(
        &["The Prime Minister of [Japan|GPE], [Fumio Kishida|PERSON], spoke."],
        &[("Fumio Kishida", "leader_of", "Japan")],
        &[],
    );
    check(
        &["[Angela Merkel|PERSON], the [German|NORP] chancellor, said [Berlin|GPE] would help."],
        &[("Angela Merkel", "leader_of", "German")],
        &[],
    );
    check(
        &["[US|GPE] Vice President [Kamala Harris|PERSON] arrived."],
        &[],
        &[("Kamala Harris", "leader_of", "US")],
    );
}

#[test]
fn envoys_staff_and_title_phrases() {
    check(
        &["Talks between [Hamas|ORG] and the [United Nations|ORG] envoy, [Tor Wennesland|PERSON], resumed."],
        &[
            ("Tor Wennesland", "envoy_of", "United Nations"),
            ("Hamas", "negotiated_with", "Tor Wennesland"),
        ],
        &[("Hamas", "negotiated_with", "United Nations")],
    );
    check(
        &["[Pentagon|ORG] spokesman [John Kirby|PERSON] declined to comment."],
        &[("John Kirby", "works_for", "Pentagon")],
        &[],
    );
}

#[test]
fn places_capitals_and_lists() {
    check(
        &["Protesters gathered in [Kyiv|GPE], the capital of [Ukraine|GPE], and in [Lviv|GPE]."],
        &[("Kyiv", "capital_of", "Ukraine")],
        &[("Kyiv", "located_in", "Lviv")],
    );
    check(
        &["Ministers from [Spain|GPE], [Italy|GPE], [Greece|GPE] and [Malta|GPE] met on Monday."],
        &[],
        &[
            ("Spain", "located_in", "Italy"),
            ("Italy", "located_in", "Greece"),
        ],
    );
    check(
        &["He was treated at [St Mary's Hospital|FAC] in [London|GPE]."],
        &[("St Mary's Hospital", "located_in", "London")],
        &[],
    );
    check(
        &["The fire started in [Paradise|GPE], [California|GPE], on Thursday."],
        &[("Paradise", "located_in", "California")],
        &[],
    );
}

#[test]
fn people_family_founders_ages() {
    check(
        &["[Jeff Bezos|PERSON], the 60-year-old founder of [Amazon|ORG], spoke."],
        &[
            ("Jeff Bezos", "founder_of", "Amazon"),
            ("Jeff Bezos", "age", "60"),
        ],
        &[],
    );
    check(
        &["[Yulia Navalnaya|PERSON], the widow of opposition politician [Alexei Navalny|PERSON], addressed the crowd."],
        &[("Yulia Navalnaya", "spouse_of", "Alexei Navalny")],
        &[],
    );
    check(
        &["[Hunter Biden|PERSON], 54, is the son of [Joe Biden|PERSON]."],
        &[
            ("Hunter Biden", "age", "54"),
            ("Hunter Biden", "family_of", "Joe Biden"),
        ],
        &[],
    );
}

#[test]
fn legal_events_with_pronouns_and_lists() {
    check(
        &[
            "[Evan Gershkovich|PERSON] was detained in [Yekaterinburg|GPE] last year.",
            "He was sentenced to 16 years in a maximum-security colony.",
        ],
        &[
            ("Evan Gershkovich", "sentenced_to", "16 years"),
            ("Evan Gershkovich", "held_in", "Yekaterinburg"),
        ],
        &[],
    );
    check(
        &["President [Joe Biden|PERSON] pardoned [Hunter Biden|PERSON] and [Anthony Fauci|PERSON] on Monday."],
        &[
            ("Joe Biden", "pardoned", "Hunter Biden"),
            ("Joe Biden", "pardoned", "Anthony Fauci"),
        ],
        &[],
    );
    check(
        &["[Navalny|PERSON], a fierce critic of the Kremlin, was arrested by [Russian|NORP] police."],
        &[("Russian", "arrested_or_detained", "Navalny")],
        &[],
    );
    check(
        &["[Iran|GPE] freed [Nazanin Zaghari-Ratcliffe|PERSON] after six years."],
        &[("Iran", "released", "Nazanin Zaghari-Ratcliffe")],
        &[],
    );
}

#[test]
fn sanctions_alliances_conflicts_meetings() {
    check(
        &["The [European Union|ORG] imposed new sanctions on [Iran|GPE] on Monday."],
        &[("European Union", "sanctions_imposed_on", "Iran")],
        &[("European Union", "sanctions_lifted_on", "Iran")],
    );
    check(
        &["[Washington|GPE] eased sanctions against [Venezuela|GPE]'s oil sector."],
        &[("Washington", "sanctions_lifted_on", "Venezuela")],
        &[("Washington", "sanctions_imposed_on", "Venezuela")],
    );
    check(
        &["Fighting between [Israel|GPE] and [Hezbollah|ORG] intensified."],
        &[("Israel", "opponent_of", "Hezbollah")],
        &[],
    );
    check(
        &["[Xi Jinping|PERSON] met [Vladimir Putin|PERSON] in [Moscow|GPE]."],
        &[("Xi Jinping", "met_with", "Vladimir Putin")],
        &[("Xi Jinping", "met_with", "Moscow")],
    );
    check(
        &["[Hungary|GPE], [Russia|GPE]'s closest ally in the [European Union|ORG], objected."],
        &[("Hungary", "ally_of", "Russia")],
        &[],
    );
    check(
        &["The 2021 [Nobel Peace Prize|WORK_OF_ART] laureate [Maria Ressa|PERSON] was acquitted."],
        &[("Maria Ressa", "award_received", "Nobel Peace Prize")],
        &[],
    );
}

#[test]
fn no_cue_no_relation() {
    check(
        &["[Joe Biden|PERSON] and [Rishi Sunak|PERSON] attended the ceremony in [Normandy|GPE]."],
        &[],
        &[
            ("Joe Biden", "met_with", "Rishi Sunak"),
            ("Joe Biden", "leader_of", "Normandy"),
        ],
    );
}

#[test]
fn conll_labels_work_too() {
    check(
        &["[Russian|MISC] President [Vladimir Putin|PER] visited [Beijing|LOC], the capital of [China|LOC]."],
        &[
            ("Vladimir Putin", "leader_of", "Russian"),
            ("Beijing", "capital_of", "China"),
        ],
        &[],
    );
}

#[test]
fn a_label_that_excludes_another_wins_on_the_same_pair() {
    // Two labels whose cues both match "X heads Y"; `boss_of` excludes `staff_of`, so only
    // it is reported for that pair, while `staff_of` stays where `boss_of` is not found.
    let toml = r#"
name = "test"
[[label]]
name = "boss_of"
head = ["PERSON"]
tail = ["ORG"]
excludes = ["staff_of"]
cues = [{ pattern = "{head} heads {tail}", score = 0.9 }]
[[label]]
name = "staff_of"
head = ["PERSON"]
tail = ["ORG"]
cues = [{ pattern = "{head} ( heads | joined ) {tail}", score = 0.9 }]
"#;
    let schema = lede_relations::Schema::from_toml_str(toml).unwrap();
    let ex = NewsRelationExtractor::builder()
        .schema(schema)
        .build()
        .unwrap();
    let d = doc(&[
        "[Ann Lee|PERSON] heads [Acme|ORG].",
        "[Bo Dahl|PERSON] joined [Acme|ORG].",
    ]);
    let rels = ex.extract_relations(&d).unwrap();
    let has = |label: &str, head: &str| {
        rels.iter()
            .any(|r| r.label == label && r.head_name == head && r.tail_name == "Acme")
    };
    assert!(has("boss_of", "Ann Lee"), "{rels:?}");
    assert!(!has("staff_of", "Ann Lee"), "{rels:?}");
    assert!(has("staff_of", "Bo Dahl"), "{rels:?}");
}
