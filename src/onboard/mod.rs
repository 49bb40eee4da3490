//! Getting started: the files `practrace init` writes into a repository (a commented
//! `.practrace.yaml` that adopts today's state, and a CI workflow) and the work product
//! `practrace new` starts for a practice. Everything here is text made from one analysis
//! and the model; writing it is the command's business.

pub mod ci;
pub mod work_product;

use std::fmt::Write as _;

use crate::evidence::{FileHit, Scan};
use crate::model::Model;
use crate::report::Report;

/// Folder names that hold someone else's code, checked in: a tracked path with one of
/// them as a component is vendored.
pub const VENDORED_NAMES: &[&str] = &[
    "vendor",
    "vendored",
    "third_party",
    "third-party",
    "thirdparty",
    "3rdparty",
    "node_modules",
    "bower_components",
    "external",
    "extern",
];

/// A vendored folder found among the tracked files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vendored {
    /// The folder, from the repository root (`vendor`, `libs/x/third_party`).
    pub folder: String,
    /// Its files.
    pub files: usize,
    /// Its files that are evidence today (ignoring the folder would lose that evidence).
    pub evidence_files: usize,
}

impl Vendored {
    /// The `ignore` glob for it (the folder's name matched literally, whatever it holds).
    pub fn glob(&self) -> String {
        let mut glob = String::new();
        for c in self.folder.chars() {
            if "*?[]{}\\".contains(c) {
                glob.extend(['[', c, ']']);
            } else {
                glob.push(c);
            }
        }
        glob + "/**"
    }
}

/// The vendored folders among `paths` (the repository's files, `/`-separated), outermost
/// only (a vendor folder inside another is part of it), sorted by path; `evidence` (the
/// scan's files) tells which of their files are evidence.
pub fn vendored_folders<'a>(
    paths: impl IntoIterator<Item = &'a str>,
    evidence: &[FileHit],
) -> Vec<Vendored> {
    let mut found: std::collections::BTreeMap<String, Vendored> = Default::default();
    for path in paths {
        let parts: Vec<&str> = path.split('/').collect();
        let Some(i) = parts[..parts.len().saturating_sub(1)]
            .iter()
            .position(|c| VENDORED_NAMES.contains(c))
        else {
            continue;
        };
        let folder = parts[..=i].join("/");
        found
            .entry(folder.clone())
            .or_insert(Vendored {
                folder,
                files: 0,
                evidence_files: 0,
            })
            .files += 1;
    }
    for hit in evidence.iter().filter(|f| !f.practices.is_empty()) {
        if let Some(v) = found
            .values_mut()
            .find(|v| hit.path.starts_with(&format!("{}/", v.folder)))
        {
            v.evidence_files += 1;
        }
    }
    found.into_values().collect()
}

/// What the repository has today, as the configuration's opening comment counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TagCount {
    /// Links from a file or commit to a practice (one tag each).
    pub tags: usize,
    /// Practices with evidence.
    pub practices: usize,
    /// Files that are evidence.
    pub files: usize,
    /// Commits that are evidence.
    pub commits: usize,
    /// Error diagnostics (bad tags, invalid front matter) outside the folders the
    /// configuration ignores: `check` fails on them.
    pub errors: usize,
}

impl TagCount {
    /// Counts the evidence and the errors of a report, leaving out the errors in the
    /// vendored folders the configuration ignores (those with no evidence).
    pub fn of(report: &Report, scan: &Scan, vendored: &[Vendored]) -> TagCount {
        let ignored: Vec<String> = vendored
            .iter()
            .filter(|v| v.evidence_files == 0)
            .map(|v| format!("{}/", v.folder))
            .collect();
        let kept = |d: &&crate::diag::Diagnostic| {
            d.path
                .as_deref()
                .is_none_or(|p| !ignored.iter().any(|f| p.starts_with(f.as_str())))
        };
        let evidenced = report.practices.iter().filter(|p| !p.evidence.is_empty());
        TagCount {
            tags: report.practices.iter().map(|p| p.evidence.len()).sum(),
            practices: evidenced.count(),
            files: scan
                .files
                .iter()
                .filter(|f| !f.practices.is_empty())
                .count(),
            commits: scan.commits.len(),
            errors: report
                .diagnostics
                .iter()
                .filter(kept)
                .filter(|d| d.severity == crate::diag::Severity::Error)
                .count(),
        }
    }
}

/// The areas that reach a level today, with it (`(area id, title, level)`), model order:
/// their targets.
pub fn adopted_targets(report: &Report) -> Vec<(String, String, u8)> {
    report
        .process_areas
        .iter()
        .filter_map(|a| match a.achieved_level {
            Some(level) if level > 0 => Some((a.id.clone(), a.title.clone(), level)),
            _ => None,
        })
        .collect()
}

/// The `.practrace.yaml` `init` writes: every key commented, targets adopting today's
/// levels (`default_target: 0`, track only, for the other areas), `ignore` for vendored
/// folders that hold no evidence (commented out for those that do), and what was found.
pub fn config_text(
    model: &Model,
    report: &Report,
    count: TagCount,
    vendored: &[Vendored],
) -> String {
    let mut s = String::new();
    s.push_str(&header(report, count));
    let _ = write!(
        s,
        "\n# The process model. Default: the built-in one ({}).\n# model: process/model.yaml\n",
        model.id
    );
    s.push_str(&targets_text(model, report));
    s.push_str(NOT_APPLICABLE_AND_MAP);
    s.push_str(&ignore_text(vendored));
    s.push_str(
        "\n# Where tags are read, and how much (the defaults).\n\
         # front_matter_key: practices\n# trailer_keys: [Practice]\n# max_file_size: 1048576\n",
    );
    s
}

const NOT_APPLICABLE_AND_MAP: &str = "
# Practices that do not apply here, each with the reason an auditor will read; a process
# area id declares every practice of it. They are shown as out of scope, never dropped.
# not_applicable:
#   - practice: PA19
#     reason: no product line in this repository

# Files that cannot carry front matter (PDFs, spreadsheets), made evidence by path.
# evidence_map:
#   - paths: [\"audits/**/*.pdf\"]
#     practices: [BP.05.02]
";

/// The opening comment: what this file is and what was found.
fn header(report: &Report, count: TagCount) -> String {
    let commit = report.source.commit.as_deref().unwrap_or("");
    let at = if commit.is_empty() {
        "a repository with no commit yet".to_string()
    } else {
        format!("the working tree at {}", &commit[..commit.len().min(12)])
    };
    let mut s = format!(
        "# practrace configuration, written by `practrace init` (practrace {}).\n\
         # Every key is optional; `practrace schema config` prints this file's JSON Schema.\n#\n",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        s,
        "# Found in {at}: {} tag(s) naming {} practice(s),\n# in {} file(s) and {} commit(s).",
        count.tags, count.practices, count.files, count.commits
    );
    if count.errors > 0 {
        let _ = writeln!(
            s,
            "# {} error(s) (bad tags, invalid front matter): `practrace check` fails until they\n\
             # are fixed, and lists them.",
            count.errors
        );
    }
    s
}

/// `default_target` and `targets`, adopting today's levels.
fn targets_text(model: &Model, report: &Report) -> String {
    let mut s = String::from(
        "\n# Target capability level per process area: `practrace check` fails when an area is\n\
         # below its target. Adopted at today's level, so that the check passes now: each area\n\
         # keeps the level it has reached, and the others are tracked only (0: rated and\n\
         # shown, never a finding). Raise them as the team commits to more.\n\
         default_target: 0\n",
    );
    let adopted = adopted_targets(report);
    if adopted.is_empty() {
        s.push_str(
            "# No process area has reached level 1 yet. For example:\n# targets:\n#   PA05: 1\n",
        );
        return s;
    }
    s.push_str("targets:\n");
    for (id, title, level) in adopted {
        let name = model
            .levels
            .iter()
            .find(|l| l.level == level)
            .map_or(String::new(), |l| format!(" ({})", l.name));
        let _ = writeln!(s, "  {id}: {level}  # {title}: level {level}{name} today");
    }
    s
}

/// `ignore`: the vendored folders, active when they hold no evidence.
fn ignore_text(vendored: &[Vendored]) -> String {
    let mut s =
        String::from("\n# Paths that are not scanned at all (globs; `**` crosses folders).\n");
    if vendored.is_empty() {
        s.push_str("# ignore:\n#   - \"vendor/**\"\n");
        return s;
    }
    s.push_str(
        "# Vendored folders found: someone else's files, ignored unless some are evidence today\n\
         # (ignoring those would lower today's levels: uncomment them if they are not yours).\n",
    );
    let active = vendored.iter().any(|v| v.evidence_files == 0);
    s.push_str(if active { "ignore:\n" } else { "# ignore:\n" });
    for v in vendored {
        let glob = serde_json::to_string(&v.glob()).unwrap_or_default();
        if v.evidence_files == 0 {
            let _ = writeln!(s, "  - {glob}  # {} file(s), none evidence", v.files);
        } else {
            let _ = writeln!(
                s,
                "#   - {glob}  # {} file(s), {} of them evidence today",
                v.files, v.evidence_files
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendored_folders_are_found_at_any_depth_outermost_only() {
        let paths = [
            "README.md",
            "vendor/a/b.go",
            "vendor/a/vendor/c.go",
            "libs/x/third_party/y.c",
            "vendorized/z.md",
            "docs/external",
        ];
        let found = vendored_folders(paths, &[]);
        let folders: Vec<(&str, usize)> =
            found.iter().map(|v| (v.folder.as_str(), v.files)).collect();
        assert_eq!(folders, [("libs/x/third_party", 1), ("vendor", 2)]);
        assert_eq!(found[1].glob(), "vendor/**");
    }

    #[test]
    fn a_folder_with_glob_characters_is_matched_literally() {
        for folder in [
            "libs/[x]/vendor",
            "a*b/{c,d}/vendor",
            "q?/vendor",
            "a\\b/vendor",
        ] {
            let v = Vendored {
                folder: folder.into(),
                files: 1,
                evidence_files: 0,
            };
            let set = crate::config::glob_set(&[v.glob()]);
            assert!(set.is_match(format!("{folder}/lib/x.go")), "{}", v.glob());
            assert!(!set.is_match("libs/x/vendor/lib/x.go"), "{}", v.glob());
            assert_eq!(set.len(), 1, "{} is not a valid glob", v.glob());
        }
    }

    #[test]
    fn the_ignore_list_leaves_folders_with_evidence_commented() {
        let v = |folder: &str, evidence_files| Vendored {
            folder: folder.into(),
            files: 3,
            evidence_files,
        };
        let text = ignore_text(&[v("third_party", 1), v("vendor", 0)]);
        assert!(text.contains("\nignore:\n"), "{text}");
        assert!(text.contains("#   - \"third_party/**\""), "{text}");
        assert!(text.contains("\n  - \"vendor/**\""), "{text}");
        let none_active = ignore_text(&[v("third_party", 1)]);
        assert!(none_active.contains("# ignore:\n"), "{none_active}");
    }
}
