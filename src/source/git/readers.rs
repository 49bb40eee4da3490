//! The readers of a scan's files: blobs from the packs (else libgit2), files from disk.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use git2::Repository;

use super::{LazyPacks, oid};
use crate::extract::front_matter::may_start_front_matter;
use crate::source::pack::{Object, Prefix};
use crate::source::{FileContent, FileEntry, FileReader};

/// How many bytes to read from disk before deciding whether a file opens front matter.
const HEAD_BYTES: usize = 8;

/// Blobs that the pack reader left to libgit2 (loose, in alternates, or unreadable).
pub static BLOBS_FROM_LIBGIT2: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(0);

pub(super) struct BlobReader {
    pub(super) repo: Repository,
    /// The pack reader, for bulk reads (opening it costs a sort of every pack index).
    pub(super) packs: Option<Arc<LazyPacks>>,
    pub(super) inflater: libdeflater::Decompressor,
    /// A partial clone: a blob that is not here was left out by its filter.
    pub(super) partial: bool,
}

impl FileReader for BlobReader {
    fn read(&mut self, entry: &FileEntry, max_size: u64) -> FileContent {
        let Some(id) = entry.blob else {
            return FileContent::Unreadable("no blob id".into());
        };
        // Most files of a tree cannot open front matter: their first bytes say so, and
        // the rest is not inflated. Documents, which usually do, are read whole at once
        // (their first bytes would be read twice). Either way the answer is the same.
        let prefix = self
            .packs
            .as_ref()
            .filter(|_| !document(&entry.path))
            .and_then(|packs| packs.get().blob_prefix(id.as_bytes(), max_size, HEAD_BYTES));
        match prefix {
            Some(Prefix::TooLarge(size)) => return FileContent::TooLarge(size),
            Some(Prefix::Head(head)) if !may_start_front_matter(&head) => {
                return FileContent::NoFrontMatter;
            }
            _ => {}
        }
        // From the packs directly when the blob is there; libgit2 reads everything else.
        let packed = self.packs.as_ref().and_then(|packs| {
            packs
                .get()
                .read(&mut self.inflater, id.as_bytes(), max_size)
        });
        match packed {
            Some(Object::TooLarge(size)) => return FileContent::TooLarge(size),
            Some(Object::Data(3, bytes)) if may_start_front_matter(&bytes) => {
                return FileContent::Bytes(bytes);
            }
            Some(Object::Data(3, _)) => return FileContent::NoFrontMatter,
            _ => {
                BLOBS_FROM_LIBGIT2.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
        let odb = match self.repo.odb() {
            Ok(odb) => odb,
            Err(e) => return FileContent::Unreadable(e.message().to_string()),
        };
        let id = oid(id);
        match odb.read_header(id) {
            Ok((size, _)) if size as u64 > max_size => return FileContent::TooLarge(size as u64),
            Ok(_) => {}
            Err(e) if self.partial && super::partial::not_found(&e) => return FileContent::Absent,
            Err(e) => return FileContent::Unreadable(e.message().to_string()),
        }
        match odb.read(id) {
            Ok(object) if may_start_front_matter(object.data()) => {
                FileContent::Bytes(object.data().to_vec())
            }
            Ok(_) => FileContent::NoFrontMatter,
            Err(e) => FileContent::Unreadable(e.message().to_string()),
        }
    }
}

/// Whether a path names a document, a file likely to carry front matter (only which
/// read is tried first depends on it).
fn document(path: &str) -> bool {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    [
        "md", "markdown", "mdx", "yaml", "yml", "rst", "adoc", "asciidoc", "txt", "org",
    ]
    .iter()
    .any(|d| ext.eq_ignore_ascii_case(d))
}

pub(super) struct DiskReader {
    pub(super) root: PathBuf,
    /// Folders seen to be real folders, not symlinks (see [`crate::source::real_folders`]).
    pub(super) checked: std::collections::HashSet<PathBuf>,
    /// The repository, for the files git keeps only in the index (skip-worktree).
    pub(super) git_dir: PathBuf,
    pub(super) packs: Arc<LazyPacks>,
    /// The reader of those, opened on the first one (most working trees have none).
    pub(super) blobs: Option<Result<BlobReader, String>>,
    /// A partial clone (see [`BlobReader`]).
    pub(super) partial: bool,
}

impl DiskReader {
    /// A file that is not on disk but in the object database (a sparse checkout's).
    fn read_blob(&mut self, entry: &FileEntry, max_size: u64) -> FileContent {
        let (git_dir, packs, partial) = (&self.git_dir, &self.packs, self.partial);
        let reader = self.blobs.get_or_insert_with(|| {
            Ok(BlobReader {
                repo: Repository::open(git_dir).map_err(|e| e.message().to_string())?,
                packs: Some(Arc::clone(packs)),
                inflater: libdeflater::Decompressor::new(),
                partial,
            })
        });
        match reader {
            Ok(reader) => reader.read(entry, max_size),
            Err(why) => FileContent::Unreadable(why.clone()),
        }
    }
}

impl FileReader for DiskReader {
    fn read(&mut self, entry: &FileEntry, max_size: u64) -> FileContent {
        let Some(relative) = &entry.disk else {
            if entry.blob.is_some() {
                return self.read_blob(entry, max_size);
            }
            return FileContent::Unreadable("no path on disk".into());
        };
        // Never follow a symlink, in any component: it may point outside the repository
        // (an index entry under a folder that is now a link reads as gone, as git sees it).
        if !crate::source::real_folders(&self.root, relative, &mut self.checked) {
            return FileContent::NoFrontMatter;
        }
        let path = self.root.join(relative);
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) => return FileContent::Unreadable(e.to_string()),
        };
        if !meta.file_type().is_file() {
            return FileContent::NoFrontMatter;
        }
        if meta.len() > max_size {
            return FileContent::TooLarge(meta.len());
        }
        let mut file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) => return FileContent::Unreadable(e.to_string()),
        };
        let mut head = [0u8; HEAD_BYTES];
        let mut got = 0;
        while got < HEAD_BYTES {
            match file.read(&mut head[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) => return FileContent::Unreadable(e.to_string()),
            }
        }
        if !may_start_front_matter(&head[..got]) {
            return FileContent::NoFrontMatter;
        }
        let mut bytes = head[..got].to_vec();
        // Bounded by the size limit even if the file grows while we read it.
        match file
            .take(max_size.saturating_sub(got as u64))
            .read_to_end(&mut bytes)
        {
            Ok(_) => FileContent::Bytes(bytes),
            Err(e) => FileContent::Unreadable(e.to_string()),
        }
    }
}
