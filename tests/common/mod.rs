//! Helpers for the integration tests: git with a pinned, empty configuration, fixture
//! repositories built in temporary folders, and the practrace binary.

#![allow(dead_code)]

pub mod page;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository's `fixtures/` folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// A git command with no system or global configuration and fixed dates.
pub fn git_command(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .env("GIT_AUTHOR_NAME", "A U Thor")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_NAME", "C O Mitter")
        .env("GIT_COMMITTER_EMAIL", "committer@example.com")
        .env("GIT_AUTHOR_DATE", "2024-01-02T03:04:05Z")
        .env("GIT_COMMITTER_DATE", "2024-01-02T03:04:05Z");
    c
}

/// Runs git and returns its stdout; panics with its stderr when it fails.
pub fn git(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = git_command(dir).args(args).output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs a fixture script (`fixtures/repos/NAME.sh`) that builds a repository in a new
/// temporary folder, and returns the folder.
pub fn fixture_repo(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    build_fixture(name, dir.path());
    dir
}

/// Runs the fixture script `fixtures/repos/NAME.sh` in `dir` (an empty folder), which
/// builds the repository there under the pinned environment.
pub fn build_fixture(name: &str, dir: &Path) {
    let script = fixtures().join("repos").join(format!("{name}.sh"));
    let out = git_command(dir)
        .arg("--version")
        .output()
        .expect("git runs");
    assert!(out.status.success());
    let status = Command::new("bash")
        .arg(&script)
        .arg(dir)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .stdin(Stdio::null())
        .status()
        .expect("bash runs");
    assert!(status.success(), "{} failed", script.display());
}

/// A cache folder for the whole test run, so tests never write to the user's own.
pub fn cache_home() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temp dir"))
        .path()
}

/// Runs the practrace binary.
pub fn practrace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_practrace"))
        .args(args)
        .env("XDG_CACHE_HOME", cache_home())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("practrace runs")
}

/// Runs practrace and parses its stdout as JSON; panics unless it exits 0 (clean input) or
/// 1 (done, with error diagnostics, which the JSON lists).
pub fn practrace_json(args: &[&str]) -> serde_json::Value {
    let out = practrace(args);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "practrace {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// Runs the practrace binary in `dir`.
pub fn practrace_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_practrace"))
        .args(args)
        .current_dir(dir)
        .env("XDG_CACHE_HOME", cache_home())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("practrace runs")
}

/// Every entry below `root` (symlinks not followed) with its kind, mode and content hash:
/// two equal snapshots mean nothing was written.
pub fn snapshot(root: &Path) -> std::collections::BTreeMap<PathBuf, String> {
    use std::hash::{DefaultHasher, Hasher};
    use std::io::Read;
    use std::os::unix::fs::PermissionsExt;
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            let mode = meta.permissions().mode();
            let what = if meta.file_type().is_symlink() {
                format!("link {:?}", std::fs::read_link(&path).unwrap())
            } else if meta.is_dir() {
                stack.push(path.clone());
                format!("dir {mode:o}")
            } else {
                let mut hasher = DefaultHasher::new();
                let mut file = std::fs::File::open(&path).unwrap();
                let mut buf = vec![0u8; 1 << 20];
                loop {
                    let n = file.read(&mut buf).unwrap();
                    if n == 0 {
                        break;
                    }
                    hasher.write(&buf[..n]);
                }
                format!("file {mode:o} {} {:x}", meta.len(), hasher.finish())
            };
            out.insert(rel, what);
        }
    }
    out
}

/// One practice of a JSON report, by id.
pub fn practice<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["practices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("no practice {id} in the report"))
}

/// The evidence of one practice in a JSON report: file paths, and commit subjects.
pub fn evidence(report: &serde_json::Value, id: &str) -> Vec<String> {
    practice(report, id)["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e["path"]
                .as_str()
                .or(e["subject"].as_str())
                .unwrap()
                .to_string()
        })
        .collect()
}

/// A Python 3 that can import openpyxl: the system's, or one with openpyxl installed
/// into a folder of the build's temporary space. Never skips: no openpyxl is a failure.
pub fn python_with_openpyxl() -> (String, Option<std::path::PathBuf>) {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let imports = |path: Option<&Path>| {
        let mut c = std::process::Command::new(&python);
        c.args(["-c", "import openpyxl"]);
        if let Some(p) = path {
            c.env("PYTHONPATH", p);
        }
        c.output().is_ok_and(|o| o.status.success())
    };
    if imports(None) {
        return (python, None);
    }
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("openpyxl");
    if !imports(Some(&target)) {
        let out = std::process::Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .arg("--target")
            .arg(&target)
            .arg("openpyxl")
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "cannot install openpyxl (pip install --target): {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(
        imports(Some(&target)),
        "openpyxl installed but not importable"
    );
    (python, Some(target))
}
