//! The scan: a source's files and commits through extraction and resolution, in parallel,
//! into one sorted [`Scan`].

mod absent;
mod commits;
mod files;
pub mod keys;

pub use absent::{complete, is_absent};
pub use commits::scan_commit;
pub use files::scan_file;

use commits::scan_commits;
use files::{map_files, merge_hits, scan_files};

use crate::cache::Cache;
use crate::config::ScanOptions;
use crate::diag::{Code, Diagnostic, Severity};
use std::collections::HashSet;

use crate::evidence::{BlobRecord, BlobTable, CommitHit, CommitTable, FileHit, ObjectId, Scan};
use crate::model::Model;
use crate::source::{RawCommit, Source, SourceError};

/// What a scan read from the repository (the rest came from the cache or from the scan of
/// an ancestor): the counters that show an incremental run does only what it must.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Files read and parsed.
    pub files_read: usize,
    /// Commits read and parsed.
    pub commits_read: usize,
}

/// A scan derived from an ancestor's (see [`scan_since`]).
#[derive(Debug)]
pub struct Derived {
    /// The scan.
    pub scan: Scan,
    /// The paths that changed between the two (gone, changed or new), sorted.
    pub changed: Vec<String>,
    /// What it read.
    pub stats: Stats,
}

/// Scans a source, without a cache.
pub fn scan(
    source: &dyn Source,
    model: &Model,
    options: &ScanOptions,
) -> Result<Scan, SourceError> {
    scan_cached(source, model, options, None).map(|(scan, _)| scan)
}

/// Scans a source, taking what `cache` remembers of commits and blobs and adding what it
/// had to read.
pub fn scan_cached(
    source: &dyn Source,
    model: &Model,
    options: &ScanOptions,
    cache: Option<&Cache>,
) -> Result<(Scan, Stats), SourceError> {
    let started = std::time::Instant::now();
    // Fail early, on this thread, if no reader can be made at all.
    drop(source.reader()?);
    let (mut commit_table, blob_table): (CommitTable, BlobTable) = match cache {
        Some(c) => rayon::join(|| c.load("commits"), || c.load("blobs")),
        None => Default::default(),
    };
    let loaded = started.elapsed();
    // The commit walk is the longer job: start it at once, list and read files beside it.
    let blobs = &blob_table;
    let (files, commits) = rayon::join(
        || {
            let t = std::time::Instant::now();
            let files = source.files().map(|mut entries| {
                if !options.ignore.is_empty() {
                    let ignore = crate::config::glob_set(&options.ignore);
                    entries.retain(|e| !ignore.is_match(&e.path));
                }
                if std::env::var_os("PRACTRACE_TIMINGS").is_some() {
                    eprintln!(
                        "practrace timings: {} files listed in {:?}",
                        entries.len(),
                        t.elapsed()
                    );
                }
                let mut result = scan_files(source, false, &entries, model, options, blobs);
                if !options.evidence_map.is_empty() {
                    let mapped = map_files(source, &entries, &options.evidence_map);
                    result.0 = merge_hits(std::mem::take(&mut result.0), mapped);
                }
                let current: std::collections::HashSet<ObjectId> =
                    entries.iter().filter_map(|e| e.blob).collect();
                (result, current)
            });
            (files, t.elapsed())
        },
        || {
            let t = std::time::Instant::now();
            (
                scan_commits(source, model, options, &mut commit_table, cache.is_some()),
                t.elapsed(),
            )
        },
    );
    let ((files, files_time), (commits, commits_time)) = (files, commits);
    let ((files, mut diagnostics, new_blobs, files_read), current_blobs) = files?;
    let (commits, commit_diagnostics, commits_scanned, commits_read) = commits?;
    diagnostics.extend(commit_diagnostics);
    if let Some(cache) = cache {
        let commits = (commit_table, commits_read > 0, commits_scanned);
        let blobs = (blob_table, new_blobs, current_blobs);
        remember(cache, source, commits, blobs);
    }
    if std::env::var_os("PRACTRACE_TIMINGS").is_some() {
        let from_libgit2 =
            crate::source::git::BLOBS_FROM_LIBGIT2.load(std::sync::atomic::Ordering::Relaxed);
        eprintln!(
            "practrace timings: cache loaded in {loaded:?}; files {files_time:?} ({files_read} read, {from_libgit2} through libgit2); commits {commits_time:?} ({commits_read} of {commits_scanned} read); scan {:?}",
            started.elapsed()
        );
    }
    let stats = Stats {
        files_read,
        commits_read,
    };
    Ok((
        finish(source, files, commits, diagnostics, commits_scanned),
        stats,
    ))
}

/// Stores what the scan read in the cache: the commit table (when it read a commit) and
/// the blob table (when it read a blob), each pruned first (see [`prune`]).
fn remember(
    cache: &Cache,
    source: &dyn Source,
    (mut commit_table, read, scanned): (CommitTable, bool, usize),
    (mut blob_table, new_blobs, current): (
        BlobTable,
        Vec<(ObjectId, BlobRecord)>,
        HashSet<ObjectId>,
    ),
) {
    let pruned_commits = prune(&mut commit_table, scanned, |table| {
        let start = source.info().commit.and_then(|c| ObjectId::from_hex(&c));
        reachable(table, start)
    });
    if read || pruned_commits {
        cache.store("commits", &commit_table);
    }
    let added = !new_blobs.is_empty();
    blob_table.extend(new_blobs);
    // A working tree's files have no blob ids here: only a revision says which to keep.
    let pruned_blobs =
        !source.info().worktree && prune(&mut blob_table, current.len(), |_| current);
    if added || pruned_blobs {
        cache.store("blobs", &blob_table);
    }
}

/// Keeps a cache table from growing without bound: when it holds more than twice what
/// this scan needed (and over 10,000 records), only the records `keep` names are kept —
/// commits reachable now (a rewritten history leaves the old ones behind), blobs of the
/// scanned tree. Whether it pruned.
fn prune<V>(
    table: &mut std::collections::HashMap<ObjectId, V>,
    needed: usize,
    keep: impl FnOnce(&std::collections::HashMap<ObjectId, V>) -> std::collections::HashSet<ObjectId>,
) -> bool {
    if table.len() <= needed.saturating_mul(2).saturating_add(10_000) {
        return false;
    }
    let keep = keep(table);
    table.retain(|id, _| keep.contains(id));
    true
}

/// The commits of `table` reachable from `start` through the parents it records.
fn reachable(table: &CommitTable, start: Option<ObjectId>) -> std::collections::HashSet<ObjectId> {
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<ObjectId> = start.into_iter().collect();
    while let Some(id) = stack.pop() {
        if let Some(record) = table.get(&id)
            && seen.insert(id)
        {
            stack.extend(record.parents.iter().copied());
        }
    }
    seen
}

/// The scan as every path ends it: the source's info, the shallow-history note, and every
/// list sorted.
fn finish(
    source: &dyn Source,
    mut files: Vec<FileHit>,
    mut commits: Vec<CommitHit>,
    mut diagnostics: Vec<Diagnostic>,
    commits_scanned: usize,
) -> Scan {
    let absent = absent::fold(source, &mut diagnostics);
    let mut info = source.info();
    info.commits_scanned = commits_scanned;
    if info.shallow {
        diagnostics.push(Diagnostic {
            suggestion: Some("git fetch --unshallow".into()),
            ..Diagnostic::new(
                Severity::Note,
                Code::ShallowHistory,
                "the repository is a shallow clone: history is cut, and commits beyond it are not read (fetch them with `git fetch --unshallow`)".into(),
            )
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    commits.sort_by(|a, b| (a.time, &a.id).cmp(&(b.time, &b.id)));
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Scan {
        source: info,
        files,
        commits,
        diagnostics,
        absent,
    }
}

/// The scan of `source` derived from `base_scan`, the scan of an ancestor commit `base`
/// under the same model and options: the files that changed between them are read again
/// and the commits between them read; nothing else is. `None` when the source cannot tell
/// the changes (see [`Source::since`]): scan in full then. With the scan, the paths that
/// changed (gone, changed or new) and what was read.
pub fn scan_since(
    source: &dyn Source,
    base_scan: &Scan,
    base: ObjectId,
    model: &Model,
    options: &ScanOptions,
) -> Result<Option<Derived>, SourceError> {
    // What base could not see, head must find out for itself (a full scan says what is
    // absent in head).
    if !complete(&base_scan.diagnostics) {
        return Ok(None);
    }
    let Some(since) = changes_since(source, base, model, options)? else {
        return Ok(None);
    };
    Ok(Some(apply_since(source, base_scan, since, model, options)))
}

/// The first half of [`scan_since`]: what changed from `base` to the source's revision (the
/// tree diff, and the commits between them scanned), before any file is read. It needs no
/// scan of `base`, so that the changes between many pairs of revisions can be found at
/// once, on several threads (`history`).
pub fn changes_since(
    source: &dyn Source,
    base: ObjectId,
    model: &Model,
    options: &ScanOptions,
) -> Result<Option<crate::source::Since>, SourceError> {
    let process = |commit: RawCommit<'_>| {
        let mut diagnostics = Vec::new();
        let hit = scan_commit(&commit, model, options, &mut diagnostics);
        (hit, diagnostics)
    };
    source.since(base, &process)
}

/// The second half of [`scan_since`]: the changed files read, and `since` applied to
/// `base_scan`, the scan of the commit `since` was found from.
pub fn apply_since(
    source: &dyn Source,
    base_scan: &Scan,
    since: crate::source::Since,
    model: &Model,
    options: &ScanOptions,
) -> Derived {
    let mut entries = since.entries;
    if !options.ignore.is_empty() {
        let ignore = crate::config::glob_set(&options.ignore);
        entries.retain(|e| !ignore.is_match(&e.path));
    }
    let changed: std::collections::HashSet<&str> = since
        .gone
        .iter()
        .map(String::as_str)
        .chain(entries.iter().map(|e| e.path.as_str()))
        .collect();
    let (mut new_files, mut diagnostics, _, _) = scan_files(
        source,
        entries.len() < 1000,
        &entries,
        model,
        options,
        &BlobTable::default(),
    );
    if !options.evidence_map.is_empty() {
        let mapped = map_files(source, &entries, &options.evidence_map);
        new_files = merge_hits(new_files, mapped);
    }
    let mut files: Vec<FileHit> = base_scan
        .files
        .iter()
        .filter(|f| !changed.contains(f.path.as_str()))
        .cloned()
        .collect();
    files.extend(new_files);
    // Diagnostics of unchanged files and of every base commit stay; the note on a shallow
    // history is the source's own and is made again.
    diagnostics.extend(
        base_scan
            .diagnostics
            .iter()
            .filter(|d| match (&d.path, &d.commit) {
                (Some(path), _) => !changed.contains(path.as_str()),
                (None, Some(_)) => true,
                (None, None) => !matches!(d.code, Code::ShallowHistory | Code::ObjectsAbsent),
            })
            .cloned(),
    );
    let mut commits = base_scan.commits.clone();
    for (hit, diags) in since.walk.findings {
        commits.extend(hit);
        diagnostics.extend(diags);
    }
    let count = base_scan.source.commits_scanned + since.walk.count;
    let mut changed: Vec<String> = changed.into_iter().map(str::to_string).collect();
    changed.sort_unstable();
    Derived {
        scan: finish(source, files, commits, diagnostics, count),
        changed,
        stats: Stats {
            files_read: entries.len(),
            commits_read: since.walk.read,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::{prune, reachable};
    use crate::evidence::{CommitRecord, CommitTable, ObjectId};

    fn id(n: u8) -> ObjectId {
        ObjectId::from_raw([n; 20])
    }

    /// Pins issue 16 item 3: cache tables were never pruned. Past twice what a scan needs
    /// (and 10,000 records) only what it needs is kept; below that, nothing is dropped.
    #[test]
    fn tables_are_pruned_past_twice_what_a_scan_needs() {
        let mut table: std::collections::HashMap<ObjectId, ()> =
            (0..=255u8).map(|n| (id(n), ())).collect();
        assert!(!prune(&mut table, 10, |_| Default::default()));
        assert_eq!(table.len(), 256);
        let mut keyed: std::collections::HashMap<ObjectId, ()> = (0..10_100u32)
            .map(|n| {
                let mut raw = [0u8; 20];
                raw[..4].copy_from_slice(&n.to_le_bytes());
                (ObjectId::from_raw(raw), ())
            })
            .collect();
        let keep: std::collections::HashSet<ObjectId> = keyed.keys().take(3).copied().collect();
        assert!(prune(&mut keyed, 3, |_| keep.clone()));
        assert_eq!(keyed.len(), 3);
    }

    #[test]
    fn reachable_follows_recorded_parents_only() {
        let record = |parents: Vec<ObjectId>| CommitRecord {
            parents,
            hit: None,
            diagnostics: Vec::new(),
        };
        let mut table = CommitTable::new();
        table.insert(id(3), record(vec![id(2)]));
        table.insert(id(2), record(vec![id(1)]));
        table.insert(id(1), record(vec![]));
        table.insert(id(9), record(vec![id(1)])); // rewritten away
        let seen = reachable(&table, Some(id(3)));
        assert_eq!(seen.len(), 3);
        assert!(!seen.contains(&id(9)));
    }
}
