//! The parsed command line turned into the library's settings, and `-C DIR` applied to its
//! paths.

use std::path::{Path, PathBuf};

use practrace::commands::{self, ScanFlags};
use practrace::graph_export::{Filter, GraphFormat};
use practrace::matrix::MatrixFormat;
use practrace::onboard::ci::Ci;
use practrace::report::text::Format;

use practrace::term::ColorChoice;

use super::{
    BaselineAction, CheckFormat, CiArg, ColorArg, Command, Common, EveryArg, ExplainFormat,
    FormatArg, Gate, GraphArgs, GraphFormatArg, HistoryArgs, HistoryFormatArg, MatrixFormatArg,
    ModelArgs, VerifyFormatArg,
};
use practrace::history::{Every, HistoryFormat};

impl From<ColorArg> for ColorChoice {
    fn from(c: ColorArg) -> ColorChoice {
        match c {
            ColorArg::Auto => ColorChoice::Auto,
            ColorArg::Always => ColorChoice::Always,
            ColorArg::Never => ColorChoice::Never,
        }
    }
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

impl From<ModelArgs> for ScanFlags {
    fn from(m: ModelArgs) -> ScanFlags {
        ScanFlags {
            model: m.model,
            ..ScanFlags::new(m.repo)
        }
    }
}

impl From<ExplainFormat> for Format {
    fn from(f: ExplainFormat) -> Format {
        match f {
            ExplainFormat::Text => Format::Table,
            ExplainFormat::Json => Format::Json,
        }
    }
}

impl From<CiArg> for Ci {
    fn from(c: CiArg) -> Ci {
        match c {
            CiArg::Github => Ci::Github,
            CiArg::Gitlab => Ci::Gitlab,
        }
    }
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

impl From<HistoryArgs> for commands::History {
    fn from(h: HistoryArgs) -> commands::History {
        commands::History {
            scan: h.scan.into(),
            every: h.every.map(|e| match e {
                EveryArg::Week => Every::Week,
                EveryArg::Month => Every::Month,
                EveryArg::Quarter => Every::Quarter,
            }),
            since: h.since,
            until: h.until,
            revs: h.revs,
            format: h.format.map(|f| match f {
                HistoryFormatArg::Table => HistoryFormat::Table,
                HistoryFormatArg::Json => HistoryFormat::Json,
                HistoryFormatArg::Csv => HistoryFormat::Csv,
                HistoryFormatArg::Html => HistoryFormat::Html,
            }),
            output: h.output,
        }
    }
}

/// The settings of `practrace merge`.
pub(crate) fn merge(
    reports: Vec<PathBuf>,
    format: Option<MatrixFormatArg>,
    output: Option<PathBuf>,
) -> commands::Merge {
    commands::Merge {
        reports,
        format: format.map(Into::into),
        output,
    }
}

/// `path` taken from `dir` when it is relative (`-C DIR`); `.` is `dir` itself.
fn rebase(dir: &Path, path: &mut PathBuf) {
    if path.as_os_str() == "." {
        *path = dir.to_path_buf();
    } else if path.is_relative() {
        *path = dir.join(&*path);
    }
}

fn rebase_all<'a>(dir: &Path, paths: impl IntoIterator<Item = &'a mut PathBuf>) {
    paths.into_iter().for_each(|p| rebase(dir, p));
}

impl Common {
    fn rebase(&mut self, dir: &Path) {
        rebase_all(dir, [&mut self.repo].into_iter().chain(self.model.as_mut()));
    }
}

impl ModelArgs {
    fn rebase(&mut self, dir: &Path) {
        rebase_all(dir, [&mut self.repo].into_iter().chain(self.model.as_mut()));
    }
}

impl Command {
    /// The `-o FILE` of a command that prints a report (`status`, `gaps`, `trace`,
    /// `check`, `list`, `explain`, `verify`), taken out of it: the report goes there
    /// instead of standard output. The commands that write files of their own (`matrix`,
    /// `graph`, `merge`, `baseline write`) keep theirs.
    pub(crate) fn take_output(&mut self) -> Option<PathBuf> {
        match self {
            Command::Status { output, .. }
            | Command::Gaps { output, .. }
            | Command::Trace { output, .. }
            | Command::Check { output, .. }
            | Command::List { output, .. }
            | Command::Explain { output, .. }
            | Command::Verify { output, .. } => output.output.take(),
            _ => None,
        }
    }

    /// Takes every relative path of the command line from `dir` (`-C DIR`), as if
    /// practrace had been started there. A path `new` creates and a path `trace` looks for
    /// are taken from the folder the command is given instead.
    pub(crate) fn rebase(&mut self, dir: &Path) {
        match self {
            Command::Init { repo, .. } => rebase(dir, repo),
            Command::New { model, .. } => model.rebase(dir),
            Command::List { model, output, .. } => {
                model.rebase(dir);
                rebase_all(dir, output.output.as_mut());
            }
            Command::Explain { common, output, .. }
            | Command::Status { common, output, .. }
            | Command::Gaps { common, output, .. }
            | Command::Trace { common, output, .. } => {
                common.rebase(dir);
                rebase_all(dir, output.output.as_mut());
            }
            Command::Matrix { scan: common, .. } => common.rebase(dir),
            Command::Graph(args) => {
                args.scan.rebase(dir);
                rebase_all(dir, args.output.as_mut());
            }
            Command::History(args) => {
                args.scan.rebase(dir);
                rebase_all(dir, args.output.as_mut());
            }
            Command::Merge {
                reports, output, ..
            } => rebase_all(dir, reports.iter_mut().chain(output.as_mut())),
            Command::Check {
                gate,
                baseline,
                output,
                ..
            } => {
                gate.common.rebase(dir);
                rebase_all(dir, baseline.as_mut().into_iter().chain(&mut output.output));
            }
            Command::Baseline {
                action: BaselineAction::Write { gate, output },
            } => {
                gate.common.rebase(dir);
                rebase_all(dir, output.as_mut());
            }
            Command::Verify {
                report,
                repo,
                model,
                output,
                ..
            } => rebase_all(
                dir,
                [report, repo]
                    .into_iter()
                    .chain(model.as_mut())
                    .chain(&mut output.output),
            ),
            Command::Completions { .. } | Command::Man | Command::Schema { .. } => {}
        }
        if let Command::Matrix { output, .. } = self {
            rebase_all(dir, output.as_mut());
        }
    }
}
