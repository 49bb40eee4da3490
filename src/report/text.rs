//! Renderers for people and tools: tables, Markdown and JSON for `status`, `gaps` and
//! `trace`, and compiler-style diagnostics.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use serde::Serialize;

use super::practice::PracticeInfo;
use super::{AreaReport, EvidenceReport, Render, Report};
use crate::diag::{Diagnostic, Severity};

/// An output format for `status`, `gaps` and `trace`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A table for a terminal.
    Table,
    /// JSON.
    Json,
    /// GitHub-flavoured Markdown.
    Markdown,
}

impl Render<Report> for Format {
    type Error = std::io::Error;
    /// `practrace status`.
    fn render(&self, report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        out.write_all(status(report, *self).as_bytes())
    }
}

/// What `practrace gaps` shows: the rows, and (except in JSON) the practices declared not
/// applicable, of every area or of one.
pub struct Gaps<'a> {
    /// The gaps.
    pub rows: Vec<GapRow>,
    /// The report they come from.
    pub report: &'a Report,
    /// The one process area shown (`--pa`), if any.
    pub area: Option<String>,
}

impl Render<Gaps<'_>> for Format {
    type Error = std::io::Error;
    fn render(&self, g: &Gaps<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let area = g.area.as_deref();
        if g.rows.is_empty() && *self == Format::Table {
            let inapplicable = |a: &str| {
                let mut of_area = g.report.practices.iter().filter(|p| p.process_area == a);
                of_area.all(|p| p.not_applicable.is_some())
            };
            let none = match area {
                Some(a) if inapplicable(a) => {
                    format!("no gaps: {a} is not applicable, every practice of it out of scope\n")
                }
                Some(a) => format!("no gaps: {a} has reached its target level\n"),
                None => "no gaps: every process area has reached its target level\n".into(),
            };
            out.write_all(none.as_bytes())?;
        } else {
            out.write_all(gaps(&g.rows, *self).as_bytes())?;
        }
        if *self != Format::Json {
            out.write_all(not_applicable(g.report, *self, area).as_bytes())?;
        }
        Ok(())
    }
}

impl Render<Trace> for Format {
    type Error = std::io::Error;
    /// `practrace trace`.
    fn render(&self, t: &Trace, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        out.write_all(trace(t, *self).as_bytes())
    }
}

fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.to_vec());
    for row in rows {
        t.add_row(row);
    }
    format!("{t}\n")
}

fn markdown(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = format!("| {} |\n", header.join(" | "));
    out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

/// A table (or, in Markdown, a pipe table) with `header` over `rows`.
pub fn render(format: Format, header: &[&str], rows: Vec<Vec<String>>) -> String {
    match format {
        Format::Markdown => markdown(header, rows),
        _ => table(header, rows),
    }
}

impl AreaReport {
    /// Missing practices from the lowest level not achieved up to `up_to` (at least that
    /// lowest level), as `(level, id)`; none for an area that is not rated.
    pub fn gaps(&self, up_to: u8) -> Vec<(u8, &str)> {
        let Some(achieved) = self.achieved_level else {
            return Vec::new();
        };
        let first = achieved + 1;
        let last = up_to.max(first);
        self.levels
            .iter()
            .filter(|l| l.level >= first && l.level <= last)
            .flat_map(|l| l.missing.iter().map(move |p| (l.level, p.as_str())))
            .collect()
    }
}

fn short_list(ids: &[&str], max: usize) -> String {
    let mut s = ids.iter().take(max).copied().collect::<Vec<_>>().join(", ");
    if ids.len() > max {
        s.push_str(&format!(", … (+{})", ids.len() - max));
    }
    s
}

/// `practrace status`.
pub fn status(report: &Report, format: Format) -> String {
    if format == Format::Json {
        return report.to_json();
    }
    let rows = report
        .process_areas
        .iter()
        .map(|a| {
            let gaps = a.gaps(a.target_level);
            let ids: Vec<&str> = gaps.iter().map(|&(_, id)| id).collect();
            vec![
                a.id.clone(),
                a.title.clone(),
                a.achieved_text(),
                a.target_level.to_string(),
                format!(
                    "{}/{}",
                    a.base_practices_evidenced, a.base_practices_in_scope
                ),
                if ids.is_empty() {
                    "-".into()
                } else {
                    short_list(&ids, 3)
                },
            ]
        })
        .collect();
    let mut out = String::new();
    let commit = report.source.commit.as_deref().unwrap_or("(no commit)");
    let what = if report.source.worktree {
        format!("working tree at {commit}")
    } else {
        format!("{} ({commit})", report.source.rev.as_deref().unwrap_or("?"))
    };
    if format == Format::Markdown {
        out.push_str(&format!(
            "# {} — {}\n\n{what}, {} commits read.\n\n",
            report.model.id, report.source.repo, report.source.commits_scanned
        ));
    } else {
        out.push_str(&format!(
            "{} · {} · {what} · {} commits read\n",
            report.model.id, report.source.repo, report.source.commits_scanned
        ));
    }
    out.push_str(&render(
        format,
        &["Area", "Title", "Level", "Target", "BPs evidenced", "Gaps"],
        rows,
    ));
    out.push_str(&not_applicable(report, format, None));
    out.push_str(&summary_line(&report.diagnostics));
    out
}

/// The practices declared not applicable (of one area, or of all), with their reasons
/// (empty when there are none): out of scope, and shown as such.
pub fn not_applicable(report: &Report, format: Format, area: Option<&str>) -> String {
    let rows: Vec<Vec<String>> = report
        .practices
        .iter()
        .filter(|p| area.is_none_or(|a| a == p.process_area))
        .filter_map(|p| {
            let reason = p.not_applicable.as_ref()?;
            Some(vec![p.id.clone(), p.title.clone(), reason.clone()])
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let title = format!("Not applicable (out of scope): {} practice(s)", rows.len());
    let title = if format == Format::Markdown {
        format!("\n## {title}\n\n")
    } else {
        format!("{title}\n")
    };
    title + &render(format, &["Practice", "Title", "Reason"], rows)
}

/// One row of `practrace gaps`.
#[derive(Debug, Clone, Serialize)]
pub struct GapRow {
    /// `PA05`.
    pub process_area: String,
    /// The level the practice is missing for.
    pub level: u8,
    /// The practice.
    pub practice: String,
    /// Its title.
    pub title: String,
}

/// The gaps: per area, from the lowest level not achieved up to `level` (default: the
/// area's target), optionally for one area only.
pub fn gap_rows(report: &Report, level: Option<u8>, area: Option<&str>) -> Vec<GapRow> {
    let mut rows = Vec::new();
    for a in &report.process_areas {
        if area.is_some_and(|want| want != a.id) {
            continue;
        }
        for (l, id) in a.gaps(level.unwrap_or(a.target_level)) {
            let title = report
                .practices
                .iter()
                .find(|p| p.id == id)
                .map(|p| p.title.clone())
                .unwrap_or_default();
            rows.push(GapRow {
                process_area: a.id.clone(),
                level: l,
                practice: id.to_string(),
                title,
            });
        }
    }
    rows
}

/// `practrace gaps`.
pub fn gaps(rows: &[GapRow], format: Format) -> String {
    if format == Format::Json {
        return json(&rows);
    }
    render(
        format,
        &["Area", "Level", "Practice", "Title"],
        rows.iter()
            .map(|r| {
                vec![
                    r.process_area.clone(),
                    r.level.to_string(),
                    r.practice.clone(),
                    r.title.clone(),
                ]
            })
            .collect(),
    )
}

/// What `practrace trace` found for its target.
#[derive(Debug, Clone, Serialize)]
pub struct Trace {
    /// The target as resolved: a canonical practice id, a path or a commit id.
    pub target: String,
    /// `practice`, `file` or `commit`.
    pub kind: String,
    /// The process area (for a practice).
    pub process_area: Option<String>,
    /// The practices linked (for a file or commit).
    pub practices: Vec<String>,
    /// What the model and the configuration say of the practice traced, or of each practice
    /// linked (in the order of `practices`): titles, level, scope and reasons.
    pub practice_details: Vec<PracticeInfo>,
    /// The evidence linked (for a practice), or the commits touching a file, or the files
    /// a commit touched.
    pub evidence: Vec<EvidenceReport>,
}

/// `practrace trace`.
pub fn trace(t: &Trace, format: Format) -> String {
    if format == Format::Json {
        return json(t);
    }
    let mut rows = Vec::new();
    let traced = t.practice_details.first().filter(|_| t.kind == "practice");
    if let Some(area) = &t.process_area {
        let title = traced.and_then(|p| p.process_area_title.clone());
        rows.push(vec![
            "process area".into(),
            area.clone(),
            title.unwrap_or_default(),
        ]);
    }
    if let Some(reason) = traced.and_then(|p| p.not_applicable.as_ref()) {
        rows.push(vec![
            "scope".into(),
            "not applicable".into(),
            reason.clone(),
        ]);
    }
    for p in &t.practices {
        let detail =
            t.practice_details
                .iter()
                .find(|d| d.id == *p)
                .map(|d| match &d.not_applicable {
                    Some(reason) => format!("{} · not applicable: {reason}", d.title),
                    None => d.title.clone(),
                });
        rows.push(vec![
            "practice".into(),
            p.clone(),
            detail.unwrap_or_default(),
        ]);
    }
    rows.extend(t.evidence.iter().map(evidence_row));
    let mut out = match traced {
        Some(p) => format!("{} {} — {}\n", t.kind, t.target, p.title),
        None => format!("{} {}\n", t.kind, t.target),
    };
    out.push_str(&render(format, &["Link", "To", "Detail"], rows));
    out
}

/// One piece of evidence as a row of `trace`: kind, where, detail.
fn evidence_row(e: &EvidenceReport) -> Vec<String> {
    match e {
        EvidenceReport::File {
            path,
            blob,
            line,
            source,
            note,
            freshness,
            ..
        } => {
            let place = match line {
                Some(line) => format!("{path}:{line}"),
                None => path.clone(),
            };
            let mut detail = format!("{blob} · {}", source.label());
            if let Some(note) = note {
                detail.push_str(&format!(" · note: {note}"));
            }
            if let Some(age) = freshness {
                detail.push_str(&format!(
                    " · {} ({})",
                    crate::freshness::age_text(age),
                    age.date
                ));
            }
            vec!["file".into(), place, detail]
        }
        EvidenceReport::Commit {
            commit,
            author,
            date,
            subject,
            freshness,
        } => vec![
            "commit".into(),
            commit.clone(),
            match freshness {
                Some(age) => format!(
                    "{date} {author}: {subject} · {}",
                    crate::freshness::age_text(age)
                ),
                None => format!("{date} {author}: {subject}"),
            },
        ],
    }
}

/// `value` as pretty JSON, with a final newline.
pub fn json<T: Serialize + ?Sized>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

fn summary_line(diagnostics: &[Diagnostic]) -> String {
    let count = |s| diagnostics.iter().filter(|d| d.severity == s).count();
    let (e, w, n) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note),
    );
    if e + w + n == 0 {
        return String::new();
    }
    format!("{e} errors, {w} warnings, {n} notes (run with --format json for all of them)\n")
}

/// Diagnostics the way compilers print them: `path:line:col: error[code]: message`.
pub fn diagnostics(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let severity = d.severity.as_str();
        let place = match (&d.path, &d.commit) {
            (Some(p), _) => p.clone(),
            (None, Some(c)) => format!("commit {}", &c[..c.len().min(12)]),
            (None, None) => String::new(),
        };
        let position = match (d.line, d.column) {
            (Some(l), Some(c)) => format!(":{l}:{c}"),
            (Some(l), None) => format!(":{l}"),
            _ => String::new(),
        };
        let lead = if place.is_empty() {
            String::new()
        } else {
            format!("{place}{position}: ")
        };
        out.push_str(&format!("{lead}{severity}[{}]: {}\n", d.code, d.message));
        if let Some(s) = &d.suggestion {
            out.push_str(&format!("  help: {s}\n"));
        }
    }
    out
}
