//! YAML front matter (spec §2.1): the splitter, and the practices it names.
//!
//! A file carries front matter when its first line is exactly `---` (after an optional
//! UTF-8 byte-order mark; `\r\n` allowed) and a later line is exactly `---` or `...`.

pub use super::yaml::PracticeTag;
use super::yaml::{self, LocatedStr};

/// The default front matter cap: larger front matter is reported, not read.
pub const DEFAULT_MAX_FRONT_MATTER: usize = 64 * 1024;

/// What the splitter found at the start of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Split<'a> {
    /// No front matter.
    None,
    /// The bytes between the delimiters; they start on line 2 of the file.
    FrontMatter(&'a [u8]),
    /// The opening line is there but no closing line within the cap.
    TooLarge,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// True when a file may carry front matter: worth reading past its first bytes.
pub fn may_start_front_matter(head: &[u8]) -> bool {
    let head = head.strip_prefix(BOM).unwrap_or(head);
    head.starts_with(b"---\n") || head.starts_with(b"---\r\n")
}

/// Splits the front matter off a file's bytes. `max` caps the front matter's size.
pub fn split(bytes: &[u8], max: usize) -> Split<'_> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let body = if let Some(rest) = bytes.strip_prefix(b"---\n") {
        rest
    } else if let Some(rest) = bytes.strip_prefix(b"---\r\n") {
        rest
    } else {
        return Split::None;
    };
    let mut at = 0;
    while at < body.len() {
        if at > max {
            return Split::TooLarge;
        }
        let end = body[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(body.len(), |n| at + n);
        let line = &body[at..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line == b"---" || line == b"..." {
            return Split::FrontMatter(&body[..at]);
        }
        at = end + 1;
    }
    Split::None
}

/// Tags read from one front matter, with positions in the file (1-based).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FrontMatterTags {
    /// The practices named, with their notes (`None`: no practices key).
    pub practices: Option<Vec<PracticeTag>>,
    /// The `process_areas` scope.
    pub process_areas: Vec<LocatedStr>,
    /// The other top-level keys, where they are.
    pub other_keys: Vec<LocatedStr>,
}

/// Why front matter could not be read, located in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatterError {
    /// What is wrong.
    pub message: String,
    /// 1-based line in the file.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// Reads the practices key (named `key`) and `process_areas` of a front matter.
pub fn read(front_matter: &[u8], key: &str) -> Result<FrontMatterTags, FrontMatterError> {
    let text = std::str::from_utf8(front_matter).map_err(|e| {
        let before = &front_matter[..e.valid_up_to()];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        FrontMatterError {
            message: "front matter is not valid UTF-8".into(),
            line: line as u32 + 1,
            column: column as u32,
        }
    })?;
    let shift = |mut l: LocatedStr| {
        l.line += 1;
        l
    };
    match yaml::parse_front_matter(text, key) {
        Ok(tags) => Ok(FrontMatterTags {
            practices: tags.practices.map(|v| {
                v.into_iter()
                    .map(|t| PracticeTag {
                        id: shift(t.id),
                        note: t.note,
                    })
                    .collect()
            }),
            process_areas: tags.process_areas.into_iter().map(shift).collect(),
            other_keys: tags.other_keys.into_iter().map(shift).collect(),
        }),
        Err(e) => Err(FrontMatterError {
            message: e.message,
            line: e.line.max(1) + 1,
            column: e.column.max(1),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(file: &str) -> Vec<(String, u32, u32)> {
        match split(file.as_bytes(), DEFAULT_MAX_FRONT_MATTER) {
            Split::FrontMatter(fm) => read(fm, "practices")
                .unwrap()
                .practices
                .unwrap_or_default()
                .into_iter()
                .map(|t| (t.id.value, t.id.line, t.id.column))
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn forms_of_the_practices_value() {
        assert_eq!(
            ids("---\npractices: BP.05.02\n---\n"),
            [("BP.05.02".into(), 2, 12)]
        );
        assert_eq!(
            ids("---\ntitle: x\npractices: [BP.05.02, gp.2.1.6@pa5]\n---\n"),
            [("BP.05.02".into(), 3, 13), ("gp.2.1.6@pa5".into(), 3, 23)]
        );
        assert_eq!(
            ids(
                "\u{feff}---\r\npractices:\r\n  - BP.05.02\r\n  - {id: BP.05.03, note: x}\r\n...\r\n"
            ),
            [("BP.05.02".into(), 3, 5), ("BP.05.03".into(), 4, 10)]
        );
    }

    /// Issue 10: the note of `{id, note}` was read and dropped.
    #[test]
    fn notes_are_kept_beside_their_ids() {
        let Split::FrontMatter(fm) = split(
            b"---\npractices:\n  - BP.05.02\n  - {id: BP.05.03, note: \" the plan \"}\n  - {id: BP.05.04, note: \"\"}\n  - {id: BP.05.05, note: null}\n---\n",
            1000,
        ) else {
            panic!()
        };
        let notes: Vec<(String, Option<String>)> = read(fm, "practices")
            .unwrap()
            .practices
            .unwrap()
            .into_iter()
            .map(|t| (t.id.value, t.note))
            .collect();
        assert_eq!(
            notes,
            [
                ("BP.05.02".into(), None),
                ("BP.05.03".into(), Some("the plan".into())),
                ("BP.05.04".into(), None),
                ("BP.05.05".into(), None),
            ]
        );
        let Split::FrontMatter(fm) =
            split(b"---\npractices: [{id: a, note: x, note: y}]\n---\n", 100)
        else {
            panic!()
        };
        assert!(read(fm, "practices").is_err());
    }

    #[test]
    fn what_is_not_front_matter() {
        assert_eq!(
            split(b"# t\n---\npractices: [BP.05.02]\n---\n", 100),
            Split::None
        );
        assert_eq!(
            split(b"+++\npractices = ['BP.05.02']\n+++\n", 100),
            Split::None
        );
        assert_eq!(split(b"--- \npractices: x\n---\n", 100), Split::None);
        assert_eq!(split(b"---\npractices: x\n", 100), Split::None);
        assert_eq!(split(b"---\nabcdefgh: x\n---\n", 4), Split::TooLarge);
    }

    #[test]
    fn errors_are_located_in_the_file() {
        let Split::FrontMatter(fm) = split(b"---\ntitle: x\npractices: 5\n---\n", 100) else {
            panic!()
        };
        let e = read(fm, "practices").unwrap_err();
        assert_eq!(e.line, 3, "{e:?}");
        let Split::FrontMatter(fm) = split(b"---\na: 1\na: 2\n---\n", 100) else {
            panic!()
        };
        assert_eq!(read(fm, "practices").unwrap_err().line, 3);
        // yes/no stay strings, anchors are refused.
        let Split::FrontMatter(fm) = split(b"---\nx: &a [1]\ny: *a\n---\n", 100) else {
            panic!()
        };
        assert!(read(fm, "practices").is_err());
    }
}
