//! The history for people (a table: a row per point, each area's level as one character,
//! then the level changes) and for spreadsheets (long-form CSV: a row per point and area).

use super::{History, Point};
use crate::matrix::neutralise;
use crate::report::AreaReport;
use crate::report::text::{Format, Output, render};
use crate::term::{Cell, Paint, Style};
use unicode_width::UnicodeWidthStr;

/// One character for an area's achieved level: the digit, or `-` when it is not rated.
fn level_char(area: &AreaReport) -> char {
    match area.achieved_level {
        Some(l) if l < 10 => char::from(b'0' + l),
        Some(_) => '+',
        None => '-',
    }
}

/// Whether a rated area is below its target.
fn below_target(area: &AreaReport) -> bool {
    area.achieved_level.is_some_and(|l| l < area.target_level)
}

/// The history as a table drawn for `style` (a terminal's colours and width, or plain),
/// then the legend and every change of level from one point to the next. Areas below
/// their target are counted in red (green when none is), errors in red.
pub fn table(history: &History, style: Style) -> String {
    let Some(first) = history.points.first() else {
        return no_points(history);
    };
    let areas: Vec<&str> = first.process_areas.iter().map(|a| a.id.as_str()).collect();
    let mut out = fitted(history, style);
    let order = match areas[..] {
        [first, .., last] => format!("{first} to {last}"),
        _ => areas.join(""),
    };
    out.push_str(&format!(
        "Levels: one character per process area, {order} in model order: the level achieved, `-` not rated.\n\
         Below: areas below their target level. Practices: practices with evidence; Files, Commits: evidence files and commits.\n"
    ));
    let changes = changes(history);
    if !changes.is_empty() {
        out.push_str("\nLevel changes:\n");
        for line in changes {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// The table itself. On a terminal narrower than the whole table, the date, then the
/// commit, then the evidence file and commit counts are left out (the point's label names
/// its period; JSON keeps them all) before any cell is cut: the levels column, the one
/// that matters, stays whole as long as it can (to 70 columns for the SSE-CMM's 22 areas).
fn fitted(history: &History, style: Style) -> String {
    let header = [
        "Point",
        "Commit",
        "Date",
        "Levels",
        "Below",
        "Practices",
        "Files",
        "Commits",
        "Errors",
    ];
    let draw = |leave_out: &[usize], style: Style| {
        let keep = |i: &usize| !leave_out.contains(i);
        let header: Vec<&str> = (0..header.len()).filter(keep).map(|i| header[i]).collect();
        let rows = history
            .points
            .iter()
            .map(|p| {
                let cells = row(p).into_iter().enumerate();
                cells.filter(|(i, _)| keep(i)).map(|(_, c)| c).collect()
            })
            .collect();
        render(
            Output {
                format: Format::Table,
                style,
            },
            &header,
            rows,
        )
    };
    let Some(width) = style.width else {
        return draw(&[], style);
    };
    let whole = Style {
        width: None,
        ..style
    };
    let measured = Style {
        color: false,
        ..whole
    };
    for leave_out in [&[][..], &[2], &[1, 2], &[1, 2, 6, 7]] {
        let plain = draw(leave_out, measured);
        let widest = plain.lines().map(UnicodeWidthStr::width).max();
        if widest.unwrap_or(0) <= usize::from(width) {
            return draw(leave_out, whole);
        }
    }
    draw(&[1, 2, 6, 7], style)
}

/// One row of the table.
fn row(p: &Point) -> Vec<Cell> {
    let levels: String = p.process_areas.iter().map(level_char).collect();
    let below = p.process_areas.iter().filter(|a| below_target(a)).count();
    let below = if below > 0 {
        Cell::painted(below.to_string(), Paint::Below)
    } else {
        Cell::painted(below.to_string(), Paint::Met)
    };
    let errors = match p.diagnostics.errors {
        0 => Cell::from("0"),
        n => Cell::painted(n.to_string(), Paint::Error),
    };
    vec![
        Cell::from(p.label.clone()),
        Cell::from(p.commit.chars().take(12).collect::<String>()),
        Cell::from(p.date.chars().take(10).collect::<String>()),
        Cell::from(levels),
        below,
        Cell::from(p.practices_evidenced.to_string()),
        Cell::from(p.evidence.files.to_string()),
        Cell::from(p.evidence.commits.to_string()),
        errors,
    ]
}

/// `  2024-03  PA05  level 1 → 2` (and `, target 1 → 2`): each area whose level or target
/// differs from the point before.
fn changes(history: &History) -> Vec<String> {
    let mut out = Vec::new();
    for pair in history.points.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        for a in &after.process_areas {
            let Some(b) = before.process_areas.iter().find(|b| b.id == a.id) else {
                continue;
            };
            let mut what = Vec::new();
            if a.achieved_level != b.achieved_level {
                what.push(format!(
                    "level {} → {}",
                    b.achieved_text(),
                    a.achieved_text()
                ));
            }
            if a.target_level != b.target_level {
                what.push(format!("target {} → {}", b.target_level, a.target_level));
            }
            if !what.is_empty() {
                out.push(format!("  {}  {}  {}", after.label, a.id, what.join(", ")));
            }
        }
    }
    out
}

/// What the table says when there is no point.
fn no_points(history: &History) -> String {
    match (&history.since, &history.until) {
        (Some(since), Some(until)) => format!(
            "no points: no commit of {} was committed by the end of any period from {since} to {until}\n",
            history.source.rev
        ),
        _ => "no points\n".to_string(),
    }
}

/// The columns of the CSV.
pub const CSV_COLUMNS: [&str; 17] = [
    "point",
    "boundary",
    "commit",
    "date",
    "scan",
    "process_area",
    "title",
    "applicable",
    "achieved_level",
    "target_level",
    "below_target",
    "base_practices_evidenced",
    "base_practices_in_scope",
    "practices_evidenced",
    "evidence_files",
    "evidence_commits",
    "errors",
];

/// The history as RFC 4180 CSV, long form: a row per point and process area, oldest point
/// first, areas in model order; the point's own figures repeated on each of its rows. Every
/// cell is neutralised against formula injection.
pub fn csv(history: &History, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    let io = |e: csv::Error| std::io::Error::other(e.to_string());
    writer.write_record(CSV_COLUMNS).map_err(io)?;
    for p in &history.points {
        for a in &p.process_areas {
            let scan = match p.scan {
                super::PointScan::Full => "full",
                super::PointScan::Derived => "derived",
            };
            let record = [
                p.label.clone(),
                p.boundary.clone().unwrap_or_default(),
                p.commit.clone(),
                p.date.clone(),
                scan.to_string(),
                a.id.clone(),
                a.title.clone(),
                a.applicable.to_string(),
                a.achieved_level.map(|l| l.to_string()).unwrap_or_default(),
                a.target_level.to_string(),
                below_target(a).to_string(),
                a.base_practices_evidenced.to_string(),
                a.base_practices_in_scope.to_string(),
                p.practices_evidenced.to_string(),
                p.evidence.files.to_string(),
                p.evidence.commits.to_string(),
                p.diagnostics.errors.to_string(),
            ];
            writer
                .write_record(record.iter().map(|c| neutralise(c).into_owned()))
                .map_err(io)?;
        }
    }
    writer.flush()
}
