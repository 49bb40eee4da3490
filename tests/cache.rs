//! The incremental cache (issue 6): it lives in the cache folder, never in the repository;
//! a second run reads nothing, a run after one new commit reads only that commit and the
//! changed file; a damaged, stale or concurrently written cache never changes a result,
//! and `--no-cache` prints the same bytes.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

struct Stats {
    files_read: usize,
    commits_read: usize,
}

fn run(repo: &Path, cache: &Path, extra: &[&str]) -> (Output, Stats) {
    run_with(repo, cache, extra, &[])
}

fn run_with(repo: &Path, cache: &Path, extra: &[&str], env: &[(&str, &str)]) -> (Output, Stats) {
    let out = Command::new(env!("CARGO_BIN_EXE_practrace"))
        .envs(env.iter().copied())
        .args(["status", "--format", "json", "--rev", "HEAD", "--repo"])
        .arg(repo)
        .args(extra)
        .env("XDG_CACHE_HOME", cache)
        .env("PRACTRACE_STATS", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let line = stderr
        .lines()
        .find(|l| l.starts_with("practrace stats:"))
        .expect("a stats line");
    let field = |name: &str| -> usize {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{name}=")))
            .unwrap()
            .parse()
            .unwrap()
    };
    let stats = Stats {
        files_read: field("files_read"),
        commits_read: field("commits_read"),
    };
    (out, stats)
}

fn cache_files(cache: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(cache.join("practrace")).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            out.push(f.unwrap().path());
        }
    }
    out.sort();
    out
}

#[test]
fn second_run_reads_nothing_and_prints_the_same_bytes() {
    let repo = common::fixture_repo("basic");
    let cache = tempfile::tempdir().unwrap();
    let before = common::snapshot(repo.path());
    let (first, s1) = run(repo.path(), cache.path(), &[]);
    assert_eq!(s1.commits_read, 3);
    assert!(s1.files_read > 5);
    let (second, s2) = run(repo.path(), cache.path(), &[]);
    assert_eq!((s2.files_read, s2.commits_read), (0, 0));
    assert_eq!(first.stdout, second.stdout);
    let (uncached, s3) = run(repo.path(), cache.path(), &["--no-cache"]);
    assert_eq!(uncached.stdout, first.stdout);
    assert_eq!(s3.commits_read, 3);
    // The cache is in the cache folder (commits, blobs, and the report of HEAD); the
    // repository is untouched.
    let files = cache_files(cache.path());
    assert_eq!(files.len(), 3, "{files:?}");
    assert!(
        files[2]
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("report-")
    );
    assert!(common::snapshot(repo.path()) == before);
}

#[test]
fn after_one_commit_only_that_commit_and_the_changed_file_are_read() {
    let repo = common::fixture_repo("basic");
    let cache = tempfile::tempdir().unwrap();
    run(repo.path(), cache.path(), &[]);
    std::fs::write(
        repo.path().join("docs/plan.md"),
        "---\npractices: [BP.05.03, BP.06.01]\n---\n",
    )
    .unwrap();
    common::git(repo.path(), &["add", "docs/plan.md"]);
    common::git(
        repo.path(),
        &["commit", "-q", "-m", "Plan v2\n\nPractice: BP.07.01"],
    );
    let (cached, s) = run(repo.path(), cache.path(), &[]);
    assert_eq!((s.files_read, s.commits_read), (1, 1));
    assert!(String::from_utf8_lossy(&cached.stderr).contains("derived from the remembered report"));
    let (uncached, _) = run(repo.path(), cache.path(), &["--no-cache"]);
    assert_eq!(cached.stdout, uncached.stdout);
    // Then a file with evidence deleted, by a commit dated before all others whose trailer
    // names a practice that already has commit evidence: it must sort first.
    common::git(repo.path(), &["rm", "-q", "docs/access.md"]);
    common::git(
        repo.path(),
        &["commit", "-q", "-m", "Drop access\n\nPractice: BP.05.05"],
    );
    // Derived from the report remembered at the first run (a derived run remembers nothing
    // unless it had much to read): both commits since, and the one file still there.
    let (again, s) = run(repo.path(), cache.path(), &[]);
    assert_eq!((s.files_read, s.commits_read), (1, 2));
    let (again_uncached, _) = run(repo.path(), cache.path(), &["--no-cache"]);
    assert_eq!(again.stdout, again_uncached.stdout);
    // A derived run that had much to read remembers its own report (the threshold is
    // lowered here): the next run starts from it and reads nothing.
    let remember = [("PRACTRACE_REMEMBER_AFTER", "0")];
    let (third, _) = run_with(repo.path(), cache.path(), &[], &remember);
    assert_eq!(third.stdout, again_uncached.stdout);
    let (fourth, s) = run(repo.path(), cache.path(), &[]);
    assert_eq!((s.files_read, s.commits_read), (0, 0));
    assert_eq!(fourth.stdout, again_uncached.stdout);
    let report: serde_json::Value = serde_json::from_slice(&cached.stdout).unwrap();
    let evidence = |id: &str| {
        report["practices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap()["evidence"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!((evidence("BP.06.01"), evidence("BP.07.01")), (1, 1));
}

#[test]
fn a_damaged_or_stale_cache_is_rebuilt_and_changes_nothing() {
    let repo = common::fixture_repo("basic");
    let cache = tempfile::tempdir().unwrap();
    let (reference, _) = run(repo.path(), cache.path(), &["--no-cache"]);
    run(repo.path(), cache.path(), &[]);
    let files = cache_files(cache.path());
    assert_eq!(files.len(), 3);
    let flip_last_byte = |path: &Path| {
        let mut bytes = std::fs::read(path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x55;
        std::fs::write(path, &bytes).unwrap();
    };
    // Garbage in one file, another cut in half, one byte flipped in the remembered report.
    std::fs::write(&files[0], b"not a cache at all").unwrap();
    let half = std::fs::read(&files[1]).unwrap();
    std::fs::write(&files[1], &half[..half.len() / 2]).unwrap();
    flip_last_byte(&files[2]);
    let (out, s) = run(repo.path(), cache.path(), &[]);
    assert_eq!(out.stdout, reference.stdout);
    assert_eq!(s.commits_read, 3, "the damaged cache was rebuilt");
    // One flipped byte in a payload: the checksum catches it.
    for file in &files {
        flip_last_byte(file);
        let (out, _) = run(repo.path(), cache.path(), &[]);
        assert_eq!(out.stdout, reference.stdout, "{}", file.display());
    }
    // Other options make another cache: a smaller id limit must not reuse these results.
    let (limited, s) = run(repo.path(), cache.path(), &["--max-ids", "1"]);
    let (limited_uncached, _) = run(repo.path(), cache.path(), &["--max-ids", "1", "--no-cache"]);
    assert_eq!(limited.stdout, limited_uncached.stdout);
    assert_eq!(s.commits_read, 3);
}

#[test]
fn concurrent_scans_agree() {
    let repo = common::fixture_repo("basic");
    let cache = tempfile::tempdir().unwrap();
    let (reference, _) = run(repo.path(), cache.path(), &["--no-cache"]);
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (r, c) = (repo.path().to_path_buf(), cache.path().to_path_buf());
            std::thread::spawn(move || run(&r, &c, &[]).0.stdout)
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), reference.stdout);
    }
    let (after, s) = run(repo.path(), cache.path(), &[]);
    assert_eq!(after.stdout, reference.stdout);
    assert_eq!(
        s.commits_read, 0,
        "the last complete write left a valid cache"
    );
}
