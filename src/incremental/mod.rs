//! `status --format json` at a revision, derived from a remembered report of an ancestor:
//! only what changed in between is read, and only the practices whose evidence changed
//! are printed anew.

use std::collections::HashMap;

use crate::cache;
use crate::evidence::{CommitHit, FileHit, ObjectId, Scan, Summary};
use crate::extract::commit::parse_rfc3339;
use crate::pipeline::{Analysis, AnalysisError, Configured, Request, configure, rate};
use crate::report;
use crate::scan;
use crate::source;

mod matrix;
pub use matrix::{DerivedMatrix, derive_matrix_json, matrix_writer, write_matrix_json};

/// Writes `status --format json` of a full analysis and, when it scanned a revision with the
/// cache on, remembers the report (its summary and each practice's bytes) so that a later
/// run on a descendant revision can be derived from it.
pub fn write_status_json(
    analysis: &Analysis,
    request: &Request,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    // Not a scan that missed objects of a partial clone: once fetched, they count.
    let remember = request.use_cache
        && !analysis.report.source.worktree
        && scan::complete(&analysis.scan.diagnostics);
    let cache = remember.then_some(analysis.cache.as_ref()).flatten();
    let (Some(cache), Some(commit)) = (cache, analysis.report.source.commit.as_deref()) else {
        return analysis.report.write_json(out);
    };
    let summary = Summary::of(&analysis.scan, analysis.model.practices.len());
    let head = cache::ReportHead {
        summary,
        config: analysis.report.config.clone(),
    };
    let count = analysis.report.practices.len();
    let writer = cache.report_writer(cache::Remembered::Status, commit, &head, count);
    write_remembering(&analysis.report, writer, out)
}

/// Writes a report as JSON, each practice's bytes also to `writer` (when there is one),
/// which is finished (put in place) once all are written.
fn write_remembering(
    report: &report::Report,
    mut writer: Option<cache::ReportWriter>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let count = report.practices.len();
    let mut fragments = report.fragments();
    report.write_json_with(out, count, &mut |i, w| {
        let fragment = fragments.get(i);
        if let Some(writer) = writer.as_mut() {
            writer.add(fragment);
        }
        w.write_all(fragment)
    })?;
    if let Some(writer) = writer {
        writer.finish();
    }
    Ok(())
}

/// What `status --format json` did.
pub struct StatusJson {
    /// Whether the report has error diagnostics.
    pub errors: bool,
    /// What the scan read.
    pub stats: scan::Stats,
    /// The commit of the remembered report the output was derived from, if it was.
    pub derived_from: Option<String>,
    /// The full analysis, when there was one (the caller may leave it to the OS at exit).
    pub analysis: Option<Analysis>,
}

/// `status --format json`: derived from a remembered report of an ancestor when the cache
/// has one that applies (see [`write_status_json_derived`]), else a full analysis (see
/// [`write_status_json`]).
pub fn status_json(
    request: &Request,
    out: &mut dyn std::io::Write,
) -> Result<StatusJson, StatusJsonError> {
    if let Some(derived) = write_status_json_derived(request, out)? {
        return Ok(derived);
    }
    let analysis = crate::pipeline::analyze(request)?;
    write_status_json(&analysis, request, out).map_err(StatusJsonError::Write)?;
    Ok(StatusJson {
        errors: analysis.report.has_errors(),
        stats: analysis.stats,
        derived_from: None,
        analysis: Some(analysis),
    })
}

/// Why `status --format json` could not run.
#[derive(Debug, thiserror::Error)]
pub enum StatusJsonError {
    /// The analysis.
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    /// Writing the report.
    #[error("writing to stdout")]
    Write(#[source] std::io::Error),
}

/// `status --format json` of a revision derived from a remembered report of an ancestor
/// (see [`write_status_json`]): only the files that changed and the commits in between are
/// read, only the practices whose evidence changed are printed anew, and the others are
/// copied from the remembered bytes. `Ok(None)` (nothing written) when no remembered report
/// applies: run the full analysis then.
pub fn write_status_json_derived(
    request: &Request,
    out: &mut dyn std::io::Write,
) -> Result<Option<StatusJson>, StatusJsonError> {
    let Some(rev) = request.rev.as_deref().filter(|_| request.use_cache) else {
        return Ok(None);
    };
    let source =
        source::git::GitSource::open(&request.repo, Some(rev)).map_err(AnalysisError::from)?;
    let configured = configure(&source, request)?;
    if configured.policy.freshness.is_some() {
        // Ages need every evidence file's last commit: no remembered report has them.
        return Ok(None);
    }
    let Some(cache) = request.cache(&source, &configured) else {
        return Ok(None);
    };
    for commit in cache.remembered_reports(cache::Remembered::Status) {
        let Some(base) = cache.load_report(cache::Remembered::Status, &commit) else {
            continue;
        };
        let Some(plan) = plan(&source, &configured, &base, &commit)? else {
            continue;
        };
        let mut done = write_derived(plan, configured, base, out, &cache, request)?;
        done.derived_from = Some(commit);
        return Ok(Some(done));
    }
    Ok(None)
}

/// A derived report before anything is written: head's scan, the changed paths, the
/// commits per practice, and the practices printed anew.
struct Plan {
    scan: Scan,
    changed: Vec<String>,
    stats: scan::Stats,
    counts: Vec<u32>,
    rebuilt: HashMap<usize, report::PracticeReport>,
}

/// Derives head from a remembered report of `commit`, when it applies: the same
/// configuration and model size, `commit` an ancestor, and every changed practice rebuilt.
fn plan(
    source: &source::git::GitSource,
    configured: &Configured,
    base: &cache::RememberedReport,
    commit: &str,
) -> Result<Option<Plan>, AnalysisError> {
    let Some(base_commit) = ObjectId::from_hex(commit) else {
        return Ok(None);
    };
    let practices = configured.model.practices.len();
    if base.head.config != configured.info || base.len() != practices {
        return Ok(None);
    }
    let base_scan = &base.head.summary.scan;
    let derived = scan::scan_since(
        source,
        base_scan,
        base_commit,
        &configured.model,
        &configured.options,
    )?;
    let Some(derived) = derived else {
        return Ok(None);
    };
    let head = &derived.scan;
    let files_at = |files: &[FileHit], path: &str| -> Option<usize> {
        files.binary_search_by(|f| f.path.as_str().cmp(path)).ok()
    };
    // The practices whose evidence may differ: those of the changed files, before and
    // after, and those of the new commits.
    let mut changed = vec![false; practices];
    for path in &derived.changed {
        for files in [&base_scan.files, &head.files] {
            if let Some(i) = files_at(files, path) {
                for &(p, _) in &files[i].practices {
                    changed[p] = true;
                }
            }
        }
    }
    for c in &head.commits {
        for &p in &c.practices {
            changed[p] = true;
        }
    }
    let new_files: Vec<FileHit> = derived
        .changed
        .iter()
        .filter_map(|p| files_at(&head.files, p).map(|i| head.files[i].clone()))
        .collect();
    let mut rebuilt = HashMap::new();
    for i in (0..practices).filter(|&i| changed[i]) {
        let Some(p) = rebuild_practice(
            base.practice(i),
            i,
            &derived.changed,
            &new_files,
            &head.commits,
        ) else {
            return Ok(None);
        };
        rebuilt.insert(i, p);
    }
    let counts = Summary::count_commits(base.head.summary.commit_counts.clone(), &head.commits);
    Ok(Some(Plan {
        scan: derived.scan,
        changed: derived.changed,
        stats: derived.stats,
        counts,
        rebuilt,
    }))
}

/// Rates and writes a derived report, and remembers it when far from the remembered one.
fn write_derived(
    plan: Plan,
    configured: Configured,
    base: cache::RememberedReport,
    out: &mut dyn std::io::Write,
    cache: &cache::Cache,
    request: &Request,
) -> Result<StatusJson, StatusJsonError> {
    let Plan {
        scan,
        changed,
        stats,
        counts,
        rebuilt,
    } = plan;
    let derived = Derived {
        analysis: rate(configured, scan, &counts, None, true),
        base,
        rebuilt: rebuilt
            .into_iter()
            .map(|(i, p)| (i, report::practice_fragment(&p)))
            .collect(),
        counts,
        changed: changed.len(),
    };
    derived.write(out).map_err(StatusJsonError::Write)?;
    derived.remember_if_far(cache::Remembered::Status, cache, request.remember_after);
    Ok(StatusJson {
        errors: derived.analysis.report.has_errors(),
        stats,
        derived_from: None,
        analysis: None,
    })
}

/// A report derived from a remembered one, rated: the practices printed anew as JSON
/// (`rebuilt`), the others to be copied from the remembered bytes.
struct Derived {
    analysis: Analysis,
    base: cache::RememberedReport,
    rebuilt: HashMap<usize, Vec<u8>>,
    /// Commits per practice, the summarised ones counted in.
    counts: Vec<u32>,
    /// How many files changed since the remembered report.
    changed: usize,
}

impl Derived {
    /// The JSON of practice `i`.
    fn fragment(&self, i: usize) -> &[u8] {
        match self.rebuilt.get(&i) {
            Some(bytes) => bytes,
            None => self.base.practice(i),
        }
    }

    /// Writes the report.
    fn write(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        self.analysis
            .report
            .write_json_with(out, self.base.len(), &mut |i, w| {
                w.write_all(self.fragment(i))
            })
    }

    /// Far from the remembered report (more than `remember_after` files and commits read
    /// since it) and with nothing missing, remembers this one as `kind` instead, so that the
    /// next run starts from here; near it, copying the whole report would cost more than
    /// it saves.
    fn remember_if_far(
        &self,
        kind: cache::Remembered,
        cache: &cache::Cache,
        remember_after: usize,
    ) {
        let source = &self.analysis.report.source;
        let walked = source
            .commits_scanned
            .saturating_sub(self.base.head.summary.scan.source.commits_scanned);
        let (true, true, Some(commit)) = (
            walked + self.changed > remember_after,
            scan::complete(&self.analysis.scan.diagnostics),
            source.commit.as_deref(),
        ) else {
            return;
        };
        let head = cache::ReportHead {
            summary: Summary {
                scan: Scan {
                    commits: Vec::new(),
                    ..self.analysis.scan.clone()
                },
                commit_counts: self.counts.clone(),
            },
            config: self.analysis.report.config.clone(),
        };
        let count = self.base.len();
        if let Some(mut writer) = cache.report_writer(kind, commit, &head, count) {
            for i in 0..count {
                writer.add(self.fragment(i));
            }
            writer.finish();
        }
    }
}

/// A practice's report from its remembered JSON, with the evidence of the changed paths
/// replaced and the new commits added, in report order (files by path, commits by date,
/// then id).
fn rebuild_practice(
    remembered: &[u8],
    practice: usize,
    changed_paths: &[String],
    new_files: &[FileHit],
    new_commits: &[CommitHit],
) -> Option<report::PracticeReport> {
    use report::EvidenceReport;
    let mut p: report::PracticeReport = serde_json::from_slice(remembered).ok()?;
    let mut files = Vec::new();
    let mut commits = Vec::new();
    for e in p.evidence.drain(..) {
        match &e {
            EvidenceReport::File { path, .. } => {
                if changed_paths.binary_search(path).is_err() {
                    files.push(e);
                }
            }
            EvidenceReport::Commit { date, commit, .. } => {
                commits.push((parse_rfc3339(date)?, commit.clone(), e));
            }
        }
    }
    files.extend(
        new_files
            .iter()
            .filter_map(|f| EvidenceReport::file_for(f, practice)),
    );
    for c in new_commits
        .iter()
        .filter(|c| c.practices.contains(&practice))
    {
        commits.push((c.time, c.id.clone(), EvidenceReport::commit(c)));
    }
    let path_of = |e: &EvidenceReport| match e {
        EvidenceReport::File { path, .. } => path.clone(),
        EvidenceReport::Commit { .. } => String::new(),
    };
    files.sort_by_key(path_of);
    commits.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    p.evidence = files;
    p.evidence.extend(commits.into_iter().map(|(_, _, e)| e));
    Some(p)
}
