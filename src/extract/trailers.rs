//! Commit trailers, found exactly as `git log --format='%(trailers)'` finds them.
//!
//! This follows git's `trailer.c` and `commit.c` (see `shared/spec/trailers.md`) with an
//! empty git configuration: comment character `#`, separators `:`, no `trailer.*` keys, and
//! no `---` divider (git turns it off when it reads commit objects). Everything works on
//! bytes; "whitespace" is git's own `isspace`: space, tab, line feed and carriage return.

/// git's `isspace` (its `sane_ctype` table): not `\v` or `\f`.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

const COMMENT: u8 = b'#';
/// The scissors line, with its line feed (a `\r\n` ending does not cut).
const CUT_LINE: &[u8] = b"# ------------------------ >8 ------------------------\n";
const GIT_GENERATED_PREFIXES: [&[u8]; 2] = [b"Signed-off-by: ", b"(cherry picked from commit "];

/// The message as git's C code sees it: up to the first NUL byte.
fn c_string(msg: &[u8]) -> &[u8] {
    match msg.iter().position(|&b| b == 0) {
        Some(n) => &msg[..n],
        None => msg,
    }
}

/// Offset just past the line that starts at `at` (past its `\n`, or the end).
fn next_line(buf: &[u8], at: usize) -> usize {
    match buf[at..].iter().position(|&b| b == b'\n') {
        Some(n) => at + n + 1,
        None => buf.len(),
    }
}

/// git's `last_line`: start of the last line of `buf[..len]` (a final `\n` belongs to it).
fn last_line(buf: &[u8], len: usize) -> Option<usize> {
    if len == 0 {
        return None;
    }
    if len == 1 {
        return Some(0);
    }
    Some(
        buf[..len - 1]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1),
    )
}

/// git's `is_blank_line`: only whitespace up to the line end.
fn is_blank_line(line: &[u8]) -> bool {
    line.iter()
        .take_while(|&&b| b != b'\n')
        .all(|&b| is_space(b))
}

/// git's `find_separator` with the separators `:`: the separator's position, if the line
/// starts with a token (`[A-Za-z0-9-]`, then optional blanks) followed by it.
fn find_separator(line: &[u8]) -> Option<usize> {
    let mut whitespace_found = false;
    for (i, &c) in line.iter().enumerate() {
        if c == b':' {
            return Some(i);
        }
        if !whitespace_found && (c.is_ascii_alphanumeric() || c == b'-') {
            continue;
        }
        if i != 0 && (c == b' ' || c == b'\t') {
            whitespace_found = true;
            continue;
        }
        break;
    }
    None
}

/// A separator at position 1 or later: what makes a line a trailer.
fn trailer_separator(line: &[u8]) -> Option<usize> {
    find_separator(line).filter(|&p| p >= 1)
}

/// `wt_status_locate_end`: the message ends before the scissors line.
fn locate_end(buf: &[u8]) -> usize {
    if buf.starts_with(CUT_LINE) {
        return 0;
    }
    // Built once: a searcher per message would cost more than the search.
    static AFTER_NEWLINE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| {
            let mut pattern = Vec::with_capacity(CUT_LINE.len() + 1);
            pattern.push(b'\n');
            pattern.extend_from_slice(CUT_LINE);
            memchr::memmem::Finder::new(&pattern).into_owned()
        });
    match AFTER_NEWLINE.find(buf) {
        Some(p) => p + 1,
        None => buf.len(),
    }
}

/// `ignored_log_message_bytes`: trailing comments, blank lines and an old-style
/// `Conflicts:` block, plus everything from the scissors line on.
fn ignored_tail(buf: &[u8]) -> usize {
    let len = buf.len();
    let cutoff = locate_end(buf);
    let mut boc = 0usize;
    let mut bol = 0usize;
    let mut in_old_conflicts_block = false;
    while bol < cutoff {
        let next = match buf[bol..cutoff].iter().position(|&b| b == b'\n') {
            Some(n) => bol + n + 1,
            None => cutoff,
        };
        let line = &buf[bol..];
        if buf[bol..cutoff].first() == Some(&COMMENT) || buf[bol] == b'\n' {
            if boc == 0 {
                boc = bol;
            }
        } else if line.starts_with(b"Conflicts:\n") {
            in_old_conflicts_block = true;
            if boc == 0 {
                boc = bol;
            }
        } else if in_old_conflicts_block && buf[bol] == b'\t' {
            // a path in the conflicts block
        } else if boc != 0 {
            boc = 0;
            in_old_conflicts_block = false;
        }
        bol = next;
    }
    if boc != 0 { len - boc } else { len - cutoff }
}

/// `find_trailer_block_start`: where the trailer block starts in `buf[..len]` (`len` when
/// there is none).
fn find_block_start(buf: &[u8], len: usize) -> usize {
    // The first paragraph is the title and never holds trailers.
    let mut s = 0;
    while s < len {
        if buf[s] == COMMENT {
            s = next_line(buf, s);
            continue;
        }
        if is_blank_line(&buf[s..]) {
            break;
        }
        s = next_line(buf, s);
    }
    let end_of_title = s;

    let mut only_spaces = true;
    let mut recognized_prefix = false;
    let mut trailer_lines = 0usize;
    let mut non_trailer_lines = 0usize;
    let mut possible_continuation_lines = 0usize;

    let mut l = last_line(buf, len);
    while let Some(bol) = l.filter(|&l| l >= end_of_title) {
        let line = &buf[bol..];
        l = last_line(buf, bol);
        if bol < len && buf[bol] == COMMENT {
            non_trailer_lines += possible_continuation_lines;
            possible_continuation_lines = 0;
            continue;
        }
        if is_blank_line(line) {
            if only_spaces {
                continue;
            }
            non_trailer_lines += possible_continuation_lines;
            // Accept when at least 25% are trailers and one is git-generated, or when
            // all lines are trailers.
            let quarter = recognized_prefix && trailer_lines * 3 >= non_trailer_lines;
            let all = trailer_lines > 0 && non_trailer_lines == 0;
            if quarter || all {
                return next_line(buf, bol);
            }
            return len;
        }
        only_spaces = false;

        if GIT_GENERATED_PREFIXES.iter().any(|p| line.starts_with(p)) {
            trailer_lines += 1;
            possible_continuation_lines = 0;
            recognized_prefix = true;
            continue;
        }
        let starts_with_space = line.first().is_some_and(|&b| is_space(b));
        if trailer_separator(line).is_some() && !starts_with_space {
            trailer_lines += 1;
            possible_continuation_lines = 0;
            // No configured trailer keys: nothing more can set `recognized_prefix`.
        } else if starts_with_space {
            possible_continuation_lines += 1;
        } else {
            non_trailer_lines += 1 + possible_continuation_lines;
            possible_continuation_lines = 0;
        }
    }
    len
}

/// Trims git's whitespace from both ends.
fn trim(mut b: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = b {
        if is_space(*first) {
            b = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = b {
        if is_space(*last) {
            b = rest;
        } else {
            break;
        }
    }
    b
}

/// A piece of a trailer's value: its bytes and where they start in the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValuePart<'a> {
    /// The bytes (one line's share of the value, not trimmed).
    pub bytes: &'a [u8],
    /// 1-based line in the message.
    pub line: u32,
    /// 0-based byte offset of `bytes` within that line.
    pub offset: usize,
    /// The line itself, to count characters for columns.
    pub line_bytes: &'a [u8],
}

/// One trailer of the block (lines with a separator, continuations folded in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trailer<'a> {
    /// The key, trimmed.
    pub key: &'a [u8],
    /// The first line's part after the separator, then each continuation line.
    pub parts: Vec<ValuePart<'a>>,
}

impl Trailer<'_> {
    /// The value as `%(trailers:unfold)` prints it: lines joined by one space, trimmed.
    pub fn unfolded_value(&self) -> Vec<u8> {
        let mut raw: Vec<u8> = Vec::new();
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                raw.push(b'\n');
            }
            raw.extend_from_slice(part.bytes);
        }
        // git trims the raw value, then folds each newline and the blanks after it.
        let raw = trim(&raw);
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            let c = raw[i];
            i += 1;
            if c == b'\n' {
                while i < raw.len() && is_space(raw[i]) {
                    i += 1;
                }
                out.push(b' ');
            } else {
                out.push(c);
            }
        }
        trim(&out).to_vec()
    }

    /// True when the key is `key`, compared as git's `%(trailers:key=...)` does.
    pub fn has_key(&self, key: &str) -> bool {
        self.key.eq_ignore_ascii_case(key.as_bytes())
    }
}

/// A line that looks like a trailer with one of the keys but is not in git's block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutsideLine {
    /// 1-based line in the message.
    pub line: u32,
    /// The key as written.
    pub key: String,
    /// The rest of the line after the separator, as written (lossily decoded).
    pub value: String,
}

/// What git sees of a message.
#[derive(Debug, Default)]
pub struct Trailers<'a> {
    /// The trailers of the block, in order.
    pub trailers: Vec<Trailer<'a>>,
    /// Byte range of the trailer block in the message (empty when there is none).
    pub block: std::ops::Range<usize>,
}

fn line_number(buf: &[u8], at: usize) -> u32 {
    1 + buf[..at].iter().filter(|&&b| b == b'\n').count() as u32
}

/// The message as `git log` hands it to the trailer code: up to the first NUL byte, and
/// from the first line that is not blank (pretty.c's `skip_blank_lines`).
fn log_message(msg: &[u8]) -> &[u8] {
    let mut buf = c_string(msg);
    loop {
        let end = next_line(buf, 0);
        if end == 0 || !buf[..end].iter().all(|&b| is_space(b)) {
            return buf;
        }
        buf = &buf[end..];
    }
}

/// Finds the trailer block of a commit message and parses its trailers. Line numbers and
/// offsets are relative to the message as given.
pub fn parse(msg: &[u8]) -> Trailers<'_> {
    let full = c_string(msg);
    let buf = log_message(msg);
    let skipped = full.len() - buf.len();
    let skipped_lines = full[..skipped].iter().filter(|&&b| b == b'\n').count() as u32;
    let end = buf.len() - ignored_tail(buf);
    let start = find_block_start(buf, end);
    let mut out = Trailers {
        trailers: Vec::new(),
        block: skipped + start..skipped + end,
    };
    if start >= end {
        out.block = skipped + end..skipped + end;
        return out;
    }
    let mut line_no = skipped_lines + line_number(buf, start);
    let mut at = start;
    // Index into out.trailers of the trailer that a continuation line would extend.
    let mut last: Option<usize> = None;
    while at < end {
        let stop = match buf[at..end].iter().position(|&b| b == b'\n') {
            Some(n) => at + n + 1,
            None => end,
        };
        let line = &buf[at..stop];
        let content = line.strip_suffix(b"\n").unwrap_or(line);
        if let (Some(t), Some(&first)) = (last, line.first())
            && is_space(first)
        {
            out.trailers[t].parts.push(ValuePart {
                bytes: content,
                line: line_no,
                offset: 0,
                line_bytes: content,
            });
        } else if line.first() == Some(&COMMENT) {
            last = None;
        } else if let Some(sep) = trailer_separator(line) {
            out.trailers.push(Trailer {
                key: trim(&line[..sep]),
                parts: vec![ValuePart {
                    bytes: &content[sep + 1..],
                    line: line_no,
                    offset: sep + 1,
                    line_bytes: content,
                }],
            });
            last = Some(out.trailers.len() - 1);
        } else {
            last = None;
        }
        at = stop;
        line_no += 1;
    }
    out
}

/// True when `haystack` contains `needle`, ASCII case-insensitively.
pub fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    if needle.is_empty() {
        return true;
    }
    let (lower, upper) = (
        needle[0].to_ascii_lowercase(),
        needle[0].to_ascii_uppercase(),
    );
    memchr::memchr2_iter(lower, upper, haystack).any(|at| {
        haystack
            .get(at..at + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
}

/// The lines of the log message that carry one of `keys` as a trailer would, but that are
/// not in git's trailer block (so git, and practrace, do not count them).
pub fn lines_outside_block(
    msg: &[u8],
    block: &std::ops::Range<usize>,
    keys: &[String],
) -> Vec<OutsideLine> {
    let buf = c_string(msg);
    let end = buf.len() - ignored_tail(log_message(msg));
    let mut out = Vec::new();
    let mut at = 0;
    let mut line_no = 1;
    while at < end {
        let stop = next_line(buf, at).min(end);
        if !block.contains(&at) {
            let line = &buf[at..stop];
            if let Some(sep) = find_separator(line)
                && !line.first().is_some_and(|&b| is_space(b))
            {
                let key = trim(&line[..sep]);
                if keys.iter().any(|k| key.eq_ignore_ascii_case(k.as_bytes())) {
                    let value = line[sep + 1..]
                        .strip_suffix(b"\n")
                        .unwrap_or(&line[sep + 1..]);
                    out.push(OutsideLine {
                        line: line_no,
                        key: String::from_utf8_lossy(key).into_owned(),
                        value: String::from_utf8_lossy(value).into_owned(),
                    });
                }
            }
        }
        at = stop;
        line_no += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(msg: &str) -> Vec<String> {
        parse(msg.as_bytes())
            .trailers
            .iter()
            .filter(|t| t.has_key("Practice"))
            .map(|t| String::from_utf8(t.unfolded_value()).unwrap())
            .collect()
    }

    #[test]
    fn title_is_never_a_trailer() {
        assert!(values("Practice: BP.01.01").is_empty());
        assert!(values("Practice: BP.01.01\nPractice: BP.01.02\n").is_empty());
        // git log skips leading blank lines: the first non-blank line is the title.
        assert!(values("\n \nPractice: BP.01.01\n").is_empty());
    }

    #[test]
    fn last_paragraph_and_the_25_percent_rule() {
        assert_eq!(values("t\n\nbody\n\nPractice: a\n"), ["a"]);
        assert!(values("t\n\nPractice: a\n\nnot a trailer\n").is_empty());
        // One git-generated trailer among three other lines: 1*3 >= 3.
        let ok = "t\n\nx\ny\nPractice: a\nSigned-off-by: me\n";
        assert_eq!(values(ok), ["a"]);
        let no = "t\n\nw\nx\ny\nz\nq\nr\nt\nPractice: a\nSigned-off-by: me\n";
        assert!(values(no).is_empty());
        // Without a git-generated prefix all lines must be trailers.
        assert!(values("t\n\nx\nPractice: a\n").is_empty());
    }

    #[test]
    fn continuation_and_trimming() {
        assert_eq!(values("t\n\nPractice: a,\n  b\n"), ["a, b"]);
        // U+00A0 is not whitespace to git.
        assert_eq!(values("t\n\nPractice: \u{a0}a\n"), ["\u{a0}a"]);
        assert_eq!(values("t\n\nPractice : a\n"), ["a"]);
        assert!(values("t\n\nPractice name: a\n").is_empty());
    }

    #[test]
    fn ignored_tail_and_no_divider() {
        assert_eq!(values("t\n\nPractice: a\n# comment\n\n"), ["a"]);
        // No divider for commits: `---` does not end the message...
        assert_eq!(values("t\n\n---\n\nPractice: a\n"), ["a"]);
        // ...and in the last paragraph it is a non-trailer line like any other.
        assert!(values("t\n\n---\nPractice: a\n").is_empty());
        let conflicts = "t\n\nPractice: a\n\nConflicts:\n\n\tx.c\n";
        assert_eq!(values(conflicts), ["a"]);
    }

    #[test]
    fn outside_lines_are_found() {
        let msg = "t\n\nPractice: a\n\nSigned-off-by: me\n";
        let parsed = parse(msg.as_bytes());
        let out = lines_outside_block(msg.as_bytes(), &parsed.block, &["practice".into()]);
        assert_eq!(
            out,
            [OutsideLine {
                line: 3,
                key: "Practice".into(),
                value: " a".into(),
            }]
        );
    }
}
