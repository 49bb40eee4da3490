//! `practrace matrix` and `practrace verify` on the `hostile-names` fixture repository, whose
//! paths, commit subjects and author names carry `<script>alert(1)</script>` and
//! `=HYPERLINK("http://x")`: HTML escapes them, CSV, XLSX and Markdown neutralise formula
//! starts, every format is byte-identical across runs, the XLSX opens in a real reader
//! (openpyxl), the last commit of each file is git's, and `verify` finds each change.

mod common;

use std::path::Path;
use std::process::Output;

use serde_json::Value;

const SCRIPT: &str = "<script>alert(1)</script>";

/// The hostile-names fixture's paths as every spreadsheet format must write them: a
/// formula start neutralised with `'`, markup kept as text.
const NEUTRALISED_PATHS: [&str; 5] = [
    "'=HYPERLINK(\"http:__x\").md",
    "'+1.md",
    "'-1.md",
    "'@SUM(A1).md",
    "docs/<script>alert(1)</script>.md",
];

/// The fixture's formula-like commit subject, neutralised.
const NEUTRALISED_SUBJECT: &str = "'=HYPERLINK(\"http://x\") add the formula files";

fn matrix(repo: &Path, format: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "matrix",
        "--repo",
        repo.to_str().unwrap(),
        "--format",
        format,
    ];
    args.extend_from_slice(extra);
    let out = common::practrace(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "practrace {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn matrix_text(repo: &Path, format: &str) -> String {
    String::from_utf8(matrix(repo, format, &[]).stdout).expect("UTF-8 output")
}

fn matrix_json(repo: &Path) -> Value {
    serde_json::from_slice(&matrix(repo, "json", &[]).stdout).expect("JSON output")
}

/// A file evidence of `practice` in a JSON report.
fn file_evidence<'a>(report: &'a Value, practice: &str) -> &'a Value {
    common::practice(report, practice)["evidence"]
        .as_array()
        .unwrap()
        .first()
        .unwrap_or_else(|| panic!("no evidence for {practice}"))
}

fn csv_records(text: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("valid CSV"))
        .collect()
}

/// The page's own script, and the data element, are the only script elements.
const PAGE_SCRIPT_OPEN: &str = "<script>\n// The evidence matrix's script";

#[test]
fn html_shows_repository_markup_as_text() {
    let repo = common::fixture_repo("hostile-names");
    let html = matrix_text(repo.path(), "html");
    // Two script elements, both the page's own: the packed data and the script. No markup
    // from the repository survives anywhere in the page.
    assert_eq!(html.matches("<script").count(), 2, "two <script> tags only");
    assert_eq!(html.matches(common::page::DATA_OPEN).count(), 1);
    assert_eq!(html.matches(PAGE_SCRIPT_OPEN).count(), 1);
    assert!(!html.contains(SCRIPT));
    assert!(!html.contains("<img"));
    assert!(!html.contains("alert(1)</"));
    assert!(
        !html.contains("HYPERLINK"),
        "the paths and subjects are only in the packed data"
    );
    // ...and it is all there, unpacked, as the text it was.
    let data = common::page::data(&html);
    let files: Vec<&str> = data["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f[0].as_str().unwrap())
        .collect();
    for path in [
        "docs/<script>alert(1)</script>.md",
        "docs/<img src=x onerror=alert(1)>.md",
        "=HYPERLINK(\"http:__x\").md",
    ] {
        assert!(files.contains(&path), "{path} in {files:?}");
    }
    let subjects: Vec<&str> = data["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c[3].as_str().unwrap())
        .collect();
    assert!(subjects.contains(&"<script>alert(1)</script> add the assessment"));
    assert!(subjects.contains(&"=HYPERLINK(\"http://x\") add the formula files"));
    // Self-contained: nothing to fetch.
    for fetch in [
        "src=\"http",
        "href=\"http",
        "<link",
        "@import",
        "url(",
        "fetch(",
    ] {
        assert!(!html.contains(fetch), "the page fetches something: {fetch}");
    }
    // Every process area is in the heat map and has its section, rendered on demand.
    for n in 1..=22 {
        assert!(html.contains(&format!("<details class=\"area\" id=\"PA{n:02}\">")));
        assert!(html.contains(&format!("<tr><th><a href=\"#PA{n:02}\">PA{n:02}</a></th>")));
    }
}

/// The page's script puts repository text into the page as text only: no API that parses
/// markup appears in it.
#[test]
fn html_script_never_parses_markup() {
    let repo = common::fixture_repo("hostile-names");
    let html = matrix_text(repo.path(), "html");
    let start = html.find(PAGE_SCRIPT_OPEN).expect("the page's script");
    let script = &html[start..start + html[start..].find("</script>").unwrap()];
    assert!(script.contains(".textContent"));
    for markup in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "Function(",
        "DOMParser",
        "createContextualFragment",
        "setAttribute(",
    ] {
        assert!(!script.contains(markup), "the script uses {markup}");
    }
}

/// The packed data holds every practice of the JSON matrix once, each with every piece of
/// evidence in the same order and with the same fields (path, blob, line, source, note,
/// last commit, freshness), and every diagnostic: on hostile names, the provenance and
/// notes of `field`, and the ages of `freshness`.
#[test]
fn html_data_holds_every_evidence_of_the_json_matrix() {
    for fixture in ["hostile-names", "field", "freshness"] {
        let repo = common::fixture_repo(fixture);
        let html = matrix_text(repo.path(), "html");
        let report = matrix_json(repo.path());
        let data = common::page::data(&html);
        let shown = common::page::practices(&data);
        let practices = report["practices"].as_array().unwrap();
        assert_eq!(shown.len(), practices.len(), "{fixture}: every practice");
        let mut ids: Vec<&str> = shown.iter().map(|(id, _)| id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), practices.len(), "{fixture}: each practice once");
        let mut pairs = 0;
        for p in practices {
            let id = p["id"].as_str().unwrap();
            let (_, evidence) = shown.iter().find(|(shown, _)| shown == id).unwrap();
            let want: Vec<Value> = p["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .map(common::page::expected)
                .collect();
            assert_eq!(evidence, &want, "{fixture}: {id}");
            pairs += want.len();
        }
        assert!(pairs > 3, "{fixture}: evidence to compare");
        let diagnostics = data["diagnostics"].as_array().unwrap();
        let want = report["diagnostics"].as_array().unwrap();
        assert_eq!(diagnostics.len(), want.len(), "{fixture}: diagnostics");
        for (d, w) in diagnostics.iter().zip(want) {
            assert_eq!(d[0], w["severity"]);
            assert_eq!(d[1], w["code"]);
            assert!(
                d[3].as_str()
                    .unwrap()
                    .starts_with(w["message"].as_str().unwrap())
            );
        }
    }
    // The ages are there, stale and fresh.
    let repo = common::fixture_repo("freshness");
    let data = common::page::data(&matrix_text(repo.path(), "html"));
    let all: Vec<Value> = common::page::practices(&data)
        .into_iter()
        .flat_map(|(_, e)| e)
        .collect();
    assert!(
        all.iter()
            .any(|e| e["stale"] == true && e["freshness"] == "stale: 90 days old, limit 90d")
    );
    assert!(
        all.iter()
            .any(|e| e["stale"] == false && !e["freshness"].is_null())
    );
}

#[test]
fn csv_neutralises_formula_starts_and_keeps_the_rest() {
    let repo = common::fixture_repo("hostile-names");
    let text = matrix_text(repo.path(), "csv");
    assert!(text.contains("\r\n"), "RFC 4180 line ends");
    let records = csv_records(&text);
    for r in &records {
        for cell in r {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell a spreadsheet would read as a formula: {cell:?}"
            );
        }
    }
    let column = |name: &str| {
        practrace::matrix::COLUMNS
            .iter()
            .position(|c| *c == name)
            .unwrap()
    };
    let cells = |name: &str| -> Vec<String> {
        records
            .iter()
            .map(|r| r[column(name)].to_string())
            .filter(|c| !c.is_empty())
            .collect()
    };
    let paths = cells("path");
    for path in NEUTRALISED_PATHS {
        assert!(paths.iter().any(|p| p == path), "{path} in {paths:?}");
    }
    assert!(cells("subject").iter().any(|s| s == NEUTRALISED_SUBJECT));
    assert!(
        cells("author")
            .iter()
            .any(|s| s.starts_with("'=HYPERLINK(\"http://x\") & "))
    );
    // One row per practice and piece of evidence, or one without: every practice is there.
    let practices: std::collections::BTreeSet<String> = cells("practice").into_iter().collect();
    let model = practrace::model::Model::builtin();
    assert_eq!(practices.len(), model.practices.len());
}

#[test]
fn markdown_escapes_markup_and_neutralises_formulas() {
    let repo = common::fixture_repo("hostile-names");
    let md = matrix_text(repo.path(), "markdown");
    assert!(!md.contains("<script") && !md.contains("<img"));
    assert!(md.contains("docs/&lt;script&gt;alert(1)&lt;/script&gt;.md:3"));
    assert!(md.contains("| '=HYPERLINK(&quot;http:\\_\\_x&quot;).md:2 |"));
    assert!(md.contains("- **Commit:** "));
}

#[test]
fn every_format_is_byte_identical_across_runs() {
    let repo = common::fixture_repo("hostile-names");
    let mut formats = vec!["html", "csv", "markdown", "json"];
    if cfg!(feature = "xlsx") {
        formats.push("xlsx");
    }
    for format in formats {
        let first = matrix(repo.path(), format, &[]).stdout;
        // The second run from the cache the first one wrote, the third without a cache.
        let second = matrix(repo.path(), format, &[]).stdout;
        let third = matrix(repo.path(), format, &["--no-cache"]).stdout;
        assert!(first.len() > 1000, "{format}: {} bytes", first.len());
        assert!(first == second, "{format} differs between two runs");
        assert!(first == third, "{format} differs without the cache");
    }
    // The same commit scanned as a revision gives the same rows.
    let at_rev = matrix(repo.path(), "csv", &["--rev", "HEAD"]).stdout;
    assert_eq!(at_rev, matrix(repo.path(), "csv", &[]).stdout);
    // --timestamp is the one way wall-clock time gets in.
    let stamped =
        String::from_utf8(matrix(repo.path(), "markdown", &["--timestamp"]).stdout).unwrap();
    assert!(stamped.contains("- **Generated:** "));
}

#[test]
fn last_commit_of_each_file_is_gits() {
    let repo = common::fixture_repo("hostile-names");
    std::fs::write(
        repo.path().join("untracked.md"),
        "---\npractices: [BP.02.01]\n---\n",
    )
    .unwrap();
    let report = matrix_json(repo.path());
    for (practice, path) in [
        ("BP.05.02", "docs/<script>alert(1)</script>.md"),
        ("BP.05.03", "=HYPERLINK(\"http:__x\").md"),
        ("BP.01.02", "+1.md"),
    ] {
        let git_says = String::from_utf8(common::git(
            repo.path(),
            &["log", "-1", "--format=%H%n%an <%ae>%n%s", "--", path],
        ))
        .unwrap();
        let e = file_evidence(&report, practice);
        assert_eq!(e["path"], path);
        let last = &e["last_commit"];
        let ours = format!(
            "{}\n{}\n{}\n",
            last["commit"].as_str().unwrap(),
            last["author"].as_str().unwrap(),
            last["subject"].as_str().unwrap()
        );
        assert_eq!(ours, git_says, "{path}");
    }
    assert_eq!(
        file_evidence(&report, "BP.05.02")["last_commit"]["subject"],
        "Revise the assessment"
    );
    // Not committed: no last commit (the key is left out).
    let untracked = file_evidence(&report, "BP.02.01");
    assert_eq!(untracked["path"], "untracked.md");
    assert!(untracked.get("last_commit").is_none());
    // The stamp: the commit's date, no wall-clock time.
    assert_eq!(report["matrix"]["commit_date"], "2024-02-03T09:00:00+00:00");
    assert_eq!(report["matrix"]["generated"], Value::Null);
}

#[test]
fn matrix_json_validates_against_the_report_schema() {
    let repo = common::fixture_repo("hostile-names");
    let report = matrix_json(repo.path());
    let schema: Value =
        serde_json::from_str(include_str!("../schemas/report.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn output_file_is_written_whole_and_nothing_else_is_left() {
    let repo = common::fixture_repo("hostile-names");
    let out_dir = tempfile::tempdir().unwrap();
    let file = out_dir.path().join("matrix.html");
    std::fs::write(&file, "old").unwrap();
    matrix(repo.path(), "html", &["-o", file.to_str().unwrap()]);
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    let names: Vec<_> = std::fs::read_dir(out_dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["matrix.html"]);
    // A folder that does not exist: could not run, exit 2, nothing written.
    let out = common::practrace(&[
        "matrix",
        "--repo",
        repo.path().to_str().unwrap(),
        "-o",
        out_dir.path().join("no/such/dir/m.csv").to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

/// What `scripts/xlsx-check.py` read of a workbook, after checking that it found no
/// failure.
#[cfg(feature = "xlsx")]
fn xlsx_check(file: &Path) -> Value {
    let (python, path) = common::python_with_openpyxl();
    let mut check = std::process::Command::new(python);
    check
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/xlsx-check.py"))
        .arg(file);
    if let Some(p) = path {
        check.env("PYTHONPATH", p);
    }
    let out = check.output().expect("python3 runs");
    let seen: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "xlsx-check.py printed no JSON: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(seen["failures"], serde_json::json!([]), "{seen:#}");
    assert!(out.status.success());
    seen
}

/// [`xlsx_check`] of the matrix workbook of `repo`.
#[cfg(feature = "xlsx")]
fn xlsx_matrix(repo: &Path) -> Value {
    let out_dir = tempfile::tempdir().unwrap();
    let file = out_dir.path().join("matrix.xlsx");
    matrix(repo, "xlsx", &["-o", file.to_str().unwrap()]);
    xlsx_check(&file)
}

#[cfg(feature = "xlsx")]
#[test]
fn xlsx_opens_in_openpyxl_with_its_sheets_and_neutralised_cells() {
    let repo = common::fixture_repo("hostile-names");
    let out_dir = tempfile::tempdir().unwrap();
    let file = out_dir.path().join("matrix.xlsx");
    matrix(repo.path(), "xlsx", &["-o", file.to_str().unwrap()]);
    let seen = xlsx_check(&file);
    assert_eq!(
        seen["sheets"],
        serde_json::json!(["Summary", "Matrix", "Gaps", "Diagnostics"])
    );
    assert_eq!(seen["freeze"]["Matrix"], "A2");
    assert!(
        seen["autofilter"]["Matrix"]
            .as_str()
            .unwrap()
            .starts_with("A1:T")
    );
    assert_eq!(
        seen["headers"]["Matrix"],
        serde_json::json!(practrace::matrix::COLUMNS)
    );
    let paths = seen["paths"].as_array().unwrap();
    for path in NEUTRALISED_PATHS {
        assert!(paths.iter().any(|p| p == path), "{path} in {paths:?}");
    }
    assert!(
        seen["subjects"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == NEUTRALISED_SUBJECT)
    );
    // Lines are numbers; the heat map is coloured; the workbook is dated by the commit.
    assert_eq!(seen["lines"], serde_json::json!([2, 3]));
    assert_eq!(seen["summary_a1"], "Area");
    assert_eq!(seen["summary_pa05"][2], 0);
    assert_eq!(seen["summary_pa05"][4], "missing 1");
    assert_eq!(seen["summary_fill"], "FFFFCDD2");
    assert_eq!(seen["created"], "2024-02-03T09:00:00");
}

/// Issue 10, items 10 and 11: the Matrix sheet says how each file became evidence and
/// carries the tags' notes (the `field` fixture maps a PDF and a spreadsheet).
#[cfg(feature = "xlsx")]
#[test]
fn xlsx_matrix_sheet_has_provenance_and_notes() {
    let repo = common::fixture_repo("field");
    let seen = xlsx_matrix(repo.path());
    assert_eq!(
        seen["sources"],
        serde_json::json!([
            "evidence_map[0]: audits/**/*.pdf",
            "evidence_map[0]: plans/risk-register.xlsx",
            "evidence_map[1]: docs/assessment.md",
            "evidence_map[1]: plans/*.xlsx",
            "front matter"
        ])
    );
    assert_eq!(
        seen["notes"],
        serde_json::json!(["data from the Q3 scan", "plan reviewed"])
    );
}

fn verify(repo: &Path, report: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec![
        "verify",
        report.to_str().unwrap(),
        "--repo",
        repo.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = common::practrace(&args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[test]
fn verify_finds_nothing_then_each_kind_of_change() {
    let repo = common::fixture_repo("hostile-names");
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    matrix(repo.path(), "json", &["-o", report.to_str().unwrap()]);
    let (code, text) = verify(repo.path(), &report, &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("8 pieces of evidence checked: 8 unchanged"),
        "{text}"
    );
    // A status report works as well.
    let status = dir.path().join("status.json");
    let out = common::practrace(&[
        "status",
        "--repo",
        repo.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    std::fs::write(&status, out.stdout).unwrap();
    assert_eq!(verify(repo.path(), &status, &[]).0, Some(0));

    // The working tree: an edited file and a deleted one.
    let edited = repo.path().join("docs/plain.md");
    std::fs::write(&edited, "---\npractices: [BP.01.01]\n---\nedited\n").unwrap();
    std::fs::remove_file(repo.path().join("+1.md")).unwrap();
    let (code, text) = verify(repo.path(), &report, &[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("changed             docs/plain.md  blob 34c7e626ab53 -> "),
        "{text}"
    );
    assert!(
        text.contains("missing             +1.md  (was blob 0551b988395f)  [BP.01.02]"),
        "{text}"
    );
    assert!(text.contains("8 pieces of evidence checked: 6 unchanged, 2 changed or gone"));
    // ...but the committed revision is still what the report says.
    assert_eq!(verify(repo.path(), &report, &["--rev", "HEAD"]).0, Some(0));

    // History rewritten: the trailer commit is no longer reachable, the file it changed
    // is back to its older content; as JSON for tools.
    common::git(repo.path(), &["reset", "-q", "--hard", "HEAD~1"]);
    let out = common::practrace(&[
        "verify",
        report.to_str().unwrap(),
        "--repo",
        repo.path().to_str().unwrap(),
        "--rev",
        "HEAD",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let changes: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["change"].as_str().unwrap().to_string(),
                f["path"]
                    .as_str()
                    .or(f["commit"].as_str())
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    let head = v["report_commit"].as_str().unwrap().to_string();
    assert_eq!(
        changes,
        [
            (
                "changed".to_string(),
                "docs/<script>alert(1)</script>.md".to_string()
            ),
            ("commit-unreachable".to_string(), head),
        ]
    );
}

#[test]
fn verify_cannot_run_on_a_non_report_or_a_non_repository() {
    let repo = common::fixture_repo("hostile-names");
    let dir = tempfile::tempdir().unwrap();
    let not_report = dir.path().join("x.json");
    std::fs::write(&not_report, "{\"hello\": 1}").unwrap();
    let (code, text) = verify(repo.path(), &not_report, &[]);
    assert_eq!(code, Some(2));
    assert!(text.contains("is not a practrace JSON report"), "{text}");
    let (code, _) = verify(repo.path(), &dir.path().join("missing.json"), &[]);
    assert_eq!(code, Some(2));
    let report = dir.path().join("report.json");
    matrix(repo.path(), "json", &["-o", report.to_str().unwrap()]);
    let (code, text) = verify(dir.path(), &report, &[]);
    assert_eq!(code, Some(2), "{text}");
    // A report of another repository: its commit is not here.
    let other = common::fixture_repo("basic");
    let (code, text) = verify(other.path(), &report, &["--rev", "HEAD"]);
    assert_eq!(code, Some(1));
    assert!(text.contains("report commit missing"), "{text}");
}

#[test]
fn last_commit_through_merges_is_what_git_log_says() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    let mut day = 0;
    let mut git = |args: &[&str]| {
        day += 1;
        let date = format!("2024-03-{day:02}T12:00:00Z");
        let out = common::git_command(repo)
            .args(args)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let write = |name: &str, body: &str| {
        std::fs::write(
            repo.join(name),
            format!("---\npractices: [BP.01.01]\n---\n{body}\n"),
        )
        .unwrap()
    };
    git(&["init", "-q", "-b", "main"]);
    write("kept.md", "1");
    write("taken.md", "1");
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "Start"]);
    git(&["checkout", "-q", "-b", "side"]);
    write("kept.md", "side");
    git(&["commit", "-q", "-am", "Side changes kept.md"]);
    write("taken.md", "side");
    git(&["commit", "-q", "-am", "Side changes taken.md"]);
    git(&["checkout", "-q", "main"]);
    write("kept.md", "main");
    git(&["commit", "-q", "-am", "Main changes kept.md"]);
    // kept.md keeps main's content, taken.md takes the side's.
    git(&["merge", "-q", "-X", "ours", "-m", "Merge side", "side"]);
    git(&[
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "Later, touching nothing",
    ]);
    let report = matrix_json(repo);
    let evidence = report["practices"][0]["evidence"].as_array().unwrap();
    assert_eq!(evidence.len(), 2);
    for e in evidence {
        let path = e["path"].as_str().unwrap();
        let git_says =
            String::from_utf8(common::git(repo, &["log", "-1", "--format=%s", "--", path]))
                .unwrap();
        assert_eq!(
            format!("{}\n", e["last_commit"]["subject"].as_str().unwrap()),
            git_says,
            "{path}"
        );
    }
    assert_eq!(
        evidence[0]["last_commit"]["subject"],
        "Main changes kept.md"
    );
    assert_eq!(
        evidence[1]["last_commit"]["subject"],
        "Side changes taken.md"
    );
}

#[test]
fn not_applicable_practices_show_with_their_reason() {
    // The base practices of PA22 declared not applicable in the scanned commit's
    // configuration: the matrix must show them with the reason, never drop them.
    let repo = common::fixture_repo("hostile-names");
    let reason = "No suppliers: <b>all in-house</b>";
    let mut config = String::from("not_applicable:\n");
    for n in 1..=5 {
        config.push_str(&format!(
            "  - practice: BP.22.0{n}\n    reason: \"{reason}\"\n"
        ));
    }
    std::fs::write(repo.path().join(".practrace.yaml"), config).unwrap();
    common::git(repo.path(), &["add", ".practrace.yaml"]);
    common::git(
        repo.path(),
        &["commit", "-q", "-m", "Declare PA22 out of scope"],
    );
    let mut request = practrace::Request::new(repo.path());
    request.rev = Some("HEAD".into());
    request.use_cache = false;
    let analysis = practrace::analyze(&request).unwrap();
    assert_eq!(
        analysis.report.config.path.as_deref(),
        Some(".practrace.yaml")
    );
    let matrix = practrace::matrix::Matrix::build(&analysis.report, &analysis.model);
    let pa22 = matrix.areas.iter().find(|a| a.id == "PA22").unwrap();
    use practrace::matrix::LevelState;
    // No base practice in scope: the area is not rated (issue 10 item 2), so no level of it
    // is missing, though its generic practices are in scope.
    assert!(!pa22.applicable);
    assert_eq!(pa22.achieved_level, None);
    assert!(pa22.cells.iter().all(|c| c.state == LevelState::OutOfScope));
    assert_eq!(pa22.groups[0].label, "Base practices");
    assert!(pa22.groups[0].practices.iter().all(|p| !p.in_scope));
    // Generic practices follow, per level and common feature, in model order.
    let labels: Vec<&str> = pa22.groups.iter().map(|g| g.label.as_str()).collect();
    assert_eq!(labels[1], "1.1 Base Practices Are Performed");
    assert_eq!(labels[2], "2.1 Planning Performance");
    assert_eq!(
        labels.len(),
        1 + 12,
        "base practices, then the 12 common features"
    );

    let mut html = Vec::new();
    practrace::matrix::html::write(&matrix, &mut html).unwrap();
    let html = String::from_utf8(html).unwrap();
    let data = common::page::data(&html);
    let pa22 = data["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "PA22")
        .unwrap();
    let base = &pa22["groups"][0]["practices"];
    assert_eq!(base[0]["id"], "BP.22.01");
    assert_eq!(base[0]["in_scope"], false);
    assert_eq!(base[0]["not_applicable"], reason, "the reason, as text");
    assert!(html.contains("<td class=\"cell out-of-scope target\""));
    // "n/a" for its level in the heat map and in its section, never a number.
    assert!(html.contains("<td class=\"num\">n/a / 1</td>"), "{html}");
    assert!(html.contains("n/a: not rated, no base practice in scope"));
    let mut markdown = Vec::new();
    practrace::matrix::markdown::write(&matrix, &mut markdown).unwrap();
    let markdown = String::from_utf8(markdown).unwrap();
    let heat_row: Vec<&str> = markdown
        .lines()
        .find(|l| l.starts_with("| PA22 |"))
        .expect("PA22's heat map row")
        .split(" | ")
        .collect();
    assert_eq!(heat_row[2..5], ["n/a", "1", "**n/a**"], "{heat_row:?}");
    assert!(markdown.contains("— n/a: not rated, no base practice in scope"));
    #[cfg(feature = "xlsx")]
    {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("matrix.xlsx");
        let mut bytes = Vec::new();
        practrace::matrix::xlsx::write(&matrix, &mut bytes).unwrap();
        std::fs::write(&file, bytes).unwrap();
        let seen = xlsx_check(&file);
        let row = &seen["summary_rows"]["PA22"];
        assert_eq!(row[2], "n/a", "{row}");
        assert!(
            row.as_array().unwrap()[4..].iter().all(|c| c == "n/a"),
            "{row}"
        );
        assert!(
            seen["summary_rows"]["PA01"][2].is_number(),
            "a rated area keeps a number"
        );
    }
    let mut csv = Vec::new();
    practrace::matrix::csv::write(&matrix, &mut csv).unwrap();
    let records = csv_records(std::str::from_utf8(&csv).unwrap());
    let na: Vec<_> = records
        .iter()
        .filter(|r| &r[0] == "PA22" && &r[7] == "not applicable")
        .collect();
    assert!(!na.is_empty());
    assert!(na.iter().all(|r| &r[8] == reason));
}

#[test]
fn xlsx_is_not_written_to_a_terminal() {
    // `script` (util-linux) runs the command on a pseudo-terminal.
    let repo = common::fixture_repo("hostile-names");
    let command = format!(
        "'{}' matrix --repo '{}' --format xlsx",
        env!("CARGO_BIN_EXE_practrace"),
        repo.path().display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("XDG_CACHE_HOME", common::cache_home())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script (util-linux) runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("XLSX is binary: write it to a file with -o FILE"),
        "{text}"
    );
    assert!(!text.contains("PK"), "no zip bytes on the terminal");
}

/// Pins issue 10 item 16: the stamp of a working-tree matrix says how its evidence files
/// differ from HEAD, so an auditor does not read it as describing the commit. A clean tree
/// says every file is as committed; a revision's stamp has no such line (and its JSON no
/// `worktree_changes`).
#[test]
fn a_working_tree_matrix_says_how_it_differs_from_the_commit() {
    let repo = common::fixture_repo("adoption");
    let matrix = |extra: &[&str]| {
        let mut args = vec!["matrix", "--no-cache", "--format", "markdown", "--repo"];
        args.push(repo.path().to_str().unwrap());
        args.extend_from_slice(extra);
        let out = common::practrace(&args);
        assert!(matches!(out.status.code(), Some(0 | 1)));
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(matrix(&[]).contains("every evidence file as committed at HEAD"));
    std::fs::write(
        repo.path().join("docs/vulns.md"),
        "---\npractices: [BP.05.01, BP.05.02]\n---\n# Vulnerabilities, revised\n",
    )
    .unwrap();
    std::fs::write(
        repo.path().join("docs/new.md"),
        "---\npractices: [BP.06.01]\n---\n",
    )
    .unwrap();
    let text = matrix(&[]);
    assert!(
        text.contains("2 evidence file(s) differ from HEAD (1 not committed, 1 modified)"),
        "{text}"
    );
    let at_rev = matrix(&["--rev", "HEAD"]);
    assert!(!at_rev.contains("Working tree"), "{at_rev}");
    let json = common::practrace_json(&[
        "matrix",
        "--no-cache",
        "--format",
        "json",
        "--repo",
        repo.path().to_str().unwrap(),
    ]);
    assert_eq!(
        json["matrix"]["worktree_changes"],
        serde_json::json!({"uncommitted": 1, "modified": 1})
    );
}
