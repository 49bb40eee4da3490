//! The freshness stage of an analysis (only when `freshness:` is configured): the date of
//! every evidence file from one last-commit walk of the history, which evidence still
//! counts, and the ages and `stale-evidence` warnings of the report.

use std::collections::HashMap;

use jiff::Timestamp;

use crate::cache::Cache;
use crate::evidence::{ObjectId, Scan};
use crate::freshness::{Dates, Limits, Reference};
use crate::graph::{EvidenceGraph, Node};
use crate::model::Model;
use crate::report::{EvidenceReport, FreshnessInfo, Report};
use crate::source::SourceError;
use crate::source::git::history::LastChange;
use crate::source::git::{GitSource, Repo};

/// The last commit of each of `paths` from `start` (see `Repo::last_commits`), from the
/// walk the cache remembers for an earlier commit when there is one (only the commits
/// since are read), and remembered in turn for the next run.
pub fn last_commits(
    repo: &Repo,
    cache: Option<&Cache>,
    start: ObjectId,
    paths: &[&str],
) -> Result<HashMap<String, LastChange>, SourceError> {
    let Some(cache) = cache else {
        return repo.last_commits(start, paths);
    };
    let prior = cache.remembered_last_commits().into_iter().find_map(|c| {
        let known: HashMap<String, LastChange> = cache.load_last_commits(&c)?;
        Some((ObjectId::from_hex(&c)?, known))
    });
    let found = match &prior {
        Some((prior, known)) => repo.last_commits_since(start, paths, *prior, known)?,
        None => repo.last_commits(start, paths)?,
    };
    cache.store_last_commits(&start.to_string(), &found);
    Ok(found)
}

/// The dates of a scan's evidence files and the reference date (the scanned commit's
/// committer date, else `as_of`), and the last commits found on the way (the matrix shows
/// them). A file whose content has no commit yet (edited in the working tree) gets none.
pub fn dates(
    source: &GitSource,
    scan: &Scan,
    limits: Limits,
    as_of: Option<Timestamp>,
    cache: Option<&Cache>,
) -> Result<(Dates, HashMap<String, LastChange>), SourceError> {
    let commit = scan.source.commit.as_deref().and_then(ObjectId::from_hex);
    let (committed, last) = match commit {
        Some(start) => {
            let repo = source.repo()?;
            let info = repo.commit_info(start)?;
            let mut paths: Vec<&str> = scan
                .files
                .iter()
                .filter(|f| !f.practices.is_empty())
                .map(|f| f.path.as_str())
                .collect();
            paths.sort_unstable();
            paths.dedup();
            let last = last_commits(&repo, cache, start, &paths)?;
            (Timestamp::from_second(info.commit_time).ok(), last)
        }
        None => (None, HashMap::new()),
    };
    // An empty repository has no commit to date from: its files are all uncommitted, so
    // every age is zero whatever the reference.
    let reference = as_of.or(committed).unwrap_or_else(Timestamp::now);
    let files = scan
        .files
        .iter()
        .map(|f| {
            let change = last.get(&f.path).filter(|c| c.blob == f.blob)?;
            let made: Timestamp = change.commit.date.parse().ok()?;
            Some((made.as_second(), change.commit.date.clone()))
        })
        .collect();
    let dates = Dates {
        reference: Reference(reference),
        as_of: reference.to_string(),
        files,
        limits,
    };
    Ok((dates, last))
}

/// Whether practice `p` has evidence that is not stale.
pub fn has_fresh_evidence(dates: &Dates, graph: &EvidenceGraph, scan: &Scan, p: usize) -> bool {
    graph.evidence_for(p).any(|node| match node {
        Node::Artifact(f) => !dates.file_stale(f, p),
        Node::Commit(c) => {
            let hit = &scan.commits[c];
            !dates.commit_stale(hit.time, &hit.date, p)
        }
        _ => false,
    })
}

/// Writes each piece of evidence's age into the report, its reference date, and a
/// `stale-evidence` warning per piece of stale evidence.
pub fn annotate(report: &mut Report, dates: &Dates, model: &Model, scan: &Scan) {
    let files: HashMap<&str, usize> = scan
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.as_str(), i))
        .collect();
    let commits: HashMap<&str, (i64, &str)> = scan
        .commits
        .iter()
        .map(|c| (c.id.as_str(), (c.time, c.date.as_str())))
        .collect();
    for practice in &mut report.practices {
        let Some(p) = model.practice(&practice.id) else {
            continue;
        };
        for evidence in &mut practice.evidence {
            match evidence {
                EvidenceReport::File {
                    path, freshness, ..
                } => {
                    *freshness = files.get(path.as_str()).and_then(|&f| dates.file_age(f, p));
                }
                EvidenceReport::Commit {
                    commit, freshness, ..
                } => {
                    *freshness = commits
                        .get(commit.as_str())
                        .and_then(|&(time, date)| dates.age(Some((time, date)), p));
                }
            }
        }
    }
    report.diagnostics.extend(dates.diagnostics(model, scan));
    report
        .diagnostics
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    report.freshness = Some(FreshnessInfo {
        as_of: dates.as_of.clone(),
    });
}
