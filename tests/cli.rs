//! The command line on the `basic` fixture repository: the file set, the diagnostics, the
//! rating, `gaps`, `trace`, another model, and the table and Markdown renderings.

mod common;

use std::collections::BTreeSet;

use serde_json::Value;

fn status(repo: &std::path::Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "status",
        "--repo",
        repo.to_str().unwrap(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    common::practrace_json(&args)
}

fn diagnostics(report: &Value) -> Vec<(String, String, Value, Value, Value)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["path"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| "commit".into()),
                d["line"].clone(),
                d["column"].clone(),
                d["suggestion"].clone(),
            )
        })
        .collect()
}

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
fn evidence_and_diagnostics_of_the_working_tree() {
    let repo = common::fixture_repo("basic");
    let r = status(repo.path(), &[]);
    assert_eq!(
        common::evidence(&r, "BP.05.02"),
        ["docs/vuln-assessment.md"]
    );
    assert_eq!(
        common::evidence(&r, "GP.2.1.1@PA05"),
        ["docs/vuln-assessment.md"]
    );
    // process_areas scopes the unqualified GP; {id, note} items count; CRLF and `...` work.
    assert_eq!(common::evidence(&r, "GP.2.1.6@PA05"), ["docs/plan.md"]);
    assert_eq!(common::evidence(&r, "BP.05.03"), ["docs/plan.md"]);
    // Tracked though ignored counts; untracked counts; ignored never; TOML and prose never.
    assert_eq!(common::evidence(&r, "BP.01.04"), ["ignored/forced.md"]);
    assert_eq!(common::evidence(&r, "BP.02.01"), ["untracked.md"]);
    assert!(common::evidence(&r, "BP.02.02").is_empty());
    // TOML front matter, a binary file and a file over the size limit are not evidence.
    assert!(common::evidence(&r, "BP.01.03").is_empty());
    // Trailers: the block's values count, the line above a sign-off paragraph does not.
    assert_eq!(
        common::evidence(&r, "BP.05.04"),
        ["Add the assessment documents", "Review vulnerabilities"][..1]
    );
    assert_eq!(common::evidence(&r, "BP.05.05"), ["Review vulnerabilities"]);
    assert_eq!(
        common::evidence(&r, "GP.2.1.2@PA05"),
        ["Review vulnerabilities"]
    );

    let d = diagnostics(&r);
    let s = |v: &str| Value::String(v.into());
    let expected = vec![
        (
            "invalid-front-matter".to_string(),
            "docs/bad-yaml.md".to_string(),
            Value::from(3),
            Value::from(12),
        ),
        (
            "file-too-large".into(),
            "docs/huge.md".into(),
            Value::Null,
            Value::Null,
        ),
        (
            "malformed-id".into(),
            "docs/typos.md".into(),
            Value::from(3),
            Value::from(5),
        ),
        (
            "not-a-practice".into(),
            "docs/typos.md".into(),
            Value::from(4),
            Value::from(5),
        ),
        (
            "unscoped-generic-practice".into(),
            "docs/typos.md".into(),
            Value::from(5),
            Value::from(5),
        ),
        (
            "scope-mismatch".into(),
            "docs/typos.md".into(),
            Value::from(6),
            Value::from(5),
        ),
        (
            "unknown-practice".into(),
            "docs/typos.md".into(),
            Value::from(7),
            Value::from(5),
        ),
    ];
    let files: Vec<_> = d
        .iter()
        .filter(|x| x.1 != "commit")
        .map(|x| (x.0.clone(), x.1.clone(), x.2.clone(), x.3.clone()))
        .collect();
    assert_eq!(files, expected);
    assert_eq!(d[2].4, s("BP.05.05"));
    assert_eq!(d[5].4, s("BP.01.01"));
    // Commit findings are ordered by commit id; compare them as a set.
    let mut commits: Vec<_> = d
        .iter()
        .filter(|x| x.1 == "commit")
        .map(|x| (x.0.as_str(), x.2.clone(), x.3.clone()))
        .collect();
    commits.sort_by_key(|c| c.0);
    assert_eq!(
        commits,
        [
            ("trailer-outside-block", Value::from(3), Value::from(1)),
            ("unknown-practice", Value::from(3), Value::from(35)),
        ]
    );

    // PA05: all five base practices evidenced (level 1), level 2 still missing some GPs.
    let pa05 = r["process_areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "PA05")
        .unwrap();
    assert_eq!(pa05["achieved_level"], 1);
    assert_eq!(pa05["levels"][0]["missing"], Value::Array(vec![]));
    let missing2 = pa05["levels"][1]["missing"].as_array().unwrap();
    assert!(missing2.contains(&s("GP.2.1.3@PA05")) && !missing2.contains(&s("GP.2.1.1@PA05")));
    assert_eq!(r["practices"].as_array().unwrap().len(), 128 + 29 * 22);
}

#[test]
fn a_revision_reads_the_object_database_not_the_disk() {
    let repo = common::fixture_repo("basic");
    let r = status(repo.path(), &["--rev", "HEAD"]);
    assert!(
        common::evidence(&r, "BP.02.01").is_empty(),
        "untracked files are not in HEAD"
    );
    assert_eq!(r["source"]["commits_scanned"], 3);
    let first = status(repo.path(), &["--rev", "HEAD~2"]);
    assert_eq!(first["source"]["commits_scanned"], 1);
    assert_eq!(
        common::evidence(&first, "BP.05.04"),
        ["Add the assessment documents"]
    );
    assert!(common::evidence(&first, "BP.05.05").is_empty());
}

#[test]
fn gaps_and_trace() {
    let repo = common::fixture_repo("basic");
    let r = repo.path().to_str().unwrap();
    let gaps = common::practrace_json(&[
        "gaps", "--repo", r, "--pa", "pa5", "--level", "2", "--format", "json",
    ]);
    let ids: Vec<&str> = gaps
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["practice"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"GP.2.1.3@PA05") && !ids.contains(&"GP.2.1.6@PA05"),
        "{ids:?}"
    );
    assert!(ids.iter().all(|i| i.ends_with("@PA05")));

    let t = common::practrace_json(&["trace", "bp.5.3", "--repo", r, "--format", "json"]);
    assert_eq!(t["target"], "BP.05.03");
    assert_eq!(t["evidence"][0]["path"], "docs/plan.md");

    let t = common::practrace_json(&[
        "trace",
        "docs/vuln-assessment.md",
        "--repo",
        r,
        "--format",
        "json",
    ]);
    assert_eq!(
        t["practices"],
        serde_json::json!(["BP.05.01", "BP.05.02", "GP.2.1.1@PA05"])
    );

    let t = common::practrace_json(&["trace", "HEAD", "--repo", r, "--format", "json"]);
    assert_eq!(t["kind"], "commit");
    assert_eq!(
        t["practices"],
        serde_json::json!(["BP.05.05", "GP.2.1.2@PA05"])
    );

    let bad = common::practrace(&["trace", "no-such-thing", "--repo", r]);
    assert_eq!(bad.status.code(), Some(2));
    let missing = common::practrace(&["status", "--repo", "/nonexistent/practrace"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot open a git repository"));
}

#[test]
fn another_model_of_the_same_shape() {
    let repo = common::fixture_repo("basic");
    let model = common::fixtures().join("models").join("tiny.model.yaml");
    let r = status(repo.path(), &["--model", model.to_str().unwrap()]);
    assert_eq!(r["model"]["id"], "tiny-model");
    let levels: Vec<(String, u64)> = r["process_areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_string(),
                a["achieved_level"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(levels, [("PA01".to_string(), 2), ("PA02".to_string(), 1)]);
    assert_eq!(r["practices"].as_array().unwrap().len(), 3 + 2 * 2);
    assert!(
        diagnostics(&r)
            .iter()
            .any(|d| d.0 == "unknown-practice" && d.1 == "docs/vuln-assessment.md")
    );
}

#[test]
fn table_and_markdown_renderings() {
    let repo = common::fixture_repo("basic");
    let table = common::practrace_in(repo.path(), &["status", "--rev", "HEAD"]);
    // The fixture has bad tags: the report is printed, and the exit status says so.
    assert_eq!(table.status.code(), Some(1));
    insta::assert_snapshot!("status_table", String::from_utf8(table.stdout).unwrap());
    insta::assert_snapshot!(
        "status_diagnostics",
        String::from_utf8(table.stderr).unwrap()
    );
    let md = common::practrace_in(
        repo.path(),
        &[
            "gaps", "--rev", "HEAD", "--pa", "PA05", "--format", "markdown",
        ],
    );
    insta::assert_snapshot!("gaps_markdown", String::from_utf8(md.stdout).unwrap());
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

#[test]
fn the_id_limit_is_reported_where_it_cuts() {
    let repo = common::fixture_repo("basic");
    let r = status(repo.path(), &["--rev", "HEAD", "--max-ids", "2"]);
    let cut: Vec<(String, Value, Value)> = r["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "too-many-ids")
        .map(|d| {
            let at = d["path"]
                .as_str()
                .or(d["commit"].as_str())
                .unwrap()
                .to_string();
            (at, d["line"].clone(), d["column"].clone())
        })
        .collect();
    // vuln-assessment.md and access.md name 3 ids on one line, typos.md 5, one a line, and
    // the last commit's trailer names 3 (the third at column 35).
    assert_eq!(cut.len(), 4, "{cut:?}");
    assert!(cut.contains(&("docs/access.md".into(), Value::from(2), Value::from(33))));
    assert!(cut.contains(&(
        "docs/vuln-assessment.md".into(),
        Value::from(3),
        Value::from(31)
    )));
    assert!(cut.contains(&("docs/typos.md".into(), Value::from(5), Value::from(5))));
    // What was cut is not evidence: the third id of vuln-assessment.md.
    assert!(common::evidence(&r, "GP.2.1.1@PA05").is_empty());
    assert_eq!(
        common::evidence(&r, "BP.05.02"),
        ["docs/vuln-assessment.md"]
    );
}
