//! One repository scanned at a series of commits (`history`'s points): each point's source
//! made from the one before with [`GitSource::at_commit`], sharing its packs, and the
//! first-parent chain the points are taken from.

use std::sync::Arc;

use git2::Repository;

use super::parents;
use super::{GitSource, git_error, oid};
use crate::evidence::ObjectId;
use crate::source::pack::{Object, Packs};
use crate::source::{CommitFindings, RawCommit, SourceError};
use git2::ObjectType;

/// The largest commit read from the packs (a larger one is left to libgit2).
pub(super) const MAX_COMMIT: u64 = 64 << 20;

impl GitSource {
    /// The same repository at another commit, sharing this source's packs once opened
    /// (opening them indexes every object: at 100,000 files and 200,000 commits, 0.1 s each
    /// time), for a series of scans such as `history`'s points.
    pub fn at_commit(&self, commit: ObjectId) -> Result<GitSource, SourceError> {
        let repository = self.git()?;
        let found = repository.find_commit(oid(commit)).map_err(git_error)?;
        Ok(GitSource {
            shown: self.shown.clone(),
            git_dir: self.git_dir.clone(),
            workdir: self.workdir.clone(),
            rev: Some(commit.to_string()),
            commit: Some(found.id()),
            tree: Some(found.tree_id()),
            shallow: self.shallow,
            grafts: self.grafts.clone(),
            promisor: self.promisor.clone(),
            absent: std::sync::Mutex::new(Vec::new()),
            prepass_after: None,
            packs: Arc::clone(&self.packs),
        })
    }

    /// This source, its full scan walking commits one by one at first and processing every
    /// packed commit at once (the pre-pass) only once the walk has read `commits` of them:
    /// for a revision that may reach few commits (`history`'s first point, often near the
    /// root, with [`PREPASS_AFTER`](super::PREPASS_AFTER); the pre-pass of 200,000 commits
    /// costs 1.2 s), at the price of those first commits read one by one when it reaches
    /// many. The scan is the same either way.
    pub fn with_prepass_after(mut self, commits: usize) -> GitSource {
        self.prepass_after = Some(commits);
        self
    }

    /// Opens the packs now (they are shared by every source of the series), so that the
    /// tree diffs of [`Source::since`](crate::source::Source::since) read them with `pread`
    /// rather than through libgit2's pack windows, which several threads thrash.
    pub fn open_packs(&self) {
        self.packs.get();
    }

    /// Walks the first-parent chain from `start`, newest first (`git rev-list
    /// --first-parent`), calling `visit` with each commit's id and committer time (seconds
    /// since the epoch) until it returns `false`. The chain ends at a root commit, at a
    /// shallow clone's cut, or at a parent that cannot be read. Commits are read from the
    /// packs this source shares with its scans (libgit2 for the others), without
    /// libgit2's object cache: 200,000 commits would fill it.
    pub fn first_parents(
        &self,
        start: ObjectId,
        visit: &mut dyn FnMut(ObjectId, i64) -> bool,
    ) -> Result<(), SourceError> {
        let packs = self.packs.get();
        let mut inflater = libdeflater::Decompressor::new();
        let mut repo: Option<Repository> = None;
        let mut id = start;
        loop {
            let raw = match packs.read(&mut inflater, id.as_bytes(), 1 << 24) {
                Some(crate::source::pack::Object::Data(1, bytes)) => bytes,
                _ => {
                    if repo.is_none() {
                        repo = Some(self.git()?);
                    }
                    let read = |r: &Repository| -> Option<Vec<u8>> {
                        let odb = r.odb().ok()?;
                        let o = odb.read(oid(id)).ok()?;
                        (o.kind() == git2::ObjectType::Commit).then(|| o.data().to_vec())
                    };
                    match repo.as_ref().and_then(read) {
                        Some(bytes) => bytes,
                        None if id == start => {
                            return Err(SourceError::Git(format!("cannot read commit {id}")));
                        }
                        None => return Ok(()),
                    }
                }
            };
            let (headers, _) = crate::extract::commit::split_commit(&raw);
            let mut first_parent = None;
            let mut time = 0;
            for line in headers.split(|&b| b == b'\n') {
                if let Some(hex) = line.strip_prefix(b"parent ") {
                    if first_parent.is_none() {
                        first_parent = std::str::from_utf8(hex)
                            .ok()
                            .and_then(|h| ObjectId::from_hex(h.trim()));
                    }
                } else if line.starts_with(b"committer ") {
                    time = crate::extract::commit::committer_time(line);
                }
            }
            if !visit(id, time) || self.grafts.contains(&id) {
                return Ok(());
            }
            match first_parent {
                Some(parent) => id = parent,
                None => return Ok(()),
            }
        }
    }
}

/// How many commits a walk reads one by one, for a revision that may reach few, before it
/// processes every packed commit at once ([`GitSource::with_prepass_after`]).
pub const PREPASS_AFTER: usize = 5000;

/// One commit through libgit2: its parents and what `process` makes of it, or why it could
/// not be read.
pub(super) fn read_commit(
    (odb, packs, z): (
        &git2::Odb<'_>,
        Option<&Packs>,
        &mut libdeflater::Decompressor,
    ),
    id: ObjectId,
    process: &(dyn Fn(RawCommit<'_>) -> CommitFindings + Sync),
) -> Result<(Vec<ObjectId>, CommitFindings), String> {
    // A commit stored as a delta (the pre-pass reads whole ones only): resolved from the
    // packs with pread, as blobs are, rather than through libgit2's mapped pack windows.
    if let Some(Object::Data(1, raw)) = packs.and_then(|p| p.read(z, id.as_bytes(), MAX_COMMIT)) {
        return Ok((
            parents(&raw).collect(),
            process(RawCommit { id, raw: &raw }),
        ));
    }
    match odb.read(oid(id)) {
        Ok(o) if o.kind() == ObjectType::Commit => {
            let raw = o.data();
            Ok((parents(raw).collect(), process(RawCommit { id, raw })))
        }
        Ok(o) => Err(format!("expected a commit, found a {}", o.kind())),
        Err(e) => Err(e.message().to_string()),
    }
}

/// What the pre-pass keeps of one commit of the packs: its parents, and what the scan made
/// of it only when that is something (most commits are not evidence and raise nothing):
/// about 50 bytes a commit instead of 200, for every commit of the packs, reachable or not.
pub(super) type Packed = (Box<[ObjectId]>, Option<Box<CommitFindings>>);

impl GitSource {
    /// Every whole commit of the packs, inflated and processed on all cores at once: its
    /// parents and what `process` made of it (see [`Packed`]).
    pub(super) fn process_packed(
        &self,
        process: &(dyn Fn(RawCommit<'_>) -> CommitFindings + Sync),
    ) -> std::collections::HashMap<ObjectId, Packed> {
        let t = std::time::Instant::now();
        let packed = self.packs.get().process_all(&|id, raw| {
            let parents: Box<[ObjectId]> = parents(raw).collect();
            let findings = process(RawCommit { id, raw });
            let findings =
                (findings.0.is_some() || !findings.1.is_empty()).then(|| Box::new(findings));
            Some((parents, findings))
        });
        if std::env::var_os("PRACTRACE_TIMINGS").is_some() {
            eprintln!(
                "practrace timings: {} packed commits processed in {:?}",
                packed.len(),
                t.elapsed()
            );
        }
        packed
    }
}
