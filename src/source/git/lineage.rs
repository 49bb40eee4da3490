//! git's history simplification for the last-commit walk: which commits `git log -- PATH`
//! goes through, path by path.
//!
//! By default `git log -- PATH` does not walk every commit: at a merge whose `PATH` is the
//! same as one parent's (TREESAME), it follows only the first such parent, and the other
//! sides of the merge are never visited for that path. A merge that brought the same
//! change to a maintenance branch later, itself merged back with nothing new, is then not
//! the path's last commit, though it is dated after the one git names (git/git has such
//! merges: `benches/last_commits.rs` found two in 300 paths before this module).
//!
//! The walk diffs every commit once for all paths, so it keeps, per commit still to come,
//! the paths whose simplified history reaches it ([`Live`]): all paths but a few (the
//! first parents' line), or only a few (a side the merge took those paths from). A change
//! a commit makes to a path counts only where the path is live there.

use std::collections::HashMap;

use super::bloom::Blooms;
use super::lastchange::{Meta, PathTrie};
use super::objects::ObjectReader;
use crate::evidence::ObjectId;

/// Paths (their indices) whose simplified history reaches a commit, sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Live {
    /// Every path except these.
    Except(Vec<usize>),
    /// Only these paths.
    Only(Vec<usize>),
}

impl Live {
    /// Whether `path` is live.
    pub fn has(&self, path: usize) -> bool {
        match self {
            Live::Except(out) => out.binary_search(&path).is_err(),
            Live::Only(only) => only.binary_search(&path).is_ok(),
        }
    }

    /// The paths live in either.
    fn union(self, other: Live) -> Live {
        match (self, other) {
            (Live::Except(a), Live::Except(b)) => Live::Except(both(&a, &b)),
            (Live::Except(a), Live::Only(b)) | (Live::Only(b), Live::Except(a)) => {
                Live::Except(minus(&a, &b))
            }
            (Live::Only(a), Live::Only(b)) => Live::Only(either(&a, &b)),
        }
    }

    /// These paths but `out` (sorted).
    fn without(&self, out: &[usize]) -> Live {
        match self {
            Live::Except(a) => Live::Except(either(a, out)),
            Live::Only(a) => Live::Only(minus(a, out)),
        }
    }

    /// Only those of `keep` (sorted) that are live.
    fn within(&self, keep: &[usize]) -> Live {
        match self {
            Live::Except(a) => Live::Only(minus(keep, a)),
            Live::Only(a) => Live::Only(both(a, keep)),
        }
    }

    fn is_empty(&self) -> bool {
        matches!(self, Live::Only(only) if only.is_empty())
    }
}

/// Where a merge sends the paths that differ from its first parent's (see
/// [`Lines::follow`]): `(path, Some(j))` when the path is as in parent `j` (the first
/// such, `j ≥ 1`), `(path, None)` when it differs from every parent's. Sorted by path.
pub type Sides = Vec<(usize, Option<usize>)>;

/// The paths live at each commit the walk has still to reach.
pub struct Lines {
    pending: HashMap<ObjectId, Live>,
}

impl Lines {
    /// A walk from `start`, where every path is live.
    pub fn from(start: ObjectId) -> Lines {
        Lines {
            pending: HashMap::from([(start, Live::Except(Vec::new()))]),
        }
    }

    /// The paths live at `id`, which the walk has reached (`None`: none is).
    pub fn reach(&mut self, id: &ObjectId) -> Option<Live> {
        self.pending.remove(id)
    }

    /// What the walk takes from commit `id` (`diffed`): the paths it changed and those it
    /// cannot tell, among the paths live there; the live paths go on to its `parents`.
    /// `None` when no path is live there.
    pub(super) fn take(
        &mut self,
        id: &ObjectId,
        parents: &[ObjectId],
        diffed: Touched,
    ) -> Option<(Vec<usize>, Vec<usize>)> {
        let live = self.reach(id)?;
        let changed = diffed
            .changed
            .into_iter()
            .filter(|&i| live.has(i))
            .collect();
        let unknown = diffed
            .unknown
            .into_iter()
            .filter(|&i| live.has(i))
            .collect();
        self.follow(live, parents, &diffed.sides);
        Some((changed, unknown))
    }

    /// Sends the paths live at a commit on to its `parents`: all of them to a single
    /// parent; at a merge, a path as in its first parent goes there only (`sides` does not
    /// list it), one as in a later parent `j` to that one only, and one that differs from
    /// every parent to all of them, as git's default history simplification does.
    pub fn follow(&mut self, live: Live, parents: &[ObjectId], sides: &Sides) {
        match parents {
            [] => {}
            [parent] => self.add(*parent, live),
            [first, rest @ ..] => {
                let moved: Vec<usize> = sides
                    .iter()
                    .filter(|(_, to)| to.is_some())
                    .map(|(p, _)| *p)
                    .collect();
                self.add(*first, live.without(&moved));
                for (j, parent) in rest.iter().enumerate() {
                    let here: Vec<usize> = sides
                        .iter()
                        .filter(|(_, to)| to.is_none_or(|to| to == j + 1))
                        .map(|(p, _)| *p)
                        .collect();
                    self.add(*parent, live.within(&here));
                }
            }
        }
    }

    fn add(&mut self, parent: ObjectId, live: Live) {
        if live.is_empty() {
            return;
        }
        let merged = match self.pending.remove(&parent) {
            Some(was) => was.union(live),
            None => live,
        };
        self.pending.insert(parent, merged);
    }
}

/// What a diff of two trees found: the paths changed to the entry wanted, those it could
/// not compare (a tree is not here), and, when asked, every path whose file differs.
pub(super) struct Seen<'a> {
    pub(super) changed: &'a mut Vec<usize>,
    pub(super) unknown: &'a mut Vec<usize>,
    pub(super) differs: Option<&'a mut Vec<usize>>,
}

/// What [`touched`] found of one commit.
#[derive(Default)]
pub(super) struct Touched {
    /// The paths it changed (against every parent) to the entry they have at the start.
    pub(super) changed: Vec<usize>,
    /// Those it cannot tell, for want of a tree.
    pub(super) unknown: Vec<usize>,
    /// Of a merge, where each path that differs from its first parent's goes.
    pub(super) sides: Sides,
}

/// The paths of `trie` that `id` changed (against every parent) to the entry they have at
/// the start, those it cannot tell, and (of a merge) where their histories go.
pub(super) fn touched(
    reader: &mut ObjectReader<'_>,
    trie: &PathTrie,
    (table, blooms): (&HashMap<ObjectId, Meta>, &Blooms),
    wanted: &[Option<ObjectId>],
    id: &ObjectId,
) -> Touched {
    let Some(meta) = table.get(id) else {
        return Touched::default();
    };
    let parent_tree = |p: &ObjectId| table.get(p).map(|m| m.tree);
    let parents: Vec<Option<ObjectId>> = meta.parents.iter().map(parent_tree).collect();
    if parents.first() == Some(&Some(meta.tree)) {
        // As its first parent for every path: no change, every path goes there.
        return Touched::default();
    }
    let merge = parents.len() > 1;
    let (mut out, mut unknown, mut differs) = (Vec::new(), Vec::new(), Vec::new());
    let first = parents.first().copied().flatten();
    // The filter is against the first parent: of no use where the walk does not follow it
    // (a shallow clone's boundary) or where that parent is unknown.
    let filter = first.and_then(|_| blooms.filter(id));
    let mut seen = Seen {
        changed: &mut out,
        unknown: &mut unknown,
        differs: merge.then_some(&mut differs),
    };
    trie.changed(reader, Some(meta.tree), first, filter, wanted, &mut seen);
    // A path can be met twice (a file turned into a folder of the same name).
    out.sort_unstable();
    out.dedup();
    let sides = match merge {
        true => merge_sides(
            reader,
            (trie, wanted),
            meta.tree,
            &parents,
            &mut out,
            &mut unknown,
            differs,
        ),
        false => Sides::new(),
    };
    unknown.sort_unstable();
    unknown.dedup();
    out.retain(|i| unknown.binary_search(i).is_err());
    Touched {
        changed: out,
        unknown,
        sides,
    }
}

/// Of a merge whose tree is `tree`: each path of `differs` (those whose file differs from
/// the first parent's) with the first later parent it is as in, if any; and `out` kept to
/// the paths changed against every parent.
fn merge_sides(
    reader: &mut ObjectReader<'_>,
    (trie, wanted): (&PathTrie, &[Option<ObjectId>]),
    tree: ObjectId,
    parents: &[Option<ObjectId>],
    out: &mut Vec<usize>,
    unknown: &mut Vec<usize>,
    mut differs: Vec<usize>,
) -> Sides {
    differs.sort_unstable();
    differs.dedup();
    let mut to: Vec<Option<usize>> = vec![None; differs.len()];
    for (j, parent) in parents.iter().enumerate().skip(1) {
        if out.is_empty() && to.iter().all(Option::is_some) {
            break;
        }
        let (mut against, mut differ) = (Vec::new(), Vec::new());
        let mut seen = Seen {
            changed: &mut against,
            unknown,
            differs: Some(&mut differ),
        };
        trie.changed(reader, Some(tree), *parent, None, wanted, &mut seen);
        differ.sort_unstable();
        for (k, path) in differs.iter().enumerate() {
            if to[k].is_none() && differ.binary_search(path).is_err() {
                to[k] = Some(j);
            }
        }
        out.retain(|i| against.contains(i));
    }
    differs.into_iter().zip(to).collect()
}

/// The sorted union of two sorted lists.
fn either(a: &[usize], b: &[usize]) -> Vec<usize> {
    let mut out: Vec<usize> = a.iter().chain(b).copied().collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// What sorted `a` and `b` share.
fn both(a: &[usize], b: &[usize]) -> Vec<usize> {
    a.iter()
        .copied()
        .filter(|x| b.binary_search(x).is_ok())
        .collect()
}

/// Sorted `a` without what sorted `b` holds.
fn minus(a: &[usize], b: &[usize]) -> Vec<usize> {
    a.iter()
        .copied()
        .filter(|x| b.binary_search(x).is_err())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> ObjectId {
        ObjectId::from_bytes(&[n; 20]).unwrap()
    }

    /// A merge sends each path where git's simplification goes: path 0 is as in the first
    /// parent (there only), 1 as in the second (there only), 2 differs from both (both);
    /// what reaches a commit by two children is the union.
    #[test]
    fn merges_send_each_path_to_the_parent_it_came_from() {
        let mut lines = Lines::from(id(1));
        let live = lines.reach(&id(1)).unwrap();
        lines.follow(live, &[id(2), id(3)], &vec![(1, Some(1)), (2, None)]);
        let first = lines.reach(&id(2)).unwrap();
        assert!(first.has(0) && !first.has(1) && first.has(2) && first.has(7));
        let second = lines.reach(&id(3)).unwrap();
        assert_eq!(second, Live::Only(vec![1, 2]));
        // Both sides meet again at 4: everything is live there.
        lines.follow(first, &[id(4)], &Vec::new());
        lines.follow(second, &[id(4)], &Vec::new());
        assert_eq!(lines.reach(&id(4)).unwrap(), Live::Except(Vec::new()));
        // A commit no live path reaches is not reached.
        assert!(lines.reach(&id(9)).is_none());
    }
}
