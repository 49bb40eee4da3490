//! What teams write in the field (issue 10), on the `field` fixture repository
//! (`fixtures/repos/field.sh`): prose that wraps at `practice:` in a commit message, and a
//! tag git does not read.

mod common;

use serde_json::Value;

/// `status --format json` of the fixture, at HEAD (`--no-cache`: what the scan finds).
fn status(repo: &std::path::Path) -> Value {
    common::practrace_json(&[
        "status",
        "--repo",
        repo.to_str().unwrap(),
        "--rev",
        "HEAD",
        "--format",
        "json",
        "--no-cache",
    ])
}

/// The id of the commit whose subject is `subject`.
fn commit_id(repo: &std::path::Path, subject: &str) -> String {
    let log = String::from_utf8(common::git(repo, &["log", "--format=%H %s"])).unwrap();
    log.lines()
        .find_map(|l| {
            l.strip_suffix(subject)?
                .strip_suffix(' ')
                .map(str::to_string)
        })
        .unwrap_or_else(|| panic!("no commit {subject:?} in\n{log}"))
}

/// The diagnostics of one code, as (commit or path, line, column).
fn located(report: &Value, code: &str) -> Vec<(String, u64, u64)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| {
            let place = d["path"].as_str().or(d["commit"].as_str()).unwrap();
            let n = |k: &str| d[k].as_u64().unwrap_or(0);
            (place.to_string(), n("line"), n("column"))
        })
        .collect()
}

/// Issue 10, item 7: git/git 3689539127f7 wraps a sentence as "in\npractice: you
/// over-allocate…", and that line got `trailer-outside-block`. Pins that a line outside
/// the block warns only when its value holds something shaped like a practice id (here
/// lenient ones, `bp.5.2` and `GP.2.1.3@PA05` in parentheses).
#[test]
fn prose_at_practice_colon_is_not_a_warning_but_an_id_is() {
    let repo = common::fixture_repo("field");
    let report = status(repo.path());
    let discussed = commit_id(repo.path(), "Discuss the plan");
    assert_eq!(
        located(&report, "trailer-outside-block"),
        [(discussed, 3, 1)],
        "{:#}",
        report["diagnostics"]
    );
}
