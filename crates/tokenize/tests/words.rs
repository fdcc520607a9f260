//! Word token rules.

use lede_core::{TokenKind, WordTokenizer};
use lede_tokenize::{AbbreviationKind, Abbreviations, RuleWordTokenizer};

fn tokens(text: &str) -> Vec<(String, TokenKind)> {
    tokens_with(&RuleWordTokenizer::default(), text)
}

/// The tokens `tokenizer` finds in `text` and their kinds, after checking their spans.
fn tokens_with(tokenizer: &RuleWordTokenizer, text: &str) -> Vec<(String, TokenKind)> {
    let tokens = tokenizer.tokenize(text);
    for t in &tokens {
        assert_eq!(t.span.slice(text), Some(t.text.as_str()));
        assert_eq!(t.text.chars().count(), t.span.char_len());
    }
    tokens.into_iter().map(|t| (t.text, t.kind)).collect()
}

fn texts(text: &str) -> Vec<String> {
    texts_with(&RuleWordTokenizer::default(), text)
}

fn texts_with(tokenizer: &RuleWordTokenizer, text: &str) -> Vec<String> {
    tokens_with(tokenizer, text)
        .into_iter()
        .map(|(t, _)| t)
        .collect()
}

#[test]
fn words_and_punctuation() {
    assert_eq!(
        tokens("Rivers rose, again!"),
        [
            ("Rivers".into(), TokenKind::Word),
            ("rose".into(), TokenKind::Word),
            (",".into(), TokenKind::Punct),
            ("again".into(), TokenKind::Word),
            ("!".into(), TokenKind::Punct),
        ]
    );
}

#[test]
fn inner_hyphens_and_apostrophes() {
    assert_eq!(
        texts("al-Qaida's ex-chief don't know O’Brien, rock'n'roll -- fine"),
        [
            "al-Qaida",
            "'s",
            "ex-chief",
            "don't",
            "know",
            "O’Brien",
            ",",
            "rock'n'roll",
            "--",
            "fine"
        ]
    );
}

#[test]
fn possessives() {
    assert_eq!(
        texts("Minsk’s mayor and the workers' union"),
        ["Minsk", "’s", "mayor", "and", "the", "workers", "'", "union"]
    );
    assert_eq!(texts("IT'S"), ["IT", "'S"]);
    assert_eq!(texts("'s"), ["'", "s"]);
}

#[test]
fn numbers() {
    assert_eq!(
        tokens("10,000 3.5 10:30 24/7 5th 1990s 20% $1.25 63-year-old 2020-21"),
        [
            ("10,000".into(), TokenKind::Number),
            ("3.5".into(), TokenKind::Number),
            ("10:30".into(), TokenKind::Number),
            ("24/7".into(), TokenKind::Number),
            ("5th".into(), TokenKind::Number),
            ("1990s".into(), TokenKind::Number),
            ("20".into(), TokenKind::Number),
            ("%".into(), TokenKind::Symbol),
            ("$".into(), TokenKind::Symbol),
            ("1.25".into(), TokenKind::Number),
            ("63-year-old".into(), TokenKind::Word),
            ("2020-21".into(), TokenKind::Number),
        ]
    );
    // A sentence-final number keeps its period apart.
    assert_eq!(texts("in 2023."), ["in", "2023", "."]);
    // Separators between letters are not number separators.
    assert_eq!(texts("mos/dgp a,b"), ["mos", "/", "dgp", "a", ",", "b"]);
}

#[test]
fn abbreviations_keep_their_period() {
    assert_eq!(
        texts("Mr. Smith of Acme Inc. met U.S. and U.K. envoys, e.g. Dr. Li, at 9 a.m. on Jan. 5."),
        [
            "Mr.", "Smith", "of", "Acme", "Inc.", "met", "U.S.", "and", "U.K.", "envoys", ",",
            "e.g.", "Dr.", "Li", ",", "at", "9", "a.m.", "on", "Jan.", "5", "."
        ]
    );
    assert_eq!(texts("John F. Kennedy"), ["John", "F.", "Kennedy"]);
    assert_eq!(
        texts("a U.S.-based firm"),
        ["a", "U.S.", "-", "based", "firm"]
    );
    assert_eq!(texts("wait..."), ["wait", "..."]);
    assert_eq!(texts("etc..."), ["etc", "..."]);
}

#[test]
fn names_inside_compounds_are_split_off() {
    assert_eq!(texts("anti-Iraqi"), ["anti", "-", "Iraqi"]);
    assert_eq!(texts("pro-Western"), ["pro", "-", "Western"]);
    assert_eq!(texts("Iraqi-born"), ["Iraqi", "-", "born"]);
    assert_eq!(
        texts("the Kremlin-backed, U.S.-led bloc"),
        ["the", "Kremlin", "-", "backed", ",", "U.S.", "-", "led", "bloc"]
    );
    for whole in [
        "al-Qaida",
        "Jean-Pierre",
        "well-known",
        "COVID-19",
        "63-year-old",
        "ex-president",
    ] {
        assert_eq!(texts(whole), [whole], "{whole}");
    }
}

#[test]
fn glued_sign_off_splits() {
    assert_eq!(texts("the airline.EFE"), ["the", "airline", ".", "EFE"]);
    assert_eq!(texts("Acme Inc.AFP"), ["Acme", "Inc.", "AFP"]);
    assert_eq!(
        texts("see example.com or www.Example.org"),
        ["see", "example.com", "or", "www.Example.org"]
    );
}

#[test]
fn quotes_and_brackets() {
    assert_eq!(
        texts("“It is over,” (he said)."),
        ["“", "It", "is", "over", ",", "”", "(", "he", "said", ")", "."]
    );
}

#[test]
fn symbols_and_emoji() {
    let got = tokens("AT&T +5 👍🏽 🇧🇾 ©");
    assert_eq!(
        got,
        [
            ("AT&T".into(), TokenKind::Word),
            ("+".into(), TokenKind::Symbol),
            ("5".into(), TokenKind::Number),
            ("👍🏽".into(), TokenKind::Symbol),
            ("🇧🇾".into(), TokenKind::Symbol),
            ("©".into(), TokenKind::Symbol),
        ]
    );
}

#[test]
fn combining_marks_stay_with_their_letter() {
    let text = "Kole\u{301}snikova \u{301}x";
    assert_eq!(texts(text), ["Kole\u{301}snikova", "\u{301}", "x"]);
}

#[test]
fn cyrillic_and_control_chars() {
    assert_eq!(
        texts("Лукашенко’s 5-й\u{0}день"),
        ["Лукашенко", "’s", "5-й", "\u{0}", "день"]
    );
}

#[test]
fn custom_abbreviations() {
    let tokenizer = RuleWordTokenizer::builder()
        .abbreviations(Abbreviations::empty())
        .abbreviation("Cmdt", AbbreviationKind::Title)
        .build()
        .unwrap();
    assert_eq!(
        texts_with(&tokenizer, "Cmdt. Ruiz and Mr. Li"),
        ["Cmdt.", "Ruiz", "and", "Mr", ".", "Li"]
    );
    assert!(tokenizer.abbreviations().get("cmdt").is_some());
    assert!(RuleWordTokenizer::builder()
        .abbreviation(" ", AbbreviationKind::Title)
        .build()
        .is_err());
}
