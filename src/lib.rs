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
//! let found = practrace::resolve::resolve(&model, "bp.5.2", &[]).unwrap();
//! assert_eq!(model.practices[found[0]].id, "BP.05.02");
//! ```

pub mod cache;
pub mod check;
pub mod config;
pub mod diag;
pub mod extract;
pub mod graph;
pub mod matrix;
pub mod model;
pub mod rate;
pub mod report;
pub mod resolve;
pub mod scan;
pub mod source;
pub mod verify;

/// Everything one scan produces: the model, the scan, its graph, the ratings, the report.
pub struct Analysis {
    /// The model rated against.
    pub model: model::Model,
    /// The configuration, checked against the model.
    pub policy: config::Policy,
    /// The scan options used.
    pub options: scan::ScanOptions,
    /// The git folder of the repository scanned (keys the cache), when known.
    pub git_dir: Option<std::path::PathBuf>,
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
    /// The configuration file.
    #[error(transparent)]
    Config(#[from] config::ConfigError),
}

/// What to analyze and how: the command line's choices, which win over the configuration
/// file's, which win over the defaults.
#[derive(Debug, Clone)]
pub struct Request {
    /// The repository (any folder inside it).
    pub repo: std::path::PathBuf,
    /// A revision, or `None` for the working tree.
    pub rev: Option<String>,
    /// A model given on the command line (else the configuration's, else the built-in).
    pub model: Option<model::Model>,
    /// Limits; `front_matter_key`, `trailer_keys`, `ignore` and `evidence_map` come from the
    /// configuration file.
    pub options: scan::ScanOptions,
    /// `--max-file-size`, when given (else the configuration's, else the default).
    pub max_file_size: Option<u64>,
    /// Read and write the incremental cache.
    pub use_cache: bool,
    /// Leave the report's `practices` list empty: the gate needs only the areas and the
    /// diagnostics, and that list is the costly part of a large report.
    pub brief: bool,
}

impl Request {
    /// The working tree of `repo`, with the defaults.
    pub fn new(repo: impl Into<std::path::PathBuf>) -> Request {
        Request {
            repo: repo.into(),
            rev: None,
            model: None,
            options: scan::ScanOptions::default(),
            max_file_size: None,
            use_cache: true,
            brief: false,
        }
    }
}

/// The configuration of a source: the file's digest, the model, the checked policy and the
/// scan options it sets.
pub struct Configured {
    /// Path and blob id of `.practrace.yaml` (both `None` without one).
    pub info: report::ConfigInfo,
    /// The model.
    pub model: model::Model,
    /// The checked policy.
    pub policy: config::Policy,
    /// The scan options.
    pub options: scan::ScanOptions,
}

/// Reads `.practrace.yaml` of the scanned revision (or working tree) and the model it names.
pub fn configure(
    source: &dyn source::Source,
    request: &Request,
) -> Result<Configured, AnalysisError> {
    let mut info = report::ConfigInfo::default();
    let file = match source.read_path(config::FILE_NAME, 1 << 20)? {
        Some(bytes) => {
            info.path = Some(config::FILE_NAME.to_string());
            info.blob = source::git::blob_id(&bytes).map(|b| b.to_string());
            let text = String::from_utf8(bytes).map_err(|_| config::ConfigError {
                path: config::FILE_NAME.into(),
                line: 0,
                column: 0,
                message: "the file is not UTF-8".into(),
                suggestion: None,
            })?;
            config::ConfigFile::parse(&text, config::FILE_NAME)?
        }
        None => config::ConfigFile::default(),
    };
    let model = match (&request.model, &file.model) {
        (Some(m), _) => m.clone(),
        (None, Some(path)) => {
            let located = |message: String| config::ConfigError {
                path: config::FILE_NAME.into(),
                line: path.line,
                column: path.column,
                message,
                suggestion: None,
            };
            let bytes = source
                .read_path(&path.value, 16 << 20)
                .map_err(|e| located(format!("`model`: {e}")))?
                .ok_or_else(|| {
                    located(format!(
                        "`model`: `{}` is not a file of the scanned tree",
                        path.value
                    ))
                })?;
            let text = String::from_utf8_lossy(&bytes);
            model::Model::from_text(&text, &path.value)?
        }
        (None, None) => model::Model::builtin(),
    };
    let policy = file.policy(&model, config::FILE_NAME)?;
    let mut options = request.options.clone();
    if let Some(key) = &file.front_matter_key {
        options.front_matter_key = key.clone();
    }
    if let Some(keys) = &file.trailer_keys {
        options.trailer_keys = keys.clone();
    }
    options.max_file_size = request
        .max_file_size
        .or(file.max_file_size)
        .unwrap_or(options.max_file_size);
    options.ignore = policy.ignore.clone();
    options.evidence_map = policy.evidence_map.clone();
    Ok(Configured {
        info,
        model,
        policy,
        options,
    })
}

/// Scans the repository of `request` (its working tree, or a revision) under its
/// configuration, and rates it.
pub fn analyze(request: &Request) -> Result<Analysis, AnalysisError> {
    let source = source::git::GitSource::open(&request.repo, request.rev.as_deref())?;
    analyze_source(&source, request)
}

/// [`analyze`] on a source already open.
pub fn analyze_source(
    source: &source::git::GitSource,
    request: &Request,
) -> Result<Analysis, AnalysisError> {
    use source::Source;
    let configured = configure(source, request)?;
    let cache = request
        .use_cache
        .then(|| cache::Cache::open(source.git_dir(), &configured.model, &configured.options))
        .flatten();
    let scan = scan::scan_cached(
        source,
        &configured.model,
        &configured.options,
        cache.as_ref(),
    )?;
    let mut analysis = rate_scan(configured, scan, request.brief);
    analysis.git_dir = Some(source.git_dir().to_path_buf());
    Ok(analysis)
}

/// Analyses a base revision and a head revision for `check --base`, as brief analyses
/// (see [`Request::brief`]).
///
/// When both have the same model and scan options and base is an ancestor of head, head is
/// derived from a summary of base (kept in the cache per revision: its files, diagnostics
/// and the number of commits evidencing each practice) by reading only what changed between
/// them: the files of the tree diff and the commits in base..head. Commits cannot be lost
/// on that path (every commit of base is reachable from head), so the scans of the two
/// analyses then hold no commits of base's history: head's holds the commits of base..head.
/// Otherwise both are scanned in full.
pub fn analyze_pair(
    base_source: &source::git::GitSource,
    base_request: &Request,
    head_source: &source::git::GitSource,
    head_request: &Request,
) -> Result<(Analysis, Analysis), AnalysisError> {
    use source::Source;
    let started = std::time::Instant::now();
    let lap = |what: &str| {
        if std::env::var_os("PRACTRACE_TIMINGS").is_some() {
            eprintln!("practrace timings: {what} at {:?}", started.elapsed());
        }
    };
    let brief = |r: &Request| Request {
        brief: true,
        ..r.clone()
    };
    let (base_request, head_request) = (brief(base_request), brief(head_request));
    let base_conf = configure(base_source, &base_request)?;
    let head_conf = configure(head_source, &head_request)?;
    lap("configured");
    let practice_ids = |m: &model::Model| -> Vec<String> {
        std::iter::once(m.id.clone())
            .chain(m.practices.iter().map(|p| p.id.clone()))
            .collect()
    };
    let comparable = practice_ids(&base_conf.model) == practice_ids(&head_conf.model)
        && format!("{:?}", base_conf.options) == format!("{:?}", head_conf.options);
    let base_commit = base_source
        .info()
        .commit
        .and_then(|c| git2::Oid::from_str(&c).ok());
    let full = || -> Result<(Analysis, Analysis), AnalysisError> {
        Ok((
            analyze_source(base_source, &base_request)?,
            analyze_source(head_source, &head_request)?,
        ))
    };
    let (Some(base_commit), true) = (base_commit, comparable) else {
        return full();
    };
    let cache = head_request
        .use_cache
        .then(|| cache::Cache::open(head_source.git_dir(), &base_conf.model, &base_conf.options))
        .flatten();
    let commit = base_commit.to_string();
    let remembered = cache
        .as_ref()
        .and_then(|c| c.load_revision(&commit, &base_conf.options));
    lap("base summary loaded");
    let base = match remembered {
        Some(summary) => summary,
        None => {
            let scan = scan::scan_cached(
                base_source,
                &base_conf.model,
                &base_conf.options,
                cache.as_ref(),
            )?;
            let summary = scan::Summary::of(&scan, base_conf.model.practices.len());
            if let Some(c) = &cache {
                c.store_revision(&commit, &base_conf.options, &summary);
            }
            drop(scan);
            summary
        }
    };
    let derived = scan::scan_since(
        head_source,
        &base.scan,
        base_commit,
        &head_conf.model,
        &head_conf.options,
    )?;
    lap("head derived");
    let Some((head_scan, _)) = derived else {
        return full();
    };
    let head_counts = scan::Summary::count_commits(base.commit_counts.clone(), &head_scan.commits);
    let pair = (
        rate(base_conf, base.scan, &base.commit_counts, true),
        rate(head_conf, head_scan, &head_counts, true),
    );
    lap("rated");
    Ok(pair)
}

/// The graph, ratings and report of a scan under a configuration (`brief`: see
/// [`Request::brief`]).
pub fn rate_scan(configured: Configured, scan: scan::Scan, brief: bool) -> Analysis {
    rate(configured, scan, &[], brief)
}

/// [`rate_scan`], counting for each practice `more_commits[p]` commits of evidence besides
/// those of the scan (commits summarised away; empty: none).
fn rate(configured: Configured, scan: scan::Scan, more_commits: &[u32], brief: bool) -> Analysis {
    let Configured {
        info,
        model,
        policy,
        options,
    } = configured;
    let graph = graph::EvidenceGraph::build(&model, &scan);
    let in_scope = |p: usize| policy.not_applicable[p].is_none();
    let target = |a: usize| policy.targets[a];
    let evidenced =
        |p: usize| more_commits.get(p).is_some_and(|&n| n > 0) || graph.evidence_count(p) > 0;
    let ratings = rate::rate(
        &model,
        &evidenced,
        &rate::Policy {
            target: &target,
            in_scope: &in_scope,
        },
    );
    let report = report::Report::build(
        &model,
        &scan,
        if brief { None } else { Some(&graph) },
        &ratings,
        &|p| policy.not_applicable[p].clone(),
        info,
    );
    Analysis {
        model,
        policy,
        options,
        git_dir: None,
        scan,
        graph,
        ratings,
        report,
    }
}

/// Writes `status --format json` of a full analysis and, when it scanned a revision with the
/// cache on, remembers the report (its summary and each practice's bytes) so that a later
/// run on a descendant revision can be derived from it.
pub fn write_status_json(
    analysis: &Analysis,
    request: &Request,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let cache = (request.use_cache && !analysis.report.source.worktree)
        .then_some(analysis.git_dir.as_deref())
        .flatten()
        .and_then(|dir| cache::Cache::open(dir, &analysis.model, &analysis.options));
    let (Some(cache), Some(commit)) = (cache, analysis.report.source.commit.as_deref()) else {
        return analysis.report.write_json(out);
    };
    let summary = scan::Summary::of(&analysis.scan, analysis.model.practices.len());
    let head = cache::ReportHead {
        summary,
        config: analysis.report.config.clone(),
    };
    let count = analysis.report.practices.len();
    let mut writer = cache.report_writer(commit, &analysis.options, &head, count);
    let mut fragments = analysis.report.fragments();
    analysis.report.write_json_with(out, count, &mut |i, w| {
        let fragment = fragments.get(i);
        if let Some(writer) = writer.as_mut() {
            writer.add(fragment);
        }
        w.write_all(fragment)
    })?;
    if let Some(writer) = writer {
        writer.finish();
    }
    Ok(())
}

/// How many changed files and new commits a derived run reads before it remembers its own
/// report for the next run (`PRACTRACE_REMEMBER_AFTER` sets another, for tests).
const REMEMBER_AFTER: usize = 1000;

/// `status --format json` of a revision derived from a remembered report of an ancestor
/// (see [`write_status_json`]): only the files that changed and the commits in between are
/// read, only the practices whose evidence changed are printed anew, and the others are
/// copied from the remembered bytes. `Ok(None)` (nothing written) when no remembered report
/// applies: run the full analysis then. `Ok(Some(errors))`: written; `errors` tells whether
/// the report has error diagnostics.
pub fn write_status_json_derived(
    request: &Request,
    out: &mut dyn std::io::Write,
) -> Result<Option<bool>, AnalysisError> {
    use source::Source;
    let Some(rev) = request.rev.as_deref().filter(|_| request.use_cache) else {
        return Ok(None);
    };
    let source = source::git::GitSource::open(&request.repo, Some(rev))?;
    let configured = configure(&source, request)?;
    let Some(cache) = cache::Cache::open(source.git_dir(), &configured.model, &configured.options)
    else {
        return Ok(None);
    };
    for commit in cache.remembered_reports(&configured.options) {
        let Some(base) = cache.load_report(&commit, &configured.options) else {
            continue;
        };
        let Ok(base_commit) = git2::Oid::from_str(&commit) else {
            continue;
        };
        if base.head.config != configured.info || base.len() != configured.model.practices.len() {
            continue;
        }
        let derived = scan::scan_since(
            &source,
            &base.head.summary.scan,
            base_commit,
            &configured.model,
            &configured.options,
        )?;
        let Some((head_scan, changed_paths)) = derived else {
            continue;
        };
        let counts = scan::Summary::count_commits(
            base.head.summary.commit_counts.clone(),
            &head_scan.commits,
        );
        // The practices whose evidence may differ: those of the changed files, before and
        // after, and those of the new commits.
        let practices_len = configured.model.practices.len();
        let mut changed = vec![false; practices_len];
        let files_at = |files: &[scan::FileHit], path: &str| -> Option<usize> {
            files.binary_search_by(|f| f.path.as_str().cmp(path)).ok()
        };
        for path in &changed_paths {
            for files in [&base.head.summary.scan.files, &head_scan.files] {
                if let Some(i) = files_at(files, path) {
                    for &(p, _) in &files[i].practices {
                        changed[p] = true;
                    }
                }
            }
        }
        for c in &head_scan.commits {
            for &p in &c.practices {
                changed[p] = true;
            }
        }
        let new_commits = head_scan.commits.clone();
        let new_files: Vec<scan::FileHit> = changed_paths
            .iter()
            .filter_map(|p| files_at(&head_scan.files, p).map(|i| head_scan.files[i].clone()))
            .collect();
        // The practices to print anew, made before anything is written.
        let mut rebuilt = std::collections::HashMap::new();
        for i in (0..practices_len).filter(|&i| changed[i]) {
            let p = rebuild_practice(
                base.practice(i),
                i,
                &changed_paths,
                &new_files,
                &new_commits,
            );
            match p {
                Some(p) => rebuilt.insert(i, report::practice_fragment(&p)),
                None => break,
            };
        }
        if rebuilt.len() != changed.iter().filter(|&&c| c).count() {
            continue;
        }
        let analysis = rate(configured, head_scan, &counts, true);
        let errors = analysis
            .report
            .diagnostics
            .iter()
            .any(|d| d.severity == diag::Severity::Error);
        analysis
            .report
            .write_json_with(out, practices_len, &mut |i, w| match rebuilt.get(&i) {
                Some(bytes) => w.write_all(bytes),
                None => w.write_all(base.practice(i)),
            })
            .map_err(|e| source::SourceError::Git(format!("writing the report: {e}")))?;
        if std::env::var_os("PRACTRACE_STATS").is_some() {
            eprintln!("practrace stats: derived from the remembered report of {commit}");
        }
        // Far from the remembered report, remember this one instead: the next run then
        // starts from here. Near it, copying the whole report would cost more than it saves.
        let walked = analysis.report.source.commits_scanned
            - base
                .head
                .summary
                .scan
                .source
                .commits_scanned
                .min(analysis.report.source.commits_scanned);
        let read = walked + changed_paths.len();
        let threshold = std::env::var("PRACTRACE_REMEMBER_AFTER")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(REMEMBER_AFTER);
        if read > threshold
            && let Some(head_commit) = analysis.report.source.commit.as_deref()
        {
            let head = cache::ReportHead {
                summary: scan::Summary {
                    scan: scan::Scan {
                        commits: Vec::new(),
                        ..analysis.scan.clone()
                    },
                    commit_counts: counts,
                },
                config: analysis.report.config.clone(),
            };
            if let Some(mut writer) =
                cache.report_writer(head_commit, &analysis.options, &head, practices_len)
            {
                for i in 0..practices_len {
                    match rebuilt.get(&i) {
                        Some(bytes) => writer.add(bytes),
                        None => writer.add(base.practice(i)),
                    }
                }
                writer.finish();
            }
        }
        return Ok(Some(errors));
    }
    Ok(None)
}

/// A practice's report from its remembered JSON, with the evidence of the changed paths
/// replaced and the new commits added, in report order (files by path, commits by date,
/// then id).
fn rebuild_practice(
    remembered: &[u8],
    practice: usize,
    changed_paths: &[String],
    new_files: &[scan::FileHit],
    new_commits: &[scan::CommitHit],
) -> Option<report::PracticeReport> {
    use report::EvidenceReport;
    let mut p: report::PracticeReport = serde_json::from_slice(remembered).ok()?;
    let mut files = Vec::new();
    let mut commits = Vec::new();
    for e in p.evidence.drain(..) {
        match &e {
            EvidenceReport::File { path, .. } => {
                if changed_paths.binary_search(path).is_err() {
                    files.push(e);
                }
            }
            EvidenceReport::Commit { date, commit, .. } => {
                commits.push((scan::parse_rfc3339(date)?, commit.clone(), e));
            }
        }
    }
    for f in new_files {
        if let Some(&(_, line)) = f.practices.iter().find(|&&(q, _)| q == practice) {
            files.push(EvidenceReport::file(f, line));
        }
    }
    for c in new_commits
        .iter()
        .filter(|c| c.practices.contains(&practice))
    {
        commits.push((c.time, c.id.clone(), EvidenceReport::commit(c)));
    }
    let path_of = |e: &EvidenceReport| match e {
        EvidenceReport::File { path, .. } => path.clone(),
        EvidenceReport::Commit { .. } => String::new(),
    };
    files.sort_by_key(path_of);
    commits.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    p.evidence = files;
    p.evidence.extend(commits.into_iter().map(|(_, _, e)| e));
    Some(p)
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
