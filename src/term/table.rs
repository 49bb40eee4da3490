//! Tables for a terminal (comfy-table): box drawing or ASCII by the locale, coloured cells,
//! and fitted to the terminal's width by cutting long cells with an ellipsis.

use comfy_table::presets::{ASCII_FULL_CONDENSED, UTF8_FULL_CONDENSED};
use comfy_table::{ColumnConstraint, ContentArrangement, LineStyle, Row, Table, TableStyle};
use unicode_width::UnicodeWidthStr;

use super::{Paint, Style, terminal_safe};

/// Box drawing in ASCII for a locale that is not UTF-8: comfy-table's condensed preset,
/// with `+` where the header's `=` line crosses a column, as on every other line.
const ASCII: TableStyle = ASCII_FULL_CONDENSED.header_separator(LineStyle::new('+', '=', '+', '+'));

/// Columns at most this wide (ids, levels, counts) are never cut to fit: the long ones
/// (titles, reasons, details) are.
const NEVER_CUT: usize = 15;

/// One cell: its text (from anywhere: made safe when drawn) and its colour, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// The text.
    pub text: String,
    /// Its colour.
    pub paint: Option<Paint>,
}

impl Cell {
    /// A cell in a colour.
    pub fn painted(text: impl Into<String>, paint: Paint) -> Cell {
        Cell {
            text: text.into(),
            paint: Some(paint),
        }
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell { text, paint: None }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::from(text.to_string())
    }
}

/// `rows` under `header` as a table drawn for `style`, with a final newline. Each cell's
/// text is made safe (see [`terminal_safe`]), then painted. With a width, a table wider
/// than it is fitted: each row stays one line, long cells cut with an ellipsis.
pub fn table(header: &[&str], rows: Vec<Vec<Cell>>, style: &Style) -> String {
    let mut t = Table::new();
    t.force_no_tty();
    t.load_style(if style.ascii {
        ASCII
    } else {
        UTF8_FULL_CONDENSED
    });
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    let draw = |cell: Cell| {
        let safe = terminal_safe(&cell.text);
        match cell.paint {
            Some(p) => style.paint(&safe, p),
            None => safe.into_owned(),
        }
    };
    t.set_header(header.iter().map(|h| style.paint(h, Paint::Header)));
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(terminal_safe(&cell.text).width());
            }
        }
        let mut row = Row::from(row.into_iter().map(draw));
        if style.width.is_some() {
            row.max_height(1);
        }
        t.add_row(row);
    }
    match style.width {
        Some(width) => {
            // No word is kept whole (NUL is never in a cell: it is escaped): a cut cell
            // shows as much as fits, not the words before the first that does not.
            t.set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(width)
                .set_delimiter('\0')
                .set_truncation_indicator(style.ellipsis());
            let constraints: Vec<ColumnConstraint> = widths
                .iter()
                .map(|&w| {
                    if w <= NEVER_CUT {
                        ColumnConstraint::ContentWidth
                    } else {
                        ColumnConstraint::LowerBoundary(comfy_table::Width::Fixed(6))
                    }
                })
                .collect();
            t.set_constraints(constraints);
        }
        None => {
            t.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    format!("{t}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    fn rows() -> Vec<Vec<Cell>> {
        vec![vec![
            Cell::from("PA02"),
            Cell::from("Assess Impact of every kind of thing on everything else"),
            Cell::painted("0", Paint::Below),
        ]]
    }

    /// Pins issue 15 item 5: a table fits the width given, long cells cut with an
    /// ellipsis, ids never cut, one line per row.
    #[test]
    fn a_table_fits_its_width() {
        let style = Style {
            width: Some(40),
            ..Style::PLAIN
        };
        let text = table(&["Area", "Title", "Level"], rows(), &style);
        for line in text.lines() {
            assert!(line.width() <= 40, "{line:?} is wider than 40");
        }
        assert_eq!(text.lines().count(), 5, "{text}");
        assert!(text.contains("PA02") && text.contains('…'), "{text}");
        let whole = table(&["Area", "Title", "Level"], rows(), &Style::PLAIN);
        assert!(whole.contains("everything else"), "{whole}");
    }

    #[test]
    fn ascii_and_colour() {
        let style = Style {
            color: true,
            width: Some(40),
            ascii: true,
        };
        let text = table(&["Area", "Title", "Level"], rows(), &style);
        assert!(text.is_ascii(), "{text}");
        assert!(
            text.contains("...") && text.contains("\u{1b}[31m0\u{1b}[0m"),
            "{text}"
        );
        let hostile = vec![vec![Cell::from("a\u{1b}[2Jb\tc")]];
        let text = table(&["X"], hostile, &Style::PLAIN);
        assert!(text.contains("a\\u{1b}[2Jb\\u{9}c"), "{text}");
    }
}
