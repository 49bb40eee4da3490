//! Paths as people type them (relative to the current folder, or absolute) turned into
//! paths of the repository (relative to its root, `/`-separated), and files created in it.

use std::path::{Component, Path, PathBuf};

use super::CommandError;

/// `path` (relative to `cwd`, or absolute) as a path of the repository whose working tree is
/// `work_dir`: relative to its root and `/`-separated; `None` when it lies outside (or is
/// the root itself). Symlinked folders above the repository (`/tmp` → `/private/tmp`) do not
/// matter: both sides are resolved as far as they exist.
pub fn in_repository(work_dir: &Path, cwd: &Path, path: &Path) -> Option<String> {
    let root = resolved(work_dir);
    let full = resolved(&cwd.join(path));
    let relative = full.strip_prefix(&root).ok()?;
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The repository as people name it: its working tree's folder name, or for a bare
/// repository its folder's name without `.git` (`proj.git` is `proj`; a `.git` folder is
/// named by the folder it is in). Headers and stamps show it instead of the path given
/// (`.`).
pub fn repository_name(source: &dyn crate::source::Source) -> String {
    let dir = resolved(source.work_dir().unwrap_or_else(|| source.git_dir()));
    let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
    let folder = match name(&dir) {
        Some(n) if n == ".git" => dir.parent().and_then(name),
        other => other,
    }
    .unwrap_or_else(|| dir.display().to_string());
    match folder.strip_suffix(".git") {
        Some(stem) if source.work_dir().is_none() && !stem.is_empty() => stem.to_string(),
        _ => folder,
    }
}

/// `path` made absolute, its `.` and `..` taken away, and its longest existing ancestor
/// resolved through symlinks (the rest, which does not exist yet, kept as written).
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut lexical = PathBuf::new();
    for c in absolute.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                lexical.pop();
            }
            other => lexical.push(other),
        }
    }
    let mut missing = Vec::new();
    let mut existing = lexical.as_path();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return missing.iter().rev().fold(real, |p, name| p.join(name));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                missing.push(name.to_os_string());
                existing = parent;
            }
            _ => return lexical,
        }
    }
}

/// Creates the file `path` with `bytes`, never replacing anything: a path that exists in any
/// form (a file, a folder, a symlink, even a dangling one) is refused, naming it, and so is
/// a folder on the way that is a symlink. The bytes go to a temporary file beside it, then
/// are linked into place only if the name is still free, so a reader never sees half a file
/// and a file created meanwhile is not clobbered. Missing folders are created.
pub fn create_new(path: &Path, bytes: &[u8]) -> Result<(), CommandError> {
    refuse_existing(path)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let what = || format!("creating {}", path.display());
    refuse_symlinked_folders(&dir)?;
    std::fs::create_dir_all(&dir).map_err(CommandError::io(what()))?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".practrace-").suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut file = builder
        .tempfile_in(&dir)
        .map_err(CommandError::io(what()))?;
    std::io::Write::write_all(&mut file, bytes)
        .and_then(|()| file.as_file().sync_all())
        .map_err(CommandError::io(what()))?;
    file.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            exists(path)
        } else {
            CommandError::io(what())(e.error)
        }
    })?;
    Ok(())
}

/// An error when something is at `path` already (a dangling symlink counts).
pub fn refuse_existing(path: &Path) -> Result<(), CommandError> {
    match std::fs::symlink_metadata(path) {
        Ok(_) => Err(exists(path)),
        Err(_) => Ok(()),
    }
}

fn exists(path: &Path) -> CommandError {
    CommandError::Exists(path.display().to_string())
}

/// An error when a folder of `dir` (the ones that exist) is a symlink: a file created
/// through it could land outside the repository.
fn refuse_symlinked_folders(dir: &Path) -> Result<(), CommandError> {
    let mut folder = PathBuf::new();
    for c in dir.components() {
        folder.push(c);
        if !matches!(c, Component::Normal(_)) {
            continue;
        }
        match std::fs::symlink_metadata(&folder) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(CommandError::Usage(format!(
                    "{} is a symlink: practrace does not create files through one",
                    folder.display()
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_relative_to_a_subfolder_or_absolute_land_in_the_repository() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("docs/sub")).unwrap();
        let docs = root.join("docs");
        let p = |cwd: &Path, s: &str| in_repository(root, cwd, Path::new(s));
        assert_eq!(p(&docs, "plan.md").as_deref(), Some("docs/plan.md"));
        assert_eq!(
            p(&docs, "./sub/../plan.md").as_deref(),
            Some("docs/plan.md")
        );
        assert_eq!(p(&docs, "../README.md").as_deref(), Some("README.md"));
        let absolute = root.join("docs/new/file.md");
        assert_eq!(
            p(Path::new("/"), absolute.to_str().unwrap()).as_deref(),
            Some("docs/new/file.md")
        );
        assert_eq!(p(&docs, "../.."), None);
        assert_eq!(p(&docs, ".."), None);
    }

    #[cfg(unix)]
    #[test]
    fn creating_refuses_what_exists_and_symlinked_folders() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a/b.md");
        create_new(&file, b"x").unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"x");
        assert!(matches!(
            create_new(&file, b"y"),
            Err(CommandError::Exists(_))
        ));
        assert_eq!(std::fs::read(&file).unwrap(), b"x");
        let dangling = dir.path().join("dangling.md");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        assert!(matches!(
            create_new(&dangling, b"y"),
            Err(CommandError::Exists(_))
        ));
        assert!(!dir.path().join("nowhere").exists());
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
        let through = dir.path().join("link/c.md");
        assert!(matches!(
            create_new(&through, b"y"),
            Err(CommandError::Usage(_))
        ));
        assert!(!outside.path().join("c.md").exists());
    }
}
