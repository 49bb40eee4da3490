//! `merge`: the organisation roll-up of many JSON reports.

use std::path::PathBuf;

use super::{CommandError, Io, Outcome, write_atomically};
use crate::matrix::MatrixFormat;
use crate::report::Render;

/// `practrace merge`: which reports, and where and how to write the roll-up.
#[derive(Debug, Clone)]
pub struct Merge {
    /// Report files, or folders searched for `*.json` reports.
    pub reports: Vec<PathBuf>,
    /// The format; `None`: from the extension of `output`, else HTML.
    pub format: Option<MatrixFormat>,
    /// `-o FILE`: write there (atomically) instead of to standard output.
    pub output: Option<PathBuf>,
}

/// Merges the reports and writes the roll-up. Exit 0 when it is written, whatever the
/// repositories' levels and diagnostics (the roll-up shows them); 2 when a report cannot be
/// read or the reports are of different models.
pub fn merge(what: &Merge, io: &mut Io<'_>) -> Result<Outcome, CommandError> {
    let format = super::matrix::matrix_format(what.format, what.output.as_deref())?;
    if format == MatrixFormat::Xlsx && what.output.is_none() && io.out_is_terminal {
        return Err(CommandError::Usage(
            "XLSX is binary: write it to a file with -o FILE, or redirect stdout".into(),
        ));
    }
    let mut progress = io.progress("reading the reports");
    let rollup = crate::merge::merge(&what.reports)?;
    let mut bytes = Vec::new();
    format.render(&rollup, &mut bytes)?;
    progress.finish();
    io.release(rollup);
    match &what.output {
        Some(path) => write_atomically(path, &bytes)?,
        None => io.print(&bytes)?,
    }
    Ok(Outcome::Clean)
}
