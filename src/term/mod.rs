//! The terminal a human format is written for: whether it takes colour, how wide it is,
//! whether its locale can show box drawing; and the one place where text from the
//! repository is made safe to print there.
//!
//! Settings are decided once, at the edge (`main`), from `--color`, the environment
//! (`NO_COLOR`, `CLICOLOR`, `CLICOLOR_FORCE`, `TERM`, `COLUMNS`, the locale) and whether
//! the stream is a terminal, as ripgrep and cargo decide them; renderers take the
//! resulting [`Style`]. Files written with `-o FILE` and JSON get [`Style::PLAIN`].
//!
//! ```
//! use practrace::term::{Cell, Paint, Style, table};
//! let style = Style { color: false, width: Some(30), ascii: true };
//! let rows = vec![vec![Cell::from("PA05"), Cell::painted("1", Paint::Met)]];
//! let text = table(&["Area", "Level"], rows, &style);
//! assert!(text.starts_with("+------+-------+"));
//! ```

mod progress;
mod table;

pub use progress::Progress;
pub use table::{Cell, table};

use std::borrow::Cow;
use std::ffi::OsString;

/// `--color`: when to colour human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    /// When the stream is a terminal, unless the environment says otherwise.
    #[default]
    Auto,
    /// Always, even into a pipe or a file (for `less -R`).
    Always,
    /// Never.
    Never,
}

/// What the environment says about colour, width and the character set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    /// `NO_COLOR` set and not empty (<https://no-color.org>).
    pub no_color: bool,
    /// `CLICOLOR_FORCE` set, not empty and not `0`: colour even when not a terminal.
    pub clicolor_force: bool,
    /// `CLICOLOR=0`: no colour.
    pub clicolor_off: bool,
    /// `TERM=dumb`: a terminal that takes no escape sequences.
    pub dumb: bool,
    /// `COLUMNS`, when it is a width.
    pub columns: Option<u16>,
    /// Whether the locale's character set is UTF-8 (`LC_ALL`, else `LC_CTYPE`, else
    /// `LANG`; none set is the C locale, ASCII).
    pub utf8: bool,
}

impl Environment {
    /// The environment of this process.
    pub fn from_process() -> Environment {
        Environment::from_vars(|name| std::env::var_os(name))
    }

    /// The environment as `var` gives its variables.
    pub fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> Environment {
        let set = |name: &str| var(name).filter(|v| !v.is_empty());
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
            .into_iter()
            .find_map(set)
            .map(|v| v.to_string_lossy().to_ascii_lowercase());
        Environment {
            no_color: set("NO_COLOR").is_some(),
            clicolor_force: set("CLICOLOR_FORCE").is_some_and(|v| v != "0"),
            clicolor_off: set("CLICOLOR").is_some_and(|v| v == "0"),
            dumb: set("TERM").is_some_and(|v| v == "dumb"),
            columns: set("COLUMNS")
                .and_then(|v| v.to_str()?.trim().parse::<u16>().ok())
                .filter(|&w| w > 0),
            utf8: match locale {
                Some(l) => l.contains("utf-8") || l.contains("utf8"),
                // Windows consoles are set by code page, not by these variables.
                None => cfg!(windows),
            },
        }
    }

    /// Whether a stream gets colour: `--color always|never` wins; with `auto`,
    /// `NO_COLOR` turns it off, then `CLICOLOR_FORCE` on, then `CLICOLOR=0` off, and
    /// else a terminal (not `TERM=dumb`) gets it.
    pub fn color(&self, choice: ColorChoice, is_terminal: bool) -> bool {
        match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto if self.no_color => false,
            ColorChoice::Auto if self.clicolor_force => true,
            ColorChoice::Auto if self.clicolor_off => false,
            ColorChoice::Auto => is_terminal && !self.dumb,
        }
    }

    /// The style of standard output. Tables fit `width` when given (the hidden
    /// `--term-width`), else, on a terminal only, `COLUMNS` or the terminal's width: a pipe
    /// or a file gets every cell whole.
    pub fn stdout_style(
        &self,
        choice: ColorChoice,
        is_terminal: bool,
        width: Option<u16>,
    ) -> Style {
        let width = width.or_else(|| {
            is_terminal.then(|| {
                self.columns.or_else(|| {
                    terminal_size::terminal_size_of(std::io::stdout())
                        .map(|(w, _)| w.0)
                        .filter(|&w| w > 0)
                })
            })?
        });
        Style {
            color: self.color(choice, is_terminal),
            width,
            ascii: !self.utf8,
        }
    }

    /// The style of standard error: colour only (diagnostics are lines, not tables).
    pub fn stderr_style(&self, choice: ColorChoice, is_terminal: bool) -> Style {
        Style {
            color: self.color(choice, is_terminal),
            width: None,
            ascii: !self.utf8,
        }
    }
}

/// How human output is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Colour (SGR escape sequences).
    pub color: bool,
    /// Fit tables to this many columns, cutting long cells with an ellipsis; `None`:
    /// every cell whole.
    pub width: Option<u16>,
    /// ASCII only for what practrace draws (borders, ellipses, separators): the locale is
    /// not UTF-8.
    pub ascii: bool,
}

impl Style {
    /// No colour, no width, UTF-8: files, and anything that is not for a terminal.
    pub const PLAIN: Style = Style {
        color: false,
        width: None,
        ascii: false,
    };

    /// `text` in `paint` when colour is on; `text` must be safe already (see
    /// [`terminal_safe`]).
    pub fn paint(&self, text: &str, paint: Paint) -> String {
        if self.color && !text.is_empty() {
            let style = paint.style();
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    /// The separator between the parts of a header line: ` · `, or ` - ` in ASCII.
    pub fn separator(&self) -> &'static str {
        if self.ascii { " - " } else { " · " }
    }

    /// A dash between a name and its title: ` — `, or ` - ` in ASCII.
    pub fn dash(&self) -> &'static str {
        if self.ascii { " - " } else { " — " }
    }

    /// An ellipsis: `…`, or `...` in ASCII.
    pub fn ellipsis(&self) -> &'static str {
        if self.ascii { "..." } else { "…" }
    }
}

/// What a piece of human output says, and so its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    /// `error` (bold red).
    Error,
    /// `warning` (bold yellow).
    Warning,
    /// `note` (bold cyan).
    Note,
    /// A level that meets its target (green).
    Met,
    /// A level below its target (red).
    Below,
    /// A table's header (bold).
    Header,
}

impl Paint {
    fn style(self) -> anstyle::Style {
        use anstyle::AnsiColor::{Cyan, Green, Red, Yellow};
        let fg = |c: anstyle::AnsiColor| anstyle::Style::new().fg_color(Some(c.into()));
        match self {
            Paint::Error => fg(Red).bold(),
            Paint::Warning => fg(Yellow).bold(),
            Paint::Note => fg(Cyan).bold(),
            Paint::Met => fg(Green),
            Paint::Below => fg(Red),
            Paint::Header => anstyle::Style::new().bold(),
        }
    }
}

/// Whether `c` must not reach a terminal raw: every control character but the newline.
fn unsafe_char(c: char) -> bool {
    c.is_control() && c != '\n'
}

/// `text` with every control character but the newline written as an escape
/// (`\u{1b}`): a file name, commit subject or author from the repository must not be able
/// to clear the screen, set the window title or write the clipboard (OSC 52) of whoever
/// reads the output in a terminal, nor break a table's columns (a tab, a carriage
/// return). JSON escapes them by itself; GitHub workflow commands have their own escaping.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The last pass over human output before it is printed: [`terminal_safe`], except that
/// with `keep_sgr` a well-formed SGR sequence (`ESC [ digits and ; m`, what [`Style::paint`]
/// and the snippet renderer emit) stays. Text from the repository is made safe before it
/// is painted, so with colour on the only sequences left are practrace's own.
pub fn sanitize(text: &str, keep_sgr: bool) -> Cow<'_, str> {
    if !keep_sgr || !text.contains('\u{1b}') {
        return terminal_safe(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(at) = rest.find('\u{1b}') {
        out.push_str(&terminal_safe(&rest[..at]));
        let after = &rest[at + 1..];
        match sgr_len(after) {
            Some(n) => {
                out.push('\u{1b}');
                out.push_str(&after[..n]);
                rest = &after[n..];
            }
            None => {
                out.push_str("\\u{1b}");
                rest = after;
            }
        }
    }
    out.push_str(&terminal_safe(rest));
    Cow::Owned(out)
}

/// The length of `[params m` at the start of `s` (after an ESC), when it is an SGR
/// sequence.
fn sgr_len(s: &str) -> Option<usize> {
    let params = s.strip_prefix('[')?;
    let n = params
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b';')
        .count();
    (params.as_bytes().get(n) == Some(&b'm')).then_some(n + 2)
}

/// `1 error`, `2 errors`: `n` and `noun`, plural with an `s` unless `n` is 1.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Environment {
        Environment::from_vars(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        })
    }

    /// Pins the precedence of issue 15 item 5: the flag, then NO_COLOR, then
    /// CLICOLOR_FORCE, then CLICOLOR, then the terminal.
    #[test]
    fn colour_follows_the_flag_then_the_environment_then_the_terminal() {
        let none = env(&[]);
        assert!(none.color(ColorChoice::Auto, true));
        assert!(!none.color(ColorChoice::Auto, false));
        assert!(none.color(ColorChoice::Always, false));
        assert!(!none.color(ColorChoice::Never, true));
        assert!(!env(&[("NO_COLOR", "1")]).color(ColorChoice::Auto, true));
        assert!(env(&[("NO_COLOR", "1")]).color(ColorChoice::Always, true));
        assert!(env(&[("NO_COLOR", "")]).color(ColorChoice::Auto, true));
        assert!(env(&[("CLICOLOR_FORCE", "1")]).color(ColorChoice::Auto, false));
        assert!(!env(&[("CLICOLOR_FORCE", "0")]).color(ColorChoice::Auto, false));
        let both = env(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
        assert!(!both.color(ColorChoice::Auto, true));
        assert!(!env(&[("CLICOLOR", "0")]).color(ColorChoice::Auto, true));
        assert!(!env(&[("TERM", "dumb")]).color(ColorChoice::Auto, true));
    }

    /// Pins issue 15 item 5: ASCII borders unless the locale is UTF-8, LC_ALL first.
    #[test]
    fn the_locale_decides_utf8() {
        assert!(env(&[("LANG", "en_GB.UTF-8")]).utf8);
        assert!(env(&[("LC_CTYPE", "C.utf8")]).utf8);
        assert!(!env(&[("LC_ALL", "C"), ("LANG", "en_GB.UTF-8")]).utf8);
        assert!(env(&[("LC_ALL", ""), ("LANG", "en_GB.UTF-8")]).utf8);
        assert_eq!(env(&[]).utf8, cfg!(windows));
        assert_eq!(env(&[("COLUMNS", "80")]).columns, Some(80));
        assert_eq!(env(&[("COLUMNS", "wide")]).columns, None);
    }

    /// A pipe gets every cell whole, whatever COLUMNS says; a forced width always applies.
    #[test]
    fn only_a_terminal_is_fitted() {
        let e = env(&[("COLUMNS", "80"), ("LANG", "C.UTF-8")]);
        assert_eq!(e.stdout_style(ColorChoice::Auto, false, None).width, None);
        assert_eq!(
            e.stdout_style(ColorChoice::Auto, true, None).width,
            Some(80)
        );
        assert_eq!(
            e.stdout_style(ColorChoice::Auto, false, Some(100)).width,
            Some(100)
        );
    }

    #[test]
    fn control_characters_are_escaped_but_our_colours_kept() {
        assert_eq!(
            terminal_safe("a\tb\u{1b}]0;x\u{7}\n"),
            "a\\u{9}b\\u{1b}]0;x\\u{7}\n"
        );
        assert_eq!(terminal_safe("plain"), "plain");
        assert_eq!(terminal_safe("c1\u{9b}2J"), "c1\\u{9b}2J");
        let red = Style {
            color: true,
            ..Style::PLAIN
        }
        .paint("error", Paint::Below);
        assert_eq!(sanitize(&red, true), red);
        assert_eq!(sanitize(&red, false), "\\u{1b}[31merror\\u{1b}[0m");
        assert_eq!(sanitize("\u{1b}[2J\u{1b}", true), "\\u{1b}[2J\\u{1b}");
        assert_eq!(sanitize("\u{1b}]52;c;x\u{7}", true), "\\u{1b}]52;c;x\\u{7}");
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "error"), "1 error");
        assert_eq!(plural(0, "warning"), "0 warnings");
        assert_eq!(plural(3, "note"), "3 notes");
    }
}
