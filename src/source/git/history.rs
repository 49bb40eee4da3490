//! What the evidence matrix and `verify` ask of the history: the last commit that touched
//! each evidence file, and whether objects of an earlier report are still there.
//!
//! One walk from the scanned commit, newest first, comparing tree entry ids path by path
//! (a subtree whose id did not change is not opened), until every file is resolved. It
//! costs far more than a scan reads, so only `matrix` calls it.

use std::collections::HashMap;

use git2::{Oid, Repository, Sort, Tree};

use super::{Repo, git_error, object_id, oid};
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

/// The id of the entry at `path` (`/`-separated) in `tree`, if there is one.
fn entry_at(repo: &Repository, tree: Oid, path: &str) -> Option<Oid> {
    let tree = repo.find_tree(tree).ok()?;
    tree.get_path(std::path::Path::new(path))
        .ok()
        .map(|e| e.id())
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
    let start_tree = repo
        .find_commit(start)
        .and_then(|c| c.tree())
        .map_err(git_error)?;
    // What each path holds at `start`: the entry a touching commit must have produced.
    let mut wanted: Vec<(String, Oid)> = paths
        .iter()
        // The walk below recurses once per folder of a path: a path nested deeper than
        // MAX_DEPTH folders (git allows them; a checkout does not) gets no last commit
        // rather than overflowing the stack.
        .filter(|p| p.split('/').count() <= MAX_DEPTH)
        .filter_map(|p| {
            let id = start_tree.get_path(std::path::Path::new(p)).ok()?.id();
            Some((p.to_string(), id))
        })
        .collect();
    wanted.sort();
    wanted.dedup();
    let mut found = HashMap::new();
    if wanted.is_empty() {
        return Ok(found);
    }
    let mut trie = PathTrie::default();
    for (i, (path, _)) in wanted.iter().enumerate() {
        trie.insert(path, i);
    }
    let mut walk = repo.revwalk().map_err(git_error)?;
    walk.set_sorting(Sort::TIME).map_err(git_error)?;
    walk.push(start).map_err(git_error)?;
    for id in walk {
        let Ok(id) = id else { continue };
        let Ok(commit) = repo.find_commit(id) else {
            continue;
        };
        let tree = commit.tree_id();
        let parents: Vec<Oid> = commit.parents().map(|p| p.tree_id()).collect();
        if parents.contains(&tree) {
            // Same tree as a parent: for every path, not a change.
            continue;
        }
        // Changed against every parent (a root commit: present at all)...
        let mut touched = Vec::new();
        trie.changed(repo, Some(tree), parents.first().copied(), &mut touched);
        // A path can be met twice (a file turned into a folder of the same name).
        touched.sort_unstable();
        touched.dedup();
        for &parent in parents.iter().skip(1) {
            let mut against = Vec::new();
            trie.changed(repo, Some(tree), Some(parent), &mut against);
            touched.retain(|i| against.contains(i));
        }
        // ...and to the content the path has at `start`.
        touched.retain(|&i| entry_at(repo, tree, &wanted[i].0) == Some(wanted[i].1));
        if touched.is_empty() {
            continue;
        }
        let info = commit_info(repo, id)?;
        for &i in &touched {
            let (path, blob) = &wanted[i];
            trie.resolve(path);
            let change = LastChange {
                blob: blob.to_string(),
                commit: info.clone(),
            };
            found.insert(path.clone(), change);
        }
        if trie.remaining == 0 {
            break;
        }
    }
    Ok(found)
}

/// How many folders deep a path may be for [`last_commits`] to look for its last commit.
const MAX_DEPTH: usize = 512;

/// The paths still to resolve, as a tree of names: one walk down the git trees visits
/// only the names it holds, and only where a subtree's id differs between two commits.
#[derive(Default)]
struct PathTrie {
    /// Sub-names, sorted.
    children: Vec<(String, PathTrie)>,
    /// The index of the path that ends here.
    leaf: Option<usize>,
    /// Paths at or below this node not resolved yet.
    remaining: usize,
}

impl PathTrie {
    fn insert(&mut self, path: &str, index: usize) {
        self.remaining += 1;
        let (head, rest) = match path.split_once('/') {
            Some((head, rest)) => (head, Some(rest)),
            None => (path, None),
        };
        let at = match self
            .children
            .binary_search_by(|(n, _)| n.as_str().cmp(head))
        {
            Ok(at) => at,
            Err(at) => {
                self.children
                    .insert(at, (head.to_string(), PathTrie::default()));
                at
            }
        };
        let child = &mut self.children[at].1;
        match rest {
            Some(rest) => child.insert(rest, index),
            None => {
                child.remaining += 1;
                child.leaf = Some(index);
            }
        }
    }

    /// Marks `path` resolved: later walks skip it, and whole subtrees once all are.
    fn resolve(&mut self, path: &str) {
        self.remaining = self.remaining.saturating_sub(1);
        let (head, rest) = match path.split_once('/') {
            Some((head, rest)) => (head, Some(rest)),
            None => (path, None),
        };
        let Ok(at) = self
            .children
            .binary_search_by(|(n, _)| n.as_str().cmp(head))
        else {
            return;
        };
        let child = &mut self.children[at].1;
        match rest {
            Some(rest) => child.resolve(rest),
            None => {
                child.remaining = child.remaining.saturating_sub(1);
                child.leaf = None;
            }
        }
    }

    /// Pushes the paths (unresolved) whose entries differ between the trees `new` and
    /// `old` (`None`: empty). Only subtrees whose ids differ are opened. With few paths
    /// left under a large folder, each is looked up by name; with many, both trees are
    /// walked side by side once (a folder of N evidence files, each added by its own
    /// commit, made the lookups N² × log N: 15 s at 10,000 files).
    fn changed(&self, repo: &Repository, new: Option<Oid>, old: Option<Oid>, out: &mut Vec<usize>) {
        if new == old || self.remaining == 0 {
            return;
        }
        let load = |id: Option<Oid>| id.and_then(|id| repo.find_tree(id).ok());
        let (new_tree, old_tree) = (load(new), load(old));
        let len = |t: &Option<Tree<'_>>| t.as_ref().map_or(0, Tree::len);
        if self.remaining.saturating_mul(16) < len(&new_tree).max(len(&old_tree)) {
            self.changed_by_name(repo, &new_tree, &old_tree, out);
        } else {
            self.changed_side_by_side(repo, &new_tree, &old_tree, out);
        }
    }

    /// [`PathTrie::changed`], looking each unresolved child up in both trees.
    fn changed_by_name(
        &self,
        repo: &Repository,
        new_tree: &Option<Tree<'_>>,
        old_tree: &Option<Tree<'_>>,
        out: &mut Vec<usize>,
    ) {
        let entry = |tree: &Option<Tree<'_>>, name: &str| {
            tree.as_ref()
                .and_then(|t| t.get_name(name).map(|e| (e.id(), e.kind())))
        };
        for (name, child) in &self.children {
            if child.remaining > 0 {
                let (a, b) = (entry(new_tree, name), entry(old_tree, name));
                child.visit(repo, a, b, out);
            }
        }
    }

    /// [`PathTrie::changed`], walking both trees' entries in git's order at once and
    /// looking up only the names whose ids differ.
    fn changed_side_by_side(
        &self,
        repo: &Repository,
        new_tree: &Option<Tree<'_>>,
        old_tree: &Option<Tree<'_>>,
        out: &mut Vec<usize>,
    ) {
        let len = |t: &Option<Tree<'_>>| t.as_ref().map_or(0, Tree::len);
        let is_tree = |e: &git2::TreeEntry<'_>| e.kind() == Some(git2::ObjectType::Tree);
        let side = |e: &Option<git2::TreeEntry<'_>>| e.as_ref().map(|e| (e.id(), e.kind()));
        let (mut i, mut j) = (0, 0);
        while i < len(new_tree) || j < len(old_tree) {
            let (a, b) = (entry_at_index(new_tree, i), entry_at_index(old_tree, j));
            let order = match (&a, &b) {
                (Some(a), Some(b)) => {
                    git_order(a.name_bytes(), is_tree(a), b.name_bytes(), is_tree(b))
                }
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            i += usize::from(order != std::cmp::Ordering::Greater);
            j += usize::from(order != std::cmp::Ordering::Less);
            let (a, b) = match order {
                std::cmp::Ordering::Less => (a, None),
                std::cmp::Ordering::Greater => (None, b),
                std::cmp::Ordering::Equal => (a, b),
            };
            if side(&a).map(|e| e.0) == side(&b).map(|e| e.0) {
                continue;
            }
            let Some(name) = a.as_ref().or(b.as_ref()).map(|e| e.name_bytes()) else {
                continue;
            };
            let found = self
                .children
                .binary_search_by(|(n, _)| n.as_bytes().cmp(name));
            if let Ok(k) = found {
                let child = &self.children[k].1;
                if child.remaining > 0 {
                    child.visit(repo, side(&a), side(&b), out);
                }
            }
        }
    }

    /// One child whose entry is `a` in the new tree and `b` in the old (`None`: absent):
    /// pushed when they differ, and its own children looked into.
    fn visit(
        &self,
        repo: &Repository,
        a: Option<(Oid, Option<git2::ObjectType>)>,
        b: Option<(Oid, Option<git2::ObjectType>)>,
        out: &mut Vec<usize>,
    ) {
        if a.map(|e| e.0) == b.map(|e| e.0) {
            return;
        }
        let subtree = |e: Option<(Oid, Option<git2::ObjectType>)>| {
            e.and_then(|(id, kind)| (kind == Some(git2::ObjectType::Tree)).then_some(id))
        };
        if let Some(i) = self.leaf {
            out.push(i);
        }
        if !self.children.is_empty() {
            self.changed(repo, subtree(a), subtree(b), out);
        }
    }
}

/// The `i`th entry of a tree, if there is one.
fn entry_at_index<'t>(tree: &'t Option<Tree<'_>>, i: usize) -> Option<git2::TreeEntry<'t>> {
    tree.as_ref().and_then(|t| t.get(i))
}

/// git's order of tree entries: by name, a folder's name compared as if it ended in `/`.
fn git_order(a: &[u8], a_tree: bool, b: &[u8], b_tree: bool) -> std::cmp::Ordering {
    let n = a.len().min(b.len());
    a[..n].cmp(&b[..n]).then_with(|| {
        let next = |name: &[u8], tree: bool| name.get(n).copied().or(tree.then_some(b'/'));
        next(a, a_tree).cmp(&next(b, b_tree))
    })
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

#[cfg(test)]
mod tests {
    use super::git_order;
    use std::cmp::Ordering::{Greater, Less};

    /// The side-by-side walk merges two trees in git's own order; a different order would
    /// pair the wrong entries. Folders sort as if their name ended in `/`.
    #[test]
    fn entries_sort_in_git_order() {
        assert_eq!(git_order(b"a", false, b"a", true), Less);
        assert_eq!(git_order(b"a.b", false, b"a", true), Less, "'.' < '/'");
        assert_eq!(git_order(b"a0", false, b"a", true), Greater, "'0' > '/'");
        assert_eq!(git_order(b"a", true, b"a", true), std::cmp::Ordering::Equal);
        assert_eq!(git_order(b"b", false, b"ab", false), Greater);
    }
}
