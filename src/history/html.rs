//! The history as one self-contained HTML page: a heat strip of levels over time (a row
//! per process area, a cell per point) and small line charts of the evidence counts, both
//! inline SVG drawn here, then a table of the points. No script; nothing fetched.
//!
//! The template is `templates/history.html` (minijinja, built into the binary); its name
//! ends in `.html`, so every value is escaped for HTML. The geometry is computed here, so
//! the template only places what it is given.

use minijinja::{Environment, UndefinedBehavior, context};
use serde::Serialize;

use super::{History, HistoryError, Point};
use crate::report::AreaReport;

const TEMPLATE: &str = include_str!("../../templates/history.html");

/// Height of a row of the heat strip, and room for the labels around it.
const ROW: f64 = 20.0;
const LEFT: f64 = 56.0;
const TOP: f64 = 8.0;
const BOTTOM: f64 = 64.0;
/// The width the cells share, and the bounds of one cell's width.
const STRIP: f64 = 960.0;
const MIN_CELL: f64 = 6.0;
const MAX_CELL: f64 = 56.0;
/// One chart's size, and its margins.
const CHART_W: f64 = 340.0;
const CHART_H: f64 = 170.0;
const PAD_L: f64 = 48.0;
const PAD_R: f64 = 32.0;
const PAD_T: f64 = 26.0;
const PAD_B: f64 = 36.0;

/// A number for an SVG attribute: one decimal at most.
fn n(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0")
        .map_or_else(|| s.clone(), str::to_string)
}

#[derive(Serialize)]
struct Cell {
    x: String,
    y: String,
    w: String,
    h: String,
    /// `l0`…`l5`, or `na`.
    class: String,
    /// Below its target: a red bar under the cell.
    below: bool,
    bar_y: String,
    /// The level, when the cell is wide enough to show it.
    text: String,
    text_x: String,
    text_y: String,
    title: String,
}

#[derive(Serialize)]
struct Label {
    x: String,
    y: String,
    text: String,
    title: String,
}

#[derive(Serialize)]
struct Heat {
    width: String,
    height: String,
    cells: Vec<Cell>,
    rows: Vec<Label>,
    columns: Vec<Label>,
}

#[derive(Serialize)]
struct Chart {
    title: String,
    width: String,
    height: String,
    /// The plot area's frame.
    x0: String,
    x1: String,
    y0: String,
    y1: String,
    line: String,
    dots: Vec<Label>,
    ticks: Vec<Label>,
    columns: Vec<Label>,
}

/// The heat strip: a row per area of the newest point (model order), a column per point.
fn heat(history: &History) -> Heat {
    let points = &history.points;
    let areas: Vec<(&str, &str)> = points
        .last()
        .map(|p| {
            p.process_areas
                .iter()
                .map(|a| (a.id.as_str(), a.title.as_str()))
                .collect()
        })
        .unwrap_or_default();
    let cell = (STRIP / points.len().max(1) as f64).clamp(MIN_CELL, MAX_CELL);
    let mut cells = Vec::new();
    for (i, p) in points.iter().enumerate() {
        let x = LEFT + i as f64 * cell;
        for (row, (id, _)) in areas.iter().enumerate() {
            let y = TOP + row as f64 * ROW;
            let area = p.process_areas.iter().find(|a| a.id == *id);
            cells.push(heat_cell(p, id, area, (x, y, cell)));
        }
    }
    let rows = areas
        .iter()
        .enumerate()
        .map(|(row, (id, title))| Label {
            x: n(LEFT - 6.0),
            y: n(TOP + row as f64 * ROW + ROW * 0.7),
            text: (*id).to_string(),
            title: (*title).to_string(),
        })
        .collect();
    let bottom = TOP + areas.len() as f64 * ROW;
    let x_of = |i: usize| LEFT + (i as f64 + 0.5) * cell;
    let columns = column_labels(points, x_of, bottom + 12.0, (cell, 16.0));
    Heat {
        width: n(LEFT + points.len() as f64 * cell + 40.0),
        height: n(bottom + BOTTOM),
        cells,
        rows,
        columns,
    }
}

/// One cell of the heat strip.
fn heat_cell(p: &Point, id: &str, area: Option<&AreaReport>, (x, y, w): (f64, f64, f64)) -> Cell {
    let h = ROW - 2.0;
    let (class, text, title) = match area {
        Some(a) => match a.achieved_level {
            Some(level) => (
                format!("l{}", level.min(5)),
                level.to_string(),
                format!(
                    "{id} at {} ({}): level {level} of target {}",
                    p.label,
                    short(&p.commit),
                    a.target_level
                ),
            ),
            None => (
                "na".to_string(),
                String::new(),
                format!("{id} at {} ({}): not rated", p.label, short(&p.commit)),
            ),
        },
        None => (
            "na".to_string(),
            String::new(),
            format!("{id} at {}: not in this point's model", p.label),
        ),
    };
    Cell {
        x: n(x + 1.0),
        y: n(y + 1.0),
        w: n((w - 2.0).max(1.0)),
        h: n(h),
        class,
        below: area.is_some_and(|a| a.achieved_level.is_some_and(|l| l < a.target_level)),
        bar_y: n(y + h - 2.0),
        text: if w >= 14.0 { text } else { String::new() },
        text_x: n(x + w / 2.0),
        text_y: n(y + ROW * 0.7),
        title,
    }
}

/// Labels under the columns `spacing` px apart, thinned out so that they do not overlap
/// (each needs `needed` px); the last is always shown.
fn column_labels(
    points: &[Point],
    x_of: impl Fn(usize) -> f64,
    y: f64,
    (spacing, needed): (f64, f64),
) -> Vec<Label> {
    let every = (needed / spacing.max(1.0)).ceil().max(1.0) as usize;
    let last = points.len().saturating_sub(1);
    points
        .iter()
        .enumerate()
        .filter(|(i, _)| *i == last || (i % every == 0 && last - i >= every))
        .map(|(i, p)| Label {
            x: n(x_of(i)),
            y: n(y),
            text: p.label.clone(),
            title: format!("{} {}", short(&p.commit), p.date),
        })
        .collect()
}

/// A small line chart of one count over the points.
fn chart(history: &History, title: &str, value: impl Fn(&Point) -> usize) -> Chart {
    let points = &history.points;
    let values: Vec<usize> = points.iter().map(&value).collect();
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let (x0, x1) = (PAD_L, CHART_W - PAD_R);
    let (y0, y1) = (PAD_T, CHART_H - PAD_B);
    let step = if points.len() > 1 {
        (x1 - x0) / (points.len() - 1) as f64
    } else {
        0.0
    };
    let x_of = |i: usize| {
        if points.len() > 1 {
            x0 + i as f64 * step
        } else {
            (x0 + x1) / 2.0
        }
    };
    let y_of = |v: usize| y1 - (v as f64 / max as f64) * (y1 - y0);
    let line = values
        .iter()
        .enumerate()
        .map(|(i, &v)| format!("{},{}", n(x_of(i)), n(y_of(v))))
        .collect::<Vec<_>>()
        .join(" ");
    let dots = values
        .iter()
        .zip(points)
        .enumerate()
        .map(|(i, (&v, p))| Label {
            x: n(x_of(i)),
            y: n(y_of(v)),
            text: v.to_string(),
            title: format!(
                "{} ({}): {v} {}",
                p.label,
                short(&p.commit),
                title.to_lowercase()
            ),
        })
        .collect();
    let ticks = [0, max / 2, max]
        .into_iter()
        .map(|v| Label {
            x: n(x0 - 6.0),
            y: n(y_of(v) + 4.0),
            text: v.to_string(),
            title: String::new(),
        })
        .collect();
    let spacing = if points.len() > 1 { step } else { x1 - x0 };
    Chart {
        title: title.to_string(),
        width: n(CHART_W),
        height: n(CHART_H),
        x0: n(x0),
        x1: n(x1),
        y0: n(y0),
        y1: n(y1),
        line,
        dots,
        ticks,
        columns: column_labels(points, x_of, y1 + 14.0, (spacing, 64.0)),
    }
}

/// The first 12 hex digits of a commit id.
fn short(commit: &str) -> String {
    commit.chars().take(12).collect()
}

/// The stamp: what the page describes.
fn stamp(history: &History) -> Vec<(String, String)> {
    let mut out = vec![
        ("Repository".to_string(), history.source.repo.clone()),
        (
            "Tip".to_string(),
            format!("{} at {}", history.source.rev, history.source.commit),
        ),
    ];
    if let (Some(every), Some(since), Some(until)) =
        (&history.every, &history.since, &history.until)
    {
        out.push((
            "Points".to_string(),
            format!("every {every}, {since} to {until}"),
        ));
    } else {
        out.push(("Points".to_string(), "the revisions given".to_string()));
    }
    if let Some(p) = history.points.last() {
        out.push((
            "Model".to_string(),
            format!("{} ({})", p.model.title, p.model.id),
        ));
    }
    out.push((
        "Tool".to_string(),
        format!("{} {}", history.tool.name, history.tool.version),
    ));
    out
}

/// Renders the history as HTML.
pub fn render(history: &History) -> Result<String, HistoryError> {
    let template_error = |e: minijinja::Error| HistoryError::Template(format!("{e:#}"));
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_template("palette.css", crate::matrix::html::PALETTE)
        .map_err(template_error)?;
    env.add_template("history.html", TEMPLATE)
        .map_err(template_error)?;
    let template = env.get_template("history.html").map_err(template_error)?;
    let charts = [
        chart(history, "Practices evidenced", |p| p.practices_evidenced),
        chart(history, "Evidence files", |p| p.evidence.files),
        chart(history, "Evidence commits", |p| p.evidence.commits),
    ];
    template
        .render(context! {
            h => minijinja::value::Serde(history),
            stamp => minijinja::value::Serde(stamp(history)),
            heat => minijinja::value::Serde(heat(history)),
            charts => minijinja::value::Serde(charts),
        })
        .map_err(template_error)
}
