//! The files of a scan: front matter read and resolved, the evidence map applied, and what
//! the cache remembers of each blob.

use rayon::prelude::*;

use crate::config::ScanOptions;
use crate::diag::{Code, Diagnostic, Severity};
use crate::evidence::{BlobRecord, BlobTable, FileHit, ObjectId, Provenance};
use crate::extract::front_matter::{self, Split};
use crate::model::Model;
use crate::resolve::{Origin, RawTag, limit_tags, resolve_tags};
use crate::source::{FileContent, FileEntry, FileReader, Source};

/// The files the evidence map names, each a hit whose practices say which rule (and which
/// of its globs) named them: the first rule that names a practice.
pub(super) fn map_files(
    source: &dyn Source,
    entries: &[FileEntry],
    rules: &[crate::config::MapRule],
) -> Vec<FileHit> {
    // Every glob of every rule in one set: a path is matched once, whatever the number of
    // rules (one set per rule made 14,000 rules on 20,000 files take a minute). The
    // matches come in the order of the globs, so rules in order, and within a rule its
    // first matching glob first.
    let pairs: Vec<(usize, &String)> = rules
        .iter()
        .enumerate()
        .flat_map(|(rule, r)| r.globs.iter().map(move |g| (rule, g)))
        .collect();
    let (set, origin) = crate::config::indexed_glob_set(pairs.iter().map(|(_, g)| g.as_str()));
    entries
        .par_iter()
        .filter_map(|entry| {
            let mut practices: Vec<(usize, Provenance)> = Vec::new();
            let mut last_rule = None;
            for m in set.matches(&entry.path) {
                let (rule, glob) = pairs[origin[m]];
                if last_rule == Some(rule) {
                    continue;
                }
                last_rule = Some(rule);
                for &p in &rules[rule].practices {
                    if !practices.iter().any(|&(q, _)| q == p) {
                        let glob = glob.clone();
                        practices.push((p, Provenance::EvidenceMap { rule, glob }));
                    }
                }
            }
            if practices.is_empty() {
                return None;
            }
            practices.sort_by_key(|&(p, _)| p);
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
/// keeps its tags, and gains the mapped practices it did not tag.
pub(super) fn merge_hits(mut hits: Vec<FileHit>, mapped: Vec<FileHit>) -> Vec<FileHit> {
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
                for (p, how) in m.practices {
                    if !hit.practices.iter().any(|&(q, _)| q == p) {
                        hit.practices.push((p, how));
                    }
                }
                hit.practices.sort_by_key(|&(p, _)| p);
            }
            None => extra.push(m),
        }
    }
    hits.extend(extra);
    hits.sort_by(|a, b| a.path.cmp(&b.path));
    hits
}

pub(super) type FilesResult = (
    Vec<FileHit>,
    Vec<Diagnostic>,
    Vec<(ObjectId, BlobRecord)>,
    usize,
);

pub(super) fn scan_files(
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
                // Remember blobs (not files on disk), unless reading failed or the blob is not here:
                // that may pass.
                let record = key
                    .filter(|_| {
                        !diags
                            .iter()
                            .any(|d| matches!(d.code, Code::UnreadableFile | Code::ObjectsAbsent))
                    })
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
    let Some(bytes) = read_text(reader, entry, options, &mut diagnostics) else {
        return (None, diagnostics);
    };
    let Some(tags) = read_tags(&bytes, &entry.path, options, &mut diagnostics) else {
        return (None, diagnostics);
    };
    warn_misspelt_keys(&tags, &bytes, &entry.path, options, &mut diagnostics);
    let resolved = resolve_file_tags(&tags, &entry.path, model, options, &mut diagnostics);
    if resolved.is_empty() {
        return (None, diagnostics);
    }
    let blob = entry
        .blob
        .or_else(|| crate::source::git::blob_id(&bytes))
        .map(|b| b.to_string())
        .unwrap_or_default();
    let hit = FileHit {
        path: entry.path.clone(),
        blob,
        practices: resolved,
    };
    (Some(hit), diagnostics)
}

/// The bytes of a text file that may open front matter; `None` for a file that does not,
/// a binary file, or one that is too large or unreadable (with a diagnostic).
fn read_text(
    reader: &mut dyn FileReader,
    entry: &FileEntry,
    options: &ScanOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Vec<u8>> {
    let path = entry.path.as_str();
    let bytes = match reader.read(entry, options.max_file_size) {
        FileContent::NoFrontMatter => return None,
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
            return None;
        }
        FileContent::Absent => {
            // Folded into one diagnostic for the whole scan (`absent::fold`).
            diagnostics.push(Diagnostic::in_file(
                Severity::Error,
                Code::ObjectsAbsent,
                "not in this partial clone".into(),
                path,
                None,
                None,
            ));
            return None;
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
            return None;
        }
    };
    (!is_binary(&bytes)).then_some(bytes)
}

/// The tags of a file's front matter; `None` without front matter, or with front matter
/// that is too large or not valid (with a diagnostic).
fn read_tags(
    bytes: &[u8],
    path: &str,
    options: &ScanOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<front_matter::FrontMatterTags> {
    let fm = match front_matter::split(bytes, options.max_front_matter) {
        Split::None => return None,
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
            return None;
        }
        Split::FrontMatter(fm) => fm,
    };
    match front_matter::read(fm, &options.front_matter_key) {
        Ok(tags) => Some(tags),
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
            None
        }
    }
}

/// A warning for each top-level key that misspells the practices key (see
/// [`super::keys`]) and lists something shaped like a practice id: what it lists is not
/// read. `file` is the file's bytes, where the key's value is looked at.
fn warn_misspelt_keys(
    tags: &front_matter::FrontMatterTags,
    file: &[u8],
    path: &str,
    options: &ScanOptions,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let key = &options.front_matter_key;
    for written in &tags.other_keys {
        if !super::keys::is_misspelling(written.value.as_bytes(), key, false)
            || !super::keys::holds_practice_id(&value_text(file, written.line))
        {
            continue;
        }
        let case = if written.value.eq_ignore_ascii_case(key) {
            " (front matter keys are case-sensitive)"
        } else {
            ""
        };
        let mut d = Diagnostic::in_file(
            Severity::Warning,
            Code::MisspeltKey,
            format!(
                "`{}` is not the practices key, so what it lists is not read{case}: did you mean `{key}`?",
                written.value
            ),
            path,
            Some(written.line),
            Some(written.column),
        );
        d.suggestion = Some(key.clone());
        diagnostics.push(d);
    }
}

/// The text of the top-level key at 1-based `line` of a file and of its value: the rest
/// of that line, and the lines after it that are indented or list items (blank ones
/// included), up to the next key or the end of the front matter. A plain reading of the
/// lines, enough to tell whether the value names ids (the YAML itself was read already).
fn value_text(file: &[u8], line: u32) -> String {
    let mut lines = file
        .split(|&b| b == b'\n')
        .skip(line.saturating_sub(1) as usize);
    let mut out = lines.next().map(<[u8]>::to_vec).unwrap_or_default();
    for l in lines {
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        let more = match l.first() {
            None => true,
            Some(b' ' | b'\t') => true,
            Some(b'-') => l != b"---",
            _ => false,
        };
        if !more {
            break;
        }
        out.push(b'\n');
        out.extend_from_slice(l);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The practices a file's tags evidence, each with the line and note of its first tag (at
/// most `max_ids` tags are read).
fn resolve_file_tags(
    tags: &front_matter::FrontMatterTags,
    path: &str,
    model: &Model,
    options: &ScanOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(usize, Provenance)> {
    let Some(practices) = &tags.practices else {
        return Vec::new();
    };
    let raw = |l: &crate::extract::yaml::LocatedStr| RawTag {
        text: l.value.clone(),
        line: l.line,
        column: l.column,
    };
    let mut tags_raw: Vec<RawTag> = practices.iter().map(|t| raw(&t.id)).collect();
    limit_tags(
        &mut tags_raw,
        options.max_ids,
        Origin::File(path),
        diagnostics,
    );
    let areas: Vec<RawTag> = tags.process_areas.iter().map(raw).collect();
    resolve_tags(model, Origin::File(path), &tags_raw, &areas, diagnostics)
        .into_iter()
        .map(|(p, i)| {
            let how = Provenance::FrontMatter {
                line: tags_raw[i].line,
                note: practices[i].note.clone(),
            };
            (p, how)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::value_text;

    #[test]
    fn the_value_of_a_key_is_its_line_and_the_indented_ones() {
        let file = b"---\nPractices:\n  - BP.05.01\n\n- BP.05.02\ntitle: x\n---\nbody\n";
        assert_eq!(
            value_text(file, 2),
            "Practices:\n  - BP.05.01\n\n- BP.05.02"
        );
        assert_eq!(value_text(file, 6), "title: x");
        assert_eq!(
            value_text(b"---\r\npratices: [a]\r\n---\r\n", 2),
            "pratices: [a]\r"
        );
        assert_eq!(value_text(b"x", 9), "");
    }
}
