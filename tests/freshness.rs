//! Freshness (issue 13 §1): evidence older than its limit is shown stale and does not
//! count, measured to the scanned commit's date or `--as-of`; `check --base` tells
//! evidence that went stale from evidence that was lost. On `fixtures/repos/freshness.sh`,
//! whose header lists each piece of evidence and its date.

mod common;

use serde_json::Value;

/// `(stale, days)` of the evidence of `practice`.
fn age(report: &Value, practice: &str) -> (bool, i64) {
    let e = &common::practice(report, practice)["evidence"][0];
    let f = &e["freshness"];
    assert!(f.is_object(), "{practice} has no freshness: {e}");
    (f["stale"].as_bool().unwrap(), f["days"].as_i64().unwrap())
}

fn level(report: &Value, area: &str) -> Option<u64> {
    let a = report["process_areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == area)
        .unwrap();
    a["achieved_level"].as_u64()
}

fn status(repo: &std::path::Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "status",
        "--repo",
        repo.to_str().unwrap(),
        "--format",
        "json",
        "--no-cache",
    ];
    args.extend_from_slice(extra);
    common::practrace_json(&args)
}

#[test]
fn evidence_just_inside_counts_and_just_outside_does_not() {
    let repo = common::fixture_repo("freshness");
    let report = status(repo.path(), &[]);
    assert_eq!(report["freshness"]["as_of"], "2026-04-01T00:00:00Z");
    // Exactly 90 days: fresh. One second more: stale.
    assert_eq!(age(&report, "BP.01.02"), (false, 90));
    assert_eq!(age(&report, "BP.01.01"), (true, 90));
    // A trailer is dated by its commit.
    assert_eq!(age(&report, "BP.01.03"), (false, 31));
    // The area's own limit (PA08: 30d) wins over max_age; the practice's (2y) over both.
    assert_eq!(age(&report, "BP.08.01"), (true, 59));
    assert_eq!(age(&report, "BP.01.04"), (false, 455));
    // Authored a year ago, committed yesterday (a rebase): the author date counts.
    assert_eq!(age(&report, "BP.02.01"), (true, 304));
    let stale: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "stale-evidence")
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        stale,
        ["docs/monitor.md", "docs/old.md", "docs/rebased.md"],
        "one warning per stale piece of evidence"
    );
}

#[test]
fn levels_drop_with_staleness_and_as_of_moves_the_reference() {
    let repo = common::fixture_repo("freshness");
    // On 2026-01-15 all of PA01's evidence is fresh: level 1.
    let early = status(repo.path(), &["--as-of", "2026-01-15"]);
    assert_eq!(early["freshness"]["as_of"], "2026-01-15T23:59:59Z");
    assert_eq!(level(&early, "PA01"), Some(1));
    assert_eq!(age(&early, "BP.01.01"), (false, 15));
    // At HEAD's date BP.01.01 is stale: PA01 falls to 0 and lists it missing.
    let now = status(repo.path(), &[]);
    assert_eq!(level(&now, "PA01"), Some(0));
    let pa01 = now["process_areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "PA01")
        .unwrap();
    assert!(
        pa01["levels"][0]["missing"]
            .as_array()
            .unwrap()
            .contains(&Value::from("BP.01.01"))
    );
    // Three months on, the trailer is stale too.
    let late = status(repo.path(), &["--as-of", "2026-07-01"]);
    assert_eq!(age(&late, "BP.01.03"), (true, 122));
    // A bad date is a usage error, not a scan.
    let out = common::practrace(&[
        "status",
        "--repo",
        repo.path().to_str().unwrap(),
        "--as-of",
        "last tuesday",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

/// The reference is the commit's date, not the clock: a revision gives the same bytes
/// on every run, and the same ages as the working tree at that commit.
#[test]
fn a_revision_gives_the_same_bytes_every_run() {
    let repo = common::fixture_repo("freshness");
    let path = repo.path().to_str().unwrap();
    let run = || {
        common::practrace(&[
            "status", "--repo", path, "--rev", "HEAD", "--format", "json",
        ])
        .stdout
    };
    let first = run();
    assert_eq!(first, run());
    let cold: Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(age(&cold, "BP.01.01"), (true, 90));
}

/// Without `freshness:` nothing changes: no ages, no reference date, no warnings.
#[test]
fn no_freshness_configured_no_ages() {
    let repo = common::fixture_repo("basic");
    let report = status(repo.path(), &["--as-of", "now"]);
    assert!(report.get("freshness").is_none());
    let text = report.to_string();
    assert!(!text.contains("\"stale\""), "no evidence carries an age");
}

/// The ages of files come from the same last commits the matrix shows.
#[test]
fn matrix_dates_are_the_last_commits() {
    let repo = common::fixture_repo("freshness");
    let out = common::practrace(&[
        "matrix",
        "--repo",
        repo.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    for (practice, path) in [("BP.01.01", "docs/old.md"), ("BP.02.01", "docs/rebased.md")] {
        let e = &common::practice(&report, practice)["evidence"][0];
        let git_says = String::from_utf8(common::git(
            repo.path(),
            &["log", "-1", "--format=%aI", "--", path],
        ))
        .unwrap();
        // git writes UTC as `Z`, the report as `+00:00`: the same instant.
        let git_says = git_says.trim().replace('Z', "+00:00");
        assert_eq!(e["last_commit"]["date"], git_says.as_str(), "{path}");
        assert_eq!(e["freshness"]["date"], e["last_commit"]["date"]);
    }
    let csv = common::practrace(&[
        "matrix",
        "--repo",
        repo.path().to_str().unwrap(),
        "--format",
        "csv",
    ]);
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert!(csv.contains("stale: 90 days old, limit 90d"), "{csv}");
}

/// `check --base`: evidence still there but stale is `evidence-stale`, not `evidence-lost`.
#[test]
fn check_tells_stale_from_lost() {
    let repo = common::fixture_repo("freshness");
    let out = common::practrace(&[
        "check",
        "--repo",
        repo.path().to_str().unwrap(),
        "--base",
        "HEAD~1",
        "--rev",
        "HEAD",
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = report.to_string();
    assert!(!text.contains("evidence-lost"), "{text}");
    let findings = report["findings"].as_array().unwrap();
    let stale: Vec<&str> = findings
        .iter()
        .filter(|f| f["code"] == "evidence-stale")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(stale, ["docs/monitor.md", "docs/old.md", "docs/rebased.md"]);
    assert!(
        findings.iter().any(
            |f| f["code"] == "level-lowered" && f["message"].as_str().unwrap().contains("PA01")
        )
    );
}

/// Pins a surprise from using the gate: a stale-evidence warning named its age in days, so
/// on every later commit the same stale file gave a different message and `check --base`
/// reported it as new. The message names the limit and the date, not the day count.
#[test]
fn stale_evidence_already_stale_in_base_is_not_new() {
    let repo = common::fixture_repo("freshness");
    let path = repo.path();
    let out = common::git_command(path)
        .args(["commit", "-q", "--allow-empty", "-m", "A day later"])
        .env("GIT_AUTHOR_DATE", "2026-04-02T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-04-02T00:00:00Z")
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = common::practrace(&[
        "check",
        "--repo",
        path.to_str().unwrap(),
        "--base",
        "HEAD~1",
        "--format",
        "json",
        "--no-cache",
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let introduced: Vec<(&str, bool)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "stale-evidence")
        .map(|f| {
            (
                f["path"].as_str().unwrap(),
                f["introduced"].as_bool().unwrap(),
            )
        })
        .collect();
    // Stale at base already: not new. docs/edge.md (exactly 90 days at base) went stale
    // with the day: new.
    assert_eq!(
        introduced,
        [
            ("docs/edge.md", true),
            ("docs/monitor.md", false),
            ("docs/old.md", false),
            ("docs/rebased.md", false)
        ],
        "{report}"
    );
}
