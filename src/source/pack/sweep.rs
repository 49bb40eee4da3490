//! The packs' commits inflated ahead of a walk, as a sweep that the walk drives: every
//! thread of the pool inflates the packs' whole commits chunk by chunk where the walk is
//! heading, while the walk, on a thread of its own, takes what they made; a commit no one
//! has reached yet the walk claims and reads itself. When the walk has every commit it
//! needs, the sweep stops.
//!
//! A mirror's pack holds more commits than one revision reaches (git/git: 203,352 in the
//! pack, 81,966 reachable from `HEAD`, the rest from other refs and pull requests), and
//! git writes a pack's commits in recency order from its tips, so the ones a walk needs
//! are stored close together, in the order the walk reaches them (fast-import's packs:
//! in the reverse order). A pre-pass that processed every commit of the packs before the
//! walk inflated two and a half times as many commits as the walk used there; a sweep
//! follows the walk and inflates about what it uses (85,000 there).
//!
//! Each whole commit is claimed once, by a worker or by the walk (an atomic state per
//! object of the pack), so none is inflated twice; what a worker made waits in a table
//! until the walk takes it out. Workers take the free chunk nearest the walk's last
//! commit, in the direction the walk has been moving through the pack, at most [`AHEAD`]
//! chunks on.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU8, AtomicU64, AtomicUsize, Ordering};

use super::{Chunk, OBJ_COMMIT, Object, Packs, inflate_into};
use crate::evidence::ObjectId;
use libdeflater::Decompressor;
use rayon::prelude::*;

/// No one has claimed the object.
const FREE: u8 = 0;
/// A worker or the walk is reading it.
const CLAIMED: u8 = 1;
/// A worker has read it: its result (if any) is in the table.
const MADE: u8 = 2;
/// The table is split by the first byte of the id, so that workers and the walk seldom
/// wait on the same lock.
const SHARDS: usize = 16;
/// How much of a pack a sweep's worker reads at a time: small, so that a worker sent the
/// wrong way wastes little, and close behind the walk when it changes course.
const SWEEP_CHUNK: u64 = 1 << 20;
/// How many chunks ahead of the walk workers go: enough to keep them busy while the walk
/// takes what they made, few enough that they do not run on into commits it never needs
/// (the other refs' history further on in the pack).
const AHEAD: usize = 4;
/// How far the walk's direction votes go either way (see [`Sweep::take`]).
const VOTES: i32 = 16;

/// What the walk gets for a commit ([`Sweep::take`]).
pub enum Taken<T> {
    /// What a worker made of it.
    Made(T),
    /// Its bytes: no worker had reached it, the walk read it.
    Read(Vec<u8>),
    /// Not a whole commit of the packs, or unreadable this way: read it through libgit2.
    Elsewhere,
}

/// What a thread needs to read commits: a decompressor, and buffers it reuses.
pub struct Scratch {
    /// The decompressor, for any object.
    pub z: Decompressor,
    buf: Vec<u8>,
    raw: Vec<u8>,
}

impl Default for Scratch {
    fn default() -> Scratch {
        Scratch {
            z: Decompressor::new(),
            buf: Vec::new(),
            raw: Vec::new(),
        }
    }
}

/// A sweep over the packs' whole commits, driven by one walk ([`Sweep::take`]) and run by
/// any number of workers ([`Sweep::work`]).
pub struct Sweep<'p, T> {
    packs: &'p Packs,
    /// Per pack, per object (in offset order): [`FREE`], [`CLAIMED`] or [`MADE`].
    states: Vec<Box<[AtomicU8]>>,
    made: Vec<Mutex<HashMap<ObjectId, T>>>,
    /// Every pack's chunks, pack after pack, in offset order; whether each is taken.
    chunks: Vec<Chunk>,
    taken: Vec<AtomicBool>,
    /// The chunk of the walk's last commit.
    hint: AtomicUsize,
    /// The offset of the walk's last commit, and whether its commits have mostly been
    /// going up the pack (> 0) or down.
    last: AtomicU64,
    votes: AtomicI32,
    stop: AtomicBool,
    /// How many commits the workers inflated.
    inflated: AtomicUsize,
}

impl<'p, T: Send> Sweep<'p, T> {
    /// A sweep over the whole commits of `packs`, none read yet.
    pub fn new(packs: &'p Packs) -> Sweep<'p, T> {
        Self::with_chunks(packs, SWEEP_CHUNK)
    }

    /// [`Sweep::new`] reading `chunk` bytes at a time.
    fn with_chunks(packs: &'p Packs, chunk: u64) -> Sweep<'p, T> {
        let states = packs
            .packs
            .iter()
            .map(|p| p.objects.iter().map(|_| AtomicU8::new(FREE)).collect())
            .collect();
        let chunks: Vec<Chunk> = (0..packs.packs.len())
            .flat_map(|p| packs.chunks_of(p, chunk))
            .collect();
        Sweep {
            packs,
            states,
            made: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            taken: chunks.iter().map(|_| AtomicBool::new(false)).collect(),
            chunks,
            hint: AtomicUsize::new(0),
            last: AtomicU64::new(0),
            votes: AtomicI32::new(0),
            stop: AtomicBool::new(false),
            inflated: AtomicUsize::new(0),
        }
    }

    /// The next chunk for a worker: the first free one from where the walk is, in the
    /// direction it is moving, at most [`AHEAD`] chunks ahead (else a free one just behind
    /// it). `Err(true)` when every chunk is taken, `Err(false)` when none is free near the
    /// walk (the worker waits for it to move on).
    fn next_chunk(&self) -> Result<(&Chunk, bool), bool> {
        let last = self.chunks.len().checked_sub(1).ok_or(true)?;
        let backwards = self.votes.load(Ordering::Relaxed) < 0;
        let at = self.hint.load(Ordering::Relaxed).min(last);
        let (ahead, behind) = if backwards {
            (
                at.saturating_sub(AHEAD)..=at,
                (at + 1).min(last)..=(at + 1).min(last),
            )
        } else {
            (
                at..=(at + AHEAD).min(last),
                at.saturating_sub(1)..=at.saturating_sub(1),
            )
        };
        let ahead: Box<dyn Iterator<Item = usize>> = if backwards {
            Box::new(ahead.rev())
        } else {
            Box::new(ahead)
        };
        for (c, away) in ahead.map(|c| (c, false)).chain(behind.map(|c| (c, true))) {
            if !self.taken[c].swap(true, Ordering::Relaxed) {
                return Ok((&self.chunks[c], backwards != away));
            }
        }
        Err(self.taken.iter().all(|t| t.load(Ordering::Relaxed)))
    }

    fn shard(&self, id: &ObjectId) -> &Mutex<HashMap<ObjectId, T>> {
        &self.made[usize::from(id.as_bytes()[0]) % SHARDS]
    }

    /// The sweep's work, on every thread of the pool: chunks where the walk is heading,
    /// each whole commit of them that no one has claimed, until the chunks run out or the
    /// walk ends ([`Sweep::finish`]).
    pub fn work(&self, process: &(dyn Fn(ObjectId, &[u8]) -> Option<T> + Sync)) {
        std::iter::from_fn(|| self.next_or_wait())
            .par_bridge()
            .for_each_init(Scratch::default, |scratch, (chunk, backwards)| {
                let Scratch { z, buf, raw } = scratch;
                self.sweep_chunk(chunk, backwards, (z, buf, raw), process);
            });
    }

    /// The next chunk, waiting for the walk to move on when none is free near it; `None`
    /// once all are taken or the walk is over.
    fn next_or_wait(&self) -> Option<(&Chunk, bool)> {
        while !self.stop.load(Ordering::Relaxed) {
            match self.next_chunk() {
                Ok(next) => return Some(next),
                Err(true) => return None,
                Err(false) => std::thread::sleep(std::time::Duration::from_micros(200)),
            }
        }
        None
    }

    /// Processes the whole commits of one chunk that no one has claimed.
    fn sweep_chunk(
        &self,
        chunk: &Chunk,
        backwards: bool,
        (z, buf, raw): (&mut Decompressor, &mut Vec<u8>, &mut Vec<u8>),
        process: &(dyn Fn(ObjectId, &[u8]) -> Option<T> + Sync),
    ) {
        let states = &self.states[chunk.pack];
        self.packs
            .whole_commits(chunk, backwards, buf, &mut |i, id, stored, size| {
                if self.stop.load(Ordering::Relaxed) {
                    return false;
                }
                if states[i]
                    .compare_exchange(FREE, CLAIMED, Ordering::Acquire, Ordering::Relaxed)
                    .is_err()
                {
                    return true;
                }
                self.inflated.fetch_add(1, Ordering::Relaxed);
                // Made even if `process` panics: the walk waiting for this commit then
                // reads it itself (and meets the same panic) instead of waiting forever.
                let _made = Made(&states[i]);
                if inflate_into(z, stored, size, raw)
                    && let Some(result) = process(id, raw)
                {
                    lock(self.shard(&id)).insert(id, result);
                }
                true
            });
    }

    /// The walk is at the object `i` of pack `p`: workers go on from there, in the
    /// direction the walk has mostly been moving.
    fn walk_at(&self, p: usize, i: usize) -> usize {
        let offset = self.packs.packs[p].objects[i].0;
        let last = self.last.swap(offset, Ordering::Relaxed);
        let vote = if offset >= last { 1 } else { -1 };
        let votes = self.votes.load(Ordering::Relaxed);
        self.votes
            .store((votes + vote).clamp(-VOTES, VOTES), Ordering::Relaxed);
        let c = self.chunks.partition_point(|c| (c.pack, c.last) < (p, i));
        self.hint.store(c, Ordering::Relaxed);
        c
    }

    /// The commit `id` for the walk: what the pool made of it, waiting for it if a thread
    /// of the pool is reading it now; when no one has reached its chunk yet, the walk
    /// sweeps that chunk itself (reading it whole, as the pool would); else its bytes,
    /// which the walk reads itself. [`Taken::Elsewhere`] when it is not a whole commit of
    /// the packs or does not read as one (libgit2 then reads it).
    pub fn take(
        &self,
        scratch: &mut Scratch,
        id: &ObjectId,
        max_size: u64,
        process: &(dyn Fn(ObjectId, &[u8]) -> Option<T> + Sync),
    ) -> Taken<T> {
        // Most often a worker has made it already: no need to look it up in the index.
        if let Some(made) = lock(self.shard(id)).remove(id) {
            return Taken::Made(made);
        }
        let Some((p, offset)) = self.packs.find(id.as_bytes()) else {
            return Taken::Elsewhere;
        };
        let Some(i) = self.packs.packs[p].index_at(offset) else {
            return Taken::Elsewhere;
        };
        let state = &self.states[p][i];
        let c = self.walk_at(p, i);
        if state.load(Ordering::Acquire) == FREE && !self.taken[c].swap(true, Ordering::Relaxed) {
            let backwards = self.votes.load(Ordering::Relaxed) < 0;
            let Scratch { z, buf, raw } = scratch;
            self.sweep_chunk(&self.chunks[c], backwards, (z, buf, raw), process);
        }
        let mut spins = 0u32;
        loop {
            match state.compare_exchange(FREE, CLAIMED, Ordering::Acquire, Ordering::Acquire) {
                Ok(_) => {
                    return match self.packs.object_at(&mut scratch.z, p, offset, max_size, 0) {
                        Some(Object::Data(OBJ_COMMIT, raw)) => Taken::Read(raw),
                        _ => Taken::Elsewhere,
                    };
                }
                Err(MADE) => {
                    return lock(self.shard(id))
                        .remove(id)
                        .map_or(Taken::Elsewhere, Taken::Made);
                }
                Err(_) => {
                    // A thread of the pool is inflating it: a few microseconds. Past a short
                    // spin, the walk sweeps a chunk of its own meanwhile (a walk that only
                    // waited switched threads thousands of times on W2), or sleeps when
                    // none is free near it.
                    spins += 1;
                    if spins < 32 {
                        std::hint::spin_loop();
                    } else if let Ok((chunk, backwards)) = self.next_chunk() {
                        let Scratch { z, buf, raw } = scratch;
                        self.sweep_chunk(chunk, backwards, (z, buf, raw), process);
                    } else {
                        std::thread::sleep(std::time::Duration::from_micros(50));
                    }
                }
            }
        }
    }

    /// The walk is over: the workers stop after the commit they are on.
    pub fn finish(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// How many commits the workers inflated.
    pub fn inflated(&self) -> usize {
        self.inflated.load(Ordering::Relaxed)
    }
}

/// Marks a claimed object made when dropped, after its result (if any) is in the table.
struct Made<'s>(&'s AtomicU8);

impl Drop for Made<'_> {
    fn drop(&mut self) {
        self.0.store(MADE, Ordering::Release);
    }
}

/// A table shard's lock; a worker that panicked holding it left a whole table behind.
fn lock<V>(m: &Mutex<V>) -> std::sync::MutexGuard<'_, V> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::super::tests::git;
    use super::*;
    use std::path::Path;

    /// A fast-import stream: `main`, 300 commits, and `side`, 300 older commits of a history
    /// of its own that `main` does not reach; each message a few hundred bytes.
    fn stream() -> Vec<u8> {
        let mut out = Vec::new();
        for (branch, first, time) in [("main", 1, 1_500_000_000), ("side", 301, 1_000_000_000)] {
            for i in first..first + 300 {
                let message = format!(
                    "Commit {i} on {branch}\n\n{}\nPractice: BP.01.0{}\n",
                    format!("words of commit {i} ").repeat(12),
                    i % 5 + 1
                );
                out.extend_from_slice(
                    format!(
                        "commit refs/heads/{branch}\nmark :{i}\ncommitter C <c@x> {} +0000\n\
                         data {}\n{message}",
                        time + i * 60,
                        message.len()
                    )
                    .as_bytes(),
                );
                if i > first {
                    out.extend_from_slice(format!("from :{}\n", i - 1).as_bytes());
                }
                out.push(b'\n');
            }
        }
        out
    }

    /// A walk of `main` through a sweep of a pack that also holds `side`: every commit of
    /// `main` comes to the walk once, made by the pool or read by the walk, with the
    /// parents git lists; and the sweep follows the walk instead of inflating `side`.
    /// Chunks of 2 KiB (a few commits each) make the sweep choose among many of them.
    fn walk_main(dir: &Path) {
        let packs = Packs::open(&dir.join(".git/objects"));
        let sweep: Sweep<'_, Vec<u8>> = Sweep::with_chunks(&packs, 2048);
        let listed = git(dir, &["rev-list", "--parents", "main"], None);
        let (mut made, mut read) = (0, 0);
        std::thread::scope(|scope| {
            let walk = scope.spawn(|| {
                let mut scratch = Scratch::default();
                let keep = |_: ObjectId, raw: &[u8]| Some(raw.to_vec());
                for line in listed.lines() {
                    let ids: Vec<ObjectId> = line
                        .split(' ')
                        .map(|h| ObjectId::from_hex(h).unwrap())
                        .collect();
                    let raw = match sweep.take(&mut scratch, &ids[0], 1 << 20, &keep) {
                        Taken::Made(raw) => {
                            made += 1;
                            raw
                        }
                        Taken::Read(raw) => {
                            read += 1;
                            raw
                        }
                        Taken::Elsewhere => panic!("{} is a whole commit of the pack", ids[0]),
                    };
                    let parents: Vec<ObjectId> = String::from_utf8(raw)
                        .unwrap()
                        .lines()
                        .filter_map(|l| l.strip_prefix("parent "))
                        .map(|h| ObjectId::from_hex(h).unwrap())
                        .collect();
                    assert_eq!(parents, ids[1..], "parents of {}", ids[0]);
                }
                sweep.finish();
            });
            sweep.work(&|_, raw| Some(raw.to_vec()));
            walk.join().unwrap();
        });
        assert_eq!(made + read, 300);
        assert!(made > 0, "the sweep made none of the walk's commits");
        // Each commit is inflated once: what the pool inflated beyond what the walk took is
        // of `side`. Workers go at most [`AHEAD`] chunks ahead of a chunk the walk was at,
        // or one behind it, and `side` meets `main` at one end of the walk only: so at most
        // the `side` part of the chunk where they meet and [`AHEAD`] chunks beyond it,
        // however many threads the pool has and however they are scheduled. (A fixed bound
        // of 60 commits, tighter than that, failed on a CI machine with more cores: 64.)
        let per_chunk = sweep
            .chunks
            .iter()
            .map(|c| c.last - c.first + 1)
            .max()
            .unwrap();
        let beyond = sweep.inflated() - made;
        assert!(
            beyond < (AHEAD + 1) * per_chunk,
            "the sweep inflated {beyond} commits the walk did not take \
             (chunks of at most {per_chunk} objects)"
        );
    }

    /// Where the pool goes next: the chunk the walk is at, then up to [`AHEAD`] chunks on
    /// in the direction the walk has been moving (read that way), then one chunk behind it
    /// (read the other way), then nothing until the walk moves on.
    #[test]
    fn the_pool_goes_where_the_walk_is_heading() {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q", "-b", "main"], None);
        git(dir.path(), &["fast-import", "--quiet"], Some(&stream()));
        let packs = Packs::open(&dir.path().join(".git/objects"));
        let chunk_of = |sweep: &Sweep<'_, ()>, i: usize| {
            sweep
                .chunks
                .iter()
                .position(|c| c.first <= i && i <= c.last)
                .unwrap()
        };
        let order = |sweep: &Sweep<'_, ()>| {
            let mut got = Vec::new();
            while let Ok((chunk, backwards)) = sweep.next_chunk() {
                got.push((chunk_of(sweep, chunk.first), backwards));
            }
            got
        };
        let middle = packs.packs[0].objects.len() / 2;
        // Moving down the pack (from 100 objects above to `middle`).
        let sweep: Sweep<'_, ()> = Sweep::with_chunks(&packs, 2048);
        for i in [middle + 100, middle + 50, middle] {
            sweep.walk_at(0, i);
        }
        let c = chunk_of(&sweep, middle);
        assert!(c > AHEAD && c + 1 < sweep.chunks.len());
        let mut want: Vec<(usize, bool)> = (c - AHEAD..=c).rev().map(|c| (c, true)).collect();
        want.push((c + 1, false));
        assert_eq!(order(&sweep), want);
        // Nothing more near the walk, but chunks elsewhere are free: wait.
        assert!(matches!(sweep.next_chunk(), Err(false)));
        // Moving up the pack.
        let sweep: Sweep<'_, ()> = Sweep::with_chunks(&packs, 2048);
        for i in [middle - 100, middle - 50, middle] {
            sweep.walk_at(0, i);
        }
        let mut want: Vec<(usize, bool)> = (c..=c + AHEAD).map(|c| (c, false)).collect();
        want.push((c - 1, true));
        assert_eq!(order(&sweep), want);
    }

    /// A commit whose processing panics in the pool ends the scan with that panic, never
    /// with a walk waiting forever for a commit no one will finish.
    #[test]
    fn a_panic_in_the_pool_does_not_hang_the_walk() {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q", "-b", "main"], None);
        git(dir.path(), &["fast-import", "--quiet"], Some(&stream()));
        let listed = git(dir.path(), &["rev-list", "main"], None);
        let ids: Vec<ObjectId> = listed
            .lines()
            .map(|h| ObjectId::from_hex(h).unwrap())
            .collect();
        let bad = ids[150];
        let (done, finished) = std::sync::mpsc::channel();
        let objects = dir.path().join(".git/objects");
        std::thread::spawn(move || {
            let run = std::panic::catch_unwind(|| {
                let packs = Packs::open(&objects);
                let sweep: Sweep<'_, ()> = Sweep::with_chunks(&packs, 2048);
                let process = |id: ObjectId, _: &[u8]| {
                    assert_ne!(id, bad, "processing {id} panics");
                    Some(())
                };
                std::thread::scope(|scope| {
                    let walk = scope.spawn(|| {
                        // As the scan's walk does: the sweep ends however the walk ends.
                        struct Finish<'s, 'p>(&'s Sweep<'p, ()>);
                        impl Drop for Finish<'_, '_> {
                            fn drop(&mut self) {
                                self.0.finish();
                            }
                        }
                        let _finish = Finish(&sweep);
                        let mut scratch = Scratch::default();
                        for id in &ids {
                            if !matches!(
                                sweep.take(&mut scratch, id, 1 << 20, &process),
                                Taken::Made(())
                            ) {
                                process(*id, &[]);
                            }
                        }
                    });
                    sweep.work(&process);
                    walk.join()
                })
            });
            let _ = done.send(matches!(run, Ok(Ok(()))));
        });
        let clean = finished
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the walk and the sweep end");
        assert!(!clean, "the panic is not lost");
    }

    #[test]
    fn a_sweep_follows_the_walk_in_both_pack_orders() {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q", "-b", "main"], None);
        // fast-import's pack: oldest first, `main` then `side` (the walk goes backwards).
        git(dir.path(), &["fast-import", "--quiet"], Some(&stream()));
        walk_main(dir.path());
        // git's own: tips first, recent commits first (the walk goes forwards); whole
        // commits only (no deltas), so that each is the sweep's to inflate.
        git(dir.path(), &["repack", "-adfq", "--window=0"], None);
        walk_main(dir.path());
    }
}
