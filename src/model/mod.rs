//! The process model as data: capability levels, common features, generic practices,
//! process areas and base practices.
//!
//! The SSE-CMM (ISO/IEC 21827:2002) is built in (`schemas/sse-cmm.model.json`); any model
//! of the same shape can be loaded with [`Model::from_path`]. Nothing in the engine knows
//! SSE-CMM beyond this data: the id grammar (`BP.<pa>.<n>`, `GP.<level>.<feature>.<n>`,
//! `PA<nn>`) is the only shape it assumes.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub mod id;

use id::ParsedId;

/// The built-in model's file, embedded in the binary.
pub const BUILTIN_SSE_CMM: &str = include_str!("../../schemas/sse-cmm.model.json");

/// Why a model file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The file could not be read.
    #[error("cannot read model file {path}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid JSON / YAML of the model's shape.
    #[error("model file {path} is not a valid model: {message}")]
    Parse {
        /// The file.
        path: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// The file parses but breaks a rule of the model's shape.
    #[error("model file {path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// A model file as written (`schemas/model.schema.json` describes it).
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    /// Stable id of the model, e.g. `iso-iec-21827-2002`.
    pub id: String,
    /// Human title.
    pub title: String,
    /// Free text about the model's source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Capability levels in ascending order, starting at 1.
    pub levels: Vec<LevelFile>,
    /// Process areas in model order.
    pub process_areas: Vec<ProcessAreaFile>,
}

/// A capability level as written in a model file.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelFile {
    /// 1, 2, ...
    pub level: u8,
    /// E.g. "Planned and Tracked".
    pub name: String,
    /// The common features of this level.
    pub common_features: Vec<CommonFeatureFile>,
}

/// A common feature as written in a model file.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommonFeatureFile {
    /// `<level>.<n>`, e.g. `2.1`.
    pub id: String,
    /// E.g. "Planning Performance".
    pub title: String,
    /// Its generic practices.
    pub generic_practices: Vec<PracticeFile>,
}

/// A process area as written in a model file.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessAreaFile {
    /// `PA<nn>`.
    pub id: String,
    /// E.g. "Assess Vulnerability".
    pub title: String,
    /// Grouping, e.g. `security`, `project`, `organization`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The area's goals.
    #[serde(default)]
    pub goals: Vec<String>,
    /// Its base practices, in order.
    pub base_practices: Vec<PracticeFile>,
}

/// A base or generic practice as written in a model file.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PracticeFile {
    /// Canonical id (`BP.05.02`, `GP.2.1.3`).
    pub id: String,
    /// Short title.
    pub title: String,
    /// What the practice asks, in a sentence or a paragraph (optional): `practrace explain`
    /// shows it and `practrace new` puts it in the work product it starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// What kind of practice a [`Practice`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PracticeKind {
    /// A base practice of one process area; needed for level 1.
    Base,
    /// A generic practice applied to one process area.
    Generic {
        /// Capability level the practice belongs to.
        level: u8,
        /// Index into [`Model::common_features`].
        feature: usize,
        /// Index into [`Model::generic_practices`].
        generic: usize,
    },
}

/// One practice that can carry evidence: a base practice, or a generic practice for one area.
#[derive(Debug, Clone)]
pub struct Practice {
    /// Canonical id: `BP.05.02` or `GP.2.1.3@PA05`.
    pub id: String,
    /// Title from the model.
    pub title: String,
    /// What the practice asks, when the model file says (see [`PracticeFile::description`]).
    pub description: Option<String>,
    /// Index into [`Model::process_areas`].
    pub process_area: usize,
    /// Base or generic.
    pub kind: PracticeKind,
}

/// A process area with the indices of its practices.
#[derive(Debug, Clone)]
pub struct ProcessArea {
    /// `PA05`.
    pub id: String,
    /// Its number (5 for `PA05`).
    pub number: u8,
    /// Title.
    pub title: String,
    /// Goals.
    pub goals: Vec<String>,
    /// Indices into [`Model::practices`] of its base practices.
    pub base_practices: Vec<usize>,
    /// Indices into [`Model::practices`] of its generic practices, model order.
    pub generic_practices: Vec<usize>,
}

/// A common feature (`2.1 Planning Performance`).
#[derive(Debug, Clone)]
pub struct CommonFeature {
    /// `2.1`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Level it belongs to.
    pub level: u8,
}

/// A generic practice of the model, before it is applied to an area (`GP.2.1.3`).
#[derive(Debug, Clone)]
pub struct GenericPractice {
    /// `GP.2.1.3`.
    pub id: String,
    /// Title.
    pub title: String,
    /// What it asks, when the model file says.
    pub description: Option<String>,
    /// Level.
    pub level: u8,
    /// Index into [`Model::common_features`].
    pub feature: usize,
}

/// A capability level.
#[derive(Debug, Clone)]
pub struct CapabilityLevel {
    /// 1..=N.
    pub level: u8,
    /// Name.
    pub name: String,
}

/// A loaded, validated model with lookup tables.
#[derive(Debug, Clone)]
pub struct Model {
    /// Model id.
    pub id: String,
    /// Model title.
    pub title: String,
    /// Capability levels, ascending from 1.
    pub levels: Vec<CapabilityLevel>,
    /// Common features in model order.
    pub common_features: Vec<CommonFeature>,
    /// Generic practices in model order (not yet applied to areas).
    pub generic_practices: Vec<GenericPractice>,
    /// Process areas in model order.
    pub process_areas: Vec<ProcessArea>,
    /// Every practice that can carry evidence, in model order: per area its base
    /// practices, then its generic practices by level and common feature.
    pub practices: Vec<Practice>,
    by_id: HashMap<String, usize>,
    area_by_number: HashMap<u8, usize>,
    /// A digest of the whole model as loaded (see [`Model::digest`]).
    digest: u64,
    /// "Did you mean" answers already computed: the same typo tends to repeat.
    suggestions: std::sync::Arc<std::sync::Mutex<HashMap<String, Option<String>>>>,
}

impl Model {
    /// The built-in SSE-CMM.
    pub fn builtin() -> Model {
        // The embedded file is checked by a test; failing here is a build defect.
        Model::from_json_str(BUILTIN_SSE_CMM, "<built-in sse-cmm>")
            .expect("the built-in model is valid")
    }

    /// Loads a model file, JSON or YAML by its extension (`.yaml`/`.yml` is YAML).
    pub fn from_path(path: &Path) -> Result<Model, ModelError> {
        let shown = path.display().to_string();
        let bytes =
            crate::files::read_bounded(path, crate::files::MAX_MODEL).map_err(|source| {
                ModelError::Read {
                    path: shown.clone(),
                    source,
                }
            })?;
        let text = String::from_utf8(bytes).map_err(|_| ModelError::Read {
            path: shown.clone(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8"),
        })?;
        Model::from_text(&text, &shown)
    }

    /// Parses a model from text: YAML when `shown` ends in `.yaml`/`.yml`, else JSON.
    pub fn from_text(text: &str, shown: &str) -> Result<Model, ModelError> {
        if shown.ends_with(".yaml") || shown.ends_with(".yml") {
            let file: ModelFile =
                crate::extract::yaml::from_config_str(text).map_err(|e| ModelError::Parse {
                    path: shown.to_string(),
                    message: e.to_string(),
                })?;
            Model::from_file(file, shown)
        } else {
            Model::from_json_str(text, shown)
        }
    }

    /// Parses a model from JSON text.
    pub fn from_json_str(text: &str, shown: &str) -> Result<Model, ModelError> {
        let file: ModelFile = serde_json::from_str(text).map_err(|e| ModelError::Parse {
            path: shown.to_string(),
            message: e.to_string(),
        })?;
        Model::from_file(file, shown)
    }

    /// Validates a parsed model file and builds the lookup tables.
    pub fn from_file(file: ModelFile, shown: &str) -> Result<Model, ModelError> {
        let digest = crate::digest::fnv(&[&serde_json::to_vec(&file).unwrap_or_default()]);
        let invalid = |message: String| ModelError::Invalid {
            path: shown.to_string(),
            message,
        };
        let mut model = Model {
            id: file.id,
            title: file.title,
            levels: Vec::new(),
            common_features: Vec::new(),
            generic_practices: Vec::new(),
            process_areas: Vec::new(),
            practices: Vec::new(),
            by_id: HashMap::new(),
            area_by_number: HashMap::new(),
            digest,
            suggestions: Default::default(),
        };
        for (i, level) in file.levels.iter().enumerate() {
            model.push_level(i + 1, level).map_err(invalid)?;
        }
        if model.levels.is_empty() {
            return Err(invalid(
                "a model needs at least one capability level".into(),
            ));
        }
        for (a, area) in file.process_areas.iter().enumerate() {
            model.push_area(a, area).map_err(invalid)?;
        }
        Ok(model)
    }

    /// Adds the level found at 1-based `position` of the file, with its common features
    /// and generic practices; the message says what is wrong with it.
    fn push_level(&mut self, position: usize, level: &LevelFile) -> Result<(), String> {
        if usize::from(level.level) != position {
            return Err(format!(
                "levels must be numbered 1, 2, ... in order; found {} at position {position}",
                level.level
            ));
        }
        self.levels.push(CapabilityLevel {
            level: level.level,
            name: level.name.clone(),
        });
        for (f, feature) in level.common_features.iter().enumerate() {
            self.push_common_feature(level.level, f + 1, feature)?;
        }
        Ok(())
    }

    /// Adds common feature number `number` of `level` and its generic practices, each id
    /// checked against its place (`2.1`, `GP.2.1.3`).
    fn push_common_feature(
        &mut self,
        level: u8,
        number: usize,
        feature: &CommonFeatureFile,
    ) -> Result<(), String> {
        let expected = format!("{level}.{number}");
        if feature.id != expected {
            return Err(format!(
                "common feature {:?} should be {expected:?}",
                feature.id
            ));
        }
        let feature_index = self.common_features.len();
        self.common_features.push(CommonFeature {
            id: feature.id.clone(),
            title: feature.title.clone(),
            level,
        });
        for (n, gp) in feature.generic_practices.iter().enumerate() {
            let expected = format!("GP.{level}.{number}.{}", n + 1);
            if gp.id != expected {
                return Err(format!(
                    "generic practice {:?} should be {expected:?}",
                    gp.id
                ));
            }
            self.generic_practices.push(GenericPractice {
                id: gp.id.clone(),
                title: gp.title.clone(),
                description: gp.description.clone(),
                level,
                feature: feature_index,
            });
        }
        Ok(())
    }

    /// Adds the process area at index `a` with its base practices, then every generic
    /// practice applied to it (the levels must be in already).
    fn push_area(&mut self, a: usize, area: &ProcessAreaFile) -> Result<(), String> {
        let number = area_number(&area.id)?;
        if self.area_by_number.insert(number, a).is_some() {
            return Err(format!("process area {} appears twice", area.id));
        }
        let base = self.push_base_practices(a, number, area)?;
        let generic = self.push_generic_practices(a, &area.id);
        self.process_areas.push(ProcessArea {
            id: area.id.clone(),
            number,
            title: area.title.clone(),
            goals: area.goals.clone(),
            base_practices: base,
            generic_practices: generic,
        });
        Ok(())
    }

    /// Adds the base practices of area `a` (number `number`), each id checked against its
    /// place (`BP.05.02`); their indices into [`Model::practices`].
    fn push_base_practices(
        &mut self,
        a: usize,
        number: u8,
        area: &ProcessAreaFile,
    ) -> Result<Vec<usize>, String> {
        let mut base = Vec::new();
        for (n, bp) in area.base_practices.iter().enumerate() {
            let expected = id::base_id(number, (n + 1) as u8);
            if bp.id != expected {
                return Err(format!(
                    "base practice {:?} of {} should be {expected:?}",
                    bp.id, area.id
                ));
            }
            base.push(self.practices.len());
            self.by_id.insert(bp.id.clone(), self.practices.len());
            self.practices.push(Practice {
                id: bp.id.clone(),
                title: bp.title.clone(),
                description: bp.description.clone(),
                process_area: a,
                kind: PracticeKind::Base,
            });
        }
        Ok(base)
    }

    /// Adds every generic practice of the model applied to area `a` (`GP.2.1.3@PA05`);
    /// their indices into [`Model::practices`].
    fn push_generic_practices(&mut self, a: usize, area_id: &str) -> Vec<usize> {
        let mut generic = Vec::new();
        for (g, gp) in self.generic_practices.iter().enumerate() {
            let pid = format!("{}@{area_id}", gp.id);
            generic.push(self.practices.len());
            self.by_id.insert(pid.clone(), self.practices.len());
            self.practices.push(Practice {
                id: pid,
                title: gp.title.clone(),
                description: gp.description.clone(),
                process_area: a,
                kind: PracticeKind::Generic {
                    level: gp.level,
                    feature: gp.feature,
                    generic: g,
                },
            });
        }
        generic
    }

    /// A digest of everything the model file says (ids, titles, goals, levels): two models
    /// with the same digest give the same reports.
    pub fn digest(&self) -> u64 {
        self.digest
    }

    /// The practice with this canonical id.
    pub fn practice(&self, canonical: &str) -> Option<usize> {
        self.by_id.get(canonical).copied()
    }

    /// The process area with this number (5 for `PA05`).
    pub fn area_by_number(&self, number: u8) -> Option<usize> {
        self.area_by_number.get(&number).copied()
    }

    /// The remembered "did you mean" for `canonical`, or `compute`'s answer, remembered.
    pub fn suggestion(
        &self,
        canonical: &str,
        compute: impl FnOnce() -> Option<String>,
    ) -> Option<String> {
        if let Some(known) = self
            .suggestions
            .lock()
            .ok()
            .and_then(|m| m.get(canonical).cloned())
        {
            return known;
        }
        let answer = compute();
        // Bounded: a repository full of distinct typos must not grow it without end.
        if let Ok(mut m) = self.suggestions.lock()
            && m.len() < 10_000
        {
            m.insert(canonical.to_string(), answer.clone());
        }
        answer
    }

    /// Every id a tag may name: practices and process areas, for "did you mean".
    pub fn all_ids(&self) -> impl Iterator<Item = &str> {
        self.practices
            .iter()
            .map(|p| p.id.as_str())
            .chain(self.process_areas.iter().map(|a| a.id.as_str()))
    }
}

/// The number of a process area id written `PA<2 digits>` (5 for `PA05`).
fn area_number(area_id: &str) -> Result<u8, String> {
    match id::parse(area_id) {
        Ok(ParsedId::ProcessArea { area: n }) if id::area_id(n) == area_id => Ok(n),
        _ => Err(format!(
            "process area id {area_id:?} is not of the form PA<2 digits>"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_model_has_the_standard_counts() {
        let m = Model::builtin();
        assert_eq!(m.levels.len(), 5);
        assert_eq!(m.common_features.len(), 12);
        assert_eq!(m.generic_practices.len(), 29);
        assert_eq!(m.process_areas.len(), 22);
        let bps = m
            .practices
            .iter()
            .filter(|p| p.kind == PracticeKind::Base)
            .count();
        assert_eq!(bps, 128);
        assert_eq!(m.practices.len(), 128 + 29 * 22);
        assert_eq!(
            m.practice("GP.2.1.3@PA05")
                .map(|i| &m.practices[i].title)
                .unwrap(),
            "Document the Process"
        );
    }

    #[test]
    fn builtin_model_matches_the_catalog_id_list() {
        // fixtures/sse-cmm-practice-ids.txt is a copy of shared/ssecmm/practice-ids.txt:
        // per area, the area id then its base practices; then the generic practices.
        let m = Model::builtin();
        let mut ids: Vec<&str> = Vec::new();
        for area in &m.process_areas {
            ids.push(&area.id);
            ids.extend(
                area.base_practices
                    .iter()
                    .map(|&p| m.practices[p].id.as_str()),
            );
        }
        ids.extend(m.generic_practices.iter().map(|g| g.id.as_str()));
        let mut listed: Vec<&str> = include_str!("../../fixtures/sse-cmm-practice-ids.txt")
            .lines()
            .filter(|l| !l.is_empty())
            .collect();
        listed.sort();
        ids.sort();
        assert_eq!(ids, listed);
    }

    #[test]
    fn rejects_a_misnumbered_base_practice() {
        let text = r#"{"id":"m","title":"t","levels":[{"level":1,"name":"a","common_features":[]}],
          "process_areas":[{"id":"PA01","title":"x","base_practices":[{"id":"BP.01.02","title":"y"}]}]}"#;
        let err = Model::from_json_str(text, "m.json").unwrap_err();
        assert!(err.to_string().contains("should be \"BP.01.01\""), "{err}");
    }
}
