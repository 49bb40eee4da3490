//! The committed JSON Schemas are the ones the code generates, the built-in model validates
//! against the model schema, and a real report validates against the report schema.

mod common;

use serde_json::Value;

fn read_json(path: &str) -> Value {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    serde_json::from_slice(&std::fs::read(&full).unwrap()).unwrap()
}

fn assert_valid(schema: &Value, instance: &Value) {
    let validator = jsonschema::validator_for(schema).expect("a valid schema");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn committed_schemas_are_current() {
    let on_disk = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schemas/config.schema.json"
    ))
    .unwrap();
    assert_eq!(
        on_disk,
        practrace::report::config_schema(),
        "run `practrace schema config > schemas/config.schema.json`"
    );
    let on_disk = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schemas/report.schema.json"
    ))
    .unwrap();
    assert_eq!(
        on_disk,
        practrace::report::report_schema(),
        "run `practrace schema report > schemas/report.schema.json`"
    );
    let on_disk = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schemas/model.schema.json"
    ))
    .unwrap();
    assert_eq!(
        on_disk,
        practrace::report::model_schema(),
        "run `practrace schema model > schemas/model.schema.json`"
    );
    let on_disk = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schemas/graph.schema.json"
    ))
    .unwrap();
    assert_eq!(
        on_disk,
        practrace::graph_export::graph_schema(),
        "run `practrace schema graph > schemas/graph.schema.json`"
    );
    let on_disk = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schemas/history.schema.json"
    ))
    .unwrap();
    assert_eq!(
        on_disk,
        practrace::history::history_schema(),
        "run `practrace schema history > schemas/history.schema.json`"
    );
}

#[test]
fn builtin_model_validates() {
    assert_valid(
        &read_json("schemas/model.schema.json"),
        &read_json("schemas/sse-cmm.model.json"),
    );
}

#[test]
fn status_report_validates_and_a_broken_one_does_not() {
    let repo = common::fixture_repo("basic");
    let report = common::practrace_json(&[
        "status",
        "--repo",
        repo.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    let schema = read_json("schemas/report.schema.json");
    assert_valid(&schema, &report);
    // The schema has teeth: a report with a practice missing its evidence list fails.
    let mut broken = report.clone();
    broken["practices"][0]
        .as_object_mut()
        .unwrap()
        .remove("evidence");
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(!validator.is_valid(&broken));
}

#[test]
fn graph_json_validates_and_a_broken_one_does_not() {
    let repo = common::fixture_repo("graph-names");
    let schema = read_json("schemas/graph.schema.json");
    for filter in [&[][..], &["--pa", "PA01"][..]] {
        let mut args = vec!["graph", "--repo", repo.path().to_str().unwrap()];
        args.extend_from_slice(&["--format", "json"]);
        args.extend_from_slice(filter);
        let graph = common::practrace_json(&args);
        assert_valid(&schema, &graph);
        // The schema has teeth: an edge of an unknown kind fails.
        let mut broken = graph.clone();
        broken["edges"][0]["kind"] = "owns".into();
        let validator = jsonschema::validator_for(&schema).unwrap();
        assert!(!validator.is_valid(&broken));
    }
}

#[test]
fn history_json_validates_and_a_broken_one_does_not() {
    let repo = common::fixture_repo("history");
    let history = common::practrace_json(&[
        "history",
        "--repo",
        repo.path().to_str().unwrap(),
        "--every",
        "quarter",
        "--format",
        "json",
    ]);
    let schema = read_json("schemas/history.schema.json");
    assert_valid(&schema, &history);
    // The schema has teeth: a point whose scan is neither full nor derived fails, and so
    // does a point without its process areas.
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut broken = history.clone();
    broken["points"][0]["scan"] = "partial".into();
    assert!(!validator.is_valid(&broken));
    let mut broken = history.clone();
    broken["points"][0]
        .as_object_mut()
        .unwrap()
        .remove("process_areas");
    assert!(!validator.is_valid(&broken));
}

/// The report is written in pieces (so the cache can keep each practice's bytes); the
/// pieces must add up to exactly what serde_json's pretty printer gives for the whole.
#[test]
fn the_report_written_in_pieces_is_serde_json_pretty() {
    for fixture in ["basic", "gate"] {
        let repo = common::fixture_repo(fixture);
        for brief in [false, true] {
            let mut request = practrace::Request::new(repo.path());
            request.rev = Some("HEAD".into());
            request.use_cache = false;
            request.brief = brief;
            let analysis = practrace::analyze(&request).unwrap();
            let mut written = Vec::new();
            analysis.report.write_json(&mut written).unwrap();
            let whole = serde_json::to_string_pretty(&analysis.report).unwrap() + "\n";
            assert_eq!(
                String::from_utf8(written).unwrap(),
                whole,
                "{fixture} brief={brief}"
            );
        }
    }
}
