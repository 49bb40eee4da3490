//! Builds the OSCAL documents from a stamped report: nothing here reads the repository.

use uuid::Uuid;

use super::model::*;
use super::{NAMESPACE, OSCAL_VERSION, age_of, control_id, evidence_expires, path_href, utc};
use crate::report::{CommitRef, EvidenceReport, PracticeReport, Report};

/// The date of a document without a commit (an empty repository's working tree).
const NO_DATE: &str = "1970-01-01T00:00:00Z";

/// How ids become control ids, and hrefs paths; said in both documents.
const MAPPING: &str = "Each control is a practice of the model; its control id is the \
    practice id lowercased, with '@' written '_' (BP.05.02 is bp.05.02, GP.2.1.1@PA05 is \
    gp.2.1.1_pa05). Included: the practices in scope; excluded: those declared not \
    applicable.";

/// What every uuid of one document derives from: the scanned commit, the model, the
/// configuration and whether a working tree was scanned.
#[derive(Debug, Clone)]
struct Scope {
    key: String,
}

impl Scope {
    fn of(report: &Report) -> Scope {
        let or_none = |s: &Option<String>| s.clone().unwrap_or_else(|| "-".into());
        let key = [
            or_none(&report.source.commit),
            report.model.id.clone(),
            report.model.digest.clone(),
            or_none(&report.config.blob),
            or_none(&report.config.options),
            report.source.worktree.to_string(),
        ]
        .join("\n");
        Scope { key }
    }

    /// A v5 uuid (in practrace's namespace) of `kind` and `parts` within this scope.
    fn uuid(&self, kind: &str, parts: &[&str]) -> String {
        let namespace = Uuid::new_v5(&Uuid::NAMESPACE_URL, NAMESPACE.as_bytes());
        let mut name = format!("{kind}\n{}", self.key);
        for part in parts {
            name.push('\n');
            name.push_str(part);
        }
        Uuid::new_v5(&namespace, name.as_bytes()).to_string()
    }
}

/// A property in practrace's namespace; `None` when the value is not an OSCAL string
/// (empty, white space at either end, or a line break), which a path or name may be.
fn prop(name: &str, value: &str) -> Option<Property> {
    let fits = !value.is_empty()
        && !value.starts_with(char::is_whitespace)
        && !value.ends_with(char::is_whitespace)
        && !value.contains(['\n', '\r']);
    fits.then(|| Property {
        name: name.into(),
        ns: NAMESPACE.into(),
        value: value.into(),
    })
}

/// The document's date: the scanned commit's, in UTC.
fn document_date(report: &Report) -> String {
    report
        .matrix
        .as_ref()
        .and_then(|m| m.commit_date.as_deref())
        .and_then(utc)
        .unwrap_or_else(|| NO_DATE.into())
}

fn metadata(report: &Report, title: String) -> Metadata {
    let version = match (&report.source.commit, report.source.worktree) {
        (Some(c), false) => c.clone(),
        (Some(c), true) => format!("{c}+worktree"),
        (None, _) => "worktree".into(),
    };
    let props = [
        prop("tool", &format!("practrace {}", report.tool.version)),
        prop("model-id", &report.model.id),
        prop("model-digest", &report.model.digest),
    ];
    Metadata {
        title,
        published: report
            .matrix
            .as_ref()
            .and_then(|m| m.generated.as_deref())
            .and_then(utc),
        last_modified: document_date(report),
        version,
        oscal_version: OSCAL_VERSION.into(),
        props: props.into_iter().flatten().collect(),
    }
}

/// The practices in scope (included) and not applicable (excluded).
fn reviewed_controls(report: &Report) -> ReviewedControls {
    let mut selection = ControlSelection::default();
    for p in &report.practices {
        let control = SelectControl {
            control_id: control_id(&p.id),
        };
        if p.in_scope {
            selection.include_controls.push(control);
        } else {
            selection.exclude_controls.push(control);
        }
    }
    ReviewedControls {
        control_selections: vec![selection],
        remarks: MAPPING.into(),
    }
}

/// The repository scanned, in words: `the git repository . at commit 63144b9…`.
fn repository(report: &Report) -> String {
    let commit = report.source.commit.as_deref().unwrap_or("(no commit)");
    let tree = if report.source.worktree {
        " (its working tree)"
    } else {
        ""
    };
    format!(
        "the git repository {} at commit {commit}{tree}",
        report.source.repo
    )
}

/// The model, in words: `A tiny made-up model (tiny-model)`.
fn model(report: &Report) -> String {
    format!("{} ({})", report.model.title, report.model.id)
}

/// The observations of a report, each made as it is written: at W2's 100,000 files,
/// the document's observations took 160 MB when they were all made first.
#[derive(Debug, Clone)]
pub struct Observations<'r> {
    scope: Scope,
    report: &'r Report,
    date: String,
}

impl Observations<'_> {
    /// Whether there is none (the list is then left out, as OSCAL wants).
    pub fn is_empty(&self) -> bool {
        self.report.practices.iter().all(|p| p.evidence.is_empty())
    }
}

impl serde::Serialize for Observations<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.report.practices.iter().flat_map(|practice| {
            practice
                .evidence
                .iter()
                .map(move |e| observation(&self.scope, practice, e, &self.date))
        }))
    }
}

/// The assessment results of a stamped report.
pub fn results<'r>(report: &'r Report, plan_href: &str) -> ResultsDocument<'r> {
    let scope = Scope::of(report);
    let date = document_date(report);
    let mut observations = Vec::new();
    let mut findings = Vec::new();
    for practice in &report.practices {
        let first = observations.len();
        observations.extend(
            practice
                .evidence
                .iter()
                .map(|e| observation_uuid(&scope, practice, e)),
        );
        findings.push(finding(&scope, practice, &observations[first..]));
    }
    // The document and its result change whenever any finding or observation does.
    let mut content = vec![report.tool.version.clone()];
    for f in &findings {
        content.extend([f.uuid.clone(), f.target.status.state.clone()]);
    }
    content.extend(observations);
    let content: Vec<&str> = content.iter().map(String::as_str).collect();
    let result = AssessmentResult {
        uuid: scope.uuid("result", &content),
        title: format!("practrace evidence of {}", report.model.title),
        description: format!(
            "Evidence of the practices of {} in {}, as practrace {} found it.",
            model(report),
            repository(report),
            report.tool.version
        ),
        start: date.clone(),
        end: date.clone(),
        reviewed_controls: reviewed_controls(report),
        observations: Observations {
            scope: scope.clone(),
            report,
            date: date.clone(),
        },
        findings,
        remarks: "Evidence hrefs are paths relative to the root of the repository, \
            percent-encoded; each observation's collected date is its commit's."
            .into(),
    };
    ResultsDocument {
        assessment_results: AssessmentResults {
            uuid: scope.uuid("assessment-results", &content),
            metadata: metadata(
                report,
                format!("Assessment results: {}", report.model.title),
            ),
            import_ap: Import {
                href: plan_href.into(),
                remarks: Some("The assessment plan practrace writes beside these results.".into()),
            },
            results: vec![result],
        },
    }
}

/// One piece of evidence of one practice as an observation; `date` stands for the commit
/// date of a file not committed yet.
fn observation(
    scope: &Scope,
    practice: &PracticeReport,
    evidence: &EvidenceReport,
    date: &str,
) -> Observation {
    let (key, title, description, relevant, collected, remarks) = match evidence {
        EvidenceReport::File {
            path,
            blob,
            source,
            note,
            last_commit,
            ..
        } => {
            let how = match source {
                crate::report::EvidenceSource::FrontMatter { line } => {
                    format!("its front matter, line {line}")
                }
                other => other.label(),
            };
            let note = note
                .as_ref()
                .map(|n| format!(" (note: {n})"))
                .unwrap_or_default();
            let (collected, remarks) = match last_commit.as_ref().and_then(|c| utc(&c.date)) {
                Some(d) => (d, None),
                None => (
                    date.to_string(),
                    Some("Not committed: the working tree's content, newer than the scanned commit, whose date it carries.".into()),
                ),
            };
            (
                format!("file\n{path}\n{blob}"),
                format!("{}: {path}", practice.id),
                format!("{path} is evidence for {} by {how}{note}.", practice.id),
                file_evidence(path, blob, last_commit.as_ref()),
                collected,
                remarks,
            )
        }
        EvidenceReport::Commit {
            commit,
            author,
            date: when,
            subject,
            ..
        } => (
            format!("commit\n{commit}"),
            format!("{}: commit {commit}", practice.id),
            format!("Commit {commit} names {} in its trailers.", practice.id),
            RelevantEvidence {
                href: None,
                description: format!("Commit {commit} of {when} by {author}: {subject}"),
                props: prop("git-commit", commit).into_iter().collect(),
            },
            utc(when).unwrap_or_else(|| date.to_string()),
            None,
        ),
    };
    Observation {
        uuid: scope.uuid("observation", &[&practice.id, &key]),
        title,
        description,
        methods: vec!["EXAMINE".into()],
        relevant_evidence: vec![relevant],
        expires: evidence_expires(evidence),
        collected,
        remarks,
    }
}

/// What names a piece of evidence within its practice, for its observation's uuid.
fn observation_key(evidence: &EvidenceReport) -> String {
    match evidence {
        EvidenceReport::File { path, blob, .. } => format!("file\n{path}\n{blob}"),
        EvidenceReport::Commit { commit, .. } => format!("commit\n{commit}"),
    }
}

/// The uuid of a piece of evidence's observation.
fn observation_uuid(scope: &Scope, practice: &PracticeReport, evidence: &EvidenceReport) -> String {
    scope.uuid("observation", &[&practice.id, &observation_key(evidence)])
}

/// A file's `relevant-evidence`: its path (as href), blob and last commit.
fn file_evidence(path: &str, blob: &str, last: Option<&CommitRef>) -> RelevantEvidence {
    let description = match last {
        Some(c) => format!(
            "{path} at blob {blob}, last changed by commit {} of {} by {}: {}",
            c.commit, c.date, c.author, c.subject
        ),
        None => format!("{path} at blob {blob}, not committed"),
    };
    let props = [
        prop("git-blob", blob),
        last.and_then(|c| prop("git-commit", &c.commit)),
    ];
    RelevantEvidence {
        href: Some(path_href(path.as_bytes())),
        description,
        props: props.into_iter().flatten().collect(),
    }
}

/// A practice as a finding, with the observations of its evidence.
fn finding(scope: &Scope, practice: &PracticeReport, observations: &[String]) -> Finding {
    let count = practice.evidence.len();
    // Stale evidence (older than its `freshness` limit) is shown but does not count.
    let stale = practice
        .evidence
        .iter()
        .filter(|e| age_of(e).is_some_and(|a| a.stale))
        .count();
    let pieces = if count == 1 { "piece" } else { "pieces" };
    let (state, reason, status_remarks) = match &practice.not_applicable {
        Some(why) => (
            "satisfied",
            "not-applicable",
            format!("Not applicable: {why}"),
        ),
        None if count > stale && stale > 0 => (
            "satisfied",
            "pass",
            format!("{count} {pieces} of evidence, {stale} of them stale."),
        ),
        None if count > 0 && stale == count => (
            "not-satisfied",
            "fail",
            format!("{count} {pieces} of evidence, all stale."),
        ),
        None if count > 0 => (
            "satisfied",
            "pass",
            format!("{count} {pieces} of evidence."),
        ),
        None => ("not-satisfied", "fail", "No evidence.".to_string()),
    };
    let props = [
        prop("practice-id", &practice.id),
        prop("process-area", &practice.process_area),
        prop("capability-level", &practice.level.to_string()),
    ];
    Finding {
        uuid: scope.uuid("finding", &[&practice.id]),
        title: format!("{} {}", practice.id, practice.title),
        description: format!(
            "{} is a {} practice of {} (capability level {}), with {count} {pieces} of evidence.",
            practice.id, practice.kind, practice.process_area, practice.level
        ),
        props: props.into_iter().flatten().collect(),
        target: FindingTarget {
            kind: "objective-id".into(),
            target_id: control_id(&practice.id),
            status: FindingStatus {
                state: state.into(),
                reason: reason.into(),
                remarks: status_remarks,
            },
            implementation_status: practice.not_applicable.as_ref().map(|why| {
                ImplementationStatus {
                    state: "not-applicable".into(),
                    remarks: why.clone(),
                }
            }),
        },
        related_observations: observations
            .iter()
            .map(|uuid| RelatedObservation {
                observation_uuid: uuid.clone(),
            })
            .collect(),
        remarks: practice.not_applicable.clone(),
    }
}

/// The minimal assessment plan of a stamped report: the practices in scope, and the
/// repository standing for the system security plan.
pub fn plan(report: &Report) -> PlanDocument {
    let scope = Scope::of(report);
    let resource = Resource {
        uuid: scope.uuid("system", &[]),
        title: "The scanned repository".into(),
        description: format!(
            "practrace has no system security plan: the system assessed is {}, with {}, \
             against the model {} (digest {}).",
            repository(report),
            match (&report.config.path, &report.config.blob) {
                (Some(p), Some(b)) => format!("the configuration {p} (blob {b})"),
                _ => "practrace's default configuration".into(),
            },
            model(report),
            report.model.digest
        ),
        props: [
            report
                .source
                .commit
                .as_deref()
                .and_then(|c| prop("git-commit", c)),
            report
                .config
                .blob
                .as_deref()
                .and_then(|b| prop("config-blob", b)),
            prop("model-id", &report.model.id),
            prop("model-digest", &report.model.digest),
        ]
        .into_iter()
        .flatten()
        .collect(),
    };
    let controls = reviewed_controls(report);
    let included: Vec<&str> = controls.control_selections[0]
        .include_controls
        .iter()
        .map(|c| c.control_id.as_str())
        .collect();
    PlanDocument {
        assessment_plan: AssessmentPlan {
            uuid: scope.uuid("assessment-plan", &included),
            metadata: metadata(report, format!("Assessment plan: {}", report.model.title)),
            import_ssp: Import {
                href: format!("#{}", resource.uuid),
                remarks: Some("The repository, described in back-matter.".into()),
            },
            reviewed_controls: controls,
            back_matter: BackMatter {
                resources: vec![resource],
            },
        },
    }
}
