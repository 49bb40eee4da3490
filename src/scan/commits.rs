//! The commits of a scan: the history walked, each message's trailers read and resolved.

use crate::config::ScanOptions;
use crate::diag::{Code, Diagnostic, Severity};
use crate::evidence::{CommitHit, CommitTable};
use crate::extract::commit::{author, rfc3339, split_commit, subject};
use crate::extract::trailers;
use crate::model::Model;
use crate::resolve::{Origin, RawTag, limit_tags, resolve_tags};
use crate::source::{RawCommit, Source, SourceError};

use super::keys;

pub(super) type CommitsResult =
    Result<(Vec<CommitHit>, Vec<Diagnostic>, usize, usize), SourceError>;

pub(super) fn scan_commits(
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
    // Converted once, before anything is read (as `git log` shows it).
    let raw = crate::extract::commit::to_utf8(commit.raw);
    let (headers, message) = split_commit(&raw);
    // Fast path: most messages never mention a key, nor start a line with a misspelt one
    // (one pass over the message's colons; see `keys::line_with_near_key`).
    if !options
        .trailer_keys
        .iter()
        .any(|k| trailers::contains_ignore_case(message, k.as_bytes()))
        && !keys::line_with_near_key(message, &options.trailer_keys)
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
    let mut tags = trailer_tags(&parsed, options);
    warn_outside_block(message, &parsed, options, &id, diagnostics);
    warn_misspelt_keys(&parsed, options, &id, diagnostics);
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

/// The ids the trailers with a practice key hold, each with its line and column: at most
/// one more than `max_ids` (to know that the limit cuts something).
fn trailer_tags(parsed: &trailers::Trailers<'_>, options: &ScanOptions) -> Vec<RawTag> {
    let mut tags = Vec::new();
    let keyed = parsed
        .trailers
        .iter()
        .filter(|t| options.trailer_keys.iter().any(|k| t.has_key(k)));
    for part in keyed.flat_map(|t| &t.parts) {
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
                        return tags;
                    }
                }
                _ => {}
            }
        }
    }
    tags
}

/// A warning for each trailer of the block whose key misspells a trailer key (see
/// [`keys`]) and whose value holds an id: git reads it under another key, and practrace
/// does not read it at all.
fn warn_misspelt_keys(
    parsed: &trailers::Trailers<'_>,
    options: &ScanOptions,
    id: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for t in &parsed.trailers {
        let Some(key) = keys::misspelt(t.key, &options.trailer_keys, true) else {
            continue;
        };
        // Nothing shaped like an id: no evidence is lost (prose such as "practical: it
        // works" can be read as a trailer in the last paragraph).
        if !keys::holds_practice_id(&String::from_utf8_lossy(&t.unfolded_value())) {
            continue;
        }
        let Some(first) = t.parts.first() else {
            continue;
        };
        let mut d = Diagnostic::in_commit(
            Severity::Warning,
            Code::MisspeltKey,
            format!(
                "`{}:` trailer is not a practice key, so its value is not read: did you mean `{key}`?",
                String::from_utf8_lossy(t.key)
            ),
            id,
            first.line,
            1,
        );
        d.suggestion = Some(key.to_string());
        diagnostics.push(d);
    }
}

/// A warning for each practice-key line that git does not read as a trailer, when its
/// value holds something shaped like a practice id: `practice: you over-allocate` is a
/// sentence that wrapped, not a tag.
fn warn_outside_block(
    message: &[u8],
    parsed: &trailers::Trailers<'_>,
    options: &ScanOptions,
    id: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let outside = trailers::lines_outside_block(message, &parsed.block, &options.trailer_keys);
    for outside in outside.iter().filter(|o| keys::holds_practice_id(&o.value)) {
        let mut d = Diagnostic::in_commit(
            Severity::Warning,
            Code::TrailerOutsideBlock,
            format!(
                "`{}:` line is not in the commit's trailer block, so git (and practrace) do not read it",
                outside.key
            ),
            id,
            outside.line,
            1,
        );
        d.suggestion =
            Some("move it into the last paragraph of the message, with the other trailers".into());
        diagnostics.push(d);
    }
}
