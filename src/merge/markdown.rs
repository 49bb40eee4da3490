//! The roll-up as GitHub-flavoured Markdown: the heat map of repositories × process areas
//! (a sign and achieved / target per cell) with the totals per area below it, then a table
//! of every repository's stamp, numbered as the heat map's rows. Text from the reports is
//! escaped as in the evidence matrix's Markdown.

use std::fmt::Write as _;

use super::{AreaCell, AreaState, AreaTotal, Rollup};
use crate::matrix::markdown::escape;

/// One row of a table, its cells already escaped.
fn row(out: &mut String, cells: &[String]) {
    let _ = writeln!(out, "| {} |", cells.join(" | "));
}

/// A cell of the heat map: `✓ 1/1`, `✗ 0/1`, `~ 2/0` (tracked only) or `n/a`.
fn mark(cell: &AreaCell) -> String {
    let sign = match cell.state {
        AreaState::Meets => "✓",
        AreaState::Below => "✗",
        AreaState::TrackOnly => "~",
        AreaState::NotRated => return "n/a".into(),
    };
    format!("{sign} {}", cell.text())
}

fn short(commit: Option<&str>) -> String {
    commit.map_or_else(
        || "(none)".into(),
        |c| format!("`{}`", &c[..c.len().min(12)]),
    )
}

/// Renders the roll-up as Markdown.
pub fn render(rollup: &Rollup) -> String {
    let mut out = String::new();
    let m = &rollup.model;
    let _ = writeln!(out, "# Organisation roll-up — {}\n", escape(&m.title));
    let _ = writeln!(
        out,
        "- **Model:** {} (digest {})",
        escape(&m.id),
        escape(&m.digest)
    );
    let _ = writeln!(
        out,
        "- **Reports:** {}, merged by {} {}",
        rollup.repositories.len(),
        rollup.tool.name,
        rollup.tool.version
    );
    heat_map(&mut out, rollup);
    stamps(&mut out, rollup);
    out
}

/// The heat map and the totals.
fn heat_map(out: &mut String, rollup: &Rollup) {
    out.push_str("\n## Capability levels: achieved / target\n\n");
    out.push_str(
        "✓ meets the target · ✗ below the target · ~ target 0, tracked only · n/a not rated\n\n",
    );
    let mut header: Vec<String> = vec!["#".into(), "Repository".into(), "Commit".into()];
    header.extend(rollup.process_areas.iter().map(|a| escape(&a.id)));
    row(out, &header);
    let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
    for (i, r) in rollup.repositories.iter().enumerate() {
        let mut cells = vec![
            (i + 1).to_string(),
            escape(&r.repository),
            short(r.commit.as_deref()),
        ];
        cells.extend(r.areas.iter().map(mark));
        row(out, &cells);
    }
    let totals = [
        (
            "**Meet the target**",
            totals(rollup, AreaTotal::meeting_text),
        ),
        ("**Mean level**", totals(rollup, AreaTotal::mean_text)),
        ("**Not rated**", totals(rollup, |t| t.not_rated.to_string())),
    ];
    for (label, values) in totals {
        let mut cells = vec![String::new(), label.to_string(), String::new()];
        cells.extend(values);
        row(out, &cells);
    }
}

/// One total of every area, as text.
fn totals(rollup: &Rollup, value: impl Fn(&AreaTotal) -> String) -> Vec<String> {
    rollup.totals.iter().map(value).collect()
}

/// Each repository's stamp.
fn stamps(out: &mut String, rollup: &Rollup) {
    out.push_str("\n## Repositories\n\n");
    let header = [
        "#",
        "Repository",
        "Report file",
        "Revision",
        "Commit",
        "Commit date",
        "Configuration",
        "Tool",
        "Evidence",
        "Diagnostics",
    ];
    row(out, &header.map(String::from));
    let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
    for (i, r) in rollup.repositories.iter().enumerate() {
        let duplicate = if r.duplicate {
            " (same repository and commit as another report)"
        } else {
            ""
        };
        row(
            out,
            &[
                (i + 1).to_string(),
                format!("{}{duplicate}", escape(&r.repository)),
                escape(&r.file),
                escape(r.revision.as_deref().unwrap_or("working tree")),
                short(r.commit.as_deref()),
                escape(r.commit_date.as_deref().unwrap_or("")),
                escape(&r.config.text()),
                format!("practrace {}", escape(&r.tool_version)),
                format!("{} files, {} commits", r.evidence_files, r.evidence_commits),
                format!("{} errors, {} warnings", r.errors, r.warnings),
            ],
        );
    }
}

/// Writes the roll-up as Markdown.
pub fn write(rollup: &Rollup, out: &mut dyn std::io::Write) -> Result<(), super::MergeError> {
    out.write_all(render(rollup).as_bytes())?;
    Ok(())
}
