//! The terminal (issue 15 items 5, 6, 7 and 8): text from the repository never drives the
//! terminal, whatever the format, colour, width or locale; colour follows `--color`,
//! `NO_COLOR` and `CLICOLOR_FORCE`; `-o FILE` gets the report plain; progress shows on a
//! terminal only, and is cleared. (Unix: file names with control characters, `script`.)
#![cfg(unix)]

mod common;

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The SGR parameters the fixture's own sequences use and practrace never emits: blink.
const REPOSITORY_SGR: &str = "\u{1b}[5m";

fn practrace(repo: &Path, args: &[OsString], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_practrace"));
    command.args(args);
    // `list` reads the configuration only: it has no cache to turn off.
    if args.first().is_none_or(|a| a != "list") {
        command.arg("--no-cache");
    }
    command
        .current_dir(repo)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .env_remove("COLUMNS")
        .env("LANG", "C.UTF-8")
        .env("XDG_CACHE_HOME", common::cache_home())
        .stdin(Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("practrace runs")
}

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

/// Every control character in `text` but the newline, and, with `color`, but the SGR
/// sequences practrace emits, as `(index, what)`: empty when the text cannot drive a
/// terminal.
fn raw_controls(text: &str, color: bool) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !c.is_control() || c == '\n' {
            continue;
        }
        if c == '\u{1b}' && color {
            let rest = &text[i + 1..];
            let params: String = rest
                .strip_prefix('[')
                .map(|p| {
                    p.chars()
                        .take_while(|c| c.is_ascii_digit() || *c == ';')
                        .collect()
                })
                .unwrap_or_default();
            let sgr = rest.starts_with('[') && rest[1 + params.len()..].starts_with('m');
            // Ours, and the snippet renderer's: bold, reset, and the 16 colours.
            let ours = params.split(';').all(|p| {
                matches!(p, "0" | "1" | "" | "22" | "39")
                    || p.starts_with('3')
                    || p.starts_with('9')
            });
            if sgr && ours {
                for _ in 0..params.len() + 2 {
                    chars.next();
                }
                continue;
            }
        }
        found.push((
            i,
            format!("{c:?} before {:?}", &text[i..(i + 12).min(text.len())]),
        ));
    }
    found
}

/// Pins issue 15 items 5 and 6: control characters in paths, subjects, author names,
/// notes, tags and reasons reach no table, text or Markdown output raw — escaped as
/// `\u{1b}` — in colour or not, at any width, in any locale; in colour, the only escape
/// sequences are practrace's own SGR (the repository's blink is escaped).
#[test]
fn control_characters_from_the_repository_reach_no_human_output() {
    let dir = common::fixture_repo("control-chars");
    let repo = dir.path();
    let hostile_path = std::fs::read_dir(repo.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .find(|n| n.as_bytes().starts_with(b"osc"))
        .expect("the fixture's OSC 52 file");
    let mut traced_path = OsString::from("docs/");
    traced_path.push(&hostile_path);
    // Evidence (a trailer) that touched a file with a hostile name.
    let commit = String::from_utf8(common::git(repo, &["rev-parse", "HEAD"])).unwrap();
    let commands: Vec<Vec<OsString>> = vec![
        os(&["status"]),
        os(&["status", "--format", "markdown"]),
        os(&["status", "--rev", "HEAD"]),
        os(&["gaps"]),
        os(&["gaps", "--pa", "PA19", "--format", "markdown"]),
        os(&["trace", "BP.05.02"]),
        os(&["trace", "BP.05.03", "--format", "markdown"]),
        os(&["trace", "docs/plain.md"]),
        os(&["trace", commit.trim()]),
        vec!["trace".into(), traced_path],
        os(&["check"]),
        os(&["check", "--rev", "HEAD"]),
        os(&["list", "--pa", "PA19"]),
        os(&["explain", "BP.05.01"]),
        os(&["explain", "BP.05.03"]),
        os(&["explain", "PA19"]),
    ];
    let looks = [
        (vec!["--color", "never"], vec![]),
        (vec!["--color", "always"], vec![]),
        (vec!["--color", "always", "--term-width", "80"], vec![]),
        (vec!["--term-width", "80"], vec![("LC_ALL", "C")]),
        (vec![], vec![("CLICOLOR_FORCE", "1")]),
    ];
    for args in &commands {
        let mut shown = String::new();
        for (flags, env) in &looks {
            let mut all = args.clone();
            all.extend(flags.iter().map(OsString::from));
            let out = practrace(repo, &all, env);
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "{all:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let color =
                flags.contains(&"always") || env.iter().any(|(k, _)| *k == "CLICOLOR_FORCE");
            for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
                let text = String::from_utf8_lossy(bytes);
                let raw = raw_controls(&text, color);
                assert!(raw.is_empty(), "{all:?} {env:?} {stream}: {raw:?}\n{text}");
                assert!(!text.contains(REPOSITORY_SGR), "{all:?} {stream}: {text}");
                shown.push_str(&text);
            }
        }
        // The hostile text was there to escape: the test can fail.
        assert!(
            shown.contains("\\u{"),
            "{args:?} shows nothing from the repository's hostile text:\n{shown}"
        );
    }
}

/// Pins issue 15 item 5: `auto` colours a terminal only; NO_COLOR turns it off and
/// CLICOLOR_FORCE on; `--color` wins over both. (Here stdout is a pipe.)
#[test]
fn colour_follows_the_flag_and_the_environment() {
    let dir = common::fixture_repo("basic");
    let repo = dir.path();
    let coloured = |flags: &[&str], env: &[(&str, &str)]| {
        let mut args = os(&["status"]);
        args.extend(os(flags));
        let out = practrace(repo, &args, env);
        (out.stdout.contains(&0x1b), out.stderr.contains(&0x1b))
    };
    assert_eq!(coloured(&[], &[]), (false, false));
    assert_eq!(coloured(&["--color", "always"], &[]), (true, true));
    assert_eq!(
        coloured(&["--color", "always"], &[("NO_COLOR", "1")]),
        (true, true)
    );
    assert_eq!(coloured(&[], &[("CLICOLOR_FORCE", "1")]), (true, true));
    assert_eq!(
        coloured(&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]),
        (false, false)
    );
    assert_eq!(
        coloured(&["--color", "never"], &[("CLICOLOR_FORCE", "1")]),
        (false, false)
    );
}

/// Pins issue 15 item 7: `-o FILE` on the commands that print a report writes what stdout
/// would get, plain (no colour, every cell whole, whatever --color and --term-width say),
/// and nothing to stdout.
#[test]
fn dash_o_writes_the_report_plain() {
    let dir = common::fixture_repo("basic");
    let repo = dir.path();
    let out_dir = tempfile::tempdir().unwrap();
    for command in [
        vec!["status"],
        vec!["status", "--format", "json"],
        vec!["gaps", "--format", "markdown"],
        vec!["trace", "BP.05.02"],
        vec!["check"],
        vec!["check", "--format", "sarif"],
        vec!["list", "--pa", "PA05"],
        vec!["explain", "PA05"],
    ] {
        let plain = practrace(repo, &os(&command), &[]);
        let file = out_dir.path().join(format!("{}.out", command.join("-")));
        let mut args = os(&command);
        args.extend(os(&["--color", "always", "--term-width", "60", "-o"]));
        args.push(file.clone().into());
        let written = practrace(repo, &args, &[]);
        assert_eq!(written.status.code(), plain.status.code(), "{command:?}");
        assert!(written.stdout.is_empty(), "{command:?} printed to stdout");
        let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{command:?}: {e}"));
        assert_eq!(
            String::from_utf8_lossy(&bytes),
            String::from_utf8_lossy(&plain.stdout),
            "{command:?}"
        );
    }
    // `-C DIR` takes -o FILE from DIR, as every other path.
    let c = Command::new(env!("CARGO_BIN_EXE_practrace"))
        .arg("-C")
        .arg(out_dir.path())
        .args(["status", "--no-cache", "--repo"])
        .arg(repo)
        .args(["-o", "from-c.txt"])
        .env("XDG_CACHE_HOME", common::cache_home())
        .output()
        .unwrap();
    assert!(c.stdout.is_empty());
    assert!(out_dir.path().join("from-c.txt").is_file());
}

/// Runs `command` under `script`, on a pseudo-terminal (stdout and stderr both a
/// terminal); `None` when `script` is not there.
fn on_a_terminal(repo: &Path, command: &str, env: &[(&str, &str)]) -> Option<String> {
    let script = Command::new("script").arg("--version").output().ok()?;
    if !script.status.success() {
        return None;
    }
    let mut c = Command::new("script");
    c.args(["-qec", command, "/dev/null"])
        .current_dir(repo)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("LANG", "C.UTF-8")
        .env("XDG_CACHE_HOME", common::cache_home())
        .stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Pins issue 15 items 5 and 8 on a real (pseudo-)terminal: `auto` colours it, COLUMNS
/// fits the tables to it; progress shows once the delay is up, and is cleared; a run
/// shorter than the delay shows none; a pipe never gets any.
#[test]
fn a_terminal_gets_colour_a_fitted_table_and_progress() {
    let dir = common::fixture_repo("basic");
    let repo = dir.path();
    let bin = env!("CARGO_BIN_EXE_practrace");
    let status = format!("{bin} status --no-cache");
    let Some(shown) = on_a_terminal(repo, &status, &[("COLUMNS", "80")]) else {
        eprintln!("no `script`: the pseudo-terminal test is skipped");
        return;
    };
    assert!(shown.contains("\u{1b}[31m0\u{1b}[0m"), "{shown}");
    let table = shown
        .lines()
        .filter(|l| l.starts_with(['┌', '│', '╞', '└']));
    assert!(
        table.map(unicode_width).all(|w| w <= 80),
        "a table wider than COLUMNS=80:\n{shown}"
    );
    assert!(!shown.contains("scanning the repository"), "{shown}");
    let plain = on_a_terminal(repo, &status, &[("NO_COLOR", "1")]).unwrap();
    assert!(!plain.contains('\u{1b}'), "{plain}");
    // Progress with no delay: drawn, then cleared (`\r`, erase the line).
    let json = format!("{bin} status --no-cache --format json > /dev/null");
    let spun = on_a_terminal(repo, &json, &[("PRACTRACE_PROGRESS_DELAY_MS", "0")]).unwrap();
    assert!(spun.contains("scanning the repository"), "{spun:?}");
    assert!(spun.ends_with("\r\u{1b}[2K"), "{spun:?}");
    let quiet = format!("{bin} status --no-cache -q --format json > /dev/null");
    let none = on_a_terminal(repo, &quiet, &[("PRACTRACE_PROGRESS_DELAY_MS", "0")]).unwrap();
    assert!(none.is_empty(), "{none:?}");
    let piped = practrace(
        repo,
        &os(&["status", "--format", "json"]),
        &[("PRACTRACE_PROGRESS_DELAY_MS", "0")],
    );
    assert!(
        piped.stderr.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&piped.stderr)
    );
}

/// The columns a line takes, its SGR sequences left out (box drawing is one column).
fn unicode_width(line: &str) -> usize {
    let mut width = 0;
    let mut in_sgr = false;
    for c in line.trim_end_matches('\r').chars() {
        match c {
            '\u{1b}' => in_sgr = true,
            'm' if in_sgr => in_sgr = false,
            _ if in_sgr => {}
            _ => width += 1,
        }
    }
    width
}
