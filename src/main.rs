//! The `practrace` command line: flags in, one validated call into the library, exit code out
//! (0 done, 1 done but the input has error diagnostics, 2 could not run).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};

use practrace::check;
use practrace::matrix::MatrixFormat;
use practrace::model::Model;
use practrace::report::EvidenceReport;
use practrace::report::text::{self, Format, Trace};
use practrace::scan::ScanOptions;
use practrace::source::git::GitSource;

/// Evidence-linking traceability for process models (SSE-CMM, ISO/IEC 21827:2002).
#[derive(Parser)]
#[command(name = "practrace", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Per process area: achieved level, target, evidence counts, gaps in short.
    Status {
        #[command(flatten)]
        common: Common,
        /// Output format.
        #[arg(long, value_enum, default_value_t = FormatArg::Table)]
        format: FormatArg,
    },
    /// The practices lacking evidence.
    Gaps {
        #[command(flatten)]
        common: Common,
        /// Output format.
        #[arg(long, value_enum, default_value_t = FormatArg::Table)]
        format: FormatArg,
        /// Show gaps up to this level instead of each area's target.
        #[arg(long)]
        level: Option<u8>,
        /// Only this process area (e.g. PA05).
        #[arg(long)]
        pa: Option<String>,
    },
    /// Everything linked to one practice id, file path or commit.
    Trace {
        /// A practice id (BP.05.02, GP.2.1.3@PA05), a path in the repository, or a commit.
        target: String,
        #[command(flatten)]
        common: Common,
        /// Output format.
        #[arg(long, value_enum, default_value_t = FormatArg::Table)]
        format: FormatArg,
    },
    /// The pre-merge gate: exit 0 pass, 1 findings fail, 2 could not run. With --base,
    /// also what changed since that revision.
    Check {
        #[command(flatten)]
        gate: Gate,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
        /// Fail only on findings that are not in this baseline file (from `baseline write`).
        #[arg(long)]
        baseline: Option<PathBuf>,
    },
    /// Baseline files for `check --baseline`.
    Baseline {
        #[command(subcommand)]
        action: BaselineAction,
    },
    /// The evidence matrix for auditors: every practice, every piece of evidence with where
    /// it is and who made it when, each area's level, stamped with the commit and model.
    Matrix {
        #[command(flatten)]
        scan: Common,
        /// Output format (xlsx needs the default cargo feature `xlsx`).
        #[arg(long, value_enum, default_value_t = MatrixFormatArg::Html)]
        format: MatrixFormatArg,
        /// Write to this file (atomically: a temporary file beside it, then renamed)
        /// instead of stdout.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Stamp the matrix with the current time too (the output then differs per run).
        #[arg(long)]
        timestamp: bool,
    },
    /// Re-check an earlier JSON report (status or matrix --format json) against the
    /// repository: exit 0 when every piece of evidence is unchanged, 1 when something
    /// changed, 2 when it could not run.
    Verify {
        /// The JSON report.
        report: PathBuf,
        /// The repository (default: the one around the current folder).
        #[arg(long, default_value = ".")]
        repo: PathBuf,
        /// Compare against this revision's tree and history instead of the working tree
        /// (files on disk, history from HEAD).
        #[arg(long)]
        rev: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = VerifyFormatArg::Text)]
        format: VerifyFormatArg,
    },
    /// Print a JSON Schema this build uses (`report`, `model` or `config`).
    Schema {
        /// Which schema.
        #[arg(value_parser = ["report", "model", "config"])]
        which: String,
    },
}

#[derive(Subcommand)]
enum BaselineAction {
    /// Print (or write with -o) a baseline that accepts every finding that fails today.
    Write {
        #[command(flatten)]
        gate: Gate,
        /// Write to this file instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

#[derive(Args)]
struct Gate {
    #[command(flatten)]
    common: Common,
    /// Compare with this revision (e.g. origin/main): evidence lost and added, levels
    /// lowered and raised, diagnostics introduced.
    #[arg(long)]
    base: Option<String>,
    /// Make warnings fail the check too (`--deny warnings`).
    #[arg(long, value_parser = ["warnings"])]
    deny: Option<String>,
    /// With --base: scan both revisions in full, instead of deriving head from base and the
    /// changes between them (slower; the same result).
    #[arg(long)]
    full_scan: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CheckFormat {
    /// Compiler-style lines with source snippets.
    Text,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// The check report as JSON.
    Json,
}

/// What to scan and how: the options every scanning command shares.
#[derive(Args)]
struct Common {
    /// The repository (default: the one around the current folder).
    #[arg(long, default_value = ".")]
    repo: PathBuf,
    /// Scan this revision from the object database instead of the working tree.
    #[arg(long)]
    rev: Option<String>,
    /// A model file (JSON or YAML) instead of the built-in SSE-CMM.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Files larger than this many bytes are skipped, with a note (default: the
    /// configuration's `max_file_size`, else 1 MiB).
    #[arg(long)]
    max_file_size: Option<u64>,
    /// Front matter larger than this many bytes is not read (with a warning).
    #[arg(long, default_value_t = ScanOptions::default().max_front_matter)]
    max_front_matter: usize,
    /// Commit messages larger than this many bytes are not read (with a note).
    #[arg(long, default_value_t = ScanOptions::default().max_message_size)]
    max_message_size: usize,
    /// At most this many ids are read from one file or message (with a warning).
    #[arg(long, default_value_t = ScanOptions::default().max_ids)]
    max_ids: usize,
    /// Do not read or write the cache (in $XDG_CACHE_HOME/practrace); same output.
    #[arg(long)]
    no_cache: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    Table,
    Json,
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum MatrixFormatArg {
    Html,
    Xlsx,
    Csv,
    Markdown,
    Json,
}

impl From<MatrixFormatArg> for MatrixFormat {
    fn from(f: MatrixFormatArg) -> MatrixFormat {
        match f {
            MatrixFormatArg::Html => MatrixFormat::Html,
            MatrixFormatArg::Xlsx => MatrixFormat::Xlsx,
            MatrixFormatArg::Csv => MatrixFormat::Csv,
            MatrixFormatArg::Markdown => MatrixFormat::Markdown,
            MatrixFormatArg::Json => MatrixFormat::Json,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum VerifyFormatArg {
    Text,
    Json,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Table => Format::Table,
            FormatArg::Json => Format::Json,
            FormatArg::Markdown => Format::Markdown,
        }
    }
}

impl Common {
    /// The validated request these flags make.
    fn request(&self) -> Result<practrace::Request> {
        let model = match &self.model {
            Some(path) => Some(Model::from_path(path)?),
            None => None,
        };
        Ok(practrace::Request {
            repo: self.repo.clone(),
            rev: self.rev.clone(),
            model,
            options: ScanOptions {
                max_front_matter: self.max_front_matter,
                max_message_size: self.max_message_size,
                max_ids: self.max_ids,
                ..ScanOptions::default()
            },
            max_file_size: self.max_file_size,
            use_cache: !self.no_cache,
            brief: false,
        })
    }
}

fn analyze(common: &Common) -> Result<practrace::Analysis> {
    Ok(practrace::analyze(&common.request()?)?)
}

/// Runs a command; `Ok(true)` when the scanned input has error diagnostics.
fn run(cli: Cli) -> Result<bool> {
    let mut err = String::new();
    let mut input_errors = false;
    let out = match cli.command {
        Command::Status { common, format } => {
            let format = Format::from(format);
            if format == Format::Json {
                // The largest output: streamed, not built as one string; at a revision, from
                // the remembered report of an ancestor when the cache has one.
                let request = common.request()?;
                let mut stdout = std::io::stdout().lock();
                if let Some(errors) = practrace::write_status_json_derived(&request, &mut stdout)? {
                    return Ok(errors);
                }
                let analysis = practrace::analyze(&request)?;
                practrace::write_status_json(&analysis, &request, &mut stdout)
                    .context("writing to stdout")?;
                let errors = has_errors(&analysis);
                exit_without_freeing(analysis);
                return Ok(errors);
            }
            let analysis = analyze(&common)?;
            input_errors = has_errors(&analysis);
            if format == Format::Table {
                err = text::diagnostics(&analysis.report.diagnostics);
            }
            let out = text::status(&analysis.report, format);
            exit_without_freeing(analysis);
            out
        }
        Command::Gaps {
            common,
            format,
            level,
            pa,
        } => {
            let analysis = analyze(&common)?;
            input_errors = has_errors(&analysis);
            let pa = pa
                .map(
                    |p| match practrace::resolve::resolve_area(&analysis.model, &p) {
                        Ok(n) => Ok(practrace::model::id::area_id(n)),
                        Err(problem) => Err(anyhow::anyhow!("--pa {p}: {}", problem.message)),
                    },
                )
                .transpose()?;
            let rows = text::gap_rows(&analysis.report, level, pa.as_deref());
            let mut out = text::gaps(&rows, format.into());
            if format != FormatArg::Json {
                out.push_str(&text::not_applicable(&analysis.report, format.into()));
            }
            exit_without_freeing(analysis);
            out
        }
        Command::Trace {
            target,
            common,
            format,
        } => {
            let mut analysis = analyze(&common)?;
            input_errors = has_errors(&analysis);
            let trace = trace(&mut analysis, &common, &target)?;
            text::trace(&trace, format.into())
        }
        Command::Check {
            gate,
            format,
            baseline,
        } => {
            let baseline = baseline
                .map(|path| -> Result<check::Baseline> {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("reading the baseline {}", path.display()))?;
                    serde_json::from_str(&text)
                        .with_context(|| format!("{} is not a practrace baseline", path.display()))
                })
                .transpose()?;
            let (report, head) = run_check(&gate, baseline)?;
            input_errors = !report.passed;
            match format {
                CheckFormat::Text => check::output::text(&report, &|f| source_line(&head, f)),
                CheckFormat::Github => check::output::github(&report),
                CheckFormat::Sarif => check::output::sarif(&report),
                CheckFormat::Json => check::output::json(&report),
            }
        }
        Command::Baseline {
            action: BaselineAction::Write { gate, output },
        } => {
            let (report, _) = run_check(&gate, None)?;
            let text = check::Baseline::of(&report).to_json();
            match output {
                Some(path) => {
                    write_atomically(&path, text.as_bytes())?;
                    eprintln!(
                        "practrace: wrote {} finding(s) to {}",
                        report.summary.failing,
                        path.display()
                    );
                    String::new()
                }
                None => text,
            }
        }
        Command::Matrix {
            scan,
            format,
            output,
            timestamp,
        } => {
            let format = MatrixFormat::from(format);
            if format == MatrixFormat::Xlsx && output.is_none() && std::io::stdout().is_terminal() {
                bail!("XLSX is binary: write it to a file with -o FILE, or redirect stdout");
            }
            let mut analysis = analyze(&scan)?;
            input_errors = has_errors(&analysis);
            let source = practrace::source::git::GitSource::open(&scan.repo, scan.rev.as_deref())?;
            let repo = source.repository()?;
            let generated = timestamp.then(now_rfc3339);
            practrace::matrix::stamp(&mut analysis, &repo, generated)?;
            let mut bytes = Vec::new();
            practrace::matrix::write(&analysis, format, &mut bytes)?;
            match output {
                Some(path) => write_atomically(&path, &bytes)?,
                None => {
                    let mut stdout = std::io::stdout().lock();
                    stdout.write_all(&bytes).context("writing to stdout")?;
                    stdout.flush().context("writing to stdout")?;
                }
            }
            return Ok(input_errors);
        }
        Command::Verify {
            report,
            repo,
            rev,
            format,
        } => {
            let outcome = practrace::verify::verify_file(&report, &repo, rev.as_deref())?;
            input_errors = !outcome.is_clean();
            match format {
                VerifyFormatArg::Json => {
                    let mut s = serde_json::to_string_pretty(&outcome)
                        .context("writing the verification as JSON")?;
                    s.push('\n');
                    s
                }
                VerifyFormatArg::Text => outcome.to_text(),
            }
        }
        Command::Schema { which } => match which.as_str() {
            "model" => practrace::report::model_schema(),
            "config" => practrace::report::config_schema(),
            _ => practrace::report::report_schema(),
        },
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .context("writing to stdout")?;
    stdout.flush().ok();
    eprint!("{err}");
    Ok(input_errors)
}

/// Runs the gate: head (and base) analysed, findings computed. Returns the head source too,
/// for snippets.
fn run_check(
    gate: &Gate,
    baseline: Option<check::Baseline>,
) -> Result<(check::CheckReport, GitSource)> {
    use practrace::source::Source;
    let mut request = gate.common.request()?;
    request.brief = true;
    let head_source = GitSource::open(&request.repo, request.rev.as_deref())?;
    let (base, head) = match &gate.base {
        Some(rev) => {
            let base_source = GitSource::open(&request.repo, Some(rev)).map_err(|e| {
                let how = if head_source.info().shallow {
                    format!(
                        "this is a shallow clone: fetch the base with `git fetch --deepen=100 origin` (or `git fetch --unshallow`), or `git fetch origin {rev}`; in GitHub Actions, check out with `fetch-depth: 0`"
                    )
                } else {
                    format!("fetch it first, e.g. `git fetch origin {rev}`")
                };
                anyhow::anyhow!("the base revision {rev:?} is not in this repository: {how} ({e})")
            })?;
            let mut base_request = request.clone();
            base_request.rev = Some(rev.clone());
            let (base, head) = if gate.full_scan {
                (
                    practrace::analyze_source(&base_source, &base_request)?,
                    practrace::analyze_source(&head_source, &request)?,
                )
            } else {
                practrace::analyze_pair(&base_source, &base_request, &head_source, &request)?
            };
            (Some(base), head)
        }
        None => (None, practrace::analyze_source(&head_source, &request)?),
    };
    let exists = |path: &str| matches!(head_source.read_path(path, u64::MAX), Ok(Some(_)));
    let policy = check::Policy {
        deny_warnings: gate.deny.is_some(),
        baseline,
    };
    Ok((
        check::check(&head, base.as_ref(), &exists, &policy),
        head_source,
    ))
}

/// The line of a finding, from the file in head or from the commit's message.
fn source_line(head: &GitSource, f: &check::Finding) -> Option<String> {
    use practrace::source::Source;
    let line = f.line? as usize;
    let text = match (&f.path, &f.commit) {
        (Some(path), _) => {
            String::from_utf8_lossy(&head.read_path(path, 1 << 20).ok()??).into_owned()
        }
        (None, Some(commit)) => {
            let repo = head.repository().ok()?;
            let commit = repo.find_commit(git2::Oid::from_str(commit).ok()?).ok()?;
            String::from_utf8_lossy(commit.message_bytes()).into_owned()
        }
        _ => return None,
    };
    text.lines().nth(line.checked_sub(1)?).map(str::to_string)
}

/// The current time, UTC, RFC 3339 (only for `matrix --timestamp`).
fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    practrace::scan::rfc3339(i64::try_from(secs).unwrap_or(0), 0)
}

/// Writes `bytes` to `path` through a temporary file in the same folder, renamed into
/// place: a reader never sees half a file, and a failed run leaves the old one.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file name", path.display()))?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".practrace-{}.tmp", std::process::id()));
    let temp = dir.join(temp_name);
    let result = (|| -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(e).with_context(|| format!("writing {}", path.display()));
    }
    Ok(())
}

/// Leaves a large value to the operating system instead of freeing it: the process ends
/// right after its output is written, and freeing a full analysis allocation by allocation
/// cost 0.13 s of 2.6 s at W2 (100,000 files, 200,000 commits; 12 alternating runs).
fn exit_without_freeing<T>(value: T) {
    std::mem::forget(value);
}

fn has_errors(analysis: &practrace::Analysis) -> bool {
    analysis
        .report
        .diagnostics
        .iter()
        .any(|d| d.severity == practrace::diag::Severity::Error)
}

fn trace(analysis: &mut practrace::Analysis, common: &Common, target: &str) -> Result<Trace> {
    if let Ok(found) = practrace::resolve::resolve(&analysis.model, target, &[])
        && let [p] = found[..]
    {
        let practice = &analysis.report.practices[p];
        return Ok(Trace {
            target: practice.id.clone(),
            kind: "practice".into(),
            process_area: Some(practice.process_area.clone()),
            practices: Vec::new(),
            evidence: practice.evidence.clone(),
        });
    }
    let source = practrace::source::git::GitSource::open(&common.repo, common.rev.as_deref())?;
    let repo = source.repository()?;
    practrace::link_touched(analysis, &repo);
    let model = &analysis.model;
    let scan = &analysis.scan;
    let commit_report = |c: usize| EvidenceReport::commit(&scan.commits[c]);
    let ids = |v: Vec<usize>| {
        v.into_iter()
            .map(|p| model.practices[p].id.clone())
            .collect()
    };
    let wanted = target.trim_start_matches("./");
    if let Some(f) = scan.files.iter().position(|f| f.path == wanted) {
        let node = practrace::graph::Node::Artifact(f);
        return Ok(Trace {
            target: wanted.to_string(),
            kind: "file".into(),
            process_area: None,
            practices: ids(analysis.graph.practices_of(node)),
            evidence: analysis
                .graph
                .commits_touching(f)
                .into_iter()
                .map(commit_report)
                .collect(),
        });
    }
    let Ok(commit) = repo
        .revparse_single(target)
        .and_then(|o| o.peel_to_commit())
    else {
        bail!("{target:?} is not a practice id, a file with evidence, or a commit");
    };
    let id = commit.id().to_string();
    let Some(c) = scan.commits.iter().position(|c| c.id == id) else {
        return Ok(Trace {
            target: id,
            kind: "commit".into(),
            process_area: None,
            practices: Vec::new(),
            evidence: Vec::new(),
        });
    };
    let node = practrace::graph::Node::Commit(c);
    Ok(Trace {
        target: id,
        kind: "commit".into(),
        process_area: None,
        practices: ids(analysis.graph.practices_of(node)),
        evidence: analysis
            .graph
            .artifacts_touched(c)
            .into_iter()
            .map(|f| {
                let f = &scan.files[f];
                EvidenceReport::file(f, f.practices.first().map_or(0, |&(_, l)| l))
            })
            .collect(),
    })
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "practrace: internal error (this is a bug; please report it with the command you ran): {info}"
        );
    }));
    let cli = Cli::parse();
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(Ok(false)) => ExitCode::SUCCESS,
        Ok(Ok(true)) => ExitCode::from(1),
        Ok(Err(e)) => {
            eprintln!("practrace: error: {e:#}");
            ExitCode::from(2)
        }
        Err(_) => ExitCode::from(2),
    }
}
