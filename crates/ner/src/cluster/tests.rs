//! Tests of mention clustering.

use super::names::*;
use super::normalize::*;
use super::similarity::*;
use super::*;
use lede_core::OffsetMap;
use proptest::prelude::*;

/// Builds mentions by finding each needle in `text` after the previous one.
fn mentions(text: &str, spec: &[(&str, &str)]) -> Vec<Mention> {
    let offsets = OffsetMap::new(text);
    let mut from = 0;
    let mut out = Vec::new();
    for (needle, label) in spec {
        let start = from
            + text
                .get(from..)
                .and_then(|t| t.find(needle))
                .unwrap_or_else(|| panic!("{needle:?} not found after byte {from}"));
        let end = start + needle.len();
        out.push(Mention {
            text: needle.to_string(),
            label: label.to_string(),
            score: 0.9,
            span: offsets.span(start, end).unwrap(),
        });
        from = end;
    }
    out
}

fn cluster(text: &str, spec: &[(&str, &str)]) -> Vec<Entity> {
    cluster_mentions(text, &mentions(text, spec), &ClusterOptions::default())
}

/// The surface forms of each entity, in entity order.
fn groups(entities: &[Entity]) -> Vec<Vec<String>> {
    entities
        .iter()
        .map(|e| e.mentions.iter().map(|m| m.text.clone()).collect())
        .collect()
}

fn entity_of<'e>(entities: &'e [Entity], mention_text: &str) -> &'e Entity {
    entities
        .iter()
        .find(|e| e.mentions.iter().any(|m| m.text == mention_text))
        .unwrap_or_else(|| panic!("no entity has {mention_text:?}"))
}

#[test]
fn surname_and_possessive_join_the_full_name() {
    let text = "Alexandr Lukashenko met envoys. Lukashenko said no. \
                Critics of Lukashenko's rule were jailed.";
    let e = cluster(
        text,
        &[
            ("Alexandr Lukashenko", "PERSON"),
            ("Lukashenko", "PERSON"),
            ("Lukashenko's", "PERSON"),
        ],
    );
    assert_eq!(e.len(), 1, "{:?}", groups(&e));
    assert_eq!(e[0].name, "Alexandr Lukashenko");
    assert_eq!(e[0].label, "PERSON");
    assert_eq!(e[0].id, "E1");
    assert_eq!(e[0].mentions.len(), 3);
}

#[test]
fn surname_before_the_full_name_still_joins() {
    let text = "Bialiatski freed. The activist Ales Bialiatski left prison; Bialiatski smiled.";
    let e = cluster(
        text,
        &[
            ("Bialiatski", "PER"),
            ("Ales Bialiatski", "PER"),
            ("Bialiatski", "PER"),
        ],
    );
    assert_eq!(e.len(), 1, "{:?}", groups(&e));
    assert_eq!(e[0].name, "Ales Bialiatski");
    assert_eq!(e[0].mentions[0].span.start, 0, "mentions in text order");
}

#[test]
fn acronyms_and_aliases_of_the_united_states() {
    let text = "The United States and the US Treasury agree: U.S. envoys and USA \
                diplomats, and America, agreed. Britain and the UK did not.";
    let e = cluster(
        text,
        &[
            ("United States", "GPE"),
            ("US", "GPE"),
            ("U.S.", "GPE"),
            ("USA", "GPE"),
            ("America", "GPE"),
            ("Britain", "GPE"),
            ("UK", "GPE"),
        ],
    );
    assert_eq!(
        groups(&e),
        vec![
            vec!["United States", "US", "U.S.", "USA", "America"],
            vec!["Britain", "UK"]
        ]
    );
    assert_eq!(e[0].name, "United States");
    assert_eq!(e[1].id, "E2");
}

#[test]
fn acronym_from_initials_without_alias_table() {
    let text = "The Belarusian Association of Journalists said the BAJ would appeal. \
                The Organization for Security and Co-operation in Europe (OSCE) agreed.";
    let opts = ClusterOptions {
        builtin_aliases: false,
        parenthetical_aliases: false,
        ..ClusterOptions::default()
    };
    let ms = mentions(
        text,
        &[
            ("Belarusian Association of Journalists", "ORG"),
            ("BAJ", "ORG"),
            (
                "Organization for Security and Co-operation in Europe",
                "ORG",
            ),
            ("OSCE", "ORG"),
        ],
    );
    let e = cluster_mentions(text, &ms, &opts);
    assert_eq!(e.len(), 2, "{:?}", groups(&e));
    assert_eq!(e[0].name, "Belarusian Association of Journalists");
    let off = cluster_mentions(
        text,
        &ms,
        &ClusterOptions {
            acronyms: false,
            ..opts.clone()
        },
    );
    assert_eq!(off.len(), 4);
}

#[test]
fn ambiguous_acronym_stays_apart() {
    let text = "The Socialist Party and the Social Progress group; the SP was silent.";
    let e = cluster(
        text,
        &[
            ("Socialist Party", "ORG"),
            ("Social Progress", "ORG"),
            ("SP", "ORG"),
        ],
    );
    assert_eq!(e.len(), 3, "{:?}", groups(&e));
}

#[test]
fn datelines_and_places_in_parentheses_are_not_definitions() {
    let text = "Kyiv (Reuters) - The Agency (AFP).- Minsk (Belarus) and Gorki (Mogilev Region).";
    let e = cluster(
        text,
        &[
            ("Kyiv", "ORG"),
            ("Reuters", "ORG"),
            ("Agency", "ORG"),
            ("AFP", "ORG"),
            ("Minsk", "GPE"),
            ("Belarus", "GPE"),
            ("Gorki", "GPE"),
            ("Mogilev Region", "GPE"),
        ],
    );
    assert_eq!(e.len(), 8, "{:?}", groups(&e));
}

#[test]
fn titles_and_descriptors_anywhere_before_the_name() {
    let text = "US President Donald Trump spoke; Donald Trump left; Trump returned. \
                Russian President Vladimir Putin and Putin.";
    let e = cluster(
        text,
        &[
            ("US President Donald Trump", "PERSON"),
            ("Donald Trump", "PERSON"),
            ("Trump", "PERSON"),
            ("Russian President Vladimir Putin", "PERSON"),
            ("Putin", "PERSON"),
        ],
    );
    assert_eq!(e.len(), 2, "{:?}", groups(&e));
    assert_eq!(e[0].name, "Donald Trump");
    assert_eq!(e[1].name, "Russian President Vladimir Putin");
    let text = "Martin Luther King and King.";
    let e = cluster(
        text,
        &[("Martin Luther King", "PERSON"), ("King", "PERSON")],
    );
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].name, "Martin Luther King");
}

#[test]
fn parenthetical_definition_links_non_initial_names() {
    let text = "The Human Rights Centre (Viasna) reported it. Viasna counts 1,100.";
    let e = cluster(
        text,
        &[
            ("Human Rights Centre", "ORG"),
            ("Viasna", "ORG"),
            ("Viasna", "ORG"),
        ],
    );
    assert_eq!(e.len(), 1, "{:?}", groups(&e));
    assert_eq!(e[0].name, "Human Rights Centre");
}

#[test]
fn transliteration_variants_merge() {
    let text = "Maria Kalesnikava tore up her passport. Kolésnikova was later moved; \
                Kolesnikova's sister spoke.";
    let e = cluster(
        text,
        &[
            ("Maria Kalesnikava", "PERSON"),
            ("Kolésnikova", "PERSON"),
            ("Kolesnikova's", "PERSON"),
        ],
    );
    assert_eq!(e.len(), 1, "{:?}", groups(&e));
    assert_eq!(e[0].name, "Maria Kalesnikava");
}

#[test]
fn transliteration_without_full_name_and_diacritic_preference() {
    let text = "Kolesnikova was moved. Kolésnikova is ill.";
    let e = cluster(text, &[("Kolesnikova", "PER"), ("Kolésnikova", "PER")]);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].name, "Kolésnikova", "diacritics break the tie");
    // Frequency beats diacritics.
    let text = "Kolesnikova was moved. Kolesnikova is ill. Kolésnikova too.";
    let e = cluster(
        text,
        &[
            ("Kolesnikova", "PER"),
            ("Kolesnikova", "PER"),
            ("Kolésnikova", "PER"),
        ],
    );
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].name, "Kolesnikova");
}

#[test]
fn given_name_transliterations() {
    let text = "Aleksandr Petrenko spoke. Alexander Petrenko left. Alexandra Petrenko stayed.";
    let e = cluster(
        text,
        &[
            ("Aleksandr Petrenko", "PERSON"),
            ("Alexander Petrenko", "PERSON"),
            ("Alexandra Petrenko", "PERSON"),
        ],
    );
    assert_eq!(
        groups(&e),
        vec![
            vec!["Aleksandr Petrenko", "Alexander Petrenko"],
            vec!["Alexandra Petrenko"]
        ]
    );
}

#[test]
fn husband_and_wife_stay_apart() {
    let text = "Sergei Tikhanovsky was freed. His wife Svetlana Tikhanovskaya welcomed it. \
                Tikhanovsky thanked supporters, and Tikhanovskaya's team agreed.";
    let e = cluster(
        text,
        &[
            ("Sergei Tikhanovsky", "PERSON"),
            ("Svetlana Tikhanovskaya", "PERSON"),
            ("Tikhanovsky", "PERSON"),
            ("Tikhanovskaya's", "PERSON"),
        ],
    );
    assert_eq!(
        groups(&e),
        vec![
            vec!["Sergei Tikhanovsky", "Tikhanovsky"],
            vec!["Svetlana Tikhanovskaya", "Tikhanovskaya's"]
        ]
    );
    assert_eq!(e[1].name, "Svetlana Tikhanovskaya");
}

#[test]
fn gendered_forms_merge_when_the_given_name_matches() {
    let text = "Svetlana Tikhanovsky, as one agency spelled it, is Svetlana Tikhanovskaya.";
    let e = cluster(
        text,
        &[
            ("Svetlana Tikhanovsky", "PERSON"),
            ("Svetlana Tikhanovskaya", "PERSON"),
        ],
    );
    assert_eq!(e.len(), 1);
    // Without a given name there is no evidence.
    let text = "Tikhanovsky spoke, then Tikhanovskaya spoke.";
    let e = cluster(
        text,
        &[("Tikhanovsky", "PERSON"), ("Tikhanovskaya", "PERSON")],
    );
    assert_eq!(e.len(), 2);
    let text = "Ivanov and Ivanova, Kowalski and Kowalska, Tolstoy and Tolstaya.";
    let e = cluster(
        text,
        &[
            ("Ivanov", "PER"),
            ("Ivanova", "PER"),
            ("Kowalski", "PER"),
            ("Kowalska", "PER"),
            ("Tolstoy", "PER"),
            ("Tolstaya", "PER"),
        ],
    );
    assert_eq!(e.len(), 6, "{:?}", groups(&e));
}

#[test]
fn shared_surname_is_resolved_only_when_unambiguous() {
    let text = "John Smith arrived. Smith spoke first. Later Mary Smith arrived. \
                Smith then left.";
    let e = cluster(
        text,
        &[
            ("John Smith", "PERSON"),
            ("Smith", "PERSON"),
            ("Mary Smith", "PERSON"),
            ("Smith", "PERSON"),
        ],
    );
    assert_eq!(
        groups(&e),
        vec![
            vec!["John Smith", "Smith"],
            vec!["Mary Smith"],
            vec!["Smith"]
        ]
    );
    // The first "Smith" (only John introduced) joined John; the last did not.
    let john = entity_of(&e, "John Smith");
    assert!(john.mentions[1].span.start < e[1].mentions[0].span.start);
    assert_eq!(e[2].name, "Smith");
}

#[test]
fn shared_surname_before_any_full_name_stays_apart() {
    let text = "Smith was quoted. John Smith and Mary Smith arrived.";
    let e = cluster(
        text,
        &[
            ("Smith", "PERSON"),
            ("John Smith", "PERSON"),
            ("Mary Smith", "PERSON"),
        ],
    );
    assert_eq!(e.len(), 3, "{:?}", groups(&e));
}

#[test]
fn initials_and_titles() {
    let text = "President Alexandr Lukashenko spoke. A. Lukashenko signed. Mr Lukashenko left. \
                Viktor Lukashenko, his son, and V. Lukashenko were there.";
    let e = cluster(
        text,
        &[
            ("President Alexandr Lukashenko", "PERSON"),
            ("A. Lukashenko", "PERSON"),
            ("Mr Lukashenko", "PERSON"),
            ("Viktor Lukashenko", "PERSON"),
            ("V. Lukashenko", "PERSON"),
        ],
    );
    let alexandr = entity_of(&e, "A. Lukashenko");
    assert!(alexandr
        .mentions
        .iter()
        .any(|m| m.text == "President Alexandr Lukashenko"));
    assert_eq!(alexandr.name, "President Alexandr Lukashenko");
    let viktor = entity_of(&e, "V. Lukashenko");
    assert!(viktor
        .mentions
        .iter()
        .any(|m| m.text == "Viktor Lukashenko"));
    // "Mr Lukashenko" came after only Alexandr had been introduced.
    assert!(alexandr.mentions.iter().any(|m| m.text == "Mr Lukashenko"));
    assert_eq!(e.len(), 2, "{:?}", groups(&e));
}

#[test]
fn descriptors_before_a_name_are_ignored() {
    let text = "opposition leader Svetlana Tikhanovskaya said Svetlana Tikhanovskaya would.";
    let e = cluster(
        text,
        &[
            ("opposition leader Svetlana Tikhanovskaya", "PERSON"),
            ("Svetlana Tikhanovskaya", "PERSON"),
        ],
    );
    assert_eq!(e.len(), 1);
    assert_eq!(
        e[0].name, "Svetlana Tikhanovskaya",
        "fewer descriptor words win"
    );
}

#[test]
fn middle_initials_disagree() {
    let text = "George H. W. Bush and George W. Bush";
    let e = cluster(
        text,
        &[
            ("George H. W. Bush", "PERSON"),
            ("George W. Bush", "PERSON"),
        ],
    );
    assert_eq!(e.len(), 2);
}

#[test]
fn person_and_place_do_not_merge_but_same_string_votes() {
    let text = "Washington said Washington would act. Belarus, Belarus and Belarus.";
    let ms = mentions(
        text,
        &[
            ("Washington", "GPE"),
            ("Washington", "GPE"),
            ("Belarus", "GPE"),
            ("Belarus", "ORG"),
            ("Belarus", "GPE"),
        ],
    );
    let e = cluster_mentions(text, &ms, &ClusterOptions::default());
    assert_eq!(e.len(), 2);
    assert_eq!(e[1].label, "GPE");
    assert_eq!(e[1].mentions.len(), 3);

    let text = "George Washington crossed. Washington is a city.";
    let e = cluster(
        text,
        &[("George Washington", "PERSON"), ("Washington", "GPE")],
    );
    assert_eq!(e.len(), 2, "a GPE never joins a PERSON");
    assert_eq!(e[1].label, "GPE");
}

#[test]
fn vote_is_score_weighted() {
    let text = "Belarus Belarus Belarus";
    let mut ms = mentions(
        text,
        &[("Belarus", "GPE"), ("Belarus", "GPE"), ("Belarus", "ORG")],
    );
    ms[0].score = 0.3;
    ms[1].score = 0.3;
    ms[2].score = 0.9;
    let e = cluster_mentions(text, &ms, &ClusterOptions::default());
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].label, "ORG");
}

#[test]
fn leading_the_and_exact_duplicates() {
    let text = "the Kremlin and The Kremlin and Kremlin";
    let offsets = OffsetMap::new(text);
    let mut ms = mentions(
        text,
        &[
            ("the Kremlin", "ORG"),
            ("The Kremlin", "ORG"),
            ("Kremlin", "ORG"),
        ],
    );
    // An exact duplicate of the last mention.
    ms.push(ms[2].clone());
    let e = cluster_mentions(text, &ms, &ClusterOptions::default());
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].name, "Kremlin");
    assert_eq!(e[0].mentions.len(), 4);
    let _ = offsets;
}

#[test]
fn non_entity_labels_merge_only_with_same_label() {
    let text = "May 5 and May 5; Theresa May and May.";
    let e = cluster(
        text,
        &[
            ("May 5", "DATE"),
            ("May 5", "DATE"),
            ("Theresa May", "PERSON"),
            ("May", "PERSON"),
        ],
    );
    assert_eq!(
        groups(&e),
        vec![vec!["May 5", "May 5"], vec!["Theresa May", "May"]]
    );
    assert_eq!(e[0].label, "DATE");
}

#[test]
fn given_name_only_links_when_unique() {
    let text = "Xi Jinping arrived. Xi spoke.";
    let e = cluster(text, &[("Xi Jinping", "PERSON"), ("Xi", "PERSON")]);
    assert_eq!(e.len(), 1);
    let opts = ClusterOptions {
        given_name_links: false,
        ..ClusterOptions::default()
    };
    let ms = mentions(text, &[("Xi Jinping", "PERSON"), ("Xi", "PERSON")]);
    assert_eq!(cluster_mentions(text, &ms, &opts).len(), 2);
}

#[test]
fn extra_aliases_and_corporate_suffixes() {
    let text = "Kyiv and Kiev; Acme Corp. and Acme.";
    let ms = mentions(
        text,
        &[
            ("Kyiv", "GPE"),
            ("Kiev", "GPE"),
            ("Acme Corp.", "ORG"),
            ("Acme", "ORG"),
        ],
    );
    let plain = cluster_mentions(text, &ms, &ClusterOptions::default());
    assert_eq!(
        groups(&plain),
        vec![vec!["Kyiv"], vec!["Kiev"], vec!["Acme Corp.", "Acme"]]
    );
    let opts = ClusterOptions {
        extra_aliases: vec![vec!["Kyiv".into(), "Kiev".into()]],
        ..ClusterOptions::default()
    };
    let e = cluster_mentions(text, &ms, &opts);
    assert_eq!(e.len(), 2);
}

#[test]
fn unmatched_surnames_merge_by_transliteration() {
    let text = "Lukashenka said; Lukashenko said.";
    let e = cluster(text, &[("Lukashenka", "PER"), ("Lukashenko", "PER")]);
    assert_eq!(e.len(), 1);
    let text = "Hansen said; Jansen said.";
    let e = cluster(text, &[("Hansen", "PER"), ("Jansen", "PER")]);
    assert_eq!(e.len(), 2);
}

#[test]
fn helpers() {
    for (mention, surface) in [
        ("the United States", "United States"),
        ("The Hague", "Hague"),
        ("Theo", "Theo"),
        ("“Viasna”", "Viasna"),
        ("the", "the"),
        ("Jones'", "Jones"),
        ("O'", "O'"),
    ] {
        assert_eq!(surface_form(mention), surface, "{mention:?}");
    }
    for (mention, key) in [
        ("U.S.", "us"),
        ("Kolésnikova", "kolesnikova"),
        ("al-Qaida", "al qaida"),
        ("Łukasz", "lukasz"),
    ] {
        assert_eq!(key_of(mention), key, "{mention:?}");
    }
    assert_eq!(skeleton("tikhanovskaya"), skeleton("tikhanovskaja"));
    assert_eq!(skeleton("dmitriy"), skeleton("dmitry"));
    let chars = |s: &str| s.chars().collect::<Vec<char>>();
    assert!(lev_within(&chars("kitten"), &chars("sitting"), 3.0 / 7.0));
    assert!(!lev_within(&chars("kitten"), &chars("sitting"), 2.9 / 7.0));
    assert!(lev_within(&chars(""), &chars(""), 0.0));
    assert!(!lev_within(&chars("ab"), &chars(""), 0.9));
    assert!(lev_within(&chars("abcdefgh"), &chars("abXdefYh"), 0.25));
    let c = MentionClusterer::default();
    let w = |s: &str| Word::new(s.to_string());
    assert_eq!(
        c.surname_rel(&w("tikhanovsky"), &w("tikhanovskaya")),
        NameRel::Gendered
    );
    assert_eq!(
        c.surname_rel(&w("kalesnikava"), &w("kolesnikova")),
        NameRel::Same
    );
    assert_eq!(
        c.surname_rel(&w("kalesnikau"), &w("kolesnikova")),
        NameRel::Gendered
    );
    assert_eq!(c.surname_rel(&w("smith"), &w("jones")), NameRel::Different);
    assert_eq!(
        c.surname_rel(&w("lukashenka"), &w("lukashenko")),
        NameRel::Same
    );
    assert_eq!(
        c.surname_rel(&w("tsikhanouskaya"), &w("tikhanovskaya")),
        NameRel::Different
    );
    assert_eq!(
        c.surname_rel(&w("novakova"), &w("novak")),
        NameRel::Gendered
    );
    assert!(c.given_match(&w("alexandr"), &w("aleksander")));
    assert!(c.given_match(&w("sergey"), &w("sergei")));
    assert!(c.given_match(&w("a"), &w("alexandr")));
    assert!(!c.given_match(&w("alexander"), &w("alexandra")));
    assert_eq!(acronym_of("U.S."), Some("us".into()));
    assert_eq!(acronym_of("Us"), None);
    assert_eq!(acronym_of("A"), None);
}

#[test]
fn empty_and_odd_input() {
    assert!(cluster_mentions("", &[], &ClusterOptions::default()).is_empty());
    // Spans outside the text, empty mention text, NaN scores and thresholds.
    let bogus = Mention {
        text: String::new(),
        label: "PERSON".into(),
        score: f32::NAN,
        span: lede_core::Span {
            start: 5,
            end: 99,
            char_start: 5,
            char_end: 99,
        },
    };
    let opts = ClusterOptions {
        max_unreduced_distance: f64::NAN,
        max_reduced_distance: 7.0,
        ..ClusterOptions::default()
    };
    let c = MentionClusterer::new(opts);
    assert_eq!(c.options().max_unreduced_distance, 0.0);
    assert_eq!(c.options().max_reduced_distance, 1.0);
    let e = c.cluster("short", &[bogus.clone(), bogus]);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].mentions.len(), 2);
}

const WORDS: &[&str] = &[
    "John Smith",
    "Mary Smith",
    "Smith",
    "Smith's",
    "the United States",
    "US",
    "U.S.",
    "Kolesnikova",
    "Maria Kalesnikava",
    "Kolésnikova",
    "Tikhanovsky",
    "Tikhanovskaya",
    "Sergei Tikhanovsky",
    "A. Smith",
    "Belarus",
    "NATO",
    "North Atlantic Treaty Organization",
    "'s",
    "the",
    "Xi",
    "Ålesund",
    "May 5",
];
const LABELS: &[&str] = &["PERSON", "GPE", "ORG", "NORP", "DATE", "LOC"];

/// A text made of the chosen words, and one mention per word (some duplicated).
fn doc_strategy() -> impl Strategy<Value = (String, Vec<Mention>)> {
    prop::collection::vec(
        (0..WORDS.len(), 0..LABELS.len(), 0.0f32..1.0, any::<bool>()),
        0..24,
    )
    .prop_map(|picks| {
        let mut text = String::new();
        let mut spans = Vec::new();
        for (w, l, s, dup) in &picks {
            if !text.is_empty() {
                text.push_str(" (");
            }
            let start = text.len();
            text.push_str(WORDS[*w]);
            spans.push((start, text.len(), *l, *s, *dup));
        }
        let offsets = OffsetMap::new(&text);
        let mut ms = Vec::new();
        for (start, end, l, s, dup) in spans {
            let m = Mention {
                text: text[start..end].to_string(),
                label: LABELS[l].to_string(),
                score: s,
                span: offsets.span(start, end).unwrap(),
            };
            if dup {
                ms.push(m.clone());
            }
            ms.push(m);
        }
        (text, ms)
    })
}

proptest! {
    #[test]
    fn every_mention_in_exactly_one_entity((text, ms) in doc_strategy()) {
        let e = cluster_mentions(&text, &ms, &ClusterOptions::default());
        let total: usize = e.iter().map(|x| x.mentions.len()).sum();
        prop_assert_eq!(total, ms.len());
        for m in &ms {
            let want = ms.iter().filter(|x| *x == m).count();
            let got = e.iter().flat_map(|x| &x.mentions).filter(|x| *x == m).count();
            prop_assert_eq!(want, got);
            let holders = e.iter().filter(|x| x.mentions.contains(m)).count();
            prop_assert_eq!(holders, 1);
        }
    }

    #[test]
    fn ids_names_and_order((text, ms) in doc_strategy()) {
        let e = cluster_mentions(&text, &ms, &ClusterOptions::default());
        for (i, ent) in e.iter().enumerate() {
            prop_assert_eq!(&ent.id, &format!("E{}", i + 1));
            prop_assert!(!ent.mentions.is_empty());
            prop_assert!(ent.mentions.iter().any(|m| surface_form(&m.text) == ent.name));
            prop_assert!(ent.mentions.iter().any(|m| m.label == ent.label));
            prop_assert!(ent
                .mentions
                .windows(2)
                .all(|w| (w[0].span.start, w[0].span.end) <= (w[1].span.start, w[1].span.end)));
            if i > 0 {
                prop_assert!(e[i - 1].mentions[0].span.start <= ent.mentions[0].span.start);
            }
        }
    }

    #[test]
    fn deterministic_and_order_independent((text, ms) in doc_strategy(), seed in any::<u64>()) {
        let a = cluster_mentions(&text, &ms, &ClusterOptions::default());
        let b = cluster_mentions(&text, &ms, &ClusterOptions::default());
        prop_assert_eq!(&a, &b);
        // Shuffle the input (spans of distinct mentions differ, duplicates are equal).
        let mut shuffled = ms.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let c = cluster_mentions(&text, &shuffled, &ClusterOptions::default());
        prop_assert_eq!(&a, &c);
    }
}

#[test]
fn one_word_organisation_joins_the_longer_name_written_before_it() {
    let text = "Amnesty International condemned the attacks. Amnesty said so.";
    let e = cluster(
        text,
        &[("Amnesty International", "ORG"), ("Amnesty", "ORG")],
    );
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].name, "Amnesty International");
    let opts = ClusterOptions {
        short_forms: false,
        ..ClusterOptions::default()
    };
    let ms = mentions(
        text,
        &[("Amnesty International", "ORG"), ("Amnesty", "ORG")],
    );
    assert_eq!(cluster_mentions(text, &ms, &opts).len(), 2);
}

#[test]
fn short_organisation_names_stay_apart_when_ambiguous_late_or_not_organisations() {
    // Two longer names begin with the word: no link.
    let text = "Qantas Airways and Qantas Holdings met. Qantas spoke.";
    let e = cluster(
        text,
        &[
            ("Qantas Airways", "ORG"),
            ("Qantas Holdings", "ORG"),
            ("Qantas", "ORG"),
        ],
    );
    assert_eq!(e.len(), 3);
    // The short name comes first: no link.
    let text = "Ansett spoke. Ansett Australia agreed.";
    let e = cluster(text, &[("Ansett", "ORG"), ("Ansett Australia", "ORG")]);
    assert_eq!(e.len(), 2);
    // A place is not an organisation's short name.
    let text = "The Sydney Swans won. Sydney cheered.";
    let e = cluster(text, &[("Sydney Swans", "ORG"), ("Sydney", "GPE")]);
    assert_eq!(e.len(), 2);
    // Too short to be a name on its own.
    let text = "The ABC Learning group grew. ABC reported it.";
    let e = cluster(text, &[("ABC Learning", "ORG"), ("ABC", "ORG")]);
    assert_eq!(e.len(), 2);
}
