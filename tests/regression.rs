//! Regression tests for the hardening of issue 16, each named for what it pins, on
//! fixture repositories built in temporary folders.

mod common;

use serde_json::Value;

/// A status JSON report of the `adoption` fixture, and the repository.
fn report() -> (tempfile::TempDir, Value) {
    let repo = common::fixture_repo("adoption");
    let json = common::practrace_json(&[
        "status",
        "--format",
        "json",
        "--no-cache",
        "--repo",
        repo.path().to_str().unwrap(),
    ]);
    (repo, json)
}

/// Runs `verify` of `report` (written to a file) against `repo`'s working tree.
fn verify(repo: &std::path::Path, report: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    std::fs::write(&path, report).unwrap();
    common::practrace(&[
        "verify",
        path.to_str().unwrap(),
        "--repo",
        repo.to_str().unwrap(),
    ])
}

/// The first file evidence of the report.
fn first_file(json: &mut Value) -> &mut Value {
    json["practices"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .flat_map(|p| p["evidence"].as_array_mut().unwrap().iter_mut())
        .find(|e| e["kind"] == "file")
        .unwrap()
}

/// Pins issue 16 item 6: verify hashed any path a report named (`../../etc/passwd`, an
/// absolute path) and printed its blob id, a content oracle. Such a report is refused.
#[test]
fn verify_refuses_evidence_paths_outside_the_repository() {
    let (repo, json) = report();
    for path in [
        "../../etc/passwd",
        "/etc/passwd",
        "docs/../../x",
        "docs//risk.md",
    ] {
        let mut forged = json.clone();
        first_file(&mut forged)["path"] = path.into();
        let out = verify(repo.path(), &forged.to_string());
        assert_eq!(out.status.code(), Some(2), "{path}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("is not a path inside a repository"),
            "{stderr}"
        );
    }
}

/// Pins issue 16 item 6: a blob id of non-ASCII characters made verify panic (slicing inside
/// a character); non-hex ids were accepted silently. Both are refused, without a panic.
#[test]
fn verify_refuses_ids_that_are_not_hex() {
    let (repo, json) = report();
    for blob in ["é".repeat(40), "z".repeat(40), "abc".into()] {
        let mut forged = json.clone();
        first_file(&mut forged)["blob"] = blob.clone().into();
        let out = verify(repo.path(), &forged.to_string());
        assert_eq!(out.status.code(), Some(2), "{blob}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("internal error"));
    }
}

/// Pins issue 16 item 6: upper-case commit ids of reachable commits were "unreachable".
#[test]
fn verify_reads_commit_ids_in_either_case() {
    let (repo, mut json) = report();
    let commit = json["source"]["commit"].as_str().unwrap().to_uppercase();
    json["source"]["commit"] = commit.into();
    let out = verify(repo.path(), &json.to_string());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Pins issue 16 item 6: a report with a duplicate key (`"practices": []` appended) verified
/// clean, its evidence hidden by the second key. It is refused.
#[test]
fn verify_refuses_a_report_with_a_duplicate_key() {
    let (repo, json) = report();
    let text = json.to_string();
    let forged = format!("{},\"practices\":[]}}", &text[..text.len() - 1]);
    let out = verify(repo.path(), &forged);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("duplicate field"));
}

/// Pins issue 16 item 6: an evidence file under a folder that is now a symlink to elsewhere
/// is read through no symlink: it is missing, as git sees it.
#[test]
fn verify_follows_no_symlink_in_an_evidence_path() {
    let (repo, json) = report();
    let outside = tempfile::tempdir().unwrap();
    let docs = repo.path().join("docs");
    std::fs::rename(&docs, outside.path().join("docs")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("docs"), &docs).unwrap();
    let out = verify(repo.path(), &json.to_string());
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("missing             docs/"), "{stdout}");
}

/// Pins issue 16 item 5: `--model /dev/zero`, `verify /dev/zero` and `check --baseline
/// /dev/zero` read without bound (24 GB, then killed), and a FIFO as `--model` blocked
/// forever. Files named on the command line are regular files with a size limit.
#[test]
fn files_named_on_the_command_line_are_regular_and_bounded() {
    let repo = common::fixture_repo("adoption");
    let dir = repo.path().to_str().unwrap();
    let fifo = tempfile::tempdir().unwrap();
    let fifo = fifo.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let fifo = fifo.to_str().unwrap();
    for args in [
        vec![
            "status",
            "--no-cache",
            "--repo",
            dir,
            "--model",
            "/dev/zero",
        ],
        vec!["status", "--no-cache", "--repo", dir, "--model", fifo],
        vec!["verify", "/dev/zero", "--repo", dir],
        vec![
            "check",
            "--no-cache",
            "--repo",
            dir,
            "--baseline",
            "/dev/zero",
        ],
    ] {
        let out = common::practrace(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("not a regular file"), "{args:?}: {stderr}");
    }
}

/// Pins issue 16 item 9: a HEAD naming a missing object made a working-tree scan report
/// "no commits" and exit 0. It is an error that says HEAD is broken.
#[test]
fn a_broken_head_is_an_error_not_an_empty_history() {
    let repo = common::fixture_repo("adoption");
    std::fs::write(
        repo.path().join(".git/refs/heads/main"),
        "0123456789abcdef0123456789abcdef01234567\n",
    )
    .unwrap();
    for extra in [&[][..], &["--rev", "HEAD"]] {
        let mut args = vec![
            "status",
            "--no-cache",
            "--repo",
            repo.path().to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let out = common::practrace(&args);
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("HEAD"), "{extra:?}: {stderr}");
    }
    // An unborn HEAD (no commit yet) is no error: no history to read.
    let empty = tempfile::tempdir().unwrap();
    common::git(empty.path(), &["init", "-q"]);
    let out = common::practrace(&[
        "status",
        "--no-cache",
        "--repo",
        empty.path().to_str().unwrap(),
    ]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
