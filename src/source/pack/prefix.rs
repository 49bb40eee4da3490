//! The first bytes of a blob without inflating the rest of it, through its chain of
//! deltas: whether a file may open front matter is decided by its first bytes, and most
//! files of a tree cannot (source code), so most of a large tree's bytes need not be read.

use super::{ID_LEN, MAX_DELTA_DEPTH, Packs, copy_fields, deflate_of, delta_size, object_header};

/// What [`Packs::blob_prefix`] found.
pub enum Prefix {
    /// The blob's first bytes.
    Head(Vec<u8>),
    /// The blob is larger than the limit asked for: its size.
    TooLarge(u64),
}

/// How much of a stored object is read to find its first bytes (header, zlib header, the
/// first deflate block's tables and the first symbols; a delta's first instructions).
const READ: u64 = 4096;
/// How much of a delta's instructions are inflated, at most: its two sizes, then for each
/// output byte at most one instruction of up to 128 bytes.
const DELTA_HEAD: usize = 2048;
/// How far into a delta's base a copy may reach for the first bytes to be read this way.
const FAR: usize = 1 << 20;

impl Packs {
    /// The first `n` bytes of the blob `id` (all of it when shorter), inflating no more of
    /// it, and of the bases it is a delta of, than that. `None` when this cannot be told
    /// cheaply (not in a pack, not a blob, a delta reaching far into its base or past the
    /// first bytes read): read it whole then.
    pub fn blob_prefix(&self, id: &[u8; ID_LEN], max_size: u64, n: usize) -> Option<Prefix> {
        let (p, offset) = self.find(id)?;
        let (kind, size, head) = self.prefix_at(p, offset, n, 0)?;
        match kind {
            3 if size > max_size => Some(Prefix::TooLarge(size)),
            3 => Some(Prefix::Head(head)),
            _ => None,
        }
    }

    /// The type, size and first `n` bytes (all when smaller) of the object at `offset` of
    /// pack `p`.
    fn prefix_at(&self, p: usize, offset: u64, n: usize, depth: u32) -> Option<(u8, u64, Vec<u8>)> {
        if depth > MAX_DELTA_DEPTH {
            return None;
        }
        let (pack, stored) = self.stored(p, offset)?;
        let bytes = Self::read_at(pack, offset, stored.min(READ))?;
        let (kind, size, data) = object_header(&bytes, 0)?;
        if (1..=4).contains(&kind) {
            let head = inflate_prefix(bytes.get(data..)?, n.min(size))?;
            return Some((kind, size as u64, head));
        }
        let (base, delta_at) = self.delta_base(p, offset, kind, &bytes, data)?;
        let delta = inflate_prefix(bytes.get(delta_at..)?, size.min(DELTA_HEAD))?;
        let (_, rest) = delta_size(&delta)?;
        let (target, mut ops) = delta_size(rest)?;
        let want = n.min(usize::try_from(target).ok()?);
        let mut out = Vec::with_capacity(want);
        let mut base_kind = None;
        while out.len() < want {
            let (&op, rest) = ops.split_first()?;
            ops = rest;
            if op & 0x80 != 0 {
                let (from, len) = copy_fields(op, &mut ops)?;
                let take = len.min(want - out.len());
                if from + take > FAR {
                    return None;
                }
                let (k, _, head) = self.prefix_at(base.0, base.1, from + take, depth + 1)?;
                base_kind = Some(k);
                out.extend_from_slice(head.get(from..from + take)?);
            } else if op != 0 {
                let take = usize::from(op).min(want - out.len());
                out.extend_from_slice(ops.get(..take)?);
                ops = ops.get(usize::from(op)..)?;
            } else {
                return None;
            }
        }
        let kind = match base_kind {
            Some(k) => k,
            None => self.prefix_at(base.0, base.1, 0, depth + 1)?.0,
        };
        Some((kind, target, out))
    }
}

/// The first `want` bytes a zlib stream inflates to (exactly `want`: the caller asks for
/// no more than the object's size), or `None` when `zlib` does not hold them.
fn inflate_prefix(zlib: &[u8], want: usize) -> Option<Vec<u8>> {
    let head = match miniz_oxide::inflate::decompress_to_vec_with_limit(deflate_of(zlib)?, want) {
        Ok(head) => head,
        Err(e) if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput => e.output,
        Err(_) => return None,
    };
    (head.len() == want).then_some(head)
}
