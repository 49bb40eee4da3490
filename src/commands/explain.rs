//! `list` and `explain`: what the practices of the model mean, and where one stands.

use super::{CommandError, Io, Outcome, ScanFlags, stdout};
use crate::config::Policy;
use crate::explain::text::Listing;
use crate::explain::{self, Subject};
use crate::model::Model;
use crate::pipeline::AnalysisError;
use crate::report::Render;
use crate::report::text::Format;
use crate::source::SourceError;
use crate::source::git::GitSource;

/// `practrace list`: the practices, with their area, level, common feature and scope.
pub fn list(
    flags: &ScanFlags,
    area: Option<&str>,
    level: Option<u8>,
    format: Format,
    io: &mut Io<'_>,
) -> Result<Outcome, CommandError> {
    let (model, policy) = configured(flags, io)?;
    let area = area
        .map(|text| {
            crate::resolve::resolve_area(&model, text)
                .map(|n| model.area_by_number(n).unwrap_or_default())
                .map_err(|p| CommandError::Usage(format!("--pa {text}: {}", p.message)))
        })
        .transpose()?;
    if let Some(level) = level {
        check_level(&model, level)?;
    }
    let rows = explain::list(&model, &policy.not_applicable, area, level);
    let mut out = Vec::new();
    io.output_format(format)
        .render(&Listing(&rows), &mut out)
        .map_err(stdout)?;
    io.print_report(format, &out)?;
    Ok(Outcome::Clean)
}

/// `practrace explain`: one practice, generic practice or process area — what the model
/// says of it, its scope, its evidence now and what is missing.
pub fn explain(
    flags: &ScanFlags,
    id: &str,
    format: Format,
    io: &mut Io<'_>,
) -> Result<Outcome, CommandError> {
    let mut progress = io.progress("scanning the repository");
    let analysis = flags.analyze();
    progress.finish();
    let analysis = match analysis {
        Ok(analysis) => Some(analysis),
        Err(CommandError::Analysis(AnalysisError::Source(e @ SourceError::Open { .. }))) => {
            outside_repository(&e, io);
            None
        }
        Err(e) => return Err(e),
    };
    let (model, policy) = match &analysis {
        Some(a) => (a.model.clone(), a.policy.clone()),
        None => model_alone(flags)?,
    };
    let subject = Subject::parse(&model, id).map_err(|p| {
        CommandError::Usage(match p.suggestion {
            Some(s) => format!("{} (did you mean {s}?)", p.message),
            None => p.message,
        })
    })?;
    let report = analysis.as_ref().map(|a| &a.report);
    let explanation = explain::explain(&model, &policy.not_applicable, report, subject);
    let mut out = Vec::new();
    io.output_format(format)
        .render(&explanation, &mut out)
        .map_err(stdout)?;
    if let Some(a) = analysis {
        io.release(a);
    }
    io.print_report(format, &out)?;
    Ok(Outcome::Clean)
}

/// The model and the checked configuration of the repository, without a scan; outside a
/// repository, the model alone (`--model`, else the built-in one) with everything in scope.
pub(super) fn configured(
    flags: &ScanFlags,
    io: &mut Io<'_>,
) -> Result<(Model, Policy), CommandError> {
    let request = flags.request()?;
    match GitSource::open(&request.repo, request.rev.as_deref()) {
        Ok(source) => {
            let c = crate::pipeline::configure(&source, &request)?;
            Ok((c.model, c.policy))
        }
        Err(e @ SourceError::Open { .. }) => {
            outside_repository(&e, io);
            model_alone(flags)
        }
        Err(e) => Err(e.into()),
    }
}

/// `--model`, else the built-in model, with the default policy.
fn model_alone(flags: &ScanFlags) -> Result<(Model, Policy), CommandError> {
    let model = match &flags.model {
        Some(path) => Model::from_path(path)?,
        None => Model::builtin(),
    };
    let policy = Policy::defaults(&model);
    Ok((model, policy))
}

/// A note that there is no repository: the model alone is shown.
fn outside_repository(e: &SourceError, io: &mut Io<'_>) {
    if !crate::diag::quiet() {
        io.print_err(&format!(
            "practrace: note: {e}; showing the model alone (no configuration, no evidence)\n"
        ));
    }
}

/// An error unless `level` is a capability level of `model`.
fn check_level(model: &Model, level: u8) -> Result<(), CommandError> {
    let top = model.levels.len();
    if (1..=top).contains(&usize::from(level)) {
        Ok(())
    } else {
        Err(CommandError::Usage(format!(
            "--level {level}: {} has capability levels 1 to {top}",
            model.id
        )))
    }
}
