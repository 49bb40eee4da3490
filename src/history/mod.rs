//! Capability over time (`practrace history`): the rating at a series of commits — the
//! first-parent commit at the end of each week, month or quarter, or revisions given —
//! each point exactly what `status --rev COMMIT` says of that commit.
//!
//! Points are rated oldest first, and each is derived from the one before when it can be:
//! the files of the tree diff and the commits in between are read, nothing else
//! ([`crate::scan::scan_since`], as `check --base` derives head from base). A point is
//! scanned in full when there is no point before it, when it is not a descendant of the
//! one before, when the model or the scan options differ from the previous point's (the
//! configuration changed), or when `freshness:` is configured (ages need each evidence
//! file's last commit, which only the full analysis finds).
//!
//! ```no_run
//! use practrace::history::{Every, Selection, history};
//! let request = practrace::Request::new(".");
//! let selection = Selection::Periods { every: Every::Month, since: None, until: None };
//! let history = history(&request, &selection).unwrap();
//! for point in &history.points {
//!     println!("{} {} {}", point.label, point.commit, point.practices_evidenced);
//! }
//! ```

pub mod html;
pub mod points;
pub mod text;
mod walk;

pub use points::{Every, Selection, parse_date};
pub use walk::history;

use serde::Serialize;

use crate::config::ConfigInfo;
use crate::pipeline::AnalysisError;
use crate::report::{AreaReport, ModelInfo, ToolInfo};
use crate::source::SourceError;

/// Why a history could not be made.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The analysis of a point.
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    /// The repository or a revision.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// A flag that does not fit (named in the message).
    #[error("{0}")]
    Usage(String),
    /// Rendering the HTML page.
    #[error("rendering the history page: {0}")]
    Template(String),
    /// Writing the output.
    #[error("writing the history")]
    Write(#[source] std::io::Error),
}

impl From<std::io::Error> for HistoryError {
    fn from(e: std::io::Error) -> HistoryError {
        HistoryError::Write(e)
    }
}

/// The history: what was walked, and a point per period or revision, oldest first.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct History {
    /// The tool.
    pub tool: ToolInfo,
    /// The repository and the tip the history was walked back from.
    pub source: HistorySource,
    /// The period of the points (`week`, `month`, `quarter`); `null` for `--revs`.
    pub every: Option<String>,
    /// The start of the range (UTC, RFC 3339); `null` for `--revs`.
    pub since: Option<String>,
    /// The end of the range (UTC, RFC 3339); `null` for `--revs`.
    pub until: Option<String>,
    /// The points, oldest first.
    pub points: Vec<Point>,
}

/// Where the history was walked.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct HistorySource {
    /// The repository as given on the command line.
    pub repo: String,
    /// The tip as given (`--rev`, default `HEAD`).
    pub rev: String,
    /// The tip's commit.
    pub commit: String,
}

/// How a point's scan was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PointScan {
    /// Scanned in full.
    Full,
    /// Derived from the point before it (its scan, the tree diff and the commits in
    /// between), or the same commit as the point before.
    Derived,
}

/// The rating at one commit.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Point {
    /// The period (`2024-03`, `2024-W05`, `2024-Q1`), or the revision as given.
    pub label: String,
    /// The end of the period (UTC, RFC 3339): the point is the last first-parent commit
    /// committed at or before it. `null` for `--revs`.
    pub boundary: Option<String>,
    /// The commit.
    pub commit: String,
    /// Its committer date, RFC 3339 in the committer's zone.
    pub date: String,
    /// Whether it was scanned in full or derived from the point before.
    pub scan: PointScan,
    /// The model rated against.
    pub model: ModelInfo,
    /// The configuration at that commit.
    pub config: ConfigInfo,
    /// Practices of the model with at least one piece of evidence (stale evidence and
    /// practices not applicable included): those `status --format json` lists with a
    /// non-empty `evidence`.
    pub practices_evidenced: usize,
    /// The evidence.
    pub evidence: EvidenceCounts,
    /// The diagnostics, by severity.
    pub diagnostics: DiagnosticCounts,
    /// Every process area, exactly as `status --rev COMMIT --format json` reports it.
    pub process_areas: Vec<AreaReport>,
}

/// How much evidence a point has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct EvidenceCounts {
    /// Files that are evidence for at least one practice.
    pub files: usize,
    /// Commits (reachable from the point) whose trailers name at least one practice.
    pub commits: usize,
}

/// How many diagnostics a point has, by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DiagnosticCounts {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Notes.
    pub notes: usize,
}

/// An output format of `practrace history`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryFormat {
    /// A row per point, each area's level as one character, then the changes of level.
    Table,
    /// [`History`] as pretty JSON (`practrace schema history`).
    Json,
    /// Long-form CSV: a row per point and process area.
    Csv,
    /// A self-contained page with SVG charts.
    Html,
}

impl HistoryFormat {
    /// The format's name, as `--format` spells it.
    pub fn name(self) -> &'static str {
        match self {
            HistoryFormat::Table => "table",
            HistoryFormat::Json => "json",
            HistoryFormat::Csv => "csv",
            HistoryFormat::Html => "html",
        }
    }
}

impl crate::report::Render<History> for HistoryFormat {
    type Error = HistoryError;
    fn render(&self, history: &History, out: &mut dyn std::io::Write) -> Result<(), HistoryError> {
        let io = |e: std::io::Error| HistoryError::Write(e);
        match self {
            HistoryFormat::Table => {
                let table = text::table(history, crate::term::Style::PLAIN);
                out.write_all(table.as_bytes()).map_err(io)
            }
            HistoryFormat::Json => {
                let mut bytes = serde_json::to_vec_pretty(history)
                    .map_err(|e| HistoryError::Write(std::io::Error::other(e)))?;
                bytes.push(b'\n');
                out.write_all(&bytes).map_err(io)
            }
            HistoryFormat::Csv => text::csv(history, out).map_err(io),
            HistoryFormat::Html => out.write_all(html::render(history)?.as_bytes()).map_err(io),
        }
    }
}

/// The JSON Schema of [`History`] (what `schemas/history.schema.json` holds).
pub fn history_schema() -> String {
    let schema = schemars::schema_for!(History);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}
