//! The commands of the `practrace` binary, as library calls: each takes validated settings
//! and writes its output to `&mut dyn Write`, so every command can be run against a buffer.
//! The binary only parses flags, calls one of these and turns the [`Outcome`] or the
//! [`CommandError`] into an exit code (0, 1, 2).

mod explain;
mod gate;
mod graph;
mod history;
mod matrix;
mod merge;
mod onboard;
mod paths;
mod report;

use std::io::Write;
use std::path::{Path, PathBuf};

pub use explain::{explain, list};
pub use gate::{BaselineWrite, Check, CheckFormat, baseline_write, check};
pub use graph::{Graph, graph};
pub use history::{History, history};
pub use matrix::{Matrix, VerifyFormat, matrix, now_rfc3339, schema, verify};
pub use merge::{Merge, merge};
pub use onboard::{Init, New, init, new};
pub use report::{gaps, status, trace};

pub use crate::term::terminal_safe;

use crate::config::ScanOptions;
use crate::model::{Model, ModelError};
use crate::pipeline::{Analysis, AnalysisError, Request};
use crate::report::text::{Format, Output};
use crate::term::{Progress, Style};

/// How a command ended when it could run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done; the input is clean (exit 0).
    Clean,
    /// Done, but the input has error diagnostics or the check failed (exit 1).
    Findings,
}

impl Outcome {
    fn from_errors(errors: bool) -> Outcome {
        if errors {
            Outcome::Findings
        } else {
            Outcome::Clean
        }
    }
}

/// Why a command could not run (exit 2). Each wraps the library's own error, so its
/// message (and the chain of causes below it) is the library's.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The analysis: repository, revision, model or configuration.
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    /// `status --format json`.
    #[error(transparent)]
    StatusJson(#[from] crate::incremental::StatusJsonError),
    /// The model file given with `--model`.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The repository or a revision, outside an analysis.
    #[error(transparent)]
    Source(#[from] crate::source::SourceError),
    /// The evidence matrix.
    #[error(transparent)]
    Matrix(#[from] crate::matrix::MatrixError),
    /// `verify`.
    #[error(transparent)]
    Verify(#[from] crate::verify::VerifyError),
    /// `merge`.
    #[error(transparent)]
    Merge(#[from] crate::merge::MergeError),
    /// `history`.
    #[error(transparent)]
    History(#[from] crate::history::HistoryError),
    /// A flag that does not fit (named in the message).
    #[error("{0}")]
    Usage(String),
    /// A file a command creates is there already (`init`, `new`): it is never replaced.
    #[error(
        "{0} exists already: practrace never replaces it (edit it, or move it away and run again)"
    )]
    Exists(String),
    /// Reading or writing a file or a stream.
    #[error("{what}")]
    Io {
        /// What was being done (`writing to stdout`, `reading the baseline x.json`).
        what: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A file that is not what it should be.
    #[error("{what}")]
    Json {
        /// What was being read, and what it should be.
        what: String,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
}

impl CommandError {
    /// Whether the command failed because standard output was closed by its reader
    /// (`practrace status --format json | head -1`): a cause anywhere in the chain is an
    /// I/O error of kind `BrokenPipe`.
    pub fn is_broken_pipe(&self) -> bool {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(self);
        while let Some(e) = cause {
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return true;
            }
            cause = e.source();
        }
        false
    }

    /// An I/O failure while doing `what`.
    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> CommandError {
        let what = what.into();
        move |source| CommandError::Io { what, source }
    }
}

/// What to scan and how: the settings every scanning command shares, as the command line
/// gives them.
#[derive(Debug, Clone)]
pub struct ScanFlags {
    /// The repository (any folder inside it).
    pub repo: PathBuf,
    /// A revision, or `None` for the working tree.
    pub rev: Option<String>,
    /// A model file instead of the configuration's or the built-in one.
    pub model: Option<PathBuf>,
    /// `--max-file-size`.
    pub max_file_size: Option<u64>,
    /// `--max-front-matter`.
    pub max_front_matter: usize,
    /// `--max-message-size`.
    pub max_message_size: usize,
    /// `--max-ids`.
    pub max_ids: usize,
    /// `--no-cache`.
    pub no_cache: bool,
    /// `--as-of DATE|now` as given (checked by [`ScanFlags::request`]).
    pub as_of: Option<String>,
}

impl ScanFlags {
    /// The working tree of `repo`, with the defaults.
    pub fn new(repo: impl Into<PathBuf>) -> ScanFlags {
        let defaults = ScanOptions::default();
        ScanFlags {
            repo: repo.into(),
            rev: None,
            model: None,
            max_file_size: None,
            max_front_matter: defaults.max_front_matter,
            max_message_size: defaults.max_message_size,
            max_ids: defaults.max_ids,
            no_cache: false,
            as_of: None,
        }
    }

    /// The validated request these flags make (reads the `--model` file).
    pub fn request(&self) -> Result<Request, CommandError> {
        let model = match &self.model {
            Some(path) => Some(Model::from_path(path)?),
            None => None,
        };
        let as_of = match &self.as_of {
            Some(text) => Some(crate::freshness::parse_as_of(text).map_err(CommandError::Usage)?),
            None => None,
        };
        Ok(Request {
            as_of,
            repo: self.repo.clone(),
            rev: self.rev.clone(),
            model,
            options: ScanOptions {
                max_front_matter: self.max_front_matter,
                max_message_size: self.max_message_size,
                max_ids: self.max_ids,
                ..ScanOptions::default()
            },
            max_file_size: self.max_file_size,
            use_cache: !self.no_cache,
            ..Request::new(&self.repo)
        })
    }

    fn analyze(&self) -> Result<Analysis, CommandError> {
        Ok(crate::pipeline::analyze(&self.request()?)?)
    }
}

/// Where a command's output goes, how it is drawn, and what the process does after it.
pub struct Io<'a> {
    /// Standard output.
    pub out: &'a mut dyn Write,
    /// Standard error (diagnostics of table output, progress notes).
    pub err: &'a mut dyn Write,
    /// Whether standard output is a terminal (binary formats refuse it).
    pub out_is_terminal: bool,
    /// The process ends right after the command: large results are left to the operating
    /// system instead of being freed (freeing a full analysis allocation by allocation cost
    /// 0.13 s of 2.6 s at W2: 100,000 files, 200,000 commits; 12 alternating runs).
    pub exiting: bool,
    /// How human output on standard output is drawn: colour, width, borders.
    pub style: Style,
    /// How standard error is drawn (colour of diagnostics).
    pub err_style: Style,
    /// Progress on standard error after this long (see [`Progress`]); `None` when
    /// standard error is not a terminal, or with `--quiet`.
    pub progress: Option<std::time::Duration>,
    /// `-o FILE`: the report goes there (atomically), drawn plain, instead of to
    /// standard output.
    pub output: Option<PathBuf>,
}

impl<'a> Io<'a> {
    /// Output to `out` and `err` as plain as a file: no colour, no width, no progress
    /// (tests, and library callers).
    pub fn plain(out: &'a mut dyn Write, err: &'a mut dyn Write) -> Io<'a> {
        Io {
            out,
            err,
            out_is_terminal: false,
            exiting: false,
            style: Style::PLAIN,
            err_style: Style::PLAIN,
            progress: None,
            output: None,
        }
    }

    /// How the report is drawn: for the terminal, or plain into `-o FILE`.
    fn style(&self) -> Style {
        match self.output {
            Some(_) => Style::PLAIN,
            None => self.style,
        }
    }

    /// `format` drawn for where the report goes (see [`Io::style`]).
    fn output_format(&self, format: Format) -> Output {
        Output {
            format,
            style: self.style(),
        }
    }

    /// A spinner on standard error saying `message`, shown if the command takes longer
    /// than a second (see [`Progress`]).
    fn progress(&self, message: &str) -> Progress {
        Progress::start(self.progress, self.err_style.ascii, message)
    }

    /// Writes to standard output as `write` makes the bytes (buffered), then flushes: for
    /// output too large to hold whole. A reader that closes the pipe early ends it as
    /// [`CommandError::is_broken_pipe`] knows, whatever error `write` wrapped that in.
    fn stream(
        &mut self,
        write: impl FnOnce(&mut dyn Write) -> Result<(), CommandError>,
    ) -> Result<(), CommandError> {
        let mut watch = PipeWatch {
            inner: &mut *self.out,
            broken: false,
        };
        let mut out = std::io::BufWriter::with_capacity(1 << 16, &mut watch);
        let written = write(&mut out)
            .and_then(|()| out.flush().map_err(CommandError::io("writing to stdout")));
        drop(out);
        if written.is_err() && watch.broken {
            let closed = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
            return Err(CommandError::io("writing to stdout")(closed));
        }
        written
    }

    /// Writes the whole of `text` to `-o FILE` (atomically) or to standard output, then
    /// flushes it.
    fn print(&mut self, text: &[u8]) -> Result<(), CommandError> {
        if let Some(path) = &self.output {
            return write_atomically(path, text);
        }
        self.out
            .write_all(text)
            .map_err(CommandError::io("writing to stdout"))?;
        let _ = self.out.flush();
        Ok(())
    }

    /// Writes text for people (tables, Markdown, compiler-style lines) like
    /// [`Io::print`], its control characters made visible but for the colours practrace
    /// itself put in (see [`crate::term::sanitize`]).
    fn print_human(&mut self, text: &[u8]) -> Result<(), CommandError> {
        let text = String::from_utf8_lossy(text);
        let safe = crate::term::sanitize(&text, self.style().color).into_owned();
        self.print(safe.as_bytes())
    }

    /// Writes a report: JSON as it is, any other format for people (see
    /// [`Io::print_human`]).
    fn print_report(&mut self, format: Format, text: &[u8]) -> Result<(), CommandError> {
        if format == Format::Json {
            self.print(text)
        } else {
            self.print_human(text)
        }
    }

    /// Writes diagnostics (already drawn for [`Io::err_style`]) to standard error, made
    /// safe the same way.
    fn print_err(&mut self, text: &str) {
        let safe = crate::term::sanitize(text, self.err_style.color);
        let _ = self.err.write_all(safe.as_bytes());
    }

    /// Drops a large value, or leaves it to the operating system (see [`Io::exiting`]).
    fn release<T>(&self, value: T) {
        if self.exiting {
            std::mem::forget(value);
        }
    }
}

/// Standard output that clears the progress spinner before its first byte: for output
/// streamed while the spinner may still be drawn.
struct AfterProgress<'p, 'w> {
    progress: &'p mut Progress,
    out: &'w mut dyn Write,
}

impl Write for AfterProgress<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.progress.finish();
        self.out.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// A failure to write standard output.
fn stdout(source: std::io::Error) -> CommandError {
    CommandError::io("writing to stdout")(source)
}

/// Standard output, remembering whether its reader went away: a renderer may wrap that
/// failure in an error of its own (CSV's, XLSX's), and `matrix | head` must still end
/// quietly (see [`Io::stream`]).
struct PipeWatch<'a> {
    inner: &'a mut dyn Write,
    broken: bool,
}

impl Write for PipeWatch<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(buf);
        self.broken |= written
            .as_ref()
            .is_err_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe);
        written
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let flushed = self.inner.flush();
        self.broken |= flushed
            .as_ref()
            .is_err_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe);
        flushed
    }
}

/// Writes `bytes` to `path`. A regular file (or a new one) is replaced atomically: a
/// temporary file in the same folder, renamed into place, so a reader never sees half a
/// file and a failed run leaves the old one. A symlink is followed: the file it points to
/// is replaced that way, and the link stays. Anything else that exists — a terminal,
/// `/dev/null`, a FIFO, `/dev/stdout` — is written to as it is, never replaced.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CommandError> {
    let what = format!("writing {}", path.display());
    write_atomically_with(path, |out| {
        out.write_all(bytes).map_err(CommandError::io(what))
    })
}

/// [`write_atomically`], with the bytes written by `write` as it makes them (buffered),
/// so a large output is never held in memory whole. When `write` fails, a replaced file is
/// left as it was.
pub fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<(), CommandError>,
) -> Result<(), CommandError> {
    let what = || format!("writing {}", path.display());
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
    {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(CommandError::io(what()))?;
        let mut out = std::io::BufWriter::new(file);
        write(&mut out)?;
        return out.flush().map_err(CommandError::io(what()));
    }
    let target = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::canonicalize(path).map_err(CommandError::io(what()))?
        }
        _ => path.to_path_buf(),
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if target.file_name().is_none() {
        return Err(CommandError::Usage(format!(
            "{} is not a file name",
            path.display()
        )));
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".practrace-").suffix(".tmp");
    // Like any file a program creates: 0666 less the umask (tempfile's own default, 0600,
    // suits secrets, not a matrix handed to an auditor).
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut file = builder.tempfile_in(dir).map_err(CommandError::io(what()))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, &mut file);
    write(&mut out)?;
    out.flush().map_err(CommandError::io(what()))?;
    drop(out);
    file.as_file()
        .sync_all()
        .map_err(CommandError::io(what()))?;
    file.persist(&target)
        .map_err(|e| CommandError::io(what())(e.error))?;
    Ok(())
}

/// The format a command writes in: `--format` (`given`) when given, else the one
/// `by_extension` reads from the name of `-o FILE`, else `default`. Both given and not
/// `agree`ing is a usage error (a `.xlsx` file holding HTML helps nobody).
fn chosen_format<F: Copy>(
    given: Option<F>,
    output: Option<&Path>,
    by_extension: impl Fn(&str) -> Option<F>,
    agree: impl Fn(F, F) -> bool,
    name: impl Fn(F) -> &'static str,
    default: F,
) -> Result<F, CommandError> {
    let extension = output
        .and_then(|path| path.extension()?.to_str())
        .map(str::to_ascii_lowercase);
    match (given, extension.as_deref().and_then(by_extension)) {
        (Some(f), Some(e)) if !agree(f, e) => Err(CommandError::Usage(format!(
            "--format {} does not match the file name {}, which says {}: drop --format, or name the file for the format",
            name(f),
            output.map(|p| p.display().to_string()).unwrap_or_default(),
            name(e)
        ))),
        (Some(f), _) => Ok(f),
        (None, Some(e)) => Ok(e),
        (None, None) => Ok(default),
    }
}

#[cfg(test)]
mod tests {
    /// Pins the mode of `-o FILE` outputs: the same as a file created the ordinary way
    /// (a refactor to tempfile once made them 0600, caught by scripts/same-bytes.sh).
    #[cfg(unix)]
    #[test]
    fn written_files_get_the_mode_of_an_ordinary_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let ours = dir.path().join("matrix.html");
        super::write_atomically(&ours, b"<html>").unwrap();
        let ordinary = dir.path().join("ordinary");
        std::fs::write(&ordinary, b"x").unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode();
        assert_eq!(mode(&ours), mode(&ordinary));
        assert_eq!(std::fs::read(&ours).unwrap(), b"<html>");
    }

    /// Pins issue 16 item 11: `-o` replaced device nodes, FIFOs and symlinks with regular
    /// files (as root, `-o /dev/null` turned /dev/null into a file). A device is written
    /// to; a symlink's target file is replaced and the link kept.
    #[cfg(unix)]
    #[test]
    fn devices_are_written_to_and_symlinks_followed() {
        let dev_null = std::path::Path::new("/dev/null");
        super::write_atomically(dev_null, b"discarded").unwrap();
        assert!(!std::fs::metadata(dev_null).unwrap().is_file());
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.html");
        std::fs::write(&real, b"old").unwrap();
        let link = dir.path().join("link.html");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        super::write_atomically(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        // A long file name: the temporary file's name does not grow with it.
        let long = dir.path().join(format!("{}.html", "m".repeat(250)));
        super::write_atomically(&long, b"x").unwrap();
        assert_eq!(std::fs::read(&long).unwrap(), b"x");
    }
}
