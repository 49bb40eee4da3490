//! From a report and a filter to the [`Graph`]: which nodes and edges are shown.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{Edge, EdgeKind, FilterInfo, Graph, GraphError, Node, NodeData};
use crate::model::Model;
use crate::report::{AreaReport, EvidenceReport, PracticeReport, Report};
use globset::{GlobSet, GlobSetBuilder};

/// The filter as the command line gives it: each list may be empty, and an empty filter
/// draws the overview (areas and practices only).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// `--pa`: process areas (lenient: `pa5`, `PA05`).
    pub pa: Vec<String>,
    /// `--practice`: practice ids (lenient: `bp.5.2`, `gp.2.1.3@pa5`).
    pub practice: Vec<String>,
    /// `--path`: globs over evidence file paths.
    pub path: Vec<String>,
}

/// A filter checked against the model: canonical ids and compiled globs.
#[derive(Debug, Clone)]
pub struct Selection {
    info: FilterInfo,
    paths: Option<PathGlobs>,
}

impl Selection {
    /// Checks `filter` against `model`: every area and practice must be one of the model,
    /// every glob valid.
    pub fn new(model: &Model, filter: &Filter) -> Result<Selection, GraphError> {
        let mut info = FilterInfo::default();
        for given in &filter.pa {
            let area =
                crate::resolve::resolve_area(model, given).map_err(|p| GraphError::Area {
                    given: given.clone(),
                    message: p.message,
                })?;
            info.pa.push(crate::model::id::area_id(area));
        }
        for given in &filter.practice {
            let found =
                crate::resolve::resolve(model, given, &[]).map_err(|p| GraphError::Practice {
                    given: given.clone(),
                    message: p.message,
                })?;
            info.practice
                .extend(found.into_iter().map(|p| model.practices[p].id.clone()));
        }
        for list in [&mut info.pa, &mut info.practice] {
            let mut seen = BTreeSet::new();
            list.retain(|id| seen.insert(id.clone()));
        }
        info.path = filter.path.clone();
        let paths = if filter.path.is_empty() {
            None
        } else {
            Some(
                PathGlobs::new(&filter.path).map_err(|message| GraphError::Path {
                    given: filter.path.join(" "),
                    message,
                })?,
            )
        };
        Ok(Selection { info, paths })
    }

    /// The whole model, no files or commits.
    pub fn overview() -> Selection {
        Selection {
            info: FilterInfo::default(),
            paths: None,
        }
    }

    /// Whether files and commits are shown: a filter was given.
    pub fn expands(&self) -> bool {
        !(self.info.pa.is_empty() && self.info.practice.is_empty() && self.info.path.is_empty())
    }

    /// Whether the practice is one the filter's areas and practices select: every
    /// practice when neither is given, else those of the areas and the practices named
    /// (they add up: `--pa PA01 --practice BP.05.02` shows both).
    fn wants(&self, practice: &PracticeReport) -> bool {
        let (areas, practices) = (&self.info.pa, &self.info.practice);
        (areas.is_empty() && practices.is_empty())
            || areas.contains(&practice.process_area)
            || practices.contains(&practice.id)
    }

    /// Whether an evidence file is shown.
    fn wants_path(&self, path: &str) -> bool {
        self.paths.as_ref().is_none_or(|g| g.is_match(path))
    }
}

/// One practice shown, with the evidence shown for it (report order).
struct Shown<'a> {
    practice: &'a PracticeReport,
    files: Vec<&'a str>,
    commits: Vec<&'a str>,
}

/// Builds the graph of `report` for `selection`. `touched(commit)` gives the paths a
/// commit's change touched (asked only for the commits shown, and only when the selection
/// expands them).
pub fn build(
    report: &Report,
    selection: &Selection,
    touched: &mut dyn FnMut(&str) -> Vec<String>,
) -> Graph {
    let mut graph = Graph {
        model: report.model.id.clone(),
        commit: report.source.commit.clone(),
        worktree: report.source.worktree,
        expanded: selection.expands(),
        filter: selection.info.clone(),
        nodes: Vec::new(),
        edges: Vec::new(),
    };
    if !graph.expanded {
        let shown = report
            .practices
            .iter()
            .map(|practice| Shown {
                practice,
                files: Vec::new(),
                commits: Vec::new(),
            })
            .collect();
        add_areas_and_practices(report, shown, &mut graph);
        return graph;
    }
    let mut shown: Vec<Shown> = report
        .practices
        .iter()
        .filter(|p| selection.wants(p))
        .map(|practice| evidence_shown(practice, selection))
        .collect();
    let files: BTreeMap<&str, &str> = shown
        .iter()
        .flat_map(|s| file_blobs(s.practice, &s.files))
        .collect();
    let mut commits: BTreeMap<&str, &EvidenceReport> = BTreeMap::new();
    for s in &shown {
        for e in &s.practice.evidence {
            if let EvidenceReport::Commit { commit, .. } = e {
                commits.insert(commit.as_str(), e);
            }
        }
    }
    let mut touches: BTreeSet<(String, String)> = BTreeSet::new();
    for &commit in commits.keys() {
        for path in touched(commit) {
            if files.contains_key(path.as_str()) {
                touches.insert((commit.to_string(), path));
            }
        }
    }
    if selection.paths.is_some() {
        // A commit is shown when it touched a file shown.
        let touching: BTreeSet<String> = touches.iter().map(|(c, _)| c.clone()).collect();
        commits.retain(|c, _| touching.contains(*c));
        for s in &mut shown {
            s.commits.retain(|c| commits.contains_key(c));
        }
        if selection.info.pa.is_empty() && selection.info.practice.is_empty() {
            shown.retain(|s| !s.files.is_empty() || !s.commits.is_empty());
        }
    }
    add_areas_and_practices(report, shown, &mut graph);
    for (path, blob) in &files {
        graph.nodes.push(file_node(path, blob));
    }
    for evidence in commits.values() {
        graph.nodes.extend(commit_node(evidence));
    }
    for (commit, path) in touches {
        graph.edges.push(Edge {
            from: commit_id(&commit),
            to: file_id(&path),
            kind: EdgeKind::Touched,
        });
    }
    graph
}

/// A practice with the evidence the selection shows of it (commits: all, for now).
fn evidence_shown<'a>(practice: &'a PracticeReport, selection: &Selection) -> Shown<'a> {
    let mut shown = Shown {
        practice,
        files: Vec::new(),
        commits: Vec::new(),
    };
    for e in &practice.evidence {
        match e {
            EvidenceReport::File { path, .. } if selection.wants_path(path) => {
                shown.files.push(path);
            }
            EvidenceReport::File { .. } => {}
            EvidenceReport::Commit { commit, .. } => shown.commits.push(commit),
        }
    }
    shown
}

/// The blob of each of `paths` among a practice's evidence.
fn file_blobs<'a>(
    practice: &'a PracticeReport,
    paths: &[&str],
) -> impl Iterator<Item = (&'a str, &'a str)> {
    let paths: BTreeSet<&str> = paths.iter().copied().collect();
    practice.evidence.iter().filter_map(move |e| match e {
        EvidenceReport::File { path, blob, .. } if paths.contains(path.as_str()) => {
            Some((path.as_str(), blob.as_str()))
        }
        _ => None,
    })
}

/// The nodes of the areas that have a practice shown, each followed by its practices
/// shown, with the `has` edges and then the `evidences` edges.
fn add_areas_and_practices(report: &Report, shown: Vec<Shown>, graph: &mut Graph) {
    let mut by_area: HashMap<&str, Vec<Shown>> = HashMap::new();
    for s in shown {
        by_area
            .entry(s.practice.process_area.as_str())
            .or_default()
            .push(s);
    }
    let mut evidence_edges = Vec::new();
    for area in &report.process_areas {
        let Some(practices) = by_area.remove(area.id.as_str()) else {
            continue;
        };
        graph.nodes.push(area_node(report, area));
        for s in &practices {
            graph.nodes.push(practice_node(s.practice));
            graph.edges.push(Edge {
                from: sanitized(&area.id),
                to: sanitized(&s.practice.id),
                kind: EdgeKind::Has,
            });
            let to = sanitized(&s.practice.id);
            let files = s.files.iter().map(|p| file_id(p));
            let commits = s.commits.iter().map(|c| commit_id(c));
            for from in files.chain(commits) {
                evidence_edges.push(Edge {
                    from,
                    to: to.clone(),
                    kind: EdgeKind::Evidences,
                });
            }
        }
    }
    graph.edges.extend(evidence_edges);
}

/// `id` with every character but an ASCII letter or digit written `_`.
pub(super) fn sanitized(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The node id of a file: `f_` and 20 hex digits of the BLAKE3 hash of its path.
pub(super) fn file_id(path: &str) -> String {
    format!("f_{}", crate::digest::blake3_hex(path.as_bytes(), 20))
}

/// The node id of a commit: `c_` and its id.
pub(super) fn commit_id(commit: &str) -> String {
    format!("c_{}", sanitized(commit))
}

fn area_node(report: &Report, area: &AreaReport) -> Node {
    let evidence = report
        .practices
        .iter()
        .filter(|p| p.process_area == area.id)
        .map(|p| p.evidence.len())
        .sum();
    Node {
        id: sanitized(&area.id),
        label: format!("{} {}", area.id, area.title),
        data: NodeData::ProcessArea {
            area: area.id.clone(),
            title: area.title.clone(),
            applicable: area.applicable,
            achieved_level: area.achieved_level,
            target_level: area.target_level,
            base_practices_evidenced: area.base_practices_evidenced,
            base_practices_in_scope: area.base_practices_in_scope,
            evidence,
        },
    }
}

fn practice_node(p: &PracticeReport) -> Node {
    let files = p
        .evidence
        .iter()
        .filter(|e| matches!(e, EvidenceReport::File { .. }))
        .count();
    let commits = p.evidence.len() - files;
    Node {
        id: sanitized(&p.id),
        label: format!("{} {}", p.id, p.title),
        data: NodeData::Practice {
            practice: p.id.clone(),
            title: p.title.clone(),
            process_area: p.process_area.clone(),
            practice_kind: p.kind.clone(),
            level: p.level,
            in_scope: p.in_scope,
            not_applicable: p.not_applicable.clone(),
            files,
            commits,
            gap: p.in_scope && p.evidence.is_empty(),
        },
    }
}

fn file_node(path: &str, blob: &str) -> Node {
    Node {
        id: file_id(path),
        label: path.to_string(),
        data: NodeData::File {
            path: path.to_string(),
            blob: blob.to_string(),
        },
    }
}

fn commit_node(evidence: &EvidenceReport) -> Option<Node> {
    let EvidenceReport::Commit {
        commit,
        author,
        date,
        subject,
        ..
    } = evidence
    else {
        return None;
    };
    let short: String = commit.chars().take(7).collect();
    Some(Node {
        id: commit_id(commit),
        label: format!("{short} {subject}"),
        data: NodeData::Commit {
            commit: commit.clone(),
            author: author.clone(),
            date: date.clone(),
            subject: subject.clone(),
        },
    })
}

#[cfg(test)]
mod tests {
    /// Pins the promise of the module's docs: practice ids stay distinct once sanitized,
    /// for every practice of the built-in model, and hold only `[A-Za-z0-9_]`.
    #[test]
    fn sanitized_practice_ids_are_distinct() {
        let model = crate::model::Model::builtin();
        let ids: std::collections::BTreeSet<String> = model
            .practices
            .iter()
            .map(|p| super::sanitized(&p.id))
            .chain(model.process_areas.iter().map(|a| super::sanitized(&a.id)))
            .collect();
        assert_eq!(ids.len(), model.practices.len() + model.process_areas.len());
        assert!(
            ids.iter()
                .all(|id| id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        );
        assert_eq!(super::sanitized("GP.2.1.3@PA05"), "GP_2_1_3_PA05");
        assert_eq!(super::file_id("a").len(), 22);
    }
}

/// Globs given on the command line (`graph --path`), checked: a bad one is an error that
/// names it, not a glob that silently matches nothing.
#[derive(Debug, Clone)]
pub struct PathGlobs(GlobSet);

impl PathGlobs {
    /// The set of `patterns`, or the message of the first that is not a valid glob.
    pub fn new(patterns: &[String]) -> Result<PathGlobs, String> {
        let mut builder = GlobSetBuilder::new();
        for p in patterns {
            builder.add(crate::config::glob(p)?);
        }
        builder.build().map(PathGlobs).map_err(|e| e.to_string())
    }

    /// Whether `path` (from the repository root) matches one of the globs.
    pub fn is_match(&self, path: &str) -> bool {
        self.0.is_match(path)
    }
}
