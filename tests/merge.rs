//! `practrace merge`, the organisation roll-up, on the `fleet` fixture (five repositories
//! with every kind of cell: meets the target, below it, target 0, not rated): each
//! repository's `status --format json` report is made by the binary, then merged in every
//! format. Every cell and total is checked against the input reports themselves; reports
//! of another model, and files that are not reports, are refused (exit 2) naming the files;
//! the order the reports are named in does not change a byte.

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The fleet's repositories, as `fixtures/repos/fleet.sh` names them.
const FLEET: [&str; 5] = [
    "payments-api",
    "identity-service",
    "web-portal",
    "data-platform",
    "mobile-app",
];

/// The fleet built in a temporary folder, and a folder with one status report per
/// repository (`NAME.json`, made from the fleet's folder with `--repo NAME`).
struct Fleet {
    repos: tempfile::TempDir,
    reports: tempfile::TempDir,
}

impl Fleet {
    fn new() -> Fleet {
        let repos = common::fixture_repo("fleet");
        let reports = tempfile::tempdir().unwrap();
        for name in FLEET {
            let out = common::practrace_in(
                repos.path(),
                &["status", "--repo", name, "--format", "json"],
            );
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "status of {name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            std::fs::write(reports.path().join(format!("{name}.json")), &out.stdout).unwrap();
        }
        Fleet { repos, reports }
    }

    /// The report of repository `name`.
    fn report(&self, name: &str) -> PathBuf {
        self.reports.path().join(format!("{name}.json"))
    }

    /// Every report, in FLEET order.
    fn all(&self) -> Vec<PathBuf> {
        FLEET.iter().map(|n| self.report(n)).collect()
    }
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Runs `merge` on `reports` with `extra` arguments; returns stdout, asserting exit 0.
fn merge(reports: &[PathBuf], extra: &[&str]) -> Vec<u8> {
    let out = merge_output(reports, extra);
    assert_eq!(
        out.status.code(),
        Some(0),
        "merge: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn merge_output(reports: &[PathBuf], extra: &[&str]) -> std::process::Output {
    let mut args = vec!["merge".to_string()];
    args.extend(reports.iter().map(|p| p.display().to_string()));
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    common::practrace(&args)
}

fn merge_json(reports: &[PathBuf]) -> Value {
    serde_json::from_slice(&merge(reports, &["--format", "json"])).expect("JSON output")
}

/// The state the roll-up must give an area of a report, computed from the report alone.
fn expected_state(area: &Value) -> &'static str {
    let target = area["target_level"].as_u64().unwrap();
    match area["achieved_level"].as_u64() {
        None => "not-rated",
        Some(_) if target == 0 => "track-only",
        Some(level) if level >= target => "meets",
        Some(_) => "below",
    }
}

#[test]
fn json_cells_and_totals_are_the_reports_own() {
    let fleet = Fleet::new();
    let rollup = merge_json(&fleet.all());
    let rows = rollup["repositories"].as_array().unwrap();
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["repository"].as_str().unwrap())
        .collect();
    let mut sorted = FLEET.to_vec();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "one row per report, by repository");
    let areas = rollup["process_areas"].as_array().unwrap();
    assert_eq!(areas.len(), 22);
    let mut states = std::collections::BTreeSet::new();
    for row in rows {
        let report = read_json(&fleet.report(row["repository"].as_str().unwrap()));
        assert_eq!(row["commit"], report["source"]["commit"]);
        assert_eq!(row["config"]["blob"], report["config"]["blob"]);
        assert_eq!(row["tool_version"], report["tool"]["version"]);
        assert_eq!(row["duplicate"], false);
        for (cell, area) in row["areas"]
            .as_array()
            .unwrap()
            .iter()
            .zip(report["process_areas"].as_array().unwrap())
        {
            assert_eq!(cell["id"], area["id"]);
            assert_eq!(cell["achieved_level"], area["achieved_level"]);
            assert_eq!(cell["target_level"], area["target_level"]);
            assert_eq!(cell["state"], expected_state(area), "{cell}");
            states.insert(cell["state"].as_str().unwrap().to_string());
        }
    }
    // The fixture is made to show every kind of cell.
    assert_eq!(states.len(), 4, "{states:?}");
    for (a, total) in rollup["totals"].as_array().unwrap().iter().enumerate() {
        let cells: Vec<&Value> = rows.iter().map(|r| &r["areas"][a]).collect();
        let count = |state: &str| cells.iter().filter(|c| c["state"] == state).count();
        assert_eq!(total["meeting_target"], count("meets"));
        assert_eq!(total["below_target"], count("below"));
        assert_eq!(total["track_only"], count("track-only"));
        assert_eq!(total["not_rated"], count("not-rated"));
        let levels: Vec<u64> = cells
            .iter()
            .filter_map(|c| c["achieved_level"].as_u64())
            .collect();
        let mean = levels.iter().sum::<u64>() as f64 / levels.len() as f64;
        let got = total["mean_level"].as_f64().unwrap();
        assert!(
            (got - mean).abs() < 0.005,
            "{} mean {got} vs {mean}",
            total["id"]
        );
    }
    // PA19 is declared not applicable in two of the five.
    assert_eq!(rollup["totals"][18]["not_rated"], 2);
}

#[test]
fn html_has_the_heat_map_a_section_per_repository_and_nothing_to_fetch() {
    let fleet = Fleet::new();
    let html = String::from_utf8(merge(&fleet.all(), &["--format", "html"])).unwrap();
    assert!(html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""));
    assert!(!html.contains("<script"), "no script at all");
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(!html.contains(" src="), "nothing loaded");
    let mut sorted = FLEET.to_vec();
    sorted.sort_unstable();
    for (i, name) in sorted.iter().enumerate() {
        let n = i + 1;
        assert!(
            html.contains(&format!("<a href=\"#r{n}\">{name}</a>")),
            "row {n} links {name}"
        );
        assert!(html.contains(&format!(
            "<section class=\"repo\" id=\"r{n}\">\n<h3>{n}. {name}"
        )));
    }
    for class in ["meets", "below", "track-only", "not-rated"] {
        assert!(
            html.contains(&format!("<td class=\"cell {class}\"")),
            "{class}"
        );
    }
    // The matrix's palette, shared.
    assert!(html.contains("--ok-bg: #c8e6c9"));
}

#[test]
fn csv_has_a_row_per_repository_and_area() {
    let fleet = Fleet::new();
    let text = merge(&fleet.all(), &["--format", "csv"]);
    let mut reader = csv::Reader::from_reader(text.as_slice());
    let header = reader.headers().unwrap().clone();
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), FLEET.len() * 22);
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rollup = merge_json(&fleet.all());
    for record in &records {
        let row: usize = record[column("row")].parse().unwrap();
        let r = &rollup["repositories"][row - 1];
        assert_eq!(&record[column("repository")], r["repository"]);
        let area = r["areas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == record[column("process_area")])
            .unwrap();
        assert_eq!(&record[column("state")], area["state"]);
        assert_eq!(
            record[column("achieved_level")],
            area["achieved_level"]
                .as_u64()
                .map(|l| l.to_string())
                .unwrap_or_default()
        );
    }
}

#[test]
fn markdown_has_the_heat_map_totals_and_stamps() {
    let fleet = Fleet::new();
    let text = String::from_utf8(merge(&fleet.all(), &["--format", "markdown"])).unwrap();
    assert!(text.starts_with("# Organisation roll-up — "));
    let areas: Vec<String> = (1..=22).map(|i| format!("PA{i:02}")).collect();
    assert!(text.contains(&format!(
        "| # | Repository | Commit | {} |",
        areas.join(" | ")
    )));
    for label in ["**Meet the target**", "**Mean level**", "**Not rated**"] {
        assert!(text.contains(label), "{label}");
    }
    let report = read_json(&fleet.report("payments-api"));
    let commit = report["source"]["commit"].as_str().unwrap();
    // payments-api sorts 4th; PA19 is not rated there, PA22 tracked only (target 0).
    let row = text
        .lines()
        .find(|l| l.starts_with("| 4 | payments-api |"))
        .expect("payments-api's heat map row");
    assert!(row.contains(&format!("`{}`", &commit[..12])));
    assert!(row.ends_with("| n/a | ✓ 1/1 | ✓ 1/1 | ~ 2/0 |"), "{row}");
    assert!(
        text.contains(&format!("| 4 | payments-api | {} | working tree |", {
            fleet
                .report("payments-api")
                .display()
                .to_string()
                .replace('_', "\\_")
        }))
    );
}

/// The sheets and the Summary's first rows of a roll-up workbook, read with openpyxl.
#[cfg(feature = "xlsx")]
fn workbook(file: &Path) -> Value {
    const READ: &str = r#"
import json, sys, openpyxl
book = openpyxl.load_workbook(sys.argv[1])
summary = book["Summary"]
rows = [[c.value for c in row] for row in summary.iter_rows(max_row=6)]
links = [summary.cell(row=r, column=2).hyperlink.location for r in range(2, 7)]
sheet = book[book.sheetnames[1]]
areas = [[c.value for c in row] for row in sheet.iter_rows(min_row=2, max_row=23, max_col=4)]
fills = [summary.cell(row=2, column=5 + a).fill.fgColor.rgb for a in range(22)]
print(json.dumps({"sheets": book.sheetnames, "rows": rows, "links": links,
                  "first_areas": areas, "fills": fills}))
"#;
    let (python, path) = common::python_with_openpyxl();
    let mut read = std::process::Command::new(python);
    read.args(["-c", READ]).arg(file);
    if let Some(p) = path {
        read.env("PYTHONPATH", p);
    }
    let out = read.output().expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[cfg(feature = "xlsx")]
#[test]
fn xlsx_has_a_summary_and_a_sheet_per_repository() {
    let fleet = Fleet::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rollup.xlsx");
    merge(&fleet.all(), &["-o", file.to_str().unwrap()]);
    let seen = workbook(&file);
    let mut sorted = FLEET.to_vec();
    sorted.sort_unstable();
    let mut sheets = vec!["Summary".to_string()];
    sheets.extend(
        sorted
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{} {n}", i + 1)),
    );
    assert_eq!(seen["sheets"], serde_json::json!(sheets));
    let rollup = merge_json(&fleet.all());
    for (i, name) in sorted.iter().enumerate() {
        let row = &seen["rows"][i + 1];
        assert_eq!(row[1], *name);
        assert_eq!(row[2], rollup["repositories"][i]["commit"]);
        assert_eq!(seen["links"][i], format!("'{} {name}'!A1", i + 1));
        let cells = rollup["repositories"][i]["areas"].as_array().unwrap();
        for (a, cell) in cells.iter().enumerate() {
            let text = format!(
                "{}/{}",
                cell["achieved_level"]
                    .as_u64()
                    .map_or("n/a".to_string(), |l| l.to_string()),
                cell["target_level"]
            );
            assert_eq!(row[4 + a], text);
        }
    }
    // The first repository's sheet: its areas, levels as numbers.
    let first = &rollup["repositories"][0]["areas"];
    for (a, area) in seen["first_areas"].as_array().unwrap().iter().enumerate() {
        assert_eq!(area[0], first[a]["id"]);
        assert_eq!(area[3], first[a]["target_level"]);
    }
    // Cells coloured as the matrix colours them: green where the target is met.
    let cells = rollup["repositories"][0]["areas"].as_array().unwrap();
    for (a, cell) in cells.iter().enumerate() {
        let fill = seen["fills"][a].as_str().unwrap();
        let want = match cell["state"].as_str().unwrap() {
            "meets" => "FFC8E6C9",
            "below" => "FFFFCDD2",
            "track-only" => "FFFBE9E7",
            _ => "FFEEEEEE",
        };
        assert_eq!(fill, want, "{}", cell["id"]);
    }
}

#[test]
fn reports_of_another_model_are_refused_naming_both_files() {
    let fleet = Fleet::new();
    // The gate fixture is rated against its own small model.
    let gate = common::fixture_repo("gate");
    let other = fleet.reports.path().join("gate.json");
    let out = common::practrace(&[
        "status",
        "--repo",
        gate.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    std::fs::write(&other, &out.stdout).unwrap();
    assert_ne!(
        read_json(&other)["model"]["id"],
        read_json(&fleet.report("web-portal"))["model"]["id"]
    );
    for inputs in [
        vec![fleet.report("web-portal"), other.clone()],
        vec![other.clone(), fleet.report("web-portal")],
    ] {
        let out = merge_output(&inputs, &["--format", "json"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("different models"), "{stderr}");
        for file in &inputs {
            assert!(stderr.contains(&file.display().to_string()), "{stderr}");
        }
    }
    // The same model with another digest (an edited model file) is another model too.
    let mut edited = read_json(&fleet.report("web-portal"));
    edited["model"]["digest"] = "0123456789abcdef".into();
    let edited_file = fleet.reports.path().join("edited.json");
    std::fs::write(&edited_file, edited.to_string()).unwrap();
    let out = merge_output(&[fleet.report("mobile-app"), edited_file.clone()], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("0123456789abcdef"));
}

/// Whether `report` passes `schemas/report.schema.json`.
fn schema_valid(report: &Value) -> bool {
    let schema =
        read_json(&Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/report.schema.json"));
    jsonschema::validator_for(&schema).unwrap().is_valid(report)
}

#[test]
fn a_file_that_is_not_a_report_is_refused_naming_it() {
    let fleet = Fleet::new();
    let good = read_json(&fleet.report("web-portal"));
    assert!(schema_valid(&good), "the real report passes its schema");
    let edit = |f: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        f(&mut v);
        assert!(
            !schema_valid(&v),
            "the edit breaks the schema: {}",
            &v.to_string()[..200]
        );
        v.to_string()
    };
    let cases: Vec<(&str, String)> = vec![
        (
            "truncated.json",
            String::from_utf8_lossy(&good.to_string().as_bytes()[..500]).into_owned(),
        ),
        (
            "level-as-text.json",
            edit(&|v| v["process_areas"][4]["achieved_level"] = "high".into()),
        ),
        (
            "no-digest.json",
            edit(&|v| {
                v["model"].as_object_mut().unwrap().remove("digest");
            }),
        ),
        (
            "no-areas.json",
            edit(&|v| {
                v.as_object_mut().unwrap().remove("process_areas");
            }),
        ),
        (
            "bad-commit.json",
            edit(&|v| v["source"]["commit"] = 42.into()),
        ),
        // A field given twice: a JSON Schema validator sees only the last one.
        (
            "model-twice.json",
            format!(
                "{{\"model\": {{\"id\": \"x\", \"title\": \"x\", \"digest\": \"x\"}}, {}",
                &good.to_string()[1..]
            ),
        ),
    ];
    for (name, text) in cases {
        let bad = fleet.reports.path().join(name);
        std::fs::write(&bad, text).unwrap();
        let out = merge_output(&[fleet.report("mobile-app"), bad.clone()], &[]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("{} is not a practrace JSON report", bad.display())),
            "{name}: {stderr}"
        );
        std::fs::remove_file(&bad).unwrap();
    }
    // Nothing to merge: an empty folder, or a file that is not there.
    let empty = tempfile::tempdir().unwrap();
    let out = merge_output(&[empty.path().to_path_buf()], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no reports to merge"));
    let missing = fleet.reports.path().join("missing.json");
    let out = merge_output(std::slice::from_ref(&missing), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&missing.display().to_string()));
}

#[test]
fn the_order_of_the_inputs_does_not_change_a_byte() {
    let fleet = Fleet::new();
    let forward = fleet.all();
    let mut backward = forward.clone();
    backward.reverse();
    let folder = vec![fleet.reports.path().to_path_buf()];
    let dir = tempfile::tempdir().unwrap();
    for format in ["json", "html", "csv", "markdown", "xlsx"] {
        let mut outputs = Vec::new();
        for (i, inputs) in [&forward, &backward, &folder].into_iter().enumerate() {
            let file = dir.path().join(format!("{i}.{format}"));
            merge(inputs, &["--format", format, "-o", file.to_str().unwrap()]);
            outputs.push(std::fs::read(&file).unwrap());
        }
        assert_eq!(outputs[0], outputs[1], "{format}: reversed inputs");
        assert_eq!(outputs[0], outputs[2], "{format}: the folder");
    }
}

#[test]
fn a_repository_and_commit_twice_stay_two_rows_flagged_and_matrix_reports_have_a_date() {
    let fleet = Fleet::new();
    let matrix = fleet.reports.path().join("web-portal.matrix.json");
    let out = common::practrace_in(
        fleet.repos.path(),
        &["matrix", "--repo", "web-portal", "--format", "json"],
    );
    std::fs::write(&matrix, &out.stdout).unwrap();
    let rollup = merge_json(&[
        fleet.report("web-portal"),
        matrix.clone(),
        fleet.report("mobile-app"),
    ]);
    let rows = rollup["repositories"].as_array().unwrap();
    let files: Vec<String> = rows
        .iter()
        .map(|r| r["file"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        files,
        [
            fleet.report("mobile-app").display().to_string(),
            fleet.report("web-portal").display().to_string(),
            matrix.display().to_string(),
        ],
        "by repository, then commit, then file"
    );
    let flags: Vec<&Value> = rows.iter().map(|r| &r["duplicate"]).collect();
    assert_eq!(flags, [false, true, true]);
    assert_eq!(
        rows[1]["commit_date"],
        Value::Null,
        "a status report has none"
    );
    let date = read_json(&matrix)["matrix"]["commit_date"].clone();
    assert!(date.is_string());
    assert_eq!(rows[2]["commit_date"], date);
    // Both count in the totals.
    assert_eq!(
        rollup["totals"][1]["meeting_target"].as_u64().unwrap()
            + rollup["totals"][1]["below_target"].as_u64().unwrap()
            + rollup["totals"][1]["track_only"].as_u64().unwrap(),
        3
    );
}

#[test]
fn repository_names_are_text_in_every_format() {
    let fleet = Fleet::new();
    let mut hostile = read_json(&fleet.report("web-portal"));
    hostile["source"]["repo"] = "=HYPERLINK(\"http://x\")<script>alert(1)</script>".into();
    let file = fleet.reports.path().join("hostile.json");
    std::fs::write(&file, hostile.to_string()).unwrap();
    let inputs = [file, fleet.report("mobile-app")];
    let html = String::from_utf8(merge(&inputs, &["--format", "html"])).unwrap();
    assert!(!html.contains("<script"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;"), "shown as text");
    let csv = String::from_utf8(merge(&inputs, &["--format", "csv"])).unwrap();
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")<script>"));
    assert!(!csv.contains(",=HYPERLINK"));
    let markdown = String::from_utf8(merge(&inputs, &["--format", "markdown"])).unwrap();
    assert!(!markdown.contains("<script>"));
    assert!(markdown.contains("'=HYPERLINK"));
}

/// Pins the roll-up's name for a report made with `--repo .` (as a CI job runs it from its
/// checkout): not `.`, but the report file's name, status and matrix reports alike. A
/// report made with a named path keeps that path.
#[test]
fn a_report_made_with_repo_dot_is_named_by_its_file() {
    let fleet = Fleet::new();
    let repo = fleet.repos.path().join("payments-api");
    let dot = |args: &[&str]| {
        let out = common::practrace_in(&repo, args);
        assert!(matches!(out.status.code(), Some(0 | 1)));
        out.stdout
    };
    let status = fleet.reports.path().join("payments.json");
    std::fs::write(&status, dot(&["status", "--repo", ".", "--format", "json"])).unwrap();
    let matrix = fleet.reports.path().join("from-ci.json");
    let json = dot(&["matrix", "--repo", ".", "--format", "json"]);
    std::fs::write(&matrix, json).unwrap();
    assert_eq!(read_json(&status)["source"]["repo"], ".");
    let rollup = merge_json(&[status, matrix, fleet.report("web-portal")]);
    let mut names: Vec<&str> = rollup["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["repository"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["from-ci", "payments", "web-portal"]);
}
