//! Practice identifiers: lenient input, canonical output (spec §1).
//!
//! `bp.5.2`, `BP.5.02` and `BP.05.02@pa5` all read as `BP.05.02`; `gp.2.1.3@pa5` reads as
//! `GP.2.1.3@PA05`. Parsing knows only the grammar; [`resolve`] checks a parsed id against
//! a [`Model`] and explains, with a stable code, why a tag is not evidence.

use crate::diag::Code;
use crate::model::Model;

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

/// Why a tag is not evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdProblem {
    /// Stable code.
    pub code: Code,
    /// One sentence for a person.
    pub message: String,
    /// The id (or the fix) the author probably meant.
    pub suggestion: Option<String>,
}

/// Resolves a tag to the practices it is evidence for.
///
/// `scope` holds the area numbers of a `process_areas` key beside the tag: an unqualified
/// generic practice is evidence for that practice in each of those areas.
pub fn resolve(model: &Model, text: &str, scope: &[u8]) -> Result<Vec<usize>, IdProblem> {
    let Ok(parsed) = parse(text) else {
        return Err(IdProblem {
            code: Code::MalformedId,
            message: format!(
                "`{text}` is not a practice id (expected BP.<area>.<n>, GP.<level>.<feature>.<n>@PA<area>)"
            ),
            suggestion: repair(model, text),
        });
    };
    let unknown = |what: String, canonical: &str| IdProblem {
        code: Code::UnknownPractice,
        message: what,
        suggestion: closest(model, canonical),
    };
    match parsed {
        ParsedId::ProcessArea { area } => Err(IdProblem {
            code: Code::NotAPractice,
            message: format!(
                "`{}` is a process area, not a practice: name one of its practices, or list it under `process_areas` to scope generic practices",
                area_id(area)
            ),
            suggestion: None,
        }),
        ParsedId::Base { area, n, qualifier } => {
            let canonical = base_id(area, n);
            if let Some(q) = qualifier.filter(|&q| q != area) {
                return Err(IdProblem {
                    code: Code::ScopeMismatch,
                    message: format!(
                        "`{text}`: base practice {canonical} belongs to {}, not {}",
                        area_id(area),
                        area_id(q)
                    ),
                    suggestion: Some(canonical),
                });
            }
            match model.practice(&canonical) {
                Some(p) => Ok(vec![p]),
                None => Err(unknown(
                    format!("`{text}`: {canonical} is not a practice of {}", model.id),
                    &canonical,
                )),
            }
        }
        ParsedId::Generic {
            level,
            feature,
            n,
            area,
        } => {
            let gp = generic_id(level, feature, n);
            if !model.generic_practices.iter().any(|g| g.id == gp) {
                let shown = parsed.canonical();
                return Err(unknown(
                    format!("`{text}`: {gp} is not a generic practice of {}", model.id),
                    &shown,
                ));
            }
            let areas: Vec<u8> = match area {
                Some(a) => vec![a],
                None if !scope.is_empty() => scope.to_vec(),
                None => {
                    return Err(IdProblem {
                        code: Code::UnscopedGenericPractice,
                        message: format!(
                            "`{text}`: a generic practice needs a process area: write {gp}@PA<nn>, or add a `process_areas` key"
                        ),
                        suggestion: None,
                    });
                }
            };
            let mut out = Vec::with_capacity(areas.len());
            for a in areas {
                let canonical = format!("{gp}@{}", area_id(a));
                match model.practice(&canonical) {
                    Some(p) => out.push(p),
                    None => {
                        return Err(unknown(
                            format!(
                                "`{text}`: process area {} is not part of {}",
                                area_id(a),
                                model.id
                            ),
                            &canonical,
                        ));
                    }
                }
            }
            Ok(out)
        }
    }
}

/// Resolves a `process_areas` entry to an area number.
pub fn resolve_area(model: &Model, text: &str) -> Result<u8, IdProblem> {
    match parse(text) {
        Ok(ParsedId::ProcessArea { area }) if model.area_by_number(area).is_some() => Ok(area),
        Ok(ParsedId::ProcessArea { area }) => Err(IdProblem {
            code: Code::UnknownPractice,
            message: format!(
                "`{text}`: process area {} is not part of {}",
                area_id(area),
                model.id
            ),
            suggestion: closest(model, &area_id(area)),
        }),
        _ => Err(IdProblem {
            code: Code::MalformedId,
            message: format!("`{text}` is not a process area id (expected PA<nn>)"),
            suggestion: None,
        }),
    }
}

/// For a malformed id: the valid id it becomes once separators are mended, if any.
fn repair(model: &Model, text: &str) -> Option<String> {
    // Separators typed wrong, and letters typed for digits after the two-letter prefix.
    let mended: String = text
        .trim()
        .trim_end_matches(['.', ',', ';'])
        .chars()
        .enumerate()
        .map(|(i, c)| match c {
            '-' | '_' | ' ' | ':' | ',' | '/' => '.',
            'o' | 'O' if i > 2 => '0',
            'l' | 'I' if i > 2 => '1',
            c => c,
        })
        .collect();
    // `BP05.02` → `BP.05.02` (the prefix is ASCII whenever it matches).
    let b = mended.as_bytes();
    let mended = if b.len() > 2
        && (b[..2].eq_ignore_ascii_case(b"BP") || b[..2].eq_ignore_ascii_case(b"GP"))
        && b[2].is_ascii_digit()
    {
        format!("{}.{}", &mended[..2], &mended[2..])
    } else {
        mended
    };
    let Ok(parsed) = parse(&mended) else {
        return closest(model, &mended.to_ascii_uppercase());
    };
    let canonical = parsed.canonical();
    match model.practice(&canonical) {
        Some(_) => Some(canonical),
        None => closest(model, &canonical),
    }
}

/// The one model id within edit distance 2 of `canonical`, if exactly one is nearest.
pub fn closest(model: &Model, canonical: &str) -> Option<String> {
    model.suggestion(canonical, || nearest(model, canonical))
}

fn nearest(model: &Model, canonical: &str) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    let mut tied = false;
    for candidate in model.all_ids() {
        // The distance is at least the difference in length.
        if candidate.len().abs_diff(canonical.len()) > 2 {
            continue;
        }
        let d = edit_distance(canonical.as_bytes(), candidate.as_bytes());
        if d > 2 {
            continue;
        }
        match best {
            Some((bd, _)) if d > bd => {}
            Some((bd, _)) if d == bd => tied = true,
            _ => {
                best = Some((d, candidate));
                tied = false;
            }
        }
    }
    match best {
        Some((_, id)) if !tied => Some(id.to_string()),
        _ => None,
    }
}

/// Levenshtein distance between two byte strings (for "did you mean").
pub(crate) fn edit_distance(a: &[u8], b: &[u8]) -> usize {
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
    use super::*;

    fn ok(text: &str) -> Vec<String> {
        let m = Model::builtin();
        resolve(&m, text, &[])
            .unwrap_or_else(|e| panic!("{text}: {e:?}"))
            .into_iter()
            .map(|p| m.practices[p].id.clone())
            .collect()
    }

    fn problem(text: &str) -> IdProblem {
        resolve(&Model::builtin(), text, &[]).unwrap_err()
    }

    #[test]
    fn lenient_input_canonical_output() {
        assert_eq!(ok("bp.5.2"), ["BP.05.02"]);
        assert_eq!(ok("BP.5.02"), ["BP.05.02"]);
        assert_eq!(ok("BP.05.02@PA05"), ["BP.05.02"]);
        assert_eq!(ok("gp.2.1.3@pa5"), ["GP.2.1.3@PA05"]);
        assert_eq!(ok("GP.2.1.3@PA05"), ["GP.2.1.3@PA05"]);
    }

    #[test]
    fn the_five_diagnostics() {
        for bad in [
            "BP.5",
            "BP-05-02",
            "PA99x",
            "",
            "BP.05.02 ",
            "BP.123.1",
            "GP.2.1",
        ] {
            assert_eq!(problem(bad).code, Code::MalformedId, "{bad:?}");
        }
        for unknown in ["BP.05.99", "BP.23.01", "GP.6.1.1@PA01", "GP.2.1.1@PA23"] {
            assert_eq!(problem(unknown).code, Code::UnknownPractice, "{unknown}");
        }
        assert_eq!(problem("GP.2.1.1").code, Code::UnscopedGenericPractice);
        assert_eq!(problem("BP.01.01@PA02").code, Code::ScopeMismatch);
        assert_eq!(
            problem("BP.01.01@PA02").suggestion.as_deref(),
            Some("BP.01.01")
        );
        assert_eq!(problem("PA05").code, Code::NotAPractice);
        assert_eq!(problem("PA99").code, Code::NotAPractice);
    }

    #[test]
    fn did_you_mean() {
        assert_eq!(problem("BP-05-02").suggestion.as_deref(), Some("BP.05.02"));
        assert_eq!(problem("BP05.02").suggestion.as_deref(), Some("BP.05.02"));
        // A letter O for a zero: one id is nearest.
        assert_eq!(problem("bp.o5.02").suggestion.as_deref(), Some("BP.05.02"));
        // Many at the same distance: no guess.
        assert_eq!(problem("BP.05.99").suggestion, None);
        // Non-ASCII input never splits a character.
        assert_eq!(problem("aé.01").code, Code::MalformedId);
    }

    #[test]
    fn scope_applies_to_unqualified_generic_practices() {
        let m = Model::builtin();
        let got: Vec<&str> = resolve(&m, "GP.2.1.1", &[5, 7])
            .unwrap()
            .into_iter()
            .map(|p| m.practices[p].id.as_str())
            .collect();
        assert_eq!(got, ["GP.2.1.1@PA05", "GP.2.1.1@PA07"]);
        // A qualifier wins over the scope.
        let got = resolve(&m, "GP.2.1.1@PA01", &[5]).unwrap();
        assert_eq!(m.practices[got[0]].id, "GP.2.1.1@PA01");
    }
}
