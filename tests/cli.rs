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

/// Pins issue 10 item 13: a reader that closes the pipe early (`| head -1`) is not an
/// error. practrace stops quietly with exit 0, as ripgrep and git do; it used to print
/// `error: writing to stdout: Broken pipe` and exit 2.
#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    use std::io::Read;
    let repo = common::fixture_repo("basic");
    for extra in [&["--no-cache"][..], &["--rev", "HEAD"], &["--rev", "HEAD"]] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_practrace"))
            .args(["status", "--format", "json", "--repo"])
            .arg(repo.path())
            .args(extra)
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
