//! Files moved or renamed with their tags: evidence moved, not lost.
//!
//! A path that is evidence in base and not in head (gone) is paired with a path that is
//! evidence in head and not in base (new), in two passes, each taking the gone paths in
//! path order and giving each the first new path, in path order, not yet paired:
//!
//! 1. the same blob id (the file moved as is; `git mv`), sharing some practice;
//! 2. the same set of practices (the file moved and edited, its tags kept).
//!
//! A pair is a move: an `evidence-moved` note naming both paths, and only the practices
//! the new path no longer evidences are lost (an `evidence-lost` error on the old path).
//! A file split into several, or several merged into one, is not a move: each practice the
//! gone file evidenced is lost unless a new file carries the same set.

use std::collections::{HashMap, VecDeque};

use super::Finding;
use super::changes::FileChange;
use crate::diag::{Code, Severity};

/// A file gone from one path and new at another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Move<'a> {
    /// The path in base.
    pub from: FileChange<'a>,
    /// The path in head.
    pub to: FileChange<'a>,
}

/// Pairs the gone paths of `changes` (sorted by path) with new ones, as the module says:
/// the moves, and the changes left unpaired, still by path.
pub(super) fn pair(changes: Vec<FileChange<'_>>) -> (Vec<Move<'_>>, Vec<FileChange<'_>>) {
    let gone = |c: &FileChange<'_>| c.is.is_empty() && !c.was.is_empty();
    let new = |c: &FileChange<'_>| c.was.is_empty() && !c.is.is_empty();
    let mut slots: Vec<Option<FileChange<'_>>> = changes.into_iter().map(Some).collect();
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    // Pass 1: the same blob.
    let mut by_blob: HashMap<&str, VecDeque<usize>> = HashMap::new();
    for (i, c) in slots.iter().enumerate() {
        if let Some(c) = c.as_ref().filter(|c| new(c) && !c.is_blob.is_empty()) {
            by_blob.entry(c.is_blob).or_default().push_back(i);
        }
    }
    for (i, c) in slots.iter().enumerate() {
        let Some(c) = c.as_ref().filter(|c| gone(c) && !c.was_blob.is_empty()) else {
            continue;
        };
        let shares = |j: &usize| {
            slots[*j]
                .as_ref()
                .is_some_and(|n| n.is.iter().any(|p| c.was.contains(p)))
        };
        if let Some(queue) = by_blob.get_mut(c.was_blob)
            && let Some(at) = queue.iter().position(shares)
            && let Some(j) = queue.remove(at)
        {
            pairs.push((i, j));
        }
    }
    // Pass 2: the same practices, among what is left.
    let mut paired = vec![false; slots.len()];
    for &(i, j) in &pairs {
        (paired[i], paired[j]) = (true, true);
    }
    let mut by_set: HashMap<&[&str], VecDeque<usize>> = HashMap::new();
    for (j, c) in slots.iter().enumerate() {
        if let Some(c) = c.as_ref().filter(|c| new(c) && !paired[j]) {
            by_set.entry(c.is.as_slice()).or_default().push_back(j);
        }
    }
    for (i, c) in slots.iter().enumerate() {
        let Some(c) = c.as_ref().filter(|c| gone(c) && !paired[i]) else {
            continue;
        };
        if let Some(j) = by_set
            .get_mut(c.was.as_slice())
            .and_then(VecDeque::pop_front)
        {
            pairs.push((i, j));
        }
    }
    pairs.sort_unstable();
    let mut moves = Vec::with_capacity(pairs.len());
    for (i, j) in pairs {
        if let (Some(from), Some(to)) = (slots[i].take(), slots[j].take()) {
            moves.push(Move { from, to });
        }
    }
    (moves, slots.into_iter().flatten().collect())
}

/// The note of a move, on the new path: both paths, and the practices still evidenced.
pub(super) fn moved(m: &Move<'_>) -> Finding {
    let kept: Vec<&str> = m
        .from
        .was
        .iter()
        .filter(|p| m.to.is.contains(p))
        .copied()
        .collect();
    let how = if m.from.was_blob == m.to.is_blob {
        ""
    } else {
        " and edited"
    };
    let mut f = Finding::new(
        Severity::Note,
        Code::EvidenceMoved,
        format!(
            "{} moved to {}{how}: still evidence for {}",
            m.from.path,
            m.to.path,
            kept.join(", ")
        ),
    );
    f.diagnostic.path = Some(m.to.path.to_string());
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change<'a>(
        path: &'a str,
        was: (&'a str, &[&'a str]),
        is: (&'a str, &[&'a str]),
    ) -> FileChange<'a> {
        FileChange {
            path,
            was_blob: was.0,
            is_blob: is.0,
            was: was.1.to_vec(),
            is: is.1.to_vec(),
        }
    }

    /// Pins the pairing order the module documents: by blob first, then by practices,
    /// each gone path (in path order) taking the first new path (in path order).
    #[test]
    fn pairs_by_blob_then_by_practices_in_path_order() {
        let none: (&str, &[&str]) = ("", &[]);
        let changes = vec![
            change("a.md", ("b1", &["BP.01.01"]), none),
            change("b.md", ("b2", &["BP.01.02"]), none),
            change("c.md", ("b3", &["BP.01.01", "BP.01.02"]), none),
            change("new/a.md", none, ("b1", &["BP.01.01"])),
            change("new/a2.md", none, ("b1", &["BP.01.01"])),
            change("new/b.md", none, ("b9", &["BP.01.02"])),
            change("new/c1.md", none, ("b8", &["BP.01.01"])),
            change("new/c2.md", none, ("b7", &["BP.01.02"])),
            change("kept.md", ("b4", &["BP.01.01"]), ("b5", &["BP.01.02"])),
        ];
        let (moves, rest) = pair(changes);
        let pairs: Vec<(&str, &str)> = moves.iter().map(|m| (m.from.path, m.to.path)).collect();
        // a.md by its blob (the first of two copies); b.md by its practices, though the
        // blob differs; c.md split in two is no move.
        assert_eq!(pairs, [("a.md", "new/a.md"), ("b.md", "new/b.md")]);
        let left: Vec<&str> = rest.iter().map(|c| c.path).collect();
        assert_eq!(
            left,
            ["c.md", "new/a2.md", "new/c1.md", "new/c2.md", "kept.md"]
        );
        assert_eq!(
            moved(&moves[0]).diagnostic.message,
            "a.md moved to new/a.md: still evidence for BP.01.01"
        );
        assert_eq!(
            moved(&moves[1]).diagnostic.message,
            "b.md moved to new/b.md and edited: still evidence for BP.01.02"
        );
    }
}
