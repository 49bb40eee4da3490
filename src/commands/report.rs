//! `status`, `gaps` and `trace`: the report, read three ways.

use super::{CommandError, Io, Outcome, ScanFlags, stdout};
use crate::graph::Node;
use crate::pipeline::Analysis;
use crate::report::EvidenceReport;
use crate::report::Render;
use crate::report::text::{self, Format, Gaps, Trace};
use crate::source::git::GitSource;

/// `practrace status`: per process area, the level achieved, the target, evidence counts
/// and gaps in short; as JSON, the whole report.
pub fn status(flags: &ScanFlags, format: Format, io: &mut Io<'_>) -> Result<Outcome, CommandError> {
    if format == Format::Json {
        // The largest output: streamed, not built as one string; at a revision, from the
        // remembered report of an ancestor when the cache has one.
        let done = crate::incremental::status_json(&flags.request()?, io.out)?;
        io.release(done.analysis);
        return Ok(Outcome::from_errors(done.errors));
    }
    let analysis = flags.analyze()?;
    let errors = analysis.report.has_errors();
    let mut out = Vec::new();
    format.render(&analysis.report, &mut out).map_err(stdout)?;
    let err = match format {
        Format::Table => text::diagnostics(&analysis.report.diagnostics),
        _ => String::new(),
    };
    io.release(analysis);
    io.print_human(&out)?;
    let _ = io.err.write_all(super::terminal_safe(&err).as_bytes());
    Ok(Outcome::from_errors(errors))
}

/// `practrace gaps`: the practices lacking evidence, up to each area's target or `level`,
/// of every area or of `area` alone.
pub fn gaps(
    flags: &ScanFlags,
    format: Format,
    level: Option<u8>,
    area: Option<&str>,
    io: &mut Io<'_>,
) -> Result<Outcome, CommandError> {
    let analysis = flags.analyze()?;
    let errors = analysis.report.has_errors();
    let area = area
        .map(|p| match crate::resolve::resolve_area(&analysis.model, p) {
            Ok(n) => Ok(crate::model::id::area_id(n)),
            Err(problem) => Err(CommandError::Usage(format!(
                "--pa {p}: {}",
                problem.message
            ))),
        })
        .transpose()?;
    if let Some(level) = level {
        let top = analysis.model.levels.len();
        if !(1..=top).contains(&usize::from(level)) {
            return Err(CommandError::Usage(format!(
                "--level {level}: {} has capability levels 1 to {top}",
                analysis.model.id
            )));
        }
    }
    let gaps = Gaps {
        rows: text::gap_rows(&analysis.report, level, area.as_deref()),
        report: &analysis.report,
        area,
    };
    let mut out = Vec::new();
    format.render(&gaps, &mut out).map_err(stdout)?;
    io.release(analysis);
    if format == Format::Json {
        io.print(&out)?;
    } else {
        io.print_human(&out)?;
    }
    Ok(Outcome::from_errors(errors))
}

/// `practrace trace`: everything linked to one practice id, file path or commit.
pub fn trace(
    flags: &ScanFlags,
    target: &str,
    format: Format,
    io: &mut Io<'_>,
) -> Result<Outcome, CommandError> {
    let mut analysis = flags.analyze()?;
    let errors = analysis.report.has_errors();
    let found = find(&mut analysis, flags, target)?;
    let mut out = Vec::new();
    format.render(&found, &mut out).map_err(stdout)?;
    if format == Format::Json {
        io.print(&out)?;
    } else {
        io.print_human(&out)?;
    }
    Ok(Outcome::from_errors(errors))
}

/// What `trace` shows for its target: a practice's evidence, the commits touching a file,
/// or the files a commit touched.
fn find(analysis: &mut Analysis, flags: &ScanFlags, target: &str) -> Result<Trace, CommandError> {
    if let Ok(found) = crate::resolve::resolve(&analysis.model, target, &[])
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
    let repo = GitSource::open(&flags.repo, flags.rev.as_deref())?.repo()?;
    crate::pipeline::link_touched(analysis, &repo);
    let ids = |v: Vec<usize>| -> Vec<String> {
        v.into_iter()
            .map(|p| analysis.model.practices[p].id.clone())
            .collect()
    };
    let scan = &analysis.scan;
    let wanted = target.trim_start_matches("./");
    if let Some(f) = scan.files.iter().position(|f| f.path == wanted) {
        return Ok(Trace {
            target: wanted.to_string(),
            kind: "file".into(),
            process_area: None,
            practices: ids(analysis.graph.practices_of(Node::Artifact(f))),
            evidence: analysis
                .graph
                .commits_touching(f)
                .into_iter()
                .map(|c| EvidenceReport::commit(&scan.commits[c]))
                .collect(),
        });
    }
    let Some(commit) = repo.resolve_commit(target) else {
        return Err(CommandError::Usage(format!(
            "{target:?} is not a practice id, a file with evidence, or a commit"
        )));
    };
    let id = commit.to_string();
    let mut trace = Trace {
        target: id.clone(),
        kind: "commit".into(),
        process_area: None,
        practices: Vec::new(),
        evidence: Vec::new(),
    };
    if let Some(c) = scan.commits.iter().position(|c| c.id == id) {
        trace.practices = ids(analysis.graph.practices_of(Node::Commit(c)));
        trace.evidence = analysis
            .graph
            .artifacts_touched(c)
            .into_iter()
            .filter_map(|f| {
                let f = &scan.files[f];
                f.practices
                    .first()
                    .map(|(_, how)| EvidenceReport::file(f, how))
            })
            .collect();
    }
    Ok(trace)
}
