//! Practice identifiers: lenient input, canonical output (spec §1).
//!
//! `bp.5.2`, `BP.5.02` and `BP.05.02@pa5` all read as `BP.05.02`; `gp.2.1.3@pa5` reads as
//! `GP.2.1.3@PA05`. Parsing knows only the grammar; [`crate::resolve`] checks a parsed id
//! against a [`super::Model`] and explains, with a stable code, why a tag is not evidence.

/// The shape of an id, before it is checked against a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParsedId {
    /// `BP.<area>.<n>`, optionally qualified `@PA<area>`.
    Base {
        /// Area number.
        area: u8,
        /// Practice number.
        n: u8,
        /// The `@PA..` qualifier, if written.
        qualifier: Option<u8>,
    },
    /// `GP.<level>.<feature>.<n>`, optionally `@PA<area>`.
    Generic {
        /// Capability level.
        level: u8,
        /// Common feature number within the level.
        feature: u8,
        /// Practice number within the feature.
        n: u8,
        /// The area it is applied to, if written.
        area: Option<u8>,
    },
    /// `PA<area>`: a scope, never evidence.
    ProcessArea {
        /// Area number.
        area: u8,
    },
}

/// Canonical base practice id.
pub fn base_id(area: u8, n: u8) -> String {
    format!("BP.{area:02}.{n:02}")
}

/// Canonical process area id.
pub fn area_id(area: u8) -> String {
    format!("PA{area:02}")
}

/// Canonical generic practice id, without area.
pub fn generic_id(level: u8, feature: u8, n: u8) -> String {
    format!("GP.{level}.{feature}.{n}")
}

impl ParsedId {
    /// The canonical spelling of what was written (qualifiers kept).
    pub fn canonical(&self) -> String {
        match *self {
            ParsedId::Base {
                area,
                n,
                qualifier: None,
            } => base_id(area, n),
            ParsedId::Base {
                area,
                n,
                qualifier: Some(q),
            } => format!("{}@{}", base_id(area, n), area_id(q)),
            ParsedId::Generic {
                level,
                feature,
                n,
                area: None,
            } => generic_id(level, feature, n),
            ParsedId::Generic {
                level,
                feature,
                n,
                area: Some(a),
            } => format!("{}@{}", generic_id(level, feature, n), area_id(a)),
            ParsedId::ProcessArea { area } => area_id(area),
        }
    }
}

/// A cursor over the upper-cased bytes of an id.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn literal(&mut self, lit: &[u8]) -> Option<()> {
        let end = self.pos.checked_add(lit.len())?;
        let got = self.bytes.get(self.pos..end)?;
        if got.eq_ignore_ascii_case(lit) {
            self.pos = end;
            Some(())
        } else {
            None
        }
    }

    /// One or two ASCII digits.
    fn number(&mut self) -> Option<u8> {
        let start = self.pos;
        while self.pos < self.bytes.len() && self.bytes[self.pos].is_ascii_digit() {
            self.pos += 1;
        }
        let digits = &self.bytes[start..self.pos];
        if digits.is_empty() || digits.len() > 2 {
            return None;
        }
        Some(digits.iter().fold(0u8, |acc, d| acc * 10 + (d - b'0')))
    }

    fn area_qualifier(&mut self) -> Option<Option<u8>> {
        if self.pos == self.bytes.len() {
            return Some(None);
        }
        self.literal(b"@PA")?;
        self.number().map(Some)
    }

    fn done(&self) -> bool {
        self.pos == self.bytes.len()
    }
}

/// Reads an id leniently: any case, leading zeros optional. `Err(())` means malformed.
#[allow(clippy::result_unit_err)]
pub fn parse(text: &str) -> Result<ParsedId, ()> {
    let mut c = Cursor {
        bytes: text.as_bytes(),
        pos: 0,
    };
    let parsed = if c.literal(b"BP.").is_some() {
        let area = c.number().ok_or(())?;
        c.literal(b".").ok_or(())?;
        let n = c.number().ok_or(())?;
        let qualifier = c.area_qualifier().ok_or(())?;
        ParsedId::Base { area, n, qualifier }
    } else if c.literal(b"GP.").is_some() {
        let level = c.number().ok_or(())?;
        c.literal(b".").ok_or(())?;
        let feature = c.number().ok_or(())?;
        c.literal(b".").ok_or(())?;
        let n = c.number().ok_or(())?;
        let area = c.area_qualifier().ok_or(())?;
        ParsedId::Generic {
            level,
            feature,
            n,
            area,
        }
    } else if c.literal(b"PA").is_some() {
        ParsedId::ProcessArea {
            area: c.number().ok_or(())?,
        }
    } else {
        return Err(());
    };
    if c.done() { Ok(parsed) } else { Err(()) }
}

/// True when `text` is shaped like a practice id, well formed or not: a base or generic
/// practice id as [`parse`] reads it (`bp.5.2`, `GP.2.1.3@PA05`), or `BP`/`GP` followed by
/// a digit or a separator (`BP-05-02`, `bp.5`, `GP 2.1.1`). This tells a tag that git
/// would not read from prose that happens to begin a line with `practice:`.
pub fn looks_like_practice(text: &str) -> bool {
    if matches!(
        parse(text),
        Ok(ParsedId::Base { .. } | ParsedId::Generic { .. })
    ) {
        return true;
    }
    let b = text.as_bytes();
    b.len() > 2
        && (b[..2].eq_ignore_ascii_case(b"BP") || b[..2].eq_ignore_ascii_case(b"GP"))
        && (b[2].is_ascii_digit() || matches!(b[2], b'.' | b'-' | b'_'))
}

/// Levenshtein distance between two byte strings (for "did you mean").
pub fn edit_distance(a: &[u8], b: &[u8]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::looks_like_practice;

    #[test]
    fn what_looks_like_a_practice_id() {
        for id in [
            "BP.05.02",
            "bp.5.2",
            "GP.2.1.3@PA05",
            "gp.2.1.3@pa5",
            "GP.2.1.1",
            "BP-05-02",
            "bp.5",
            "BP05.02",
            "GP_2_1_1",
        ] {
            assert!(looks_like_practice(id), "{id}");
        }
        for prose in [
            "you",
            "over-allocate",
            "PA05",
            "GPG",
            "BPF",
            "bp",
            "GP",
            "",
            "backport",
            "é",
        ] {
            assert!(!looks_like_practice(prose), "{prose}");
        }
    }
}
