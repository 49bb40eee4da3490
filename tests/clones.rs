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
