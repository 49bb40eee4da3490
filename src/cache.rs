//! The incremental cache: what a scan found per commit id and per blob id, kept in the
//! user's cache folder (`$XDG_CACHE_HOME/practrace`, else `~/.cache/practrace`), one
//! folder per repository — never inside the scanned repository.
//!
//! A cache never changes a result. Each file carries a salt (tool version, model digest,
//! scan options), its payload length and a checksum; a file that is damaged, of another
//! version, model or options, or half written, is ignored and rebuilt. Files are written
//! to a temporary name and renamed into place, so concurrent scans never see a partial
//! file (the last complete one wins). `--no-cache` gives the same bytes.

use std::collections::HashMap;
use std::hash::Hasher;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;
use crate::model::Model;
use crate::scan::{CommitHit, ScanOptions};

const MAGIC: &[u8; 8] = b"PTCACHE1";

/// FNV-1a, 64 bits: a checksum and a name, not a defence against an attacker (the cache is
/// the user's own folder).
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) fn fnv(parts: &[&[u8]]) -> u64 {
    let mut h = Fnv::default();
    for p in parts {
        h.write(p);
        h.write(&[0xff]);
    }
    h.finish()
}

/// How many whole-revision scans a repository's cache keeps.
const KEPT_REVISIONS: usize = 4;

/// The cache file of one revision's scan: its commit, and the ignore globs and evidence map
/// (which the salt does not cover, as per-blob and per-commit records do not depend on them).
fn revision_name(commit: &str, options: &ScanOptions) -> String {
    let policy = format!("{:?}|{:?}", options.ignore, options.evidence_map);
    format!("rev-{commit}-{:016x}", fnv(&[policy.as_bytes()]))
}

/// A commit as remembered: its parents and what the scan made of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommitRecord {
    /// Parent ids (raw bytes).
    pub parents: Vec<[u8; 20]>,
    /// The hit, if the commit is evidence.
    pub hit: Option<CommitHit>,
    /// Its diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}

/// A blob as remembered: the practices its front matter names (with lines) and its
/// diagnostics (without a path: the same blob may sit at several paths).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BlobRecord {
    /// `(practice, line)`.
    pub practices: Vec<(usize, u32)>,
    /// Diagnostics, `path` unset.
    pub diagnostics: Vec<Diagnostic>,
}

/// An object id as a cache key (practrace reads SHA-1 repositories: 20 bytes).
pub fn key(id: git2::Oid) -> Option<[u8; 20]> {
    id.as_bytes().try_into().ok()
}

/// Commit records by id.
pub type CommitTable = HashMap<[u8; 20], CommitRecord>;
/// Blob records by id.
pub type BlobTable = HashMap<[u8; 20], BlobRecord>;

/// One repository's cache folder, for one model and set of options.
pub struct Cache {
    dir: PathBuf,
    salt: u64,
}

/// The user's cache folder for practrace.
fn base_dir() -> Option<PathBuf> {
    let from_env = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    from_env("XDG_CACHE_HOME")
        .or_else(|| from_env("HOME").map(|h| h.join(".cache")))
        .map(|base| base.join("practrace"))
}

impl Cache {
    /// The cache of the repository whose git folder is `git_dir`; `None` when there is no
    /// cache folder to use (the scan then runs without one).
    pub fn open(git_dir: &Path, model: &Model, options: &ScanOptions) -> Option<Cache> {
        let canonical = git_dir.canonicalize().ok()?;
        let key = fnv(&[canonical.as_os_str().as_encoded_bytes()]);
        let dir = base_dir()?.join(format!("{key:016x}"));
        let mut model_parts: Vec<&[u8]> = vec![model.id.as_bytes()];
        model_parts.extend(model.practices.iter().map(|p| p.id.as_bytes()));
        let model_digest = fnv(&model_parts);
        let options_text = format!(
            "{}|{:?}|{}|{}|{}|{}",
            options.front_matter_key,
            options.trailer_keys,
            options.max_file_size,
            options.max_front_matter,
            options.max_message_size,
            options.max_ids
        );
        let salt = fnv(&[
            env!("CARGO_PKG_VERSION").as_bytes(),
            &model_digest.to_le_bytes(),
            options_text.as_bytes(),
        ]);
        Some(Cache { dir, salt })
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
    pub fn load_revision(
        &self,
        commit: &str,
        options: &ScanOptions,
    ) -> Option<crate::scan::Summary> {
        self.try_load(&revision_name(commit, options))
    }

    /// Remembers the summary of one revision's scan (the base of `check --base`), keeping
    /// the few most recent ones.
    pub fn store_revision(
        &self,
        commit: &str,
        options: &ScanOptions,
        summary: &crate::scan::Summary,
    ) {
        self.store(&revision_name(commit, options), summary);
        let Ok(dir) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let mut revisions: Vec<(std::time::SystemTime, PathBuf)> = dir
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("rev-"))
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
            .collect();
        revisions.sort();
        let excess = revisions.len().saturating_sub(KEPT_REVISIONS);
        for (_, path) in revisions.into_iter().take(excess) {
            let _ = std::fs::remove_file(path);
        }
    }

    /// Writes a table (atomically: a temporary file renamed into place). Failing to write
    /// a cache is not an error: the next scan simply reads more.
    pub fn store<T: Serialize>(&self, name: &str, value: &T) {
        let Ok(payload) = postcard::to_stdvec(value) else {
            return;
        };
        if std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        let tmp = self.dir.join(format!(
            ".{name}.{}.{:x}.tmp",
            std::process::id(),
            fnv(&[
                &payload[..payload.len().min(64)],
                &std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or(0)
                    .to_le_bytes()
            ])
        ));
        let written = std::fs::File::create(&tmp).and_then(|mut f| {
            f.write_all(MAGIC)?;
            f.write_all(&self.salt.to_le_bytes())?;
            f.write_all(&(payload.len() as u64).to_le_bytes())?;
            f.write_all(&fnv(&[&payload]).to_le_bytes())?;
            f.write_all(&payload)
        });
        if written.is_err() || std::fs::rename(&tmp, self.path(name)).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}
