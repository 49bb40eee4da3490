//! Baselines: the findings a team accepts for now, recorded by fingerprint.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{CheckReport, Finding};
use crate::diag::Code;

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
    /// The baseline that accepts every failing finding of a check: one entry per finding,
    /// or per part of a finding that has parts (each practice missing for a target).
    pub fn of(report: &CheckReport) -> Baseline {
        let mut findings: Vec<BaselineEntry> = Vec::new();
        for f in report.findings.iter().filter(|f| f.fails) {
            let entry = |fingerprint: &str, message: &str| BaselineEntry {
                fingerprint: fingerprint.to_string(),
                code: f.diagnostic.code,
                place: f.place(),
                message: message.to_string(),
            };
            if f.parts.is_empty() {
                findings.push(entry(&f.fingerprint, &f.diagnostic.message));
            } else {
                findings.extend(f.parts.iter().map(|p| entry(&p.fingerprint, &p.message)));
            }
        }
        findings.sort();
        Baseline {
            version: 1,
            findings,
        }
    }

    /// Marks the findings the baseline accepts: each entry accepts one finding with its
    /// fingerprint, and a finding with parts is accepted when every part has an entry (a
    /// subset of what was accepted: progress, never a new finding).
    pub fn apply(&self, findings: &mut [Finding]) {
        let mut left: HashMap<&str, usize> = HashMap::new();
        for e in &self.findings {
            *left.entry(e.fingerprint.as_str()).or_default() += 1;
        }
        let listed: HashSet<&str> = self
            .findings
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        for f in findings.iter_mut().filter(|f| f.fails) {
            if !f.parts.is_empty() {
                f.baselined = f
                    .parts
                    .iter()
                    .all(|p| listed.contains(p.fingerprint.as_str()));
            } else if let Some(n) = left.get_mut(f.fingerprint.as_str())
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
