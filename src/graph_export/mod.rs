//! The evidence graph as a picture and as data (`practrace graph`): Graphviz DOT, Mermaid,
//! or JSON, built once from a finished [`Report`](crate::report::Report) (and, for the
//! commit → file edges, from the paths each commit touched), then rendered by one printer
//! per format: [`dot`], [`mermaid`], and JSON, which is [`Graph`] itself.
//!
//! Not to be confused with [`crate::graph`], the internal petgraph graph that the rating is
//! computed on; this module only shows what the report already holds.
//!
//! # What is drawn
//!
//! - Without a filter: every process area and every practice of the model, each labelled
//!   with its evidence counts, and the `has` edges between them. Files and commits are
//!   left out: a whole repository (100,000 files, 200,000 commits) would give a graph
//!   nobody can lay out or read.
//! - With `--pa`, `--practice` or `--path` ([`Filter`]): the selected practices (those of
//!   the areas given and the practices given: the two add up), their areas, and the files
//!   and commits that evidence them, with `evidences` edges, and a
//!   `touched` edge from each shown commit to each shown file its change (against its first
//!   parent) added, modified or deleted. `--path` keeps only the evidence files whose path
//!   matches one of its globs (as in the configuration: `*` stays within a folder, `**`
//!   crosses folders) and only the commits that touched one of them; given alone, it shows
//!   only the practices that such evidence is for.
//! - A practice in scope without any evidence is a gap, drawn apart (DOT: dashed red;
//!   Mermaid: the `gap` class); a practice declared not applicable is drawn grey and dotted
//!   with its reason. The evidence counts on area and practice nodes are the report's
//!   (every piece of evidence), whatever the filter shows.
//!
//! # Node ids
//!
//! The same in every format, derived from the content only, so that the same revision
//! gives the same bytes and a node keeps its id from one revision to the next: a process
//! area is its id (`PA05`); a practice is its id with every character other than a letter
//! or digit written `_` (`BP_05_02`, `GP_2_1_3_PA05`; canonical ids keep these distinct);
//! a file is `f_` and the first 20 hex digits of the BLAKE3 hash of its path; a commit is
//! `c_` and its full id. None needs quoting in DOT or Mermaid.
//!
//! # The JSON format
//!
//! `--format json` prints one object ([`Graph`]; JSON Schema: `practrace schema graph`,
//! `schemas/graph.schema.json`):
//!
//! ```json
//! {
//!   "model": "iso-iec-21827-2002",
//!   "commit": "<sha of the scanned commit, or null>",
//!   "worktree": false,
//!   "expanded": true,
//!   "filter": {"pa": ["PA05"], "practice": [], "path": []},
//!   "nodes": [
//!     {"id": "PA05", "label": "PA05 Assess Vulnerability", "kind": "process-area",
//!      "area": "PA05", "title": "Assess Vulnerability", "applicable": true,
//!      "achieved_level": 1, "target_level": 1, "base_practices_evidenced": 5,
//!      "base_practices_in_scope": 5, "evidence": 9},
//!     {"id": "BP_05_02", "label": "BP.05.02 …", "kind": "practice", "practice": "BP.05.02",
//!      "title": "…", "process_area": "PA05", "practice_kind": "base", "level": 1,
//!      "in_scope": true, "not_applicable": null, "files": 1, "commits": 0, "gap": false},
//!     {"id": "f_…", "label": "docs/q3.md", "kind": "file", "path": "docs/q3.md", "blob": "<sha>"},
//!     {"id": "c_<sha>", "label": "0123abc Review", "kind": "commit", "commit": "<sha>",
//!      "author": "A U Thor <a@example.com>", "date": "2024-01-04T10:00:00Z", "subject": "Review"}
//!   ],
//!   "edges": [
//!     {"from": "PA05", "to": "BP_05_02", "kind": "has"},
//!     {"from": "f_…", "to": "BP_05_02", "kind": "evidences"},
//!     {"from": "c_<sha>", "to": "f_…", "kind": "touched"}
//!   ]
//! }
//! ```
//!
//! Nodes come in this order: areas and practices in model order, then files by path,
//! then commits by id; edges: `has`, then `evidences` (per practice in model order: files,
//! then commits), then `touched` (by commit, then file). `evidences` edges are exactly the
//! report's evidence entries for the practices shown (less what `--path` leaves out).

pub mod dot;
pub mod mermaid;
mod select;

use serde::Serialize;

pub use select::{Filter, Selection, build};

/// Why a graph could not be made: a filter that names nothing (the message says which).
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// `--pa`: not a process area of the model.
    #[error("--pa {given}: {message}")]
    Area {
        /// As given.
        given: String,
        /// Why.
        message: String,
    },
    /// `--practice`: not one practice of the model.
    #[error("--practice {given}: {message}")]
    Practice {
        /// As given.
        given: String,
        /// Why.
        message: String,
    },
    /// `--path`: not a valid glob.
    #[error("--path: {message}")]
    Path {
        /// As given.
        given: String,
        /// Why.
        message: String,
    },
}

/// An output format of `practrace graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    /// Graphviz DOT (`dot -Tsvg graph.dot > graph.svg`).
    Dot,
    /// A Mermaid flowchart (GitHub renders it in a ```` ```mermaid ```` block).
    Mermaid,
    /// The nodes and edges as JSON ([`Graph`]).
    Json,
}

impl GraphFormat {
    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            GraphFormat::Dot => "dot",
            GraphFormat::Mermaid => "mermaid",
            GraphFormat::Json => "json",
        }
    }

    /// The format a file name's extension (lower case, without the dot) names (`dot`/`gv`,
    /// `mmd`/`mermaid`, `json`), if any.
    pub fn from_extension(ext: &str) -> Option<GraphFormat> {
        match ext {
            "dot" | "gv" => Some(GraphFormat::Dot),
            "mmd" | "mermaid" => Some(GraphFormat::Mermaid),
            "json" => Some(GraphFormat::Json),
            _ => None,
        }
    }
}

impl crate::report::Render<Graph> for GraphFormat {
    type Error = std::io::Error;
    /// Writes the graph in this format.
    fn render(&self, graph: &Graph, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        match self {
            GraphFormat::Dot => out.write_all(dot::render(graph).as_bytes()),
            GraphFormat::Mermaid => out.write_all(mermaid::render(graph).as_bytes()),
            GraphFormat::Json => {
                serde_json::to_writer_pretty(&mut *out, graph)?;
                out.write_all(b"\n")
            }
        }
    }
}

/// The graph: what every format shows, in the order it shows it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Graph {
    /// The model's id.
    pub model: String,
    /// The scanned commit (HEAD for a working tree; `null` before the first commit).
    pub commit: Option<String>,
    /// True for a working-tree scan.
    pub worktree: bool,
    /// True when files and commits are shown (a filter was given).
    pub expanded: bool,
    /// The filter, canonical (area and practice ids as the model spells them).
    pub filter: FilterInfo,
    /// Areas and practices in model order, then files by path, then commits by id.
    pub nodes: Vec<Node>,
    /// `has`, then `evidences`, then `touched` edges.
    pub edges: Vec<Edge>,
}

/// The filter a graph was made with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FilterInfo {
    /// `--pa`: process area ids.
    pub pa: Vec<String>,
    /// `--practice`: practice ids.
    pub practice: Vec<String>,
    /// `--path`: globs, as given.
    pub path: Vec<String>,
}

/// A node: its id (see the module's docs), a one-line label, and what it stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Node {
    /// Stable id, the same in every format: letters, digits and `_` only.
    pub id: String,
    /// One line for people: the id and title, the path, or the short commit and subject.
    pub label: String,
    /// What the node stands for.
    #[serde(flatten)]
    pub data: NodeData,
}

/// What a node stands for, with the report's figures about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum NodeData {
    /// A process area.
    ProcessArea {
        /// `PA05`.
        area: String,
        /// Title.
        title: String,
        /// False when no base practice of it is in scope (not rated).
        applicable: bool,
        /// Highest achieved capability level; `null` when not rated.
        achieved_level: Option<u8>,
        /// The level it should reach.
        target_level: u8,
        /// In-scope base practices that have evidence.
        base_practices_evidenced: usize,
        /// In-scope base practices.
        base_practices_in_scope: usize,
        /// Pieces of evidence of all its practices (the report's evidence entries).
        evidence: usize,
    },
    /// A practice: a base practice, or a generic practice of one area.
    Practice {
        /// `BP.05.02` or `GP.2.1.3@PA05`.
        practice: String,
        /// Title.
        title: String,
        /// Its process area.
        process_area: String,
        /// `base` or `generic`.
        practice_kind: String,
        /// The capability level it counts for.
        level: u8,
        /// False when declared not applicable.
        in_scope: bool,
        /// Why it is not applicable (`null` when in scope).
        not_applicable: Option<String>,
        /// Evidence files.
        files: usize,
        /// Evidence commits.
        commits: usize,
        /// In scope, and no evidence at all.
        gap: bool,
    },
    /// A file that is evidence.
    File {
        /// Path in the repository.
        path: String,
        /// Its git blob id.
        blob: String,
    },
    /// A commit that is evidence.
    Commit {
        /// Full id.
        commit: String,
        /// `Name <email>`.
        author: String,
        /// Author date, RFC 3339.
        date: String,
        /// Subject line.
        subject: String,
    },
}

/// A typed edge between two node ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Edge {
    /// The source node's id.
    pub from: String,
    /// The target node's id.
    pub to: String,
    /// What the edge means.
    pub kind: EdgeKind,
}

/// What an edge means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EdgeKind {
    /// Process area → practice.
    Has,
    /// File or commit → practice: it is evidence for the practice.
    Evidences,
    /// Commit → file: the commit's change touched the file.
    Touched,
}

impl EdgeKind {
    /// The name JSON and the DOT `class` attribute give it.
    pub fn name(self) -> &'static str {
        match self {
            EdgeKind::Has => "has",
            EdgeKind::Evidences => "evidences",
            EdgeKind::Touched => "touched",
        }
    }
}

impl Node {
    /// The lines a picture shows for the node: its label, then its figures (`level 1 of
    /// target 2`, `2 files, 1 commit`, `no evidence`, `not applicable: …`, a commit's date).
    /// `titles`: whether a practice's title is shown (left out of large pictures).
    pub fn lines(&self, titles: bool) -> Vec<String> {
        match &self.data {
            NodeData::ProcessArea {
                applicable,
                achieved_level,
                target_level,
                base_practices_evidenced,
                base_practices_in_scope,
                evidence,
                ..
            } => {
                let level = if *applicable {
                    format!(
                        "level {} of target {target_level}",
                        crate::report::level_text(*achieved_level)
                    )
                } else {
                    "not rated".to_string()
                };
                vec![
                    self.label.clone(),
                    level,
                    format!(
                        "{base_practices_evidenced}/{base_practices_in_scope} base practices, {}",
                        count(*evidence, "piece of evidence", "pieces of evidence")
                    ),
                ]
            }
            NodeData::Practice {
                practice,
                not_applicable,
                files,
                commits,
                ..
            } => {
                let first = if titles {
                    self.label.clone()
                } else {
                    practice.clone()
                };
                let second = match (not_applicable, files + commits) {
                    (Some(why), _) => format!("not applicable: {why}"),
                    (None, 0) => "no evidence".to_string(),
                    (None, _) => format!(
                        "{}, {}",
                        count(*files, "file", "files"),
                        count(*commits, "commit", "commits")
                    ),
                };
                vec![first, second]
            }
            NodeData::File { .. } => vec![self.label.clone()],
            NodeData::Commit { date, .. } => vec![self.label.clone(), date.clone()],
        }
    }

    /// How the node is drawn: its kind, or `gap` / `not-applicable` for a practice.
    pub fn class(&self) -> &'static str {
        match &self.data {
            NodeData::ProcessArea { .. } => "process-area",
            NodeData::Practice {
                in_scope: false, ..
            } => "not-applicable",
            NodeData::Practice { gap: true, .. } => "gap",
            NodeData::Practice { .. } => "practice",
            NodeData::File { .. } => "file",
            NodeData::Commit { .. } => "commit",
        }
    }
}

/// One line that says what a picture shows: the model, the commit, the filter, and for
/// the overview that files and commits are left out.
pub fn caption(graph: &Graph) -> String {
    let commit = graph
        .commit
        .as_deref()
        .map_or_else(|| "no commit".to_string(), |c| c.chars().take(12).collect());
    let mut out = format!("{} at {commit}", graph.model);
    if graph.worktree {
        out.push_str(" + working tree");
    }
    let flags = [
        ("--pa", &graph.filter.pa),
        ("--practice", &graph.filter.practice),
        ("--path", &graph.filter.path),
    ];
    for (flag, values) in flags {
        for v in values {
            out.push_str(&format!(" {flag} {v}"));
        }
    }
    if !graph.expanded {
        out.push_str(" (areas and practices only: filter with --pa, --practice or --path to see files and commits)");
    }
    out
}

/// `1 file`, `2 files`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `text` with every control character (a newline, an escape) written as a visible escape
/// (`\u{a}`, `\u{1b}`): a path or subject from the repository must show as one line, and
/// never carry a control character into a picture.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if c.is_control() {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The JSON Schema of [`Graph`] (what `schemas/graph.schema.json` holds).
pub fn graph_schema() -> String {
    let schema = schemars::schema_for!(Graph);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}
