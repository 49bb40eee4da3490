//! Reading the files a user names on the command line (a model, a baseline, a report):
//! regular files only — a FIFO would block, `/dev/zero` never ends — and never more than a
//! stated limit, so no argument can hang practrace or exhaust its memory.

use std::io::Read;
use std::path::Path;

/// The largest model file read (the built-in SSE-CMM is 60 KB).
pub const MAX_MODEL: u64 = 16 << 20;
/// The largest baseline file read.
pub const MAX_BASELINE: u64 = 64 << 20;
/// The largest report `verify` reads (W2's matrix JSON, 100,000 evidence files, is about
/// 100 MB; reading one takes a few times its size in memory).
pub const MAX_REPORT: u64 = 512 << 20;

/// The bytes of the regular file at `path`, when it is one and holds at most `limit` bytes.
pub fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let not_regular =
        || std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file");
    // Looked at before it is opened: opening a FIFO blocks until someone writes to it.
    if !std::fs::metadata(path)?.is_file() {
        return Err(not_regular());
    }
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    let too_large = |size: u64| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{size} bytes, over the limit of {limit} bytes"),
        )
    };
    if meta.len() > limit {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // Bounded even if the file grows while it is read.
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::read_bounded;

    #[test]
    fn devices_fifos_and_large_files_are_refused() {
        assert!(read_bounded(std::path::Path::new("/dev/zero"), 10).is_err());
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        std::fs::write(&big, [b'x'; 11]).unwrap();
        assert!(read_bounded(&big, 10).is_err());
        assert_eq!(read_bounded(&big, 11).unwrap().len(), 11);
        assert!(read_bounded(dir.path(), 10).is_err(), "a folder");
    }
}
