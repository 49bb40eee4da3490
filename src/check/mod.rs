//! The pre-merge gate (`practrace check`, spec §5): findings from one analysis, and with a
//! base revision, what changed between the two — evidence lost and added, levels lowered
//! and raised, diagnostics introduced. A baseline file turns known findings into accepted
//! ones, so a team can adopt the gate on an old repository and tighten it over time.
//!
//! Renderers for text, GitHub workflow commands, SARIF 2.1.0 and JSON are in [`output`].

mod baseline;
mod changes;
mod moves;
pub mod output;
mod stale;

pub use baseline::{Baseline, BaselineEntry};

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::Analysis;
use crate::config::ConfigInfo;
use crate::diag::{Code, Diagnostic, Severity};
use crate::evidence::SourceInfo;
use crate::report::Report;
use crate::scan;

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
    /// With `--base`, for diagnostics and `below-target`: new in head (not in base, or an
    /// area further below its target); `false`: base had it already, and it does not fail.
    pub introduced: Option<bool>,
    /// For a finding about several practices (`below-target`): one part per practice it
    /// names. A baseline accepts the finding when it accepts every part, so evidencing one
    /// of them never makes the finding new.
    #[serde(skip)]
    pub parts: Vec<Part>,
}

/// One practice a finding names, fingerprinted on its own (area, level and practice): what
/// a baseline records of a `below-target` finding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Part {
    /// The part's fingerprint.
    pub fingerprint: String,
    /// What it says, for the baseline's reader (`PA05 level 1: no evidence for BP.05.02`).
    pub message: String,
}

/// A fingerprint: 16 hex digits of a digest of the fields.
fn fingerprint(fields: &[&[u8]]) -> String {
    format!("{:016x}", crate::digest::fnv(fields))
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
            parts: Vec::new(),
        }
    }

    /// Gives the finding its fingerprint (code, place and message), unless it has one of
    /// its own already.
    fn with_fingerprint(mut self) -> Finding {
        if self.fingerprint.is_empty() {
            self.fingerprint = fingerprint(&[
                self.diagnostic.code.as_str().as_bytes(),
                self.diagnostic.path.as_deref().unwrap_or("").as_bytes(),
                self.diagnostic.commit.as_deref().unwrap_or("").as_bytes(),
                self.diagnostic.message.as_bytes(),
            ]);
        }
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
    /// With `--base`: findings that would fail but that base already had (history the
    /// change did not make), so they do not fail.
    pub in_base: usize,
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
///
/// Without a base, the whole of head is judged. With a base, the change is: what head
/// introduced fails (diagnostics base did not have, an area further below its target,
/// evidence lost, levels lowered), and what base already had is reported and does not
/// fail (`introduced: false`), `--deny warnings` included.
pub fn check(
    head: &Analysis,
    base: Option<&Analysis>,
    exists: &dyn Fn(&str) -> bool,
    policy: &Policy,
) -> CheckReport {
    let mut findings = diagnostic_findings(head, base);
    findings.extend(below_target_findings(head, base));
    if let Some(base) = base {
        findings.extend(absent_at_base(base));
        // What base held at a path whose objects are absent is not known: no change there
        // is claimed (the `objects-absent` finding stands for them).
        let unknown =
            |path: Option<&str>| path.is_some_and(|p| scan::is_absent(&base.scan.absent, p));
        findings.extend(
            changes::evidence_changes(base, head, exists)
                .into_iter()
                .filter(|f| !unknown(f.diagnostic.path.as_deref())),
        );
        findings.extend(changes::level_changes(&base.report, &head.report));
    }
    let mut findings: Vec<Finding> = findings.into_iter().map(|f| f.with_fingerprint()).collect();
    for f in &mut findings {
        f.fails = f.introduced != Some(false) && severe(f, policy);
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
    let summary = Summary::of(&findings, policy);
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

/// The diagnostics of head as findings; with a base, each says whether it is new in head
/// (base had fewer diagnostics with its fingerprint).
fn diagnostic_findings(head: &Analysis, base: Option<&Analysis>) -> Vec<Finding> {
    let mut at_base: HashMap<String, usize> = HashMap::new();
    for d in base.iter().flat_map(|b| &b.report.diagnostics) {
        let f = Finding::from_diagnostic(d.clone()).with_fingerprint();
        *at_base.entry(f.fingerprint).or_default() += 1;
    }
    let mut findings = Vec::new();
    for d in &head.report.diagnostics {
        let mut f = Finding::from_diagnostic(d.clone()).with_fingerprint();
        if base.is_some() {
            let left = at_base.entry(f.fingerprint.clone()).or_default();
            f.introduced = Some(*left == 0);
            *left = left.saturating_sub(1);
        }
        findings.push(f);
    }
    findings
}

/// What the comparison could not know: the objects of base that a partial clone's filter
/// left out (their evidence at base is not known, so neither is what head lost). It fails,
/// as an error of head would.
fn absent_at_base(base: &Analysis) -> Vec<Finding> {
    base.report
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::ObjectsAbsent)
        .map(|d| {
            let mut f = Finding::from_diagnostic(Diagnostic {
                message: format!("base: {}", d.message),
                ..d.clone()
            });
            f.introduced = Some(true);
            f
        })
        .collect()
}

/// The areas of head below their target; with a base, each says whether it fell further
/// below in head: a practice missing up to the target that base did not miss (a target
/// raised, evidence lost, an area back in scope). An area as far below as in base, or
/// less (progress), is not new.
fn below_target_findings(head: &Analysis, base: Option<&Analysis>) -> Vec<Finding> {
    let mut findings = below_target(&head.report, &head.report.config);
    if let Some(base) = base {
        let before = below_target(&base.report, &base.report.config);
        let missed: HashSet<&str> = before
            .iter()
            .flat_map(|f| f.parts.iter().map(|p| p.fingerprint.as_str()))
            .collect();
        for f in &mut findings {
            let further = f
                .parts
                .iter()
                .any(|p| !missed.contains(p.fingerprint.as_str()));
            f.introduced = Some(further);
        }
    }
    findings
}

/// Whether a finding is severe enough to fail under `policy`: an error, or a warning with
/// `--deny warnings` (notes never fail).
fn severe(f: &Finding, policy: &Policy) -> bool {
    match f.diagnostic.severity {
        Severity::Error => true,
        Severity::Warning => policy.deny_warnings,
        Severity::Note => false,
    }
}

impl Summary {
    /// The counts of findings already decided.
    fn of(findings: &[Finding], policy: &Policy) -> Summary {
        let mut summary = Summary::default();
        for f in findings {
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
            if f.introduced == Some(false) && severe(f, policy) {
                summary.in_base += 1;
            }
        }
        summary
    }
}

/// The configuration file as the place of a policy finding, when there is one.
fn at_config(mut f: Finding, config: &ConfigInfo) -> Finding {
    f.diagnostic.path.clone_from(&config.path);
    f
}

/// An error per rated area below its target level (an area that is not rated neither
/// meets nor misses a target). Its fingerprint is the area's (its message changes with
/// every practice evidenced); its parts are the practices missing up to the target.
fn below_target(report: &Report, config: &ConfigInfo) -> Vec<Finding> {
    report
        .process_areas
        .iter()
        .filter_map(|a| Some((a, a.achieved_level.filter(|&l| l < a.target_level)?)))
        .map(|(a, achieved)| {
            let missing: Vec<(u8, &str)> = a
                .levels
                .iter()
                .filter(|l| l.level <= a.target_level)
                .flat_map(|l| l.missing.iter().map(move |p| (l.level, p.as_str())))
                .collect();
            let parts = missing
                .iter()
                .map(|&(level, p)| Part {
                    fingerprint: fingerprint(&[
                        Code::BelowTarget.as_str().as_bytes(),
                        a.id.as_bytes(),
                        &[level],
                        p.as_bytes(),
                    ]),
                    message: format!("{} level {level}: no evidence for {p}", a.id),
                })
                .collect();
            let missing: Vec<&str> = missing.into_iter().map(|(_, p)| p).collect();
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
                    a.id, a.title, achieved, a.target_level
                ),
            );
            f.diagnostic.suggestion = Some(if achieved == 0 {
                format!(
                    "add evidence for those practices, or declare them (or {}) not applicable with a reason in .practrace.yaml",
                    a.id
                )
            } else {
                format!(
                    "add evidence for those practices, declare them not applicable with a reason, or lower `targets: {{{}: {}}}` in .practrace.yaml",
                    a.id, achieved
                )
            });
            f.parts = parts;
            let f = at_config(f, config);
            Finding {
                fingerprint: fingerprint(&[
                    Code::BelowTarget.as_str().as_bytes(),
                    f.diagnostic.path.as_deref().unwrap_or("").as_bytes(),
                    a.id.as_bytes(),
                ]),
                ..f
            }
        })
        .collect()
}
