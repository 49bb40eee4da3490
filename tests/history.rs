//! `practrace history` on the `history` fixture (fixtures/repos/history.sh): six months of
//! dated commits, a merged side branch, a configuration change that changes the scan
//! options mid-way, evidence lost and found, a commit with a skewed clock.
//!
//! The truths: `status --rev COMMIT --format json` at each point's commit (whether the point
//! was derived from the one before or scanned in full), and `git rev-list --first-parent
//! --before=END -1 TIP` for which commit stands for a period.

mod common;

use std::path::Path;

use serde_json::Value;

fn run(repo: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["history", "--repo", repo.to_str().unwrap()];
    all.extend_from_slice(args);
    common::practrace(&all)
}

fn history_json(repo: &Path, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--format", "json"]);
    let out = run(repo, &all);
    assert_eq!(
        out.status.code(),
        Some(0),
        "history {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn points(history: &Value) -> &Vec<Value> {
    history["points"].as_array().expect("points")
}

/// Checks every point against `status --rev COMMIT --format json --no-cache`: the same
/// process areas (serialised alike, so the same bytes), model and configuration, and the
/// counts as the full report lists them.
fn assert_points_equal_status(repo: &Path, history: &Value) {
    for point in points(history) {
        let commit = point["commit"].as_str().unwrap();
        let status = common::practrace_json(&[
            "status",
            "--repo",
            repo.to_str().unwrap(),
            "--rev",
            commit,
            "--format",
            "json",
            "--no-cache",
        ]);
        let label = &point["label"];
        let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap();
        assert_eq!(
            pretty(&point["process_areas"]),
            pretty(&status["process_areas"]),
            "process areas of point {label} ({commit}, scan {})",
            point["scan"]
        );
        assert_eq!(point["model"], status["model"], "model of {label}");
        assert_eq!(point["config"], status["config"], "config of {label}");
        let practices = status["practices"].as_array().unwrap();
        let evidenced = practices
            .iter()
            .filter(|p| !p["evidence"].as_array().unwrap().is_empty())
            .count();
        let mut files = std::collections::BTreeSet::new();
        let mut commits = std::collections::BTreeSet::new();
        for e in practices
            .iter()
            .flat_map(|p| p["evidence"].as_array().unwrap())
        {
            match e["kind"].as_str().unwrap() {
                "file" => files.insert(e["path"].as_str().unwrap().to_string()),
                _ => commits.insert(e["commit"].as_str().unwrap().to_string()),
            };
        }
        assert_eq!(point["practices_evidenced"], evidenced, "{label}");
        assert_eq!(point["evidence"]["files"], files.len(), "{label}");
        assert_eq!(point["evidence"]["commits"], commits.len(), "{label}");
        let diagnostics = status["diagnostics"].as_array().unwrap();
        for (key, severity) in [
            ("errors", "error"),
            ("warnings", "warning"),
            ("notes", "note"),
        ] {
            let n = diagnostics
                .iter()
                .filter(|d| d["severity"] == severity)
                .count();
            assert_eq!(point["diagnostics"][key], n, "{key} of {label}");
        }
    }
}

fn scans(history: &Value) -> Vec<(String, String)> {
    points(history)
        .iter()
        .map(|p| {
            (
                p["label"].as_str().unwrap().to_string(),
                p["scan"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The monthly history: each point equals `status --rev` at its commit; the points after
/// the first are derived, except the one after the scan options changed (March: `ignore`
/// added), which is scanned in full; the target change of April is derived.
#[test]
fn monthly_points_equal_status_derived_or_not() {
    let repo = common::fixture_repo("history");
    for cache in [&["--no-cache"][..], &[][..]] {
        let history = history_json(repo.path(), cache);
        assert_eq!(
            scans(&history),
            [
                ("2024-01", "full"),
                ("2024-02", "derived"),
                ("2024-03", "full"),
                ("2024-04", "derived"),
                ("2024-05", "derived"),
                ("2024-06", "derived"),
            ]
            .map(|(l, s)| (l.to_string(), s.to_string())),
            "cache flags {cache:?}"
        );
        assert_points_equal_status(repo.path(), &history);
    }
}

/// Weekly and quarterly points equal `status --rev` too (weeks repeat a commit when none
/// was made that week: the repeat is derived, and equal).
#[test]
fn weekly_and_quarterly_points_equal_status() {
    let repo = common::fixture_repo("history");
    for every in ["week", "quarter"] {
        let history = history_json(repo.path(), &["--every", every, "--since", "2023-10-01"]);
        assert!(points(&history).len() >= 2, "{every}");
        assert_points_equal_status(repo.path(), &history);
    }
}

fn rev_list_before(repo: &Path, end: &str) -> Option<String> {
    let out = common::git(
        repo,
        &[
            "rev-list",
            "--first-parent",
            &format!("--before={end}"),
            "-1",
            "HEAD",
        ],
    );
    let text = String::from_utf8(out).unwrap();
    let line = text.trim();
    (!line.is_empty()).then(|| line.to_string())
}

fn epoch(rfc3339: &str) -> i64 {
    rfc3339.parse::<jiff::Timestamp>().unwrap().as_second()
}

/// Each period's commit is what `git rev-list --first-parent --before=END -1 HEAD` names
/// (never the side branch's commit, and, for the skewed commit, the first of the chain at
/// or before the end); periods follow each other without a gap; the period before the
/// first point has no commit; the last ends at --until.
#[test]
fn period_points_are_what_git_rev_list_names() {
    let repo = common::fixture_repo("history");
    for every in ["week", "month", "quarter"] {
        let history = history_json(
            repo.path(),
            &[
                "--every",
                every,
                "--since",
                "2023-11-15",
                "--until",
                "2024-06-20",
            ],
        );
        assert_eq!(history["until"], "2024-06-20T23:59:59Z");
        let points = points(&history);
        assert!(!points.is_empty());
        let ends: Vec<&str> = points
            .iter()
            .map(|p| p["boundary"].as_str().unwrap())
            .collect();
        for (point, end) in points.iter().zip(&ends) {
            assert_eq!(
                Some(point["commit"].as_str().unwrap().to_string()),
                rev_list_before(repo.path(), end),
                "{every} {}",
                point["label"]
            );
        }
        assert_eq!(*ends.last().unwrap(), "2024-06-20T23:59:59Z", "{every}");
        // No gap: each boundary is one period after the one before (the last excepted).
        let seconds: Vec<i64> = ends.iter().map(|e| epoch(e)).collect();
        for pair in seconds[..seconds.len() - 1].windows(2) {
            let days = (pair[1] - pair[0]) / 86400;
            let ok = match every {
                "week" => days == 7,
                "month" => (28..=31).contains(&days),
                _ => (89..=92).contains(&days),
            };
            assert!(ok, "{every}: {days} days between two boundaries");
        }
        // The period before the first point ends before the first commit.
        let before_first = seconds[0]
            - match every {
                "week" => 7 * 86400,
                "month" => 28 * 86400,
                _ => 89 * 86400,
            };
        assert_eq!(
            rev_list_before(repo.path(), &format!("@{before_first} +0000")),
            None,
            "{every}: a period with a commit was dropped"
        );
    }
    // The skewed commit (committed 2024-05-05, after a commit of 2024-05-10) stands for
    // the week of 2024-05-06 to 2024-05-12, as git rev-list says.
    let weekly = history_json(repo.path(), &["--every", "week", "--since", "2024-05-06"]);
    let skewed = String::from_utf8(common::git(repo.path(), &["rev-parse", "HEAD~1"])).unwrap();
    assert_eq!(points(&weekly)[0]["label"], "2024-W19");
    assert_eq!(points(&weekly)[0]["commit"], skewed.trim());
}

/// `--revs`: the points are the revisions given, in committer-date order (labels as
/// given), each equal to `status --rev`; one off the first-parent chain (the side branch)
/// and one after a configuration change are scanned in full.
#[test]
fn explicit_revisions_are_points_in_date_order() {
    let repo = common::fixture_repo("history");
    let history = history_json(
        repo.path(),
        &["--revs", "HEAD,side,HEAD~3", "--revs", "HEAD~2"],
    );
    let labels: Vec<&str> = points(&history)
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["side", "HEAD~3", "HEAD~2", "HEAD"]);
    assert_eq!(history["every"], Value::Null);
    assert!(points(&history).iter().all(|p| p["boundary"].is_null()));
    assert_eq!(
        scans(&history)
            .into_iter()
            .map(|(_, s)| s)
            .collect::<Vec<_>>(),
        ["full", "full", "derived", "derived"]
    );
    assert_points_equal_status(repo.path(), &history);
}

/// With `freshness:` configured, a point cannot be derived (ages need each file's last
/// commit): the freshness fixture's last commit configures it, and is scanned in full;
/// every point still equals `status --rev`.
#[test]
fn points_with_freshness_are_scanned_in_full() {
    let repo = common::fixture_repo("freshness");
    let history = history_json(repo.path(), &["--revs", "HEAD~2,HEAD~1,HEAD"]);
    assert_eq!(
        scans(&history)
            .into_iter()
            .map(|(_, s)| s)
            .collect::<Vec<_>>(),
        ["full", "derived", "full"]
    );
    assert_points_equal_status(repo.path(), &history);
}

/// Same repository, same flags: the same bytes in every format, with the cache or
/// without; the committed dates decide, not the clock.
#[test]
fn output_is_deterministic() {
    let repo = common::fixture_repo("history");
    for format in ["table", "json", "csv", "html"] {
        let args = [
            "--every",
            "week",
            "--since",
            "2024-01-01",
            "--format",
            format,
        ];
        let first = run(repo.path(), &args);
        let again = run(repo.path(), &args);
        let mut uncached = args.to_vec();
        uncached.push("--no-cache");
        let uncached = run(repo.path(), &uncached);
        assert_eq!(first.status.code(), Some(0), "{format}");
        assert!(!first.stdout.is_empty());
        assert_eq!(first.stdout, again.stdout, "{format}");
        assert_eq!(first.stdout, uncached.stdout, "{format} without the cache");
    }
}

/// Pins the table on a terminal: `--color always` paints the areas-below-target count
/// (red when some are, green when none) and `--term-width 80` fits every table line (the
/// whole table is 111 columns wide) by leaving columns out, the levels whole; piped
/// or written with `-o`, the same table stays plain.
#[test]
fn the_table_is_coloured_and_fitted_for_a_terminal() {
    let repo = common::fixture_repo("history");
    let args = [
        "--since",
        "2024-01-01",
        "--color",
        "always",
        "--term-width",
        "80",
    ];
    let out = run(repo.path(), &args);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("\u{1b}[31m") || text.contains("\u{1b}[32m"),
        "{text}"
    );
    let plain = |t: &str| {
        let mut out = String::new();
        let mut in_escape = false;
        for c in t.chars() {
            match (in_escape, c) {
                (false, '\u{1b}') => in_escape = true,
                (true, 'm') => in_escape = false,
                (true, _) => {}
                (false, c) => out.push(c),
            }
        }
        out
    };
    let table: Vec<String> = plain(&text)
        .lines()
        .take_while(|l| !l.starts_with("Levels:"))
        .map(str::to_string)
        .collect();
    assert!(table.len() > 3, "{text}");
    for line in &table {
        assert!(line.chars().count() <= 80, "wider than 80: {line}");
    }
    let piped = run(repo.path(), &["--since", "2024-01-01"]);
    // The levels column stays whole: columns are left out before a cell is cut.
    let levels = |t: &str| -> Vec<String> {
        t.lines()
            .flat_map(|l| l.split(['│', '┆']))
            .map(str::trim)
            .filter(|c| c.len() == 22 && c.chars().all(|ch| ch.is_ascii_digit() || ch == '-'))
            .map(str::to_string)
            .collect()
    };
    let whole = levels(&String::from_utf8_lossy(&piped.stdout));
    assert!(!whole.is_empty());
    assert_eq!(levels(&table.join("\n")), whole);
    assert!(!piped.stdout.contains(&0x1b));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("history.txt");
    let written = run(
        repo.path(),
        &[
            "--since",
            "2024-01-01",
            "--color",
            "always",
            "-o",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(written.status.code(), Some(0));
    assert_eq!(std::fs::read(&file).unwrap(), piped.stdout);
}

/// The CSV is long form: a header, then a row per point and area, neutralised.
#[test]
fn csv_has_a_row_per_point_and_area() {
    let repo = common::fixture_repo("history");
    let out = run(repo.path(), &["--format", "csv"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(lines[0].starts_with("point,boundary,commit,date,scan,process_area,"));
    assert_eq!(lines.len(), 1 + 6 * 22);
    assert!(lines[1].starts_with("2024-01,2024-01-31T23:59:59Z,"));
    assert!(
        lines
            .iter()
            .any(|l| l.contains(",PA22,") && l.contains(",false,,0,"))
    );
}

/// The page is self-contained (no script, a CSP, nothing to fetch), shows an SVG heat strip
/// and the evidence charts, and escapes what comes from the repository: a revision named
/// with markup shows as text.
#[test]
fn html_is_self_contained_and_escapes_labels() {
    let repo = common::fixture_repo("history");
    common::git(repo.path(), &["tag", "v<b>1", "HEAD~2"]);
    let out = run(repo.path(), &["--revs", "v<b>1,HEAD", "--format", "html"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.contains("Content-Security-Policy"));
    assert!(!html.contains("<script"));
    assert!(
        !html.contains("src=") && !html.contains("href="),
        "nothing to fetch"
    );
    assert!(html.contains("<svg"));
    assert!(html.contains("v&lt;b&gt;1"));
    assert!(!html.contains("v<b>1"));
    assert!(html.contains(">PA01<title>") || html.contains("Administer Security Controls"));
}

/// Flags that do not fit are exit 2 with a message: --revs with periods, an unknown
/// period, a date that is not one, --since after --until, a revision that is not one, a
/// format the file name contradicts.
#[test]
fn bad_flags_exit_2() {
    let repo = common::fixture_repo("history");
    for args in [
        &["--revs", "HEAD", "--every", "week"][..],
        &["--every", "year"][..],
        &["--since", "last tuesday"][..],
        &["--since", "2024-05-01", "--until", "2024-04-01"][..],
        &["--revs", "HEAD,no-such-rev"][..],
        &["--format", "json", "-o", "history.csv"][..],
    ] {
        let out = run(repo.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
}

/// A point's full scan puts off the pre-pass over every packed commit until its walk has
/// read many one by one (history's first point is often near the root); the scan must be
/// the same whenever the pre-pass starts: before the first commit, midway (across the
/// merge), or never. The fixture is repacked so that its commits are in a pack.
#[test]
fn a_put_off_prepass_scans_alike() {
    let repo = common::fixture_repo("history");
    common::git(repo.path(), &["repack", "-a", "-d", "-q"]);
    let head = String::from_utf8(common::git(repo.path(), &["rev-parse", "HEAD"])).unwrap();
    let head = head.trim();
    let mut request = practrace::Request::new(repo.path());
    request.rev = Some(head.to_string());
    request.use_cache = false;
    let json = |analysis: &practrace::Analysis| {
        let mut out = Vec::new();
        analysis.report.write_json(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let plain = json(&practrace::analyze(&request).unwrap());
    let source = practrace::source::git::GitSource::open(repo.path(), Some("HEAD")).unwrap();
    let commit = practrace::evidence::ObjectId::from_hex(head).unwrap();
    for after in [0, 1, 3, 8, 1000] {
        let lazy = source.at_commit(commit).unwrap().with_prepass_after(after);
        let analysis = practrace::analyze_source(&lazy, &request).unwrap();
        assert_eq!(json(&analysis), plain, "pre-pass after {after} commits");
    }
}

/// Derived points follow every kind of tree change: a file replaced by a folder of the same
/// name and back, a symlink replaced by a regular file, a mode-only change, a change deep
/// down, a deletion, and a name that sorts between `docs` and `docs/` (the tree diff walks
/// both trees side by side in git's order, where a folder sorts as if its name ended in
/// `/`). Each point equals `status --rev`, with the objects loose (trees read through
/// libgit2) and packed (read from the packs).
#[test]
fn derived_points_follow_odd_tree_changes() {
    let repo = common::fixture_repo("tree-changes");
    for packed in [false, true] {
        if packed {
            common::git(repo.path(), &["repack", "-a", "-d", "-q"]);
        }
        let history = history_json(repo.path(), &["--revs", "one,two,three", "--no-cache"]);
        assert_eq!(
            scans(&history)
                .into_iter()
                .map(|(_, s)| s)
                .collect::<Vec<_>>(),
            ["full", "derived", "derived"],
            "packed: {packed}"
        );
        assert_points_equal_status(repo.path(), &history);
        let files: Vec<u64> = points(&history)
            .iter()
            .map(|p| p["evidence"]["files"].as_u64().unwrap())
            .collect();
        assert_eq!(files, [4, 5, 5], "packed: {packed}");
    }
}
