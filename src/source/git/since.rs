//! The last-commit walk from what an earlier walk found (kept in the cache): only the
//! commits since are read, when git log's order makes that give the same answer.

use std::collections::HashMap;

use git2::ObjectType;

use super::lastchange::{Found, Meta, Objects, parse_commit, walk_order, wanted_at};
use super::lineage::{Lines, touched};
use super::objects::ObjectReader;
use super::oid;
use crate::evidence::ObjectId;
use crate::source::SourceError;

/// What [`since`] found, and the indices of the paths still to walk for in full.
pub type Since = (Vec<Found>, Vec<usize>);

/// How many new commits [`since`] reads before it gives up (the full walk then runs).
const MAX_NEW: usize = 4096;

/// What a walk from an earlier commit `prior` already found, by path: its blob there and
/// the commit that made it so.
pub type Known<'a> = dyn Fn(&str) -> Option<(ObjectId, ObjectId)> + 'a;

/// What the commits new since `prior` changed among `paths` ([`new_changes`]): the found
/// `(path index, entry id, commit)`, the indices of the paths a tree that is not here hides,
/// and each path's entry at `start`.
pub type NewChanges = (Vec<Found>, Vec<usize>, Vec<Option<ObjectId>>);

/// [`last_commits`] from what a walk from `prior` found (`known`), reading only the commits
/// new since `prior`, when that gives the same answer: `prior` is an ancestor of `start`,
/// every new commit's parents are new or `prior`, and every new commit is dated after
/// `prior` — then git log's order from `start` is the new commits, then `prior`'s own walk.
/// A path no new commit changed keeps `known`'s answer when its blob is the same. Returns
/// the found `(path index, entry id, commit)` and the indices of the paths to walk for in
/// full (unknown to `known`); `None` when the shortcut does not apply.
pub fn since(
    objects: &Objects<'_>,
    start: ObjectId,
    paths: &[&str],
    prior: ObjectId,
    known: &Known<'_>,
) -> Result<Option<Since>, SourceError> {
    let Some((mut found, not_known, wanted)) = new_changes(objects, start, paths, prior)? else {
        return Ok(None);
    };
    let changed: std::collections::HashSet<usize> = found.iter().map(|f| f.0).collect();
    let mut missing = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let Some(blob) = wanted[i] else { continue };
        if changed.contains(&i) {
            continue;
        }
        if not_known.contains(&i) {
            missing.push(i);
            continue;
        }
        match known(path) {
            Some((was, commit)) if was == blob => found.push((i, blob, commit)),
            _ => missing.push(i),
        }
    }
    Ok(Some((found, missing)))
}

/// The last commits, among the commits new since `prior` (when git log's order puts them
/// all first, as [`since`] requires), of the paths they changed: what a walk from `start`
/// finds before it reaches `prior`. `None` when that order does not hold.
pub fn new_changes(
    objects: &Objects<'_>,
    start: ObjectId,
    paths: &[&str],
    prior: ObjectId,
) -> Result<Option<NewChanges>, SourceError> {
    let odb = objects.repo.odb().map_err(super::git_error)?;
    let read = |id: ObjectId| -> Option<Meta> {
        let object = odb.read(oid(id)).ok()?;
        (object.kind() == ObjectType::Commit).then(|| parse_commit(object.data()))?
    };
    let Some(prior_meta) = read(prior) else {
        return Ok(None);
    };
    let prior_time = prior_meta.time;
    let mut table: HashMap<ObjectId, Meta> = HashMap::from([(prior, prior_meta)]);
    // The new commits: everything reachable from `start` down to `prior`.
    let mut stack = vec![start];
    while let Some(id) = stack.pop() {
        if table.contains_key(&id) {
            continue;
        }
        let Some(meta) = read(id) else {
            return Ok(None);
        };
        if table.len() > MAX_NEW
            || meta.time <= prior_time
            || meta.parents.is_empty()
            || objects.shallow.contains(&id)
        {
            return Ok(None);
        }
        stack.extend(meta.parents.iter().copied());
        table.insert(id, meta);
    }
    // git log's order over the new commits (all dated after `prior`, so all come first).
    let mut order = walk_order(objects, &mut table, start, Some(prior));
    let Some(end) = order.iter().position(|&id| id == prior) else {
        return Ok(None);
    };
    order.truncate(end);
    let mut reader = ObjectReader::new(objects.packs, objects.repo.path().to_path_buf());
    let (wanted, mut trie) = wanted_at(&mut reader, paths, table[&start].tree);
    let mut found = Vec::new();
    let mut not_known = Vec::new();
    let mut lines = Lines::from(start);
    for id in &order {
        // Only where git's simplified history of a path goes (see `lineage`).
        let diffed = touched(&mut reader, &trie, (&table, objects.blooms), &wanted, id);
        let Some((changed, unknown)) = lines.take(id, &table[id].parents, diffed) else {
            continue;
        };
        for i in changed {
            if trie.resolve(paths[i]) {
                found.push((i, wanted[i].unwrap_or(*id), *id));
            }
        }
        // A tree that is not here: the whole walk says so for these.
        not_known.extend(unknown.into_iter().filter(|&i| trie.resolve(paths[i])));
    }
    // A path still unresolved whose simplified history does not reach `prior` (none should:
    // every new commit's parents are new or `prior`) is left to the whole walk.
    let at_prior = lines.reach(&prior);
    for (i, path) in paths.iter().enumerate() {
        if wanted[i].is_some() && !at_prior.as_ref().is_some_and(|l| l.has(i)) && trie.resolve(path)
        {
            not_known.push(i);
        }
    }
    if std::env::var_os("PRACTRACE_TIMINGS").is_some() {
        eprintln!(
            "practrace timings: last commits from {prior}: {} new commits read",
            order.len()
        );
    }
    Ok(Some((found, not_known, wanted)))
}
