//! What a partial clone's filter left out, as one diagnostic per scan: never an error per
//! file, and never evidence silently lost.

use crate::diag::{Code, Diagnostic, Severity};
use crate::source::Source;

/// How many paths the diagnostic names.
const SHOWN: usize = 5;

/// The per-file `objects-absent` diagnostics of a scan and the folders `source` could not
/// list, folded into one: the count, the first paths, the revision, and the command that
/// fetches them. Nothing when nothing is absent. Returns the absent paths, folders (`path/`)
/// and files, sorted.
pub(super) fn fold(source: &dyn Source, diagnostics: &mut Vec<Diagnostic>) -> Vec<String> {
    let mut files: Vec<String> = Vec::new();
    diagnostics.retain(|d| match (d.code, &d.path) {
        (Code::ObjectsAbsent, Some(path)) => {
            files.push(path.clone());
            false
        }
        _ => true,
    });
    let folders = source.absent_folders();
    if files.is_empty() && folders.is_empty() {
        return Vec::new();
    }
    files.sort();
    files.dedup();
    let fetch = source.absent_fetch();
    let revision = match fetch.as_ref().map(|(rev, _)| rev.as_str()) {
        Some("HEAD") | None => "the index".to_string(),
        Some(rev) => format!("revision {}", &rev[..rev.len().min(12)]),
    };
    let message = if folders.iter().any(String::is_empty) {
        format!(
            "the tree of {revision} is not in this partial clone (its filter left it out): no file could be listed, so its evidence is not known"
        )
    } else {
        let count = |n: usize, what: &str| match n {
            0 => None,
            1 => Some(format!("1 {what}")),
            n => Some(format!("{n} {what}s")),
        };
        let what: Vec<String> = [count(files.len(), "file"), count(folders.len(), "folder")]
            .into_iter()
            .flatten()
            .collect();
        let mut paths: Vec<&str> = folders.iter().chain(&files).map(String::as_str).collect();
        let more = paths.len().saturating_sub(SHOWN);
        paths.truncate(SHOWN);
        let more = if more > 0 {
            format!(", and {more} more")
        } else {
            String::new()
        };
        format!(
            "{} of {revision} are not in this partial clone (its filter left them out), so their evidence is not known: {}{more}",
            what.join(" and "),
            paths.join(", ")
        )
    };
    diagnostics.push(Diagnostic {
        suggestion: fetch.map(|(_, command)| command),
        ..Diagnostic::new(Severity::Error, Code::ObjectsAbsent, message)
    });
    let mut absent = folders;
    absent.extend(files);
    absent.sort();
    absent
}

/// Whether `path` is one of `absent` or below one of its folders (see [`Scan::absent`]).
///
/// [`Scan::absent`]: crate::evidence::Scan::absent
pub fn is_absent(absent: &[String], path: &str) -> bool {
    absent
        .iter()
        .any(|a| a == path || ((a.is_empty() || a.ends_with('/')) && path.starts_with(a.as_str())))
}

/// Whether a scan saw everything it was asked to: no object was absent. A scan that was
/// not is never remembered as a revision's summary or report (fetching the objects must
/// change the result).
pub fn complete(diagnostics: &[Diagnostic]) -> bool {
    !diagnostics.iter().any(|d| d.code == Code::ObjectsAbsent)
}
