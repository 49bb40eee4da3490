//! Freshness: a maximum age for evidence (`freshness:` in `.practrace.yaml`), and which
//! evidence is older than its limit on the reference date.
//!
//! The age of a file's evidence runs from the author date of its last commit (git's
//! `log -1 -- PATH`, as the matrix shows it); of a trailer, from its commit's author date
//! (the date the work was done: a rebase or cherry-pick does not make evidence fresh).
//! The reference date is the scanned commit's committer date (for a working tree, HEAD's),
//! so one revision gives the same bytes on every run; `--as-of` overrides it. A file
//! with uncommitted changes is as fresh as the reference date. Stale evidence is still
//! shown, marked stale, but does not count toward any level.

use std::collections::{BTreeMap, HashMap};

use jiff::{Span, Timestamp, tz::TimeZone};
use serde::{Deserialize, Serialize};

use crate::diag::{Code, Diagnostic, Severity};
use crate::evidence::Scan;
use crate::extract::yaml::Located;
use crate::model::Model;

/// `freshness:` as written in the configuration file.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FreshnessFile {
    /// The longest any evidence may go unchanged: `365d`, `12w`, `6mo`, `1y` (friendly
    /// durations, or ISO 8601 `P90D`). Omitted: no limit but the ones in `limits`.
    pub max_age: Option<Located<String>>,
    /// Limits per process area (`PA08: 90d`) or practice (`BP.08.01: 30d`); a practice's
    /// own limit wins over its area's, which wins over `max_age`.
    pub limits: BTreeMap<Located<String>, Located<String>>,
}

/// A limit: how long evidence stays fresh.
#[derive(Debug, Clone)]
pub struct MaxAge {
    /// The span.
    pub span: Span,
    /// As written (`90d`), for messages.
    pub text: String,
}

impl MaxAge {
    /// Parses a friendly (`90d`, `6mo`, `1y 2w`) or ISO 8601 (`P90D`) duration of at least
    /// one second.
    pub fn parse(text: &str) -> Result<MaxAge, String> {
        let span: Span = text.trim().parse().map_err(|e| {
            format!("`{text}` is not a duration ({e}); write e.g. `90d`, `12w`, `6mo` or `1y`")
        })?;
        if span.is_negative() || span.is_zero() {
            return Err(format!("`{text}`: a maximum age must be longer than zero"));
        }
        Ok(MaxAge {
            span,
            text: text.trim().to_string(),
        })
    }
}

/// The limit of each practice (index into `Model::practices`), `None`: no limit.
#[derive(Debug, Clone, Default)]
pub struct Limits(pub Vec<Option<MaxAge>>);

impl Limits {
    /// The limit of a practice.
    pub fn of(&self, practice: usize) -> Option<&MaxAge> {
        self.0.get(practice).and_then(Option::as_ref)
    }
}

/// An age as the matrix and `trace` print it: `stale: 400 days old, limit 90d`.
pub fn age_text(age: &Age) -> String {
    let state = if age.stale { "stale" } else { "fresh" };
    let plural = if age.days.abs() == 1 { "" } else { "s" };
    format!(
        "{state}: {} day{plural} old, limit {}",
        age.days, age.max_age
    )
}

/// The date evidence is measured on: the scanned commit's committer date, or `--as-of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference(pub Timestamp);

/// What `--as-of` says: a date (`2026-06-30`), a timestamp (RFC 3339) or `now`.
pub fn parse_as_of(text: &str) -> Result<Timestamp, String> {
    let text = text.trim();
    if text == "now" {
        return Ok(Timestamp::now());
    }
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    let date: jiff::civil::Date = text.parse().map_err(|_| {
        format!("--as-of `{text}`: expected `now`, a date (2026-06-30) or an RFC 3339 time")
    })?;
    // The end of that day (UTC): evidence dated that day is not older than the reference.
    date.at(23, 59, 59, 0)
        .to_zoned(TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|e| format!("--as-of `{text}`: {e}"))
}

/// How old one piece of evidence is against its limit (the report's `freshness` field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Age {
    /// The date its age runs from (RFC 3339): a file's last commit's author date, a
    /// commit's author date, or for a file with uncommitted changes the reference date.
    pub date: String,
    /// Whole days from `date` to the reference date (negative: dated after it).
    pub days: i64,
    /// The limit, as configured (`90d`).
    pub max_age: String,
    /// Older than the limit: shown, but not counted toward levels.
    pub stale: bool,
}

/// When each piece of evidence was made, and the reference date: what rating and reports
/// need to tell fresh evidence from stale.
#[derive(Debug, Clone)]
pub struct Dates {
    /// The reference date.
    pub reference: Reference,
    /// RFC 3339 of the reference date (UTC).
    pub as_of: String,
    /// Each scan file's date (index into `Scan::files`): `(seconds, RFC 3339)`; `None`
    /// when it has no commit (its age is then zero).
    pub files: Vec<Option<(i64, String)>>,
    /// The limits.
    pub limits: Limits,
}

impl Dates {
    /// The age of evidence dated `(seconds, text)` for `practice`; `None` when the practice
    /// has no limit.
    pub fn age(&self, date: Option<(i64, &str)>, practice: usize) -> Option<Age> {
        let limit = self.limits.of(practice)?;
        let reference = self.reference.0;
        let (seconds, text) = date.unwrap_or((reference.as_second(), self.as_of.as_str()));
        let made = Timestamp::from_second(seconds).unwrap_or(reference);
        let expires = made
            .to_zoned(TimeZone::UTC)
            .checked_add(limit.span)
            .map(|z| z.timestamp());
        // A limit so long that the date overflows never expires.
        let stale = expires.is_ok_and(|e| e < reference);
        Some(Age {
            date: text.to_string(),
            days: (reference.as_second() - seconds).div_euclid(86_400),
            max_age: limit.text.clone(),
            stale,
        })
    }

    /// The age of file `file` of the scan as evidence for `practice`.
    pub fn file_age(&self, file: usize, practice: usize) -> Option<Age> {
        let date = self.files.get(file).and_then(Option::as_ref);
        self.age(date.map(|(s, t)| (*s, t.as_str())), practice)
    }

    /// Whether file `file` is stale evidence for `practice`.
    pub fn file_stale(&self, file: usize, practice: usize) -> bool {
        self.file_age(file, practice).is_some_and(|a| a.stale)
    }

    /// Whether a commit dated `time` is stale evidence for `practice`.
    pub fn commit_stale(&self, time: i64, date: &str, practice: usize) -> bool {
        self.age(Some((time, date)), practice)
            .is_some_and(|a| a.stale)
    }

    /// A `stale-evidence` warning for each piece of stale evidence of `scan`.
    pub fn diagnostics(&self, model: &Model, scan: &Scan) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let id = |p: usize| model.practices[p].id.as_str();
        for (f, hit) in scan.files.iter().enumerate() {
            for (p, how) in &hit.practices {
                let Some(age) = self.file_age(f, *p).filter(|a| a.stale) else {
                    continue;
                };
                let line = match how {
                    crate::evidence::Provenance::FrontMatter { line, .. } => Some(*line),
                    crate::evidence::Provenance::EvidenceMap { .. } => None,
                };
                let mut d = Diagnostic::in_file(
                    Severity::Warning,
                    Code::StaleEvidence,
                    // No day count: the same stale evidence says the same on every later
                    // commit, so the gate does not report it as new each time.
                    format!(
                        "evidence for {} is older than its limit of {} (last changed {}): not counted",
                        id(*p),
                        age.max_age,
                        age.date
                    ),
                    &hit.path,
                    line,
                    line.map(|_| 1),
                );
                d.suggestion = Some("review the work product and commit it again, or raise the practice's limit under `freshness:`".into());
                out.push(d);
            }
        }
        for hit in &scan.commits {
            for &p in &hit.practices {
                let Some(age) = self.age(Some((hit.time, &hit.date)), p).filter(|a| a.stale) else {
                    continue;
                };
                let mut d = Diagnostic::new(
                    Severity::Warning,
                    Code::StaleEvidence,
                    format!(
                        "trailer evidence for {} is older than its limit of {} ({}): not counted",
                        id(p),
                        age.max_age,
                        age.date
                    ),
                );
                d.commit = Some(hit.id.clone());
                out.push(d);
            }
        }
        out
    }
}

/// A problem at a place of the configuration file: line, column, message.
pub type Misplaced = (u32, u32, String);

/// Names the practices an id of `limits` stands for (a process area: all of its own).
pub type Resolver<'a> = dyn Fn(&Located<String>) -> Result<Vec<usize>, Misplaced> + 'a;

/// Builds the per-practice limits from the configuration: `max_age`, then each area's,
/// then each practice's. `resolve` names the practices an id stands for (an area: all of
/// its practices) and whether it is an area; errors carry the entry's place.
pub fn limits(
    file: &FreshnessFile,
    model: &Model,
    resolve: &Resolver<'_>,
) -> Result<Limits, Misplaced> {
    let parse = |v: &Located<String>| {
        MaxAge::parse(&v.value).map_err(|m| (v.line, v.column, format!("`freshness`: {m}")))
    };
    let mut limits = vec![None; model.practices.len()];
    if let Some(default) = &file.max_age {
        let age = parse(default)?;
        limits.iter_mut().for_each(|l| *l = Some(age.clone()));
    }
    let mut by_practice: HashMap<usize, MaxAge> = HashMap::new();
    for (id, value) in &file.limits {
        let age = parse(value)?;
        let practices = resolve(id)?;
        let is_area = matches!(
            crate::model::id::parse(id.value.trim()),
            Ok(crate::model::id::ParsedId::ProcessArea { .. })
        );
        for p in practices {
            if is_area {
                limits[p] = Some(age.clone());
            } else {
                by_practice.insert(p, age.clone());
            }
        }
    }
    for (p, age) in by_practice {
        limits[p] = Some(age);
    }
    Ok(Limits(limits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_parse_friendly_and_iso() {
        assert!(MaxAge::parse("90d").is_ok());
        assert!(MaxAge::parse("6mo").is_ok());
        assert!(MaxAge::parse("P90D").is_ok());
        assert!(MaxAge::parse("0d").is_err());
        assert!(MaxAge::parse("-3d").is_err());
        assert!(MaxAge::parse("ninety days").is_err());
    }

    #[test]
    fn as_of_takes_a_date_a_time_or_now() {
        let day = parse_as_of("2026-06-30").unwrap();
        assert_eq!(day.to_string(), "2026-06-30T23:59:59Z");
        let t = parse_as_of("2026-06-30T10:00:00+02:00").unwrap();
        assert_eq!(t.to_string(), "2026-06-30T08:00:00Z");
        assert!(parse_as_of("yesterday").is_err());
    }

    /// Evidence exactly at its limit is fresh; one second over is stale.
    #[test]
    fn the_limit_is_inclusive() {
        let reference = Timestamp::from_second(1_000_000_000).unwrap();
        let dates = Dates {
            reference: Reference(reference),
            as_of: reference.to_string(),
            files: Vec::new(),
            limits: Limits(vec![Some(MaxAge::parse("1d").unwrap())]),
        };
        let at = |s: i64| dates.age(Some((s, "x")), 0).unwrap();
        assert!(!at(1_000_000_000 - 86_400).stale);
        assert!(at(1_000_000_000 - 86_401).stale);
        assert_eq!(at(1_000_000_000 - 86_401).days, 1);
        assert!(dates.age(Some((0, "x")), 1).is_none(), "no limit, no age");
    }
}
