//! The matrix as an Excel workbook (rust_xlsxwriter; cargo feature `xlsx`, on by default):
//! sheets Summary (the stamp and the heat map as coloured cells), Matrix (one row per
//! practice and piece of evidence), Gaps and Diagnostics, each with a frozen header row,
//! an autofilter and column widths to fit.
//!
//! Every text is written as a string, never as a formula, and neutralised as in CSV (a
//! leading `'` before `=`, `+`, `-`, `@`, tab, CR), so a copy into another tool stays
//! inert. The document's creation date is the scanned commit's date (or the `--timestamp`
//! time), and the zip entries carry no time, so the same revision gives the same bytes.

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};

use super::{COLUMNS, LEVEL_COLUMN, LINE_COLUMN, LevelState, Matrix, MatrixError, neutralise};

/// Excel's longest cell text.
const MAX_CELL: usize = 32_767;

fn xlsx_error(e: XlsxError) -> MatrixError {
    MatrixError::Xlsx(e.to_string())
}

/// Text for a cell: neutralised, and cut (on a character boundary) to Excel's limit.
pub(crate) fn cell_text(text: &str) -> String {
    let text = neutralise(text);
    if text.len() <= MAX_CELL {
        return text.into_owned();
    }
    let mut end = MAX_CELL - 3;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

/// Column widths from the longest text in each column, within bounds.
pub(crate) struct Widths(Vec<usize>);

impl Widths {
    /// Widths that fit the header.
    pub(crate) fn new(header: &[&str]) -> Widths {
        Widths(header.iter().map(|h| h.chars().count() + 3).collect())
    }
    /// Widens column `col` to fit `text`.
    pub(crate) fn see(&mut self, col: usize, text: &str) {
        if let Some(w) = self.0.get_mut(col) {
            *w = (*w).max(text.chars().count() + 1);
        }
    }
    /// Sets the widths, none above `max`.
    pub(crate) fn apply(&self, sheet: &mut Worksheet, max: usize) -> Result<(), XlsxError> {
        for (col, &w) in self.0.iter().enumerate() {
            sheet.set_column_width(col as u16, w.clamp(6, max) as f64)?;
        }
        Ok(())
    }
}

/// Writes a table: a bold header row (frozen, with an autofilter) at `top`, then the rows.
/// Cells of `number_columns` that hold a number are written as numbers. Returns the widths
/// seen.
pub(crate) fn table(
    sheet: &mut Worksheet,
    top: u32,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
    number_columns: &[usize],
) -> Result<Widths, XlsxError> {
    let bold = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xF2F2F2))
        .set_border(FormatBorder::Thin);
    let mut widths = Widths::new(header);
    for (col, h) in header.iter().enumerate() {
        sheet.write_string_with_format(top, col as u16, *h, &bold)?;
    }
    let mut last = top;
    for (i, row) in rows.enumerate() {
        let r = top + 1 + i as u32;
        last = r;
        for (col, text) in row.iter().enumerate() {
            if text.is_empty() {
                continue;
            }
            let number = number_columns
                .contains(&col)
                .then(|| text.parse::<u32>().ok())
                .flatten();
            match number {
                Some(n) => {
                    sheet.write_number(r, col as u16, f64::from(n))?;
                }
                None => {
                    let text = cell_text(text);
                    widths.see(col, &text);
                    sheet.write_string(r, col as u16, text)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(top + 1, 0)?;
    let last_col = header.len().saturating_sub(1) as u16;
    sheet.autofilter(top, 0, last.max(top), last_col)?;
    Ok(widths)
}

/// Seconds since the epoch of an RFC 3339 date as reports write it.
pub(crate) fn unix_time(date: &str) -> Option<i64> {
    crate::extract::commit::parse_rfc3339(date)
}

/// Renders the matrix as XLSX bytes.
pub fn render(matrix: &Matrix) -> Result<Vec<u8>, MatrixError> {
    let mut book = Workbook::new();
    let h = &matrix.header;
    // The date of what is described, never the wall clock (unless --timestamp asked).
    let when = h
        .generated
        .as_deref()
        .or(h.commit_date.as_deref())
        .and_then(unix_time)
        .unwrap_or(0);
    let created = ExcelDateTime::from_timestamp(when)
        .or_else(|_| ExcelDateTime::from_timestamp(0))
        .map_err(xlsx_error)?;
    let properties = DocProperties::new()
        .set_title(format!("Evidence matrix — {}", h.model_title))
        .set_subject(format!(
            "{} at {}",
            h.repository,
            h.commit.as_deref().unwrap_or("(no commit)")
        ))
        .set_comment(h.tool.clone())
        .set_creation_datetime(&created);
    book.set_properties(&properties);
    summary(book.add_worksheet(), matrix).map_err(xlsx_error)?;
    // One row per piece of evidence: tens of thousands in a large repository. Written in
    // constant memory (each row to a temporary file as it comes, strings inline).
    let sheet = book
        .add_worksheet_with_constant_memory()
        .map_err(xlsx_error)?;
    matrix_sheet(sheet, matrix).map_err(xlsx_error)?;
    gaps(book.add_worksheet(), matrix).map_err(xlsx_error)?;
    diagnostics(book.add_worksheet(), matrix).map_err(xlsx_error)?;
    book.save_to_buffer().map_err(xlsx_error)
}

/// Writes the matrix as XLSX.
pub fn write(matrix: &Matrix, out: &mut dyn std::io::Write) -> Result<(), MatrixError> {
    out.write_all(&render(matrix)?)?;
    Ok(())
}

/// The heat map's cell formats, in the colours of the HTML page (`templates/palette.css`).
pub(crate) struct HeatFormats {
    /// Achieved, or meets the target: green, bold.
    pub achieved: Format,
    /// Missing up to the target, or below it: red, bold.
    pub gap: Format,
    /// Missing above the target, or tracked only: brown.
    pub later: Format,
    /// Out of scope, not rated: grey.
    pub out_of_scope: Format,
}

impl HeatFormats {
    /// The four formats.
    pub(crate) fn new() -> HeatFormats {
        let base = |bg: u32, fg: u32| {
            Format::new()
                .set_background_color(Color::RGB(bg))
                .set_font_color(Color::RGB(fg))
                .set_align(FormatAlign::Center)
                .set_border(FormatBorder::Thin)
        };
        HeatFormats {
            achieved: base(0xC8E6C9, 0x1B5E20).set_bold(),
            gap: base(0xFFCDD2, 0xB71C1C).set_bold(),
            later: base(0xFBE9E7, 0x8D6E63),
            out_of_scope: base(0xEEEEEE, 0x616161),
        }
    }
}

fn summary(sheet: &mut Worksheet, matrix: &Matrix) -> Result<(), XlsxError> {
    sheet.set_name("Summary")?;
    let mut header: Vec<String> = vec![
        "Area".into(),
        "Title".into(),
        "Achieved".into(),
        "Target".into(),
    ];
    header.extend(
        matrix
            .levels
            .iter()
            .map(|l| format!("L{} {}", l.level, l.name)),
    );
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let rows = matrix.areas.iter().map(|a| {
        vec![
            a.id.clone(),
            a.title.clone(),
            crate::report::level_text(a.achieved_level),
            a.target_level.to_string(),
        ]
    });
    let mut widths = table(sheet, 0, &header, rows, &[2, 3])?;
    let HeatFormats {
        achieved,
        gap,
        later,
        out_of_scope,
    } = HeatFormats::new();
    for (i, a) in matrix.areas.iter().enumerate() {
        let r = 1 + i as u32;
        // A level is a number; an area that is not rated keeps its "n/a" text.
        if let Some(level) = a.achieved_level {
            sheet.write_number(r, 2, f64::from(level))?;
        }
        sheet.write_number(r, 3, f64::from(a.target_level))?;
        for (j, c) in a.cells.iter().enumerate() {
            let (text, format) = match c.state {
                LevelState::Achieved => ("achieved".to_string(), &achieved),
                LevelState::OutOfScope => ("n/a".to_string(), &out_of_scope),
                LevelState::Missing if c.within_target => (format!("missing {}", c.missing), &gap),
                LevelState::Missing => (format!("missing {}", c.missing), &later),
            };
            sheet.write_string_with_format(r, (4 + j) as u16, text, format)?;
        }
    }
    for (col, name) in header.iter().enumerate().skip(4) {
        widths.see(col, name);
    }
    // The stamp below the heat map: label, value.
    let label = Format::new().set_bold();
    let mut r = matrix.areas.len() as u32 + 2;
    sheet.write_string_with_format(r, 0, "Evidence matrix", &label)?;
    for (name, value) in matrix.header.fields() {
        r += 1;
        sheet.write_string_with_format(r, 0, name, &label)?;
        sheet.write_string(r, 1, cell_text(&value))?;
        widths.see(0, name);
    }
    widths.apply(sheet, 60)
}

fn matrix_sheet(sheet: &mut Worksheet, matrix: &Matrix) -> Result<(), XlsxError> {
    sheet.set_name("Matrix")?;
    let widths = table(
        sheet,
        0,
        &COLUMNS,
        matrix.rows().map(|r| r.cells()),
        &[LEVEL_COLUMN, LINE_COLUMN],
    )?;
    widths.apply(sheet, 60)
}

fn gaps(sheet: &mut Worksheet, matrix: &Matrix) -> Result<(), XlsxError> {
    sheet.set_name("Gaps")?;
    let rows = matrix.gaps.iter().map(|g| {
        vec![
            g.process_area.clone(),
            g.level.to_string(),
            g.practice.clone(),
            g.title.clone(),
        ]
    });
    let widths = table(
        sheet,
        0,
        &["Area", "Level", "Practice", "Title"],
        rows,
        &[1],
    )?;
    widths.apply(sheet, 80)
}

fn diagnostics(sheet: &mut Worksheet, matrix: &Matrix) -> Result<(), XlsxError> {
    sheet.set_name("Diagnostics")?;
    let rows = matrix.diagnostics.iter().map(super::diagnostic_cells);
    let widths = table(
        sheet,
        0,
        &["Severity", "Code", "Where", "Message"],
        rows,
        &[],
    )?;
    widths.apply(sheet, 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_to_unix_time() {
        assert_eq!(unix_time("1970-01-01T00:00:00+00:00"), Some(0));
        assert_eq!(unix_time("2023-11-14T22:14:20+00:00"), Some(1_700_000_060));
        assert_eq!(unix_time("2023-11-14T16:44:20-05:30"), Some(1_700_000_060));
        assert_eq!(unix_time("2000-02-29T00:00:00Z"), Some(951_782_400));
        assert_eq!(unix_time("garbage"), None);
    }

    #[test]
    fn long_cells_are_cut_on_a_character_boundary() {
        let long = "é".repeat(20_000);
        let cut = cell_text(&long);
        assert!(cut.len() <= MAX_CELL && cut.ends_with("..."));
    }
}
