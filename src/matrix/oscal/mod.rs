//! The matrix as OSCAL 1.1.2 (`matrix --format oscal` and `--format oscal-plan`): an
//! assessment-results document and the minimal assessment plan it imports, for GRC tools
//! that speak NIST's Open Security Controls Assessment Language.
//!
//! The mapping, from the report after [`super::stamp`]:
//! - each practice is a control; its OSCAL id is [`control_id`] (`BP.05.02` → `bp.05.02`,
//!   `GP.2.1.1@PA05` → `gp.2.1.1_pa05`). The result's `reviewed-controls` include the
//!   practices in scope and exclude those declared not applicable; the plan includes the
//!   same.
//! - each piece of evidence of each practice is an `observation` (method `EXAMINE`,
//!   `collected` = the date of the evidence's commit, `relevant-evidence` = path, blob and
//!   commit); `expires` only once freshness gives a limit ([`freshness_limit`]).
//! - each practice is a `finding` on the objective `control_id`: `satisfied` when it has
//!   evidence, `not-satisfied` when not, and `satisfied` with reason `not-applicable` (and
//!   implementation status `not-applicable`, the configuration's reason in the remarks)
//!   when declared not applicable.
//!
//! Every uuid is a v5 uuid of what it names (the scanned commit, model and configuration,
//! then the practice and the evidence), and every date is the scanned commit's or an
//! evidence commit's, in UTC: the same revision gives the same bytes.

mod build;
pub mod model;

use std::fmt::Write as _;

use crate::report::Report;

/// The OSCAL version both documents are written against.
pub const OSCAL_VERSION: &str = "1.1.2";

/// The namespace of practrace's own `props` (`git-blob`, `practice-id`, …). A name, not a
/// page: `.invalid` never resolves (RFC 2606), and OSCAL tools require an http(s) URI.
pub const NAMESPACE: &str = "https://practrace.invalid/ns/oscal";

/// Where the results point for their plan when they go to standard output: write the plan
/// there with `matrix --format oscal-plan > assessment-plan.json`.
pub const DEFAULT_PLAN_HREF: &str = "assessment-plan.json";

/// Writes the assessment results of a stamped report as pretty JSON with a final newline;
/// `import-ap` points at `plan_href` (a URI reference, relative to the results' location).
pub fn write_results(
    report: &Report,
    plan_href: &str,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    write_json(&build::results(report, plan_href), out)
}

/// Writes the minimal assessment plan of a stamped report as pretty JSON with a final
/// newline.
pub fn write_plan(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    write_json(&build::plan(report), out)
}

fn write_json<T: serde::Serialize>(value: &T, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Where the plan goes beside results written to `results` (`out/sar.json` →
/// `out/sar.plan.json`), and the href the results give it (`sar.plan.json`).
pub fn plan_beside(results: &std::path::Path) -> (std::path::PathBuf, String) {
    let stem = results
        .file_stem()
        .unwrap_or_else(|| std::ffi::OsStr::new("assessment-results"));
    let mut name = stem.to_os_string();
    name.push(".plan.json");
    let href = path_href(name.as_encoded_bytes());
    (results.with_file_name(name), href)
}

/// A practice id as an OSCAL control id (a token: a letter or `_`, then letters, digits,
/// `.`, `-`, `_`): lowercased, `@` written `_`, any other character outside ASCII letters,
/// digits, `.` and `-` written `_`, and `_` put first when the id does not start with a
/// letter. One-to-one on canonical ids, which hold only upper-case letters, digits, `.` and
/// one `@`: `BP.05.02` → `bp.05.02`, `GP.2.1.1@PA05` → `gp.2.1.1_pa05`.
pub fn control_id(practice: &str) -> String {
    let mut id: String = practice
        .chars()
        .map(|c| match c {
            c if c.is_ascii_alphanumeric() || c == '.' || c == '-' => c.to_ascii_lowercase(),
            _ => '_',
        })
        .collect();
    if !id.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        id.insert(0, '_');
    }
    id
}

/// A repository path (or file name) as a relative URI reference: ASCII letters, digits,
/// `-`, `.`, `_`, `~` and `/` as they are, every other byte percent-encoded (so `:` in a
/// first segment is never read as a scheme, and `#`, `?`, `%` and spaces stay in the path).
pub fn path_href(path: &[u8]) -> String {
    let mut href = String::with_capacity(path.len());
    for &b in path {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            href.push(char::from(b));
        } else {
            let _ = write!(href, "%{b:02X}");
        }
    }
    href
}

/// An RFC 3339 date as OSCAL writes it here: in UTC, `2024-02-01T09:00:00Z` (OSCAL's
/// date-time pattern allows only the offsets some clock has; git allows any). `None` when
/// it is not a date.
pub fn utc(date: &str) -> Option<String> {
    let stamp: jiff::Timestamp = date.parse().ok()?;
    Some(stamp.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// When evidence collected at `collected` (UTC, as [`utc`] writes it) expires under
/// `limit`; `None` without a limit.
pub fn expires(collected: &str, limit: Option<jiff::SignedDuration>) -> Option<String> {
    let stamp: jiff::Timestamp = collected.parse().ok()?;
    let end = stamp.checked_add(limit?).ok()?;
    Some(end.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// The age of a piece of evidence, when its practice has a `freshness` limit.
pub fn age_of(evidence: &crate::report::EvidenceReport) -> Option<&crate::freshness::Age> {
    match evidence {
        crate::report::EvidenceReport::File { freshness, .. }
        | crate::report::EvidenceReport::Commit { freshness, .. } => freshness.as_ref(),
    }
}

/// When a piece of evidence goes stale: its date plus its practice's limit (calendar
/// arithmetic in UTC, as freshness measures it); `None` without a limit.
pub fn evidence_expires(evidence: &crate::report::EvidenceReport) -> Option<String> {
    let age = age_of(evidence)?;
    let limit = crate::freshness::MaxAge::parse(&age.max_age).ok()?;
    let made: jiff::Timestamp = age.date.parse().ok()?;
    let end = made
        .to_zoned(jiff::tz::TimeZone::UTC)
        .checked_add(limit.span)
        .ok()?
        .timestamp();
    Some(end.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_ids_are_tokens_and_one_to_one_on_canonical_ids() {
        assert_eq!(control_id("BP.05.02"), "bp.05.02");
        assert_eq!(control_id("GP.2.1.1@PA05"), "gp.2.1.1_pa05");
        assert_eq!(control_id("GP.2.1.1"), "gp.2.1.1");
        assert_eq!(control_id("1x y"), "_1x_y");
        assert_eq!(control_id(""), "_");
        let model = crate::model::Model::builtin();
        let mut seen = std::collections::HashSet::new();
        for p in &model.practices {
            assert!(seen.insert(control_id(&p.id)), "{} collides", p.id);
        }
    }

    #[test]
    fn hrefs_encode_everything_but_unreserved_and_slash() {
        assert_eq!(path_href(b"docs/a-b_c.~d.md"), "docs/a-b_c.~d.md");
        assert_eq!(path_href(b"a:b/c d#e?f%g"), "a%3Ab/c%20d%23e%3Ff%25g");
        assert_eq!(path_href("é".as_bytes()), "%C3%A9");
    }

    #[test]
    fn dates_are_written_in_utc() {
        assert_eq!(
            utc("2024-02-01T10:30:00+01:23").as_deref(),
            Some("2024-02-01T09:07:00Z")
        );
        assert_eq!(utc("not a date"), None);
    }

    #[test]
    fn expires_only_with_a_limit() {
        let day = jiff::SignedDuration::from_hours(24);
        assert_eq!(
            expires("2024-02-01T09:00:00Z", Some(day * 90)).as_deref(),
            Some("2024-05-01T09:00:00Z")
        );
        assert_eq!(expires("2024-02-01T09:00:00Z", None), None);
    }

    #[test]
    fn the_plan_goes_beside_the_results() {
        let (path, href) = plan_beside(std::path::Path::new("out/my sar.json"));
        assert_eq!(path, std::path::Path::new("out/my sar.plan.json"));
        assert_eq!(href, "my%20sar.plan.json");
    }
}
