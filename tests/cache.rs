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
    // One folder per repository, and the cache root's secret `key` beside them.
    let folders = std::fs::read_dir(cache.join("practrace")).unwrap();
    for dir in folders.map(Result::unwrap).filter(|d| d.path().is_dir()) {
        for f in std::fs::read_dir(dir.path()).unwrap() {
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

/// Pins issue 16 item 1: a cache folder inside the scanned repository (as a CI recipe
/// with `XDG_CACHE_HOME=$CI_PROJECT_DIR/.cache` made it) is refused: a merge request
/// could commit forged cache files there. Nothing is written into the repository and every
/// run reads what it needs.
#[test]
fn a_cache_folder_inside_the_repository_is_refused() {
    let repo = common::fixture_repo("basic");
    let before = common::snapshot(repo.path());
    let inside = repo.path().join(".cache");
    let first = run(repo.path(), &inside);
    let second = run(repo.path(), &inside);
    assert!(second.stats.files_read > 5, "no cache was used");
    assert_eq!(first.stdout, second.stdout);
    assert_eq!(second.stdout, uncached(repo.path(), &inside).stdout);
    assert!(
        common::snapshot(repo.path()) == before,
        "nothing written into the repository"
    );
}

/// Pins issue 16 item 1: a cache path that is a symlink below the cache root is refused
/// (committed as a symlink, it sent writes and prunes elsewhere).
#[test]
fn a_symlinked_cache_folder_is_refused() {
    let repo = common::fixture_repo("basic");
    let cache = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), cache.path().join("practrace")).unwrap();
    run(repo.path(), cache.path());
    let second = run(repo.path(), cache.path());
    assert!(second.stats.files_read > 5, "no cache was used");
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}

/// Pins issue 16 item 1: cache files not written under this cache root's secret (copied
/// from another cache, or forged with a copied salt) never validate, so they cannot
/// change a result.
#[test]
fn cache_files_from_another_cache_are_not_trusted() {
    let repo = common::fixture_repo("basic");
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run(repo.path(), a.path());
    // Give b its own secret, then plant a's files (same names, same salts as a has).
    run_with(repo.path(), b.path(), &|r| r.options.max_ids = 7);
    for file in cache_files(a.path()) {
        let folder = file.parent().unwrap().file_name().unwrap();
        let target = b.path().join("practrace").join(folder);
        std::fs::create_dir_all(&target).unwrap();
        std::fs::copy(&file, target.join(file.file_name().unwrap())).unwrap();
    }
    let planted = run(repo.path(), b.path());
    assert_eq!(
        planted.stats.commits_read, 3,
        "a's commit table was not trusted"
    );
    assert!(
        planted.stats.files_read > 5,
        "a's blob table was not trusted"
    );
    assert_eq!(planted.stdout, uncached(repo.path(), b.path()).stdout);
}

/// Pins issue 16 item 2: what a shallow clone remembered is not reused once the clone is
/// deepened (the key covers the shallow cut): the history is read again in full.
#[test]
fn a_cache_made_in_a_shallow_clone_is_not_reused_after_unshallow() {
    let repo = common::fixture_repo("basic");
    let clones = tempfile::tempdir().unwrap();
    let clone = clones.path().join("shallow");
    let url = format!("file://{}", repo.path().display());
    common::git(
        clones.path(),
        &["clone", "-q", "--depth", "1", &url, clone.to_str().unwrap()],
    );
    let cache = tempfile::tempdir().unwrap();
    let shallow = run(&clone, cache.path());
    common::git(&clone, &["fetch", "-q", "--unshallow"]);
    let deep = run(&clone, cache.path());
    assert_eq!(deep.stdout, uncached(&clone, cache.path()).stdout);
    assert_ne!(deep.stdout, shallow.stdout);
    assert!(!deep.derived, "not derived from the shallow clone's report");
}
