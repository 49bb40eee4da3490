//! Command-line cases as data, as typos keeps them (`tests/cmd/*.toml`): each case runs the
//! practrace binary once and compares its exit code, stdout and stderr, byte for byte, with
//! what the case expects.
//!
//! A case is `tests/cmd/NAME.toml`:
//!
//! ```toml
//! pins = "one line: what this case pins"
//! fixture = "basic"                  # optional: a repository built by fixtures/repos/basic.sh
//! cwd = "docs"                       # optional: run in this folder of the fixture
//! args = ["trace", "BP.05.03", "--format", "json"]
//! env = { PRACTRACE_STATS = "1" }    # optional: more environment variables
//! code = 0                           # the expected exit code
//! stdout = "../../schemas/config.schema.json"  # optional: expected stdout elsewhere
//! ```
//!
//! - The expected stdout is `NAME.stdout` beside the case (or the file `stdout` names,
//!   relative to the case), the expected stderr `NAME.stderr`; a missing file means the
//!   stream must be empty.
//! - Each fixture repository is built once per test run, in a folder named for it (`basic`:
//!   headers name the repository by its folder) in the run's temporary folder outside the
//!   repository, by its script under the pinned environment of `tests/common` (names,
//!   dates: commit ids are stable). A case with a fixture runs in its repository; one
//!   without runs in an empty temporary folder.
//! - `[REPO]` (the fixture repository) and `[ROOT]` (this crate's folder) in `args` and `env`
//!   are replaced by their paths; in the output those paths, and the run's temporary folder
//!   (`[RUN]`), are written back as the placeholders. Nothing else is redacted.
//! - The environment is cleared, then set: `HOME` and `XDG_CONFIG_HOME` an empty folder,
//!   `XDG_CACHE_HOME` a cache folder for the whole run (never the user's), `NO_COLOR=1`,
//!   `LANG=C.UTF-8` (box drawing; `LC_ALL=C` in a case's `env` asks for ASCII), and the
//!   case's `env`. Standard output is a pipe: tables are fitted to a width only with
//!   `--term-width N` (as a terminal N columns wide would be).
//!
//! To update the expected outputs after an intended change, run
//! `SNAPSHOTS=overwrite cargo test --test cmd`: it rewrites `NAME.stdout` and `NAME.stderr`
//! (removing a file whose stream is now empty) and the `code = N` line, and you review the
//! change with `git diff tests/cmd`. A new case is a new `.toml` file run the same way.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

/// One case file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// What the case pins, in one line.
    pins: String,
    /// The fixture repository (`fixtures/repos/NAME.sh`) to run in.
    fixture: Option<String>,
    /// A folder of the fixture repository to run in, instead of its root.
    cwd: Option<PathBuf>,
    args: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    code: i32,
    /// The expected stdout, when not `NAME.stdout`.
    stdout: Option<PathBuf>,
    /// The expected stderr, when not `NAME.stderr`.
    stderr: Option<PathBuf>,
}

/// Where a run keeps what it makes: fixture repositories, a home and a cache.
struct Run {
    dir: tempfile::TempDir,
    fixtures: BTreeMap<String, PathBuf>,
    overwrite: bool,
}

impl Run {
    fn new() -> Run {
        let dir = tempfile::tempdir().expect("temp dir");
        for sub in ["home", "cache", "empty", "repos"] {
            std::fs::create_dir(dir.path().join(sub)).expect("run folders");
        }
        let overwrite = match std::env::var("SNAPSHOTS").as_deref() {
            Ok("overwrite") => true,
            Ok("verify") | Err(_) => false,
            Ok(other) => panic!("SNAPSHOTS={other}: expected `overwrite` or `verify`"),
        };
        Run {
            dir,
            fixtures: BTreeMap::new(),
            overwrite,
        }
    }

    /// The fixture repository, built on first use.
    fn fixture(&mut self, name: &str) -> Result<PathBuf, String> {
        if !self.fixtures.contains_key(name) {
            let script = common::fixtures().join("repos").join(format!("{name}.sh"));
            if !script.is_file() {
                return Err(format!("no fixture script {}", script.display()));
            }
            let repo = self.dir.path().join("repos").join(name);
            std::fs::create_dir(&repo).map_err(|e| e.to_string())?;
            common::build_fixture(name, &repo);
            self.fixtures.insert(name.to_string(), repo);
        }
        Ok(self.fixtures[name].clone())
    }
}

/// The case folder, `tests/cmd`.
fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("cmd")
}

#[test]
fn cli_cases() {
    let dir = cases_dir();
    let mut names: Vec<String> = Vec::new();
    let mut others: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/cmd") {
        let name = entry
            .unwrap()
            .file_name()
            .into_string()
            .expect("UTF-8 names");
        match name.strip_suffix(".toml") {
            Some(stem) => names.push(stem.to_string()),
            None => others.push(name),
        }
    }
    names.sort();
    // Every other file belongs to a case: no expected output is left behind by a rename.
    let orphans: Vec<&String> = others
        .iter()
        .filter(|f| {
            *f != ".gitattributes"
                && ![".stdout", ".stderr"].iter().any(|ext| {
                    f.strip_suffix(ext)
                        .is_some_and(|stem| names.iter().any(|n| n == stem))
                })
        })
        .collect();
    assert!(
        orphans.is_empty(),
        "files in tests/cmd with no case: {orphans:?}"
    );
    assert!(!names.is_empty(), "no case in {}", dir.display());

    let mut run = Run::new();
    let mut failures = String::new();
    let mut failed = 0;
    for name in &names {
        if let Err(why) = run_case(&mut run, &dir, name) {
            failed += 1;
            let _ = writeln!(failures, "---- tests/cmd/{name}.toml\n{why}");
        }
    }
    assert!(
        failed == 0,
        "{failures}\n{failed} of {} command-line cases failed (update the expected outputs \
         with SNAPSHOTS=overwrite cargo test --test cmd, then review git diff tests/cmd)",
        names.len()
    );
    println!("{} command-line cases passed", names.len());
}

/// Runs one case; `Err` says what differs.
fn run_case(run: &mut Run, dir: &Path, name: &str) -> Result<(), String> {
    let case_path = dir.join(format!("{name}.toml"));
    let text = std::fs::read_to_string(&case_path).map_err(|e| e.to_string())?;
    let case: Case = toml::from_str(&text).map_err(|e| format!("not a case: {e}"))?;
    if case.pins.trim().is_empty() || case.pins.contains('\n') {
        return Err("`pins` must say in one line what the case pins".into());
    }

    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let repo = case
        .fixture
        .as_deref()
        .map(|f| run.fixture(f))
        .transpose()?;
    let run_dir = run.dir.path().to_path_buf();
    // Longest first, so that no placeholder eats part of a longer path.
    let mut places: Vec<(&str, String)> = vec![
        ("[ROOT]", root.display().to_string()),
        ("[RUN]", run_dir.display().to_string()),
    ];
    if let Some(repo) = &repo {
        places.push(("[REPO]", repo.display().to_string()));
    }
    places.sort_by_key(|(_, path)| std::cmp::Reverse(path.len()));
    let expand = |s: &str| -> Result<String, String> {
        if s.contains("[REPO]") && repo.is_none() {
            return Err(format!("{s:?} names [REPO], but the case has no fixture"));
        }
        Ok(places
            .iter()
            .filter(|(p, _)| *p != "[RUN]")
            .fold(s.to_string(), |s, (p, path)| s.replace(p, path)))
    };
    let redact = |s: String| -> String {
        places
            .iter()
            .fold(s, |s, (p, path)| s.replace(path.as_str(), p))
    };

    let mut command = Command::new(env!("CARGO_BIN_EXE_practrace"));
    command
        .env_clear()
        .env("HOME", run_dir.join("home"))
        .env("XDG_CONFIG_HOME", run_dir.join("home"))
        .env("XDG_CACHE_HOME", run_dir.join("cache"))
        .env("NO_COLOR", "1")
        .env("LANG", "C.UTF-8")
        .current_dir(match (&repo, &case.cwd) {
            (Some(repo), Some(sub)) => repo.join(sub),
            (Some(repo), None) => repo.clone(),
            (None, Some(_)) => return Err("`cwd` needs a `fixture`".into()),
            (None, None) => run_dir.join("empty"),
        })
        .stdin(Stdio::null());
    for arg in &case.args {
        command.arg(expand(arg)?);
    }
    for (key, value) in &case.env {
        command.env(key, expand(value)?);
    }
    let out = command.output().map_err(|e| format!("practrace: {e}"))?;
    let code = out
        .status
        .code()
        .ok_or("practrace was killed by a signal")?;
    let text = |bytes: Vec<u8>, stream: &str| {
        String::from_utf8(bytes)
            .map(redact)
            .map_err(|_| format!("{stream} is not UTF-8"))
    };
    let stdout = text(out.stdout, "stdout")?;
    let stderr = text(out.stderr, "stderr")?;

    let mut problems = String::new();
    let command_line = format!("practrace {}", case.args.join(" "));
    if code != case.code {
        if run.overwrite {
            rewrite_code(&case_path, &text_of(&case_path)?, code)?;
        } else {
            let _ = writeln!(
                problems,
                "exit code {code}, expected {} (stderr: {})",
                case.code,
                stderr.trim_end()
            );
        }
    }
    for (stream, actual, custom) in [
        ("stdout", &stdout, &case.stdout),
        ("stderr", &stderr, &case.stderr),
    ] {
        let path = match custom {
            Some(p) => dir.join(p),
            None => dir.join(format!("{name}.{stream}")),
        };
        let expected = match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|_| format!("{path:?} is not UTF-8"))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        if *actual == expected {
            continue;
        }
        if run.overwrite {
            if actual.is_empty() && custom.is_none() {
                std::fs::remove_file(&path).map_err(|e| e.to_string())?;
            } else {
                std::fs::write(&path, actual).map_err(|e| e.to_string())?;
            }
            eprintln!("updated {}", path.display());
            continue;
        }
        let shown = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .display()
            .to_string();
        let diff = similar::TextDiff::from_lines(expected.as_str(), actual.as_str())
            .unified_diff()
            .context_radius(3)
            .header(&shown, &format!("{stream} of {command_line}"))
            .to_string();
        let _ = write!(problems, "{stream} differs:\n{diff}");
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "pins: {}\nran: {command_line}\n{problems}",
            case.pins
        ))
    }
}

fn text_of(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Rewrites the case's `code = N` line (overwrite mode).
fn rewrite_code(path: &Path, text: &str, code: i32) -> Result<(), String> {
    let mut found = false;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            if line.starts_with("code =") {
                found = true;
                format!("code = {code}")
            } else {
                line.to_string()
            }
        })
        .collect();
    if !found {
        return Err(format!("{}: no `code = N` line to update", path.display()));
    }
    std::fs::write(path, lines.join("\n") + "\n").map_err(|e| e.to_string())?;
    eprintln!("updated the exit code of {}", path.display());
    Ok(())
}
