//! Raw tags (text with a position) against the model: the practices they evidence, or a
//! diagnostic each.

use crate::diag::{Code, Diagnostic, Severity};
use crate::model::Model;
use crate::model::id::{ParsedId, area_id, base_id, edit_distance, generic_id, parse};

/// A tag as written, with its 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawTag {
    /// The text.
    pub text: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// Where the tags come from, to locate diagnostics.
#[derive(Debug, Clone, Copy)]
pub enum Origin<'a> {
    /// A file's front matter.
    File(&'a str),
    /// A commit's trailers.
    Commit(&'a str),
}

impl Origin<'_> {
    /// A diagnostic at a position of this file or commit message.
    pub fn at(
        &self,
        severity: Severity,
        code: Code,
        message: String,
        line: u32,
        column: u32,
    ) -> Diagnostic {
        match *self {
            Origin::File(path) => {
                Diagnostic::in_file(severity, code, message, path, Some(line), Some(column))
            }
            Origin::Commit(commit) => {
                Diagnostic::in_commit(severity, code, message, commit, line, column)
            }
        }
    }

    fn diagnostic(&self, problem: IdProblem, line: u32, column: u32) -> Diagnostic {
        let mut d = self.at(Severity::Error, problem.code, problem.message, line, column);
        d.suggestion = problem.suggestion;
        d
    }
}

/// Keeps at most `max` tags; when there were more, warns at the first one left out.
pub fn limit_tags(
    tags: &mut Vec<RawTag>,
    max: usize,
    origin: Origin<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if let Some(first_cut) = tags.get(max) {
        diagnostics.push(origin.at(
            Severity::Warning,
            Code::TooManyIds,
            format!("more than {max} ids, the limit: the ones from here on are not read"),
            first_cut.line,
            first_cut.column,
        ));
        tags.truncate(max);
    }
}

/// Resolves tags, scoped by `areas` (a `process_areas` key), into `(practice, line)` pairs
/// (each practice once, at its first line) and pushes a diagnostic per bad tag or area.
pub fn resolve_tags(
    model: &Model,
    origin: Origin<'_>,
    tags: &[RawTag],
    areas: &[RawTag],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(usize, u32)> {
    let mut scope = Vec::new();
    for area in areas {
        match resolve_area(model, area.text.trim()) {
            Ok(n) => scope.push(n),
            Err(p) => diagnostics.push(origin.diagnostic(p, area.line, area.column)),
        }
    }
    let mut out: Vec<(usize, u32)> = Vec::new();
    let mut seen = vec![
        false;
        if tags.is_empty() {
            0
        } else {
            model.practices.len()
        }
    ];
    for tag in tags {
        match resolve(model, tag.text.trim(), &scope) {
            Ok(practices) => {
                for p in practices {
                    if !std::mem::replace(&mut seen[p], true) {
                        out.push((p, tag.line));
                    }
                }
            }
            Err(problem) => diagnostics.push(origin.diagnostic(problem, tag.line, tag.column)),
        }
    }
    out
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
        return Err(malformed(model, text));
    };
    match parsed {
        ParsedId::ProcessArea { area } => Err(not_a_practice(area)),
        ParsedId::Base { area, n, qualifier } => {
            resolve_base(model, text, area, n, qualifier).map(|p| vec![p])
        }
        ParsedId::Generic {
            level,
            feature,
            n,
            area,
        } => {
            let gp = generic_id(level, feature, n);
            if !model.generic_practices.iter().any(|g| g.id == gp) {
                let message = format!("`{text}`: {gp} is not a generic practice of {}", model.id);
                return Err(unknown(model, message, &parsed.canonical()));
            }
            generic_areas(text, &gp, area, scope)?
                .into_iter()
                .map(|a| resolve_applied_generic(model, text, &gp, a))
                .collect()
        }
    }
}

/// A tag that is not an id at all, with the id it probably meant.
fn malformed(model: &Model, text: &str) -> IdProblem {
    IdProblem {
        code: Code::MalformedId,
        message: format!(
            "`{text}` is not a practice id (expected BP.<area>.<n>, GP.<level>.<feature>.<n>@PA<area>)"
        ),
        suggestion: repair(model, text),
    }
}

/// A well-formed id the model does not have, with the model's id nearest to `canonical`
/// (the id as written, made canonical).
fn unknown(model: &Model, message: String, canonical: &str) -> IdProblem {
    IdProblem {
        code: Code::UnknownPractice,
        message,
        suggestion: closest(model, canonical),
    }
}

/// A process area id used as a tag: it scopes practices, it is not evidence.
fn not_a_practice(area: u8) -> IdProblem {
    IdProblem {
        code: Code::NotAPractice,
        message: format!(
            "`{}` is a process area, not a practice: name one of its practices, or list it under `process_areas` to scope generic practices",
            area_id(area)
        ),
        suggestion: None,
    }
}

/// A base practice (`BP.<area>.<n>`, with a `@PA<qualifier>` that must be its own area).
fn resolve_base(
    model: &Model,
    text: &str,
    area: u8,
    n: u8,
    qualifier: Option<u8>,
) -> Result<usize, IdProblem> {
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
        Some(p) => Ok(p),
        None => {
            let mut problem = unknown(
                model,
                format!("`{text}`: {canonical} is not a practice of {}", model.id),
                &canonical,
            );
            // No single nearest id (BP.05.09 is one edit from every BP.05.0x): say which
            // numbers the area has instead.
            if problem.suggestion.is_none() {
                problem.suggestion = base_range(model, area);
            }
            Err(problem)
        }
    }
}

/// "one of BP.05.01 to BP.05.05, the base practices of PA05", when the model has the area
/// (it reads as help and after "did you mean").
fn base_range(model: &Model, area: u8) -> Option<String> {
    let a = &model.process_areas[model.area_by_number(area)?];
    let first = &model.practices[*a.base_practices.first()?].id;
    let last = &model.practices[*a.base_practices.last()?].id;
    Some(format!(
        "one of {first} to {last}, the base practices of {}",
        a.id
    ))
}

/// The areas a generic practice `gp` is applied to: the one written after `@`, else those
/// of the `process_areas` key (`scope`); without either, a problem.
fn generic_areas(
    text: &str,
    gp: &str,
    area: Option<u8>,
    scope: &[u8],
) -> Result<Vec<u8>, IdProblem> {
    match area {
        Some(a) => Ok(vec![a]),
        None if !scope.is_empty() => Ok(scope.to_vec()),
        None => Err(IdProblem {
            code: Code::UnscopedGenericPractice,
            message: format!(
                "`{text}`: a generic practice needs a process area: write {gp}@PA<nn>, or add a `process_areas` key"
            ),
            suggestion: None,
        }),
    }
}

/// Generic practice `gp` applied to area number `a` (`GP.2.1.3@PA05`).
fn resolve_applied_generic(model: &Model, text: &str, gp: &str, a: u8) -> Result<usize, IdProblem> {
    let canonical = format!("{gp}@{}", area_id(a));
    model.practice(&canonical).ok_or_else(|| {
        unknown(
            model,
            format!(
                "`{text}`: process area {} is not part of {}",
                area_id(a),
                model.id
            ),
            &canonical,
        )
    })
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
        // Many at the same distance: no guess, but the range the area has (issue 10).
        assert_eq!(
            problem("BP.05.99").suggestion.as_deref(),
            Some("one of BP.05.01 to BP.05.05, the base practices of PA05")
        );
        assert_eq!(
            problem("BP.05.09").suggestion.as_deref(),
            Some("one of BP.05.01 to BP.05.05, the base practices of PA05")
        );
        // An area the model does not have: no range to give.
        assert_eq!(problem("BP.23.01").suggestion, None);
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
