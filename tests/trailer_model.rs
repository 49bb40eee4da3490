//! The trailer parser against a second, simple model of git's rules, written line by line
//! from `shared/spec/trailers.md`, on generated messages built from the kinds of lines
//! that matter (trailers, sign-offs, cherry-pick notes, continuations, comments, blank
//! lines, prose, `---`, scissors, `Conflicts:` blocks).

use practrace::extract::trailers;
use proptest::prelude::*;

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn blank(line: &str) -> bool {
    line.bytes().all(is_space)
}

/// `Some(token)` when the line is `token[ \t]*:` at its start, token `[A-Za-z0-9-]+`.
fn key_of(line: &str) -> Option<&str> {
    let token_end = line.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))?;
    if token_end == 0 {
        return None;
    }
    let rest = line[token_end..].trim_start_matches([' ', '\t']);
    rest.starts_with(':').then(|| &line[..token_end])
}

/// The `Practice` values git reports, unfolded.
fn model(message: &str) -> Vec<String> {
    // git log hands over the message from its first non-blank line.
    let mut lines: Vec<&str> = message.split_inclusive('\n').collect();
    while lines.first().is_some_and(|l| blank(l)) {
        lines.remove(0);
    }
    // The scissors line and all below it go; then a tail of comments, empty lines and an
    // old-style Conflicts block.
    if let Some(cut) = lines
        .iter()
        .position(|l| *l == "# ------------------------ >8 ------------------------\n")
    {
        lines.truncate(cut);
    }
    let mut end = lines.len();
    let mut i = 0;
    let mut tail_start: Option<usize> = None;
    let mut in_conflicts = false;
    while i < lines.len() {
        let l = lines[i];
        if l.starts_with('#') || l == "\n" {
            tail_start.get_or_insert(i);
        } else if l == "Conflicts:\n" {
            in_conflicts = true;
            tail_start.get_or_insert(i);
        } else if in_conflicts && l.starts_with('\t') {
        } else {
            tail_start = None;
            in_conflicts = false;
        }
        i += 1;
    }
    // git's quirk: a run that starts at the very first line does not count.
    if let Some(t) = tail_start.filter(|&t| t > 0) {
        end = t;
    }
    let lines = &lines[..end];
    // The title: up to the first blank line, comment lines skipped.
    let mut title_end = 0;
    while title_end < lines.len() && (lines[title_end].starts_with('#') || !blank(lines[title_end]))
    {
        title_end += 1;
    }
    // Backwards from the end to the blank line before the block.
    let (mut trailers, mut others, mut pending, mut recognized, mut seen_text) =
        (0, 0, 0, false, false);
    let mut start = None;
    for k in (title_end..lines.len()).rev() {
        let l = lines[k];
        if l.starts_with('#') {
            others += pending;
            pending = 0;
        } else if blank(l) {
            if !seen_text {
                continue;
            }
            others += pending;
            if (recognized && trailers * 3 >= others) || (trailers > 0 && others == 0) {
                start = Some(k + 1);
            }
            break;
        } else {
            seen_text = true;
            if l.starts_with("Signed-off-by: ") || l.starts_with("(cherry picked from commit ") {
                trailers += 1;
                pending = 0;
                recognized = true;
            } else if key_of(l).is_some() {
                trailers += 1;
                pending = 0;
            } else if l.starts_with([' ', '\t', '\r']) {
                pending += 1;
            } else {
                others += 1 + pending;
                pending = 0;
            }
        }
    }
    let Some(start) = start else {
        return Vec::new();
    };
    // Parse the block: trailers with their continuation lines.
    let mut out: Vec<(String, String)> = Vec::new();
    let mut extendable = false;
    for l in &lines[start..] {
        if extendable && l.starts_with([' ', '\t', '\r', '\n']) {
            out.last_mut().unwrap().1.push_str(l);
            continue;
        }
        extendable = false;
        if l.starts_with('#') {
            continue;
        }
        if let Some(key) = key_of(l) {
            let value = &l[l.find(':').unwrap() + 1..];
            out.push((key.to_string(), value.to_string()));
            extendable = true;
        }
    }
    out.into_iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("practice"))
        .map(|(_, v)| {
            let raw = v.trim_matches(|c: char| c.is_ascii() && is_space(c as u8));
            let mut folded = String::new();
            let mut after_newline = false;
            for c in raw.chars() {
                if c == '\n' {
                    folded.push(' ');
                    after_newline = true;
                } else if after_newline && c.is_ascii() && is_space(c as u8) {
                } else {
                    after_newline = false;
                    folded.push(c);
                }
            }
            folded
                .trim_matches(|c: char| c.is_ascii() && is_space(c as u8))
                .to_string()
        })
        .collect()
}

fn line() -> impl Strategy<Value = String> {
    // Weighted so that paragraphs are long enough to reach the 25% boundary often.
    prop_oneof![
        4 => (1u8..9).prop_map(|n| format!("Practice: BP.01.0{n}\n")),
        1 => Just("practice : BP.02.01, BP.02.02\n".to_string()),
        3 => Just("Signed-off-by: A U Thor <a@x>\n".to_string()),
        1 => Just("(cherry picked from commit 0123abc)\n".to_string()),
        1 => Just("Reviewed-by: R <r@x>\n".to_string()),
        1 => Just("  continued BP.03.01\n".to_string()),
        1 => Just("\tcontinued\n".to_string()),
        1 => Just("# a comment\n".to_string()),
        1 => Just("\n".to_string()),
        1 => Just("  \n".to_string()),
        6 => Just("some prose here\n".to_string()),
        1 => Just("Key name: not a trailer\n".to_string()),
        1 => Just("---\n".to_string()),
        1 => Just("Conflicts:\n".to_string()),
        1 => Just("# ------------------------ >8 ------------------------\n".to_string()),
        1 => Just("https://example.org/x\n".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parser_agrees_with_the_simple_model(
        title in "[A-Za-z ]{0,12}\n",
        paragraphs in proptest::collection::vec(proptest::collection::vec(line(), 1..10), 0..4),
    ) {
        // Paragraphs separated by blank lines, as messages are written.
        let message = paragraphs.iter().fold(title, |m, p| m + "\n" + &p.concat());
        let ours: Vec<String> = trailers::parse(message.as_bytes())
            .trailers
            .iter()
            .filter(|t| t.has_key("Practice"))
            .map(|t| String::from_utf8(t.unfolded_value()).unwrap())
            .collect();
        prop_assert_eq!(ours, model(&message), "message: {:?}", message);
    }
}
