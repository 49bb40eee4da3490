//! What the evidence matrix and `verify` ask of the history: the last commit that touched
//! each evidence file, and whether objects of an earlier report are still there.
//!
//! One walk from the scanned commit, newest first, comparing tree entry ids path by path
//! (a subtree whose id did not change is not opened), until every file is resolved. It
//! costs far more than a scan reads, so only `matrix` calls it.

use std::collections::HashMap;

use git2::{Oid, Repository};

use super::{Repo, git_error, lastchange, object_id, oid, since};
use crate::evidence::ObjectId;
use crate::extract::commit::{rfc3339, signature, split_commit, subject, to_utf8};
use crate::source::SourceError;

/// A commit as the matrix shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CommitInfo {
    /// Full commit id.
    pub id: String,
    /// `Name <email>`, as in the report's commit evidence.
    pub author: String,
    /// Author date, RFC 3339 in the author's zone.
    pub date: String,
    /// Subject line (git's `%s`).
    pub subject: String,
    /// Committer date, RFC 3339 in the committer's zone (the date of the revision).
    pub commit_date: String,
    /// Committer time, seconds since the epoch (UTC).
    pub commit_time: i64,
}

/// The last change of one path: the content it has, and the commit that made it so.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LastChange {
    /// The path's blob id at the start commit.
    pub blob: String,
    /// The last commit that changed the path to that blob.
    pub commit: CommitInfo,
}

impl Repo {
    /// Reads one commit's author, dates and subject, formatted exactly as the scan does.
    pub fn commit_info(&self, id: ObjectId) -> Result<CommitInfo, SourceError> {
        commit_info(&self.0, oid(id))
    }

    /// For each path in `paths`, the last commit reachable from `start` that changed the
    /// path to the content it has at `start`: see [`last_commits`].
    pub fn last_commits(
        &self,
        start: ObjectId,
        paths: &[&str],
    ) -> Result<HashMap<String, LastChange>, SourceError> {
        last_commits(self, oid(start), paths, None)
    }

    /// [`Repo::last_commits`], from what it found from an earlier commit `prior` when it
    /// can: only the commits since are read (see `lastchange::since`); otherwise, and for
    /// paths `known` does not have, the whole walk.
    pub fn last_commits_since(
        &self,
        start: ObjectId,
        paths: &[&str],
        prior: ObjectId,
        known: &HashMap<String, LastChange>,
    ) -> Result<HashMap<String, LastChange>, SourceError> {
        last_commits(self, oid(start), paths, Some((prior, known)))
    }

    /// Runs `f` with what a walk of the history reads: the repository, its packs, the
    /// shallow boundary and the commit-graph's Bloom filters.
    fn with_objects<R>(&self, f: impl FnOnce(&lastchange::Objects<'_>) -> R) -> R {
        let shallow = lastchange::shallow_of(&self.0);
        let blooms = lastchange::blooms_of(&self.0);
        f(&lastchange::Objects {
            repo: &self.0,
            packs: self.packs(),
            shallow: &shallow,
            blooms: &blooms,
        })
    }

    /// The last commits of those of `paths` that the commits new since `prior` changed:
    /// what the walk from `start` finds before it reaches `prior` (the paths it does not
    /// name keep the answer a walk from `prior` gives). `None` when git log's order does not
    /// put the new commits first (see `since::since`) or a tree it needs is not here.
    pub fn changes_since(
        &self,
        start: ObjectId,
        paths: &[&str],
        prior: ObjectId,
    ) -> Result<Option<HashMap<String, LastChange>>, SourceError> {
        let new = self.with_objects(|objects| since::new_changes(objects, start, paths, prior))?;
        let Some((found, not_known, _)) = new else {
            return Ok(None);
        };
        if !not_known.is_empty() {
            return Ok(None);
        }
        let found = found
            .into_iter()
            .map(|(i, b, c)| (paths[i], b, c))
            .collect();
        Ok(Some(changes(self, found, HashMap::new())?))
    }

    /// The blob id of the file at `path` in the working tree, as `git hash-object` computes
    /// it (of the bytes on disk, no filters), or `None` when there is no regular file there
    /// (no symlink is followed, in any component). A file git keeps out of the working tree
    /// (skip-worktree, in a sparse checkout) has its index blob id, as the scan reads it.
    pub fn worktree_blob(&self, path: &str) -> Option<String> {
        let skipped = self
            .1
            .get_or_init(|| super::worktree::skip_worktree_blobs(&self.0));
        if let Some(id) = skipped.get(path) {
            return Some(id.to_string());
        }
        // Component by component, never through a symlink (a folder replaced by a link to
        // elsewhere reads as missing, as git sees it), never out of the working tree.
        let workdir = self.0.workdir()?;
        let mut checked = std::collections::HashSet::new();
        if !crate::source::repository_path(path.as_bytes())
            || !crate::source::real_folders(workdir, std::path::Path::new(path), &mut checked)
        {
            return None;
        }
        let full = workdir.join(path);
        if !std::fs::symlink_metadata(&full).ok()?.is_file() {
            return None;
        }
        // Hashed as it is read (libgit2), not loaded whole: the file may have grown since.
        Oid::hash_file(git2::ObjectType::Blob, &full)
            .ok()
            .map(|id| id.to_string())
    }

    /// The blob id of the file at `path` in the tree of commit `commit`, if it is a file
    /// there.
    pub fn revision_blob(&self, commit: ObjectId, path: &str) -> Option<String> {
        let tree = self.0.find_commit(oid(commit)).ok()?.tree().ok()?;
        let entry = tree.get_path(std::path::Path::new(path)).ok()?;
        (entry.kind() == Some(git2::ObjectType::Blob)).then(|| entry.id().to_string())
    }

    /// Whether `id` (40 hex digits) names a commit in the object database.
    pub fn commit_exists(&self, id: &str) -> bool {
        Oid::from_str(id)
            .ok()
            .and_then(|id| self.0.find_commit(id).ok())
            .is_some()
    }

    /// Every commit reachable from `start` (one walk; a shallow clone's walk ends where
    /// its history is cut).
    pub fn reachable(
        &self,
        start: ObjectId,
    ) -> Result<std::collections::HashSet<String>, SourceError> {
        let mut walk = self.0.revwalk().map_err(git_error)?;
        walk.push(oid(start)).map_err(git_error)?;
        Ok(walk
            .filter_map(Result::ok)
            .map(|id| id.to_string())
            .collect())
    }

    /// The commit a revision names (any form git accepts), if it names one.
    pub fn resolve_commit(&self, rev: &str) -> Option<ObjectId> {
        let commit = self.0.revparse_single(rev).ok()?.peel_to_commit().ok()?;
        Some(object_id(commit.id()))
    }

    /// The message of commit `id` as the scan reads it (in UTF-8, from the blank line after
    /// the headers on), so the lines of its diagnostics are the lines of this.
    pub fn commit_message(&self, id: &str) -> Option<Vec<u8>> {
        let commit = self.0.find_commit(Oid::from_str(id).ok()?).ok()?;
        let raw = [commit.raw_header_bytes(), b"\n", commit.message_raw_bytes()].concat();
        Some(split_commit(&to_utf8(&raw)).1.to_vec())
    }

    /// The paths that commit `id` added, modified or deleted against its first parent
    /// (all of its tree for a root commit), as libgit2's tree diff lists them (no rename
    /// detection); empty when the commit cannot be read.
    pub fn changed_paths(&self, id: &str) -> Vec<String> {
        let repo = &self.0;
        let Ok(commit) = Oid::from_str(id).and_then(|id| repo.find_commit(id)) else {
            return Vec::new();
        };
        // Without its own tree, or its parent's (every file would look added), nothing is
        // claimed, and a note says why (once).
        let parent = commit.parent(0).ok();
        let trees = commit
            .tree()
            .and_then(|t| Ok((t, parent.map(|p| p.tree()).transpose()?)));
        let Ok((tree, parent)) = trees else {
            self.note_incomplete();
            return Vec::new();
        };
        let Ok(diff) = repo.diff_tree_to_tree(parent.as_ref(), Some(&tree), None) else {
            return Vec::new();
        };
        let mut paths = Vec::new();
        for delta in diff.deltas() {
            for file in [delta.new_file(), delta.old_file()] {
                if let Some(p) = file.path().and_then(|p| p.to_str()) {
                    paths.push(p.to_string());
                }
            }
        }
        paths
    }

    /// The note, once per run, that the files some commits changed are not known.
    fn note_incomplete(&self) {
        if self.2.replace(true) {
            return;
        }
        let fix = match super::partial::promisor_remote(&self.0) {
            Some(remote) => format!(
                "the history's folder trees are not in this partial clone: fetch them with `git fetch --refetch --filter=blob:none {remote}`"
            ),
            None => "a folder tree of the history cannot be read: run `git fsck`".to_string(),
        };
        crate::diag::note(format_args!(
            "the history is incomplete: the files some evidence commits changed are not known ({fix})"
        ));
    }

    /// Whether the repository is bare (has no working tree).
    pub fn is_bare(&self) -> bool {
        self.0.is_bare()
    }

    /// Whether git ignores `path` (relative to the working tree's root): a file there is
    /// not listed by `git ls-files --others --exclude-standard`, so a working-tree scan
    /// does not read it until it is added with `git add -f`.
    pub fn is_ignored(&self, path: &str) -> bool {
        self.0
            .is_path_ignored(std::path::Path::new(path))
            .unwrap_or(false)
    }
}

/// Reads one commit's author, dates and subject, formatted exactly as the scan does.
fn commit_info(repo: &Repository, id: Oid) -> Result<CommitInfo, SourceError> {
    let odb = repo.odb().map_err(git_error)?;
    let object = odb.read(id).map_err(git_error)?;
    if object.kind() != git2::ObjectType::Commit {
        return Err(SourceError::Git(format!("{id} is not a commit")));
    }
    Ok(info_of(object_id(id), object.data()))
}

/// A commit's author, dates and subject from its raw bytes, formatted as the scan does.
fn info_of(id: ObjectId, raw: &[u8]) -> CommitInfo {
    let raw = to_utf8(raw);
    let (headers, message) = split_commit(&raw);
    let (author, time, offset) = signature(headers, b"author ");
    let (_, commit_time, commit_offset) = signature(headers, b"committer ");
    CommitInfo {
        id: id.to_string(),
        author,
        date: rfc3339(time, offset),
        subject: subject(message),
        commit_date: rfc3339(commit_time, commit_offset),
        commit_time,
    }
}

/// [`commit_info`] of each of `ids` not in `infos` yet, added to it: from the packs on
/// every core, through libgit2 for the rest.
fn add_infos(
    handle: &Repo,
    ids: impl Iterator<Item = ObjectId>,
    infos: &mut HashMap<ObjectId, CommitInfo>,
) -> Result<(), SourceError> {
    use rayon::prelude::*;
    let mut wanted: Vec<ObjectId> = ids.filter(|id| !infos.contains_key(id)).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let packs = handle.packs();
    let packed: Vec<(ObjectId, Option<CommitInfo>)> = wanted
        .par_iter()
        .map_init(libdeflater::Decompressor::new, |z, id| {
            let info = match packs.read(z, id.as_bytes(), super::series::MAX_COMMIT) {
                Some(crate::source::pack::Object::Data(1, raw)) => Some(info_of(*id, &raw)),
                _ => None,
            };
            (*id, info)
        })
        .collect();
    for (id, info) in packed {
        let info = match info {
            Some(info) => info,
            None => commit_info(&handle.0, oid(id))?,
        };
        infos.insert(id, info);
    }
    Ok(())
}

/// For each path in `paths`, the last commit reachable from `start` that changed the path
/// to the content it has at `start` (git's `log -1 -- PATH`, without following renames):
/// newest first by commit date, a commit counts when the path's entry differs from every
/// parent's. Paths absent at `start` get no commit. Commits that cannot be read are skipped.
fn last_commits(
    handle: &Repo,
    start: Oid,
    paths: &[&str],
    prior: Option<(ObjectId, &HashMap<String, LastChange>)>,
) -> Result<HashMap<String, LastChange>, SourceError> {
    handle.with_objects(|objects| walk_last_commits(handle, objects, start, paths, prior))
}

/// [`last_commits`] over `objects`.
fn walk_last_commits(
    handle: &Repo,
    objects: &lastchange::Objects<'_>,
    start: Oid,
    paths: &[&str],
    prior: Option<(ObjectId, &HashMap<String, LastChange>)>,
) -> Result<HashMap<String, LastChange>, SourceError> {
    let repo = &handle.0;
    let mut infos: HashMap<ObjectId, CommitInfo> = HashMap::new();
    let mut found = Vec::new();
    let mut rest: Vec<&str> = paths.to_vec();
    if let Some((prior, known)) = prior {
        let lookup = |path: &str| {
            let change = known.get(path)?;
            let blob = ObjectId::from_hex(&change.blob)?;
            Some((blob, ObjectId::from_hex(&change.commit.id)?))
        };
        if let Some((since, missing)) =
            since::since(objects, object_id(start), paths, prior, &lookup)?
        {
            for change in known.values() {
                if let Some(id) = ObjectId::from_hex(&change.commit.id) {
                    infos.insert(id, change.commit.clone());
                }
            }
            found.extend(since.into_iter().map(|(i, b, c)| (paths[i], b, c)));
            rest = missing.into_iter().map(|i| paths[i]).collect();
        }
    }
    if !rest.is_empty() {
        let (walked, unknown) = lastchange::last_commits(objects, object_id(start), &rest)?;
        if !unknown.is_empty() {
            note_unknown(repo, &rest, &unknown);
        }
        found.extend(walked.into_iter().map(|(i, b, c)| (rest[i], b, c)));
    }
    changes(handle, found, infos)
}

/// The last changes `found` (path, blob, commit), with each commit's author, date and
/// subject (from `infos` when there, else read).
fn changes(
    handle: &Repo,
    found: Vec<(&str, ObjectId, ObjectId)>,
    mut infos: HashMap<ObjectId, CommitInfo>,
) -> Result<HashMap<String, LastChange>, SourceError> {
    add_infos(handle, found.iter().map(|f| f.2), &mut infos)?;
    let mut out = HashMap::new();
    for (path, blob, commit) in found {
        let Some(info) = infos.get(&commit) else {
            continue;
        };
        let change = LastChange {
            blob: blob.to_string(),
            commit: info.clone(),
        };
        out.insert(path.to_string(), change);
    }
    Ok(out)
}

/// Says on stderr which paths have no last commit because the history's trees are not all
/// here, and how to get them: never a wrong commit instead.
fn note_unknown(repo: &Repository, paths: &[&str], unknown: &[usize]) {
    let mut shown: Vec<&str> = unknown.iter().take(5).map(|&i| paths[i]).collect();
    if unknown.len() > shown.len() {
        shown.push("…");
    }
    let why = match super::partial::promisor_remote(repo) {
        Some(remote) => format!(
            "the history's folder trees are not in this partial clone (its filter left them out): fetch them with `git fetch --refetch --filter=blob:none {remote}`"
        ),
        None => "a tree of the history cannot be read (run `git fsck`)".to_string(),
    };
    crate::diag::note(format_args!(
        "the history is incomplete: the last commit of {} file(s) is not known ({}); {why}",
        unknown.len(),
        shown.join(", ")
    ));
}

/// Opens the repository at or around `path` and resolves `rev` (default: HEAD, `None` when
/// HEAD is unborn) to a commit.
pub fn open_at(
    path: &std::path::Path,
    rev: Option<&str>,
) -> Result<(Repo, Option<ObjectId>), SourceError> {
    super::configure_libgit2();
    let repo = super::open::open(path)?;
    super::worktree_as_git_resolves(&repo, path);
    let commit = match rev {
        Some(rev) => Some(
            repo.revparse_single(rev)
                .and_then(|o| o.peel_to_commit())
                .map_err(|e| SourceError::Revision {
                    rev: rev.to_string(),
                    message: super::with_nearest_reference(&repo, rev, e.message()),
                })?
                .id(),
        ),
        None => super::head_commit(&repo)?,
    };
    Ok((Repo::new(repo), commit.map(object_id)))
}
