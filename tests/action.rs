//! The GitHub Action (`action.yml`) and the workflow that uses it, against SchemaStore's
//! JSON schemas of action metadata and of workflows (`tests/data/schemastore/`, vendored
//! with their provenance): what GitHub would refuse to load fails here first. The YAML is
//! read with serde-saphyr into JSON values, then validated with jsonschema.

mod common;

use std::path::Path;

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn yaml(text: &str, what: &str) -> Value {
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{what} is not YAML: {e}"))
}

fn validator(schema: &str) -> jsonschema::Validator {
    let path = root().join("tests/data/schemastore").join(schema);
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// The action's inputs, outputs and steps as GitHub reads them.
fn action() -> Value {
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    yaml(&text, "action.yml")
}

#[test]
fn action_yml_is_valid_action_metadata() {
    let validator = validator("github-action.json");
    let action = action();
    let found = errors(&validator, &action);
    assert!(found.is_empty(), "{}", found.join("\n"));
    assert_eq!(action["runs"]["using"], "composite");

    // The validator refuses what GitHub refuses: a composite `run` step without `shell`,
    // an input with an unknown key. So this test can fail.
    let mut broken = action.clone();
    broken["runs"]["steps"][0]
        .as_object_mut()
        .unwrap()
        .remove("shell");
    assert!(!validator.is_valid(&broken), "a run step without shell");
    let mut broken = action.clone();
    broken["inputs"]["base"]["type"] = Value::from("string");
    assert!(!validator.is_valid(&broken), "an input with `type`");
}

/// Every `${{ inputs.NAME }}` and `${{ steps.ID.outputs.NAME }}` the action uses names an
/// input it declares and a step id it has; inputs reach scripts only through `env`.
#[test]
fn the_action_uses_only_what_it_declares() {
    let action = action();
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let inputs = action["inputs"].as_object().unwrap();
    let steps = action["runs"]["steps"].as_array().unwrap();
    let ids: Vec<&str> = steps.iter().filter_map(|s| s["id"].as_str()).collect();
    for (i, _) in text.match_indices("inputs.") {
        let name: String = text[i + "inputs.".len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        assert!(inputs.contains_key(&name), "inputs.{name} is not declared");
    }
    for (i, _) in text.match_indices("steps.") {
        let id: String = text[i + "steps.".len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        assert!(ids.contains(&id.as_str()), "steps.{id} is no step id");
    }
    for step in steps {
        if let Some(script) = step["run"].as_str() {
            assert!(
                !script.contains("${{"),
                "an expression pasted into a script: {script}"
            );
        }
    }
}

/// The workflow example (docs/examples/practrace.yml) and the README's copy of it.
#[test]
fn the_workflow_example_is_a_valid_workflow_and_the_readme_shows_it() {
    let validator = validator("github-workflow.json");
    let example = std::fs::read_to_string(root().join("docs/examples/practrace.yml")).unwrap();
    let workflow = yaml(&example, "docs/examples/practrace.yml");
    let found = errors(&validator, &workflow);
    assert!(found.is_empty(), "{}", found.join("\n"));
    let steps = workflow["jobs"]["practrace"]["steps"].as_array().unwrap();
    assert!(steps.iter().any(|s| {
        s["uses"]
            .as_str()
            .is_some_and(|u| u.contains("/practrace@"))
    }));
    // "on" must stay a key (YAML 1.1 would read it as true).
    assert!(workflow.get("on").is_some(), "{workflow}");

    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let block = readme
        .split("```yaml\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .find(|b| b.contains("/practrace@"))
        .expect("README.md shows the workflow");
    let found = errors(&validator, &yaml(block, "README.md's workflow"));
    assert!(found.is_empty(), "README.md: {}", found.join("\n"));

    let mut broken = workflow.clone();
    broken["jobs"]["practrace"]
        .as_object_mut()
        .unwrap()
        .remove("runs-on");
    assert!(!validator.is_valid(&broken), "a job without runs-on");
}

/// The check step's script and environment, with the `${{ inputs.NAME }}` and
/// `${{ runner.temp }}` expressions GitHub would put there replaced (any other expression
/// fails the test: a new one needs a value here).
fn check_step(inputs: &[(&str, &str)], runner_temp: &Path) -> (String, Vec<(String, String)>) {
    let action = action();
    let step = action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "check")
        .expect("a step with id check");
    let input = |name: &str| {
        inputs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
            .or_else(|| {
                action["inputs"][name]["default"]
                    .as_str()
                    .map(str::to_string)
            })
            .unwrap_or_else(|| panic!("no input {name}"))
    };
    let env = step["env"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let v = v.as_str().unwrap();
            let value = match v.strip_prefix("${{ ").and_then(|v| v.strip_suffix(" }}")) {
                Some(e) if e.starts_with("inputs.") => input(&e["inputs.".len()..]),
                None if v.starts_with("${{ runner.temp }}") => {
                    v.replace("${{ runner.temp }}", runner_temp.to_str().unwrap())
                }
                _ => panic!("{k}: an expression the test does not know: {v}"),
            };
            (k.clone(), value)
        })
        .collect();
    (step["run"].as_str().unwrap().to_string(), env)
}

/// Runs the check step as GitHub runs a `shell: bash` step (`bash --noprofile --norc -eo
/// pipefail`), in `repo`, with practrace on PATH; returns the exit code and the step's
/// outputs (GITHUB_OUTPUT).
fn run_check_step(repo: &Path, inputs: &[(&str, &str)], base_ref: Option<&str>) -> (i32, String) {
    let temp = tempfile::tempdir().unwrap();
    let (script, env) = check_step(inputs, temp.path());
    let script_file = temp.path().join("step.sh");
    std::fs::write(&script_file, script).unwrap();
    let output_file = temp.path().join("output");
    std::fs::write(&output_file, "").unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_practrace")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let mut command = std::process::Command::new("bash");
    command
        .args(["--noprofile", "--norc", "-eo", "pipefail"])
        .arg(&script_file)
        .current_dir(repo)
        .envs(env)
        .env("PATH", path)
        .env("RUNNER_TEMP", temp.path())
        .env("GITHUB_OUTPUT", &output_file)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_BASE_REF");
    if let Some(r) = base_ref {
        command.env("GITHUB_BASE_REF", r);
    }
    let out = command.output().expect("bash runs");
    let outputs = std::fs::read_to_string(&output_file).unwrap();
    let code = out.status.code().unwrap();
    if let Some(sarif) = outputs.lines().find_map(|l| l.strip_prefix("sarif-file=")) {
        let log: Value = serde_json::from_str(&std::fs::read_to_string(sarif).unwrap()).unwrap();
        assert_eq!(log["version"], "2.1.0");
    }
    (code, outputs + &String::from_utf8_lossy(&out.stdout))
}

/// The check step keeps practrace's verdict (exit 1 is an output, not a failed step, so
/// the SARIF is still written and uploaded), compares a pull request with its base branch
/// by default, and fails the step only when practrace could not run.
#[test]
fn the_check_step_keeps_the_verdict_and_compares_with_the_base_branch() {
    let gate = common::fixture_repo("gate");
    let repo = gate.path();
    common::git(repo, &["checkout", "-q", "invalid-tag"]);
    common::git(repo, &["update-ref", "refs/remotes/origin/main", "base"]);

    // A pull request into main: compared with origin/main, a new invalid tag fails.
    let (code, out) = run_check_step(repo, &[], Some("main"));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("exit-code=1\n"), "{out}");
    assert!(out.contains("sarif-file="), "{out}");
    assert!(out.contains("::error file=docs/new.md"), "{out}");
    assert!(
        out.contains("(new)") || out.contains("unknown-practice"),
        "{out}"
    );

    // No pull request, no base: the whole revision is judged; `sarif: false` writes none.
    let (code, out) = run_check_step(repo, &[("sarif", "false"), ("format", "text")], None);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("exit-code=1\n") && !out.contains("sarif-file="),
        "{out}"
    );
    assert!(!out.contains("comparing"), "{out}");

    // `base: none` on a pull request; the base branch itself passes.
    common::git(repo, &["checkout", "-q", "base"]);
    let (code, out) = run_check_step(repo, &[("base", "none")], Some("main"));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("exit-code=0\n"), "{out}");

    // A base that is not there: practrace cannot run (exit 2), and the step fails.
    let (code, out) = run_check_step(repo, &[], Some("no-such-branch"));
    assert_eq!(code, 2, "{out}");
    assert!(!out.contains("exit-code="), "{out}");
}
