//! What teams write in the field (issue 10), on the `field` fixture repository
//! (`fixtures/repos/field.sh`): prose that wraps at `practice:` in a commit message, a tag
//! git does not read, and misspelt keys.

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

/// Issue 10, item 6: front matter `Practices:`, `practice:`, `pratices:` and trailers
/// `Practices:`, `Pratice:`, `Practise:` gave no diagnostic, and their evidence silently
/// vanished. Pins a `misspelt-key` warning at each key (file line and column, or message
/// line), with the key as the suggestion; and that common keys (`process_areas`, `title`,
/// `tags`, `prices`, …) and the key in another case in a trailer (`PRACTICE:`) stay quiet.
#[test]
fn misspelt_keys_are_warnings_at_the_key() {
    let repo = common::fixture_repo("field");
    let report = status(repo.path());
    let parser = commit_id(repo.path(), "Assess the parser");
    let lexer = commit_id(repo.path(), "Assess the lexer");
    let mut want = vec![
        ("docs/singular.md".to_string(), 3, 1),
        ("docs/typo.md".to_string(), 2, 1),
        ("docs/upper.md".to_string(), 2, 1),
        (parser.clone(), 3, 1),
        (parser, 4, 1),
        (lexer, 3, 1),
    ];
    let mut got = located(&report, "misspelt-key");
    got.sort();
    want.sort();
    assert_eq!(got, want, "{:#}", report["diagnostics"]);
    for d in report["diagnostics"].as_array().unwrap() {
        if d["code"] == "misspelt-key" {
            assert_eq!(d["severity"], "warning");
            let key = if d["path"].is_string() {
                "practices"
            } else {
                "Practice"
            };
            assert_eq!(d["suggestion"], key);
            let message = d["message"].as_str().unwrap();
            assert!(
                message.ends_with(&format!("did you mean `{key}`?")),
                "{message}"
            );
        }
    }
    // What the misspelt keys list is not evidence; the key in another case is.
    assert!(common::evidence(&report, "BP.05.03").is_empty());
    assert_eq!(common::evidence(&report, "BP.05.04"), ["Assess the parser"]);
    // The gate shows them where they are, in compiler style.
    let out = common::practrace(&[
        "check",
        "--repo",
        repo.path().to_str().unwrap(),
        "--rev",
        "HEAD",
        "--no-cache",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("docs/upper.md:2:1: warning[misspelt-key]"),
        "{stdout}"
    );
}
