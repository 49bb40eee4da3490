//! `matrix`, `verify` and `schema`: what goes to an auditor, and back.

use std::path::{Path, PathBuf};

use super::{CommandError, Io, Outcome, ScanFlags, write_atomically_with};
use crate::matrix::MatrixFormat;
use crate::report::Render;
use crate::source::git::GitSource;

/// `practrace matrix`: what to scan, and where and how to write the matrix.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// What to scan.
    pub scan: ScanFlags,
    /// The format; `None`: from the extension of `output`, else HTML.
    pub format: Option<MatrixFormat>,
    /// `-o FILE`: write there (atomically) instead of to standard output.
    pub output: Option<PathBuf>,
    /// `--timestamp`: the time it was made, RFC 3339, when the matrix is to carry it.
    pub generated: Option<String>,
}

/// Writes the evidence matrix: computed first (the analysis, then its stamp from the
/// history), then rendered.
pub fn matrix(what: &Matrix, io: &mut Io<'_>) -> Result<Outcome, CommandError> {
    let format = matrix_format(what.format, what.output.as_deref())?;
    if format == MatrixFormat::Xlsx && what.output.is_none() && io.out_is_terminal {
        return Err(CommandError::Usage(
            "XLSX is binary: write it to a file with -o FILE, or redirect stdout".into(),
        ));
    }
    let mut progress = io.progress("scanning the repository");
    let request = what.scan.request()?;
    if format == MatrixFormat::Json
        && let Some(derived) =
            crate::incremental::derive_matrix_json(&request, what.generated.clone())?
    {
        let write = |out: &mut dyn std::io::Write| -> Result<(), CommandError> {
            derived
                .write(out)
                .map_err(CommandError::io("writing the matrix"))
        };
        match &what.output {
            Some(path) => write_atomically_with(path, write)?,
            None => {
                progress.finish();
                io.stream(write)?;
            }
        }
        progress.finish();
        return Ok(Outcome::from_errors(derived.has_errors()));
    }
    let source = GitSource::open(&request.repo, request.rev.as_deref())?;
    let mut analysis = crate::pipeline::analyze_source(&source, &request)?;
    let errors = analysis.report.has_errors();
    // A JSON matrix is remembered practice by practice, for a later run on a descendant.
    let mut remember = (format == MatrixFormat::Json)
        .then(|| crate::incremental::matrix_writer(&analysis, &request))
        .flatten();
    analysis.release_scan();
    progress.set_message("finding the last commit of each evidence file");
    let name = super::paths::repository_name(&source);
    crate::matrix::stamp(&mut analysis, &source.repo()?, what.generated.clone(), name)?;
    crate::memory::release_freed();
    progress.set_message("writing the matrix");
    // Written as it is rendered (to a temporary file renamed into place, or to stdout),
    // never held whole in memory: a large repository's matrix is tens of megabytes.
    let render = |out: &mut dyn std::io::Write| -> Result<(), CommandError> {
        match format {
            MatrixFormat::Json => {
                crate::incremental::write_matrix_json(&analysis, remember.take(), out)
                    .map_err(CommandError::io("writing the matrix"))?
            }
            _ => format.render(&analysis, out)?,
        }
        Ok(())
    };
    match (format, &what.output) {
        // Results written to a file get their plan beside them, written first, so that the
        // results never point at a plan that is not there.
        (MatrixFormat::Oscal, Some(path)) => {
            let (plan_path, href) = crate::matrix::oscal::plan_beside(path);
            write_atomically_with(&plan_path, |out| {
                crate::matrix::oscal::write_plan(&analysis.report, out)
                    .map_err(CommandError::io("writing the OSCAL plan"))
            })?;
            write_atomically_with(path, |out| {
                crate::matrix::oscal::write_results(&analysis.report, &href, out)
                    .map_err(CommandError::io("writing the OSCAL results"))
            })?;
        }
        (_, Some(path)) => write_atomically_with(path, render)?,
        (_, None) => {
            progress.finish();
            io.stream(render)?;
        }
    }
    progress.finish();
    Ok(Outcome::from_errors(errors))
}

/// The format a matrix is written in: `--format` when given, else the one the extension
/// of `-o FILE` names, else HTML. Both given and different is an error (a `.xlsx` file
/// holding HTML helps nobody). `merge` writes the same formats.
pub(super) fn matrix_format(
    given: Option<MatrixFormat>,
    output: Option<&Path>,
) -> Result<MatrixFormat, CommandError> {
    let by_extension = |ext: &str| {
        Some(match ext {
            "html" | "htm" => MatrixFormat::Html,
            "xlsx" => MatrixFormat::Xlsx,
            "csv" => MatrixFormat::Csv,
            "md" | "markdown" => MatrixFormat::Markdown,
            "json" => MatrixFormat::Json,
            _ => return None,
        })
    };
    // OSCAL documents are JSON files.
    let agree = |f: MatrixFormat, e: MatrixFormat| {
        f == e
            || (e == MatrixFormat::Json
                && matches!(f, MatrixFormat::Oscal | MatrixFormat::OscalPlan))
    };
    super::chosen_format(
        given,
        output,
        by_extension,
        agree,
        MatrixFormat::name,
        MatrixFormat::Html,
    )
}

/// An output format of `practrace verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyFormat {
    /// One line per change, and a verdict.
    Text,
    /// The verification as JSON.
    Json,
}

/// `practrace verify`: re-checks an earlier JSON report against the repository at `rev`
/// (default: the working tree).
pub fn verify(
    report: &Path,
    repo: &Path,
    rev: Option<&str>,
    model: Option<&Path>,
    format: VerifyFormat,
    io: &mut Io<'_>,
) -> Result<Outcome, CommandError> {
    let model = model.map(crate::model::Model::from_path).transpose()?;
    let mut progress = io.progress("checking the report against the repository");
    let outcome = crate::verify::verify_file(report, repo, rev, model.as_ref())?;
    progress.finish();
    let text = match format {
        VerifyFormat::Json => {
            let mut s =
                serde_json::to_string_pretty(&outcome).map_err(|source| CommandError::Json {
                    what: "writing the verification as JSON".into(),
                    source,
                })?;
            s.push('\n');
            s
        }
        VerifyFormat::Text => outcome.to_text(),
    };
    match format {
        VerifyFormat::Json => io.print(text.as_bytes())?,
        VerifyFormat::Text => io.print_human(text.as_bytes())?,
    }
    Ok(Outcome::from_errors(!outcome.is_clean()))
}

/// `practrace schema`: a JSON Schema this build uses (`report`, `model`, `config`,
/// `graph` or `history`).
pub fn schema(which: &str, io: &mut Io<'_>) -> Result<Outcome, CommandError> {
    let text = match which {
        "model" => crate::report::model_schema(),
        "config" => crate::report::config_schema(),
        "graph" => crate::graph_export::graph_schema(),
        "history" => crate::history::history_schema(),
        _ => crate::report::report_schema(),
    };
    io.print(text.as_bytes())?;
    Ok(Outcome::Clean)
}

/// The current time, UTC, RFC 3339 (for `matrix --timestamp`).
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    crate::extract::commit::rfc3339(i64::try_from(secs).unwrap_or(0), 0)
}
