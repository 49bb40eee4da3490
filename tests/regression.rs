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
    // A second `config` ahead of the real one: a person reads the first, verify the last.
    let forged = format!(
        "{{\"config\":{{\"path\":\".practrace.yaml\",\"blob\":\"{}\"}},{}",
        "0".repeat(40),
        &text[1..]
    );
    let out = verify(repo.path(), &forged);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("duplicate field `config`"));
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

/// Pins issue 16 item 7: a tree nested 20,000 folders deep overflowed the stack (exit 134,
/// not even the panic handler) in status, matrix, check and trace. Git handles such trees;
/// so does practrace now (walks with stacks of its own; a path that deep gets no last commit
/// in the matrix).
#[test]
fn a_tree_nested_twenty_thousand_folders_deep_is_walked() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    common::git(dir.path(), &["init", "-q", "-b", "main"]);
    let path = format!("{}/f.md", vec!["a"; 20_000].join("/"));
    let mut stream = Vec::new();
    for (n, practice) in ["BP.05.01", "BP.05.02"].iter().enumerate() {
        let data = format!("---\npractices: [{practice}]\n---\n");
        // The second commit continues the branch (fast-import's default without `from`).
        write!(
            stream,
            "commit refs/heads/main\ncommitter A <a@b> {} +0000\ndata 4\ndeep\nM 100644 inline {path}\ndata {}\n{data}\n",
            1_700_000_000 + n,
            data.len()
        )
        .unwrap();
    }
    let mut import = common::git_command(dir.path())
        .args(["fast-import", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    import.stdin.take().unwrap().write_all(&stream).unwrap();
    assert!(import.wait().unwrap().success());
    let repo = dir.path().to_str().unwrap();
    for args in [
        vec!["status", "--rev", "HEAD", "--format", "json"],
        vec!["matrix", "--rev", "HEAD", "--format", "csv"],
        vec!["check", "--rev", "HEAD", "--base", "HEAD~1"],
        vec!["trace", "BP.05.02", "--rev", "HEAD"],
    ] {
        let mut args = args.clone();
        args.extend(["--no-cache", "--repo", repo]);
        let out = common::practrace(&args);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{args:?}: {:?}",
            out.status
        );
    }
    let json = common::practrace_json(&[
        "status",
        "--rev",
        "HEAD",
        "--format",
        "json",
        "--no-cache",
        "--repo",
        repo,
    ]);
    assert_eq!(common::evidence(&json, "BP.05.02").len(), 1);
}

/// Pins issue 16 item 12: ESC and BEL from file names, commit subjects and author names
/// reached the terminal raw (clear screen, window title, OSC 52 clipboard writes) in
/// `status`, `check --format text` and `trace`. Every human format escapes them.
#[test]
fn control_characters_from_the_repository_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    common::git(repo, &["init", "-q", "-b", "main"]);
    let evil = "\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}[2J";
    std::fs::create_dir(repo.join("docs")).unwrap();
    std::fs::write(
        repo.join(format!("docs/{evil}.md")),
        "---\npractices: [BP.05.01, BP.05.99]\n---\n",
    )
    .unwrap();
    common::git(repo, &["add", "."]);
    common::git(
        repo,
        &[
            "-c",
            &format!("user.name=Mallory {evil}"),
            "commit",
            "-q",
            "-m",
            &format!("Subject {evil}\n\nPractice: BP.05.02"),
        ],
    );
    let dir = repo.to_str().unwrap();
    for args in [
        vec!["status"],
        vec!["status", "--format", "markdown"],
        vec!["gaps", "--pa", "PA05"],
        vec!["trace", "BP.05.01"],
        vec!["trace", "BP.05.02"],
        vec!["check"],
        vec!["check", "--rev", "HEAD"],
    ] {
        let mut args = args.clone();
        args.extend(["--no-cache", "--repo", dir]);
        let out = common::practrace(&args);
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(
                !bytes.iter().any(|&b| b == 0x1b || b == 0x07),
                "{args:?} {stream}: {}",
                String::from_utf8_lossy(bytes)
            );
        }
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // (The Markdown status and gaps show no path, subject or author.)
        if args[0] != "gaps" && !args.contains(&"markdown") {
            assert!(
                all.contains("\\u{1b}"),
                "{args:?}: the escape is visible: {all}"
            );
        }
    }
}

/// Pins issue 16 item 4: repository-controlled paths were read through symlinked folders:
/// `model:` naming a file under a committed `ext -> /elsewhere` link, and index entries
/// under a folder that is now a link to outside. Neither leaves the repository now: the
/// model is not a file of the tree, and the entries read as gone (as git sees them).
#[test]
fn no_repository_path_is_read_through_a_symlinked_folder() {
    let repo = common::fixture_repo("adoption");
    let outside = tempfile::tempdir().unwrap();
    let model = std::fs::read_to_string(common::fixtures().join("models/tiny.model.yaml")).unwrap();
    std::fs::write(outside.path().join("m.yaml"), model).unwrap();
    std::os::unix::fs::symlink(outside.path(), repo.path().join("ext")).unwrap();
    std::fs::write(repo.path().join(".practrace.yaml"), "model: ext/m.yaml\n").unwrap();
    let dir = repo.path().to_str().unwrap();
    let out = common::practrace(&["status", "--no-cache", "--repo", dir]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a file of the scanned tree"));
    // The evidence folder replaced by a link to a copy outside: its files are gone.
    std::fs::remove_file(repo.path().join(".practrace.yaml")).unwrap();
    let docs = repo.path().join("docs");
    std::fs::rename(&docs, outside.path().join("docs")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("docs"), &docs).unwrap();
    let json = common::practrace_json(&["status", "--format", "json", "--no-cache", "--repo", dir]);
    assert!(
        common::evidence(&json, "BP.03.01").is_empty(),
        "read through the link"
    );
    assert!(
        common::evidence(&json, "BP.05.01").is_empty(),
        "read through the link"
    );
}

/// Pins issue 16 item 10: a `.git` file naming another repository's git folder made
/// practrace scan that repository's working tree instead of the folder given. As git
/// resolves it, the working tree is the folder holding the `.git` file.
#[test]
fn a_git_file_naming_another_repository_scans_the_folder_that_holds_it() {
    let other = common::fixture_repo("adoption");
    let mine = tempfile::tempdir().unwrap();
    std::fs::write(
        mine.path().join(".git"),
        format!("gitdir: {}\n", other.path().join(".git").display()),
    )
    .unwrap();
    std::fs::create_dir(mine.path().join("docs")).unwrap();
    std::fs::write(
        mine.path().join("docs/mine.md"),
        "---\npractices: [BP.01.01]\n---\n",
    )
    .unwrap();
    let json = common::practrace_json(&[
        "status",
        "--format",
        "json",
        "--no-cache",
        "--repo",
        mine.path().to_str().unwrap(),
    ]);
    assert_eq!(common::evidence(&json, "BP.01.01"), ["docs/mine.md"]);
    assert!(
        common::evidence(&json, "BP.03.01").is_empty(),
        "the other working tree"
    );
}

/// Pins issue 16 item 9 (the base): a base whose name resolves but whose object is missing
/// got "fetch it first", which would not mend it; it is told apart from an unknown name.
#[test]
fn an_unreadable_base_is_not_told_to_fetch() {
    let repo = common::fixture_repo("adoption");
    std::fs::write(
        repo.path().join(".git/refs/heads/broken"),
        "0123456789abcdef0123456789abcdef01234567\n",
    )
    .unwrap();
    let dir = repo.path().to_str().unwrap();
    let out = common::practrace(&["check", "--no-cache", "--repo", dir, "--base", "broken"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot be read") && !stderr.contains("fetch it first"),
        "{stderr}"
    );
    let out = common::practrace(&["check", "--no-cache", "--repo", dir, "--base", "nowhere"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("fetch it first"));
}
