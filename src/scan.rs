//! The scan: a source's files and commits through extraction and resolution, in parallel,
//! into one sorted [`Scan`].

use rayon::prelude::*;

use crate::cache::Cache;
use crate::config::ScanOptions;
use crate::diag::{Code, Diagnostic, Severity};
use crate::evidence::{BlobRecord, BlobTable, CommitHit, CommitTable, FileHit, ObjectId, Scan};
use crate::extract::commit::{author, rfc3339, split_commit, subject};
use crate::extract::front_matter::{self, Split};
use crate::extract::trailers;
use crate::model::Model;
use crate::resolve::{Origin, RawTag, limit_tags, resolve_tags};
use crate::source::{FileContent, FileEntry, FileReader, RawCommit, Source, SourceError};

/// Scans a source, without a cache.
pub fn scan(
    source: &dyn Source,
    model: &Model,
    options: &ScanOptions,
) -> Result<Scan, SourceError> {
    scan_cached(source, model, options, None)
}

/// Scans a source, taking what `cache` remembers of commits and blobs and adding what it
/// had to read.
pub fn scan_cached(
    source: &dyn Source,
    model: &Model,
    options: &ScanOptions,
    cache: Option<&Cache>,
) -> Result<Scan, SourceError> {
    let started = std::time::Instant::now();
    // Fail early, on this thread, if no reader can be made at all.
    drop(source.reader()?);
    let (mut commit_table, mut blob_table): (CommitTable, BlobTable) = match cache {
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
                result
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
    let (files, mut diagnostics, new_blobs, files_read) = files?;
    let (commits, commit_diagnostics, commits_scanned, commits_read) = commits?;
    diagnostics.extend(commit_diagnostics);
    if let Some(cache) = cache {
        if commits_read > 0 {
            cache.store("commits", &commit_table);
        }
        if !new_blobs.is_empty() {
            blob_table.extend(new_blobs);
            cache.store("blobs", &blob_table);
        }
    }
    if std::env::var_os("PRACTRACE_STATS").is_some() {
        eprintln!(
            "practrace stats: files_read={files_read} commits_read={commits_read} commits={commits_scanned} cache={}",
            cache.map_or("off".to_string(), |c| c.dir().display().to_string())
        );
    }
    if std::env::var_os("PRACTRACE_TIMINGS").is_some() {
        let from_libgit2 =
            crate::source::git::BLOBS_FROM_LIBGIT2.load(std::sync::atomic::Ordering::Relaxed);
        eprintln!(
            "practrace timings: cache loaded in {loaded:?}; files {files_time:?} ({files_read} read, {from_libgit2} through libgit2); commits {commits_time:?} ({commits_read} of {commits_scanned} read); scan {:?}",
            started.elapsed()
        );
    }

    Ok(finish(source, files, commits, diagnostics, commits_scanned))
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
    }
}

/// The scan of `source` derived from `base_scan`, the scan of an ancestor commit `base`
/// under the same model and options: the files that changed between them are read again
/// and the commits between them read; nothing else is. `None` when the source cannot tell
/// the changes (see [`Source::since`]): scan in full then. With the scan, the paths that
/// changed (gone, changed or new).
pub fn scan_since(
    source: &dyn Source,
    base_scan: &Scan,
    base: ObjectId,
    model: &Model,
    options: &ScanOptions,
) -> Result<Option<(Scan, Vec<String>)>, SourceError> {
    let process = |commit: RawCommit<'_>| {
        let mut diagnostics = Vec::new();
        let hit = scan_commit(&commit, model, options, &mut diagnostics);
        (hit, diagnostics)
    };
    let Some(since) = source.since(base, &process)? else {
        return Ok(None);
    };
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
                (None, None) => d.code != Code::ShallowHistory,
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
    if std::env::var_os("PRACTRACE_STATS").is_some() {
        eprintln!(
            "practrace stats: since base: files_read={} commits_read={}",
            entries.len(),
            since.walk.read
        );
    }
    Ok(Some((
        finish(source, files, commits, diagnostics, count),
        changed,
    )))
}

/// The files the evidence map names: each a hit with line 0 for its practices.
fn map_files(
    source: &dyn Source,
    entries: &[FileEntry],
    rules: &[crate::config::MapRule],
) -> Vec<FileHit> {
    let sets: Vec<_> = rules
        .iter()
        .map(|r| crate::config::glob_set(&r.globs))
        .collect();
    entries
        .par_iter()
        .filter_map(|entry| {
            let mut practices: Vec<(usize, u32)> = rules
                .iter()
                .zip(&sets)
                .filter(|(_, set)| set.is_match(&entry.path))
                .flat_map(|(rule, _)| rule.practices.iter().map(|&p| (p, 0)))
                .collect();
            if practices.is_empty() {
                return None;
            }
            practices.sort_unstable();
            practices.dedup();
            Some(FileHit {
                path: entry.path.clone(),
                blob: source
                    .blob_of(entry)
                    .map(|b| b.to_string())
                    .unwrap_or_default(),
                practices,
            })
        })
        .collect()
}

/// Front matter hits and evidence-map hits as one list, sorted by path: a file in both
/// keeps the line of its tag, and gains the mapped practices it did not tag.
fn merge_hits(mut hits: Vec<FileHit>, mapped: Vec<FileHit>) -> Vec<FileHit> {
    let at: std::collections::HashMap<String, usize> = hits
        .iter()
        .enumerate()
        .map(|(i, h)| (h.path.clone(), i))
        .collect();
    let mut extra = Vec::new();
    for m in mapped {
        match at.get(&m.path) {
            Some(&i) => {
                let hit = &mut hits[i];
                for (p, line) in m.practices {
                    if !hit.practices.iter().any(|&(q, _)| q == p) {
                        hit.practices.push((p, line));
                    }
                }
                hit.practices.sort_unstable();
            }
            None => extra.push(m),
        }
    }
    hits.extend(extra);
    hits.sort_by(|a, b| a.path.cmp(&b.path));
    hits
}

type FilesResult = (
    Vec<FileHit>,
    Vec<Diagnostic>,
    Vec<(ObjectId, BlobRecord)>,
    usize,
);

fn scan_files(
    source: &dyn Source,
    few: bool,
    entries: &[FileEntry],
    model: &Model,
    options: &ScanOptions,
    known: &BlobTable,
) -> FilesResult {
    type One = (
        Option<FileHit>,
        Vec<Diagnostic>,
        Option<(ObjectId, BlobRecord)>,
        bool,
    );
    let results: Vec<One> = entries
        .par_iter()
        .map_init(
            || {
                if few {
                    source.reader_for_few().ok()
                } else {
                    source.reader().ok()
                }
            },
            |reader, entry| {
                let key = entry.blob;
                if let Some(record) = key.and_then(|k| known.get(&k)) {
                    let (hit, diags) = from_record(entry, record);
                    return (hit, diags, None, false);
                }
                let (hit, diags) = match reader {
                    Some(reader) => scan_file(reader.as_mut(), entry, model, options),
                    None => (
                        None,
                        vec![Diagnostic::in_file(
                            Severity::Error,
                            Code::UnreadableFile,
                            "could not open the repository to read this file".into(),
                            &entry.path,
                            None,
                            None,
                        )],
                    ),
                };
                // Remember blobs (not files on disk), unless reading failed: that may pass.
                let record = key
                    .filter(|_| !diags.iter().any(|d| d.code == Code::UnreadableFile))
                    .map(|k| (k, to_record(&hit, &diags)));
                (hit, diags, record, true)
            },
        )
        .collect();
    let mut files = Vec::new();
    let mut diagnostics = Vec::new();
    let mut records = Vec::new();
    let mut read = 0;
    for (hit, diags, record, was_read) in results {
        files.extend(hit);
        diagnostics.extend(diags);
        records.extend(record);
        read += usize::from(was_read);
    }
    (files, diagnostics, records, read)
}

/// What to remember of a blob: practices and diagnostics, without the path.
fn to_record(hit: &Option<FileHit>, diagnostics: &[Diagnostic]) -> BlobRecord {
    BlobRecord {
        practices: hit
            .as_ref()
            .map(|h| h.practices.clone())
            .unwrap_or_default(),
        diagnostics: diagnostics
            .iter()
            .map(|d| Diagnostic {
                path: None,
                ..d.clone()
            })
            .collect(),
    }
}

/// A remembered blob at this entry's path.
fn from_record(entry: &FileEntry, record: &BlobRecord) -> (Option<FileHit>, Vec<Diagnostic>) {
    let hit = (!record.practices.is_empty()).then(|| FileHit {
        path: entry.path.clone(),
        blob: entry.blob.map(|b| b.to_string()).unwrap_or_default(),
        practices: record.practices.clone(),
    });
    let diagnostics = record
        .diagnostics
        .iter()
        .map(|d| Diagnostic {
            path: Some(entry.path.clone()),
            ..d.clone()
        })
        .collect();
    (hit, diagnostics)
}

fn is_binary(bytes: &[u8]) -> bool {
    // git's heuristic: a NUL byte in the first 8000 bytes.
    bytes[..bytes.len().min(8000)].contains(&0)
}

/// Reads one file and resolves its front matter.
pub fn scan_file(
    reader: &mut dyn FileReader,
    entry: &FileEntry,
    model: &Model,
    options: &ScanOptions,
) -> (Option<FileHit>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let path = entry.path.as_str();
    let bytes = match reader.read(entry, options.max_file_size) {
        FileContent::NoFrontMatter => return (None, diagnostics),
        FileContent::Bytes(b) => b,
        FileContent::TooLarge(size) => {
            diagnostics.push(Diagnostic::in_file(
                Severity::Note,
                Code::FileTooLarge,
                format!(
                    "skipped: {size} bytes, over the size limit of {} bytes",
                    options.max_file_size
                ),
                path,
                None,
                None,
            ));
            return (None, diagnostics);
        }
        FileContent::Unreadable(why) => {
            diagnostics.push(Diagnostic::in_file(
                Severity::Error,
                Code::UnreadableFile,
                format!("could not be read: {why}"),
                path,
                None,
                None,
            ));
            return (None, diagnostics);
        }
    };
    if is_binary(&bytes) {
        return (None, diagnostics);
    }
    let fm = match front_matter::split(&bytes, options.max_front_matter) {
        Split::None => return (None, diagnostics),
        Split::TooLarge => {
            diagnostics.push(Diagnostic::in_file(
                Severity::Warning,
                Code::FrontMatterTooLarge,
                format!(
                    "front matter not closed within {} bytes: not read",
                    options.max_front_matter
                ),
                path,
                Some(1),
                Some(1),
            ));
            return (None, diagnostics);
        }
        Split::FrontMatter(fm) => fm,
    };
    let tags = match front_matter::read(fm, &options.front_matter_key) {
        Ok(tags) => tags,
        Err(e) => {
            let mut d = Diagnostic::in_file(
                Severity::Error,
                Code::InvalidFrontMatter,
                format!("front matter is not read: {}", e.message),
                path,
                Some(e.line),
                Some(e.column),
            );
            d.suggestion = Some(format!(
                "`{}` takes a practice id, a list of ids, or a list of {{id, note}} mappings",
                options.front_matter_key
            ));
            diagnostics.push(d);
            return (None, diagnostics);
        }
    };
    let Some(practices) = tags.practices else {
        return (None, diagnostics);
    };
    let raw = |l: &crate::extract::yaml::LocatedStr| RawTag {
        text: l.value.clone(),
        line: l.line,
        column: l.column,
    };
    let mut tags_raw: Vec<RawTag> = practices.iter().map(raw).collect();
    limit_tags(
        &mut tags_raw,
        options.max_ids,
        Origin::File(path),
        &mut diagnostics,
    );
    let areas: Vec<RawTag> = tags.process_areas.iter().map(raw).collect();
    let resolved = resolve_tags(
        model,
        Origin::File(path),
        &tags_raw,
        &areas,
        &mut diagnostics,
    );
    if resolved.is_empty() {
        return (None, diagnostics);
    }
    let blob = entry
        .blob
        .or_else(|| crate::source::git::blob_id(&bytes))
        .map(|b| b.to_string())
        .unwrap_or_default();
    (
        Some(FileHit {
            path: path.to_string(),
            blob,
            practices: resolved,
        }),
        diagnostics,
    )
}

type CommitsResult = Result<(Vec<CommitHit>, Vec<Diagnostic>, usize, usize), SourceError>;

fn scan_commits(
    source: &dyn Source,
    model: &Model,
    options: &ScanOptions,
    known: &mut CommitTable,
    remember: bool,
) -> CommitsResult {
    let walk = source.commits(
        &|commit| {
            let mut diagnostics = Vec::new();
            let hit = scan_commit(&commit, model, options, &mut diagnostics);
            (hit, diagnostics)
        },
        known,
        remember,
    )?;
    let mut hits = Vec::new();
    let mut diagnostics = Vec::new();
    for (hit, diags) in walk.findings {
        hits.extend(hit);
        diagnostics.extend(diags);
    }
    for (id, why) in walk.unreadable {
        diagnostics.push(Diagnostic {
            commit: Some(id.to_string()),
            suggestion: Some("run `git fsck` on the repository".into()),
            ..Diagnostic::new(
                Severity::Error,
                Code::UnreadableObject,
                format!("commit {id} could not be read: {why}; history behind it is not scanned"),
            )
        });
    }
    Ok((hits, diagnostics, walk.count, walk.read))
}

/// Reads one commit's trailers; a hit when they name at least one practice.
pub fn scan_commit(
    commit: &RawCommit<'_>,
    model: &Model,
    options: &ScanOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<CommitHit> {
    let (headers, message) = split_commit(commit.raw);
    // Fast path: most messages never mention a key.
    if !options
        .trailer_keys
        .iter()
        .any(|k| trailers::contains_ignore_case(message, k.as_bytes()))
    {
        return None;
    }
    let id = commit.id.to_string();
    if message.len() > options.max_message_size {
        diagnostics.push(Diagnostic {
            commit: Some(id),
            ..Diagnostic::new(
                Severity::Note,
                Code::MessageTooLarge,
                format!(
                    "message of {} bytes, over the limit of {} bytes: its trailers are not read",
                    message.len(),
                    options.max_message_size
                ),
            )
        });
        return None;
    }
    let parsed = trailers::parse(message);
    // One more than the limit, to know that the limit cuts something.
    let mut tags = Vec::new();
    'trailers: for trailer in parsed
        .trailers
        .iter()
        .filter(|t| options.trailer_keys.iter().any(|k| t.has_key(k)))
    {
        for part in &trailer.parts {
            // Columns are counted in characters, carried along the line (not from its start
            // for every value: a line may hold a hundred thousand of them).
            let mut counted = (0usize, 1u32);
            let mut column_of = |offset: usize| {
                let (done, column) = &mut counted;
                let chars = String::from_utf8_lossy(&part.line_bytes[*done..offset])
                    .chars()
                    .count();
                *column += chars as u32;
                *done = offset;
                *column
            };
            let mut start = None;
            for (i, &b) in part.bytes.iter().chain(std::iter::once(&b',')).enumerate() {
                let separator = b == b',' || b.is_ascii_whitespace();
                match (separator, start) {
                    (false, None) => start = Some(i),
                    (true, Some(s)) => {
                        tags.push(RawTag {
                            text: String::from_utf8_lossy(&part.bytes[s..i]).into_owned(),
                            line: part.line,
                            column: column_of(part.offset + s),
                        });
                        start = None;
                        if tags.len() > options.max_ids {
                            break 'trailers;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    for outside in trailers::lines_outside_block(message, &parsed.block, &options.trailer_keys) {
        let mut d = Diagnostic::in_commit(
            Severity::Warning,
            Code::TrailerOutsideBlock,
            format!(
                "`{}:` line is not in the commit's trailer block, so git (and practrace) do not read it",
                outside.key
            ),
            &id,
            outside.line,
            1,
        );
        d.suggestion =
            Some("move it into the last paragraph of the message, with the other trailers".into());
        diagnostics.push(d);
    }
    limit_tags(&mut tags, options.max_ids, Origin::Commit(&id), diagnostics);
    if tags.is_empty() {
        return None;
    }
    let practices: Vec<usize> = resolve_tags(model, Origin::Commit(&id), &tags, &[], diagnostics)
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    if practices.is_empty() {
        return None;
    }
    let (author, time, offset) = author(headers);
    Some(CommitHit {
        id,
        author,
        date: rfc3339(time, offset),
        time,
        subject: subject(message),
        practices,
    })
}
