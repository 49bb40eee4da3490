//! The last commit of each evidence file (the matrix's `last_commit`, freshness's dates)
//! is git's `log -1 -- PATH`, on `fixtures/repos/lastcommit.sh`: merges keeping either
//! side, deletes and re-adds, a file turned into a folder, a move, equal dates and clock
//! skew. The walk reads trees from the packs itself (issue 16 item 8, issue 13 §3), so it
//! is checked with loose objects, with every tree packed as a delta of another, and with
//! a commit-graph with changed-path Bloom filters, each against git.

mod common;

use std::path::Path;

use serde_json::Value;

fn matrix(repo: &Path, extra: &[&str]) -> Vec<u8> {
    let mut args = vec![
        "matrix",
        "--repo",
        repo.to_str().unwrap(),
        "--format",
        "json",
        "--no-cache",
    ];
    args.extend_from_slice(extra);
    let out = common::practrace(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Every file evidence's last commit against `git log -1 --format=%H REV -- PATH`;
/// returns how many were compared.
fn assert_gits(repo: &Path, report: &[u8], rev: &str) -> usize {
    let report: Value = serde_json::from_slice(report).unwrap();
    let mut compared = 0;
    for practice in report["practices"].as_array().unwrap() {
        for e in practice["evidence"].as_array().unwrap() {
            if e["kind"] != "file" {
                continue;
            }
            let path = e["path"].as_str().unwrap();
            let git_says = String::from_utf8(common::git(
                repo,
                &["log", "-1", "--format=%H", rev, "--", path],
            ))
            .unwrap();
            assert_eq!(
                e["last_commit"]["commit"].as_str().unwrap_or("none"),
                git_says.trim(),
                "{path} at {rev}"
            );
            compared += 1;
        }
    }
    compared
}

#[test]
fn last_commits_are_gits_loose_packed_and_with_bloom_filters() {
    let repo = common::fixture_repo("lastcommit");
    let path = repo.path();
    let loose = matrix(path, &[]);
    assert_eq!(assert_gits(path, &loose, "HEAD"), 19);
    let older = matrix(path, &["--rev", "HEAD~20"]);
    assert!(assert_gits(path, &older, "HEAD~20") >= 19);

    // Every object packed, trees as deltas of each other (long chains).
    common::git(path, &["repack", "-adfq", "--depth=50", "--window=50"]);
    let packed_trees = String::from_utf8(common::git(path, &["count-objects", "-v"])).unwrap();
    assert!(packed_trees.contains("count: 0"), "{packed_trees}");
    assert_eq!(matrix(path, &[]), loose, "packed: the same bytes");
    assert_eq!(matrix(path, &["--rev", "HEAD~20"]), older);

    // A commit-graph with changed-path Bloom filters.
    common::git(
        path,
        &["commit-graph", "write", "--reachable", "--changed-paths"],
    );
    assert_eq!(
        matrix(path, &[]),
        loose,
        "with Bloom filters: the same bytes"
    );
    assert_eq!(matrix(path, &["--rev", "HEAD~20"]), older);
}

/// Runs practrace with its own cache folder and the timings on; `(stdout, stderr)`.
fn cached(repo: &Path, cache: &Path, rev: &str) -> (Vec<u8>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_practrace"))
        .args([
            "matrix",
            "--repo",
            repo.to_str().unwrap(),
            "--format",
            "json",
            "--rev",
            rev,
        ])
        .env("XDG_CACHE_HOME", cache)
        .env("PRACTRACE_TIMINGS", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    (
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The cache keeps what a walk found per commit; a later commit's walk reads only the
/// commits since, and gives the bytes a walk without the cache gives. Where the shortcut
/// does not hold (a commit dated before its parent), the whole walk runs again.
#[test]
fn a_walk_from_a_remembered_commit_reads_only_the_new_commits() {
    let repo = common::fixture_repo("lastcommit");
    let path = repo.path();
    let cache = tempfile::tempdir().unwrap();
    let (_, first) = cached(path, cache.path(), "HEAD~20");
    assert!(
        !first.contains("new commits read"),
        "nothing remembered yet: {first}"
    );
    // HEAD~2: eighteen commits later, two of them with the same date.
    let (later, log) = cached(path, cache.path(), "HEAD~2");
    assert!(log.contains("18 new commits read"), "{log}");
    assert_eq!(later, matrix(path, &["--rev", "HEAD~2"]));
    assert_gits(path, &later, "HEAD~2");
    // HEAD~1 is dated before its parent: git log's order is no longer "new ones first".
    let (skewed, log) = cached(path, cache.path(), "HEAD~1");
    assert!(!log.contains("new commits read"), "{log}");
    assert_eq!(skewed, matrix(path, &["--rev", "HEAD~1"]));
    // The same commit again: nothing new to read.
    let (again, log) = cached(path, cache.path(), "HEAD~1");
    assert!(log.contains(" 0 new commits read"), "{log}");
    assert_eq!(again, skewed);
}
