//! Hostile input (issue 5): every case of `fixtures/hostile/build.sh` is scanned in the
//! working tree and at `--rev HEAD`, and each run must keep the promise:
//! - no panic, and done within a time bound, under a 512 MiB address-space limit;
//! - exit 0, or 1 with a located error diagnostic where the input is the problem, or 2
//!   with a one-line message where the repository cannot be read;
//! - the repository byte-identical afterwards (`.git` and the work tree), and the marker
//!   file that a hook, filter, textconv or fsmonitor would create never there.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const TIME_BOUND: Duration = Duration::from_secs(60);
/// The address-space limit: 512 MiB of memory, plus each thread's stack. glibc reserves
/// 64 MiB of address space for each thread's malloc arena (up to 8 per core), used or not,
/// so the child runs with `MALLOC_ARENA_MAX=2`: the limit then bounds what the scan uses,
/// not how many cores the machine has (this test failed under `RAYON_NUM_THREADS=8` on a
/// two-core machine before).
fn memory_bound_kib() -> u64 {
    let threads = std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|n| n.parse::<u64>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get() as u64));
    512 * 1024 + (threads + 2) * 4 * 1024
}

struct Case {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    marker: PathBuf,
    before: BTreeMap<PathBuf, String>,
}

struct Run {
    code: i32,
    stderr: String,
    json: Option<Value>,
}

fn build(name: &str) -> Case {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new("bash")
        .arg(common::fixtures().join("hostile").join("build.sh"))
        .arg(name)
        .arg(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "building case {name} failed");
    let repo = dir.path().join("repo");
    let marker = dir.path().join("marker");
    let before = common::snapshot(&repo);
    Case {
        _dir: dir,
        repo,
        marker,
        before,
    }
}

impl Case {
    /// Runs `practrace status --format json` (plus `extra`) under the bounds.
    fn scan(&self, extra: &[&str]) -> Run {
        let mut child = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "ulimit -v {}; exec \"$0\" \"$@\"",
                memory_bound_kib()
            ))
            .arg(env!("CARGO_BIN_EXE_practrace"))
            .args(["status", "--format", "json", "--repo"])
            .arg(&self.repo)
            .args(extra)
            .env("XDG_CACHE_HOME", common::cache_home())
            .env("MALLOC_ARENA_MAX", "2")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Read both pipes on threads so a large report cannot block the child.
        let mut stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let out = std::thread::spawn(move || {
            let mut v = Vec::new();
            stdout.read_to_end(&mut v).map(|_| v)
        });
        let err = std::thread::spawn(move || {
            let mut v = Vec::new();
            stderr.read_to_end(&mut v).map(|_| v)
        });
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > TIME_BOUND {
                child.kill().ok();
                panic!(
                    "practrace {extra:?} ran over {TIME_BOUND:?} on {}",
                    self.repo.display()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let stdout = out.join().unwrap().unwrap();
        let stderr = String::from_utf8_lossy(&err.join().unwrap().unwrap()).into_owned();
        let code = status
            .code()
            .unwrap_or_else(|| panic!("killed by a signal: {status:?}\n{stderr}"));
        let run = Run {
            code,
            json: serde_json::from_slice(&stdout).ok(),
            stderr,
        };
        self.keeps_the_promise(&run, extra);
        run
    }

    fn keeps_the_promise(&self, run: &Run, extra: &[&str]) {
        let what = format!("{extra:?} exit {}: {}", run.code, run.stderr);
        assert!(
            !run.stderr.contains("internal error") && !run.stderr.contains("panicked"),
            "{what}"
        );
        match run.code {
            0 | 1 => {
                let json = run
                    .json
                    .as_ref()
                    .unwrap_or_else(|| panic!("no JSON report: {what}"));
                let errors: Vec<&Value> = json["diagnostics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|d| d["severity"] == "error")
                    .collect();
                assert_eq!(run.code == 1, !errors.is_empty(), "{what}");
                for e in errors {
                    let located = e["path"].is_string()
                        || (e["commit"].is_string() && !e["message"].as_str().unwrap().is_empty());
                    assert!(located, "an error without a location: {e}");
                }
            }
            2 => {
                assert_eq!(run.stderr.lines().count(), 1, "{what}");
                assert!(run.stderr.starts_with("practrace: error: "), "{what}");
            }
            other => panic!("exit {other}: {what}"),
        }
        assert!(
            !self.marker.exists(),
            "something ran a command from the repository: {what}"
        );
        assert!(
            common::snapshot(&self.repo) == self.before,
            "the repository changed: {what}"
        );
    }

    fn both(&self) -> [Run; 2] {
        [self.scan(&[]), self.scan(&["--rev", "HEAD"])]
    }
}

fn codes(run: &Run) -> Vec<(String, String)> {
    run.json.as_ref().unwrap()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["path"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn has(run: &Run, code: &str, path: &str) -> bool {
    codes(run).iter().any(|(c, p)| c == code && p == path)
}

fn evidence(run: &Run, id: &str) -> Vec<String> {
    common::evidence(run.json.as_ref().unwrap(), id)
}

#[test]
fn yaml_alias_bomb() {
    for run in build("alias-bomb").both() {
        assert_eq!(run.code, 1);
        assert!(
            has(&run, "invalid-front-matter", "bomb.md"),
            "{:?}",
            codes(&run)
        );
    }
}

#[test]
fn nesting_ten_thousand_deep() {
    for case in ["deep-flow", "deep-block"] {
        for run in build(case).both() {
            assert_eq!(run.code, 1, "{case}");
            assert!(
                has(&run, "invalid-front-matter", "deep.md"),
                "{case}: {:?}",
                codes(&run)
            );
        }
    }
}

#[test]
fn front_matter_over_64_kib() {
    for run in build("big-front-matter").both() {
        assert_eq!(run.code, 0);
        assert!(has(&run, "front-matter-too-large", "big.md"));
        assert!(evidence(&run, "BP.01.01").is_empty());
    }
}

#[test]
fn a_200_mb_file() {
    for run in build("huge-file").both() {
        assert_eq!(run.code, 0);
        assert!(has(&run, "file-too-large", "huge.md"));
        assert_eq!(evidence(&run, "BP.01.02"), ["small.md"]);
    }
}

#[test]
fn invalid_utf8_front_matter_is_located() {
    for run in build("invalid-utf8").both() {
        assert_eq!(run.code, 1);
        let d = &run.json.as_ref().unwrap()["diagnostics"][0];
        assert_eq!(
            (d["code"].as_str(), d["path"].as_str(), d["line"].as_u64()),
            (Some("invalid-front-matter"), Some("bad.md"), Some(4))
        );
    }
}

#[test]
fn utf16_is_binary() {
    for run in build("utf16").both() {
        assert_eq!(run.code, 0);
        assert!(codes(&run).is_empty() && evidence(&run, "BP.01.01").is_empty());
    }
}

#[test]
fn symlinks_are_not_followed() {
    for run in build("symlinks").both() {
        assert_eq!(run.code, 0);
        assert_eq!(evidence(&run, "BP.01.01"), ["real.md"]);
        assert!(
            evidence(&run, "BP.01.03").is_empty(),
            "a symlink was followed out of the repository"
        );
    }
}

#[test]
fn file_names_with_newline_tab_quotes_angle_brackets_and_bad_bytes() {
    for run in build("names").both() {
        assert_eq!(run.code, 0, "{:?}", codes(&run));
        let found = evidence(&run, "BP.01.01");
        assert_eq!(found.len(), 5, "{found:?}");
        assert!(
            found.contains(&"new\nline.md".to_string())
                && found.contains(&"<script>.md".to_string())
        );
        assert!(found.contains(&"bytes-\u{fffd}\u{fffd}.md".to_string()));
    }
}

#[test]
fn submodules_and_nested_repositories_are_skipped() {
    for run in build("submodule").both() {
        assert_eq!(run.code, 0);
        assert_eq!(evidence(&run, "BP.01.01"), ["real.md"]);
        assert!(evidence(&run, "BP.01.02").is_empty());
    }
}

#[test]
fn an_empty_repository() {
    let case = build("empty");
    let worktree = case.scan(&[]);
    assert_eq!(worktree.code, 0);
    assert_eq!(
        worktree.json.as_ref().unwrap()["source"]["commit"],
        Value::Null
    );
    let rev = case.scan(&["--rev", "HEAD"]);
    assert_eq!(rev.code, 2);
}

#[test]
fn a_bare_repository() {
    let case = build("bare");
    assert_eq!(case.scan(&[]).code, 2);
    let rev = case.scan(&["--rev", "HEAD"]);
    assert_eq!(rev.code, 0);
    assert_eq!(evidence(&rev, "BP.01.01"), ["a.md"]);
}

#[test]
fn a_detached_head() {
    for run in build("detached").both() {
        assert_eq!(run.code, 0);
        assert_eq!(evidence(&run, "BP.01.01"), ["a.md"]);
        assert!(evidence(&run, "BP.01.02").is_empty());
    }
}

#[test]
fn a_shallow_clone() {
    for run in build("shallow").both() {
        assert_eq!(run.code, 0);
        let source = &run.json.as_ref().unwrap()["source"];
        assert_eq!(
            (
                source["shallow"].as_bool(),
                source["commits_scanned"].as_u64()
            ),
            (Some(true), Some(1))
        );
        assert!(codes(&run).iter().any(|(c, _)| c == "shallow-history"));
        assert_eq!(evidence(&run, "BP.02.03").len(), 1);
        assert!(evidence(&run, "BP.02.01").is_empty());
    }
}

#[test]
fn a_10_mb_commit_message() {
    for run in build("big-message").both() {
        assert_eq!(run.code, 0);
        assert!(codes(&run).iter().any(|(c, _)| c == "message-too-large"));
    }
}

#[test]
fn a_commit_message_with_nul_bytes() {
    for run in build("nul-message").both() {
        assert_eq!(run.code, 0);
        // As git: the message ends at the first NUL byte.
        assert_eq!(evidence(&run, "BP.01.02").len(), 1);
        assert!(evidence(&run, "BP.01.03").is_empty());
    }
}

#[test]
fn ten_thousand_trailers_and_an_id_repeated_100000_times() {
    for case in ["many-trailers", "repeated-id"] {
        for run in build(case).both() {
            assert_eq!(run.code, 0, "{case}");
            assert!(
                codes(&run).iter().any(|(c, _)| c == "too-many-ids"),
                "{case}"
            );
            assert_eq!(evidence(&run, "BP.01.02").len(), 1, "{case}");
        }
    }
}

#[test]
fn a_truncated_loose_object() {
    let case = build("corrupt-blob");
    assert_eq!(case.scan(&[]).code, 0, "the working tree is intact");
    let rev = case.scan(&["--rev", "HEAD"]);
    assert_eq!(rev.code, 1);
    assert!(has(&rev, "unreadable-file", "b.md"), "{:?}", codes(&rev));
    assert_eq!(evidence(&rev, "BP.01.01"), ["a.md"]);
}

#[test]
fn a_missing_commit_object() {
    for run in build("missing-parent").both() {
        assert_eq!(run.code, 1);
        assert!(codes(&run).iter().any(|(c, _)| c == "unreadable-object"));
        assert_eq!(evidence(&run, "BP.01.03"), ["b.md"]);
    }
}

#[test]
fn a_configuration_file_that_is_an_alias_bomb() {
    // A bad configuration stops the scan (exit 2) with one located line, fast and small.
    for run in build("config-bomb").both() {
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains(".practrace.yaml:1:")
                && run.stderr.contains("aliases are not allowed"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn git_config_that_would_run_commands() {
    for run in build("git-config-exec").both() {
        assert_eq!(run.code, 0);
        assert_eq!(evidence(&run, "BP.01.01"), ["a.md"]);
    }
}
