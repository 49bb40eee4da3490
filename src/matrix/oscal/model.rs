//! The part of the OSCAL 1.1.2 JSON model that practrace writes: an assessment-results
//! document (`oscal_assessment-results_schema.json`) and the minimal assessment plan it
//! imports (`oscal_assessment-plan_schema.json`). Field names are OSCAL's (kebab-case);
//! optional arrays are left out when empty, since OSCAL arrays have at least one item.

use serde::Serialize;

/// The root of an assessment-results document.
#[derive(Debug, Clone, Serialize)]
pub struct ResultsDocument<'r> {
    /// The assessment results.
    #[serde(rename = "assessment-results")]
    pub assessment_results: AssessmentResults<'r>,
}

/// The root of an assessment-plan document.
#[derive(Debug, Clone, Serialize)]
pub struct PlanDocument {
    /// The assessment plan.
    #[serde(rename = "assessment-plan")]
    pub assessment_plan: AssessmentPlan,
}

/// `assessment-results`: the results of one run, and the plan they follow.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct AssessmentResults<'r> {
    /// Derived from the content (v5), so the same revision gives the same document.
    pub uuid: String,
    /// Title, dates, versions.
    pub metadata: Metadata,
    /// The assessment plan these results follow.
    pub import_ap: Import,
    /// One result per run: practrace writes exactly one.
    pub results: Vec<AssessmentResult<'r>>,
}

/// `assessment-plan`: what is to be assessed (the practices in scope), and of what system.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct AssessmentPlan {
    /// Derived from the content (v5).
    pub uuid: String,
    /// Title, dates, versions.
    pub metadata: Metadata,
    /// The system security plan: a back-matter resource that names the repository, its
    /// configuration and the model (practrace has no SSP of its own).
    pub import_ssp: Import,
    /// The practices in scope.
    pub reviewed_controls: ReviewedControls,
    /// The resource `import_ssp` points at.
    pub back_matter: BackMatter,
}

/// `metadata` of either document.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Metadata {
    /// Document title.
    pub title: String,
    /// When the document was made: only with `matrix --timestamp`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// The scanned commit's committer date.
    pub last_modified: String,
    /// The document's version: the scanned commit.
    pub version: String,
    /// Always [`super::OSCAL_VERSION`].
    pub oscal_version: String,
    /// The tool and model (practrace's namespace).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<Property>,
}

/// `import-ap` / `import-ssp`: a reference to another document.
#[derive(Debug, Clone, Serialize)]
pub struct Import {
    /// A URI reference (relative: resolved against the importing document).
    pub href: String,
    /// What it points at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
}

/// A `prop`: a name/value pair in a namespace.
#[derive(Debug, Clone, Serialize)]
pub struct Property {
    /// A token.
    pub name: String,
    /// The namespace of the name: practrace's ([`super::NAMESPACE`]).
    pub ns: String,
    /// Non-empty, no leading or trailing white space.
    pub value: String,
}

/// One `result`: the practices reviewed, what was examined, and what was found.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct AssessmentResult<'r> {
    /// Derived from the content (v5).
    pub uuid: String,
    /// Title.
    pub title: String,
    /// What was assessed, at which commit, against which model.
    pub description: String,
    /// Start of the evidence collection: the scanned commit's date.
    pub start: String,
    /// End of the evidence collection: the same date (a scan is a point in time).
    pub end: String,
    /// The practices in scope (included) and not applicable (excluded).
    pub reviewed_controls: ReviewedControls,
    /// One per piece of evidence of each practice, made as they are written.
    #[serde(skip_serializing_if = "super::build::Observations::is_empty")]
    pub observations: super::build::Observations<'r>,
    /// One per practice of the model.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    /// How to read the ids and hrefs.
    pub remarks: String,
}

/// `reviewed-controls`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ReviewedControls {
    /// Exactly one selection.
    pub control_selections: Vec<ControlSelection>,
    /// The mapping of practice ids to control ids.
    pub remarks: String,
}

/// One `control-selections` item.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ControlSelection {
    /// Practices in scope.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub include_controls: Vec<SelectControl>,
    /// Practices declared not applicable.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exclude_controls: Vec<SelectControl>,
}

/// `select-control-by-id`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct SelectControl {
    /// The practice as an OSCAL token ([`super::control_id`]).
    pub control_id: String,
}

/// An `observation`: one piece of evidence of one practice, examined.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Observation {
    /// Derived from the practice and the evidence (v5).
    pub uuid: String,
    /// `BP.05.02: docs/plan.md`.
    pub title: String,
    /// What the evidence is and how it became evidence.
    pub description: String,
    /// Always `["EXAMINE"]`: practrace reads artifacts, it neither tests nor interviews.
    pub methods: Vec<String>,
    /// The file (path, blob, commit) or the commit.
    pub relevant_evidence: Vec<RelevantEvidence>,
    /// The evidence's commit date.
    pub collected: String,
    /// When the evidence goes stale: only with a freshness limit ([`super::freshness_limit`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// For a file not committed yet: why `collected` is the scanned commit's date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
}

/// `relevant-evidence`.
#[derive(Debug, Clone, Serialize)]
pub struct RelevantEvidence {
    /// The file's path, relative to the repository root, percent-encoded; none for a commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Path, blob id and commit, for people.
    pub description: String,
    /// `git-blob`, `git-commit`, `path` (practrace's namespace).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<Property>,
}

/// A `finding`: one practice, satisfied or not.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Finding {
    /// Derived from the practice (v5).
    pub uuid: String,
    /// `BP.05.02 Assess impact`.
    pub title: String,
    /// The practice, its area, kind and level, and how much evidence it has.
    pub description: String,
    /// `practice-id`, `process-area`, `capability-level` (practrace's namespace).
    pub props: Vec<Property>,
    /// The practice's objective and its status.
    pub target: FindingTarget,
    /// The observations of its evidence.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_observations: Vec<RelatedObservation>,
    /// Why the practice is not applicable, when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
}

/// `finding-target`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct FindingTarget {
    /// Always `objective-id`: the practice as a whole is the objective.
    #[serde(rename = "type")]
    pub kind: String,
    /// The practice's control id.
    pub target_id: String,
    /// Satisfied or not, and why.
    pub status: FindingStatus,
    /// `not-applicable` for a practice declared so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub implementation_status: Option<ImplementationStatus>,
}

/// The `status` of a finding target.
#[derive(Debug, Clone, Serialize)]
pub struct FindingStatus {
    /// `satisfied` or `not-satisfied`.
    pub state: String,
    /// `pass`, `fail`, or `not-applicable`.
    pub reason: String,
    /// The reason in words.
    pub remarks: String,
}

/// `implementation-status`.
#[derive(Debug, Clone, Serialize)]
pub struct ImplementationStatus {
    /// `not-applicable`.
    pub state: String,
    /// The reason from the configuration.
    pub remarks: String,
}

/// A `related-observations` item.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct RelatedObservation {
    /// The observation's uuid.
    pub observation_uuid: String,
}

/// `back-matter`.
#[derive(Debug, Clone, Serialize)]
pub struct BackMatter {
    /// Its resources.
    pub resources: Vec<Resource>,
}

/// A back-matter `resource`, described rather than linked.
#[derive(Debug, Clone, Serialize)]
pub struct Resource {
    /// Derived from the content (v5).
    pub uuid: String,
    /// Title.
    pub title: String,
    /// What it stands for.
    pub description: String,
    /// Repository, commit, configuration and model (practrace's namespace).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<Property>,
}
