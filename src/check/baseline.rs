//! Baselines: the findings a team accepts for now, recorded by fingerprint.

use std::collections::HashMap;

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
