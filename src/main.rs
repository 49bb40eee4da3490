//! The `practrace` command line: flags in, one validated call into the library, exit code out
//! (0 done, 1 done but the input has error diagnostics, 2 could not run).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};

use practrace::matrix::MatrixFormat;
use practrace::model::Model;
use practrace::report::EvidenceReport;
use practrace::report::text::{self, Format, Trace};
use practrace::scan::ScanOptions;

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
    Status(Common),
    /// The practices lacking evidence.
    Gaps {
        #[command(flatten)]
        common: Common,
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
    },
    /// The evidence matrix for auditors: every practice, every piece of evidence with where
    /// it is and who made it when, each area's level, stamped with the commit and model.
    Matrix {
        #[command(flatten)]
        scan: ScanArgs,
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
    /// Print a JSON Schema this build uses (`report` or `model`).
    Schema {
        /// Which schema.
        #[arg(value_parser = ["report", "model"])]
        which: String,
    },
}

#[derive(Args)]
struct Common {
    #[command(flatten)]
    scan: ScanArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    format: FormatArg,
}

impl std::ops::Deref for Common {
    type Target = ScanArgs;
    fn deref(&self) -> &ScanArgs {
        &self.scan
    }
}

/// What to scan and how: the options every scanning command shares.
#[derive(Args)]
struct ScanArgs {
    /// The repository (default: the one around the current folder).
    #[arg(long, default_value = ".")]
    repo: PathBuf,
    /// Scan this revision from the object database instead of the working tree.
    #[arg(long)]
    rev: Option<String>,
    /// A model file (JSON or YAML) instead of the built-in SSE-CMM.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Files larger than this many bytes are skipped (with a note).
    #[arg(long, default_value_t = ScanOptions::default().max_file_size)]
    max_file_size: u64,
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

#[derive(Clone, Copy, ValueEnum)]
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

fn analyze(common: &ScanArgs) -> Result<practrace::Analysis> {
    let model = match &common.model {
        Some(path) => Model::from_path(path)?,
        None => Model::builtin(),
    };
    Ok(practrace::analyze(
        &common.repo,
        common.rev.as_deref(),
        model,
        &ScanOptions {
            max_file_size: common.max_file_size,
            max_front_matter: common.max_front_matter,
            max_message_size: common.max_message_size,
            max_ids: common.max_ids,
            ..ScanOptions::default()
        },
        !common.no_cache,
    )?)
}

/// Runs a command; `Ok(true)` when the scanned input has error diagnostics.
fn run(cli: Cli) -> Result<bool> {
    let mut err = String::new();
    let mut input_errors = false;
    let out = match cli.command {
        Command::Status(common) => {
            let analysis = analyze(&common)?;
            input_errors = has_errors(&analysis);
            let format = Format::from(common.format);
            if format == Format::Json {
                // The largest output: streamed, not built as one string.
                let mut stdout = std::io::stdout().lock();
                analysis
                    .report
                    .write_json(&mut stdout)
                    .context("writing to stdout")?;
                return Ok(input_errors);
            }
            if format == Format::Table {
                err = text::diagnostics(&analysis.report.diagnostics);
            }
            text::status(&analysis.report, format)
        }
        Command::Gaps { common, level, pa } => {
            let analysis = analyze(&common)?;
            input_errors = has_errors(&analysis);
            let pa = pa
                .map(|p| match practrace::id::resolve_area(&analysis.model, &p) {
                    Ok(n) => Ok(practrace::id::area_id(n)),
                    Err(problem) => Err(anyhow::anyhow!("--pa {p}: {}", problem.message)),
                })
                .transpose()?;
            let rows = text::gap_rows(&analysis.report, level, pa.as_deref());
            text::gaps(&rows, common.format.into())
        }
        Command::Trace { target, common } => {
            let mut analysis = analyze(&common)?;
            input_errors = has_errors(&analysis);
            let trace = trace(&mut analysis, &common, &target)?;
            text::trace(&trace, common.format.into())
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

fn has_errors(analysis: &practrace::Analysis) -> bool {
    analysis
        .report
        .diagnostics
        .iter()
        .any(|d| d.severity == practrace::diag::Severity::Error)
}

fn trace(analysis: &mut practrace::Analysis, common: &Common, target: &str) -> Result<Trace> {
    if let Ok(found) = practrace::id::resolve(&analysis.model, target, &[])
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
