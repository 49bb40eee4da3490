//! What the evidence matrix and `verify` ask of the history: the last commit that touched
//! each evidence file, and whether objects of an earlier report are still there.
//!
//! One walk from the scanned commit, newest first, comparing tree entry ids path by path
//! (a subtree whose id did not change is not opened), until every file is resolved. It
//! costs far more than a scan reads, so only `matrix` calls it.

use std::collections::HashMap;

use git2::{Oid, Repository};

use super::{Repo, git_error, lastchange, object_id, oid};
use crate::evidence::ObjectId;
use crate::extract::commit::{author, rfc3339, subject};
use crate::source::SourceError;

/// A commit as the matrix shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
        last_commits(&self.0, oid(start), paths)
    }

    /// The blob id of the file at `path` in the working tree, as `git hash-object` computes
    /// it (of the bytes on disk, no filters), or `None` when there is no regular file there
    /// (no symlink is followed, in any component).
    pub fn worktree_blob(&self, path: &str) -> Option<String> {
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

    /// The raw message of commit `id`.
    pub fn commit_message(&self, id: &str) -> Option<Vec<u8>> {
        let commit = self.0.find_commit(Oid::from_str(id).ok()?).ok()?;
        Some(commit.message_bytes().to_vec())
    }

    /// The paths that commit `id` added, modified or deleted against its first parent
    /// (all of its tree for a root commit), as libgit2's tree diff lists them (no rename
    /// detection); empty when the commit cannot be read.
    pub fn changed_paths(&self, id: &str) -> Vec<String> {
        let repo = &self.0;
        let Ok(commit) = Oid::from_str(id).and_then(|id| repo.find_commit(id)) else {
            return Vec::new();
        };
        let Ok(tree) = commit.tree() else {
            return Vec::new();
        };
        let parent = commit.parent(0).ok().and_then(|p| p.tree().ok());
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
    let commit = repo.find_commit(id).map_err(git_error)?;
    let (author, time, offset) = author(commit.raw_header_bytes());
    let committer = commit.committer();
    let when = committer.when();
    Ok(CommitInfo {
        id: id.to_string(),
        author,
        date: rfc3339(time, offset),
        subject: subject(commit.message_raw_bytes()),
        commit_date: rfc3339(when.seconds(), when.offset_minutes()),
        commit_time: when.seconds(),
    })
}

/// For each path in `paths`, the last commit reachable from `start` that changed the path
/// to the content it has at `start` (git's `log -1 -- PATH`, without following renames):
/// newest first by commit date, a commit counts when the path's entry differs from every
/// parent's. Paths absent at `start` get no commit. Commits that cannot be read are skipped.
fn last_commits(
    repo: &Repository,
    start: Oid,
    paths: &[&str],
) -> Result<HashMap<String, LastChange>, SourceError> {
    let packs = lastchange::packs_of(repo);
    let shallow = lastchange::shallow_of(repo);
    let objects = lastchange::Objects {
        repo,
        packs: &packs,
        shallow: &shallow,
    };
    let found = lastchange::last_commits(&objects, object_id(start), paths)?;
    let mut infos: HashMap<ObjectId, CommitInfo> = HashMap::new();
    let mut out = HashMap::new();
    for (i, blob, commit) in found {
        let info = match infos.get(&commit) {
            Some(info) => info.clone(),
            None => {
                let info = commit_info(repo, oid(commit))?;
                infos.insert(commit, info.clone());
                info
            }
        };
        out.insert(
            paths[i].to_string(),
            LastChange {
                blob: blob.to_string(),
                commit: info,
            },
        );
    }
    Ok(out)
}

/// Opens the repository at or around `path` and resolves `rev` (default: HEAD, `None` when
/// HEAD is unborn) to a commit.
pub fn open_at(
    path: &std::path::Path,
    rev: Option<&str>,
) -> Result<(Repo, Option<ObjectId>), SourceError> {
    super::configure_libgit2();
    let repo = Repository::discover(path).map_err(|e| SourceError::Open {
        path: path.display().to_string(),
        message: e.message().to_string(),
    })?;
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
    Ok((Repo(repo), commit.map(object_id)))
}
