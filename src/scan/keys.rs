//! Keys that are almost the configured ones: `Practices:` or `pratices:` for the front
//! matter key `practices`, `Pratice:` for the trailer key `Practice`. The evidence under
//! such a key silently vanishes, so the scan reports it (`misspelt-key`).
//!
//! The rule, compared ignoring ASCII case: a key is a misspelling of the configured key
//! when it is not that key but within [`max_distance`] edits of it (Levenshtein: one
//! letter inserted, deleted or replaced is one edit). Keys of 6 or more characters allow
//! 2 edits, keys of 4 or 5 allow 1, shorter keys none, so that common keys stay quiet:
//! `process_areas`, `title`, `tags`, `prices` (3 edits from `practices`) are never
//! flagged. Front matter keys are case-sensitive, so `Practices` differs from `practices`
//! only in case and is a misspelling; trailer keys are not (git matches them ignoring
//! case), so `PRACTICE:` is the key itself.

use crate::model::id::{edit_distance, looks_like_practice};

/// True when a value holds a word shaped like a practice id (see
/// [`looks_like_practice`]), once the punctuation of prose or YAML around it (brackets,
/// quotes, a final full stop) is taken off. A misspelt key, or a practice key outside the
/// trailer block, is reported only then: without an id, no evidence is lost, and the line
/// is most likely prose (`practice: you over-allocate…`, `practical: it works`).
pub fn holds_practice_id(value: &str) -> bool {
    value
        .split(|c: char| c == ',' || c.is_ascii_whitespace())
        .map(|w| w.trim_start_matches(['(', '[', '{', '"', '\'', '`', '-']))
        .map(|w| w.trim_end_matches(['.', ',', ';', ':', ')', ']', '}', '"', '\'', '`']))
        .any(looks_like_practice)
}

/// How many edits a written key may be from a configured key of `len` bytes and still be
/// read as a misspelling of it.
pub fn max_distance(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=5 => 1,
        _ => 2,
    }
}

/// True when `written` is a misspelling of `key` (see the module's rule): not the key
/// itself (compared exactly, or ignoring case with `ignore_case`), but the same ignoring
/// case, or within [`max_distance`] edits of it ignoring case.
pub fn is_misspelling(written: &[u8], key: &str, ignore_case: bool) -> bool {
    let key = key.as_bytes();
    if written == key || (ignore_case && written.eq_ignore_ascii_case(key)) {
        return false;
    }
    if written.eq_ignore_ascii_case(key) {
        return true;
    }
    let max = max_distance(key.len());
    if max == 0 || written.len().abs_diff(key.len()) > max {
        return false;
    }
    distance_ignoring_case(written, key) <= max
}

/// Levenshtein distance ignoring ASCII case. Every commit message with a colon near a
/// line start comes here, so short keys (all real ones) are compared without allocating.
fn distance_ignoring_case(a: &[u8], b: &[u8]) -> usize {
    const ROW: usize = 64;
    if b.len() >= ROW {
        return edit_distance(&a.to_ascii_lowercase(), &b.to_ascii_lowercase());
    }
    let mut prev = [0usize; ROW];
    let mut cur = [0usize; ROW];
    for (j, p) in prev.iter_mut().enumerate().take(b.len() + 1) {
        *p = j;
    }
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(!ca.eq_ignore_ascii_case(&cb));
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The configured key that `written` misspells, if any; `None` when it is one of them.
pub fn misspelt<'k>(written: &[u8], keys: &'k [String], ignore_case: bool) -> Option<&'k str> {
    let is_one = |k: &String| {
        written == k.as_bytes() || (ignore_case && written.eq_ignore_ascii_case(k.as_bytes()))
    };
    if keys.iter().any(is_one) {
        return None;
    }
    keys.iter()
        .map(String::as_str)
        .find(|k| is_misspelling(written, k, ignore_case))
}

/// True when some line of `message` starts with a trailer-like token that misspells one of
/// `keys` (`Pratice:`, `Practices :`): the cheap test that lets a message that names no
/// key skip trailer parsing. One pass over the message's colons; for each, only the few
/// bytes before it that a key could fill are looked at.
pub fn line_with_near_key(message: &[u8], keys: &[String]) -> bool {
    let longest = keys.iter().map(String::len).max().unwrap_or(0);
    // A token, a few blanks, then the colon (git allows blanks before the separator).
    let window = longest + 2 + 8;
    memchr::memchr_iter(b':', message).any(|colon| {
        let from = colon.saturating_sub(window);
        let start = match memchr::memrchr(b'\n', &message[from..colon]) {
            Some(n) => from + n + 1,
            None if from == 0 => 0,
            None => return false,
        };
        let token = trim_blanks_end(&message[start..colon]);
        !token.is_empty()
            && token
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b == b'-')
            && misspelt(token, keys, true).is_some()
    })
}

fn trim_blanks_end(mut b: &[u8]) -> &[u8] {
    while let [rest @ .., b' ' | b'\t'] = b {
        b = rest;
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_holds_a_practice_id_or_prose() {
        for tagged in [
            " BP.05.01 was discussed here",
            " bp.5.2",
            " see (GP.2.1.3@PA05).",
            " BP-05-02, and more",
            "BP.05.02,BP.05.03",
            " ['BP.05.02', \"GP.2.1.1@PA05\"]",
            " {id: BP.05.02, note: x}",
        ] {
            assert!(holds_practice_id(tagged), "{tagged}");
        }
        for prose in [
            " you over-allocate the struct, then copy some data",
            " it rarely matters",
            "",
            " PA05 is an area",
            " GPG signing",
            " true",
        ] {
            assert!(!holds_practice_id(prose), "{prose}");
        }
    }

    #[test]
    fn front_matter_misspellings_of_practices() {
        for bad in [
            "Practices",
            "PRACTICES",
            "practice",
            "pratices",
            "practise",
            "Practcies",
        ] {
            assert!(is_misspelling(bad.as_bytes(), "practices", false), "{bad}");
        }
        for fine in [
            "practices",
            "process_areas",
            "title",
            "tags",
            "prices",
            "tactics",
            "parties",
            "practice_area",
            "sources",
        ] {
            assert!(
                !is_misspelling(fine.as_bytes(), "practices", false),
                "{fine}"
            );
        }
    }

    #[test]
    fn trailer_misspellings_of_practice() {
        for bad in ["Practices", "Pratice", "practise", "Pracitce"] {
            assert!(is_misspelling(bad.as_bytes(), "Practice", true), "{bad}");
        }
        for fine in [
            "Practice",
            "PRACTICE",
            "practice",
            "Reported-by",
            "Process",
            "Cc",
        ] {
            assert!(!is_misspelling(fine.as_bytes(), "Practice", true), "{fine}");
        }
        // Short keys: case only (front matter), or nothing (trailers).
        assert!(!is_misspelling(b"Bug", "Bag", true));
        assert!(is_misspelling(b"Tag", "tag", false));
        assert!(is_misspelling(b"Tagz", "Tags", true));
    }

    #[test]
    fn the_distance_without_allocating_is_levenshtein() {
        for (a, b) in [
            ("Pratice", "practice"),
            ("", "abc"),
            ("kitten", "SITTING"),
            ("practices", "practice"),
        ] {
            let want = edit_distance(
                &a.to_ascii_lowercase().into_bytes(),
                &b.to_ascii_lowercase().into_bytes(),
            );
            assert_eq!(
                distance_ignoring_case(a.as_bytes(), b.as_bytes()),
                want,
                "{a} {b}"
            );
        }
        let long = "k".repeat(70);
        assert_eq!(distance_ignoring_case(b"k", long.as_bytes()), 69);
    }

    #[test]
    fn a_key_that_is_configured_is_never_misspelt() {
        let keys = vec!["Practice".to_string(), "Practices".to_string()];
        assert_eq!(misspelt(b"practices", &keys, true), None);
        assert_eq!(misspelt(b"Pratice", &keys, true), Some("Practice"));
    }

    #[test]
    fn lines_with_a_near_key() {
        let keys = vec!["Practice".to_string()];
        let near = |m: &str| line_with_near_key(m.as_bytes(), &keys);
        assert!(near("t\n\nPratice: BP.05.01\n"));
        assert!(near("Practices : x"));
        assert!(!near("t\n\nPractice: BP.05.01\n"));
        assert!(!near(
            "t\n\nsee https://example.org/x: y\nReviewed-by: me\n"
        ));
        // The token must start its line.
        assert!(!near("t\n\nin Pratice: x\n"));
        assert!(!near(&format!("{}Pratice: x", "a".repeat(100))));
    }
}
