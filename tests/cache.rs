//! The incremental cache (issue 6): it lives in the cache folder, never in the repository;
//! a second run reads nothing, a run after one new commit reads only that commit and the
//! changed file; a damaged, stale or concurrently written cache never changes a result,
//! and `--no-cache` prints the same bytes.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use practrace::Request;

/// What one `status --format json --rev HEAD` run printed and read.
struct Run {
    stdout: Vec<u8>,
    stats: practrace::scan::Stats,
    derived: bool,
}

/// `status --format json --rev HEAD` through the library, with `cache/practrace` as the
/// cache folder; `tune` changes the request (`--no-cache`, `--max-ids`, ...).
fn run_with(repo: &Path, cache: &Path, tune: &dyn Fn(&mut Request)) -> Run {
    let mut request = Request::new(repo);
    request.rev = Some("HEAD".into());
    request.cache_dir = Some(cache.join("practrace"));
    tune(&mut request);
    let mut stdout = Vec::new();
    let done = practrace::incremental::status_json(&request, &mut stdout).unwrap();
    Run {
        stdout,
        stats: done.stats,
        derived: done.derived_from.is_some(),
    }
}

fn run(repo: &Path, cache: &Path) -> Run {
    run_with(repo, cache, &|_| {})
}

fn uncached(repo: &Path, cache: &Path) -> Run {
    run_with(repo, cache, &|r| r.use_cache = false)
}

/// The same through the binary, with the cache in `$XDG_CACHE_HOME/practrace`.
fn run_binary(repo: &Path, cache: &Path) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_practrace"))
        .args(["status", "--format", "json", "--rev", "HEAD", "--repo"])
        .arg(repo)
        .env("XDG_CACHE_HOME", cache)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
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
    let first = run(repo.path(), cache.path());
    assert_eq!(first.stats.commits_read, 3);
    assert!(first.stats.files_read > 5);
    let second = run(repo.path(), cache.path());
    assert_eq!((second.stats.files_read, second.stats.commits_read), (0, 0));
    assert_eq!(first.stdout, second.stdout);
    let again = uncached(repo.path(), cache.path());
    assert_eq!(again.stdout, first.stdout);
    assert_eq!(again.stats.commits_read, 3);
    // The binary, with the cache in $XDG_CACHE_HOME, prints the same bytes.
    assert_eq!(run_binary(repo.path(), cache.path()), first.stdout);
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
    run(repo.path(), cache.path());
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
    let cached = run(repo.path(), cache.path());
    assert_eq!((cached.stats.files_read, cached.stats.commits_read), (1, 1));
    assert!(cached.derived, "derived from the remembered report");
    assert_eq!(cached.stdout, uncached(repo.path(), cache.path()).stdout);
    // Then a file with evidence deleted, by a commit dated before all others whose trailer
    // names a practice that already has commit evidence: it must sort first.
    common::git(repo.path(), &["rm", "-q", "docs/access.md"]);
    common::git(
        repo.path(),
        &["commit", "-q", "-m", "Drop access\n\nPractice: BP.05.05"],
    );
    // Derived from the report remembered at the first run (a derived run remembers nothing
    // unless it had much to read): both commits since, and the one file still there.
    let again = run(repo.path(), cache.path());
    assert_eq!((again.stats.files_read, again.stats.commits_read), (1, 2));
    let again_uncached = uncached(repo.path(), cache.path());
    assert_eq!(again.stdout, again_uncached.stdout);
    // A derived run that had much to read remembers its own report (the threshold is
    // lowered here): the next run starts from it and reads nothing.
    let third = run_with(repo.path(), cache.path(), &|r| r.remember_after = 0);
    assert_eq!(third.stdout, again_uncached.stdout);
    let fourth = run(repo.path(), cache.path());
    assert_eq!((fourth.stats.files_read, fourth.stats.commits_read), (0, 0));
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
    let reference = uncached(repo.path(), cache.path());
    run(repo.path(), cache.path());
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
    let out = run(repo.path(), cache.path());
    assert_eq!(out.stdout, reference.stdout);
    assert_eq!(out.stats.commits_read, 3, "the damaged cache was rebuilt");
    // One flipped byte in a payload: the checksum catches it.
    for file in &files {
        flip_last_byte(file);
        let out = run(repo.path(), cache.path());
        assert_eq!(out.stdout, reference.stdout, "{}", file.display());
    }
    // Other options make another cache: a smaller id limit must not reuse these results.
    let limited = run_with(repo.path(), cache.path(), &|r| r.options.max_ids = 1);
    let limited_uncached = run_with(repo.path(), cache.path(), &|r| {
        r.options.max_ids = 1;
        r.use_cache = false;
    });
    assert_eq!(limited.stdout, limited_uncached.stdout);
    assert_eq!(limited.stats.commits_read, 3);
}

#[test]
fn concurrent_scans_agree() {
    let repo = common::fixture_repo("basic");
    let cache = tempfile::tempdir().unwrap();
    let reference = uncached(repo.path(), cache.path());
    // Four processes at once (the binary: its cache is $XDG_CACHE_HOME/practrace, the
    // folder the library runs below use too).
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (r, c) = (repo.path().to_path_buf(), cache.path().to_path_buf());
            std::thread::spawn(move || run_binary(&r, &c))
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), reference.stdout);
    }
    let after = run(repo.path(), cache.path());
    assert_eq!(after.stdout, reference.stdout);
    assert_eq!(
        after.stats.commits_read, 0,
        "the last complete write left a valid cache"
    );
}
