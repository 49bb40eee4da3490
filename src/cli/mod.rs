//! The command line's flags and subcommands (clap), turned into the library's settings
//! (`convert`). `main.rs` parses them and runs one command.

mod convert;

pub(crate) use convert::merge;

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
    /// Colour: `auto` on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it);
    /// `always` also into pipes and files (`| less -R`); `never`.
    #[arg(long, value_enum, global = true, value_name = "WHEN", default_value_t = ColorArg::Auto)]
    pub(crate) color: ColorArg,
    /// Fit tables to this many columns, as on a terminal that wide (for tests: a pipe
    /// otherwise gets every cell whole).
    #[arg(long, global = true, hide = true, value_name = "COLUMNS")]
    pub(crate) term_width: Option<u16>,
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
        #[command(flatten)]
        output: ReportOutput,
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
        #[command(flatten)]
        output: ReportOutput,
    },
    /// Per process area: achieved level, target, evidence counts, gaps in short.
    Status {
        #[command(flatten)]
        common: Common,
        /// Output format.
        #[arg(long, value_enum, default_value_t = FormatArg::Table)]
        format: FormatArg,
        #[command(flatten)]
        output: ReportOutput,
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
        #[command(flatten)]
        output: ReportOutput,
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
        #[command(flatten)]
        output: ReportOutput,
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
        #[command(flatten)]
        output: ReportOutput,
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
    /// Capability over time: each area's level and target, and the evidence, at the end of
    /// each week, month or quarter (or at the revisions given).
    ///
    /// A period's point is the last first-parent commit committed at or before the period's
    /// end (`git rev-list --first-parent --before=END -1 TIP`; periods in UTC; the last
    /// period ends at --until). --rev is the tip the history is walked back from (default
    /// HEAD). Without --since, the 12 periods up to --until (default: the tip's committer
    /// date); periods before the first commit have no point. Each point is rated exactly as
    /// `status --rev COMMIT` rates it; points after the first are derived from the one
    /// before (the tree diff and the commits in between), and scanned in full when the
    /// model or the scan options changed, and at every point when `freshness:` is
    /// configured. Exit 0 once written (error diagnostics at a point are counted, not
    /// judged), 2 when it could not run.
    #[command(
        after_help = "Examples:\n  practrace history                                  # the last 12 months, a table\n  practrace history --every quarter --since 2024-01-01 -o history.html\n  practrace history --revs v1.0,v2.0,HEAD --format json"
    )]
    History(HistoryArgs),
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
        #[command(flatten)]
        output: ReportOutput,
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
    /// Print a JSON Schema this build uses (`report`, `model`, `config`, `graph` or
    /// `history`).
    Schema {
        /// Which schema.
        #[arg(value_parser = ["report", "model", "config", "graph", "history"])]
        which: String,
    },
}

/// `-o FILE` of a command that prints a report.
#[derive(Args)]
pub(crate) struct ReportOutput {
    /// Write the report to this file (atomically: a temporary file beside it, then
    /// renamed) instead of stdout: no colour, every cell whole.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

/// `--color`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorArg {
    /// Colour on a terminal, unless the environment says otherwise.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
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
    /// Measure evidence ages (`freshness:` in .practrace.yaml) to this date (2026-06-30,
    /// an RFC 3339 time, or `now`) instead of the scanned commit's committer date.
    #[arg(long, value_name = "DATE|now")]
    pub(crate) as_of: Option<String>,
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

/// The flags of `practrace graph`.
#[derive(Args)]
pub(crate) struct GraphArgs {
    #[command(flatten)]
    pub(crate) scan: Common,
    /// Output format. Default: from the extension of -o FILE (.dot/.gv, .mmd/.mermaid,
    /// .json), else dot.
    #[arg(long, value_enum)]
    pub(crate) format: Option<GraphFormatArg>,
    /// Expand this process area (e.g. PA05): its practices, their files and commits.
    #[arg(long, value_name = "PA")]
    pub(crate) pa: Vec<String>,
    /// Expand this practice (e.g. BP.05.02, GP.2.1.3@PA05), besides any --pa areas.
    #[arg(long, value_name = "ID")]
    pub(crate) practice: Vec<String>,
    /// Expand only evidence files whose path matches this glob (`*` stays within a
    /// folder, `**` crosses folders), and the commits that touched them; alone, it
    /// shows only the practices they are evidence for.
    #[arg(long, value_name = "GLOB")]
    pub(crate) path: Vec<String>,
    /// Write to this file (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum GraphFormatArg {
    /// Graphviz DOT.
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
    /// Nodes and edges as JSON (`practrace schema graph`).
    Json,
}

/// The flags of `practrace history`.
#[derive(Args)]
pub(crate) struct HistoryArgs {
    #[command(flatten)]
    pub(crate) scan: Common,
    /// One point per period (default: month).
    #[arg(long, value_enum, conflicts_with = "revs")]
    pub(crate) every: Option<EveryArg>,
    /// From this date (2024-01-01: its first second, UTC; or an RFC 3339 time). Default:
    /// the 12 periods up to --until.
    #[arg(long, value_name = "DATE", conflicts_with = "revs")]
    pub(crate) since: Option<String>,
    /// Up to this date (2024-06-30: its last second, UTC; or an RFC 3339 time). Default:
    /// the tip's committer date.
    #[arg(long, value_name = "DATE", conflicts_with = "revs")]
    pub(crate) until: Option<String>,
    /// These revisions as the points instead of periods (comma-separated, or the flag
    /// repeated), shown in committer-date order.
    #[arg(long, value_name = "REV,REV…", value_delimiter = ',')]
    pub(crate) revs: Vec<String>,
    /// Output format. Default: from the extension of -o FILE (.html, .json, .csv, .txt),
    /// else table. `json`: `practrace schema history`; `csv`: a row per point and area.
    #[arg(long, value_enum)]
    pub(crate) format: Option<HistoryFormatArg>,
    /// Write to this file (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum EveryArg {
    /// ISO weeks, Monday to Sunday.
    Week,
    /// Calendar months.
    Month,
    /// Calendar quarters.
    Quarter,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum HistoryFormatArg {
    /// A row per point: each area's level as one character, evidence counts; then the
    /// changes of level.
    Table,
    /// The points as JSON.
    Json,
    /// Long form: a row per point and process area.
    Csv,
    /// A self-contained page: levels over time per area, evidence counts over time.
    Html,
}
