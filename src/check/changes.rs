//! What changed between base and head: evidence lost, moved and added (files by path,
//! commits by id), and levels lowered and raised.

use std::collections::HashMap;

use super::{Finding, at_config};
use crate::Analysis;
use crate::diag::{Code, Severity};
use crate::evidence::{CommitHit, FileHit};
use crate::report::Report;

/// The practices a file or commit hit is evidence for, as ids, in model order.
fn ids(model: &crate::model::Model, practices: impl Iterator<Item = usize>) -> Vec<&str> {
    let mut v: Vec<usize> = practices.collect();
    v.sort_unstable();
    v.dedup();
    v.into_iter()
        .map(|p| model.practices[p].id.as_str())
        .collect()
}

/// `was` minus `is`, both sorted by model order.
fn minus<'a>(was: &[&'a str], is: &[&'a str]) -> Vec<&'a str> {
    was.iter().filter(|p| !is.contains(p)).copied().collect()
}

/// The index of each commit of a scan, by id.
pub(super) fn commits_by_id(a: &Analysis) -> HashMap<&str, usize> {
    a.scan
        .commits
        .iter()
        .enumerate()
        .map(|(n, c)| (c.id.as_str(), n))
        .collect()
}

/// Evidence lost, moved and added, from the two scans: files matched by path (both lists
/// are sorted by path), then files gone from one path paired with files new at another
/// (see [`super::moves`]), commits by id. Practices are compared by id, so two models that
/// differ still compare.
pub(super) fn evidence_changes(
    base: &Analysis,
    head: &Analysis,
    exists: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let (moves, rest) = super::moves::pair(changed_files(base, head));
    for m in &moves {
        out.push(super::moves::moved(m));
        out.extend(file_evidence_lost(
            m.from.path,
            &m.from.was,
            &m.to.is,
            exists,
        ));
        out.extend(file_evidence_added(m.to.path, &m.from.was, &m.to.is));
    }
    for c in &rest {
        out.extend(file_evidence_lost(c.path, &c.was, &c.is, exists));
        out.extend(file_evidence_added(c.path, &c.was, &c.is));
    }
    out.extend(commit_evidence_changes(base, head));
    out.extend(super::stale::went_stale(base, head));
    out
}

/// A path whose evidence may differ between the scans: the practices it is evidence for in
/// base and in head (empty where it is not evidence), and its blob in each (empty there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FileChange<'a> {
    /// The path.
    pub path: &'a str,
    /// Its blob id in base (empty where it is not evidence in base).
    pub was_blob: &'a str,
    /// Its blob id in head (empty where it is not evidence in head).
    pub is_blob: &'a str,
    /// The practices it is evidence for in base, model order.
    pub was: Vec<&'a str>,
    /// The practices it is evidence for in head, model order.
    pub is: Vec<&'a str>,
}

/// Every path that is evidence in base or head, by path, unless its blob and practices
/// are the same in both: one walk over the two lists, each sorted by path.
fn changed_files<'a>(base: &'a Analysis, head: &'a Analysis) -> Vec<FileChange<'a>> {
    let mut out = Vec::new();
    let (bf, hf) = (&base.scan.files, &head.scan.files);
    let was = |a: &'a FileHit| ids(&base.model, a.practices.iter().map(|x| x.0));
    let is = |b: &'a FileHit| ids(&head.model, b.practices.iter().map(|x| x.0));
    let (mut i, mut j) = (0, 0);
    while i < bf.len() || j < hf.len() {
        let order = match (bf.get(i), hf.get(j)) {
            (Some(a), Some(b)) => a.path.cmp(&b.path),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        let (a, b) = match order {
            std::cmp::Ordering::Less => (bf.get(i), None),
            std::cmp::Ordering::Greater => (None, hf.get(j)),
            std::cmp::Ordering::Equal => (bf.get(i), hf.get(j)),
        };
        i += usize::from(a.is_some());
        j += usize::from(b.is_some());
        if let (Some(a), Some(b)) = (a, b)
            && a.blob == b.blob
            && a.practices == b.practices
        {
            continue;
        }
        let Some(path) = a.or(b).map(|h| h.path.as_str()) else {
            break;
        };
        out.push(FileChange {
            path,
            was_blob: a.map_or("", |h| h.blob.as_str()),
            is_blob: b.map_or("", |h| h.blob.as_str()),
            was: a.map(was).unwrap_or_default(),
            is: b.map(is).unwrap_or_default(),
        });
    }
    out
}

/// An error when a file is no longer evidence for some practices, saying whether the file
/// is gone or its tag is.
pub(super) fn file_evidence_lost(
    path: &str,
    was: &[&str],
    is: &[&str],
    exists: &dyn Fn(&str) -> bool,
) -> Option<Finding> {
    let lost = minus(was, is);
    if lost.is_empty() {
        return None;
    }
    let why = if exists(path) {
        "its tag was removed or made invalid"
    } else {
        "the file was deleted, moved or ignored"
    };
    let mut f = Finding::new(
        Severity::Error,
        Code::EvidenceLost,
        format!(
            "{path} is no longer evidence for {}: {why}",
            lost.join(", ")
        ),
    );
    f.diagnostic.path = Some(path.to_string());
    Some(f)
}

/// A note when a file is new evidence for some practices.
fn file_evidence_added(path: &str, was: &[&str], is: &[&str]) -> Option<Finding> {
    let added = minus(is, was);
    if added.is_empty() {
        return None;
    }
    let mut f = Finding::new(
        Severity::Note,
        Code::EvidenceAdded,
        format!("{path} is new evidence for {}", added.join(", ")),
    );
    f.diagnostic.path = Some(path.to_string());
    Some(f)
}

/// Commit evidence lost (base commits, in base order, that head no longer has as evidence
/// for some practices), then added (head commits, in head order).
fn commit_evidence_changes(base: &Analysis, head: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    let (in_base, in_head) = (commits_by_id(base), commits_by_id(head));
    for (side, other, this, lost) in [(base, &in_head, head, true), (head, &in_base, base, false)] {
        for c in &side.scan.commits {
            let is: Vec<&str> = match other.get(c.id.as_str()) {
                Some(&n) => ids(&this.model, this.scan.commits[n].practices.iter().copied()),
                None => Vec::new(),
            };
            let was = ids(&side.model, c.practices.iter().copied());
            let changed = minus(&was, &is);
            if changed.is_empty() {
                continue;
            }
            let mut f = if lost {
                commit_evidence_lost(c, &changed)
            } else {
                commit_evidence_added(c, &changed)
            };
            f.diagnostic.commit = Some(c.id.clone());
            out.push(f);
        }
    }
    out
}

/// An error for a base commit that is no longer evidence for `lost`: history was rewritten.
fn commit_evidence_lost(c: &CommitHit, lost: &[&str]) -> Finding {
    let mut f = Finding::new(
        Severity::Error,
        Code::EvidenceLost,
        format!(
            "commit {} \"{}\" is no longer evidence for {}: it is not reachable from head (rebased, squashed or dropped)",
            short_id(&c.id),
            c.subject,
            lost.join(", ")
        ),
    );
    f.diagnostic.suggestion =
        Some("keep the `Practice:` trailers when rewriting history, or tag the new commit".into());
    f
}

/// A note for a head commit that is new evidence for `added`.
fn commit_evidence_added(c: &CommitHit, added: &[&str]) -> Finding {
    Finding::new(
        Severity::Note,
        Code::EvidenceAdded,
        format!(
            "commit {} \"{}\" is new evidence for {}",
            short_id(&c.id),
            c.subject,
            added.join(", ")
        ),
    )
}

/// The first 12 characters of a commit id, as messages show it.
fn short_id(id: &str) -> &str {
    &id[..id.len().min(12)]
}

/// Levels lowered (errors) and raised (notes), for areas rated in both revisions: an
/// area declared not applicable (or back in scope) has no level to compare, and that
/// change is in the reviewed configuration.
pub(super) fn level_changes(base: &Report, head: &Report) -> Vec<Finding> {
    let before: HashMap<&str, u8> = base
        .process_areas
        .iter()
        .filter_map(|a| Some((a.id.as_str(), a.achieved_level?)))
        .collect();
    let mut out = Vec::new();
    for a in &head.process_areas {
        let (Some(&was), Some(is)) = (before.get(a.id.as_str()), a.achieved_level) else {
            continue;
        };
        let f = if is < was {
            let missing: Vec<&str> = a
                .levels
                .iter()
                .filter(|l| l.level <= was)
                .flat_map(|l| l.missing.iter().map(String::as_str))
                .take(8)
                .collect();
            Finding::new(
                Severity::Error,
                Code::LevelLowered,
                format!(
                    "{} ({}) fell from level {was} to level {}: no evidence left for {}",
                    a.id,
                    a.title,
                    is,
                    missing.join(", ")
                ),
            )
        } else if is > was {
            Finding::new(
                Severity::Note,
                Code::LevelRaised,
                format!("{} ({}) rose from level {was} to level {is}", a.id, a.title),
            )
        } else {
            continue;
        };
        out.push(at_config(f, &head.config));
    }
    out
}
