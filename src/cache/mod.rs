//! The incremental cache: what a scan found per commit id and per blob id, kept in the
//! user's cache folder (`$XDG_CACHE_HOME/practrace`, else `~/.cache/practrace`), one
//! folder per repository — never inside the scanned repository.
//!
//! A cache never changes a result. Each file carries a salt (tool version, model digest,
//! scan options, the repository's history boundary — shallow cut, grafts, replace refs —
//! keyed with the cache root's secret, see [`place`]), its payload length and a checksum;
//! a file that is damaged, of another version, model, options or history, half written,
//! or not written by this user's practrace, is ignored and rebuilt. Files are written to
//! an exclusive temporary file and renamed into place, so concurrent scans never see a
//! partial file (the last complete one wins). `--no-cache` gives the same bytes.

mod place;

pub use place::Refused;

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::config::{ConfigInfo, ScanOptions};
use crate::digest::fnv;
use crate::evidence::Summary;
use crate::model::Model;

const MAGIC: &[u8; 8] = b"PTCACHE2";

/// How many whole reports a repository's cache keeps (each about as large as the report).
const KEPT_REPORTS: usize = 2;

const REPORT_MAGIC: &[u8; 8] = b"PTREPRT2";

/// A checksum for large files, eight bytes at a step (FNV-1a byte by byte costs 60 ms on a
/// 45 MB report; this, a few), fed piece by piece. Not a defence against an attacker.
struct WordsHash {
    h: u64,
    len: u64,
    pending: Vec<u8>,
}

impl WordsHash {
    fn new() -> WordsHash {
        WordsHash {
            h: 0x9e37_79b9_7f4a_7c15,
            len: 0,
            pending: Vec::with_capacity(8),
        }
    }

    fn word(&mut self, w: u64) {
        self.h = (self.h ^ w).wrapping_mul(0xff51_afd7_ed55_8ccd);
        self.h ^= self.h >> 29;
    }

    fn update(&mut self, mut data: &[u8]) {
        self.len += data.len() as u64;
        if !self.pending.is_empty() {
            let take = (8 - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.pending.len() < 8 {
                return;
            }
            let w = u64::from_le_bytes(self.pending[..8].try_into().unwrap_or_default());
            self.word(w);
            self.pending.clear();
        }
        let mut chunks = data.chunks_exact(8);
        for c in &mut chunks {
            self.word(u64::from_le_bytes(c.try_into().unwrap_or_default()));
        }
        self.pending.extend_from_slice(chunks.remainder());
    }

    fn finish(mut self) -> u64 {
        for b in std::mem::take(&mut self.pending) {
            self.h = (self.h ^ u64::from(b)).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        }
        self.word(self.len);
        self.h ^ (self.h >> 32)
    }
}

fn words_hash(data: &[u8]) -> u64 {
    let mut h = WordsHash::new();
    h.update(data);
    h.finish()
}

/// Writes a remembered report to the cache practice by practice, so that it is never held
/// whole in memory: layout `magic, salt, checksum, head length, count, head, practices,
/// offsets`; the checksum (of everything after it, taken as it is written) goes in last.
pub struct ReportWriter {
    file: std::io::BufWriter<tempfile::NamedTempFile>,
    target: PathBuf,
    cache_dir: PathBuf,
    kind: Remembered,
    offsets: Vec<u64>,
    hash: WordsHash,
    ok: bool,
}

impl ReportWriter {
    /// Writes bytes that the checksum covers.
    fn write(&mut self, bytes: &[u8]) {
        self.hash.update(bytes);
        self.ok = self.ok && self.file.write_all(bytes).is_ok();
    }

    /// Adds the next practice's JSON.
    pub fn add(&mut self, practice: &[u8]) {
        let next = self.offsets.last().copied().unwrap_or(0) + practice.len() as u64;
        self.offsets.push(next);
        self.write(practice);
    }

    /// Writes the offsets and the checksum, and renames the file into place.
    pub fn finish(mut self) {
        use std::io::{Seek, SeekFrom};
        let mut table = Vec::with_capacity(self.offsets.len() * 8);
        for o in &self.offsets {
            table.extend_from_slice(&o.to_le_bytes());
        }
        self.write(&table);
        let sum = self.hash.finish();
        let done = (|| -> std::io::Result<tempfile::NamedTempFile> {
            let mut file = self.file.into_inner().map_err(|e| e.into_error())?;
            file.seek(SeekFrom::Start(16))?;
            file.write_all(&sum.to_le_bytes())?;
            file.as_file().sync_data().ok();
            Ok(file)
        })();
        // A temporary file not persisted is deleted when dropped.
        if let (true, Ok(file)) = (self.ok, done)
            && file.persist(&self.target).is_ok()
        {
            prune(&self.cache_dir, self.kind.prefix(), KEPT_REPORTS);
        }
    }
}

/// Which report of a revision is remembered, practice by practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remembered {
    /// `status --format json`'s.
    Status,
    /// `matrix --format json`'s: the status report with each evidence file's last commit.
    Matrix,
}

impl Remembered {
    /// The start of its files' names.
    fn prefix(self) -> &'static str {
        match self {
            Remembered::Status => "report-",
            Remembered::Matrix => "matrix-",
        }
    }
}

/// What is remembered of a revision's report besides its practices' bytes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportHead {
    /// The scan, summarised.
    pub summary: Summary,
    /// The configuration it was made with.
    pub config: ConfigInfo,
}

/// A revision's report as remembered: its head, and each practice's JSON as the report
/// prints it ([`crate::report::practice_fragment`]), read from a mapped file.
pub struct RememberedReport {
    /// Summary and configuration.
    pub head: ReportHead,
    map: memmap2::Mmap,
    /// Where each practice starts in `map` (one more entry: the end).
    offsets: Vec<usize>,
}

impl RememberedReport {
    /// How many practices.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The JSON of practice `i`.
    pub fn practice(&self, i: usize) -> &[u8] {
        &self.map[self.offsets[i]..self.offsets[i + 1]]
    }
}

/// Keeps the `keep` most recent files in `dir` whose names start with `prefix`.
fn prune(dir: &Path, prefix: &str, keep: usize) {
    let files = oldest_first(dir, prefix);
    let excess = files.len().saturating_sub(keep);
    for path in files.into_iter().take(excess) {
        let _ = std::fs::remove_file(path);
    }
}

/// The files in `dir` whose names start with `prefix`, oldest first.
fn oldest_first(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    files.sort();
    files.into_iter().map(|(_, path)| path).collect()
}

/// How many whole-revision scans a repository's cache keeps.
const KEPT_REVISIONS: usize = 4;

/// What a scan makes of a commit or a blob (hits, diagnostics, the records' layout), as a
/// number to raise whenever the same bytes give other records: within one tool version,
/// a cache written before such a change would otherwise bring back the old findings.
/// 2: a `Practice:` line outside the trailer block is a warning only when it holds an id.
/// 3: misspelt keys are warnings.
/// 4: file evidence carries its provenance and the tags' notes.
/// 5: a misspelt key is a warning only when its value holds an id.
/// 6: a commit with an `encoding` header is read in UTF-8 (author, subject, trailers).
/// 7: a scan lists the paths a partial clone lacks (`Scan::absent`).
const RECORDS: &[u8] = b"records-7";

/// The key of every record a cache file holds: this build's version, the version of its
/// records ([`RECORDS`]), the whole model (its digest) and the whole of the scan options,
/// serialized — derived from the types, so an option added later is in the key without
/// anyone remembering to add it.
pub fn key(model: &Model, options: &ScanOptions) -> u64 {
    let options = postcard::to_stdvec(options).unwrap_or_default();
    fnv(&[
        env!("CARGO_PKG_VERSION").as_bytes(),
        RECORDS,
        &model.digest().to_le_bytes(),
        &options,
    ])
}

/// One repository's cache folder, for one model and set of options.
pub struct Cache {
    dir: PathBuf,
    salt: u64,
}

impl Cache {
    /// The cache of the repository whose git folder is `git_dir` (working tree `work_dir`)
    /// under the cache root `root` (`None`: `$XDG_CACHE_HOME/practrace`, else
    /// `~/.cache/practrace`), for files made under `history` (the repository's history
    /// boundary: shallow cut, grafts, replace refs), `model` and `options`. Refused (the scan
    /// then runs without a cache) inside the repository, through a symlink, or without a
    /// usable secret.
    pub fn open(
        git_dir: &Path,
        work_dir: Option<&Path>,
        root: Option<&Path>,
        history: &[u8],
        model: &Model,
        options: &ScanOptions,
    ) -> Result<Cache, Refused> {
        let root = match root {
            Some(root) => root.to_path_buf(),
            None => place::root_from_env().ok_or(Refused::NoRoot)?,
        };
        let canonical = git_dir
            .canonicalize()
            .map_err(|e| Refused::Key(format!("{}: {e}", git_dir.display())))?;
        let folder = fnv(&[canonical.as_os_str().as_encoded_bytes()]);
        let dir = root.join(format!("{folder:016x}"));
        place::check(&root, &dir, git_dir, work_dir)?;
        let secret = place::secret(&root)?;
        place::clean_stale_temporaries(&dir);
        let key = fnv(&[&key(model, options).to_le_bytes(), history]);
        Ok(Cache {
            dir,
            salt: place::salt(&secret, key),
        })
    }

    /// The file (without `.bin`) of one revision's scan.
    fn revision_name(&self, commit: &str) -> String {
        format!("rev-{commit}-{:016x}", self.salt)
    }

    /// The file (without `.bin`) of one revision's report.
    fn report_name(&self, kind: Remembered, commit: &str) -> String {
        format!("{}{commit}-{:016x}", kind.prefix(), self.salt)
    }

    /// The cache folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.bin"))
    }

    /// Reads a table; an empty one when the file is missing, damaged or stale.
    pub fn load<T: DeserializeOwned + Default>(&self, name: &str) -> T {
        self.try_load(name).unwrap_or_default()
    }

    fn try_load<T: DeserializeOwned>(&self, name: &str) -> Option<T> {
        let bytes = std::fs::read(self.path(name)).ok()?;
        let rest = bytes.strip_prefix(MAGIC.as_slice())?;
        let (salt, rest) = rest.split_first_chunk::<8>()?;
        let (len, rest) = rest.split_first_chunk::<8>()?;
        let (sum, payload) = rest.split_first_chunk::<8>()?;
        if u64::from_le_bytes(*salt) != self.salt
            || u64::from_le_bytes(*len) != payload.len() as u64
            || u64::from_le_bytes(*sum) != fnv(&[payload])
        {
            return None;
        }
        postcard::from_bytes(payload).ok()
    }

    /// The summary of one revision's scan, as [`Cache::store_revision`] left it.
    pub fn load_revision(&self, commit: &str) -> Option<Summary> {
        self.try_load(&self.revision_name(commit))
    }

    /// The commits whose reports are remembered for these options, most recent first.
    pub fn remembered_reports(&self, kind: Remembered) -> Vec<String> {
        let suffix = format!("-{:016x}.bin", self.salt);
        oldest_first(&self.dir, kind.prefix())
            .into_iter()
            .rev()
            .filter_map(|path| {
                let name = path.file_name()?.to_str()?;
                Some(
                    name.strip_prefix(kind.prefix())?
                        .strip_suffix(&suffix)?
                        .to_string(),
                )
            })
            .collect()
    }

    /// A remembered report of `commit`, when it is whole and made with this cache's salt.
    pub fn load_report(&self, kind: Remembered, commit: &str) -> Option<RememberedReport> {
        let file = std::fs::File::open(self.path(&self.report_name(kind, commit))).ok()?;
        // SAFETY: cache files are written to a temporary name and renamed into place, never
        // changed where they are; the checksum below is verified before any use.
        let map = unsafe { memmap2::Mmap::map(&file) }.ok()?;
        let rest = map.strip_prefix(REPORT_MAGIC.as_slice())?;
        let (salt, rest) = rest.split_first_chunk::<8>()?;
        let (sum, body) = rest.split_first_chunk::<8>()?;
        if u64::from_le_bytes(*salt) != self.salt || u64::from_le_bytes(*sum) != words_hash(body) {
            return None;
        }
        let (head_len, rest) = body.split_first_chunk::<8>()?;
        let (count, rest) = rest.split_first_chunk::<8>()?;
        let head_len = usize::try_from(u64::from_le_bytes(*head_len)).ok()?;
        let count = usize::try_from(u64::from_le_bytes(*count)).ok()?;
        let head: ReportHead = postcard::from_bytes(rest.get(..head_len)?).ok()?;
        let table_len = count.checked_add(1)?.checked_mul(8)?;
        let base = map.len() - rest.len() + head_len;
        let table_at = map.len().checked_sub(table_len)?;
        if table_at < base {
            return None;
        }
        let mut offsets = Vec::with_capacity(count + 1);
        for c in map[table_at..].chunks_exact(8) {
            let o = usize::try_from(u64::from_le_bytes(c.try_into().ok()?)).ok()?;
            offsets.push(base.checked_add(o)?);
        }
        let ordered = offsets.windows(2).all(|w| w[0] <= w[1]);
        if !ordered || offsets.first() != Some(&base) || offsets.last() != Some(&table_at) {
            return None;
        }
        Some(RememberedReport { head, map, offsets })
    }

    /// Starts remembering a revision's report: its head now, its practices' JSON through
    /// [`ReportWriter::add`]; only [`ReportWriter::finish`] puts it in place. The most recent
    /// few are kept.
    pub fn report_writer(
        &self,
        kind: Remembered,
        commit: &str,
        head: &ReportHead,
        count: usize,
    ) -> Option<ReportWriter> {
        let head_bytes = postcard::to_stdvec(head).ok()?;
        let name = self.report_name(kind, commit);
        let file = self.temporary(&name)?;
        let mut writer = ReportWriter {
            file: std::io::BufWriter::with_capacity(1 << 20, file),
            target: self.path(&name),
            cache_dir: self.dir.clone(),
            kind,
            offsets: vec![0],
            hash: WordsHash::new(),
            ok: true,
        };
        // Magic, salt and a checksum to fill in last: outside the checksum.
        let mut lead = Vec::with_capacity(24);
        lead.extend_from_slice(REPORT_MAGIC);
        lead.extend_from_slice(&self.salt.to_le_bytes());
        lead.extend_from_slice(&0u64.to_le_bytes());
        writer.ok = writer.file.write_all(&lead).is_ok();
        writer.write(&(head_bytes.len() as u64).to_le_bytes());
        writer.write(&(count as u64).to_le_bytes());
        writer.write(&head_bytes);
        writer.ok.then_some(writer)
    }

    /// The last commits a walk from `commit` found (`Repo::last_commits`), as
    /// [`Cache::store_last_commits`] left them.
    pub fn load_last_commits<T: DeserializeOwned>(&self, commit: &str) -> Option<T> {
        self.try_load(&self.last_commits_name(commit))
    }

    /// The commits whose last-commit walks are remembered, most recent first.
    pub fn remembered_last_commits(&self) -> Vec<String> {
        let suffix = format!("-{:016x}.bin", self.salt);
        oldest_first(&self.dir, "last-")
            .into_iter()
            .rev()
            .filter_map(|path| {
                let name = path.file_name()?.to_str()?;
                Some(
                    name.strip_prefix("last-")?
                        .strip_suffix(&suffix)?
                        .to_string(),
                )
            })
            .collect()
    }

    /// Remembers what a last-commit walk from `commit` found, keeping the two most recent:
    /// the next matrix after a new commit then reads only the commits since.
    pub fn store_last_commits<T: Serialize>(&self, commit: &str, value: &T) {
        self.store(&self.last_commits_name(commit), value);
        prune(&self.dir, "last-", 2);
    }

    fn last_commits_name(&self, commit: &str) -> String {
        format!("last-{commit}-{:016x}", self.salt)
    }

    /// Remembers the summary of one revision's scan (the base of `check --base`), keeping
    /// the few most recent ones.
    pub fn store_revision(&self, commit: &str, summary: &Summary) {
        self.store(&self.revision_name(commit), summary);
        prune(&self.dir, "rev-", KEPT_REVISIONS);
    }

    /// Writes a table (atomically: a temporary file renamed into place). Failing to write
    /// a cache is not an error: the next scan simply reads more.
    pub fn store<T: Serialize>(&self, name: &str, value: &T) {
        let Ok(payload) = postcard::to_stdvec(value) else {
            return;
        };
        let mut file = Vec::with_capacity(32 + payload.len());
        file.extend_from_slice(MAGIC);
        file.extend_from_slice(&self.salt.to_le_bytes());
        file.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        file.extend_from_slice(&fnv(&[&payload]).to_le_bytes());
        file.extend_from_slice(&payload);
        self.write_atomically(name, &file);
    }

    /// An exclusive temporary file in the cache folder (made with `O_EXCL`, an unguessable
    /// name, never following a planted symlink), for `name`.
    fn temporary(&self, name: &str) -> Option<tempfile::NamedTempFile> {
        std::fs::create_dir_all(&self.dir).ok()?;
        tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(&self.dir)
            .ok()
    }

    /// Writes `name.bin` through a temporary file and a rename: readers see the old file or
    /// the new one, never a part.
    fn write_atomically(&self, name: &str, bytes: &[u8]) {
        let Some(mut file) = self.temporary(name) else {
            return;
        };
        if file.write_all(bytes).is_ok() {
            let _ = file.persist(self.path(name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::key;
    use crate::config::{MapRule, ScanOptions};
    use crate::model::Model;

    /// Pins that the cache key is derived from the whole options type: before, it was built
    /// by hand from a list of fields, and a field left off that list would reuse a stale
    /// cache.
    #[test]
    fn every_scan_option_changes_the_cache_key() {
        let model = Model::builtin();
        let base = ScanOptions::default();
        // Destructured without `..`: a field added to ScanOptions does not compile here
        // until it gets a changed value below.
        let ScanOptions {
            front_matter_key,
            trailer_keys,
            max_file_size,
            max_front_matter,
            max_message_size,
            max_ids,
            ignore,
            evidence_map,
        } = base.clone();
        let rule = MapRule {
            globs: vec!["*.pdf".into()],
            practices: vec![0],
        };
        let changed = [
            ScanOptions {
                front_matter_key: front_matter_key + "s",
                ..base.clone()
            },
            ScanOptions {
                trailer_keys: [trailer_keys, vec!["Evidence".into()]].concat(),
                ..base.clone()
            },
            ScanOptions {
                max_file_size: max_file_size + 1,
                ..base.clone()
            },
            ScanOptions {
                max_front_matter: max_front_matter + 1,
                ..base.clone()
            },
            ScanOptions {
                max_message_size: max_message_size + 1,
                ..base.clone()
            },
            ScanOptions {
                max_ids: max_ids + 1,
                ..base.clone()
            },
            ScanOptions {
                ignore: [ignore, vec!["vendor/**".into()]].concat(),
                ..base.clone()
            },
            ScanOptions {
                evidence_map: [evidence_map, vec![rule]].concat(),
                ..base.clone()
            },
        ];
        let before = key(&model, &base);
        assert_eq!(key(&model, &base.clone()), before, "the key is stable");
        for (i, options) in changed.iter().enumerate() {
            assert_ne!(
                key(&model, options),
                before,
                "option {i} left the key as it was"
            );
        }
    }

    #[test]
    fn a_model_that_differs_in_any_text_changes_the_cache_key() {
        let text = include_str!("../../fixtures/models/tiny.model.yaml");
        let options = ScanOptions::default();
        let tiny = Model::from_text(text, "tiny.model.yaml").unwrap();
        let retitled = text.replacen("title: ", "title: Renamed ", 1);
        assert_ne!(retitled, text);
        let retitled = Model::from_text(&retitled, "tiny.model.yaml").unwrap();
        assert_eq!(tiny.practices.len(), retitled.practices.len());
        assert_ne!(key(&tiny, &options), key(&retitled, &options));
        assert_ne!(key(&tiny, &options), key(&Model::builtin(), &options));
    }
}
