//! The configuration file, `.practrace.yaml` at the repository root (spec §4).
//!
//! It is optional and every key has a default. It is read from the scanned revision (or the
//! working tree), so `--rev` and `--base` each use their own. Parsing goes through the
//! hardened YAML reader ([`crate::extract::yaml::from_config_str`]); a bad file is an error
//! that names the key, line and column, with a "did you mean" for a misspelt key.

use std::collections::BTreeMap;
use std::fmt;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::extract::yaml::{Located, from_config_str};
use crate::model::Model;

/// The file's name at the repository root.
pub const FILE_NAME: &str = ".practrace.yaml";

/// The configuration file as written. Every key is optional.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ConfigFile {
    /// A model file (JSON, or YAML by its `.yaml`/`.yml` extension), as a path in the
    /// repository; default: the built-in SSE-CMM. `--model` overrides it.
    pub model: Option<Located<String>>,
    /// The front matter key that lists practices (default `practices`).
    pub front_matter_key: Option<String>,
    /// Commit trailer keys that name practices, matched case-insensitively (default
    /// `[Practice]`).
    pub trailer_keys: Option<Vec<String>>,
    /// The target capability level of every process area not listed in `targets`
    /// (default 1). 0 means "track only": the area is rated and shown, never a
    /// `below-target` finding (a team adopting the gate starts there).
    pub default_target: Option<Located<u8>>,
    /// Target capability level per process area, e.g. `{PA05: 2}` (0: track only).
    pub targets: BTreeMap<Located<String>, Located<u8>>,
    /// Practices that do not apply, each with the reason why. A process area id (`PA22`)
    /// declares every practice of that area. They are shown as out of scope in every
    /// report, never dropped.
    pub not_applicable: Vec<NotApplicableFile>,
    /// Evidence for files that cannot carry front matter (PDFs, spreadsheets, sources):
    /// every tracked file matching one of `paths` is evidence for `practices`.
    pub evidence_map: Vec<Located<EvidenceMapFile>>,
    /// Files larger than this many bytes are not read (default 1 MiB). `--max-file-size`
    /// overrides it.
    pub max_file_size: Option<u64>,
    /// Globs of paths that are not scanned at all (`vendor/**`).
    pub ignore: Vec<Located<String>>,
    /// A maximum age for evidence: older evidence is shown as stale and does not count
    /// toward levels. Omitted: evidence never goes stale (and no history walk is paid for).
    pub freshness: Option<crate::freshness::FreshnessFile>,
}

/// One `not_applicable` entry.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotApplicableFile {
    /// A practice id (`BP.05.04`, `GP.2.1.1@PA05`) or a process area id (`PA22`).
    pub practice: Located<String>,
    /// Why it does not apply (required, not empty): auditors read it.
    pub reason: Located<String>,
}

/// One `evidence_map` entry.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceMapFile {
    /// Globs over tracked paths (`*` stays within a folder, `**` crosses folders).
    pub paths: Vec<Located<String>>,
    /// The practices those files are evidence for.
    pub practices: Vec<Located<String>>,
}

/// A bad configuration: the scan cannot run (exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// The file (`.practrace.yaml`).
    pub path: String,
    /// 1-based line (0 when unknown).
    pub line: u32,
    /// 1-based column (0 when unknown).
    pub column: u32,
    /// What is wrong.
    pub message: String,
    /// A likely fix.
    pub suggestion: Option<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path)?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        write!(f, ": invalid configuration: {}", self.message)?;
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean `{s}`?)")?;
        }
        Ok(())
    }
}

/// The keys of [`ConfigFile`], for "did you mean".
const KEYS: &[&str] = &[
    "model",
    "front_matter_key",
    "trailer_keys",
    "default_target",
    "targets",
    "not_applicable",
    "evidence_map",
    "max_file_size",
    "ignore",
    "freshness",
    "max_age",
    "limits",
    "practice",
    "reason",
    "paths",
    "practices",
];

impl ConfigFile {
    /// Parses the file's text.
    pub fn parse(text: &str, path: &str) -> Result<ConfigFile, ConfigError> {
        from_config_str::<ConfigFile>(text).map_err(|e| {
            let suggestion = unknown_field(&e.message).and_then(|field| {
                let expected = expected_fields(&e.message);
                let keys: Vec<&str> = if expected.is_empty() {
                    KEYS.to_vec()
                } else {
                    expected
                };
                keys.into_iter()
                    .map(|k| {
                        (
                            crate::model::id::edit_distance(field.as_bytes(), k.as_bytes()),
                            k,
                        )
                    })
                    .filter(|(d, k)| *d <= 2.max(k.len() / 3))
                    .min()
                    .map(|(_, k)| k.to_string())
            });
            ConfigError {
                path: path.to_string(),
                line: e.line,
                column: e.column,
                message: e.message,
                suggestion,
            }
        })
    }
}

/// The fields serde lists as expected after an unknown one ("expected one of `a`, `b`",
/// "expected `a` or `b`"): the keys valid where the unknown one stands (a nested mapping's,
/// not the top level's).
fn expected_fields(message: &str) -> Vec<&str> {
    let Some(rest) = message.split("expected ").nth(1) else {
        return Vec::new();
    };
    let rest = rest.strip_prefix("one of ").unwrap_or(rest);
    rest.split([',', ' '])
        .map(|w| w.trim_matches(|c: char| c == '`' || c == '"'))
        .filter(|w| !w.is_empty() && *w != "or")
        .collect()
}

/// The field name in serde's "unknown field `x`, expected ..." message.
fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.split("unknown field `").nth(1)?;
    rest.split('`').next()
}

/// What to read and how much of it.
/// Everything in it may change what a scan finds, so the cache key is derived from the
/// whole struct ([`crate::cache`]): a field added here is in the key without more code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ScanOptions {
    /// The front matter key that lists practices.
    pub front_matter_key: String,
    /// Trailer keys that name practices (case-insensitive, as git matches them).
    pub trailer_keys: Vec<String>,
    /// Files larger than this are skipped with a note.
    pub max_file_size: u64,
    /// Front matter larger than this is reported and not read.
    pub max_front_matter: usize,
    /// Commit messages larger than this are reported and their trailers not read.
    pub max_message_size: usize,
    /// At most this many ids are read from one file or one commit message.
    pub max_ids: usize,
    /// Globs of paths not scanned at all.
    pub ignore: Vec<String>,
    /// The evidence map: files matching a rule's globs are evidence for its practices.
    pub evidence_map: Vec<MapRule>,
}

impl ScanOptions {
    /// A digest of every option (16 hex digits), as reports record it.
    pub fn digest(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        format!("{:016x}", crate::digest::fnv(&[&bytes]))
    }
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            front_matter_key: "practices".into(),
            trailer_keys: vec!["Practice".into()],
            max_file_size: 1 << 20,
            max_front_matter: crate::extract::front_matter::DEFAULT_MAX_FRONT_MATTER,
            max_message_size: 1 << 20,
            max_ids: 1000,
            ignore: Vec::new(),
            evidence_map: Vec::new(),
        }
    }
}

/// The configuration the report was made with.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct ConfigInfo {
    /// `.practrace.yaml` when the scanned revision (or working tree) has one, else `null`.
    pub path: Option<String>,
    /// The git blob id of that file's bytes: the configuration digest (`git hash-object`
    /// gives the same), `null` without a file.
    pub blob: Option<String>,
    /// A digest of the scan options the report was made with (16 hex digits: the file's
    /// keys and the command line's limits together), for `verify`.
    #[serde(default)]
    pub options: Option<String>,
}

/// An evidence-map rule, resolved against the model.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MapRule {
    /// The globs as written.
    pub globs: Vec<String>,
    /// The practices (indexes into `Model::practices`).
    pub practices: Vec<usize>,
}

/// The configuration, checked against the model: what the scan and the rating use.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Target level per process area (index into `Model::process_areas`).
    pub targets: Vec<u8>,
    /// Why a practice is not applicable, per practice (index into `Model::practices`).
    pub not_applicable: Vec<Option<String>>,
    /// The evidence map.
    pub evidence_map: Vec<MapRule>,
    /// Where each evidence-map rule is in the configuration file (1-based line and column
    /// of the rule), for diagnostics about it.
    pub evidence_map_places: Vec<(u32, u32)>,
    /// Ignore globs as written.
    pub ignore: Vec<String>,
    /// Freshness limits per practice; `None` when `freshness:` is not configured.
    pub freshness: Option<crate::freshness::Limits>,
}

impl Policy {
    /// The default policy for a model: every area targets level 1, everything in scope.
    pub fn defaults(model: &Model) -> Policy {
        Policy {
            targets: vec![1; model.process_areas.len()],
            not_applicable: vec![None; model.practices.len()],
            evidence_map: Vec::new(),
            evidence_map_places: Vec::new(),
            ignore: Vec::new(),
            freshness: None,
        }
    }
}

impl ConfigFile {
    /// Checks every id, level and glob against `model`; the first problem is the error.
    pub fn policy(&self, model: &Model, path: &str) -> Result<Policy, ConfigError> {
        self.checked_policy(model).map_err(|p| p.in_file(path))
    }

    /// [`ConfigFile::policy`], key by key in the file's order, so the first problem found
    /// is the one reported.
    fn checked_policy(&self, model: &Model) -> Result<Policy, Problem> {
        let mut policy = Policy::defaults(model);
        self.apply_targets(model, &mut policy.targets)?;
        self.apply_not_applicable(model, &mut policy.not_applicable)?;
        policy.evidence_map = self
            .evidence_map
            .iter()
            .map(|entry| map_rule(model, &entry.value))
            .collect::<Result<_, _>>()?;
        policy.evidence_map_places = self
            .evidence_map
            .iter()
            .map(|entry| (entry.line, entry.column))
            .collect();
        policy.ignore = self.ignore_globs()?;
        if let Some(file) = &self.freshness {
            let resolve = |id: &Located<String>| {
                practices_named(model, id, true)
                    .map_err(|(m, _)| (id.line, id.column, format!("`freshness.limits`: {m}")))
            };
            let limits = crate::freshness::limits(file, model, &resolve);
            policy.freshness = Some(limits.map_err(Problem::placed)?);
        }
        Ok(policy)
    }

    /// Sets `targets` (one per process area) from `default_target`, then from `targets`.
    fn apply_targets(&self, model: &Model, targets: &mut [u8]) -> Result<(), Problem> {
        let max_level = model.levels.iter().map(|l| l.level).max().unwrap_or(1);
        if let Some(default) = &self.default_target {
            let d = target_level(default, max_level)?;
            targets.iter_mut().for_each(|t| *t = d);
        }
        for (area, target) in &self.targets {
            let a = crate::resolve::resolve_area(model, &area.value).map_err(|p| {
                Problem::at(area, format!("`targets`: {}", p.message), p.suggestion)
            })?;
            let index = model.area_by_number(a).unwrap_or_default();
            targets[index] = target_level(target, max_level)?;
        }
        Ok(())
    }

    /// Records the reason of every `not_applicable` entry against each practice it names.
    fn apply_not_applicable(
        &self,
        model: &Model,
        reasons: &mut [Option<String>],
    ) -> Result<(), Problem> {
        for entry in &self.not_applicable {
            let reason = entry.reason.value.trim();
            if reason.is_empty() {
                let message = format!(
                    "`not_applicable`: {} needs a written reason",
                    entry.practice.value
                );
                return Err(Problem::at(&entry.reason, message, None));
            }
            let named = practices_named(model, &entry.practice, true).map_err(|(m, s)| {
                Problem::at(&entry.practice, format!("`not_applicable`: {m}"), s)
            })?;
            for p in named {
                reasons[p] = Some(reason.to_string());
            }
        }
        Ok(())
    }

    /// The `ignore` globs, each checked.
    fn ignore_globs(&self) -> Result<Vec<String>, Problem> {
        let mut ignore = Vec::new();
        for g in &self.ignore {
            glob(&g.value).map_err(|m| Problem::at(g, m, None))?;
            ignore.push(g.value.clone());
        }
        Ok(ignore)
    }
}

/// A problem at a place in the configuration file: a [`ConfigError`] before it is given
/// the file's path.
struct Problem {
    line: u32,
    column: u32,
    message: String,
    suggestion: Option<String>,
}

impl Problem {
    fn placed((line, column, message): (u32, u32, String)) -> Problem {
        let suggestion = None;
        Problem {
            line,
            column,
            message,
            suggestion,
        }
    }

    /// A problem at the place of a value of the file.
    fn at<T>(place: &Located<T>, message: String, suggestion: Option<String>) -> Problem {
        Problem {
            line: place.line,
            column: place.column,
            message,
            suggestion,
        }
    }

    /// The error, in the file at `path`.
    fn in_file(self, path: &str) -> ConfigError {
        ConfigError {
            path: path.to_string(),
            line: self.line,
            column: self.column,
            message: self.message,
            suggestion: self.suggestion,
        }
    }
}

/// A target level, checked to be a level of the model (1 to `max_level`) or 0, "track
/// only": rated and shown, never below its target.
fn target_level(level: &Located<u8>, max_level: u8) -> Result<u8, Problem> {
    if (0..=max_level).contains(&level.value) {
        Ok(level.value)
    } else {
        let message = format!(
            "target level {} is not a level of the model (1 to {max_level}, or 0 to track only)",
            level.value
        );
        Err(Problem::at(level, message, None))
    }
}

/// One `evidence_map` entry resolved: its practices (sorted, once each) and its globs,
/// each checked.
fn map_rule(model: &Model, entry: &EvidenceMapFile) -> Result<MapRule, Problem> {
    let mut practices = Vec::new();
    for id in &entry.practices {
        practices.extend(
            practices_named(model, id, false)
                .map_err(|(m, s)| Problem::at(id, format!("`evidence_map`: {m}"), s))?,
        );
    }
    for g in &entry.paths {
        glob(&g.value).map_err(|m| Problem::at(g, m, None))?;
    }
    if entry.paths.is_empty() {
        return Err(Problem {
            line: 0,
            column: 0,
            message: "`evidence_map`: an entry has no paths".into(),
            suggestion: None,
        });
    }
    practices.sort_unstable();
    practices.dedup();
    Ok(MapRule {
        globs: entry.paths.iter().map(|g| g.value.clone()).collect(),
        practices,
    })
}

/// The practices an id names: one practice, or with `areas`, every practice of a process area.
fn practices_named(
    model: &Model,
    id: &Located<String>,
    areas: bool,
) -> Result<Vec<usize>, (String, Option<String>)> {
    let is_area = matches!(
        crate::model::id::parse(id.value.trim()),
        Ok(crate::model::id::ParsedId::ProcessArea { .. })
    );
    if areas && is_area {
        // A process area the model has: all of its practices; one it does not have: say
        // that (not that an area should be listed elsewhere).
        let a = crate::resolve::resolve_area(model, &id.value)
            .map_err(|p| (p.message, p.suggestion))?;
        let index = model.area_by_number(a).unwrap_or_default();
        return Ok((0..model.practices.len())
            .filter(|&p| model.practices[p].process_area == index)
            .collect());
    }
    crate::resolve::resolve(model, &id.value, &[]).map_err(|p| (p.message, p.suggestion))
}

/// One glob, as the configuration means it: `*` does not cross `/`.
pub(crate) fn glob(pattern: &str) -> Result<Glob, String> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("`{pattern}` is not a valid glob: {}", e.kind()))
}

/// A set of globs (already checked by [`ConfigFile::policy`]; a bad one matches nothing).
pub fn glob_set(patterns: &[String]) -> GlobSet {
    indexed_glob_set(patterns.iter().map(String::as_str)).0
}

/// One set of many globs, and for each glob of the set the index of the pattern it came
/// from (a bad pattern, already reported by [`ConfigFile::policy`], is left out).
pub fn indexed_glob_set<'a>(patterns: impl IntoIterator<Item = &'a str>) -> (GlobSet, Vec<usize>) {
    let mut builder = GlobSetBuilder::new();
    let mut origin = Vec::new();
    for (i, p) in patterns.into_iter().enumerate() {
        if let Ok(g) = glob(p) {
            builder.add(g);
            origin.push(i);
        }
    }
    let set = builder.build().unwrap_or_else(|_| GlobSet::empty());
    (set, origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(text: &str) -> Result<Policy, ConfigError> {
        let model = Model::builtin();
        ConfigFile::parse(text, FILE_NAME)?.policy(&model, FILE_NAME)
    }

    #[test]
    fn empty_file_is_the_default() {
        let model = Model::builtin();
        let p = policy("").unwrap();
        assert_eq!(p.targets, vec![1; model.process_areas.len()]);
        assert!(p.not_applicable.iter().all(Option::is_none));
    }

    #[test]
    fn unknown_key_is_located_with_a_suggestion() {
        let e = policy("model: x.json\ntargest:\n  PA05: 2\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 1), "{e}");
        assert_eq!(e.suggestion.as_deref(), Some("targets"), "{e}");
    }

    #[test]
    fn targets_and_not_applicable_resolve() {
        let model = Model::builtin();
        let p = policy(
            "default_target: 2\ntargets: {pa5: 3}\nnot_applicable:\n  - practice: bp.5.4\n    reason: no such systems\n  - practice: PA22\n    reason: no suppliers\n",
        )
        .unwrap();
        let pa05 = model.area_by_number(5).unwrap();
        assert_eq!(p.targets[pa05], 3);
        assert_eq!(p.targets[0], 2);
        let bp = model.practice("BP.05.04").unwrap();
        assert_eq!(p.not_applicable[bp].as_deref(), Some("no such systems"));
        let pa22 = model.area_by_number(22).unwrap();
        let in_22 = (0..model.practices.len()).filter(|&i| model.practices[i].process_area == pa22);
        assert!(in_22.clone().count() > 5);
        assert!(in_22.into_iter().all(|i| p.not_applicable[i].is_some()));
    }

    /// Pins issue 10 item 5: a target of 0 ("track only", how a team adopts the gate on day
    /// one) is accepted, as the default and per area; it was refused.
    #[test]
    fn a_target_of_zero_tracks_only() {
        let model = Model::builtin();
        let p = policy("default_target: 0\ntargets: {PA05: 0, PA06: 2}\n").unwrap();
        let (pa05, pa06) = (
            model.area_by_number(5).unwrap(),
            model.area_by_number(6).unwrap(),
        );
        assert_eq!((p.targets[0], p.targets[pa05], p.targets[pa06]), (0, 0, 2));
        let e = policy("default_target: 6\n").unwrap_err();
        assert!(e.message.contains("or 0 to track only"), "{e}");
    }

    #[test]
    fn evidence_map_rules_have_their_place() {
        let p = policy(
            "evidence_map:\n  - paths: [a.pdf]\n    practices: [BP.05.02]\n  -   practices: [BP.05.03]\n      paths: ['b/**']\n",
        )
        .unwrap();
        assert_eq!(p.evidence_map_places, [(2, 5), (4, 7)]);
        assert_eq!(p.evidence_map[1].globs, ["b/**"]);
    }

    #[test]
    fn bad_values_name_their_place() {
        let e = policy("targets:\n  PA05: 7\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 9), "{e}");
        let e = policy("not_applicable:\n  - practice: BP.05.99\n    reason: x\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 15), "{e}");
        let e = policy("not_applicable:\n  - practice: BP.05.01\n    reason: '  '\n").unwrap_err();
        assert!(e.message.contains("reason"), "{e}");
        let e = policy("ignore: ['a/[b']\n").unwrap_err();
        assert_eq!(e.line, 1, "{e}");
        let e = policy("targets: 3\n").unwrap_err();
        assert_eq!(e.line, 1, "{e}");
    }
}
