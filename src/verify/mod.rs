//! `practrace verify`: re-checks an earlier JSON report (from `status --format json` or
//! `matrix --format json`) against the repository as it is now, and lists what changed.
//!
//! It compares against the working tree by default (files hashed from disk as
//! `git hash-object` does, commits reachable from HEAD), or against the revision given
//! (files from its tree, commits reachable from it). Each file of the report's evidence
//! must still be at its path with the same blob id; each evidence commit must still exist
//! and be reachable; and the report's own `source.commit` must exist. The configuration
//! (`.practrace.yaml`'s blob), the scan options and the model must be those the report
//! was made with ([`settings`]).

mod settings;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::evidence::ObjectId;
use crate::report::read::EvidenceIn;
use crate::source::SourceError;
use crate::source::git::{Repo, history};

/// Why a verification could not run (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The report file could not be read.
    #[error("cannot read report {path}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a practrace JSON report.
    #[error("{path} is not a practrace JSON report: {message}")]
    NotAReport {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The repository or revision.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The configuration or model of what is compared against cannot be read.
    #[error("{0}")]
    Configuration(String),
}

/// What changed about one piece of evidence (or the report's commit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// The file is there with another blob id.
    Changed,
    /// No file at that path any more.
    Missing,
    /// The commit object is gone.
    CommitMissing,
    /// The commit exists but is not reachable from what is compared against.
    CommitUnreachable,
    /// The commit the report describes is not in the repository.
    ReportCommitMissing,
    /// The configuration (its blob) or the scan options differ from the report's.
    ConfigChanged,
    /// The model (its digest) differs from the report's.
    ModelChanged,
}

/// One thing that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What happened.
    pub change: Change,
    /// The file's path, for file evidence.
    pub path: Option<String>,
    /// The commit id, for commit evidence and the report's commit.
    pub commit: Option<String>,
    /// The blob id the report recorded.
    pub expected_blob: Option<String>,
    /// The blob id found now.
    pub found_blob: Option<String>,
    /// The practices this evidence was for.
    pub practices: Vec<String>,
    /// For a configuration or model change: what it changes in the assessment.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub affects: Vec<String>,
}

/// The outcome of a verification.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// `working tree` or the revision as given.
    pub against: String,
    /// The commit compared against (HEAD for the working tree).
    pub against_commit: Option<String>,
    /// The commit the report describes.
    pub report_commit: Option<String>,
    /// Distinct pieces of evidence checked (a file or commit counts once, whatever the
    /// number of practices it is evidence for).
    pub checked: usize,
    /// Of those, how many are unchanged.
    pub unchanged: usize,
    /// Everything that changed, files by path then commits by id.
    pub findings: Vec<Finding>,
}

impl Verification {
    /// True when nothing changed.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }

    /// The outcome for people: one line per finding and a summary line.
    pub fn to_text(&self) -> String {
        let short = |s: &Option<String>| {
            s.as_deref()
                .map(|s| s.chars().take(12).collect::<String>())
                .unwrap_or_else(|| "-".into())
        };
        let mut out = format!(
            "verified against {}{}; report made at {}\n",
            self.against,
            self.against_commit
                .as_deref()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default(),
            self.report_commit.as_deref().unwrap_or("(no commit)")
        );
        for f in &self.findings {
            let practices = if f.practices.is_empty() {
                String::new()
            } else {
                format!("  [{}]", f.practices.join(", "))
            };
            let line = match f.change {
                Change::Changed => format!(
                    "changed             {}  blob {} -> {}",
                    f.path.as_deref().unwrap_or(""),
                    short(&f.expected_blob),
                    short(&f.found_blob)
                ),
                Change::Missing => format!(
                    "missing             {}  (was blob {})",
                    f.path.as_deref().unwrap_or(""),
                    short(&f.expected_blob)
                ),
                Change::CommitMissing => {
                    format!("commit missing      {}", f.commit.as_deref().unwrap_or(""))
                }
                Change::CommitUnreachable => {
                    format!("commit unreachable  {}", f.commit.as_deref().unwrap_or(""))
                }
                Change::ReportCommitMissing => format!(
                    "report commit missing {} (was the report made in another repository?)",
                    f.commit.as_deref().unwrap_or("")
                ),
                Change::ConfigChanged => format!(
                    "config changed      {}  blob {} -> {}",
                    f.path.as_deref().unwrap_or(""),
                    short(&f.expected_blob),
                    short(&f.found_blob)
                ),
                Change::ModelChanged => format!(
                    "model changed       digest {} -> {}",
                    short(&f.expected_blob),
                    short(&f.found_blob)
                ),
            };
            let practices = if f.affects.is_empty() {
                practices
            } else {
                format!("{practices}  (affects: {})", f.affects.join("; "))
            };
            out.push_str(&format!("{line}{practices}\n"));
        }
        let changed = self.checked - self.unchanged;
        out.push_str(&format!(
            "{} pieces of evidence checked: {} unchanged, {} changed or gone\n",
            self.checked, self.unchanged, changed
        ));
        out
    }
}

/// What a report says, as `verify` reads it ([`read_report`]): the commit it describes,
/// each piece of evidence with its practices, and how it was made.
#[derive(Debug)]
pub struct Claims {
    commit: Option<String>,
    /// path → (blob, practices)
    files: BTreeMap<String, (String, Vec<String>)>,
    /// commit → practices
    commits: BTreeMap<String, Vec<String>>,
    /// How the report was made: configuration, options, model.
    made: settings::Made,
}

impl Claims {
    /// The commit the report describes, 40 lower-case hex digits (`None`: it names none).
    pub fn commit(&self) -> Option<&str> {
        self.commit.as_deref()
    }

    /// The file evidence, by path: path (relative, `/`-separated, no empty, `.` or `..`
    /// component), blob id (40 lower-case hex digits), and the practices it is for.
    pub fn files(&self) -> impl Iterator<Item = (&str, &str, &[String])> {
        self.files
            .iter()
            .map(|(path, (blob, practices))| (path.as_str(), blob.as_str(), practices.as_slice()))
    }

    /// The commit evidence, by id (40 lower-case hex digits), with the practices it is for.
    pub fn commits(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.commits
            .iter()
            .map(|(commit, practices)| (commit.as_str(), practices.as_slice()))
    }
}

/// Reads a report's JSON bytes as `verify` does before it looks at any repository: the
/// shared strict parse of [`crate::report::read::parse`] (a duplicate field is refused,
/// `tool.name` must be `practrace`, every evidence path must lie inside a repository and
/// every object id must be 40 hex digits); then how the report was made (configuration,
/// options, model). `shown` names the report in errors,
/// which are all [`VerifyError::NotAReport`].
///
/// [`verify`] reads its report through this function and nothing else; it is public for
/// fuzzing (`fuzz/fuzz_targets/report.rs`) and for tools that check a report without a
/// repository.
///
/// ```
/// use practrace::verify::read_report;
/// let report = |path: &str| {
///     format!(
///         r#"{{"tool": {{"name": "practrace"}}, "source": {{"commit": null}}, "practices": [
///              {{"id": "BP.05.01", "evidence": [{{"kind": "file", "path": "{path}",
///                "blob": "57ABD366498C38B9A191A8EC44916184DB3A618C"}}]}}]}}"#
///     )
/// };
/// let claims = read_report(report("docs/vulns.md").as_bytes(), "r.json").unwrap();
/// let files: Vec<_> = claims.files().collect();
/// let practices = ["BP.05.01".to_string()];
/// let blob = "57abd366498c38b9a191a8ec44916184db3a618c";
/// assert_eq!(files, [("docs/vulns.md", blob, &practices[..])]);
/// assert!(read_report(report("../../etc/passwd").as_bytes(), "r.json").is_err());
/// ```
pub fn read_report(json: &[u8], shown: &str) -> Result<Claims, VerifyError> {
    let report = crate::report::read::parse(json, shown).map_err(|e| VerifyError::NotAReport {
        path: e.path,
        message: e.message,
    })?;
    let mut files: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    let mut commits: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in &report.practices {
        for e in &p.evidence {
            match e {
                EvidenceIn::File { path, blob } => {
                    let entry = files
                        .entry(path.clone())
                        .or_insert_with(|| (String::new(), Vec::new()));
                    entry.0.clone_from(blob);
                    entry.1.push(p.id.clone());
                }
                EvidenceIn::Commit { commit } => {
                    commits
                        .entry(commit.clone())
                        .or_default()
                        .push(p.id.clone());
                }
            }
        }
    }
    Ok(Claims {
        commit: report.source.commit.clone(),
        files,
        commits,
        made: settings::Made::of(&report),
    })
}

/// Verifies the report in `report` (a file path) against `repo` at `rev` (default: the
/// working tree), with `model` when the report was made with `--model`.
pub fn verify_file(
    report: &Path,
    repo: &Path,
    rev: Option<&str>,
    model: Option<&crate::model::Model>,
) -> Result<Verification, VerifyError> {
    let shown = report.display().to_string();
    let json = crate::files::read_bounded(report, crate::files::MAX_REPORT).map_err(|source| {
        VerifyError::Read {
            path: shown.clone(),
            source,
        }
    })?;
    verify(&json, &shown, repo, rev, model)
}

/// Verifies a report's JSON bytes (`shown` names it in messages).
pub fn verify(
    json: &[u8],
    shown: &str,
    repo: &Path,
    rev: Option<&str>,
    model: Option<&crate::model::Model>,
) -> Result<Verification, VerifyError> {
    let claims = read_report(json, shown)?;
    let (repository, target) = open_repository(repo, rev)?;
    let mut findings: Vec<Finding> = report_commit_missing(&repository, &claims)
        .into_iter()
        .collect();
    findings.extend(settings::check(&claims.made, repo, rev, model)?);
    let (files_unchanged, file_findings) = check_files(&repository, rev, target, &claims.files);
    findings.extend(file_findings);
    let (commits_unchanged, commit_findings) = check_commits(&repository, target, &claims.commits)?;
    findings.extend(commit_findings);
    Ok(Verification {
        against: rev.map_or_else(|| "the working tree".to_string(), str::to_string),
        against_commit: target.map(|t| t.to_string()),
        report_commit: claims.commit,
        checked: claims.files.len() + claims.commits.len(),
        unchanged: files_unchanged + commits_unchanged,
        findings,
    })
}

/// Opens the repository and resolves `rev`; without `rev` it must have a working tree.
fn open_repository(
    repo: &Path,
    rev: Option<&str>,
) -> Result<(Repo, Option<ObjectId>), VerifyError> {
    let (repository, target) = history::open_at(repo, rev)?;
    if rev.is_none() && repository.is_bare() {
        return Err(SourceError::Open {
            path: repo.display().to_string(),
            message: "a bare repository has no working tree: verify against a revision with --rev"
                .into(),
        }
        .into());
    }
    Ok((repository, target))
}

/// A finding when the commit the report describes is not in the repository.
fn report_commit_missing(repository: &Repo, claims: &Claims) -> Option<Finding> {
    let c = claims.commit.as_ref()?;
    (!repository.commit_exists(c)).then(|| Finding {
        change: Change::ReportCommitMissing,
        path: None,
        commit: Some(c.clone()),
        expected_blob: None,
        found_blob: None,
        practices: Vec::new(),
        affects: Vec::new(),
    })
}

/// File evidence: each path's blob now (in the working tree without `rev`, else in
/// `target`'s tree) against the one recorded. How many are unchanged, and a finding per
/// file changed or gone, by path.
fn check_files(
    repository: &Repo,
    rev: Option<&str>,
    target: Option<ObjectId>,
    files: &BTreeMap<String, (String, Vec<String>)>,
) -> (usize, Vec<Finding>) {
    let mut unchanged = 0;
    let mut findings = Vec::new();
    for (path, (blob, practices)) in files {
        let found = match (rev, target) {
            (None, _) => repository.worktree_blob(path),
            (Some(_), Some(commit)) => repository.revision_blob(commit, path),
            (Some(_), None) => None,
        };
        let change = match &found {
            Some(f) if f == blob => {
                unchanged += 1;
                continue;
            }
            Some(_) => Change::Changed,
            None => Change::Missing,
        };
        findings.push(Finding {
            change,
            path: Some(path.clone()),
            commit: None,
            expected_blob: Some(blob.clone()),
            found_blob: found,
            practices: practices.clone(),
            affects: Vec::new(),
        });
    }
    (unchanged, findings)
}

/// Commit evidence: each commit must still be reachable from `target`. How many are, and
/// a finding per commit unreachable or gone, by id.
fn check_commits(
    repository: &Repo,
    target: Option<ObjectId>,
    commits: &BTreeMap<String, Vec<String>>,
) -> Result<(usize, Vec<Finding>), VerifyError> {
    let reachable = match (target, commits.is_empty()) {
        (Some(t), false) => repository.reachable(t)?,
        _ => Default::default(),
    };
    let mut unchanged = 0;
    let mut findings = Vec::new();
    for (commit, practices) in commits {
        let change = if reachable.contains(commit) {
            unchanged += 1;
            continue;
        } else if repository.commit_exists(commit) {
            Change::CommitUnreachable
        } else {
            Change::CommitMissing
        };
        findings.push(Finding {
            change,
            path: None,
            commit: Some(commit.clone()),
            expected_blob: None,
            found_blob: None,
            practices: practices.clone(),
            affects: Vec::new(),
        });
    }
    Ok((unchanged, findings))
}
