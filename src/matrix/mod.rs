//! The evidence matrix for auditors (`practrace matrix`): every practice of the model in
//! model order, each piece of evidence with where it is and who made it when, the
//! capability level of each process area, stamped with the commit and model it describes.
//!
//! [`stamp`] adds to an analysis' report what only the matrix shows (the last commit that
//! touched each evidence file, the commit date); [`Matrix::build`] turns the report into
//! the view that every renderer reads — one file per format: [`html`], [`csv`],
//! [`markdown`], `xlsx` (cargo feature `xlsx`), and JSON is the report itself; [`oscal`]
//! writes OSCAL assessment results and their plan straight from the report. Renderers
//! never recompute, and no wall-clock time enters any output unless asked for, so the
//! same revision gives the same bytes.

pub mod csv;
pub mod html;
pub mod html_data;
pub mod markdown;
pub mod oscal;
mod view;
#[cfg(feature = "xlsx")]
pub mod xlsx;

pub use view::{
    AreaView, COLUMNS, Cell, EvidenceRow, FlatRow, Group, Header, LEVEL_COLUMN, LINE_COLUMN,
    LevelHead, LevelState, Matrix, PracticeView,
};

use crate::diag::Diagnostic;
use crate::evidence::ObjectId;

use crate::report::{CommitRef, EvidenceReport, MatrixInfo};
use crate::source::SourceError;
use crate::source::git::Repo;

/// Why a matrix could not be made.
#[derive(Debug, thiserror::Error)]
pub enum MatrixError {
    /// Reading the history for the last commits failed.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The HTML template failed (a defect of the template, not of the input).
    #[error("HTML template: {0}")]
    Template(String),
    /// Packing the HTML page's data failed.
    #[error("HTML page data: {0}")]
    PageData(String),
    /// Writing CSV failed.
    #[error("CSV: {0}")]
    Csv(String),
    /// Writing XLSX failed.
    #[error("XLSX: {0}")]
    Xlsx(String),
    /// Writing the output failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// An output format of `practrace matrix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatrixFormat {
    /// One self-contained HTML page with a heat map, drill-down and a filter box.
    Html,
    /// An Excel workbook: Summary, Matrix, Gaps, Diagnostics.
    Xlsx,
    /// RFC 4180 CSV, one row per practice and piece of evidence.
    Csv,
    /// GitHub-flavoured Markdown.
    Markdown,
    /// The JSON report (`schemas/report.schema.json`) with the matrix's fields.
    Json,
    /// OSCAL 1.1.2 assessment results ([`oscal`]), importing the plan of `OscalPlan`.
    Oscal,
    /// The minimal OSCAL 1.1.2 assessment plan the `Oscal` results import.
    OscalPlan,
}

impl MatrixFormat {
    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            MatrixFormat::Html => "html",
            MatrixFormat::Xlsx => "xlsx",
            MatrixFormat::Csv => "csv",
            MatrixFormat::Markdown => "markdown",
            MatrixFormat::Json => "json",
            MatrixFormat::Oscal => "oscal",
            MatrixFormat::OscalPlan => "oscal-plan",
        }
    }
}

/// Adds to `analysis.report` what only the matrix shows: for each evidence file, the last
/// commit that changed it to its scanned content (one walk of the history from the scanned
/// commit; for a working tree, from HEAD: uncommitted files get none), the scanned
/// commit's date, the repository's name for the stamp (`repository`: its folder's, where
/// the report's `source.repo` is the path as given) and, when given, the time the matrix
/// was made (`generated`, RFC 3339).
pub fn stamp(
    analysis: &mut crate::Analysis,
    repo: &Repo,
    generated: Option<String>,
    repository: String,
) -> Result<(), MatrixError> {
    let mut last_commits = analysis.last_commits.take();
    let cache = &analysis.cache;
    let report = &mut analysis.report;
    let start = report.source.commit.as_deref().and_then(ObjectId::from_hex);
    let mut info = MatrixInfo {
        commit_date: None,
        generated,
        worktree_changes: None,
        repository: Some(repository),
    };
    if let Some(start) = start {
        info.commit_date = Some(repo.commit_info(start)?.commit_date);
        let mut paths: Vec<&str> = report
            .practices
            .iter()
            .flat_map(|p| &p.evidence)
            .filter_map(|e| match e {
                EvidenceReport::File { path, .. } => Some(path.as_str()),
                EvidenceReport::Commit { .. } => None,
            })
            .collect();
        paths.sort_unstable();
        paths.dedup();
        // The freshness stage walked the same paths from the same commit already.
        let found = match last_commits.take() {
            Some(found) => found,
            None => crate::ageing::last_commits(repo, cache.as_ref(), start, &paths)?,
        };
        if report.source.worktree {
            info.worktree_changes = Some(worktree_changes(report, &found));
        }
        for practice in &mut report.practices {
            for evidence in &mut practice.evidence {
                if let EvidenceReport::File {
                    path,
                    blob,
                    last_commit,
                    ..
                } = evidence
                    && let Some(c) = found.get(path.as_str())
                    // A working-tree file edited since: its content has no commit yet.
                    && c.blob == *blob
                {
                    *last_commit = Some(CommitRef::from(&c.commit));
                }
            }
        }
    }
    report.matrix = Some(info);
    Ok(())
}

impl crate::report::Render<crate::pipeline::Analysis> for MatrixFormat {
    type Error = MatrixError;
    /// The matrix of an analysis, after [`stamp`].
    fn render(
        &self,
        analysis: &crate::pipeline::Analysis,
        out: &mut dyn std::io::Write,
    ) -> Result<(), MatrixError> {
        write(analysis, *self, out)
    }
}

/// How a working tree's evidence files differ from HEAD, from the blob each has at HEAD
/// (`at_head`: the paths HEAD has).
fn worktree_changes(
    report: &crate::report::Report,
    at_head: &std::collections::HashMap<String, crate::source::git::history::LastChange>,
) -> crate::report::WorktreeChanges {
    let mut files: Vec<(&str, &str)> = report
        .practices
        .iter()
        .flat_map(|p| &p.evidence)
        .filter_map(|e| match e {
            EvidenceReport::File { path, blob, .. } => Some((path.as_str(), blob.as_str())),
            EvidenceReport::Commit { .. } => None,
        })
        .collect();
    files.sort_unstable();
    files.dedup();
    let mut changes = crate::report::WorktreeChanges::default();
    for (path, blob) in files {
        match at_head.get(path) {
            None => changes.uncommitted += 1,
            Some(c) if c.blob != blob => changes.modified += 1,
            Some(_) => {}
        }
    }
    changes
}

/// Writes the matrix of an analysis (after [`stamp`]) in `format`.
pub fn write(
    analysis: &crate::Analysis,
    format: MatrixFormat,
    out: &mut dyn std::io::Write,
) -> Result<(), MatrixError> {
    match format {
        MatrixFormat::Json => return Ok(analysis.report.write_json(out)?),
        MatrixFormat::Oscal => {
            return Ok(oscal::write_results(
                &analysis.report,
                oscal::DEFAULT_PLAN_HREF,
                out,
            )?);
        }
        MatrixFormat::OscalPlan => return Ok(oscal::write_plan(&analysis.report, out)?),
        _ => {}
    }
    let matrix = Matrix::build(&analysis.report, &analysis.model);
    match format {
        MatrixFormat::Html => html::write(&matrix, out),
        MatrixFormat::Csv => csv::write(&matrix, out),
        MatrixFormat::Markdown => markdown::write(&matrix, out),
        #[cfg(feature = "xlsx")]
        MatrixFormat::Xlsx => xlsx::write(&matrix, out),
        #[cfg(not(feature = "xlsx"))]
        MatrixFormat::Xlsx => Err(MatrixError::Xlsx(
            "this build has no XLSX support (cargo feature `xlsx`)".into(),
        )),
        MatrixFormat::Json | MatrixFormat::Oscal | MatrixFormat::OscalPlan => Ok(()),
    }
}

/// Neutralises a cell for spreadsheets (formula injection): text that begins with `=`,
/// `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so no spreadsheet reads
/// it as a formula. Used by CSV, XLSX and Markdown alike.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// A diagnostic as four cells: severity, code, where (path:line:column or commit), message
/// (with its suggestion).
pub fn diagnostic_cells(d: &Diagnostic) -> Vec<String> {
    let place = match (&d.path, &d.commit) {
        (Some(p), _) => match (d.line, d.column) {
            (Some(l), Some(c)) => format!("{p}:{l}:{c}"),
            (Some(l), None) => format!("{p}:{l}"),
            _ => p.clone(),
        },
        (None, Some(c)) => format!("commit {c}"),
        (None, None) => String::new(),
    };
    let mut message = d.message.clone();
    if let Some(s) = &d.suggestion {
        message.push_str(&format!(" (did you mean {s}?)"));
    }
    vec![
        format!("{:?}", d.severity).to_lowercase(),
        d.code.as_str().to_string(),
        place,
        message,
    ]
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formula_starts_are_neutralised_and_nothing_else() {
        for bad in [
            "=1+1",
            "+1",
            "-1",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "=HYPERLINK(\"http://x\")",
        ] {
            assert_eq!(neutralise(bad), format!("'{bad}"));
        }
        for fine in ["docs/a.md", "", "a=b", " =x", "'=x", "BP.05.02"] {
            assert_eq!(neutralise(fine), fine);
        }
    }
}
