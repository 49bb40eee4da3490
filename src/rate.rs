//! Capability rating per process area (spec §3).
//!
//! Level 1 is achieved when every in-scope base practice of the area has evidence; level k
//! (k ≥ 2) when level k−1 is achieved and every in-scope generic practice of level k has
//! evidence for that area. GP.1.1.1 may be tagged and is needed by nothing.
//!
//! Practices declared not applicable are out of scope, and two cases follow from that:
//! - A level k ≥ 2 none of whose generic practices is in scope is **vacuous**: it asks
//!   nothing, so it is achieved exactly when level k−1 is. It neither blocks the levels
//!   above it nor grants any level by itself.
//! - An area none of whose base practices is in scope (a whole area declared not
//!   applicable, say) is **not rated**: it has no achieved level (never "level 5"), no
//!   level of it is achieved, nothing is missing, and it neither meets nor misses a target.
//!   Its generic practices institutionalise a process the area does not perform.

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
    /// Highest achieved level (0 when level 1 is not); `None` when the area is not rated
    /// (no base practice of it is in scope).
    pub achieved_level: Option<u8>,
    /// The level the area should reach (0: track only).
    pub target_level: u8,
    /// Levels 1..=max.
    pub levels: Vec<LevelRating>,
    /// In-scope base practices with evidence.
    pub base_practices_evidenced: usize,
    /// In-scope base practices.
    pub base_practices_in_scope: usize,
}

impl AreaRating {
    /// Whether the area is rated: some base practice of it is in scope.
    pub fn applicable(&self) -> bool {
        self.achieved_level.is_some()
    }
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
    (0..model.process_areas.len())
        .map(|a| rate_area(model, a, has_evidence, policy))
        .collect()
}

/// Rates process area `a`.
fn rate_area(
    model: &Model,
    a: usize,
    has_evidence: &dyn Fn(usize) -> bool,
    policy: &Policy<'_>,
) -> AreaRating {
    let area = &model.process_areas[a];
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
        if !has && let Some(l) = levels.get_mut(usize::from(level) - 1) {
            l.missing.push(p);
        }
    }
    let achieved_level = if in_scope == 0 {
        // Not rated: nothing is achieved, and nothing is missing.
        levels.iter_mut().for_each(|l| l.missing.clear());
        None
    } else {
        // A level with nothing missing (vacuous ones included) follows the level below.
        let mut below = true;
        let mut achieved_level = 0;
        for l in &mut levels {
            l.achieved = below && l.missing.is_empty();
            below = l.achieved;
            if l.achieved {
                achieved_level = l.level;
            }
        }
        Some(achieved_level)
    };
    AreaRating {
        area: a,
        achieved_level,
        target_level: (policy.target)(a),
        levels,
        base_practices_evidenced: evidenced,
        base_practices_in_scope: in_scope,
    }
}

#[cfg(test)]
mod tests {
    //! The rating rule as a table: each case names the practices declared not applicable
    //! and those with evidence in a three-level model of one area (two base practices, two
    //! generic practices at level 2, one at level 3, and GP.1.1.1), and says what the area
    //! is rated.

    use super::*;

    const MODEL: &str = "
id: rate-test
title: Three levels, one area
levels:
  - level: 1
    name: Performed
    common_features:
      - {id: '1.1', title: Performed, generic_practices: [{id: GP.1.1.1, title: Perform}]}
  - level: 2
    name: Planned
    common_features:
      - id: '2.1'
        title: Planning
        generic_practices: [{id: GP.2.1.1, title: Allocate}, {id: GP.2.1.2, title: Assign}]
  - level: 3
    name: Defined
    common_features:
      - {id: '3.1', title: Defining, generic_practices: [{id: GP.3.1.1, title: Standardise}]}
process_areas:
  - id: PA01
    title: One
    base_practices: [{id: BP.01.01, title: First}, {id: BP.01.02, title: Second}]
";

    const ALL_BPS: &[&str] = &["BP.01.01", "BP.01.02"];
    const L2: &[&str] = &["GP.2.1.1@PA01", "GP.2.1.2@PA01"];
    const ALL: &[&str] = &[
        "BP.01.01",
        "BP.01.02",
        "GP.1.1.1@PA01",
        "GP.2.1.1@PA01",
        "GP.2.1.2@PA01",
        "GP.3.1.1@PA01",
    ];

    /// One case: what is out of scope, what has evidence, and the expected rating.
    struct Case {
        name: &'static str,
        not_applicable: &'static [&'static str],
        evidenced: &'static [&'static str],
        /// `None`: not rated.
        level: Option<u8>,
        /// Per level 1..=3.
        achieved: [bool; 3],
        /// Per level 1..=3, the missing practices.
        missing: [&'static [&'static str]; 3],
    }

    const CASES: &[Case] = &[
        Case {
            name: "no evidence: level 0, every practice missing at its level",
            not_applicable: &[],
            evidenced: &[],
            level: Some(0),
            achieved: [false; 3],
            missing: [ALL_BPS, L2, &["GP.3.1.1@PA01"]],
        },
        Case {
            name: "every base practice evidenced: level 1",
            not_applicable: &[],
            evidenced: ALL_BPS,
            level: Some(1),
            achieved: [true, false, false],
            missing: [&[], L2, &["GP.3.1.1@PA01"]],
        },
        Case {
            name: "GP.1.1.1 is needed by nothing",
            not_applicable: &[],
            evidenced: &["BP.01.01", "BP.01.02", "GP.2.1.1@PA01", "GP.2.1.2@PA01"],
            level: Some(2),
            achieved: [true, true, false],
            missing: [&[], &[], &["GP.3.1.1@PA01"]],
        },
        Case {
            name: "a higher level evidenced does not count without the one below",
            not_applicable: &[],
            evidenced: &[
                "BP.01.01",
                "GP.2.1.1@PA01",
                "GP.2.1.2@PA01",
                "GP.3.1.1@PA01",
            ],
            level: Some(0),
            achieved: [false; 3],
            missing: [&["BP.01.02"], &[], &[]],
        },
        Case {
            name: "everything evidenced: the top level",
            not_applicable: &[],
            evidenced: ALL,
            level: Some(3),
            achieved: [true; 3],
            missing: [&[], &[], &[]],
        },
        Case {
            name: "a missing base practice declared not applicable: level 1 without it",
            not_applicable: &["BP.01.02"],
            evidenced: &["BP.01.01"],
            level: Some(1),
            achieved: [true, false, false],
            missing: [&[], L2, &["GP.3.1.1@PA01"]],
        },
        Case {
            name: "the whole area not applicable: not rated (it was level 3)",
            not_applicable: ALL,
            evidenced: &[],
            level: None,
            achieved: [false; 3],
            missing: [&[], &[], &[]],
        },
        Case {
            name: "every base practice not applicable, generic ones in scope: not rated",
            not_applicable: ALL_BPS,
            evidenced: &["GP.2.1.1@PA01"],
            level: None,
            achieved: [false; 3],
            missing: [&[], &[], &[]],
        },
        Case {
            name: "not rated even with evidence for what is not applicable",
            not_applicable: ALL,
            evidenced: ALL,
            level: None,
            achieved: [false; 3],
            missing: [&[], &[], &[]],
        },
        Case {
            name: "a vacuous level follows the level below: achieved",
            not_applicable: L2,
            evidenced: &["BP.01.01", "BP.01.02", "GP.3.1.1@PA01"],
            level: Some(3),
            achieved: [true; 3],
            missing: [&[], &[], &[]],
        },
        Case {
            name: "a vacuous level follows the level below: it grants nothing",
            not_applicable: L2,
            evidenced: &["BP.01.01", "GP.3.1.1@PA01"],
            level: Some(0),
            achieved: [false; 3],
            missing: [&["BP.01.02"], &[], &[]],
        },
        Case {
            name: "a vacuous level does not block the level above, which still needs its own",
            not_applicable: L2,
            evidenced: ALL_BPS,
            level: Some(2),
            achieved: [true, true, false],
            missing: [&[], &[], &["GP.3.1.1@PA01"]],
        },
        Case {
            name: "a vacuous top level after an achieved one",
            not_applicable: &["GP.3.1.1@PA01"],
            evidenced: &["BP.01.01", "BP.01.02", "GP.2.1.1@PA01", "GP.2.1.2@PA01"],
            level: Some(3),
            achieved: [true; 3],
            missing: [&[], &[], &[]],
        },
        Case {
            name: "part of a level not applicable: the rest is still needed",
            not_applicable: &["GP.2.1.2@PA01"],
            evidenced: ALL_BPS,
            level: Some(1),
            achieved: [true, false, false],
            missing: [&[], &["GP.2.1.1@PA01"], &["GP.3.1.1@PA01"]],
        },
    ];

    #[test]
    fn the_rating_rule_as_a_table() {
        let model = Model::from_text(MODEL, "rate-test.yaml").expect("the test model");
        let index = |id: &str| model.practice(id).unwrap_or_else(|| panic!("{id}"));
        for case in CASES {
            let na: Vec<usize> = case.not_applicable.iter().map(|id| index(id)).collect();
            let ev: Vec<usize> = case.evidenced.iter().map(|id| index(id)).collect();
            let ratings = rate(
                &model,
                &|p| ev.contains(&p),
                &Policy {
                    target: &|_| 2,
                    in_scope: &|p| !na.contains(&p),
                },
            );
            let r = &ratings[0];
            let ids = |v: &[usize]| -> Vec<String> {
                v.iter().map(|&p| model.practices[p].id.clone()).collect()
            };
            assert_eq!(r.achieved_level, case.level, "{}", case.name);
            assert_eq!(r.applicable(), case.level.is_some(), "{}", case.name);
            assert_eq!(r.target_level, 2, "{}", case.name);
            let achieved: Vec<bool> = r.levels.iter().map(|l| l.achieved).collect();
            assert_eq!(achieved, case.achieved, "{}", case.name);
            let missing: Vec<Vec<String>> = r.levels.iter().map(|l| ids(&l.missing)).collect();
            assert_eq!(missing, case.missing, "{}", case.name);
        }
    }
}
