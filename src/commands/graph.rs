//! `graph`: the evidence graph as Graphviz DOT, Mermaid or JSON.

use std::path::{Path, PathBuf};

use super::{CommandError, Io, Outcome, ScanFlags, write_atomically};
use crate::graph_export::{self, Filter, GraphFormat, Selection};
use crate::report::Render;
use crate::source::git::GitSource;

/// `practrace graph`: what to scan, what to show of it, and where to write it.
#[derive(Debug, Clone)]
pub struct Graph {
    /// What to scan.
    pub scan: ScanFlags,
    /// The format; `None`: from the extension of `output`, else DOT.
    pub format: Option<GraphFormat>,
    /// `--pa`, `--practice`, `--path`: empty for the overview (areas and practices only).
    pub filter: Filter,
    /// `-o FILE`: write there (atomically) instead of to standard output.
    pub output: Option<PathBuf>,
}

/// Writes the evidence graph. Filtered, it diffs the tree of each evidence commit shown
/// (for the commit → file `touched` edges); the overview reads no commit's tree.
pub fn graph(what: &Graph, io: &mut Io<'_>) -> Result<Outcome, CommandError> {
    let format = graph_format(what.format, what.output.as_deref())?;
    let mut progress = io.progress("scanning the repository");
    let analysis = what.scan.analyze()?;
    let errors = analysis.report.has_errors();
    progress.set_message("reading what each evidence commit changed");
    let selection = Selection::new(&analysis.model, &what.filter)
        .map_err(|e| CommandError::Usage(e.to_string()))?;
    let graph = if selection.expands() {
        let repo = GitSource::open(&what.scan.repo, what.scan.rev.as_deref())?.repo()?;
        graph_export::build(&analysis.report, &selection, &mut |commit| {
            repo.changed_paths(commit)
        })
    } else {
        graph_export::build(&analysis.report, &selection, &mut |_| Vec::new())
    };
    progress.finish();
    io.release(analysis);
    let mut bytes = Vec::new();
    format
        .render(&graph, &mut bytes)
        .map_err(CommandError::io("rendering the graph"))?;
    if format == GraphFormat::Mermaid
        && let Some(note) =
            graph_export::mermaid::over_limits(&graph, &String::from_utf8_lossy(&bytes))
    {
        io.print_err(&format!("practrace: note: {note}\n"));
    }
    match &what.output {
        Some(path) => write_atomically(path, &bytes)?,
        None => io.print(&bytes)?,
    }
    Ok(Outcome::from_errors(errors))
}

/// `--format` when given, else the one the extension of `-o FILE` names, else DOT; both
/// given and different is an error.
fn graph_format(
    given: Option<GraphFormat>,
    output: Option<&Path>,
) -> Result<GraphFormat, CommandError> {
    let agree = |f, e| f == e;
    let (by_extension, name) = (GraphFormat::from_extension, GraphFormat::name);
    super::chosen_format(given, output, by_extension, agree, name, GraphFormat::Dot)
}
