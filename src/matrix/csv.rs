//! The matrix as RFC 4180 CSV (the `csv` crate: CRLF line ends, fields quoted when they
//! hold a comma, quote or line break): a header row with [`COLUMNS`] and the report's stamp
//! columns, then one row per practice and piece of evidence. Every cell is neutralised
//! against formula injection.

use super::{COLUMNS, Matrix, MatrixError, neutralise};

/// The stamp, repeated on every row so that a row cut out of the file still says which
/// commit, model and configuration it describes.
pub const STAMP_COLUMNS: [&str; 4] = ["scanned_commit", "model", "tool", "config_blob"];

/// Writes the matrix as CSV.
pub fn write(matrix: &Matrix, out: &mut dyn std::io::Write) -> Result<(), MatrixError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    let err = |e: csv::Error| MatrixError::Csv(e.to_string());
    let header = COLUMNS.iter().chain(&STAMP_COLUMNS);
    writer.write_record(header).map_err(err)?;
    let h = &matrix.header;
    let stamp = [
        h.commit.clone().unwrap_or_default(),
        h.model_id.clone(),
        h.tool.clone(),
        h.config_blob.clone().unwrap_or_default(),
    ];
    for row in matrix.rows() {
        let cells = row.cells();
        let record = cells
            .iter()
            .chain(&stamp)
            .map(|c| neutralise(c).into_owned());
        writer.write_record(record).map_err(err)?;
    }
    writer.flush()?;
    Ok(())
}
