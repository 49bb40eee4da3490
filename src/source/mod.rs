//! Where evidence comes from: a working tree or a git revision.
//!
//! The engine sees a source through the small [`Source`] trait; git2 lives in [`git`] and
//! nowhere else (its types never appear outside it), so a change of library touches one
//! module.

pub mod git;
pub mod pack;

use crate::evidence::SourceInfo;
use crate::evidence::{CommitHit, CommitTable, ObjectId};

/// Why a source could not be used at all (the scan cannot run).
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// Not a git repository, or it cannot be opened.
    #[error("cannot open a git repository at {path}: {message}")]
    Open {
        /// The folder.
        path: String,
        /// libgit2's message.
        message: String,
    },
    /// The revision does not name a commit.
    #[error("revision {rev:?} does not name a commit: {message}")]
    Revision {
        /// The revision as given.
        rev: String,
        /// libgit2's message.
        message: String,
    },
    /// Anything else git could not do.
    #[error("{0}")]
    Git(String),
}

/// Whether `path` is a path inside a repository as git writes one: relative, `/`-separated,
/// with no empty, `.` or `..` component and no NUL. Anything else (`../../etc/passwd`,
/// `/etc/passwd`) would lead out of the repository.
pub fn repository_path(path: &[u8]) -> bool {
    !path.is_empty()
        && !path.contains(&0)
        && path
            .split(|&b| b == b'/')
            .all(|c| !c.is_empty() && c != b"." && c != b"..")
}

/// Whether every folder between `root` and the file `relative` below it is a real folder,
/// not a symlink (which could lead out of the repository). `checked` remembers folders
/// already seen to be real, so a scan looks at each folder once, not once per file.
pub(crate) fn real_folders(
    root: &std::path::Path,
    relative: &std::path::Path,
    checked: &mut std::collections::HashSet<std::path::PathBuf>,
) -> bool {
    let mut folder = root.to_path_buf();
    let Some(parent) = relative.parent() else {
        return true;
    };
    for component in parent.components() {
        match component {
            std::path::Component::Normal(name) => folder.push(name),
            // `..`, a root or a prefix: not a path inside the repository.
            _ => return false,
        }
        if checked.contains(&folder) {
            continue;
        }
        match std::fs::symlink_metadata(&folder) {
            Ok(m) if m.file_type().is_dir() => {
                checked.insert(folder.clone());
            }
            _ => return false,
        }
    }
    true
}

/// A file to read: its path and how to get its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Path relative to the repository root, `/`-separated, for reports (bytes that are not
    /// UTF-8 are shown as U+FFFD).
    pub path: String,
    /// The path as the file system spells it, relative to the work tree (working-tree scans).
    pub disk: Option<std::path::PathBuf>,
    /// The blob id, when the file comes from the object database.
    pub blob: Option<ObjectId>,
}

/// The outcome of reading one file.
#[derive(Debug)]
pub enum FileContent {
    /// The first bytes do not open front matter: nothing more was read.
    NoFrontMatter,
    /// The bytes (the whole file, or its first part when that holds the front matter).
    Bytes(Vec<u8>),
    /// Over the size limit: not read.
    TooLarge(u64),
    /// Could not be read.
    Unreadable(String),
    /// Not in the object database because a partial clone's filter left it out: its promisor
    /// remote has it (see [`Source::absent_fetch`]).
    Absent,
}

/// Reads files; one per worker thread (git2's `Repository` is not `Sync`).
pub trait FileReader {
    /// Reads a file, at most `max_size` bytes of it, and only its first bytes unless they
    /// open front matter (`---`).
    fn read(&mut self, entry: &FileEntry, max_size: u64) -> FileContent;
}

/// A commit as read from the object database.
pub struct RawCommit<'a> {
    /// Its id.
    pub id: ObjectId,
    /// The raw commit object: headers, a blank line, the message.
    pub raw: &'a [u8],
}

/// What the scan makes of one commit: a hit when it is evidence, and its diagnostics.
pub type CommitFindings = (Option<CommitHit>, Vec<crate::diag::Diagnostic>);

/// The result of a walk over the history.
#[derive(Debug, Default)]
pub struct Walk {
    /// The findings of every commit reached that has any (a hit or a diagnostic), in no
    /// set order.
    pub findings: Vec<CommitFindings>,
    /// How many commits were reached.
    pub count: usize,
    /// Commits that could not be read (the history behind them is not reached).
    pub unreadable: Vec<(ObjectId, String)>,
    /// How many of the commits reached were read (the others came from the cache).
    pub read: usize,
}

/// What changed from an ancestor commit to the scanned revision.
#[derive(Debug, Default)]
pub struct Since {
    /// Paths of the ancestor's tree whose file is gone or changed.
    pub gone: Vec<String>,
    /// The files of the scanned tree that are new or changed, to read.
    pub entries: Vec<FileEntry>,
    /// The commits reachable from the scanned commit and not from the ancestor.
    pub walk: Walk,
}

/// A repository at a revision, or its working tree.
pub trait Source: Sync {
    /// What is scanned (without `commits_scanned`, which the scan fills in).
    fn info(&self) -> SourceInfo;
    /// The files to read, sorted by path.
    fn files(&self) -> Result<Vec<FileEntry>, SourceError>;
    /// A reader for one worker.
    fn reader(&self) -> Result<Box<dyn FileReader>, SourceError>;
    /// A reader for a few files (no set-up that only pays off over many).
    fn reader_for_few(&self) -> Result<Box<dyn FileReader>, SourceError> {
        self.reader()
    }
    /// Runs `process` on every commit reachable from the scanned commit, once each, possibly
    /// on several threads (and possibly on unreachable commits too, whose findings are
    /// dropped). Commits already in `known` are taken from it, without reading them;
    /// the others are read, processed and, when `remember` is set, added to it. Commits
    /// that cannot be read are listed in the result and skipped.
    fn commits(
        &self,
        process: &(dyn Fn(RawCommit<'_>) -> CommitFindings + Sync),
        known: &mut CommitTable,
        remember: bool,
    ) -> Result<Walk, SourceError>;
    /// The repository's git folder (the cache is keyed by it).
    fn git_dir(&self) -> &std::path::Path;
    /// The repository's working tree, if it has one (a cache must not live inside it).
    fn work_dir(&self) -> Option<&std::path::Path> {
        None
    }
    /// What bounds the history besides the commits themselves: the shallow cut, grafts and
    /// replace refs, as bytes that change whenever any of them does (cache keys cover it).
    fn history_boundary(&self) -> Vec<u8> {
        Vec::new()
    }
    /// One file of the scanned tree (or of the working tree, on disk) by its path: its
    /// bytes, or `None` when there is no such regular file. Used for the configuration and
    /// the model it names; paths that leave the repository are refused.
    fn read_path(&self, path: &str, max_size: u64) -> Result<Option<Vec<u8>>, SourceError>;
    /// The changes from `base` to the scanned revision: a tree diff, and the commits between
    /// them run through `process`. `None` when that cannot stand for a full scan: a
    /// working-tree scan, `base` not an ancestor, or a history that cannot be walked.
    fn since(
        &self,
        base: ObjectId,
        process: &(dyn Fn(RawCommit<'_>) -> CommitFindings + Sync),
    ) -> Result<Option<Since>, SourceError>;
    /// The blob id of a listed file: from the tree, or hashed from the bytes on disk.
    fn blob_of(&self, entry: &FileEntry) -> Option<ObjectId>;
    /// The folders (`path/`; `""` for the whole tree) whose files [`Source::files`] could
    /// not list, because a partial clone's filter left their trees out.
    fn absent_folders(&self) -> Vec<String> {
        Vec::new()
    }
    /// For a partial clone, where the scanned objects are ([`FileContent::Absent`]): the
    /// revision as a command names it, and the command that fetches the objects of its
    /// tree that the filter left out. `None` for a complete repository.
    fn absent_fetch(&self) -> Option<(String, String)> {
        None
    }
}
