//! Renderers of a [`CheckReport`]: compiler-style text with source snippets, GitHub
//! workflow commands, SARIF 2.1.0 (what GitHub code scanning accepts) and JSON.

use std::fmt::Write as _;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde_json::{Value, json};

use super::{CheckReport, Finding};
use crate::diag::{Code, Severity};
use crate::term::{Style, plural, terminal_safe};

/// A printer of a [`CheckReport`], one per `check --format`.
pub enum Printer<'a> {
    /// Compiler-style text for a terminal of this style; the closure gives a finding's
    /// source line, for its snippet.
    Text(&'a dyn Fn(&Finding) -> Option<String>, Style),
    /// GitHub Actions workflow commands.
    Github,
    /// SARIF 2.1.0.
    Sarif,
    /// The check report as JSON.
    Json,
}

impl crate::report::Render<CheckReport> for Printer<'_> {
    type Error = std::io::Error;
    fn render(&self, report: &CheckReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let text = match self {
            Printer::Text(source_line, style) => text(report, source_line, style),
            Printer::Github => github(report),
            Printer::Sarif => sarif(report),
            Printer::Json => json(report),
        };
        out.write_all(text.as_bytes())
    }
}

/// The verdict line every text output ends with.
fn verdict(report: &CheckReport) -> String {
    let s = &report.summary;
    let mut line = if report.passed {
        "check passed".to_string()
    } else {
        let fail = if s.failing == 1 { "fails" } else { "fail" };
        format!("check failed: {} {fail}", plural(s.failing, "finding"))
    };
    let _ = write!(
        line,
        " ({}, {}, {}",
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.notes, "note")
    );
    if s.baselined > 0 {
        let _ = write!(line, ", {} accepted by the baseline", s.baselined);
    }
    if s.in_base > 0 {
        let _ = write!(line, ", {} already in base", s.in_base);
    }
    line.push(')');
    line
}

/// Compiler-style text: `path:line:col: error[code]: message`, then the source line with the
/// place marked when `source_line` can give it, and `help:` with the suggestion; the
/// severities in colour when `style` has it, text from the repository made safe. Findings
/// the baseline accepts are counted, not shown (the other formats list them).
pub fn text(
    report: &CheckReport,
    source_line: &dyn Fn(&Finding) -> Option<String>,
    style: &Style,
) -> String {
    let renderer = if style.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    if let Some(base) = &report.base {
        let line = format!(
            "comparing {} ({}) with {} ({})",
            report.head.rev.as_deref().unwrap_or("the working tree"),
            short(report.head.commit.as_deref()),
            base.rev.as_deref().unwrap_or("?"),
            short(base.commit.as_deref())
        );
        let _ = writeln!(out, "{}", terminal_safe(&line));
    }
    for f in report.findings.iter().filter(|f| !f.baselined) {
        let place = f.place();
        let lead = if place.is_empty() {
            String::new()
        } else {
            format!("{}: ", terminal_safe(&place))
        };
        let tag = match f.introduced {
            _ if f.diagnostic.severity == Severity::Note => "",
            Some(true) => " (new)",
            Some(false) => " (in base)",
            None => "",
        };
        let _ = writeln!(
            out,
            "{lead}{}[{}]: {}{tag}",
            crate::report::text::severity(f.diagnostic.severity, style),
            f.diagnostic.code,
            terminal_safe(&f.diagnostic.message)
        );
        if let (Some(line_text), Some(line), Some(column)) =
            (source_line(f), f.diagnostic.line, f.diagnostic.column)
        {
            out.push_str(&snippet(f, &line_text, line, column, &renderer));
        }
        if let Some(s) = &f.diagnostic.suggestion {
            let _ = writeln!(out, "  help: {}", terminal_safe(s));
        }
    }
    if report.summary.baselined > 0 {
        let _ = writeln!(
            out,
            "{} accepted by the baseline, not shown (--format json lists them)",
            plural(report.summary.baselined, "finding")
        );
    }
    let _ = writeln!(out, "{}", verdict(report));
    out
}

/// The source line of a finding with its place marked (annotate-snippets), the line made
/// safe first: the mark moves with the escapes before it.
fn snippet(f: &Finding, line_text: &str, line: u32, column: u32, renderer: &Renderer) -> String {
    let start = line_text
        .char_indices()
        .nth(column.saturating_sub(1) as usize)
        .map_or(line_text.len(), |(i, _)| i);
    let end = line_text[start..]
        .find([',', ' ', ']', '\t'])
        .map_or(line_text.len(), |n| start + n)
        .max((start + 1).min(line_text.len()));
    let end = (end..=line_text.len())
        .find(|&i| line_text.is_char_boundary(i))
        .unwrap_or(line_text.len());
    // A tab is drawn as four spaces, as the snippet renderer draws it.
    let clean = |s: &str| terminal_safe(&s.replace('\t', "    ")).into_owned();
    let (before, marked) = (clean(&line_text[..start]), clean(&line_text[start..end]));
    let safe = format!("{before}{marked}{}", clean(&line_text[end..]));
    let span = before.len()..before.len() + marked.len();
    let level = match f.diagnostic.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    };
    let group = Group::with_level(level).element(
        Snippet::source(safe.as_str())
            .line_start(line as usize)
            .annotation(
                AnnotationKind::Primary
                    .span(span)
                    .label(f.diagnostic.code.as_str()),
            ),
    );
    let mut out = String::new();
    for l in renderer.render(&[group]).lines() {
        let _ = writeln!(out, "{l}");
    }
    out
}

fn short(commit: Option<&str>) -> &str {
    commit.map_or("no commit", |c| &c[..c.len().min(12)])
}

/// Escapes a workflow command's message (`%`, CR, LF).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value (also `:` and `,`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`, one
/// per finding that is not a note, then the verdict as a plain line.
pub fn github(report: &CheckReport) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let command = match f.diagnostic.severity {
            Severity::Error if f.fails && !f.baselined => "error",
            Severity::Error | Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut props = Vec::new();
        if let Some(p) = &f.diagnostic.path {
            props.push(format!("file={}", escape_property(p)));
            if let Some(l) = f.diagnostic.line {
                props.push(format!("line={l}"));
            }
            if let Some(c) = f.diagnostic.column {
                props.push(format!("col={c}"));
            }
        }
        props.push(format!(
            "title={}",
            escape_property(f.diagnostic.code.as_str())
        ));
        let mut message = f.diagnostic.message.clone();
        if f.diagnostic.path.is_none()
            && let Some(c) = &f.diagnostic.commit
        {
            message = format!("commit {}: {message}", &c[..c.len().min(12)]);
        }
        if f.introduced == Some(false) && f.diagnostic.severity != Severity::Note {
            message.push_str(" (already in base: not introduced by this change)");
        }
        if let Some(s) = &f.diagnostic.suggestion {
            message = format!("{message}\nhelp: {s}");
        }
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            props.join(","),
            escape_data(&message)
        );
    }
    let _ = writeln!(out, "{}", verdict(report));
    out
}

/// One SARIF result: rule, level, message, fingerprint, location and baseline state.
fn sarif_result(f: &Finding, codes: &[Code]) -> Value {
    let level = match f.diagnostic.severity {
        Severity::Error if f.fails && !f.baselined => "error",
        Severity::Error | Severity::Warning => "warning",
        Severity::Note => "note",
    };
    let mut text = f.diagnostic.message.clone();
    if f.diagnostic.path.is_none()
        && let Some(c) = &f.diagnostic.commit
    {
        text = format!("commit {c}: {text}");
    }
    if let Some(s) = &f.diagnostic.suggestion {
        text = format!("{text} (help: {s})");
    }
    let rule = f.diagnostic.code.rule();
    let mut result = json!({
        "ruleId": rule.id,
        "ruleIndex": codes
            .binary_search_by_key(&rule.id, |c| c.rule().id)
            .unwrap_or(0),
        "level": level,
        "message": {"text": text},
        "partialFingerprints": {"practrace/v1": f.fingerprint},
    });
    result["locations"] = json!([{ "physicalLocation": sarif_location(f) }]);
    if f.baselined || f.introduced == Some(false) {
        result["baselineState"] = json!("unchanged");
    } else if f.introduced == Some(true) {
        result["baselineState"] = json!("new");
    }
    result
}

/// Where a SARIF result is. GitHub code scanning refuses a result without a location:
/// findings about a commit or the whole repository are placed on the configuration file,
/// the file that sets the policy (whether it exists or not). Every location has a region
/// (GitHub's rules and SARIF2017 ask for one): the line and column when the finding has
/// them, else line 1 — the start of the file, for a finding about a whole file.
fn sarif_location(f: &Finding) -> Value {
    let path = f
        .diagnostic
        .path
        .as_deref()
        .unwrap_or(crate::config::FILE_NAME);
    let line = f
        .diagnostic
        .line
        .filter(|&l| l > 0 && f.diagnostic.path.is_some());
    let mut region = serde_json::Map::new();
    region.insert("startLine".into(), json!(line.unwrap_or(1)));
    if line.is_some()
        && let Some(c) = f.diagnostic.column.filter(|&c| c > 0)
    {
        region.insert("startColumn".into(), json!(c));
    }
    json!({
        "artifactLocation": {"uri": uri_path(path), "uriBaseId": "%SRCROOT%"},
        "region": region,
    })
}

/// Where to learn about practrace (the SARIF driver's `informationUri`): the package's
/// `homepage`, else its `repository` (Cargo.toml), else the crate's documentation where
/// docs.rs puts it once the crate is published (crates.io links there when no
/// `documentation` is set). practrace has no public page yet; setting either field wins.
fn information_uri() -> String {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty())
        .map_or_else(
            || {
                format!(
                    "https://docs.rs/{}/{}",
                    env!("CARGO_PKG_NAME"),
                    env!("CARGO_PKG_VERSION")
                )
            },
            str::to_string,
        )
}

/// A code as a SARIF rule (`reportingDescriptor`): the opaque id, the kebab-case code as
/// its `name`, and the descriptions and help GitHub code scanning requires.
fn sarif_rule(code: Code) -> Value {
    let rule = code.rule();
    json!({
        "id": rule.id,
        "name": code,
        "shortDescription": {"text": code.description()},
        "fullDescription": {"text": rule.full_description},
        "help": {"text": rule.help},
    })
}

/// SARIF 2.1.0, one run, one result per finding; the fingerprint goes into
/// `partialFingerprints` so code scanning tracks a finding across commits.
pub fn sarif(report: &CheckReport) -> String {
    let mut codes: Vec<Code> = report.findings.iter().map(|f| f.diagnostic.code).collect();
    codes.sort_unstable_by_key(|c| c.rule().id);
    codes.dedup();
    let rules: Vec<Value> = codes.iter().map(|&c| sarif_rule(c)).collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| sarif_result(f, &codes))
        .collect();
    let mut run = json!({
        "tool": {"driver": {
            "name": "practrace",
            "version": report.tool.version,
            "informationUri": information_uri(),
            "rules": rules,
        }},
        "results": results,
        "columnKind": "unicodeCodePoints",
    });
    run["properties"] = json!({
        "commit": report.head.commit,
        "baseCommit": report.base.as_ref().and_then(|b| b.commit.clone()),
        "passed": report.passed,
    });
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

/// A repository path as a relative URI reference: each byte outside the unreserved set
/// (and `/`) percent-encoded.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The check report as pretty JSON.
pub fn json(report: &CheckReport) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_escape_what_would_break_them() {
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(escape_data("50%\r\nx"), "50%25%0D%0Ax");
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri_path("docs/a b#<c>.md"), "docs/a%20b%23%3Cc%3E.md");
    }
}
