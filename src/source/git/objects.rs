//! Reading many trees fast, for walks that diff the history: objects come from the packs
//! through [`Packs`] with a cache of recently resolved objects (a tree stored as a delta
//! is usually a delta of the tree read just before it, so a chain of deltas is resolved
//! once, not once per read), and from libgit2 for whatever the packs do not hold (loose
//! objects, alternates, pack formats [`Packs`] leaves alone).
//!
//! One [`ObjectReader`] per worker: it owns its decompressor, its cache and, when needed,
//! its own libgit2 handle (a `git2::Repository` cannot be shared between threads).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use git2::{ObjectType, Repository};
use libdeflater::Decompressor;

use super::oid;
use crate::evidence::ObjectId;
use crate::source::pack::{Entry, ID_LEN, MAX_DELTA_DEPTH, Packs, resolve_delta};

/// How many bytes of objects read one reader keeps (see [`Cache`]).
const CACHE_BYTES: usize = 16 << 20;
/// And of bases. The matrix's walk on W2 (2 readers): 16 MiB here gives a peak of
/// 333 MB, 4 MiB 297 MB (1.2 times the status scan's, the target) at the same speed; on
/// git/git's pack, whose bases have several deltas each, the walk then takes 15% more CPU.
const BASES_BYTES: usize = 4 << 20;
/// The largest tree read (a tree is a list of names: 64 MiB is about a million entries).
const MAX_TREE: u64 = 64 << 20;

/// A resolved object: its type (2 tree) and bytes.
type Resolved = (u8, Arc<[u8]>);

/// Resolved objects by where they are in the packs: what was read, and apart, what was
/// used as a delta's base; both dropped when the first holds [`CACHE_BYTES`], the bases
/// alone when they hold [`BASES_BYTES`].
///
/// A walk reads each tree's versions in the order they are stored ([`super::lastchange`]
/// sorts its commits so), and a version stored as a delta is most often a delta of the
/// version read just before it: once a delta is resolved from it, a base is seldom needed
/// again. It goes to the bases, where it stays a while for the diff that reads it right
/// after (and for the other deltas of it that git's packs have), while the objects read
/// keep each tree's latest version. On W2, where a walk that kept every base among them
/// evicted the latest versions and resolved their chains of deltas again, this halved
/// the objects inflated.
#[derive(Default)]
struct Cache {
    read: HashMap<(usize, u64), Resolved>,
    bases: HashMap<(usize, u64), Resolved>,
    read_bytes: usize,
    bases_bytes: usize,
}

impl Cache {
    fn get(&self, at: (usize, u64)) -> Option<Resolved> {
        self.read.get(&at).or_else(|| self.bases.get(&at)).cloned()
    }

    /// The object at `at` for a delta based on it, moved to the bases.
    fn get_base(&mut self, at: (usize, u64)) -> Option<Resolved> {
        if let Some(hit) = self.bases.get(&at) {
            return Some(hit.clone());
        }
        let hit = self.read.remove(&at)?;
        self.read_bytes = self.read_bytes.saturating_sub(hit.1.len());
        self.put_base(at, hit.clone());
        Some(hit)
    }

    fn put(&mut self, at: (usize, u64), bytes: Resolved) {
        self.read_bytes += bytes.1.len();
        self.read.insert(at, bytes);
        if self.read_bytes > CACHE_BYTES {
            *self = Cache::default();
        }
    }

    fn put_base(&mut self, at: (usize, u64), bytes: Resolved) {
        self.bases_bytes += bytes.1.len();
        self.bases.insert(at, bytes);
        if self.bases_bytes > BASES_BYTES {
            self.bases.clear();
            self.bases_bytes = 0;
        }
    }
}

/// Reads trees by id: the packs first (cached), libgit2 for the rest.
pub struct ObjectReader<'p> {
    packs: &'p Packs,
    git_dir: PathBuf,
    z: Decompressor,
    cache: Cache,
    /// Opened on the first object the packs do not have; `None` inside when it cannot be.
    repo: Option<Option<Repository>>,
    /// Loose (or otherwise unpacked) trees read through libgit2, by id.
    loose: HashMap<ObjectId, Arc<[u8]>>,
}

impl<'p> ObjectReader<'p> {
    /// A reader of the repository whose git dir is `git_dir` and whose packs are `packs`.
    pub fn new(packs: &'p Packs, git_dir: PathBuf) -> ObjectReader<'p> {
        ObjectReader {
            packs,
            git_dir,
            z: Decompressor::new(),
            cache: Cache::default(),
            repo: None,
            loose: HashMap::new(),
        }
    }

    /// The raw bytes of the tree `id`, or `None` when it cannot be read or is not a tree.
    pub fn tree(&mut self, id: ObjectId) -> Option<Arc<[u8]>> {
        match self.packs.locate(&id) {
            Some(at) => match self.packed(at, 0)? {
                (2, bytes) => Some(bytes),
                _ => None,
            },
            None => self.unpacked(id),
        }
    }

    /// The object at `at` in the packs, resolved, with its type.
    fn packed(&mut self, at: (usize, u64), depth: u32) -> Option<Resolved> {
        if depth > MAX_DELTA_DEPTH {
            return None;
        }
        let hit = match depth {
            0 => self.cache.get(at),
            _ => self.cache.get_base(at),
        };
        if hit.is_some() {
            return hit;
        }
        let (kind, bytes) = match self.packs.entry(&mut self.z, at.0, at.1, MAX_TREE)? {
            Entry::Whole(kind, bytes) => (kind, bytes),
            Entry::TooLarge(_) => return None,
            Entry::Delta { base, delta } => {
                let (kind, base) = self.packed(base, depth + 1)?;
                (kind, resolve_delta(&base, &delta)?)
            }
        };
        let resolved = (kind, Arc::<[u8]>::from(bytes));
        match depth {
            0 => self.cache.put(at, resolved.clone()),
            _ => self.cache.put_base(at, resolved.clone()),
        }
        Some(resolved)
    }

    /// A tree the packs do not hold, through libgit2.
    fn unpacked(&mut self, id: ObjectId) -> Option<Arc<[u8]>> {
        if let Some(hit) = self.loose.get(&id) {
            return Some(hit.clone());
        }
        let git_dir = &self.git_dir;
        let repo = self
            .repo
            .get_or_insert_with(|| Repository::open(git_dir).ok())
            .as_ref()?;
        let odb = repo.odb().ok()?;
        let object = odb.read(oid(id)).ok()?;
        if object.kind() != ObjectType::Tree {
            return None;
        }
        let bytes: Arc<[u8]> = Arc::from(object.data());
        if self.loose.len() > 100_000 {
            self.loose.clear();
        }
        self.loose.insert(id, bytes.clone());
        Some(bytes)
    }
}

/// One entry of a raw tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeEntry<'t> {
    /// The name, raw bytes.
    pub name: &'t [u8],
    /// The object id.
    pub id: ObjectId,
    /// Whether it is a subtree (mode `40000`).
    pub is_tree: bool,
    /// The mode, as stored (`100644`, `100755`, `120000`, `160000`, `40000`).
    pub mode: &'t [u8],
}

/// The entries of a raw tree object, in the order stored (git's order); stops at the
/// first malformed entry.
pub fn entries(tree: &[u8]) -> impl Iterator<Item = TreeEntry<'_>> + '_ {
    let mut rest = tree;
    std::iter::from_fn(move || {
        let space = memchr::memchr(b' ', rest)?;
        let mode = &rest[..space];
        let nul = space + 1 + memchr::memchr(0, &rest[space + 1..])?;
        let name = &rest[space + 1..nul];
        let id = ObjectId::from_bytes(rest.get(nul + 1..nul + 1 + ID_LEN)?)?;
        rest = &rest[nul + 1 + ID_LEN..];
        Some(TreeEntry {
            name,
            id,
            is_tree: mode == b"40000",
            mode,
        })
    })
}

/// git's order of tree entries: by name, a folder's name compared as if it ended in `/`.
pub fn git_order(a: &[u8], a_tree: bool, b: &[u8], b_tree: bool) -> std::cmp::Ordering {
    let n = a.len().min(b.len());
    a[..n].cmp(&b[..n]).then_with(|| {
        let next = |name: &[u8], tree: bool| name.get(n).copied().or(tree.then_some(b'/'));
        next(a, a_tree).cmp(&next(b, b_tree))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering::{Greater, Less};

    #[test]
    fn raw_tree_entries() {
        let mut tree = Vec::new();
        tree.extend_from_slice(b"100644 a.md\0");
        tree.extend_from_slice(&[1; 20]);
        tree.extend_from_slice(b"40000 docs\0");
        tree.extend_from_slice(&[2; 20]);
        let got: Vec<_> = entries(&tree).collect();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].name, b"a.md");
        assert!(!got[0].is_tree && got[1].is_tree);
        assert_eq!(got[1].id, ObjectId::from_raw([2; 20]));
        // A truncated entry ends the listing instead of reading past the end.
        assert_eq!(entries(&tree[..tree.len() - 1]).count(), 1);
    }

    /// The side-by-side walk merges two trees in git's own order; a different order would
    /// pair the wrong entries. Folders sort as if their name ended in `/`.
    #[test]
    fn entries_sort_in_git_order() {
        assert_eq!(git_order(b"a", false, b"a", true), Less);
        assert_eq!(git_order(b"a.b", false, b"a", true), Less, "'.' < '/'");
        assert_eq!(git_order(b"a0", false, b"a", true), Greater, "'0' > '/'");
        assert_eq!(git_order(b"a", true, b"a", true), std::cmp::Ordering::Equal);
        assert_eq!(git_order(b"b", false, b"ab", false), Greater);
    }
}
