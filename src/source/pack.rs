//! A narrow reader of git pack files: it finds every commit stored whole (not as a delta)
//! in the repository's packs and inflates them in parallel.
//!
//! libgit2 reads one object at a time, and a walk of the history can only learn a commit's
//! parents by reading it, so a long history is read on one core. The pack index lists
//! every object and the pack's object headers say which ones are commits, so all of them
//! can be inflated at once on every core, before the walk. The walk then takes each commit
//! from this table, and reads through libgit2 whatever is not in it (loose objects, commits
//! stored as deltas, objects of alternates): the table is only a faster path, never the
//! only one. Pack index version 2 with SHA-1 ids is read; anything else is left to libgit2.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use git2::Oid;
use libdeflater::Decompressor;
use memmap2::Mmap;
use rayon::prelude::*;

const OBJ_COMMIT: u8 = 1;
const ID_LEN: usize = 20;

/// The packs of an object folder, mapped into memory.
pub struct Packs {
    packs: Vec<Mmap>,
    commits: Vec<PackedCommit>,
}

/// A whole (non-delta) commit object in a pack.
#[derive(Debug, Clone, Copy)]
pub struct PackedCommit {
    /// Its id.
    pub id: Oid,
    pack: usize,
    /// Offset of the zlib stream.
    data: usize,
    /// Inflated size.
    size: usize,
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn be64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Maps a file read-only.
fn map(path: &Path) -> Option<Mmap> {
    let file = File::open(path).ok()?;
    // SAFETY: git never rewrites a pack or an index in place (new packs get new names, old
    // ones are deleted whole), so the mapped bytes do not change while we read them; every
    // read below is bounds-checked, so a truncated file cannot be read past its end.
    unsafe { Mmap::map(&file) }.ok()
}

/// Parses a pack object header at `at`: type, inflated size, offset of the data.
fn object_header(pack: &[u8], at: usize) -> Option<(u8, usize, usize)> {
    let mut p = at;
    let mut byte = *pack.get(p)?;
    p += 1;
    let kind = (byte >> 4) & 7;
    let mut size = usize::from(byte & 0x0f);
    let mut shift = 4;
    while byte & 0x80 != 0 {
        byte = *pack.get(p)?;
        p += 1;
        if shift > 56 {
            return None;
        }
        size |= usize::from(byte & 0x7f) << shift;
        shift += 7;
    }
    Some((kind, size, p))
}

/// The whole commits listed by one `.idx` (version 2) in the pack it indexes.
fn commits_of(idx: &[u8], pack: &[u8], pack_no: usize, out: &mut Vec<PackedCommit>) -> Option<()> {
    if idx.get(0..8)? != b"\xfftOc\x00\x00\x00\x02" || pack.get(0..4)? != b"PACK" {
        return None;
    }
    let n = be32(idx, 8 + 255 * 4)? as usize;
    let names = 8 + 256 * 4;
    let offsets = names + n * (ID_LEN + 4);
    let large = offsets + n * 4;
    // The index must be exactly as long as its tables say (SHA-1 ids, two checksums).
    let large_count = (0..n)
        .filter(|&i| be32(idx, offsets + i * 4).is_some_and(|o| o & 0x8000_0000 != 0))
        .count();
    if idx.len() != large + large_count * 8 + 2 * ID_LEN {
        return None;
    }
    let pack_end = pack.len().checked_sub(ID_LEN)?;
    for i in 0..n {
        let raw = be32(idx, offsets + i * 4)?;
        let offset = if raw & 0x8000_0000 != 0 {
            be64(idx, large + (raw & 0x7fff_ffff) as usize * 8)? as usize
        } else {
            raw as usize
        };
        if offset >= pack_end {
            return None;
        }
        let (kind, size, data) = object_header(pack, offset)?;
        if kind == OBJ_COMMIT {
            let id =
                Oid::from_bytes(idx.get(names + i * ID_LEN..names + (i + 1) * ID_LEN)?).ok()?;
            out.push(PackedCommit {
                id,
                pack: pack_no,
                data,
                size,
            });
        }
    }
    Some(())
}

impl Packs {
    /// Maps the packs of `objects` (the `.git/objects` folder) and lists their whole
    /// commits. A pack that cannot be read this way is left out (libgit2 reads it instead).
    pub fn open(objects: &Path) -> Packs {
        let mut idx_files: Vec<PathBuf> = std::fs::read_dir(objects.join("pack"))
            .map(|dir| {
                dir.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "idx"))
                    .collect()
            })
            .unwrap_or_default();
        idx_files.sort();
        let mut packs = Vec::new();
        let mut commits = Vec::new();
        for idx_path in idx_files {
            let (Some(idx), Some(pack)) = (map(&idx_path), map(&idx_path.with_extension("pack")))
            else {
                continue;
            };
            let before = commits.len();
            if commits_of(&idx, &pack, packs.len(), &mut commits).is_some() {
                packs.push(pack);
            } else {
                commits.truncate(before);
            }
        }
        Packs { packs, commits }
    }

    /// How many whole commits the packs hold.
    pub fn len(&self) -> usize {
        self.commits.len()
    }

    /// True when no commit was found.
    pub fn is_empty(&self) -> bool {
        self.commits.is_empty()
    }

    /// Inflates one commit with `z` (reused); `None` when its stream is damaged (the caller
    /// then asks libgit2).
    fn inflate(&self, z: &mut Decompressor, commit: &PackedCommit) -> Option<Vec<u8>> {
        let input = self.packs.get(commit.pack)?.get(commit.data..)?;
        // A zlib stream: a two-byte header (deflate, no preset dictionary), raw deflate
        // data, and an Adler-32 checksum, which is not checked (the object is not re-hashed
        // either, as git log does not). libdeflate stops at the end of the deflate data.
        let (&[cmf, flg], deflate) = input.split_first_chunk::<2>()?;
        if cmf & 0x0f != 8 || flg & 0x20 != 0 || (u16::from(cmf) << 8 | u16::from(flg)) % 31 != 0 {
            return None;
        }
        let mut out = vec![0; commit.size];
        match z.deflate_decompress(deflate, &mut out) {
            Ok(n) if n == commit.size => Some(out),
            _ => None,
        }
    }

    /// Inflates every whole commit in parallel and maps its id to `process`'s result; the
    /// ones that do not inflate are left out.
    pub fn process_all<T: Send>(
        &self,
        process: &(dyn Fn(Oid, &[u8]) -> T + Sync),
    ) -> HashMap<Oid, T> {
        self.commits
            .par_iter()
            .map_init(Decompressor::new, |z, c| {
                self.inflate(z, c).map(|raw| (c.id, process(c.id, &raw)))
            })
            .flatten()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_headers() {
        // Type 1 (commit), size 0x0f | (0x12 << 4) = 0x12f, data after two bytes.
        assert_eq!(object_header(&[0x9f, 0x12, 0xaa], 0), Some((1, 0x12f, 2)));
        assert_eq!(object_header(&[0x35], 0), Some((3, 5, 1)));
        // Truncated: the continuation byte is missing.
        assert_eq!(object_header(&[0x9f], 0), None);
    }

    #[test]
    fn not_an_index() {
        let mut out = Vec::new();
        assert!(commits_of(b"nope", b"PACK", 0, &mut out).is_none());
        let mut idx = b"\xfftOc\x00\x00\x00\x02".to_vec();
        idx.extend_from_slice(&[0u8; 256 * 4]);
        // Zero objects but no checksums: the length does not add up.
        assert!(commits_of(&idx, b"PACK\x00\x00\x00\x02", 0, &mut out).is_none());
    }
}
