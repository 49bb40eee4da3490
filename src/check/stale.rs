//! With `freshness:` configured: evidence that head still has but that went stale since
//! base (it counted there, it does not now), told apart from evidence lost.

use std::collections::HashMap;

use super::Finding;
use crate::Analysis;
use crate::diag::{Code, Severity};

/// A warning per file or commit that is fresh evidence for a practice in base and stale
/// evidence for it in head (practices compared by id). Levels it lowers are reported by
/// `level-lowered` as ever.
pub(super) fn went_stale(base: &Analysis, head: &Analysis) -> Vec<Finding> {
    let Some(dates) = &head.dates else {
        return Vec::new();
    };
    let id = |a: &Analysis, p: usize| a.model.practices[p].id.clone();
    let fresh_in_base = |file, commit, practice: &str| fresh_in(base, file, commit, practice);
    let base_files: HashMap<&str, usize> = (base.scan.files.iter().enumerate())
        .map(|(i, f)| (f.path.as_str(), i))
        .collect();
    let base_commits = super::changes::commits_by_id(base);
    let mut out = Vec::new();
    for (f, hit) in head.scan.files.iter().enumerate() {
        for &(p, _) in &hit.practices {
            let Some(age) = dates.file_age(f, p).filter(|a| a.stale) else {
                continue;
            };
            let practice = id(head, p);
            if !fresh_in_base(base_files.get(hit.path.as_str()).copied(), None, &practice) {
                continue;
            }
            let mut finding = Finding::new(
                Severity::Warning,
                Code::EvidenceStale,
                format!(
                    "{} went stale as evidence for {practice}: {} days old (last changed {}; limit {}); it no longer counts",
                    hit.path, age.days, age.date, age.max_age
                ),
            );
            finding.diagnostic.path = Some(hit.path.clone());
            out.push(finding);
        }
    }
    for hit in &head.scan.commits {
        for &p in &hit.practices {
            let Some(age) = dates
                .age(Some((hit.time, &hit.date)), p)
                .filter(|a| a.stale)
            else {
                continue;
            };
            let practice = id(head, p);
            if !fresh_in_base(None, base_commits.get(hit.id.as_str()).copied(), &practice) {
                continue;
            }
            let mut finding = Finding::new(
                Severity::Warning,
                Code::EvidenceStale,
                format!(
                    "commit {} went stale as evidence for {practice}: {} days old ({}; limit {}); it no longer counts",
                    &hit.id[..hit.id.len().min(12)],
                    age.days,
                    age.date,
                    age.max_age
                ),
            );
            finding.diagnostic.commit = Some(hit.id.clone());
            out.push(finding);
        }
    }
    out
}

/// Whether base's file `file` (or commit `commit`) is fresh evidence there for the
/// practice whose id is `practice` (practices compared by id: the models may differ).
fn fresh_in(base: &Analysis, file: Option<usize>, commit: Option<usize>, practice: &str) -> bool {
    let Some(same) = base.model.practice(practice) else {
        return false;
    };
    let stale = |f: &dyn Fn(&crate::freshness::Dates) -> bool| base.dates.as_ref().is_some_and(f);
    match (file, commit) {
        (Some(f), _) => (base.scan.files[f].practices.iter())
            .any(|&(p, _)| p == same && !stale(&|d| d.file_stale(f, p))),
        (_, Some(c)) => {
            let hit = &base.scan.commits[c];
            (hit.practices.iter())
                .any(|&p| p == same && !stale(&|d| d.commit_stale(hit.time, &hit.date, p)))
        }
        _ => false,
    }
}
