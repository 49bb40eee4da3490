//! `practrace graph` (issue 14, part 1) on fixture repositories: the JSON graph holds exactly
//! the report's evidence (`status --format json`) for what it shows, and DOT and Mermaid
//! stay well-formed whatever the repository's names (`hostile-names`, `graph-names`): each
//! output is read back by a small parser of the subset practrace writes, its nodes and
//! edges compared with the JSON graph's, and its labels decoded back to the names. Where
//! Graphviz's `dot` is installed, it must render the DOT too (`scripts/graph-check.sh`
//! also runs Mermaid's own parser).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

fn run(repo: &Path, args: &[&str]) -> String {
    let out = common::practrace_in(repo, args);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "practrace {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn graph_json(repo: &Path, filter: &[&str]) -> Value {
    let mut args = vec!["graph", "--format", "json"];
    args.extend_from_slice(filter);
    serde_json::from_str(&run(repo, &args)).expect("JSON graph")
}

fn of_kind<'a>(items: &'a Value, kind: &str) -> Vec<&'a Value> {
    items
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == kind)
        .collect()
}

/// The (evidence, practice) pairs of a graph's `evidences` edges: a file's path or a
/// commit's id, and the practice id.
fn evidence_pairs(graph: &Value) -> Vec<(String, String)> {
    let nodes: BTreeMap<&str, &Value> = graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    let mut pairs: Vec<(String, String)> = of_kind(&graph["edges"], "evidences")
        .into_iter()
        .map(|e| {
            let from = nodes[e["from"].as_str().unwrap()];
            let to = nodes[e["to"].as_str().unwrap()];
            let what = from["path"].as_str().or(from["commit"].as_str()).unwrap();
            (
                what.to_string(),
                to["practice"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    pairs.sort();
    pairs
}

/// Which practices of a report a filter selects.
type Wanted = dyn Fn(&Value) -> bool;

/// The same pairs from the report, for the practices `wanted` selects.
fn report_pairs(report: &Value, wanted: &Wanted) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for p in report["practices"].as_array().unwrap() {
        if !wanted(p) {
            continue;
        }
        for e in p["evidence"].as_array().unwrap() {
            let what = e["path"].as_str().or(e["commit"].as_str()).unwrap();
            pairs.push((what.to_string(), p["id"].as_str().unwrap().to_string()));
        }
    }
    pairs.sort();
    pairs
}

/// Pins the promise of issue 14: filtered by area or practice, the graph's `evidences`
/// edges are the report's evidence entries of those practices, one for one, and its file
/// and commit nodes are the distinct files and commits among them.
#[test]
fn filtered_graph_holds_the_reports_evidence() {
    let repo = common::fixture_repo("basic");
    let report: Value =
        serde_json::from_str(&run(repo.path(), &["status", "--format", "json"])).unwrap();
    let cases: [(&[&str], &Wanted); 4] = [
        (&["--pa", "PA05"], &|p| p["process_area"] == "PA05"),
        (&["--pa", "pa1", "--pa", "PA05"], &|p| {
            p["process_area"] == "PA01" || p["process_area"] == "PA05"
        }),
        (
            &["--practice", "bp.5.1", "--practice", "GP.2.1.2@PA05"],
            &|p| p["id"] == "BP.05.01" || p["id"] == "GP.2.1.2@PA05",
        ),
        // Areas and practices add up.
        (&["--pa", "PA01", "--practice", "BP.05.04"], &|p| {
            p["process_area"] == "PA01" || p["id"] == "BP.05.04"
        }),
    ];
    for (filter, wanted) in cases {
        let graph = graph_json(repo.path(), filter);
        let expected = report_pairs(&report, wanted);
        assert!(!expected.is_empty(), "{filter:?}: the fixture has evidence");
        assert_eq!(evidence_pairs(&graph), expected, "{filter:?}");
        let evidences = of_kind(&graph["edges"], "evidences").len();
        assert_eq!(evidences, expected.len(), "{filter:?}");
        let practices: Vec<&Value> = report["practices"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| wanted(p))
            .collect();
        let areas: BTreeSet<&str> = practices
            .iter()
            .map(|p| p["process_area"].as_str().unwrap())
            .collect();
        let files: BTreeSet<&str> = practices
            .iter()
            .flat_map(|p| p["evidence"].as_array().unwrap())
            .filter_map(|e| e["path"].as_str())
            .collect();
        let commits: BTreeSet<&str> = practices
            .iter()
            .flat_map(|p| p["evidence"].as_array().unwrap())
            .filter_map(|e| e["commit"].as_str())
            .collect();
        let count = |kind| of_kind(&graph["nodes"], kind).len();
        assert_eq!(count("process-area"), areas.len(), "{filter:?}");
        assert_eq!(count("practice"), practices.len(), "{filter:?}");
        assert_eq!(count("file"), files.len(), "{filter:?}");
        assert_eq!(count("commit"), commits.len(), "{filter:?}");
        assert_eq!(
            graph["nodes"].as_array().unwrap().len(),
            areas.len() + practices.len() + files.len() + commits.len()
        );
        assert_eq!(of_kind(&graph["edges"], "has").len(), practices.len());
    }
}

/// Pins the overview (no filter): every area and practice, no file or commit, and the
/// evidence counts on the practice nodes add up to the report's evidence entries; a gap
/// is a practice in scope without evidence.
#[test]
fn overview_counts_the_evidence_without_drawing_it() {
    let repo = common::fixture_repo("basic");
    let report: Value =
        serde_json::from_str(&run(repo.path(), &["status", "--format", "json"])).unwrap();
    let graph = graph_json(repo.path(), &[]);
    assert_eq!(graph["expanded"], false);
    let practices = report["practices"].as_array().unwrap();
    let areas = report["process_areas"].as_array().unwrap();
    assert_eq!(of_kind(&graph["nodes"], "practice").len(), practices.len());
    assert_eq!(of_kind(&graph["nodes"], "process-area").len(), areas.len());
    assert_eq!(
        graph["nodes"].as_array().unwrap().len(),
        practices.len() + areas.len()
    );
    assert_eq!(graph["edges"].as_array().unwrap().len(), practices.len());
    assert_eq!(of_kind(&graph["edges"], "has").len(), practices.len());
    let entries: usize = practices
        .iter()
        .map(|p| p["evidence"].as_array().unwrap().len())
        .sum();
    let practice_nodes = of_kind(&graph["nodes"], "practice");
    let counted: u64 = practice_nodes
        .iter()
        .map(|n| n["files"].as_u64().unwrap() + n["commits"].as_u64().unwrap())
        .sum();
    let by_area: u64 = of_kind(&graph["nodes"], "process-area")
        .iter()
        .map(|n| n["evidence"].as_u64().unwrap())
        .sum();
    assert!(entries > 0);
    assert_eq!(counted, entries as u64);
    assert_eq!(by_area, entries as u64);
    for (node, p) in practice_nodes.iter().zip(practices) {
        assert_eq!(node["practice"], p["id"]);
        let gap = p["in_scope"] == true && p["evidence"].as_array().unwrap().is_empty();
        assert_eq!(node["gap"], gap, "{}", p["id"]);
    }
}

/// Pins `--path`: only the evidence files it matches, the commits that touched one of
/// them (with `touched` edges), and the practices those are evidence for. In `basic`,
/// docs/plan.md evidences BP.05.03 and GP.2.1.6@PA05; the first commit added it and
/// evidences BP.05.04; the other evidence commit touched only docs/prose.md.
#[test]
fn path_filter_shows_matching_files_and_the_commits_that_touched_them() {
    let repo = common::fixture_repo("basic");
    let graph = graph_json(repo.path(), &["--path", "docs/plan.md"]);
    let labels = |kind| -> Vec<String> {
        of_kind(&graph["nodes"], kind)
            .iter()
            .map(|n| n["label"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(labels("file"), ["docs/plan.md"]);
    assert_eq!(labels("commit").len(), 1);
    assert!(labels("commit")[0].ends_with(" Add the assessment documents"));
    let practices: Vec<String> = of_kind(&graph["nodes"], "practice")
        .iter()
        .map(|n| n["practice"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(practices, ["BP.05.03", "BP.05.04", "GP.2.1.6@PA05"]);
    let touched = of_kind(&graph["edges"], "touched");
    assert_eq!(touched.len(), 1);
    assert!(touched[0]["from"].as_str().unwrap().starts_with("c_"));
    assert!(touched[0]["to"].as_str().unwrap().starts_with("f_"));
}

/// Pins the escaping of DOT and Mermaid against names built to break them: for each
/// output the parser below accepts it, finds the JSON graph's nodes and edges, and reads
/// every file and commit label back as the name it shows (control characters visible).
#[test]
fn hostile_names_keep_dot_and_mermaid_well_formed() {
    for fixture in ["graph-names", "hostile-names"] {
        let repo = common::fixture_repo(fixture);
        for filter in [&[][..], &["--path", "**"][..]] {
            let json = graph_json(repo.path(), filter);
            let mut args = vec!["graph"];
            args.extend_from_slice(filter);
            let dot = run(repo.path(), &args);
            check_dot(&dot, &json).unwrap_or_else(|e| panic!("{fixture} {filter:?}: DOT: {e}"));
            args.extend_from_slice(&["--format", "mermaid"]);
            let mermaid = run(repo.path(), &args);
            check_mermaid(&mermaid, &json)
                .unwrap_or_else(|e| panic!("{fixture} {filter:?}: Mermaid: {e}"));
            render_with_graphviz(&dot, &json);
        }
    }
}

/// What a picture must show for a label: the text with control characters visible.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// File and commit nodes of the JSON graph: id → label as shown.
fn expected_labels(json: &Value) -> BTreeMap<String, String> {
    json["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "file" || n["kind"] == "commit")
        .map(|n| {
            let id = n["id"].as_str().unwrap().to_string();
            (id, visible(n["label"].as_str().unwrap()))
        })
        .collect()
}

#[derive(Debug, PartialEq)]
enum Token {
    Str(String),
    Word(String),
    Punct(char),
    Arrow,
}

/// Tokens of DOT as practrace writes it; a quoted string is decoded (`\"`, `\\`, `\n`).
fn dot_tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\n' => {}
            '"' => {
                let mut s = String::new();
                loop {
                    match chars.next() {
                        None => return Err("unterminated string".into()),
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some('n') => s.push('\n'),
                            Some(e @ ('"' | '\\')) => s.push(e),
                            other => return Err(format!("escape \\{other:?} in a string")),
                        },
                        Some(c) if c.is_control() => {
                            return Err(format!("raw {c:?} in a string"));
                        }
                        Some(c) => s.push(c),
                    }
                }
                out.push(Token::Str(s.replace("&amp;", "&")));
            }
            '-' if chars.peek() == Some(&'>') => {
                chars.next();
                out.push(Token::Arrow);
            }
            '{' | '}' | '[' | ']' | '=' | ',' | ';' => out.push(Token::Punct(c)),
            c if c.is_ascii_alphanumeric() || c == '.' || c == '#' || c == '_' => {
                let mut w = c.to_string();
                while let Some(&n) = chars.peek() {
                    if !(n.is_ascii_alphanumeric() || n == '.' || n == '_') {
                        break;
                    }
                    w.push(n);
                    chars.next();
                }
                out.push(Token::Word(w));
            }
            c => return Err(format!("unexpected {c:?}")),
        }
    }
    Ok(out)
}

/// Parses `digraph practrace { stmt* }` and compares its nodes, edges and labels with the
/// JSON graph's.
fn check_dot(text: &str, json: &Value) -> Result<(), String> {
    let tokens = dot_tokens(text)?;
    let mut t = tokens.iter().peekable();
    let word = |t: Option<&Token>, w: &str| matches!(t, Some(Token::Word(x)) if x == w);
    let punct = |t: Option<&Token>, p: char| matches!(t, Some(Token::Punct(x)) if *x == p);
    if !word(t.next(), "digraph") || !word(t.next(), "practrace") || !punct(t.next(), '{') {
        return Err("no `digraph practrace {`".into());
    }
    let mut nodes = BTreeMap::new();
    let mut edges = 0;
    loop {
        let head = t.next();
        if punct(head, '}') {
            break;
        }
        let mut id = None;
        match head {
            Some(Token::Word(w)) if ["graph", "node", "edge"].contains(&w.as_str()) => {}
            Some(Token::Str(from)) if t.peek() == Some(&&Token::Arrow) => {
                t.next();
                let Some(Token::Str(_)) = t.next() else {
                    return Err(format!("edge from {from} has no target"));
                };
                edges += 1;
            }
            Some(Token::Str(node)) => id = Some(node.clone()),
            other => return Err(format!("statement starts with {other:?}")),
        }
        if !punct(t.next(), '[') {
            return Err("no attribute list".into());
        }
        loop {
            let Some(Token::Word(name)) = t.next() else {
                return Err("attribute name".into());
            };
            if !punct(t.next(), '=') {
                return Err(format!("no `=` after {name}"));
            }
            let value = match t.next() {
                Some(Token::Str(s) | Token::Word(s)) => s.clone(),
                other => return Err(format!("value of {name}: {other:?}")),
            };
            if name == "label"
                && let Some(id) = &id
            {
                nodes.insert(id.clone(), value);
            }
            match t.next() {
                Some(Token::Punct(',')) => {}
                Some(Token::Punct(']')) => break,
                other => return Err(format!("after an attribute: {other:?}")),
            }
        }
        if !punct(t.next(), ';') {
            return Err("statement without `;`".into());
        }
    }
    if t.next().is_some() {
        return Err("text after the graph".into());
    }
    let ids: BTreeSet<&str> = json["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    let found: BTreeSet<&str> = nodes.keys().map(String::as_str).collect();
    if found != ids {
        return Err(format!("nodes {found:?}, expected {ids:?}"));
    }
    if edges != json["edges"].as_array().unwrap().len() {
        return Err(format!("{edges} edges, expected {}", json["edges"]));
    }
    for (id, label) in expected_labels(json) {
        let first = nodes[&id].split('\n').next().unwrap_or_default();
        if first != label {
            return Err(format!("{id} shows {first:?}, not {label:?}"));
        }
    }
    Ok(())
}

/// The text of a Mermaid label: entity codes `#N;` decoded, `<br>` a line break; any
/// other character Mermaid could read as syntax is an error.
fn mermaid_text(text: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("<br>") {
            out.push('\n');
            rest = after;
        } else if let Some(after) = rest.strip_prefix('#') {
            let end = after.find(';').ok_or("`#` without `;`")?;
            let code: u32 = after[..end].parse().map_err(|_| "`#` not a code")?;
            out.push(char::from_u32(code).ok_or("bad code")?);
            rest = &after[end + 1..];
        } else if c.is_alphanumeric() || " .,:/_-@+()".contains(c) {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        } else {
            return Err(format!("raw {c:?} in a label"));
        }
    }
    Ok(out)
}

/// Reads the Mermaid flowchart line by line (the statements practrace writes) and
/// compares its nodes, edges and labels with the JSON graph's.
fn check_mermaid(text: &str, json: &Value) -> Result<(), String> {
    let is_id = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    // Mermaid reads `%%{init: …}%%` anywhere, comments included: no `%` after the first two.
    if !first.starts_with("%% p") || first[2..].contains('%') || first.chars().any(char::is_control)
    {
        return Err(format!("first line {first:?}"));
    }
    if lines.next() != Some("flowchart LR") {
        return Err("no `flowchart LR`".into());
    }
    let mut nodes = BTreeMap::new();
    let (mut edges, mut depth) = (0, 0);
    for line in lines {
        let l = line.trim_start();
        if l.starts_with("classDef ") && l.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
            continue;
        }
        if l == "end" {
            depth -= 1;
            continue;
        }
        if let Some(list) = l
            .strip_prefix("class ")
            .and_then(|r| r.strip_suffix(" area"))
        {
            if !list.split(',').all(is_id) {
                return Err(format!("class line {l:?}"));
            }
            continue;
        }
        let parts: Vec<&str> = l.split(' ').collect();
        if let [from, "-->" | "-.->", to] = parts[..]
            && is_id(from)
            && is_id(to)
        {
            edges += 1;
            continue;
        }
        let (id, rest) = l.split_at(l.find(['[', '(']).ok_or(format!("line {l:?}"))?);
        let (id, subgraph) = match id.strip_prefix("subgraph ") {
            Some(id) => (id, true),
            None => (id, false),
        };
        let shapes = [("[\"", "\"]"), ("[/\"", "\"/]"), ("([\"", "\"])")];
        let rest = rest
            .strip_suffix(":::gap")
            .or_else(|| rest.strip_suffix(":::na"))
            .or_else(|| rest.strip_suffix(":::file"))
            .or_else(|| rest.strip_suffix(":::commit"))
            .unwrap_or(rest);
        let label = shapes
            .iter()
            .find_map(|(open, close)| rest.strip_prefix(open)?.strip_suffix(close))
            .ok_or(format!("node {l:?}"))?;
        if !is_id(id) || label.contains('"') {
            return Err(format!("node {l:?}"));
        }
        if subgraph {
            depth += 1;
        } else {
            nodes.insert(id.to_string(), mermaid_text(label)?);
        }
    }
    if depth != 0 {
        return Err("subgraphs not closed".into());
    }
    let ids: BTreeSet<&str> = json["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] != "process-area")
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    let found: BTreeSet<&str> = nodes.keys().map(String::as_str).collect();
    if found != ids {
        return Err(format!("nodes {found:?}, expected {ids:?}"));
    }
    let drawn = json["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] != "has")
        .count();
    if edges != drawn {
        return Err(format!("{edges} edges, expected {drawn}"));
    }
    for (id, label) in expected_labels(json) {
        let first = nodes[&id].split('\n').next().unwrap_or_default();
        if first != label {
            return Err(format!("{id} shows {first:?}, not {label:?}"));
        }
    }
    Ok(())
}

/// Renders the DOT with Graphviz when `dot` is installed: it must succeed and draw every
/// node and edge. (Without Graphviz this part is skipped, with a note.)
fn render_with_graphviz(dot: &str, json: &Value) {
    use std::io::Write;
    let child = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("note: Graphviz `dot` is not installed: DOT not rendered");
        return;
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "dot -Tsvg: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = String::from_utf8(out.stdout).expect("UTF-8 SVG");
    assert_eq!(
        svg.matches("class=\"node ").count() + svg.matches("class=\"node\"").count(),
        json["nodes"].as_array().unwrap().len()
    );
    assert!(
        !svg.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r'),
        "a control character in the SVG"
    );
}
