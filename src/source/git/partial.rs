//! Partial clones (`git clone --filter=blob:none`, `--filter=tree:0`): objects the clone's
//! filter left out are in the promisor remote, not here. practrace starts no program and
//! never fetches: it tells such an object from a missing one, lists what it could not read,
//! and says which command fetches it (git's own lazy fetch, for one revision's tree).

use std::path::Path;

use git2::{ObjectType, Oid, Repository};

use super::object_id;
use crate::source::FileEntry;

/// The promisor remote of a partial clone, if the repository is one: the remote
/// `extensions.partialClone` names, else the first with `remote.<name>.promisor = true`,
/// else `origin` when a pack is marked `.promisor` (git leaves such packs without either
/// setting only by hand).
pub(super) fn promisor_remote(repo: &Repository) -> Option<String> {
    if let Ok(config) = repo.config() {
        if let Ok(name) = config.get_string("extensions.partialclone")
            && !name.is_empty()
        {
            return Some(name);
        }
        let mut promisors: Vec<String> = Vec::new();
        if let Ok(mut entries) = config.entries(Some(r"remote\..*\.promisor")) {
            while let Some(Ok(entry)) = entries.next() {
                let name = entry.name().unwrap_or_default().to_string();
                let remote = name
                    .strip_prefix("remote.")
                    .and_then(|n| n.strip_suffix(".promisor"));
                if let Some(remote) = remote
                    && config.get_bool(&name).unwrap_or(false)
                {
                    promisors.push(remote.to_string());
                }
            }
        }
        promisors.sort();
        if let Some(first) = promisors.into_iter().next() {
            return Some(first);
        }
    }
    has_promisor_pack(&repo.commondir().join("objects/pack")).then(|| "origin".to_string())
}

fn has_promisor_pack(pack_dir: &Path) -> bool {
    std::fs::read_dir(pack_dir).is_ok_and(|dir| {
        dir.filter_map(Result::ok)
            .any(|e| e.path().extension().is_some_and(|x| x == "promisor"))
    })
}

/// The command that fetches the objects of `rev`'s tree that are not here, as git's lazy
/// fetch does (`promisor-remote.c`: no negotiation, ids on stdin) but without a filter, so
/// that a folder's tree comes with its files in one run. Tested by hand against blobless
/// and treeless clones served over file:// (git 2.47).
pub(super) fn fetch_command(remote: &str, rev: &str) -> String {
    format!(
        "git rev-list --objects --no-walk --missing=print {rev} | sed -n 's/^?//p' | git -c fetch.negotiationAlgorithm=noop fetch --stdin --no-tags --no-write-fetch-head --no-filter {remote}"
    )
}

/// Whether libgit2's error says the object is not in the object database.
pub(super) fn not_found(e: &git2::Error) -> bool {
    e.code() == git2::ErrorCode::NotFound
}

/// The regular files of a tree, walked with a stack of our own rather than recursion (a
/// tree nested 20,000 folders deep overflowed libgit2's recursive walk, and the process
/// aborted). In a partial clone (`partial`), a folder whose tree is not here is listed in
/// `absent` (`path/`, or `""` for the root) instead of failing the listing.
pub(super) fn list_tree(
    repo: &Repository,
    root: Oid,
    partial: bool,
    absent: &mut Vec<String>,
) -> Result<Vec<FileEntry>, git2::Error> {
    let mut files = Vec::new();
    let mut stack = vec![(String::new(), root)];
    while let Some((prefix, id)) = stack.pop() {
        let tree = match repo.find_tree(id) {
            Ok(tree) => tree,
            Err(e) if partial && not_found(&e) => {
                absent.push(prefix);
                continue;
            }
            Err(e) => return Err(e),
        };
        for entry in tree.iter() {
            let name = String::from_utf8_lossy(entry.name_bytes());
            // Regular files only: no symlinks (0o120000), no submodules (gitlinks).
            let regular = matches!(entry.filemode(), 0o100644 | 0o100755);
            match entry.kind() {
                Some(ObjectType::Tree) => stack.push((format!("{prefix}{name}/"), entry.id())),
                Some(ObjectType::Blob) if regular => files.push(FileEntry {
                    path: format!("{prefix}{name}"),
                    disk: None,
                    blob: Some(object_id(entry.id())),
                }),
                _ => {}
            }
        }
    }
    absent.sort();
    Ok(files)
}

/// Why a file of a tree could not be read ([`file_at`]).
pub(super) enum FileError {
    /// Over the size limit asked for: its size.
    TooLarge(u64),
    /// libgit2's error (in a partial clone, [`not_found`] tells an object left out).
    Git(git2::Error),
}

/// The bytes of the regular file at `path` in the tree `root`, at most `max_size`:
/// `Ok(None)` when there is no regular file there. Walked folder by folder, so that a
/// folder whose tree is not here (a partial clone's) is an error, not "no such file".
pub(super) fn file_at(
    repo: &Repository,
    root: Oid,
    path: &str,
    max_size: u64,
) -> Result<Option<Vec<u8>>, FileError> {
    let mut tree = repo.find_tree(root).map_err(FileError::Git)?;
    let mut names = path.split('/').peekable();
    while let Some(name) = names.next() {
        let Some((id, mode)) = tree.get_name(name).map(|e| (e.id(), e.filemode())) else {
            return Ok(None);
        };
        if names.peek().is_some() {
            if mode != 0o040000 {
                return Ok(None);
            }
            tree = repo.find_tree(id).map_err(FileError::Git)?;
            continue;
        }
        if !matches!(mode, 0o100644 | 0o100755) {
            return Ok(None);
        }
        return blob_bytes(repo, id, max_size).map(Some);
    }
    Ok(None)
}

/// The bytes of the blob `id`, at most `max_size` (the size is read first).
pub(super) fn blob_bytes(repo: &Repository, id: Oid, max_size: u64) -> Result<Vec<u8>, FileError> {
    let odb = repo.odb().map_err(FileError::Git)?;
    let (size, _) = odb.read_header(id).map_err(FileError::Git)?;
    if size as u64 > max_size {
        return Err(FileError::TooLarge(size as u64));
    }
    let blob = repo.find_blob(id).map_err(FileError::Git)?;
    Ok(blob.content().to_vec())
}
