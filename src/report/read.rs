//! Reading a JSON report back (`status --format json` or `matrix --format json`): one
//! strict, typed parse that every reader of reports shares (`verify` and `merge`), so a
//! report one of them accepts is one the other accepts too.
//!
//! The parse is serde's derive, not a `serde_json::Value`: a field given twice is refused
//! (a `Value` keeps the last one, so a second `config` or `model` could make a person and
//! the tool read different things), and each field the readers use must have its type.
//! Fields that older reports lack (`model.digest`, `config.options`) are optional here;
//! a reader that needs one says so. Then the checks no type can say: `tool.name` is
//! `practrace`, every evidence path lies inside a repository and every object id is 40 hex
//! digits (kept in lower case, as git prints them).

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::diag::Severity;
use crate::evidence::ObjectId;

/// A file that is not a practrace JSON report, and why (for people: the file is named).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path} is not a practrace JSON report: {message}")]
pub struct NotAReport {
    /// The file, as the user named it.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// A report as read back. Only what a reader uses is typed; other fields are skipped.
#[derive(Debug, Deserialize)]
pub struct ReportIn {
    /// `tool`.
    pub tool: ToolIn,
    /// `source`: what was scanned.
    pub source: SourceIn,
    /// `practices`, each with its evidence.
    pub practices: Vec<PracticeIn>,
    /// `config`: how the report was made.
    #[serde(default)]
    pub config: Option<ConfigIn>,
    /// `model`.
    #[serde(default)]
    pub model: Option<ModelIn>,
    /// `process_areas`.
    #[serde(default)]
    pub process_areas: Option<Vec<AreaIn>>,
    /// `diagnostics`.
    #[serde(default)]
    pub diagnostics: Option<Vec<DiagnosticIn>>,
    /// `matrix`: only `matrix --format json` writes it.
    #[serde(default)]
    pub matrix: Option<MatrixIn>,
}

/// `tool`.
#[derive(Debug, Deserialize)]
pub struct ToolIn {
    /// Must be `practrace`.
    pub name: String,
    /// The version that made the report.
    #[serde(default)]
    pub version: Option<String>,
}

/// `source`.
#[derive(Debug, Deserialize)]
pub struct SourceIn {
    /// The repository as given on the command line that made the report.
    #[serde(default)]
    pub repo: Option<String>,
    /// The revision as given (`null`: the working tree).
    #[serde(default)]
    pub rev: Option<String>,
    /// The scanned commit: 40 lower-case hex digits after [`parse`].
    #[serde(default)]
    pub commit: Option<String>,
    /// A working-tree scan.
    #[serde(default)]
    pub worktree: Option<bool>,
    /// History cut (shallow clone).
    #[serde(default)]
    pub shallow: Option<bool>,
    /// Commits read.
    #[serde(default)]
    pub commits_scanned: Option<u64>,
}

/// `config`.
#[derive(Debug, Deserialize)]
pub struct ConfigIn {
    /// `.practrace.yaml`, when there was one.
    #[serde(default)]
    pub path: Option<String>,
    /// Its blob id: the configuration digest.
    #[serde(default)]
    pub blob: Option<String>,
    /// The digest of the scan options.
    #[serde(default)]
    pub options: Option<String>,
}

/// `model`.
#[derive(Debug, Deserialize)]
pub struct ModelIn {
    /// Model id.
    #[serde(default)]
    pub id: Option<String>,
    /// Model title.
    #[serde(default)]
    pub title: Option<String>,
    /// The model's digest (16 hex digits).
    #[serde(default)]
    pub digest: Option<String>,
}

/// One of `process_areas`.
#[derive(Debug, Deserialize)]
pub struct AreaIn {
    /// `PA05`.
    #[serde(default)]
    pub id: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// False when the area is not rated.
    #[serde(default)]
    pub applicable: Option<bool>,
    /// The achieved level (`null` when not rated).
    #[serde(default)]
    pub achieved_level: Option<u8>,
    /// The target level.
    #[serde(default)]
    pub target_level: Option<u8>,
    /// In-scope base practices with evidence.
    #[serde(default)]
    pub base_practices_evidenced: Option<u64>,
    /// In-scope base practices.
    #[serde(default)]
    pub base_practices_in_scope: Option<u64>,
    /// Read for its duplicates only.
    #[serde(default)]
    pub levels: Option<IgnoredAny>,
}

/// One of `practices`.
#[derive(Debug, Deserialize)]
pub struct PracticeIn {
    /// `BP.05.02` or `GP.2.1.3@PA05`.
    pub id: String,
    /// Its evidence.
    pub evidence: Vec<EvidenceIn>,
    /// False when declared not applicable.
    #[serde(default)]
    pub in_scope: Option<bool>,
}

/// A piece of evidence: where it is, nothing more.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum EvidenceIn {
    /// A file: its path (inside a repository after [`parse`]) and blob id.
    File {
        /// Path in the repository.
        path: String,
        /// Blob id, 40 lower-case hex digits after [`parse`].
        blob: String,
    },
    /// A commit.
    Commit {
        /// Commit id, 40 lower-case hex digits after [`parse`].
        commit: String,
    },
}

/// One of `diagnostics`: its severity.
#[derive(Debug, Deserialize)]
pub struct DiagnosticIn {
    /// `error`, `warning` or `note`.
    pub severity: Severity,
}

/// `matrix`: the matrix's own stamp.
#[derive(Debug, Deserialize)]
pub struct MatrixIn {
    /// The scanned commit's committer date, RFC 3339.
    #[serde(default)]
    pub commit_date: Option<String>,
    /// When the matrix was made (`--timestamp`).
    #[serde(default)]
    pub generated: Option<String>,
    /// Read for its duplicates only.
    #[serde(default)]
    pub worktree_changes: Option<IgnoredAny>,
}

/// An object id as a report must spell it: 40 hex digits (read in either case, kept in
/// lower case, as git prints them).
fn object_id(text: &str) -> Option<String> {
    ObjectId::from_hex(text).map(|id| id.to_string())
}

/// Reads a report's JSON bytes: the typed parse (a duplicate field is refused), then
/// `tool.name` must be `practrace`, the report's commit and every evidence object id must
/// be 40 hex digits (returned in lower case), and every evidence path must lie inside a
/// repository. `shown` names the report in the error.
///
/// ```
/// let json = br#"{"tool": {"name": "practrace"}, "source": {"commit": "ABCDEF0123456789ABCDEF0123456789ABCDEF01"},
///                 "practices": []}"#;
/// let report = practrace::report::read::parse(json, "r.json").unwrap();
/// assert_eq!(report.source.commit.as_deref(), Some("abcdef0123456789abcdef0123456789abcdef01"));
/// let twice = br#"{"tool": {"name": "practrace"}, "tool": {"name": "practrace"}, "source": {}, "practices": []}"#;
/// let error = practrace::report::read::parse(twice, "r.json").unwrap_err();
/// assert!(error.to_string().starts_with("r.json is not a practrace JSON report: duplicate field"));
/// ```
pub fn parse(json: &[u8], shown: &str) -> Result<ReportIn, NotAReport> {
    let bad = |message: String| NotAReport {
        path: shown.to_string(),
        message,
    };
    let mut report: ReportIn = serde_json::from_slice(json).map_err(|e| bad(e.to_string()))?;
    if report.tool.name != "practrace" {
        return Err(bad("no \"tool\": {\"name\": \"practrace\"}".into()));
    }
    if let Some(c) = &mut report.source.commit {
        *c = object_id(c)
            .ok_or_else(|| bad(format!("\"source.commit\" {c:?} is not a commit id")))?;
    }
    for e in report.practices.iter_mut().flat_map(|p| &mut p.evidence) {
        match e {
            EvidenceIn::File { path, blob } => {
                if !crate::source::repository_path(path.as_bytes()) {
                    return Err(bad(format!(
                        "evidence path {path:?} is not a path inside a repository"
                    )));
                }
                *blob = object_id(blob)
                    .ok_or_else(|| bad(format!("{path}: blob {blob:?} is not an object id")))?;
            }
            EvidenceIn::Commit { commit } => {
                *commit = object_id(commit)
                    .ok_or_else(|| bad(format!("commit {commit:?} is not a commit id")))?;
            }
        }
    }
    Ok(report)
}
