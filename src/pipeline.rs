//! One analysis, stage after stage: open the source, read its configuration and model,
//! scan, build the graph, rate, report. Also the pair of analyses of `check --base`.

use crate::cache;
use crate::config::{self, ConfigInfo, ScanOptions};
use crate::evidence::{ObjectId, Scan, Summary};
use crate::graph;
use crate::model;
use crate::rate;
use crate::report;
use crate::scan;
use crate::source::{self, Source};

/// Everything one scan produces: the model, the scan, its graph, the ratings, the report.
pub struct Analysis {
    /// The model rated against.
    pub model: model::Model,
    /// The configuration, checked against the model.
    pub policy: config::Policy,
    /// The scan options used.
    pub options: ScanOptions,
    /// The cache the analysis used, if any (the status report is remembered in it).
    pub cache: Option<cache::Cache>,
    /// The scan.
    pub scan: Scan,
    /// The evidence graph.
    pub graph: graph::EvidenceGraph,
    /// Per-area ratings.
    pub ratings: Vec<rate::AreaRating>,
    /// The report built from all of the above.
    pub report: report::Report,
    /// What the scan read (for a derived head of [`analyze_pair`]: what it read since base).
    pub stats: scan::Stats,
    /// The evidence's dates and limits, when `freshness:` is configured.
    pub dates: Option<crate::freshness::Dates>,
    /// The last commit of each evidence file, when the freshness stage found them (the
    /// matrix reuses them instead of walking the history again).
    pub last_commits: Option<std::collections::HashMap<String, source::git::history::LastChange>>,
}

impl Analysis {
    /// Frees the scan's files, commits and diagnostics (the report holds what the outputs
    /// show of them): the matrix drops them before its history walk, which needs memory of
    /// its own. The scan's source and absent paths stay.
    pub fn release_scan(&mut self) {
        self.scan.files = Vec::new();
        self.scan.commits = Vec::new();
        self.scan.diagnostics = Vec::new();
    }
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

/// How many changed files and new commits a derived `status --format json` reads, by
/// default, before it remembers its own report for the next run
/// ([`Request::remember_after`]).
pub const REMEMBER_AFTER: usize = 1000;

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
    pub options: ScanOptions,
    /// `--max-file-size`, when given (else the configuration's, else the default).
    pub max_file_size: Option<u64>,
    /// Read and write the incremental cache.
    pub use_cache: bool,
    /// The cache folder (default: `$XDG_CACHE_HOME/practrace`, else `~/.cache/practrace`).
    pub cache_dir: Option<std::path::PathBuf>,
    /// How many changed files and new commits a derived `status --format json` reads before
    /// it remembers its own report for the next run.
    pub remember_after: usize,
    /// Leave the report's `practices` list empty: the gate needs only the areas and the
    /// diagnostics, and that list is the costly part of a large report.
    pub brief: bool,
    /// `--as-of`: the date evidence ages are measured to, instead of the scanned commit's
    /// committer date (only used when `freshness:` is configured).
    pub as_of: Option<jiff::Timestamp>,
}

impl Request {
    /// The working tree of `repo`, with the defaults.
    pub fn new(repo: impl Into<std::path::PathBuf>) -> Request {
        Request {
            repo: repo.into(),
            rev: None,
            model: None,
            options: ScanOptions::default(),
            max_file_size: None,
            use_cache: true,
            cache_dir: None,
            remember_after: REMEMBER_AFTER,
            brief: false,
            as_of: None,
        }
    }

    /// The cache for a configured source of this request, when the cache is on and there
    /// is a folder for it.
    pub(crate) fn cache(
        &self,
        source: &dyn Source,
        configured: &Configured,
    ) -> Option<cache::Cache> {
        if !self.use_cache {
            return None;
        }
        let opened = cache::Cache::open(
            source.git_dir(),
            source.work_dir(),
            self.cache_dir.as_deref(),
            &source.history_boundary(),
            &configured.model,
            &configured.options,
        );
        match opened {
            Ok(cache) => Some(cache),
            Err(cache::Refused::NoRoot) => None,
            Err(refused) => {
                crate::diag::note(format_args!("{refused}; running without a cache"));
                None
            }
        }
    }
}

/// The configuration of a source: the file's digest, the model, the checked policy and the
/// scan options it sets.
pub struct Configured {
    /// Path and blob id of `.practrace.yaml` (both `None` without one).
    pub info: ConfigInfo,
    /// The model.
    pub model: model::Model,
    /// The checked policy.
    pub policy: config::Policy,
    /// The scan options.
    pub options: ScanOptions,
}

/// Reads `.practrace.yaml` of the scanned revision (or working tree) and the model it names.
pub fn configure(
    source: &dyn source::Source,
    request: &Request,
) -> Result<Configured, AnalysisError> {
    let mut info = ConfigInfo::default();
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
    info.options = Some(options.digest());
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
    let configured = configure(source, request)?;
    let cache = request.cache(source, &configured);
    let (scan, stats) = scan::scan_cached(
        source,
        &configured.model,
        &configured.options,
        cache.as_ref(),
    )?;
    let (dates, last_commits) = match configured.policy.freshness.clone() {
        Some(limits) => {
            let (dates, last) =
                crate::ageing::dates(source, &scan, limits, request.as_of, cache.as_ref())?;
            (Some(dates), Some(last))
        }
        None => (None, None),
    };
    let mut analysis = rate(configured, scan, &[], dates, request.brief);
    analysis.cache = cache;
    analysis.stats = stats;
    analysis.last_commits = last_commits;
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
    let brief = |r: &Request| Request {
        brief: true,
        ..r.clone()
    };
    let (base_request, head_request) = (brief(base_request), brief(head_request));
    let base_conf = configure(base_source, &base_request)?;
    let head_conf = configure(head_source, &head_request)?;
    let full = || -> Result<(Analysis, Analysis), AnalysisError> {
        Ok((
            analyze_source(base_source, &base_request)?,
            analyze_source(head_source, &head_request)?,
        ))
    };
    let base_commit = base_source
        .info()
        .commit
        .and_then(|c| ObjectId::from_hex(&c));
    let dated = base_conf.policy.freshness.is_some() || head_conf.policy.freshness.is_some();
    let Some(base_commit) = base_commit.filter(|_| !dated && comparable(&base_conf, &head_conf))
    else {
        // Ages need each side's own history walk: both are analysed in full.
        return full();
    };
    let cache = head_request.cache(head_source, &base_conf);
    let base = base_summary(base_source, &base_conf, base_commit, cache.as_ref())?;
    let derived = scan::scan_since(
        head_source,
        &base.scan,
        base_commit,
        &head_conf.model,
        &head_conf.options,
    )?;
    let Some(derived) = derived else {
        return full();
    };
    let head_counts = Summary::count_commits(base.commit_counts.clone(), &derived.scan.commits);
    let mut head = rate(head_conf, derived.scan, &head_counts, None, true);
    head.stats = derived.stats;
    Ok((
        rate(base_conf, base.scan, &base.commit_counts, None, true),
        head,
    ))
}

/// Whether head can be derived from base's scan: the same practices (by id, in order) and
/// the same scan options.
fn comparable(base: &Configured, head: &Configured) -> bool {
    base.scan_key() == head.scan_key()
}

/// What a scan's findings depend on besides the revision: the model's practices (by id, in
/// order) and the scan options. Two configurations with the same key scan alike, so the
/// scan of one revision can be derived from an ancestor's ([`scan::scan_since`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanKey {
    practices: Vec<String>,
    options: ScanOptions,
}

impl Configured {
    /// See [`ScanKey`].
    pub fn scan_key(&self) -> ScanKey {
        let m = &self.model;
        ScanKey {
            practices: std::iter::once(m.id.clone())
                .chain(m.practices.iter().map(|p| p.id.clone()))
                .collect(),
            options: self.options.clone(),
        }
    }
}

/// The summary of base's scan: remembered in the cache, else scanned (and remembered).
fn base_summary(
    source: &source::git::GitSource,
    configured: &Configured,
    commit: ObjectId,
    cache: Option<&cache::Cache>,
) -> Result<Summary, AnalysisError> {
    let commit = commit.to_string();
    if let Some(summary) = cache.and_then(|c| c.load_revision(&commit)) {
        return Ok(summary);
    }
    let (scan, _) = scan::scan_cached(source, &configured.model, &configured.options, cache)?;
    let summary = Summary::of(&scan, configured.model.practices.len());
    // Not a scan that missed objects of a partial clone: once fetched, they count.
    if let Some(c) = cache.filter(|_| scan::complete(&scan.diagnostics)) {
        c.store_revision(&commit, &summary);
    }
    Ok(summary)
}

/// The graph, ratings and report of a scan under a configuration (`brief`: see
/// [`Request::brief`]).
pub fn rate_scan(configured: Configured, scan: Scan, brief: bool) -> Analysis {
    rate(configured, scan, &[], None, brief)
}

/// [`rate_scan`], counting for each practice `more_commits[p]` commits of evidence besides
/// those of the scan (commits summarised away; empty: none); with `dates`, stale evidence
/// does not count.
pub(crate) fn rate(
    configured: Configured,
    scan: Scan,
    more_commits: &[u32],
    dates: Option<crate::freshness::Dates>,
    brief: bool,
) -> Analysis {
    let Configured {
        info,
        model,
        policy,
        options,
    } = configured;
    let graph = graph::EvidenceGraph::build(&model, &scan);
    let in_scope = |p: usize| policy.not_applicable[p].is_none();
    let target = |a: usize| policy.targets[a];
    let evidenced = |p: usize| {
        more_commits.get(p).is_some_and(|&n| n > 0)
            || match &dates {
                Some(d) => crate::ageing::has_fresh_evidence(d, &graph, &scan, p),
                None => graph.evidence_count(p) > 0,
            }
    };
    let ratings = rate::rate(
        &model,
        &evidenced,
        &rate::Policy {
            target: &target,
            in_scope: &in_scope,
        },
    );
    let mut report = report::Report::build(
        &model,
        &scan,
        if brief { None } else { Some(&graph) },
        &ratings,
        &|p| policy.not_applicable[p].clone(),
        info,
    );
    if let Some(d) = &dates {
        crate::ageing::annotate(&mut report, d, &model, &scan);
    }
    let unmatched = unmatched_map_rules(&model, &policy, &scan, &report.config);
    if !unmatched.is_empty() {
        report.diagnostics.extend(unmatched);
        report
            .diagnostics
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
    Analysis {
        model,
        policy,
        options,
        cache: None,
        scan,
        graph,
        ratings,
        report,
        stats: scan::Stats::default(),
        dates,
        last_commits: None,
    }
}

/// A warning for each `evidence_map` rule that matches no file of the scan (every file a
/// rule with practices matches is evidence, so none of the scan's evidence files matching
/// it means none at all), located at the rule in the configuration file: a misspelt glob
/// is otherwise silent, and its practices quietly lack evidence.
fn unmatched_map_rules(
    model: &model::Model,
    policy: &config::Policy,
    scan: &Scan,
    info: &ConfigInfo,
) -> Vec<crate::diag::Diagnostic> {
    use crate::diag::{Code, Diagnostic, Severity};
    let file = info.path.as_deref().unwrap_or(config::FILE_NAME);
    // All rules' globs in one set, each file matched once (a set per rule was quadratic in
    // rules times files).
    let rule_of: Vec<usize> = policy
        .evidence_map
        .iter()
        .enumerate()
        .flat_map(|(i, r)| r.globs.iter().map(move |_| i))
        .collect();
    let (globs, origin) = config::indexed_glob_set(
        policy
            .evidence_map
            .iter()
            .flat_map(|r| r.globs.iter().map(String::as_str)),
    );
    let mut matched = vec![false; policy.evidence_map.len()];
    for f in &scan.files {
        for m in globs.matches(&f.path) {
            matched[rule_of[origin[m]]] = true;
        }
    }
    let mut out = Vec::new();
    for (i, rule) in policy.evidence_map.iter().enumerate() {
        if rule.practices.is_empty() || matched[i] {
            continue;
        }
        let ids: Vec<&str> = rule
            .practices
            .iter()
            .map(|&p| model.practices[p].id.as_str())
            .collect();
        let (line, column) = policy.evidence_map_places.get(i).copied().unzip();
        let mut d = Diagnostic::in_file(
            Severity::Warning,
            Code::EvidenceMapUnmatched,
            format!(
                "`evidence_map` rule {} matches no file: `{}` (no evidence for {} from it)",
                i + 1,
                rule.globs.join("`, `"),
                ids.join(", ")
            ),
            file,
            line,
            column,
        );
        d.suggestion = Some(
            "globs match paths from the repository root (`*` stays within a folder, `**` crosses folders; ignored files are not scanned): fix the glob, or remove the rule".into(),
        );
        out.push(d);
    }
    out
}

/// Adds the commit → artifact "touched" edges: for each evidence commit, the evidence files
/// its change (against its first parent) added, modified or deleted. This costs a tree diff
/// per commit, so only outputs that show these links call it (spec §2.2).
pub fn link_touched(analysis: &mut Analysis, repo: &source::git::Repo) {
    let by_path: std::collections::HashMap<&str, usize> = analysis
        .scan
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.as_str(), i))
        .collect();
    let mut edges = Vec::new();
    for (c, hit) in analysis.scan.commits.iter().enumerate() {
        for path in repo.changed_paths(&hit.id) {
            if let Some(&a) = by_path.get(path.as_str()) {
                edges.push((c, a));
            }
        }
    }
    edges.sort_unstable();
    edges.dedup();
    for (c, a) in edges {
        analysis.graph.add_touched(c, a);
    }
}
