//! practrace's trailer parser against git itself: every message under `fixtures/trailers/`
//! becomes a commit, and for each one practrace must find exactly the `Practice` values that
//! `git log --format='%(trailers:key=Practice,valueonly,unfold)'` prints.

mod common;

use std::io::Write;
use std::process::Stdio;

use practrace::extract::trailers;

fn messages() -> Vec<(String, Vec<u8>)> {
    let dir = common::fixtures().join("trailers");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("fixtures/trailers exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "msg"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// What practrace finds: the unfolded value of each `Practice` trailer, in order.
fn practrace_values(message: &[u8]) -> Vec<Vec<u8>> {
    trailers::parse(message)
        .trailers
        .iter()
        .filter(|t| t.has_key("Practice"))
        .map(|t| t.unfolded_value())
        .collect()
}

#[test]
fn practrace_finds_the_trailers_git_finds() {
    let messages = messages();
    assert!(
        messages.len() >= 60,
        "the corpus has {} messages",
        messages.len()
    );
    let dir = tempfile::tempdir().unwrap();
    common::git(dir.path(), &["init", "-q", "--bare", "repo.git"]);
    let repo = dir.path().join("repo.git");
    // One commit per message, bytes verbatim through fast-import's `data <n>`.
    let mut stream = Vec::new();
    for (i, (_, msg)) in messages.iter().enumerate() {
        write!(
            stream,
            "commit refs/heads/c{i}\nmark :{}\nauthor A <a@x> 1700000000 +0000\ncommitter A <a@x> 1700000000 +0000\ndata {}\n",
            i + 1,
            msg.len()
        )
        .unwrap();
        stream.extend_from_slice(msg);
        stream.extend_from_slice(b"\n\n");
    }
    let marks = dir.path().join("marks");
    let mut child = common::git_command(&repo)
        .args(["fast-import", "--quiet"])
        .arg(format!("--export-marks={}", marks.display()))
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&stream).unwrap();
    assert!(child.wait().unwrap().success());
    let marks = std::fs::read_to_string(marks).unwrap();
    let mut ids = vec![String::new(); messages.len()];
    for line in marks.lines() {
        let (mark, id) = line.split_once(' ').unwrap();
        let n: usize = mark.trim_start_matches(':').parse().unwrap();
        ids[n - 1] = id.to_string();
    }

    let mut with_trailers = 0;
    let mut mismatches = Vec::new();
    for ((name, msg), id) in messages.iter().zip(&ids) {
        // The message as git stored it must be the fixture's bytes.
        let raw = common::git(&repo, &["cat-file", "commit", id]);
        let stored = &raw[raw.windows(2).position(|w| w == b"\n\n").unwrap() + 2..];
        assert_eq!(stored, msg.as_slice(), "{name}: stored message differs");

        let out = common::git(
            &repo,
            &[
                "log",
                "-1",
                "--format=%(trailers:key=Practice,valueonly,unfold)",
                id,
            ],
        );
        // Each value is printed on its own line; `log -1 --format` adds one more newline.
        let text = out.strip_suffix(b"\n").unwrap_or(&out);
        let git_values: Vec<Vec<u8>> = text
            .split(|&b| b == b'\n')
            .map(<[u8]>::to_vec)
            .collect::<Vec<_>>();
        let git_values: Vec<Vec<u8>> = if text.is_empty() {
            Vec::new()
        } else {
            git_values[..git_values.len() - usize::from(text.ends_with(b"\n"))].to_vec()
        };
        let ours = practrace_values(msg);
        if !ours.is_empty() {
            with_trailers += 1;
        }
        if ours != git_values {
            mismatches.push(format!(
                "{name}: git {:?}, practrace {:?}",
                git_values
                    .iter()
                    .map(|v| String::from_utf8_lossy(v))
                    .collect::<Vec<_>>(),
                ours.iter()
                    .map(|v| String::from_utf8_lossy(v))
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} differ:\n{}",
        mismatches.len(),
        messages.len(),
        mismatches.join("\n")
    );
    // The corpus must exercise both sides.
    assert!(with_trailers >= 15 && messages.len() - with_trailers >= 15);
}
