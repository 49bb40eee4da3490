//! The matrix as a view: what every renderer reads, built once from a finished report.

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::model::{Model, PracticeKind};
use crate::report::text::GapRow;
use crate::report::{AreaReport, EvidenceReport, PracticeReport, Report};

/// The stamp at the top of every format: what the matrix describes, exactly.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    /// The repository: its folder's name when the matrix was stamped, else as given on the
    /// command line.
    pub repository: String,
    /// The revision as given, or `working tree`.
    pub revision: String,
    /// The scanned commit (HEAD for a working tree), if any.
    pub commit: Option<String>,
    /// Its committer date, RFC 3339.
    pub commit_date: Option<String>,
    /// True for a working-tree scan.
    pub worktree: bool,
    /// True when history is cut (shallow clone).
    pub shallow: bool,
    /// Commits read.
    pub commits_scanned: usize,
    /// Model id.
    pub model_id: String,
    /// Model title.
    pub model_title: String,
    /// `practrace 0.1.0`.
    pub tool: String,
    /// The configuration file, if any.
    pub config_path: Option<String>,
    /// Its blob id: the configuration digest.
    pub config_blob: Option<String>,
    /// When the matrix was made, only with `--timestamp`.
    pub generated: Option<String>,
    /// For a working tree: how its evidence files differ from HEAD.
    pub worktree_changes: Option<crate::report::WorktreeChanges>,
}

impl Header {
    /// The stamp of a report: its source, model, tool and configuration, and the matrix's
    /// own commit date and time of making when the report has them.
    fn from_report(report: &Report) -> Header {
        let info = report.matrix.clone().unwrap_or_default();
        Header {
            repository: info
                .repository
                .clone()
                .unwrap_or_else(|| report.source.repo.clone()),
            revision: match (&report.source.rev, report.source.worktree) {
                (Some(rev), _) => rev.clone(),
                (None, _) => "working tree".into(),
            },
            commit: report.source.commit.clone(),
            commit_date: info.commit_date,
            worktree: report.source.worktree,
            shallow: report.source.shallow,
            commits_scanned: report.source.commits_scanned,
            model_id: report.model.id.clone(),
            model_title: report.model.title.clone(),
            tool: format!("{} {}", report.tool.name, report.tool.version),
            config_path: report.config.path.clone(),
            config_blob: report.config.blob.clone(),
            generated: info.generated,
            worktree_changes: info.worktree_changes,
        }
    }

    /// The stamp as label/value pairs, in the order every format prints them.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
        let mut out = vec![
            ("Repository", self.repository.clone()),
            ("Revision", self.revision.clone()),
            ("Commit", or_none(&self.commit)),
            ("Commit date", or_none(&self.commit_date)),
            ("Commits read", {
                let cut = if self.shallow {
                    " (shallow: history cut)"
                } else {
                    ""
                };
                format!("{}{cut}", self.commits_scanned)
            }),
            ("Model", format!("{} — {}", self.model_id, self.model_title)),
            ("Tool", self.tool.clone()),
            (
                "Configuration",
                match (&self.config_path, &self.config_blob) {
                    (Some(p), Some(b)) => format!("{p} (blob {b})"),
                    _ => "(none: defaults)".into(),
                },
            ),
        ];
        if let Some(c) = self.worktree_changes {
            let differ = c.uncommitted + c.modified;
            out.push((
                "Working tree",
                if differ == 0 {
                    "every evidence file as committed at HEAD".into()
                } else {
                    format!(
                        "{differ} evidence file(s) differ from HEAD ({} not committed, {} modified): this matrix describes the files on disk, not the commit alone",
                        c.uncommitted, c.modified
                    )
                },
            ));
        }
        if let Some(g) = &self.generated {
            out.push(("Generated", g.clone()));
        }
        out
    }
}

/// A capability level, as a column of the heat map.
#[derive(Debug, Clone, Serialize)]
pub struct LevelHead {
    /// 1..=5.
    pub level: u8,
    /// "Planned and Tracked".
    pub name: String,
}

/// The state of one level of one process area, as the heat map colours it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LevelState {
    /// Every in-scope practice of the level has evidence, and the level below is achieved.
    Achieved,
    /// Not achieved: some in-scope practice lacks evidence, or a level below is missing.
    Missing,
    /// No practice of the level is in scope for this area (all declared not applicable),
    /// or the area is not rated at all.
    OutOfScope,
}

/// One cell of the heat map: one level of one process area.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// The level.
    pub level: u8,
    /// `achieved`, `missing` or `out-of-scope` (in the template and JSON, kebab-case).
    pub state: LevelState,
    /// At or below the area's target level.
    pub within_target: bool,
    /// How many in-scope practices of the level lack evidence.
    pub missing: usize,
}

/// A piece of evidence, flat: a file (with the last commit that changed it) or a commit.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceRow<'a> {
    /// `file` or `commit`.
    pub kind: &'static str,
    /// The file's path.
    pub path: Option<&'a str>,
    /// Line of the tag in the file (none for a file of the evidence map).
    pub line: Option<u32>,
    /// How the file became evidence: `front matter`, or `evidence_map[0]: GLOB`.
    pub source: Option<String>,
    /// The note written beside the tag.
    pub note: Option<&'a str>,
    /// The file's blob id.
    pub blob: Option<&'a str>,
    /// The evidence commit, or the last commit that changed the file.
    pub commit: Option<&'a str>,
    /// Its author.
    pub author: Option<&'a str>,
    /// Its author date.
    pub date: Option<&'a str>,
    /// Its subject.
    pub subject: Option<&'a str>,
    /// Its age against the `freshness` limit (`stale: 400 days old, limit 90d`); `None`
    /// when the practice has no limit.
    pub freshness: Option<String>,
    /// Older than its limit.
    pub stale: bool,
}

impl<'a> EvidenceRow<'a> {
    fn from_report(e: &'a EvidenceReport) -> EvidenceRow<'a> {
        match e {
            EvidenceReport::File {
                path,
                blob,
                line,
                source,
                note,
                last_commit,
                freshness,
            } => EvidenceRow {
                kind: "file",
                path: Some(path),
                line: *line,
                source: Some(source.label()),
                note: note.as_deref(),
                blob: Some(blob),
                commit: last_commit.as_ref().map(|c| c.commit.as_str()),
                author: last_commit.as_ref().map(|c| c.author.as_str()),
                date: last_commit.as_ref().map(|c| c.date.as_str()),
                subject: last_commit.as_ref().map(|c| c.subject.as_str()),
                freshness: freshness.as_ref().map(crate::freshness::age_text),
                stale: freshness.as_ref().is_some_and(|a| a.stale),
            },
            EvidenceReport::Commit {
                commit,
                author,
                date,
                subject,
                freshness,
            } => EvidenceRow {
                kind: "commit",
                path: None,
                line: None,
                source: None,
                note: None,
                blob: None,
                commit: Some(commit),
                author: Some(author),
                date: Some(date),
                subject: Some(subject),
                freshness: freshness.as_ref().map(crate::freshness::age_text),
                stale: freshness.as_ref().is_some_and(|a| a.stale),
            },
        }
    }
}

/// One practice of one area with its evidence.
#[derive(Debug, Clone, Serialize)]
pub struct PracticeView<'a> {
    /// `BP.05.02` or `GP.2.1.3@PA05`.
    pub id: String,
    /// Title.
    pub title: String,
    /// `base` or `generic`.
    pub kind: String,
    /// In scope (else not applicable, with `not_applicable` the reason).
    pub in_scope: bool,
    /// Why it is not applicable.
    pub not_applicable: Option<String>,
    /// Its evidence, files first.
    pub evidence: Vec<EvidenceRow<'a>>,
}

/// The practices of one area under one heading: its base practices, or the generic
/// practices of one common feature.
#[derive(Debug, Clone, Serialize)]
pub struct Group<'a> {
    /// The level they count for.
    pub level: u8,
    /// "Base practices" or "2.1 Planning Performance".
    pub label: String,
    /// The practices, model order.
    pub practices: Vec<PracticeView<'a>>,
}

/// One process area: its heat map row and its practices.
#[derive(Debug, Clone, Serialize)]
pub struct AreaView<'a> {
    /// `PA05`.
    pub id: String,
    /// Title.
    pub title: String,
    /// False when the area is not rated (no base practice in scope): every format shows
    /// "n/a" for its level.
    pub applicable: bool,
    /// Highest achieved level (`None`: not rated).
    pub achieved_level: Option<u8>,
    /// Target level.
    pub target_level: u8,
    /// One cell per level of the model.
    pub cells: Vec<Cell>,
    /// Base practices first, then generic practices per level and common feature.
    pub groups: Vec<Group<'a>>,
    /// In-scope practices with evidence / in scope (every level).
    pub evidenced: usize,
    /// In-scope practices (every level).
    pub in_scope: usize,
}

impl<'a> PracticeView<'a> {
    /// A practice of the report, its evidence flattened for the renderers.
    fn from_report(shown: &'a PracticeReport) -> PracticeView<'a> {
        PracticeView {
            id: shown.id.clone(),
            title: shown.title.clone(),
            kind: shown.kind.clone(),
            in_scope: shown.in_scope,
            not_applicable: shown.not_applicable.clone(),
            evidence: shown
                .evidence
                .iter()
                .map(EvidenceRow::from_report)
                .collect(),
        }
    }
}

impl<'a> AreaView<'a> {
    /// Process area `a` of the report: its practices under their headings, what is in
    /// scope and evidenced, and its heat map row.
    fn build(report: &'a Report, model: &Model, a: usize, area: &AreaReport) -> AreaView<'a> {
        let mut groups: Vec<Group<'a>> = Vec::new();
        let (mut evidenced, mut in_scope) = (0, 0);
        // Per level: in-scope practices that the rating counts (not GP.1.x).
        let mut counted = vec![0usize; model.levels.len()];
        for i in practice_indices(model, a) {
            let (Some(practice), Some(shown)) = (model.practices.get(i), report.practices.get(i))
            else {
                continue;
            };
            let (level, label) = heading(model, practice.kind);
            if shown.in_scope {
                in_scope += 1;
                evidenced += usize::from(!shown.evidence.is_empty());
                let rated = !matches!(practice.kind, PracticeKind::Generic { level: 1, .. });
                if rated && let Some(n) = counted.get_mut(usize::from(level) - 1) {
                    *n += 1;
                }
            }
            add_to_group(&mut groups, level, label, PracticeView::from_report(shown));
        }
        AreaView {
            id: area.id.clone(),
            title: area.title.clone(),
            applicable: area.applicable,
            achieved_level: area.achieved_level,
            target_level: area.target_level,
            cells: heat_map_row(area, &counted),
            groups,
            evidenced,
            in_scope,
        }
    }
}

/// The practices of process area `a` (indices into `Model::practices`): its base
/// practices, then its generic practices.
fn practice_indices(model: &Model, a: usize) -> Vec<usize> {
    model
        .process_areas
        .get(a)
        .map(|pa| {
            pa.base_practices
                .iter()
                .chain(&pa.generic_practices)
                .copied()
                .collect()
        })
        .unwrap_or_default()
}

/// The heading a practice is shown under, with the level it counts for: "Base practices"
/// at level 1, or its common feature (`2.1 Planning Performance`).
fn heading(model: &Model, kind: PracticeKind) -> (u8, String) {
    match kind {
        PracticeKind::Base => (1, "Base practices".to_string()),
        PracticeKind::Generic { level, feature, .. } => {
            let cf = &model.common_features[feature];
            (level, format!("{} {}", cf.id, cf.title))
        }
    }
}

/// Appends a practice to the last group when it has the same heading, else to a new one.
fn add_to_group<'a>(groups: &mut Vec<Group<'a>>, level: u8, label: String, view: PracticeView<'a>) {
    match groups.last_mut() {
        Some(g) if g.label == label => g.practices.push(view),
        _ => groups.push(Group {
            level,
            label,
            practices: vec![view],
        }),
    }
}

/// The heat map row of an area: per level, its state (out of scope when the rating counts
/// no in-scope practice of it: `counted`, per level; every level of an area that is not
/// rated) and whether it is within the target.
fn heat_map_row(area: &AreaReport, counted: &[usize]) -> Vec<Cell> {
    area.levels
        .iter()
        .map(|l| {
            let scoped = counted.get(usize::from(l.level) - 1).copied().unwrap_or(0);
            Cell {
                level: l.level,
                state: if scoped == 0 || !area.applicable {
                    LevelState::OutOfScope
                } else if l.achieved {
                    LevelState::Achieved
                } else {
                    LevelState::Missing
                },
                within_target: l.level <= area.target_level,
                missing: l.missing.len(),
            }
        })
        .collect()
}

/// The whole matrix: the view every renderer reads.
#[derive(Debug, Clone, Serialize)]
pub struct Matrix<'a> {
    /// The stamp.
    pub header: Header,
    /// The model's levels.
    pub levels: Vec<LevelHead>,
    /// Every process area, model order.
    pub areas: Vec<AreaView<'a>>,
    /// Practices lacking evidence up to each area's target.
    pub gaps: Vec<GapRow>,
    /// Every diagnostic of the scan.
    pub diagnostics: &'a [Diagnostic],
}

/// One row of the flat matrix (CSV, the XLSX Matrix sheet, Markdown): a practice with one
/// piece of evidence, or with none.
#[derive(Debug, Clone)]
pub struct FlatRow<'a> {
    /// The area.
    pub area: &'a AreaView<'a>,
    /// The heading within the area.
    pub group: &'a Group<'a>,
    /// The practice.
    pub practice: &'a PracticeView<'a>,
    /// The evidence, `None` for a practice without any.
    pub evidence: Option<&'a EvidenceRow<'a>>,
}

/// The columns of the flat matrix, in order.
pub const COLUMNS: [&str; 20] = [
    "process_area",
    "process_area_title",
    "level",
    "group",
    "practice",
    "practice_title",
    "practice_kind",
    "scope",
    "not_applicable_reason",
    "evidence",
    "path",
    "line",
    "source",
    "note",
    "blob",
    "commit",
    "author",
    "date",
    "subject",
    "freshness",
];

/// Index of the `level` column (a number in XLSX).
pub const LEVEL_COLUMN: usize = 2;

/// Index of the `line` column (a number in XLSX).
pub const LINE_COLUMN: usize = 11;

impl FlatRow<'_> {
    /// The cells, as text, in [`COLUMNS`] order (not yet neutralised).
    pub fn cells(&self) -> Vec<String> {
        let p = self.practice;
        let e = self.evidence;
        let text = |v: Option<&str>| v.unwrap_or_default().to_string();
        vec![
            self.area.id.clone(),
            self.area.title.clone(),
            self.group.level.to_string(),
            self.group.label.clone(),
            p.id.clone(),
            p.title.clone(),
            p.kind.clone(),
            if p.in_scope {
                "in scope".into()
            } else {
                "not applicable".into()
            },
            p.not_applicable.clone().unwrap_or_default(),
            e.map_or("none", |e| e.kind).to_string(),
            text(e.and_then(|e| e.path)),
            e.and_then(|e| e.line)
                .map(|l| l.to_string())
                .unwrap_or_default(),
            text(e.and_then(|e| e.source.as_deref())),
            text(e.and_then(|e| e.note)),
            text(e.and_then(|e| e.blob)),
            text(e.and_then(|e| e.commit)),
            text(e.and_then(|e| e.author)),
            text(e.and_then(|e| e.date)),
            text(e.and_then(|e| e.subject)),
            text(e.and_then(|e| e.freshness.as_deref())),
        ]
    }
}

impl<'a> Matrix<'a> {
    /// Builds the view from a report (with [`stamp`] applied, or not: then files show no
    /// last commit) and the model it was rated against.
    pub fn build(report: &'a Report, model: &Model) -> Matrix<'a> {
        let levels = model
            .levels
            .iter()
            .map(|l| LevelHead {
                level: l.level,
                name: l.name.clone(),
            })
            .collect();
        let areas = report
            .process_areas
            .iter()
            .enumerate()
            .map(|(a, area)| AreaView::build(report, model, a, area))
            .collect();
        Matrix {
            header: Header::from_report(report),
            levels,
            areas,
            gaps: crate::report::text::gap_rows(report, None, None),
            diagnostics: &report.diagnostics,
        }
    }

    /// The flat rows, model order: each practice once per piece of evidence, or once
    /// with none.
    pub fn rows(&self) -> impl Iterator<Item = FlatRow<'_>> {
        self.areas.iter().flat_map(|area| {
            area.groups.iter().flat_map(move |group| {
                group.practices.iter().flat_map(move |practice| {
                    let evidence: Vec<Option<&EvidenceRow>> = if practice.evidence.is_empty() {
                        vec![None]
                    } else {
                        practice.evidence.iter().map(Some).collect()
                    };
                    evidence.into_iter().map(move |evidence| FlatRow {
                        area,
                        group,
                        practice,
                        evidence,
                    })
                })
            })
        })
    }
}
