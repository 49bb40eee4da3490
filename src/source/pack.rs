//! A narrow reader of git pack files: it inflates the repository's commits stored whole
//! (not as deltas) on every core, and reads single objects by id with `pread`.
//!
//! libgit2 reads one object at a time, and a walk of the history can only learn a commit's
//! parents by reading it, so a long history is read on one core. The pack index lists
//! every object and the pack's object headers say which ones are commits, so they can be
//! inflated on every core ahead of the walk ([`Sweep`], or all at once with
//! [`Packs::process_all`]). The walk takes each commit from there, and reads through
//! libgit2 whatever is not (loose objects, objects of alternates): this is only a faster
//! path, never the only one. Pack index version 2 with SHA-1 ids is read; anything else is
//! left to libgit2.
//!
//! A pack is read in chunks of a few MiB in offset order, each held only while it is
//! being read, so memory stays bounded however large the pack is.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::evidence::ObjectId;
use libdeflater::Decompressor;
use memmap2::{Mmap, MmapOptions};

mod chunks;
mod lookup;
mod prefix;
mod sweep;
pub use prefix::Prefix;
pub use sweep::{Scratch, Sweep, Taken};

const OBJ_COMMIT: u8 = 1;
/// The length of an object id in bytes: 20 for SHA-1. The one parameter of the pack, pack
/// index and index readers that a SHA-256 repository (32) changes; practrace refuses those
/// before reading anything (see `git::open`), until libgit2 reads them too.
pub const ID_LEN: usize = 20;
/// How much of an object [`Packs::entry`] reads before it knows how large the object is:
/// on W2's matrix, anything from 128 to 384 bytes reads as fast; 2 KiB and more cost more
/// in the kernel's copies than the lookups they save.
const FIRST_READ: u64 = 256;
/// How much of a pack one worker maps at a time.
const CHUNK: u64 = 8 << 20;

/// One pack: its file, its index, and its objects by offset.
struct Pack {
    file: File,
    /// The `.idx` file, for finding an object by id.
    idx: Mmap,
    /// `(offset, id)`, sorted by offset.
    objects: Vec<(u64, [u8; ID_LEN])>,
    /// Per 64 KiB of the pack, the index in `objects` of its first object at or after the
    /// start of that stretch: finding an object by offset searches its few neighbours
    /// instead of the whole table, whose binary search missed the cache at every step.
    coarse: Vec<u32>,
    /// Where object data ends (the pack's trailing checksum starts).
    end: u64,
    /// A finer fan-out than the index's own (see [`lookup::Fanout`]).
    fanout: lookup::Fanout,
}

/// The size of the stretches [`Pack::coarse`] indexes, as a shift.
const COARSE: u32 = 16;

impl Pack {
    fn new(file: File, idx: Mmap, objects: Vec<(u64, [u8; ID_LEN])>, end: u64) -> Option<Pack> {
        let stretches = usize::try_from(end >> COARSE).ok()? + 2;
        let mut coarse = Vec::with_capacity(stretches);
        let mut i = 0;
        for s in 0..stretches as u64 {
            while i < objects.len() && objects[i].0 < s << COARSE {
                i += 1;
            }
            coarse.push(u32::try_from(i).ok()?);
        }
        let fanout = lookup::Fanout::new(&idx);
        Some(Pack {
            file,
            idx,
            objects,
            coarse,
            end,
            fanout,
        })
    }

    /// The index in `objects` of the object stored at `offset`, if one starts there.
    fn index_at(&self, offset: u64) -> Option<usize> {
        let s = usize::try_from(offset >> COARSE).ok()?;
        let (lo, hi) = (
            *self.coarse.get(s)? as usize,
            *self.coarse.get(s + 1)? as usize,
        );
        let at = self
            .objects
            .get(lo..hi)?
            .binary_search_by_key(&offset, |&(o, _)| o);
        Some(lo + at.ok()?)
    }
}

/// What reading an object by id gives.
pub enum Object {
    /// Its type (1 commit, 2 tree, 3 blob, 4 tag) and bytes.
    Data(u8, Vec<u8>),
    /// Larger than the limit asked for: its size, not read.
    TooLarge(u64),
}

/// One stored object, inflated but not resolved ([`Packs::entry`]).
pub enum Entry {
    /// A whole object: its type and bytes.
    Whole(u8, Vec<u8>),
    /// A whole object larger than the limit asked for: its size, not read.
    TooLarge(u64),
    /// A delta: where its base is (`(pack, offset)`) and its instructions, inflated.
    Delta {
        /// The base object's pack and offset.
        base: (usize, u64),
        /// The delta's bytes ([`resolve_delta`] applies them).
        delta: Vec<u8>,
    },
}

/// Applies a delta (sizes and instructions, as stored) to its base: `None` when the base's
/// size is not the one the delta was made against, or the delta is damaged.
pub fn resolve_delta(base: &[u8], delta: &[u8]) -> Option<Vec<u8>> {
    let (base_size, rest) = delta_size(delta)?;
    let (target_size, ops) = delta_size(rest)?;
    if base.len() as u64 != base_size || target_size > MAX_BASE {
        return None;
    }
    apply_delta(base, ops, target_size)
}

/// How deep a chain of deltas is followed before giving up (libgit2 then reads it).
pub const MAX_DELTA_DEPTH: u32 = 128;
/// The largest delta base read, whatever the limit asked for (bounded memory).
const MAX_BASE: u64 = 256 << 20;

/// A run of consecutive objects of one pack, read by one worker.
struct Chunk {
    pack: usize,
    /// Indices into the pack's `objects`.
    first: usize,
    last: usize,
}

/// The packs of an object folder (`Default`: none, for a reader that leaves every object
/// to libgit2).
#[derive(Default)]
pub struct Packs {
    packs: Vec<Pack>,
}

/// The big-endian `u32` at `at` of `b` (git's on-disk formats: pack indexes, the
/// commit-graph, the index), `None` past the end.
pub(crate) fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// The big-endian `u64` at `at` of `b` (see [`be32`]).
pub(crate) fn be64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

/// git's offset varint (an `ofs-delta`'s base, the index's path prefixes): big-endian base
/// 128, plus one per continuation byte. Returns the value and where the bytes after it
/// start.
pub(crate) fn offset_varint(b: &[u8], mut at: usize) -> Option<(u64, usize)> {
    let mut byte = *b.get(at)?;
    at += 1;
    let mut value = u64::from(byte & 0x7f);
    while byte & 0x80 != 0 {
        byte = *b.get(at)?;
        at += 1;
        value = value.checked_add(1)?.checked_mul(128)? | u64::from(byte & 0x7f);
    }
    Some((value, at))
}

/// Maps a pack index read-only.
fn map(file: &File, len: usize) -> Option<Mmap> {
    // SAFETY: git never rewrites a pack index in place (new packs get new names, old ones
    // are deleted whole, and a deleted file stays mapped), so the mapped bytes do not change
    // while we read them, and every read below is bounds-checked against the length mapped.
    // What a mapping cannot defend against is the file being truncated in place while it is
    // mapped (the next access past the new end raises SIGBUS): only a process that can
    // already write into the repository's `.git` can do that, git itself never does, and
    // SECURITY.md says so. Packs themselves are read with `pread`, not mapped.
    unsafe { MmapOptions::new().len(len).map(file) }.ok()
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

/// The objects listed by one `.idx` (version 2), sorted by offset, all before `end`.
fn index_objects(idx: &[u8], end: u64) -> Option<Vec<(u64, [u8; ID_LEN])>> {
    if idx.get(0..8)? != b"\xfftOc\x00\x00\x00\x02" {
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
    let mut objects = Vec::with_capacity(n);
    for i in 0..n {
        let raw = be32(idx, offsets + i * 4)?;
        let offset = if raw & 0x8000_0000 != 0 {
            be64(idx, large + (raw & 0x7fff_ffff) as usize * 8)?
        } else {
            u64::from(raw)
        };
        if offset < 12 || offset >= end {
            return None;
        }
        let id: [u8; ID_LEN] = idx
            .get(names + i * ID_LEN..names + (i + 1) * ID_LEN)?
            .try_into()
            .ok()?;
        objects.push((offset, id));
    }
    objects.sort_unstable();
    Some(objects)
}

/// The raw deflate data of a zlib stream, after its two-byte header (deflate, no preset
/// dictionary); `None` when the header is not that. The Adler-32 checksum after the data is
/// not checked (the object is not re-hashed either, as git log does not): inflating stops
/// at the end of the deflate data.
fn deflate_of(zlib: &[u8]) -> Option<&[u8]> {
    let (&[cmf, flg], deflate) = zlib.split_first_chunk::<2>()?;
    let valid =
        cmf & 0x0f == 8 && flg & 0x20 == 0 && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0;
    valid.then_some(deflate)
}

/// The most bytes zlib deflates `n` bytes into (its `compressBound`), header and checksum
/// included.
fn zlib_bound(n: u64) -> u64 {
    n + (n >> 12) + (n >> 14) + (n >> 25) + 13
}

/// Inflates a zlib stream of a known size with `z`; `None` when it is damaged.
fn inflate(z: &mut Decompressor, input: &[u8], size: usize) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    inflate_into(z, input, size, &mut out).then_some(out)
}

/// [`inflate`] into a buffer the caller reuses; whether it inflated to `size` bytes.
fn inflate_into(z: &mut Decompressor, input: &[u8], size: usize, out: &mut Vec<u8>) -> bool {
    out.clear();
    out.resize(size, 0);
    let Some(deflate) = deflate_of(input) else {
        return false;
    };
    matches!(z.deflate_decompress(deflate, out), Ok(n) if n == size)
}

/// A delta's size header: little-endian base-128.
fn delta_size(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut size = 0u64;
    let mut shift = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if shift > 63 {
            return None;
        }
        size |= u64::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            return Some((size, &bytes[i + 1..]));
        }
    }
    None
}

/// A delta's copy instruction: the offset and size in the base that follow its opcode
/// `op`, consumed from `ops`.
fn copy_fields(op: u8, ops: &mut &[u8]) -> Option<(usize, usize)> {
    let mut field = |bits: u8, n: usize| -> Option<usize> {
        let mut v = 0usize;
        for i in 0..n {
            if bits & (1 << i) != 0 {
                let (&b, rest) = ops.split_first()?;
                *ops = rest;
                v |= usize::from(b) << (8 * i);
            }
        }
        Some(v)
    };
    let offset = field(op & 0x0f, 4)?;
    let size = match field((op >> 4) & 0x07, 3)? {
        0 => 0x10000,
        n => n,
    };
    Some((offset, size))
}

/// Applies git delta instructions to `base`: copies from the base and inserts of new data.
fn apply_delta(base: &[u8], mut ops: &[u8], target_size: u64) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(usize::try_from(target_size).ok()?);
    while let [op, rest @ ..] = ops {
        ops = rest;
        if op & 0x80 != 0 {
            let (offset, size) = copy_fields(*op, &mut ops)?;
            out.extend_from_slice(base.get(offset..offset.checked_add(size)?)?);
        } else if *op != 0 {
            let n = usize::from(*op);
            out.extend_from_slice(ops.get(..n)?);
            ops = &ops[n..];
        } else {
            return None;
        }
    }
    (out.len() as u64 == target_size).then_some(out)
}

impl Packs {
    /// Lists the packs of `objects` (the `.git/objects` folder). A pack that cannot be read
    /// this way is left out (libgit2 reads it instead).
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
        let packs = idx_files
            .into_iter()
            .filter_map(|idx_path| {
                let file = File::open(idx_path.with_extension("pack")).ok()?;
                let len = file.metadata().ok()?.len();
                let end = len.checked_sub(ID_LEN as u64)?;
                let mut header = [0u8; 4];
                std::os::unix::fs::FileExt::read_exact_at(&file, &mut header, 0).ok()?;
                if &header != b"PACK" {
                    return None;
                }
                let idx_file = File::open(&idx_path).ok()?;
                let idx_len = usize::try_from(idx_file.metadata().ok()?.len()).ok()?;
                let idx = map(&idx_file, idx_len)?;
                let objects = index_objects(&idx, end)?;
                Pack::new(file, idx, objects, end)
            })
            .collect();
        Packs { packs }
    }

    /// Reads `len` bytes of a pack at `offset` (not mapped: resident memory stays small).
    fn read_at(pack: &Pack, offset: u64, len: u64) -> Option<Vec<u8>> {
        let mut buf = Vec::new();
        Self::read_into(pack, offset, len, &mut buf).then_some(buf)
    }

    /// [`Packs::read_at`] into a buffer the caller reuses; whether all `len` bytes were read.
    fn read_into(pack: &Pack, offset: u64, len: u64, buf: &mut Vec<u8>) -> bool {
        use std::os::unix::fs::FileExt;
        let Ok(len) = usize::try_from(len) else {
            return false;
        };
        buf.clear();
        buf.resize(len, 0);
        pack.file.read_exact_at(buf, offset).is_ok()
    }

    /// Reads the object `id` from the packs, resolving deltas; `None` when it is not in a
    /// pack or cannot be read this way (the caller then asks libgit2). Objects over
    /// `max_size` are not inflated.
    pub fn read(&self, z: &mut Decompressor, id: &[u8; ID_LEN], max_size: u64) -> Option<Object> {
        let (pack, offset) = self.find(id)?;
        self.object_at(z, pack, offset, max_size, 0)
    }

    fn object_at(
        &self,
        z: &mut Decompressor,
        p: usize,
        offset: u64,
        max_size: u64,
        depth: u32,
    ) -> Option<Object> {
        if depth > MAX_DELTA_DEPTH {
            return None;
        }
        match self.entry_stored(z, p, offset, max_size)? {
            Entry::Whole(kind, data) => Some(Object::Data(kind, data)),
            Entry::TooLarge(size) => Some(Object::TooLarge(size)),
            Entry::Delta { base, delta } => {
                let (base_size, rest) = delta_size(&delta)?;
                let (target_size, ops) = delta_size(rest)?;
                if target_size > max_size {
                    return Some(Object::TooLarge(target_size));
                }
                match self.object_at(z, base.0, base.1, MAX_BASE, depth + 1)? {
                    Object::Data(base_kind, base) if base.len() as u64 == base_size => Some(
                        Object::Data(base_kind, apply_delta(&base, ops, target_size)?),
                    ),
                    _ => None,
                }
            }
        }
    }

    /// Pack `p`, and how many bytes the object stored at `offset` of it takes (up to the
    /// next object, or the pack's trailing checksum); `None` when no object starts there.
    fn stored(&self, p: usize, offset: u64) -> Option<(&Pack, u64)> {
        let pack = self.packs.get(p)?;
        let at = pack.index_at(offset)?;
        let end = pack.objects.get(at + 1).map_or(pack.end, |&(o, _)| o);
        Some((pack, end - offset))
    }

    /// One stored object at `offset` of pack `p`, inflated but not resolved: whole, or a
    /// delta with where its base is. A whole object over `max_size` is not inflated.
    ///
    /// The first [`FIRST_READ`] bytes are read before anything is known of the object. A
    /// small one (most trees and deltas a walk reads) ends within them, as zlib's bound on
    /// its deflated size says, and is inflated from them: inflating stops at the end of
    /// its stream and fails on a stream cut short, so the bytes after it (the next
    /// objects') change nothing. Only a larger object, or one whose stream is longer than
    /// zlib makes them (another writer's), is read again, exactly as stored: that needs
    /// where the next object starts, a lookup that missed the cache at every step and
    /// took an eighth of the matrix's time when it was made for every object.
    pub fn entry(
        &self,
        z: &mut Decompressor,
        p: usize,
        offset: u64,
        max_size: u64,
    ) -> Option<Entry> {
        let pack = self.packs.get(p)?;
        let left = pack.end.checked_sub(offset)?;
        let first = Self::read_at(pack, offset, left.min(FIRST_READ))?;
        let (kind, size, data) = object_header(&first, 0)?;
        if (1..=4).contains(&kind) && size as u64 > max_size {
            return Some(Entry::TooLarge(size as u64));
        }
        let most = (data + ID_LEN) as u64 + zlib_bound(size as u64);
        if most <= first.len() as u64 || first.len() as u64 == left {
            if let Some(entry) = self.entry_in(z, p, offset, &first) {
                return Some(entry);
            }
            if first.len() as u64 == left {
                return None;
            }
        }
        let (pack, stored) = self.stored(p, offset)?;
        self.entry_in(z, p, offset, &Self::read_at(pack, offset, stored)?)
    }

    /// [`Packs::entry`], reading exactly the bytes stored (found from where the next object
    /// starts): for blobs, most of which are larger than [`FIRST_READ`] and would be read
    /// twice by [`Packs::entry`] (W2's status scan took 10% more time so).
    fn entry_stored(
        &self,
        z: &mut Decompressor,
        p: usize,
        offset: u64,
        max_size: u64,
    ) -> Option<Entry> {
        let (pack, stored) = self.stored(p, offset)?;
        // A small object is read in one go; of a large one, the header first, so that a
        // whole object over the limit is not read at all.
        let head = Self::read_at(pack, offset, if stored <= 1 << 16 { stored } else { 64 })?;
        let (kind, size, _) = object_header(&head, 0)?;
        if (1..=4).contains(&kind) && size as u64 > max_size {
            return Some(Entry::TooLarge(size as u64));
        }
        match head.len() as u64 == stored {
            true => self.entry_in(z, p, offset, &head),
            false => self.entry_in(z, p, offset, &Self::read_at(pack, offset, stored)?),
        }
    }

    /// [`Packs::entry`] from `bytes`, which start at `offset` of pack `p` and hold all of
    /// the object's stored bytes, or are cut short (then `None`).
    fn entry_in(&self, z: &mut Decompressor, p: usize, offset: u64, bytes: &[u8]) -> Option<Entry> {
        let (kind, size, data) = object_header(bytes, 0)?;
        match kind {
            1..=4 => Some(Entry::Whole(kind, inflate(z, &bytes[data..], size)?)),
            6 | 7 => {
                let (base, delta_at) = self.delta_base(p, offset, kind, bytes, data)?;
                let delta = inflate(z, bytes.get(delta_at..)?, size)?;
                Some(Entry::Delta { base, delta })
            }
            _ => None,
        }
    }

    /// Where the base of a delta stored at `offset` of pack `p` is (`(pack, offset)`), and
    /// where the delta's data starts in its stored `bytes` (its header ends at `data`).
    fn delta_base(
        &self,
        p: usize,
        offset: u64,
        kind: u8,
        bytes: &[u8],
        data: usize,
    ) -> Option<((usize, u64), usize)> {
        match kind {
            6 => {
                // The base's offset, backwards.
                let (back, at) = offset_varint(bytes, data)?;
                Some(((p, offset.checked_sub(back)?), at))
            }
            7 => {
                let id: [u8; ID_LEN] = bytes.get(data..data + ID_LEN)?.try_into().ok()?;
                Some((self.find(&id)?, data + ID_LEN))
            }
            _ => None,
        }
    }

    /// Where the object `id` is in the packs: `(pack, offset)`.
    pub fn locate(&self, id: &ObjectId) -> Option<(usize, u64)> {
        self.find(id.as_bytes())
    }
}

#[cfg(test)]
pub(super) mod tests;
