//! `matrix --format json` at a revision, derived from a remembered matrix of an ancestor,
//! as `status --format json` is from a remembered report: the files that changed and the
//! commits in between are read, the last commits of the evidence files those commits
//! touched are found among those commits only, and only the practices whose evidence or
//! last commits changed are printed anew; the others are copied from the remembered bytes.
//!
//! A file's last commit can change without its content changing (a commit that changes it
//! and one that changes it back): the paths are those the new commits touched, not only
//! those whose blob differs (see `Repo::changes_since`).

use std::collections::{HashMap, HashSet};

use super::{Derived, Plan, plan};
use crate::cache::{self, Remembered, ReportHead};
use crate::evidence::{ObjectId, Summary};
use crate::pipeline::{Analysis, AnalysisError, Request, configure, rate};
use crate::report::{self, CommitRef, EvidenceReport, MatrixInfo, PracticeReport};
use crate::scan;
use crate::source::Source;
use crate::source::git::GitSource;
use crate::source::git::history::LastChange;

/// Starts remembering a full matrix, before its scan is released: the head (the scan
/// summarised) is written to the cache now and dropped, so that the history walk does not
/// hold it; the practices follow through [`write_matrix_json`]. `None` when it is not to be
/// remembered (no cache, a working tree, a scan that missed objects, freshness configured:
/// ages move with every commit).
pub fn matrix_writer(analysis: &Analysis, request: &Request) -> Option<cache::ReportWriter> {
    let remember = request.use_cache
        && !analysis.report.source.worktree
        && analysis.report.freshness.is_none()
        && scan::complete(&analysis.scan.diagnostics);
    let (Some(cache), Some(commit), true) = (
        analysis.cache.as_ref(),
        analysis.report.source.commit.as_deref(),
        remember,
    ) else {
        return None;
    };
    let head = ReportHead {
        summary: Summary::of(&analysis.scan, analysis.model.practices.len()),
        config: analysis.report.config.clone(),
    };
    let count = analysis.report.practices.len();
    cache.report_writer(Remembered::Matrix, commit, &head, count)
}

/// Writes a full matrix as JSON and, with `writer` (see [`matrix_writer`]), remembers it
/// practice by practice, so that a later run on a descendant can be derived from it.
pub fn write_matrix_json(
    analysis: &Analysis,
    writer: Option<cache::ReportWriter>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    super::write_remembering(&analysis.report, writer, out)
}

/// A matrix derived from a remembered one, ready to be written.
pub struct DerivedMatrix {
    derived: Derived,
    cache: cache::Cache,
    remember_after: usize,
}

/// `matrix --format json` of `request`'s revision derived from a remembered matrix of an
/// ancestor, when one applies (the same configuration and model, no freshness, the new
/// commits all after it in git log's order); `None` otherwise: run the full matrix then.
pub fn derive_matrix_json(
    request: &Request,
    generated: Option<String>,
) -> Result<Option<DerivedMatrix>, AnalysisError> {
    let Some(rev) = request.rev.as_deref().filter(|_| request.use_cache) else {
        return Ok(None);
    };
    let source = GitSource::open(&request.repo, Some(rev))?;
    let configured = configure(&source, request)?;
    if configured.policy.freshness.is_some() {
        return Ok(None);
    }
    let Some(cache) = request.cache(&source, &configured) else {
        return Ok(None);
    };
    let Some(head) = source.info().commit.as_deref().and_then(ObjectId::from_hex) else {
        return Ok(None);
    };
    for commit in cache.remembered_reports(Remembered::Matrix) {
        let (Some(base), Some(base_commit)) = (
            cache.load_report(Remembered::Matrix, &commit),
            ObjectId::from_hex(&commit),
        ) else {
            continue;
        };
        let Some(mut plan) = plan(&source, &configured, &base, &commit)? else {
            continue;
        };
        let repo = source.repo()?;
        let paths = evidence_paths(&plan);
        let Some(touched) = repo.changes_since(head, &paths, base_commit)? else {
            continue;
        };
        let Some(rebuilt) = restamp(&mut plan, &base, &touched) else {
            continue;
        };
        if std::env::var_os("PRACTRACE_TIMINGS").is_some() {
            eprintln!(
                "practrace timings: matrix derived from {commit}: {} practices printed anew",
                rebuilt.len()
            );
        }
        let Plan {
            scan,
            changed,
            counts,
            ..
        } = plan;
        let mut analysis = rate(configured, scan, &counts, None, true);
        analysis.report.matrix = Some(MatrixInfo {
            commit_date: Some(repo.commit_info(head)?.commit_date),
            generated,
            worktree_changes: None,
            repository: None,
        });
        let derived = Derived {
            analysis,
            base,
            rebuilt,
            counts,
            changed: changed.len(),
        };
        return Ok(Some(DerivedMatrix {
            derived,
            cache,
            remember_after: request.remember_after,
        }));
    }
    Ok(None)
}

/// The paths of the files that are evidence at the head of `plan`, sorted.
fn evidence_paths(plan: &Plan) -> Vec<&str> {
    plan.scan
        .files
        .iter()
        .filter(|f| !f.practices.is_empty())
        .map(|f| f.path.as_str())
        .collect()
}

/// The practices to print anew, as JSON: those whose evidence changed (`plan.rebuilt`) and
/// those with evidence files whose last commit is one of the new commits (`touched`), each
/// file's last commit set from `touched`. `None` when an evidence file that changed has no
/// last commit among the new commits (the derivation does not hold: run in full).
fn restamp(
    plan: &mut Plan,
    base: &cache::RememberedReport,
    touched: &HashMap<String, LastChange>,
) -> Option<HashMap<usize, Vec<u8>>> {
    let mut rebuilt = std::mem::take(&mut plan.rebuilt);
    let changed: HashSet<&str> = plan.changed.iter().map(String::as_str).collect();
    let mut practices: Vec<usize> = rebuilt.keys().copied().collect();
    for f in &plan.scan.files {
        if touched.contains_key(&f.path) {
            practices.extend(f.practices.iter().map(|&(p, _)| p));
        }
    }
    practices.sort_unstable();
    practices.dedup();
    let mut out = HashMap::new();
    for i in practices {
        let mut practice: PracticeReport = match rebuilt.remove(&i) {
            Some(p) => p,
            None => serde_json::from_slice(base.practice(i)).ok()?,
        };
        for evidence in &mut practice.evidence {
            let EvidenceReport::File {
                path,
                blob,
                last_commit,
                ..
            } = evidence
            else {
                continue;
            };
            match touched.get(path.as_str()) {
                Some(change) if change.blob == *blob => {
                    *last_commit = Some(CommitRef::from(&change.commit));
                }
                _ if changed.contains(path.as_str()) => return None,
                _ => {}
            }
        }
        out.insert(i, report::practice_fragment(&practice));
    }
    Some(out)
}

impl DerivedMatrix {
    /// Whether the matrix has error diagnostics.
    pub fn has_errors(&self) -> bool {
        self.derived.analysis.report.has_errors()
    }

    /// Writes the matrix; far from the remembered one, remembers this one instead.
    pub fn write(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        self.derived.write(out)?;
        self.derived
            .remember_if_far(Remembered::Matrix, &self.cache, self.remember_after);
        Ok(())
    }
}
