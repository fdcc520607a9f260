//! The self-contained HTML report: the article with entity mentions highlighted by type, the
//! entities with mention counts, the relations as an SVG graph and as a table with evidence,
//! and the summary. One file, inline CSS, no scripts, no external requests.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use lede_core::{Analysis, CoarseLabel};

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn type_class(label: &str) -> &'static str {
    match CoarseLabel::from_label(label) {
        Some(CoarseLabel::Per) => "per",
        Some(CoarseLabel::Org) => "org",
        Some(CoarseLabel::Loc) => "loc",
        Some(CoarseLabel::Misc) => "misc",
        None => "other",
    }
}

const CSS: &str = r#"
body{font:16px/1.55 Georgia,'Times New Roman',serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;background:#fdfdfb}
h1{font:600 1.6em/1.2 system-ui,sans-serif;margin:.2em 0}
h2{font:600 1.15em system-ui,sans-serif;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
.meta{color:#666;font:.85em system-ui,sans-serif}
.grid{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,1fr);gap:2em}
.article p{margin:.4em 0}
mark{padding:0 .15em;border-radius:3px;background:#eee}
mark.per{background:#ffe0b2}mark.org{background:#c8e6c9}mark.loc{background:#bbdefb}mark.misc{background:#e1bee7}mark.other{background:#eeeeee}
mark:hover{outline:1px solid #555}
.sel{background:#fff8c4}
table{border-collapse:collapse;width:100%;font:.85em system-ui,sans-serif}
td,th{border-bottom:1px solid #eee;padding:.3em .4em;text-align:left;vertical-align:top}
.badge{display:inline-block;font:600 .7em system-ui,sans-serif;padding:.1em .4em;border-radius:3px;background:#eee}
.badge.per{background:#ffe0b2}.badge.org{background:#c8e6c9}.badge.loc{background:#bbdefb}.badge.misc{background:#e1bee7}
mark.head{background:#fff59d;outline:1px solid #f9a825}mark.tail{background:#b2ebf2;outline:1px solid #00838f}
.summary{background:#f4f6f8;border-left:4px solid #90a4ae;padding:.6em 1em}
svg text{font:11px system-ui,sans-serif}
.legend span{margin-right:1em}
.quote{background:#fff3e0;border-bottom:2px solid #ef6c00}
.reported{border-bottom:2px dotted #6d4c41}
ul.quotes{margin:0;padding-left:1.1em;font-size:.9em}
"#;

/// Renders one analysis as a self-contained HTML page.
pub fn render_html(a: &Analysis, text: &str) -> String {
    let mut h = String::new();
    let title = a.document.title.as_deref().unwrap_or(&a.document.id);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} — lede</title><style>{CSS}</style></head><body>",
        escape(title)
    );
    let _ = write!(
        h,
        "<h1>{}</h1><p class=\"meta\">{} sentences · {} entities · {} relations · {} quotes · schema {}</p>",
        escape(title),
        a.sentences.len(),
        a.entities.len(),
        a.relations.len(),
        a.quotes.len(),
        escape(&a.schema_version)
    );
    if let Some(s) = &a.summary {
        let _ = write!(
            h,
            "<h2>Summary <span class=\"badge\">{}</span></h2><div class=\"summary\">{}</div>",
            escape(&s.method),
            escape(&s.text)
        );
    }
    h.push_str("<div class=\"grid\"><div><h2>Article</h2><div class=\"legend meta\">");
    for (cls, name) in [
        ("per", "person"),
        ("org", "organisation"),
        ("loc", "place"),
        ("misc", "other name"),
        ("other", "date, number"),
    ] {
        let _ = write!(h, "<span><mark class=\"{cls}\">{name}</mark></span>");
    }
    h.push_str("<span><span class=\"quote\">quoted words</span></span>");
    h.push_str("<span><span class=\"reported\">reported speech</span></span>");
    h.push_str("</div><div class=\"article\">");
    h.push_str(&article_html(a, text));
    h.push_str("</div></div><div><h2>Entities</h2><table><tr><th>entity</th><th>type</th><th>mentions</th><th>said</th></tr>");
    let mut ents: Vec<_> = a.entities.iter().collect();
    ents.sort_by(|x, y| {
        y.mentions
            .len()
            .cmp(&x.mentions.len())
            .then(x.id.cmp(&y.id))
    });
    for e in ents {
        let said: Vec<&lede_core::Quote> = a
            .quotes
            .iter()
            .filter(|q| q.speaker_entity.as_deref() == Some(e.id.as_str()))
            .collect();
        let _ = write!(
            h,
            "<tr id=\"{id}\"><td>{name}</td><td><span class=\"badge {cls}\">{label}</span></td><td>{n}</td><td>{said}</td></tr>",
            id = escape(&e.id),
            name = escape(&e.name),
            cls = type_class(&e.label),
            label = escape(&e.label),
            n = e.mentions.len(),
            said = quotes_html(&said)
        );
    }
    let unnamed: Vec<&lede_core::Quote> = a
        .quotes
        .iter()
        .filter(|q| q.speaker_entity.is_none())
        .collect();
    if !unnamed.is_empty() {
        let _ = write!(
            h,
            "<tr><td colspan=\"3\"><i>speaker not named</i></td><td>{}</td></tr>",
            quotes_html(&unnamed)
        );
    }
    h.push_str("</table></div></div>");
    if !a.relations.is_empty() {
        h.push_str("<h2>Relations</h2>");
        h.push_str(&graph_svg(a));
        h.push_str("<table><tr><th>#</th><th>head</th><th>relation</th><th>tail</th><th>score</th><th>evidence</th></tr>");
        for (i, r) in a.relations.iter().enumerate() {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td><b>{}</b></td><td>{}</td><td>{:.2}</td><td>{}</td></tr>",
                i + 1,
                escape(&r.head_name),
                escape(&r.label),
                escape(&r.tail_name),
                r.score,
                evidence_html(a, r)
            );
        }
        h.push_str("</table>");
    }
    h.push_str("<p class=\"meta\">Generated by lede ");
    h.push_str(env!("CARGO_PKG_VERSION"));
    h.push_str(".</p></body></html>\n");
    h
}

/// One highlighted stretch of the article: a mention (`<mark>`) or a quote (`<span>`).
struct Highlight {
    start: usize,
    end: usize,
    open: String,
    close: &'static str,
}

/// The article as paragraphs with `<mark>`s around mentions (hover: canonical entity + score)
/// inside `<span>`s around quotes (hover: speaker). Highlights nest; one that would cross
/// another is left out.
fn article_html(a: &Analysis, text: &str) -> String {
    let mut spans: Vec<Highlight> = Vec::new();
    for q in &a.quotes {
        let who = q.speaker_name.as_deref().unwrap_or("speaker not named");
        let cls = match q.kind {
            lede_core::QuoteKind::Direct => "quote",
            lede_core::QuoteKind::Indirect => "reported",
        };
        spans.push(Highlight {
            start: q.span.start,
            end: q.span.end,
            open: format!(
                "<span class=\"{cls}\" title=\"{kind} quote · {who}\">",
                kind = q.kind.as_str(),
                who = escape(who)
            ),
            close: "</span>",
        });
    }
    for e in &a.entities {
        for m in &e.mentions {
            spans.push(Highlight {
                start: m.span.start,
                end: m.span.end,
                open: format!(
                    "<mark class=\"{cls}\" title=\"{name} ({id}) · {label} · {score:.2}\">",
                    cls = type_class(&m.label),
                    name = escape(&e.name),
                    id = escape(&e.id),
                    label = escape(&m.label),
                    score = m.score
                ),
                close: "</mark>",
            });
        }
    }
    // Outer first: by start, longer first.
    spans.sort_by(|x, y| x.start.cmp(&y.start).then(y.end.cmp(&x.end)));
    let mut out = String::from("<p>");
    let mut pos = 0usize;
    let push_text = |out: &mut String, piece: &str| {
        let mut first = true;
        for para in piece.split('\n') {
            if !first {
                out.push_str("</p><p>");
            }
            first = false;
            out.push_str(&escape(para));
        }
    };
    let mut open: Vec<&Highlight> = Vec::new();
    for h in &spans {
        if h.end > text.len() || h.start < pos || text.get(h.start..h.end).is_none() {
            continue;
        }
        // Close what ends before this one starts.
        while let Some(top) = open.last() {
            if top.end > h.start {
                break;
            }
            push_text(&mut out, &text[pos..top.end]);
            out.push_str(top.close);
            pos = top.end;
            open.pop();
        }
        if open.last().is_some_and(|top| h.end > top.end) {
            continue; // would cross the enclosing highlight
        }
        push_text(&mut out, &text[pos..h.start]);
        out.push_str(&h.open);
        pos = h.start;
        open.push(h);
    }
    while let Some(top) = open.pop() {
        push_text(&mut out, &text[pos..top.end]);
        out.push_str(top.close);
        pos = top.end;
    }
    if let Some(rest) = text.get(pos..) {
        push_text(&mut out, rest);
    }
    out.push_str("</p>");
    out
}

/// The quotes of one speaker as a list (quoted words, or reported speech in italics).
fn quotes_html(quotes: &[&lede_core::Quote]) -> String {
    if quotes.is_empty() {
        return String::new();
    }
    let mut h = String::from("<ul class=\"quotes\">");
    for q in quotes {
        let short: String = q.text.chars().take(160).collect();
        let more = if q.text.chars().count() > 160 {
            "…"
        } else {
            ""
        };
        let cue = q
            .cue
            .as_ref()
            .map(|c| format!(" <span class=\"meta\">({})</span>", escape(&c.text)))
            .unwrap_or_default();
        match q.kind {
            lede_core::QuoteKind::Direct => {
                let _ = write!(h, "<li>“{}{more}”{cue}</li>", escape(&short));
            }
            lede_core::QuoteKind::Indirect => {
                let _ = write!(h, "<li><i>{}{more}</i>{cue}</li>", escape(&short));
            }
        }
    }
    h.push_str("</ul>");
    h
}

/// The evidence sentence of a relation with the head's mentions and the tail's mentions (or
/// the value) inside it marked.
fn evidence_html(a: &Analysis, r: &lede_core::Relation) -> String {
    let ev = &r.evidence;
    let mut marks: Vec<(usize, usize, &str)> = Vec::new();
    for (id, class) in [(&r.head, "head"), (&r.tail, "tail")] {
        if let Some(e) = a.entities.iter().find(|e| !id.is_empty() && &e.id == id) {
            for m in &e.mentions {
                // A reversed span (never made by lede, possible in hand-edited JSON) is
                // skipped, not subtracted.
                if m.span.start >= ev.span.start
                    && m.span.start <= m.span.end
                    && m.span.end <= ev.span.end
                {
                    marks.push((
                        m.span.start - ev.span.start,
                        m.span.end - ev.span.start,
                        class,
                    ));
                }
            }
        }
    }
    if r.tail.is_empty() && !r.tail_name.is_empty() {
        if let Some(at) = ev.text.find(r.tail_name.as_str()) {
            marks.push((at, at + r.tail_name.len(), "tail"));
        }
    }
    marks.sort_unstable();
    let mut out = String::new();
    let mut pos = 0usize;
    for (s, e, class) in marks {
        let (Some(before), Some(inner)) = (ev.text.get(pos..s), ev.text.get(s..e)) else {
            continue;
        };
        if s < pos {
            continue;
        }
        out.push_str(&escape(before));
        let _ = write!(out, "<mark class=\"{class}\">{}</mark>", escape(inner));
        pos = e;
    }
    out.push_str(&escape(ev.text.get(pos..).unwrap_or("")));
    out
}

/// An axis-aligned box in the graph, for keeping labels apart.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Bounds {
    /// The box of a line of text of `chars` characters anchored at `(x, y)` (baseline).
    fn text(x: f64, y: f64, chars: usize, anchor: &str) -> Bounds {
        let w = 6.4 * chars as f64 + 4.0;
        let x0 = match anchor {
            "end" => x - w,
            "middle" => x - w / 2.0,
            _ => x,
        };
        Bounds {
            x0,
            y0: y - 11.0,
            x1: x0 + w,
            y1: y + 3.0,
        }
    }

    fn overlaps(&self, o: &Bounds) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }

    fn inside(&self, w: f64, h: f64) -> bool {
        self.x0 >= 0.0 && self.y0 >= 0.0 && self.x1 <= w && self.y1 <= h
    }
}

/// The first of `tries` (baseline points of a label `chars` wide, centred) whose box is free of
/// `taken` and inside the canvas; the first try when none is.
fn free_spot(
    tries: impl IntoIterator<Item = (f64, f64)>,
    chars: usize,
    anchor: &str,
    taken: &[Bounds],
    (w, h): (f64, f64),
) -> Option<(f64, f64, Bounds)> {
    let mut first = None;
    for (x, y) in tries {
        let b = Bounds::text(x, y, chars, anchor);
        if first.is_none() {
            first = Some((x, y, b));
        }
        if b.inside(w, h) && !taken.iter().any(|t| t.overlaps(&b)) {
            return Some((x, y, b));
        }
    }
    first
}

/// Points spiralling out from `(x, y)`.
fn spiral(x: f64, y: f64) -> impl Iterator<Item = (f64, f64)> {
    (0..400).map(move |k| {
        let r = 6.0 * (k as f64).sqrt() * 2.0;
        let t = k as f64 * 2.4;
        (x + r * t.cos(), y + r * t.sin())
    })
}

/// The relation graph: entities that take part in a relation on an ellipse, arrows for
/// relations, labelled. Plain SVG, laid out here (no browser-side code). Node names and edge
/// labels are placed so that no two overlap: a name moves along its node's side, an edge label
/// along its edge, then outwards from the edge's middle, until its box is free; edge labels
/// carry the relation's row number in the table.
fn graph_svg(a: &Analysis) -> String {
    let mut nodes: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    // Relations to a literal value (age, sentence length) have no tail entity: they are in
    // the table, not the graph.
    let edges: Vec<(usize, &lede_core::Relation)> = a
        .relations
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.tail.is_empty())
        .collect();
    for (_, r) in &edges {
        let label_of = |id: &str| {
            a.entities
                .iter()
                .find(|e| e.id == id)
                .map_or("", |e| e.label.as_str())
        };
        nodes.insert(&r.head, (&r.head_name, label_of(&r.head)));
        nodes.insert(&r.tail, (&r.tail_name, label_of(&r.tail)));
    }
    let n = nodes.len().max(1);
    let w = 1000.0f64;
    let hgt = (420.0 + 14.0 * n as f64).min(900.0);
    let (cx, cy) = (w / 2.0, hgt / 2.0);
    let (rx, ry) = (w / 2.0 - 190.0, hgt / 2.0 - 40.0);
    let pos: BTreeMap<&str, (f64, f64)> = nodes
        .keys()
        .enumerate()
        .map(|(i, id)| {
            let t = std::f64::consts::TAU * i as f64 / n as f64 - std::f64::consts::FRAC_PI_2;
            (*id, (cx + rx * t.cos(), cy + ry * t.sin()))
        })
        .collect();
    let mut taken: Vec<Bounds> = Vec::new();
    // Node circles first, then their names, then the edge labels.
    for &(x, y) in pos.values() {
        taken.push(Bounds {
            x0: x - 9.0,
            y0: y - 9.0,
            x1: x + 9.0,
            y1: y + 9.0,
        });
    }
    let mut names = String::new();
    for (id, (name, label)) in &nodes {
        let Some(&(x, y)) = pos.get(id) else { continue };
        let fill = match type_class(label) {
            "per" => "#ffb74d",
            "org" => "#81c784",
            "loc" => "#64b5f6",
            "misc" => "#ba68c8",
            _ => "#bdbdbd",
        };
        let anchor = if x < cx - 1.0 {
            "end"
        } else if x > cx + 1.0 {
            "start"
        } else {
            "middle"
        };
        let tx = match anchor {
            "end" => x - 12.0,
            "start" => x + 12.0,
            _ => x,
        };
        let chars = name.chars().count();
        let tries = [0.0, -14.0, 14.0, -28.0, 28.0, -42.0, 42.0]
            .into_iter()
            .map(|dy| (tx, y + 4.0 + dy))
            .chain(spiral(tx, y + 4.0));
        let Some((lx, ly, b)) = free_spot(tries, chars, anchor, &taken, (w, hgt)) else {
            continue;
        };
        taken.push(b);
        let _ = write!(
            names,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"8\" fill=\"{fill}\" stroke=\"#fff\"/>\
             <text x=\"{lx:.1}\" y=\"{ly:.1}\" text-anchor=\"{anchor}\">{}</text>",
            escape(name)
        );
    }
    let mut lines = String::new();
    let mut labels = String::new();
    for (i, r) in &edges {
        let (Some(&(x1, y1)), Some(&(x2, y2))) =
            (pos.get(r.head.as_str()), pos.get(r.tail.as_str()))
        else {
            continue;
        };
        // Stop the arrow short of the node circle.
        let (dx, dy) = (x2 - x1, y2 - y1);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ex, ey) = (x2 - dx / len * 9.0, y2 - dy / len * 9.0);
        let _ = write!(
            lines,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{ex:.1}\" y2=\"{ey:.1}\" stroke=\"#90a4ae\" stroke-width=\"1.4\" marker-end=\"url(#arrow)\"><title>{} {} {}</title></line>",
            escape(&r.head_name),
            escape(&r.label),
            escape(&r.tail_name),
        );
        let text = format!("{} {}", i + 1, r.label);
        let chars = text.chars().count();
        let along = [0.5, 0.4, 0.6, 0.33, 0.67, 0.25, 0.75]
            .into_iter()
            .map(|t| (x1 + dx * t, y1 + dy * t + 4.0));
        let (mx, my) = (x1 + dx / 2.0, y1 + dy / 2.0 + 4.0);
        let Some((lx, ly, b)) = free_spot(
            along.chain(spiral(mx, my)),
            chars,
            "middle",
            &taken,
            (w, hgt),
        ) else {
            continue;
        };
        taken.push(b);
        let _ = write!(
            labels,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"3\" fill=\"#fdfdfb\" fill-opacity=\"0.9\"/>\
             <text x=\"{lx:.1}\" y=\"{ly:.1}\" fill=\"#37474f\" text-anchor=\"middle\">{}</text>",
            b.x0,
            b.y0,
            b.x1 - b.x0,
            b.y1 - b.y0,
            escape(&text)
        );
    }
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {hgt}\" width=\"100%\" role=\"img\" aria-label=\"relation graph\">\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">\
         <path d=\"M0,0 L10,5 L0,10 z\" fill=\"#78909c\"/></marker></defs>"
    );
    s.push_str(&lines);
    s.push_str(&labels);
    s.push_str(&names);
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use lede_core::{Document, Entity, Evidence, Mention, OffsetMap, Relation};

    #[test]
    fn report_is_escaped_and_self_contained() {
        let text = "Alice <b> met Bob & Co.\nBob left.";
        let doc = Document::new("d<1>", text);
        let m = OffsetMap::new(text);
        let mut a = Analysis::empty(&doc);
        let mention = |s: usize, e: usize, l: &str| Mention {
            text: text[s..e].to_string(),
            label: l.to_string(),
            score: 0.9,
            span: m.span(s, e).unwrap(),
        };
        a.entities = vec![
            Entity {
                id: "E1".into(),
                name: "Alice".into(),
                label: "PERSON".into(),
                mentions: vec![mention(0, 5, "PERSON")],
            },
            Entity {
                id: "E2".into(),
                name: "Bob".into(),
                label: "PERSON".into(),
                mentions: vec![mention(14, 17, "PERSON"), mention(24, 27, "PERSON")],
            },
        ];
        a.relations = vec![Relation {
            head: "E1".into(),
            tail: "E2".into(),
            head_name: "Alice".into(),
            tail_name: "Bob".into(),
            label: "met_with".into(),
            score: 0.8,
            evidence: Evidence {
                span: m.span(0, 23).unwrap(),
                text: text[..23].into(),
            },
        }];
        let html = render_html(&a, text);
        assert!(html.contains("d&lt;1&gt;"));
        assert!(html.contains("&lt;b&gt;"));
        assert!(!html.contains("<b> met"));
        // Three mentions (the legend has one more, untitled).
        assert_eq!(html.matches("<mark class=\"per\" title=").count(), 3);
        assert!(html.contains("<svg"));
        assert!(html.contains("met_with"));
        // Self-contained: the SVG namespace is the only URL, nothing is fetched.
        assert_eq!(html.matches("http").count(), 1);
        assert!(!html.contains("src=") && !html.contains("href="));
        assert!(!html.contains("<script"));
        assert!(html.contains("</p><p>"));
    }

    /// The numbers of every `<rect x=.. y=.. width=.. height=..>` of an SVG string.
    fn rects(svg: &str) -> Vec<Bounds> {
        let num = |s: &str, key: &str| -> f64 {
            let at = s.find(key).unwrap() + key.len();
            let rest = &s[at..];
            rest[..rest.find('"').unwrap()].parse().unwrap()
        };
        svg.split("<rect ")
            .skip(1)
            .map(|r| {
                let (x, y) = (num(r, "x=\""), num(r, "y=\""));
                Bounds {
                    x0: x,
                    y0: y,
                    x1: x + num(r, "width=\""),
                    y1: y + num(r, "height=\""),
                }
            })
            .collect()
    }

    #[test]
    fn graph_labels_do_not_overlap_and_evidence_marks_both_sides() {
        // Ten entities, every one related to the next three: crossing edges, shared pairs.
        let names: Vec<String> = (0..10).map(|i| format!("Entity number {i}")).collect();
        let text = names.join(" and ") + ".";
        let doc = Document::new("g", text.as_str());
        let m = OffsetMap::new(&text);
        let mut a = Analysis::empty(&doc);
        let mut at = 0;
        for (i, n) in names.iter().enumerate() {
            let start = text[at..].find(n.as_str()).unwrap() + at;
            at = start + n.len();
            a.entities.push(Entity {
                id: format!("E{i}"),
                name: n.clone(),
                label: if i % 2 == 0 { "PERSON" } else { "ORG" }.into(),
                mentions: vec![Mention {
                    text: n.clone(),
                    label: "PERSON".into(),
                    score: 1.0,
                    span: m.span(start, at).unwrap(),
                }],
            });
        }
        for i in 0..10 {
            for d in 1..=3 {
                let j = (i + d) % 10;
                for label in ["negotiated_with", "met_with"] {
                    a.relations.push(Relation {
                        head: format!("E{i}"),
                        tail: format!("E{j}"),
                        head_name: names[i].clone(),
                        tail_name: names[j].clone(),
                        label: label.into(),
                        score: 0.9,
                        evidence: Evidence {
                            span: m.span(0, text.len()).unwrap(),
                            text: text.clone(),
                        },
                    });
                }
            }
        }
        let svg = graph_svg(&a);
        let boxes = rects(&svg);
        assert_eq!(boxes.len(), 60, "one label per relation");
        for (i, b) in boxes.iter().enumerate() {
            for c in &boxes[i + 1..] {
                assert!(!b.overlaps(c), "labels overlap: {b:?} {c:?}");
            }
        }
        let ev = evidence_html(&a, &a.relations[0]);
        assert!(ev.contains("<mark class=\"head\">Entity number 0</mark>"));
        assert!(ev.contains("<mark class=\"tail\">Entity number 1</mark>"));
    }

    #[test]
    fn quotes_nest_around_mentions_and_are_grouped_under_their_speaker() {
        use lede_core::{Phrase, Quote, QuoteKind};
        let text = "\"Bob & I won,\" Alice said. A man said it rained.";
        let doc = Document::new("d", text);
        let m = OffsetMap::new(text);
        let mut a = Analysis::empty(&doc);
        let mention = |s: usize, e: usize| Mention {
            text: text[s..e].to_string(),
            label: "PERSON".into(),
            score: 0.9,
            span: m.span(s, e).unwrap(),
        };
        a.entities = vec![
            Entity {
                id: "E1".into(),
                name: "Bob".into(),
                label: "PERSON".into(),
                mentions: vec![mention(1, 4)],
            },
            Entity {
                id: "E2".into(),
                name: "Alice".into(),
                label: "PERSON".into(),
                mentions: vec![mention(15, 20)],
            },
        ];
        let quote = |s: usize, e: usize, kind, speaker: Option<&str>| Quote {
            span: m.span(s, e).unwrap(),
            text: text[s..e].to_string(),
            kind,
            cue: None,
            speaker: speaker.map(|_| Phrase {
                span: m.span(15, 20).unwrap(),
                text: "Alice".into(),
            }),
            speaker_entity: speaker.map(|_| "E2".to_string()),
            speaker_name: speaker.map(str::to_string),
            score: 0.9,
        };
        let reported = text.find("it rained").unwrap();
        a.quotes = vec![
            quote(1, 13, QuoteKind::Direct, Some("Alice")),
            quote(reported, reported + 9, QuoteKind::Indirect, None),
        ];
        let html = render_html(&a, text);
        let article = html.split("class=\"article\">").nth(1).unwrap();
        let q = article.find("<span class=\"quote\"").unwrap();
        let bob = article.find("<mark class=\"per\" title=\"Bob").unwrap();
        let end = article.find("</span>").unwrap();
        assert!(
            q < bob && bob < end,
            "the mention sits inside the quote: {article}"
        );
        assert!(article.contains("Bob</mark> &amp; I won,</span>"));
        assert!(article.contains("<span class=\"reported\""));
        // Alice's row lists her quote; the unnamed speaker's quote has its own row.
        let alice_row = html.split("<tr id=\"E2\">").nth(1).unwrap();
        let alice_row = &alice_row[..alice_row.find("</tr>").unwrap()];
        assert!(alice_row.contains("Bob &amp; I won,"), "{alice_row}");
        assert!(html.contains("<i>speaker not named</i>"));
    }
}
