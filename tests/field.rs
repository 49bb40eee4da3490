//! What teams write in the field (issue 10), on the `field` fixture repository
//! (`fixtures/repos/field.sh`): prose that wraps at `practice:` in a commit message, a tag
//! git does not read, misspelt keys, notes on tags, and files mapped by `evidence_map`.

mod common;

use serde_json::{Value, json};

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
/// `tags`, `prices`, …), the key in another case in a trailer (`PRACTICE:`) and a near key
/// with no id under it (`practical:` in front matter, and as prose the trailer block
/// takes in) stay quiet.
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

/// The evidence of `practice` from the file at `path`, without its blob id.
fn file_evidence(report: &Value, practice: &str, path: &str) -> Value {
    let mut e = common::practice(report, practice)["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == path)
        .unwrap_or_else(|| panic!("{path} is not evidence for {practice}"))
        .clone();
    let blob = e.as_object_mut().unwrap().remove("blob").unwrap();
    assert_eq!(blob.as_str().unwrap().len(), 40);
    e
}

/// Issue 10, items 10 and 11: the note of `{id, note}` was dropped by the parser, and an
/// evidence-map file had a fake `line: 0`. Pins the JSON contract of file evidence: a
/// `source` saying how the file became evidence (a front matter tag at a line, or an
/// evidence-map rule by index with the glob that matched, `line` null), and the tag's
/// `note` (the first tag's, when a practice is tagged twice; omitted when there is none).
/// Front matter wins over the map for the same practice; each practice keeps the first
/// rule that names it.
#[test]
fn file_evidence_says_how_it_became_evidence_and_keeps_notes() {
    let repo = common::fixture_repo("field");
    let report = status(repo.path());
    let cases = [
        (
            "BP.05.02",
            "docs/assessment.md",
            json!({"kind": "file", "path": "docs/assessment.md", "line": 6,
                   "source": {"kind": "front-matter", "line": 6},
                   "note": "data from the Q3 scan"}),
        ),
        (
            "GP.2.1.6@PA05",
            "docs/assessment.md",
            json!({"kind": "file", "path": "docs/assessment.md", "line": 8,
                   "source": {"kind": "front-matter", "line": 8}, "note": "plan reviewed"}),
        ),
        (
            "BP.05.01",
            "docs/assessment.md",
            json!({"kind": "file", "path": "docs/assessment.md", "line": 5,
                   "source": {"kind": "front-matter", "line": 5}}),
        ),
        (
            "BP.03.03",
            "docs/assessment.md",
            json!({"kind": "file", "path": "docs/assessment.md", "line": null,
                   "source": {"kind": "evidence-map", "rule": 1, "glob": "docs/assessment.md"}}),
        ),
        (
            "BP.03.01",
            "audits/2024/pen-test.pdf",
            json!({"kind": "file", "path": "audits/2024/pen-test.pdf", "line": null,
                   "source": {"kind": "evidence-map", "rule": 0, "glob": "audits/**/*.pdf"}}),
        ),
        (
            "BP.03.01",
            "plans/risk-register.xlsx",
            json!({"kind": "file", "path": "plans/risk-register.xlsx", "line": null,
                   "source": {"kind": "evidence-map", "rule": 0,
                              "glob": "plans/risk-register.xlsx"}}),
        ),
        (
            "BP.03.03",
            "plans/risk-register.xlsx",
            json!({"kind": "file", "path": "plans/risk-register.xlsx", "line": null,
                   "source": {"kind": "evidence-map", "rule": 1, "glob": "plans/*.xlsx"}}),
        ),
    ];
    for (practice, path, want) in cases {
        assert_eq!(
            file_evidence(&report, practice, path),
            want,
            "{practice} {path}"
        );
    }
    // The working tree (files read from disk) says the same.
    let worktree = common::practrace_json(&[
        "status",
        "--repo",
        repo.path().to_str().unwrap(),
        "--format",
        "json",
        "--no-cache",
    ]);
    assert_eq!(worktree["practices"], report["practices"]);
}

/// `status --format json --rev HEAD` through the library with the cache in `cache`.
fn cached_status(repo: &std::path::Path, cache: &std::path::Path, use_cache: bool) -> Vec<u8> {
    let mut request = practrace::Request::new(repo);
    request.rev = Some("HEAD".into());
    request.cache_dir = Some(cache.to_path_buf());
    request.use_cache = use_cache;
    let mut out = Vec::new();
    practrace::incremental::status_json(&request, &mut out).unwrap();
    out
}

/// Issue 10, item 10: the cache remembers each blob's practices; a record without the
/// notes and provenance would make a cached run drop them. Pins that a run whose files
/// all come from the blob cache prints the bytes of a `--no-cache` run, notes included.
#[test]
fn a_cached_run_keeps_notes_and_provenance() {
    let repo = common::fixture_repo("field");
    let cache = tempfile::tempdir().unwrap();
    let fresh = cached_status(repo.path(), cache.path(), false);
    assert!(String::from_utf8_lossy(&fresh).contains("\"note\": \"data from the Q3 scan\""));
    let first = cached_status(repo.path(), cache.path(), true);
    assert_eq!(first, fresh);
    // Without the remembered report, the second run reads every blob from the cache.
    // (One folder per repository, beside the cache root's secret `key`.)
    let folders = std::fs::read_dir(cache.path()).unwrap().map(Result::unwrap);
    for dir in folders.filter(|d| d.path().is_dir()) {
        for f in std::fs::read_dir(dir.path()).unwrap() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("report-") || name.starts_with("rev-") {
                std::fs::remove_file(f).unwrap();
            }
        }
    }
    let mut request = practrace::Request::new(repo.path());
    request.rev = Some("HEAD".into());
    request.cache_dir = Some(cache.path().to_path_buf());
    let mut second = Vec::new();
    let done = practrace::incremental::status_json(&request, &mut second).unwrap();
    assert_eq!(done.stats.files_read, 0, "every blob from the cache");
    assert_eq!(second, fresh);
}

/// The matrix as CSV, by column name: the rows of `practice` from the file at `path`.
fn csv_rows(repo: &std::path::Path, practice: &str, path: &str) -> Vec<(String, String, String)> {
    let out = common::practrace(&[
        "matrix",
        "--repo",
        repo.to_str().unwrap(),
        "--rev",
        "HEAD",
        "--format",
        "csv",
        "--no-cache",
    ]);
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (p, f, line, source, note) = (
        col("practice"),
        col("path"),
        col("line"),
        col("source"),
        col("note"),
    );
    reader
        .records()
        .map(Result::unwrap)
        .filter(|r| &r[p] == practice && &r[f] == path)
        .map(|r| {
            (
                r[line].to_string(),
                r[source].to_string(),
                r[note].to_string(),
            )
        })
        .collect()
}

/// Issue 10, items 10 and 11 in the matrix and `trace`: the `source` and `note` columns
/// of the CSV (the XLSX Matrix sheet has the same columns), the Markdown and HTML cells,
/// and trace's detail. An evidence-map row has no line.
#[test]
fn the_matrix_and_trace_show_provenance_and_notes() {
    let repo = common::fixture_repo("field");
    assert_eq!(
        csv_rows(repo.path(), "BP.05.02", "docs/assessment.md"),
        [(
            "6".into(),
            "front matter".into(),
            "data from the Q3 scan".into()
        )]
    );
    assert_eq!(
        csv_rows(repo.path(), "BP.03.01", "audits/2024/pen-test.pdf"),
        [(
            String::new(),
            "evidence_map[0]: audits/**/*.pdf".into(),
            String::new()
        )]
    );
    let text = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend([
            "--repo",
            repo.path().to_str().unwrap(),
            "--rev",
            "HEAD",
            "--no-cache",
        ]);
        String::from_utf8(common::practrace(&all).stdout).unwrap()
    };
    let markdown = text(&["matrix", "--format", "markdown"]);
    assert!(
        markdown.contains(
            r"| file | audits/2024/pen-test.pdf | evidence\_map\[0\]: audits/\*\*/\*.pdf |  |"
        ),
        "{markdown}"
    );
    assert!(
        markdown.contains("| front matter | data from the Q3 scan |"),
        "{markdown}"
    );
    // The page carries the same provenance and note in its packed data.
    let html = text(&["matrix", "--format", "html"]);
    let data = common::page::data(&html);
    let evidence = common::page::practices(&data);
    let of = |practice: &str, path: &str| {
        evidence
            .iter()
            .filter(|(id, _)| id == practice)
            .flat_map(|(_, e)| e)
            .find(|e| e["path"] == path)
            .unwrap_or_else(|| panic!("{practice} {path} in the page's data"))
            .clone()
    };
    let pdf = of("BP.03.01", "audits/2024/pen-test.pdf");
    assert_eq!(pdf["source"], "evidence_map[0]: audits/**/*.pdf");
    assert_eq!(pdf["line"], serde_json::Value::Null);
    let doc = of("BP.05.02", "docs/assessment.md");
    assert_eq!(
        (&doc["line"], &doc["source"], &doc["note"]),
        (
            &6.into(),
            &"front matter".into(),
            &"data from the Q3 scan".into()
        )
    );
    let trace = text(&["trace", "BP.03.01"]);
    assert!(trace.contains("audits/2024/pen-test.pdf "), "{trace}");
    assert!(
        trace.contains(" · evidence_map[0]: audits/**/*.pdf "),
        "{trace}"
    );
    let trace = text(&["trace", "BP.05.02"]);
    assert!(trace.contains("docs/assessment.md:6 "), "{trace}");
    assert!(
        trace.contains(" · front matter · note: data from the Q3 scan "),
        "{trace}"
    );
}
