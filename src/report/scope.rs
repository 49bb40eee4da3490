//! The practices out of scope, as `status` and `gaps` show them below their table: one
//! row per process area declared not applicable as a whole, one per practice otherwise.

use super::Report;
use super::text::{Format, Output, render};
use crate::term::{Cell, plural};

/// One row of the section: an area (all its practices, one reason) or a practice.
struct Row {
    /// A whole area.
    area: bool,
    what: String,
    title: String,
    reason: String,
}

/// The rows, in model order: an area whose every practice is not applicable for one
/// reason is one row (`PA19 (all 34 practices)`); any other practice not applicable is
/// a row of its own.
fn rows(report: &Report, area: Option<&str>) -> (Vec<Row>, usize) {
    let mut rows = Vec::new();
    let mut practices = 0;
    for a in &report.process_areas {
        if area.is_some_and(|want| want != a.id) {
            continue;
        }
        let of_area: Vec<_> = report
            .practices
            .iter()
            .filter(|p| p.process_area == a.id)
            .collect();
        let reasons: Vec<&String> = of_area
            .iter()
            .filter_map(|p| p.not_applicable.as_ref())
            .collect();
        practices += reasons.len();
        let whole = !of_area.is_empty()
            && reasons.len() == of_area.len()
            && reasons.iter().all(|r| *r == reasons[0]);
        if whole {
            rows.push(Row {
                area: true,
                what: format!("{} (all {})", a.id, plural(of_area.len(), "practice")),
                title: a.title.clone(),
                reason: reasons[0].clone(),
            });
            continue;
        }
        rows.extend(of_area.iter().filter_map(|p| {
            Some(Row {
                area: false,
                what: p.id.clone(),
                title: p.title.clone(),
                reason: p.not_applicable.clone()?,
            })
        }));
    }
    (rows, practices)
}

/// The practices declared not applicable (of one area, or of all), with their reasons
/// (empty when there are none): out of scope, and shown as such.
pub fn not_applicable(report: &Report, output: Output, area: Option<&str>) -> String {
    let (rows, practices) = rows(report, area);
    if rows.is_empty() {
        return String::new();
    }
    let title = format!(
        "Not applicable (out of scope): {}",
        plural(practices, "practice")
    );
    let title = if output.format == Format::Markdown {
        format!("\n## {title}\n\n")
    } else {
        format!("{title}\n")
    };
    let areas = rows.iter().any(|r| r.area);
    let header = [
        if areas {
            "Area or practice"
        } else {
            "Practice"
        },
        "Title",
        "Reason",
    ];
    let cells = rows
        .into_iter()
        .map(|r| {
            vec![
                Cell::from(r.what),
                Cell::from(r.title),
                Cell::from(r.reason),
            ]
        })
        .collect();
    title + &render(output, &header, cells)
}
