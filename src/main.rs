//! The `practrace` command line: flags in, one validated call into the library, exit code out
//! (0 done, 1 done but the input has error diagnostics, 2 could not run).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use practrace::commands::{self, CommandError, Io, Outcome, ScanFlags};
use practrace::config::ScanOptions;
use practrace::graph_export::{Filter, GraphFormat};
use practrace::matrix::MatrixFormat;
use practrace::report::text::Format;

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
        /// Output format (xlsx needs the default cargo feature `xlsx`). Default: from the
        /// extension of -o FILE (.html, .xlsx, .csv, .md, .json), else html. `oscal`: OSCAL
        /// 1.1.2 assessment results; with -o NAME.json the assessment plan they import is
        /// written beside as NAME.plan.json, and to stdout they import
        /// `assessment-plan.json`, which `oscal-plan` writes.
        #[arg(long, value_enum)]
        format: Option<MatrixFormatArg>,
        /// Write to this file (atomically: a temporary file beside it, then renamed)
        /// instead of stdout.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Stamp the matrix with the current time too (the output then differs per run).
        #[arg(long)]
        timestamp: bool,
    },
    /// The evidence graph as Graphviz DOT, Mermaid or JSON (files and commits only when
    /// filtered).
    ///
    /// Without a filter, only the process areas and practices are shown, each labelled
    /// with its evidence counts: the files and commits of a whole repository would make a
    /// graph too large to lay out or read. --pa, --practice or --path (each repeatable)
    /// expand what they select: its files and commits, with `evidences` edges, and
    /// `touched` edges from each commit to the files its change touched. --pa and
    /// --practice add up; --path narrows the evidence to the files it matches and the
    /// commits that touched them. Each evidence commit of the practices selected is
    /// diffed against its parent: with --path alone, every evidence commit (seconds on a
    /// history of thousands of them; add --pa or --practice to narrow).
    ///
    /// Practices in scope with no evidence (gaps) are drawn apart (DOT: dashed red;
    /// Mermaid: class `gap`), those declared not applicable grey and dotted, with the
    /// reason.
    #[command(
        after_help = "Examples:\n  practrace graph | dot -Tsvg > graph.svg\n  practrace graph --pa PA05 --format mermaid -o pa05.mmd\n  practrace graph --path 'docs/**' --format json"
    )]
    Graph(GraphArgs),
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
        /// The model file the report was made with (`--model` of the command that made
        /// it), else the configuration's, else the built-in SSE-CMM.
        #[arg(long)]
        model: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = VerifyFormatArg::Text)]
        format: VerifyFormatArg,
    },
    /// The organisation roll-up: many repositories' JSON reports merged into one matrix of
    /// repositories × process areas.
    ///
    /// Reads `status --format json` or `matrix --format json` reports (one per repository,
    /// from each repository's CI job) and writes achieved / target per cell in the matrix's
    /// colours, each repository's stamp (repository, commit, commit date when the report has
    /// it, model, configuration, tool version), totals per area, and a section (HTML) or sheet
    /// (XLSX) per repository.
    ///
    /// Every input file is one row, sorted by repository, then commit, then file: two reports
    /// of the same repository and commit both stay, each labelled by its file and flagged.
    /// Reports of different models (id or digest) are refused, naming both files: run one
    /// merge per model. Exit 0 when the roll-up is written; 2 when a report cannot be read or
    /// fails the report schema, or the models differ.
    Merge {
        /// JSON reports, or folders: every *.json file below a folder is read.
        #[arg(required = true, value_name = "REPORT")]
        reports: Vec<PathBuf>,
        /// Output format (xlsx needs the default cargo feature `xlsx`). Default: from the
        /// extension of -o FILE (.html, .xlsx, .csv, .md, .json), else html.
        #[arg(long, value_enum)]
        format: Option<MatrixFormatArg>,
        /// Write to this file (atomically) instead of stdout.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Print a JSON Schema this build uses (`report`, `model`, `config` or `graph`).
    Schema {
        /// Which schema.
        #[arg(value_parser = ["report", "model", "config", "graph"])]
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
    /// Measure evidence ages (`freshness:` in .practrace.yaml) to this date (2026-06-30,
    /// an RFC 3339 time, or `now`) instead of the scanned commit's committer date.
    #[arg(long, value_name = "DATE|now")]
    as_of: Option<String>,
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
    Oscal,
    OscalPlan,
}

impl From<MatrixFormatArg> for MatrixFormat {
    fn from(f: MatrixFormatArg) -> MatrixFormat {
        match f {
            MatrixFormatArg::Html => MatrixFormat::Html,
            MatrixFormatArg::Xlsx => MatrixFormat::Xlsx,
            MatrixFormatArg::Csv => MatrixFormat::Csv,
            MatrixFormatArg::Markdown => MatrixFormat::Markdown,
            MatrixFormatArg::Json => MatrixFormat::Json,
            MatrixFormatArg::Oscal => MatrixFormat::Oscal,
            MatrixFormatArg::OscalPlan => MatrixFormat::OscalPlan,
        }
    }
}

/// The flags of `practrace graph`.
#[derive(Args)]
struct GraphArgs {
    #[command(flatten)]
    scan: Common,
    /// Output format. Default: from the extension of -o FILE (.dot/.gv, .mmd/.mermaid,
    /// .json), else dot.
    #[arg(long, value_enum)]
    format: Option<GraphFormatArg>,
    /// Expand this process area (e.g. PA05): its practices, their files and commits.
    #[arg(long, value_name = "PA")]
    pa: Vec<String>,
    /// Expand this practice (e.g. BP.05.02, GP.2.1.3@PA05), besides any --pa areas.
    #[arg(long, value_name = "ID")]
    practice: Vec<String>,
    /// Expand only evidence files whose path matches this glob (`*` stays within a
    /// folder, `**` crosses folders), and the commits that touched them; alone, it
    /// shows only the practices they are evidence for.
    #[arg(long, value_name = "GLOB")]
    path: Vec<String>,
    /// Write to this file (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphFormatArg {
    /// Graphviz DOT.
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
    /// Nodes and edges as JSON (`practrace schema graph`).
    Json,
}

impl From<GraphFormatArg> for GraphFormat {
    fn from(f: GraphFormatArg) -> GraphFormat {
        match f {
            GraphFormatArg::Dot => GraphFormat::Dot,
            GraphFormatArg::Mermaid => GraphFormat::Mermaid,
            GraphFormatArg::Json => GraphFormat::Json,
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

impl From<CheckFormat> for commands::CheckFormat {
    fn from(f: CheckFormat) -> commands::CheckFormat {
        match f {
            CheckFormat::Text => commands::CheckFormat::Text,
            CheckFormat::Github => commands::CheckFormat::Github,
            CheckFormat::Sarif => commands::CheckFormat::Sarif,
            CheckFormat::Json => commands::CheckFormat::Json,
        }
    }
}

impl From<VerifyFormatArg> for commands::VerifyFormat {
    fn from(f: VerifyFormatArg) -> commands::VerifyFormat {
        match f {
            VerifyFormatArg::Text => commands::VerifyFormat::Text,
            VerifyFormatArg::Json => commands::VerifyFormat::Json,
        }
    }
}

impl From<Common> for ScanFlags {
    fn from(c: Common) -> ScanFlags {
        ScanFlags {
            repo: c.repo,
            rev: c.rev,
            model: c.model,
            max_file_size: c.max_file_size,
            max_front_matter: c.max_front_matter,
            max_message_size: c.max_message_size,
            max_ids: c.max_ids,
            no_cache: c.no_cache,
            as_of: c.as_of,
        }
    }
}

impl From<GraphArgs> for commands::Graph {
    fn from(g: GraphArgs) -> commands::Graph {
        commands::Graph {
            scan: g.scan.into(),
            format: g.format.map(Into::into),
            filter: Filter {
                pa: g.pa,
                practice: g.practice,
                path: g.path,
            },
            output: g.output,
        }
    }
}

impl From<Gate> for commands::Check {
    fn from(g: Gate) -> commands::Check {
        commands::Check {
            scan: g.common.into(),
            base: g.base,
            deny_warnings: g.deny.is_some(),
            full_scan: g.full_scan,
        }
    }
}

/// Runs one command with the process's standard streams.
fn run(command: Command) -> Result<Outcome, CommandError> {
    let (mut stdout, mut stderr) = (std::io::stdout().lock(), std::io::stderr());
    let mut io = Io {
        out_is_terminal: stdout.is_terminal(),
        out: &mut stdout,
        err: &mut stderr,
        exiting: true,
    };
    let io = &mut io;
    match command {
        Command::Status { common, format } => commands::status(&common.into(), format.into(), io),
        Command::Gaps {
            common,
            format,
            level,
            pa,
        } => commands::gaps(&common.into(), format.into(), level, pa.as_deref(), io),
        Command::Trace {
            target,
            common,
            format,
        } => commands::trace(&common.into(), &target, format.into(), io),
        Command::Check {
            gate,
            format,
            baseline,
        } => commands::check(&gate.into(), format.into(), baseline.as_deref(), io),
        Command::Baseline {
            action: BaselineAction::Write { gate, output },
        } => commands::baseline_write(
            &commands::BaselineWrite {
                gate: gate.into(),
                output,
            },
            io,
        ),
        Command::Matrix {
            scan,
            format,
            output,
            timestamp,
        } => commands::matrix(
            &commands::Matrix {
                scan: scan.into(),
                format: format.map(Into::into),
                output,
                generated: timestamp.then(commands::now_rfc3339),
            },
            io,
        ),
        Command::Graph(args) => commands::graph(&args.into(), io),
        Command::Verify {
            report,
            repo,
            rev,
            model,
            format,
        } => commands::verify(
            &report,
            &repo,
            rev.as_deref(),
            model.as_deref(),
            format.into(),
            io,
        ),
        Command::Merge {
            reports,
            format,
            output,
        } => commands::merge(
            &commands::Merge {
                reports,
                format: format.map(Into::into),
                output,
            },
            io,
        ),
        Command::Schema { which } => commands::schema(&which, io),
    }
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "practrace: internal error (this is a bug; please report it with the command you ran): {info}"
        );
    }));
    let cli = Cli::parse();
    match std::panic::catch_unwind(|| run(cli.command)) {
        Ok(Ok(Outcome::Clean)) => ExitCode::SUCCESS,
        Ok(Ok(Outcome::Findings)) => ExitCode::from(1),
        // A reader that stops early (`| head`) is not an error: stop quietly, as ripgrep
        // and git do.
        Ok(Err(e)) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            let message = format!("{:#}", anyhow::Error::from(e));
            eprintln!("practrace: error: {}", commands::terminal_safe(&message));
            ExitCode::from(2)
        }
        Err(_) => ExitCode::from(2),
    }
}
