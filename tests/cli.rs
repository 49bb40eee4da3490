//! The command line on the `basic` fixture repository where the expected answer comes from
//! git or the model, not from a file: the working tree's file set against `git ls-files`,
//! every practice of the model in the report, and the same report from loose and packed
//! objects. What the commands print (tables, Markdown, JSON, exit codes, error messages) is
//! pinned by the data cases in `tests/cmd/` (run by `tests/cmd.rs`).

mod common;

use std::collections::BTreeSet;

#[test]
fn working_tree_files_are_exactly_git_ls_files() {
    let repo = common::fixture_repo("basic");
    let listed: BTreeSet<String> = String::from_utf8(common::git(
        repo.path(),
        &["ls-files", "--cached", "--others", "--exclude-standard"],
    ))
    .unwrap()
    .lines()
    .map(str::to_string)
    .collect();
    let source = practrace::source::git::GitSource::open(repo.path(), None).unwrap();
    let ours: BTreeSet<String> = practrace::source::Source::files(&source)
        .unwrap()
        .into_iter()
        .map(|f| f.path)
        .collect();
    assert!(listed.contains("untracked.md") && listed.contains("ignored/forced.md"));
    assert_eq!(ours, listed);
}

#[test]
fn the_status_report_lists_every_practice_of_the_model() {
    let repo = common::fixture_repo("basic");
    let report = common::practrace_json(&[
        "status",
        "--repo",
        repo.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    let model = practrace::model::Model::builtin();
    let ids: Vec<&str> = report["practices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = model.practices.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, expected);
    // 128 base practices, and the 29 generic practices once per process area.
    assert_eq!(ids.len(), 128 + 29 * 22);
}

#[test]
fn packed_and_loose_objects_give_the_same_report() {
    // The fixture's objects are loose (read through libgit2); after a repack they are in a
    // pack (commits read by practrace's own pack reader). The report must not change.
    let repo = common::fixture_repo("basic");
    let args = [
        "status",
        "--repo",
        repo.path().to_str().unwrap(),
        "--rev",
        "HEAD",
        "--format",
        "json",
    ];
    let loose = common::practrace(&args);
    common::git(repo.path(), &["repack", "-adq"]);
    common::git(repo.path(), &["prune-packed"]);
    assert!(
        std::fs::read_dir(repo.path().join(".git/objects/pack"))
            .unwrap()
            .count()
            >= 2
    );
    let packed = common::practrace(&args);
    // Again with deltas that name their base by id (REF_DELTA) instead of by offset.
    common::git(
        repo.path(),
        &[
            "-c",
            "repack.useDeltaBaseOffset=false",
            "repack",
            "-adfq",
            "--window=50",
        ],
    );
    let ref_deltas = common::practrace(&args);
    assert_eq!(packed.stdout, ref_deltas.stdout);
    assert_eq!(
        (loose.status.code(), packed.status.code()),
        (Some(1), Some(1))
    );
    assert_eq!(
        String::from_utf8(loose.stdout).unwrap(),
        String::from_utf8(packed.stdout).unwrap()
    );
}

/// Pins the scan's first-bytes read: a blob that cannot open front matter is not
/// inflated past its first bytes, through chains of deltas whose versions gain and lose
/// front matter (fixtures/repos/deltas.sh); and commits stored as deltas, trailers
/// included, read from the packs. Loose objects (read whole through libgit2), offset
/// deltas and deltas naming their base by id must give the same report, at HEAD and at
/// the version before.
#[test]
fn blobs_stored_as_deltas_give_the_same_report() {
    let repo = common::fixture_repo("deltas");
    let path = repo.path().to_str().unwrap();
    let scan = |rev: &str| {
        let out = common::practrace(&[
            "status",
            "--repo",
            path,
            "--rev",
            rev,
            "--format",
            "json",
            "--no-cache",
        ]);
        String::from_utf8(out.stdout).unwrap()
    };
    let evidence = |report: &str| -> Vec<String> {
        let report: serde_json::Value = serde_json::from_str(report).unwrap();
        let mut paths: Vec<String> = report["practices"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["evidence"].as_array().unwrap().clone())
            .filter_map(|e| e["path"].as_str().map(str::to_string))
            .collect();
        paths.sort();
        paths
    };
    let loose = [scan("HEAD"), scan("HEAD~1")];
    assert_eq!(
        evidence(&loose[0]),
        ["bom.cfg", "crlf.cfg", "flip.cfg", "flip.md", "kept.cfg"]
    );
    assert_eq!(evidence(&loose[1]), ["bom.cfg", "crlf.cfg", "kept.cfg"]);
    common::git(
        repo.path(),
        &["repack", "-adfq", "--depth=50", "--window=250"],
    );
    common::git(repo.path(), &["prune-packed"]);
    // The test reads deltas only if the repack made some of HEAD's blobs, and some
    // commits, deltas (commits are then read from the packs, not by the pre-pass).
    let listing = common::git(repo.path(), &["ls-tree", "-r", "--object-only", "HEAD"]);
    let blobs = stored_as_deltas(repo.path(), &listing);
    assert!(blobs >= 3, "HEAD's blobs stored as deltas: {blobs}");
    let commits = common::git(repo.path(), &["rev-list", "HEAD"]);
    let commits = stored_as_deltas(repo.path(), &commits);
    assert!(commits >= 2, "commits stored as deltas: {commits}");
    assert_eq!([scan("HEAD"), scan("HEAD~1")], loose, "offset deltas");
    common::git(
        repo.path(),
        &[
            "-c",
            "repack.useDeltaBaseOffset=false",
            "repack",
            "-adfq",
            "--window=250",
        ],
    );
    assert_eq!(
        [scan("HEAD"), scan("HEAD~1")],
        loose,
        "deltas naming their base"
    );
}

/// How many of the objects `ids` (one per line) are stored as deltas in `repo`.
fn stored_as_deltas(repo: &std::path::Path, ids: &[u8]) -> usize {
    let mut check = common::git_command(repo)
        .args(["cat-file", "--batch-check=%(deltabase)"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("git runs");
    std::io::Write::write_all(&mut check.stdin.take().unwrap(), ids).unwrap();
    let bases = String::from_utf8(check.wait_with_output().unwrap().stdout).unwrap();
    bases
        .lines()
        .filter(|b| !b.trim_matches('0').is_empty())
        .count()
}

/// Pins issue 10 item 13: a reader that closes the pipe early (`| head -1`) is not an
/// error. practrace stops quietly with exit 0, as ripgrep and git do; it used to print
/// `error: writing to stdout: Broken pipe` and exit 2.
#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    use std::io::Read;
    let repo = common::fixture_repo("basic");
    // The matrix is written as it is rendered: a renderer's own error (CSV's) wrapping the
    // closed pipe must end as quietly.
    let runs: [&[&str]; 7] = [
        &["status", "--format", "json", "--no-cache"],
        &["status", "--format", "json", "--rev", "HEAD"],
        &["status", "--format", "json", "--rev", "HEAD"],
        &["matrix", "--format", "json", "--no-cache"],
        &["matrix", "--format", "html", "--no-cache"],
        &["matrix", "--format", "csv", "--no-cache"],
        &["matrix", "--format", "markdown", "--no-cache"],
    ];
    for extra in runs {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_practrace"))
            .args(extra)
            .arg("--repo")
            .arg(repo.path())
            .env("XDG_CACHE_HOME", common::cache_home())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 1];
        stdout.read_exact(&mut first).unwrap();
        // The report is far larger than a pipe's buffer: the writer meets the closed end.
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{extra:?}");
        assert_eq!(out.status.code(), Some(0), "{extra:?}");
    }
}

/// Pins issue 10 item 12: `matrix -o FILE` picks the format from the file's extension
/// when `--format` is absent (it wrote HTML into `matrix.xlsx`), and a `--format` that
/// contradicts the extension is refused (exit 2) rather than obeyed.
#[test]
fn the_output_file_name_picks_the_matrix_format() {
    let repo = common::fixture_repo("basic");
    let out = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_practrace"))
            .args(["matrix", "--no-cache", "--repo"])
            .arg(repo.path())
            .args(args)
            .output()
            .unwrap()
    };
    let file = |name: &str| out.path().join(name).to_str().unwrap().to_string();
    for (name, starts) in [
        ("m.xlsx", &b"PK\x03\x04"[..]),
        ("m.html", b"<!DOCTYPE html>"),
        ("m.json", b"{"),
        ("m.md", b"# "),
        ("m.csv", b"process_area,"),
        ("m.txt", b"<!DOCTYPE html>"),
    ] {
        let done = run(&["-o", &file(name)]);
        assert!(
            matches!(done.status.code(), Some(0 | 1)),
            "{name}: {}",
            String::from_utf8_lossy(&done.stderr)
        );
        let bytes = std::fs::read(file(name)).unwrap();
        assert!(bytes.starts_with(starts), "{name}: {:?}", &bytes[..20]);
    }
    let refused = run(&["--format", "html", "-o", &file("n.xlsx")]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("--format html does not match"), "{stderr}");
    assert!(!out.path().join("n.xlsx").exists());
    // Both given and agreeing is fine.
    let agreed = run(&["--format", "csv", "-o", &file("n.csv")]);
    assert!(matches!(agreed.status.code(), Some(0 | 1)));
}

/// Pins issue 10 item 8: `verify` notices that the configuration, the scan options or the
/// model differ from the report's (it said "unchanged", exit 0, after an area was added to
/// `not_applicable`), and says what the change affects.
#[test]
fn verify_notices_another_configuration_options_or_model() {
    let repo = common::fixture_repo("adoption");
    let dir = repo.path().to_str().unwrap();
    let reports = tempfile::tempdir().unwrap();
    let report = |name: &str, extra: &[&str]| {
        let mut args = vec!["status", "--format", "json", "--no-cache", "--repo", dir];
        args.extend_from_slice(extra);
        let out = common::practrace(&args);
        let path = reports.path().join(name);
        std::fs::write(&path, out.stdout).unwrap();
        path.to_str().unwrap().to_string()
    };
    let verify = |path: &str| {
        let out = common::practrace(&["verify", path, "--repo", dir, "--format", "json"]);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code(), json["findings"].clone())
    };
    let now = report("now.json", &[]);
    let limited = report("limited.json", &["--max-ids", "5"]);
    // A report made with another model: the same report with another model digest (the
    // fixture's configuration names PA19, which a smaller model does not have).
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&now).unwrap()).unwrap();
    json["model"]["digest"] = "0123456789abcdef".into();
    let other_model = reports.path().join("other-model.json");
    std::fs::write(&other_model, json.to_string()).unwrap();
    let other_model = other_model.to_str().unwrap().to_string();
    assert_eq!(verify(&now), (Some(0), serde_json::json!([])));
    // Other scan options: a configuration finding, though the file is the same.
    let (code, findings) = verify(&limited);
    assert_eq!(code, Some(1));
    assert_eq!(findings[0]["change"], "config-changed");
    assert!(
        findings[0]["affects"][0]
            .as_str()
            .unwrap()
            .contains("scan options differ")
    );
    // Another model.
    let (code, findings) = verify(&other_model);
    assert_eq!(code, Some(1));
    assert!(
        findings
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["change"] == "model-changed")
    );
    // The configuration declares one more area not applicable and raises a target.
    let config = repo.path().join(".practrace.yaml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("  - practice: PA18\n    reason: training is the parent's job\n");
    text.push_str("targets: {PA02: 2}\n");
    std::fs::write(&config, text).unwrap();
    let (code, findings) = verify(&now);
    assert_eq!(code, Some(1));
    assert_eq!(findings[0]["change"], "config-changed");
    assert_eq!(findings[0]["path"], ".practrace.yaml");
    let affects: Vec<&str> = findings[0]["affects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(
        affects[0].starts_with("not applicable now: BP.18.01,"),
        "{affects:?}"
    );
    assert!(affects.contains(&"target of PA02: 1 -> 2"), "{affects:?}");
}
