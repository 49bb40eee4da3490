//! What a scan finds, as plain data shared by every stage: object ids, the files and
//! commits that are evidence, the scan and its summary, and the records the cache keeps.
//! It depends on nothing but the diagnostics, so the source, the cache and the report can
//! all use it without knowing each other.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;

/// A git object id. practrace reads SHA-1 repositories: 20 bytes, shown as 40 lowercase
/// hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ObjectId([u8; 20]);

impl ObjectId {
    /// The id of these 20 raw bytes.
    pub fn from_raw(bytes: [u8; 20]) -> ObjectId {
        ObjectId(bytes)
    }

    /// The id of a raw byte slice, when it is 20 bytes long.
    pub fn from_bytes(bytes: &[u8]) -> Option<ObjectId> {
        bytes.try_into().ok().map(ObjectId)
    }

    /// The id written as 40 hex digits (either case), if `text` is one.
    pub fn from_hex(text: &str) -> Option<ObjectId> {
        let text = text.as_bytes();
        if text.len() != 40 {
            return None;
        }
        let digit = |c: u8| (c as char).to_digit(16);
        let mut out = [0u8; 20];
        for (i, pair) in text.chunks_exact(2).enumerate() {
            out[i] = u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok()?;
        }
        Some(ObjectId(out))
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// What was scanned, for the report's `source` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SourceInfo {
    /// The repository as given on the command line.
    pub repo: String,
    /// The revision as given (`null` for the working tree).
    pub rev: Option<String>,
    /// The commit scanned: the revision's, or HEAD's for the working tree (`null` before
    /// the first commit).
    pub commit: Option<String>,
    /// True for a working-tree scan.
    pub worktree: bool,
    /// True when the repository is a shallow clone: history is cut.
    pub shallow: bool,
    /// How many commits were read.
    pub commits_scanned: usize,
}

/// How a file became evidence for one practice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Provenance {
    /// A tag in its front matter: the line of the practice's first tag, and the note
    /// written beside it (`{id, note}`).
    FrontMatter {
        /// 1-based line in the file.
        line: u32,
        /// The tag's note, if any.
        note: Option<String>,
    },
    /// A rule of the configuration's `evidence_map` (the first whose globs match).
    EvidenceMap {
        /// Index of the rule in `evidence_map`, from 0.
        rule: usize,
        /// The rule's first glob that matches the path, as written.
        glob: String,
    },
}

/// A file that is evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileHit {
    /// Path in the repository.
    pub path: String,
    /// Its git blob id.
    pub blob: String,
    /// The practices it is evidence for, each once, with how it became evidence: its
    /// first front matter tag (front matter wins over the evidence map), else the first
    /// evidence-map rule that names the practice.
    pub practices: Vec<(usize, Provenance)>,
}

impl FileHit {
    /// How the file became evidence for `practice` (`None` when it is not).
    pub fn provenance(&self, practice: usize) -> Option<&Provenance> {
        self.practices
            .iter()
            .find(|(p, _)| *p == practice)
            .map(|(_, how)| how)
    }
}

/// A commit that is evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitHit {
    /// Full id.
    pub id: String,
    /// `Name <email>` of the author.
    pub author: String,
    /// Author date, RFC 3339 with the author's offset.
    pub date: String,
    /// Author time, seconds since the epoch (for sorting).
    pub time: i64,
    /// Subject (the first paragraph of the message, on one line).
    pub subject: String,
    /// The practices its trailers name.
    pub practices: Vec<usize>,
}

/// The result of a scan, sorted: files by path, commits by date then id, diagnostics by
/// location.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scan {
    /// What was scanned.
    pub source: SourceInfo,
    /// Files that are evidence.
    pub files: Vec<FileHit>,
    /// Commits that are evidence.
    pub commits: Vec<CommitHit>,
    /// Findings.
    pub diagnostics: Vec<Diagnostic>,
    /// Paths whose objects a partial clone's filter left out (files, and folders as
    /// `path/`, `""` for the whole tree), sorted: their evidence is not known. One
    /// `objects-absent` diagnostic says so; `check --base` leaves them out of what it
    /// compares. Empty for a complete repository.
    pub absent: Vec<String>,
}

/// What `check --base` keeps of a revision's scan: everything but the commits, of which it
/// keeps how many are evidence for each practice.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    /// The scan, with no commits.
    pub scan: Scan,
    /// Per practice (index into `Model::practices`), the commits that are evidence for it.
    pub commit_counts: Vec<u32>,
}

impl Summary {
    /// Summarises a scan against a model of `practices` practices.
    pub fn of(scan: &Scan, practices: usize) -> Summary {
        let commit_counts = Summary::count_commits(vec![0u32; practices], &scan.commits);
        Summary {
            scan: Scan {
                source: scan.source.clone(),
                files: scan.files.clone(),
                commits: Vec::new(),
                diagnostics: scan.diagnostics.clone(),
                absent: scan.absent.clone(),
            },
            commit_counts,
        }
    }

    /// `counts` (commits per practice) with `commits` counted in too.
    pub fn count_commits(mut counts: Vec<u32>, commits: &[CommitHit]) -> Vec<u32> {
        for c in commits {
            for &p in &c.practices {
                counts[p] += 1;
            }
        }
        counts
    }
}

/// A commit as remembered: its parents and what the scan made of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommitRecord {
    /// Parent ids.
    pub parents: Vec<ObjectId>,
    /// The hit, if the commit is evidence.
    pub hit: Option<CommitHit>,
    /// Its diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}

/// A blob as remembered: the practices its front matter names (with lines and notes) and
/// its diagnostics (without a path: the same blob may sit at several paths).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BlobRecord {
    /// As [`FileHit::practices`] (front matter only).
    pub practices: Vec<(usize, Provenance)>,
    /// Diagnostics, `path` unset.
    pub diagnostics: Vec<Diagnostic>,
}

/// Commit records by id.
pub type CommitTable = HashMap<ObjectId, CommitRecord>;
/// Blob records by id.
pub type BlobTable = HashMap<ObjectId, BlobRecord>;

#[cfg(test)]
mod tests {
    use super::ObjectId;

    #[test]
    fn object_ids_round_trip_through_hex() {
        let hex = "0123456789abcdef0123456789abcdef01234567";
        let id = ObjectId::from_hex(hex).unwrap();
        assert_eq!(id.to_string(), hex);
        assert_eq!(ObjectId::from_hex(&hex.to_uppercase()), Some(id));
        assert_eq!(ObjectId::from_hex(&hex[1..]), None);
        assert_eq!(ObjectId::from_hex(&format!("{}g", &hex[1..])), None);
        assert_eq!(ObjectId::from_bytes(id.as_bytes()), Some(id));
    }
}
