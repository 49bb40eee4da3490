//! `practrace matrix --format oscal` and `--format oscal-plan` against NIST's published OSCAL
//! 1.1.2 JSON schemas (`tests/data/oscal/`, provenance beside them): the documents of three
//! fixture repositories validate (formats checked too), a broken one does not, the same
//! revision gives the same bytes, every uuid is unique and every reference resolves, and
//! the content is the JSON report's (one observation per evidence, one finding per
//! practice, not-applicable practices with their reason), and hostile paths are
//! percent-encoded hrefs.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

fn schema(name: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/oscal")
        .join(name);
    let schema: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .expect("NIST's schema compiles")
}

fn results_schema() -> jsonschema::Validator {
    schema("oscal_assessment-results_schema.json")
}

fn plan_schema() -> jsonschema::Validator {
    schema("oscal_assessment-plan_schema.json")
}

/// The schema's complaints about `doc`, one per line.
fn errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn assert_valid(validator: &jsonschema::Validator, doc: &Value) {
    let errors = errors(validator, doc);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// `practrace matrix ARGS --format FORMAT` in `repo`: its stdout (exit 0, or 1 for a
/// repository with error diagnostics, as the fixtures have).
fn matrix_bytes(repo: &Path, format: &str, args: &[&str]) -> Vec<u8> {
    let mut all = vec!["matrix", "--format", format];
    all.extend_from_slice(args);
    let out = common::practrace_in(repo, &all);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "practrace {all:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn matrix_doc(repo: &Path, format: &str, args: &[&str]) -> Value {
    serde_json::from_slice(&matrix_bytes(repo, format, args)).expect("JSON output")
}

/// Every fixture case: a name, the fixture, and the scan arguments.
fn cases() -> Vec<(&'static str, tempfile::TempDir, Vec<String>)> {
    let gate = || common::fixture_repo("gate");
    vec![
        ("basic", common::fixture_repo("basic"), vec![]),
        (
            "gate: PA02 not applicable",
            gate(),
            vec!["--rev".into(), "area-not-applicable".into()],
        ),
        (
            "gate: one practice not applicable",
            gate(),
            vec!["--rev".into(), "not-applicable".into()],
        ),
        // The built-in model: every hostile path is evidence.
        (
            "hostile-names",
            common::fixture_repo("hostile-names"),
            vec![],
        ),
        // Freshness limits: observations carry `expires`, stale-only practices fail.
        ("freshness", common::fixture_repo("freshness"), vec![]),
    ]
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[test]
fn results_and_plan_validate_against_the_nist_schemas() {
    let (results, plan) = (results_schema(), plan_schema());
    for (name, repo, args) in cases() {
        let args = strs(&args);
        let doc = matrix_doc(repo.path(), "oscal", &args);
        let errors = errors(&results, &doc);
        assert!(errors.is_empty(), "{name}: {}", errors.join("\n"));
        let doc = matrix_doc(repo.path(), "oscal-plan", &args);
        let errors_plan = self::errors(&plan, &doc);
        assert!(
            errors_plan.is_empty(),
            "{name} plan: {}",
            errors_plan.join("\n")
        );
    }
}

#[test]
fn the_schemas_reject_broken_documents() {
    let repo = common::fixture_repo("gate");
    let doc = matrix_doc(repo.path(), "oscal", &[]);
    let results = results_schema();
    assert_valid(&results, &doc);
    let control = "/assessment-results/results/0/reviewed-controls/control-selections/0/include-controls/0/control-id";
    // Each: where, and what to put there (`None`: remove it; the complaint is then about
    // its parent).
    let broken: [(&str, Option<&str>); 5] = [
        // A practice id as it is, not mapped: `@` is no token character (the schema's
        // \p{L} patterns are enforced).
        (control, Some("GP.2.1.1@PA01")),
        ("/assessment-results/metadata/oscal-version", None),
        // git allows this offset; OSCAL's date-time pattern does not.
        (
            "/assessment-results/metadata/last-modified",
            Some("2024-02-02T10:00:00+01:23"),
        ),
        (
            "/assessment-results/uuid",
            Some("6ba7b811-9dad-11d1-80b4-00c04fd430c8"),
        ),
        // A path as it is, not percent-encoded: not a URI reference (formats are checked).
        (
            "/assessment-results/results/0/observations/0/relevant-evidence/0/href",
            Some("docs/a b.md"),
        ),
    ];
    for (pointer, value) in broken {
        let mut bad = doc.clone();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let object = bad.pointer_mut(parent).unwrap().as_object_mut().unwrap();
        let at = match value {
            Some(v) => {
                object.insert(key.into(), v.into());
                pointer
            }
            None => {
                object.remove(key);
                parent
            }
        };
        let complaints: Vec<String> = results
            .iter_errors(&bad)
            .map(|e| e.instance_path().to_string())
            .collect();
        assert!(
            complaints.iter().any(|p| p == at),
            "the schema accepted {pointer} = {value:?}: {complaints:?}"
        );
    }
    let mut plan = matrix_doc(repo.path(), "oscal-plan", &[]);
    assert_valid(&plan_schema(), &plan);
    plan["assessment-plan"]
        .as_object_mut()
        .unwrap()
        .remove("import-ssp");
    assert!(
        !errors(&plan_schema(), &plan).is_empty(),
        "plan without import-ssp"
    );
}

#[test]
fn the_same_revision_gives_the_same_bytes_and_another_gives_other_uuids() {
    let repo = common::fixture_repo("gate");
    for format in ["oscal", "oscal-plan"] {
        let first = matrix_bytes(repo.path(), format, &["--rev", "base"]);
        let again = matrix_bytes(repo.path(), format, &["--rev", "base", "--no-cache"]);
        assert!(first == again, "{format}: two runs differ");
    }
    let uuid = |rev: &str| {
        matrix_doc(repo.path(), "oscal", &["--rev", rev])["assessment-results"]["uuid"].clone()
    };
    assert_ne!(uuid("base"), uuid("good"));
}

/// Every value of a `uuid` key anywhere in `doc`, and every value of a key ending in
/// `-uuid` (a reference).
fn uuids(doc: &Value, defined: &mut Vec<String>, referenced: &mut Vec<String>) {
    match doc {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v.as_str()) {
                    ("uuid", Some(u)) => defined.push(u.to_string()),
                    (k, Some(u)) if k.ends_with("-uuid") => referenced.push(u.to_string()),
                    _ => uuids(v, defined, referenced),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| uuids(v, defined, referenced)),
        _ => {}
    }
}

#[test]
fn uuids_are_unique_and_every_reference_resolves() {
    for (name, repo, args) in cases() {
        let args = strs(&args);
        for format in ["oscal", "oscal-plan"] {
            let doc = matrix_doc(repo.path(), format, &args);
            let (mut defined, mut referenced) = (Vec::new(), Vec::new());
            uuids(&doc, &mut defined, &mut referenced);
            let unique: BTreeSet<&String> = defined.iter().collect();
            assert_eq!(
                unique.len(),
                defined.len(),
                "{name} {format}: a uuid repeats"
            );
            for r in &referenced {
                assert!(unique.contains(r), "{name} {format}: {r} is not defined");
            }
            if format == "oscal-plan" {
                let href = doc["assessment-plan"]["import-ssp"]["href"]
                    .as_str()
                    .unwrap();
                let target = href.strip_prefix('#').expect("a fragment");
                assert!(unique.contains(&target.to_string()), "{name}: {href}");
            } else {
                assert!(
                    !referenced.is_empty(),
                    "{name}: no finding points at evidence"
                );
            }
        }
    }
}

/// UTC, as the OSCAL documents write dates.
fn utc(date: &str) -> String {
    let stamp: jiff::Timestamp = date.parse().unwrap();
    stamp.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[test]
fn the_content_is_the_reports() {
    let repo = common::fixture_repo("gate");
    let args = ["--rev", "area-not-applicable"];
    let report = matrix_doc(repo.path(), "json", &args);
    let doc = matrix_doc(repo.path(), "oscal", &args);
    let ar = &doc["assessment-results"];
    assert_eq!(ar["metadata"]["oscal-version"], "1.1.2");
    let commit_date = report["matrix"]["commit_date"].as_str().unwrap();
    assert_eq!(ar["metadata"]["last-modified"], utc(commit_date));
    assert_eq!(ar["metadata"]["version"], report["source"]["commit"]);
    let result = &ar["results"][0];
    let practices = report["practices"].as_array().unwrap();
    let findings = result["findings"].as_array().unwrap();
    assert_eq!(findings.len(), practices.len());
    let selection = &result["reviewed-controls"]["control-selections"][0];
    let ids = |key: &str| -> Vec<String> {
        selection[key].as_array().map_or(Vec::new(), |a| {
            a.iter()
                .map(|c| c["control-id"].as_str().unwrap().to_string())
                .collect()
        })
    };
    let control = |p: &Value| p["id"].as_str().unwrap().to_lowercase().replace('@', "_");
    let in_scope = |yes: bool| -> Vec<String> {
        practices
            .iter()
            .filter(|p| p["in_scope"] == yes)
            .map(control)
            .collect()
    };
    assert_eq!(ids("include-controls"), in_scope(true));
    assert_eq!(ids("exclude-controls"), in_scope(false));
    assert!(
        !in_scope(false).is_empty(),
        "the fixture has not-applicable practices"
    );

    let observations: BTreeMap<&str, &Value> = result["observations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["uuid"].as_str().unwrap(), o))
        .collect();
    let evidence: usize = practices
        .iter()
        .map(|p| p["evidence"].as_array().unwrap().len())
        .sum();
    assert_eq!(observations.len(), evidence);
    for (p, f) in practices.iter().zip(findings) {
        assert_eq!(f["target"]["target-id"], control(p).as_str());
        assert_eq!(f["target"]["type"], "objective-id");
        let status = &f["target"]["status"];
        let ev = p["evidence"].as_array().unwrap();
        match p["not_applicable"].as_str() {
            Some(why) => {
                assert_eq!(status["reason"], "not-applicable", "{}", p["id"]);
                assert_eq!(f["remarks"], why);
                assert_eq!(
                    f["target"]["implementation-status"]["state"],
                    "not-applicable"
                );
            }
            None if ev.is_empty() => assert_eq!(status["state"], "not-satisfied"),
            None => assert_eq!(status["state"], "satisfied"),
        }
        let related = f["related-observations"]
            .as_array()
            .map_or(&[][..], Vec::as_slice);
        assert_eq!(related.len(), ev.len(), "{}", p["id"]);
        for (r, e) in related.iter().zip(ev) {
            let o = observations[r["observation-uuid"].as_str().unwrap()];
            assert_eq!(o["methods"], serde_json::json!(["EXAMINE"]));
            assert!(o.get("expires").is_none(), "no freshness limit, no expiry");
            let evidence = &o["relevant-evidence"][0];
            let date = match e["kind"].as_str().unwrap() {
                "file" => {
                    assert_eq!(evidence["href"], e["path"]);
                    let text = evidence["description"].as_str().unwrap();
                    for part in ["path", "blob"] {
                        assert!(text.contains(e[part].as_str().unwrap()), "{text}");
                    }
                    let last = &e["last_commit"];
                    assert!(text.contains(last["commit"].as_str().unwrap()), "{text}");
                    last["date"].as_str().unwrap()
                }
                _ => e["date"].as_str().unwrap(),
            };
            assert_eq!(o["collected"], utc(date));
        }
    }
}

#[test]
fn output_to_a_file_writes_the_plan_beside_and_points_at_it() {
    let repo = common::fixture_repo("gate");
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("my sar.json");
    let file_arg = file.to_str().unwrap();
    // `--format oscal` agrees with a .json file name.
    let stdout = matrix_bytes(repo.path(), "oscal", &["--rev", "base", "-o", file_arg]);
    assert!(stdout.is_empty());
    let doc: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(
        doc["assessment-results"]["import-ap"]["href"],
        "my%20sar.plan.json"
    );
    let plan: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("my sar.plan.json")).unwrap())
            .unwrap();
    assert_valid(&results_schema(), &doc);
    assert_valid(&plan_schema(), &plan);
    // The same plan as `--format oscal-plan`, and the same results as stdout but the href.
    assert_eq!(
        plan,
        matrix_doc(repo.path(), "oscal-plan", &["--rev", "base"])
    );
    let mut to_stdout = matrix_doc(repo.path(), "oscal", &["--rev", "base"]);
    assert_eq!(
        to_stdout["assessment-results"]["import-ap"]["href"],
        "assessment-plan.json"
    );
    to_stdout["assessment-results"]["import-ap"]["href"] = "my%20sar.plan.json".into();
    assert_eq!(doc, to_stdout);
}

#[test]
fn hostile_paths_are_percent_encoded_hrefs() {
    let repo = common::fixture_repo("hostile-names");
    let doc = matrix_doc(repo.path(), "oscal", &[]);
    let hrefs: BTreeSet<&str> = doc["assessment-results"]["results"][0]["observations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["relevant-evidence"][0]["href"].as_str())
        .collect();
    for href in [
        "docs/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.md",
        "%3DHYPERLINK%28%22http%3A__x%22%29.md",
        "%2B1.md",
        "%40SUM%28A1%29.md",
    ] {
        assert!(hrefs.contains(href), "{href} not in {hrefs:?}");
    }
}

/// With `freshness:`, each observation expires at its date plus its practice's limit, and
/// a practice whose only evidence is stale is not satisfied (issue 13 §1 in OSCAL).
#[test]
fn stale_evidence_expires_and_does_not_satisfy() {
    let repo = common::fixture_repo("freshness");
    let doc = matrix_doc(repo.path(), "oscal", &[]);
    let result = &doc["assessment-results"]["results"][0];
    let observation = result["observations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["title"] == "BP.01.01: docs/old.md")
        .expect("an observation of docs/old.md");
    // 2025-12-31T23:59:59Z + 90 days.
    assert_eq!(observation["expires"], "2026-03-31T23:59:59Z");
    let state = |control: &str| {
        result["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["target"]["target-id"] == control)
            .map(|f| f["target"]["status"]["state"].clone())
            .unwrap()
    };
    assert_eq!(state("bp.01.01"), "not-satisfied");
    assert_eq!(state("bp.01.02"), "satisfied");
}
