//! The inputs of a roll-up: which files are reports, and each report reduced to its row.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::{AreaCell, AreaHead, AreaState, ConfigStamp, MergeError, ModelStamp, RepositoryRow};
use crate::diag::Severity;
use crate::report::read::{AreaIn, EvidenceIn, NotAReport, ReportIn};

/// The report files named by `inputs`, sorted by path, each once: a file as named, a folder
/// for every `*.json` file below it (symlinked folders not followed).
pub(super) fn report_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, MergeError> {
    let mut files = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|source| MergeError::Read {
            path: input.display().to_string(),
            source,
        })?;
        if meta.is_dir() {
            json_files_below(input, &mut files)?;
        } else {
            files.push(input.clone());
        }
    }
    files.sort_unstable();
    files.dedup();
    Ok(files)
}

/// Every `*.json` file below `dir`, depth first.
fn json_files_below(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), MergeError> {
    let read_error = |source| MergeError::Read {
        path: dir.display().to_string(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let entry = entry.map_err(read_error)?;
        let path = entry.path();
        let kind = entry.file_type().map_err(read_error)?;
        if kind.is_dir() {
            json_files_below(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads the report at `path` and reduces it to its row; the report itself is dropped.
pub(super) fn repository_row(path: &Path) -> Result<RepositoryRow, MergeError> {
    let shown = path.display().to_string();
    let json = crate::files::read_bounded(path, crate::files::MAX_REPORT).map_err(|source| {
        MergeError::Read {
            path: shown.clone(),
            source,
        }
    })?;
    let report = crate::report::read::parse(&json, &shown)?;
    drop(json);
    Ok(row(report, shown)?)
}

/// The error for a field the report schema requires and `file` lacks.
fn missing(field: &str, file: &str) -> NotAReport {
    NotAReport {
        path: file.to_string(),
        message: format!("no \"{field}\" (the report schema requires it)"),
    }
}

/// A field the report schema requires, or the error that names it.
fn required<T>(value: Option<T>, field: &str, file: &str) -> Result<T, NotAReport> {
    value.ok_or_else(|| missing(field, file))
}

/// The row of a report that [`crate::report::read::parse`] accepted, when it has every
/// field the report schema requires.
fn row(report: ReportIn, file: String) -> Result<RepositoryRow, NotAReport> {
    let need = |field: &str| missing(field, &file);
    let model = report.model.ok_or_else(|| need("model"))?;
    let model = ModelStamp {
        id: required(model.id, "model.id", &file)?,
        title: required(model.title, "model.title", &file)?,
        digest: required(model.digest, "model.digest", &file)?,
    };
    let config = report.config.ok_or_else(|| need("config"))?;
    let diagnostics = report.diagnostics.ok_or_else(|| need("diagnostics"))?;
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    let (mut heads, mut areas) = (Vec::new(), Vec::new());
    for area in report.process_areas.ok_or_else(|| need("process_areas"))? {
        let (head, cell) = area_cell(area, &file)?;
        heads.push(head);
        areas.push(cell);
    }
    let (evidence_files, evidence_commits) = evidence_counts(&report.practices);
    let source = report.source;
    let given = required(source.repo, "source.repo", &file)?;
    Ok(RepositoryRow {
        repository: repository_name(given, &file),
        revision: source.rev,
        commit: source.commit,
        commit_date: report.matrix.and_then(|m| m.commit_date),
        worktree: required(source.worktree, "source.worktree", &file)?,
        shallow: required(source.shallow, "source.shallow", &file)?,
        commits_scanned: required(source.commits_scanned, "source.commits_scanned", &file)?,
        tool_version: required(report.tool.version, "tool.version", &file)?,
        config: ConfigStamp {
            path: config.path,
            blob: config.blob,
            options: config.options,
        },
        evidence_files,
        evidence_commits,
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        duplicate: false,
        areas,
        model,
        heads,
        file,
    })
}

/// A process area of a report: its heading and its cell.
fn area_cell(area: AreaIn, file: &str) -> Result<(AreaHead, AreaCell), NotAReport> {
    let id = required(area.id, "process_areas[].id", file)?;
    let field = |name: &str| format!("process_areas[{id}].{name}");
    let applicable = required(area.applicable, &field("applicable"), file)?;
    let target_level = required(area.target_level, &field("target_level"), file)?;
    let achieved_level = match (applicable, area.achieved_level) {
        (true, None) => return Err(missing(&field("achieved_level"), file)),
        (true, level) => level,
        // An area that is not rated has no level, whatever the file says.
        (false, _) => None,
    };
    let state = match achieved_level {
        None => AreaState::NotRated,
        Some(_) if target_level == 0 => AreaState::TrackOnly,
        Some(level) if level >= target_level => AreaState::Meets,
        Some(_) => AreaState::Below,
    };
    let cell = AreaCell {
        id: id.clone(),
        state,
        achieved_level,
        target_level,
        base_practices_evidenced: required(
            area.base_practices_evidenced,
            &field("base_practices_evidenced"),
            file,
        )?,
        base_practices_in_scope: required(
            area.base_practices_in_scope,
            &field("base_practices_in_scope"),
            file,
        )?,
    };
    let title = required(area.title, &field("title"), file)?;
    Ok((AreaHead { id, title }, cell))
}

/// Distinct evidence files and commits.
fn evidence_counts(practices: &[crate::report::read::PracticeIn]) -> (usize, usize) {
    let mut files = HashSet::new();
    let mut commits = HashSet::new();
    for e in practices.iter().flat_map(|p| &p.evidence) {
        match e {
            EvidenceIn::File { path, .. } => files.insert(path.as_str()),
            EvidenceIn::Commit { commit } => commits.insert(commit.as_str()),
        };
    }
    (files.len(), commits.len())
}

/// How a repository is named in the roll-up: the path its report was made with, unless that
/// path has no name of its own (`--repo .`, as CI jobs run it from their checkout): then
/// the report file's name (`payments.json`: `payments`).
fn repository_name(given: String, file: &str) -> String {
    if std::path::Path::new(&given).file_name().is_some() {
        return given;
    }
    match std::path::Path::new(file).file_stem() {
        Some(stem) => stem.to_string_lossy().into_owned(),
        None => given,
    }
}
