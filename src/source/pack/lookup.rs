//! Finding an object of the packs by id: a binary search of the pack index's sorted ids,
//! within the ids that share the first bits of the one sought.
//!
//! The index's own fan-out narrows a search by the first byte: at W2's 1.5 million
//! objects, a search then still steps through about 6,000 ids, 120 KB of the mapped index,
//! missing the cache at nearly every step, and the matrix's last-commit walk finds
//! millions of trees this way. A finer fan-out, built once from the index, narrows it to
//! a few dozen ids.

use super::{ID_LEN, Packs, be32, be64};

/// Per value of an id's first `bits` bits, the position in the index of the first id with
/// a prefix at least that; empty when the index's own per-byte fan-out is fine enough.
pub(super) struct Fanout {
    bits: u32,
    first: Vec<u32>,
}

/// Ids per fan-out slot aimed at: a search then steps through a few cache lines.
const PER_SLOT: usize = 16;
/// At most 2^16 slots (256 KiB) per pack.
const MAX_BITS: u32 = 16;
/// Where the sorted ids start in a version 2 index (after its header and fan-out).
const NAMES: usize = 8 + 256 * 4;

impl Fanout {
    /// The fan-out of the index `idx`, when it has enough objects for one to help.
    pub(super) fn new(idx: &[u8]) -> Fanout {
        let n = be32(idx, 8 + 255 * 4).map_or(0, |n| n as usize);
        let bits = (n / PER_SLOT).checked_ilog2().unwrap_or(0).min(MAX_BITS);
        let none = Fanout {
            bits: 0,
            first: Vec::new(),
        };
        if bits <= 8 || idx.len() < NAMES + n * ID_LEN {
            return none;
        }
        let mut first = Vec::with_capacity((1 << bits) + 1);
        for i in 0..n {
            let at = NAMES + i * ID_LEN;
            let slot = usize::from(u16::from_be_bytes([idx[at], idx[at + 1]]) >> (16 - bits));
            // Slots no id starts with point at the next id, as the index's own fan-out does.
            while first.len() <= slot {
                first.push(i as u32);
            }
        }
        while first.len() <= 1 << bits {
            first.push(n as u32);
        }
        Fanout { bits, first }
    }

    /// The positions in the index of the ids that start as `id` does, as far as this
    /// fan-out tells; `None` without one.
    fn range(&self, id: &[u8; ID_LEN]) -> Option<(usize, usize)> {
        if self.first.is_empty() {
            return None;
        }
        let slot = usize::from(u16::from_be_bytes([id[0], id[1]]) >> (16 - self.bits));
        Some((
            *self.first.get(slot)? as usize,
            *self.first.get(slot + 1)? as usize,
        ))
    }
}

impl Packs {
    /// Where the object `id` is: `(pack, offset)`.
    pub(super) fn find(&self, id: &[u8; ID_LEN]) -> Option<(usize, u64)> {
        for (p, pack) in self.packs.iter().enumerate() {
            let idx = &pack.idx[..];
            let n = be32(idx, 8 + 255 * 4)? as usize;
            let (lo, hi) = match pack.fanout.range(id) {
                Some(range) => range,
                None => {
                    let first = usize::from(id[0]);
                    let lo = match first {
                        0 => 0,
                        _ => be32(idx, 8 + (first - 1) * 4)? as usize,
                    };
                    (lo, be32(idx, 8 + first * 4)? as usize)
                }
            };
            let (mut lo, mut hi) = (lo, hi.min(n));
            // Ids compared by their first eight bytes as a number first (one comparison
            // instead of a call to memcmp at every step; equal prefixes are rare).
            let key = be64(id, 0)?;
            while lo < hi {
                let mid = (lo + hi) / 2;
                let at = NAMES + mid * ID_LEN;
                let name = idx.get(at..at + ID_LEN)?;
                let order = be64(name, 0)?
                    .cmp(&key)
                    .then_with(|| name.cmp(id.as_slice()));
                match order {
                    std::cmp::Ordering::Less => lo = mid + 1,
                    std::cmp::Ordering::Greater => hi = mid,
                    std::cmp::Ordering::Equal => {
                        let offsets = NAMES + n * (ID_LEN + 4);
                        let raw = be32(idx, offsets + mid * 4)?;
                        let offset = if raw & 0x8000_0000 != 0 {
                            be64(idx, offsets + n * 4 + (raw & 0x7fff_ffff) as usize * 8)?
                        } else {
                            u64::from(raw)
                        };
                        return Some((p, offset));
                    }
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::git;
    use super::*;

    /// Every object of a pack large enough for the finer fan-out (20,000 objects: 10 bits)
    /// is found where the index says, and ids it does not hold, next to ones it does, are
    /// not found.
    #[test]
    fn every_object_is_found_through_the_fanout() {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q", "--bare"], None);
        let mut stream = Vec::new();
        for i in 0..20_000 {
            let data = format!("blob {i}\n");
            stream.extend_from_slice(
                format!("blob\nmark :{}\ndata {}\n{data}\n", i + 1, data.len()).as_bytes(),
            );
        }
        git(dir.path(), &["fast-import", "--quiet"], Some(&stream));
        let packs = Packs::open(&dir.path().join("objects"));
        assert_eq!(packs.packs.len(), 1);
        let pack = &packs.packs[0];
        assert_eq!(pack.fanout.bits, 10);
        assert_eq!(pack.objects.len(), 20_000);
        let ids: std::collections::HashSet<[u8; ID_LEN]> =
            pack.objects.iter().map(|(_, id)| *id).collect();
        for &(offset, id) in &pack.objects {
            assert_eq!(packs.find(&id), Some((0, offset)));
            for neighbour in [id[ID_LEN - 1].wrapping_add(1), id[ID_LEN - 1] ^ 0x80] {
                let mut absent = id;
                absent[ID_LEN - 1] = neighbour;
                if !ids.contains(&absent) {
                    assert_eq!(packs.find(&absent), None);
                }
            }
        }
        // The first and last possible ids (a slot's bounds).
        assert_eq!(packs.find(&[0; ID_LEN]), None);
        assert_eq!(packs.find(&[0xff; ID_LEN]), None);
    }
}
