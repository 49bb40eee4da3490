//! What a practice or a process area means and where it stands: the model's catalog as
//! `practrace list` shows it, and one practice, generic practice or area as `practrace
//! explain` shows it (titles, level, common feature, scope, description, the evidence now
//! and what is missing). Built from the model, the configuration's not-applicable reasons
//! and, when there is a repository, one analysis's report; renderers are in [`text`].

pub mod text;

use serde::Serialize;

use crate::model::id::{ParsedId, generic_id, parse};
use crate::model::{Model, PracticeKind};
use crate::report::practice::{PracticeInfo, applied_generic};
use crate::report::{EvidenceReport, Report};
use crate::resolve::IdProblem;

/// The practices `practrace list` shows: without `area`, every base practice and every
/// generic practice of the model once (not applied to an area); with `area` (an index into
/// `Model::process_areas`), that area's base practices and its generic practices. `level`
/// keeps the practices of that capability level only.
pub fn list(
    model: &Model,
    not_applicable: &[Option<String>],
    area: Option<usize>,
    level: Option<u8>,
) -> Vec<PracticeInfo> {
    let mut rows: Vec<PracticeInfo> = match area {
        Some(a) => {
            let area = &model.process_areas[a];
            area.base_practices
                .iter()
                .chain(&area.generic_practices)
                .map(|&p| PracticeInfo::of(model, not_applicable, p))
                .collect()
        }
        None => (0..model.practices.len())
            .filter(|&p| model.practices[p].kind == PracticeKind::Base)
            .map(|p| PracticeInfo::of(model, not_applicable, p))
            .chain(
                (0..model.generic_practices.len())
                    .map(|g| PracticeInfo::generic(model, not_applicable, g)),
            )
            .collect(),
    };
    rows.retain(|p| level.is_none_or(|l| p.level == l));
    rows
}

/// What `practrace explain` was asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A base practice, or a generic practice applied to one area (index into
    /// `Model::practices`).
    Practice(usize),
    /// A generic practice of the model, every area (index into `Model::generic_practices`).
    Generic(usize),
    /// A process area (index into `Model::process_areas`).
    Area(usize),
}

impl Subject {
    /// Reads an id as leniently as tags are read (`bp.5.2`, `gp.2.1.1`, `pa5`).
    pub fn parse(model: &Model, text: &str) -> Result<Subject, IdProblem> {
        match parse(text.trim()) {
            Ok(ParsedId::ProcessArea { .. }) => {
                let n = crate::resolve::resolve_area(model, text.trim())?;
                Ok(Subject::Area(model.area_by_number(n).unwrap_or_default()))
            }
            Ok(ParsedId::Generic {
                level,
                feature,
                n,
                area: None,
            }) => {
                let id = generic_id(level, feature, n);
                match model.generic_practices.iter().position(|g| g.id == id) {
                    Some(g) => Ok(Subject::Generic(g)),
                    None => crate::resolve::resolve(model, text.trim(), &[])
                        .map(|_| Subject::Generic(0)),
                }
            }
            _ => {
                let found = crate::resolve::resolve(model, text.trim(), &[])?;
                Ok(Subject::Practice(
                    found.first().copied().unwrap_or_default(),
                ))
            }
        }
    }
}

/// A process area with its rating.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AreaInfo {
    /// `PA05`.
    pub id: String,
    /// Title.
    pub title: String,
    /// The goals the model states for it.
    pub goals: Vec<String>,
    /// The level achieved now (`null`: not rated, or no analysis).
    pub achieved_level: Option<u8>,
    /// Its target level (0: track only; `null` without an analysis).
    pub target_level: Option<u8>,
}

/// One row of an explanation's table: a practice with its scope and how much evidence it
/// has.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PracticeStatus {
    /// `BP.05.02`, `GP.2.1.1@PA05`.
    pub id: String,
    /// The practice's title, or (for a generic practice, per area) the area's.
    pub title: String,
    /// Capability level.
    pub level: u8,
    /// False when not applicable.
    pub in_scope: bool,
    /// Why not applicable.
    pub not_applicable: Option<String>,
    /// Pieces of evidence now (`null` without an analysis).
    pub evidence: Option<usize>,
}

/// What `practrace explain` says of one subject.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Explanation {
    /// `practice`, `generic` (a generic practice of the model, in every area) or `area`.
    pub kind: String,
    /// The practice (for `practice` and `generic`).
    pub practice: Option<PracticeInfo>,
    /// The process area (of the practice, or the one explained).
    pub area: Option<AreaInfo>,
    /// What was scanned (`working tree at <commit>`, `<rev> (<commit>)`); `null` without a
    /// repository, when nothing is known of evidence.
    pub scanned: Option<String>,
    /// The practice's evidence now (for `practice`).
    pub evidence: Vec<EvidenceReport>,
    /// For `generic`: the practice in each area; for `area`: its practices.
    pub practices: Vec<PracticeStatus>,
    /// What lacks evidence: the practice itself; for `generic`, the areas (as
    /// `GP.x.y.z@PAnn`) in scope without it; for `area`, its gaps up to its target (at
    /// least up to the next level).
    pub missing: Vec<String>,
}

/// Explains `subject`; with `report` (an analysis of the repository), with its evidence
/// and what is missing.
pub fn explain(
    model: &Model,
    not_applicable: &[Option<String>],
    report: Option<&Report>,
    subject: Subject,
) -> Explanation {
    let mut e = Explanation {
        kind: String::new(),
        practice: None,
        area: None,
        scanned: report.map(scanned),
        evidence: Vec::new(),
        practices: Vec::new(),
        missing: Vec::new(),
    };
    let status = |p: usize| status(model, not_applicable, report, p);
    match subject {
        Subject::Practice(p) => {
            e.kind = "practice".into();
            let info = PracticeInfo::of(model, not_applicable, p);
            e.area = Some(area_info(model, report, model.practices[p].process_area));
            if let Some(practice) = report.and_then(|r| r.practices.get(p)) {
                e.evidence = practice.evidence.clone();
                if info.in_scope && e.evidence.is_empty() {
                    e.missing.push(info.id.clone());
                }
            }
            e.practice = Some(info);
        }
        Subject::Generic(g) => {
            e.kind = "generic".into();
            e.practice = Some(PracticeInfo::generic(model, not_applicable, g));
            e.practices = applied_generic(model, g).into_iter().map(status).collect();
            for row in &mut e.practices {
                row.title = area_of(model, &row.id)
                    .map(|a| a.title.clone())
                    .unwrap_or_default();
            }
            e.missing = lacking(&e.practices);
        }
        Subject::Area(a) => {
            e.kind = "area".into();
            let area = &model.process_areas[a];
            let ids = area.base_practices.iter().chain(&area.generic_practices);
            e.practices = ids.map(|&p| status(p)).collect();
            e.area = Some(area_info(model, report, a));
            if let Some(rated) = report.and_then(|r| r.process_areas.get(a)) {
                let gaps = rated.gaps(rated.target_level);
                e.missing = gaps.into_iter().map(|(_, id)| id.to_string()).collect();
            }
        }
    }
    e
}

/// The in-scope rows without evidence (none without an analysis).
fn lacking(rows: &[PracticeStatus]) -> Vec<String> {
    rows.iter()
        .filter(|r| r.in_scope && r.evidence == Some(0))
        .map(|r| r.id.clone())
        .collect()
}

/// The area a practice id names after its `@`, or of a base practice.
fn area_of<'m>(model: &'m Model, id: &str) -> Option<&'m crate::model::ProcessArea> {
    let p = model.practice(id)?;
    model.process_areas.get(model.practices[p].process_area)
}

/// Practice `p` as a row: scope and evidence count.
fn status(
    model: &Model,
    not_applicable: &[Option<String>],
    report: Option<&Report>,
    p: usize,
) -> PracticeStatus {
    let info = PracticeInfo::of(model, not_applicable, p);
    PracticeStatus {
        id: info.id,
        title: info.title,
        level: info.level,
        in_scope: info.in_scope,
        not_applicable: info.not_applicable,
        evidence: report
            .and_then(|r| r.practices.get(p))
            .map(|r| r.evidence.len()),
    }
}

/// Area `a` with its rating in `report`.
fn area_info(model: &Model, report: Option<&Report>, a: usize) -> AreaInfo {
    let area = &model.process_areas[a];
    let rated = report.and_then(|r| r.process_areas.get(a));
    AreaInfo {
        id: area.id.clone(),
        title: area.title.clone(),
        goals: area.goals.clone(),
        achieved_level: rated.and_then(|r| r.achieved_level),
        target_level: rated.map(|r| r.target_level),
    }
}

/// What a report describes: `working tree at <commit>` or `<rev> (<commit>)`.
fn scanned(report: &Report) -> String {
    let commit = report.source.commit.as_deref().unwrap_or("(no commit)");
    let short = &commit[..commit.len().min(12)];
    if report.source.worktree {
        format!("working tree at {short}")
    } else {
        format!("{} ({short})", report.source.rev.as_deref().unwrap_or("?"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_read_leniently() {
        let m = Model::builtin();
        assert_eq!(
            Subject::parse(&m, "bp.5.2"),
            Ok(Subject::Practice(m.practice("BP.05.02").unwrap()))
        );
        assert_eq!(Subject::parse(&m, "gp.2.1.1"), Ok(Subject::Generic(1)));
        assert_eq!(
            Subject::parse(&m, "GP.2.1.1@pa5"),
            Ok(Subject::Practice(m.practice("GP.2.1.1@PA05").unwrap()))
        );
        assert_eq!(Subject::parse(&m, "pa5"), Ok(Subject::Area(4)));
        assert!(Subject::parse(&m, "BP.05.99").is_err());
        assert!(Subject::parse(&m, "GP.6.1.1").is_err());
        assert!(Subject::parse(&m, "PA99").is_err());
    }

    #[test]
    fn the_catalog_lists_generic_practices_once_and_an_area_its_own() {
        let m = Model::builtin();
        let na = vec![None; m.practices.len()];
        assert_eq!(list(&m, &na, None, None).len(), 128 + 29);
        assert_eq!(list(&m, &na, Some(4), None).len(), 5 + 29);
        let level2 = list(&m, &na, Some(4), Some(2));
        assert!(
            level2
                .iter()
                .all(|p| p.id.starts_with("GP.2.") && p.id.ends_with("@PA05"))
        );
        assert_eq!(level2.len(), 12);
    }
}
