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

/// A copy of one of the clones, to fetch into (the shared clones stay as built).
fn copy_of(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join(name);
    let copied = std::process::Command::new("cp")
        .arg("-R")
        .arg(shape(name))
        .arg(&repo)
        .status()
        .unwrap();
    assert!(copied.success());
    (dir, repo)
}

/// The one `objects-absent` diagnostic of a report (and no `unreadable-file`).
fn the_absent_diagnostic(report: &serde_json::Value) -> serde_json::Value {
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let codes: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(!codes.contains(&"unreadable-file"), "{codes:?}");
    let absent: Vec<&serde_json::Value> = diagnostics
        .iter()
        .filter(|d| d["code"] == "objects-absent")
        .collect();
    assert_eq!(absent.len(), 1, "{diagnostics:#?}");
    assert_eq!(absent[0]["severity"], "error");
    absent[0].clone()
}

/// Runs the fetch a diagnostic suggests, in `repo`, as a user would (a shell pipeline).
fn run_suggestion(repo: &Path, diagnostic: &serde_json::Value) {
    let command = diagnostic["suggestion"].as_str().expect("a fetch command");
    let status = std::process::Command::new("sh")
        .args(["-c", command])
        .current_dir(repo)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()
        .unwrap();
    assert!(status.success(), "{command}");
}

/// Pins issue 11 item 2: in a blobless clone, an old revision gave one `unreadable-file`
/// error per absent blob ("object not found - cannot read header"), a treeless clone
/// stopped on a bare object id, and a sparse blobless checkout (actions/checkout's
/// `sparse-checkout`) lost the files outside the cone. Now: the evidence of every object
/// present is the full clone's, one `objects-absent` error names what is not, and the fetch
/// it suggests makes the report the full clone's, byte for byte.
#[test]
fn partial_clones_say_once_what_their_filter_left_out() {
    let full_head = report(&shape("full"), &["status", "--rev", "HEAD"]);
    let full_base = report(&shape("full"), &["status", "--rev", "base"]);
    let full_tree = report(&shape("full"), &["status"]);
    // What the checkout fetched is all there: HEAD reads as in a full clone.
    for name in ["blobless", "treeless"] {
        assert_same(&report(&shape(name), &["status"]), &full_tree, name);
        let head = report(&shape(name), &["status", "--rev", "HEAD"]);
        assert_same(&head, &full_head, &format!("{name} at HEAD"));
    }
    // Shallow and blobless: HEAD's files all there, the history cut (and said so).
    let shallow = report(&shape("shallow-blobless"), &["status", "--rev", "HEAD"]);
    let codes: Vec<&str> = shallow["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"shallow-history"), "{codes:?}");
    assert!(!codes.contains(&"objects-absent") && !codes.contains(&"unreadable-file"));
    assert_eq!(evidence_paths(&shallow), evidence_paths(&full_head));
    // A blobless clone's old revision: what is present, and one diagnostic for the rest.
    let (_keep, blobless) = copy_of("blobless");
    let base = report(&blobless, &["status", "--rev", "base"]);
    let absent = the_absent_diagnostic(&base);
    let message = absent["message"].as_str().unwrap();
    assert!(message.starts_with("5 files of revision "), "{message}");
    for path in ["docs/old.md", "tools/other/other.md", "README.md"] {
        assert!(message.contains(path), "{message}");
    }
    let known = evidence_paths(&base);
    assert!(known.contains(&"docs/plan.md".to_string()), "{known:?}");
    let all = evidence_paths(&full_base);
    assert!(known.iter().all(|p| all.contains(p)), "{known:?} ⊄ {all:?}");
    assert!(!known.contains(&"docs/old.md".to_string()));
    run_suggestion(&blobless, &absent);
    let fetched = report(&blobless, &["status", "--rev", "base"]);
    assert_same(&fetched, &full_base, "blobless at base, fetched");
    // A sparse blobless checkout: the files outside the cone, named once.
    let (_keep, sparse) = copy_of("sparse-blobless");
    let worktree = report(&sparse, &["status"]);
    let absent = the_absent_diagnostic(&worktree);
    let message = absent["message"].as_str().unwrap();
    assert!(
        message.contains(" files of the index are not in this partial clone"),
        "{message}"
    );
    run_suggestion(&sparse, &absent);
    assert_same(
        &report(&sparse, &["status"]),
        &full_tree,
        "sparse blobless, fetched",
    );
}

/// Pins issue 11 item 2 for treeless clones: an old revision stopped with "object not
/// found - no match for id (…)". It stops (its configuration cannot be read) with the
/// fetch to run, and after it reads as the full clone.
#[test]
fn a_treeless_clone_says_how_to_fetch_an_old_revision() {
    let (_keep, treeless) = copy_of("treeless");
    let repo = treeless.to_str().unwrap();
    let said = refusal(&["status", "--repo", repo, "--rev", "base", "--no-cache"]);
    assert!(said.contains("is not in this partial clone"), "{said}");
    let command = said
        .split('`')
        .find(|part| part.starts_with("git rev-list"))
        .unwrap_or_else(|| panic!("no fetch command in {said}"));
    run_suggestion(&treeless, &serde_json::json!({ "suggestion": command }));
    let full_base = report(&shape("full"), &["status", "--rev", "base"]);
    assert_same(
        &report(&treeless, &["status", "--rev", "base"]),
        &full_base,
        "treeless at base, fetched",
    );
}

/// Pins issue 11 item 2: in a treeless clone the matrix's last-commit walk compared each
/// commit with a parent tree that is not there as if it were empty, and named the newest
/// commit as every file's last change; `trace` linked commits to files the same way. No
/// commit is named that the full clone would not name, and a note says the history is
/// incomplete. A blobless clone has every tree: its matrix is the full clone's.
#[test]
fn an_incomplete_history_names_no_wrong_last_commit() {
    let csv = |name: &str| {
        let repo = shape(name);
        let out = practrace(&[
            "matrix",
            "--repo",
            repo.to_str().unwrap(),
            "--format",
            "csv",
            "--no-cache",
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (full, _) = csv("full");
    let (blobless, _) = csv("blobless");
    assert_eq!(blobless, full);
    let (treeless, note) = csv("treeless");
    assert!(note.contains("the history is incomplete"), "{note}");
    assert!(
        note.contains("git fetch --refetch --filter=blob:none origin"),
        "{note}"
    );
    let records = |text: &str| -> Vec<csv::StringRecord> {
        csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(Result::unwrap)
            .collect()
    };
    let (t_rows, f_rows) = (records(&treeless), records(&full));
    assert_eq!(t_rows.len(), f_rows.len());
    let mut named = 0;
    for (t, f) in t_rows.iter().zip(&f_rows) {
        // A row's last commit is the full clone's, or none at all.
        assert!(
            t.iter().zip(f).all(|(a, b)| a == b || a.is_empty()),
            "{t:?} vs {f:?}"
        );
        named += usize::from(t == f && !t[15].is_empty());
    }
    assert!(named > 0);
    let repo = shape("treeless");
    let out = practrace(&[
        "trace",
        "docs/plan.md",
        "--repo",
        repo.to_str().unwrap(),
        "--no-cache",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("commit "), "{text}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("the history is incomplete"));
}

/// practrace with a cache folder of its own.
fn practrace_cached(cache: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_practrace"))
        .args(args)
        .env("XDG_CACHE_HOME", cache)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// Pins issue 11 item 2 for the gate: `check --base` in a blobless clone, on a change
/// that deletes one evidence file, edits one and adds one. With base's summary in the
/// cache (a CI cache restored at the checkout's path), its findings are the full clone's,
/// byte for byte. Without it, base's changed files are absent: the gate claims nothing
/// about them, and fails on one `objects-absent` finding that says what to fetch.
#[test]
fn check_base_in_a_blobless_clone() {
    let findings = |out: &std::process::Output| {
        let json: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
        json["findings"].clone()
    };
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let checkout = dir.path().join("checkout");
    let repo = checkout.to_str().unwrap();
    let args = [
        "check", "--repo", repo, "--base", "base", "--format", "json",
    ];
    // The full clone's verdict, which also fills the cache.
    let copied = std::process::Command::new("cp")
        .arg("-R")
        .arg(shape("full"))
        .arg(&checkout)
        .status()
        .unwrap();
    assert!(copied.success());
    let full = practrace_cached(&cache, &args);
    assert_eq!(full.status.code(), Some(1));
    let kinds: Vec<String> = findings(&full)
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {}", f["code"], f["path"]))
        .collect();
    for kind in [
        r#""evidence-lost" "docs/old.md""#,
        r#""evidence-added" "docs/new.md""#,
        r#""evidence-lost" "tools/other/other.md""#,
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    // The same path, now a blobless clone of the same source.
    std::fs::remove_dir_all(&checkout).unwrap();
    let source = format!("file://{}", shape("source").display());
    let cloned = [
        "clone",
        "-q",
        "--no-local",
        "--filter=blob:none",
        &source,
        repo,
    ];
    git(dir.path(), &cloned);
    let blobless = practrace_cached(&cache, &args);
    assert_eq!(blobless.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&blobless.stdout),
        String::from_utf8_lossy(&full.stdout)
    );
    // No cache: base's changed files are not here.
    let mut uncached = args.to_vec();
    uncached.push("--no-cache");
    let out = practrace_cached(&cache, &uncached);
    assert_eq!(out.status.code(), Some(1));
    let findings = findings(&out);
    let findings = findings.as_array().unwrap();
    let absent: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["code"] == "objects-absent")
        .collect();
    assert_eq!(absent.len(), 1, "{findings:#?}");
    assert_eq!(absent[0]["fails"], true);
    assert!(absent[0]["message"].as_str().unwrap().starts_with("base: "));
    for path in ["docs/old.md", "tools/other/other.md"] {
        assert!(
            !findings.iter().any(|f| f["path"] == path),
            "nothing is claimed about {path}: {findings:#?}"
        );
    }
}

/// Pins a bug found using `history` on a blobless clone of golang/net: a point was derived
/// from a previous point whose scan could not see absent objects, and carried its
/// `objects-absent` error and its partial evidence forward. A point after an incomplete
/// one is scanned in full: at HEAD (all of whose blobs the checkout fetched) it is the full
/// clone's.
#[test]
fn history_never_derives_from_a_point_that_could_not_see_everything() {
    let history = |repo: &Path| {
        let repo = repo.to_str().unwrap();
        let args = [
            "history",
            "--repo",
            repo,
            "--revs",
            "base,HEAD",
            "--format",
            "json",
            "--no-cache",
        ];
        let out = practrace(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("JSON")
    };
    let full = history(&shape("full"));
    let blobless = history(&shape("blobless"));
    let (base, head) = (&blobless["points"][0], &blobless["points"][1]);
    assert_eq!(
        base["diagnostics"]["errors"], 1,
        "the base point says what is absent"
    );
    assert_eq!(head["scan"], "full", "not derived from an incomplete point");
    assert_eq!(head["diagnostics"], full["points"][1]["diagnostics"]);
    assert_eq!(head["process_areas"], full["points"][1]["process_areas"]);
    assert_eq!(head["evidence"], full["points"][1]["evidence"]);
}
