//! The git side of a source, through git2 (libgit2, vendored).
//!
//! libgit2 runs no hooks, filters, textconv or fsmonitor: practrace reads objects and the
//! index and never writes into the repository.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use git2::{ObjectType, Oid, Repository};

use std::sync::Arc;

use super::pack::Packs;
use super::{CommitFindings, FileEntry, FileReader, RawCommit, Since, Source, SourceError, Walk};
use crate::evidence::{CommitTable, ObjectId, SourceInfo};

mod bloom;
mod diff;
pub mod history;
mod index;
mod lastchange;
mod lineage;
mod objects;
mod open;
mod partial;
mod readers;
mod series;

pub use series::PREPASS_AFTER;
mod since;
mod worktree;

use diff::diff_trees;
use open::{LazyPacks, open};
pub(crate) use open::{head_commit, with_nearest_reference, worktree_as_git_resolves};
pub use readers::BLOBS_FROM_LIBGIT2;
use readers::{BlobReader, DiskReader};

fn git_error(e: git2::Error) -> SourceError {
    SourceError::Git(e.message().to_string())
}

/// libgit2's id of one of ours.
fn oid(id: ObjectId) -> Oid {
    // 20 bytes always make an id.
    Oid::from_bytes(id.as_bytes()).unwrap_or(Oid::ZERO_SHA1)
}

/// Our id of one of libgit2's (practrace reads SHA-1 repositories).
fn object_id(id: Oid) -> ObjectId {
    ObjectId::from_bytes(id.as_bytes()).unwrap_or(ObjectId::from_raw([0; 20]))
}

/// Sets libgit2's process-wide options, once, before the first repository is opened.
fn configure_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Like git itself when it reads objects (git log, git show), do not re-hash every
        // object read: that check costs a SHA-1 per object and is fsck's job.
        git2::opts::strict_hash_verification(false);
        // Bound libgit2's pack windows: they count in the resident memory, and libgit2 only
        // reads trees and what the pack reader leaves to it. Not too small, though: listing
        // the tree of W2 took 0.36-0.40 s with 8 MiB windows under a 32 MiB limit (a
        // window mapped and unmapped for nearly every tree) and 0.20 s with these, at the
        // same peak RSS (benches/run.sh).
        // SAFETY: these are process-wide settings that libgit2 reads without locking. This
        // runs once (the `Once`), before this process opens any repository through practrace
        // (every repository is opened after it: `GitSource::open` and `history::open_at`
        // call it first), so no object is being read while they change.
        unsafe {
            let _ = git2::opts::set_mwindow_size(32 << 20);
            let _ = git2::opts::set_mwindow_mapped_limit(128 << 20);
        }
    });
}

/// A repository, for what the matrix, `verify` and `trace` ask of its history and objects
/// (see [`history`]).
pub struct Repo(
    Repository,
    /// The blob ids of the files git keeps out of the working tree (skip-worktree), by
    /// path: read from the index on first use.
    std::cell::OnceCell<HashMap<String, ObjectId>>,
    /// Whether the note on an incomplete history was given (once per run).
    std::cell::Cell<bool>,
    /// The packs, shared with the source that made this handle (opened once per run).
    Arc<LazyPacks>,
);

impl Repo {
    fn new(repository: Repository) -> Repo {
        let objects = repository.commondir().join("objects");
        Repo::with_packs(repository, Arc::new(LazyPacks::new(objects)))
    }

    fn with_packs(repository: Repository, packs: Arc<LazyPacks>) -> Repo {
        Repo(
            repository,
            std::cell::OnceCell::new(),
            std::cell::Cell::new(false),
            packs,
        )
    }

    /// The repository's packs, opened on first use.
    fn packs(&self) -> &Packs {
        self.3.get()
    }
}

/// A repository scanned at a revision (tree and blobs from the object database) or in its
/// working tree (files on disk).
pub struct GitSource {
    shown: String,
    git_dir: PathBuf,
    workdir: Option<PathBuf>,
    rev: Option<String>,
    commit: Option<Oid>,
    tree: Option<Oid>,
    shallow: bool,
    grafts: HashSet<ObjectId>,
    /// A partial clone's promisor remote (see [`partial`]).
    promisor: Option<String>,
    /// The folders the last listing could not read (see [`Source::absent_folders`]).
    absent: std::sync::Mutex<Vec<String>>,
    /// Put off the commit sweep until the walk has read this many commits one by one
    /// ([`GitSource::with_prepass_after`]).
    prepass_after: Option<usize>,
    /// The packs, opened once, on first use, for the commit sweep and the blob readers
    /// (a scan whose cache knows everything never opens them).
    packs: Arc<LazyPacks>,
}

impl GitSource {
    /// Opens `repo` at revision `rev`, or its working tree when `rev` is `None`.
    pub fn open(repo: &Path, rev: Option<&str>) -> Result<GitSource, SourceError> {
        configure_libgit2();
        let repository = open(repo)?;
        worktree_as_git_resolves(&repository, repo);
        let (commit, tree) = match rev {
            Some(rev) => {
                let commit = repository
                    .revparse_single(rev)
                    .and_then(|o| o.peel_to_commit())
                    .map_err(|e| SourceError::Revision {
                        rev: rev.to_string(),
                        message: with_nearest_reference(&repository, rev, e.message()),
                    })?;
                (Some(commit.id()), Some(commit.tree_id()))
            }
            None => {
                if repository.is_bare() {
                    return Err(SourceError::Open {
                        path: repo.display().to_string(),
                        message:
                            "a bare repository has no working tree: scan a revision with --rev"
                                .into(),
                    });
                }
                (head_commit(&repository)?, None)
            }
        };
        let shallow = repository.is_shallow();
        let grafts = if shallow {
            read_shallow_file(&repository.commondir().join("shallow"))
        } else {
            HashSet::new()
        };
        Ok(GitSource {
            shown: repo.display().to_string(),
            git_dir: repository.path().to_path_buf(),
            workdir: repository.workdir().map(Path::to_path_buf),
            rev: rev.map(str::to_string),
            commit,
            tree,
            shallow,
            grafts,
            promisor: partial::promisor_remote(&repository),
            absent: std::sync::Mutex::new(Vec::new()),
            prepass_after: None,
            packs: Arc::new(LazyPacks::new(repository.commondir().join("objects"))),
        })
    }

    /// Opens a handle on the repository for the questions asked outside a scan: history,
    /// objects, revisions.
    pub fn repo(&self) -> Result<Repo, SourceError> {
        self.git()
            .map(|git| Repo::with_packs(git, Arc::clone(&self.packs)))
    }

    /// The error for a file of the scanned tree that could not be read: in a partial
    /// clone, an object its filter left out says so, with the fetch to run.
    fn absent_or(&self, path: &str, e: git2::Error) -> SourceError {
        match self.absent_fetch() {
            Some((rev, command)) if partial::not_found(&e) => SourceError::Git(format!(
                "cannot read `{path}` of revision {}: the file, or a folder on its way, is not in this partial clone (its filter left it out); fetch them with `{command}`",
                &rev[..rev.len().min(12)]
            )),
            _ => git_error(e),
        }
    }

    fn git(&self) -> Result<Repository, SourceError> {
        Repository::open(&self.git_dir).map_err(|e| SourceError::Open {
            path: self.git_dir.display().to_string(),
            message: e.message().to_string(),
        })
    }
}

fn read_shallow_file(path: &Path) -> HashSet<ObjectId> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| ObjectId::from_hex(l.trim()))
        .collect()
}

impl Source for GitSource {
    fn info(&self) -> SourceInfo {
        SourceInfo {
            repo: self.shown.clone(),
            rev: self.rev.clone(),
            commit: self.commit.map(|c| c.to_string()),
            worktree: self.tree.is_none(),
            shallow: self.shallow,
            commits_scanned: 0,
        }
    }

    fn files(&self) -> Result<Vec<FileEntry>, SourceError> {
        let repo = self.git()?;
        let partial = self.promisor.is_some();
        let mut absent = Vec::new();
        let mut files = match self.tree {
            Some(tree) => {
                partial::list_tree(&repo, tree, partial, &mut absent).map_err(git_error)?
            }
            None => {
                let workdir = self
                    .workdir
                    .as_deref()
                    .ok_or_else(|| SourceError::Git("the repository has no working tree".into()))?;
                worktree::files(&repo, workdir, partial, &mut absent)?
            }
        };
        if let Ok(mut last) = self.absent.lock() {
            *last = absent;
        }
        files.sort_by(|a, b| (&a.path, &a.disk).cmp(&(&b.path, &b.disk)));
        files.dedup_by(|a, b| a.path == b.path && a.disk == b.disk);
        Ok(files)
    }

    fn reader(&self) -> Result<Box<dyn FileReader>, SourceError> {
        Ok(match &self.tree {
            Some(_) => Box::new(BlobReader {
                repo: self.git()?,
                packs: Some(Arc::clone(&self.packs)),
                inflater: libdeflater::Decompressor::new(),
                partial: self.promisor.is_some(),
            }),
            None => Box::new(DiskReader {
                root: self.workdir.clone().unwrap_or_default(),
                checked: HashSet::new(),
                git_dir: self.git_dir.clone(),
                packs: Arc::clone(&self.packs),
                blobs: None,
                partial: self.promisor.is_some(),
            }),
        })
    }

    fn reader_for_few(&self) -> Result<Box<dyn FileReader>, SourceError> {
        Ok(match &self.tree {
            Some(_) => Box::new(BlobReader {
                repo: self.git()?,
                packs: None,
                inflater: libdeflater::Decompressor::new(),
                partial: self.promisor.is_some(),
            }),
            None => self.reader()?,
        })
    }

    fn commits(
        &self,
        process: &(dyn Fn(RawCommit<'_>) -> CommitFindings + Sync),
        known: &mut CommitTable,
        remember: bool,
    ) -> Result<Walk, SourceError> {
        let Some(start) = self.commit else {
            return Ok(Walk::default());
        };
        let repo = self.git()?;
        let odb = repo.odb().map_err(git_error)?;
        // With nothing known, the commits the walk needs are inflated ahead of it on every
        // core (lazily: once the walk has read some one by one); with a warm cache, only
        // the new commits are read.
        let sweep_after = known.is_empty().then(|| self.prepass_after.unwrap_or(0));
        Ok(self.walk_commits(
            object_id(start),
            &odb,
            (process, known, remember),
            sweep_after,
        ))
    }

    fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    fn work_dir(&self) -> Option<&Path> {
        self.workdir.as_deref()
    }

    fn history_boundary(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut cut: Vec<&ObjectId> = self.grafts.iter().collect();
        cut.sort();
        for id in cut {
            out.extend_from_slice(id.as_bytes());
        }
        out.push(0xff);
        let common = self.git().map(|r| r.commondir().to_path_buf());
        if let Ok(common) = &common {
            out.extend(std::fs::read(common.join("info/grafts")).unwrap_or_default());
        }
        out.push(0xff);
        if let Ok(repo) = self.git()
            && let Ok(refs) = repo.references_glob("refs/replace/*")
        {
            let mut replaced: Vec<(String, String)> = refs
                .filter_map(Result::ok)
                .filter_map(|r| Some((r.name().ok()?.to_string(), r.target()?.to_string())))
                .collect();
            replaced.sort();
            for (name, target) in replaced {
                out.extend_from_slice(format!("{name} {target}\n").as_bytes());
            }
        }
        out
    }

    fn since(
        &self,
        base: ObjectId,
        process: &(dyn Fn(RawCommit<'_>) -> CommitFindings + Sync),
    ) -> Result<Option<Since>, SourceError> {
        let (Some(head), Some(head_tree)) = (self.commit, self.tree) else {
            return Ok(None);
        };
        let started = std::time::Instant::now();
        let lap = |what: &str| {
            if std::env::var_os("PRACTRACE_TIMINGS").is_some() {
                eprintln!(
                    "practrace timings: since: {what} at {:?}",
                    started.elapsed()
                );
            }
        };
        // A shallow history may hide merges that reach past the cut: read it all.
        if self.shallow {
            return Ok(None);
        }
        let repo = self.git()?;
        let mut since = Since::default();
        // The commits of head that base does not reach. Base is an ancestor of head exactly
        // when one of them has base for a parent (the last step of a path from head to
        // base), or head is base: told by the walk itself, where asking libgit2 first
        // (`graph_descendant_of`) read the same commits again, through pack windows that
        // several threads (`history`) thrash.
        let mut ancestor = object_id(head) == base;
        let mut walk = repo.revwalk().map_err(git_error)?;
        walk.push(head).map_err(git_error)?;
        walk.hide(oid(base)).map_err(git_error)?;
        let odb = repo.odb().map_err(git_error)?;
        for id in walk {
            let Ok(id) = id else { return Ok(None) };
            match odb.read(id) {
                Ok(o) if o.kind() == ObjectType::Commit => {
                    let (id, raw) = (object_id(id), o.data());
                    ancestor = ancestor || parents(raw).any(|p| p == base);
                    since.walk.findings.push(process(RawCommit { id, raw }));
                    since.walk.count += 1;
                    since.walk.read += 1;
                }
                _ => return Ok(None),
            }
        }
        lap("commits");
        if !ancestor {
            return Ok(None);
        }
        let base_tree = repo
            .find_commit(oid(base))
            .map(|c| c.tree_id())
            .map_err(git_error)?;
        // The packs when this source (or another of its series) has opened them; else
        // none, and libgit2 reads the trees: opening them indexes every object (0.1 s at
        // 100,000 files), more than the gate's whole diff.
        let none = Packs::default();
        let packs = self.packs.opened().unwrap_or(&none);
        let mut trees = objects::ObjectReader::new(packs, self.git_dir.clone());
        let (base_tree, head_tree) = (object_id(base_tree), object_id(head_tree));
        match diff_trees(&mut trees, Some(base_tree), Some(head_tree), &mut since) {
            Ok(()) => {}
            // A partial clone without some of the trees: the full scan says which.
            Err(_) if self.promisor.is_some() => return Ok(None),
            Err(e) => return Err(e),
        }
        since.entries.sort_by(|a, b| a.path.cmp(&b.path));
        lap("tree diff");
        Ok(Some(since))
    }

    fn absent_folders(&self) -> Vec<String> {
        self.absent.lock().map(|a| a.clone()).unwrap_or_default()
    }

    fn absent_fetch(&self) -> Option<(String, String)> {
        let remote = self.promisor.as_deref()?;
        let rev = self.commit.filter(|_| self.tree.is_some());
        let rev = rev.map_or_else(|| "HEAD".to_string(), |c| c.to_string());
        let command = partial::fetch_command(remote, &rev);
        Some((rev, command))
    }

    fn blob_of(&self, entry: &FileEntry) -> Option<ObjectId> {
        if entry.blob.is_some() {
            return entry.blob;
        }
        let full = self.workdir.as_deref()?.join(entry.disk.as_deref()?);
        let regular = std::fs::symlink_metadata(&full).ok()?.is_file();
        regular
            .then(|| Oid::hash_file(ObjectType::Blob, &full).ok())
            .flatten()
            .map(object_id)
    }

    fn read_path(&self, path: &str, max_size: u64) -> Result<Option<Vec<u8>>, SourceError> {
        if !super::repository_path(path.as_bytes()) {
            return Err(SourceError::Git(format!(
                "`{path}` is not a path inside the repository"
            )));
        }
        let too_large = |size: u64| {
            SourceError::Git(format!(
                "`{path}` is {size} bytes, over the limit of {max_size} bytes"
            ))
        };
        match self.tree {
            Some(tree) => match partial::file_at(&self.git()?, tree, path, max_size) {
                Ok(bytes) => Ok(bytes),
                Err(partial::FileError::TooLarge(size)) => Err(too_large(size)),
                Err(partial::FileError::Git(e)) => Err(self.absent_or(path, e)),
            },
            None => {
                let Some(workdir) = &self.workdir else {
                    return Ok(None);
                };
                // A file git keeps out of the working tree: from the index, as the scan
                // reads it.
                let repo = self.git()?;
                if let Some(id) = worktree::skip_worktree_blobs(&repo).remove(path) {
                    return match partial::blob_bytes(&repo, oid(id), max_size) {
                        Ok(bytes) => Ok(Some(bytes)),
                        Err(partial::FileError::TooLarge(size)) => Err(too_large(size)),
                        Err(partial::FileError::Git(e)) => Err(self.absent_or(path, e)),
                    };
                }
                let full = workdir.join(path);
                // Never follow a symlink out of the tree, in any component (a committed
                // `ext -> /elsewhere` must not make `model: ext/m.yaml` read outside):
                // regular files only, and never more than `max_size` bytes, whatever the
                // file system says its size is (/proc files say 0).
                let mut checked = HashSet::new();
                if !super::real_folders(workdir, Path::new(path), &mut checked) {
                    return Ok(None);
                }
                match std::fs::symlink_metadata(&full) {
                    Ok(m) if m.is_file() => {
                        if m.len() > max_size {
                            return Err(too_large(m.len()));
                        }
                        let mut bytes = Vec::new();
                        std::fs::File::open(&full)
                            .and_then(|f| {
                                f.take(max_size.saturating_add(1)).read_to_end(&mut bytes)
                            })
                            .map_err(|e| SourceError::Git(format!("cannot read `{path}`: {e}")))?;
                        if bytes.len() as u64 > max_size {
                            return Err(too_large(bytes.len() as u64));
                        }
                        Ok(Some(bytes))
                    }
                    _ => Ok(None),
                }
            }
        }
    }
}

/// The parent ids in a raw commit's headers.
fn parents(raw: &[u8]) -> impl Iterator<Item = ObjectId> + '_ {
    raw.split(|&b| b == b'\n')
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.strip_prefix(b"parent "))
        .filter_map(|hex| std::str::from_utf8(hex).ok())
        .filter_map(|hex| ObjectId::from_hex(hex.trim()))
}

/// The git blob id a file's bytes would have.
pub fn blob_id(bytes: &[u8]) -> Option<ObjectId> {
    Oid::hash_object(ObjectType::Blob, bytes)
        .ok()
        .map(object_id)
}
