//! Sentence splitting rules, one test per rule, on invented sentences.

use lede_core::SentenceSplitter;
use lede_tokenize::{AbbreviationKind, Abbreviations, LineBreaks, NewsSentenceSplitter};

fn split(text: &str) -> Vec<String> {
    split_with(&NewsSentenceSplitter::default(), text)
}

/// The sentences `splitter` finds in `text`, after checking their spans.
fn split_with(splitter: &NewsSentenceSplitter, text: &str) -> Vec<String> {
    let sentences = splitter.split(text);
    for s in &sentences {
        assert_eq!(s.span.slice(text), Some(s.text.as_str()));
        assert_eq!(
            s.text.trim(),
            s.text,
            "spans exclude surrounding whitespace"
        );
    }
    sentences.into_iter().map(|s| s.text).collect()
}

#[test]
fn plain_sentences() {
    assert_eq!(
        split("The river rose. Farmers left!  Would it stop? Nobody knew."),
        [
            "The river rose.",
            "Farmers left!",
            "Would it stop?",
            "Nobody knew."
        ]
    );
}

#[test]
fn empty_and_blank() {
    assert!(split("").is_empty());
    assert!(split(" \n\t\r\n ").is_empty());
    assert_eq!(split("  word  "), ["word"]);
}

#[test]
fn titles_never_end_a_sentence() {
    assert_eq!(
        split("Mr. Novak met Mrs. Orloff and Dr. Pell. Gen. Aziz and Sen. Kim agreed."),
        [
            "Mr. Novak met Mrs. Orloff and Dr. Pell.",
            "Gen. Aziz and Sen. Kim agreed."
        ]
    );
}

#[test]
fn country_abbreviations() {
    assert_eq!(
        split("The U.S. Treasury and the U.K. government agreed. Officials in the U.S. said so."),
        [
            "The U.S. Treasury and the U.K. government agreed.",
            "Officials in the U.S. said so."
        ]
    );
    // Before a frequent sentence starter the abbreviation ends the sentence.
    assert_eq!(
        split("Sanctions were lifted by the U.S. The move surprised Brussels."),
        [
            "Sanctions were lifted by the U.S.",
            "The move surprised Brussels."
        ]
    );
}

#[test]
fn months_and_numbers() {
    assert_eq!(
        split("The vote on Jan. 12 and the Sept. 3 rally drew 4,500 people. Prison No. 9 is full."),
        [
            "The vote on Jan. 12 and the Sept. 3 rally drew 4,500 people.",
            "Prison No. 9 is full."
        ]
    );
    assert_eq!(
        split("Arrests rose in Feb. Then they fell."),
        ["Arrests rose in Feb.", "Then they fell."]
    );
}

#[test]
fn company_suffixes() {
    assert_eq!(
        split("Zorvex Inc. CEO Lara Moss resigned. She joined Halden Corp. in 2019."),
        [
            "Zorvex Inc. CEO Lara Moss resigned.",
            "She joined Halden Corp. in 2019."
        ]
    );
    assert_eq!(
        split("Shares fell at Zorvex Inc. The company blamed costs."),
        ["Shares fell at Zorvex Inc.", "The company blamed costs."]
    );
}

#[test]
fn etc_ends_before_a_capital() {
    assert_eq!(
        split("They sold grain, potash, etc. Prices rose, etc. and then fell."),
        [
            "They sold grain, potash, etc.",
            "Prices rose, etc. and then fell."
        ]
    );
}

#[test]
fn e_g_and_i_e_do_not_end() {
    assert_eq!(
        split("Some exports, e.g. Potash and salt, rose. Others, i.e. Timber, fell."),
        [
            "Some exports, e.g. Potash and salt, rose.",
            "Others, i.e. Timber, fell."
        ]
    );
}

#[test]
fn initials() {
    assert_eq!(
        split("John F. Kennedy and J. R. Tolkien met H.G. Wells. They talked."),
        [
            "John F. Kennedy and J. R. Tolkien met H.G. Wells.",
            "They talked."
        ]
    );
    assert_eq!(
        split("The team adopted plan B. The rest followed."),
        ["The team adopted plan B.", "The rest followed."]
    );
}

#[test]
fn decimals_and_money() {
    assert_eq!(
        split("Growth was 3.5 percent, or $1.25 billion. Inflation hit 12.7%."),
        [
            "Growth was 3.5 percent, or $1.25 billion.",
            "Inflation hit 12.7%."
        ]
    );
}

#[test]
fn ellipses() {
    assert_eq!(
        split("We waited... and waited. Then... Nothing. He said… Maybe later… or not."),
        [
            "We waited... and waited.",
            "Then...",
            "Nothing.",
            "He said…",
            "Maybe later… or not."
        ]
    );
}

#[test]
fn quote_that_does_not_end_the_sentence() {
    assert_eq!(
        split("“We are freeing them this week,” Ortega told reporters. He smiled."),
        [
            "“We are freeing them this week,” Ortega told reporters.",
            "He smiled."
        ]
    );
    assert_eq!(
        split("“Why now?” she asked. “Because!” he said."),
        ["“Why now?” she asked.", "“Because!” he said."]
    );
    // A capitalised attribution after a quoted question or exclamation.
    assert_eq!(
        split(
            "“Why now?” Ortega asked. “Enough!” Gen. Ana Ruiz told the crowd. “Why?” Ortega left."
        ),
        [
            "“Why now?” Ortega asked.",
            "“Enough!” Gen. Ana Ruiz told the crowd.",
            "“Why?”",
            "Ortega left."
        ]
    );
    // After a quoted full stop the quotation's sentence is over.
    assert_eq!(
        split("“We won.” Ortega said it twice."),
        ["“We won.”", "Ortega said it twice."]
    );
}

#[test]
fn quote_with_several_sentences() {
    assert_eq!(
        split("“The strike is over. We won.” The union left."),
        ["“The strike is over.", "We won.”", "The union left."]
    );
    assert_eq!(
        split("\"The strike is over. We won,\" the leader said."),
        ["\"The strike is over.", "We won,\" the leader said."]
    );
    assert_eq!(
        split("He said: 'It is done.' Then he left."),
        ["He said: 'It is done.'", "Then he left."]
    );
}

#[test]
fn parentheses_and_brackets() {
    assert_eq!(
        split("The port reopened (after a week.) Ships returned. (Trade resumed.) Good."),
        [
            "The port reopened (after a week.)",
            "Ships returned.",
            "(Trade resumed.)",
            "Good."
        ]
    );
}

#[test]
fn headlines_on_their_own_line() {
    assert_eq!(
        split("Floods hit the north\nThe river burst its banks on Monday.\n\nAid arrives slowly\nTrucks reached the town."),
        [
            "Floods hit the north",
            "The river burst its banks on Monday.",
            "Aid arrives slowly",
            "Trucks reached the town."
        ]
    );
}

#[test]
fn crlf_and_other_line_breaks() {
    assert_eq!(
        split("Title here\r\nFirst line.\rSecond line\u{2028}Third."),
        ["Title here", "First line.", "Second line", "Third."]
    );
}

#[test]
fn glued_agency_sign_off() {
    assert_eq!(
        split("The ministry confirmed the deal with the carrier.AFP\nxyz/abc"),
        [
            "The ministry confirmed the deal with the carrier.",
            "AFP",
            "xyz/abc"
        ]
    );
    // Not a sign-off: dotted words, domains, and titles glued to names.
    assert_eq!(
        split("A U.S.-based firm, e.g.Nordco, uses www.Nordco.com. Mr.Holm agreed."),
        [
            "A U.S.-based firm, e.g.Nordco, uses www.Nordco.com.",
            "Mr.Holm agreed."
        ]
    );
}

#[test]
fn dateline_dash_is_not_an_end() {
    assert_eq!(
        split("Kyiv (AFP).- Talks resumed on Monday. They failed."),
        ["Kyiv (AFP).- Talks resumed on Monday.", "They failed."]
    );
}

#[test]
fn lowercase_continuation_is_not_an_end() {
    assert_eq!(
        split("It cost approx. five dollars."),
        ["It cost approx. five dollars."]
    );
    assert_eq!(
        split("Rates rose in the U.S. and in Canada."),
        ["Rates rose in the U.S. and in Canada."]
    );
}

#[test]
fn enumerators_at_line_start() {
    assert_eq!(
        split("1. The first demand.\n2. The second demand."),
        ["1. The first demand.", "2. The second demand."]
    );
}

#[test]
fn cyrillic_and_cjk() {
    assert_eq!(
        split("Лукашенко помиловал заключённых. Это важно! Что дальше?"),
        [
            "Лукашенко помиловал заключённых.",
            "Это важно!",
            "Что дальше?"
        ]
    );
    assert_eq!(split("他来了。她走了！"), ["他来了。", "她走了！"]);
}

#[test]
fn german_quotes() {
    assert_eq!(
        split("„Es ist vorbei.“ Dann ging er."),
        ["„Es ist vorbei.“", "Dann ging er."]
    );
}

#[test]
fn blank_line_policy_joins_wrapped_lines() {
    let splitter = NewsSentenceSplitter::builder()
        .line_breaks(LineBreaks::BlankLine)
        .build()
        .unwrap();
    let text = "The river rose on\nMonday and fell. Then\nit rained.\n\n  \nNew paragraph";
    assert_eq!(
        split_with(&splitter, text),
        [
            "The river rose on\nMonday and fell.",
            "Then\nit rained.",
            "New paragraph"
        ]
    );
    assert_eq!(splitter.line_break_policy(), LineBreaks::BlankLine);
}

#[test]
fn builder_options() {
    let splitter = NewsSentenceSplitter::builder()
        .abbreviation("Cmdt", AbbreviationKind::Title)
        .sentence_starter("Officials")
        .glued_sign_offs(false)
        .build()
        .unwrap();
    let text = "Cmdt. Ruiz spoke at Acme Inc. Officials listened to the carrier.AFP";
    assert_eq!(
        split_with(&splitter, text),
        [
            "Cmdt. Ruiz spoke at Acme Inc.",
            "Officials listened to the carrier.AFP"
        ]
    );
    assert!(NewsSentenceSplitter::builder()
        .abbreviation("a b", AbbreviationKind::Title)
        .build()
        .is_err());
    assert!(NewsSentenceSplitter::builder()
        .sentence_starter("")
        .build()
        .is_err());

    // An empty abbreviation list: titles end sentences before capitals.
    let bare = NewsSentenceSplitter::builder()
        .abbreviations(Abbreviations::empty())
        .build()
        .unwrap();
    assert_eq!(bare.split("Ask Mr. Novak.").len(), 2);
}

#[test]
fn char_offsets_match_bytes() {
    let text = "Café “Łódź” opened. Ёлка 🎄 sold out.";
    let sentences = NewsSentenceSplitter::default().split(text);
    assert_eq!(sentences.len(), 2);
    for s in sentences {
        let by_chars: String = text
            .chars()
            .skip(s.span.char_start)
            .take(s.span.char_end - s.span.char_start)
            .collect();
        assert_eq!(by_chars, s.text);
    }
}
