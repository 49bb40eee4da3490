//! Opening a repository as git would: where it is, which working tree, which HEAD, and
//! what to say about a revision that names nothing.

use std::path::Path;

use git2::{Oid, Repository};

use crate::source::SourceError;

/// Opens the repository at or around `path` (like git: the folder or one of its parents).
pub(super) fn open(path: &Path) -> Result<Repository, SourceError> {
    Repository::discover(path).map_err(|e| SourceError::Open {
        path: path.display().to_string(),
        message: e.message().to_string(),
    })
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
