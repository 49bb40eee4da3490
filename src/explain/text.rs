//! `practrace list` and `practrace explain` for people (a table, Markdown, plain text) and
//! for tools (JSON).

use std::fmt::Write as _;

use super::{AreaInfo, Explanation, PracticeStatus};
use crate::report::practice::PracticeInfo;
use crate::report::text::{Format, Output, json, render};
use crate::report::{EvidenceReport, Render};
use crate::term::{Cell, terminal_safe};

/// `practrace list`'s rows.
pub struct Listing<'a>(pub &'a [PracticeInfo]);

impl Render<Listing<'_>> for Output {
    type Error = std::io::Error;
    fn render(&self, list: &Listing<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        if self.format == Format::Json {
            return out.write_all(json(list.0).as_bytes());
        }
        let rows = list
            .0
            .iter()
            .map(|p| {
                vec![
                    Cell::from(p.id.as_str()),
                    Cell::from(p.title.as_str()),
                    Cell::from(p.process_area.clone().unwrap_or_else(|| "all".into())),
                    Cell::from(p.level.to_string()),
                    Cell::from(p.common_feature.clone().unwrap_or_else(|| "base".into())),
                    Cell::from(p.scope_text()),
                ]
            })
            .collect();
        let header = ["Practice", "Title", "Area", "Level", "Feature", "Scope"];
        out.write_all(render(*self, &header, rows).as_bytes())
    }
}

impl Render<Explanation> for Output {
    type Error = std::io::Error;
    fn render(&self, e: &Explanation, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        if self.format == Format::Json {
            return out.write_all(json(e).as_bytes());
        }
        let dash = self.style.dash();
        let mut s = match (&e.practice, &e.area) {
            (Some(p), _) => practice_block(e, p, dash),
            (None, Some(a)) => {
                let mut s = format!("{}{dash}{}\n", a.id, a.title);
                for goal in &a.goals {
                    line(&mut s, "Goal", goal);
                }
                s
            }
            (None, None) => String::new(),
        };
        if let Some(rating) = e.area.as_ref().and_then(rating) {
            line(&mut s, "Rating now", &rating);
        }
        s.push('\n');
        let mut s = terminal_safe(&s).into_owned();
        s.push_str(&evidence_section(e, *self));
        out.write_all(s.as_bytes())
    }
}

/// The area's level and target: `PA05 at level 1, target 2`.
fn rating(a: &AreaInfo) -> Option<String> {
    let target = match a.target_level? {
        0 => "target 0 (track only)".to_string(),
        t => format!("target {t}"),
    };
    Some(match a.achieved_level {
        Some(l) => format!("{} at level {l}, {target}", a.id),
        None => format!("{} not rated (no base practice in scope)", a.id),
    })
}

/// `  Label          value` (labels padded to one column).
fn line(s: &mut String, label: &str, value: &str) {
    let _ = writeln!(s, "  {label:<14} {value}");
}

/// The head of a practice's explanation: title, area, level and common feature, scope,
/// description.
fn practice_block(e: &Explanation, p: &PracticeInfo, dash: &str) -> String {
    let mut s = format!("{}{dash}{}\n", p.id, p.title);
    match (&p.process_area, &p.process_area_title) {
        (Some(id), Some(title)) => line(&mut s, "Process area", &format!("{id} {title}")),
        _ => line(
            &mut s,
            "Process area",
            &format!("every one: tag it {}@PAxx for one", p.id),
        ),
    }
    if let Some(a) = &e.area {
        for goal in &a.goals {
            line(&mut s, "Goal", goal);
        }
    }
    line(&mut s, "Counts for", &p.place_text());
    line(&mut s, "Scope", &p.scope_text());
    if let Some(d) = &p.description {
        s.push('\n');
        for l in d.lines() {
            let _ = writeln!(s, "  {l}");
        }
    }
    s
}

/// The evidence now, the table of practices and what is missing, made safe for a
/// terminal.
fn evidence_section(e: &Explanation, output: Output) -> String {
    let Some(scanned) = &e.scanned else {
        return "No repository here: run it in one to see the evidence and what is missing.\n"
            .into();
    };
    let mut s = String::new();
    if e.kind == "practice" {
        let n = e.evidence.len();
        let count = if n == 0 {
            "none".to_string()
        } else {
            n.to_string()
        };
        let _ = writeln!(s, "Evidence now ({scanned}): {count}");
        for ev in &e.evidence {
            let _ = writeln!(s, "  {}", evidence_line(ev));
        }
        s.push_str(&missing(e));
        return terminal_safe(&s).into_owned();
    }
    let _ = writeln!(s, "Evidence now ({scanned}):");
    let mut s = terminal_safe(&s).into_owned();
    s.push_str(&practices_table(e.kind == "generic", &e.practices, output));
    s.push_str(&terminal_safe(&missing(e)));
    s
}

/// One piece of evidence on one line.
fn evidence_line(e: &EvidenceReport) -> String {
    match e {
        EvidenceReport::File {
            path, line, source, ..
        } => match line {
            Some(l) => format!("file    {path}:{l} ({})", source.label()),
            None => format!("file    {path} ({})", source.label()),
        },
        EvidenceReport::Commit {
            commit,
            date,
            subject,
            ..
        } => format!(
            "commit  {} {date} {subject}",
            &commit[..commit.len().min(12)]
        ),
    }
}

fn practices_table(per_area: bool, rows: &[PracticeStatus], output: Output) -> String {
    let title = if per_area { "Area" } else { "Title" };
    let rows = rows
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.id.as_str()),
                Cell::from(r.title.as_str()),
                Cell::from(r.level.to_string()),
                Cell::from(match &r.not_applicable {
                    Some(reason) => format!("n/a: {reason}"),
                    None => "in scope".into(),
                }),
                Cell::from(r.evidence.map_or_else(|| "-".into(), |n| n.to_string())),
            ]
        })
        .collect();
    let output = Output {
        format: Format::Table,
        ..output
    };
    render(
        output,
        &["Practice", title, "Level", "Scope", "Evidence"],
        rows,
    )
}

/// What is missing, and how to add it.
fn missing(e: &Explanation) -> String {
    let Some(first) = e.missing.first() else {
        return match (&e.practice, e.kind.as_str()) {
            (Some(p), "practice") if !p.in_scope => {
                "Missing: nothing (not applicable, so out of scope).\n".into()
            }
            (Some(p), "practice") => format!("Missing: nothing ({} has evidence).\n", p.id),
            (_, "area") => "Missing: nothing (every level is achieved).\n".into(),
            _ => "Missing: nothing (every area in scope has evidence).\n".into(),
        };
    };
    let mut s = match e.kind.as_str() {
        "practice" => "Missing: evidence for it.\n".to_string(),
        "generic" => format!(
            "Missing in {} area(s): {}\n",
            e.missing.len(),
            e.missing.join(", ")
        ),
        _ => format!("Missing {}: {}\n", area_gap_levels(e), e.missing.join(", ")),
    };
    let _ = writeln!(
        s,
        "  Add evidence: `practices: [{first}]` in a document's front matter \
         (`practrace new {first} PATH` starts one), or a `Practice: {first}` trailer \
         in a commit message."
    );
    s
}

/// Which levels an area's missing practices are for: the next level, or up to the target.
fn area_gap_levels(e: &Explanation) -> String {
    let Some(a) = &e.area else {
        return String::new();
    };
    let next = a.achieved_level.unwrap_or(0) + 1;
    match a.target_level {
        Some(t) if t > next => format!("for levels {next} to {t} (the target)"),
        Some(t) if t == next => format!("for level {next} (the target)"),
        _ => format!("for level {next} (the next)"),
    }
}
