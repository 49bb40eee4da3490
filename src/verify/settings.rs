//! Whether a report was made with the configuration, scan options and model the repository
//! has now: a report made before `PA19` was declared not applicable describes another
//! assessment, even when every piece of evidence is unchanged.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Change, Finding, VerifyError};
use crate::pipeline::{Configured, Request, configure};
use crate::report::read::ReportIn;
use crate::source::git::GitSource;

/// What a report says about how it was made (fields absent from older reports are `None`
/// and not compared).
#[derive(Debug)]
pub(super) struct Made {
    config_path: Option<String>,
    config_blob: Option<String>,
    options: Option<String>,
    model_digest: Option<String>,
    /// practice id → in scope
    in_scope: BTreeMap<String, bool>,
    /// area id → target level
    targets: BTreeMap<String, u64>,
}

impl Made {
    /// Reads it from a report, as [`crate::report::read::parse`] read it.
    pub(super) fn of(report: &ReportIn) -> Made {
        let in_scope = report
            .practices
            .iter()
            .filter_map(|p| Some((p.id.clone(), p.in_scope?)))
            .collect();
        let targets = report
            .process_areas
            .iter()
            .flatten()
            .filter_map(|a| Some((a.id.clone()?, u64::from(a.target_level?))))
            .collect();
        let config = report.config.as_ref();
        Made {
            config_path: config.and_then(|c| c.path.clone()),
            config_blob: config.and_then(|c| c.blob.clone()),
            options: config.and_then(|c| c.options.clone()),
            model_digest: report.model.as_ref().and_then(|m| m.digest.clone()),
            in_scope,
            targets,
        }
    }
}

/// Findings for a configuration, scan options or model other than the report's, read from
/// the revision (or working tree) compared against, as a scan of it would read them.
/// `model`: the one given with `--model` (else the configuration's, else the built-in).
pub(super) fn check(
    made: &Made,
    repo: &Path,
    rev: Option<&str>,
    model: Option<&crate::model::Model>,
) -> Result<Vec<Finding>, VerifyError> {
    let source = GitSource::open(repo, rev)?;
    let mut request = Request::new(repo);
    request.model = model.cloned();
    let now =
        configure(&source, &request).map_err(|e| VerifyError::Configuration(e.to_string()))?;
    let mut findings = Vec::new();
    let blob_changed = made.config_blob != now.info.blob;
    let options_changed = made
        .options
        .as_ref()
        .is_some_and(|o| Some(o) != now.info.options.as_ref());
    if blob_changed || options_changed {
        let mut affects = policy_changes(made, &now);
        if !blob_changed {
            affects.insert(
                0,
                "scan options differ (limits given on the command line, such as --max-ids?)".into(),
            );
        }
        findings.push(Finding {
            change: Change::ConfigChanged,
            path: made
                .config_path
                .clone()
                .or_else(|| now.info.path.clone())
                .or_else(|| Some(crate::config::FILE_NAME.into())),
            commit: None,
            expected_blob: made.config_blob.clone(),
            found_blob: now.info.blob.clone(),
            practices: Vec::new(),
            affects,
        });
    }
    let digest = format!("{:016x}", now.model.digest());
    if made.model_digest.as_ref().is_some_and(|d| *d != digest) {
        findings.push(Finding {
            change: Change::ModelChanged,
            path: None,
            commit: None,
            expected_blob: made.model_digest.clone(),
            found_blob: Some(digest),
            practices: Vec::new(),
            affects: model_changes(made, &now),
        });
    }
    Ok(findings)
}

/// What a configuration change does to the assessment: practices out of scope now or back
/// in scope, and targets changed (practices by id, so it is computable whatever else
/// changed).
fn policy_changes(made: &Made, now: &Configured) -> Vec<String> {
    let mut out = Vec::new();
    let (mut dropped, mut restored) = (Vec::new(), Vec::new());
    for (p, practice) in now.model.practices.iter().enumerate() {
        let in_scope = now.policy.not_applicable[p].is_none();
        match made.in_scope.get(&practice.id) {
            Some(true) if !in_scope => dropped.push(practice.id.as_str()),
            Some(false) if in_scope => restored.push(practice.id.as_str()),
            _ => {}
        }
    }
    let list = |ids: &[&str]| {
        if ids.len() > 6 {
            format!("{}, and {} more", ids[..6].join(", "), ids.len() - 6)
        } else {
            ids.join(", ")
        }
    };
    if !dropped.is_empty() {
        out.push(format!("not applicable now: {}", list(&dropped)));
    }
    if !restored.is_empty() {
        out.push(format!("back in scope: {}", list(&restored)));
    }
    for (a, area) in now.model.process_areas.iter().enumerate() {
        let target = u64::from(now.policy.targets[a]);
        if let Some(&was) = made.targets.get(&area.id)
            && was != target
        {
            out.push(format!("target of {}: {was} -> {target}", area.id));
        }
    }
    out
}

/// What a model change does: practices the report had that the model no longer has, and
/// the other way round (titles and goals may have changed too; the digest covers them).
fn model_changes(made: &Made, now: &Configured) -> Vec<String> {
    let ids: std::collections::BTreeSet<&str> =
        now.model.practices.iter().map(|p| p.id.as_str()).collect();
    let gone: Vec<&str> = made
        .in_scope
        .keys()
        .map(String::as_str)
        .filter(|id| !ids.contains(id))
        .collect();
    let new = ids
        .iter()
        .filter(|id| !made.in_scope.contains_key(**id))
        .count();
    let mut out = Vec::new();
    if !gone.is_empty() {
        out.push(format!(
            "{} practice(s) of the report not in the model now",
            gone.len()
        ));
    }
    if new > 0 {
        out.push(format!("{new} practice(s) of the model not in the report"));
    }
    if out.is_empty() {
        out.push("same practices; titles, goals or levels differ".into());
    }
    out
}
