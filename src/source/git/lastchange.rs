//! The last commit that changed each evidence file (git's `log -1 -- PATH`), for the
//! matrix: one walk from the scanned commit, newest first, diffing each commit's tree with
//! its parents' only along the paths still unresolved (a subtree whose id did not change
//! is not opened), until every path has its commit.
//!
//! The walk is cut into batches of commits in walk order; the commits of a batch are
//! diffed on every core at once (each worker reading trees through its own
//! [`ObjectReader`], its run of commits in the order their trees are stored, so that a
//! tree's delta base is most often the tree it read just before), then consumed in walk
//! order; the next batch only looks for the paths still unresolved, and there is none
//! once all are. Commit headers come from the packs,
//! inflated in parallel up front as the scan does; libgit2 reads the rest.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::sync::Mutex;

use git2::{ObjectType, Repository};
use rayon::prelude::*;

use super::bloom::{Blooms, Filter, Key};
use super::lineage::{Lines, Seen, Touched, touched};
use super::objects::{ObjectReader, TreeEntry, entries, git_order};
use super::oid;
use crate::evidence::ObjectId;
use crate::source::SourceError;
use crate::source::pack::Packs;

/// How many folders deep a path may be for the walk to look for its last commit.
pub const MAX_DEPTH: usize = 512;
/// The first batch's commits; each next batch is twice as large, up to [`LAST_BATCH`]:
/// small batches first, so that a walk that ends early (every path found) reads few
/// commits past the end; then large ones, each cut into one run of commits per worker,
/// since each run resolves every tree's chain of deltas anew at its start (on W2, with
/// runs of 4,096 commits at most, that was a third of the objects inflated).
const FIRST_BATCH: usize = 512;
const LAST_BATCH: usize = 1 << 18;

/// A path's last commit: `(path index, entry id at the start, commit)`.
pub type Found = (usize, ObjectId, ObjectId);

/// What [`last_commits`] found, and the paths whose last commit cannot be known (a tree
/// of the history is not here).
pub type Walked = (Vec<Found>, Vec<usize>);

/// A commit as the walk needs it.
pub(super) struct Meta {
    pub(super) tree: ObjectId,
    pub(super) parents: Box<[ObjectId]>,
    /// Committer time: the walk's order, as git log's.
    pub(super) time: i64,
}

/// Where the repository's objects are, for the workers.
pub struct Objects<'a> {
    /// The repository, for what the packs do not hold.
    pub repo: &'a Repository,
    /// Its packs.
    pub packs: &'a Packs,
    /// Commits whose parents are not to be followed (a shallow clone's boundary).
    pub shallow: &'a HashSet<ObjectId>,
    /// The commit-graph's changed-path Bloom filters (empty without one).
    pub blooms: &'a Blooms,
}

/// For each of `paths`, the last commit reachable from `start` (in git log's order:
/// newest committer date first) whose tree has the path with the entry it has at `start`
/// and differs there from every parent's (a root commit: has it at all). Paths absent at
/// `start` are left out; commits that cannot be read are skipped. Returns `(path index,
/// entry id at start, commit)`, and the indices of the paths whose last commit is not
/// known: a tree the walk had to compare is not here (a partial clone's filter left it
/// out, or it is damaged), so no commit at or past it can be named.
pub fn last_commits(
    objects: &Objects<'_>,
    start: ObjectId,
    paths: &[&str],
) -> Result<Walked, SourceError> {
    let git_dir = objects.repo.path().to_path_buf();
    // One reader per worker for the whole walk: its cache of resolved trees stays warm
    // from one batch to the next, and memory is bounded by the number of workers.
    let readers: Vec<Mutex<ObjectReader<'_>>> = (0..rayon::current_num_threads().max(1))
        .map(|_| Mutex::new(ObjectReader::new(objects.packs, git_dir.clone())))
        .collect();
    let reader_of_worker = || {
        let i = rayon::current_thread_index().unwrap_or(0) % readers.len();
        readers[i]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    let timings = std::env::var_os("PRACTRACE_TIMINGS").is_some();
    let clock = std::time::Instant::now();
    let mut table = commit_table(objects);
    if timings {
        eprintln!("practrace timings: last-commit table {:?}", clock.elapsed());
    }
    let order = walk_order(objects, &mut table, start, None);
    if timings {
        eprintln!("practrace timings: last-commit order {:?}", clock.elapsed());
    }
    let Some(start_meta) = table.get(&start) else {
        return Err(SourceError::Git(format!("cannot read the commit {start}")));
    };
    let (wanted, mut trie) = wanted_at(&mut reader_of_worker(), paths, start_meta.tree);
    let mut found: Vec<Found> = Vec::new();
    let mut unknown: Vec<usize> = Vec::new();
    let (packs, blooms) = (objects.packs, objects.blooms);
    let mut lines = Lines::from(start);
    let (mut at, mut batch) = (0, FIRST_BATCH);
    while at < order.len() && trie.remaining > 0 {
        let commits = &order[at..(at + batch).min(order.len())];
        let chunk = commits.len().div_ceil(rayon::current_num_threads()).max(32);
        let touched: Vec<Touched> = commits
            .par_chunks(chunk)
            .map(|ids| {
                let seen = (&table, blooms);
                diff_run(&mut reader_of_worker(), packs, (&trie, &wanted), seen, ids)
            })
            .flatten()
            .collect();
        let before = trie.remaining;
        for (id, diffed) in commits.iter().zip(touched) {
            // Only where git's simplified history of a path goes (see `lineage`).
            let parents = table.get(id).map_or(&[][..], |m| &m.parents[..]);
            let Some((changed, not_known)) = lines.take(id, parents, diffed) else {
                continue;
            };
            for i in changed {
                if trie.resolve(paths[i]) {
                    found.push((i, wanted[i].unwrap_or(*id), *id));
                }
            }
            unknown.extend(not_known.into_iter().filter(|&i| trie.resolve(paths[i])));
        }
        if trie.remaining < before {
            trie = trie.without_resolved();
        }
        at += commits.len();
        batch = (batch * 2).min(LAST_BATCH);
    }
    if timings {
        eprintln!(
            "practrace timings: last-commit walk {:?}, {at} of {} commits",
            clock.elapsed(),
            order.len()
        );
    }
    unknown.sort_unstable();
    Ok((found, unknown))
}

/// What each path holds in `tree` (the entry a touching commit must have produced), and
/// the trie of the paths it holds.
pub(super) fn wanted_at(
    reader: &mut ObjectReader<'_>,
    paths: &[&str],
    tree: ObjectId,
) -> (Vec<Option<ObjectId>>, PathTrie) {
    let mut all = PathTrie::default();
    for (i, path) in paths.iter().enumerate() {
        // The diff recurses once per folder of a path: a path nested deeper than
        // MAX_DEPTH folders (git allows them; a checkout does not) gets no last commit
        // rather than overflowing the stack.
        if path.split('/').count() <= MAX_DEPTH {
            all.insert(path, i);
        }
    }
    let mut wanted: Vec<Option<ObjectId>> = vec![None; paths.len()];
    all.collect(reader, Some(tree), &mut wanted);
    let mut trie = PathTrie::default();
    for (i, path) in paths.iter().enumerate() {
        if wanted[i].is_some() {
            trie.insert(path, i);
        }
    }
    (wanted, trie)
}

/// [`touched`] for each of a run of commits, in the order [`bases_first`] gives, the
/// results in the run's order.
fn diff_run(
    reader: &mut ObjectReader<'_>,
    packs: &Packs,
    (trie, wanted): (&PathTrie, &[Option<ObjectId>]),
    seen: (&HashMap<ObjectId, Meta>, &Blooms),
    ids: &[ObjectId],
) -> Vec<Touched> {
    let mut results: Vec<(usize, Touched)> = bases_first(packs, seen.0, ids)
        .into_iter()
        .map(|i| (i, touched(reader, trie, seen, wanted, &ids[i])))
        .collect();
    results.sort_unstable_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// The positions of `ids` in the order their root trees are stored in the packs: a tree
/// is stored after the one it is a delta of (when a delta of an older version, as
/// fast-import writes, as when of a newer one, as git repacks), so that diffing commits in
/// this order finds most bases just resolved, still in the reader's cache. Any order gives
/// the same result: each commit is diffed on its own. (In walk order on W2, where the
/// deltas go from old to new, the walk inflated each tree three and a half times.)
fn bases_first(packs: &Packs, table: &HashMap<ObjectId, Meta>, ids: &[ObjectId]) -> Vec<usize> {
    let mut keyed: Vec<(Option<(usize, u64)>, usize)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (table.get(id).and_then(|m| packs.locate(&m.tree)), i))
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Tree, parents and committer time of every commit the packs hold whole, inflated on
/// every core; the walk reads any other one through libgit2.
fn commit_table(objects: &Objects<'_>) -> HashMap<ObjectId, Meta> {
    let table = objects.packs.process_all(&|_, raw| parse_commit(raw));
    // Building it freed as much as it keeps (the workers' pieces, the map's growth).
    crate::memory::release_freed();
    table
}

/// The headers of a raw commit the walk needs.
pub(super) fn parse_commit(raw: &[u8]) -> Option<Meta> {
    let (headers, _) = crate::extract::commit::split_commit(raw);
    let mut tree = None;
    let mut parents = Vec::new();
    let mut time = 0;
    for line in headers.split(|&b| b == b'\n') {
        if let Some(hex) = line.strip_prefix(b"tree ") {
            tree = ObjectId::from_hex(std::str::from_utf8(hex).ok()?.trim());
        } else if let Some(hex) = line.strip_prefix(b"parent ") {
            parents.push(ObjectId::from_hex(std::str::from_utf8(hex).ok()?.trim())?);
        } else if line.starts_with(b"committer ") {
            time = crate::extract::commit::committer_time(line);
        }
    }
    Some(Meta {
        tree: tree?,
        // Exactly as long as needed: a pushed-to Vec holds room for four.
        parents: parents.into_boxed_slice(),
        time,
    })
}

/// Every commit reachable from `start` (down to `stop`, when given), in git log's order: a
/// queue by committer date, newest first, equal dates in the order they were met; except
/// that a commit comes only after all of its children that are reached. git's walk for one
/// path meets a parent only through a child it walked, so there it always comes after
/// that child; a walk for every path at once can meet it earlier, through another child
/// dated the same (git/git merges many branches within one second), and would then
/// decide where a path's history goes at that parent before that child said it goes
/// there (see `lineage`). Commits missing from `table` are read through libgit2 and added
/// to it; unreadable ones are left out.
pub(super) fn walk_order(
    objects: &Objects<'_>,
    table: &mut HashMap<ObjectId, Meta>,
    start: ObjectId,
    stop: Option<ObjectId>,
) -> Vec<ObjectId> {
    let time = |id: &ObjectId, table: &mut HashMap<ObjectId, Meta>| -> Option<i64> {
        if let Some(m) = table.get(id) {
            return Some(m.time);
        }
        let odb = objects.repo.odb().ok()?;
        let object = odb.read(oid(*id)).ok()?;
        if object.kind() != ObjectType::Commit {
            return None;
        }
        let meta = parse_commit(object.data())?;
        let t = meta.time;
        table.insert(*id, meta);
        Some(t)
    };
    let Some(start_time) = time(&start, table) else {
        return Vec::new();
    };
    let goes_on = |id: &ObjectId| stop != Some(*id) && !objects.shallow.contains(id);
    // How many children of each reached commit are reached.
    let mut children: HashMap<ObjectId, u32> = HashMap::new();
    let mut stack = vec![start];
    let mut seen = HashSet::from([start]);
    while let Some(id) = stack.pop() {
        if !goes_on(&id) {
            continue;
        }
        // Cloned: reading a parent through libgit2 adds it to the table.
        let parents = table
            .get(&id)
            .map(|m| m.parents.clone())
            .unwrap_or_default();
        for parent in parents.iter() {
            if time(parent, table).is_some() {
                *children.entry(*parent).or_default() += 1;
                if seen.insert(*parent) {
                    stack.push(*parent);
                }
            }
        }
    }
    drop(seen);
    let mut order = Vec::new();
    let mut queue = BinaryHeap::from([(start_time, Reverse(0u64), start)]);
    let mut met = 0u64;
    while let Some((_, _, id)) = queue.pop() {
        order.push(id);
        if !goes_on(&id) {
            if stop == Some(id) {
                break;
            }
            continue;
        }
        let Some(meta) = table.get(&id) else {
            continue;
        };
        for parent in meta.parents.iter() {
            let Some(left) = children.get_mut(parent) else {
                continue;
            };
            *left -= 1;
            if *left == 0 {
                met += 1;
                queue.push((table[parent].time, Reverse(met), *parent));
            }
        }
    }
    order
}

/// The paths still to resolve, as a tree of names: a diff walks down the git trees only
/// along the names it holds, and only where a subtree's id differs between two commits.
#[derive(Default)]
pub(super) struct PathTrie {
    /// Sub-names, sorted by bytes.
    children: Vec<(Vec<u8>, PathTrie)>,
    /// The index of the path that ends here.
    leaf: Option<usize>,
    /// Paths at or below this node not resolved yet.
    remaining: usize,
    /// The Bloom key of this node's path (from the root).
    key: Option<Key>,
}

impl PathTrie {
    fn insert(&mut self, path: &str, index: usize) {
        self.insert_at(path, path, index);
    }

    /// Inserts `path`, the rest of `full` below this node.
    fn insert_at(&mut self, full: &str, path: &str, index: usize) {
        self.remaining += 1;
        let (head, rest) = match path.split_once('/') {
            Some((head, rest)) => (head, Some(rest)),
            None => (path, None),
        };
        let prefix = &full[..full.len() - rest.map_or(0, |r| r.len() + 1)];
        let at = match self
            .children
            .binary_search_by(|(n, _)| n.as_slice().cmp(head.as_bytes()))
        {
            Ok(at) => at,
            Err(at) => {
                let node = PathTrie {
                    key: Some(Key::new(prefix.as_bytes())),
                    ..PathTrie::default()
                };
                self.children.insert(at, (head.as_bytes().to_vec(), node));
                at
            }
        };
        let child = &mut self.children[at].1;
        match rest {
            Some(rest) => child.insert_at(full, rest, index),
            None => {
                child.remaining += 1;
                child.leaf = Some(index);
            }
        }
    }

    fn child(&self, name: &[u8]) -> Option<&PathTrie> {
        let at = self
            .children
            .binary_search_by(|(n, _)| n.as_slice().cmp(name))
            .ok()?;
        Some(&self.children[at].1)
    }

    /// Marks `path` resolved; false when it already was (or is not here).
    pub(super) fn resolve(&mut self, path: &str) -> bool {
        let (head, rest) = match path.split_once('/') {
            Some((head, rest)) => (head, Some(rest)),
            None => (path, None),
        };
        let Ok(at) = self
            .children
            .binary_search_by(|(n, _)| n.as_slice().cmp(head.as_bytes()))
        else {
            return false;
        };
        let child = &mut self.children[at].1;
        let done = match rest {
            Some(rest) => child.resolve(rest),
            None if child.leaf.is_some() => {
                child.leaf = None;
                child.remaining -= 1;
                true
            }
            None => false,
        };
        if done {
            self.remaining -= 1;
        }
        done
    }

    /// The same trie without the subtrees that have nothing left to resolve.
    fn without_resolved(self) -> PathTrie {
        PathTrie {
            children: self
                .children
                .into_iter()
                .filter(|(_, c)| c.remaining > 0)
                .map(|(n, c)| (n, c.without_resolved()))
                .collect(),
            leaf: self.leaf,
            remaining: self.remaining,
            key: self.key,
        }
    }

    /// Pushes the paths at or below this node not resolved yet.
    fn leaves(&self, out: &mut Vec<usize>) {
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            out.extend(node.leaf);
            stack.extend(node.children.iter().map(|(_, c)| c));
        }
    }

    /// Fills `out[i]` with the entry id path `i` has in the tree `tree`.
    fn collect(
        &self,
        reader: &mut ObjectReader<'_>,
        tree: Option<ObjectId>,
        out: &mut [Option<ObjectId>],
    ) {
        let Some(bytes) = tree.and_then(|t| reader.tree(t)) else {
            return;
        };
        for entry in entries(&bytes) {
            let Some(child) = self.child(entry.name) else {
                continue;
            };
            if let Some(i) = child.leaf
                && !entry.is_tree
            {
                out[i] = Some(entry.id);
            }
            if entry.is_tree && !child.children.is_empty() {
                child.collect(reader, Some(entry.id), out);
            }
        }
    }

    /// Pushes the unresolved paths whose entries differ between the trees `new` and `old`
    /// (`None`: empty) and whose entry in `new` is the one wanted. Both trees' entries
    /// are walked side by side once, in git's order; only names whose ids differ are
    /// looked up, and only subtrees whose ids differ are opened.
    pub(super) fn changed(
        &self,
        reader: &mut ObjectReader<'_>,
        new: Option<ObjectId>,
        old: Option<ObjectId>,
        filter: Option<Filter<'_>>,
        wanted: &[Option<ObjectId>],
        out: &mut Seen<'_>,
    ) {
        if new == old || self.remaining == 0 {
            return;
        }
        // No unresolved path below may have changed: neither tree is read.
        let may = |child: &PathTrie| filter.is_none_or(|f| child.key.is_none_or(|k| f.maybe(&k)));
        if !self.children.iter().any(|(_, c)| c.remaining > 0 && may(c)) {
            return;
        }
        let new_bytes = new.and_then(|t| reader.tree(t));
        let old_bytes = old.and_then(|t| reader.tree(t));
        if new_bytes.is_none() && new.is_some() || old_bytes.is_none() && old.is_some() {
            // Not an empty tree: one that is not here. Nothing below can be compared.
            self.leaves(out.unknown);
            return;
        }
        let mut a_iter = entries(new_bytes.as_deref().unwrap_or_default()).peekable();
        let mut b_iter = entries(old_bytes.as_deref().unwrap_or_default()).peekable();
        loop {
            let (a, b) = match (a_iter.peek(), b_iter.peek()) {
                (None, None) => break,
                (Some(_), None) => (a_iter.next(), None),
                (None, Some(_)) => (None, b_iter.next()),
                (Some(a), Some(b)) => match git_order(a.name, a.is_tree, b.name, b.is_tree) {
                    std::cmp::Ordering::Less => (a_iter.next(), None),
                    std::cmp::Ordering::Greater => (None, b_iter.next()),
                    std::cmp::Ordering::Equal => (a_iter.next(), b_iter.next()),
                },
            };
            // A mode change (the executable bit) is a change to git log -- PATH too.
            if a.map(|e| (e.id, e.mode)) == b.map(|e| (e.id, e.mode)) {
                continue;
            }
            let Some(name) = a.or(b).map(|e| e.name) else {
                continue;
            };
            if let Some(child) = self.child(name)
                && child.remaining > 0
                && may(child)
            {
                child.visit(reader, a, b, filter, wanted, out);
            }
        }
    }

    /// One child whose entry is `a` in the new tree and `b` in the old (`None`: absent),
    /// which differ: pushed when `a` is the entry wanted, and its own children looked into.
    fn visit(
        &self,
        reader: &mut ObjectReader<'_>,
        a: Option<TreeEntry<'_>>,
        b: Option<TreeEntry<'_>>,
        filter: Option<Filter<'_>>,
        wanted: &[Option<ObjectId>],
        out: &mut Seen<'_>,
    ) {
        if let Some(i) = self.leaf {
            if let Some(differs) = out.differs.as_deref_mut()
                && file_entry(a) != file_entry(b)
            {
                differs.push(i);
            }
            if file_entry(a).is_some_and(|(id, _)| wanted[i] == Some(id)) {
                out.changed.push(i);
            }
        }
        if !self.children.is_empty() {
            let subtree = |e: Option<TreeEntry<'_>>| e.filter(|e| e.is_tree).map(|e| e.id);
            self.changed(reader, subtree(a), subtree(b), filter, wanted, out);
        }
    }
}

/// A file's id and mode in a tree (`None`: absent, or a folder).
fn file_entry(e: Option<TreeEntry<'_>>) -> Option<(ObjectId, &[u8])> {
    e.filter(|e| !e.is_tree).map(|e| (e.id, e.mode))
}

/// The commit-graph's Bloom filters of `repo`.
pub fn blooms_of(repo: &Repository) -> Blooms {
    Blooms::open(&repo.commondir().join("objects"))
}

/// The shallow boundary of `repo` (no parents followed past these commits).
pub fn shallow_of(repo: &Repository) -> HashSet<ObjectId> {
    super::read_shallow_file(&repo.commondir().join("shallow"))
}
