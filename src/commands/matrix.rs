//! `matrix`, `verify` and `schema`: what goes to an auditor, and back.

use std::path::{Path, PathBuf};

use super::{CommandError, Io, Outcome, ScanFlags, has_errors, write_atomically};
use crate::matrix::MatrixFormat;
use crate::report::Render;
use crate::source::git::GitSource;

/// `practrace matrix`: what to scan, and where and how to write the matrix.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// What to scan.
    pub scan: ScanFlags,
    /// The format.
    pub format: MatrixFormat,
    /// `-o FILE`: write there (atomically) instead of to standard output.
    pub output: Option<PathBuf>,
    /// `--timestamp`: the time it was made, RFC 3339, when the matrix is to carry it.
    pub generated: Option<String>,
}

/// Writes the evidence matrix: computed first (the analysis, then its stamp from the
/// history), then rendered.
pub fn matrix(what: &Matrix, io: &mut Io<'_>) -> Result<Outcome, CommandError> {
    if what.format == MatrixFormat::Xlsx && what.output.is_none() && io.out_is_terminal {
        return Err(CommandError::Usage(
            "XLSX is binary: write it to a file with -o FILE, or redirect stdout".into(),
        ));
    }
    let mut analysis = what.scan.analyze()?;
    let errors = has_errors(&analysis);
    let repo = GitSource::open(&what.scan.repo, what.scan.rev.as_deref())?.repo()?;
    crate::matrix::stamp(&mut analysis, &repo, what.generated.clone())?;
    let mut bytes = Vec::new();
    what.format.render(&analysis, &mut bytes)?;
    match &what.output {
        Some(path) => write_atomically(path, &bytes)?,
        None => {
            io.out
                .write_all(&bytes)
                .and_then(|()| io.out.flush())
                .map_err(CommandError::io("writing to stdout"))?;
        }
    }
    Ok(Outcome::from_errors(errors))
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
    format: VerifyFormat,
    io: &mut Io<'_>,
) -> Result<Outcome, CommandError> {
    let outcome = crate::verify::verify_file(report, repo, rev)?;
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
    io.print(text.as_bytes())?;
    Ok(Outcome::from_errors(!outcome.is_clean()))
}

/// `practrace schema`: a JSON Schema this build uses (`report`, `model` or `config`).
pub fn schema(which: &str, io: &mut Io<'_>) -> Result<Outcome, CommandError> {
    let text = match which {
        "model" => crate::report::model_schema(),
        "config" => crate::report::config_schema(),
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
