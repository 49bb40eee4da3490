//! Opening a repository as git would: where it is, which working tree, which HEAD, and
//! what to say about a revision that names nothing.

use std::path::{Path, PathBuf};

use git2::{Oid, Repository};

use crate::source::SourceError;
use crate::source::pack::Packs;

/// Opens the repository at or around `path` (like git: the folder or one of its parents).
/// A format libgit2 cannot read is refused first, with what it is (see [`unsupported`]);
/// a repository owned by another user, with git's own fix.
pub(super) fn open(path: &Path) -> Result<Repository, SourceError> {
    let refused = |message: String| SourceError::Open {
        path: path.display().to_string(),
        message,
    };
    // Found without opening it: libgit2's discovery reads no configuration.
    if let Ok(git_dir) = Repository::discover_path(path, std::iter::empty::<&std::ffi::OsStr>())
        && let Some(why) = unsupported(&git_dir)
    {
        return Err(refused(why));
    }
    Repository::discover(path).map_err(|e| match e.code() {
        git2::ErrorCode::Owner => refused(not_owned(path, e.message())),
        _ => refused(e.message().to_string()),
    })
}

/// Why the repository whose git folder is `git_dir` cannot be read, when it uses a format
/// libgit2 1.9 does not: SHA-256 object ids (`extensions.objectFormat = sha256`) or the
/// reftable reference store (`extensions.refStorage = reftable`). Read from the repository's
/// own configuration file before libgit2 opens it. The extensions are never declared to
/// libgit2 to make it open such a repository anyway: its references would then silently
/// vanish (reftable) or its ids be misread (SHA-256).
pub(super) fn unsupported(git_dir: &Path) -> Option<String> {
    // A linked worktree's git folder names the common one, which holds the configuration.
    let common = match std::fs::read_to_string(git_dir.join("commondir")) {
        Ok(text) => git_dir.join(text.trim_end_matches(['\n', '\r'])),
        Err(_) => git_dir.to_path_buf(),
    };
    let config = git2::Config::open(&common.join("config")).ok()?;
    let value = |key: &str| config.get_string(key).ok().map(|v| v.to_ascii_lowercase());
    let mut formats = Vec::new();
    if value("extensions.objectformat").as_deref() == Some("sha256") {
        formats.push("SHA-256 object ids (`extensions.objectFormat = sha256`)");
    }
    if value("extensions.refstorage").as_deref() == Some("reftable") {
        formats.push("the reftable reference format (`extensions.refStorage = reftable`)");
    }
    (!formats.is_empty()).then(|| {
        format!(
            "the repository uses {}, which practrace does not support yet (libgit2 2.0, the git library it is built on, brings it)",
            formats.join(" and ")
        )
    })
}

/// libgit2's refusal of a repository owned by another user, with git's fix: the folder to
/// declare safe is the working tree (the folder holding `.git`), or a bare repository's
/// git folder.
fn not_owned(path: &Path, message: &str) -> String {
    let start = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let git_dir = Repository::discover_path(path, std::iter::empty::<&std::ffi::OsStr>())
        .ok()
        .map(|d| d.canonicalize().unwrap_or(d));
    let safe = match git_dir {
        Some(dir) if dir.file_name().is_some_and(|n| n == ".git") => {
            dir.parent().map_or(dir.clone(), Path::to_path_buf)
        }
        // A linked worktree (a `.git` file names its git folder), else a bare repository.
        Some(dir) => start
            .ancestors()
            .find(|a| a.join(".git").is_file())
            .map_or(dir, Path::to_path_buf),
        None => start,
    };
    format!(
        "{message} (git says \"detected dubious ownership\"); if you trust it, run `git config --global --add safe.directory {}`",
        safe.display()
    )
}

/// libgit2's message for a revision it cannot resolve, with the branch, tag or remote
/// branch whose name is nearest (`mastr` → `master`), when exactly one is within two edits.
pub(crate) fn with_nearest_reference(repo: &Repository, rev: &str, message: &str) -> String {
    let mut names: Vec<String> = repo
        .references()
        .map(|refs| {
            refs.filter_map(Result::ok)
                .filter_map(|r| r.shorthand().ok().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names.dedup();
    let mut best: Vec<(usize, &str)> = names
        .iter()
        .map(|n| {
            (
                crate::model::id::edit_distance(rev.as_bytes(), n.as_bytes()),
                n.as_str(),
            )
        })
        .filter(|&(d, _)| d > 0 && d <= 2)
        .collect();
    best.sort();
    match best.as_slice() {
        [(d, name), rest @ ..] if rest.first().is_none_or(|(e, _)| e > d) => {
            format!("{message} (did you mean `{name}`?)")
        }
        _ => message.to_string(),
    }
}

/// Makes the working tree the folder that holds the `.git` found from `start` (as git
/// resolves it): a `.git` file naming another repository's git folder must not make the
/// scan read that repository's working tree, which libgit2 does. A `core.worktree` that
/// points elsewhere is not followed either, with a note saying so.
pub(crate) fn worktree_as_git_resolves(repository: &Repository, start: &Path) {
    if repository.is_bare() {
        return;
    }
    let Ok(start) = start.canonicalize() else {
        return;
    };
    let Some(holder) = start.ancestors().find(|a| a.join(".git").exists()) else {
        return;
    };
    let current = repository.workdir().and_then(|w| w.canonicalize().ok());
    if current.as_deref() == Some(holder) {
        return;
    }
    if holder.join(".git").is_dir() {
        crate::diag::note(format_args!(
            "the repository's configuration names another working tree ({}); scanning {}, the folder that holds .git",
            current.map(|c| c.display().to_string()).unwrap_or_default(),
            holder.display()
        ));
    }
    let _ = repository.set_workdir(holder, false);
}

/// The commit HEAD names; `None` for an unborn HEAD (no commit yet: no history, not an
/// error). A HEAD that names a missing or broken object, or a symref loop, is an error
/// that says so (as git's "bad object HEAD"), not an empty history.
pub(crate) fn head_commit(repo: &Repository) -> Result<Option<Oid>, SourceError> {
    let bad = |e: git2::Error| SourceError::Revision {
        rev: "HEAD".into(),
        message: format!(
            "HEAD is broken: {} (git says \"bad object HEAD\")",
            e.message()
        ),
    };
    let head = match repo.head() {
        Ok(head) => head,
        Err(e) if e.code() == git2::ErrorCode::UnbornBranch => return Ok(None),
        Err(e) => return Err(bad(e)),
    };
    let commit = head.peel_to_commit().map_err(bad)?;
    Ok(Some(commit.id()))
}

/// The packs of a repository, opened on first use.
pub(super) struct LazyPacks {
    objects: PathBuf,
    packs: std::sync::OnceLock<Packs>,
}

impl LazyPacks {
    pub(super) fn new(objects: PathBuf) -> LazyPacks {
        LazyPacks {
            objects,
            packs: std::sync::OnceLock::new(),
        }
    }

    pub(super) fn get(&self) -> &Packs {
        self.packs.get_or_init(|| Packs::open(&self.objects))
    }

    /// The packs when they have been opened.
    pub(super) fn opened(&self) -> Option<&Packs> {
        self.packs.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fix git prints names the working tree (the folder holding `.git`) from wherever
    /// inside it practrace started, and a bare repository's own folder: the paths
    /// `safe.directory` takes.
    #[test]
    fn the_folder_to_declare_safe_is_the_one_git_names() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        Repository::init(root.join("work")).unwrap();
        std::fs::create_dir_all(root.join("work/docs/deep")).unwrap();
        let said = not_owned(&root.join("work/docs/deep"), "not owned");
        let fix = format!(
            "git config --global --add safe.directory {}`",
            root.join("work").display()
        );
        assert!(said.starts_with("not owned"), "{said}");
        assert!(said.ends_with(&fix), "{said}");
        Repository::init_bare(root.join("bare.git")).unwrap();
        let said = not_owned(&root.join("bare.git"), "not owned");
        let fix = format!("safe.directory {}`", root.join("bare.git").display());
        assert!(said.ends_with(&fix), "{said}");
    }
}
