//! Reading the packs' whole commits chunk by chunk: the runs of objects a worker reads at
//! once, and every whole commit of a run, for the sweep ([`super::Sweep`]) and for
//! [`Packs::process_all`].

use std::collections::HashMap;

use super::{CHUNK, Chunk, OBJ_COMMIT, Packs, inflate, object_header};
use crate::evidence::ObjectId;
use libdeflater::Decompressor;
use rayon::prelude::*;

/// What [`Packs::whole_commits`] calls for each whole commit of a chunk: its index among
/// the pack's objects, its id, its stored (deflated) bytes and its size; it returns whether
/// to go on.
pub(super) type EachCommit<'e> = dyn FnMut(usize, ObjectId, &[u8], usize) -> bool + 'e;

impl Packs {
    /// Runs of consecutive objects of about `CHUNK` bytes each.
    fn chunks(&self) -> Vec<Chunk> {
        (0..self.packs.len())
            .flat_map(|p| self.chunks_of(p, CHUNK))
            .collect()
    }

    /// The chunks of pack `p`, about `size` bytes each, in offset order.
    pub(super) fn chunks_of(&self, p: usize, size: u64) -> Vec<Chunk> {
        let pack = &self.packs[p];
        let mut chunks = Vec::new();
        let mut first = 0;
        while first < pack.objects.len() {
            let start = pack.objects[first].0;
            let mut last = first;
            while last + 1 < pack.objects.len() && pack.objects[last + 1].0 - start < size {
                last += 1;
            }
            chunks.push(Chunk {
                pack: p,
                first,
                last,
            });
            first = last + 1;
        }
        chunks
    }

    /// Reads a chunk and calls `each` with every whole commit stored in it, backwards or
    /// not: its index among the pack's objects, its id, its stored (deflated) bytes and its
    /// size; `each` returns whether to go on.
    pub(super) fn whole_commits(
        &self,
        chunk: &Chunk,
        backwards: bool,
        buf: &mut Vec<u8>,
        each: &mut EachCommit<'_>,
    ) {
        let pack = &self.packs[chunk.pack];
        let start = pack.objects[chunk.first].0;
        let stop = pack
            .objects
            .get(chunk.last + 1)
            .map_or(pack.end, |&(offset, _)| offset);
        // Read, not mapped: mapping and unmapping chunks on two threads made them wait on
        // each other in the kernel. One buffer per worker, reused from chunk to chunk.
        if !Self::read_into(pack, start, stop - start, buf) {
            return;
        }
        let bytes = &buf[..];
        for k in 0..=chunk.last - chunk.first {
            let i = if backwards {
                chunk.last - k
            } else {
                chunk.first + k
            };
            let at = (pack.objects[i].0 - start) as usize;
            let end = pack
                .objects
                .get(i + 1)
                .map_or(bytes.len(), |&(offset, _)| (offset - start) as usize);
            if let Some((OBJ_COMMIT, size, data)) = object_header(&bytes[..end], at)
                && !each(
                    i,
                    ObjectId::from_raw(pack.objects[i].1),
                    &bytes[data..end],
                    size,
                )
            {
                return;
            }
        }
    }

    /// Inflates every whole commit in parallel and maps its id to `process`'s result; the
    /// ones that do not inflate, or that `process` leaves out (`None`), are left out.
    pub fn process_all<T: Send>(
        &self,
        process: &(dyn Fn(ObjectId, &[u8]) -> Option<T> + Sync),
    ) -> HashMap<ObjectId, T> {
        self.chunks()
            .par_iter()
            .map_init(
                || (Decompressor::new(), Vec::new()),
                |(z, buf), chunk| {
                    let mut found = Vec::new();
                    self.whole_commits(chunk, false, buf, &mut |_, id, stored, size| {
                        if let Some(raw) = inflate(z, stored, size)
                            && let Some(result) = process(id, &raw)
                        {
                            found.push((id, result));
                        }
                        true
                    });
                    found
                },
            )
            .flatten()
            .collect()
    }
}
