//! Target `html_writer`: the `lede` binary's HTML report (`crates/lede/src/cli/html.rs`,
//! through `output.rs` as the binary calls it) and its text report, on an [`Analysis`] built
//! from fuzz bytes: the article text, then entities, mentions, relations, evidence and a
//! summary whose strings and spans come from the bytes. Spans are either clamped to the
//! text's char boundaries or deliberately wrong (inside a char, past the end, reversed).
//!
//! Invariants: no panic; the page is well-formed as far as the writer's own markup goes
//! (every `<` opens one of the writer's tags, every attribute is quoted, text and attribute
//! values hold no raw `<`, `>` or quote, every `&` starts an entity), so text that reads
//! `<script>` never becomes a script; the article section, tags removed and entities decoded,
//! is the text exactly, with one `<mark>` per mention that slices the text and does not
//! overlap an earlier one; there is one table row per entity and per relation, each
//! relation's evidence cell reads as its evidence text, the graph draws one node per entity
//! it relates and one label per edge; the text report holds no control characters but
//! newlines and tabs.

use std::collections::BTreeSet;

use lede_core::{
    Analysis, Document, Entity, Evidence, Mention, Relation, SentenceSplitter, Span, Summary,
};
use lede_tokenize::NewsSentenceSplitter;
use libfuzzer_sys::arbitrary::Unstructured;

use crate::{html, output};

/// The writer's tags (`<!DOCTYPE html>` is checked on its own).
const TAGS: [&str; 25] = [
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "span", "div", "mark",
    "table", "tr", "th", "td", "b", "svg", "defs", "marker", "path", "circle", "text", "line",
    "rect",
];

/// Strings the generator picks from besides slices of the text and arbitrary bytes.
const STRINGS: [&str; 18] = [
    "PERSON",
    "ORG",
    "GPE",
    "LOC",
    "NORP",
    "DATE",
    "PER",
    "MISC",
    "E1",
    "E2",
    "met_with",
    "<script>alert('x')</script>",
    "\"><img src=x onerror=alert(1)>",
    "' onmouseover='alert(1)",
    "&amp;&lt;&#x3C;",
    "a\nb\r\n",
    "--><!--",
    "\u{1b}[2J\u{7}",
];

/// Reads an [`Analysis`] of a text out of fuzz bytes.
struct Gen<'a> {
    u: Unstructured<'a>,
    text: &'a str,
}

impl Gen<'_> {
    fn byte(&mut self) -> u8 {
        self.u.arbitrary().unwrap_or(0)
    }

    fn boundary(&self, i: usize) -> usize {
        let mut i = i.min(self.text.len());
        while !self.text.is_char_boundary(i) {
            i -= 1;
        }
        i
    }

    /// A span: clamped to char boundaries (half the time), or wrong.
    fn span(&mut self) -> Span {
        let len = self.text.len();
        match self.byte() % 4 {
            0 | 1 => {
                let at: u16 = self.u.arbitrary().unwrap_or(0);
                let start = self.boundary(usize::from(at) % (len + 1));
                let width = usize::from(self.byte());
                let end = self.boundary(start + width).max(start);
                Span::from_bytes(self.text, start, end).expect("clamped span")
            }
            2 => {
                let at: u16 = self.u.arbitrary().unwrap_or(0);
                let start = usize::from(at) % (len + 2);
                let end = start + usize::from(self.byte() % 8);
                Span {
                    start,
                    end,
                    char_start: start,
                    char_end: end,
                }
            }
            _ => {
                let start = self.u.arbitrary::<u32>().unwrap_or(0) as usize;
                let end = self.u.arbitrary::<u32>().unwrap_or(0) as usize;
                Span {
                    start,
                    end,
                    char_start: end,
                    char_end: start,
                }
            }
        }
    }

    fn string(&mut self) -> String {
        match self.byte() % 6 {
            0 | 1 => {
                let span = self.span();
                span.slice(self.text).unwrap_or("").to_string()
            }
            2 => STRINGS[usize::from(self.byte()) % STRINGS.len()].to_string(),
            3 => self.u.arbitrary::<&str>().unwrap_or("").to_string(),
            _ => String::new(),
        }
    }

    fn score(&mut self) -> f32 {
        match self.byte() % 4 {
            0 => self.u.arbitrary().unwrap_or(0.0),
            k => f32::from(k) / 3.0,
        }
    }

    fn mention(&mut self) -> Mention {
        let span = self.span();
        let text = match span.slice(self.text) {
            Some(t) if !self.byte().is_multiple_of(4) => t.to_string(),
            _ => self.string(),
        };
        Mention {
            text,
            label: self.string(),
            score: self.score(),
            span,
        }
    }

    fn entity(&mut self, i: usize) -> Entity {
        let id = if self.byte().is_multiple_of(4) {
            self.string()
        } else {
            format!("E{}", i + 1)
        };
        let mentions = (0..self.byte() % 5).map(|_| self.mention()).collect();
        Entity {
            id,
            name: self.string(),
            label: self.string(),
            mentions,
        }
    }

    /// An entity's id and name, the value tail (`""`), or something else.
    fn end(&mut self, entities: &[Entity]) -> (String, String) {
        let k = usize::from(self.byte()) % (entities.len() + 2);
        match entities.get(k) {
            Some(e) => (e.id.clone(), e.name.clone()),
            None if k == entities.len() => (String::new(), self.string()),
            None => (self.string(), self.string()),
        }
    }

    fn relation(&mut self, entities: &[Entity]) -> Relation {
        let (head, head_name) = self.end(entities);
        let (tail, tail_name) = self.end(entities);
        let span = self.span();
        let text = match span.slice(self.text) {
            Some(t) if !self.byte().is_multiple_of(4) => t.to_string(),
            _ => self.string(),
        };
        Relation {
            head,
            tail,
            head_name,
            tail_name,
            label: self.string(),
            score: self.score(),
            evidence: Evidence { span, text },
        }
    }

    fn analysis(&mut self) -> Analysis {
        let id = self.string();
        let mut doc = Document::new(id, self.text);
        if self.byte().is_multiple_of(2) {
            doc.title = Some(self.string());
        }
        let mut a = Analysis::empty(&doc);
        a.sentences = NewsSentenceSplitter::default().split(self.text);
        if self.byte().is_multiple_of(2) {
            a.document.text = Some(self.text.to_string());
        }
        let entities: Vec<Entity> = (0..self.byte() % 7)
            .map(|i| self.entity(i.into()))
            .collect();
        a.relations = (0..self.byte() % 6)
            .map(|_| self.relation(&entities))
            .collect();
        a.entities = entities;
        if self.byte().is_multiple_of(3) {
            a.summary = Some(Summary {
                text: self.string(),
                sentences: Vec::new(),
                method: self.string(),
            });
        }
        a
    }
}

/// The text of `data` up to its first NUL byte (lossy UTF-8), and an analysis of it built
/// from the bytes after.
pub fn analysis_from_bytes(data: &[u8]) -> (String, Analysis) {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let text = String::from_utf8_lossy(&data[..split]).into_owned();
    let rest = data.get(split + 1..).unwrap_or(&[]);
    let a = Gen {
        u: Unstructured::new(rest),
        text: &text,
    }
    .analysis();
    (text, a)
}

/// HTML escaping as a reader expects it (the writer's own `escape` is what is tested).
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Decodes the five entities the writer uses; panics on any other `&`.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let (c, n) = [
            ('&', "&amp;"),
            ('<', "&lt;"),
            ('>', "&gt;"),
            ('"', "&quot;"),
            ('\'', "&#39;"),
        ]
        .into_iter()
        .find(|(_, e)| rest.starts_with(e))
        .map(|(c, e)| (c, e.len()))
        .unwrap_or_else(|| panic!("raw & in {s:?}"));
        out.push(c);
        rest = &rest[n..];
    }
    out.push_str(rest);
    out
}

/// Text between tags, or an attribute value: no raw markup characters, only known entities.
fn check_text(text: &str, context: &str) {
    assert!(
        !text.contains(['<', '>', '"', '\'']),
        "raw markup character in {text:?} ({context})"
    );
    let _ = unescape(text);
}

/// Checks that `html` is the writer's markup around escaped text, and returns its tags in
/// order (name with a leading `/` for closing tags).
fn check_markup(html: &str) -> Vec<String> {
    assert!(
        !html.to_ascii_lowercase().contains("<script"),
        "a script tag in the report"
    );
    let mut rest = html
        .strip_prefix("<!DOCTYPE html>\n")
        .expect("the report starts with its doctype");
    let mut tags = Vec::new();
    loop {
        let lt = rest.find('<').unwrap_or(rest.len());
        check_text(&rest[..lt], "text");
        if lt == rest.len() {
            break;
        }
        rest = &rest[lt + 1..];
        let closing = rest.starts_with('/');
        if closing {
            rest = &rest[1..];
        }
        let name_len = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let name = &rest[..name_len];
        assert!(TAGS.contains(&name), "unknown tag <{name}");
        tags.push(if closing {
            format!("/{name}")
        } else {
            name.into()
        });
        rest = &rest[name_len..];
        loop {
            rest = rest.trim_start_matches(' ');
            if let Some(r) = rest.strip_prefix('>').or_else(|| rest.strip_prefix("/>")) {
                rest = r;
                break;
            }
            assert!(!closing, "attributes in </{name}>");
            let attr_len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .unwrap_or(rest.len());
            assert!(
                attr_len > 0,
                "bad attribute in <{name}: {:?}",
                &rest[..rest.len().min(40)]
            );
            let attr = &rest[..attr_len];
            rest = rest[attr_len..]
                .strip_prefix("=\"")
                .unwrap_or_else(|| panic!("unquoted attribute {attr} in <{name}"));
            let close = rest.find('"').expect("unterminated attribute value");
            check_text(&rest[..close], attr);
            rest = &rest[close + 1..];
        }
        if name == "style" && !closing {
            let end = rest.find("</style>").expect("unterminated style");
            assert!(!rest[..end].contains('<'), "markup in the style sheet");
            rest = &rest[end..];
        }
    }
    tags
}

/// The text of a piece of the report: `<p>` boundaries as newlines, other tags removed,
/// entities decoded.
fn plain(markup: &str) -> String {
    let mut out = String::new();
    let mut rest = markup;
    while let Some(lt) = rest.find('<') {
        out.push_str(&unescape(&rest[..lt]));
        let gt = rest[lt..].find('>').expect("tag end") + lt;
        if &rest[lt..=gt] == "</p>" {
            out.push('\n');
        }
        rest = &rest[gt + 1..];
    }
    out.push_str(&unescape(rest));
    out
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in the report"))
        + start.len();
    let to = html[from..]
        .find(end)
        .unwrap_or_else(|| panic!("no {end:?} after {start:?}"))
        + from;
    &html[from..to]
}

/// How many mentions the article section marks: those that slice the text, in order of
/// (start, end), leaving out any that starts before the end of the last one marked.
fn expected_marks(a: &Analysis, text: &str) -> usize {
    let mut spans: Vec<(usize, usize)> = a
        .entities
        .iter()
        .flat_map(|e| e.mentions.iter().map(|m| (m.span.start, m.span.end)))
        .collect();
    spans.sort_unstable();
    let (mut pos, mut n) = (0, 0);
    for (s, e) in spans {
        if s >= pos && text.get(s..e).is_some() {
            n += 1;
            pos = e;
        }
    }
    n
}

/// Checks `html`, the report of `a` over `text`.
pub fn check_report(a: &Analysis, text: &str, html: &str) {
    let tags = check_markup(html);
    let title = a.document.title.as_deref().unwrap_or(&a.document.id);
    assert!(
        html.contains(&format!("<title>{} — lede</title>", escaped(title))),
        "title"
    );
    if let Some(s) = &a.summary {
        assert!(
            html.contains(&format!(
                "<div class=\"summary\">{}</div>",
                escaped(&s.text)
            )),
            "summary"
        );
    }

    let article = between(html, "<div class=\"article\">", "</div>");
    let body = plain(article);
    assert_eq!(
        body.strip_suffix('\n'),
        Some(text),
        "the article section is not the text"
    );
    assert_eq!(
        article.matches("<mark ").count(),
        expected_marks(a, text),
        "marked mentions"
    );

    let entities = between(html, "<h2>Entities</h2>", "</table>");
    assert_eq!(
        entities.matches("<tr id=").count(),
        a.entities.len(),
        "entity rows"
    );

    if a.relations.is_empty() {
        assert!(
            !html.contains("<h2>Relations</h2>"),
            "relations section without relations"
        );
        return;
    }
    let edges: Vec<&Relation> = a.relations.iter().filter(|r| !r.tail.is_empty()).collect();
    let nodes: BTreeSet<&str> = edges
        .iter()
        .flat_map(|r| [r.head.as_str(), r.tail.as_str()])
        .collect();
    let svg = between(html, "<svg ", "</svg>");
    assert_eq!(svg.matches("<circle ").count(), nodes.len(), "graph nodes");
    assert_eq!(svg.matches("<rect ").count(), edges.len(), "edge labels");
    assert_eq!(svg.matches("<line ").count(), edges.len(), "edges");

    let table = between(html, "</svg><table>", "</table>");
    let rows: Vec<&str> = table.split("<tr><td>").skip(1).collect();
    assert_eq!(rows.len(), a.relations.len(), "relation rows");
    for (row, r) in rows.iter().zip(&a.relations) {
        let row = row.strip_suffix("</td></tr>").expect("row end");
        let cell = &row[row.rfind("<td>").expect("evidence cell") + 4..];
        assert_eq!(plain(cell), r.evidence.text, "evidence cell");
    }
    assert!(tags.iter().filter(|t| *t == "mark").count() >= expected_marks(a, text));
}

/// Renders `a` over `text` and checks the reports.
pub fn check(a: &Analysis, text: &str) {
    let page = html::render_html(a, text);
    check_report(a, text, &page);
    // As the binary calls it: the document's own text, or the text rebuilt from sentences.
    let page = output::render_html(a);
    check_markup(&page);
    let report = output::render_text(a);
    assert!(
        !report
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t'),
        "control character in the text report"
    );
    let escaped_text = html::escape(text);
    assert_eq!(unescape(&escaped_text), text, "escape does not round-trip");
    check_text(&escaped_text, "escape");
}

/// The fuzz entry point.
pub fn check_bytes(data: &[u8]) {
    let (text, a) = analysis_from_bytes(data);
    check(&a, &text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_inputs() {
        let text = "Alice <script>alert(1)</script> met Bob & Co. in \"Paris\".\nBob left. 🎉 é";
        let mut data = text.as_bytes().to_vec();
        data.push(0);
        for seed in 0..64u8 {
            let mut d = data.clone();
            d.extend((0..200u8).map(|i| i.wrapping_mul(seed).wrapping_add(seed)));
            let (t, a) = analysis_from_bytes(&d);
            assert_eq!(t, text);
            check(&a, &t);
        }
        check_bytes(b"");
        check_bytes(b"\0");
        check_bytes(b"<p>\n\n</p>\0\x01\x02\x03");
        check_bytes(&[0xff, b'<', 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    }

    #[test]
    fn the_checker_catches_unescaped_text() {
        let doc = Document::new("d", "x");
        let a = Analysis::empty(&doc);
        let page = html::render_html(&a, "x");
        check_report(&a, "x", &page);
        let bad = page.replacen("<p>x</p>", "<p><script>x</p>", 1);
        assert!(std::panic::catch_unwind(|| check_markup(&bad)).is_err());
        let bad = page.replacen("<p>x</p>", "<p>x\"</p>", 1);
        assert!(std::panic::catch_unwind(|| check_markup(&bad)).is_err());
    }
}
