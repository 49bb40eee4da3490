//! Capability rating per process area (spec §3).
//!
//! Level 1 is achieved when every in-scope base practice of the area has evidence; level k
//! (k ≥ 2) when level k−1 is achieved and every in-scope generic practice of level k has
//! evidence for that area. GP.1.1.1 may be tagged and is needed by nothing.

use crate::model::{Model, PracticeKind};

/// One level of one area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelRating {
    /// The level.
    pub level: u8,
    /// Achieved (this level's practices all evidenced, and every level below achieved).
    pub achieved: bool,
    /// In-scope practices of this level without evidence, model order.
    pub missing: Vec<usize>,
}

/// The rating of one process area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaRating {
    /// Index into `Model::process_areas`.
    pub area: usize,
    /// Highest achieved level (0 when level 1 is not).
    pub achieved_level: u8,
    /// The level the area should reach.
    pub target_level: u8,
    /// Levels 1..=max.
    pub levels: Vec<LevelRating>,
    /// In-scope base practices with evidence.
    pub base_practices_evidenced: usize,
    /// In-scope base practices.
    pub base_practices_in_scope: usize,
}

/// What the rating needs to know besides the evidence.
pub struct Policy<'a> {
    /// Target level per area (index into `Model::process_areas`).
    pub target: &'a dyn Fn(usize) -> u8,
    /// False for practices declared not applicable.
    pub in_scope: &'a dyn Fn(usize) -> bool,
}

/// Rates every process area, in model order.
/// `has_evidence(p)` tells whether practice `p` has any evidence.
pub fn rate(
    model: &Model,
    has_evidence: &dyn Fn(usize) -> bool,
    policy: &Policy<'_>,
) -> Vec<AreaRating> {
    model
        .process_areas
        .iter()
        .enumerate()
        .map(|(a, area)| {
            let mut levels: Vec<LevelRating> = model
                .levels
                .iter()
                .map(|l| LevelRating {
                    level: l.level,
                    achieved: false,
                    missing: Vec::new(),
                })
                .collect();
            let mut evidenced = 0;
            let mut in_scope = 0;
            for &p in area.base_practices.iter().chain(&area.generic_practices) {
                if !(policy.in_scope)(p) {
                    continue;
                }
                let has = has_evidence(p);
                let level = match model.practices[p].kind {
                    PracticeKind::Base => {
                        in_scope += 1;
                        evidenced += usize::from(has);
                        1
                    }
                    // GP.1.x.x asks that the base practices be performed: needed by nothing.
                    PracticeKind::Generic { level: 1, .. } => continue,
                    PracticeKind::Generic { level, .. } => level,
                };
                if !has {
                    levels[usize::from(level) - 1].missing.push(p);
                }
            }
            let mut below = true;
            let mut achieved_level = 0;
            for l in &mut levels {
                l.achieved = below && l.missing.is_empty();
                below = l.achieved;
                if l.achieved {
                    achieved_level = l.level;
                }
            }
            AreaRating {
                area: a,
                achieved_level,
                target_level: (policy.target)(a),
                levels,
                base_practices_evidenced: evidenced,
                base_practices_in_scope: in_scope,
            }
        })
        .collect()
}
