//! The organisation roll-up (`practrace merge`): many JSON reports — each repository's
//! `status --format json` or `matrix --format json`, made by its own CI job — merged into one
//! matrix of repositories × process areas, with each repository's stamp and totals per area.
//!
//! Reports are read one at a time (on a few threads), each through the strict parse every
//! reader of reports shares ([`crate::report::read::parse`]), and reduced at once to a
//! [`RepositoryRow`]: its stamp and one [`AreaCell`] per process area, never its evidence. So
//! memory grows with the number of repositories, not with the size of their reports.
//!
//! Rules, so that the same reports give the same bytes whatever order they are named in:
//! - every input file is one row, rows sorted by repository (as the report names it), then
//!   commit, then file; two inputs with the same repository and commit both stay, each
//!   labelled by its file and flagged [`RepositoryRow::duplicate`], and both count in the
//!   totals;
//! - every report must be of one model (same id and digest) and list the same process areas:
//!   a report of another model is refused, naming both files (run one merge per model);
//! - a file that is not a report (bad JSON, a field missing or of the wrong type, a field
//!   given twice) is refused, naming the file; of several bad files, the first by path.
//!
//! A renderer per format, each reading the finished [`Rollup`]: [`html`], [`csv`],
//! [`markdown`], `xlsx` (cargo feature `xlsx`), and JSON is the roll-up itself.

pub mod csv;
pub mod html;
pub mod markdown;
mod read;
#[cfg(feature = "xlsx")]
pub mod xlsx;

use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use crate::matrix::MatrixFormat;
use crate::report::read::NotAReport;

/// Why a roll-up could not be made (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A format of the matrix that a roll-up has no form in.
    #[error("a roll-up cannot be written as {0}: use html, xlsx, csv, markdown or json")]
    Format(&'static str),
    /// Nothing to merge.
    #[error("no reports to merge: name report files, or folders that hold *.json reports")]
    NoReports,
    /// A file or folder could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The file or folder, as named.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A file that is not a practrace JSON report.
    #[error(transparent)]
    NotAReport(#[from] NotAReport),
    /// Two reports of different models.
    #[error(
        "{first} and {other} were made with different models ({first_model} and {other_model}): merge the reports of one model at a time"
    )]
    Models {
        /// The report that sorts first.
        first: String,
        /// Its model: `id (digest)`.
        first_model: String,
        /// The first report of another model.
        other: String,
        /// Its model.
        other_model: String,
    },
    /// Two reports of one model that list other process areas.
    #[error(
        "{other} lists other process areas than {first}, though both name the model {model}: was one of them edited?"
    )]
    Areas {
        /// The report that sorts first.
        first: String,
        /// The other one.
        other: String,
        /// The model both name.
        model: String,
    },
    /// The HTML template failed (a defect of the template, not of the input).
    #[error("HTML template: {0}")]
    Template(String),
    /// Writing CSV failed.
    #[error("CSV: {0}")]
    Csv(String),
    /// Writing XLSX failed.
    #[error("XLSX: {0}")]
    Xlsx(String),
    /// Writing the output failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// The tool that merged the reports.
#[derive(Debug, Clone, Serialize)]
pub struct ToolStamp {
    /// `practrace`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// The model every merged report was rated against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelStamp {
    /// Model id.
    pub id: String,
    /// Model title.
    pub title: String,
    /// The model's digest (16 hex digits).
    pub digest: String,
}

impl ModelStamp {
    /// `id (digest)`, for messages.
    fn label(&self) -> String {
        format!("{} ({})", self.id, self.digest)
    }
}

/// A process area, as a column of the roll-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AreaHead {
    /// `PA05`.
    pub id: String,
    /// Title.
    pub title: String,
}

/// How one repository stands in one process area: the colour of its cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AreaState {
    /// Rated, with a target above 0, and at or above it.
    Meets,
    /// Rated, and below its target.
    Below,
    /// Rated, with target 0 ("track only"): neither meets nor misses.
    TrackOnly,
    /// Not rated: no base practice in scope (`n/a`).
    NotRated,
}

/// One repository's standing in one process area.
#[derive(Debug, Clone, Serialize)]
pub struct AreaCell {
    /// `PA05`.
    pub id: String,
    /// Its colour.
    pub state: AreaState,
    /// The achieved level (`null`: not rated).
    pub achieved_level: Option<u8>,
    /// The target level.
    pub target_level: u8,
    /// In-scope base practices with evidence.
    pub base_practices_evidenced: u64,
    /// In-scope base practices.
    pub base_practices_in_scope: u64,
}

impl AreaCell {
    /// `1/2`, or `n/a/2` for an area that is not rated: achieved / target.
    pub fn text(&self) -> String {
        format!(
            "{}/{}",
            crate::report::level_text(self.achieved_level),
            self.target_level
        )
    }
}

/// The configuration a report was made with.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ConfigStamp {
    /// `.practrace.yaml`, when the repository has one.
    pub path: Option<String>,
    /// Its git blob id: the configuration digest.
    pub blob: Option<String>,
    /// The digest of the scan options.
    pub options: Option<String>,
}

impl ConfigStamp {
    /// For people: `.practrace.yaml (blob …)`, or `(none: defaults)`.
    pub fn text(&self) -> String {
        match (&self.path, &self.blob) {
            (Some(p), Some(b)) => format!("{p} (blob {b})"),
            _ => "(none: defaults)".into(),
        }
    }
}

/// One input report, reduced to what the roll-up shows: its stamp and its areas.
#[derive(Debug, Clone, Serialize)]
pub struct RepositoryRow {
    /// The report file, as named on the command line (or found in a folder named there).
    pub file: String,
    /// The repository, as the command that made the report was given it (`--repo`).
    pub repository: String,
    /// The revision as given, `null` for the working tree.
    pub revision: Option<String>,
    /// The scanned commit.
    pub commit: Option<String>,
    /// Its committer date: `matrix --format json` reports have it, `status` reports not.
    pub commit_date: Option<String>,
    /// A working-tree scan.
    pub worktree: bool,
    /// History cut (shallow clone).
    pub shallow: bool,
    /// Commits read.
    pub commits_scanned: u64,
    /// The version of practrace that made the report.
    pub tool_version: String,
    /// The configuration.
    pub config: ConfigStamp,
    /// Distinct files that are evidence.
    pub evidence_files: usize,
    /// Distinct commits that are evidence.
    pub evidence_commits: usize,
    /// Error diagnostics of the report.
    pub errors: usize,
    /// Warnings of the report.
    pub warnings: usize,
    /// Another input has the same repository and commit.
    pub duplicate: bool,
    /// One cell per process area, model order.
    pub areas: Vec<AreaCell>,
    /// The model (the roll-up's, once checked).
    #[serde(skip)]
    model: ModelStamp,
    /// The process areas with their titles (emptied once checked).
    #[serde(skip)]
    heads: Vec<AreaHead>,
}

/// The totals of one process area over every repository.
#[derive(Debug, Clone, Serialize)]
pub struct AreaTotal {
    /// `PA05`.
    pub id: String,
    /// Repositories where it is rated.
    pub rated: usize,
    /// Rated, with a target above 0, and at or above it.
    pub meeting_target: usize,
    /// Rated, and below the target.
    pub below_target: usize,
    /// Rated, with target 0.
    pub track_only: usize,
    /// Not rated.
    pub not_rated: usize,
    /// The mean achieved level where rated, to two decimals (`null`: rated nowhere).
    pub mean_level: Option<f64>,
    /// How many rated repositories achieved each level: index 0 is level 0.
    pub level_counts: Vec<usize>,
}

impl AreaTotal {
    /// `3/4`: repositories meeting the target, of those rated with a target above 0.
    pub fn meeting_text(&self) -> String {
        format!(
            "{}/{}",
            self.meeting_target,
            self.meeting_target + self.below_target
        )
    }

    /// The mean level with two decimals, or `n/a`.
    pub fn mean_text(&self) -> String {
        self.mean_level
            .map_or_else(|| "n/a".into(), |m| format!("{m:.2}"))
    }
}

/// The roll-up: what every renderer reads, and the JSON format itself.
#[derive(Debug, Clone, Serialize)]
pub struct Rollup {
    /// The tool that merged the reports.
    pub tool: ToolStamp,
    /// The model of every report.
    pub model: ModelStamp,
    /// The process areas, model order: the columns.
    pub process_areas: Vec<AreaHead>,
    /// One row per report, by repository, commit, then file.
    pub repositories: Vec<RepositoryRow>,
    /// Per process area, the same order as `process_areas`.
    pub totals: Vec<AreaTotal>,
}

/// The most report files read at once: each costs a few times its size in memory (a
/// W1-sized report, 4.3 MB, about 15 MB), so a machine with many cores does not multiply it.
const MAX_READERS: usize = 8;

/// Merges the reports at `inputs` (files, or folders searched for `*.json` files).
pub fn merge(inputs: &[PathBuf]) -> Result<Rollup, MergeError> {
    let files = read::report_files(inputs)?;
    if files.is_empty() {
        return Err(MergeError::NoReports);
    }
    let threads = rayon::current_num_threads().clamp(1, MAX_READERS);
    let read_all = || -> Vec<Result<RepositoryRow, MergeError>> {
        files.par_iter().map(|f| read::repository_row(f)).collect()
    };
    let rows = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(read_all),
        Err(_) => read_all(),
    };
    // The first failure by path: the same whatever the order the files were named in.
    let mut repositories = rows.into_iter().collect::<Result<Vec<_>, _>>()?;
    repositories.sort_by(|a, b| {
        (&a.repository, &a.commit, &a.file).cmp(&(&b.repository, &b.commit, &b.file))
    });
    let (model, process_areas) = one_model(&mut repositories)?;
    for pair in 1..repositories.len() {
        let (a, b) = (&repositories[pair - 1], &repositories[pair]);
        if a.repository == b.repository && a.commit == b.commit {
            repositories[pair - 1].duplicate = true;
            repositories[pair].duplicate = true;
        }
    }
    let totals = totals(&process_areas, &repositories);
    Ok(Rollup {
        tool: ToolStamp {
            name: "practrace".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        model,
        process_areas,
        repositories,
        totals,
    })
}

/// The model and process areas of every row (sorted), or the first row that differs from
/// the first one.
fn one_model(rows: &mut [RepositoryRow]) -> Result<(ModelStamp, Vec<AreaHead>), MergeError> {
    let Some(first) = rows.first() else {
        return Err(MergeError::NoReports);
    };
    let (model, heads, file) = (first.model.clone(), first.heads.clone(), first.file.clone());
    for row in rows.iter_mut() {
        if row.model.id != model.id || row.model.digest != model.digest {
            return Err(MergeError::Models {
                first: file,
                first_model: model.label(),
                other: row.file.clone(),
                other_model: row.model.label(),
            });
        }
        let same_areas = row.heads.len() == heads.len()
            && row.heads.iter().zip(&heads).all(|(a, b)| a.id == b.id);
        if !same_areas {
            return Err(MergeError::Areas {
                first: file,
                other: row.file.clone(),
                model: model.label(),
            });
        }
        row.heads = Vec::new();
    }
    Ok((model, heads))
}

/// The totals of each process area.
fn totals(areas: &[AreaHead], rows: &[RepositoryRow]) -> Vec<AreaTotal> {
    areas
        .iter()
        .enumerate()
        .map(|(a, head)| {
            let mut total = AreaTotal {
                id: head.id.clone(),
                rated: 0,
                meeting_target: 0,
                below_target: 0,
                track_only: 0,
                not_rated: 0,
                mean_level: None,
                level_counts: Vec::new(),
            };
            let mut sum = 0u64;
            for cell in rows.iter().filter_map(|r| r.areas.get(a)) {
                match cell.state {
                    AreaState::Meets => total.meeting_target += 1,
                    AreaState::Below => total.below_target += 1,
                    AreaState::TrackOnly => total.track_only += 1,
                    AreaState::NotRated => total.not_rated += 1,
                }
                if let Some(level) = cell.achieved_level {
                    total.rated += 1;
                    sum += u64::from(level);
                    let level = usize::from(level);
                    if total.level_counts.len() <= level {
                        total.level_counts.resize(level + 1, 0);
                    }
                    total.level_counts[level] += 1;
                }
            }
            if total.rated > 0 {
                let mean = sum as f64 / total.rated as f64;
                total.mean_level = Some((mean * 100.0).round() / 100.0);
            }
            total
        })
        .collect()
}

/// Writes the roll-up in `format` (the formats of `practrace matrix`); JSON is the
/// [`Rollup`] itself, pretty-printed.
pub fn write(
    rollup: &Rollup,
    format: MatrixFormat,
    out: &mut dyn std::io::Write,
) -> Result<(), MergeError> {
    match format {
        MatrixFormat::Json => {
            let mut text = serde_json::to_vec_pretty(rollup).map_err(std::io::Error::from)?;
            text.push(b'\n');
            out.write_all(&text)?;
            Ok(())
        }
        MatrixFormat::Html => html::write(rollup, out),
        MatrixFormat::Csv => csv::write(rollup, out),
        MatrixFormat::Markdown => markdown::write(rollup, out),
        #[cfg(feature = "xlsx")]
        MatrixFormat::Xlsx => xlsx::write(rollup, out),
        #[cfg(not(feature = "xlsx"))]
        MatrixFormat::Xlsx => Err(MergeError::Xlsx(
            "this build has no XLSX support (cargo feature `xlsx`)".into(),
        )),
        MatrixFormat::Oscal | MatrixFormat::OscalPlan => Err(MergeError::Format(format.name())),
    }
}

impl crate::report::Render<Rollup> for MatrixFormat {
    type Error = MergeError;
    /// The roll-up in this format.
    fn render(&self, rollup: &Rollup, out: &mut dyn std::io::Write) -> Result<(), MergeError> {
        write(rollup, *self, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[(Option<u8>, u8)]) -> RepositoryRow {
        let areas = cells
            .iter()
            .map(|&(achieved_level, target_level)| AreaCell {
                id: "PA01".into(),
                state: match achieved_level {
                    None => AreaState::NotRated,
                    Some(_) if target_level == 0 => AreaState::TrackOnly,
                    Some(l) if l >= target_level => AreaState::Meets,
                    Some(_) => AreaState::Below,
                },
                achieved_level,
                target_level,
                base_practices_evidenced: 0,
                base_practices_in_scope: 0,
            })
            .collect();
        RepositoryRow {
            file: String::new(),
            repository: String::new(),
            revision: None,
            commit: None,
            commit_date: None,
            worktree: false,
            shallow: false,
            commits_scanned: 0,
            tool_version: String::new(),
            config: ConfigStamp::default(),
            evidence_files: 0,
            evidence_commits: 0,
            errors: 0,
            warnings: 0,
            duplicate: false,
            areas,
            model: ModelStamp {
                id: String::new(),
                title: String::new(),
                digest: String::new(),
            },
            heads: Vec::new(),
        }
    }

    #[test]
    fn totals_count_each_state_and_average_where_rated() {
        let head = [AreaHead {
            id: "PA01".into(),
            title: "t".into(),
        }];
        let rows = [
            row(&[(Some(2), 1)]),
            row(&[(Some(0), 1)]),
            row(&[(Some(1), 0)]),
            row(&[(None, 1)]),
        ];
        let t = &totals(&head, &rows)[0];
        assert_eq!(
            (t.meeting_target, t.below_target, t.track_only, t.not_rated),
            (1, 1, 1, 1)
        );
        assert_eq!(t.rated, 3);
        assert_eq!(t.mean_level, Some(1.0));
        assert_eq!(t.level_counts, [1, 1, 1]);
        assert_eq!(t.meeting_text(), "1/2");
        // 2/3 rounds to two decimals; nothing rated is n/a, not 0.
        let t = &totals(
            &head,
            &[
                row(&[(Some(1), 1)]),
                row(&[(Some(1), 1)]),
                row(&[(Some(0), 1)]),
            ],
        )[0];
        assert_eq!(t.mean_text(), "0.67");
        assert_eq!(t.mean_level, Some(0.67));
        let t = &totals(&head, &[row(&[(None, 1)])])[0];
        assert_eq!((t.mean_level, t.mean_text().as_str()), (None, "n/a"));
    }
}
