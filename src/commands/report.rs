//! `status`, `gaps` and `trace`: the report, read three ways.

use std::path::Path;

use super::{AfterProgress, CommandError, Io, Outcome, ScanFlags, stdout};
use crate::graph::Node;
use crate::pipeline::Analysis;
use crate::report::EvidenceReport;
use crate::report::Render;
use crate::report::practice::PracticeInfo;
use crate::report::text::{self, Format, Gaps, Status, Trace};
use crate::source::Source;
use crate::source::git::GitSource;

/// `practrace status`: per process area, the level achieved, the target, evidence counts
/// and gaps in short; as JSON, the whole report. A table leaves the diagnostics, and their
/// count after them, to standard error.
pub fn status(flags: &ScanFlags, format: Format, io: &mut Io<'_>) -> Result<Outcome, CommandError> {
    let mut progress = io.progress("scanning the repository");
    if format == Format::Json {
        return status_json(flags, io, &mut progress);
    }
    let request = flags.request()?;
    let source = GitSource::open(&request.repo, request.rev.as_deref())?;
    let analysis = crate::pipeline::analyze_source(&source, &request)?;
    let repository = super::paths::repository_name(&source);
    let errors = analysis.report.has_errors();
    let mut out = Vec::new();
    let status = Status {
        report: &analysis.report,
        repository: &repository,
    };
    io.output_format(format)
        .render(&status, &mut out)
        .map_err(stdout)?;
    let err = match format {
        Format::Table => text::diagnostics(&analysis.report.diagnostics, &io.err_style),
        _ => String::new(),
    };
    progress.finish();
    io.release(analysis);
    io.print_human(&out)?;
    io.print_err(&err);
    Ok(Outcome::from_errors(errors))
}

/// `status --format json`: the largest output, streamed (not built as one string) to
/// standard output, or into `-o FILE`; at a revision, from the remembered report of an
/// ancestor when the cache has one.
fn status_json(
    flags: &ScanFlags,
    io: &mut Io<'_>,
    progress: &mut crate::term::Progress,
) -> Result<Outcome, CommandError> {
    let request = flags.request()?;
    let done = match io.output.clone() {
        Some(path) => {
            let mut bytes = Vec::new();
            let done = crate::incremental::status_json(&request, &mut bytes)?;
            progress.finish();
            super::write_atomically(&path, &bytes)?;
            done
        }
        None => {
            let mut out = AfterProgress {
                progress,
                out: &mut *io.out,
            };
            crate::incremental::status_json(&request, &mut out)?
        }
    };
    progress.finish();
    let errors = done.errors;
    io.release(done.analysis);
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
    let mut progress = io.progress("scanning the repository");
    let analysis = flags.analyze()?;
    progress.finish();
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
    io.output_format(format)
        .render(&gaps, &mut out)
        .map_err(stdout)?;
    io.release(analysis);
    io.print_report(format, &out)?;
    Ok(Outcome::from_errors(errors))
}

/// `practrace trace`: everything linked to one practice id, file path or commit. A path is
/// taken relative to `cwd` (the current folder, or `-C DIR`) or absolute, and else as a path
/// from the repository's root.
pub fn trace(
    flags: &ScanFlags,
    target: &str,
    cwd: &Path,
    format: Format,
    io: &mut Io<'_>,
) -> Result<Outcome, CommandError> {
    let mut progress = io.progress("scanning the repository");
    let mut analysis = flags.analyze()?;
    let errors = analysis.report.has_errors();
    progress.set_message("linking the history");
    let found = find(&mut analysis, flags, target, cwd)?;
    progress.finish();
    let mut out = Vec::new();
    io.output_format(format)
        .render(&found, &mut out)
        .map_err(stdout)?;
    io.print_report(format, &out)?;
    Ok(Outcome::from_errors(errors))
}

/// What `trace` shows for its target: a practice's evidence, the commits touching a file,
/// or the files a commit touched.
fn find(
    analysis: &mut Analysis,
    flags: &ScanFlags,
    target: &str,
    cwd: &Path,
) -> Result<Trace, CommandError> {
    if let Ok(found) = crate::resolve::resolve(&analysis.model, target, &[])
        && let [p] = found[..]
    {
        let practice = &analysis.report.practices[p];
        return Ok(Trace {
            target: practice.id.clone(),
            kind: "practice".into(),
            process_area: Some(practice.process_area.clone()),
            practices: Vec::new(),
            practice_details: vec![details(analysis, p)],
            evidence: practice.evidence.clone(),
        });
    }
    let source = GitSource::open(&flags.repo, flags.rev.as_deref())?;
    let repo = source.repo()?;
    crate::pipeline::link_touched(analysis, &repo);
    let typed = source
        .work_dir()
        .and_then(|root| super::paths::in_repository(root, cwd, Path::new(target)));
    let as_written = target.trim_start_matches("./");
    let scan = &analysis.scan;
    let file = typed
        .iter()
        .map(String::as_str)
        .chain([as_written])
        .find_map(|wanted| scan.files.iter().position(|f| f.path == wanted));
    if let Some(f) = file {
        let practices = analysis.graph.practices_of(Node::Artifact(f));
        let evidence = analysis.graph.commits_touching(f).into_iter();
        return Ok(Trace {
            target: scan.files[f].path.clone(),
            kind: "file".into(),
            process_area: None,
            practices: practices
                .iter()
                .map(|&p| analysis.model.practices[p].id.clone())
                .collect(),
            practice_details: practices.iter().map(|&p| details(analysis, p)).collect(),
            evidence: evidence
                .map(|c| EvidenceReport::commit(&scan.commits[c]))
                .collect(),
        });
    }
    let Some(commit) = repo.resolve_commit(target) else {
        return Err(not_found(&analysis.model, target));
    };
    Ok(commit_trace(analysis, commit.to_string()))
}

/// What the model and the configuration say of practice `p`.
fn details(analysis: &Analysis, p: usize) -> PracticeInfo {
    PracticeInfo::of(&analysis.model, &analysis.policy.not_applicable, p)
}

/// The trace of commit `id`: the practices its trailers name and the evidence files it
/// touched (none of either when it is not evidence).
fn commit_trace(analysis: &Analysis, id: String) -> Trace {
    let scan = &analysis.scan;
    let mut trace = Trace {
        target: id.clone(),
        kind: "commit".into(),
        process_area: None,
        practices: Vec::new(),
        practice_details: Vec::new(),
        evidence: Vec::new(),
    };
    if let Some(c) = scan.commits.iter().position(|c| c.id == id) {
        let practices = analysis.graph.practices_of(Node::Commit(c));
        trace.practices = practices
            .iter()
            .map(|&p| analysis.model.practices[p].id.clone())
            .collect();
        trace.practice_details = practices.iter().map(|&p| details(analysis, p)).collect();
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
    trace
}

/// Why `target` was not found: what is wrong with it as a practice id when it is written
/// like one (a generic practice with no area, an id the model lacks, a process area), else
/// that it is none of the three things `trace` takes.
fn not_found(model: &crate::model::Model, target: &str) -> CommandError {
    use crate::model::id::{ParsedId, area_id, parse};
    let message = match parse(target) {
        Ok(ParsedId::Generic {
            level,
            feature,
            n,
            area: None,
        }) if model
            .generic_practices
            .iter()
            .any(|g| g.id == crate::model::id::generic_id(level, feature, n)) =>
        {
            let gp = crate::model::id::generic_id(level, feature, n);
            let example = model.process_areas.first().map_or("PA01", |a| &a.id);
            format!(
                "{gp} is a generic practice of every process area: trace it for one, adding @PAxx \
                 (`practrace trace {gp}@{example}`); `practrace explain {gp}` shows which areas have it"
            )
        }
        Ok(ParsedId::ProcessArea { area }) => format!(
            "{} is a process area, not a practice: `practrace explain {0}` shows its practices, \
             `practrace gaps --pa {0}` what it lacks",
            area_id(area)
        ),
        Ok(_) => match crate::resolve::resolve(model, target, &[]) {
            Err(problem) => match problem.suggestion {
                Some(s) => format!("{} (did you mean {s}?)", problem.message),
                None => problem.message,
            },
            Ok(_) => format!("{target:?} is not a practice id, a file with evidence, or a commit"),
        },
        Err(()) => format!("{target:?} is not a practice id, a file with evidence, or a commit"),
    };
    CommandError::Usage(message)
}
