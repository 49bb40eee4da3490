//! A practice as people ask about it (`list`, `explain`, `trace`): what the model says of it
//! — title, process area, capability level, common feature, description — and whether the
//! configuration puts it in scope.

use serde::Serialize;

use crate::model::{Model, PracticeKind};

/// One practice described: a base practice, a generic practice applied to one area
/// (`GP.2.1.3@PA05`), or a generic practice of the model before it is applied to any
/// (`GP.2.1.3`, in `list` without `--pa`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PracticeInfo {
    /// `BP.05.02`, `GP.2.1.3@PA05` or `GP.2.1.3`.
    pub id: String,
    /// Title from the model.
    pub title: String,
    /// `base` or `generic`.
    pub kind: String,
    /// `PA05`; `null` for a generic practice not applied to an area.
    pub process_area: Option<String>,
    /// The process area's title.
    pub process_area_title: Option<String>,
    /// The capability level the practice counts for (1 for a base practice).
    pub level: u8,
    /// The level's name (`Planned and Tracked`).
    pub level_name: String,
    /// The common feature of a generic practice (`2.1`); `null` for a base practice.
    pub common_feature: Option<String>,
    /// The common feature's title (`Planning Performance`).
    pub common_feature_title: Option<String>,
    /// False when the configuration declares the practice not applicable (for a generic
    /// practice not applied to an area: not applicable in every area).
    pub in_scope: bool,
    /// Why it is not applicable, from the configuration.
    pub not_applicable: Option<String>,
    /// For a generic practice not applied to an area: the areas where it is not applicable.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_applicable_in: Vec<String>,
    /// What the practice asks, when the model file says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl PracticeInfo {
    /// Practice `p` of `model` (an index into `Model::practices`); `not_applicable` holds the
    /// configuration's reason per practice (`config::Policy::not_applicable`).
    pub fn of(model: &Model, not_applicable: &[Option<String>], p: usize) -> PracticeInfo {
        let practice = &model.practices[p];
        let area = &model.process_areas[practice.process_area];
        let (kind, level, feature) = match practice.kind {
            PracticeKind::Base => ("base", 1, None),
            PracticeKind::Generic { level, feature, .. } => ("generic", level, Some(feature)),
        };
        let reason = not_applicable.get(p).cloned().flatten();
        PracticeInfo {
            id: practice.id.clone(),
            title: practice.title.clone(),
            kind: kind.into(),
            process_area: Some(area.id.clone()),
            process_area_title: Some(area.title.clone()),
            level,
            level_name: level_name(model, level),
            common_feature: feature.map(|f| model.common_features[f].id.clone()),
            common_feature_title: feature.map(|f| model.common_features[f].title.clone()),
            in_scope: reason.is_none(),
            not_applicable: reason,
            not_applicable_in: Vec::new(),
            description: practice.description.clone(),
        }
    }

    /// Generic practice `g` of the model (an index into `Model::generic_practices`), not
    /// applied to an area: in scope unless it is not applicable in every area.
    pub fn generic(model: &Model, not_applicable: &[Option<String>], g: usize) -> PracticeInfo {
        let gp = &model.generic_practices[g];
        let feature = &model.common_features[gp.feature];
        let applied = applied_generic(model, g);
        let not_applicable_in: Vec<String> = applied
            .iter()
            .filter(|&&p| not_applicable.get(p).is_some_and(Option::is_some))
            .map(|&p| {
                model.process_areas[model.practices[p].process_area]
                    .id
                    .clone()
            })
            .collect();
        PracticeInfo {
            id: gp.id.clone(),
            title: gp.title.clone(),
            kind: "generic".into(),
            process_area: None,
            process_area_title: None,
            level: gp.level,
            level_name: level_name(model, gp.level),
            common_feature: Some(feature.id.clone()),
            common_feature_title: Some(feature.title.clone()),
            in_scope: not_applicable_in.len() < applied.len(),
            not_applicable: None,
            not_applicable_in,
            description: gp.description.clone(),
        }
    }

    /// The scope for people: `in scope`, `n/a: REASON`, or for a generic practice of the
    /// model `n/a in PA19, PA22`.
    pub fn scope_text(&self) -> String {
        match (&self.not_applicable, self.not_applicable_in.as_slice()) {
            (Some(reason), _) => format!("n/a: {reason}"),
            (None, []) => "in scope".into(),
            (None, areas) if !self.in_scope => format!("n/a in every area ({})", areas.len()),
            (None, areas) => format!("n/a in {}", areas.join(", ")),
        }
    }

    /// Where the practice sits in the model, for people: `level 1 (Performed Informally),
    /// base practice`, or `level 2 (Planned and Tracked), 2.1 Planning Performance`.
    pub fn place_text(&self) -> String {
        let feature = match (&self.common_feature, &self.common_feature_title) {
            (Some(id), Some(title)) => format!("{id} {title}"),
            _ => "base practice".into(),
        };
        format!("level {} ({}), {feature}", self.level, self.level_name)
    }
}

/// The practices generic practice `g` becomes, one per process area (indexes into
/// `Model::practices`, model order).
pub fn applied_generic(model: &Model, g: usize) -> Vec<usize> {
    model
        .process_areas
        .iter()
        .filter_map(|a| {
            a.generic_practices.iter().copied().find(|&p| {
                matches!(model.practices[p].kind, PracticeKind::Generic { generic, .. } if generic == g)
            })
        })
        .collect()
}

/// The name of capability level `level` (empty when the model has no such level).
fn level_name(model: &Model, level: u8) -> String {
    model
        .levels
        .iter()
        .find(|l| l.level == level)
        .map(|l| l.name.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generic_practice_of_the_model_is_out_of_scope_only_where_declared() {
        let model = Model::builtin();
        let mut na = vec![None; model.practices.len()];
        let pa19 = model.practice("GP.2.1.1@PA19").unwrap();
        na[pa19] = Some("no suppliers".to_string());
        let info = PracticeInfo::generic(&model, &na, 1);
        assert_eq!(info.id, "GP.2.1.1");
        assert_eq!(info.not_applicable_in, ["PA19"]);
        assert!(info.in_scope);
        assert_eq!(info.scope_text(), "n/a in PA19");
        let applied = PracticeInfo::of(&model, &na, pa19);
        assert_eq!(applied.scope_text(), "n/a: no suppliers");
        assert_eq!(
            applied.place_text(),
            "level 2 (Planned and Tracked), 2.1 Planning Performance"
        );
        let all: Vec<Option<String>> = vec![Some("x".into()); model.practices.len()];
        assert!(!PracticeInfo::generic(&model, &all, 1).in_scope);
    }
}
