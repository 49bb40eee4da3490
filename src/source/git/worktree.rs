//! The files of a working-tree scan: exactly what `git ls-files --cached --others
//! --exclude-standard` lists — the index's entries, plus the untracked files that
//! `.gitignore` files and `.git/info/exclude` do not exclude. The untracked walk uses the
//! `ignore` crate with no global gitignore (practrace emulates an empty git configuration).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use git2::Repository;

use super::index::{self, IndexEntry, SKIP_WORKTREE, SPARSE_DIRECTORY};
use super::{FileEntry, SourceError, object_id};
use crate::evidence::ObjectId;

/// The blob ids of the regular files git keeps out of the working tree (skip-worktree), by
/// path; empty when the index cannot be read (the scan says why).
pub(super) fn skip_worktree_blobs(
    repo: &Repository,
) -> std::collections::HashMap<String, ObjectId> {
    index_entries(repo, false, &mut Vec::new())
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e.skip_worktree && matches!(e.mode, 0o100644 | 0o100755))
        .map(|e| (String::from_utf8_lossy(&e.path).into_owned(), e.id))
        .collect()
}

/// The index's entries: through libgit2, or, for a sparse index (which libgit2 1.9 refuses:
/// "unsupported mandatory extension 'sdir'"), through [`index`], its folder entries
/// expanded into the files of their trees (each skip-worktree).
fn index_entries(
    repo: &Repository,
    partial: bool,
    absent: &mut Vec<String>,
) -> Result<Vec<IndexEntry>, SourceError> {
    let refused = match repo.index() {
        Ok(index) => {
            return Ok(index
                .iter()
                .map(|e| IndexEntry {
                    path: e.path,
                    mode: e.mode,
                    id: object_id(e.id),
                    skip_worktree: e.flags_extended & SKIP_WORKTREE != 0,
                })
                .collect());
        }
        Err(e) => e.message().to_string(),
    };
    // Only what libgit2 refuses is read here; if this reader refuses it too, libgit2's
    // message says why.
    let entries = index::read(&repo.path().join("index"))
        .map_err(|ours| SourceError::Git(format!("{refused} ({ours})")))?;
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        if entry.mode == SPARSE_DIRECTORY && entry.path.ends_with(b"/") {
            expand(repo, &entry, &mut out, partial, absent)?;
        } else {
            out.push(entry);
        }
    }
    Ok(out)
}

/// The files below a sparse index's folder entry, from its tree, each skip-worktree.
/// Walked with a stack of our own (a tree may nest thousands of folders deep).
fn expand(
    repo: &Repository,
    folder: &IndexEntry,
    out: &mut Vec<IndexEntry>,
    partial: bool,
    absent: &mut Vec<String>,
) -> Result<(), SourceError> {
    let mut stack = vec![(folder.path.clone(), folder.id)];
    while let Some((prefix, id)) = stack.pop() {
        let tree = match repo.find_tree(super::oid(id)) {
            Ok(tree) => tree,
            Err(e) if partial && super::partial::not_found(&e) => {
                absent.push(String::from_utf8_lossy(&prefix).into_owned());
                continue;
            }
            Err(e) => {
                return Err(SourceError::Git(format!(
                    "cannot expand the sparse index's folder `{}`: {}",
                    String::from_utf8_lossy(&prefix),
                    e.message()
                )));
            }
        };
        for entry in tree.iter() {
            let mut path = prefix.clone();
            path.extend_from_slice(entry.name_bytes());
            let mode = u32::try_from(entry.filemode()).unwrap_or(0);
            if mode == SPARSE_DIRECTORY {
                path.push(b'/');
                stack.push((path, object_id(entry.id())));
            } else {
                out.push(IndexEntry {
                    path,
                    mode,
                    id: object_id(entry.id()),
                    skip_worktree: true,
                });
            }
        }
    }
    Ok(())
}

/// Index entries (stage any, gitlinks left out) and untracked, not ignored files. An entry
/// git keeps out of the working tree (the skip-worktree bit of a sparse checkout) is read
/// from the object database by its index blob id, as git treats it: unchanged, whatever
/// the disk holds. A sparse index's folder entries are expanded from their trees.
/// In a partial clone (`partial`), a sparse folder whose tree is not here is listed in
/// `absent` instead of failing the listing.
pub fn files(
    repo: &Repository,
    workdir: &Path,
    partial: bool,
    absent: &mut Vec<String>,
) -> Result<Vec<FileEntry>, SourceError> {
    let mut tracked: HashSet<PathBuf> = HashSet::new();
    let mut out = Vec::new();
    for entry in index_entries(repo, partial, absent)? {
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
            let path = String::from_utf8_lossy(&entry.path).into_owned();
            out.push(match entry.skip_worktree {
                // Regular files only, as in a revision's tree (not a symlink's target).
                true if !matches!(entry.mode, 0o100644 | 0o100755) => continue,
                true => FileEntry {
                    path,
                    disk: None,
                    blob: Some(entry.id),
                },
                false => FileEntry {
                    path,
                    disk: Some(disk),
                    blob: None,
                },
            });
        }
    }
    untracked(workdir, &tracked, &mut out);
    Ok(out)
}

/// The files of the working tree that are not `tracked` and that `.gitignore` files and
/// `.git/info/exclude` do not exclude, into `out`.
fn untracked(workdir: &Path, tracked: &HashSet<PathBuf>, out: &mut Vec<FileEntry>) {
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
