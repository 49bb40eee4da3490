//! The changed-path Bloom filters of a commit-graph (`git commit-graph write --reachable
//! --changed-paths`, which `git maintenance` keeps), for the last-commit walk: a filter
//! that says a path did not change in a commit (against its first parent) lets the walk
//! skip that path, and a commit where no path it looks for may have changed is not diffed
//! at all. A filter can say "maybe" wrongly, never "no" wrongly, so results do not change.
//!
//! Read: `objects/info/commit-graph`, or the split chain under `objects/info/commit-graphs/`
//! (each layer with its own filters). The format is git's `gitformat-commit-graph(5)`;
//! keys are git's (two murmur3 seeds, `num_hashes` probes; every changed path and each of
//! its leading folders). A version-1 filter hashed bytes above 0x7f as signed (git's old
//! bug): for such paths it is not used. Anything malformed is ignored whole: the walk then
//! diffs every commit, as without a commit-graph.

use std::path::Path;

use crate::evidence::ObjectId;

use crate::source::pack::{ID_LEN, be32, be64};
/// The largest commit-graph layer read.
const MAX_GRAPH: u64 = 1 << 30;

/// One layer: its commits (sorted ids) and their filters.
struct Layer {
    bytes: Vec<u8>,
    /// Where the sorted ids start, and how many.
    ids: usize,
    count: usize,
    /// Where the BIDX offsets start, and the BDAT filters (after its header).
    index: usize,
    data: usize,
    data_end: usize,
    version: u32,
    num_hashes: u32,
}

/// The filters of every layer of a repository's commit-graph.
#[derive(Default)]
pub struct Blooms {
    layers: Vec<Layer>,
}

/// One commit's filter.
#[derive(Clone, Copy)]
pub struct Filter<'a> {
    bits: &'a [u8],
    version: u32,
    num_hashes: u32,
}

/// A path's two hashes, computed once: the probes of every filter derive from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    h0: u32,
    h1: u32,
    /// The path has a byte above 0x7f (version-1 filters hashed those wrongly).
    high: bool,
}

impl Key {
    /// The key of a path (no leading or trailing `/`).
    pub fn new(path: &[u8]) -> Key {
        Key {
            h0: murmur3(0x293a_e76f, path),
            h1: murmur3(0x7e64_6e2c, path),
            high: path.iter().any(|&b| b > 0x7f),
        }
    }
}

impl Filter<'_> {
    /// Whether the path of `key` may have changed; false only when it surely did not.
    pub fn maybe(&self, key: &Key) -> bool {
        if self.bits.is_empty() || (self.version == 1 && key.high) {
            return true;
        }
        let bits = self.bits.len() as u64 * 8;
        (0..self.num_hashes).all(|i| {
            let hash = key.h0.wrapping_add(i.wrapping_mul(key.h1));
            let bit = u64::from(hash) % bits;
            self.bits[(bit / 8) as usize] & (1 << (bit % 8)) != 0
        })
    }
}

impl Blooms {
    /// The filters of the repository whose object folder is `objects`; none when it has no
    /// commit-graph with changed paths.
    pub fn open(objects: &Path) -> Blooms {
        let info = objects.join("info");
        let mut files = Vec::new();
        let single = info.join("commit-graph");
        if single.is_file() {
            files.push(single);
        }
        let chain = info.join("commit-graphs");
        if let Ok(text) = std::fs::read_to_string(chain.join("commit-graph-chain")) {
            for line in text.lines().take(1024) {
                let hash = line.trim();
                if !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                    files.push(chain.join(format!("graph-{hash}.graph")));
                }
            }
        }
        let layers = files.iter().filter_map(|f| Layer::read(f)).collect();
        Blooms { layers }
    }

    /// The filter of commit `id` (against its first parent), when a layer has one.
    pub fn filter(&self, id: &ObjectId) -> Option<Filter<'_>> {
        self.layers.iter().find_map(|l| l.filter(id.as_bytes()))
    }
}

impl Layer {
    fn read(path: &Path) -> Option<Layer> {
        let bytes = crate::files::read_bounded(path, MAX_GRAPH).ok()?;
        // Header: signature, version 1, hash version 1 (SHA-1), chunk count, base count.
        if bytes.get(0..4)? != b"CGPH" || bytes[4] != 1 || *bytes.get(5)? != 1 {
            return None;
        }
        let chunks = usize::from(*bytes.get(6)?);
        let mut table = Vec::with_capacity(chunks + 1);
        for i in 0..=chunks {
            let at = 8 + i * 12;
            table.push((
                be32(&bytes, at)?,
                usize::try_from(be64(&bytes, at + 4)?).ok()?,
            ));
        }
        let chunk = |id: &[u8; 4]| -> Option<(usize, usize)> {
            let id = u32::from_be_bytes(*id);
            let i = table[..chunks].iter().position(|&(c, _)| c == id)?;
            let (start, end) = (table[i].1, table.get(i + 1)?.1);
            (start <= end && end <= bytes.len()).then_some((start, end))
        };
        let (fanout, _) = chunk(b"OIDF")?;
        let (ids, ids_end) = chunk(b"OIDL")?;
        let (index, index_end) = chunk(b"BIDX")?;
        let (data, data_end) = chunk(b"BDAT")?;
        let count = usize::try_from(be32(&bytes, fanout + 255 * 4)?).ok()?;
        if ids_end - ids != count * ID_LEN || index_end - index != count * 4 {
            return None;
        }
        let version = be32(&bytes, data)?;
        let num_hashes = be32(&bytes, data + 4)?;
        if !(1..=2).contains(&version) || num_hashes == 0 || num_hashes > 64 {
            return None;
        }
        Some(Layer {
            bytes,
            ids,
            count,
            index,
            data: data + 12,
            data_end,
            version,
            num_hashes,
        })
    }

    fn filter(&self, id: &[u8; ID_LEN]) -> Option<Filter<'_>> {
        let at = |i: usize| &self.bytes[self.ids + i * ID_LEN..self.ids + (i + 1) * ID_LEN];
        let (mut lo, mut hi) = (0, self.count);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match at(mid).cmp(id.as_slice()) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    let end = |i: usize| be32(&self.bytes, self.index + i * 4).map(|o| o as usize);
                    let start = if mid == 0 { 0 } else { end(mid - 1)? };
                    let stop = end(mid)?;
                    let (from, to) = (self.data + start, self.data.checked_add(stop)?);
                    if start > stop || to > self.data_end {
                        return None;
                    }
                    return Some(Filter {
                        bits: &self.bytes[from..to],
                        version: self.version,
                        num_hashes: self.num_hashes,
                    });
                }
            }
        }
        None
    }
}

/// git's murmur3 (32-bit, seeded), over unsigned bytes (its version-2 filters).
fn murmur3(seed: u32, data: &[u8]) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mut h = seed;
    let mut blocks = data.chunks_exact(4);
    for block in &mut blocks {
        let mut k = u32::from_le_bytes([block[0], block[1], block[2], block[3]]);
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        let mut k = 0u32;
        for (i, &b) in tail.iter().enumerate() {
            k ^= u32::from(b) << (8 * i);
        }
        h ^= k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
    }
    h ^= data.len() as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// git's own test vectors (t/helper/test-bloom.c, t0095-bloom.sh): murmur3 of ""
    /// with seed 0 is 0, of "Hello world!" is 0x627b0c2c, and of a 46-byte sentence
    /// 0x2e4ff723.
    #[test]
    fn murmur3_matches_git() {
        assert_eq!(murmur3(0, b""), 0);
        assert_eq!(murmur3(0, b"Hello world!"), 0x627b_0c2c);
        assert_eq!(
            murmur3(0, b"The quick brown fox jumps over the lazy dog"),
            0x2e4f_f723
        );
    }

    /// A commit-graph git wrote: the filter of a commit that changed `docs/a.md` says
    /// maybe for it and its folder, and no for paths it did not touch (these particular
    /// ones: a Bloom filter may say maybe wrongly, but this one is fixed by the fixture).
    #[test]
    fn filters_git_wrote_answer_for_the_paths_changed() {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            let out = std::process::Command::new("git")
                .args(args)
                .current_dir(dir.path())
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_AUTHOR_NAME", "A")
                .env("GIT_AUTHOR_EMAIL", "a@x")
                .env("GIT_COMMITTER_NAME", "C")
                .env("GIT_COMMITTER_EMAIL", "c@x")
                .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
                .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap()
        };
        git(&["init", "-q", "-b", "main"]);
        std::fs::create_dir(dir.path().join("docs")).unwrap();
        std::fs::write(dir.path().join("docs/a.md"), "a").unwrap();
        std::fs::write(dir.path().join("b.md"), "b").unwrap();
        git(&["add", "-A"]);
        git(&["commit", "-q", "-m", "one"]);
        std::fs::write(dir.path().join("docs/a.md"), "a2").unwrap();
        git(&["commit", "-q", "-am", "two"]);
        git(&["commit-graph", "write", "--reachable", "--changed-paths"]);
        let head = ObjectId::from_hex(git(&["rev-parse", "HEAD"]).trim()).unwrap();
        let blooms = Blooms::open(&dir.path().join(".git/objects"));
        let filter = blooms.filter(&head).expect("a filter for HEAD");
        assert!(filter.maybe(&Key::new(b"docs/a.md")));
        assert!(filter.maybe(&Key::new(b"docs")));
        assert!(!filter.maybe(&Key::new(b"b.md")));
        assert!(!filter.maybe(&Key::new(b"docs/c.md")));
    }

    #[test]
    fn an_empty_filter_is_maybe_and_a_full_one_too() {
        let key = Key::new(b"docs/a.md");
        let full = [0xffu8; 8];
        let f = Filter {
            bits: &full,
            version: 2,
            num_hashes: 7,
        };
        assert!(f.maybe(&key));
        let none = [0u8; 8];
        let f = Filter {
            bits: &none,
            version: 2,
            num_hashes: 7,
        };
        assert!(!f.maybe(&key));
        let f = Filter {
            bits: &[],
            version: 2,
            num_hashes: 7,
        };
        assert!(f.maybe(&key));
    }
}
