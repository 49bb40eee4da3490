//! `check --format sarif` as GitHub code scanning ingests it. Microsoft's SARIF validator
//! (`@microsoft/sarif-multitool validate --rule-kind "Gh;Sarif"`, the SARIF rules and
//! GitHub's) must find no error and no warning in the logs of the gate fixture (every
//! branch, against `base` and alone), the basic fixture (plain, `--deny warnings`, under a
//! baseline) and a shallow clone. The validator is installed with npm into the build's
//! temporary folder; the test that runs it is skipped, saying so, only when npm is not
//! on PATH (CI's machine has none). The rules the validator enforced on earlier output
//! are also checked here directly, so they hold without npm too.
//! `scripts/sarif-check.sh` runs the same validation by hand, with the notes listed.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{fixture_repo, git, practrace_in};
use serde_json::Value;

/// The validator's version: pinned, so its rules do not change under the test.
const VALIDATOR: &str = "5.7.0";

/// Every SARIF log of the fixtures, named: `(name, log)`; made once for both tests.
fn logs() -> &'static [(String, String)] {
    static LOGS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    LOGS.get_or_init(make_logs)
}

fn make_logs() -> Vec<(String, String)> {
    let gate = fixture_repo("gate");
    let basic = fixture_repo("basic");
    let mut logs = Vec::new();
    let mut sarif = |name: String, dir: &Path, args: &[&str]| {
        let mut all = vec!["check", "--format", "sarif"];
        all.extend_from_slice(args);
        let out = practrace_in(dir, &all);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        logs.push((name, String::from_utf8(out.stdout).unwrap()));
    };
    let branches = git(
        gate.path(),
        &["for-each-ref", "--format=%(refname:short)", "refs/heads"],
    );
    for branch in String::from_utf8(branches).unwrap().lines() {
        if branch == "bad-key" {
            continue; // a bad configuration: exit 2, no log
        }
        sarif(
            format!("gate-{branch}-vs-base"),
            gate.path(),
            &["--base", "base", "--rev", branch],
        );
        sarif(format!("gate-{branch}"), gate.path(), &["--rev", branch]);
    }
    sarif("basic".into(), basic.path(), &[]);
    sarif(
        "basic-deny-warnings".into(),
        basic.path(),
        &["--deny", "warnings"],
    );
    let scratch = tempfile::tempdir().unwrap();
    let baseline = scratch.path().join("baseline.json");
    let out = practrace_in(
        basic.path(),
        &["baseline", "write", "-o", baseline.to_str().unwrap()],
    );
    assert!(out.status.success());
    sarif(
        "basic-baselined".into(),
        basic.path(),
        &["--baseline", baseline.to_str().unwrap()],
    );
    let shallow = scratch;
    let url = format!("file://{}", gate.path().display());
    git(
        shallow.path(),
        &[
            "clone", "-q", "--depth", "1", "--branch", "good", &url, "clone",
        ],
    );
    sarif("gate-shallow".into(), &shallow.path().join("clone"), &[]);
    logs
}

/// What the validator asked of earlier output, checked without it: an opaque rule id
/// apart from the kebab-case name, short and full descriptions and help on every rule
/// (GH2012, SARIF1001), a region on every location (SARIF2017), an `informationUri`
/// (SARIF2005), and results that name their rule by id and index.
#[test]
fn every_rule_is_described_and_every_result_placed() {
    let logs = logs();
    assert!(logs.len() > 40, "{}", logs.len());
    let mut codes = std::collections::BTreeSet::new();
    for (name, text) in logs {
        let log: Value = serde_json::from_str(text).expect(name);
        let run = &log["runs"][0];
        let driver = &run["tool"]["driver"];
        let uri = driver["informationUri"].as_str().unwrap_or_default();
        assert!(uri.starts_with("https://"), "{name}: {uri:?}");
        let rules = driver["rules"].as_array().unwrap();
        for rule in rules {
            let id = rule["id"].as_str().unwrap();
            assert!(
                id.len() == 6
                    && id.starts_with("PT")
                    && id[2..].bytes().all(|b| b.is_ascii_digit()),
                "{name}: {id}"
            );
            let code = rule["name"].as_str().unwrap();
            assert_ne!(code, id);
            codes.insert(code.to_string());
            for key in ["shortDescription", "fullDescription", "help"] {
                let t = rule[key]["text"].as_str().unwrap_or_default();
                assert!(!t.is_empty(), "{name}: {id} has no {key}");
            }
        }
        for result in run["results"].as_array().unwrap() {
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(result["ruleId"], rules[index]["id"], "{name}");
            let locations = result["locations"].as_array().unwrap();
            assert!(!locations.is_empty(), "{name}");
            for l in locations {
                let line = l["physicalLocation"]["region"]["startLine"].as_u64();
                assert!(line.is_some_and(|n| n >= 1), "{name}: {l}");
            }
        }
    }
    // The fixtures reach the gate's codes, file-level findings and commit-level ones.
    for code in [
        "below-target",
        "evidence-lost",
        "evidence-added",
        "evidence-moved",
        "level-lowered",
        "level-raised",
        "unknown-practice",
        "trailer-outside-block",
        "evidence-map-unmatched",
        "shallow-history",
    ] {
        assert!(codes.contains(code), "no log has {code}: {codes:?}");
    }
}

/// The validator's native program, installed with npm into the build's temporary folder
/// when it is not there yet; `None` when npm is not on PATH. A failed install fails.
fn validator() -> Option<PathBuf> {
    let platform = match std::env::consts::OS {
        "linux" => "linux",
        "macos" => "darwin",
        _ => return None,
    };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("sarif-multitool-{VALIDATOR}"));
    let exe = dir
        .join("node_modules/@microsoft")
        .join(format!("sarif-multitool-{platform}"))
        .join("Sarif.Multitool");
    if exe.is_file() {
        return Some(exe);
    }
    let npm = Command::new("npm").arg("--version").output();
    if !npm.is_ok_and(|o| o.status.success()) {
        return None;
    }
    std::fs::create_dir_all(&dir).unwrap();
    // --ignore-scripts: the platform package's one script is a chmod, done below.
    let out = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--prefix",
        ])
        .arg(&dir)
        .arg(format!("@microsoft/sarif-multitool@{VALIDATOR}"))
        .output()
        .expect("npm runs");
    assert!(
        out.status.success(),
        "npm install @microsoft/sarif-multitool failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    Some(exe)
}

/// Runs `validate --rule-kind "Gh;Sarif"` on the files (directly: the package's bin.js
/// would pass `Gh;Sarif` through a shell, which splits it at `;`) and returns its report
/// lines, `FILE(LINE,COL): LEVEL RULE: message`, of errors and warnings.
fn validate(exe: &Path, files: &[PathBuf]) -> Vec<String> {
    let out = Command::new(exe)
        .args(["validate", "--rule-kind", "Gh;Sarif"])
        .args(files)
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .expect("the validator runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains(&format!("Done. {} files scanned.", files.len())),
        "the validator did not run to the end: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .filter(|l| l.contains("): error ") || l.contains("): warning "))
        .map(str::to_string)
        .collect()
}

#[test]
fn microsofts_sarif_validator_finds_no_error_or_warning() {
    let Some(exe) = validator() else {
        eprintln!(
            "skipped: npm is not on PATH, so Microsoft's SARIF validator \
             (@microsoft/sarif-multitool) cannot be installed; scripts/sarif-check.sh needs it too"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = logs()
        .iter()
        .map(|(name, text)| {
            let file = dir.path().join(format!("{name}.sarif"));
            std::fs::write(&file, text).unwrap();
            file
        })
        .collect();
    let complaints = validate(&exe, &files);
    assert!(complaints.is_empty(), "{}", complaints.join("\n"));

    // The validator does complain about what practrace wrote before: a rule without
    // fullDescription or help, named as its id, a location without a region, a tool
    // without informationUri. So this test can fail.
    let old = serde_json::json!({
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{
            "tool": {"driver": {"name": "practrace", "version": "0.1.0", "rules": [{
                "id": "below-target", "name": "below-target",
                "shortDescription": {"text": "A process area below its target capability level."},
            }]}},
            "results": [{
                "ruleId": "below-target", "ruleIndex": 0, "level": "error",
                "message": {"text": "PA01 is at level 0, below its target level 1."},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": ".practrace.yaml", "uriBaseId": "%SRCROOT%"},
                }}],
            }],
        }],
    });
    let file = dir.path().join("old.sarif");
    std::fs::write(&file, old.to_string()).unwrap();
    let complaints = validate(&exe, &[file]).join("\n");
    for rule in [
        "error GH2012",
        "warning SARIF1001",
        "warning SARIF2005",
        "warning SARIF2017",
    ] {
        assert!(complaints.contains(rule), "no {rule}: {complaints}");
    }
}
