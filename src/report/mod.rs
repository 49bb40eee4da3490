//! The report: one computed result ([`Report`], which is also the JSON contract of spec §6
//! and `schemas/report.schema.json`) and a renderer per format.

pub mod practice;
pub mod read;
pub mod scope;
pub mod text;

use rayon::prelude::*;
use serde::Serialize;

use crate::config::ConfigInfo;
use crate::diag::Diagnostic;
use crate::evidence::{CommitHit, FileHit, Provenance, Scan, SourceInfo};
use crate::graph::{EvidenceGraph, Node};
use crate::model::{Model, PracticeKind};
use crate::rate::AreaRating;

/// The tool that made the report.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ToolInfo {
    /// Always `practrace`.
    pub name: String,
    /// The tool's version.
    pub version: String,
}

/// The model the report rates against.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ModelInfo {
    /// Model id.
    pub id: String,
    /// Model title.
    pub title: String,
    /// A digest of everything the model file says (16 hex digits): `verify` tells a report
    /// made with another model from one made with this one.
    pub digest: String,
}

/// One level of one process area.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LevelReport {
    /// The level.
    pub level: u8,
    /// Achieved.
    pub achieved: bool,
    /// In-scope practices of this level that lack evidence.
    pub missing: Vec<String>,
}

/// One process area.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AreaReport {
    /// `PA05`.
    pub id: String,
    /// Title.
    pub title: String,
    /// False when the area is not rated: no base practice of it is in scope (a whole
    /// area declared not applicable). It then has no achieved level and neither meets nor
    /// misses its target.
    pub applicable: bool,
    /// Highest achieved capability level (0: not even level 1); `null` when the area is
    /// not rated (`applicable: false`).
    pub achieved_level: Option<u8>,
    /// The level the area should reach (0: track only).
    pub target_level: u8,
    /// In-scope base practices that have evidence.
    pub base_practices_evidenced: usize,
    /// In-scope base practices.
    pub base_practices_in_scope: usize,
    /// Every level of the model.
    pub levels: Vec<LevelReport>,
}

/// How a file became evidence for a practice: the `source` of file evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum EvidenceSource {
    /// A tag in the file's YAML front matter (the practice's first tag, when it has
    /// several).
    FrontMatter {
        /// 1-based line of the tag in the file.
        line: u32,
    },
    /// A rule of the configuration's `evidence_map` (the first that names the practice),
    /// for a file that cannot carry front matter. A file tagged in its front matter is
    /// front-matter evidence for that practice, whatever the map says.
    EvidenceMap {
        /// Index of the rule in `evidence_map`, from 0.
        rule: usize,
        /// The rule's first glob that matches the path, as written.
        glob: String,
    },
}

impl EvidenceSource {
    /// For people, without the line (every format shows it beside the path):
    /// `front matter`, or `evidence_map[0]: audits/**/*.pdf`.
    pub fn label(&self) -> String {
        match self {
            EvidenceSource::FrontMatter { .. } => "front matter".into(),
            EvidenceSource::EvidenceMap { rule, glob } => format!("evidence_map[{rule}]: {glob}"),
        }
    }
}

impl AreaReport {
    /// The achieved level as every human format shows it: the number, or `n/a` for an
    /// area that is not rated.
    pub fn achieved_text(&self) -> String {
        level_text(self.achieved_level)
    }
}

/// An achieved level for people: the number, or `n/a` when the area is not rated.
pub fn level_text(level: Option<u8>) -> String {
    level.map_or_else(|| "n/a".to_string(), |l| l.to_string())
}

/// A piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum EvidenceReport {
    /// A file whose front matter names the practice, or that the evidence map names.
    File {
        /// Path in the repository.
        path: String,
        /// git blob id of the file's content.
        blob: String,
        /// Line of the tag in the front matter; `null` for a file of the evidence map.
        line: Option<u32>,
        /// How the file became evidence: a front matter tag, or an evidence-map rule.
        source: EvidenceSource,
        /// The note written beside the id (`{id: BP.05.02, note: "…"}`); omitted when the
        /// tag has none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        /// The last commit that changed the file to this content (`matrix` only: omitted
        /// by `status`, and for a file that is not committed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_commit: Option<CommitRef>,
        /// Its age against the practice's `freshness` limit (omitted without one).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        freshness: Option<crate::freshness::Age>,
    },
    /// A commit whose trailers name the practice.
    Commit {
        /// Full commit id.
        commit: String,
        /// `Name <email>`.
        author: String,
        /// Author date, RFC 3339.
        date: String,
        /// Subject line.
        subject: String,
        /// Its age against the practice's `freshness` limit (omitted without one).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        freshness: Option<crate::freshness::Age>,
    },
}

impl EvidenceReport {
    /// A file as evidence, and how it became evidence (one of `hit.practices`).
    pub fn file(hit: &FileHit, how: &Provenance) -> EvidenceReport {
        let (line, source, note) = match how {
            Provenance::FrontMatter { line, note } => (
                Some(*line),
                EvidenceSource::FrontMatter { line: *line },
                note.clone(),
            ),
            Provenance::EvidenceMap { rule, glob } => (
                None,
                EvidenceSource::EvidenceMap {
                    rule: *rule,
                    glob: glob.clone(),
                },
                None,
            ),
        };
        EvidenceReport::File {
            path: hit.path.clone(),
            blob: hit.blob.clone(),
            line,
            source,
            note,
            last_commit: None,
            freshness: None,
        }
    }

    /// A file as evidence for `practice`; `None` when it is not.
    pub fn file_for(hit: &FileHit, practice: usize) -> Option<EvidenceReport> {
        hit.provenance(practice)
            .map(|how| EvidenceReport::file(hit, how))
    }

    /// A commit as evidence.
    pub fn commit(hit: &CommitHit) -> EvidenceReport {
        EvidenceReport::Commit {
            commit: hit.id.clone(),
            author: hit.author.clone(),
            date: hit.date.clone(),
            subject: hit.subject.clone(),
            freshness: None,
        }
    }
}

/// A commit named beside a file: who changed it last, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct CommitRef {
    /// Full commit id.
    pub commit: String,
    /// `Name <email>`.
    pub author: String,
    /// Author date, RFC 3339.
    pub date: String,
    /// Subject line.
    pub subject: String,
}

impl From<&crate::source::git::history::CommitInfo> for CommitRef {
    /// A file's last commit as the matrix shows it.
    fn from(info: &crate::source::git::history::CommitInfo) -> CommitRef {
        CommitRef {
            commit: info.id.clone(),
            author: info.author.clone(),
            date: info.date.clone(),
            subject: info.subject.clone(),
        }
    }
}

/// What only the evidence matrix (`practrace matrix`) adds to the report's stamp.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct MatrixInfo {
    /// The scanned commit's committer date, RFC 3339 (`null` before the first commit).
    pub commit_date: Option<String>,
    /// When the matrix was made (UTC, RFC 3339): only with `--timestamp`, else `null`, so
    /// that the same revision gives the same bytes.
    pub generated: Option<String>,
    /// For a working-tree scan: how many of its evidence files differ from the commit
    /// (HEAD). Absent for a revision, which is exactly its commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worktree_changes: Option<WorktreeChanges>,
    /// The repository's folder name, for the stamp of the matrix's human formats (not in
    /// the JSON, whose `source.repo` stays the path as given).
    #[serde(skip)]
    #[schemars(skip)]
    pub repository: Option<String>,
}

/// How the evidence files of a working-tree scan differ from HEAD: the matrix then
/// describes the files on disk, not the commit alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct WorktreeChanges {
    /// Evidence files that HEAD does not have (new, not committed).
    pub uncommitted: usize,
    /// Evidence files whose content differs from HEAD's.
    pub modified: usize,
}

/// One practice with its evidence.
#[derive(Debug, Clone, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct PracticeReport {
    /// `BP.05.02` or `GP.2.1.3@PA05`.
    pub id: String,
    /// Title.
    pub title: String,
    /// `PA05`.
    pub process_area: String,
    /// `base` or `generic`.
    pub kind: String,
    /// Capability level the practice counts for.
    pub level: u8,
    /// False when declared not applicable.
    pub in_scope: bool,
    /// Why the practice is not applicable, from the configuration (`null` when in scope).
    pub not_applicable: Option<String>,
    /// Files first (by path), then commits (by date, then id).
    pub evidence: Vec<EvidenceReport>,
}

/// A printer: one output format of one finished result (a report, the gaps, a trace, a
/// check report, the matrix), written to `out`. Renderers never compute: everything they
/// print is in the value they are given (as typos' `Report` trait and ripgrep's printers).
pub trait Render<T: ?Sized> {
    /// Why rendering failed (writing, or a format's own failure).
    type Error: From<std::io::Error>;
    /// Writes `value` in this format.
    fn render(&self, value: &T, out: &mut dyn std::io::Write) -> Result<(), Self::Error>;
}

/// The whole report.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Report {
    /// The tool.
    pub tool: ToolInfo,
    /// The model.
    pub model: ModelInfo,
    /// What was scanned.
    pub source: SourceInfo,
    /// The configuration used.
    pub config: ConfigInfo,
    /// Every process area of the model, model order.
    pub process_areas: Vec<AreaReport>,
    /// Every practice of the model, model order: per area its base practices, then its
    /// generic practices.
    pub practices: Vec<PracticeReport>,
    /// Findings, sorted by location.
    pub diagnostics: Vec<Diagnostic>,
    /// The matrix's own stamp (`matrix --format json` only; omitted by `status`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matrix: Option<MatrixInfo>,
    /// How evidence ages were measured (omitted when `freshness:` is not configured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freshness: Option<FreshnessInfo>,
}

/// The reference date of a report's evidence ages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct FreshnessInfo {
    /// The date ages are measured to (UTC, RFC 3339): the scanned commit's committer date
    /// (for a working tree, HEAD's), or `--as-of`.
    pub as_of: String,
}

impl Report {
    /// Whether any diagnostic is an error: the input is wrong somewhere (exit 1).
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == crate::diag::Severity::Error)
    }
}

impl Report {
    /// Builds the report from a scan, its graph and its rating; without the graph, the
    /// `practices` list is left empty (a brief report).
    pub fn build(
        model: &Model,
        scan: &Scan,
        graph: Option<&EvidenceGraph>,
        ratings: &[AreaRating],
        not_applicable: &(dyn Fn(usize) -> Option<String> + Sync),
        config: ConfigInfo,
    ) -> Report {
        let ids = |v: &[usize]| v.iter().map(|&p| model.practices[p].id.clone()).collect();
        let process_areas = ratings
            .iter()
            .map(|r| {
                let area = &model.process_areas[r.area];
                AreaReport {
                    id: area.id.clone(),
                    title: area.title.clone(),
                    applicable: r.applicable(),
                    achieved_level: r.achieved_level,
                    target_level: r.target_level,
                    base_practices_evidenced: r.base_practices_evidenced,
                    base_practices_in_scope: r.base_practices_in_scope,
                    levels: r
                        .levels
                        .iter()
                        .map(|l| LevelReport {
                            level: l.level,
                            achieved: l.achieved,
                            missing: ids(&l.missing),
                        })
                        .collect(),
                }
            })
            .collect();
        let practices = match graph {
            Some(graph) => Self::practices(model, scan, graph, not_applicable),
            None => Vec::new(),
        };
        Report {
            tool: ToolInfo {
                name: "practrace".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            model: ModelInfo {
                id: model.id.clone(),
                title: model.title.clone(),
                digest: format!("{:016x}", model.digest()),
            },
            source: scan.source.clone(),
            config,
            process_areas,
            practices,
            diagnostics: scan.diagnostics.clone(),
            matrix: None,
            freshness: None,
        }
    }

    /// Every practice of the model with its evidence, in model order (in parallel: at scale
    /// this is where every evidence string is copied).
    fn practices(
        model: &Model,
        scan: &Scan,
        graph: &EvidenceGraph,
        not_applicable: &(dyn Fn(usize) -> Option<String> + Sync),
    ) -> Vec<PracticeReport> {
        model
            .practices
            .par_iter()
            .enumerate()
            .map(|(i, p)| {
                let mut files = Vec::new();
                let mut commits = Vec::new();
                for node in graph.evidence_for(i) {
                    match node {
                        Node::Artifact(f) => files.push(f),
                        Node::Commit(c) => commits.push(c),
                        _ => {}
                    }
                }
                // Scan order is path order for files and date order for commits.
                files.sort_unstable();
                commits.sort_unstable();
                let evidence = files
                    .into_iter()
                    .filter_map(|f| EvidenceReport::file_for(&scan.files[f], i))
                    .chain(
                        commits
                            .into_iter()
                            .map(|c| EvidenceReport::commit(&scan.commits[c])),
                    )
                    .collect();
                let na = not_applicable(i);
                let (kind, level) = match p.kind {
                    PracticeKind::Base => ("base", 1),
                    PracticeKind::Generic { level, .. } => ("generic", level),
                };
                PracticeReport {
                    id: p.id.clone(),
                    title: p.title.clone(),
                    process_area: model.process_areas[p.process_area].id.clone(),
                    kind: kind.into(),
                    level,
                    in_scope: na.is_none(),
                    not_applicable: na,
                    evidence,
                }
            })
            .collect()
    }

    /// Writes the report as pretty JSON, with a final newline, without building it in memory.
    pub fn write_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut fragments = self.fragments();
        self.write_json_with(out, self.practices.len(), &mut |i, w| {
            w.write_all(fragments.get(i))
        })
    }

    /// The practices' JSON fragments, rendered on every core a chunk at a time (so that at
    /// most one chunk is held), to be taken in order.
    pub fn fragments(&self) -> Fragments<'_> {
        Fragments {
            practices: &self.practices,
            start: 0,
            chunk: Vec::new(),
        }
    }

    /// Writes the report as pretty JSON with `count` practices, each written by
    /// `practice(i, out)` as a [`practice_fragment`] (the report's own `practices` are not
    /// used): the same bytes as serde_json's pretty printer gives for the whole report.
    pub fn write_json_with(
        &self,
        out: &mut dyn std::io::Write,
        count: usize,
        practice: &mut dyn FnMut(usize, &mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        use std::io::Write as _;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        out.write_all(b"{\n")?;
        field(&mut out, "tool", &self.tool)?;
        field(&mut out, "model", &self.model)?;
        field(&mut out, "source", &self.source)?;
        field(&mut out, "config", &self.config)?;
        field(&mut out, "process_areas", &self.process_areas)?;
        if count == 0 {
            out.write_all(b"  \"practices\": [],\n")?;
        } else {
            out.write_all(b"  \"practices\": [\n")?;
            for i in 0..count {
                if i > 0 {
                    out.write_all(b",\n")?;
                }
                practice(i, &mut out)?;
            }
            out.write_all(b"\n  ],\n")?;
        }
        out.write_all(b"  \"diagnostics\": ")?;
        out.write_all(&indented(&self.diagnostics, 2, false))?;
        if let Some(matrix) = &self.matrix {
            out.write_all(b",\n  \"matrix\": ")?;
            out.write_all(&indented(matrix, 2, false))?;
        }
        if let Some(freshness) = &self.freshness {
            out.write_all(b",\n  \"freshness\": ")?;
            out.write_all(&indented(freshness, 2, false))?;
        }
        out.write_all(b"\n}\n")?;
        out.flush()
    }

    /// The report as pretty JSON, with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        s.push('\n');
        s
    }
}

/// The practices' JSON, rendered in parallel chunks; see [`Report::fragments`].
pub struct Fragments<'a> {
    practices: &'a [PracticeReport],
    start: usize,
    chunk: Vec<Vec<u8>>,
}

impl Fragments<'_> {
    /// How many practices a chunk renders.
    const CHUNK: usize = 128;

    /// The fragment of practice `i`; `i` must not go back before the current chunk.
    pub fn get(&mut self, i: usize) -> &[u8] {
        if i < self.start || i >= self.start + self.chunk.len() {
            let end = (i + Self::CHUNK).min(self.practices.len());
            self.chunk = self.practices[i..end]
                .par_iter()
                .map(practice_fragment)
                .collect();
            self.start = i;
        }
        &self.chunk[i - self.start]
    }
}

/// One field of the report object, indented for its depth, with its comma.
fn field<T: Serialize>(out: &mut dyn std::io::Write, name: &str, value: &T) -> std::io::Result<()> {
    write!(out, "  \"{name}\": ")?;
    out.write_all(&indented(value, 2, false))?;
    out.write_all(b",\n")
}

/// Pretty JSON of `value` with every line after the first (and the first too, with `first`)
/// indented by `by` spaces: a value printed in place at that depth. JSON strings hold no
/// raw newline, so every newline is a line of the layout.
fn indented<T: Serialize + ?Sized>(value: &T, by: usize, first: bool) -> Vec<u8> {
    let text = serde_json::to_vec_pretty(value).unwrap_or_default();
    let pad = vec![b' '; by];
    let mut out = Vec::with_capacity(text.len() + text.len() / 16);
    if first {
        out.extend_from_slice(&pad);
    }
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
            out.extend_from_slice(&pad);
        }
        out.extend_from_slice(line);
    }
    out
}

/// One practice as the pretty JSON report prints it inside `practices`: indented by four
/// spaces, without a comma or a final newline. The incremental cache keeps these.
pub fn practice_fragment(practice: &PracticeReport) -> Vec<u8> {
    indented(practice, 4, true)
}

/// The JSON Schema of [`Report`] (what `schemas/report.schema.json` holds).
pub fn report_schema() -> String {
    let schema = schemars::schema_for!(Report);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

/// The JSON Schema of a model file (what `schemas/model.schema.json` holds).
pub fn model_schema() -> String {
    let schema = schemars::schema_for!(crate::model::ModelFile);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

/// The JSON Schema of the configuration file (what `schemas/config.schema.json` holds).
pub fn config_schema() -> String {
    let schema = schemars::schema_for!(crate::config::ConfigFile);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}
