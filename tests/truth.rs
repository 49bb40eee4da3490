//! The scan against the truth file that the repository generator writes: for every
//! practice, exactly the files and the number of commits it planted, and one error per
//! planted invalid tag — at a revision and in the working tree.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

fn generate(dir: &std::path::Path) -> Value {
    let out = dir.join("repo");
    let status = Command::new("python3")
        .arg(common::fixtures().join("gen-repo.py"))
        .args(["--out", out.to_str().unwrap()])
        .args(["--files", "400", "--commits", "1200", "--bad-rate", "0.05"])
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .status()
        .expect("python3 runs");
    assert!(status.success());
    serde_json::from_slice(&std::fs::read(dir.join("repo.truth.json")).unwrap()).unwrap()
}

fn check(report: &Value, truth: &Value, commit_ids: &[String]) {
    let mut files: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut commits: BTreeMap<String, u64> = BTreeMap::new();
    for p in report["practices"].as_array().unwrap() {
        let id = p["id"].as_str().unwrap().to_string();
        for e in p["evidence"].as_array().unwrap() {
            match e["kind"].as_str().unwrap() {
                "file" => {
                    files
                        .entry(id.clone())
                        .or_default()
                        .insert(e["path"].as_str().unwrap().into());
                }
                "commit" => *commits.entry(id.clone()).or_default() += 1,
                other => panic!("unknown evidence kind {other}"),
            }
        }
    }
    let mut want_files: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut want_commits: BTreeMap<String, u64> = BTreeMap::new();
    for (id, v) in truth["practices"].as_object().unwrap() {
        let f: BTreeSet<String> = v["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        if !f.is_empty() {
            want_files.insert(id.clone(), f);
        }
        let c = v["commits"].as_u64().unwrap();
        if c > 0 {
            want_commits.insert(id.clone(), c);
        }
    }
    assert!(!want_files.is_empty() && !want_commits.is_empty());
    assert_eq!(files, want_files, "file evidence differs from the truth");
    assert_eq!(
        commits, want_commits,
        "commit evidence differs from the truth"
    );

    // One error per planted invalid tag, where it was planted, and no other error.
    let mut errors: Vec<String> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| match (d["path"].as_str(), d["commit"].as_str()) {
            (Some(p), _) => p.to_string(),
            (None, Some(c)) => c.to_string(),
            _ => panic!("an error with no location: {d}"),
        })
        .collect();
    let mut planted: Vec<String> = truth["planted_invalid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let w = p["where"].as_str().unwrap();
            match w.strip_prefix("commit:") {
                Some(k) => commit_ids[k.parse::<usize>().unwrap() - 1].clone(),
                None => w.to_string(),
            }
        })
        .collect();
    errors.sort();
    planted.sort();
    assert!(!planted.is_empty());
    assert_eq!(
        errors, planted,
        "error diagnostics differ from the planted invalid tags"
    );
}

#[test]
fn scan_matches_the_generators_truth() {
    let dir = tempfile::tempdir().unwrap();
    let truth = generate(dir.path());
    let repo = dir.path().join("repo");
    let repo_arg = repo.to_str().unwrap();
    // The generator writes one pack; a commit on top is a loose object. Both must be read.
    common::git(
        &repo,
        &[
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "Loose\n\nPractice: BP.01.01",
        ],
    );
    let mut truth = truth;
    let bp0101 = &mut truth["practices"]["BP.01.01"]["commits"];
    *bp0101 = serde_json::json!(bp0101.as_u64().unwrap_or(0) + 1);
    let commit_ids: Vec<String> =
        String::from_utf8(common::git(&repo, &["rev-list", "--reverse", "HEAD"]))
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
    assert_eq!(commit_ids.len(), 1201);

    let at_rev = common::practrace_json(&[
        "status", "--repo", repo_arg, "--rev", "HEAD", "--format", "json",
    ]);
    assert_eq!(at_rev["source"]["commits_scanned"], 1201);
    assert_eq!(at_rev["source"]["worktree"], false);
    check(&at_rev, &truth, &commit_ids);

    let worktree = common::practrace_json(&["status", "--repo", repo_arg, "--format", "json"]);
    assert_eq!(worktree["source"]["worktree"], true);
    check(&worktree, &truth, &commit_ids);

    // The same revision prints the same bytes, and the working tree (a clean checkout of
    // HEAD) gives the same evidence, blob ids included.
    let args = [
        "status", "--repo", repo_arg, "--rev", "HEAD", "--format", "json",
    ];
    let (first, second) = (common::practrace(&args), common::practrace(&args));
    assert!(first.status.code() == Some(1) && !first.stdout.is_empty());
    assert_eq!(first.stdout, second.stdout);
    assert_eq!(at_rev["practices"], worktree["practices"]);

    // The generator plants `Practice: <id> was discussed` in a paragraph above the
    // sign-off: git does not read it, and each such commit gets exactly one
    // `trailer-outside-block` warning (issue 10 kept these while dropping prose).
    let planted: BTreeSet<String> = String::from_utf8(common::git(
        &repo,
        &["log", "--format=%H", "--grep=^Practice: .* was discussed$"],
    ))
    .unwrap()
    .lines()
    .map(str::to_string)
    .collect();
    assert!(!planted.is_empty());
    let warned: Vec<String> = at_rev["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "trailer-outside-block")
        .map(|d| d["commit"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(warned.len(), planted.len(), "one warning per planted line");
    assert_eq!(warned.into_iter().collect::<BTreeSet<_>>(), planted);
}
