//! practrace: an evidence-linking traceability engine.
//!
//! It scans a git repository for work products tagged with the practice ids of a process
//! model — in YAML front matter and in commit trailers — links each artifact to the
//! practices it evidences, and rates each process area's capability level with its gaps.
//! The built-in model is the SSE-CMM (ISO/IEC 21827:2002).
//!
//! The modules follow the data: [`source`] → [`extract`] → [`resolve`] (against the
//! [`model`]) → [`scan`] → [`graph`] → [`rate`] → [`report`].
//!
//! ```
//! use practrace::model::Model;
//! let model = Model::builtin();
//! let found = practrace::id::resolve(&model, "bp.5.2", &[]).unwrap();
//! assert_eq!(model.practices[found[0]].id, "BP.05.02");
//! ```

pub mod cache;
pub mod diag;
pub mod extract;
pub mod graph;
pub mod id;
pub mod matrix;
pub mod model;
pub mod rate;
pub mod report;
pub mod resolve;
pub mod scan;
pub mod source;
pub mod verify;

use std::path::Path;

/// Everything one scan produces: the model, the scan, its graph, the ratings, the report.
pub struct Analysis {
    /// The model rated against.
    pub model: model::Model,
    /// The scan.
    pub scan: scan::Scan,
    /// The evidence graph.
    pub graph: graph::EvidenceGraph,
    /// Per-area ratings.
    pub ratings: Vec<rate::AreaRating>,
    /// The report built from all of the above.
    pub report: report::Report,
}

/// Why an analysis could not run.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// The repository or revision.
    #[error(transparent)]
    Source(#[from] source::SourceError),
    /// The model file.
    #[error(transparent)]
    Model(#[from] model::ModelError),
}

/// Scans `repo` (its working tree, or `rev`) against `model` and rates it, with the
/// incremental cache unless `use_cache` is false. Every area's target is level 1 and every
/// practice is in scope (configuration comes later).
pub fn analyze(
    repo: &Path,
    rev: Option<&str>,
    model: model::Model,
    options: &scan::ScanOptions,
    use_cache: bool,
) -> Result<Analysis, AnalysisError> {
    use source::Source;
    let source = source::git::GitSource::open(repo, rev)?;
    let cache = use_cache
        .then(|| cache::Cache::open(source.git_dir(), &model, options))
        .flatten();
    let scan = scan::scan_cached(&source, &model, options, cache.as_ref())?;
    let graph = graph::EvidenceGraph::build(&model, &scan);
    let in_scope = |_: usize| true;
    let target = |_: usize| 1u8;
    let policy = rate::Policy {
        target: &target,
        in_scope: &in_scope,
    };
    let ratings = rate::rate(&model, &graph, &policy);
    let report = report::Report::build(
        &model,
        &scan,
        &graph,
        &ratings,
        &|_| None,
        report::ConfigInfo::default(),
    );
    Ok(Analysis {
        model,
        scan,
        graph,
        ratings,
        report,
    })
}

/// Adds the commit → artifact "touched" edges: for each evidence commit, the evidence files
/// its change (against its first parent) added, modified or deleted. This costs a tree diff
/// per commit, so only outputs that show these links call it (spec §2.2).
pub fn link_touched(analysis: &mut Analysis, repo: &git2::Repository) {
    let by_path: std::collections::HashMap<&str, usize> = analysis
        .scan
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.as_str(), i))
        .collect();
    let mut edges = Vec::new();
    for (c, hit) in analysis.scan.commits.iter().enumerate() {
        let Ok(commit) = git2::Oid::from_str(&hit.id).and_then(|id| repo.find_commit(id)) else {
            continue;
        };
        let Ok(tree) = commit.tree() else { continue };
        let parent = commit.parent(0).ok().and_then(|p| p.tree().ok());
        let Ok(diff) = repo.diff_tree_to_tree(parent.as_ref(), Some(&tree), None) else {
            continue;
        };
        for delta in diff.deltas() {
            for file in [delta.new_file(), delta.old_file()] {
                let found = file
                    .path()
                    .and_then(|p| p.to_str())
                    .and_then(|p| by_path.get(p));
                if let Some(&a) = found {
                    edges.push((c, a));
                }
            }
        }
    }
    edges.sort_unstable();
    edges.dedup();
    for (c, a) in edges {
        analysis.graph.add_touched(c, a);
    }
}
