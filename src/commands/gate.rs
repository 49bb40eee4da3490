//! `check` and `baseline write`: the pre-merge gate.

use std::path::PathBuf;

use super::stdout;
use super::{CommandError, Io, Outcome, ScanFlags, write_atomically};
use crate::check::output::Printer;
use crate::check::{self, Baseline, CheckReport, Finding};
use crate::pipeline::{analyze_pair, analyze_source};
use crate::report::Render;
use crate::source::Source;
use crate::source::git::GitSource;

/// An output format of `practrace check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckFormat {
    /// Compiler-style lines with source snippets.
    Text,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// The check report as JSON.
    Json,
}

/// What the gate compares and how strictly.
#[derive(Debug, Clone)]
pub struct Check {
    /// What to scan (head).
    pub scan: ScanFlags,
    /// `--base`: the revision to compare with.
    pub base: Option<String>,
    /// `--deny warnings`.
    pub deny_warnings: bool,
    /// `--full-scan`: scan both revisions in full instead of deriving head from base.
    pub full_scan: bool,
}

/// `practrace check`: exit 0 pass, 1 findings fail.
pub fn check(
    gate: &Check,
    format: CheckFormat,
    baseline: Option<&std::path::Path>,
    io: &mut Io<'_>,
) -> Result<Outcome, CommandError> {
    let baseline = baseline
        .map(|path| -> Result<Baseline, CommandError> {
            let text = crate::files::read_bounded(path, crate::files::MAX_BASELINE).map_err(
                CommandError::io(format!("reading the baseline {}", path.display())),
            )?;
            serde_json::from_slice(&text).map_err(|source| CommandError::Json {
                what: format!("{} is not a practrace baseline", path.display()),
                source,
            })
        })
        .transpose()?;
    let mut progress = io.progress(match gate.base {
        Some(_) => "comparing with the base revision",
        None => "scanning the repository",
    });
    let (report, head) = run(gate, baseline)?;
    progress.finish();
    let source_line = |f: &Finding| source_line(&head, f);
    let printer = match format {
        CheckFormat::Text => Printer::Text(&source_line, io.style()),
        CheckFormat::Github => Printer::Github,
        CheckFormat::Sarif => Printer::Sarif,
        CheckFormat::Json => Printer::Json,
    };
    let mut out = Vec::new();
    printer.render(&report, &mut out).map_err(stdout)?;
    if format == CheckFormat::Text {
        io.print_human(&out)?;
    } else {
        io.print(&out)?;
    }
    Ok(Outcome::from_errors(!report.passed))
}

/// `practrace baseline write`: a baseline that accepts every finding failing today.
#[derive(Debug, Clone)]
pub struct BaselineWrite {
    /// The gate whose findings to accept.
    pub gate: Check,
    /// `-o FILE`: write there (atomically) instead of to standard output.
    pub output: Option<PathBuf>,
}

/// Writes the baseline of [`BaselineWrite`].
pub fn baseline_write(what: &BaselineWrite, io: &mut Io<'_>) -> Result<Outcome, CommandError> {
    let mut progress = io.progress("scanning the repository");
    let (report, _) = run(&what.gate, None)?;
    progress.finish();
    let text = Baseline::of(&report).to_json();
    match &what.output {
        Some(path) => {
            write_atomically(path, text.as_bytes())?;
            if !crate::diag::quiet() {
                io.print_err(&format!(
                    "practrace: wrote {} to {}\n",
                    crate::term::plural(report.summary.failing, "finding"),
                    path.display()
                ));
            }
        }
        None => io.print(text.as_bytes())?,
    }
    Ok(Outcome::Clean)
}

/// Runs the gate: head (and base) analysed, findings computed. Returns the head source too,
/// for snippets.
fn run(gate: &Check, baseline: Option<Baseline>) -> Result<(CheckReport, GitSource), CommandError> {
    let mut request = gate.scan.request()?;
    request.brief = true;
    let head_source = GitSource::open(&request.repo, request.rev.as_deref())?;
    let (base, head) = match &gate.base {
        Some(rev) => {
            let base_source = GitSource::open(&request.repo, Some(rev))
                .map_err(|e| missing_base(rev, head_source.info().shallow, &e))?;
            let mut base_request = request.clone();
            base_request.rev = Some(rev.clone());
            let (base, head) = if gate.full_scan {
                (
                    analyze_source(&base_source, &base_request)?,
                    analyze_source(&head_source, &request)?,
                )
            } else {
                analyze_pair(&base_source, &base_request, &head_source, &request)?
            };
            (Some(base), head)
        }
        None => (None, analyze_source(&head_source, &request)?),
    };
    let exists = |path: &str| matches!(head_source.read_path(path, u64::MAX), Ok(Some(_)));
    let policy = check::Policy {
        deny_warnings: gate.deny_warnings,
        baseline,
    };
    Ok((
        check::check(&head, base.as_ref(), &exists, &policy),
        head_source,
    ))
}

/// The error for a base revision that is not in the repository, with the fetch to run.
fn missing_base(rev: &str, shallow: bool, e: &crate::source::SourceError) -> CommandError {
    // A name git does not know wants a fetch; a name whose object is missing or broken
    // does not (fetching would not mend it).
    let unknown = matches!(e, crate::source::SourceError::Revision { message, .. }
        if message.starts_with("revspec '") && message.contains("' not found"));
    if !unknown {
        return CommandError::Usage(format!(
            "the base revision {rev:?} cannot be read: {e} (the repository may be damaged or a partial clone missing the object: run `git fsck`)"
        ));
    }
    let how = if shallow {
        format!(
            "this is a shallow clone: fetch the base with `git fetch --deepen=100 origin` (or `git fetch --unshallow`), or `git fetch origin {rev}`; in GitHub Actions, check out with `fetch-depth: 0`"
        )
    } else {
        // `origin/main` is fetched as `git fetch origin main`, not as a refspec of its own.
        match rev.split_once('/') {
            Some((remote, branch)) if !remote.is_empty() && !branch.is_empty() => {
                format!("fetch it first: `git fetch {remote} {branch}`")
            }
            _ => format!("fetch it first, e.g. `git fetch origin {rev}`"),
        }
    };
    CommandError::Usage(format!(
        "the base revision {rev:?} is not in this repository: {how} ({e})"
    ))
}

/// The line of a finding, from the file in head or from the commit's message.
fn source_line(head: &GitSource, f: &Finding) -> Option<String> {
    let line = f.diagnostic.line? as usize;
    let bytes = match (&f.diagnostic.path, &f.diagnostic.commit) {
        (Some(path), _) => head.read_path(path, 1 << 20).ok()??,
        (None, Some(commit)) => head.repo().ok()?.commit_message(commit)?,
        _ => return None,
    };
    String::from_utf8_lossy(&bytes)
        .lines()
        .nth(line.checked_sub(1)?)
        .map(str::to_string)
}
