//! The history for people (a table: a row per point, each area's level as one character,
//! then the level changes) and for spreadsheets (long-form CSV: a row per point and area).

use super::{History, Point};
use crate::matrix::neutralise;
use crate::report::AreaReport;
use crate::report::text::{Format, Output, render};
use crate::term::Cell;

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

/// The history as a table, then the legend and every change of level from one point to
/// the next.
pub fn table(history: &History) -> String {
    let Some(first) = history.points.first() else {
        return no_points(history);
    };
    let areas: Vec<&str> = first.process_areas.iter().map(|a| a.id.as_str()).collect();
    let levels_header = match (areas.first(), areas.last()) {
        (Some(a), Some(b)) => format!("Levels {a}…{b}"),
        _ => "Levels".to_string(),
    };
    let header = [
        "Point",
        "Commit",
        "Date",
        levels_header.as_str(),
        "Below target",
        "Practices",
        "Files",
        "Commits",
        "Errors",
    ];
    let rows = history
        .points
        .iter()
        .map(|p| row(p).into_iter().map(Cell::from).collect())
        .collect();
    let mut out = render(Output::plain(Format::Table), &header, rows);
    let order = match areas[..] {
        [first, .., last] => format!("{first} to {last}"),
        _ => areas.join(""),
    };
    out.push_str(&format!(
        "Levels: one character per process area, {order} in model order: the level achieved, `-` not rated.\n\
         Practices: practices with evidence; Files, Commits: evidence files and commits.\n"
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

/// One row of the table.
fn row(p: &Point) -> Vec<String> {
    let levels: String = p.process_areas.iter().map(level_char).collect();
    let below = p.process_areas.iter().filter(|a| below_target(a)).count();
    vec![
        p.label.clone(),
        p.commit.chars().take(12).collect(),
        p.date.chars().take(10).collect(),
        levels,
        below.to_string(),
        p.practices_evidenced.to_string(),
        p.evidence.files.to_string(),
        p.evidence.commits.to_string(),
        p.diagnostics.errors.to_string(),
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
