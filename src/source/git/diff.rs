//! The tree diff behind `check --base` and derived reports: which files changed.

use git2::{Oid, Repository};

use super::object_id;
use crate::source::{FileEntry, Since};

/// The files that differ between two trees, into `since`: paths of `old` whose file is gone
/// or changed, and regular files of `new` that are new or changed. Subtrees with the same id
/// on both sides are not read (libgit2's own tree diff walks every entry of both trees:
/// 0.23 s at 100,000 files, against milliseconds here). Walked with a stack of our own, not
/// recursion: a tree may be nested tens of thousands of folders deep.
pub(super) fn diff_trees(
    repo: &Repository,
    old: Option<Oid>,
    new: Option<Oid>,
    since: &mut Since,
) -> Result<(), git2::Error> {
    let mut stack = vec![(String::new(), old, new)];
    while let Some((prefix, old, new)) = stack.pop() {
        diff_level(repo, &prefix, old, new, since, &mut stack)?;
    }
    Ok(())
}

type Entries = std::collections::BTreeMap<Vec<u8>, (Oid, i32)>;

/// One level of [`diff_trees`]: the entries of two trees, the subtrees that differ pushed
/// on `stack`.
fn diff_level(
    repo: &Repository,
    prefix: &str,
    old: Option<Oid>,
    new: Option<Oid>,
    since: &mut Since,
    stack: &mut Vec<(String, Option<Oid>, Option<Oid>)>,
) -> Result<(), git2::Error> {
    let entries = |tree: Option<Oid>| -> Result<Entries, git2::Error> {
        let Some(id) = tree else {
            return Ok(Entries::new());
        };
        let tree = repo.find_tree(id)?;
        Ok(tree
            .iter()
            .map(|e| (e.name_bytes().to_vec(), (e.id(), e.filemode())))
            .collect())
    };
    let (olds, news) = (entries(old)?, entries(new)?);
    let names: std::collections::BTreeSet<&Vec<u8>> = olds.keys().chain(news.keys()).collect();
    const TREE: i32 = 0o040000;
    let regular = |mode: i32| matches!(mode, 0o100644 | 0o100755);
    let subtree = |side: Option<&(Oid, i32)>| match side {
        Some(&(id, TREE)) => Some(id),
        _ => None,
    };
    for name in names {
        let (o, n) = (olds.get(name), news.get(name));
        if o == n {
            continue;
        }
        let path = format!("{prefix}{}", String::from_utf8_lossy(name));
        let (old_tree, new_tree) = (subtree(o), subtree(n));
        if old_tree.is_some() || new_tree.is_some() {
            stack.push((format!("{path}/"), old_tree, new_tree));
        }
        if o.is_some_and(|&(_, mode)| mode != TREE) {
            since.gone.push(path.clone());
        }
        if let Some(&(id, mode)) = n
            && regular(mode)
        {
            since.entries.push(FileEntry {
                path,
                disk: None,
                blob: Some(object_id(id)),
            });
        }
    }
    Ok(())
}
