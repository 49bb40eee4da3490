//! The roll-up as RFC 4180 CSV, long form: one row per repository and process area, each
//! carrying its repository's stamp, so that a pivot table (or `grep`) needs nothing else.
//! Totals are not rows: they are sums and means of these. Cells are neutralised against
//! formula injection as in the evidence matrix's CSV.

use super::{AreaState, MergeError, Rollup};
use crate::matrix::neutralise;

/// The columns, in order.
pub const COLUMNS: [&str; 20] = [
    "row",
    "file",
    "repository",
    "revision",
    "commit",
    "commit_date",
    "model",
    "model_digest",
    "config_path",
    "config_blob",
    "tool_version",
    "process_area",
    "process_area_title",
    "state",
    "achieved_level",
    "target_level",
    "base_practices_evidenced",
    "base_practices_in_scope",
    "errors",
    "duplicate",
];

/// The word for a state, as the JSON spells it.
fn state(s: AreaState) -> &'static str {
    match s {
        AreaState::Meets => "meets",
        AreaState::Below => "below",
        AreaState::TrackOnly => "track-only",
        AreaState::NotRated => "not-rated",
    }
}

/// Writes the roll-up as CSV.
pub fn write(rollup: &Rollup, out: &mut dyn std::io::Write) -> Result<(), MergeError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    let err = |e: csv::Error| MergeError::Csv(e.to_string());
    writer.write_record(COLUMNS).map_err(err)?;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    for (i, r) in rollup.repositories.iter().enumerate() {
        for (cell, head) in r.areas.iter().zip(&rollup.process_areas) {
            let record = [
                (i + 1).to_string(),
                r.file.clone(),
                r.repository.clone(),
                text(&r.revision),
                text(&r.commit),
                text(&r.commit_date),
                rollup.model.id.clone(),
                rollup.model.digest.clone(),
                text(&r.config.path),
                text(&r.config.blob),
                r.tool_version.clone(),
                cell.id.clone(),
                head.title.clone(),
                state(cell.state).to_string(),
                cell.achieved_level
                    .map(|l| l.to_string())
                    .unwrap_or_default(),
                cell.target_level.to_string(),
                cell.base_practices_evidenced.to_string(),
                cell.base_practices_in_scope.to_string(),
                r.errors.to_string(),
                r.duplicate.to_string(),
            ];
            writer
                .write_record(record.iter().map(|c| neutralise(c).into_owned()))
                .map_err(err)?;
        }
    }
    writer.flush()?;
    Ok(())
}
