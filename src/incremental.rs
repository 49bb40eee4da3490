//! `status --format json` at a revision, derived from a remembered report of an ancestor:
//! only what changed in between is read, and only the practices whose evidence changed
//! are printed anew.

use std::collections::HashMap;

use crate::cache;
use crate::diag;
use crate::evidence::{CommitHit, FileHit, ObjectId, Scan, Summary};
use crate::extract::commit::parse_rfc3339;
use crate::pipeline::{Analysis, AnalysisError, Request, configure, rate};
use crate::report;
use crate::scan;
use crate::source::{self, Source};

/// Writes `status --format json` of a full analysis and, when it scanned a revision with the
/// cache on, remembers the report (its summary and each practice's bytes) so that a later
/// run on a descendant revision can be derived from it.
pub fn write_status_json(
    analysis: &Analysis,
    request: &Request,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let cache = (request.use_cache && !analysis.report.source.worktree)
        .then_some(analysis.git_dir.as_deref())
        .flatten()
        .and_then(|dir| cache::Cache::open(dir, &analysis.model, &analysis.options));
    let (Some(cache), Some(commit)) = (cache, analysis.report.source.commit.as_deref()) else {
        return analysis.report.write_json(out);
    };
    let summary = Summary::of(&analysis.scan, analysis.model.practices.len());
    let head = cache::ReportHead {
        summary,
        config: analysis.report.config.clone(),
    };
    let count = analysis.report.practices.len();
    let mut writer = cache.report_writer(commit, &head, count);
    let mut fragments = analysis.report.fragments();
    analysis.report.write_json_with(out, count, &mut |i, w| {
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

/// How many changed files and new commits a derived run reads before it remembers its own
/// report for the next run (`PRACTRACE_REMEMBER_AFTER` sets another, for tests).
const REMEMBER_AFTER: usize = 1000;

/// `status --format json` of a revision derived from a remembered report of an ancestor
/// (see [`write_status_json`]): only the files that changed and the commits in between are
/// read, only the practices whose evidence changed are printed anew, and the others are
/// copied from the remembered bytes. `Ok(None)` (nothing written) when no remembered report
/// applies: run the full analysis then. `Ok(Some(errors))`: written; `errors` tells whether
/// the report has error diagnostics.
pub fn write_status_json_derived(
    request: &Request,
    out: &mut dyn std::io::Write,
) -> Result<Option<bool>, AnalysisError> {
    let Some(rev) = request.rev.as_deref().filter(|_| request.use_cache) else {
        return Ok(None);
    };
    let source = source::git::GitSource::open(&request.repo, Some(rev))?;
    let configured = configure(&source, request)?;
    let Some(cache) = cache::Cache::open(source.git_dir(), &configured.model, &configured.options)
    else {
        return Ok(None);
    };
    for commit in cache.remembered_reports() {
        let Some(base) = cache.load_report(&commit) else {
            continue;
        };
        let Some(base_commit) = ObjectId::from_hex(&commit) else {
            continue;
        };
        if base.head.config != configured.info || base.len() != configured.model.practices.len() {
            continue;
        }
        let derived = scan::scan_since(
            &source,
            &base.head.summary.scan,
            base_commit,
            &configured.model,
            &configured.options,
        )?;
        let Some((head_scan, changed_paths)) = derived else {
            continue;
        };
        let counts =
            Summary::count_commits(base.head.summary.commit_counts.clone(), &head_scan.commits);
        // The practices whose evidence may differ: those of the changed files, before and
        // after, and those of the new commits.
        let practices_len = configured.model.practices.len();
        let mut changed = vec![false; practices_len];
        let files_at = |files: &[FileHit], path: &str| -> Option<usize> {
            files.binary_search_by(|f| f.path.as_str().cmp(path)).ok()
        };
        for path in &changed_paths {
            for files in [&base.head.summary.scan.files, &head_scan.files] {
                if let Some(i) = files_at(files, path) {
                    for &(p, _) in &files[i].practices {
                        changed[p] = true;
                    }
                }
            }
        }
        for c in &head_scan.commits {
            for &p in &c.practices {
                changed[p] = true;
            }
        }
        let new_commits = head_scan.commits.clone();
        let new_files: Vec<FileHit> = changed_paths
            .iter()
            .filter_map(|p| files_at(&head_scan.files, p).map(|i| head_scan.files[i].clone()))
            .collect();
        // The practices to print anew, made before anything is written.
        let mut rebuilt = HashMap::new();
        for i in (0..practices_len).filter(|&i| changed[i]) {
            let p = rebuild_practice(
                base.practice(i),
                i,
                &changed_paths,
                &new_files,
                &new_commits,
            );
            match p {
                Some(p) => rebuilt.insert(i, report::practice_fragment(&p)),
                None => break,
            };
        }
        if rebuilt.len() != changed.iter().filter(|&&c| c).count() {
            continue;
        }
        let analysis = rate(configured, head_scan, &counts, true);
        let errors = analysis
            .report
            .diagnostics
            .iter()
            .any(|d| d.severity == diag::Severity::Error);
        analysis
            .report
            .write_json_with(out, practices_len, &mut |i, w| match rebuilt.get(&i) {
                Some(bytes) => w.write_all(bytes),
                None => w.write_all(base.practice(i)),
            })
            .map_err(|e| source::SourceError::Git(format!("writing the report: {e}")))?;
        if std::env::var_os("PRACTRACE_STATS").is_some() {
            eprintln!("practrace stats: derived from the remembered report of {commit}");
        }
        // Far from the remembered report, remember this one instead: the next run then
        // starts from here. Near it, copying the whole report would cost more than it saves.
        let walked = analysis.report.source.commits_scanned
            - base
                .head
                .summary
                .scan
                .source
                .commits_scanned
                .min(analysis.report.source.commits_scanned);
        let read = walked + changed_paths.len();
        let threshold = std::env::var("PRACTRACE_REMEMBER_AFTER")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(REMEMBER_AFTER);
        if read > threshold
            && let Some(head_commit) = analysis.report.source.commit.as_deref()
        {
            let head = cache::ReportHead {
                summary: Summary {
                    scan: Scan {
                        commits: Vec::new(),
                        ..analysis.scan.clone()
                    },
                    commit_counts: counts,
                },
                config: analysis.report.config.clone(),
            };
            if let Some(mut writer) = cache.report_writer(head_commit, &head, practices_len) {
                for i in 0..practices_len {
                    match rebuilt.get(&i) {
                        Some(bytes) => writer.add(bytes),
                        None => writer.add(base.practice(i)),
                    }
                }
                writer.finish();
            }
        }
        return Ok(Some(errors));
    }
    Ok(None)
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
    for f in new_files {
        if let Some(&(_, line)) = f.practices.iter().find(|&&(q, _)| q == practice) {
            files.push(EvidenceReport::file(f, line));
        }
    }
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
