//! The tree diff behind `check --base` and derived reports: which files changed.

use git2::{Oid, Repository};

use super::object_id;
use crate::source::{FileEntry, Since};

/// The files that differ between two trees, into `since`: paths of `old` whose file is gone
/// or changed, and regular files of `new` that are new or changed. Subtrees with the same id
/// on both sides are not read (libgit2's own tree diff walks every entry of both trees:
/// 0.23 s at 100,000 files, against milliseconds here).
pub(super) fn diff_trees(
    repo: &Repository,
    old: Option<&git2::Tree<'_>>,
    new: Option<&git2::Tree<'_>>,
    prefix: &str,
    since: &mut Since,
) -> Result<(), git2::Error> {
    type Entries = std::collections::BTreeMap<Vec<u8>, (Oid, i32)>;
    let entries = |tree: Option<&git2::Tree<'_>>| -> Entries {
        tree.map(|t| {
            t.iter()
                .map(|e| (e.name_bytes().to_vec(), (e.id(), e.filemode())))
                .collect()
        })
        .unwrap_or_default()
    };
    let (olds, news) = (entries(old), entries(new));
    let names: std::collections::BTreeSet<&Vec<u8>> = olds.keys().chain(news.keys()).collect();
    const TREE: i32 = 0o040000;
    let regular = |mode: i32| matches!(mode, 0o100644 | 0o100755);
    for name in names {
        let (o, n) = (olds.get(name), news.get(name));
        if o == n {
            continue;
        }
        let path = format!("{prefix}{}", String::from_utf8_lossy(name));
        let subtree = |side: Option<&(Oid, i32)>| -> Result<Option<git2::Tree<'_>>, git2::Error> {
            match side {
                Some(&(id, TREE)) => repo.find_tree(id).map(Some),
                _ => Ok(None),
            }
        };
        let (old_tree, new_tree) = (subtree(o)?, subtree(n)?);
        if old_tree.is_some() || new_tree.is_some() {
            diff_trees(
                repo,
                old_tree.as_ref(),
                new_tree.as_ref(),
                &format!("{path}/"),
                since,
            )?;
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
