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
    // 20 evidence files; `docs/merged-twice.md` pins git's history simplification: a
    // later merge of the same change on a side git log does not walk is not its last.
    assert_eq!(assert_gits(path, &loose, "HEAD"), 20);
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

/// Runs `matrix --format json` with its own cache folder and the timings on; `(stdout,
/// stderr)`.
fn cached(repo: &Path, cache: &Path, rev: &str) -> (Vec<u8>, String) {
    cached_as(repo, cache, rev, "json")
}

/// [`cached`] in `format`.
fn cached_as(repo: &Path, cache: &Path, rev: &str, format: &str) -> (Vec<u8>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_practrace"))
        .args([
            "matrix",
            "--repo",
            repo.to_str().unwrap(),
            "--format",
            format,
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
/// does not hold (a commit dated before its parent), the whole walk runs again. In CSV:
/// a JSON matrix is derived from a remembered one instead (the test below).
#[test]
fn a_walk_from_a_remembered_commit_reads_only_the_new_commits() {
    let repo = common::fixture_repo("lastcommit");
    let path = repo.path();
    let cache = tempfile::tempdir().unwrap();
    let csv = |rev: &str| {
        let repo = path.to_str().unwrap();
        let args = [
            "matrix",
            "--repo",
            repo,
            "--format",
            "csv",
            "--no-cache",
            "--rev",
            rev,
        ];
        common::practrace(&args).stdout
    };
    let (_, first) = cached_as(path, cache.path(), "HEAD~20", "csv");
    assert!(
        !first.contains("new commits read"),
        "nothing remembered yet: {first}"
    );
    // HEAD~2: eighteen commits later, two of them with the same date.
    let (later, log) = cached_as(path, cache.path(), "HEAD~2", "csv");
    assert!(log.contains("18 new commits read"), "{log}");
    assert_eq!(later, csv("HEAD~2"));
    assert_gits(path, &matrix(path, &["--rev", "HEAD~2"]), "HEAD~2");
    // HEAD~1 is dated before its parent: git log's order is no longer "new ones first".
    let (skewed, log) = cached_as(path, cache.path(), "HEAD~1", "csv");
    assert!(!log.contains("new commits read"), "{log}");
    assert_eq!(skewed, csv("HEAD~1"));
    // The same commit again: nothing new to read.
    let (again, log) = cached_as(path, cache.path(), "HEAD~1", "csv");
    assert!(log.contains(" 0 new commits read"), "{log}");
    assert_eq!(again, skewed);
}

/// Issue 13 §3: after new commits, a JSON matrix is derived from the one remembered at an
/// ancestor (the practices whose evidence or last commits the new commits changed printed
/// anew, the others copied), with the bytes of a matrix made without the cache: across
/// merges, deletes, a re-add of the same content (the blob is the same, its last commit
/// is not), a move and a file turned into a folder.
#[test]
fn a_json_matrix_derived_from_an_ancestors_is_the_full_one() {
    let repo = common::fixture_repo("lastcommit");
    let path = repo.path();
    let cache = tempfile::tempdir().unwrap();
    let commits = String::from_utf8(common::git(path, &["rev-list", "--reverse", "HEAD"])).unwrap();
    let commits: Vec<&str> = commits.lines().collect();
    // Remembered at the first commit; then revisions further and further on, each derived
    // from it (none is far enough on to be remembered instead).
    let (_, log) = cached(path, cache.path(), commits[0]);
    assert!(!log.contains("matrix derived"), "{log}");
    let mut derived = 0;
    for &rev in &commits[1..commits.len() - 3] {
        let (bytes, log) = cached(path, cache.path(), rev);
        assert_eq!(bytes, matrix(path, &["--rev", rev]), "at {rev}");
        assert!(assert_gits(path, &bytes, rev) > 10);
        derived += usize::from(log.contains(&format!("matrix derived from {}", commits[0])));
    }
    // Every one but those the clock skew at the end breaks (git log's order then no
    // longer puts the new commits first).
    assert_eq!(derived, commits.len() - 4);
}

/// The case only the last commits decide: after a commit that changes a file and one that
/// changes it back, its practice's evidence is as it was (same blob), but its last commit
/// is the one that changed it back: the practice is printed anew all the same.
#[test]
fn a_file_changed_and_changed_back_gets_its_new_last_commit() {
    let repo = common::fixture_repo("lastcommit");
    let path = repo.path();
    let cache = tempfile::tempdir().unwrap();
    let commit = |body: &str, date: &str| {
        std::fs::write(
            path.join("docs/solo.md"),
            format!("---\npractices: [BP.02.01]\n---\n{body}\n"),
        )
        .unwrap();
        common::git(path, &["add", "-A"]);
        let out = common::git_command(path)
            .args(["commit", "-q", "-m", body])
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .output()
            .unwrap();
        assert!(out.status.success());
    };
    commit("first", "2025-01-01T00:00:00Z");
    let (_, log) = cached(path, cache.path(), "HEAD");
    assert!(!log.contains("matrix derived"), "{log}");
    commit("second", "2025-01-02T00:00:00Z");
    commit("first", "2025-01-03T00:00:00Z");
    let (bytes, log) = cached(path, cache.path(), "HEAD");
    assert!(log.contains("matrix derived from"), "{log}");
    assert_eq!(bytes, matrix(path, &["--rev", "HEAD"]));
    assert_gits(path, &bytes, "HEAD");
}
