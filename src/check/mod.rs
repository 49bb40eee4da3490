//! The pre-merge gate (`practrace check`, spec §5): findings from one analysis, and with a
//! base revision, what changed between the two — evidence lost and added, levels lowered
//! and raised, diagnostics introduced. A baseline file turns known findings into accepted
//! ones, so a team can adopt the gate on an old repository and tighten it over time.
//!
//! Renderers for text, GitHub workflow commands, SARIF 2.1.0 and JSON are in [`output`].

pub mod output;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::Analysis;
use crate::config::ConfigInfo;
use crate::diag::{Code, Diagnostic, Severity};
use crate::evidence::{CommitHit, FileHit, SourceInfo};
use crate::report::Report;

/// One finding of the gate: a diagnostic (of the scan, or of the gate itself: `below-target`,
/// `evidence-lost`, ...) and what the gate makes of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Finding {
    /// Severity, code, message, place and suggestion. Notes (good news, like evidence
    /// added) never fail.
    #[serde(flatten)]
    pub diagnostic: Diagnostic,
    /// Identifies the finding across runs and line shifts (code, place and message): what
    /// a baseline records.
    pub fingerprint: String,
    /// Whether it fails the check (errors; warnings with `--deny warnings`), unless it is
    /// in the baseline.
    pub fails: bool,
    /// In the baseline: accepted, does not fail.
    pub baselined: bool,
    /// With `--base`, for diagnostics: new in head (not in base).
    pub introduced: Option<bool>,
}

impl Finding {
    fn new(severity: Severity, code: Code, message: String) -> Finding {
        Finding::from_diagnostic(Diagnostic::new(severity, code, message))
    }

    fn from_diagnostic(diagnostic: Diagnostic) -> Finding {
        Finding {
            diagnostic,
            fingerprint: String::new(),
            fails: false,
            baselined: false,
            introduced: None,
        }
    }

    fn with_fingerprint(mut self) -> Finding {
        let h = crate::digest::fnv(&[
            self.diagnostic.code.as_str().as_bytes(),
            self.diagnostic.path.as_deref().unwrap_or("").as_bytes(),
            self.diagnostic.commit.as_deref().unwrap_or("").as_bytes(),
            self.diagnostic.message.as_bytes(),
        ]);
        self.fingerprint = format!("{h:016x}");
        self
    }

    /// `path:line:col`, `commit <short>`, or empty.
    pub fn place(&self) -> String {
        match (&self.diagnostic.path, &self.diagnostic.commit) {
            (Some(p), _) => match (self.diagnostic.line, self.diagnostic.column) {
                (Some(l), Some(c)) => format!("{p}:{l}:{c}"),
                (Some(l), None) => format!("{p}:{l}"),
                _ => p.clone(),
            },
            (None, Some(c)) => format!("commit {}", &c[..c.len().min(12)]),
            (None, None) => String::new(),
        }
    }
}

/// How strict the gate is.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Warnings fail too (`--deny warnings`).
    pub deny_warnings: bool,
    /// Accepted findings (`--baseline FILE`).
    pub baseline: Option<Baseline>,
}

/// Counts of the findings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Summary {
    /// Findings that fail the check.
    pub failing: usize,
    /// Findings the baseline accepts.
    pub baselined: usize,
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Notes (good news included).
    pub notes: usize,
}

/// The result of `practrace check`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CheckReport {
    /// The tool.
    pub tool: crate::report::ToolInfo,
    /// The revision checked (or the working tree).
    pub head: SourceInfo,
    /// The revision compared against (`--base`).
    pub base: Option<SourceInfo>,
    /// The configuration of head.
    pub config: ConfigInfo,
    /// True when nothing fails: exit 0.
    pub passed: bool,
    /// Counts.
    pub summary: Summary,
    /// Every finding, sorted by place.
    pub findings: Vec<Finding>,
}

/// Runs the gate on `head`, against `base` when given. `exists` tells whether a path is a
/// file of head (to tell a deleted file from a removed tag).
pub fn check(
    head: &Analysis,
    base: Option<&Analysis>,
    exists: &dyn Fn(&str) -> bool,
    policy: &Policy,
) -> CheckReport {
    let mut findings: Vec<Finding> = Vec::new();
    // Diagnostics of head; with a base, those not in base are "introduced".
    let mut at_base: HashMap<String, usize> = HashMap::new();
    if let Some(base) = base {
        for d in &base.report.diagnostics {
            let f = Finding::from_diagnostic(d.clone()).with_fingerprint();
            *at_base.entry(f.fingerprint).or_default() += 1;
        }
    }
    for d in &head.report.diagnostics {
        let mut f = Finding::from_diagnostic(d.clone()).with_fingerprint();
        if base.is_some() {
            let left = at_base.entry(f.fingerprint.clone()).or_default();
            f.introduced = Some(*left == 0);
            *left = left.saturating_sub(1);
        }
        findings.push(f);
    }
    findings.extend(below_target(&head.report, &head.report.config));
    if let Some(base) = base {
        findings.extend(evidence_changes(base, head, exists));
        findings.extend(level_changes(&base.report, &head.report));
    }
    let mut findings: Vec<Finding> = findings.into_iter().map(|f| f.with_fingerprint()).collect();
    for f in &mut findings {
        f.fails = match f.diagnostic.severity {
            Severity::Error => true,
            Severity::Warning => policy.deny_warnings,
            Severity::Note => false,
        };
    }
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            (
                f.diagnostic.path.is_none(),
                f.diagnostic.path.clone(),
                f.diagnostic.commit.is_none(),
                f.diagnostic.commit.clone(),
                f.diagnostic.line,
                f.diagnostic.column,
                f.diagnostic.code.as_str(),
                f.diagnostic.message.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    if let Some(baseline) = &policy.baseline {
        baseline.apply(&mut findings);
    }
    let mut summary = Summary::default();
    for f in &findings {
        match f.diagnostic.severity {
            Severity::Error => summary.errors += 1,
            Severity::Warning => summary.warnings += 1,
            Severity::Note => summary.notes += 1,
        }
        if f.baselined {
            summary.baselined += 1;
        } else if f.fails {
            summary.failing += 1;
        }
    }
    CheckReport {
        tool: head.report.tool.clone(),
        head: head.report.source.clone(),
        base: base.map(|b| b.report.source.clone()),
        config: head.report.config.clone(),
        passed: summary.failing == 0,
        summary,
        findings,
    }
}

/// The configuration file as the place of a policy finding, when there is one.
fn at_config(mut f: Finding, config: &ConfigInfo) -> Finding {
    f.diagnostic.path.clone_from(&config.path);
    f
}

fn below_target(report: &Report, config: &ConfigInfo) -> Vec<Finding> {
    report
        .process_areas
        .iter()
        .filter(|a| a.achieved_level < a.target_level)
        .map(|a| {
            let missing: Vec<&str> = a
                .levels
                .iter()
                .filter(|l| l.level <= a.target_level)
                .flat_map(|l| l.missing.iter().map(String::as_str))
                .collect();
            let shown = if missing.len() > 8 {
                format!("{}, and {} more", missing[..8].join(", "), missing.len() - 8)
            } else {
                missing.join(", ")
            };
            let mut f = Finding::new(
                Severity::Error,
                Code::BelowTarget,
                format!(
                    "{} ({}) is at level {}, below its target level {}: no evidence for {shown}",
                    a.id, a.title, a.achieved_level, a.target_level
                ),
            );
            f.diagnostic.suggestion = Some(if a.achieved_level == 0 {
                format!(
                    "add evidence for those practices, or declare them (or {}) not applicable with a reason in .practrace.yaml",
                    a.id
                )
            } else {
                format!(
                    "add evidence for those practices, declare them not applicable with a reason, or lower `targets: {{{}: {}}}` in .practrace.yaml",
                    a.id, a.achieved_level
                )
            });
            at_config(f, config)
        })
        .collect()
}

/// The practices a file or commit hit is evidence for, as ids, in model order.
fn ids(model: &crate::model::Model, practices: impl Iterator<Item = usize>) -> Vec<&str> {
    let mut v: Vec<usize> = practices.collect();
    v.sort_unstable();
    v.dedup();
    v.into_iter()
        .map(|p| model.practices[p].id.as_str())
        .collect()
}

/// `was` minus `is`, both sorted by model order.
fn minus<'a>(was: &[&'a str], is: &[&'a str]) -> Vec<&'a str> {
    was.iter().filter(|p| !is.contains(p)).copied().collect()
}

/// The index of each commit of a scan, by id.
fn commits_by_id(a: &Analysis) -> HashMap<&str, usize> {
    a.scan
        .commits
        .iter()
        .enumerate()
        .map(|(n, c)| (c.id.as_str(), n))
        .collect()
}

/// Evidence lost and added, from the two scans: files matched by path (both lists are
/// sorted by path), commits by id. Practices are compared by id, so two models that
/// differ still compare.
fn evidence_changes(
    base: &Analysis,
    head: &Analysis,
    exists: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for (path, was, is) in changed_files(base, head) {
        out.extend(file_evidence_lost(path, &was, &is, exists));
        out.extend(file_evidence_added(path, &was, &is));
    }
    out.extend(commit_evidence_changes(base, head));
    out
}

/// A file whose evidence may differ between the scans: its path, and the practices it is
/// evidence for in base and in head (empty where the file is not evidence).
type FileEvidence<'a> = (&'a str, Vec<&'a str>, Vec<&'a str>);

/// Every path that is evidence in base or head, by path, unless its blob and practices
/// are the same in both: one walk over the two lists, each sorted by path.
fn changed_files<'a>(base: &'a Analysis, head: &'a Analysis) -> Vec<FileEvidence<'a>> {
    let mut out = Vec::new();
    let (bf, hf) = (&base.scan.files, &head.scan.files);
    let was = |a: &'a FileHit| ids(&base.model, a.practices.iter().map(|x| x.0));
    let is = |b: &'a FileHit| ids(&head.model, b.practices.iter().map(|x| x.0));
    let (mut i, mut j) = (0, 0);
    while i < bf.len() || j < hf.len() {
        let order = match (bf.get(i), hf.get(j)) {
            (Some(a), Some(b)) => a.path.cmp(&b.path),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Less => {
                i += 1;
                out.push((bf[i - 1].path.as_str(), was(&bf[i - 1]), Vec::new()));
            }
            std::cmp::Ordering::Greater => {
                j += 1;
                out.push((hf[j - 1].path.as_str(), Vec::new(), is(&hf[j - 1])));
            }
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
                let (a, b) = (&bf[i - 1], &hf[j - 1]);
                if a.blob != b.blob || a.practices != b.practices {
                    out.push((a.path.as_str(), was(a), is(b)));
                }
            }
        }
    }
    out
}

/// An error when a file is no longer evidence for some practices, saying whether the file
/// is gone or its tag is.
fn file_evidence_lost(
    path: &str,
    was: &[&str],
    is: &[&str],
    exists: &dyn Fn(&str) -> bool,
) -> Option<Finding> {
    let lost = minus(was, is);
    if lost.is_empty() {
        return None;
    }
    let why = if exists(path) {
        "its tag was removed or made invalid"
    } else {
        "the file was deleted, moved or ignored"
    };
    let mut f = Finding::new(
        Severity::Error,
        Code::EvidenceLost,
        format!(
            "{path} is no longer evidence for {}: {why}",
            lost.join(", ")
        ),
    );
    f.diagnostic.path = Some(path.to_string());
    Some(f)
}

/// A note when a file is new evidence for some practices.
fn file_evidence_added(path: &str, was: &[&str], is: &[&str]) -> Option<Finding> {
    let added = minus(is, was);
    if added.is_empty() {
        return None;
    }
    let mut f = Finding::new(
        Severity::Note,
        Code::EvidenceAdded,
        format!("{path} is new evidence for {}", added.join(", ")),
    );
    f.diagnostic.path = Some(path.to_string());
    Some(f)
}

/// Commit evidence lost (base commits, in base order, that head no longer has as evidence
/// for some practices), then added (head commits, in head order).
fn commit_evidence_changes(base: &Analysis, head: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    let (in_base, in_head) = (commits_by_id(base), commits_by_id(head));
    for (side, other, this, lost) in [(base, &in_head, head, true), (head, &in_base, base, false)] {
        for c in &side.scan.commits {
            let is: Vec<&str> = match other.get(c.id.as_str()) {
                Some(&n) => ids(&this.model, this.scan.commits[n].practices.iter().copied()),
                None => Vec::new(),
            };
            let was = ids(&side.model, c.practices.iter().copied());
            let changed = minus(&was, &is);
            if changed.is_empty() {
                continue;
            }
            let mut f = if lost {
                commit_evidence_lost(c, &changed)
            } else {
                commit_evidence_added(c, &changed)
            };
            f.diagnostic.commit = Some(c.id.clone());
            out.push(f);
        }
    }
    out
}

/// An error for a base commit that is no longer evidence for `lost`: history was rewritten.
fn commit_evidence_lost(c: &CommitHit, lost: &[&str]) -> Finding {
    let mut f = Finding::new(
        Severity::Error,
        Code::EvidenceLost,
        format!(
            "commit {} \"{}\" is no longer evidence for {}: it is not reachable from head (rebased, squashed or dropped)",
            short_id(&c.id),
            c.subject,
            lost.join(", ")
        ),
    );
    f.diagnostic.suggestion =
        Some("keep the `Practice:` trailers when rewriting history, or tag the new commit".into());
    f
}

/// A note for a head commit that is new evidence for `added`.
fn commit_evidence_added(c: &CommitHit, added: &[&str]) -> Finding {
    Finding::new(
        Severity::Note,
        Code::EvidenceAdded,
        format!(
            "commit {} \"{}\" is new evidence for {}",
            short_id(&c.id),
            c.subject,
            added.join(", ")
        ),
    )
}

/// The first 12 characters of a commit id, as messages show it.
fn short_id(id: &str) -> &str {
    &id[..id.len().min(12)]
}

fn level_changes(base: &Report, head: &Report) -> Vec<Finding> {
    let before: HashMap<&str, u8> = base
        .process_areas
        .iter()
        .map(|a| (a.id.as_str(), a.achieved_level))
        .collect();
    let mut out = Vec::new();
    for a in &head.process_areas {
        let Some(&was) = before.get(a.id.as_str()) else {
            continue;
        };
        let f = if a.achieved_level < was {
            let missing: Vec<&str> = a
                .levels
                .iter()
                .filter(|l| l.level <= was)
                .flat_map(|l| l.missing.iter().map(String::as_str))
                .take(8)
                .collect();
            Finding::new(
                Severity::Error,
                Code::LevelLowered,
                format!(
                    "{} ({}) fell from level {was} to level {}: no evidence left for {}",
                    a.id,
                    a.title,
                    a.achieved_level,
                    missing.join(", ")
                ),
            )
        } else if a.achieved_level > was {
            Finding::new(
                Severity::Note,
                Code::LevelRaised,
                format!(
                    "{} ({}) rose from level {was} to level {}",
                    a.id, a.title, a.achieved_level
                ),
            )
        } else {
            continue;
        };
        out.push(at_config(f, &head.config));
    }
    out
}

/// Findings accepted for now: `practrace baseline write` records them, `check --baseline`
/// fails only on the others. Kept in the repository, reviewed like code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Format version (1).
    pub version: u32,
    /// The accepted findings, sorted by fingerprint.
    pub findings: Vec<BaselineEntry>,
}

/// One accepted finding.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// The finding's fingerprint.
    pub fingerprint: String,
    /// Its code (for the reader).
    pub code: Code,
    /// Its place (for the reader).
    pub place: String,
    /// Its message (for the reader).
    pub message: String,
}

impl Baseline {
    /// The baseline that accepts every failing finding of a check.
    pub fn of(report: &CheckReport) -> Baseline {
        let mut findings: Vec<BaselineEntry> = report
            .findings
            .iter()
            .filter(|f| f.fails)
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                code: f.diagnostic.code,
                place: f.place(),
                message: f.diagnostic.message.clone(),
            })
            .collect();
        findings.sort();
        Baseline {
            version: 1,
            findings,
        }
    }

    /// Marks the findings the baseline accepts: each entry accepts one finding with its
    /// fingerprint.
    pub fn apply(&self, findings: &mut [Finding]) {
        let mut left: HashMap<&str, usize> = HashMap::new();
        for e in &self.findings {
            *left.entry(e.fingerprint.as_str()).or_default() += 1;
        }
        for f in findings.iter_mut().filter(|f| f.fails) {
            if let Some(n) = left.get_mut(f.fingerprint.as_str())
                && *n > 0
            {
                *n -= 1;
                f.baselined = true;
            }
        }
    }

    /// Pretty JSON with a final newline (stable bytes: review it in a diff).
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}
