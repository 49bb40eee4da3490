//! Where a repository's cache lives, and what makes its files trustworthy.
//!
//! A cache folder inside the scanned repository (its working tree or its git folder) is
//! refused: a merge request could commit cache files there. So is a cache path reached
//! through a symlink below the cache root, which would send writes and prunes elsewhere.
//! Every file's salt is keyed with a secret made once per cache root (`key`, 32 random
//! bytes, mode 0600): a file written by anyone without that secret, or copied from
//! another cache, never validates, so it cannot change a result.

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Why a cache is not used (the scan then runs without one, with the same result).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No cache root: neither `$XDG_CACHE_HOME` nor `$HOME` is set to an absolute path.
    NoRoot,
    /// The cache folder lies inside the scanned repository.
    InsideRepository(PathBuf),
    /// A component of the cache path below the root is a symlink.
    Symlink(PathBuf),
    /// The secret key cannot be made or read.
    Key(String),
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::NoRoot => write!(f, "no cache folder ($XDG_CACHE_HOME and $HOME unset)"),
            Refused::InsideRepository(p) => write!(
                f,
                "the cache folder {} is inside the scanned repository, where a commit could plant cache files",
                p.display()
            ),
            Refused::Symlink(p) => write!(f, "the cache path {} is a symlink", p.display()),
            Refused::Key(why) => write!(f, "the cache key cannot be used: {why}"),
        }
    }
}

/// The user's cache root for practrace.
pub(super) fn root_from_env() -> Option<PathBuf> {
    let from_env = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    from_env("XDG_CACHE_HOME")
        .or_else(|| from_env("HOME").map(|h| h.join(".cache")))
        .map(|base| base.join("practrace"))
}

/// `path` with its existing part resolved (symlinks above it followed, as the OS would),
/// the part that does not exist yet appended as written.
fn resolved(path: &Path) -> PathBuf {
    let mut existing = path;
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut out = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    out.extend(rest.iter().rev());
    out
}

/// Checks that the cache `root` and the repository folder `dir` below it may be used for a
/// repository whose git folder is `git_dir` and working tree `work_dir`.
pub(super) fn check(
    root: &Path,
    dir: &Path,
    git_dir: &Path,
    work_dir: Option<&Path>,
) -> Result<(), Refused> {
    let inside = |outer: &Path| {
        outer
            .canonicalize()
            .is_ok_and(|outer| resolved(root).starts_with(outer))
    };
    if inside(git_dir) || work_dir.is_some_and(inside) {
        return Err(Refused::InsideRepository(root.to_path_buf()));
    }
    for path in [root, dir] {
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(Refused::Symlink(path.to_path_buf()));
        }
    }
    Ok(())
}

/// The secret of a cache root: `root/key`, made once with 32 bytes from the OS's random
/// source (created exclusively, mode 0600), read after. Not a regular file of 32 bytes:
/// refused.
pub(super) fn secret(root: &Path) -> Result<[u8; 32], Refused> {
    let path = root.join("key");
    let refuse = |why: String| Refused::Key(format!("{}: {why}", path.display()));
    if std::fs::symlink_metadata(&path).is_err() {
        std::fs::create_dir_all(root).map_err(|e| refuse(e.to_string()))?;
        let mut key = [0u8; 32];
        std::fs::File::open("/dev/urandom")
            .and_then(|mut r| r.read_exact(&mut key))
            .map_err(|e| refuse(format!("no random bytes: {e}")))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        // Another process may make it first: then read that one.
        if let Ok(mut file) = options.open(&path) {
            file.write_all(&key)
                .and_then(|()| file.sync_all())
                .map_err(|e| refuse(e.to_string()))?;
            return Ok(key);
        }
    }
    let meta = std::fs::symlink_metadata(&path).map_err(|e| refuse(e.to_string()))?;
    if !meta.is_file() || meta.len() != 32 {
        return Err(refuse("not a regular file of 32 bytes".into()));
    }
    let mut key = [0u8; 32];
    std::fs::File::open(&path)
        .and_then(|mut f| f.read_exact(&mut key))
        .map_err(|e| refuse(e.to_string()))?;
    Ok(key)
}

/// The salt of a cache's files: `key` (version, model, options, history) keyed with the
/// root's secret.
pub(super) fn salt(secret: &[u8; 32], key: u64) -> u64 {
    let hash = blake3::keyed_hash(secret, &key.to_le_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash.as_bytes()[..8]);
    u64::from_le_bytes(first)
}

/// Removes temporary files (`.*.tmp`) older than an hour that interrupted runs left in
/// `dir`.
pub(super) fn clean_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < hour_ago);
        if name.starts_with('.') && name.ends_with(".tmp") && old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
