//! `history`: the rating over time, at period ends or at revisions given.

use std::path::{Path, PathBuf};

use super::{CommandError, Io, Outcome, ScanFlags, write_atomically};
use crate::history::{Every, HistoryFormat, Selection, parse_date};
use crate::report::Render;

/// `practrace history`: what to scan, which points, and where and how to write them.
#[derive(Debug, Clone)]
pub struct History {
    /// What to scan; `rev` is the tip the history is walked back from (default `HEAD`).
    pub scan: ScanFlags,
    /// `--every` (default: month).
    pub every: Option<Every>,
    /// `--since`, as given.
    pub since: Option<String>,
    /// `--until`, as given.
    pub until: Option<String>,
    /// `--revs`: explicit points instead of periods.
    pub revs: Vec<String>,
    /// The format; `None`: from the extension of `output`, else a table.
    pub format: Option<HistoryFormat>,
    /// `-o FILE`: write there (atomically) instead of to standard output.
    pub output: Option<PathBuf>,
}

impl History {
    /// The points asked for: `--revs`, or periods (`--every`, `--since`, `--until`); the two
    /// do not mix.
    pub fn selection(&self) -> Result<Selection, CommandError> {
        let usage = |e: crate::history::HistoryError| CommandError::Usage(e.to_string());
        if !self.revs.is_empty() {
            if self.every.is_some() || self.since.is_some() || self.until.is_some() {
                return Err(CommandError::Usage(
                    "--revs names the points itself: drop --every, --since and --until, or --revs"
                        .into(),
                ));
            }
            return Ok(Selection::Revs(self.revs.clone()));
        }
        let since = self.since.as_deref();
        let until = self.until.as_deref();
        Ok(Selection::Periods {
            every: self.every.unwrap_or(Every::Month),
            since: since
                .map(|t| parse_date("--since", t, false))
                .transpose()
                .map_err(usage)?,
            until: until
                .map(|t| parse_date("--until", t, true))
                .transpose()
                .map_err(usage)?,
        })
    }
}

/// Writes the history: every point rated first (oldest first, each derived from the one
/// before when it can be), then rendered. Exit 0 once written: error diagnostics at a
/// point are counted, not judged (`status` and `check` judge).
pub fn history(what: &History, io: &mut Io<'_>) -> Result<Outcome, CommandError> {
    let format = history_format(what.format, what.output.as_deref())?;
    let selection = what.selection()?;
    let request = what.scan.request()?;
    let history = crate::history::history(&request, &selection)?;
    let mut bytes = Vec::new();
    match (format, &what.output) {
        // For a terminal: its colours and width.
        (HistoryFormat::Table, None) => {
            bytes = crate::history::text::table(&history, io.style()).into_bytes();
        }
        _ => format.render(&history, &mut bytes)?,
    }
    match &what.output {
        Some(path) => write_atomically(path, &bytes)?,
        None if format == HistoryFormat::Table => io.print_human(&bytes)?,
        None => io.print(&bytes)?,
    }
    Ok(Outcome::Clean)
}

/// The format: `--format` when given, else the one the extension of `-o FILE` names
/// (`.html`, `.json`, `.csv`, `.txt`), else a table. Both given and different is an error.
fn history_format(
    given: Option<HistoryFormat>,
    output: Option<&Path>,
) -> Result<HistoryFormat, CommandError> {
    let by_extension = |ext: &str| {
        Some(match ext {
            "html" | "htm" => HistoryFormat::Html,
            "json" => HistoryFormat::Json,
            "csv" => HistoryFormat::Csv,
            "txt" => HistoryFormat::Table,
            _ => return None,
        })
    };
    let agree = |f, e| f == e;
    let name = HistoryFormat::name;
    super::chosen_format(
        given,
        output,
        by_extension,
        agree,
        name,
        HistoryFormat::Table,
    )
}
