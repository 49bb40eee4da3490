//! One repository scanned at a series of commits (`history`'s points): each point's source
//! made from the one before with [`GitSource::at_commit`], sharing its packs, and the
//! first-parent chain the points are taken from.

use std::collections::HashSet;
use std::sync::Arc;

use git2::Repository;

use super::parents;
use super::{GitSource, git_error, oid};
use crate::evidence::ObjectId;
use crate::evidence::{CommitRecord, CommitTable};
use crate::source::pack::{Object, Packs, Scratch, Sweep, Taken};
use crate::source::{CommitFindings, RawCommit, SourceError, Walk};
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

    /// This source, its full scan walking commits one by one at first and starting the
    /// sweep of the packs' commits ([`Sweep`]) only once the walk has read `commits` of
    /// them: for a revision that may reach few commits (`history`'s first point, often near
    /// the root, with [`PREPASS_AFTER`](super::PREPASS_AFTER)), at the price of those first
    /// commits read one by one when it reaches many. The scan is the same either way.
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
/// starts a sweep of the packs' commits ([`GitSource::with_prepass_after`]).
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
    // A commit stored as a delta (the sweep reads whole ones only): resolved from the
    // packs with pread, as blobs are, rather than through libgit2's mapped pack windows.
    if let Some(Object::Data(1, raw)) = packs.and_then(|p| p.read(z, id.as_bytes(), MAX_COMMIT)) {
        return Ok(processed(id, &raw, process));
    }
    match odb.read(oid(id)) {
        Ok(o) if o.kind() == ObjectType::Commit => Ok(processed(id, o.data(), process)),
        Ok(o) => Err(format!("expected a commit, found a {}", o.kind())),
        Err(e) => Err(e.message().to_string()),
    }
}

/// A commit's parents and what `process` makes of it.
fn processed(
    id: ObjectId,
    raw: &[u8],
    process: &(dyn Fn(RawCommit<'_>) -> CommitFindings + Sync),
) -> (Vec<ObjectId>, CommitFindings) {
    (parents(raw).collect(), process(RawCommit { id, raw }))
}

/// What the sweep keeps of one commit of the packs until the walk takes it: its parents,
/// and what the scan made of it only when that is something (most commits are not evidence
/// and raise nothing).
type Packed = (Box<[ObjectId]>, Option<Box<CommitFindings>>);

/// A walk's commit processing: what `process` makes of a commit, the commits already
/// known (the cache) and whether to remember the ones read.
pub(super) type Processing<'a> = (
    &'a (dyn Fn(RawCommit<'_>) -> CommitFindings + Sync),
    &'a mut CommitTable,
    bool,
);

/// Stops a sweep's workers when the walk leaves, however it leaves.
struct Finish<'s, 'p>(&'s Sweep<'p, Packed>);

impl Drop for Finish<'_, '_> {
    fn drop(&mut self) {
        self.0.finish();
    }
}

/// A walk under way: its state, so that it can go on on a thread of its own once a sweep
/// starts (the calling thread then works for the sweep).
struct Walker<'a, 'r> {
    odb: &'a git2::Odb<'r>,
    packs: Option<&'a Packs>,
    grafts: &'a HashSet<ObjectId>,
    process: &'a (dyn Fn(RawCommit<'_>) -> CommitFindings + Sync),
    known: &'a mut CommitTable,
    remember: bool,
    walk: Walk,
    /// How many commits the walk read itself while a sweep was on.
    alone: usize,
    seen: HashSet<ObjectId>,
    stack: Vec<ObjectId>,
    scratch: Scratch,
    /// What the sweep keeps of a commit (see [`Packed`]).
    keep: &'a (dyn Fn(ObjectId, &[u8]) -> Option<Packed> + Sync),
}

impl Walker<'_, '_> {
    /// Walks on until every commit is walked (`true`), or until `until` commits have been
    /// read (`false`), taking commits from `sweep` when there is one.
    fn run(&mut self, sweep: Option<&Sweep<'_, Packed>>, until: Option<usize>) -> bool {
        while !self.stack.is_empty() {
            if until.is_some_and(|n| self.walk.read >= n) {
                return false;
            }
            let Some(id) = self.stack.pop() else { break };
            if !self.seen.insert(id) {
                continue;
            }
            let (parent_ids, findings) = match self.known.get(&id) {
                Some(record) => (
                    record.parents.clone(),
                    (record.hit.clone(), record.diagnostics.clone()),
                ),
                None => {
                    let (parent_ids, findings) = match self.read(sweep, id) {
                        Ok(done) => done,
                        Err(why) => {
                            self.walk.unreadable.push((id, why));
                            continue;
                        }
                    };
                    self.walk.read += 1;
                    if self.remember {
                        self.known.insert(
                            id,
                            CommitRecord {
                                parents: parent_ids.clone(),
                                hit: findings.0.clone(),
                                diagnostics: findings.1.clone(),
                            },
                        );
                    }
                    (parent_ids, findings)
                }
            };
            self.walk.count += 1;
            // Most commits are not evidence and raise nothing: only the others are kept.
            if findings.0.is_some() || !findings.1.is_empty() {
                self.walk.findings.push(findings);
            }
            if !self.grafts.contains(&id) {
                let seen = &self.seen;
                self.stack
                    .extend(parent_ids.into_iter().filter(|p| !seen.contains(p)));
            }
        }
        true
    }

    /// One commit not known: what the sweep made of it, else read here.
    fn read(
        &mut self,
        sweep: Option<&Sweep<'_, Packed>>,
        id: ObjectId,
    ) -> Result<(Vec<ObjectId>, CommitFindings), String> {
        let taken = sweep.map_or(Taken::Elsewhere, |s| {
            s.take(&mut self.scratch, &id, MAX_COMMIT, self.keep)
        });
        if sweep.is_some() && !matches!(taken, Taken::Made(_)) {
            self.alone += 1;
        }
        match taken {
            Taken::Made((parents, findings)) => Ok((
                parents.into_vec(),
                findings.map_or_else(Default::default, |f| *f),
            )),
            Taken::Read(raw) => Ok(processed(id, &raw, self.process)),
            Taken::Elsewhere => read_commit(
                (self.odb, self.packs, &mut self.scratch.z),
                id,
                self.process,
            ),
        }
    }
}

impl GitSource {
    /// Walks every commit reachable from `start` (but the grafts' parents): from what is
    /// known, else from what a sweep made, else read one by one. With `sweep_after`, once
    /// the walk has read that many commits one by one, the walk goes on on a thread of its
    /// own while every core of the pool inflates the packs' whole commits ahead of it
    /// ([`Sweep`]).
    pub(super) fn walk_commits(
        &self,
        start: ObjectId,
        odb: &git2::Odb<'_>,
        (process, known, remember): Processing<'_>,
        sweep_after: Option<usize>,
    ) -> Walk {
        let t = std::time::Instant::now();
        let packs = match sweep_after {
            Some(_) => Some(self.packs.get()),
            None => self.packs.opened(),
        };
        let keep = |id: ObjectId, raw: &[u8]| -> Option<Packed> {
            let parents: Box<[ObjectId]> = parents(raw).collect();
            let findings = process(RawCommit { id, raw });
            let findings =
                (findings.0.is_some() || !findings.1.is_empty()).then(|| Box::new(findings));
            Some((parents, findings))
        };
        let mut walker = Walker {
            odb,
            packs,
            grafts: &self.grafts,
            process,
            known,
            remember,
            walk: Walk::default(),
            alone: 0,
            seen: HashSet::new(),
            stack: vec![start],
            scratch: Scratch::default(),
            keep: &keep,
        };
        if walker.run(None, sweep_after) {
            return walker.walk;
        }
        let Some(packs) = packs else {
            walker.run(None, None);
            return walker.walk;
        };
        let sweep = Sweep::new(packs);
        std::thread::scope(|scope| {
            let walking = scope.spawn(|| {
                let _finish = Finish(&sweep);
                walker.run(Some(&sweep), None);
            });
            sweep.work(&keep);
            if let Err(panic) = walking.join() {
                std::panic::resume_unwind(panic);
            }
        });
        // What the sweep made and the walk took was freed into the arenas of the pool's
        // threads, where the scan's later allocations may not reuse it.
        crate::memory::release_freed();
        if std::env::var_os("PRACTRACE_TIMINGS").is_some() {
            eprintln!(
                "practrace timings: {} commits walked in {:?}, {} of them read by the walk; \
                 the sweep inflated {}",
                walker.walk.count,
                t.elapsed(),
                walker.alone,
                sweep.inflated()
            );
        }
        walker.walk
    }
}
