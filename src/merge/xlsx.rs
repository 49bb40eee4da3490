//! The roll-up as an Excel workbook (cargo feature `xlsx`): a Summary sheet — the heat map
//! of repositories × process areas in the evidence matrix's colours, each repository linked
//! to its own sheet, the totals per area below it, then the roll-up's stamp — and one sheet
//! per repository (`1 name`, `2 name`, … in row order) with its areas and its stamp.
//!
//! Text is neutralised and cut as in the evidence matrix's workbook; the document's date is
//! the latest commit date of the reports (else 1970), so the same reports give the same bytes.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Url, Workbook, Worksheet, XlsxError};

use super::{AreaCell, AreaState, MergeError, RepositoryRow, Rollup};
use crate::matrix::xlsx::{HeatFormats, cell_text, table, unix_time};

fn xlsx_error(e: XlsxError) -> MergeError {
    MergeError::Xlsx(e.to_string())
}

/// The columns of the Summary sheet before the areas, and after them.
const LEADING: [&str; 4] = ["#", "Repository", "Commit", "Commit date"];
const TRAILING: [&str; 3] = ["Configuration", "Tool", "Report file"];

/// The name of row `index`'s sheet (from 1): the index, then the repository, without the
/// characters Excel refuses, cut to its 31 characters. The index keeps names unique.
pub fn sheet_name(index: usize, repository: &str) -> String {
    let clean: String = repository
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' | '\'' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let name: String = format!("{index} {clean}").chars().take(31).collect();
    name.trim_end().to_string()
}

/// The format of a cell of the heat map.
fn format_of<'a>(formats: &'a HeatFormats, cell: &AreaCell) -> &'a Format {
    match cell.state {
        AreaState::Meets => &formats.achieved,
        AreaState::Below => &formats.gap,
        AreaState::TrackOnly => &formats.later,
        AreaState::NotRated => &formats.out_of_scope,
    }
}

/// Renders the roll-up as XLSX bytes.
pub fn render(rollup: &Rollup) -> Result<Vec<u8>, MergeError> {
    let mut book = Workbook::new();
    let latest = rollup
        .repositories
        .iter()
        .filter_map(|r| r.commit_date.as_deref().and_then(unix_time))
        .max()
        .unwrap_or(0);
    let created = ExcelDateTime::from_timestamp(latest)
        .or_else(|_| ExcelDateTime::from_timestamp(0))
        .map_err(xlsx_error)?;
    let properties = DocProperties::new()
        .set_title(format!("Organisation roll-up — {}", rollup.model.title))
        .set_subject(format!("{} report(s)", rollup.repositories.len()))
        .set_comment(format!("{} {}", rollup.tool.name, rollup.tool.version))
        .set_creation_datetime(&created);
    book.set_properties(&properties);
    let formats = HeatFormats::new();
    summary(book.add_worksheet(), rollup, &formats).map_err(xlsx_error)?;
    for (i, row) in rollup.repositories.iter().enumerate() {
        repository(book.add_worksheet(), rollup, i + 1, row, &formats).map_err(xlsx_error)?;
    }
    book.save_to_buffer().map_err(xlsx_error)
}

/// Writes the roll-up as XLSX.
pub fn write(rollup: &Rollup, out: &mut dyn std::io::Write) -> Result<(), MergeError> {
    out.write_all(&render(rollup)?)?;
    Ok(())
}

/// The Summary sheet: the heat map, the totals, the stamp.
fn summary(sheet: &mut Worksheet, rollup: &Rollup, formats: &HeatFormats) -> Result<(), XlsxError> {
    sheet.set_name("Summary")?;
    let areas = rollup.process_areas.len();
    let mut header: Vec<&str> = LEADING.to_vec();
    header.extend(rollup.process_areas.iter().map(|a| a.id.as_str()));
    header.extend(TRAILING);
    let rows = rollup.repositories.iter().enumerate().map(|(i, r)| {
        let mut cells = vec![
            (i + 1).to_string(),
            r.repository.clone(),
            r.commit.clone().unwrap_or_default(),
            r.commit_date.clone().unwrap_or_default(),
        ];
        cells.extend(r.areas.iter().map(AreaCell::text));
        cells.extend([
            r.config.text(),
            format!("practrace {}", r.tool_version),
            r.file.clone(),
        ]);
        cells
    });
    let mut widths = table(sheet, 0, &header, rows, &[0])?;
    for (i, r) in rollup.repositories.iter().enumerate() {
        let row = 1 + i as u32;
        let link = Url::new(format!(
            "internal:'{}'!A1",
            sheet_name(i + 1, &r.repository)
        ));
        sheet.write_url_with_text(row, 1, link, cell_text(&r.repository))?;
        for (j, cell) in r.areas.iter().enumerate() {
            let col = (LEADING.len() + j) as u16;
            sheet.write_string_with_format(row, col, cell.text(), format_of(formats, cell))?;
        }
    }
    let mut r = rollup.repositories.len() as u32 + 2;
    let bold = Format::new().set_bold();
    totals(sheet, r, rollup, &bold)?;
    r += 3;
    r += 1;
    let m = &rollup.model;
    for (label, value) in [
        ("Organisation roll-up", String::new()),
        (
            "Model",
            format!("{} — {} (digest {})", m.id, m.title, m.digest),
        ),
        ("Reports", rollup.repositories.len().to_string()),
        (
            "Merged by",
            format!("{} {}", rollup.tool.name, rollup.tool.version),
        ),
    ] {
        sheet.write_string_with_format(r, 1, label, &bold)?;
        sheet.write_string(r, 2, cell_text(&value))?;
        r += 1;
    }
    widths.see(1, "Organisation roll-up");
    for col in 0..areas {
        widths.see(LEADING.len() + col, "n/a/0");
    }
    widths.apply(sheet, 50)
}

/// The totals under the heat map, from row `top`: repositories meeting the target (text,
/// `3/4`), the mean level and the areas not rated (numbers).
fn totals(
    sheet: &mut Worksheet,
    top: u32,
    rollup: &Rollup,
    bold: &Format,
) -> Result<(), XlsxError> {
    sheet.write_string_with_format(top, 1, "Meet the target", bold)?;
    sheet.write_string_with_format(top + 1, 1, "Mean level", bold)?;
    sheet.write_string_with_format(top + 2, 1, "Not rated", bold)?;
    for (j, t) in rollup.totals.iter().enumerate() {
        let col = (LEADING.len() + j) as u16;
        sheet.write_string(top, col, t.meeting_text())?;
        match t.mean_level {
            Some(mean) => sheet.write_number(top + 1, col, mean)?,
            None => sheet.write_string(top + 1, col, "n/a")?,
        };
        sheet.write_number(top + 2, col, t.not_rated as f64)?;
    }
    Ok(())
}

/// The sheet of one repository: its areas, then its stamp.
fn repository(
    sheet: &mut Worksheet,
    rollup: &Rollup,
    index: usize,
    row: &RepositoryRow,
    formats: &HeatFormats,
) -> Result<(), XlsxError> {
    sheet.set_name(sheet_name(index, &row.repository))?;
    let header = [
        "Area",
        "Title",
        "Achieved",
        "Target",
        "Base practices evidenced",
        "Base practices in scope",
    ];
    let rows = row
        .areas
        .iter()
        .zip(&rollup.process_areas)
        .map(|(c, head)| {
            vec![
                c.id.clone(),
                head.title.clone(),
                crate::report::level_text(c.achieved_level),
                c.target_level.to_string(),
                c.base_practices_evidenced.to_string(),
                c.base_practices_in_scope.to_string(),
            ]
        });
    let mut widths = table(sheet, 0, &header, rows, &[3, 4, 5])?;
    for (i, c) in row.areas.iter().enumerate() {
        let r = 1 + i as u32;
        match c.achieved_level {
            Some(level) => {
                sheet.write_number_with_format(r, 2, f64::from(level), format_of(formats, c))?
            }
            None => sheet.write_string_with_format(r, 2, "n/a", format_of(formats, c))?,
        };
    }
    let bold = Format::new().set_bold();
    let mut r = row.areas.len() as u32 + 2;
    for (label, value) in stamp(rollup, row) {
        sheet.write_string_with_format(r, 0, label, &bold)?;
        sheet.write_string(r, 1, cell_text(&value))?;
        widths.see(0, label);
        r += 1;
    }
    sheet.write_url_with_text(r + 1, 0, Url::new("internal:Summary!A1"), "Back to Summary")?;
    widths.apply(sheet, 60)
}

/// A repository's stamp as label/value pairs.
fn stamp(rollup: &Rollup, row: &RepositoryRow) -> Vec<(&'static str, String)> {
    let or = |v: &Option<String>, none: &str| v.clone().unwrap_or_else(|| none.to_string());
    vec![
        ("Report file", row.file.clone()),
        ("Repository", row.repository.clone()),
        ("Revision", or(&row.revision, "working tree")),
        ("Commit", or(&row.commit, "(none)")),
        (
            "Commit date",
            or(&row.commit_date, "(not in a status report)"),
        ),
        ("Commits read", {
            let cut = if row.shallow {
                " (shallow: history cut)"
            } else {
                ""
            };
            format!("{}{cut}", row.commits_scanned)
        }),
        (
            "Model",
            format!("{} (digest {})", rollup.model.id, rollup.model.digest),
        ),
        ("Configuration", row.config.text()),
        ("Scan options", or(&row.config.options, "")),
        ("Tool", format!("practrace {}", row.tool_version)),
        (
            "Evidence",
            format!(
                "{} file(s), {} commit(s)",
                row.evidence_files, row.evidence_commits
            ),
        ),
        (
            "Diagnostics",
            format!("{} error(s), {} warning(s)", row.errors, row.warnings),
        ),
        (
            "Same repository and commit as another report",
            if row.duplicate { "yes" } else { "no" }.into(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::sheet_name;

    #[test]
    fn sheet_names_are_what_excel_accepts() {
        assert_eq!(sheet_name(1, "payments-api"), "1 payments-api");
        // Excel refuses []:*?/\ in a name, and a leading or trailing apostrophe.
        assert_eq!(sheet_name(2, "'a[b]:c*d?e/f\\g'"), "2 _a_b__c_d_e_f_g_");
        let long = sheet_name(1234, &"é".repeat(40));
        assert_eq!(long.chars().count(), 31);
        assert!(long.starts_with("1234 é"));
        assert_eq!(sheet_name(3, "   "), "3");
    }
}
