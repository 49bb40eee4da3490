//! The work product `practrace new ID PATH` starts: Markdown whose front matter makes it
//! evidence for the practice, with headings for what the practice asks, from the model
//! (its title and description, its process area's goals, its level and common feature).

use std::fmt::Write as _;

use crate::model::{Model, PracticeKind};

/// The text of a new work product for practice `p` (an index into `Model::practices`).
pub fn text(model: &Model, p: usize) -> String {
    let practice = &model.practices[p];
    let area = &model.process_areas[practice.process_area];
    let quoted = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let mut s = String::from("---\n");
    let heading = match practice.kind {
        PracticeKind::Base => {
            let _ = writeln!(s, "title: {}", quoted(&practice.title));
            let _ = writeln!(s, "practices: [{}]", practice.id);
            practice.title.clone()
        }
        PracticeKind::Generic { generic, .. } => {
            let title = format!("{}: {}", area.title, practice.title);
            let _ = writeln!(s, "title: {}", quoted(&title));
            let _ = writeln!(s, "process_areas: [{}]", area.id);
            let _ = writeln!(s, "practices: [{}]", model.generic_practices[generic].id);
            title
        }
    };
    let _ = write!(s, "---\n# {heading}\n\n");
    s.push_str(&comment(model, p));
    s.push_str(&purpose(model, p));
    s.push_str(&asks(model, p));
    s.push_str(SECTIONS);
    s
}

/// Where the practice sits, and how practrace reads the file.
fn comment(model: &Model, p: usize) -> String {
    let practice = &model.practices[p];
    let area = &model.process_areas[practice.process_area];
    let level = match practice.kind {
        PracticeKind::Base => 1,
        PracticeKind::Generic { level, .. } => level,
    };
    let name = model
        .levels
        .iter()
        .find(|l| l.level == level)
        .map_or(String::new(), |l| format!(" ({})", l.name));
    format!(
        "<!-- Evidence for {} ({}) of {} {}, capability level {level}{name}.\n     \
         practrace reads the front matter above: this file counts as evidence once it is in\n     \
         the repository (committed, or in the working tree). Replace the prompts below with\n     \
         the work product itself. -->\n\n",
        practice.id, practice.title, area.id, area.title
    )
}

/// What the work product is for: the area's goals.
fn purpose(model: &Model, p: usize) -> String {
    let area = &model.process_areas[model.practices[p].process_area];
    let mut s = String::from("## Purpose\n\nWhat this document is for, and who relies on it.");
    if area.goals.is_empty() {
        s.push_str("\n\n");
        return s;
    }
    let _ = write!(s, " The goals of {} {}:\n\n", area.id, area.title);
    for goal in &area.goals {
        let _ = writeln!(s, "- {goal}");
    }
    s.push('\n');
    s
}

/// What the practice asks: its description, or its title; for a generic practice, its
/// common feature too.
fn asks(model: &Model, p: usize) -> String {
    let practice = &model.practices[p];
    let area = &model.process_areas[practice.process_area];
    let mut s = format!("## {}\n\n", practice.title);
    if let PracticeKind::Generic { feature, .. } = practice.kind {
        let f = &model.common_features[feature];
        let _ = write!(
            s,
            "Common feature {} {}: how {} does this for its own process.\n\n",
            f.id, f.title, area.title
        );
    }
    match &practice.description {
        Some(d) => {
            let _ = write!(s, "{}\n\n", d.trim_end());
        }
        None => {
            let _ = write!(
                s,
                "How this team does \"{}\" here: who, when, with what.\n\n",
                practice.title
            );
        }
    }
    s
}

/// The headings every work product has.
const SECTIONS: &str = "## Scope\n\nWhat this covers, and what it leaves out.\n\n\
## Method\n\nHow it was done: sources, tools, criteria.\n\n\
## Results\n\nWhat was found or decided.\n\n\
## Review\n\nWho reviewed it, when, and what follows from it.\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generic_practice_is_scoped_by_process_areas() {
        let model = Model::builtin();
        let p = model.practice("GP.2.1.1@PA05").unwrap();
        let t = text(&model, p);
        assert!(
            t.starts_with(
                "---\ntitle: \"Assess Vulnerability: Allocate Resources\"\nprocess_areas: [PA05]\npractices: [GP.2.1.1]\n---\n"
            ),
            "{t}"
        );
        assert!(t.contains("Common feature 2.1 Planning Performance"), "{t}");
        let bp = text(&model, model.practice("BP.05.02").unwrap());
        assert!(bp.contains("practices: [BP.05.02]\n"), "{bp}");
        assert!(
            bp.contains("- An understanding of system security vulnerabilities"),
            "{bp}"
        );
    }
}
