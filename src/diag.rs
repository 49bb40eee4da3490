//! Findings about the scanned input: a stable code, a severity, a location and, where one
//! is close, a suggestion. A bad tag is a diagnostic and the scan goes on; a `Result::Err`
//! is kept for "could not run".

mod rules;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use rules::{RULES, Rule};

/// Whether notes to standard error are off (`-q`/`--quiet`): set once, by the binary,
/// before any command runs.
static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Turns notes to standard error off (`-q`) or on. Errors, and the findings a command
/// reports, are not notes: they are printed either way.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, std::sync::atomic::Ordering::Relaxed);
}

/// Whether notes to standard error are off (see [`set_quiet`]).
pub fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

/// Prints `practrace: note: MESSAGE` to standard error, unless notes are off: what a
/// person may want to know, that changes nothing in the output (a cache not used, another
/// working tree scanned).
pub fn note(message: impl fmt::Display) {
    if !quiet() {
        let message = message.to_string();
        eprintln!("practrace: note: {}", crate::term::terminal_safe(&message));
    }
}

/// How serious a finding is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input is wrong: a tag that is not evidence, front matter that does not parse.
    Error,
    /// Probably a mistake: evidence git would not see.
    Warning,
    /// Something was skipped or cut, on purpose.
    Note,
}

impl Severity {
    /// The lowercase word, as every output spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// The stable code of a finding, of the scan or of the gate (kebab-case in every output):
/// the one list of codes practrace has.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// Not of any id form.
    MalformedId,
    /// Well formed, not in the model.
    UnknownPractice,
    /// A generic practice without a process area.
    UnscopedGenericPractice,
    /// A base practice qualified with another area.
    ScopeMismatch,
    /// A process area id given as a practice.
    NotAPractice,
    /// Front matter that is not valid YAML or whose `practices` has the wrong type.
    InvalidFrontMatter,
    /// Front matter larger than the limit; not read.
    FrontMatterTooLarge,
    /// A `Practice:` line that git does not see as a trailer.
    TrailerOutsideBlock,
    /// A front matter or trailer key that is almost the configured key: not read.
    MisspeltKey,
    /// A file over the size limit; not read.
    FileTooLarge,
    /// A file that could not be read.
    UnreadableFile,
    /// A git object that could not be read.
    UnreadableObject,
    /// The repository is a shallow clone: history is cut.
    ShallowHistory,
    /// Objects a partial clone's filter left out (blobs, folders' trees): what they hold is
    /// not known. One per scan, with the count, the first paths and the fetch to run.
    ObjectsAbsent,
    /// A commit message larger than the limit; its trailers are not read.
    MessageTooLarge,
    /// More ids in one file or message than the limit; the rest are not read.
    TooManyIds,
    /// An `evidence_map` rule of the configuration that matches no file.
    EvidenceMapUnmatched,
    /// Evidence older than its `freshness` limit: shown, not counted.
    StaleEvidence,
    /// The gate: a process area below its target level.
    BelowTarget,
    /// The gate, with a base: evidence base had that head no longer has.
    EvidenceLost,
    /// The gate, with a base: a process area whose level fell.
    LevelLowered,
    /// The gate, with a base: evidence head has that base did not.
    EvidenceAdded,
    /// The gate, with a base: a file that is evidence moved or renamed with its tags.
    EvidenceMoved,
    /// The gate, with a base: a process area whose level rose.
    LevelRaised,
    /// The gate, with a base: evidence base counted that head still has but is now stale.
    EvidenceStale,
}

impl Code {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::MalformedId => "malformed-id",
            Code::UnknownPractice => "unknown-practice",
            Code::UnscopedGenericPractice => "unscoped-generic-practice",
            Code::ScopeMismatch => "scope-mismatch",
            Code::NotAPractice => "not-a-practice",
            Code::InvalidFrontMatter => "invalid-front-matter",
            Code::FrontMatterTooLarge => "front-matter-too-large",
            Code::TrailerOutsideBlock => "trailer-outside-block",
            Code::MisspeltKey => "misspelt-key",
            Code::FileTooLarge => "file-too-large",
            Code::UnreadableFile => "unreadable-file",
            Code::UnreadableObject => "unreadable-object",
            Code::ShallowHistory => "shallow-history",
            Code::ObjectsAbsent => "objects-absent",
            Code::MessageTooLarge => "message-too-large",
            Code::TooManyIds => "too-many-ids",
            Code::EvidenceMapUnmatched => "evidence-map-unmatched",
            Code::BelowTarget => "below-target",
            Code::EvidenceLost => "evidence-lost",
            Code::LevelLowered => "level-lowered",
            Code::EvidenceAdded => "evidence-added",
            Code::EvidenceMoved => "evidence-moved",
            Code::LevelRaised => "level-raised",
            Code::StaleEvidence => "stale-evidence",
            Code::EvidenceStale => "evidence-stale",
        }
    }

    /// One sentence on what the code means (SARIF's rule `shortDescription`; the rest of
    /// the rule is [`Code::rule`]).
    pub fn description(self) -> &'static str {
        match self {
            Code::MalformedId => "A tag is not a practice id of any form.",
            Code::UnknownPractice => "A well-formed practice id that is not in the model.",
            Code::UnscopedGenericPractice => "A generic practice without a process area.",
            Code::ScopeMismatch => "A base practice qualified with another process area.",
            Code::NotAPractice => "A process area id given as a practice.",
            Code::InvalidFrontMatter => {
                "Front matter that is not valid YAML or of the wrong shape."
            }
            Code::FrontMatterTooLarge => "Front matter over the size limit: not read.",
            Code::TrailerOutsideBlock => "A Practice line that git does not read as a trailer.",
            Code::MisspeltKey => {
                "A key that is almost the practices key or a trailer key: what it lists is not read."
            }
            Code::FileTooLarge => "A file over the size limit: not read.",
            Code::UnreadableFile => "A file that could not be read.",
            Code::UnreadableObject => "A git object that could not be read.",
            Code::ShallowHistory => "The clone is shallow: history is cut.",
            Code::ObjectsAbsent => {
                "Files or folders a partial clone's filter left out: their evidence is not known until they are fetched."
            }
            Code::MessageTooLarge => "A commit message over the size limit: not read.",
            Code::TooManyIds => "More ids in one place than the limit: the rest are not read.",
            Code::EvidenceMapUnmatched => {
                "An evidence_map rule of the configuration that matches no file."
            }
            Code::BelowTarget => "A process area below its target capability level.",
            Code::EvidenceLost => "Evidence in base that head no longer has.",
            Code::LevelLowered => "A process area whose capability level fell since base.",
            Code::EvidenceAdded => "Evidence head has that base did not.",
            Code::EvidenceMoved => {
                "A file that is evidence moved or renamed with its tags: not lost."
            }
            Code::LevelRaised => "A process area whose capability level rose since base.",
            Code::StaleEvidence => {
                "Evidence older than its freshness limit: shown, not counted toward levels."
            }
            Code::EvidenceStale => "Evidence base counted that is still there but now stale.",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Diagnostic {
    /// Error, warning or note.
    pub severity: Severity,
    /// Stable code.
    pub code: Code,
    /// One sentence for a person.
    pub message: String,
    /// The file, for findings in a file.
    pub path: Option<String>,
    /// 1-based line (in the file, or in the commit message).
    pub line: Option<u32>,
    /// 1-based column, in characters.
    pub column: Option<u32>,
    /// The commit, for findings in a commit message.
    pub commit: Option<String>,
    /// What the author probably meant.
    pub suggestion: Option<String>,
}

impl Diagnostic {
    /// A finding with no location yet (callers add a commit or a suggestion).
    pub fn new(severity: Severity, code: Code, message: String) -> Diagnostic {
        Diagnostic {
            severity,
            code,
            message,
            path: None,
            line: None,
            column: None,
            commit: None,
            suggestion: None,
        }
    }

    /// A finding in a file.
    pub fn in_file(
        severity: Severity,
        code: Code,
        message: String,
        path: &str,
        line: Option<u32>,
        column: Option<u32>,
    ) -> Diagnostic {
        Diagnostic {
            path: Some(path.to_string()),
            line,
            column,
            ..Diagnostic::new(severity, code, message)
        }
    }

    /// A finding in a commit message.
    pub fn in_commit(
        severity: Severity,
        code: Code,
        message: String,
        commit: &str,
        line: u32,
        column: u32,
    ) -> Diagnostic {
        Diagnostic {
            line: Some(line),
            column: Some(column),
            commit: Some(commit.to_string()),
            ..Diagnostic::new(severity, code, message)
        }
    }

    /// The order every output uses: files by path and position, then commits, then the rest.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            self.path.is_none(),
            self.path.as_deref(),
            self.commit.is_none(),
            self.commit.as_deref(),
            self.line,
            self.column,
            self.code,
            self.severity,
            self.message.as_str(),
        )
    }
}
