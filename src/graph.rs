//! The evidence graph (spec §3): process areas, practices, common features and levels from
//! the model; artifacts and commits from the scan; evidence and structure as edges.

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::evidence::Scan;
use crate::model::{Model, PracticeKind};

/// A node of the graph. Indices point into the model or the scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    /// A capability level (1-based).
    Level(u8),
    /// A common feature, index into `Model::common_features`.
    CommonFeature(usize),
    /// A process area, index into `Model::process_areas`.
    ProcessArea(usize),
    /// A practice, index into `Model::practices`.
    Practice(usize),
    /// A file at a blob id, index into `Scan::files`.
    Artifact(usize),
    /// A commit, index into `Scan::commits`.
    Commit(usize),
}

/// What an edge means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// Artifact or commit → practice: the source is evidence for the practice (how a file
    /// became evidence is in its [`crate::evidence::FileHit`]).
    Evidence,
    /// Commit → artifact: the commit touched the file.
    Touched,
    /// Practice → process area.
    PartOf,
    /// Generic practice → common feature.
    InFeature,
    /// Common feature → capability level.
    InLevel,
}

/// The graph with direct handles on its nodes.
#[derive(Debug, Clone)]
pub struct EvidenceGraph {
    /// The petgraph graph.
    pub graph: DiGraph<Node, Edge>,
    practices: Vec<NodeIndex>,
    artifacts: Vec<NodeIndex>,
    commits: Vec<NodeIndex>,
}

impl EvidenceGraph {
    /// Builds the graph of a scan.
    pub fn build(model: &Model, scan: &Scan) -> EvidenceGraph {
        let mut graph = DiGraph::new();
        let levels: Vec<NodeIndex> = model
            .levels
            .iter()
            .map(|l| graph.add_node(Node::Level(l.level)))
            .collect();
        let features: Vec<NodeIndex> = model
            .common_features
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let n = graph.add_node(Node::CommonFeature(i));
                graph.add_edge(n, levels[usize::from(f.level) - 1], Edge::InLevel);
                n
            })
            .collect();
        let areas: Vec<NodeIndex> = (0..model.process_areas.len())
            .map(|i| graph.add_node(Node::ProcessArea(i)))
            .collect();
        let practices: Vec<NodeIndex> = model
            .practices
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let n = graph.add_node(Node::Practice(i));
                graph.add_edge(n, areas[p.process_area], Edge::PartOf);
                if let PracticeKind::Generic { feature, .. } = p.kind {
                    graph.add_edge(n, features[feature], Edge::InFeature);
                }
                n
            })
            .collect();
        let artifacts: Vec<NodeIndex> = scan
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let n = graph.add_node(Node::Artifact(i));
                for &(p, _) in &f.practices {
                    graph.add_edge(n, practices[p], Edge::Evidence);
                }
                n
            })
            .collect();
        let commits: Vec<NodeIndex> = scan
            .commits
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let n = graph.add_node(Node::Commit(i));
                for &p in &c.practices {
                    graph.add_edge(n, practices[p], Edge::Evidence);
                }
                n
            })
            .collect();
        EvidenceGraph {
            graph,
            practices,
            artifacts,
            commits,
        }
    }

    /// The artifacts and commits that are evidence for a practice.
    pub fn evidence_for(&self, practice: usize) -> impl Iterator<Item = Node> + '_ {
        self.graph
            .edges_directed(self.practices[practice], Direction::Incoming)
            .filter_map(|e| match e.weight() {
                Edge::Evidence => Some(self.graph[e.source()]),
                _ => None,
            })
    }

    /// How many pieces of evidence a practice has.
    pub fn evidence_count(&self, practice: usize) -> usize {
        self.evidence_for(practice).count()
    }

    /// The practices an artifact or commit is evidence for.
    pub fn practices_of(&self, node: Node) -> Vec<usize> {
        let index = match node {
            Node::Artifact(i) => self.artifacts[i],
            Node::Commit(i) => self.commits[i],
            _ => return Vec::new(),
        };
        let mut out: Vec<usize> = self
            .graph
            .edges_directed(index, Direction::Outgoing)
            .filter_map(|e| match (e.weight(), self.graph[e.target()]) {
                (Edge::Evidence, Node::Practice(p)) => Some(p),
                _ => None,
            })
            .collect();
        out.sort_unstable();
        out
    }

    /// Records that a commit touched an artifact.
    pub fn add_touched(&mut self, commit: usize, artifact: usize) {
        self.graph.add_edge(
            self.commits[commit],
            self.artifacts[artifact],
            Edge::Touched,
        );
    }

    /// The commits recorded as touching an artifact.
    pub fn commits_touching(&self, artifact: usize) -> Vec<usize> {
        self.touched(self.artifacts[artifact], Direction::Incoming)
    }

    /// The artifacts recorded as touched by a commit.
    pub fn artifacts_touched(&self, commit: usize) -> Vec<usize> {
        self.touched(self.commits[commit], Direction::Outgoing)
    }

    /// The scan indices at the other end of a node's `Touched` edges, sorted.
    fn touched(&self, node: NodeIndex, direction: Direction) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .graph
            .edges_directed(node, direction)
            .filter(|e| *e.weight() == Edge::Touched)
            .filter_map(|e| {
                let other = if direction == Direction::Incoming {
                    e.source()
                } else {
                    e.target()
                };
                match self.graph[other] {
                    Node::Commit(i) | Node::Artifact(i) => Some(i),
                    _ => None,
                }
            })
            .collect();
        out.sort_unstable();
        out
    }
}
