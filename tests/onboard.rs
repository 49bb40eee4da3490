//! The first ten minutes (issue 15): `init` on fixture repositories followed by `check`,
//! `new` followed by `status`, what `init` refuses, `-C`, and the completions and manual
//! page. Each test builds its repositories afresh in temporary folders, since `init` and
//! `new` write into them.

mod common;

use std::path::Path;

use common::{fixture_repo, git, practrace_in, snapshot};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn status_json(dir: &Path) -> serde_json::Value {
    let out = practrace_in(dir, &["status", "--format", "json"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// The achieved level of every area, by id (`None`: not rated).
fn levels(report: &serde_json::Value) -> Vec<(String, Option<u64>, u64)> {
    report["process_areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_string(),
                a["achieved_level"].as_u64(),
                a["target_level"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Runs `init` in `dir` and asserts it succeeded and wrote `.practrace.yaml`.
fn init(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["init"];
    all.extend_from_slice(args);
    let out = practrace_in(dir, &all);
    assert_eq!(out.status.code(), Some(0), "init: {}", stderr(&out));
    std::fs::read_to_string(dir.join(".practrace.yaml")).expect("init wrote .practrace.yaml")
}

/// Pins the promise of `init`: the check passes right after it (on a repository with no
/// commit, and on one with tags and vendored folders whose invalid tags it ignores), today's
/// levels are unchanged, and every area that reached a level targets exactly that level.
#[test]
fn init_then_check_passes_and_keeps_todays_levels() {
    let empty = tempfile::tempdir().unwrap();
    git(empty.path(), &["init", "-q"]);
    let tagged = fixture_repo("onboard");
    for dir in [empty.path(), tagged.path()] {
        let before = levels(&status_json(dir));
        let out = practrace_in(dir, &["check"]);
        let failed_before = out.status.code();
        init(dir, &[]);
        let out = practrace_in(dir, &["check"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "check after init in {dir:?} (before: {failed_before:?}):\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            stderr(&out)
        );
        let after = levels(&status_json(dir));
        for ((id, was, _), (_, now, target)) in before.iter().zip(&after) {
            assert_eq!(was, now, "{id}: init changed today's level");
            assert_eq!(
                *target,
                now.unwrap_or(0),
                "{id}: target is not today's level"
            );
        }
    }
    // The tagged fixture failed before: its vendored README's tags are errors, and every
    // area was below the default target of 1.
    let fresh = fixture_repo("onboard");
    assert_eq!(
        practrace_in(fresh.path(), &["check"]).status.code(),
        Some(1)
    );
}

/// Pins how `init` treats vendored folders: one with no evidence is ignored (its invalid
/// tags stop failing the check), one with evidence is only suggested, commented out, since
/// ignoring it would lower PA01.
#[test]
fn init_ignores_vendored_folders_without_evidence_only() {
    let repo = fixture_repo("onboard");
    let config = init(repo.path(), &[]);
    assert!(config.contains("\nignore:\n"), "{config}");
    assert!(config.contains("\n  - \"vendor/**\""), "{config}");
    assert!(config.contains("\n#   - \"third_party/**\""), "{config}");
    assert!(config.contains("in 4 file(s) and 1 commit(s)"), "{config}");
    let report = status_json(repo.path());
    let paths = common::evidence(&report, "BP.01.03");
    assert_eq!(paths, ["third_party/handbook/training.md"]);
    assert!(
        report["diagnostics"].as_array().unwrap().is_empty(),
        "{}",
        report["diagnostics"]
    );
}

/// Pins `init` on a repository with bad tags of its own (the basic fixture): no area is
/// below its target afterwards; the check still fails on the bad tags, and init says so.
#[test]
fn init_on_a_repository_with_bad_tags_adopts_levels_and_names_the_errors() {
    let repo = fixture_repo("basic");
    let out = practrace_in(repo.path(), &["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("7 error(s) in the repository today"),
        "{}",
        stderr(&out)
    );
    let out = practrace_in(repo.path(), &["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(!codes.contains(&"below-target"), "{codes:?}");
    assert!(codes.contains(&"unknown-practice"), "{codes:?}");
}

/// Pins `init --ci`: the workflow file beside the configuration, and for GitLab a file to
/// include, never `.gitlab-ci.yml` itself.
#[test]
fn init_writes_the_ci_file_and_never_the_gitlab_pipeline() {
    let repo = fixture_repo("onboard");
    init(repo.path(), &["--ci", "github"]);
    let workflow =
        std::fs::read_to_string(repo.path().join(".github/workflows/practrace.yml")).unwrap();
    assert!(workflow.contains("practrace check --base \"origin/$BASE_REF\" --format github"));
    assert!(workflow.contains("fetch-depth: 0"));

    let repo = fixture_repo("onboard");
    std::fs::write(
        repo.path().join(".gitlab-ci.yml"),
        "build: {script: [make]}\n",
    )
    .unwrap();
    init(repo.path(), &["--ci", "gitlab"]);
    let job = std::fs::read_to_string(repo.path().join(".gitlab/practrace.yml")).unwrap();
    assert!(job.contains("practrace check --base \"origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME\""));
    assert_eq!(
        std::fs::read_to_string(repo.path().join(".gitlab-ci.yml")).unwrap(),
        "build: {script: [make]}\n"
    );
}

/// Pins that `init` never replaces anything: a workflow already there (or a symlink, even
/// a dangling one, where the configuration would go) is exit 2 naming it, and nothing at
/// all is written, not even the files that were free.
#[cfg(unix)]
#[test]
fn init_refuses_existing_files_and_symlinks_and_writes_nothing() {
    let repo = fixture_repo("onboard");
    let workflows = repo.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::write(workflows.join("practrace.yml"), "mine\n").unwrap();
    let before = snapshot(repo.path());
    let out = practrace_in(repo.path(), &["init", "--ci", "github"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(".github/workflows/practrace.yml exists already"),
        "{}",
        stderr(&out)
    );
    assert_eq!(snapshot(repo.path()), before, "init wrote something");

    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("config.yaml");
    std::os::unix::fs::symlink(&target, repo.path().join(".practrace.yaml")).unwrap();
    let out = practrace_in(repo.path(), &["init"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(".practrace.yaml exists already"),
        "{}",
        stderr(&out)
    );
    assert!(!target.exists(), "init wrote through the symlink");
}

/// Pins `new`: the file it starts is evidence at once (untracked, in the working tree),
/// for a base practice and for a generic practice of one area, from a subfolder too.
#[test]
fn new_then_status_finds_the_evidence() {
    let repo = fixture_repo("basic");
    let docs = repo.path().join("docs");
    let out = practrace_in(&docs, &["new", "BP.02.02", "assets/inventory.md"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = practrace_in(
        repo.path(),
        &["new", "gp.2.1.1@pa2", "docs/impact-resources.md"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = status_json(repo.path());
    assert_eq!(
        common::evidence(&report, "BP.02.02"),
        ["docs/assets/inventory.md"]
    );
    assert_eq!(
        common::evidence(&report, "GP.2.1.1@PA02"),
        ["docs/impact-resources.md"]
    );
    let new_problems: Vec<&serde_json::Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            d["path"]
                .as_str()
                .is_some_and(|p| p.contains("inventory") || p.contains("impact"))
        })
        .collect();
    assert!(new_problems.is_empty(), "{new_problems:?}");
    // A second time: refused, the file kept.
    let before = std::fs::read(docs.join("assets/inventory.md")).unwrap();
    let out = practrace_in(&docs, &["new", "BP.02.03", "assets/inventory.md"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read(docs.join("assets/inventory.md")).unwrap(),
        before
    );
}

/// Pins `new`'s notes when practrace will not read the file: git ignores it, or it is
/// outside the repository.
#[test]
fn new_says_when_the_file_will_not_be_read() {
    let repo = fixture_repo("basic");
    let out = practrace_in(repo.path(), &["new", "BP.02.02", "ignored/assets.md"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("git ignores ignored/assets.md"),
        "{}",
        stderr(&out)
    );
    let outside = tempfile::tempdir().unwrap();
    let path = outside.path().join("assets.md");
    let out = practrace_in(repo.path(), &["new", "BP.02.02", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("is outside the repository"),
        "{}",
        stderr(&out)
    );
    let out = practrace_in(repo.path(), &["-q", "new", "BP.02.03", "ignored/more.md"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "", "-q keeps notes off stderr");
}

/// Pins `-C DIR` (before the command, as git): the same report as running in DIR, and
/// `init` writes into DIR's repository.
#[test]
fn dash_c_runs_as_if_started_there() {
    let repo = fixture_repo("onboard");
    let elsewhere = tempfile::tempdir().unwrap();
    let dir = repo.path().to_str().unwrap();
    let report = |out: std::process::Output| -> serde_json::Value {
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let mut report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        // The repository as given: `.` there, DIR from elsewhere.
        report["source"]["repo"] = serde_json::Value::Null;
        report
    };
    let there = report(practrace_in(repo.path(), &["status", "--format", "json"]));
    let from_c = practrace_in(elsewhere.path(), &["-C", dir, "status", "--format", "json"]);
    assert!(there == report(from_c), "-C DIR reports another state");
    let out = practrace_in(elsewhere.path(), &["-C", dir, "init"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(repo.path().join(".practrace.yaml").is_file());
    assert!(!elsewhere.path().join(".practrace.yaml").exists());
}

/// Pins `completions` and `man`: a script for each shell that knows the subcommands, and a
/// roff page that lists them.
#[test]
fn completions_and_the_manual_page_know_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let commands = [
        "init", "new", "list", "explain", "status", "check", "matrix",
    ];
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = practrace_in(dir.path(), &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let script = String::from_utf8(out.stdout).unwrap();
        for command in commands {
            assert!(
                script.contains(command),
                "{shell} completions lack {command}"
            );
        }
    }
    let out = practrace_in(dir.path(), &["man"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.starts_with(".ie") || page.contains(".TH practrace"),
        "{page}"
    );
    assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
    for command in commands {
        assert!(
            page.contains(&format!("practrace\\-{command}")),
            "the page lacks {command}"
        );
    }
    let out = practrace_in(dir.path(), &["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}
