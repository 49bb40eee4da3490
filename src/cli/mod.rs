//! The command line's flags and subcommands (clap), turned into the library's settings
//! (`convert`). `main.rs` parses them and runs one command.

mod convert;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use practrace::config::ScanOptions;

/// Evidence-linking traceability for process models (SSE-CMM, ISO/IEC 21827:2002).
#[derive(Parser)]
#[command(name = "practrace", version, about)]
pub(crate) struct Cli {
    /// Run as if practrace was started in DIR (as `git -C`): the repository, and every
    /// relative path on the command line, are taken from there.
    #[arg(short = 'C', value_name = "DIR")]
    pub(crate) dir: Option<PathBuf>,
    /// No notes on stderr (errors, and the findings a command reports, still print).
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Start here: write a .practrace.yaml that adopts today's state (and a CI workflow).
    ///
    /// The configuration is commented: each area's target is the level it has reached
    /// today, the others are tracked only, vendored folders without evidence are ignored,
    /// and the tags found are counted. With --ci, the CI workflow too. Never replaces a
    /// file (exit 2, naming it).
    Init {
        /// The repository (default: the one around the current folder); the files go to
        /// its root.
        #[arg(long, default_value = ".")]
        repo: PathBuf,
        /// Also write the CI workflow: .github/workflows/practrace.yml (github), or
        /// .gitlab/practrace.yml to include from .gitlab-ci.yml (gitlab).
        #[arg(long, value_enum)]
        ci: Option<CiArg>,
        /// Print the files instead of writing them.
        #[arg(long)]
        dry_run: bool,
        /// Do not read or write the cache (in $XDG_CACHE_HOME/practrace); same output.
        #[arg(long)]
        no_cache: bool,
    },
    /// Start a work product for a practice (Markdown, tagged in its front matter).
    ///
    /// Its front matter makes it evidence for the practice; its headings come from the
    /// model (the area's goals, the practice's title and description). Never replaces a
    /// file (exit 2).
    New {
        /// The practice (BP.05.02, or GP.2.1.1@PA05 for a generic practice).
        id: String,
        /// The file to create, relative to the current folder; `-` prints it instead.
        path: PathBuf,
        #[command(flatten)]
        model: ModelArgs,
    },
    /// The practices of the model, with their area, level, common feature and scope.
    ///
    /// Without --pa, each generic practice once; with --pa, the area's base practices and
    /// its generic practices applied to it. Scope is from the configuration: not-applicable
    /// practices show the reason.
    List {
        /// Only this process area (e.g. PA05), its generic practices applied to it.
        #[arg(long)]
        pa: Option<String>,
        /// Only the practices of this capability level.
        #[arg(long)]
        level: Option<u8>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = FormatArg::Table)]
        format: FormatArg,
        #[command(flatten)]
        model: ModelArgs,
    },
    /// What a practice or process area means, its evidence now and what is missing.
    ///
    /// Takes a practice (BP.05.02, GP.2.1.1@PA05), a generic practice of every area
    /// (GP.2.1.1) or a process area (PA05).
    Explain {
        /// The practice, generic practice or process area.
        id: String,
        #[command(flatten)]
        common: Common,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
        format: ExplainFormat,
    },
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
        /// A practice id (BP.05.02, GP.2.1.3@PA05), a path (relative to the current folder,
        /// or absolute, inside the repository), or a commit.
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
    /// Print a completion script for a shell.
    ///
    /// E.g. `practrace completions bash >
    /// ~/.local/share/bash-completion/completions/practrace`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: ShellArg,
    },
    /// Print the manual page (roff): `practrace man > practrace.1`.
    Man,
    /// Print a JSON Schema this build uses (`report`, `model` or `config`).
    Schema {
        /// Which schema.
        #[arg(value_parser = ["report", "model", "config"])]
        which: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum BaselineAction {
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
pub(crate) struct Gate {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Compare with this revision (e.g. origin/main): evidence lost and added, levels
    /// lowered and raised, diagnostics introduced.
    #[arg(long)]
    pub(crate) base: Option<String>,
    /// Make warnings fail the check too (`--deny warnings`).
    #[arg(long, value_parser = ["warnings"])]
    pub(crate) deny: Option<String>,
    /// With --base: scan both revisions in full, instead of deriving head from base and the
    /// changes between them (slower; the same result).
    #[arg(long)]
    pub(crate) full_scan: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CheckFormat {
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
pub(crate) struct Common {
    /// The repository (default: the one around the current folder).
    #[arg(long, default_value = ".")]
    pub(crate) repo: PathBuf,
    /// Scan this revision from the object database instead of the working tree.
    #[arg(long)]
    pub(crate) rev: Option<String>,
    /// A model file (JSON or YAML) instead of the built-in SSE-CMM.
    #[arg(long)]
    pub(crate) model: Option<PathBuf>,
    /// Files larger than this many bytes are skipped, with a note (default: the
    /// configuration's `max_file_size`, else 1 MiB).
    #[arg(long)]
    pub(crate) max_file_size: Option<u64>,
    /// Front matter larger than this many bytes is not read (with a warning).
    #[arg(long, default_value_t = ScanOptions::default().max_front_matter)]
    pub(crate) max_front_matter: usize,
    /// Commit messages larger than this many bytes are not read (with a note).
    #[arg(long, default_value_t = ScanOptions::default().max_message_size)]
    pub(crate) max_message_size: usize,
    /// At most this many ids are read from one file or message (with a warning).
    #[arg(long, default_value_t = ScanOptions::default().max_ids)]
    pub(crate) max_ids: usize,
    /// Do not read or write the cache (in $XDG_CACHE_HOME/practrace); same output.
    #[arg(long)]
    pub(crate) no_cache: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FormatArg {
    Table,
    Json,
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum MatrixFormatArg {
    Html,
    Xlsx,
    Csv,
    Markdown,
    Json,
    Oscal,
    OscalPlan,
}

/// The repository and the model, for commands that read the configuration but scan
/// nothing.
#[derive(Args)]
pub(crate) struct ModelArgs {
    /// The repository (default: the one around the current folder).
    #[arg(long, default_value = ".")]
    pub(crate) repo: PathBuf,
    /// A model file (JSON or YAML) instead of the configuration's or the built-in SSE-CMM.
    #[arg(long)]
    pub(crate) model: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum VerifyFormatArg {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExplainFormat {
    /// Text for people.
    Text,
    /// JSON.
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CiArg {
    /// GitHub Actions.
    Github,
    /// GitLab CI.
    Gitlab,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ShellArg {
    Bash,
    Zsh,
    Fish,
    Powershell,
}
