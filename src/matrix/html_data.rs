//! The data the HTML matrix's script renders on demand: every area's practices with their
//! evidence, and the diagnostics. Compact tables — each file, commit and text once,
//! evidence as small index tuples — as JSON, gzip-compressed (libdeflate) and written in
//! base64url without padding: an alphabet of `A–Z a–z 0–9 - _` that no HTML escaping
//! touches and that no repository text can turn into markup or close the element with.
//! The page inflates it with the browser's own `DecompressionStream('gzip')`.
//!
//! The layout (the JSON before compression), which `templates/matrix.js` reads:
//!
//! ```text
//! { "files":   [[path, blob], …],
//!   "commits": [[id, author (index into texts), date, subject], …],
//!   "texts":   [author, source label, note, freshness text, …],
//!   "areas":   [{"id": "PA05", "groups": [{"level": 1, "label": "Base practices",
//!                "practices": [{"id", "title", "in_scope", "not_applicable",
//!                               "evidence": [tuple, …]}]}]}],
//!   "diagnostics": [[severity, code, where, message], …] }
//! ```
//!
//! An evidence tuple is `[flags, file, commit, line, source, note, freshness]`: `flags` bit
//! 0 set for a commit (else a file), bit 1 for stale evidence; `file` and `commit` index
//! `files` and `commits` (for a file, `commit` is the last commit that changed it),
//! `source`, `note` and `freshness` index `texts`; `-1` is "none" (`line` too), and the
//! trailing "none"s are left out.

use std::collections::HashMap;
use std::hash::Hash;

use serde::Serialize;
use serde::ser::SerializeSeq;

use super::{EvidenceRow, Matrix, MatrixError};

/// The element's id in the page.
pub const ELEMENT_ID: &str = "matrix-data";

/// Flag of a commit evidence (else a file).
const COMMIT: i64 = 1;
/// Flag of stale evidence.
const STALE: i64 = 2;

/// Values numbered in the order first seen: each stored once, referred to by index.
struct Table<K> {
    index: HashMap<K, i64>,
    rows: Vec<K>,
}

impl<K: Hash + Eq + Copy> Table<K> {
    fn new() -> Self {
        Table {
            index: HashMap::new(),
            rows: Vec::new(),
        }
    }

    /// The index of `key`, added when new.
    fn id(&mut self, key: K) -> i64 {
        let next = i64::try_from(self.rows.len()).unwrap_or(i64::MAX);
        *self.index.entry(key).or_insert_with(|| {
            self.rows.push(key);
            next
        })
    }
}

/// One evidence as its tuple (see the module's documentation).
struct Tuple {
    cells: [i64; 7],
}

impl Serialize for Tuple {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let len = self
            .cells
            .iter()
            .rposition(|&c| c != -1)
            .map_or(0, |i| i + 1);
        let mut seq = s.serialize_seq(Some(len))?;
        for c in &self.cells[..len] {
            seq.serialize_element(c)?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct PracticeData<'a> {
    id: &'a str,
    title: &'a str,
    in_scope: bool,
    not_applicable: Option<&'a str>,
    evidence: Vec<Tuple>,
}

#[derive(Serialize)]
struct GroupData<'a> {
    level: u8,
    label: &'a str,
    practices: Vec<PracticeData<'a>>,
}

#[derive(Serialize)]
struct AreaData<'a> {
    id: &'a str,
    groups: Vec<GroupData<'a>>,
}

/// A commit row: id, author (index into texts), date, subject.
type CommitRow<'a> = (&'a str, i64, &'a str, &'a str);

#[derive(Serialize)]
struct PageData<'a> {
    files: Vec<(&'a str, &'a str)>,
    commits: Vec<CommitRow<'a>>,
    texts: Vec<&'a str>,
    areas: Vec<AreaData<'a>>,
    diagnostics: Vec<Vec<String>>,
}

/// The tables being filled while the areas are walked.
struct Tables<'a> {
    files: Table<(&'a str, &'a str)>,
    commits: Table<CommitRow<'a>>,
    texts: Table<&'a str>,
}

impl<'a> Tables<'a> {
    fn text(&mut self, text: Option<&'a str>) -> i64 {
        text.map_or(-1, |t| self.texts.id(t))
    }

    fn tuple(&mut self, e: &'a EvidenceRow<'a>) -> Tuple {
        let file = match (e.path, e.blob) {
            (Some(p), b) => self.files.id((p, b.unwrap_or(""))),
            (None, _) => -1,
        };
        let commit = match e.commit {
            Some(id) => {
                let author = self.text(e.author);
                let date = e.date.unwrap_or("");
                let subject = e.subject.unwrap_or("");
                self.commits.id((id, author, date, subject))
            }
            None => -1,
        };
        let mut flags = 0;
        if e.kind == "commit" {
            flags |= COMMIT;
        }
        if e.stale {
            flags |= STALE;
        }
        Tuple {
            cells: [
                flags,
                file,
                commit,
                e.line.map_or(-1, i64::from),
                self.text(e.source.as_deref()),
                self.text(e.note),
                self.text(e.freshness.as_deref()),
            ],
        }
    }
}

impl<'a> PageData<'a> {
    fn build(matrix: &'a Matrix) -> PageData<'a> {
        let mut tables = Tables {
            files: Table::new(),
            commits: Table::new(),
            texts: Table::new(),
        };
        let areas = matrix
            .areas
            .iter()
            .map(|a| AreaData {
                id: &a.id,
                groups: a
                    .groups
                    .iter()
                    .map(|g| GroupData {
                        level: g.level,
                        label: &g.label,
                        practices: g
                            .practices
                            .iter()
                            .map(|p| PracticeData {
                                id: &p.id,
                                title: &p.title,
                                in_scope: p.in_scope,
                                not_applicable: p.not_applicable.as_deref(),
                                evidence: p.evidence.iter().map(|e| tables.tuple(e)).collect(),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        PageData {
            files: tables.files.rows,
            commits: tables.commits.rows,
            texts: tables.texts.rows,
            areas,
            diagnostics: matrix
                .diagnostics
                .iter()
                .map(super::diagnostic_cells)
                .collect(),
        }
    }
}

/// The page's data for `matrix`: JSON, gzip, base64url without padding.
pub fn encode(matrix: &Matrix) -> Result<String, MatrixError> {
    let json = serde_json::to_vec(&PageData::build(matrix))
        .map_err(|e| MatrixError::PageData(e.to_string()))?;
    let mut compressor = libdeflater::Compressor::new(libdeflater::CompressionLvl::default());
    let mut gzip = vec![0; compressor.gzip_compress_bound(json.len())];
    let n = compressor
        .gzip_compress(&json, &mut gzip)
        .map_err(|e| MatrixError::PageData(e.to_string()))?;
    drop(json);
    gzip.truncate(n);
    use base64::Engine;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&gzip))
}
