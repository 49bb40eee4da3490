//! Raw tags (text with a position) against the model: the practices they evidence, or a
//! diagnostic each.

use crate::diag::{Code, Diagnostic, Severity};
use crate::id;
use crate::model::Model;

/// A tag as written, with its 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawTag {
    /// The text.
    pub text: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// Where the tags come from, to locate diagnostics.
#[derive(Debug, Clone, Copy)]
pub enum Origin<'a> {
    /// A file's front matter.
    File(&'a str),
    /// A commit's trailers.
    Commit(&'a str),
}

impl Origin<'_> {
    /// A diagnostic at a position of this file or commit message.
    pub fn at(
        &self,
        severity: Severity,
        code: Code,
        message: String,
        line: u32,
        column: u32,
    ) -> Diagnostic {
        match *self {
            Origin::File(path) => {
                Diagnostic::in_file(severity, code, message, path, Some(line), Some(column))
            }
            Origin::Commit(commit) => {
                Diagnostic::in_commit(severity, code, message, commit, line, column)
            }
        }
    }

    fn diagnostic(&self, problem: id::IdProblem, line: u32, column: u32) -> Diagnostic {
        let mut d = self.at(Severity::Error, problem.code, problem.message, line, column);
        d.suggestion = problem.suggestion;
        d
    }
}

/// Keeps at most `max` tags; when there were more, warns at the first one left out.
pub fn limit_tags(
    tags: &mut Vec<RawTag>,
    max: usize,
    origin: Origin<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if let Some(first_cut) = tags.get(max) {
        diagnostics.push(origin.at(
            Severity::Warning,
            Code::TooManyIds,
            format!("more than {max} ids, the limit: the ones from here on are not read"),
            first_cut.line,
            first_cut.column,
        ));
        tags.truncate(max);
    }
}

/// Resolves tags, scoped by `areas` (a `process_areas` key), into `(practice, line)` pairs
/// (each practice once, at its first line) and pushes a diagnostic per bad tag or area.
pub fn resolve_tags(
    model: &Model,
    origin: Origin<'_>,
    tags: &[RawTag],
    areas: &[RawTag],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(usize, u32)> {
    let mut scope = Vec::new();
    for area in areas {
        match id::resolve_area(model, area.text.trim()) {
            Ok(n) => scope.push(n),
            Err(p) => diagnostics.push(origin.diagnostic(p, area.line, area.column)),
        }
    }
    let mut out: Vec<(usize, u32)> = Vec::new();
    let mut seen = vec![
        false;
        if tags.is_empty() {
            0
        } else {
            model.practices.len()
        }
    ];
    for tag in tags {
        match id::resolve(model, tag.text.trim(), &scope) {
            Ok(practices) => {
                for p in practices {
                    if !std::mem::replace(&mut seen[p], true) {
                        out.push((p, tag.line));
                    }
                }
            }
            Err(problem) => diagnostics.push(origin.diagnostic(problem, tag.line, tag.column)),
        }
    }
    out
}
