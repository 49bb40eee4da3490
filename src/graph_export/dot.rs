//! The graph as Graphviz DOT: `practrace graph | dot -Tsvg > graph.svg`.
//!
//! Every id and every label is a double-quoted DOT string, escaped by [`quoted`]: a path or
//! subject from the repository can hold quotes, backslashes, braces, newlines and control
//! characters and still never end the string, start an escape sequence of Graphviz's
//! (`\N`, `\l`), or become an entity in the SVG that Graphviz writes (`&#27;` would put a
//! raw control character into the XML). Nodes and edges carry a `class` (their kind, or
//! `gap` / `not-applicable`), which Graphviz copies into SVG output.

use std::fmt::Write as _;

use super::{EdgeKind, Graph, visible};

/// The graph as DOT, one statement per line, in the graph's order.
pub fn render(graph: &Graph) -> String {
    let mut out = String::new();
    out.push_str("digraph practrace {\n");
    let _ = writeln!(
        out,
        "  graph [rankdir=LR, labelloc=t, fontname=\"Helvetica\", label={}];",
        quoted(&super::caption(graph))
    );
    out.push_str(
        "  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\"];\n",
    );
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n");
    for node in &graph.nodes {
        let class = node.class();
        let _ = writeln!(
            out,
            "  {} [label={}, class={}, {}];",
            quoted(&node.id),
            label(&node.lines(true)),
            quoted(class),
            node_style(class)
        );
    }
    for edge in &graph.edges {
        let _ = writeln!(
            out,
            "  {} -> {} [class={}, {}];",
            quoted(&edge.from),
            quoted(&edge.to),
            quoted(edge.kind.name()),
            edge_style(edge.kind)
        );
    }
    out.push_str("}\n");
    out
}

/// How a node of a class is drawn.
fn node_style(class: &str) -> &'static str {
    match class {
        "process-area" => {
            "shape=tab, style=filled, fillcolor=\"#dce6f4\", color=\"#34568b\", fontsize=11"
        }
        "gap" => "style=\"rounded,dashed\", color=\"#cc0000\", fontcolor=\"#cc0000\", penwidth=1.5",
        "not-applicable" => "style=\"rounded,dotted\", color=\"#888888\", fontcolor=\"#888888\"",
        "file" => "shape=note, style=filled, fillcolor=\"#fff6d5\", color=\"#8a6d00\"",
        "commit" => "shape=ellipse, style=filled, fillcolor=\"#f1e4f5\", color=\"#6a1b9a\"",
        _ => "fillcolor=\"#e6f4e7\", color=\"#2e7d32\"",
    }
}

/// How an edge of a kind is drawn.
fn edge_style(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Has => "color=\"#9e9e9e\"",
        EdgeKind::Evidences => "color=\"#2e7d32\", penwidth=1.2",
        EdgeKind::Touched => "color=\"#6a1b9a\", style=dashed",
    }
}

/// `text` as a double-quoted DOT string whose label shows exactly `text` (see [`escaped`]).
pub fn quoted(text: &str) -> String {
    format!("\"{}\"", escaped(text))
}

/// Lines as one double-quoted DOT label, each line [`escaped`], joined by DOT's centred
/// line break `\n` (a newline inside a line is shown as `\u{a}`, never as a break).
pub fn label(lines: &[String]) -> String {
    let lines: Vec<String> = lines.iter().map(|l| escaped(l)).collect();
    format!("\"{}\"", lines.join("\\n"))
}

/// `text` for the inside of a double-quoted DOT string: control characters made visible
/// (`\u{1b}`), `\` and `"` escaped, `&` written `&amp;`.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in visible(text).chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{label, quoted};

    #[test]
    fn quoting_keeps_every_character_inside_the_string() {
        assert_eq!(quoted("a\"b"), r#""a\"b""#);
        assert_eq!(quoted("a\\"), r#""a\\""#);
        assert_eq!(quoted("\\N \\l"), r#""\\N \\l""#);
        assert_eq!(quoted("x &#27; y"), r#""x &amp;#27; y""#);
        assert_eq!(quoted("one\ntwo"), r#""one\\u{a}two""#);
        assert_eq!(
            label(&["one".into(), "two\nthree".into()]),
            r#""one\ntwo\\u{a}three""#
        );
        assert_eq!(quoted("esc\u{1b}[2J"), r#""esc\\u{1b}[2J""#);
        assert_eq!(quoted("cr\r"), r#""cr\\u{d}""#);
    }
}
