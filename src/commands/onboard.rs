//! `init` and `new`: the two commands that write into the repository, because that is what
//! they are for. Each writes only the files it names, creating them atomically, and never
//! replaces anything (exit 2 naming the file).

use std::path::{Path, PathBuf};

use super::paths::{create_new, in_repository, refuse_existing};
use super::{CommandError, Io, Outcome, ScanFlags};
use crate::config::{ConfigFile, FILE_NAME};
use crate::onboard::ci::Ci;
use crate::onboard::{self, TagCount};
use crate::source::Source;
use crate::source::git::GitSource;

/// What `practrace init` is asked to do.
#[derive(Debug, Clone)]
pub struct Init {
    /// The repository (any folder inside it); the files go to its root.
    pub repo: PathBuf,
    /// Also write this CI service's workflow.
    pub ci: Option<Ci>,
    /// Print the files instead of writing them.
    pub dry_run: bool,
    /// `--no-cache`.
    pub no_cache: bool,
}

/// `practrace init`: a commented `.practrace.yaml` that adopts today's state (see
/// [`onboard::config_text`]) and, with `--ci`, the workflow; nothing when one exists.
pub fn init(what: &Init, io: &mut Io<'_>) -> Result<Outcome, CommandError> {
    let source = GitSource::open(&what.repo, None)?;
    let root = source
        .work_dir()
        .map(Path::to_path_buf)
        .ok_or_else(|| CommandError::Usage("init needs a working tree".into()))?;
    let mut files: Vec<(&str, String)> = vec![(FILE_NAME, String::new())];
    if let Some(ci) = what.ci {
        files.push((ci.path(), ci.text()));
    }
    for (name, _) in &files {
        refuse_existing(&root.join(name))?;
    }
    let mut flags = ScanFlags::new(&root);
    flags.no_cache = what.no_cache;
    let mut progress = io.progress("scanning the repository");
    let analysis = crate::pipeline::analyze_source(&source, &flags.request()?)?;
    progress.finish();
    let listed = source.files()?;
    let vendored =
        onboard::vendored_folders(listed.iter().map(|f| f.path.as_str()), &analysis.scan.files);
    let count = TagCount::of(&analysis.report, &analysis.scan, &vendored);
    let config = onboard::config_text(&analysis.model, &analysis.report, count, &vendored);
    // What init writes must be a configuration practrace reads: a defect here is a bug.
    ConfigFile::parse(&config, FILE_NAME)
        .and_then(|c| c.policy(&analysis.model, FILE_NAME))
        .map_err(|e| CommandError::Usage(format!("init made an invalid configuration: {e}")))?;
    files[0].1 = config;
    if what.dry_run {
        for (name, text) in &files {
            io.print_human(format!("# ==> {name} <==\n{text}").as_bytes())?;
        }
        return Ok(Outcome::Clean);
    }
    for (name, text) in &files {
        create_new(&root.join(name), text.as_bytes())?;
    }
    if !crate::diag::quiet() {
        let adopted = onboard::adopted_targets(&analysis.report);
        let mut summary = summary(
            &adopted,
            analysis.report.process_areas.len(),
            &vendored,
            count,
        );
        if let Some(ci) = what.ci {
            summary.push_str(&format!(
                "practrace: wrote {}: {}\n",
                ci.path(),
                ci.next_step()
            ));
        }
        summary.push_str("practrace: next: `practrace status`, then commit what init wrote\n");
        // Folder names come from the repository: no raw control character to the terminal.
        io.print_err(&summary);
    }
    Ok(Outcome::Clean)
}

/// What init did and what comes next, for people.
fn summary(
    adopted: &[(String, String, u8)],
    areas: usize,
    vendored: &[onboard::Vendored],
    count: TagCount,
) -> String {
    let targets: Vec<String> = adopted
        .iter()
        .map(|(id, _, l)| format!("{id} {l}"))
        .collect();
    let targets = if targets.is_empty() {
        "no area has reached level 1 yet".to_string()
    } else {
        format!("targets {} (today's levels)", targets.join(", "))
    };
    let others = if adopted.is_empty() { "" } else { " other" };
    let mut s = format!(
        "practrace: wrote {FILE_NAME}: {targets}; {}{others} area(s) tracked only; {} tag(s) found\n",
        areas - adopted.len(),
        count.tags
    );
    let ignored: Vec<String> = vendored
        .iter()
        .filter(|v| v.evidence_files == 0)
        .map(onboard::Vendored::glob)
        .collect();
    if !ignored.is_empty() {
        s.push_str(&format!(
            "practrace: ignoring vendored {} (see `ignore`)\n",
            ignored.join(", ")
        ));
    }
    if count.errors > 0 {
        s.push_str(&format!(
            "practrace: {} error(s) in the repository today: `practrace check` fails until they are fixed (it lists them)\n",
            count.errors
        ));
    }
    s
}

/// What `practrace new` is asked to do.
#[derive(Debug, Clone)]
pub struct New {
    /// The repository and model (`--repo`, `--model`).
    pub scan: ScanFlags,
    /// The practice (`BP.05.02`, `GP.2.1.1@PA05`).
    pub id: String,
    /// The file to create, relative to `cwd` (or absolute); `-` prints it instead.
    pub path: PathBuf,
    /// The current folder (or `-C DIR`).
    pub cwd: PathBuf,
}

/// `practrace new`: a work product for one practice (see
/// [`onboard::work_product::text`]), never replacing a file.
pub fn new(what: &New, io: &mut Io<'_>) -> Result<Outcome, CommandError> {
    let (model, policy) = super::explain::configured(&what.scan, io)?;
    let p = practice(&model, &what.id)?;
    let text = onboard::work_product::text(&model, p);
    if what.path.as_os_str() == "-" {
        io.print_human(text.as_bytes())?;
        return Ok(Outcome::Clean);
    }
    // As typed, when it is taken from the current folder (the name errors show).
    let full = if what.cwd == Path::new(".") {
        what.path.clone()
    } else {
        what.cwd.join(&what.path)
    };
    create_new(&full, text.as_bytes())?;
    if crate::diag::quiet() {
        return Ok(Outcome::Clean);
    }
    let practice = &model.practices[p];
    io.print_err(&format!(
        "practrace: created {}: evidence for {} ({}) as soon as it is in the repository\n",
        what.path.display(),
        practice.id,
        practice.title
    ));
    if let Some(reason) = &policy.not_applicable[p] {
        crate::diag::note(format_args!(
            "{} is declared not applicable ({reason}): its evidence is shown, and counts for nothing",
            practice.id
        ));
    }
    if let Some(problem) = unread(&what.scan.repo, &what.cwd, &what.path) {
        crate::diag::note(problem);
    }
    Ok(Outcome::Clean)
}

/// The practice `id` names: a base practice or a generic practice applied to one area.
fn practice(model: &crate::model::Model, id: &str) -> Result<usize, CommandError> {
    use crate::model::id::{ParsedId, parse};
    let usage = |m: String| CommandError::Usage(m);
    match parse(id.trim()) {
        Ok(ParsedId::ProcessArea { .. }) => Err(usage(format!(
            "{id} is a process area: name one of its practices (`practrace list --pa {id}`)"
        ))),
        Ok(ParsedId::Generic { area: None, .. }) => {
            let example = model.process_areas.first().map_or("PA01", |a| &a.id);
            Err(usage(format!(
                "{id} is a generic practice of every process area: name the area it is for, as {id}@{example}"
            )))
        }
        _ => match crate::resolve::resolve(model, id.trim(), &[]) {
            Ok(found) => Ok(found.first().copied().unwrap_or_default()),
            Err(p) => Err(usage(match p.suggestion {
                Some(s) => format!("{} (did you mean {s}?)", p.message),
                None => p.message,
            })),
        },
    }
}

/// Why a working-tree scan of `repo` will not read the file at `path` (relative to `cwd`):
/// it is outside the repository, or git ignores it; `None` when it will be read.
fn unread(repo: &Path, cwd: &Path, path: &Path) -> Option<String> {
    let source = GitSource::open(repo, None).ok()?;
    let root = source.work_dir()?;
    let Some(relative) = in_repository(root, cwd, path) else {
        return Some(format!(
            "{} is outside the repository at {}: practrace reads the files inside it only",
            path.display(),
            root.components().collect::<PathBuf>().display()
        ));
    };
    let ignored = source.repo().ok()?.is_ignored(&relative);
    ignored.then(|| {
        format!(
            "git ignores {relative}: practrace does not read it until it is tracked (`git add -f {relative}`)"
        )
    })
}
