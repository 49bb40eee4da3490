//! Benchmark and oracle (issue 13 §3): the matrix's last-commit walk on any repository,
//! for every file at a revision, not only evidence files (a real repository such as
//! git/git has none, and its pack is git's own, with deltas from new to old, where W2's
//! are fast-import's, from old to new).
//!
//! `cargo bench --bench last_commits -- REPO [--rev REV] [--runs K] [--sample N]`
//!
//! Times `Repo::last_commits` for all files at `REV` (default `HEAD`) and
//! `git log --format=%H --raw --no-renames REV` in the same run, medians of K rounds
//! (default 3), and checks N paths spread over the list (default 200) against
//! `git log -1 --format=%H REV -- PATH`, the definition: any difference exits 1.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use practrace::source::git::history::open_at;

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let (mut repo, mut rev, mut runs, mut sample) = (None, "HEAD".to_string(), 3, 200);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "--rev" => rev = value(),
            "--runs" => runs = value().parse().unwrap_or_else(|_| usage("--runs K")),
            "--sample" => sample = value().parse().unwrap_or_else(|_| usage("--sample N")),
            _ if repo.is_none() && !arg.starts_with('-') => repo = Some(PathBuf::from(&arg)),
            _ => usage(&format!("unknown argument {arg}")),
        }
    }
    let repo = repo.unwrap_or_else(|| usage("a repository is needed"));
    let git = |args: &[&str]| -> String {
        let out = Command::new("git")
            .arg("-C")
            .arg(&repo)
            .args(args)
            .stderr(Stdio::inherit())
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?} failed");
        String::from_utf8(out.stdout).expect("git prints UTF-8 here")
    };
    let listed = git(&["ls-tree", "-r", "-z", "--name-only", &rev]);
    let paths: Vec<&str> = listed.split('\0').filter(|p| !p.is_empty()).collect();
    let (handle, start) = open_at(&repo, Some(&rev)).expect("the repository opens");
    let start = start.expect("the revision is a commit");
    let (mut walks, mut logs, mut cpus) = (Vec::new(), Vec::new(), Vec::new());
    let mut found = Default::default();
    for _ in 0..runs.max(1) {
        let (clock, cpu) = (Instant::now(), cpu_time());
        found = handle.last_commits(start, &paths).expect("the walk runs");
        walks.push(clock.elapsed());
        cpus.push(cpu_time().saturating_sub(cpu));
        let clock = Instant::now();
        let status = Command::new("git")
            .arg("-C")
            .arg(&repo)
            .args(["log", "--format=%H", "--raw", "--no-renames", &rev])
            .stdout(Stdio::null())
            .status()
            .expect("git runs");
        assert!(status.success());
        logs.push(clock.elapsed());
    }
    let (walk, log) = (median(&mut walks), median(&mut logs));
    println!(
        "last commits of {} files: {:.3} s (CPU {:.2} s); git log --raw {:.3} s; ratio {:.2}",
        paths.len(),
        walk.as_secs_f64(),
        median(&mut cpus).as_secs_f64(),
        log.as_secs_f64(),
        walk.as_secs_f64() / log.as_secs_f64()
    );
    let step = (paths.len() / sample.max(1)).max(1);
    let mut wrong = 0;
    let mut checked = 0;
    for path in paths.iter().step_by(step) {
        let want = git(&["log", "-1", "--format=%H", &rev, "--", path]);
        let got = found
            .get(*path)
            .map(|c| c.commit.id.as_str())
            .unwrap_or("none");
        checked += 1;
        if want.trim() != got {
            wrong += 1;
            eprintln!("{path}: git log -1 says {}, the walk {got}", want.trim());
        }
    }
    println!("{checked} paths checked against git log -1: {wrong} different");
    if wrong > 0 {
        std::process::exit(1);
    }
}

/// The CPU time this process has used (all its threads, user and system), from
/// `/proc/self/stat`: on a shared machine, steadier than the time on the clock.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command's closing parenthesis; utime and stime are the 14th
    // and 15th of the line, in clock ticks (100 per second on Linux).
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: u64 = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn usage(why: &str) -> ! {
    eprintln!(
        "{why}\nusage: cargo bench --bench last_commits -- REPO [--rev REV] [--runs K] [--sample N]"
    );
    std::process::exit(2);
}
