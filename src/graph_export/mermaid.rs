//! The graph as a Mermaid flowchart (GitHub and GitLab render it in a ```` ```mermaid ````
//! block; `mmdc` from `@mermaid-js/mermaid-cli` makes an SVG of it).
//!
//! Each process area is a subgraph holding its practices: the `has` edges are drawn as
//! that containment, which also keeps the overview (hundreds of practices) under Mermaid's
//! default limit of 500 edges. Files and commits stand outside; `-->` is `evidences`,
//! `-.->` is `touched`. Practices are drawn with the `default` class; the others have
//! classes `area`, `gap`, `na` (not applicable), `file` and `commit`. The overview leaves
//! practice titles out (the JSON and DOT outputs have them), to stay small.
//!
//! Every label (and the caption in the first line's comment) is written by [`escaped`]: apart from
//! letters, digits, space and `.,:/_-@+()`, every character is written as Mermaid's entity
//! code `#<decimal>;`, so that no quote, bracket, `<`, backtick, `%%` or `#` from the
//! repository can end the string, open HTML or markdown, or start a comment or a
//! directive; control characters are first made visible (`\u{a}`).

use std::fmt::Write as _;

use super::{EdgeKind, Graph, Node, NodeData, visible};

/// Mermaid's default `maxEdges`: a diagram with more is refused.
pub const MAX_EDGES: usize = 500;
/// Mermaid's default `maxTextSize` (characters): a longer diagram is not drawn.
pub const MAX_TEXT: usize = 50_000;

/// The graph as a Mermaid flowchart.
pub fn render(graph: &Graph) -> String {
    let titles = graph.expanded;
    let mut out = String::new();
    // Escaped like a label: Mermaid looks for `%%{init: …}%%` directives anywhere in the
    // text, comments included, and the model's id can come from the repository.
    let _ = writeln!(
        out,
        "%% practrace graph: {}",
        escaped(&super::caption(graph))
    );
    out.push_str("flowchart LR\n");
    out.push_str(concat!(
        "  classDef default fill:#e6f4e7,stroke:#2e7d32,color:#1b1b1b\n",
        "  classDef area fill:#eef3fa,stroke:#34568b,color:#1a2b45\n",
        "  classDef gap fill:#ffffff,stroke:#cc0000,stroke-width:2px,stroke-dasharray:5 5,color:#cc0000\n",
        "  classDef na fill:#f5f5f5,stroke:#888888,stroke-dasharray:2 2,color:#777777\n",
        "  classDef file fill:#fff6d5,stroke:#8a6d00,color:#1b1b1b\n",
        "  classDef commit fill:#f1e4f5,stroke:#6a1b9a,color:#1b1b1b\n",
    ));
    let mut areas = Vec::new();
    let mut open = false;
    for node in &graph.nodes {
        match &node.data {
            NodeData::ProcessArea { .. } => {
                if open {
                    out.push_str("  end\n");
                }
                let _ = writeln!(out, "  subgraph {}[\"{}\"]", node.id, label(node, titles));
                areas.push(node.id.as_str());
                open = true;
            }
            NodeData::Practice { .. } => {
                let class = match node.class() {
                    "gap" => ":::gap",
                    "not-applicable" => ":::na",
                    _ => "",
                };
                let _ = writeln!(out, "    {}[\"{}\"]{class}", node.id, label(node, titles));
            }
            NodeData::File { .. } | NodeData::Commit { .. } => {
                if open {
                    out.push_str("  end\n");
                    open = false;
                }
                let (left, right, class) = match node.data {
                    NodeData::File { .. } => ("[/\"", "\"/]", "file"),
                    _ => ("([\"", "\"])", "commit"),
                };
                let text = label(node, titles);
                let _ = writeln!(out, "  {}{left}{text}{right}:::{class}", node.id);
            }
        }
    }
    if open {
        out.push_str("  end\n");
    }
    for edge in graph.edges.iter().filter(|e| e.kind != EdgeKind::Has) {
        let arrow = if edge.kind == EdgeKind::Touched {
            "-.->"
        } else {
            "-->"
        };
        let _ = writeln!(out, "  {} {arrow} {}", edge.from, edge.to);
    }
    if !areas.is_empty() {
        let _ = writeln!(out, "  class {} area", areas.join(","));
    }
    out
}

/// What goes past Mermaid's default limits, if anything: a note for the user.
pub fn over_limits(graph: &Graph, text: &str) -> Option<String> {
    let edges = graph
        .edges
        .iter()
        .filter(|e| e.kind != EdgeKind::Has)
        .count();
    let chars = text.chars().count();
    let mut over = Vec::new();
    if edges > MAX_EDGES {
        over.push(format!("{edges} edges (maxEdges: {MAX_EDGES})"));
    }
    if chars > MAX_TEXT {
        over.push(format!("{chars} characters (maxTextSize: {MAX_TEXT})"));
    }
    if over.is_empty() {
        return None;
    }
    Some(format!(
        "the Mermaid graph has {}, over Mermaid's default limits: it will not be drawn unless the renderer's configuration raises them; narrow it with --pa, --practice or --path, or use --format dot",
        over.join(" and ")
    ))
}

/// A node's lines, each [`escaped`], joined by `<br>`.
fn label(node: &Node, titles: bool) -> String {
    let lines: Vec<String> = node.lines(titles).iter().map(|l| escaped(l)).collect();
    lines.join("<br>")
}

/// `text` for the inside of a double-quoted Mermaid string: letters, digits, space and
/// `.,:/_-@+()` as they are, control characters made visible (`\u{1b}`), every other
/// character as the entity code `#<decimal>;` that Mermaid turns back into it.
pub fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in visible(text).chars() {
        if c.is_alphanumeric() || " .,:/_-@+()".contains(c) {
            out.push(c);
        } else {
            let _ = write!(out, "#{};", u32::from(c));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escaped;

    #[test]
    fn escaping_leaves_nothing_mermaid_reads_as_syntax() {
        assert_eq!(escaped("docs/a.md"), "docs/a.md");
        assert_eq!(escaped("a\"]b"), "a#34;#93;b");
        assert_eq!(escaped("<script>"), "#60;script#62;");
        assert_eq!(escaped("#60;"), "#35;60#59;");
        assert_eq!(escaped("%%{init}"), "#37;#37;#123;init#125;");
        assert_eq!(escaped("`md`"), "#96;md#96;");
        assert_eq!(escaped("one\ntwo"), "one#92;u#123;a#125;two");
        assert_eq!(escaped("é日"), "é日");
    }
}
