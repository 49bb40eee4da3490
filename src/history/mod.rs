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

pub use points::{Every, Selection, parse_date};

use serde::Serialize;

use crate::config::ConfigInfo;
use crate::diag::Severity;
use crate::evidence::{ObjectId, Scan, Summary};
use crate::pipeline::{self, Analysis, AnalysisError, Request, ScanKey};
use crate::report::{AreaReport, ModelInfo, ToolInfo};
use crate::source::{self, Source as _, SourceError};

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

/// The history of `request`'s repository from its revision (default `HEAD`) back, at the
/// points of `selection`. `request.brief` is ignored: points need only the areas.
pub fn history(request: &Request, selection: &Selection) -> Result<History, HistoryError> {
    let rev = request.rev.clone().unwrap_or_else(|| "HEAD".into());
    // One source for the whole run: each point's is this one at its commit, sharing its
    // packs.
    let tip_source = source::git::GitSource::open(&request.repo, Some(&rev))?;
    let repo = tip_source.repo()?;
    let tip = tip_source
        .info()
        .commit
        .and_then(|c| ObjectId::from_hex(&c))
        .ok_or_else(|| HistoryError::Usage(format!("{rev} names no commit")))?;
    let (specs, range) = points::select(&tip_source, &repo, tip, selection)?;
    let mut points = Vec::with_capacity(specs.len());
    let mut previous: Option<Previous> = None;
    for spec in &specs {
        let date = repo.commit_info(spec.commit)?.commit_date;
        let mut source = tip_source.at_commit(spec.commit)?;
        if let Some(prev) = previous.as_ref().filter(|_| spec.after_ancestor) {
            source = source.with_ancestor(prev.commit);
        }
        let (point, next) = rate_point(request, &source, spec, date, previous.take())?;
        points.push(point);
        previous = Some(next);
    }
    let every = match selection {
        Selection::Periods { every, .. } => Some(every.name().to_string()),
        Selection::Revs(_) => None,
    };
    Ok(History {
        tool: ToolInfo {
            name: "practrace".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        source: HistorySource {
            repo: request.repo.display().to_string(),
            rev,
            commit: tip.to_string(),
        },
        every,
        since: range.map(|r| r.since.to_string()),
        until: range.map(|r| r.until.to_string()),
        points,
    })
}

/// What the next point derives from: the previous point's commit, scan key (`None` when it
/// cannot be derived from: ages), scan summary and evidence commits.
struct Previous {
    commit: ObjectId,
    key: Option<ScanKey>,
    summary: Summary,
    commits: usize,
    point: Point,
}

/// Rates one point: derived from `previous` when it can be (see the module's doc), else
/// in full.
fn rate_point(
    request: &Request,
    source: &source::git::GitSource,
    spec: &points::PointSpec,
    date: String,
    previous: Option<Previous>,
) -> Result<(Point, Previous), HistoryError> {
    let named = |point: &Point| Point {
        label: spec.label.clone(),
        boundary: spec.boundary.map(|b| b.to_string()),
        ..point.clone()
    };
    let previous = match previous {
        Some(prev) if prev.commit == spec.commit => return Ok((named(&prev.point), prev)),
        other => other,
    };
    let started = std::time::Instant::now();
    let point_request = Request {
        rev: Some(spec.commit.to_string()),
        brief: true,
        ..request.clone()
    };
    let configured = pipeline::configure(source, &point_request)?;
    timing(&spec.label, "configured", started);
    let key = configured
        .policy
        .freshness
        .is_none()
        .then(|| configured.scan_key());
    if let Some(prev) = previous.filter(|p| key.is_some() && p.key == key) {
        let derived = crate::scan::scan_since(
            source,
            &prev.summary.scan,
            prev.commit,
            &configured.model,
            &configured.options,
        )?;
        if let Some(derived) = derived {
            timing(&spec.label, "derived scan", started);
            let counts = Summary::count_commits(prev.summary.commit_counts, &derived.scan.commits);
            let commits = prev.commits + derived.scan.commits.len();
            let analysis = pipeline::rate(configured, derived.scan, &counts, None, true);
            timing(&spec.label, "rated", started);
            let made = Made {
                analysis,
                counts,
                commits,
                key,
                scan: PointScan::Derived,
            };
            return Ok(made.point(spec, date));
        }
    }
    // A point may reach few commits (the first is often near the root): the commit
    // pre-pass waits until the walk has read many.
    let lazy = source
        .at_commit(spec.commit)?
        .with_prepass_after(source::git::PREPASS_AFTER);
    let analysis = pipeline::analyze_source(&lazy, &point_request)?;
    let counts = Summary::count_commits(
        vec![0; analysis.model.practices.len()],
        &analysis.scan.commits,
    );
    let commits = analysis.scan.commits.len();
    let made = Made {
        analysis,
        counts,
        commits,
        key,
        scan: PointScan::Full,
    };
    Ok(made.point(spec, date))
}

/// With `PRACTRACE_TIMINGS` set, says on stderr how long a point has taken so far.
fn timing(label: &str, what: &str, started: std::time::Instant) {
    if std::env::var_os("PRACTRACE_TIMINGS").is_some() {
        eprintln!(
            "practrace timings: history point {label}: {what} at {:?}",
            started.elapsed()
        );
    }
}

/// A point's analysis, with what a derived analysis keeps beside its scan.
struct Made {
    analysis: Analysis,
    /// Commits of evidence per practice (all of them, also those summarised away).
    counts: Vec<u32>,
    /// Evidence commits, all of them.
    commits: usize,
    key: Option<ScanKey>,
    scan: PointScan,
}

impl Made {
    /// The point, and what the next point derives from.
    fn point(self, spec: &points::PointSpec, date: String) -> (Point, Previous) {
        let Analysis { scan, report, .. } = self.analysis;
        let mut evidenced: Vec<bool> = self.counts.iter().map(|&n| n > 0).collect();
        for file in &scan.files {
            for &(p, _) in &file.practices {
                evidenced[p] = true;
            }
        }
        let mut diagnostics = DiagnosticCounts::default();
        for d in &report.diagnostics {
            match d.severity {
                Severity::Error => diagnostics.errors += 1,
                Severity::Warning => diagnostics.warnings += 1,
                Severity::Note => diagnostics.notes += 1,
            }
        }
        let point = Point {
            label: spec.label.clone(),
            boundary: spec.boundary.map(|b| b.to_string()),
            commit: spec.commit.to_string(),
            date,
            scan: self.scan,
            model: report.model,
            config: report.config,
            practices_evidenced: evidenced.iter().filter(|&&e| e).count(),
            evidence: EvidenceCounts {
                files: scan.files.len(),
                commits: self.commits,
            },
            diagnostics,
            process_areas: report.process_areas,
        };
        let summary = Summary {
            scan: Scan {
                commits: Vec::new(),
                ..scan
            },
            commit_counts: self.counts,
        };
        let previous = Previous {
            commit: spec.commit,
            key: self.key,
            summary,
            commits: self.commits,
            point: point.clone(),
        };
        (point, previous)
    }
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
            HistoryFormat::Table => out.write_all(text::table(history).as_bytes()).map_err(io),
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
