//! A reader of git's index file (`.git/index`, versions 2, 3 and 4) for what libgit2 1.9
//! refuses: a sparse index (`index.sparse=true`, `git sparse-checkout init --cone
//! --sparse-index`), whose mandatory `sdir` extension libgit2 does not know. A sparse index
//! keeps a folder outside the sparse-checkout cone as one entry (mode 040000, a name ending
//! in `/`, the folder's tree id, the skip-worktree bit), which the caller expands from the
//! tree. The format: <https://git-scm.com/docs/index-format>.
//!
//! Every read is bounds-checked, the entry count is never trusted for an allocation, and
//! any mandatory extension besides `sdir` (a split index's `link`, say) is refused rather
//! than read wrongly. The trailing checksum is not verified (nor do git's readers, with
//! `index.skipHash`).

use crate::evidence::ObjectId;
use crate::source::pack::{ID_LEN, be32, offset_varint};

/// The largest index read (a sparse index of a monorepo is a few MiB; a full index of one
/// with millions of files, a few hundred).
pub(super) const MAX_INDEX: u64 = 1 << 30;

/// The skip-worktree bit of an entry's extended flags (version 3 and later).
pub(super) const SKIP_WORKTREE: u16 = 0x4000;
/// The mode of a sparse directory entry.
pub(super) const SPARSE_DIRECTORY: u32 = 0o040000;

/// One entry of the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct IndexEntry {
    /// The path, as stored (bytes, `/`-separated; a sparse directory's ends in `/`).
    pub path: Vec<u8>,
    /// The mode (0o100644, 0o100755, 0o120000, 0o160000, or 0o040000 for a sparse folder).
    pub mode: u32,
    /// The object id (a blob, a commit for a gitlink, a tree for a sparse folder).
    pub id: ObjectId,
    /// Whether git keeps this entry out of the working tree (sparse checkout).
    pub skip_worktree: bool,
}

/// Why an index could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(super) enum IndexError {
    /// Not an index, or cut short, or inconsistent.
    #[error("the index is damaged: {0}")]
    Damaged(&'static str),
    /// A version this reader does not know.
    #[error("index version {0} is not supported")]
    Version(u32),
    /// A mandatory extension this reader does not know (such as a split index's `link`).
    #[error("the index has the extension `{0}`, which practrace cannot read")]
    Extension(String),
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

/// The stat data (40 bytes), the id, and the 16-bit flags, before an entry's path.
const FIXED: usize = 40 + ID_LEN + 2;

/// Reads an index's entries, in the order stored (sorted by path, then stage).
pub(super) fn parse(bytes: &[u8]) -> Result<Vec<IndexEntry>, IndexError> {
    let damaged = IndexError::Damaged;
    if bytes.get(..4) != Some(b"DIRC") {
        return Err(damaged("no DIRC signature"));
    }
    let version = be32(bytes, 4).ok_or(damaged("cut short in its header"))?;
    if !(2..=4).contains(&version) {
        return Err(IndexError::Version(version));
    }
    let count = be32(bytes, 8).ok_or(damaged("cut short in its header"))? as usize;
    // The trailing checksum is not part of the entries or extensions.
    let end = bytes
        .len()
        .checked_sub(ID_LEN)
        .ok_or(damaged("shorter than its checksum"))?;
    let body = &bytes[..end];
    // Never allocate for more entries than the bytes could hold.
    let mut entries = Vec::with_capacity(count.min(body.len() / FIXED));
    let mut at = 12;
    let mut previous: Vec<u8> = Vec::new();
    for _ in 0..count {
        let (entry, next) =
            parse_entry(body, at, version, &previous).ok_or(damaged("an entry is cut short"))?;
        previous.clone_from(&entry.path);
        entries.push(entry);
        at = next;
    }
    check_extensions(body, at)?;
    Ok(entries)
}

/// One entry at `at`: the entry and where the next one starts. `previous` is the path of
/// the entry before (version 4 stores each path as a change of it).
fn parse_entry(
    body: &[u8],
    at: usize,
    version: u32,
    previous: &[u8],
) -> Option<(IndexEntry, usize)> {
    let mode = be32(body, at.checked_add(24)?)?;
    let id = ObjectId::from_bytes(body.get(at.checked_add(40)?..at.checked_add(40 + ID_LEN)?)?)?;
    let flags = be16(body, at.checked_add(40 + ID_LEN)?)?;
    let mut p = at.checked_add(FIXED)?;
    let mut skip_worktree = false;
    if flags & 0x4000 != 0 {
        if version < 3 {
            return None;
        }
        skip_worktree = be16(body, p)? & SKIP_WORKTREE != 0;
        p = p.checked_add(2)?;
    }
    let path = if version == 4 {
        // How many bytes to drop from the end of the previous path, then the rest, NUL
        // terminated, with no padding.
        let (strip, after) = offset_varint(body, p)?;
        let keep = previous.len().checked_sub(usize::try_from(strip).ok()?)?;
        let nul = memchr::memchr(0, body.get(after..)?)?;
        let mut path = previous[..keep].to_vec();
        path.extend_from_slice(&body[after..after + nul]);
        p = after + nul + 1;
        path
    } else {
        let nul = memchr::memchr(0, body.get(p..)?)?;
        let path = body[p..p + nul].to_vec();
        // The entry is padded with 1 to 8 NULs to a multiple of 8 bytes.
        let len = p - at + nul;
        p = at.checked_add((len + 8) & !7)?;
        if p > body.len() {
            return None;
        }
        path
    };
    let entry = IndexEntry {
        path,
        mode,
        id,
        skip_worktree,
    };
    Some((entry, p))
}

/// Walks the extensions from `at` to `end`: optional ones (an upper-case first letter)
/// are skipped, `sdir` is expected, any other mandatory one refused.
fn check_extensions(body: &[u8], mut at: usize) -> Result<(), IndexError> {
    while at < body.len() {
        let signature = body
            .get(at..at + 4)
            .ok_or(IndexError::Damaged("an extension is cut short"))?;
        let size = be32(body, at + 4).ok_or(IndexError::Damaged("an extension is cut short"))?;
        let optional = signature[0].is_ascii_uppercase();
        if !optional && signature != b"sdir" {
            return Err(IndexError::Extension(
                String::from_utf8_lossy(signature).into_owned(),
            ));
        }
        at = (at + 8)
            .checked_add(size as usize)
            .filter(|&next| next <= body.len())
            .ok_or(IndexError::Damaged("an extension runs past the end"))?;
    }
    Ok(())
}

/// Reads the index file at `path`, at most [`MAX_INDEX`] bytes of it.
pub(super) fn read(path: &std::path::Path) -> Result<Vec<IndexEntry>, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read the index: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_INDEX + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the index: {e}"))?;
    if bytes.len() as u64 > MAX_INDEX {
        return Err(format!("the index is over {MAX_INDEX} bytes: not read"));
    }
    parse(&bytes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An entry as git writes it: version 2/3 padded, version 4 prefix-compressed.
    fn entry(version: u32, previous: &[u8], path: &[u8], mode: u32, skip: bool) -> Vec<u8> {
        let mut e = vec![0u8; 24];
        e.extend_from_slice(&mode.to_be_bytes());
        e.extend_from_slice(&[0u8; 12]);
        e.extend_from_slice(&[7u8; ID_LEN]);
        let extended = if skip { 0x4000u16 } else { 0 };
        e.extend_from_slice(&(extended | path.len().min(0xfff) as u16).to_be_bytes());
        if skip {
            e.extend_from_slice(&SKIP_WORKTREE.to_be_bytes());
        }
        if version == 4 {
            let common = previous
                .iter()
                .zip(path)
                .take_while(|(a, b)| a == b)
                .count();
            let strip = previous.len() - common;
            assert!(strip < 128);
            e.push(strip as u8);
            e.extend_from_slice(&path[common..]);
            e.push(0);
        } else {
            let len = e.len() + path.len();
            e.extend_from_slice(path);
            e.resize((len + 8) & !7, 0);
        }
        e
    }

    fn index(version: u32, entries: &[(&[u8], u32, bool)], extensions: &[u8]) -> Vec<u8> {
        let mut out = b"DIRC".to_vec();
        out.extend_from_slice(&version.to_be_bytes());
        out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        let mut previous: &[u8] = b"";
        for &(path, mode, skip) in entries {
            out.extend(entry(version, previous, path, mode, skip));
            previous = path;
        }
        out.extend_from_slice(extensions);
        out.extend_from_slice(&[0u8; ID_LEN]);
        out
    }

    const SDIR: &[u8] = b"sdir\0\0\0\0";

    #[test]
    fn versions_3_and_4_read_the_same_entries() {
        let entries: &[(&[u8], u32, bool)] = &[
            (b"docs/", SPARSE_DIRECTORY, true),
            (b"src/lib.rs", 0o100644, false),
            (b"src/main.rs", 0o100755, false),
            (b"tools/", SPARSE_DIRECTORY, true),
        ];
        for version in [3, 4] {
            let got = parse(&index(version, entries, SDIR)).unwrap();
            let paths: Vec<&[u8]> = got.iter().map(|e| e.path.as_slice()).collect();
            assert_eq!(
                paths,
                [&b"docs/"[..], b"src/lib.rs", b"src/main.rs", b"tools/"]
            );
            assert!(got[0].skip_worktree && got[0].mode == SPARSE_DIRECTORY);
            assert!(!got[1].skip_worktree);
            assert_eq!(got[2].mode, 0o100755);
            assert_eq!(got[3].id, ObjectId::from_raw([7; ID_LEN]));
        }
        // Version 2 has no extended flags: plain entries only.
        let plain: &[(&[u8], u32, bool)] = &[(b"a.md", 0o100644, false)];
        assert_eq!(parse(&index(2, plain, b"")).unwrap().len(), 1);
    }

    #[test]
    fn optional_extensions_are_skipped_and_unknown_mandatory_ones_refused() {
        let one: &[(&[u8], u32, bool)] = &[(b"a.md", 0o100644, false)];
        let mut tree = b"TREE".to_vec();
        tree.extend_from_slice(&3u32.to_be_bytes());
        tree.extend_from_slice(b"xyz");
        assert_eq!(parse(&index(2, one, &tree)).unwrap().len(), 1);
        let link = b"link\0\0\0\0";
        assert_eq!(
            parse(&index(2, one, link)),
            Err(IndexError::Extension("link".into()))
        );
        // An extension claiming more bytes than there are.
        let mut long = b"TREE".to_vec();
        long.extend_from_slice(&1000u32.to_be_bytes());
        assert!(matches!(
            parse(&index(2, one, &long)),
            Err(IndexError::Damaged(_))
        ));
    }

    /// A hostile index never panics and never allocates for the entries it claims: a huge
    /// count, a truncated entry, a version 4 strip longer than the previous path.
    #[test]
    fn hostile_indexes_are_refused() {
        let one: &[(&[u8], u32, bool)] = &[(b"a.md", 0o100644, false)];
        let mut huge = index(2, one, b"");
        huge[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(parse(&huge), Err(IndexError::Damaged(_))));
        let good = index(4, one, b"");
        for cut in 0..good.len() {
            let _ = parse(&good[..cut]);
        }
        let mut strip = index(4, one, b"");
        let at = 12 + FIXED;
        strip[at] = 9; // drop 9 bytes of an empty previous path
        assert!(parse(&strip).is_err());
        assert_eq!(
            parse(b"DIRC\0\0\0\x05\0\0\0\0"),
            Err(IndexError::Version(5))
        );
        assert!(parse(b"").is_err());
        // Version 2 with the extended bit set is not valid.
        let mut v2 = index(3, &[(b"a.md", 0o100644, true)], b"");
        v2[7] = 2;
        assert!(parse(&v2).is_err());
    }

    proptest::proptest! {
        /// Any bytes changed in a valid sparse index (version 3 or 4): an error or entries,
        /// never a panic.
        #[test]
        fn damaged_indexes_never_panic(
            version in 3u32..=4,
            changes in proptest::collection::vec((0usize..400, proptest::prelude::any::<u8>()), 1..6),
        ) {
            let entries: &[(&[u8], u32, bool)] = &[
                (b"docs/", SPARSE_DIRECTORY, true),
                (b"docs2/a.md", 0o100644, false),
                (b"src/x.rs", 0o100644, true),
            ];
            let mut bytes = index(version, entries, SDIR);
            for (at, byte) in changes {
                let len = bytes.len();
                bytes[at % len] = byte;
            }
            let _ = parse(&bytes);
        }
    }
}
