//! Renderers for people and tools: tables, Markdown and JSON for `status`, `gaps` and
//! `trace`, and compiler-style diagnostics. Tables are drawn for the terminal's
//! [`Style`] (colour, width, borders); Markdown and JSON ignore it.

use serde::Serialize;

use super::practice::PracticeInfo;
use super::{AreaReport, EvidenceReport, Render, Report};
use crate::diag::{Diagnostic, Severity};
use crate::term::{Cell, Paint, Style, plural, terminal_safe};

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

/// A format and the terminal its tables are drawn for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Output {
    /// The format.
    pub format: Format,
    /// Colour, width and borders of tables and text (Markdown and JSON ignore it).
    pub style: Style,
}

impl Output {
    /// `format` with no colour, no width, UTF-8 borders (files and tests).
    pub fn plain(format: Format) -> Output {
        Output {
            format,
            style: Style::PLAIN,
        }
    }
}

/// What `practrace status` shows: the report, and the repository's name for its header.
pub struct Status<'a> {
    /// The report.
    pub report: &'a Report,
    /// The repository's folder name (the report's `source.repo` is the path as given).
    pub repository: &'a str,
}

impl Render<Status<'_>> for Output {
    type Error = std::io::Error;
    /// `practrace status`.
    fn render(&self, s: &Status<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        out.write_all(status(s, *self).as_bytes())
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

impl Render<Gaps<'_>> for Output {
    type Error = std::io::Error;
    fn render(&self, g: &Gaps<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let area = g.area.as_deref();
        if g.rows.is_empty() && self.format == Format::Table {
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
        if self.format != Format::Json {
            let section = super::scope::not_applicable(g.report, *self, area);
            out.write_all(section.as_bytes())?;
        }
        Ok(())
    }
}

impl Render<Trace> for Output {
    type Error = std::io::Error;
    /// `practrace trace`.
    fn render(&self, t: &Trace, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        out.write_all(trace(t, *self).as_bytes())
    }
}

fn markdown(header: &[&str], rows: Vec<Vec<Cell>>) -> String {
    let cell = |s: &str| terminal_safe(s).replace('|', "\\|").replace('\n', " ");
    let mut out = format!("| {} |\n", header.join(" | "));
    out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| cell(&c.text)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

/// A table drawn for `output`'s terminal (or, in Markdown, a pipe table) with `header`
/// over `rows`; every cell made safe for a terminal.
pub fn render(output: Output, header: &[&str], rows: Vec<Vec<Cell>>) -> String {
    match output.format {
        Format::Markdown => markdown(header, rows),
        _ => crate::term::table(header, rows, &output.style),
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
        self.missing_between(first, up_to.max(first))
    }

    /// Missing practices of the levels above the one achieved up to the target, as
    /// `(level, id)`: none once the target is reached, for a track-only area (target 0),
    /// or for an area that is not rated.
    pub fn gaps_to_target(&self) -> Vec<(u8, &str)> {
        match self.achieved_level {
            Some(achieved) => self.missing_between(achieved + 1, self.target_level),
            None => Vec::new(),
        }
    }

    fn missing_between(&self, first: u8, last: u8) -> Vec<(u8, &str)> {
        self.levels
            .iter()
            .filter(|l| l.level >= first && l.level <= last)
            .flat_map(|l| l.missing.iter().map(move |p| (l.level, p.as_str())))
            .collect()
    }

    /// The achieved level as a cell: green when it meets the target, red below it, plain
    /// for an area that is not rated.
    fn level_cell(&self) -> Cell {
        match self.achieved_level {
            Some(l) if l >= self.target_level => Cell::painted(l.to_string(), Paint::Met),
            Some(l) => Cell::painted(l.to_string(), Paint::Below),
            None => Cell::from(self.achieved_text()),
        }
    }
}

fn short_list(ids: &[&str], max: usize, ellipsis: &str) -> String {
    let mut s = ids.iter().take(max).copied().collect::<Vec<_>>().join(", ");
    if ids.len() > max {
        s.push_str(&format!(", {ellipsis} (+{})", ids.len() - max));
    }
    s
}

/// `practrace status`: a header naming the model, the repository and what was scanned,
/// the table of areas, and the practices not applicable; in Markdown, the count of
/// diagnostics too (a table leaves them, and their count, to [`diagnostics`]).
pub fn status(s: &Status<'_>, output: Output) -> String {
    let report = s.report;
    if output.format == Format::Json {
        return report.to_json();
    }
    let ellipsis = output.style.ellipsis();
    let rows = report
        .process_areas
        .iter()
        .map(|a| {
            let ids: Vec<&str> = a.gaps_to_target().iter().map(|&(_, id)| id).collect();
            vec![
                Cell::from(a.id.as_str()),
                Cell::from(a.title.as_str()),
                a.level_cell(),
                Cell::from(a.target_level.to_string()),
                Cell::from(format!(
                    "{}/{}",
                    a.base_practices_evidenced, a.base_practices_in_scope
                )),
                Cell::from(if ids.is_empty() {
                    "-".into()
                } else {
                    short_list(&ids, 3, ellipsis)
                }),
            ]
        })
        .collect();
    let mut out = header(s, output);
    out.push_str(&render(
        output,
        &["Area", "Title", "Level", "Target", "BPs evidenced", "Gaps"],
        rows,
    ));
    out.push_str(&super::scope::not_applicable(report, output, None));
    if output.format == Format::Markdown && !report.diagnostics.is_empty() {
        out.push_str(&format!(
            "\n{} (run with --format json for all of them)\n",
            summary(&report.diagnostics)
        ));
    }
    out
}

/// The line above the status table: model, repository (by its folder's name), what was
/// scanned (the commit in short; Markdown, a document, gives it whole) and how many
/// commits were read.
fn header(s: &Status<'_>, output: Output) -> String {
    let source = &s.report.source;
    let commit = source.commit.as_deref().unwrap_or("(no commit)");
    let markdown = output.format == Format::Markdown;
    let commit = if markdown {
        commit
    } else {
        &commit[..commit.len().min(12)]
    };
    let what = if source.worktree {
        format!("working tree at {commit}")
    } else {
        format!("{} ({commit})", source.rev.as_deref().unwrap_or("?"))
    };
    let (model, repo) = (&s.report.model.id, s.repository);
    let read = plural(source.commits_scanned, "commit") + " read";
    let line = if markdown {
        format!("# {model} — {repo}\n\n{what}, {read}.\n\n")
    } else {
        let sep = output.style.separator();
        format!("{model}{sep}{repo}{sep}{what}{sep}{read}\n")
    };
    terminal_safe(&line).into_owned()
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
pub fn gaps(rows: &[GapRow], output: Output) -> String {
    if output.format == Format::Json {
        return json(&rows);
    }
    render(
        output,
        &["Area", "Level", "Practice", "Title"],
        rows.iter()
            .map(|r| {
                vec![
                    Cell::from(r.process_area.as_str()),
                    Cell::from(r.level.to_string()),
                    Cell::from(r.practice.as_str()),
                    Cell::from(r.title.as_str()),
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
pub fn trace(t: &Trace, output: Output) -> String {
    if output.format == Format::Json {
        return json(t);
    }
    let sep = output.style.separator();
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let traced = t.practice_details.first().filter(|_| t.kind == "practice");
    if let Some(area) = &t.process_area {
        let title = traced.and_then(|p| p.process_area_title.clone());
        rows.push(vec![
            "process area".into(),
            area.as_str().into(),
            title.unwrap_or_default().into(),
        ]);
    }
    if let Some(reason) = traced.and_then(|p| p.not_applicable.as_ref()) {
        rows.push(vec![
            "scope".into(),
            "not applicable".into(),
            reason.as_str().into(),
        ]);
    }
    for p in &t.practices {
        let detail =
            t.practice_details
                .iter()
                .find(|d| d.id == *p)
                .map(|d| match &d.not_applicable {
                    Some(reason) => format!("{}{sep}not applicable: {reason}", d.title),
                    None => d.title.clone(),
                });
        rows.push(vec![
            "practice".into(),
            p.as_str().into(),
            detail.unwrap_or_default().into(),
        ]);
    }
    // A table gives object ids in short, as `git log --oneline` does; Markdown, a document,
    // gives them whole.
    let id_len = if output.format == Format::Markdown {
        usize::MAX
    } else {
        12
    };
    rows.extend(t.evidence.iter().map(|e| evidence_row(e, sep, id_len)));
    let dash = output.style.dash();
    let head = match traced {
        Some(p) => format!("{} {}{dash}{}\n", t.kind, t.target, p.title),
        None => format!("{} {}\n", t.kind, t.target),
    };
    let mut out = terminal_safe(&head).into_owned();
    out.push_str(&render(output, &["Link", "To", "Detail"], rows));
    out
}

/// One piece of evidence as a row of `trace`: kind, where, detail (parts joined by `sep`,
/// object ids cut to `id_len`).
fn evidence_row(e: &EvidenceReport, sep: &str, id_len: usize) -> Vec<Cell> {
    let short = |id: &str| id.chars().take(id_len).collect::<String>();
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
            let mut detail = format!("{}{sep}{}", short(blob), source.label());
            if let Some(note) = note {
                detail.push_str(&format!("{sep}note: {note}"));
            }
            if let Some(age) = freshness {
                detail.push_str(&format!(
                    "{sep}{} ({})",
                    crate::freshness::age_text(age),
                    age.date
                ));
            }
            vec!["file".into(), place.into(), detail.into()]
        }
        EvidenceReport::Commit {
            commit,
            author,
            date,
            subject,
            freshness,
        } => vec![
            "commit".into(),
            short(commit).into(),
            match freshness {
                Some(age) => format!(
                    "{date} {author}: {subject}{sep}{}",
                    crate::freshness::age_text(age)
                ),
                None => format!("{date} {author}: {subject}"),
            }
            .into(),
        ],
    }
}

/// `value` as pretty JSON, with a final newline.
pub fn json<T: Serialize + ?Sized>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

/// `7 errors, 1 warning, 0 notes`.
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let count = |s| diagnostics.iter().filter(|d| d.severity == s).count();
    format!(
        "{}, {}, {}",
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        plural(count(Severity::Note), "note")
    )
}

/// A severity's name in its colour.
pub fn severity(severity: Severity, style: &Style) -> String {
    let paint = match severity {
        Severity::Error => Paint::Error,
        Severity::Warning => Paint::Warning,
        Severity::Note => Paint::Note,
    };
    style.paint(severity.as_str(), paint)
}

/// Diagnostics the way compilers print them, `path:line:col: error[code]: message`, the
/// severity in its colour, then the summary line (`1 error, 2 warnings, 0 notes`) after
/// them; empty when there are none. Text from the repository is made safe here.
pub fn diagnostics(diagnostics: &[Diagnostic], style: &Style) -> String {
    let mut out = String::new();
    for d in diagnostics {
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
            terminal_safe(&format!("{place}{position}: ")).into_owned()
        };
        out.push_str(&format!(
            "{lead}{}[{}]: {}\n",
            severity(d.severity, style),
            d.code,
            terminal_safe(&d.message)
        ));
        if let Some(s) = &d.suggestion {
            out.push_str(&format!("  help: {}\n", terminal_safe(s)));
        }
    }
    if !diagnostics.is_empty() {
        out.push_str(&summary(diagnostics));
        out.push('\n');
    }
    out
}
