//! The files of a working-tree scan: exactly what `git ls-files --cached --others
//! --exclude-standard` lists — the index's entries, plus the untracked files that
//! `.gitignore` files and `.git/info/exclude` do not exclude. The untracked walk uses the
//! `ignore` crate with no global gitignore (practrace emulates an empty git configuration).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use git2::Repository;

use super::{FileEntry, SourceError};

/// Index entries (stage any, gitlinks left out) and untracked, not ignored files.
pub fn files(repo: &Repository, workdir: &Path) -> Result<Vec<FileEntry>, SourceError> {
    let index = repo
        .index()
        .map_err(|e| SourceError::Git(e.message().to_string()))?;
    let mut tracked: HashSet<PathBuf> = HashSet::new();
    let mut out = Vec::new();
    for entry in index.iter() {
        // 0o160000: a submodule (gitlink), not a file of this repository.
        if entry.mode == 0o160000 {
            continue;
        }
        // A crafted index may hold an absolute path or `..`: not a file of the working
        // tree (git refuses such entries too).
        if !crate::source::repository_path(&entry.path) {
            continue;
        }
        let disk = path_from_bytes(&entry.path);
        if tracked.insert(disk.clone()) {
            out.push(FileEntry {
                path: String::from_utf8_lossy(&entry.path).into_owned(),
                disk: Some(disk),
                blob: None,
            });
        }
    }

    let walk = ignore::WalkBuilder::new(workdir)
        .hidden(false)
        .parents(false)
        .ignore(false)
        .git_global(false)
        .git_ignore(true)
        .git_exclude(true)
        .require_git(false)
        .follow_links(false)
        // Not `.git`, and not into another repository (git lists a nested repository as
        // one `dir/` entry, which is not a file).
        .filter_entry(|e| {
            e.file_name() != ".git"
                && !(e.depth() > 0
                    && e.file_type().is_some_and(|t| t.is_dir())
                    && e.path().join(".git").exists())
        })
        .build();
    for entry in walk {
        let Ok(entry) = entry else { continue };
        let Some(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(workdir) else {
            continue;
        };
        if !tracked.contains(relative) {
            let path = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push(FileEntry {
                path,
                disk: Some(relative.to_path_buf()),
                blob: None,
            });
        }
    }
    Ok(out)
}

/// A path from the index's bytes (git stores paths as bytes, `/`-separated).
#[cfg(unix)]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

/// A path from the index's bytes (git stores paths as bytes, `/`-separated).
#[cfg(not(unix))]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}
