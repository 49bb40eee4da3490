//! Issue 11: every clone shape CI makes reads as the full clone does (fixtures/repos/clones.sh
//! builds them all from one source repository over file://), and the formats libgit2
//! cannot read are refused with one line that says so.

mod common;

use std::path::{Path, PathBuf};

use common::{fixture_repo, git, practrace};

/// The clones, built once for the whole test binary.
fn clones() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| fixture_repo("clones")).path()
}

fn shape(name: &str) -> PathBuf {
    clones().join(name)
}

/// `practrace ARGS --repo REPO --no-cache --format json`, exit 0 or 1, without the repository's
/// path (the one thing two clones' reports may differ in).
fn report(repo: &Path, args: &[&str]) -> serde_json::Value {
    let mut all: Vec<&str> = args.to_vec();
    let repo = repo.to_str().unwrap();
    all.extend(["--repo", repo, "--no-cache", "--format", "json"]);
    let out = practrace(&all);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "practrace {all:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    json["source"]
        .as_object_mut()
        .expect("a source")
        .remove("repo");
    json
}

/// Asserts two reports are equal, showing a line diff of their JSON when they are not.
fn assert_same(actual: &serde_json::Value, expected: &serde_json::Value, what: &str) {
    if actual == expected {
        return;
    }
    let (a, e) = (
        serde_json::to_string_pretty(actual).unwrap(),
        serde_json::to_string_pretty(expected).unwrap(),
    );
    let diff = similar::TextDiff::from_lines(e.as_str(), a.as_str());
    panic!(
        "{what}: the report differs from the full clone's:\n{}",
        diff.unified_diff()
            .context_radius(3)
            .header("full clone", what)
    );
}

/// The paths of the file evidence of a report, across all practices.
fn evidence_paths(report: &serde_json::Value) -> Vec<String> {
    let mut paths: Vec<String> = report["practices"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["evidence"].as_array().unwrap())
        .filter_map(|e| e["path"].as_str().map(str::to_string))
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// Pins issue 11 item 1: in a sparse checkout, the files outside the cone were reported
/// `unreadable-file` (or silently lost, below a folder that is not on disk), and a sparse
/// index was refused whole (libgit2 1.9: "unsupported mandatory extension 'sdir'"). They are
/// read from the object database, as git treats them, so the working-tree report is the
/// full clone's, byte for byte; and so is the report of HEAD.
#[test]
fn sparse_checkouts_read_as_a_full_clone() {
    let full = report(&shape("full"), &["status"]);
    let paths = evidence_paths(&full);
    for outside in ["docs/plan.md", "src/design/arch.md", "tools/other/other.md"] {
        assert!(paths.iter().any(|p| p == outside), "{outside} in {paths:?}");
    }
    let full_head = report(&shape("full"), &["status", "--rev", "HEAD"]);
    let saved = tempfile::tempdir().unwrap();
    let saved = saved.path().join("full.json");
    std::fs::write(&saved, serde_json::to_vec(&full).unwrap()).unwrap();
    for name in ["sparse", "sparse-index", "sparse-index-v4"] {
        let repo = shape(name);
        // The shape is what it claims: files outside the cone are not on disk, and the
        // sparse index keeps folders as single entries.
        assert!(!repo.join("docs/plan.md").exists(), "{name}");
        let listed = String::from_utf8(git(&repo, &["ls-files", "--sparse", "-t"])).unwrap();
        assert!(listed.contains("S docs/"), "{name}: {listed}");
        if name != "sparse" {
            let index = std::fs::read(repo.join(".git/index")).unwrap();
            assert!(index.windows(4).any(|w| w == b"sdir"), "{name}");
            let version = if name.ends_with("v4") { 4 } else { 3 };
            assert_eq!(index[4..8], [0, 0, 0, version], "{name}");
        }
        assert_same(&report(&repo, &["status"]), &full, name);
        let head = report(&repo, &["status", "--rev", "HEAD"]);
        assert_same(&head, &full_head, &format!("{name} at HEAD"));
        // `verify` sees the files outside the cone as git does: unchanged.
        let repo_arg = repo.to_str().unwrap();
        let verified = practrace(&["verify", saved.to_str().unwrap(), "--repo", repo_arg]);
        let said = String::from_utf8_lossy(&verified.stdout);
        assert_eq!(verified.status.code(), Some(0), "{name}: {said}");
        assert!(said.contains(" 0 changed or gone"), "{name}: {said}");
    }
}

/// Runs practrace and returns its stderr, asserting it exits 2 with exactly one line.
fn refusal(args: &[&str]) -> String {
    let out = practrace(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
    stderr
}

/// Every command that opens a repository, on `repo`.
fn openings(repo: &str) -> Vec<Vec<&str>> {
    vec![
        vec!["status", "--repo", repo],
        vec!["status", "--repo", repo, "--rev", "HEAD"],
        vec!["matrix", "--repo", repo, "--format", "csv"],
        vec!["check", "--repo", repo],
        vec!["trace", "BP.01.01", "--repo", repo],
    ]
}

fn assert_refused(repo: &Path, format: &str, extension: &str) {
    let repo = repo.to_str().unwrap();
    for args in openings(repo) {
        let said = refusal(&args);
        for part in [format, extension, "not support yet", "libgit2 2.0"] {
            assert!(said.contains(part), "{args:?}: {said}");
        }
    }
}

/// Pins issue 11 item 3: a SHA-256 repository stopped on libgit2's "unknown object format
/// 'sha256'" and a reftable one on "unsupported extension name extensions.refstorage",
/// neither saying what the repository is. Both are refused before libgit2 opens them, with
/// one line that names the format.
#[test]
fn sha256_and_reftable_repositories_are_refused_by_name() {
    assert_refused(
        &shape("sha256"),
        "SHA-256",
        "extensions.objectFormat = sha256",
    );
    // From a linked worktree, whose configuration is the main repository's.
    let linked = clones().join("sha256-linked");
    if !linked.exists() {
        git(
            &shape("sha256"),
            &["worktree", "add", "-q", linked.to_str().unwrap()],
        );
    }
    assert_refused(&linked, "SHA-256", "extensions.objectFormat = sha256");
    let reftable = shape("reftable");
    if reftable.exists() {
        assert_refused(&reftable, "reftable", "extensions.refStorage = reftable");
    } else {
        let version = String::from_utf8(git(clones(), &["--version"])).unwrap();
        eprintln!(
            "{}: no reftable repository can be made (git 2.45 or later makes them); the refusal is checked on a hand-written configuration only",
            version.trim()
        );
    }
    // Hand-written, whatever this git can make: the configuration alone decides.
    for (extension, value, format) in [
        ("refStorage", "reftable", "reftable"),
        ("objectFormat", "sha256", "SHA-256"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q"]);
        let config = dir.path().join(".git/config");
        let mut text = std::fs::read_to_string(&config).unwrap();
        text = text.replace("repositoryformatversion = 0", "repositoryformatversion = 1");
        text.push_str(&format!("[extensions]\n\t{extension} = {value}\n"));
        std::fs::write(&config, text).unwrap();
        assert_refused(
            dir.path(),
            format,
            &format!("extensions.{extension} = {value}"),
        );
    }
}

/// The user id this test runs as (`id -u`).
fn uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    // A file this process creates is owned by its effective user.
    let probe = tempfile::NamedTempFile::new().unwrap();
    probe.as_file().metadata().unwrap().uid()
}

/// practrace with a home of its own (no global `safe.directory` of the user's).
fn practrace_at_home(home: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_practrace"))
        .args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", common::cache_home())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// Pins issue 11 item 4: a repository owned by another user (a CI container's checkout)
/// stopped with exit 2 and libgit2's "not owned by current user", without git's fix. It
/// still exits 2, now with `git config --global --add safe.directory PATH`; and a
/// `safe.directory` in the global configuration is honoured. Giving a folder to another
/// user needs root: as any other user, this checks that an own repository opens and says
/// so on stderr (the message itself is pinned by `open::tests` in the library).
#[test]
fn a_repository_of_another_user_says_how_to_trust_it() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().canonicalize().unwrap().join("theirs");
    let copied = std::process::Command::new("cp")
        .args(["-R"])
        .arg(shape("full"))
        .arg(&repo)
        .status()
        .unwrap();
    assert!(copied.success());
    let inside = repo.join("docs");
    let args = ["status", "--repo", inside.to_str().unwrap(), "--no-cache"];
    if uid() != 0 {
        eprintln!(
            "not root (uid {}): cannot give a repository to another user; checking only that an own repository opens",
            uid()
        );
        let out = practrace_at_home(home.path(), &args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    let chowned = std::process::Command::new("chown")
        .args(["-R", "12345"])
        .arg(&repo)
        .status()
        .unwrap();
    assert!(chowned.success());
    let out = practrace_at_home(home.path(), &args);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert_eq!(said.trim_end().lines().count(), 1, "{said}");
    let fix = format!(
        "git config --global --add safe.directory {}`",
        repo.display()
    );
    assert!(said.contains("not owned by current user"), "{said}");
    assert!(said.trim_end().ends_with(&fix), "{said}");
    // Declared safe as git says: it opens.
    let config = format!("[safe]\n\tdirectory = {}\n", repo.display());
    std::fs::write(home.path().join(".gitconfig"), config).unwrap();
    let out = practrace_at_home(home.path(), &args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Pins issue 11 item 5: a commit whose message and author are ISO-8859-1 or Shift_JIS
/// (an `encoding` header) was read as UTF-8: its accented letters became U+FFFD in the
/// author and subject. Read as `git log` shows them, in the scan (commit evidence) and in
/// the matrix's last-commit column (file evidence).
#[test]
fn commits_in_other_encodings_read_as_git_log_shows_them() {
    let repo = shape("full");
    let log = git(
        &repo,
        &[
            "log",
            "-3",
            "--format=%H%x00%an <%ae>%x00%s%x00%(trailers:key=Practice,valueonly,separator=)%x00",
        ],
    );
    let log = String::from_utf8(log).expect("git log converts to UTF-8");
    let fields: Vec<&str> = log.split('\0').map(str::trim).collect();
    let status = report(&repo, &["status", "--rev", "HEAD"]);
    let mut seen = 0;
    for commit in fields.chunks(4).filter(|c| c.len() == 4) {
        let [id, author, subject, practice] = [commit[0], commit[1], commit[2], commit[3]];
        if practice.is_empty() {
            continue;
        }
        let evidence = &common::practice(&status, practice)["evidence"][0];
        assert_eq!(evidence["commit"], id);
        assert_eq!(evidence["author"], author, "{practice}");
        assert_eq!(evidence["subject"], subject, "{practice}");
        seen += 1;
    }
    assert_eq!(seen, 2, "{log}");
    assert!(log.contains("Zo\u{eb} \u{c6}r\u{f8}sk\u{f8}bing"), "{log}");
    assert!(log.contains("\u{8a2d}\u{8a08}"), "{log}");
    // The matrix's last commit of README.md is the Latin-1 one.
    let out = practrace(&[
        "matrix",
        "--repo",
        repo.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    let csv = String::from_utf8(out.stdout).unwrap();
    let readme = csv.lines().find(|l| l.contains(",README.md,")).unwrap();
    assert!(
        readme.contains("Zo\u{eb} \u{c6}r\u{f8}sk\u{f8}bing <author@example.com>"),
        "{readme}"
    );
    assert!(
        readme.contains("Revue de s\u{e9}curit\u{e9} termin\u{e9}e"),
        "{readme}"
    );
}
