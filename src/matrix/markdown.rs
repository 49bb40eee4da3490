//! The matrix as GitHub-flavoured Markdown: the stamp, the heat map, then per process area
//! a table of its practices and their evidence, the gaps and the diagnostics.
//!
//! Repository text is escaped so that it shows as written and never as markup: HTML
//! (`<script>` stays text, `&` included), Markdown emphasis, links and code, table pipes
//! and line breaks. Cells are neutralised against formula injection as in CSV, since
//! Markdown tables get pasted into spreadsheets.

use std::fmt::Write as _;

use super::{
    AreaView, Cell, EvidenceRow, Group, LevelState, Matrix, MatrixError, PracticeView, neutralise,
};

/// One table cell (or inline text) of repository origin, escaped.
pub fn escape(text: &str) -> String {
    let text = neutralise(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '|' => out.push_str("\\|"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn table(out: &mut String, header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) {
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| escape(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
}

fn short(id: Option<&str>) -> String {
    id.map(|c| c[..c.len().min(12)].to_string())
        .unwrap_or_default()
}

/// Renders the matrix as Markdown.
pub fn render(matrix: &Matrix) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail, and every part is UTF-8.
    let _ = write(matrix, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// The title and the stamp: what the matrix describes, as a list.
fn stamp(out: &mut String, matrix: &Matrix) {
    let h = &matrix.header;
    let _ = writeln!(out, "# Evidence matrix — {}\n", escape(&h.model_title));
    for (label, value) in h.fields() {
        let _ = writeln!(out, "- **{label}:** {}", escape(&value));
    }
}

/// The heat map: one row per process area, one column per capability level.
fn heat_map(out: &mut String, matrix: &Matrix) {
    out.push_str("\n## Capability levels\n\n");
    out.push_str(
        "✓ achieved · ✗ missing (count) · n/a out of scope · **bold**: up to the target level\n\n",
    );
    let mut header = vec!["Area", "Title", "Achieved", "Target"];
    let level_names: Vec<String> = matrix
        .levels
        .iter()
        .map(|l| format!("L{}", l.level))
        .collect();
    header.extend(level_names.iter().map(String::as_str));
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
    for a in &matrix.areas {
        let mut cells = vec![
            escape(&a.id),
            escape(&a.title),
            crate::report::level_text(a.achieved_level),
            a.target_level.to_string(),
        ];
        cells.extend(a.cells.iter().map(level_mark));
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
}

/// One cell of the heat map: its state as a sign, bold up to the target level.
fn level_mark(cell: &Cell) -> String {
    let mark = match cell.state {
        LevelState::Achieved => "✓".to_string(),
        LevelState::OutOfScope => "n/a".to_string(),
        LevelState::Missing => format!("✗ {}", cell.missing),
    };
    if cell.within_target {
        format!("**{mark}**")
    } else {
        mark
    }
}

/// One process area: its heading, then a table of its practices and their evidence.
fn area_section(out: &mut String, a: &AreaView) {
    let rating = match a.achieved_level {
        Some(level) => format!("level {level} of target {}", a.target_level),
        None => "n/a: not rated, no base practice in scope".to_string(),
    };
    let _ = writeln!(
        out,
        "\n## {} {} — {rating}\n",
        escape(&a.id),
        escape(&a.title)
    );
    let rows = a
        .groups
        .iter()
        .flat_map(|g| g.practices.iter().flat_map(move |p| practice_rows(g, p)));
    table(
        out,
        &[
            "Group", "Practice", "Title", "Scope", "Evidence", "Where", "Source", "Note", "Blob",
            "Commit", "Author", "Date",
        ],
        rows,
    );
}

/// The rows of one practice: one per piece of evidence, or a single `none` row.
fn practice_rows(g: &Group, p: &PracticeView) -> Vec<Vec<String>> {
    let scope = match &p.not_applicable {
        None => "in scope".to_string(),
        Some(reason) => format!("not applicable: {reason}"),
    };
    let lead = vec![g.label.clone(), p.id.clone(), p.title.clone(), scope];
    if p.evidence.is_empty() {
        let mut row = lead;
        row.push("none".into());
        row.extend(std::iter::repeat_n(String::new(), 7));
        return vec![row];
    }
    p.evidence
        .iter()
        .map(|e| {
            let mut row = lead.clone();
            row.extend(evidence_cells(e));
            row
        })
        .collect()
}

/// The evidence columns of a row: kind, where (path:line, a path, or a commit's subject),
/// how a file became evidence, its note, blob, commit, author and date.
fn evidence_cells(e: &EvidenceRow) -> [String; 8] {
    let place = match (e.path, e.line) {
        (Some(path), Some(line)) => format!("{path}:{line}"),
        (Some(path), None) => path.to_string(),
        _ => e.subject.unwrap_or_default().to_string(),
    };
    [
        e.kind.to_string(),
        place,
        e.source.clone().unwrap_or_default(),
        e.note.unwrap_or_default().to_string(),
        short(e.blob),
        short(e.commit),
        e.author.unwrap_or_default().to_string(),
        match (e.date, &e.freshness) {
            (Some(date), Some(age)) => format!("{date} ({age})"),
            (None, Some(age)) => age.clone(),
            (date, None) => date.unwrap_or_default().to_string(),
        },
    ]
}

/// The gaps: practices lacking evidence up to each area's target, or a line saying none.
fn gaps(out: &mut String, matrix: &Matrix) {
    out.push_str("\n## Gaps\n\n");
    if matrix.gaps.is_empty() {
        out.push_str("None: every process area has reached its target level.\n");
    } else {
        table(
            out,
            &["Area", "Level", "Practice", "Title"],
            matrix.gaps.iter().map(|g| {
                vec![
                    g.process_area.clone(),
                    g.level.to_string(),
                    g.practice.clone(),
                    g.title.clone(),
                ]
            }),
        );
    }
}

/// The scan's diagnostics, or a line saying none.
fn diagnostics(out: &mut String, matrix: &Matrix) {
    out.push_str("\n## Diagnostics\n\n");
    if matrix.diagnostics.is_empty() {
        out.push_str("None.\n");
    } else {
        table(
            out,
            &["Severity", "Code", "Where", "Message"],
            matrix.diagnostics.iter().map(super::diagnostic_cells),
        );
    }
}

/// Writes the matrix as Markdown, a part at a time (one area's table at most is held).
pub fn write(matrix: &Matrix, out: &mut dyn std::io::Write) -> Result<(), MatrixError> {
    let mut part = String::new();
    stamp(&mut part, matrix);
    heat_map(&mut part, matrix);
    for a in &matrix.areas {
        out.write_all(part.as_bytes())?;
        part.clear();
        area_section(&mut part, a);
    }
    gaps(&mut part, matrix);
    diagnostics(&mut part, matrix);
    out.write_all(part.as_bytes())?;
    Ok(())
}
